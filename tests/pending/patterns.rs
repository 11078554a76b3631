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

    // LIMITATION (explicit error): `.await` inside an `if let` chain (`if let Some(x) = get(a).await && x > 1`).
    // error: `.await` inside an `if let` chain is not supported yet; bind the awaited value before the `if`
    let_chain_await_in_condition {
        async fn get(v: Option<u32>) -> Option<u32> { step("get", v).await }
        async fn f(a: Option<u32>) -> u32 {
            if let Some(x) = get(a).await && x > 1 { x } else { 0 }
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, u32)> { async { (f(Some(2)).await, f(Some(1)).await) } }
    }

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

    // ROOT CAUSE: deferred initialisation (`let x; let s: String;` declared without a value, assigned in branches that
    // await, then used after): the transform does not see the assignments in both branches as initialising `s`.
    // (At e9b7e51: E0425 cannot find value `x`.)
    // error[E0381]: used binding `s` isn't initialized (at `let s: String;`)
    deferred_initialization {
        async fn f(c: bool) -> (u32, String) {
            let x;
            let s: String;
            if c {
                x = step("then", 1u32).await;
                s = format!("then {x}");
            } else {
                let _g = Guard::new("else");
                x = 2;
                s = step("else", String::from("else")).await;
            }
            let y: u32;
            y = x + step("y", 10u32).await;
            (y, s)
        }
        pub fn entry() -> impl core::future::Future<Output = ((u32, String), (u32, String))> {
            async { (f(true).await, f(false).await) }
        }
    }

}
