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


    // ROOT CAUSE: the awaited future (a `poll_fn` closure) borrows locals `a`/`b` mutably (`Pin::new(&mut a)`), and
    // `a`/`b` are awaited later, so they must live in the state while the closure borrowing them is also stored there;
    // the `mut` of `let mut a` is lost as well.
    // error[E0596]: cannot borrow `a` as mutable, as it is not declared as mutable (same for `b`)
    // error[E0521]: borrowed data escapes outside of closure
    select_first_ready_poll_fn {
        use core::future::Future;
        use core::pin::Pin;
        use core::task::Poll;
        #[derive(Debug)]
        pub enum Either { Left(u32), Right(&'static str) }
        async fn select2() -> String {
            let mut a = step("left", 1u32);
            let mut b = step("right", "r");
            let first = core::future::poll_fn(|cx| {
                if let Poll::Ready(v) = Pin::new(&mut a).poll(cx) { return Poll::Ready(Either::Left(v)); }
                if let Poll::Ready(v) = Pin::new(&mut b).poll(cx) { return Poll::Ready(Either::Right(v)); }
                Poll::Pending
            }).await;
            let _g = Guard::new("after select");
            let rest = match first {
                Either::Left(_) => format!("then right {}", b.await),
                Either::Right(_) => format!("then left {}", a.await),
            };
            format!("{first:?} {rest}")
        }
        pub fn entry() -> impl core::future::Future<Output = String> { select2() }
    }

}
