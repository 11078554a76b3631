//! Fixed homes: locals that stay borrowed across an `.await`.
//!
//! The lowering moves the locals that live across an `.await` into the state's variant and back
//! out when the state resumes. That is fine for a local nobody borrows; but in
//!
//! ```text
//! let v = vec![1, 2, 3];
//! for x in &v { step(x).await; }     // the loop's iterator borrows `v` across the `.await`
//! ```
//!
//! moving `v` would leave the iterator pointing at its old place. Such a local gets a **fixed
//! home**: a slot of its own in the pinned future (`homes`), outside the enum, where its value
//! stays from its `let` to the end of its scope. The local itself becomes a small handle,
//! `Home<V, N>` (a pointer, and a drop flag when the body may move the local out), which moves
//! between states like any other local and drops the value where rustc would drop the local.
//!
//! Every mention of the local is rewritten to go through the handle, by what the mention does:
//!
//! | the body says | becomes | why |
//! |---|---|---|
//! | `&v`, `&v.f`, `&mut v[i]` | `&(*v.shared()).f`, `&mut (*v.exclusive())[i]` | a borrow that may be kept across states, so not tied to the handle |
//! | `v.iter()`, `v.iter_mut()`, `match v { ref x => .. }` | the same, through `shared` / `exclusive` | known borrowing methods, `ref` bindings |
//! | `t.name()` on a local not declared `mut` | `(*t.shared()).name()` | any method borrows it shared; its result may be kept |
//! | `v.len()`, `v.f`, `v[i]`, `v == w`, `v()`, `match v`, macro arguments | `(*v)` | a place, through `Deref`/`DerefMut` |
//! | `f(v)`, `let w = v;`, `v + 1`, `S { f: v }`, `return v` | `v.take()` | a value: a move (or a copy), so the handle will not drop it |
//! | `v = e` | `match e { value => v.set(value) }` | drops the old value unless it was moved out |
//!
//! `take()` is written only where the syntax says "value"; a wrong `take()` would drop the value
//! while the home is still in use. Everything else is a place: a method that really takes `self`
//! by value (`v.into_iter()`) then gets rustc's "cannot move out of dereference", a compile
//! error, never anything unsound. One exception: a method the receiver heuristic takes to
//! consume its receiver (`into_*`, `unwrap`, ..) gets `v.take()` when that call is the local's
//! one move and its last mention, with no later loop iteration (`Local::moved_last`). Nothing
//! uses the home after it, so even a wrong guess is safe: the value then drops at the end of
//! that statement, not of its scope. Within one statement, "last" is in the order the text is
//! written, except where a loop, closure, `async` block, compound assignment or opaque macro
//! input holds both the mention and the move (`mentions::Mention::regions`): there they count
//! as at the same place, and a borrow there keeps the move from being last.
//!
//! The references the handle gives out are not tied to it, so the borrow checker can no longer see
//! a conflicting use in a later state. The expansion therefore also contains the body exactly as it
//! was written, inside `if false { .. }`: rustc borrow-checks that copy and rejects what it would
//! have rejected in the `async fn`. That copy is never run.

use proc_macro2::{Ident, TokenStream};
use quote::{ToTokens, quote};
use syn::visit_mut::VisitMut;
use syn::{Expr, Pat, Type, parse_quote, parse_quote_spanned};

/// `x`, `mut x`, `x: T`: the name and the type, if any.
pub fn simple_binding(pat: &Pat) -> Option<(&Ident, Option<&Type>)> {
    match pat {
        Pat::Ident(p) if p.subpat.is_none() && p.by_ref.is_none() => Some((&p.ident, None)),
        Pat::Type(t) => match &*t.pat {
            Pat::Ident(p) if p.subpat.is_none() && p.by_ref.is_none() => {
                Some((&p.ident, Some(&*t.ty)))
            }
            _ => None,
        },
        _ => None,
    }
}

/// Does the pattern bind anything by reference (`ref x`, `ref mut x`)? `Some(true)` for `ref mut`.
fn ref_bindings(pat: &Pat) -> Option<bool> {
    struct Refs(Option<bool>);
    impl<'ast> syn::visit::Visit<'ast> for Refs {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            if p.by_ref.is_some() {
                let m = p.mutability.is_some();
                self.0 = Some(self.0.unwrap_or(false) || m);
            }
            syn::visit::visit_pat_ident(self, p);
        }
    }
    let mut r = Refs(None);
    syn::visit::Visit::visit_pat(&mut r, pat);
    r.0
}

/// `ref x` / `ref mut x` somewhere in the pattern.
pub fn binds_by_ref(pat: &Pat) -> bool {
    ref_bindings(pat).is_some()
}

/// Does the pattern bind anything by `ref mut`?
pub fn binds_by_ref_mut(pat: &Pat) -> bool {
    ref_bindings(pat) == Some(true)
}

/// Methods that return a borrow of their receiver, by the borrow they take.
const SHARED: &[&str] = &[
    "iter",
    "as_slice",
    "as_str",
    "as_bytes",
    "as_ref",
    "chars",
    "char_indices",
    "lines",
    "bytes",
    "keys",
    "values",
    "split_whitespace",
    "split",
    "windows",
    "chunks",
    "first",
    "last",
    "get",
    "borrow",
];
const EXCLUSIVE: &[&str] = &[
    "iter_mut",
    "as_mut_slice",
    "as_mut",
    "values_mut",
    "drain",
    "chunks_mut",
    "first_mut",
    "last_mut",
    "get_mut",
    "borrow_mut",
    "split_at_mut",
];

/// Rewrites the mentions of anchored locals (their names are unique in the fn: they were renamed
/// to `<name>_home` with every mention) to go through their handles.
pub struct AnchorUses<'a> {
    pub names: &'a [String],
    /// Anchored locals not declared `mut`: any method borrows them shared, so a method's result
    /// may borrow the home itself (`let t = tmp.name();` kept across an `.await`).
    pub shared_only: &'a [String],
    /// Anchored locals made by a struct or tuple literal, with the fields it names: a `move`
    /// closure using one of those fields takes it.
    pub owned: &'a [(String, Vec<String>)],
    /// Anchored locals whose one move is their last mention: a method the heuristic takes to
    /// consume its receiver (`v.into_iter()`) takes it out of the home.
    pub moved_last: &'a [String],
    /// Anchored locals declared with neither a value nor a type (`let y;`): assigned through
    /// the handle's type (`Home::set(&mut y, value)`), since a method call on a handle whose
    /// value type is not inferred yet is E0282 (the `Deref` to it is ambiguous).
    pub untyped: &'a [String],
    /// The path of `Home`.
    pub home: TokenStream,
    /// The path of `ShownThrough`.
    pub shown_through: TokenStream,
    /// Anchored locals whose one move, maybe conditional, is their last mention: a `match` or
    /// `if let` that moves such a local whole takes it out of its home (see `take_for_match`).
    pub last_move_maybe: &'a [String],
    /// Every local of the fn, by name: a closure that captures no other local than anchored
    /// ones is made `move` (see `borrow_for_closure`).
    pub locals: &'a [String],
    /// Inside a closure or an `async` block (where `moved_last` does not hold).
    pub in_closure: usize,
    /// The first `move` closure or `async move` block that takes an anchored local.
    pub error: Option<crate::error::Error>,
    /// The parts of each local moved out, as an earlier run found them (flag `k` is part `k`).
    pub parts: &'a [(String, Vec<String>)],
    /// The parts moved out in this run: `(local, part)`.
    pub parted: Vec<(String, String)>,
    /// The expression is an awaited future, whose borrows last until it is ready, across
    /// states (and may go on in its output): a method's receiver is taken from the home itself.
    pub kept: bool,
    /// The next `async` block is an island's (`Island::new(.., async { .. })`, see `island.rs`).
    pub island_block: bool,
}

/// How a mention of an anchored local reaches the value in its home.
#[derive(Clone, Copy)]
enum Access {
    /// `(*v)`: through the handle's `Deref`/`DerefMut`, a borrow tied to the handle.
    Deref,
    /// `(*v.shared())`: a shared borrow of the home itself, which may outlive the handle.
    Shared,
    /// `(*v.exclusive())`: the same, exclusive.
    Exclusive,
    /// `(*v.place())`: the value's place in the home, through a raw pointer, for a method
    /// call in an `unsafe` block (see `autoref_call`).
    Place,
}

impl AnchorUses<'_> {
    /// `v.a.b` on an anchored `v`: `v` and `"a.b"`.
    fn field_path(&self, e: &Expr) -> Option<(Ident, String)> {
        match e {
            Expr::Field(f) => {
                let m = match &f.member {
                    syn::Member::Named(i) => i.to_string(),
                    syn::Member::Unnamed(i) => i.index.to_string(),
                };
                if let Some(v) = self.anchored(&f.base) {
                    return Some((v, m));
                }
                let (v, path) = self.field_path(&f.base)?;
                Some((v, format!("{path}.{m}")))
            }
            Expr::Paren(p) => self.field_path(&p.expr),
            _ => None,
        }
    }

    /// Flag `k` of part `path` of `v`; `None` until a run has found the parts.
    fn part_flag(&self, v: &Ident, path: &str) -> Option<usize> {
        let (_, parts) = self.parts.iter().find(|(n, _)| v == n.as_str())?;
        parts.iter().position(|p| p == path)
    }

    /// `v.a` taken by value: part `a` moves out of the home (or is copied).
    fn take_part(&mut self, e: &mut Expr, v: Ident, path: String) {
        // The first run (which finds the parts) has no flags yet, and its code is thrown away;
        // in the run that is kept, every part has its flag.
        let k = match self.part_flag(&v, &path) {
            Some(k) => k,
            None => {
                use syn::spanned::Spanned;
                self.error.get_or_insert_with(|| {
                    crate::error::Error::new(
                        e.span(),
                        "internal error: a part moved out of a fixed home has no flag; please \
                         report this fn",
                    )
                });
                0
            }
        };
        let k = proc_macro2::Literal::usize_unsuffixed(k);
        if !self.parted.contains(&(v.to_string(), path.clone())) {
            self.parted.push((v.to_string(), path));
        }
        let mut place = e.clone();
        self.reroot(&mut place, Access::Shared);
        let part = Ident::new("part", proc_macro2::Span::mixed_site());
        let safety = "// SAFETY: a field of the value in its home, moved out under its flag.";
        *e = parse_quote!({
            #[doc = #safety]
            let #part = unsafe { #v.part(#k, &raw const #place) };
            #part
        });
    }

    /// The anchored local a `match` is on (`match v { .. }`, `match (v) { .. }`).
    pub fn anchored_scrutinee(&self, e: &Expr) -> Option<Ident> {
        self.anchored(strip_parens(e))
    }

    fn anchored(&self, e: &Expr) -> Option<Ident> {
        match e {
            Expr::Path(p)
                if p.qself.is_none()
                    && p.path.leading_colon.is_none()
                    && p.path.segments.len() == 1
                    && p.path.segments[0].arguments.is_none() =>
            {
                let id = &p.path.segments[0].ident;
                self.names
                    .iter()
                    .any(|n| id == n.as_str())
                    .then(|| id.clone())
            }
            _ => None,
        }
    }

    /// `recv.method(..)` whose result is kept across an `.await` and may borrow the receiver
    /// (`let tmp = acc.add(3, x);` with `add(&mut self) -> &mut Self`): an anchored receiver is
    /// taken from the home itself, so that the borrow is not tied to the handle, which moves into
    /// the next state. (The body's copy in `if false { .. }` still has rustc check the borrow.)
    ///
    /// So is every receiver borrowed along the calls that make the value
    /// (`spawn(rx.read_to_end(&mut buf))`, `x.f().g()`), the walk `ir::call_spine_borrows`
    /// makes to find the borrows the value may keep.
    pub fn kept_method_result(&mut self, e: &mut Expr) {
        match e {
            Expr::Paren(p) => self.kept_method_result(&mut p.expr),
            Expr::Try(t) => self.kept_method_result(&mut t.expr),
            Expr::Call(c) => {
                self.visit_expr_mut(&mut c.func);
                c.args.iter_mut().for_each(|a| self.kept_method_result(a));
            }
            Expr::MethodCall(m) => {
                for a in &mut m.args {
                    self.kept_method_result(a);
                }
                // (`send` on a named local borrows: see `Consumes::OnTemporaries`.)
                let by_ref = crate::mentions::receiver_consumes(&m.method.to_string())
                    != crate::mentions::Consumes::Yes;
                match &*m.receiver {
                    Expr::Path(_) | Expr::Field(_) | Expr::Index(_) if by_ref => {
                        // (A local not declared `mut` is borrowed shared; a `mut` one by
                        // autoref, see `autoref_call`.)
                        let not_mut = self.rooted_in_shared_only(&m.receiver);
                        if self.root(&m.receiver).is_none() {
                            self.visit_expr_mut(&mut m.receiver)
                        } else if (not_mut || !self.autoref_call(e))
                            && let Expr::MethodCall(m) = e
                        {
                            self.kept_place(&mut m.receiver)
                        }
                    }
                    // (A receiver the method may take by value: as any other mention.)
                    Expr::Path(_) | Expr::Field(_) | Expr::Index(_) => {
                        self.visit_expr_mut(&mut m.receiver)
                    }
                    _ => self.kept_method_result(&mut m.receiver),
                }
            }
            e => self.visit_expr_mut(e),
        }
    }

    /// The anchored local at the root of a place `v`, `v.f`, `v[i].g`, `(v)`.
    fn root(&self, e: &Expr) -> Option<Ident> {
        match e {
            Expr::Field(f) => self.root(&f.base),
            Expr::Index(i) => self.root(&i.expr),
            Expr::Paren(p) => self.root(&p.expr),
            e => self.anchored(e),
        }
    }

    /// Replaces an anchored root of a place with its access through the handle (`(*v)`,
    /// `(*v.shared())`, `(*v.exclusive())`; each mention keeps the user's span).
    fn reroot(&mut self, e: &mut Expr, how: Access) {
        match how {
            Access::Deref => self.replace_root(e, &|v| parse_quote_spanned!(v.span()=> (*#v))),
            Access::Shared => {
                self.replace_root(e, &|v| parse_quote_spanned!(v.span()=> (*#v.shared())))
            }
            Access::Exclusive => {
                self.replace_root(e, &|v| parse_quote_spanned!(v.span()=> (*#v.exclusive())))
            }
            Access::Place => {
                self.replace_root(e, &|v| parse_quote_spanned!(v.span()=> (*#v.place())))
            }
        }
    }

    /// Replaces the root of a place with `with(root)`, visiting the index operands on the way.
    fn replace_root(&mut self, e: &mut Expr, with: &dyn Fn(&Ident) -> Expr) {
        match e {
            Expr::Field(f) => self.replace_root(&mut f.base, with),
            Expr::Index(i) => {
                self.visit_expr_mut(&mut i.index);
                self.replace_root(&mut i.expr, with)
            }
            Expr::Paren(p) => self.replace_root(&mut p.expr, with),
            e => {
                if let Some(v) = self.anchored(e) {
                    *e = with(&v);
                }
            }
        }
    }

    /// A mention as a place: through `Deref`/`DerefMut` when it is the local itself.
    fn place(&mut self, e: &mut Expr) {
        if self.kept {
            // Taken from the home itself: the future may keep it, and the handle may be a
            // reference into the state (see `Gen::suspend`).
            self.kept_place(e);
        } else if self.root(e).is_some() {
            self.reroot(e, Access::Deref);
        } else {
            self.visit_expr_mut(e);
        }
    }

    /// `v.m(args)` on an anchored `v` whose borrow may outlive the handle (the call's result
    /// is kept, or is a method known to return a borrow of its receiver): the receiver is the
    /// value's place in its home, `(*v.place())`, so that rustc's autoref borrows it `&` or
    /// `&mut` as `m` takes it, exactly as the body as written does. (`shared()` fails on a
    /// `&mut self` method, E0596; `exclusive()` on a `&self` method claims the value alone
    /// while the body as written may hold shared borrows of it, undefined behaviour under
    /// Stacked Borrows.) The call is in an `unsafe` block; the arguments that may make
    /// temporaries are evaluated before it, in a `match` (the block would drop them at the
    /// end of `let out = ..;`, not at the end of the statement). The others (names,
    /// closures, borrows of places, see `makes_no_temporary`) stay in place; a closure's
    /// parameter types come from the method. (rustc's `dangerous_implicit_autorefs`, allowed
    /// in the poll function, warns of an autoref through a raw pointer that goes on through
    /// `Deref`, `s.len()` on a `String`: the reference it makes is as valid as `shared()`'s.)
    ///
    /// The arguments are rewritten already. `false`, and nothing changed, when an index on
    /// the way to `v` is computed (`v.items[next()]`): evaluating it after the arguments would
    /// change the order of their effects.
    fn autoref_call(&mut self, e: &mut Expr) -> bool {
        let Expr::MethodCall(m) = e else {
            return false;
        };
        if !indices_are_plain(&m.receiver) {
            return false;
        }
        self.reroot(&mut m.receiver, Access::Place);
        let mut hoisted = Vec::new();
        let mut names = Vec::new();
        for (k, a) in m.args.iter_mut().enumerate() {
            if self.makes_no_temporary(a) {
                continue;
            }
            let name = Ident::new(&format!("arg{k}"), proc_macro2::Span::mixed_site());
            hoisted.push(std::mem::replace(a, parse_quote!(#name)));
            names.push(name);
        }
        let out = Ident::new("out", proc_macro2::Span::mixed_site());
        let safety = "// SAFETY: the value's place in its home, borrowed as the body as written \
                      borrows it (see `Home::place`).";
        let call: Expr = parse_quote!({
            #[doc = #safety]
            let #out = unsafe { #m };
            #out
        });
        *e = if hoisted.is_empty() {
            call
        } else {
            parse_quote!(match (#(#hoisted,)*) { (#(#names,)*) => #call })
        };
        true
    }

    /// Whether evaluating `e` surely makes no temporary: names, literals, closures, places
    /// (through a handle too), borrows of places, and calls and constructors of those, whose
    /// results are moved into their callee (`&mut buf`, `(*frames).len()`, `Some(k)`).
    fn makes_no_temporary(&self, e: &Expr) -> bool {
        match e {
            Expr::Path(_) | Expr::Lit(_) | Expr::Closure(_) => true,
            Expr::Paren(p) => self.makes_no_temporary(&p.expr),
            Expr::Reference(r) => self.is_place(&r.expr),
            Expr::Field(_) | Expr::Index(_) => self.is_place(e),
            Expr::Unary(u) => match u.op {
                syn::UnOp::Deref(_) => self.is_place(e),
                _ => self.makes_no_temporary(&u.expr),
            },
            Expr::Cast(c) => self.makes_no_temporary(&c.expr),
            Expr::MethodCall(m) => {
                self.is_place(&m.receiver) && m.args.iter().all(|a| self.makes_no_temporary(a))
            }
            Expr::Call(c) => {
                matches!(&*c.func, Expr::Path(_))
                    && c.args.iter().all(|a| self.makes_no_temporary(a))
            }
            Expr::Tuple(t) => t.elems.iter().all(|a| self.makes_no_temporary(a)),
            Expr::Array(a) => a.elems.iter().all(|a| self.makes_no_temporary(a)),
            Expr::Struct(st) => {
                st.rest.is_none() && st.fields.iter().all(|f| self.makes_no_temporary(&f.expr))
            }
            _ => false,
        }
    }

    /// A place whose evaluation makes no temporary: `x`, `x.f[k]`, `*r`, and the value in a
    /// home as this pass writes it (`(*v.exclusive())`).
    fn is_place(&self, e: &Expr) -> bool {
        match e {
            // (A local: a `const` borrowed is a temporary.)
            Expr::Path(p) => p.path.get_ident().is_some_and(|i| {
                i.to_string()
                    .starts_with(|c: char| c.is_lowercase() || c == '_')
            }),
            Expr::Paren(p) => self.is_place(&p.expr),
            Expr::Field(f) => self.is_place(&f.base),
            Expr::Index(i) => self.is_place(&i.expr) && self.makes_no_temporary(&i.index),
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => match &*u.expr {
                Expr::MethodCall(m) if m.args.is_empty() => {
                    self.anchored(&m.receiver).is_some()
                        && ["shared", "exclusive", "place"].contains(&&*m.method.to_string())
                }
                inner => self.is_place(inner),
            },
            _ => false,
        }
    }

    /// A place whose borrow may be kept across states (in an awaited future, or in a method's
    /// result that is kept): through `shared()` or `exclusive()`, not tied to the handle.
    fn kept_place(&mut self, e: &mut Expr) {
        if self.root(e).is_none() {
            return self.visit_expr_mut(e);
        }
        if self.rooted_in_shared_only(e) {
            self.reroot(e, Access::Shared);
        } else {
            self.reroot(e, Access::Exclusive);
        }
    }

    /// Is the place's root an anchored local not declared `mut` (`shared_only`)?
    fn rooted_in_shared_only(&self, e: &Expr) -> bool {
        self.root(e)
            .is_some_and(|v| self.shared_only.iter().any(|n| v == n.as_str()))
    }

    /// A `match` or `if let` scrutinee: a place. When the patterns bind by reference, the
    /// bindings may be kept across an `.await`, so they borrow the home, not the handle.
    pub fn scrutinee<'p>(&mut self, e: &mut Expr, pats: impl IntoIterator<Item = &'p Pat>) {
        let refs = pats
            .into_iter()
            .filter_map(ref_bindings)
            .reduce(|a, b| a || b);
        match refs {
            Some(true) if self.root(e).is_some() => self.reroot(e, Access::Exclusive),
            Some(false) if self.root(e).is_some() => self.reroot(e, Access::Shared),
            _ => self.place(e),
        }
    }

    /// `match r { Ok(v) => a, Err(_) => b }` or `if let Ok(v) = r { a } else { b }` on an
    /// anchored `r`: the pattern moves `r` out, but only when it matches, and a pattern cannot
    /// move out of the home (`(*r)` is a place behind `Deref`). Such a local gets a home for
    /// its drop flag in the first place: rustc drops it at the end of its scope when it was not
    /// moved. So the value is taken out only when the pattern matches:
    ///
    /// ```text
    /// match r.take() { Ok(v) => a, value @ (Err(_)) => { r.set(value); b } }
    /// if let Some(Ok(v)) = r.take_if(|value| matches!(value, Ok(_))) { a } else { b }
    /// ```
    ///
    /// (The second form also works in a chain, `if let Some(v) = a && let Some(w) = b`.) Only
    /// when this is `r`'s one move and last mention (no later iteration), outside closures, and
    /// when a pattern that binds moves all of the value (no `_`, no `..`: what a pattern leaves
    /// behind would drop at the end of the `match`, not of `r`'s scope); in a `match`, every
    /// other arm binds nothing, and no guard reads `r` (its home is empty while the `match`
    /// runs). Otherwise the pattern stays a place, and a move out of it is rustc's E0507.
    fn take_for_match(&mut self, e: &mut Expr) -> bool {
        match e {
            Expr::Match(m) => self.take_for_arms(m),
            Expr::If(i) => {
                if !self.chain_takes(&i.cond) {
                    return false;
                }
                self.take_in_chain(&mut i.cond);
                self.visit_block_mut(&mut i.then_branch);
                if let Some((_, els)) = &mut i.else_branch {
                    self.visit_expr_mut(els);
                }
                true
            }
            _ => false,
        }
    }

    /// An `if` condition written apart from its `if` (a construct's): see `take_for_match`.
    pub fn condition(&mut self, cond: &mut Expr) {
        if self.chain_takes(cond) {
            self.take_in_chain(cond);
        } else {
            self.visit_expr_mut(cond);
        }
    }

    /// A construct's `match` on an anchored local that its arms move whole (see
    /// `take_for_match`): the local to take out of its home, and for each arm whether it
    /// binds nothing (and so puts the value back). The caller writes the code.
    pub fn taken_by_arms(&self, scrutinee: &Expr, pats: &[&Pat]) -> Option<(Ident, Vec<bool>)> {
        let v = self.anchored(strip_parens(scrutinee))?;
        let mut moves = false;
        let mut puts_back = Vec::new();
        for pat in pats {
            let (pat, guard) = match pat {
                Pat::Guard(g) => (&*g.pat, Some(&*g.guard)),
                other => (*other, None),
            };
            if guard.is_some_and(|g| {
                crate::mentions::expr_mentions(g)
                    .iter()
                    .any(|m| v == m.name.as_str())
            }) {
                return None;
            }
            let binds_nothing = crate::mentions::pat_bindings(pat).is_empty();
            puts_back.push(binds_nothing);
            if binds_nothing {
                continue;
            }
            self.taken_whole(scrutinee, pat)?;
            moves = true;
        }
        moves.then_some((v, puts_back))
    }

    /// The anchored local that `let pat = scrutinee` (or an arm) moves whole, when
    /// `take_for_match` may take it out of its home.
    fn taken_whole(&self, scrutinee: &Expr, pat: &Pat) -> Option<Ident> {
        let v = self.anchored(strip_parens(scrutinee))?;
        let ok = self.in_closure == 0
            && self.last_move_maybe.iter().any(|n| v == n.as_str())
            && !crate::mentions::pat_bindings(pat).is_empty()
            && crate::mentions::binds_by_value(pat)
            && leaves_nothing(pat);
        ok.then_some(v)
    }

    /// Does an `if` condition have a `let` that `take_in_chain` rewrites?
    fn chain_takes(&self, cond: &Expr) -> bool {
        crate::mentions::chain_operands(cond)
            .into_iter()
            .any(|e| matches!(e, Expr::Let(l) if self.taken_whole(&l.expr, &l.pat).is_some()))
    }

    fn take_in_chain(&mut self, cond: &mut Expr) {
        for operand in crate::mentions::chain_operands_mut(cond) {
            let Expr::Let(l) = operand else {
                self.visit_expr_mut(operand);
                continue;
            };
            let Some(v) = self.taken_whole(&l.expr, &l.pat) else {
                self.scrutinee(&mut l.expr, [&*l.pat]);
                continue;
            };
            let pat = &*l.pat;
            let test = crate::normalize::wildcard_bindings(pat.clone());
            let value = Ident::new("value", proc_macro2::Span::mixed_site());
            *l.expr = parse_quote_spanned!(v.span()=>
                #v.take_if(|#value| ::core::matches!(#value, #test)));
            *l.pat = parse_quote!(::core::option::Option::Some(#pat));
        }
    }

    /// The `match` form of `take_for_match`.
    fn take_for_arms(&mut self, m: &mut syn::ExprMatch) -> bool {
        let pats: Vec<&Pat> = m.arms.iter().map(|a| &a.pat).collect();
        let Some((v, _)) = self.taken_by_arms(&m.expr, &pats) else {
            return false;
        };
        let taken = TakenByArms::new(&v);
        for arm in &mut m.arms {
            self.visit_arm_mut(arm);
            let pat = match &mut arm.pat {
                Pat::Guard(g) => &mut *g.pat,
                other => other,
            };
            if crate::mentions::pat_bindings(pat).is_empty() {
                *pat = taken.pat(pat);
                *arm.body = taken.body(&*arm.body);
            }
        }
        *m.expr = taken.scrutinee;
        true
    }

    /// A `move` closure or `async move` block that uses only fields of anchored locals
    /// (`move || p.a.len()`) captures those fields alone (edition 2021's disjoint captures). Each
    /// field moves out of its home into a local made just before the closure, and the closure
    /// uses that local: the same capture, and the home drops the rest. `false` (nothing
    /// rewritten) when the closure uses an anchored local as a whole, or a field that is not
    /// one its literal named (a field of a field, a field of a local not surely owned).
    fn capture_parts(&mut self, e: &mut Expr) -> bool {
        let mut finder = CapturedFields {
            uses: self,
            found: Vec::new(),
            whole: false,
        };
        let mut moving = e.clone();
        match &mut moving {
            Expr::Closure(c) => finder.visit_expr_mut(&mut c.body),
            Expr::Async(a) => finder.visit_block_mut(&mut a.block),
            _ => return false,
        }
        let CapturedFields { found, whole, .. } = finder;
        // A literal names its own fields only, one deep: `p.a.b` never passes.
        if whole
            || found.is_empty()
            || found.iter().any(|(v, path, _)| {
                !self
                    .owned
                    .iter()
                    .any(|(n, fields)| v == n.as_str() && fields.contains(path))
            })
        {
            return false;
        }
        let mut lets = Vec::new();
        for (v, path, local) in &found {
            let field: syn::Member = syn::parse_str(path).expect("a literal's field is a member");
            let mut place: Expr = parse_quote!(#v.#field);
            self.take_part(&mut place, v.clone(), path.clone());
            lets.push(quote::quote!(let #local = #place;));
        }
        *e = parse_quote!({ #(#lets)* #moving });
        true
    }

    /// A closure that is not `move` borrows the anchored locals it uses. Written as it is, it
    /// would borrow their handles, which move from state to state; instead each is borrowed from
    /// its home just before the closure (`let count = count_home.exclusive();`, `shared()` when
    /// the closure does not write it), and the closure uses that reference, also in the tokens
    /// of a macro it does not know (`(*borrowed0)`).
    fn borrow_for_closure(&mut self, e: &mut Expr) -> bool {
        let run = |uses: &AnchorUses, body: &mut Expr, taken: &[Ident]| {
            let mut finder = ClosureBorrows {
                uses,
                taken,
                found: Vec::new(),
                island: false,
                takers: Vec::new(),
                error: None,
                parted: Vec::new(),
            };
            let inline = finder.inline_args(quote::ToTokens::to_token_stream(&*body));
            finder.visit_expr_mut(body);
            if !inline.is_empty() {
                let writers = uses.writers(&finder.found, &finder.takers);
                let shadows =
                    shadow_inline_args(&inline, &finder.takers, &writers, &uses.shown_through);
                *body = parse_quote!({ #(#shadows)* #body });
            }
            (finder.found, finder.takers)
        };
        let Expr::Closure(c) = e else { return false };
        let mut body = (*c.body).clone();
        let (found, _) = run(self, &mut body, &[]);
        // A local the closure takes by value and never writes is moved into it (`|| consume(v)`)
        // or copied: it is taken out of its home before the closure, which captures it by
        // value, as rustc's closure would. (Read by value after a write, `|by| { count += by;
        // count }`, it is a copy through the reference.)
        let taken: Vec<Ident> = crate::mentions::expr_mentions(e)
            .into_iter()
            .filter(|m| {
                matches!(
                    m.kind,
                    crate::mentions::Use::Move | crate::mentions::Use::Part
                )
            })
            .filter_map(|m| {
                found
                    .iter()
                    .find(|(v, _, writes)| v == m.name.as_str() && !writes)
                    .map(|(v, _, _)| v.clone())
            })
            .collect();
        let Expr::Closure(c) = e else { return false };
        let mut body = (*c.body).clone();
        let (found, takers) = run(self, &mut body, &taken);
        let lets = self.borrows_before(&found, &taken, &takers, false);
        *c.body = body;
        // The closure captures the references before it by value when it captures nothing
        // else of the fn's: else, in edition 2018, where a capture is a whole variable, it
        // would borrow those references, locals of the code that makes it, gone once it is
        // made (E0373/E0716). (With other locals, `move` would move those in too.)
        let others = crate::mentions::expr_mentions(&Expr::Closure(c.clone()))
            .into_iter()
            .any(|m| self.locals.contains(&m.name) && !self.names.contains(&m.name));
        if !others && !found.is_empty() {
            c.capture = Some(Default::default());
        }
        let closure = e.clone();
        *e = parse_quote!({ #(#lets)* #closure });
        true
    }

    /// The locals of `found` a block borrows from their home exclusively (not as takers).
    fn writers(&self, found: &[(Ident, Ident, bool)], takers: &[Ident]) -> Vec<Ident> {
        (found.iter())
            .filter(|(v, _, writes)| !takers.contains(v) && self.lends_exclusive(v, *writes))
            .map(|(v, _, _)| v.clone())
            .collect()
    }

    /// Whether a closure or block that uses anchored local `v` (and `writes` it) borrows its
    /// home exclusively: `exclusive()`, else `shared()` / `lend()` (see `borrows_before`).
    fn lends_exclusive(&self, v: &Ident, writes: bool) -> bool {
        writes && !self.shared_only.iter().any(|n| v == n.as_str())
    }

    /// What a closure or `async` block that is not `move` gets before it, for each anchored
    /// local `found` in it: `let borrowed0 = v.take();` for those `taken` (moved in), else a
    /// borrow of its home, exclusive when the block writes it.
    /// With `lend`, a shared borrow is a [`Lent`](../../clockwork/machine/struct.Lent.html)
    /// (`v.lend()`), which the block takes by value (see `borrow_for_async_block`).
    fn borrows_before(
        &mut self,
        found: &[(Ident, Ident, bool)],
        taken: &[Ident],
        takers: &[Ident],
        lend: bool,
    ) -> Vec<TokenStream> {
        let mut lets = Vec::new();
        for (v, local, writes) in found {
            if taken.contains(v) {
                lets.push(quote::quote!(let #local = #v.take();));
            } else if takers.contains(v) {
                lets.push(quote::quote!(let mut #local = #v.taker();));
            } else if self.lends_exclusive(v, *writes) {
                lets.push(quote::quote!(let #local = #v.exclusive();));
            } else if lend {
                lets.push(quote::quote!(let #local = #v.lend();));
            } else {
                lets.push(quote::quote!(let #local = #v.shared();));
            }
        }
        lets
    }

    /// An `async` block that is not `move` borrows the anchored locals it uses, as a closure
    /// does (see `borrow_for_closure`): each is borrowed from its home just before the block,
    /// and the block uses that reference. A use by value is taken to be a copy (a non-move
    /// block captures a `Copy` value by reference): read through the reference, a value that
    /// is not `Copy` is rustc's E0507, never a silent move.
    fn borrow_for_async_block(&mut self, e: &mut Expr) -> bool {
        let Expr::Async(a) = e else { return false };
        let mut body = Expr::Block(syn::ExprBlock {
            attrs: Vec::new(),
            label: None,
            block: a.block.clone(),
        });
        let island = std::mem::take(&mut self.island_block);
        let mut finder = ClosureBorrows {
            uses: self,
            taken: &[],
            found: Vec::new(),
            island,
            takers: Vec::new(),
            error: None,
            parted: Vec::new(),
        };
        let inline = finder.inline_args(quote::ToTokens::to_token_stream(&body));
        // (An island's block is `let value = <the macro>; slot.finish(value).await`: only the
        // macro's code moves the user's locals.)
        if let Expr::Block(b) = &mut body {
            for (k, stmt) in b.block.stmts.iter_mut().enumerate() {
                finder.island = island && k == 0;
                finder.visit_stmt_mut(stmt);
            }
        }
        let (found, takers, parted) = (finder.found, finder.takers, finder.parted);
        if let Some(error) = finder.error {
            self.error.get_or_insert(error);
        }
        for part in parted {
            if !self.parted.contains(&part) {
                self.parted.push(part);
            }
        }
        let lets = self.borrows_before(&found, &[], &takers, true);
        // The block takes each reference by value, as its first statements: used in place
        // (`(*borrowed0).len()`), it would be captured by reference, and in edition 2018,
        // where a capture is a whole variable, that is a reference to a local of the code
        // around the block, gone once the block is made (E0716). (A `move` block nested
        // inside then copies the block's own reference.)
        let takes: Vec<syn::Stmt> = found
            .iter()
            .map(|(v, local, writes)| {
                if takers.contains(v) {
                    parse_quote!(let mut #local = #local;)
                } else if self.lends_exclusive(v, *writes) {
                    parse_quote!(let #local = #local;)
                } else {
                    parse_quote!(let #local = #local.get();)
                }
            })
            .collect();
        let (Expr::Async(a), Expr::Block(b)) = (&mut *e, body) else {
            return false;
        };
        a.block = b.block;
        let writers = self.writers(&found, &takers);
        let shadows = shadow_inline_args(&inline, &takers, &writers, &self.shown_through);
        a.block.stmts.splice(0..0, shadows);
        a.block.stmts.splice(0..0, takes);
        let block = e.clone();
        *e = parse_quote!({ #(#lets)* #block });
        true
    }

    /// A `move` closure or `async move` block that uses anchored locals (not only fields of a
    /// literal's: see `capture_parts`) takes each out of its home just before it, under the same
    /// name, and captures that value: `{ let v = v.take(); async move { .. v .. } }` when the
    /// capture is the local's one move and last mention (the handle then has nothing to drop),
    /// else a copy, `{ let v = *v.shared(); .. }`: a later use, or a later iteration of a loop,
    /// means rustc found the local `Copy` (were it not, the copy is rustc's E0507 at `v`).
    fn move_into_capture(&mut self, e: &mut Expr) {
        use quote::ToTokens;
        let tokens = match &*e {
            Expr::Closure(c) => c.body.to_token_stream(),
            Expr::Async(a) => a.block.to_token_stream(),
            _ => return,
        };
        let mut found: Vec<Ident> = Vec::new();
        self.anchored_idents(tokens.clone(), &mut found);
        // A string's inline format argument (`{v}`) captures the name as well.
        let mut inline = Vec::new();
        crate::mentions::inline_arg_names(tokens, &mut inline);
        for (n, span) in inline {
            if self.names.contains(&n) && !found.iter().any(|f| *f == n) {
                found.push(Ident::new(&n, span));
            }
        }
        let mut lets = Vec::new();
        for v in found {
            if self.in_closure == 0 && self.moved_last.iter().any(|n| v == n.as_str()) {
                lets.push(quote::quote_spanned!(v.span()=> let #v = #v.take();));
            } else {
                lets.push(quote::quote_spanned!(v.span()=> let #v = *#v.shared();));
            }
        }
        let capture = e.clone();
        *e = parse_quote!({ #(#lets)* #capture });
    }

    /// The anchored locals `tokens` name (not as a field or method after `.`), once each, in
    /// order.
    fn anchored_idents(&self, tokens: TokenStream, found: &mut Vec<Ident>) {
        let tokens: Vec<proc_macro2::TokenTree> = tokens.into_iter().collect();
        for (k, t) in tokens.iter().enumerate() {
            match t {
                proc_macro2::TokenTree::Ident(i)
                    if !crate::mentions::after_dot(&tokens, k)
                        && self.names.iter().any(|n| i == n.as_str())
                        && !found.contains(i) =>
                {
                    found.push(i.clone())
                }
                proc_macro2::TokenTree::Group(g) => self.anchored_idents(g.stream(), found),
                _ => {}
            }
        }
    }

    /// Whether `tokens` name an anchored local, also as a string's inline format argument.
    fn mentions_anchored(&self, tokens: TokenStream) -> bool {
        tokens.into_iter().any(|t| match t {
            proc_macro2::TokenTree::Ident(i) => self.names.iter().any(|n| i == n.as_str()),
            proc_macro2::TokenTree::Group(g) => self.mentions_anchored(g.stream()),
            proc_macro2::TokenTree::Literal(l) => {
                let mut names = Vec::new();
                crate::mentions::inline_arg_names(
                    proc_macro2::TokenTree::Literal(l).into(),
                    &mut names,
                );
                names.iter().any(|(n, _)| self.names.contains(n))
            }
            _ => false,
        })
    }

    fn macro_args(&mut self, m: &mut syn::Macro) {
        if crate::mentions::MacroParts::rewrite_args(m, |e| self.place(e)) {
            return;
        }
        // A list of expressions: rewritten as expressions, so that a move inside one takes the
        // value out of its home (`logv!("{}", { let pair = (a, v); .. })`), unless a name
        // there binds a new local spelled as an anchored one, which only the token rewrite
        // below keeps apart.
        if let Some(mut args) = crate::mentions::unknown_macro_exprs_binding_none_of(m, self.names)
        {
            for e in args.iter_mut() {
                self.place(e);
            }
            m.tokens = quote::ToTokens::into_token_stream(args);
            return;
        }
        if !m.path.is_ident("stringify") {
            // A name the macro's input binds itself (`let (a, v) = ..;`, `|v| ..`) is not the
            // anchored local there, from that binding on (see `replace_in_tokens`).
            m.tokens = self.deref_in_tokens(m.tokens.clone());
        }
    }

    /// The tokens of a macro the transform does not know, with each anchored local `v` written
    /// `(*v)`: the value in its home, through the handle. Written as `v`, the handle itself
    /// would be what the macro gets, and a use by value (`{ ..; v }`) would move the handle.
    /// Through `(*v)` a use by value copies, or is rustc's E0507 (never a silent move). Left
    /// alone: a name after `.` (a field or method), before a lone `=` (a field name, as in
    /// `info!(v = %x)`), and what `stringify!` quotes; a string's `{v}` formats the handle,
    /// which formats as its value.
    fn deref_in_tokens(&mut self, tokens: TokenStream) -> TokenStream {
        let names = self.names;
        crate::mentions::replace_in_tokens(tokens, &mut |v, consumed| {
            if !names.iter().any(|n| v == n.as_str()) {
                return None;
            }
            // `v.into_inner()`: a method the receiver heuristic takes to consume `v`, its last
            // mention: taken out of the home, as outside macros (a maybe-move: the macro may
            // not run that code; the home's flag says whether it did).
            let taken = consumed
                && self.in_closure == 0
                && (self.moved_last.iter().chain(self.last_move_maybe)).any(|n| v == n.as_str());
            Some(if taken {
                quote::quote_spanned!(v.span()=> #v.take())
            } else {
                quote::quote_spanned!(v.span()=> *#v)
            })
        })
    }
}

fn is_comparison(op: &syn::BinOp) -> bool {
    use syn::BinOp::*;
    matches!(op, Eq(_) | Ne(_) | Lt(_) | Le(_) | Gt(_) | Ge(_))
}

pub(crate) fn is_compound_assign(op: &syn::BinOp) -> bool {
    use syn::BinOp::*;
    matches!(
        op,
        AddAssign(_)
            | SubAssign(_)
            | MulAssign(_)
            | DivAssign(_)
            | RemAssign(_)
            | BitXorAssign(_)
            | BitAndAssign(_)
            | BitOrAssign(_)
            | ShlAssign(_)
            | ShrAssign(_)
    )
}

impl VisitMut for AnchorUses<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        use quote::ToTokens;
        if let Expr::Call(c) = &*e
            && crate::island::is_island_new(&c.func)
        {
            self.island_block = true;
            syn::visit_mut::visit_expr_mut(self, e);
            self.island_block = false;
            return;
        }
        let moves_anchored = match &*e {
            Expr::Closure(c) => {
                c.capture.is_some() && self.mentions_anchored(c.body.to_token_stream())
            }
            Expr::Async(a) => {
                a.capture.is_some() && self.mentions_anchored(a.block.to_token_stream())
            }
            _ => false,
        };
        if moves_anchored && self.capture_parts(e) {
            return;
        }
        if matches!(&*e, Expr::Closure(c)
            if c.capture.is_none() && self.mentions_anchored(c.body.to_token_stream()))
            && self.borrow_for_closure(e)
        {
            return;
        }
        if matches!(&*e, Expr::Async(a)
            if a.capture.is_none() && self.mentions_anchored(a.block.to_token_stream()))
            && self.borrow_for_async_block(e)
        {
            return;
        }
        if let Some(v) = self.anchored(e) {
            // Any position not matched below takes the value: a move, or a copy.
            *e = parse_quote!(#v.take());
            return;
        }
        if self.take_for_match(e) {
            return;
        }
        match e {
            Expr::Reference(r) if self.root(&r.expr).is_some() => {
                if r.mutability.is_some() {
                    self.reroot(&mut r.expr, Access::Exclusive);
                } else {
                    self.reroot(&mut r.expr, Access::Shared);
                }
            }
            Expr::RawAddr(r) if self.root(&r.expr).is_some() => {
                self.reroot(&mut r.expr, Access::Exclusive);
            }
            Expr::MethodCall(m) if self.root(&m.receiver).is_some() => {
                for a in &mut m.args {
                    self.visit_expr_mut(a);
                }
                // Known borrowing methods (`v.iter()`, `self.items.iter_mut()`) give a borrow
                // that may be kept across an `.await`: take it from the home itself. Any other
                // method goes through `Deref`/`DerefMut` (even `v.into_iter()`: whether a method
                // takes `self` by value is a guess, and a wrong `take()` would drop the value
                // while the home is still used; a real move gets rustc's "cannot move out of
                // dereference" instead).
                let name = m.method.to_string();
                let consumed =
                    crate::mentions::receiver_consumes(&name) == crate::mentions::Consumes::Yes;
                let not_mut = self.rooted_in_shared_only(&m.receiver);
                if let Some(v) = self
                    .anchored(&m.receiver)
                    .filter(|_| consumed && self.in_closure == 0)
                    .filter(|v| {
                        // A maybe-move (in a branch, a `let`-`else`'s `else`) takes it only on
                        // the path that runs it; the home's flag records it.
                        (self.moved_last.iter().chain(self.last_move_maybe))
                            .any(|n| v == n.as_str())
                    })
                {
                    m.receiver = parse_quote_spanned!(v.span()=> #v.take());
                } else if consumed
                    && self.in_closure == 0
                    && let Some((v, path)) = self.field_path(&m.receiver)
                {
                    // `v.f.unwrap()`: the field taken by value, as `mentions` counts it.
                    self.take_part(&mut m.receiver, v, path);
                } else if SHARED.contains(&name.as_str())
                    || EXCLUSIVE.contains(&name.as_str())
                    || self.kept
                    || not_mut
                {
                    // A method known to return a borrow of its receiver, a call kept across
                    // an `.await`, or a local not declared `mut` (whose methods' results may
                    // borrow the home itself): the borrow is taken from the home, not the
                    // handle. A local not declared `mut` is borrowed shared, unless the
                    // method's name says `&mut` (it may be a `&mut T`, or a `RefCell`'s
                    // `borrow_mut(&self)`); any other by rustc's autoref.
                    let shared = not_mut && !EXCLUSIVE.contains(&name.as_str());
                    if (shared || !self.autoref_call(e))
                        && let Expr::MethodCall(m) = e
                    {
                        if SHARED.contains(&name.as_str()) {
                            self.reroot(&mut m.receiver, Access::Shared);
                        } else if EXCLUSIVE.contains(&name.as_str()) {
                            self.reroot(&mut m.receiver, Access::Exclusive);
                        } else {
                            self.kept_place(&mut m.receiver);
                        }
                    }
                } else {
                    self.reroot(&mut m.receiver, Access::Deref);
                }
            }
            // A field taken by value: a part moved out (or a copy).
            Expr::Field(_) if self.field_path(e).is_some() => {
                if let Some((v, path)) = self.field_path(e) {
                    self.take_part(e, v, path);
                }
            }
            Expr::Field(_) | Expr::Index(_) if self.root(e).is_some() => self.place(e),
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => self.place(&mut u.expr),
            Expr::Binary(b) if is_comparison(&b.op) => {
                self.place(&mut b.left);
                self.place(&mut b.right);
            }
            Expr::Binary(b) if is_compound_assign(&b.op) => {
                self.place(&mut b.left);
                self.visit_expr_mut(&mut b.right);
            }
            Expr::Call(c) if self.anchored(&c.func).is_some() => {
                self.place(&mut c.func);
                for a in &mut c.args {
                    self.visit_expr_mut(a);
                }
            }
            // `_ = v;` moves nothing.
            Expr::Assign(a) if matches!(&*a.left, Expr::Infer(_)) => self.place(&mut a.right),
            Expr::Assign(a) => {
                self.visit_expr_mut(&mut a.right);
                if let Some(v) = self.anchored(&a.left) {
                    // The value first (it may read `v`), its temporaries alive until the old
                    // value is dropped, as in `v = rhs;`.
                    let right = &a.right;
                    let value = Ident::new("value", proc_macro2::Span::mixed_site());
                    // (In parentheses: a struct literal cannot be a bare `match` scrutinee.)
                    let parts = self.parts.iter().find(|(n, _)| v == n.as_str());
                    *e = if self.untyped.iter().any(|n| v == n.as_str()) {
                        let home = &self.home;
                        match parts {
                            Some((_, parts)) => {
                                let forgets = forget_parts(parts);
                                parse_quote!(match (#right) {
                                    #value => #home::set_with_parts(&mut #v, #value, |whole, moved| {
                                        #forgets
                                    })
                                })
                            }
                            None => {
                                parse_quote!(match (#right) { #value => #home::set(&mut #v, #value) })
                            }
                        }
                    } else {
                        parse_quote!(match (#right) { #value => #v.set(#value) })
                    };
                } else if let Some((v, path)) = self.field_path(&a.left)
                    && let Some((_, parts)) = self.parts.iter().find(|(n, _)| v == n.as_str())
                {
                    // `v.a = rhs` on a part that may have been moved out: written in place,
                    // dropping the old value only if it is still there.
                    let overlaps = |p: &String| {
                        p.starts_with(&format!("{path}.")) || path.starts_with(&format!("{p}."))
                    };
                    if parts.iter().any(overlaps) {
                        use syn::spanned::Spanned;
                        self.error.get_or_insert_with(|| {
                            crate::error::Error::new(
                                a.left.span(),
                                "this assigns to a field that contains, or is part of, a field \
                                 moved out earlier; #[state_machine] can put back exactly the \
                                 field that was moved, not one around or inside it: assign that \
                                 field, or move the enclosing one into a local of its own first",
                            )
                        });
                    } else if let Some(k) = self.part_flag(&v, &path) {
                        let mut place = (*a.left).clone();
                        self.reroot(&mut place, Access::Exclusive);
                        let right = &a.right;
                        let value = Ident::new("value", proc_macro2::Span::mixed_site());
                        let safety =
                            "// SAFETY: a field of the value in its home, written under its flag.";
                        *e = parse_quote!(match (#right) {
                            #value => {
                                #[doc = #safety]
                                let () = unsafe { #v.put(#k, &raw mut #place, #value) };
                            }
                        });
                    } else {
                        self.place(&mut a.left);
                    }
                } else {
                    self.place(&mut a.left);
                }
            }
            Expr::Match(m) => {
                self.scrutinee(&mut m.expr, m.arms.iter().map(|a| &a.pat));
                for arm in &mut m.arms {
                    self.visit_arm_mut(arm);
                }
            }
            Expr::Let(l) => self.scrutinee(&mut l.expr, [&*l.pat]),
            Expr::Macro(m) => self.macro_args(&mut m.mac),
            Expr::Closure(c)
                if c.capture.is_some() && self.mentions_anchored(c.body.to_token_stream()) =>
            {
                self.move_into_capture(e);
            }
            Expr::Async(a)
                if a.capture.is_some() && self.mentions_anchored(a.block.to_token_stream()) =>
            {
                self.move_into_capture(e);
            }
            // A closure may run later than where it is written, or more than once.
            Expr::Closure(_) | Expr::Async(_) => {
                self.in_closure += 1;
                syn::visit_mut::visit_expr_mut(self, e);
                self.in_closure -= 1;
            }
            _ => syn::visit_mut::visit_expr_mut(self, e),
        }
    }

    fn visit_local_mut(&mut self, l: &mut syn::Local) {
        // `let _ = v;` binds nothing and moves nothing.
        if let (Pat::Wild(_), Some(init)) = (&l.pat, &mut l.init)
            && init.diverge.is_none()
        {
            self.place(&mut init.expr);
            return;
        }
        // `let ref r = v;`, `let (ref a, _) = v;`: a borrow of the place.
        if let Some(init) = &mut l.init
            && init.diverge.is_none()
            && binds_by_ref(&l.pat)
        {
            self.scrutinee(&mut init.expr, [&l.pat]);
            return;
        }
        syn::visit_mut::visit_local_mut(self, l);
    }

    fn visit_stmt_macro_mut(&mut self, m: &mut syn::StmtMacro) {
        self.macro_args(&mut m.mac);
    }
}

/// `let v_home = init;` → the value, then its handle:
/// `let v_home = init; let mut v_home = unsafe { Home::<_, 0>::new(slots.0, v_home) };`.
/// A local with parts moved out gets one flag per part, and a closure that forgets those parts
/// when the rest is dropped: `Home::<_, 1>::with_parts(slots.0, p_home, |whole, moved| { if
/// moved[0] { ::core::mem::forget(whole.a); } })`.
pub fn into_home(
    home: &TokenStream,
    slot: TokenStream,
    safety: &str,
    name: &Ident,
    parts: Option<&[String]>,
) -> TokenStream {
    let Some(parts) = parts else {
        return quote! {
            #[doc = #safety]
            let mut #name = unsafe { #home::<_, 0>::new(#slot, #name) };
        };
    };
    let n = syn::Index::from(parts.len());
    let forgets = forget_parts(parts);
    quote! {
        #[doc = #safety]
        let mut #name = unsafe {
            #home::<_, #n>::with_parts(#slot, #name, |whole, moved| { #forgets })
        };
    }
}

/// `let v_home: T;` → a handle whose home holds no value yet, which `v_home.set(x)` fills:
/// `let mut v_home = unsafe { Home::<T, 0>::vacant(slots.0) };` (`with_parts` as for
/// [`into_home`]; without a type, the assignments bring what drops the rest).
pub fn vacant_home(
    home: &TokenStream,
    slot: TokenStream,
    safety: &str,
    name: &Ident,
    ty: Option<&syn::Type>,
    parts: Option<&[String]>,
) -> TokenStream {
    let written = ty.map(|t| t.to_token_stream());
    let ty = written.clone().unwrap_or_else(|| quote!(_));
    let Some(parts) = parts else {
        return quote! {
            #[doc = #safety]
            let mut #name = unsafe { #home::<#ty, 0>::vacant(#slot) };
        };
    };
    let n = syn::Index::from(parts.len());
    if written.is_none() {
        return quote! {
            #[doc = #safety]
            let mut #name = unsafe { #home::<_, #n>::vacant_untyped(#slot) };
        };
    }
    let forgets = forget_parts(parts);
    quote! {
        #[doc = #safety]
        let mut #name = unsafe {
            #home::<#ty, #n>::vacant_with_parts(#slot, |whole: #ty, moved| { #forgets })
        };
    }
}

/// `if moved[k] { ::core::mem::forget(whole.a); }` for each part `k` (`a`).
fn forget_parts(parts: &[String]) -> TokenStream {
    parts
        .iter()
        .enumerate()
        .map(|(k, path)| {
            let k = syn::Index::from(k);
            let members = path.split('.').map(|m| match m.parse::<u32>() {
                Ok(i) => {
                    let i = syn::Index::from(i as usize);
                    quote!(#i)
                }
                Err(_) => {
                    let m = Ident::new(m, proc_macro2::Span::call_site());
                    quote!(#m)
                }
            });
            quote! {
                if moved[#k] {
                    ::core::mem::forget(whole #(. #members)*);
                }
            }
        })
        .collect()
}

/// Finds the fields of anchored locals a `move` closure uses (see
/// [`AnchorUses::capture_parts`]) and puts a local in their place.
struct CapturedFields<'u, 'a> {
    uses: &'u AnchorUses<'a>,
    /// `(local, path, the local that takes its place)`, one per distinct field.
    found: Vec<(Ident, String, Ident)>,
    /// An anchored local used as a whole (or in a macro's tokens).
    whole: bool,
}

impl VisitMut for CapturedFields<'_, '_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        use quote::ToTokens;
        if let Some((v, path)) = self.uses.field_path(e) {
            let k = match self
                .found
                .iter()
                .position(|(w, p, _)| *w == v && *p == path)
            {
                Some(k) => k,
                None => {
                    let name = format!("captured{}", self.found.len());
                    let local = Ident::new(&name, proc_macro2::Span::mixed_site());
                    self.found.push((v, path, local));
                    self.found.len() - 1
                }
            };
            let local = &self.found[k].2;
            *e = parse_quote!(#local);
        } else if self.uses.anchored(e).is_some() {
            self.whole = true;
        } else if let Expr::Macro(m) = e {
            self.whole |= self.uses.mentions_anchored(m.mac.tokens.to_token_stream());
        } else {
            syn::visit_mut::visit_expr_mut(self, e);
        }
    }
}

/// `let v = &*borrowedN;` for each `(v, borrowedN)`: a string's `{v}` formats the value
/// through the block's reference (a reference formats as what it points to). For a local
/// the block may move or write (`takers`), `let v = borrowedN.shown();`, which borrows nothing
/// from the `Taker` (see `Shown`).
///
/// For a local the block writes through an exclusive borrow (`writers`), `let v =
/// ShownThrough::new(&raw const borrowedN);`, which holds no borrow either (see
/// `ShownThrough`).
fn shadow_inline_args(
    args: &[(Ident, Ident)],
    takers: &[Ident],
    writers: &[Ident],
    shown_through: &TokenStream,
) -> Vec<syn::Stmt> {
    args.iter()
        .map(|(v, local)| {
            if takers.contains(v) {
                parse_quote!(let #v = #local.shown();)
            } else if writers.contains(v) {
                parse_quote!(let #v = #shown_through::new(&raw const #local);)
            } else {
                parse_quote!(let #v = &*#local;)
            }
        })
        .collect()
}

/// Finds the anchored locals a closure that is not `move` uses (see
/// [`AnchorUses::borrow_for_closure`]) and puts a dereferenced reference in their place.
struct ClosureBorrows<'u, 'a> {
    uses: &'u AnchorUses<'a>,
    /// Taken out of their homes before the closure: a mention is the local itself.
    taken: &'u [Ident],
    /// `(handle, the reference that takes its place, whether the closure may write it)`.
    found: Vec<(Ident, Ident, bool)>,
    /// The block is an island's: where its code moves a local (a method the receiver
    /// heuristic takes to consume it, `v.await`), the move happens there, as in the `async
    /// fn`, through a [`Taker`](../../clockwork/machine/struct.Taker.html).
    island: bool,
    /// The handles lent to the island as takers.
    takers: Vec<Ident>,
    /// A move in an island that cannot be taken (see `consumed_in_island`).
    error: Option<crate::error::Error>,
    /// The parts moved out in an island's code: `(local, part)` (see `AnchorUses::parted`).
    parted: Vec<(String, String)>,
}

impl ClosureBorrows<'_, '_> {
    /// Is a move of `v` the last use of it (on each path)? Only then does an island take it out
    /// where the receiver heuristic says a method consumes it: were the method to borrow it
    /// instead, the value would be dropped there, and a later use would read a dropped
    /// value. (Elsewhere it reads through the home, and a real move is rustc's E0507.)
    fn last_use(&self, v: &Ident) -> bool {
        let is = |n: &String| v == n.as_str();
        self.uses.moved_last.iter().any(is) || self.uses.last_move_maybe.iter().any(is)
    }

    /// A method the receiver heuristic takes to consume `v`, or `v.await`, in an island's code:
    /// `borrowedN.take()` when that is the last use of `v`, else a `compile_error!` (see
    /// `last_use`).
    fn consumed_in_island(&mut self, v: Ident) -> Expr {
        if !self.last_use(&v) {
            // (The user's name: the handle is `<name>_home`, maybe with a suffix.)
            let handle = v.to_string();
            let name = handle
                .rfind("_home")
                .map_or(handle.as_str(), |at| &handle[..at]);
            self.error.get_or_insert_with(|| {
                crate::error::Error::new(
                    v.span(),
                    format!(
                        "`{name}` is moved inside a macro that #[state_machine] runs as an `async` \
                         block (it awaits, or has `return`, `?`, `break` or `continue`), and \
                         named elsewhere in the macro or after it: the block takes it out of \
                         its place where the macro moves it only when that is the one mention \
                         left; read what you need before the macro, or pass a clone"
                    ),
                )
            });
        }
        self.taken_in_island(v)
    }

    /// `borrowedN.take()` for anchored `v` moved by an island's code (see `island`).
    fn taken_in_island(&mut self, v: Ident) -> Expr {
        if !self.takers.contains(&v) {
            self.takers.push(v.clone());
        }
        let local = self.local_for(v, true);
        parse_quote!(#local.take())
    }

    /// An operand an island's code takes by value (a call's argument, an element of a
    /// tuple, array or struct literal, a `let` initialiser, a returned value): an anchored
    /// local there is moved out of its home, as the `async fn` moves it there (a `Copy` one
    /// is copied: its bits stay, and it has nothing to drop).
    fn moved_operand(&mut self, e: &mut Expr) {
        match self.uses.anchored(e) {
            Some(v) if self.island && !self.taken.contains(&v) => *e = self.taken_in_island(v),
            _ => match self.uses.field_path(e) {
                Some((v, path)) if self.island && !self.taken.contains(&v) => {
                    *e = self.part_in_island(e, v, path);
                }
                _ => self.visit_expr_mut(e),
            },
        }
    }

    /// `v.a` taken by value in an island's code: part `a` moves out of the home there, through
    /// the island's [`Taker`](../../clockwork/machine/struct.Taker.html), which sets its flag
    /// (see `AnchorUses::take_part`).
    fn part_in_island(&mut self, e: &Expr, v: Ident, path: String) -> Expr {
        // The first run, which finds the parts, has no flags yet; its code is thrown away.
        let k = self.uses.part_flag(&v, &path).unwrap_or(0);
        let k = proc_macro2::Literal::usize_unsuffixed(k);
        let part = (v.to_string(), path);
        if !self.parted.contains(&part) {
            self.parted.push(part);
        }
        if !self.takers.contains(&v) {
            self.takers.push(v.clone());
        }
        let local = self.local_for(v, true);
        let mut place = e.clone();
        reroot_at(&mut place, &parse_quote!((*#local)));
        let safety = "// SAFETY: a field of the value in its home, moved out under its flag.";
        let moved = Ident::new("part", proc_macro2::Span::mixed_site());
        parse_quote!({
            #[doc = #safety]
            let #moved = unsafe { #local.part(#k, &raw const #place) };
            #moved
        })
    }

    fn local_for(&mut self, v: Ident, writes: bool) -> Ident {
        match self.found.iter_mut().find(|(w, _, _)| *w == v) {
            Some((_, local, w)) => {
                *w |= writes;
                local.clone()
            }
            None => {
                let name = format!("borrowed{}", self.found.len());
                let local = Ident::new(&name, proc_macro2::Span::mixed_site());
                self.found.push((v, local.clone(), writes));
                local
            }
        }
    }

    /// The anchored locals a string literal in `tokens` names as an inline format argument
    /// (`format!("{v}")`): the string names the handle, which the block would borrow. Each
    /// gets its reference, and the block binds the name to it (see [`shadow_inline_args`]).
    fn inline_args(&mut self, tokens: TokenStream) -> Vec<(Ident, Ident)> {
        let mut names = Vec::new();
        crate::mentions::inline_arg_names(tokens, &mut names);
        let mut out: Vec<(Ident, Ident)> = Vec::new();
        for (n, span) in names {
            let Some(v) = self.uses.names.iter().find(|a| **a == n) else {
                continue;
            };
            let v = Ident::new(v, span);
            if self.taken.contains(&v) || out.iter().any(|(w, _)| *w == v) {
                continue;
            }
            let local = self.local_for(v.clone(), false);
            out.push((v, local));
        }
        out
    }

    /// `{ let v_copy = *borrowedN; move || .. v_copy .. }` for each anchored `v` the `move`
    /// closure or `async move` block `e` uses, other than those taken out of their homes
    /// already (which it captures as they are).
    fn copy_into_capture(&mut self, e: &mut Expr) {
        let tokens = quote::ToTokens::to_token_stream(&*e);
        let mut found = Vec::new();
        self.uses.anchored_idents(tokens.clone(), &mut found);
        found.retain(|v| !self.taken.contains(v));
        let copies: std::collections::HashMap<String, Ident> = found
            .iter()
            .map(|v| {
                let copy = Ident::new(&format!("{v}_copy"), v.span());
                (v.to_string(), copy)
            })
            .collect();
        if !copies.is_empty()
            && let Ok(renamed) = syn::parse2::<Expr>(crate::rename::rename_tokens(tokens, &copies))
        {
            *e = renamed;
        }
        syn::visit_mut::visit_expr_mut(self, e);
        let mut lets = Vec::new();
        for v in found {
            let copy = &copies[&v.to_string()];
            let local = self.local_for(v, false);
            lets.push(quote::quote!(let #copy = *#local;));
        }
        if !lets.is_empty() {
            let capture = e.clone();
            *e = parse_quote!({ #(#lets)* #capture });
        }
    }

    /// A mention of anchored `v`: the local that takes its place, or what it refers to.
    fn replace(&mut self, e: &mut Expr, v: Ident, writes: bool) {
        let taken = self.taken.contains(&v);
        let local = self.local_for(v, writes);
        *e = if taken {
            parse_quote!(#local)
        } else {
            parse_quote!((*#local))
        };
    }

    /// The root of a place that is written (`v = ..`, `v.f += ..`, `&mut v`, a method call that
    /// may take `&mut self`) becomes a writing borrow.
    fn written(&mut self, place: &mut Expr) {
        match place {
            Expr::Field(f) => self.written(&mut f.base),
            Expr::Index(i) => {
                self.visit_expr_mut(&mut i.index);
                self.written(&mut i.expr)
            }
            Expr::Paren(p) => self.written(&mut p.expr),
            e => match self.uses.anchored(e) {
                Some(v) => self.replace(e, v, true),
                None => self.visit_expr_mut(e),
            },
        }
    }
}

impl VisitMut for ClosureBorrows<'_, '_> {
    /// `let m = v;` in an island's code moves `v` there (not `let _ = v;`, nor `ref`).
    fn visit_local_mut(&mut self, l: &mut syn::Local) {
        if self.island
            && crate::mentions::binds_by_value(&l.pat)
            && let Some(init) = &mut l.init
        {
            self.moved_operand(&mut init.expr);
            if let Some((_, diverge)) = &mut init.diverge {
                self.visit_expr_mut(diverge);
            }
            return;
        }
        syn::visit_mut::visit_local_mut(self, l);
    }

    fn visit_expr_mut(&mut self, e: &mut Expr) {
        match e {
            // `v = x` on a whole local, which may hold no value here (moved out, or not yet
            // assigned): through a `Taker`, whose `set` drops the old value only if there is
            // one (through a `&mut`, the assignment would drop what is not there).
            Expr::Assign(a)
                if let Some(v) = self.uses.anchored(&a.left)
                    && !self.taken.contains(&v) =>
            {
                if !self.takers.contains(&v) {
                    self.takers.push(v.clone());
                }
                let local = self.local_for(v, true);
                self.visit_expr_mut(&mut a.right);
                let right = &a.right;
                // The value first: it may use `v` itself (`v = { v += 1; 2 }`), which a
                // two-phase borrow of the `Taker` for `set` would forbid (E0499).
                let value = Ident::new("value", proc_macro2::Span::mixed_site());
                *e = parse_quote!(match (#right) { #value => #local.set(#value) });
            }
            Expr::Assign(a) => {
                self.written(&mut a.left);
                self.visit_expr_mut(&mut a.right);
            }
            Expr::Binary(b) if is_compound_assign(&b.op) => {
                self.written(&mut b.left);
                self.visit_expr_mut(&mut b.right);
            }
            Expr::Reference(r) if r.mutability.is_some() => self.written(&mut r.expr),
            Expr::RawAddr(r) => self.written(&mut r.expr),
            Expr::MethodCall(m)
                if self.island
                    && crate::mentions::receiver_consumes(&m.method.to_string())
                        == crate::mentions::Consumes::Yes
                    && let Some(v) = self.uses.anchored(&m.receiver)
                    && !self.taken.contains(&v) =>
            {
                *m.receiver = self.consumed_in_island(v);
                for a in &mut m.args {
                    self.moved_operand(a);
                }
            }
            Expr::Await(a)
                if self.island
                    && let Some(v) = self.uses.anchored(&a.base)
                    && !self.taken.contains(&v) =>
            {
                *a.base = self.taken_in_island(v);
            }
            Expr::Call(c) if self.island => {
                self.visit_expr_mut(&mut c.func);
                c.args.iter_mut().for_each(|a| self.moved_operand(a));
            }
            Expr::Tuple(t) if self.island => t.elems.iter_mut().for_each(|a| self.moved_operand(a)),
            Expr::Array(a) if self.island => a.elems.iter_mut().for_each(|a| self.moved_operand(a)),
            Expr::Struct(st) if self.island => {
                st.fields
                    .iter_mut()
                    .for_each(|f| self.moved_operand(&mut f.expr));
                if let Some(rest) = &mut st.rest {
                    self.visit_expr_mut(rest);
                }
            }
            Expr::Return(r) if self.island => {
                if let Some(v) = &mut r.expr {
                    self.moved_operand(v);
                }
            }
            // What a closure or block inside the island does with a local happens when it
            // runs, if ever: not taken there.
            Expr::Closure(c) if self.island && c.capture.is_none() => {
                self.island = false;
                syn::visit_mut::visit_expr_mut(self, e);
                self.island = true;
            }
            Expr::Async(a) if self.island && a.capture.is_none() => {
                self.island = false;
                syn::visit_mut::visit_expr_mut(self, e);
                self.island = true;
            }
            Expr::MethodCall(m) => {
                if SHARED.contains(&m.method.to_string().as_str()) {
                    self.visit_expr_mut(&mut m.receiver);
                } else {
                    self.written(&mut m.receiver);
                }
                for a in &mut m.args {
                    self.moved_operand(a);
                }
            }
            Expr::Macro(m) => self.visit_macro_mut(&mut m.mac),
            // A `move` closure (or `async move` block) inside copies what it uses, as rustc's
            // does when it captures a `Copy` local by value: through the reference, it would
            // take the reference itself, which the block then no longer has (E0382). (Not
            // `Copy`: the copy is rustc's E0507.)
            Expr::Closure(c) if c.capture.is_some() => self.copy_into_capture(e),
            Expr::Async(a) if a.capture.is_some() => self.copy_into_capture(e),
            e => match self.uses.anchored(e) {
                Some(v) => self.replace(e, v, false),
                None => syn::visit_mut::visit_expr_mut(self, e),
            },
        }
    }

    /// A known macro's arguments are expressions; so is an unknown macro's input when it is a
    /// list of them (a whole argument is a place the macro may write, unless the local is only
    /// ever borrowed shared); in other tokens, each anchored local is written `(*borrowedN)`,
    /// through the reference, which the macro may write (the same).
    fn visit_macro_mut(&mut self, m: &mut syn::Macro) {
        if crate::mentions::MacroParts::rewrite_args(m, |e| self.visit_expr_mut(e)) {
            return;
        }
        if let Some(mut args) = crate::mentions::macro_input_exprs(m)
            && !args.iter().any(|e| {
                crate::mentions::names_bound_inside(e)
                    .iter()
                    .any(|b| b == "|" || self.uses.names.contains(b))
            })
        {
            let shared_only = self.uses.shared_only;
            for e in args.iter_mut() {
                match self.uses.root(e) {
                    Some(v) if !shared_only.iter().any(|n| v == n.as_str()) => self.written(e),
                    _ => self.visit_expr_mut(e),
                }
            }
            m.tokens = quote::ToTokens::into_token_stream(args);
            return;
        }
        if !m.path.is_ident("stringify") {
            let uses = self.uses;
            m.tokens = crate::mentions::replace_in_tokens(m.tokens.clone(), &mut |v, consumed| {
                let v = uses
                    .names
                    .iter()
                    .find(|n| v == n.as_str())
                    .map(|_| v.clone())?;
                if consumed && self.island && !self.taken.contains(&v) {
                    return Some(quote::ToTokens::into_token_stream(
                        self.consumed_in_island(v),
                    ));
                }
                let writes = !uses.shared_only.iter().any(|n| v == n.as_str());
                let local = self.local_for(v, writes);
                Some(quote::quote!(*#local))
            });
        }
    }
}

/// The code of the `match` form of `AnchorUses::take_for_match`, for a `match` whose arms
/// move the anchored `v` whole: `match v.take() { P => .., value @ (Q) => { v.set(value); .. } }`.
pub struct TakenByArms {
    /// `v.take()`.
    pub scrutinee: Expr,
    value: Ident,
    put_back: syn::Stmt,
}

impl TakenByArms {
    pub fn new(v: &Ident) -> Self {
        // (Not a base the normaliser names its temporaries from, `value`: an arm that keeps
        // one across an `.await` would store this binding in its place.)
        let value = Ident::new("put_back", proc_macro2::Span::mixed_site());
        TakenByArms {
            scrutinee: parse_quote_spanned!(v.span()=> #v.take()),
            put_back: parse_quote_spanned!(v.span()=> #v.set(#value);),
            value,
        }
    }

    /// The pattern of an arm that binds nothing: `put_back @ (Q)`.
    pub fn pat(&self, q: &Pat) -> Pat {
        let value = &self.value;
        parse_quote!(#value @ (#q))
    }

    /// The body of such an arm, which first puts the value back: `{ v.set(put_back); body }`.
    pub fn body(&self, body: &impl quote::ToTokens) -> Expr {
        let put_back = &self.put_back;
        parse_quote!({ #put_back #body })
    }
}

fn strip_parens(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => strip_parens(&p.expr),
        Expr::Group(g) => strip_parens(&g.expr),
        other => other,
    }
}

/// Does a pattern that matches move all of the value into its bindings, leaving nothing behind
/// in the scrutinee (no `_`, no `..`, no `ref`)? Literals and paths (`None`, `Kind::A`) own
/// nothing.
fn leaves_nothing(pat: &Pat) -> bool {
    match pat {
        Pat::Ident(p) => p.by_ref.is_none(),
        Pat::Lit(_) | Pat::Range(_) | Pat::Path(_) => true,
        Pat::Paren(p) => leaves_nothing(&p.pat),
        Pat::Type(t) => leaves_nothing(&t.pat),
        Pat::Or(o) => o.cases.iter().all(leaves_nothing),
        Pat::Tuple(t) => t.elems.iter().all(leaves_nothing),
        Pat::TupleStruct(t) => t.elems.iter().all(leaves_nothing),
        Pat::Struct(s) => s.rest.is_none() && s.fields.iter().all(|f| leaves_nothing(&f.pat)),
        _ => false,
    }
}

/// Puts `root` in place of the local at the root of the field path `place` (`v.a.b`).
fn reroot_at(place: &mut Expr, root: &Expr) {
    match place {
        Expr::Field(f) => reroot_at(&mut f.base, root),
        Expr::Paren(p) => reroot_at(&mut p.expr, root),
        other => *other = root.clone(),
    }
}

/// Is every index on the way to a place's root a literal or a name (`v.items[0]`, `v[k]`),
/// whose evaluation has no effect?
fn indices_are_plain(e: &Expr) -> bool {
    match e {
        Expr::Field(f) => indices_are_plain(&f.base),
        Expr::Paren(p) => indices_are_plain(&p.expr),
        Expr::Index(i) => {
            matches!(&*i.index, Expr::Lit(_) | Expr::Path(_)) && indices_are_plain(&i.expr)
        }
        _ => true,
    }
}
