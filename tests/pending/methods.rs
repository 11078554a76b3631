//! PENDING differential cases (not compiled; bug reports for the transform): async methods (`&self`, `&mut self`, `self`, `mut self`), generic impls,
//!
//! Not compiled by cargo. Each case fails against the transform at d65802d (compile error in the `machine`
//! expansion, or a runtime difference); the comment above it gives the error or the harness diff.
//! The native version of every case compiles and passes on its own. To retry one, paste it into the
//! `differential!` block of tests/tests/differential_methods.rs (the top-level types below are the same).
//! trait impls of `fn f(&self) -> impl Future`, associated fns.
use clockwork_tests::differential;

differential! {

    // ROOT CAUSE: by-value `self` method with an ordinary name (`close(self)`) called on a named local
    // (`let id = s.close().await;`): the receiver heuristic treats it as a borrow and calls it through `&mut` state storage.
    // error[E0507]: cannot move out of `*s` which is behind a mutable reference
    consuming_method_named_local {
        pub struct Session { pub id: u32, pub _g: Guard }
        impl Session {
            pub async fn close(self) -> u32 { step("close", ()).await; self.id }
        }
        async fn f() -> u32 {
            let s = Session { id: 4, _g: Guard::new("session") };
            let other = Guard::new("other");
            let id = s.close().await;
            log(format!("closed {id}"));
            let n = step("after", 1u32).await;
            drop(other);
            id + n
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

}
