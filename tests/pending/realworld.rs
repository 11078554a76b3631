//! PENDING differential cases (not compiled; bug reports for the transform): small real-world shapes (a connection read loop, retries, a request
//!
//! Not compiled by cargo. Each case fails against the transform at d65802d (compile error in the `machine`
//! expansion, or a runtime difference); the comment above it gives the error or the harness diff.
//! The native version of every case compiles and passes on its own. To retry one, paste it into the
//! `differential!` block of tests/tests/differential_realworld.rs (the top-level types below are the same).
//! handler, a parser, a queue consumer, fan-in, a hand-written select).
use clockwork_tests::differential;

#[derive(Debug, PartialEq, Clone)]
pub enum Frame {
    Ping,
    Data(Vec<u8>),
    Close,
}

#[derive(Debug, PartialEq)]
pub enum HandlerError {
    BadRequest(String),
    NotFound(String),
    Upstream(u32),
}

impl From<std::num::ParseIntError> for HandlerError {
    fn from(e: std::num::ParseIntError) -> Self {
        HandlerError::BadRequest(e.to_string())
    }
}

#[derive(Debug, PartialEq)]
pub struct Response {
    pub status: u16,
    pub body: String,
}

differential! {



}
