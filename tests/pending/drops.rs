//! PENDING differential cases (not compiled; bug reports for the transform): drop order of locals, arguments, temporaries and sub-futures, on completion
//!
//! Not compiled by cargo. Each case fails against the transform at d65802d (compile error in the `machine`
//! expansion, or a runtime difference); the comment above it gives the error or the harness diff.
//! The native version of every case compiles and passes on its own. To retry one, paste it into the
//! `differential!` block of tests/tests/differential_drops.rs (the top-level types below are the same).
//! and on cancellation at every poll (the harness cancels at each point).
use clockwork_tests::differential;

differential! {

    // ROOT CAUSE: the part of a tuple scrutinee that an arm does not bind (`(a, _)` in `match (g1, g2) { (a, _) if first => {
    // step.await; .. } .. }`) stays in the scrutinee temporary until the end of the `match` in rustc; the machine drops it
    // before the arm's first await (same family as partial moves and match-scrutinee temporaries).
    // Diff (seed 0, cancel after None; rustc | machine):
    //     make t2                        | make t2
    //   ! pending first                  | drop t2
    //   ! poll #2                        | pending first
    //   ! ready first                    | poll #2
    //   ! drop t1                        | ready first
    //   ! drop t2                        | drop t1
    //     after match                    | after match
    match_moves_part_of_tuple_scrutinee {
        async fn f(first: bool) -> String {
            let g1 = Guard::new("t1");
            let g2 = Guard::new("t2");
            let s = match (g1, g2) {
                (a, _) if first => { step("first", ()).await; a.name().to_string() }
                (_, b) => { step("second", ()).await; b.name().to_string() }
            };
            log("after match");
            step("end", ()).await;
            s
        }
        pub fn entry() -> impl core::future::Future<Output = (String, String)> { async { (f(true).await, f(false).await) } }
    }



}
