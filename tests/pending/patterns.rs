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

    // LIMITATION (explicit error): `.await` in a match guard (`n if ok(n).await => ..`).
    // error: `.await` in a match guard is not supported yet; await before the `match`
    match_guard_with_await {
        async fn ok(v: u32) -> bool { step("guard", v > 2).await }
        async fn f(v: u32) -> &'static str {
            match v {
                n if ok(n).await => "big",
                _ => "small",
            }
        }
        pub fn entry() -> impl core::future::Future<Output = (&'static str, &'static str)> { async { (f(3).await, f(1).await) } }
    }

}
