//! PENDING differential cases (not compiled; bug reports for the transform): drop order of locals, arguments, temporaries and sub-futures, on completion
//!
//! Not compiled by cargo. Each case fails against the transform at e9b7e51 (compile error in the `machine`
//! expansion, or a runtime difference); the comment above it gives the error or the harness diff.
//! The native version of every case compiles and passes on its own. To retry one, paste it into the
//! `differential!` block of tests/tests/differential_drops.rs (the top-level types below are the same).
//! and on cancellation at every poll (the harness cancels at each point).
use clockwork_tests::differential;

differential! {

    // ROOT CAUSE: partially moved-from local dropped early. rustc binds `(b, _)` from the argument and keeps the
    // unbound `_` part alive in the argument until the end of the body; the machine drops it on the first poll.
    // Diff (seed 0, cancel after None; rustc | machine):
    //     poll #1                        | poll #1
    //   ! pending s                      | drop tuple_wild
    //   ...
    //   ! drop b                         | drop b
    //   ! drop tuple_wild                | drop unused
    guard_args_by_value_and_wildcards {
        async fn f(a: Guard, _: Guard, _unused: Guard, (b, _): (Guard, Guard), n: u32) -> u32 {
            let m = step("s", n).await;
            log(format!("{} {}", a.name(), b.name()));
            drop(a);
            m + step("t", 1u32).await
        }
        pub fn entry() -> impl core::future::Future<Output = u32> {
            f(Guard::new("a"), Guard::new("wild"), Guard::new("unused"), (Guard::new("b"), Guard::new("tuple_wild")), 5)
        }
    }

    // ROOT CAUSE: partial move (`consume(p.a).await`) treated as a move of all of `p`: the machine drops the
    // remaining field `p.b` immediately, rustc drops it at the end of the scope.
    // Diff (seed 0, cancel after None; rustc | machine):
    //     make pb                        | make pb
    //   ! pending consume                | drop pb
    //   ...
    //   ! drop pb                        | (already dropped)
    //     future dropped                 | future dropped
    partial_move_of_struct {
        pub struct Pair { pub a: Guard, pub b: Guard }
        async fn consume(g: Guard) -> usize { step("consume", ()).await; g.name().len() }
        async fn f() -> usize {
            let p = Pair { a: Guard::new("pa"), b: Guard::new("pb") };
            let n = consume(p.a).await;
            log("a consumed");
            let m = step("s", 1usize).await;
            n + m
        }
        pub fn entry() -> impl core::future::Future<Output = usize> { f() }
    }

    // ROOT CAUSE: a shadowed local is dropped at the shadowing `let` (last mention) instead of at the end of
    // its scope. `let g = Guard::new(format!("g2 after {}", g.name()));` only borrows the old `g`.
    // Diff (seed 0, cancel after None; rustc | machine):
    //     make g2 after g1               | make g2 after g1
    //   ! pending b                      | drop g1
    //   ...
    //   ! drop g2 after g1               | drop g2 after g1
    //   ! drop g1                        | future dropped
    shadowed_guard_lives_to_scope_end {
        async fn f() -> u32 {
            let g = Guard::new("g1");
            let n = step("a", 1u32).await;
            let g = Guard::new(format!("g2 after {}", g.name()));
            let m = step("b", 2u32).await;
            let _g = g;
            let k = step("c", 3u32).await;
            n + m + k
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

    // ROOT CAUSE: same as shadowed_guard_lives_to_scope_end: a shadowed local is dropped when it is shadowed, even when
    // never mentioned again; rustc drops it at the end of the scope (after the new `_g`).
    // Diff (seed 0, cancel after None; rustc | machine):
    //     make g2                        | make g2
    //   ! pending b                      | drop g1
    //   ...
    //   ! drop g2                        | drop g2
    //   ! drop g1                        | future dropped
    shadowed_unmentioned_guard {
        async fn f() -> u32 {
            let _g = Guard::new("g1");
            let n = step("a", 1u32).await;
            let _g = Guard::new("g2");
            let m = step("b", 2u32).await;
            log(_g.name().to_string());
            n + m
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }
}
