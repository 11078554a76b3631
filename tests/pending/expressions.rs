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


    // ROOT CAUSE: a closure that borrows a local mutably (`let mut inc = |by| { count += by; count };`) is kept across awaits
    // (called before and after one), then `count` is read; the borrow of `count` by the stored closure conflicts.
    // (At e9b7e51 this case also failed with E0308 "expected closure, found a different closure" for `describe`; fixed by c958ec6.)
    // error[E0503]: cannot use `count` because it was mutably borrowed
    closures_called_with_awaited_args {
        async fn v(n: u32) -> u32 { step("v", n).await }
        async fn f() -> (u32, String, u32) {
            let add = |a: u32, b: u32| a + b;
            let x = add(v(1).await, v(2).await);
            let g = Guard::new("captured");
            let describe = move |n: u32| format!("{}:{}", g.name(), n);
            let s = describe(v(3).await);
            let mut count = 0;
            let mut inc = |by: u32| { count += by; count };
            inc(v(4).await);
            inc(v(5).await);
            (x, s, count)
        }
        pub fn entry() -> impl core::future::Future<Output = (u32, String, u32)> { f() }
    }

}
