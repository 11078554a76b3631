//! The same comparison as `clockwork-tests`, compiled as edition 2018, where a closure or an
//! `async` block that is not `move` captures whole variables, not the places it uses: the
//! references to fixed homes that the expansion hands such a block must be taken by value
//! (`Lent::get`, a closure made `move`), or the block borrows a local of the code that made it
//! (E0716, E0373). tower and mini-redis are edition 2018 crates.
use clockwork_tests::{differential, step, Step};

/// A mock service's handle, as in tower-test.
pub struct MockHandle {
    requests: Vec<&'static str>,
}

impl MockHandle {
    pub fn new(requests: Vec<&'static str>) -> MockHandle {
        MockHandle { requests }
    }
    pub fn next_request(&mut self) -> Step<Option<&'static str>> {
        step("next_request", self.requests.pop())
    }
}

/// Awaits inside its own expansion, as tower-test's `assert_request_eq!` does.
macro_rules! assert_request_eq {
    ($handle:expr, $expect:expr) => {{
        let actual = $handle.next_request().await.expect("a request");
        assert_eq!(actual, $expect);
        actual.len()
    }};
}

differential! {
    /// An island (a macro that awaits inside) borrowing a local kept in a fixed home.
    island_borrows_a_fixed_home_2018 {
        async fn f() -> usize {
            let _g = Guard::new("g");
            let mut handle = MockHandle::new(vec!["b", "a"]);
            let n = assert_request_eq!(handle, "a");
            let m = step("between", 1usize).await;
            n + m + assert_request_eq!(handle, "b")
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    /// `tokio::select!` over a borrowed local, in a loop.
    select_over_a_borrowed_local_2018 {
        async fn f() -> u32 {
            let mut src = MockHandle::new(vec!["z", "yy", "xxx"]);
            let mut total = 0;
            loop {
                tokio::select! {
                    biased;
                    Some(r) = src.next_request() => total += r.len() as u32,
                    else => break,
                }
            }
            total
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// An `async` block that is not `move`, kept across an `.await`, reading a local that an
    /// earlier borrow put in a fixed home.
    async_block_reads_a_fixed_home_2018 {
        async fn f() -> usize {
            let names = vec![Guard::new("a"), Guard::new("b")];
            let first = &names[0];
            let count = async { names.len() + step("inner", 1usize).await };
            let k = step("s", 2usize).await;
            log(format!("first {}", first.name()));
            count.await + k
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    /// A closure that writes a local, kept across `.await`s, and one handed to `poll_fn`.
    closures_borrow_fixed_homes_2018 {
        use core::future::Future;
        use core::pin::Pin;
        use core::task::Poll;
        async fn f() -> u32 {
            let mut count = 0;
            let mut inc = |by: u32| { count += by; count };
            inc(step("a", 4u32).await);
            inc(step("b", 5u32).await);
            let mut a = step("left", 1u32);
            let mut b = step("right", 2u32);
            let first = core::future::poll_fn(|cx| {
                if let Poll::Ready(v) = Pin::new(&mut a).poll(cx) { return Poll::Ready(v); }
                Pin::new(&mut b).poll(cx)
            }).await;
            count + first + b.await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    /// The body's tail awaits a call given a temporary: up to edition 2021 the temporary
    /// drops after the body's locals (and before the arguments). `#[state_machine]` keeps it
    /// in a slot declared at the top of the block (`Normalizer::tail_slots`), which the
    /// edition read from `Cargo.toml` turns on; it dropped before the locals, as in 2024.
    tail_temporary_across_an_await_drops_after_the_locals_2018{
        async fn helper(g: &Guard) -> usize { step("helper", g.name().len()).await }
        async fn f(_arg: Guard) -> usize {
            let _local = Guard::new("local");
            step("first", ()).await;
            helper(&Guard::new("tail temp")).await
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f(Guard::new("arg")) }
    }

    /// The same in a nested block, with an operand evaluated before the `.await` and a
    /// method's receiver made in the tail; dropped half-way, the slot drops last.
    nested_block_tail_temporaries_2018{
        fn make(name: &str) -> Guard { Guard::new(name) }
        fn combine(a: &str, b: u32) -> usize { a.len() + b as usize }
        async fn f() -> usize {
            let v = {
                let _inner = Guard::new("inner");
                let x = step("x", 1u32).await;
                combine(make("receiver").name(), step("y", x).await)
            };
            log("after block");
            v + step("z", 1usize).await
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    /// An `if let` whose scrutinee awaits: up to 2021 its temporaries live through the
    /// `else` block too (they were dropped before it, as in 2024).
    if_let_awaited_scrutinee_lives_through_else_2018{
        async fn f(k: u32) -> u32 {
            if let Some(x) = step("s", Guard::new(format!("g{k}"))).await.name().find('1') {
                log("then");
                step("t", x as u32).await
            } else {
                log("else");
                step("e", 2u32).await
            }
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            async { f(1).await + f(2).await }
        }
    }

    /// An awaited value that a method borrows, in a block's tail (`step(..).await.val()`): up
    /// to 2021 a temporary of the tail, which drops after the block's locals, in its slot.
    /// Fuzzer (`--edition 2021`), seed 21, program 1.
    awaited_receiver_in_a_block_tail_2018 {
        async fn f() -> usize {
            let _outer = Guard::new("outer");
            let v = 'b: {
                let _inner = Guard::new("inner");
                let n = step("n", 1usize).await;
                n + step("s", Guard::new("awaited")).await.name().len()
            };
            log("after block");
            v
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    /// A labelled block used as an operand of an awaited call: up to 2021 its tail's
    /// temporaries live to the end of the statement, across that `.await` (slots declared
    /// before the block). Fuzzer (`--edition 2021`), seed 21, programs 5 and 406.
    block_operand_tail_temporaries_live_to_the_statement_end_2018 {
        async fn f(k: u32) -> u32 {
            let a = step("outer", 'b: {
                let _inner = Guard::new("inner");
                Guard::new("tail temp").name().len() as u32
            }).await;
            let b = step("outer2", 'c: {
                let n = step("n", k).await;
                step("s", Guard::new("awaited")).await.name().len() as u32 + n
            }).await;
            a + b
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f(1) }
    }

    /// A body that does not await, with an argument taken apart by its pattern: its tail's
    /// temporaries drop before the arguments. Fuzzer (`--edition 2021`), seed 21, program 70.
    tail_temporary_before_pattern_arguments_2018 {
        async fn f(n: u32, (_k, _g): (u32, Guard)) -> usize {
            let _l = Guard::new("local");
            match Guard::new("tail temp").name().len() {
                0 => 0,
                m => m + n as usize,
            }
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f(1, (2, Guard::new("arg"))) }
    }
}
