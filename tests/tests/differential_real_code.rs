//! Differential cases: shapes from real async code that the macro rejected or mis-compiled,
//! found by putting `#[state_machine]` on every async fn of published crates (issue 16).
use clockwork_tests::differential;

/// A type with an associated `async fn` named like the fn that calls it.
pub struct Conn;

impl Conn {
    pub async fn connect(addr: &str) -> usize {
        clockwork_tests::step("connect", ()).await;
        addr.len()
    }
}

differential! {
    /// `Conn::connect(..)` inside a fn named `connect` is not a call to itself (it was
    /// rejected as recursion: the check looked at the last segment only).
    call_to_a_same_named_fn_is_not_recursion {
        async fn connect(addr: &str) -> usize {
            let _g = Guard::new("g");
            let n = Conn::connect(addr).await;
            n + 1
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { connect("127.0.0.1:80") }
    }
}
