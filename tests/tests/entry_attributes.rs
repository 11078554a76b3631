//! `#[clockwork::main]` / `#[clockwork::test]` expand to a runtime that runs the body.
//! (`clockwork-tests` does not depend on the runtime; the expansion is checked as text here and
//! run for real by the examples and the runtime's own tests.)
use clockwork_expand::entry::{Entry, expand_entry};
use quote::quote;

#[test]
fn main_builds_a_multi_thread_runtime() {
    let out = expand_entry(
        quote!(worker_threads = 2),
        quote!(
            async fn main() {
                work().await
            }
        ),
        Entry::Main,
    )
    .to_string();
    assert!(out.contains("new_multi_thread"), "{out}");
    assert!(
        out.contains("worker_threads (2usize)") || out.contains("worker_threads (2)"),
        "{out}"
    );
    assert!(out.contains("block_on"), "{out}");
    assert!(!out.contains("async fn main"), "{out}");
}

#[test]
fn test_is_current_thread_and_marked_test() {
    let out = expand_entry(
        quote!(),
        quote!(
            async fn t() {}
        ),
        Entry::Test,
    )
    .to_string();
    assert!(out.contains("new_current_thread"), "{out}");
    assert!(out.contains("test"), "{out}");
}

#[test]
fn bad_input_is_a_compile_error() {
    let out = expand_entry(
        quote!(),
        quote!(
            fn main() {}
        ),
        Entry::Main,
    )
    .to_string();
    assert!(
        out.contains("compile_error") && out.contains("must be `async`"),
        "{out}"
    );
    let out = expand_entry(
        quote!(flavor = "fast"),
        quote!(
            async fn main() {}
        ),
        Entry::Main,
    )
    .to_string();
    assert!(out.contains("compile_error"), "{out}");
    let out = expand_entry(
        quote!(worker_threads = 2),
        quote!(
            async fn t() {}
        ),
        Entry::Test,
    )
    .to_string();
    assert!(out.contains("needs `flavor"), "{out}");
}
