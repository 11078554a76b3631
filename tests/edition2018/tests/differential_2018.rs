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
}

/// The temporary rules of editions 2018 and 2021, shared with the other edition's crate.
mod temporaries {
    use clockwork_tests::differential;
    include!("../../older_editions/temporaries.rs");
}
