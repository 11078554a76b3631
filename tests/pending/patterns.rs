//! PENDING differential cases (not compiled; bug reports for the transform): `let` patterns, `let-else`, shadowing, `if`/`if let`/`match` with awaits.
//!
//! Not compiled by cargo. Each case fails against the transform at d65802d (compile error in the `machine`
//! expansion, or a runtime difference); the comment above it gives the error or the harness diff.
//! The native version of every case compiles and passes on its own. To retry one, paste it into the
//! `differential!` block of tests/tests/differential_patterns.rs (the top-level types below are the same).
use clockwork_tests::differential;

#[derive(Debug, PartialEq, Clone, Copy)]
pub struct Pt {
    pub x: i32,
    pub y: i32,
}

#[derive(Debug, PartialEq, Clone)]
pub enum Shape {
    Circle(u32),
    Rect { w: u32, h: u32 },
    Empty,
}

differential! {

}
