//! The function around the body: turns `async fn f(args) -> T` into
//! `fn f(args) -> impl Future<Output = T>` whose body builds and returns the state machine.

use crate::error::{Error, Result};
use crate::ir::Builder;
use crate::lower::{Gen, GenNames, StateInfo};
use crate::names::Names;
use crate::normalize::{Normalizer, check_closures};
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{ToTokens, quote};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{
    Attribute, Block, FnArg, Ident, Pat, ReturnType, Signature, Stmt, Type, Visibility, parse_quote,
};

/// An `async fn` as the transform sees it: a free fn, or a method in an `impl` block.
pub struct AsyncFn<'a> {
    pub attrs: &'a [Attribute],
    pub vis: &'a Visibility,
    pub sig: &'a Signature,
    pub block: &'a Block,
    pub owner: Owner<'a>,
    /// The attributes of the `impl` block around a method (none for a free fn): one that needs
    /// `async fn`s (`#[async_trait]`) keeps the method `async` (see `needs_async`).
    pub outer_attrs: &'a [Attribute],
    /// The support module the expansion calls: `::clockwork::machine` unless
    /// `#[state_machine(crate = path)]` says otherwise (see `crate::support_path`).
    pub machine: &'a syn::Path,
}

/// Where the fn is written, as far as the transform can tell.
#[derive(Clone, Copy)]
pub enum Owner<'a> {
    /// A free fn.
    Free,
    /// A method or associated fn in an `impl` block: the block's generics, and whether it
    /// implements a trait (whose signature the fn must keep).
    Impl {
        generics: &'a syn::Generics,
        of_trait: bool,
    },
    /// A method whose `impl` block is out of sight (`#[state_machine]` on the method itself).
    Unknown,
    /// The same, written with a visibility (`pub`), so not in a trait's impl (which allows
    /// none): it may get the `'state` lifetime, bounded by `Self: 'state`, which covers the
    /// parameters of the block it cannot see.
    UnseenInherent,
}

impl Owner<'_> {
    /// A fn met on its own: free, unless it takes `self` or names `Self` in its signature.
    pub fn alone(sig: &Signature, vis: &syn::Visibility) -> Self {
        let associated = sig.receiver().is_some() || names_self(sig.to_token_stream());
        match (associated, vis) {
            (false, _) => Owner::Free,
            (true, syn::Visibility::Inherited) => Owner::Unknown,
            (true, _) => Owner::UnseenInherent,
        }
    }
}

/// Does `Self` appear in the tokens (a signature's)?
fn names_self(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|t| match t {
        proc_macro2::TokenTree::Ident(i) => i == "Self",
        proc_macro2::TokenTree::Group(g) => names_self(g.stream()),
        _ => false,
    })
}

pub struct Expanded {
    pub tokens: TokenStream,
    pub states: Vec<StateInfo>,
}

pub fn expand(f: AsyncFn<'_>) -> Result<Expanded> {
    // `#[cfg]` on statements that await or declare locals: one copy per combination of their
    // conditions (see `cfg.rs`).
    let variants = crate::cfg::variants(f.block)?;
    if variants.is_empty() {
        return expand_one(f);
    }
    let mut tokens = TokenStream::new();
    let mut states = None;
    for v in &variants {
        let e = expand_one(AsyncFn {
            block: &v.block,
            ..f
        })?;
        let (cfg, expanded) = (&v.cfg, &e.tokens);
        tokens.extend(quote!(#[cfg(#cfg)] #expanded));
        states.get_or_insert(e.states);
    }
    Ok(Expanded {
        tokens,
        states: states.unwrap_or_default(),
    })
}

fn expand_one(f: AsyncFn<'_>) -> Result<Expanded> {
    let sig = f.sig;
    if sig.asyncness.is_none() {
        return crate::stack::expand_async_body(f);
    }
    if let Some(c) = &sig.constness {
        return Err(Error::new(c.span, "an `async fn` cannot be `const`"));
    }
    if let Some(v) = &sig.variadic {
        return Err(Error::new(v.span(), "variadic functions cannot be `async`"));
    }

    let (attrs0, block0) = (f.attrs, f.block);
    let mut names = Names::from_tokens(quote!(#sig #(#attrs0)* #block0));
    let mut block = f.block.clone();
    check_closures(&block)?;
    check_recursion(&block, &sig.ident)?;

    // Parameters become the first locals; patterns are bound at the top of the body, as rustc
    // does (`let (a, b) = arg0;`).
    let stacked = f
        .attrs
        .iter()
        .chain(f.outer_attrs)
        .any(crate::stack::needs_async);
    let mut new_sig = sig.clone();
    new_sig.asyncness = None;
    let mut params: Vec<(Ident, bool)> = Vec::new();
    let mut prologue: Vec<Stmt> = Vec::new();
    let mut receiver_local: Option<(Ident, Span)> = None;
    let mut kinds = crate::ir::ParamKinds::default();
    // rustc binds each argument's pattern right after that argument (`let __arg1 = __arg1; let
    // (x, _) = __arg1; let g = g; ..`), so a part a pattern leaves behind drops before the
    // arguments before it. From the first patterned argument on, each argument is bound again
    // in the body, in order, to keep that order.
    let first_patterned = sig.inputs.iter().position(|a| match a {
        FnArg::Typed(pt) => !matches!(&*pt.pat, Pat::Ident(_) | Pat::Wild(_)),
        FnArg::Receiver(_) => false,
    });
    let rebound = |i: usize| first_patterned.is_some_and(|k| i >= k);
    for (i, arg) in new_sig.inputs.iter_mut().enumerate() {
        match arg {
            FnArg::Receiver(r) => {
                let this = Ident::new(&names.fresh("this"), r.self_token.span);
                params.push((this.clone(), r.mutability.is_some()));
                let by_ref = match &r.kind {
                    syn::ReceiverKind::Reference(_, _, mutability) => Some(mutability.is_none()),
                    syn::ReceiverKind::Typed(_, ty) => match &**ty {
                        syn::Type::Reference(t) => Some(t.mutability.is_none()),
                        _ => None,
                    },
                    _ => None,
                };
                if let Some(shared) = by_ref {
                    kinds.references.push(this.clone());
                    if shared {
                        kinds.shared_references.push(this.clone());
                    }
                }
                r.mutability = None;
                receiver_local = Some((this, r.self_token.span));
            }
            FnArg::Typed(pt) => match &mut *pt.pat {
                Pat::Ident(pi) if pi.subpat.is_none() && pi.by_ref.is_none() => {
                    if let syn::Type::Reference(t) = &*pt.ty {
                        kinds.references.push(pi.ident.clone());
                        if t.mutability.is_none() {
                            kinds.shared_references.push(pi.ident.clone());
                        }
                    }
                    if surely_copy(&pt.ty) {
                        kinds.copies.push(pi.ident.clone());
                    }
                    if called_by_value(&pt.ty, &sig.generics) {
                        kinds.fn_once.push(pi.ident.clone());
                    }
                    if !mentions_impl(&pt.ty) {
                        kinds.types.push((pi.ident.clone(), (*pt.ty).clone()));
                    }
                    if rebound(i) {
                        let (ident, mutability) = (&pi.ident, &pi.mutability);
                        prologue.push(parse_quote!(let #mutability #ident = #ident;));
                        params.push((pi.ident.clone(), false));
                    } else {
                        params.push((pi.ident.clone(), pi.mutability.is_some()));
                    }
                    pi.mutability = None;
                }
                other => {
                    let arg_ident = Ident::new(&names.fresh(&format!("arg{i}")), other.span());
                    let pat = other.clone();
                    // `ref mut v: Vec<u32>` borrows the argument mutably: it is a `mut` place.
                    let mutable = crate::anchor::binds_by_ref_mut(&pat);
                    let m = mutable.then(<syn::Token![mut]>::default);
                    if rebound(i) {
                        prologue.push(parse_quote!(let #m #arg_ident = #arg_ident;));
                    }
                    if !matches!(pat, Pat::Wild(_)) {
                        let bind: Stmt = parse_quote!(let #pat = #arg_ident;);
                        // `(b, _): (Guard, Guard)`: the skipped part stays in the argument to
                        // the end of its scope; taken field by field, the analysis sees that.
                        let split = (!matches!(&*pt.ty, syn::Type::Reference(_)))
                            .then(|| crate::partial_let::split(&bind))
                            .flatten();
                        prologue.push(split.unwrap_or(bind));
                    }
                    *other = parse_quote!(#arg_ident);
                    params.push((arg_ident, mutable && !rebound(i)));
                }
            },
        }
    }
    if let Some((this, _)) = &receiver_local {
        RenameSelf(this).visit_block_mut(&mut block);
    }
    // `let (a, _) = pair;` leaves `pair.1` in `pair`: spelled `let a = pair.0;`, a part moved
    // out, which the analysis tracks. (Before the arguments' own patterns join the body: an
    // argument of a reference type is not split.)
    crate::partial_let::split_all(&mut block);
    // Items declared in the body (`fn helper`, `struct`, `const`, `macro_rules!`) are visible in
    // their whole block, but the body is split across match arms: lift them out, in order.
    let items = take_items(&mut block);
    let arguments = prologue.len();
    // Up to edition 2021, the temporaries of the body's tail expression drop after the body's
    // locals and before the arguments. A tail that awaits keeps them in slots after the
    // arguments (`Normalizer::tail_slots`); one that does not is left whole, and rustc ends
    // its temporaries where the statement around it ends: the body runs as `let value = {
    // body }; value`, so that is before the arguments (see `edition.rs`).
    if crate::edition::current() == crate::edition::Edition::Upto2021
        && matches!(block.stmts.last(), Some(Stmt::Expr(e, None))
            if !crate::normalize::has_await(e) && may_make_temporaries(e))
    {
        let value = Ident::new(&names.fresh("value"), Span::mixed_site());
        let body = Block {
            brace_token: block.brace_token,
            stmts: std::mem::take(&mut block.stmts),
        };
        block.stmts = vec![
            parse_quote!(let #value = #body;),
            Stmt::Expr(parse_quote!(#value), None),
        ];
    }
    prologue.append(&mut block.stmts);
    block.stmts = prologue;

    // `async fn f() -> !`: `!` as a type argument (`Output = !`) needs a nightly feature;
    // the support module names it on stable (`Never`).
    let written = |ty: &syn::Type| match ty {
        syn::Type::Never(_) => {
            let machine = f.machine;
            quote!(#machine::Never)
        }
        ty => ty.to_token_stream(),
    };
    let (ret_ty, option_return) = match &sig.output {
        ReturnType::Default => (quote!(()), false),
        ReturnType::Type(_, ty) => (written(ty), returns_option(ty)),
    };
    let closure_ret = match &sig.output {
        ReturnType::Type(_, ty) if !mentions_impl_trait(ty) => Some(written(ty)),
        ReturnType::Default => Some(quote!(())),
        _ => None,
    };
    new_sig.output = parse_quote!(-> impl ::core::future::Future<Output = #ret_ty>);

    let as_written = block.clone();
    // `matches!` that awaits is a `match`; other macros that await inside their expansion
    // (`select!`, `join!`) run as `async` islands.
    crate::matches::write_out(&mut block);
    crate::statement_island::mark(&mut block, f.machine, &kinds.copies);
    crate::island::rewrite(&mut block, &mut names, f.machine)?;
    crate::pinned::write_out(&mut block);
    let gen_names = GenNames::new(&mut names, f.machine.to_token_stream());
    let mut normalizer = Normalizer::new(&mut names, option_return);
    normalizer.arguments = arguments;
    let normalized = normalizer.block(block)?;
    let mut synthetic = std::mem::take(&mut normalizer.synthetic);
    let trivial_iters = std::mem::take(&mut normalizer.trivial_iters);
    // Build, then build again while the analysis asks for renamed shadowing locals or for fixed
    // homes (an anchored local is renamed `<name>_home`, with every mention: a unique name that
    // the rewrite of its mentions can rely on).
    let mut renames = std::collections::HashMap::new();
    let mut anchors: Vec<usize> = Vec::new();
    let mut rounds = 0;
    let mut body = loop {
        let mut body = Builder::build(
            params.clone(),
            normalized.clone(),
            synthetic.clone(),
            renames.clone(),
            anchors.clone(),
            &trivial_iters,
            &kinds,
        );
        body.analyse()?;
        rounds += 1;
        if rounds == 5 {
            break body;
        }
        let mut again = false;
        for &id in &body.needs_rename {
            if let std::collections::hash_map::Entry::Vacant(e) = renames.entry(id) {
                let old = &body.locals[id].ident;
                // (`this_` → `this_2`: a double underscore is not snake case.)
                let base = old.to_string();
                let base = base.trim_end_matches('_');
                let new = Ident::new(&names.fresh(&format!("{base}_2")), old.span());
                if body.locals[id].synthetic {
                    synthetic.push(new.to_string());
                }
                e.insert(new);
                again = true;
            }
        }
        for &id in &body.anchor_requests {
            if !anchors.contains(&id) {
                let old = &body.locals[id].ident;
                let base = old.to_string();
                let base = base.trim_end_matches('_');
                let new = Ident::new(&names.fresh(&format!("{base}_home")), old.span());
                // (A temporary the normaliser made stays one under its new name.)
                if body.locals[id].synthetic {
                    synthetic.push(new.to_string());
                }
                renames.insert(id, new);
                anchors.push(id);
                again = true;
            }
        }
        if !again {
            break body;
        }
    };
    // References into the state whose lifetimes the borrow checker cannot follow: fixed homes,
    // and locals a sub-future borrows where they lie in the state.
    let unchecked_borrows =
        !anchors.is_empty() || body.sites.iter().any(|s| !s.borrowed.is_empty());
    let suspends = !body.sites.is_empty();
    let mut parts: Vec<(String, Vec<String>)> = Vec::new();
    let mut futures_written = Vec::new();
    // A future made by an `async` block or a closure written in more than one place has one
    // type per place (see `Gen::copy_of`): count the places first.
    // (Also `fut.await` on a local that an `async` block or closure made in the code copied.)
    let new_types: Vec<bool> = body
        .sites
        .iter()
        .map(|s| {
            makes_a_type(s.fut.to_token_stream())
                || (s.fut_mentions.iter()).any(|&(id, _)| body.locals[id].closure_at.is_some())
        })
        .collect();
    // A fixed home's handle also carries a flag per part moved out of it, which the rewrite of
    // its mentions finds out. In both cases, write the code twice.
    if !anchors.is_empty() || new_types.contains(&true) {
        let mut names = names.clone();
        let generator = Gen::new(
            &mut body,
            &gen_names,
            &mut names,
            option_return,
            closure_ret.clone(),
        )?;
        generator.generate();
        futures_written = generator.futures_written.take();
        for (n, new) in futures_written.iter_mut().zip(&new_types) {
            if !new {
                *n = 1;
            }
        }
        for (local, part) in generator.parted.take() {
            match parts.iter_mut().find(|(n, _)| *n == local) {
                Some((_, list)) => list.push(part),
                None => parts.push((local, vec![part])),
            }
        }
    }
    let mut generator = Gen::new(
        &mut body,
        &gen_names,
        &mut names,
        option_return,
        closure_ret.clone(),
    )?;
    generator.set_parts(parts);
    generator.futures_written_before = futures_written;
    let generated = generator.generate();
    if let Some(e) = generator.error.take() {
        return Err(e);
    }

    let enum_def = &generated.enum_def;
    let driver = &generated.driver;
    // `self` spelled with the receiver's own span, so it resolves under macro_rules hygiene too.
    let take_self = receiver_local.map(|(this, span)| {
        let self_ = Ident::new("self", span);
        quote!(let #this = #self_;)
    });
    // Borrows that go through pointers the borrow checker cannot follow from one state to the
    // next: let it check the body as written instead (never run).
    let borrow_check = unchecked_borrows.then(|| {
        let rebind = params
            .iter()
            .filter(|(_, m)| *m)
            .map(|(p, _)| quote!(let mut #p = #p;));
        let doc = "// The body as written, never run: rustc borrow-checks it, since locals kept in \
                   the state are reached through pointers it cannot follow across states.";
        let check = match &closure_ret {
            Some(t) => quote! {
                let _: &dyn ::core::future::Future<Output = #t> = &async move #as_written;
            },
            None => quote!(let _ = async move #as_written;),
        };
        quote! {
            #[doc = #doc]
            #[allow(unreachable_code, unused, clippy::all)]
            if false {
                #(#rebind)*
                #check
                ::core::unreachable!();
            }
        }
    });
    // Under an attribute that needs an `async fn` (`#[tokio::main]`, `#[instrument]`), the fn
    // stays `async` and awaits the machine (see `stack.rs`).
    // A trait's method, or one whose `impl` block is out of sight, cannot get the `'state`
    // lifetime that a future borrowing through two lifetimes needs (E0700: the hidden type
    // captures their intersection): it stays `async` too.
    let stacked = stacked
        || (suspends
            && input_lifetimes(sig) >= 2
            && matches!(
                f.owner,
                Owner::Unknown | Owner::UnseenInherent | Owner::Impl { of_trait: true, .. }
            ));
    if stacked {
        new_sig.asyncness = sig.asyncness;
        new_sig.output = sig.output.clone();
    } else if suspends {
        name_the_state_lifetime(&mut new_sig, f.owner);
    }
    let attrs = f.attrs;
    let vis = f.vis;
    let brace = f.block.brace_token;
    let mut body_tokens = TokenStream::new();
    brace.surround(&mut body_tokens, |ts| {
        ts.extend(quote! {
            #(#items)*
            #enum_def
            #take_self
            #borrow_check
            #driver
        })
    });
    let body_tokens = if stacked {
        crate::stack::await_machine(body_tokens, brace)
    } else {
        body_tokens
    };
    let tokens = quote! {
        #(#attrs)*
        #vis #new_sig #body_tokens
    };
    Ok(Expanded {
        tokens,
        states: generated.states,
    })
}

/// A borrow of a local kept in the state lasts as long as the state: its lifetime can only be
/// one the returned `impl Future` captures. Without help that is `'static`, which asks every type
/// parameter to be `'static` (E0310: `async fn sum<S: Source>(v: Vec<S>)` borrowing an `S`
/// across an `.await`). rustc's coroutine erases those lifetimes; here the fn gets one more
/// lifetime parameter, `'state`, that every type and lifetime parameter outlives, for those
/// borrows to use. A fn that awaits gets it even without such borrows: its state may hold the
/// future of another generic fn that has one, whose `'state` must then be one of its own.
///
/// rustc picks such a lifetime among the captured ones only when one of them is the least, so
/// every lifetime of the signature must outlive `'state`: elided ones are named for that (`xs:
/// &T` becomes `xs: &'xs T`, `&self` becomes `&'this self`), and `impl Trait` arguments become type
/// parameters (`ImplArg1: Trait`), which callers cannot tell apart. (Named, the lifetimes elided
/// in the return type still come from the same argument.)
///
/// Left alone in a trait's impl, whose signature must match the trait's, and on a method whose
/// `impl` block is out of sight and may be a trait's. One written `pub` (taking `self` or
/// naming `Self`) is in an inherent block: `Self: 'state` stands in for the block's parameters
/// it cannot see.
fn name_the_state_lifetime(sig: &mut Signature, owner: Owner<'_>) {
    let outer = match owner {
        Owner::Free | Owner::UnseenInherent => None,
        Owner::Impl {
            generics,
            of_trait: false,
        } => Some(generics),
        Owner::Impl { of_trait: true, .. } | Owner::Unknown => return,
    };
    // The block's parameters are out of sight: `Self: 'state` bounds them all (an inherent
    // block's parameters all appear in its `Self` type).
    let unseen = matches!(owner, Owner::UnseenInherent);
    let params = || {
        sig.generics
            .params
            .iter()
            .chain(outer.into_iter().flat_map(|g| &g.params))
    };
    let mut types: Vec<Ident> = params()
        .filter_map(|p| match p {
            syn::GenericParam::Type(t) => Some(t.ident.clone()),
            _ => None,
        })
        .collect();
    let mut lifetimes: Vec<syn::Lifetime> = params()
        .filter_map(|p| match p {
            syn::GenericParam::Lifetime(l) => Some(l.lifetime.clone()),
            _ => None,
        })
        .collect();
    let impl_trait_args = sig.inputs.iter().any(|a| match a {
        FnArg::Typed(pt) => mentions_impl_trait(&pt.ty),
        FnArg::Receiver(_) => false,
    });
    if types.is_empty() && !impl_trait_args && input_lifetimes(sig) < 2 && !unseen {
        return;
    }
    let mut taken: Vec<String> = lifetimes.iter().map(|l| l.ident.to_string()).collect();
    let state = syn::Lifetime::new(&format!("'{}", fresh("state", &taken)), Span::call_site());
    taken.push(state.ident.to_string());
    let named = name_elided_lifetimes(sig, &mut taken);
    let impl_params = impl_trait_args_as_params(sig, &types);

    let at = sig
        .generics
        .params
        .iter()
        .take_while(|p| matches!(p, syn::GenericParam::Lifetime(_)))
        .count();
    for (k, l) in named.iter().chain(std::iter::once(&state)).enumerate() {
        let param = syn::GenericParam::Lifetime(syn::LifetimeParam::new(l.clone()));
        sig.generics.params.insert(at + k, param);
    }
    for (ident, it) in &impl_params {
        let bounds = &it.bounds;
        sig.generics.params.push(parse_quote!(#ident: #bounds));
        types.push(ident.clone());
    }
    if !named.is_empty() {
        name_elided_output(sig);
    }
    lifetimes.extend(named);
    let where_clause = sig.generics.make_where_clause();
    if unseen {
        where_clause.predicates.push(parse_quote!(Self: #state));
    }
    for t in &types {
        where_clause.predicates.push(parse_quote!(#t: #state));
    }
    for l in &lifetimes {
        where_clause.predicates.push(parse_quote!(#l: #state));
    }
}

/// How many lifetimes the arguments have, elided or named (`&self`, `&str`, `Ref<'_>`): with
/// two or more, a future that borrows through both lives for their intersection, which only a
/// lifetime they both outlive can name (see `name_the_state_lifetime`).
fn input_lifetimes(sig: &Signature) -> usize {
    struct Count(usize);
    impl<'ast> syn::visit::Visit<'ast> for Count {
        fn visit_type_reference(&mut self, r: &'ast syn::TypeReference) {
            if r.lifetime.is_none() {
                self.0 += 1;
            }
            syn::visit::visit_type_reference(self, r);
        }
        fn visit_lifetime(&mut self, _: &'ast syn::Lifetime) {
            self.0 += 1;
        }
        fn visit_type_fn_ptr(&mut self, _: &'ast syn::TypeFnPtr) {}
        fn visit_parenthesized_generic_arguments(
            &mut self,
            _: &'ast syn::ParenthesizedGenericArguments,
        ) {
        }
    }
    let mut c = Count(0);
    for arg in &sig.inputs {
        match arg {
            FnArg::Receiver(r) => {
                if let syn::ReceiverKind::Reference(..) = r.kind {
                    c.0 += 1;
                }
                if let syn::ReceiverKind::Typed(_, ty) = &r.kind {
                    syn::visit::Visit::visit_type(&mut c, ty);
                }
            }
            FnArg::Typed(pt) => syn::visit::Visit::visit_type(&mut c, &pt.ty),
        }
    }
    c.0
}

/// `base`, or `base_`, `base__`, .. : the first not in `taken`.
fn fresh(base: &str, taken: &[String]) -> String {
    let mut name = base.to_string();
    while taken.contains(&name) {
        name.push('_');
    }
    name
}

/// Names the lifetimes the arguments elide: `&self` becomes `&'this self`, and `xs: &[T]`
/// becomes `xs: &'xs [T]` (`'arg2` for an argument that is a pattern). Returns them.
fn name_elided_lifetimes(sig: &mut Signature, taken: &mut Vec<String>) -> Vec<syn::Lifetime> {
    let mut named = Vec::new();
    for (i, arg) in sig.inputs.iter_mut().enumerate() {
        match arg {
            FnArg::Receiver(r) => match &mut r.kind {
                syn::ReceiverKind::Reference(_, lt @ None, _) => {
                    let name = fresh("this", taken);
                    let l = syn::Lifetime::new(&format!("'{name}"), r.self_token.span);
                    taken.push(name);
                    named.push(l.clone());
                    *lt = Some(l);
                }
                syn::ReceiverKind::Typed(_, ty) => name_elided(ty, "this", taken, &mut named),
                _ => {}
            },
            FnArg::Typed(pt) => {
                let base = match &*pt.pat {
                    Pat::Ident(p)
                        if p.ident
                            .to_string()
                            .chars()
                            .all(|c| c.is_alphanumeric() || c == '_')
                            && syn::parse_str::<syn::Lifetime>(&format!("'{}", p.ident))
                                .is_ok() =>
                    {
                        p.ident.to_string()
                    }
                    _ => format!("arg{}", i + 1),
                };
                name_elided(&mut pt.ty, &base, taken, &mut named)
            }
        }
    }
    named
}

/// Replaces each `impl Trait` argument by a type parameter, `ImplArg1`, .. (avoiding the names in
/// `types`); returns them with their bounds. Callers cannot tell: an fn with an `impl Trait`
/// argument takes no explicit type arguments.
fn impl_trait_args_as_params(
    sig: &mut Signature,
    types: &[Ident],
) -> Vec<(Ident, syn::TypeImplTrait)> {
    struct ImplArgs<'a>(&'a mut Vec<(Ident, syn::TypeImplTrait)>, &'a [Ident]);
    impl VisitMut for ImplArgs<'_> {
        fn visit_type_mut(&mut self, t: &mut Type) {
            // `&mut (impl Trait + ?Sized)`: the parentheses go with the `impl`.
            if let Type::Paren(p) = t
                && let Type::ImplTrait(_) = &*p.elem
            {
                *t = (*p.elem).clone();
            }
            if let Type::ImplTrait(it) = t {
                let mut k = self.0.len() + 1;
                while self.1.iter().any(|i| *i == format!("ImplArg{k}")) {
                    k += 1;
                }
                let ident = Ident::new(&format!("ImplArg{k}"), it.impl_token.span);
                self.0.push((ident.clone(), it.clone()));
                *t = parse_quote!(#ident);
                return;
            }
            syn::visit_mut::visit_type_mut(self, t);
        }
    }
    let mut params = Vec::new();
    for arg in &mut sig.inputs {
        if let FnArg::Typed(pt) = arg {
            ImplArgs(&mut params, types).visit_type_mut(&mut pt.ty);
        }
    }
    params
}

/// Names what the return type elides, as elision would (the receiver's lifetime, or the
/// arguments' only one), once the arguments' lifetimes are named: mixing `&'xs T` and `&T` for
/// one lifetime is linted (`mismatched_lifetime_syntaxes`).
fn name_elided_output(sig: &mut Signature) {
    let receiver = sig.inputs.iter().find_map(|a| match a {
        FnArg::Receiver(syn::Receiver {
            kind: syn::ReceiverKind::Reference(_, l, _),
            ..
        }) => l.clone(),
        _ => None,
    });
    let mut used = Vec::new();
    for arg in &sig.inputs {
        if let FnArg::Typed(pt) = arg {
            syn::visit::Visit::visit_type(&mut LifetimesIn(&mut used), &pt.ty);
        }
    }
    let output = receiver.or_else(|| match &used[..] {
        [only] => Some(only.clone()),
        _ => None,
    });
    if let (Some(l), ReturnType::Type(_, ty)) = (output, &mut sig.output) {
        FillElided(|span| syn::Lifetime::new(&l.to_string(), span)).visit_type_mut(ty);
    }
}

/// The distinct lifetimes an argument's type names (not those of `fn(&T)` or `Fn(&T)`).
struct LifetimesIn<'a>(&'a mut Vec<syn::Lifetime>);

impl<'ast> syn::visit::Visit<'ast> for LifetimesIn<'_> {
    fn visit_lifetime(&mut self, l: &'ast syn::Lifetime) {
        if !self.0.contains(l) {
            self.0.push(l.clone());
        }
    }
    fn visit_type_fn_ptr(&mut self, _: &'ast syn::TypeFnPtr) {}
    fn visit_parenthesized_generic_arguments(
        &mut self,
        _: &'ast syn::ParenthesizedGenericArguments,
    ) {
    }
}

/// Fills in the lifetimes elided in a type (`&T`, `Ref<'_>`) with what `self.0` gives, but not
/// those of `fn(&T)` or `Fn(&T)`, which stand for any lifetime.
struct FillElided<F: FnMut(Span) -> syn::Lifetime>(F);

impl<F: FnMut(Span) -> syn::Lifetime> VisitMut for FillElided<F> {
    fn visit_type_reference_mut(&mut self, r: &mut syn::TypeReference) {
        if r.lifetime.is_none() {
            r.lifetime = Some((self.0)(r.and_token.span));
        }
        syn::visit_mut::visit_type_reference_mut(self, r);
    }
    fn visit_lifetime_mut(&mut self, l: &mut syn::Lifetime) {
        if l.ident == "_" {
            *l = (self.0)(l.apostrophe);
        }
    }
    fn visit_type_fn_ptr_mut(&mut self, _: &mut syn::TypeFnPtr) {}
    fn visit_parenthesized_generic_arguments_mut(
        &mut self,
        _: &mut syn::ParenthesizedGenericArguments,
    ) {
    }
}

/// Names the lifetimes elided in an argument's type after the argument (`xs: &'xs [T]`;
/// `'xs_2` for a second one), avoiding the names in `taken`.
fn name_elided(ty: &mut Type, base: &str, taken: &mut Vec<String>, named: &mut Vec<syn::Lifetime>) {
    FillElided(|span| {
        let mut name = base.to_string();
        let mut k = 1;
        while taken.contains(&name) {
            k += 1;
            name = format!("{base}_{k}");
        }
        taken.push(name.clone());
        let l = syn::Lifetime::new(&format!("'{name}"), span);
        named.push(l.clone());
        l
    })
    .visit_type_mut(ty);
}

/// `Box::pin(f(n - 1)).await` inside `f`: the state would hold a future of its own type. rustc
/// special-cases that for `async fn`; an `impl Future` cannot contain itself, so say what to do.
fn check_recursion(block: &Block, name: &Ident) -> Result<()> {
    struct Calls<'a> {
        name: &'a Ident,
        found: Option<Span>,
    }
    impl<'ast> syn::visit::Visit<'ast> for Calls<'_> {
        fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
            // `f(..)`, `self::f(..)`, `Self::f(..)`: the fn itself. `TcpStream::connect(..)` in
            // a fn named `connect` is another fn (a call through a longer path that does
            // reach this fn is rustc's cycle error, not a silent difference).
            let segments: Vec<String> = match &*c.func {
                syn::Expr::Path(p) if p.qself.is_none() => p
                    .path
                    .segments
                    .iter()
                    .map(|s| s.ident.to_string())
                    .collect(),
                _ => Vec::new(),
            };
            let itself = match segments.as_slice() {
                [f] => f == &self.name.to_string(),
                [q, f] => (q == "self" || q == "Self") && f == &self.name.to_string(),
                _ => false,
            };
            if itself {
                self.found.get_or_insert(c.func.span());
            }
            syn::visit::visit_expr_call(self, c);
        }
        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            if m.method == *self.name
                && matches!(&*m.receiver, syn::Expr::Path(p) if p.path.is_ident("self"))
            {
                self.found.get_or_insert(m.method.span());
            }
            syn::visit::visit_expr_method_call(self, m);
        }
    }
    struct Awaits<'a> {
        name: &'a Ident,
        found: Option<Span>,
    }
    impl<'ast> syn::visit::Visit<'ast> for Awaits<'_> {
        fn visit_expr_await(&mut self, a: &'ast syn::ExprAwait) {
            let mut calls = Calls {
                name: self.name,
                found: None,
            };
            syn::visit::Visit::visit_expr(&mut calls, &a.base);
            if self.found.is_none() {
                self.found = calls.found;
            }
            syn::visit::visit_expr_await(self, a);
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
        fn visit_expr_async(&mut self, _: &'ast syn::ExprAsync) {}
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut v = Awaits { name, found: None };
    syn::visit::Visit::visit_block(&mut v, block);
    match v.found {
        Some(span) => Err(Error::new(
            span,
            format!(
                "`{name}` awaits a call to itself: the state machine would contain a future of its \
                 own type, which an `impl Future` cannot; erase the type first: \
                 `let fut: Pin<Box<dyn Future<Output = _>>> = Box::pin({name}(..)); fut.await`"
            ),
        )),
        None => Ok(()),
    }
}

/// Removes the item statements of `block` and its nested blocks (not those of closures, async
/// blocks or other items), in source order.
fn take_items(block: &mut Block) -> Vec<Stmt> {
    struct Take(Vec<Stmt>);
    impl VisitMut for Take {
        fn visit_block_mut(&mut self, b: &mut Block) {
            let stmts = std::mem::take(&mut b.stmts);
            for s in stmts {
                match s {
                    Stmt::Item(i) => self.0.push(Stmt::Item(i)),
                    mut other => {
                        self.visit_stmt_mut(&mut other);
                        b.stmts.push(other);
                    }
                }
            }
        }
        fn visit_expr_closure_mut(&mut self, _: &mut syn::ExprClosure) {}
        fn visit_expr_async_mut(&mut self, _: &mut syn::ExprAsync) {}
        fn visit_item_mut(&mut self, _: &mut syn::Item) {}
    }
    let mut t = Take(Vec::new());
    t.visit_block_mut(block);
    t.0
}

/// Whether an expression writes an `async` block or a closure (maybe: `|` is also an operator),
/// whose type is new each time the code is written.
fn makes_a_type(ts: TokenStream) -> bool {
    ts.into_iter().any(|tt| match tt {
        TokenTree::Ident(i) => i == "async",
        TokenTree::Punct(p) => p.as_char() == '|',
        TokenTree::Group(g) => makes_a_type(g.stream()),
        TokenTree::Literal(_) => false,
    })
}

fn returns_option(ty: &Type) -> bool {
    match ty {
        Type::Path(p) => p.path.segments.last().is_some_and(|s| s.ident == "Option"),
        Type::Paren(p) => returns_option(&p.elem),
        Type::Group(g) => returns_option(&g.elem),
        _ => false,
    }
}

fn mentions_impl_trait(ty: &Type) -> bool {
    fn scan(ts: TokenStream) -> bool {
        // `impl Trait` cannot be written where the poll closure's return type is named; `'_`
        // can (it is inferred there), and a plain elided `&T` too, so that returns still coerce
        // (`&String` to `&str`, `Box<closure>` to `Box<dyn Fn + '_>`).
        ts.into_iter().any(|tt| match tt {
            TokenTree::Ident(i) => i == "impl",
            TokenTree::Group(g) => scan(g.stream()),
            _ => false,
        })
    }
    scan(ty.to_token_stream())
}

/// `self` in the body → the local that holds the receiver (`let self = ..` is not allowed).
struct RenameSelf<'a>(&'a Ident);

impl VisitMut for RenameSelf<'_> {
    fn visit_expr_path_mut(&mut self, p: &mut syn::ExprPath) {
        if p.qself.is_none() && p.path.leading_colon.is_none() && p.path.segments.len() == 1 {
            let seg = &mut p.path.segments[0];
            if seg.ident == "self" {
                seg.ident = Ident::new(&self.0.to_string(), seg.ident.span());
            }
        }
    }
    fn visit_macro_mut(&mut self, m: &mut syn::Macro) {
        m.tokens = rename_self_tokens(m.tokens.clone(), self.0);
    }
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

fn rename_self_tokens(ts: TokenStream, this: &Ident) -> TokenStream {
    let tokens: Vec<TokenTree> = ts.into_iter().collect();
    let mut out = Vec::with_capacity(tokens.len());
    for (i, tt) in tokens.iter().enumerate() {
        match tt {
            TokenTree::Ident(id) if id == "self" => {
                let path_follows =
                    matches!(tokens.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == ':');
                if path_follows {
                    out.push(tt.clone());
                } else {
                    out.push(TokenTree::Ident(Ident::new(&this.to_string(), id.span())));
                }
            }
            TokenTree::Group(g) => {
                let mut ng =
                    proc_macro2::Group::new(g.delimiter(), rename_self_tokens(g.stream(), this));
                ng.set_span(g.span());
                out.push(TokenTree::Group(ng));
            }
            other => out.push(other.clone()),
        }
    }
    out.into_iter().collect()
}

/// Is an argument of this type consumed by a call (`f(x)`)? It is when the type's only `Fn*`
/// bound is `FnOnce`: `impl FnOnce(..)`, `Box<dyn FnOnce(..)>`, or a type parameter bounded
/// so, inline or in the `where` clause. (With `Fn` or `FnMut` too, the call borrows it.)
fn called_by_value(ty: &syn::Type, generics: &syn::Generics) -> bool {
    fn only_fn_once<'a>(bounds: impl Iterator<Item = &'a syn::TypeParamBound>) -> bool {
        let mut once = false;
        for b in bounds {
            if let syn::TypeParamBound::Trait(t) = b
                && let Some(last) = t.path.segments.last()
            {
                match last.ident.to_string().as_str() {
                    "FnOnce" => once = true,
                    "Fn" | "FnMut" => return false,
                    _ => {}
                }
            }
        }
        once
    }
    match ty {
        syn::Type::ImplTrait(t) => only_fn_once(t.bounds.iter()),
        syn::Type::Paren(p) => called_by_value(&p.elem, generics),
        syn::Type::Path(p) if p.qself.is_none() => {
            let Some(last) = p.path.segments.last() else {
                return false;
            };
            if last.ident == "Box"
                && let syn::PathArguments::AngleBracketed(a) = &last.arguments
                && let Some(syn::GenericArgument::Type(syn::Type::TraitObject(o))) = a.args.first()
            {
                return only_fn_once(o.bounds.iter());
            }
            let Some(ident) = p.path.get_ident() else {
                return false;
            };
            let inline = generics.type_params().filter(|t| t.ident == *ident);
            let mut bounds: Vec<&syn::TypeParamBound> =
                inline.flat_map(|t| t.bounds.iter()).collect();
            for pred in generics.where_clause.iter().flat_map(|w| &w.predicates) {
                if let syn::WherePredicate::Type(t) = pred
                    && matches!(&t.bounded_ty, syn::Type::Path(b) if b.path.is_ident(ident))
                {
                    bounds.extend(t.bounds.iter());
                }
            }
            only_fn_once(bounds.into_iter())
        }
        _ => false,
    }
}

/// A primitive number, `bool`, `char` or a shared reference: a type that is `Copy` whatever the
/// crate defines.
fn surely_copy(ty: &syn::Type) -> bool {
    const PRIMITIVES: &[&str] = &[
        "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize",
        "f32", "f64", "bool", "char",
    ];
    match ty {
        syn::Type::Reference(r) => r.mutability.is_none(),
        syn::Type::Path(p) if p.qself.is_none() => {
            if let Some(i) = p.path.get_ident() {
                return PRIMITIVES.contains(&i.to_string().as_str());
            }
            // `Option<u32>` (`Option`, `std::option::Option` or `core::option::Option`).
            let last = p.path.segments.last().expect("a path has a segment");
            let std_path = match p.path.segments.len() {
                1 => true,
                3 => {
                    let first = p.path.segments[0].ident.to_string();
                    (first == "std" || first == "core") && p.path.segments[1].ident == "option"
                }
                _ => false,
            };
            std_path
                && last.ident == "Option"
                && matches!(&last.arguments, syn::PathArguments::AngleBracketed(a)
                    if matches!(&a.args.iter().collect::<Vec<_>>()[..],
                        [syn::GenericArgument::Type(t)] if surely_copy(t)))
        }
        syn::Type::Tuple(t) => t.elems.iter().all(surely_copy),
        syn::Type::Array(a) => surely_copy(&a.elem),
        syn::Type::Paren(p) => surely_copy(&p.elem),
        _ => false,
    }
}

/// Whether evaluating `e` may make a temporary that outlives it: anything but names,
/// literals and constructors of them (`Ok(())`, `(a, 1)`, `S { x }`).
fn may_make_temporaries(e: &syn::Expr) -> bool {
    use syn::Expr;
    match e {
        Expr::Path(_) | Expr::Lit(_) => false,
        Expr::Paren(p) => may_make_temporaries(&p.expr),
        Expr::Tuple(t) => t.elems.iter().any(may_make_temporaries),
        Expr::Array(a) => a.elems.iter().any(may_make_temporaries),
        Expr::Call(c) => {
            !matches!(&*c.func, Expr::Path(_)) || c.args.iter().any(may_make_temporaries)
        }
        Expr::Struct(st) => {
            st.rest.is_some() || st.fields.iter().any(|f| may_make_temporaries(&f.expr))
        }
        _ => true,
    }
}

/// Does the type have an `impl Trait` in it (which a `let` cannot name)?
fn mentions_impl(ty: &syn::Type) -> bool {
    fn scan(ts: proc_macro2::TokenStream) -> bool {
        ts.into_iter().any(|t| match t {
            proc_macro2::TokenTree::Ident(i) => i == "impl",
            proc_macro2::TokenTree::Group(g) => scan(g.stream()),
            _ => false,
        })
    }
    scan(quote::ToTokens::to_token_stream(ty))
}
