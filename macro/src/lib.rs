//! `#[state_machine]`, `#[clockwork::main]` and `#[clockwork::test]`: thin proc-macro shells
//! around the `clockwork-expand` library (which the CLI links too, so both always agree).
use clockwork_expand::entry::{Entry, expand_entry};
use proc_macro::TokenStream;

/// Rewrites an `async fn` (or every `async fn` of an `impl` block or inline `mod`) into a
/// hand-readable enum state machine with the same behaviour as rustc's lowering.
#[proc_macro_attribute]
pub fn state_machine(attr: TokenStream, item: TokenStream) -> TokenStream {
    clockwork_expand::expand_attribute(attr.into(), item.into()).into()
}

/// Runs `async fn main` on a clockwork runtime (multi-thread by default).
#[proc_macro_attribute]
pub fn main(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand_entry(attr.into(), item.into(), Entry::Main).into()
}

/// Runs an `async` test on a current-thread clockwork runtime.
#[proc_macro_attribute]
pub fn test(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand_entry(attr.into(), item.into(), Entry::Test).into()
}
