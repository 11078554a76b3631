//! PENDING differential cases (not compiled; bug reports for the transform): `.await` in every expression position, in Rust's evaluation order.
//!
//! Not compiled by cargo. Each case fails against the transform at d65802d (compile error in the `machine`
//! expansion, or a runtime difference); the comment above it gives the error or the harness diff.
//! The native version of every case compiles and passes on its own. To retry one, paste it into the
//! `differential!` block of tests/tests/differential_expressions.rs (the top-level types below are the same).
use clockwork_tests::differential;

#[derive(Debug, PartialEq, Clone, Default)]
pub struct Rec {
    pub a: u32,
    pub b: String,
    pub c: Vec<u32>,
}

differential! {



}
