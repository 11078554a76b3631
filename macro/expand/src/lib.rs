//! The `#[state_machine]` transform as a plain library.
//!
//! ```text
//! source ──syn──▶ AST ──normalize──▶ awaits at statement level ──ir──▶ numbered locals and
//! suspension points, liveness ──lower──▶ enum State + PollWith driver (TokenStream)
//! ```
//!
//! The proc-macro crate (`clockwork-macros`) and the CLI (`clockwork expand`) both call this
//! library, so what the CLI prints is exactly what the macro generates.
//!
//! * [`normalize`]: brings every `.await` to the surface of a statement, in evaluation order.
//! * [`ir`]: numbers locals and suspension points and decides what each state holds.
//! * [`lower`]: writes the enum, the suspend code and the resume arms.
//! * [`item`]: the signature (`async fn f() -> T` → `fn f() -> impl Future<Output = T>`).
//! * [`error`]: errors as values with spans, rendered once as `compile_error!`.

pub mod anchor;
pub mod cfg;
pub mod edition;
pub mod entry;
pub mod error;
pub mod ir;
pub(crate) mod island;
pub mod item;
pub mod join;
pub mod lower;
mod matches;
pub mod mentions;
pub mod names;
pub mod normalize;
mod partial_let;
mod pinned;
pub mod rename;
mod rules;
mod stack;
mod statement_island;

pub use error::{Error, Result};
pub use item::{AsyncFn, Expanded, Owner};
pub use lower::StateInfo;

use proc_macro2::TokenStream;
use quote::quote;
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{ImplItem, Item};

/// The attribute's entry point: `item` is what `#[state_machine]` was put on.
pub fn expand_attribute(attr: TokenStream, item: TokenStream) -> TokenStream {
    let edition = edition::of_cargo_crate().unwrap_or(edition::Edition::From2024);
    edition::with_edition(edition, || expand_attribute_in(attr, item))
}

fn expand_attribute_in(attr: TokenStream, item: TokenStream) -> TokenStream {
    let machine = match support_path(attr) {
        Ok(p) => p,
        Err(e) => return e.to_compile_error(),
    };
    let parsed: Item = match syn::parse2(item.clone()) {
        Ok(i) => i,
        Err(e) => {
            return quote!(#item)
                .into_iter()
                .chain(e.to_compile_error())
                .collect();
        }
    };
    match expand_item(parsed, &machine) {
        Ok(ts) => without_comments(ts),
        Err(e) => {
            let err = e.to_compile_error();
            quote!(#err #item)
        }
    }
}

/// The expansion without its comments: the `#[doc = "// .."]` attributes that the CLI prints
/// as `// ..` comments (`// SAFETY: ..`) mean nothing to rustc, which would call them unused
/// doc comments.
fn without_comments(ts: TokenStream) -> TokenStream {
    use proc_macro2::{Delimiter, Group, TokenTree};
    let is_comment = |g: &Group| {
        let inner: Vec<TokenTree> = g.stream().into_iter().collect();
        g.delimiter() == Delimiter::Bracket
            && matches!(inner.as_slice(), [TokenTree::Ident(doc), TokenTree::Punct(eq), TokenTree::Literal(text)]
                if doc == "doc" && eq.as_char() == '=' && text.to_string().starts_with("\"//"))
    };
    let mut out = Vec::new();
    let mut tokens = ts.into_iter().peekable();
    while let Some(t) = tokens.next() {
        match t {
            TokenTree::Punct(p) if p.as_char() == '#' => match tokens.peek() {
                Some(TokenTree::Group(g)) if is_comment(g) => {
                    tokens.next();
                }
                _ => out.push(TokenTree::Punct(p)),
            },
            TokenTree::Group(g) => {
                let mut inner = Group::new(g.delimiter(), without_comments(g.stream()));
                inner.set_span(g.span());
                out.push(TokenTree::Group(inner));
            }
            other => out.push(other),
        }
    }
    out.into_iter().collect()
}

/// The support module the expansion calls when the attribute names no other:
/// `::clockwork::machine`.
pub fn default_support_path() -> syn::Path {
    syn::parse_quote!(::clockwork::machine)
}

/// The support module the expansion calls, from the attribute's arguments: none, or `crate =
/// path` (or `crate = "path"`) naming the `clockwork` crate, as tokio's `#[tokio::main(crate =
/// "..")]` does, for a crate that reaches clockwork under another name.
pub fn support_path(attr: TokenStream) -> Result<syn::Path> {
    if attr.is_empty() {
        return Ok(default_support_path());
    }
    let meta: syn::MetaNameValue = syn::parse2(attr.clone()).map_err(|_| {
        Error::new(
            attr.span(),
            "#[state_machine] takes no arguments, or `crate = path` (the path to `clockwork`)",
        )
    })?;
    if !meta.path.is_ident("crate") {
        return Err(Error::new(
            meta.path.span(),
            "unknown argument: the only one is `crate = path` (the path to `clockwork`)",
        ));
    }
    let krate: syn::Path = match &meta.value {
        syn::Expr::Path(p) if p.qself.is_none() => p.path.clone(),
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => s.parse()?,
        other => {
            return Err(Error::new(
                other.span(),
                "expected a path to the `clockwork` crate, such as `::clockwork` or `my::clockwork`",
            ));
        }
    };
    Ok(syn::parse_quote!(#krate::machine))
}

/// Expands an item carrying `#[state_machine]`: an `async fn`, or an `impl` block or inline `mod`
/// whose every `async fn` is rewritten. `machine` is the support module (see `support_path`).
pub fn expand_item(item: Item, machine: &syn::Path) -> Result<TokenStream> {
    match item {
        Item::Fn(f) => Ok(item::expand(AsyncFn {
            attrs: &f.attrs,
            vis: &f.vis,
            sig: &f.sig,
            block: &f.block,
            owner: Owner::alone(&f.sig, &f.vis),
            outer_attrs: &[],
            machine,
        })?
        .tokens),
        Item::Impl(mut imp) => {
            let mut out_items = Vec::new();
            let (generics, of_trait) = (imp.generics.clone(), imp.trait_.is_some());
            let impl_attrs = imp.attrs.clone();
            // Each method on its own: one that cannot be rewritten stays as written, next to
            // its own error, and the others are rewritten.
            for it in imp.items.drain(..) {
                let item = match it {
                    ImplItem::Fn(f) if f.sig.asyncness.is_some() => {
                        let expanded = item::expand(AsyncFn {
                            attrs: &f.attrs,
                            vis: &f.vis,
                            sig: &f.sig,
                            block: &f.block,
                            owner: Owner::Impl {
                                generics: &generics,
                                of_trait,
                            },
                            outer_attrs: &impl_attrs,
                            machine,
                        });
                        match expanded {
                            Ok(e) => ImplItem::Verbatim(e.tokens),
                            Err(e) => {
                                out_items.push(ImplItem::Verbatim(e.to_compile_error()));
                                ImplItem::Fn(f)
                            }
                        }
                    }
                    other => other,
                };
                out_items.push(item);
            }
            imp.items = out_items;
            Ok(quote!(#imp))
        }
        Item::Mod(mut m) => {
            let Some((brace, items)) = m.content.take() else {
                return Err(Error::new(
                    m.ident.span(),
                    "#[state_machine] on a `mod` needs the module's items inline (`mod m { .. }`)",
                ));
            };
            // Each item on its own, as in an `impl` block.
            let mut new_items = Vec::new();
            for it in items {
                let rewritten = match &it {
                    Item::Fn(f) if f.sig.asyncness.is_some() => true,
                    Item::Impl(_) => true,
                    Item::Mod(inner) => inner.content.is_some(),
                    _ => false,
                };
                if !rewritten {
                    new_items.push(it);
                    continue;
                }
                match expand_item(it.clone(), machine) {
                    Ok(ts) => new_items.push(Item::Verbatim(ts)),
                    Err(e) => {
                        new_items.push(Item::Verbatim(e.to_compile_error()));
                        new_items.push(it);
                    }
                }
            }
            m.content = Some((brace, new_items));
            Ok(quote!(#m))
        }
        other => Err(Error::new(
            other.span(),
            "#[state_machine] goes on an `async fn`, or on an `impl` block or inline `mod` \
             containing async fns",
        )),
    }
}

/// Whether an attribute is `#[state_machine]` (or `#[clockwork::state_machine]`).
pub fn is_state_machine_attr(attr: &syn::Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "state_machine")
}

/// For the CLI: rewrites, in place, every async fn carrying `#[state_machine]` (or every async
/// fn when `all`), also inside `impl` blocks and inline modules. Returns every error found.
/// `machine` is the support module the expansions call (see `support_path`).
pub fn expand_file(
    file: &mut syn::File,
    all: bool,
    machine: &syn::Path,
) -> std::result::Result<(), Vec<Error>> {
    let mut v = FileExpander {
        all,
        machine: machine.clone(),
        errors: Vec::new(),
        more_items: Vec::new(),
        failed: Vec::new(),
    };
    v.visit_file_mut(file);
    if v.errors.is_empty() {
        Ok(())
    } else {
        Err(v.errors)
    }
}

struct FileExpander {
    all: bool,
    machine: syn::Path,
    errors: Vec<Error>,
    /// Items to insert after the one just expanded: a fn with `#[cfg]` statements expands to one
    /// copy per combination of their conditions (see `cfg.rs`).
    more_items: Vec<Item>,
    /// The `compile_error!` to put before the fn just tried, which failed.
    failed: Vec<proc_macro2::TokenStream>,
}

impl FileExpander {
    /// Expands one fn and parses the result back into items of the kind it replaces (more than
    /// one for a fn written once per `#[cfg]` combination); errors are collected rather than
    /// returned, so every fn of the file is tried.
    fn expand_to<T: syn::parse::Parse>(&mut self, f: AsyncFn<'_>) -> Option<Vec<T>> {
        let many = |input: syn::parse::ParseStream| {
            let mut items = Vec::new();
            while !input.is_empty() {
                items.push(input.parse()?);
            }
            Ok(items)
        };
        let parsed = item::expand(f)
            .and_then(|e| Ok(syn::parse::Parser::parse2(many, e.tokens)?))
            .and_then(|items: Vec<T>| {
                if items.is_empty() {
                    Err(Error::new(
                        proc_macro2::Span::call_site(),
                        "the expansion is empty",
                    ))
                } else {
                    Ok(items)
                }
            });
        parsed
            .map_err(|e| {
                // The fn stays as written, after its error (which the CLI shows as a comment).
                let message = e.message();
                self.failed.push(quote!(::core::compile_error!(#message);));
                self.errors.push(e);
            })
            .ok()
    }

    /// Visits a list of items, inserting the extra copies an item expanded to after it.
    fn visit_items(&mut self, items: &mut Vec<Item>) {
        let mut i = 0;
        while i < items.len() {
            self.visit_item_mut(&mut items[i]);
            let more = std::mem::take(&mut self.more_items);
            let n = more.len();
            items.splice(i + 1..i + 1, more);
            let failed: Vec<Item> = std::mem::take(&mut self.failed)
                .into_iter()
                .filter_map(|ts| syn::parse2(ts).ok())
                .collect();
            let k = failed.len();
            items.splice(i..i, failed);
            i += 1 + n + k;
        }
    }

    fn take_attr(&self, attrs: &mut Vec<syn::Attribute>) -> bool {
        let before = attrs.len();
        attrs.retain(|a| !is_state_machine_attr(a));
        before != attrs.len() || self.all
    }
}

impl VisitMut for FileExpander {
    fn visit_file_mut(&mut self, file: &mut syn::File) {
        self.visit_items(&mut file.items);
    }

    fn visit_item_mod_mut(&mut self, m: &mut syn::ItemMod) {
        if let Some((_, items)) = &mut m.content {
            self.visit_items(items);
        }
    }

    fn visit_item_mut(&mut self, item: &mut Item) {
        match item {
            Item::Fn(f) if f.sig.asyncness.is_some() => {
                // An attribute macro written above `#[state_machine]` runs before it: this one
                // sees the fn it gave back. The CLI cannot run it; it shows the fn as
                // `#[state_machine]` alone makes it, with that attribute kept above. (With
                // `--all`, every attribute counts as written above.)
                let above = f
                    .attrs
                    .iter()
                    .position(is_state_machine_attr)
                    .unwrap_or(f.attrs.len());
                let (before, mut rest): (Vec<_>, Vec<_>) =
                    (f.attrs[..above].to_vec(), f.attrs[above..].to_vec());
                let (ran_before, inert): (Vec<_>, Vec<_>) =
                    before.into_iter().partition(stack::needs_async);
                let mut attrs = inert;
                attrs.append(&mut rest);
                if self.take_attr(&mut attrs) {
                    let machine = self.machine.clone();
                    let f = AsyncFn {
                        attrs: &attrs,
                        vis: &f.vis,
                        sig: &f.sig,
                        block: &f.block,
                        owner: Owner::alone(&f.sig, &f.vis),
                        outer_attrs: &[],
                        machine: &machine,
                    };
                    if let Some(mut parsed) = self.expand_to::<Item>(f) {
                        *item = parsed.remove(0);
                        if let Item::Fn(f) = item {
                            f.attrs.splice(0..0, ran_before);
                        }
                        self.more_items = parsed;
                    }
                }
            }
            Item::Impl(imp) => {
                let whole = {
                    let before = imp.attrs.len();
                    imp.attrs.retain(|a| !is_state_machine_attr(a));
                    before != imp.attrs.len()
                };
                let (generics, of_trait) = (imp.generics.clone(), imp.trait_.is_some());
                let impl_attrs = imp.attrs.clone();
                let machine = self.machine.clone();
                let mut i = 0;
                while i < imp.items.len() {
                    let it = &mut imp.items[i];
                    i += 1;
                    if let ImplItem::Fn(f) = it
                        && f.sig.asyncness.is_some()
                        && (self.take_attr(&mut f.attrs) || whole)
                    {
                        let f = AsyncFn {
                            attrs: &f.attrs,
                            vis: &f.vis,
                            sig: &f.sig,
                            block: &f.block,
                            owner: Owner::Impl {
                                generics: &generics,
                                of_trait,
                            },
                            outer_attrs: &impl_attrs,
                            machine: &machine,
                        };
                        if let Some(mut parsed) = self.expand_to::<ImplItem>(f) {
                            *it = parsed.remove(0);
                            let n = parsed.len();
                            imp.items.splice(i..i, parsed);
                            i += n;
                        } else {
                            let failed: Vec<ImplItem> = std::mem::take(&mut self.failed)
                                .into_iter()
                                .filter_map(|ts| syn::parse2(ts).ok())
                                .collect();
                            let k = failed.len();
                            imp.items.splice(i - 1..i - 1, failed);
                            i += k;
                        }
                    }
                }
            }
            Item::Mod(m) => {
                let before = m.attrs.len();
                m.attrs.retain(|a| !is_state_machine_attr(a));
                let whole = before != m.attrs.len();
                let saved = self.all;
                self.all |= whole;
                syn::visit_mut::visit_item_mut(self, item);
                self.all = saved;
            }
            _ => syn::visit_mut::visit_item_mut(self, item),
        }
    }
}

/// The states of one async fn, for `clockwork explain` and `clockwork graph`.
pub fn describe(f: AsyncFn<'_>) -> Result<Vec<StateInfo>> {
    Ok(item::expand(f)?.states)
}
