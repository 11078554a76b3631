//! The macro's errors: each bad input gets a `compile_error!` at the offending span with a message
//! that says what to do. The expected messages live in tests/ui/*.stderr.
#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/*.rs");
}
