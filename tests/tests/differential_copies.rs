//! Differential cases: an `.await` whose code the expansion writes in more than one place (a
//! loop's entry and its back edge, the arms before a join point), when the awaited expression
//! writes an `async` block or a closure, whose type is new at each place. They did not compile
//! (E0308 "expected `async` block, found a different `async` block"): the fuzzer's most frequent
//! compile failure (about 100 of 1,000 programs). Each place now wraps its copy in a variant of
//! `Copies`.
use clockwork_tests::differential;

differential! {
    /// An `async` block awaited in a loop: made at the loop's entry and at its back edge.
    async_block_awaited_in_a_loop {
        async fn f(n: u32) -> u32 {
            let mut t = 0;
            loop {
                let g = Guard::new("iter");
                let x = async { step("inner", n).await + g.name().len() as u32 }.await;
                t += x;
                if t > 8 {
                    break;
                }
            }
            t
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(2) }
    }

    /// A closure in the awaited expression, in a `while` loop with two awaits.
    closure_in_awaited_expression_in_a_loop {
        async fn f() -> u32 {
            let mut i = 0u32;
            let mut t = 0u32;
            while i < 3 {
                t += step("a", i).await;
                t += step_with("b", i, |v: u32| v * 10).await;
                i += 1;
            }
            t
        }
        fn step_with(name: &'static str, v: u32, f: impl FnOnce(u32) -> u32) -> Step<u32> {
            step(name, f(v))
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// Three places: the loop's entry, the `continue` and the back edge.
    async_move_block_with_continue {
        async fn f() -> Vec<u32> {
            let mut out = Vec::new();
            for i in 0..4u32 {
                let v = async move { step("v", i * 3).await }.await;
                if v % 2 == 0 {
                    out.push(v);
                    continue;
                }
                let _g = Guard::new("odd");
                step("after", ()).await;
            }
            out
        }
        pub fn entry() -> impl core::future::Future<Output = Vec<u32>> { f() }
    }

    /// Dropped half-way: the state holds one copy, which drops its guard.
    cancelled_inside_a_copied_async_block {
        async fn f() -> u32 {
            let mut t = 0;
            for i in 0..3u32 {
                t += async {
                    let _g = Guard::new("in block");
                    step("x", i).await
                }
                .await;
            }
            t
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }
}
