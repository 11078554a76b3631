//! `#[state_machine]` stacked with attributes that rewrite an `async fn` themselves
//! (`#[tokio::main]`, `#[tokio::test]`, `#[tracing::instrument]`, `#[async_trait]`).
//!
//! Attribute macros run from the outside in: the one written first sees the fn as written, and
//! the next one sees what the first gave back.
//!
//! * **Below such an attribute** (`#[tokio::main] #[state_machine] async fn main()`): tokio runs
//!   first and hands over a fn that is no longer `async`, `fn main() { let body = async { .. };
//!   .. block_on(body) }`. That `async` block is the body as written: it becomes the machine
//!   ([`expand_async_body`]).
//! * **Above it** (`#[state_machine] #[tokio::main] async fn main()`): the other attribute runs
//!   on what this one gives back, and needs an `async fn`. The fn stays `async`, and its body
//!   awaits the machine: `async fn main() { ({ /* the machine */ }).await }`
//!   ([`await_machine`]). `#[tracing::instrument]` then enters its span around every poll of
//!   the machine, and `#[async_trait]` boxes it.

use crate::error::{Error, Result};
use crate::item::{AsyncFn, Expanded, Owner};
use proc_macro2::TokenStream;
use quote::quote;
use syn::{Attribute, Expr, Stmt, parse_quote};

/// Whether an attribute left on the fn (or on its `impl` block) may be a macro that needs an
/// `async fn`: any attribute but the built-in ones that only annotate, and tool attributes.
/// A wrong "yes" costs one more layer of `async fn` around the machine, nothing observable.
pub fn needs_async(attr: &Attribute) -> bool {
    const INERT: &[&str] = &[
        "doc",
        "allow",
        "warn",
        "deny",
        "forbid",
        "expect",
        "cfg",
        "cfg_attr",
        "inline",
        "cold",
        "must_use",
        "deprecated",
        "track_caller",
        "no_mangle",
        "export_name",
        "link_section",
        "target_feature",
        "optimize",
        "coverage",
    ];
    const TOOLS: &[&str] = &["rustfmt", "clippy", "diagnostic", "rust_analyzer"];
    let path = attr.path();
    let first = path.segments.first().map(|s| s.ident.to_string());
    let Some(first) = first else { return false };
    if crate::is_state_machine_attr(attr) {
        return false;
    }
    if path.segments.len() == 1 {
        !INERT.contains(&first.as_str())
    } else {
        !TOOLS.contains(&first.as_str())
    }
}

/// The body of a fn that stays `async`: it awaits the machine that `body` (a braced block)
/// builds.
pub fn await_machine(body: TokenStream, brace: syn::token::Brace) -> TokenStream {
    let mut out = TokenStream::new();
    brace.surround(&mut out, |ts| ts.extend(quote!((#body).await)));
    out
}

/// A fn that another attribute made non-`async` before this one ran: the `async` block it
/// left, `let body = async { .. };` as `#[tokio::main]` and `#[tokio::test]` write it, becomes
/// the machine, with the fn's return type as its output. Only for a fn without arguments, as
/// those are (a block that captured arguments would need them as the machine's own).
pub fn expand_async_body(f: AsyncFn<'_>) -> Result<Expanded> {
    let not_async = || {
        Error::new(
            f.sig.fn_token.span,
            "#[state_machine] rewrites an `async fn`; this fn is not `async`. If an attribute \
             written above `#[state_machine]` rewrote it (`#[async_trait]`, ..), write \
             `#[state_machine]` above that attribute instead",
        )
    };
    if !f.sig.inputs.is_empty() || f.sig.generics.lt_token.is_some() {
        return Err(not_async());
    }
    let mut block = f.block.clone();
    let Some(init) = block.stmts.iter_mut().find_map(|s| match s {
        Stmt::Local(l) => l
            .init
            .as_mut()
            .filter(|i| i.diverge.is_none() && matches!(&*i.expr, Expr::Async(_))),
        _ => None,
    }) else {
        return Err(not_async());
    };
    let Expr::Async(async_block) = &*init.expr else {
        unreachable!("checked above")
    };
    let mut sig = f.sig.clone();
    sig.asyncness = Some(parse_quote!(async));
    let expanded = crate::item::expand(AsyncFn {
        attrs: &[],
        vis: &syn::Visibility::Inherited,
        sig: &sig,
        block: &async_block.block,
        owner: Owner::Free,
        outer_attrs: &[],
        machine: f.machine,
    })?;
    // One machine, or one per combination of the conditions of `#[cfg]` statements that
    // await (each fn under its `#[cfg(all(..))]`, see `cfg.rs`): then the block keeps the one
    // rustc keeps, `{ #[cfg(c1)] let machine = { .. }; #[cfg(c2)] let machine = { .. }; machine }`.
    let machines = syn::parse::Parser::parse2(
        |input: syn::parse::ParseStream| {
            let mut fns = Vec::new();
            while !input.is_empty() {
                fns.push(input.parse::<syn::ItemFn>()?);
            }
            Ok(fns)
        },
        expanded.tokens,
    )
    .map_err(|e| Error::new(async_block.async_token.span, e.to_string()))?;
    let machine_block = match <[syn::ItemFn; 1]>::try_from(machines) {
        Ok([machine]) => *machine.block,
        Err(machines) => {
            let lets = machines.into_iter().map(|m| {
                let cfgs = m.attrs.iter().filter(|a| a.path().is_ident("cfg"));
                let body = &m.block;
                quote!(#(#cfgs)* let machine = #body;)
            });
            parse_quote!({ #(#lets)* machine })
        }
    };
    *init.expr = Expr::Block(syn::ExprBlock {
        attrs: Vec::new(),
        label: None,
        block: machine_block,
    });
    let (attrs, vis, sig) = (f.attrs, f.vis, f.sig);
    Ok(Expanded {
        tokens: quote!(#(#attrs)* #vis #sig #block),
        states: expanded.states,
    })
}
