//! Statements run apart from the machine's states, for the temporaries of a method syntax
//! cannot settle.
//!
//! A method called on a temporary either takes it by value or borrows it, and syntax cannot
//! tell which:
//!
//! ```text
//! Toplevel::new(init).catch_signals().handle_shutdown_requests(limit).await
//! ```
//!
//! Taken by value, the temporary is gone into the call. Borrowed, it lives to the end of the
//! statement, across the `.await`, so the lowering would have to keep it in a slot of the state
//! and call the method on that slot's place. Both guesses go wrong on the other case: on a
//! slot, a method taking `self` is rustc's E0507 (tokio-graceful-shutdown's examples, every
//! `main`); inline, a borrowed temporary would drop before the `.await` (silently, when what
//! the method returns does not borrow it).
//!
//! So such a statement runs apart, in an `async` block the machine awaits as one state. Inside
//! the block the statement is the user's, as written: rustc settles each method's `self`, and
//! drops the temporaries where the statement ends, as in the `async fn`. When the statement
//! neither leaves the code around it (`return`, `break`, `continue`, a `?` other than its
//! last operator) nor takes a local by value, that block is a plain `async { .. }.await`
//! (see `run_apart`). Otherwise it is an island (`island.rs`): the transform wraps the
//! statement in the support module's `statement!` macro, whose input awaits, and the island
//! rewrite gives its block a way out and the locals it takes (`Taker`).
//!
//! * `let p = e;` binds its names inside the block, where rustc drops what the pattern leaves
//!   and the temporaries, and hands them out: `let (a, b) = async { let p = e; (a, b) }
//!   .await;` (or `statement!(..)`). One binding alone is `let a = async { e }.await;`.
//!   `let`-`else` goes inside the same way.
//! * `e;` is `async { e; }.await;`: the value drops before the temporaries, as rustc drops it.
//! * The body's tail is wrapped from edition 2024 on, where its temporaries drop before the
//!   locals, as they do at the end of the block. In earlier editions they drop after them,
//!   which an island cannot do: there the tail is wrapped only when the body declares no
//!   local of its own, and is otherwise left to the slots (`Normalizer::tail_slots`).
//! * Loops, `if` and `match` statements are not wrapped whole (their bodies' `.await`s would all
//!   disappear into one state); the statements inside them are considered on their own, and
//!   so is the condition of an `if` or `while` (not `if let`), a temporary scope of its own.
//!   A `match` scrutinee's temporaries live through the arms, which an island around the
//!   scrutinee alone would cut short: it keeps the slots.
//!
//! Which statements: one where a method the receiver heuristic does not know is called on a
//! temporary, in a method chain that is awaited. Known methods
//! (`len`, `lock`, `into_*`, `send` on a temporary, ..) keep their guesses (`normalize.rs`).

use crate::mentions::{Consumes, receiver_consumes};
use crate::normalize::{known_to_borrow, may_take_self, returns_owned};
use quote::quote;
use syn::visit::Visit;
use syn::{Block, Expr, Stmt, parse_quote};

/// Wraps the statements of `block` (the fn's body) that need it, at any depth.
pub fn mark(block: &mut Block, machine: &syn::Path, copies: &[syn::Ident]) {
    // Up to edition 2021 the tail's temporaries drop after the body's locals; with no local
    // declared in the body itself (nor a macro statement, which may declare one: `pin!(x)`),
    // there are none to drop after, and the island's order is the same.
    let no_locals = || {
        let before_tail = &block.stmts[..block.stmts.len().saturating_sub(1)];
        !before_tail
            .iter()
            .any(|s| matches!(s, Stmt::Local(_) | Stmt::Macro(_)))
    };
    let tail_too = crate::edition::current() == crate::edition::Edition::From2024 || no_locals();
    let apart = Apart { machine, copies };
    statements(block, &apart, tail_too);
}

/// How a statement is run apart: the support module's path, and the arguments whose type is
/// surely `Copy` (`n: u32`), which a plain `async` block may capture by reference.
struct Apart<'a> {
    machine: &'a syn::Path,
    copies: &'a [syn::Ident],
}

/// The statements of one block; `tail_too`: its tail expression may be wrapped.
fn statements(block: &mut Block, machine: &Apart, tail_too: bool) {
    let last = block.stmts.len().saturating_sub(1);
    for (k, stmt) in block.stmts.iter_mut().enumerate() {
        inner_blocks(stmt, machine);
        conditions(stmt, machine);
        let tail = k == last && matches!(stmt, Stmt::Expr(_, None));
        if tail && !tail_too {
            continue;
        }
        if let Some(wrapped) = wrap(stmt, machine) {
            *stmt = wrapped;
        }
    }
}

/// The blocks inside a statement (a loop's body, an `if`'s branches, ..): their statements
/// first, but not their tails, whose temporaries belong to the statement around them. Not
/// inside closures, `async` blocks or items, which are not the fn's code.
fn inner_blocks(stmt: &mut Stmt, machine: &Apart) {
    struct Inner<'a, 'b>(&'a Apart<'b>);
    impl syn::visit_mut::VisitMut for Inner<'_, '_> {
        fn visit_block_mut(&mut self, b: &mut Block) {
            statements(b, self.0, false);
        }
        fn visit_expr_closure_mut(&mut self, _: &mut syn::ExprClosure) {}
        fn visit_expr_async_mut(&mut self, _: &mut syn::ExprAsync) {}
        fn visit_item_mut(&mut self, _: &mut syn::Item) {}
    }
    syn::visit_mut::VisitMut::visit_stmt_mut(&mut Inner(machine), stmt);
}

/// The conditions of `if` and `while` in a statement (not `let` ones): a temporary scope of
/// their own in every edition, so each can be an island alone, and the branches stay states
/// of the machine (`if counter(..).cancel_on_shutdown(subsys).await.is_ok() { .. }`).
fn conditions(stmt: &mut Stmt, machine: &Apart) {
    struct Conditions<'a, 'b>(&'a Apart<'b>);
    impl Conditions<'_, '_> {
        fn condition(&self, cond: &mut Expr) {
            use quote::ToTokens;
            let has_let = cond
                .to_token_stream()
                .into_iter()
                .any(|t| matches!(t, proc_macro2::TokenTree::Ident(i) if i == "let"));
            if !has_let
                && needs_island(cond)
                && crate::island::jumps_can_leave(cond.to_token_stream())
            {
                *cond = run_apart(cond.clone(), self.0);
            }
        }
    }
    impl syn::visit_mut::VisitMut for Conditions<'_, '_> {
        fn visit_expr_if_mut(&mut self, e: &mut syn::ExprIf) {
            self.condition(&mut e.cond);
            syn::visit_mut::visit_expr_if_mut(self, e);
        }
        fn visit_expr_while_mut(&mut self, e: &mut syn::ExprWhile) {
            self.condition(&mut e.cond);
            syn::visit_mut::visit_expr_while_mut(self, e);
        }
        fn visit_expr_closure_mut(&mut self, _: &mut syn::ExprClosure) {}
        fn visit_expr_async_mut(&mut self, _: &mut syn::ExprAsync) {}
        fn visit_item_mut(&mut self, _: &mut syn::Item) {}
        fn visit_macro_mut(&mut self, _: &mut syn::Macro) {}
    }
    syn::visit_mut::VisitMut::visit_stmt_mut(&mut Conditions(machine), stmt);
}

/// The statement as an island, when it has such a call and can be one.
fn wrap(stmt: &Stmt, machine: &Apart) -> Option<Stmt> {
    let mark = |e: Expr| run_apart(e, machine);
    match stmt {
        Stmt::Local(l) => {
            let init = l.init.as_ref()?;
            let diverge = init.diverge.as_ref().map(|(_, e)| &**e);
            if !needs_island(&init.expr) && !diverge.is_some_and(needs_island) {
                return None;
            }
            if crate::anchor::binds_by_ref(&l.pat) || !can_leave(stmt) {
                return None;
            }
            let attrs = &l.attrs;
            if diverge.is_none() && crate::anchor::simple_binding(&l.pat).is_some() {
                let (pat, value) = (&l.pat, mark((*init.expr).clone()));
                return Some(parse_quote!(#(#attrs)* let #pat = #value;));
            }
            let names = crate::mentions::binding_idents(&l.pat);
            let inside: Vec<&syn::Ident> = names.iter().map(|p| &p.ident).collect();
            let outside = names.iter().map(|p| {
                let (m, i) = (&p.mutability, &p.ident);
                quote!(#m #i)
            });
            let mut local = l.clone();
            local.attrs.clear();
            let value = mark(parse_quote!({ #local (#(#inside,)*) }));
            Some(parse_quote!(#(#attrs)* let (#(#outside,)*) = #value;))
        }
        Stmt::Expr(e, semi) => {
            if matches!(
                e,
                Expr::If(_)
                    | Expr::Match(_)
                    | Expr::While(_)
                    | Expr::ForLoop(_)
                    | Expr::Loop(_)
                    | Expr::Block(_)
                    | Expr::Unsafe(_)
            ) || !needs_island(e)
                || !can_leave(stmt)
            {
                return None;
            }
            Some(match semi {
                Some(_) => Stmt::Expr(mark(parse_quote!({ #e; })), Some(Default::default())),
                None => Stmt::Expr(mark(e.clone()), None),
            })
        }
        _ => None,
    }
}

/// `e` run apart from the machine's states, where rustc settles its temporaries: a plain
/// `async` block awaited as one state when `e` does not leave the code around it (`return`,
/// `?`, `break`, `continue`), also when its one `?` is the last thing it does (`async {
/// chain.await }.await?`), and uses locals only as places; else an island (`statement!`),
/// whose block can leave and take a local out of its home.
fn run_apart(e: Expr, apart: &Apart) -> Expr {
    if !leaves(&e) && !takes_a_local(&e, apart.copies) {
        return parse_quote!(async { #e }.await);
    }
    if let Expr::Try(t) = &e
        && !leaves(&t.expr)
        && !takes_a_local(&t.expr, apart.copies)
    {
        let inner = &t.expr;
        return parse_quote!(async { #inner }.await?);
    }
    let machine = apart.machine;
    parse_quote!(#machine::statement!(#e))
}

/// Does `e` use a local by value (`build(extra)`)? An `async` block that is not `move`
/// captures a value so used by value or, when it is `Copy`, by reference: only an island's
/// block (whose code takes it out of its fixed home where it runs, `Taker`) is right for both.
/// Places (`&pool`, `self.x.len()`) and arguments surely `Copy` (`n: u32` in
/// `Builder::new(n)`, read through the reference) leave the plain block right.
fn takes_a_local(e: &Expr, copies: &[syn::Ident]) -> bool {
    use crate::mentions::Use;
    crate::mentions::expr_mentions(e).iter().any(|m| {
        let copied = m.kind == Use::Move && copies.iter().any(|c| *c == m.name);
        (matches!(m.kind, Use::Move | Use::Part) && !copied)
            || matches!(m.kind, Use::Receiver(c) if c != Consumes::No)
    })
}

/// Does `e` leave the code around it: `return`, `?`, a `break` or `continue` (outside the
/// closures and `async` blocks it writes; a macro's tokens with any of them count)?
fn leaves(e: &Expr) -> bool {
    struct Leaves(bool);
    impl<'ast> Visit<'ast> for Leaves {
        fn visit_expr_return(&mut self, _: &'ast syn::ExprReturn) {
            self.0 = true;
        }
        fn visit_expr_try(&mut self, _: &'ast syn::ExprTry) {
            self.0 = true;
        }
        fn visit_expr_break(&mut self, _: &'ast syn::ExprBreak) {
            self.0 = true;
        }
        fn visit_expr_continue(&mut self, _: &'ast syn::ExprContinue) {
            self.0 = true;
        }
        fn visit_macro(&mut self, m: &'ast syn::Macro) {
            self.0 |= crate::island::leaves_or_awaits(m.tokens.clone());
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
        fn visit_expr_async(&mut self, _: &'ast syn::ExprAsync) {}
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut l = Leaves(false);
    l.visit_expr(e);
    l.0
}

/// Can the island leave where the statement does? A `break` with a value out of it cannot
/// (`island.rs` answers it with a `compile_error!`): such a statement keeps the slots.
fn can_leave(stmt: &Stmt) -> bool {
    use quote::ToTokens;
    crate::island::jumps_can_leave(stmt.to_token_stream())
}

/// Does the expression call a method the heuristic does not know on a temporary, in a chain
/// that is awaited (outside closures, `async` blocks, macros)? (Not one that awaits in its
/// arguments, `v.as_ptr().add(f().await)`: the receiver is mostly a borrow there, and an
/// island costs its state more than the slot does.)
fn needs_island(e: &Expr) -> bool {
    struct Find(bool);
    impl<'ast> Visit<'ast> for Find {
        fn visit_expr_await(&mut self, a: &'ast syn::ExprAwait) {
            self.0 |= unsettled_on_temporary(&a.base);
            syn::visit::visit_expr_await(self, a);
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
        fn visit_expr_async(&mut self, _: &'ast syn::ExprAsync) {}
        fn visit_item(&mut self, _: &'ast syn::Item) {}
        fn visit_macro(&mut self, _: &'ast syn::Macro) {}
    }
    let mut f = Find(false);
    f.visit_expr(e);
    f.0
}

/// Along the receivers of a method chain (`a().b().c()`): a method not known to the
/// heuristic, called on a temporary?
fn unsettled_on_temporary(e: &Expr) -> bool {
    match e {
        Expr::Paren(p) => unsettled_on_temporary(&p.expr),
        Expr::Try(t) => unsettled_on_temporary(&t.expr),
        Expr::MethodCall(m) => unsettled_link(m) || unsettled_on_temporary(&m.receiver),
        _ => false,
    }
}

/// `r.m(..)` with `r` a temporary and `m` a method whose `self` the heuristic leaves open.
fn unsettled_link(m: &syn::ExprMethodCall) -> bool {
    let name = m.method.to_string();
    is_temporary(&m.receiver)
        && receiver_consumes(&name) == Consumes::No
        && !may_take_self(&name)
        && !known_to_borrow(&name)
        && !returns_owned(&name)
}

/// A value made by the statement, not a place: a call, a method call, a macro, a literal.
fn is_temporary(e: &Expr) -> bool {
    match e {
        Expr::Paren(p) => is_temporary(&p.expr),
        Expr::Call(_) | Expr::MethodCall(_) | Expr::Macro(_) | Expr::Struct(_) => true,
        _ => false,
    }
}
