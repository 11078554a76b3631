//! `#[clockwork::main]` and `#[clockwork::test]`: run an `async fn` on a clockwork runtime.
//!
//! ```text
//! #[clockwork::main(flavor = "multi_thread", worker_threads = 2)]
//! async fn main() -> T { body }
//! ```
//! becomes `fn main() -> T { Builder::new_multi_thread().worker_threads(2).enable_all()
//! .build().expect(..).block_on(async move { body }) }`. `#[clockwork::test]` does the same on a
//! current-thread runtime by default and adds `#[test]`. Options: `flavor = "current_thread" |
//! "multi_thread"`, `worker_threads = N` (multi-thread only), `start_paused = true` (time starts
//! paused; current-thread only).

use crate::error::{Error, Result};
use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ItemFn, Lit, Meta, Token};

#[derive(Clone, Copy, PartialEq)]
pub enum Entry {
    Main,
    Test,
}

struct Options {
    multi_thread: bool,
    worker_threads: Option<usize>,
    start_paused: bool,
}

fn options(attr: TokenStream, entry: Entry) -> Result<Options> {
    let mut o = Options {
        multi_thread: entry == Entry::Main,
        worker_threads: None,
        start_paused: false,
    };
    if attr.is_empty() {
        return Ok(o);
    }
    let metas = syn::parse::Parser::parse2(Punctuated::<Meta, Token![,]>::parse_terminated, attr)?;
    for meta in metas {
        let Meta::NameValue(nv) = &meta else {
            return Err(Error::new(meta.span(), "expected `name = value`"));
        };
        let name = nv
            .path
            .get_ident()
            .map(|i| i.to_string())
            .unwrap_or_default();
        let lit = match &nv.value {
            Expr::Lit(l) => &l.lit,
            other => return Err(Error::new(other.span(), "expected a literal")),
        };
        match (name.as_str(), lit) {
            ("flavor", Lit::Str(s)) => match s.value().as_str() {
                "multi_thread" => o.multi_thread = true,
                "current_thread" => o.multi_thread = false,
                _ => {
                    return Err(Error::new(
                        s.span(),
                        "`flavor` is \"current_thread\" or \"multi_thread\"",
                    ));
                }
            },
            ("worker_threads", Lit::Int(n)) => {
                let n: usize = n.base10_parse()?;
                if n == 0 {
                    return Err(Error::new(
                        lit.span(),
                        "`worker_threads` must be at least 1",
                    ));
                }
                o.worker_threads = Some(n)
            }
            ("start_paused", Lit::Bool(b)) => o.start_paused = b.value,
            _ => {
                return Err(Error::new(
                    nv.path.span(),
                    "unknown option: expected `flavor = \"..\"`, `worker_threads = N` or `start_paused = bool`",
                ));
            }
        }
    }
    if o.worker_threads.is_some() && !o.multi_thread {
        return Err(Error::new(
            Span::call_site(),
            "`worker_threads` needs `flavor = \"multi_thread\"`",
        ));
    }
    Ok(o)
}

pub fn expand_entry(attr: TokenStream, item: TokenStream, entry: Entry) -> TokenStream {
    match expand(attr, item.clone(), entry) {
        Ok(ts) => ts,
        Err(e) => {
            let err = e.to_compile_error();
            quote!(#err #item)
        }
    }
}

fn expand(attr: TokenStream, item: TokenStream, entry: Entry) -> Result<TokenStream> {
    let o = options(attr, entry)?;
    let mut f: ItemFn = syn::parse2(item)?;
    if f.sig.asyncness.take().is_none() {
        return Err(Error::new(
            f.sig.fn_token.span,
            "the function must be `async`",
        ));
    };
    if entry == Entry::Main && !f.sig.inputs.is_empty() {
        return Err(Error::new(f.sig.inputs.span(), "`main` takes no arguments"));
    }
    let builder = if o.multi_thread {
        let workers = o.worker_threads.map(|n| quote!(.worker_threads(#n)));
        quote!(::clockwork::Builder::new_multi_thread() #workers)
    } else {
        quote!(::clockwork::Builder::new_current_thread())
    };
    let paused = o.start_paused.then(|| quote!(.start_paused(true)));
    let body = &f.block;
    let test_attr = (entry == Entry::Test).then(|| quote!(#[::core::prelude::v1::test]));
    let attrs = &f.attrs;
    let vis = &f.vis;
    let sig = &f.sig;
    Ok(quote! {
        #test_attr
        #(#attrs)*
        #vis #sig {
            let body = async move #body;
            #builder
                .enable_all()
                #paused
                .build()
                .expect("failed to build the clockwork runtime")
                .block_on(body)
        }
    })
}
