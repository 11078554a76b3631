//! PENDING differential cases (not compiled; bug reports for the transform): loops (`loop`/`while`/`while let`/`for`), labels, `break value`, early return.
//!
//! Not compiled by cargo. Each case fails against the transform at d65802d (compile error in the `machine`
//! expansion, or a runtime difference); the comment above it gives the error or the harness diff.
//! The native version of every case compiles and passes on its own. To retry one, paste it into the
//! `differential!` block of tests/tests/differential_loops.rs (the top-level types below are the same).
use clockwork_tests::differential;

differential! {

    // LIMITATION (explicit error since 216f9d4): a loop iterator that borrows a local (`for x in v.iter()`) across an await.
    // error: `v` stays borrowed by the iterator of this `for` loop across an `.await`: #[state_machine] moves locals between
    // states and cannot keep a borrowed local in place yet; clone it, iterate by index, or end the borrow before the `.await`
    for_by_reference {
        async fn f() -> u32 {
            let v = vec![3u32, 4, 5];
            let mut sum = 0;
            for x in v.iter() {
                sum += step("ref", *x).await;
            }
            sum + v.len() as u32
        }
        pub fn entry() -> impl core::future::Future<Output = u32> { f() }
    }

}
