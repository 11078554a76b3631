//! `#[state_machine]`: the thin proc-macro shell around `clockwork-expand`.
use proc_macro::TokenStream;

#[proc_macro_attribute]
pub fn state_machine(attr: TokenStream, item: TokenStream) -> TokenStream {
    clockwork_expand::expand_attribute(attr.into(), item.into()).into()
}
