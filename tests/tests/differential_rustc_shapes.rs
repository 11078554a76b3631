//! Differential cases: shapes from rustc's own async tests (`tests/ui/async-await/**` and
//! `tests/ui/drop/dynamic-drop-async.rs` in rust-lang/rust), run with every `async fn` under
//! `#[state_machine]`, that failed: written here anew, small.
use clockwork_tests::differential;

pub async fn bump(n: &mut u8) -> u8 {
    *n += 1;
    clockwork_tests::step("bump", *n).await
}

differential! {
    /// `&mut 0u8` borrows a temporary (a `&mut` of a constant is not promoted), which lives
    /// to the end of the statement, across its `.await`; it was left in the future's
    /// expression, and dropped when the state was stored (E0716; rustc's
    /// `deep-futures-are-freeze.rs` shape, `boom(&mut ()).await`).
    mutable_borrow_of_a_constant_lives_across_the_await {
        async fn f() -> u8 {
            let a = bump(&mut 0u8).await;
            let b = bump(&mut (1u8)).await;
            a + b
        }
        pub fn entry() -> impl core::future::Future<Output = u8> { f() }
    }

    /// `async fn f() -> !`: the future's output is `!`, which a type argument cannot be on
    /// stable Rust (E0658); the support module names it (`Never`). rustc's
    /// `unreachable-lint.rs` shape.
    never_returning_fn {
        async fn f(k: u32) -> ! {
            let g = Guard::new("g");
            step("s", k).await;
            log(g.name());
            panic!("the end of {k}")
        }
        pub fn entry() -> impl core::future::Future<Output = clockwork::machine::Never> { f(3) }
    }
}
