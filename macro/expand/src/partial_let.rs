//! Partial moves by a pattern, spelled field by field.
//!
//! `let (a, _) = pair;` moves `pair.0` and leaves `pair.1` where it is: a partly moved local,
//! whose rest drops at the end of `pair`'s scope (Reference, "Destructors": a partly moved
//! variable drops the fields that were not moved). The analysis tracks parts taken as places
//! (`pair.0`), not parts a pattern takes, so this pass writes such a `let` with the places
//! spelled out:
//!
//! ```text
//! let (a, _) = pair;                  →  let a = pair.0;
//! let S { a, b: (ref c, _), .. } = s;  →  let (a, c) = (s.a, &s.b.0);
//! ```
//!
//! A `ref` binding becomes a borrow of its place, so the rest stays in place for it too. The
//! bindings are bound by one tuple `let`, in their order: they drop in the same order, and a
//! binding that shadows the local (`let (pair, _) = pair;`) does not change what the next place
//! names.
//!
//! Only what the places can say is rewritten: tuples, structs and tuple structs of bindings,
//! `_` and a trailing `..` (whose skipped fields stay), nested freely, from a local or a field
//! of one. Not slices (`[a, ..]`: an element is no place that can be moved out) or a pattern
//! with a type (`let (a, _): (A, B) = p;`). The local is taken not to be a reference: were it one,
//! `pair.0` moves out of the reference (E0507) where the pattern bound `a` by reference.

use syn::visit_mut::VisitMut;
use syn::{Expr, Member, Pat, Stmt, parse_quote};

/// Rewrites every `let` in `block` (closures and `async` blocks included, nested items not)
/// that moves part of a local by its pattern.
pub fn split_all(block: &mut syn::Block) {
    struct Splitter;
    impl VisitMut for Splitter {
        fn visit_stmt_mut(&mut self, s: &mut Stmt) {
            syn::visit_mut::visit_stmt_mut(self, s);
            if let Some(split) = split(s) {
                *s = split;
            }
        }
        fn visit_item_mut(&mut self, _: &mut syn::Item) {}
    }
    Splitter.visit_block_mut(block);
}

/// `let PAT = place;` with the places of `PAT`'s bindings spelled out, when `PAT` leaves part
/// of `place` where it is (a `_`, a `..` or a `ref` binding in it); `None` otherwise.
pub fn split(s: &Stmt) -> Option<Stmt> {
    let Stmt::Local(l) = s else { return None };
    let init = l.init.as_ref()?;
    if init.diverge.is_some() || !l.attrs.is_empty() || !is_place(&init.expr) {
        return None;
    }
    let mut parts = Parts::default();
    parts.walk(&l.pat, &init.expr)?;
    if !parts.leaves_some || parts.pats.is_empty() {
        return None;
    }
    let (pats, places) = (&parts.pats, &parts.places);
    Some(if let ([pat], [place]) = (&pats[..], &places[..]) {
        parse_quote!(let #pat = #place;)
    } else {
        parse_quote!(let (#(#pats),*) = (#(#places),*);)
    })
}

/// The place being taken apart: a local, or a field of one (`self.pair.0`).
fn is_place(e: &Expr) -> bool {
    match e {
        Expr::Path(p) => p.qself.is_none() && p.path.get_ident().is_some(),
        Expr::Field(f) => is_place(&f.base),
        Expr::Paren(p) => is_place(&p.expr),
        _ => false,
    }
}

/// The bindings of a pattern with the place each one binds.
#[derive(Default)]
struct Parts {
    /// Each binding, by value: `a`, `mut a`.
    pats: Vec<Pat>,
    /// Its place: `p.0`, or `&p.0` / `&mut p.0` for a `ref` / `ref mut` binding.
    places: Vec<Expr>,
    /// Does the pattern leave part of the place where it is?
    leaves_some: bool,
}

impl Parts {
    /// `None` when the pattern is not made only of what the places can say.
    fn walk(&mut self, pat: &Pat, place: &Expr) -> Option<()> {
        match pat {
            Pat::Wild(_) => self.leaves_some = true,
            Pat::Ident(i) if i.subpat.is_none() && crate::mentions::looks_like_binding(i) => {
                let (ident, mutability) = (&i.ident, &i.mutability);
                let place = match (&i.by_ref, &i.mutability) {
                    (None, _) => place.clone(),
                    (Some(_), None) => parse_quote!(&#place),
                    (Some(_), Some(_)) => parse_quote!(&mut #place),
                };
                if i.by_ref.is_some() {
                    self.leaves_some = true;
                    self.pats.push(parse_quote!(#ident));
                } else {
                    self.pats.push(parse_quote!(#mutability #ident));
                }
                self.places.push(place);
            }
            Pat::Paren(p) => self.walk(&p.pat, place)?,
            Pat::Tuple(t) => self.elements(&t.elems, place)?,
            Pat::TupleStruct(t) if t.qself.is_none() => self.elements(&t.elems, place)?,
            Pat::Struct(s) if s.qself.is_none() => {
                for field in &s.fields {
                    let member = &field.member;
                    self.walk(&field.pat, &parse_quote!(#place.#member))?;
                }
                if s.rest.is_some() {
                    self.leaves_some = true;
                }
            }
            _ => return None,
        }
        Some(())
    }

    /// The elements of a tuple or tuple struct pattern: by index, up to a trailing `..`.
    fn elements(
        &mut self,
        elems: &syn::punctuated::Punctuated<Pat, syn::Token![,]>,
        place: &Expr,
    ) -> Option<()> {
        for (k, p) in elems.iter().enumerate() {
            if let Pat::Rest(_) = p {
                // Only a trailing `..`: after one in the middle, indices count from the end.
                if k + 1 != elems.len() {
                    return None;
                }
                self.leaves_some = true;
                continue;
            }
            let member = Member::Unnamed(syn::Index::from(k));
            self.walk(p, &parse_quote!(#place.#member))?;
        }
        Some(())
    }
}
