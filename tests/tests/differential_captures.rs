//! Differential cases: `move` closures and `async move` blocks that capture a local kept in a
//! fixed home (a local borrowed across an `.await`). They were a `compile_error!` ("cannot move
//! it into a block yet"), the fuzzer's most frequent rejection: 176 of 600 programs (seed 5).
use clockwork_tests::differential;

differential! {
    /// The capture is the local's last mention: it is taken out of its home, and drops where
    /// the block drops it.
    async_move_block_takes_a_fixed_home_local {
        async fn f() -> usize {
            let g = Guard::new("g");
            let n = step("s", g.name()).await.len();
            let _after = Guard::new("after");
            let m = async move {
                step("inner", ()).await;
                g.name().len()
            }
            .await;
            log("between");
            n + m
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    /// A `Copy` local used after the capture is copied into it (`*n.shared()`).
    move_closure_copies_a_fixed_home_local {
        async fn f(k: u32) -> u32 {
            let n = k + 1;
            let x = step("s", n.wrapping_add(1)).await;
            let add = move |v: u32| v + n;
            let y = async move { n * 2 }.await;
            add(x) + y + n
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(3) }
    }

    /// In a loop the capture happens once per iteration: a copy each time.
    move_closure_in_a_loop_copies {
        async fn f() -> u32 {
            let n = 2u32;
            let mut total = step("s", n.wrapping_add(1)).await;
            for i in 0..3u32 {
                total += step("i", i).await;
                let add = move |v: u32| v + n;
                total = add(total);
            }
            total
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// A future made by an `async move` block and awaited later keeps what it took.
    stored_async_move_block_takes_the_local {
        async fn f() -> usize {
            let v = vec![Guard::new("a"), Guard::new("b")];
            let k = step("s", v.iter()).await.count();
            let later = async move { v.len() };
            let _g = Guard::new("g");
            step("t", ()).await;
            k + later.await
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    /// Was the UI test `home_moved_into_closure` (the error this case no longer gets).
    move_closure_takes_a_local_borrowed_across_await {
        async fn f() -> usize {
            let v = vec![Guard::new("a")];
            let r = &v;
            step("tick", ()).await;
            let n = r.len();
            let g = move || v.len();
            log("made g");
            n + g()
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }
}
