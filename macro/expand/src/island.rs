//! Macros that await inside their expansion, run as native `async` islands.
//!
//! `tokio::select!`, `join!`, `try_join!` and any macro whose input has `.await` await in code
//! the transform never sees: their input is only tokens until rustc expands them, after this
//! transform. Left in the body, they would put an `.await` in the machine's poll function
//! (rustc's E0728, pointing at the attribute). Instead each one runs inside an `async` block,
//! awaited as one state of the machine: an island.
//!
//! ```text
//! let v = tokio::select! { x = rx.recv() => x?, _ = stop.recv() => break };
//! ```
//! becomes
//! ```text
//! let v = {
//!     let island = IslandSlot::new();
//!     match Island::new(&island, async {
//!         let value = tokio::select! {
//!             x = rx.recv() => x?,
//!             _ = stop.recv() => match island.jump(0).await {},
//!         };
//!         island.finish(value).await
//!     })
//!     .await
//!     {
//!         Some(output) => return output, // a `return` or `?` inside the macro
//!         None => match island.take() {
//!             IslandExit::Value(value) => value,
//!             IslandExit::Jump(0) => break,
//!             _ => unreachable!(),
//!         },
//!     }
//! };
//! ```
//!
//! * The block's output is the fn's return type, so `return` and `?` inside the macro mean
//!   what they mean in the fn: the block ends with that output, and the machine returns it.
//! * The macro's value, and a `break` or `continue` to a loop outside the macro, leave through
//!   the slot: the block stores them and then stays pending for ever (`finish`, `jump`);
//!   `Island` sees the slot filled and is ready with `None`. The block is then dropped, as
//!   rustc drops the macro's futures when its code moves on.
//! * The block is not `move`: rustc captures what the macro uses as it would in the `async
//!   fn`. A bare name given to `join!`/`select!` is moved in (see `mentions::takes_futures`);
//!   anything else it mentions stays in the state, borrowed, while the island runs.
//!
//! A `break` with a value, out of the macro, is a `compile_error!`.

use crate::error::{Error, Result};
use crate::names::Names;
use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{Block, Expr, Macro, Stmt, parse_quote_spanned};

/// Rewrites every island macro of `block` (not those inside closures, `async` blocks or
/// items). `machine` is the support module, which holds `IslandSlot` and `Island`.
pub fn rewrite(block: &mut Block, names: &mut Names, machine: &syn::Path) -> Result<()> {
    let mut v = Islands {
        names,
        machine,
        error: None,
    };
    v.visit_block_mut(block);
    match v.error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Whether a macro call is run as an island: one the transform does not know that takes
/// futures to await (`select!`, `join!`, ..), or whose input awaits or leaves the fn's code
/// (`.await`, `return`, `?`, `break`, `continue`): in the machine's poll function, those would
/// mean something else (a `return` of the poll function, E0308; a `break` of the wrong loop).
pub fn is_island(mac: &Macro) -> bool {
    crate::mentions::macro_kind(mac).is_none()
        && !mac.path.is_ident("stringify")
        && (crate::mentions::takes_futures(mac)
            || awaits_in_its_definition(mac)
            || leaves_or_awaits(mac.tokens.clone()))
}

/// Published macros whose expansion has an `.await` of its own, with none in their input:
/// tower-test's `assert_request_eq!(handle, req)` (which awaits `handle.next_request()`), and
/// futures' `poll!(fut)` and `pending!()` when the path names the crate
/// (`futures_util::poll!(..)`). Syntax cannot see inside a macro's definition, so this is a
/// list of names; a macro missing from it that awaits is rustc's E0728 at the call. (A bare
/// `poll!`/`pending!` is not in it: tests define macros of those names that do not await,
/// whose input an island rewrites, `poll!(queue)` in tokio-util's.)
fn awaits_in_its_definition(mac: &Macro) -> bool {
    const AWAITING: &[&str] = &["assert_request_eq"];
    const FUTURES_AWAITING: &[&str] = &["poll", "pending"];
    let segments = &mac.path.segments;
    let Some(last) = segments.last().map(|s| s.ident.to_string()) else {
        return false;
    };
    let from_futures = segments.len() > 1
        && segments
            .first()
            .is_some_and(|s| s.ident == "futures" || s.ident == "futures_util");
    AWAITING.contains(&last.as_str()) || (from_futures && FUTURES_AWAITING.contains(&last.as_str()))
}

/// The macro an island runs, when `e` is the future of one (what `Islands::island` awaits):
/// its name names the state.
pub fn macro_of(e: &Expr) -> Option<&Macro> {
    let Expr::Call(c) = e else { return None };
    if !is_island_new(&c.func) {
        return None;
    }
    let Some(Expr::Async(a)) = c.args.iter().nth(1) else {
        return None;
    };
    island_macro(a)
}

/// The macro of an island's `async` block: `async { let value = <the macro>; .. }`.
pub fn island_macro(block: &syn::ExprAsync) -> Option<&Macro> {
    match block.block.stmts.first()? {
        Stmt::Local(syn::Local {
            init: Some(init), ..
        }) => match &*init.expr {
            Expr::Macro(m) => Some(&m.mac),
            _ => None,
        },
        _ => None,
    }
}

/// `..::Island::new`, the call `Islands::island` writes around an island's `async` block.
pub fn is_island_new(func: &Expr) -> bool {
    let Expr::Path(p) = func else { return false };
    let mut rev = p.path.segments.iter().rev();
    matches!((rev.next(), rev.next()), (Some(n), Some(i)) if n.ident == "new" && i.ident == "Island")
}

/// The macro of an island that runs at once, not as a state: `e` is `Island::new(&slot, async
/// { let value = <the macro>; .. }).run_now()`.
pub fn run_now_macro(e: &syn::ExprMethodCall) -> Option<&Macro> {
    if e.method != "run_now" {
        return None;
    }
    macro_of(&e.receiver)
}

/// Does a macro's input have an `=` that is not part of `==`, `!=`, `<=`, `>=`, `=>`, `..=`
/// or a compound assignment (`+=`, `|=`, ..), nor a `let`'s (which binds a local of the
/// input's own), anywhere in it: an assignment, which may initialise a local? (The walk of an
/// island's input takes `v = ..` for a field name, as in `info!(v = %x)`. A compound
/// assignment needs its place initialised already, and a block that borrows it writes it
/// where it is.)
fn assigns_in(ts: TokenStream) -> bool {
    use proc_macro2::Spacing;
    let tokens: Vec<TokenTree> = ts.into_iter().collect();
    let mut after_let = false;
    tokens.iter().enumerate().any(|(k, t)| match t {
        TokenTree::Ident(i) if i == "let" => {
            after_let = true;
            false
        }
        TokenTree::Punct(p) if p.as_char() == '=' => {
            let before = k.checked_sub(1).map(|j| &tokens[j]);
            let joined_before = matches!(before, Some(TokenTree::Punct(b))
                if b.spacing() == Spacing::Joint && matches!(b.as_char(), '=' | '!' | '<' | '>' | '.' | '+' | '-' | '*' | '/' | '%' | '^' | '&' | '|'));
            let assigns = !joined_before && p.spacing() == Spacing::Alone && !after_let;
            if !joined_before && p.spacing() == Spacing::Alone {
                after_let = false;
            }
            assigns
        }
        TokenTree::Punct(p) if p.as_char() == ';' => {
            after_let = false;
            false
        }
        TokenTree::Group(g) => assigns_in(g.stream()),
        _ => false,
    })
}

/// Does a macro's input have an `.await` that awaits in the code around the macro (not one
/// inside an `async` block there)?
fn awaits_in(ts: TokenStream) -> bool {
    outside_async_blocks(ts, &mut |tokens, k| match &tokens[k] {
        TokenTree::Ident(i) => i == "await" && crate::mentions::after_dot(tokens, k),
        _ => false,
    })
}

/// Does `found` hold for a token of `ts` outside the `async` blocks it writes (`async { .. }`,
/// `async move { .. }`), at any depth? `found` gets the tokens of one level and an index.
fn outside_async_blocks(
    ts: TokenStream,
    found: &mut dyn FnMut(&[TokenTree], usize) -> bool,
) -> bool {
    let tokens: Vec<TokenTree> = ts.into_iter().collect();
    let mut async_body_next = false;
    for k in 0..tokens.len() {
        match &tokens[k] {
            TokenTree::Ident(i) if i == "async" => async_body_next = true,
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace && async_body_next => {
                async_body_next = false;
            }
            TokenTree::Group(g) if outside_async_blocks(g.stream(), found) => return true,
            TokenTree::Group(_) => {}
            _ if found(&tokens, k) => return true,
            _ => {}
        }
    }
    false
}

/// Does a macro's input await, or leave the code around the macro: `return`, `x?`, or a
/// `break` / `continue` to a loop outside the input? (What an `async` block there does stays
/// in it; a jump to a loop the input writes itself stays inside the input.)
pub(crate) fn leaves_or_awaits(ts: TokenStream) -> bool {
    // (Which loop a jump leaves, `rewrite_jumps` finds; asked only of input that has one.)
    let leaves_by_jump = || jumps_out(ts.clone()).is_none_or(|n| n > 0);
    let jumps = outside_async_blocks(
        ts.clone(),
        &mut |tokens, k| matches!(&tokens[k], TokenTree::Ident(i) if i == "break" || i == "continue"),
    );
    (jumps && leaves_by_jump())
        || outside_async_blocks(ts.clone(), &mut |tokens, k| match &tokens[k] {
            TokenTree::Ident(i) if i == "await" => crate::mentions::after_dot(tokens, k),
            TokenTree::Ident(i) => i == "return",
            // `x?`, not tracing's `?value`: a `?` right after an operand.
            TokenTree::Punct(p) if p.as_char() == '?' => {
                match k.checked_sub(1).map(|j| &tokens[j]) {
                    Some(TokenTree::Group(_) | TokenTree::Literal(_)) => true,
                    // `None::<u32>?`: a path's generic arguments.
                    Some(TokenTree::Punct(p)) => p.as_char() == '>',
                    Some(TokenTree::Ident(i)) => syn::parse2::<Ident>(i.to_token_stream()).is_ok(),
                    _ => false,
                }
            }
            _ => false,
        })
}

struct Islands<'a> {
    names: &'a mut Names,
    machine: &'a syn::Path,
    error: Option<Error>,
}

impl Islands<'_> {
    /// The island for macro call `mac`.
    fn island(&mut self, mac: &Macro) -> Result<Expr> {
        // A local the macro's code moves (`v.into_val()`, `v.await`), maybe on some paths only,
        // is not captured whole by the block when it starts (the `async fn` drops one the
        // code did not move at the end of its scope): its fixed home is lent to the block as a
        // `Taker`, which moves it out where the code does (`anchor.rs`, `ClosureBorrows`).
        let slot = Ident::new(&self.names.fresh("island"), Span::call_site());
        let labels = labels_in(mac.tokens.clone());
        let mut jumps = Vec::new();
        let mut inner = mac.clone();
        inner.tokens = rewrite_jumps(mac.tokens.clone(), &slot, &labels, false, &mut jumps)
            .map_err(|span| {
                Error::new(
                    span,
                    format!(
                        "a `break` with a value out of `{}!` is not supported: #[state_machine] \
                         runs the macro in an `async` block, which the value cannot leave that \
                         way; assign it to a local declared before the loop, then `break`",
                        mac.path.to_token_stream()
                    ),
                )
            })?;
        let machine = self.machine;
        let arms = jumps.iter().enumerate().map(|(k, jump)| {
            let k = k as u32;
            quote!(#machine::IslandExit::Jump(#k) => #jump,)
        });
        let output = Ident::new("output", Span::mixed_site());
        let value = Ident::new("value", Span::mixed_site());
        let span = mac.path.span();
        let safety =
            "// SAFETY: only this island's block and the `Island` polling it use the slot.";
        // (The `unsafe` block is the macro's, not the user's: under the user's span, a crate's
        // `#![forbid(unsafe_code)]` rejects it, as tower's and deadpool's do.)
        let new_slot = quote!(unsafe { #machine::IslandSlot::new() });
        // A macro that only leaves the fn (`?`, `return`, ..) and never awaits runs at once,
        // not as a state of the machine (`Island::run_now`): as in the `async fn`, nothing
        // around it is kept across a suspension there. A local its code moves is lent to the
        // block as a `Taker` (its fixed home then lies in the poll function's frame when no
        // state holds it: see `ir.rs`, `moved_in_island_now`). One that assigns a local is run
        // as a state: the local may be uninitialised there, which a block that is not `move`
        // cannot capture, but a fixed home can hold.
        let awaits = crate::mentions::takes_futures(mac)
            || awaits_in_its_definition(mac)
            || awaits_in(mac.tokens.clone())
            || assigns_in(mac.tokens.clone());
        let run = if awaits {
            quote!(.await)
        } else {
            quote!(.run_now())
        };
        Ok(parse_quote_spanned! {span=> {
            #[doc = #safety]
            let #slot = #new_slot;
            match #machine::Island::new(&#slot, async {
                let #value = #inner;
                #slot.finish(#value).await
            })
            #run
            {
                ::core::option::Option::Some(#output) => return #output,
                ::core::option::Option::None => match #slot.take() {
                    #machine::IslandExit::Value(#value) => #value,
                    #(#arms)*
                    _ => ::core::unreachable!(),
                },
            }
        }})
    }
}

impl VisitMut for Islands<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        if let Expr::Macro(m) = e
            && is_island(&m.mac)
        {
            match self.island(&m.mac) {
                Ok(island) => *e = island,
                Err(err) => {
                    self.error.get_or_insert(err);
                }
            }
            return;
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }

    fn visit_stmt_mut(&mut self, s: &mut Stmt) {
        if let Stmt::Macro(m) = s
            && is_island(&m.mac)
        {
            match self.island(&m.mac) {
                Ok(island) => *s = Stmt::Expr(island, m.semi_token),
                Err(err) => {
                    self.error.get_or_insert(err);
                }
            }
            return;
        }
        syn::visit_mut::visit_stmt_mut(self, s);
    }

    /// A known macro's arguments are expressions: an island may be one of them
    /// (`assert!(matches!(rx.recv().await, Some(_)))`).
    fn visit_macro_mut(&mut self, m: &mut Macro) {
        crate::mentions::MacroParts::rewrite_args(m, |e| self.visit_expr_mut(e));
    }

    fn visit_expr_closure_mut(&mut self, _: &mut syn::ExprClosure) {}
    fn visit_expr_async_mut(&mut self, _: &mut syn::ExprAsync) {}
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// Can every jump in `ts` leave an island (no `break` with a value out of it)?
pub(crate) fn jumps_can_leave(ts: TokenStream) -> bool {
    jumps_out(ts).is_some()
}

/// How many jumps in `ts` leave it for a loop outside (`break`, `continue`), or `None` when
/// one cannot leave an island (a `break` with a value).
fn jumps_out(ts: TokenStream) -> Option<usize> {
    let mut jumps = Vec::new();
    let slot = Ident::new("island", Span::call_site());
    let labels = labels_in(ts.clone());
    rewrite_jumps(ts, &slot, &labels, false, &mut jumps).ok()?;
    Some(jumps.len())
}

/// The labels a macro's input defines itself (`'retry: loop { .. }`).
fn labels_in(ts: TokenStream) -> Vec<String> {
    let tokens: Vec<TokenTree> = ts.into_iter().collect();
    let mut out = Vec::new();
    for (k, t) in tokens.iter().enumerate() {
        match t {
            TokenTree::Punct(p) if p.as_char() == '\'' => {
                if let (Some(TokenTree::Ident(name)), Some(TokenTree::Punct(colon))) =
                    (tokens.get(k + 1), tokens.get(k + 2))
                    && colon.as_char() == ':'
                {
                    out.push(name.to_string());
                }
            }
            TokenTree::Group(g) => out.extend(labels_in(g.stream())),
            _ => {}
        }
    }
    out
}

/// A macro's input with each `break` or `continue` that leaves the macro (to a loop outside
/// it) written `match slot.jump(k).await {}`, and the jump pushed to `jumps` (`break 'outer`).
/// `in_loop`: inside a loop the input writes itself, which an unlabelled jump is for. `Err` at
/// a `break` with a value.
fn rewrite_jumps(
    ts: TokenStream,
    slot: &Ident,
    labels: &[String],
    in_loop: bool,
    jumps: &mut Vec<TokenStream>,
) -> std::result::Result<TokenStream, Span> {
    let tokens: Vec<TokenTree> = ts.into_iter().collect();
    let mut out: Vec<TokenTree> = Vec::with_capacity(tokens.len());
    // The next braces at this level are a loop's body (after `loop`, `while ..`, `for ..`), or
    // an `async` block's, which no jump leaves.
    let mut body_next = None;
    let mut k = 0;
    while k < tokens.len() {
        let t = &tokens[k];
        match t {
            TokenTree::Ident(i) if i == "loop" || i == "while" || i == "for" => {
                body_next = Some(true);
            }
            TokenTree::Ident(i) if i == "async" => body_next = Some(false),
            TokenTree::Ident(i) if (i == "break" || i == "continue") => {
                let label = match (tokens.get(k + 1), tokens.get(k + 2)) {
                    (Some(TokenTree::Punct(p)), Some(TokenTree::Ident(name)))
                        if p.as_char() == '\'' =>
                    {
                        Some(name.clone())
                    }
                    _ => None,
                };
                let inside = match &label {
                    Some(l) => labels.contains(&l.to_string()),
                    None => in_loop,
                };
                if !inside {
                    let end = k + 1 + if label.is_some() { 2 } else { 0 };
                    let valueless = match tokens.get(end) {
                        None => true,
                        Some(TokenTree::Punct(p)) => matches!(p.as_char(), ',' | ';'),
                        _ => false,
                    };
                    if !valueless {
                        return Err(i.span());
                    }
                    let jump: TokenStream = tokens[k..end].iter().cloned().collect();
                    let n = jumps
                        .iter()
                        .position(|j| j.to_string() == jump.to_string())
                        .unwrap_or_else(|| {
                            jumps.push(jump);
                            jumps.len() - 1
                        }) as u32;
                    let replaced = quote!(match #slot.jump(#n).await {});
                    let mut g = Group::new(Delimiter::Parenthesis, replaced);
                    g.set_span(i.span());
                    out.push(TokenTree::Group(g));
                    k = end;
                    continue;
                }
            }
            TokenTree::Group(g) => {
                let inner = match (g.delimiter(), body_next.take()) {
                    (Delimiter::Brace, Some(false)) => g.stream(),
                    (Delimiter::Brace, Some(true)) => {
                        rewrite_jumps(g.stream(), slot, labels, true, jumps)?
                    }
                    (_, next) => {
                        // (The braces of a `while` condition's block come later.)
                        if g.delimiter() != Delimiter::Brace {
                            body_next = next;
                        }
                        rewrite_jumps(g.stream(), slot, labels, in_loop, jumps)?
                    }
                };
                let mut ng = Group::new(g.delimiter(), inner);
                ng.set_span(g.span());
                out.push(TokenTree::Group(ng));
                k += 1;
                continue;
            }
            _ => {}
        }
        out.push(t.clone());
        k += 1;
    }
    Ok(out.into_iter().collect())
}
