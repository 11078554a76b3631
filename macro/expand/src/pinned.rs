//! `tokio::pin!(x);` and `futures::pin_mut!(x);` written out.
//!
//! Both move `x` and shadow it with a `Pin<&mut _>` to the value, which then never moves
//! again: `let mut x = x; let mut x = unsafe { Pin::new_unchecked(&mut x) };`. Hidden in the macro, that new `x` is invisible
//! to the transform, which would move the old one into the state at the next `.await` and
//! leave the pin dangling (rustc rejects it, or the rewrite of the macro's tokens breaks the
//! macro's grammar). Written out, the new `x` is a local like any other: it borrows the old
//! one, which therefore gets a fixed home that never moves, as the `unsafe` promise requires.
//! `tokio::pin! { let x = expr; }` becomes `let mut x = expr;` and the same.

use quote::quote;
use syn::visit_mut::VisitMut;
use syn::{Block, Ident, Stmt, Token, parse_quote};

/// Writes out every `pin!`/`pin_mut!` statement of `block` (not inside closures, `async`
/// blocks or items) whose input is names, or `let name = expr;` statements.
pub fn write_out(block: &mut Block) {
    PinStatements.visit_block_mut(block);
}

struct PinStatements;

impl VisitMut for PinStatements {
    fn visit_block_mut(&mut self, b: &mut Block) {
        let stmts = std::mem::take(&mut b.stmts);
        for mut s in stmts {
            match pinned_names(&s) {
                Some(lets) => b.stmts.extend(lets),
                None => {
                    self.visit_stmt_mut(&mut s);
                    b.stmts.push(s);
                }
            }
        }
    }
    fn visit_expr_closure_mut(&mut self, _: &mut syn::ExprClosure) {}
    fn visit_expr_async_mut(&mut self, _: &mut syn::ExprAsync) {}
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// The statements a `pin!(a, b)` / `pin! { let a = e; }` statement stands for.
fn pinned_names(s: &Stmt) -> Option<Vec<Stmt>> {
    let Stmt::Macro(m) = s else { return None };
    let name = m.mac.path.segments.last()?.ident.to_string();
    if name != "pin" && name != "pin_mut" {
        return None;
    }
    let pin = |x: &Ident| -> Stmt {
        let safety = "// SAFETY: the pinned value is shadowed by this pin and never named again, \
                      so it never moves: it lives in a fixed home of the pinned future when \
                      kept across an `.await` (what `tokio::pin!` promises, written out).";
        let call = quote!(::core::pin::Pin::new_unchecked(&mut #x));
        parse_quote! {
            #[doc = #safety]
            let mut #x = unsafe { #call };
        }
    };
    let names = m
        .mac
        .parse_body_with(syn::punctuated::Punctuated::<Ident, Token![,]>::parse_terminated);
    if let Ok(names) = names
        && !names.is_empty()
    {
        // (Moved first, as `tokio::pin!` does: the value is owned, and `mut`.)
        let moved = |x: &Ident| -> Stmt { parse_quote!(let mut #x = #x;) };
        return Some(names.iter().flat_map(|x| [moved(x), pin(x)]).collect());
    }
    // `tokio::pin! { let a = expr; let b = expr; }`
    let lets = m.mac.parse_body_with(|input: syn::parse::ParseStream| {
        let mut out = Vec::new();
        while !input.is_empty() {
            input.parse::<Token![let]>()?;
            let x: Ident = input.parse()?;
            input.parse::<Token![=]>()?;
            let e: syn::Expr = input.parse()?;
            input.parse::<Token![;]>()?;
            out.push((x, e));
        }
        Ok(out)
    });
    let lets = lets.ok().filter(|l| !l.is_empty())?;
    let mut out = Vec::new();
    for (x, e) in lets {
        out.push(parse_quote!(let mut #x = #e;));
        out.push(pin(&x));
    }
    Some(out)
}
