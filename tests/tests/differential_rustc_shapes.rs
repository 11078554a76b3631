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

    /// Locals declared without a value in a loop, assigned from `.await`s on some iterations,
    /// with parts moved out and the rest kept across later `.await`s: rustc's
    /// `dynamic-drop-async.rs` (`struct_dynamic_drop`). Declared again where a state resumes,
    /// such a local had no fixed home (E0282). `x` has its type written; `y`, as in rustc's
    /// test, has none: its first assignment brings what drops the rest
    /// (`Home::set_with_parts`), since a closure naming `y.0` before any value gave its type
    /// was E0282 too.
    locals_declared_without_a_value_with_parts_in_a_loop {
        pub struct Two(pub Guard, pub Guard);
        async fn f(c0: bool, c1: bool, c: bool) {
            for i in 0..2 {
                let x: (Guard, Guard, Guard);
                let y;
                if (c0 && i == 0) || (c1 && i == 1) {
                    x = (step("a", Guard::new("x0")).await, Guard::new("x1"), Guard::new("x2"));
                    y = Two(step("b", Guard::new("y0")).await, Guard::new("y1"));
                    if c {
                        drop(x.1);
                        step("c", ()).await;
                        drop(y.0);
                        step("d", ()).await;
                    }
                }
            }
        }
        pub fn entry() -> impl core::future::Future<Output = ()> {
            async {
                f(true, false, true).await;
                f(false, true, true).await;
                f(true, true, false).await;
            }
        }
    }

    /// A `ref` binding of a `match` on a value (not a place) borrows the value itself, a
    /// temporary that lives to the end of the `match`, across the arm's `.await`: it was not
    /// kept (E0716). And an arm beside it that binds the value by move takes it out of its
    /// home first thing (E0507: it moved out of the home). rustc's `dynamic-drop-async.rs`
    /// (`panic_after_init_by_match_with_bindings_and_guard`) shape.
    ref_binding_of_a_matched_value_across_an_await {
        async fn f(b: bool) -> usize {
            let n = match Guard::new("t") {
                ref x => {
                    step("s", ()).await;
                    x.name().len()
                }
            };
            let m = match step("v", Guard::new("v")).await {
                ref x if b => {
                    step("s2", ()).await;
                    x.name().len()
                }
                ref x => x.name().len() + 10,
            };
            let k = match step("w", Guard::new("w")).await {
                ref x if b => {
                    step("s3", ()).await;
                    x.name().len()
                }
                x => {
                    step("s4", ()).await;
                    x.name().len() + 20
                }
            };
            n + m + k
        }
        pub fn entry() -> impl core::future::Future<Output = usize> {
            async { f(true).await + f(false).await }
        }
    }
}
