//! Step 1 of the transform: bring every `.await` to the surface.
//!
//! After normalisation an `.await` only appears as a whole statement:
//!
//! * `let PAT = FUT.await;`
//! * `FUT.await;` or a block's tail `FUT.await`
//!
//! where `FUT` itself contains no `.await`, or inside the blocks of a control-flow construct
//! (`{}`/`unsafe {}`, `if`, `match`, `loop`) that itself stands as a statement, a `let`
//! initialiser or a block tail, with an await-free condition or scrutinee. `while` and `for` loops
//! that suspend become `loop`s, every loop that suspends gets a label, and every `break`/`continue`
//! that targets it names that label (the lowering later splits loops and must not let an unlabeled
//! `break` find the wrong loop).
//!
//! An expression with an `.await` deep inside (`f(a(), b().await + 1)`) is flattened in Rust's
//! evaluation order: operands evaluated before the `.await` are bound first (`let tmp0 = a();`), so
//! their side effects still happen before the suspension. Temporaries that may be borrowed across
//! the suspension (`write_all(format!("..").as_bytes()).await`) are bound too; everything is wrapped
//! in a block `{ ... }` so those bindings are dropped at the end of the statement, as rustc drops
//! temporaries.

use crate::edition::Edition;
use crate::error::{Error, Result};
use crate::mentions::macro_kind;
use crate::names::Names;
use crate::rules::{self, DropsAt, Operands, Order, Position};
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{Block, Expr, Ident, Lifetime, Stmt, parse_quote, parse_quote_spanned};

pub struct Normalizer<'a> {
    names: &'a mut Names,
    /// Names of the locals the normaliser introduced (`tmp`, `awaited`, `value`, `iter`).
    pub synthetic: Vec<String>,
    /// `for` loops' iterators whose items are references or `Copy` (`&v`, `v.iter()`, `0..n`):
    /// their items have nothing to drop.
    pub trivial_iters: Vec<String>,
    /// The fn returns `Option<_>`: `?` is rewritten (std has no `?` for `Option` into `Poll`).
    pub option_return: bool,
    loops: usize,
    /// Temporaries bound because a value is used as a place (a method's receiver, the operand
    /// of `&`, a field's base): they stand for rustc's temporaries, and the scrutinee of an
    /// `if let` that did not match has moved nothing out of them.
    place_temps: Vec<Ident>,
    /// Bindings that stand for a temporary of the enclosing statement's temporary scope, not
    /// for an operand: the place temporaries, and an awaited value or operand used as a place
    /// (`f().await.len()`). See [`Normalizer::rebind_operands_after_temporaries`].
    statement_temps: Vec<Ident>,
    /// In the receiver chain of a method that takes `self` (see `extract_temps`).
    consuming_chain: bool,
    /// The edition's temporary rules (see `edition.rs`).
    edition: Edition,
    /// Up to edition 2021, in a block's tail expression: its place temporaries go in slots
    /// declared at the top of the block (`let mut slot0 = None;`), so that they drop after the
    /// block's locals, as that edition drops a tail expression's temporaries.
    tail_slots: Option<Vec<Ident>>,
    /// Every slot made for a tail temporary.
    slot_names: Vec<Ident>,
    /// Up to edition 2021, for a block used as an operand (`f('b: { ..; x.await.val() })`):
    /// the slots of its tail, declared before the statement's use of the block, since its
    /// tail's temporaries live to the end of the enclosing statement. Taken by that block.
    hoisted_slots: Option<Vec<Ident>>,
    /// The statements at the top of the body that bind the arguments: a tail's slots go after
    /// them (up to edition 2021 the body's tail temporaries drop after its locals, before the
    /// arguments). Taken by the first (root) block.
    pub arguments: usize,
}

/// Does `e` contain an `.await` that belongs to this function (not to a nested async block,
/// closure or item)?
pub fn has_await(e: &Expr) -> bool {
    struct Finder(bool);
    impl<'ast> syn::visit::Visit<'ast> for Finder {
        fn visit_expr_await(&mut self, _: &'ast syn::ExprAwait) {
            self.0 = true;
        }
        fn visit_expr_async(&mut self, _: &'ast syn::ExprAsync) {}
        // An `.await` in a non-async closure is an error reported by `check_closures`; an
        // async closure owns its awaits.
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
        fn visit_item(&mut self, _: &'ast syn::Item) {}
        fn visit_macro(&mut self, m: &'ast syn::Macro) {
            // A known macro's arguments are expressions: an `async` block among them (an
            // island run at once, inside `format!`) owns its awaits.
            match crate::mentions::parse_macro_exprs(m) {
                Some((_, args)) => args.iter().for_each(|a| self.visit_expr(a)),
                None => self.0 |= tokens_have_await(m.tokens.clone()),
            }
        }
    }
    let mut f = Finder(false);
    syn::visit::Visit::visit_expr(&mut f, e);
    f.0
}

pub fn block_has_await(b: &Block) -> bool {
    b.stmts.iter().any(stmt_has_await)
}

pub fn stmt_has_await(s: &Stmt) -> bool {
    match s {
        Stmt::Local(l) => l.init.as_ref().is_some_and(|i| {
            has_await(&i.expr) || i.diverge.as_ref().is_some_and(|(_, e)| has_await(e))
        }),
        Stmt::Item(_) => false,
        Stmt::Expr(e, _) => has_await(e),
        Stmt::Macro(m) => tokens_have_await(m.mac.tokens.clone()),
    }
}

pub fn tokens_have_await(tokens: TokenStream) -> bool {
    let mut prev_dot = false;
    for tt in tokens {
        match &tt {
            TokenTree::Ident(i) if prev_dot && i == "await" => return true,
            TokenTree::Group(g) if tokens_have_await(g.stream()) => return true,
            _ => {}
        }
        prev_dot = matches!(&tt, TokenTree::Punct(p) if p.as_char() == '.');
    }
    false
}

/// `.await` inside a closure that is not `async` is an error, as in rustc; say so at the span.
pub fn check_closures(b: &Block) -> Result<()> {
    struct Check(Option<Error>);
    impl<'ast> syn::visit::Visit<'ast> for Check {
        fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
            if c.asyncness.is_none() && self.0.is_none() && has_await_anywhere(&c.body) {
                self.0 = Some(Error::new(
                    c.inputs_begin.span(),
                    "`.await` inside a closure that is not `async`: a closure's body is not part \
                     of the state machine; use an `async` closure or block, or move the `.await` \
                     out of the closure",
                ));
            }
            syn::visit::visit_expr_closure(self, c);
        }
        fn visit_expr_async(&mut self, _: &'ast syn::ExprAsync) {}
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    fn has_await_anywhere(e: &Expr) -> bool {
        struct F(bool);
        impl<'ast> syn::visit::Visit<'ast> for F {
            fn visit_expr_await(&mut self, _: &'ast syn::ExprAwait) {
                self.0 = true;
            }
            fn visit_expr_async(&mut self, _: &'ast syn::ExprAsync) {}
            fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
                if c.asyncness.is_none() {
                    syn::visit::visit_expr_closure(self, c)
                }
            }
            fn visit_item(&mut self, _: &'ast syn::Item) {}
        }
        let mut f = F(false);
        syn::visit::Visit::visit_expr(&mut f, e);
        f.0
    }
    let mut c = Check(None);
    syn::visit::Visit::visit_block(&mut c, b);
    c.0.map_or(Ok(()), Err)
}

fn is_construct(e: &Expr) -> bool {
    matches!(
        e,
        Expr::If(_)
            | Expr::Match(_)
            | Expr::Loop(_)
            | Expr::While(_)
            | Expr::ForLoop(_)
            | Expr::Block(_)
            | Expr::Unsafe(_)
    )
}

/// A local, or a tuple or array holding one by value (`(1, g)`): as an operand, it moves the
/// local into the operand.
fn moves_a_local(e: &Expr) -> bool {
    match e {
        Expr::Tuple(t) => t.elems.iter().any(moves_a_local),
        Expr::Array(a) => a.elems.iter().any(moves_a_local),
        Expr::Paren(p) => moves_a_local(&p.expr),
        e => names_a_local(e),
    }
}

/// `g`, `p.a`: a local (a lower-case name), or a field of one, as written.
fn names_a_local(e: &Expr) -> bool {
    match e {
        Expr::Path(p) => {
            p.qself.is_none()
                && p.path.get_ident().is_some_and(|i| {
                    let s = i.to_string();
                    s.starts_with(|c: char| c.is_lowercase() || c == '_') && s != "self"
                })
        }
        Expr::Field(f) => names_a_local(&f.base),
        Expr::Paren(p) => names_a_local(&p.expr),
        _ => false,
    }
}

/// An expression that can be evaluated later without changing what the program does: no side
/// effects and nothing that rustc would give a different type if it were bound first.
fn is_stable(e: &Expr) -> bool {
    match e {
        Expr::Lit(_) | Expr::Path(_) | Expr::Closure(_) | Expr::Const(_) | Expr::Async(_) => true,
        Expr::Paren(p) => is_stable(&p.expr),
        Expr::Group(g) => is_stable(&g.expr),
        Expr::Field(f) => is_stable(&f.base),
        Expr::Reference(r) => is_stable(&r.expr),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => is_stable(&u.expr),
        Expr::Tuple(t) => t.elems.iter().all(is_stable),
        Expr::Array(a) => a.elems.iter().all(is_stable),
        e => slot_of(e).is_some_and(is_stable),
    }
}

/// `let mut slot = None;` for each slot of a tail (see `Normalizer::tail_slots`).
fn declare_slots(slots: &[Ident]) -> Vec<Stmt> {
    slots
        .iter()
        .map(|slot| parse_quote!(let mut #slot = ::core::option::Option::None;))
        .collect()
}

/// `slot.as_mut().unwrap()`, the way to a tail temporary in its slot (see
/// `Normalizer::tail_slots`): `slot`.
pub(crate) fn slot_of(e: &Expr) -> Option<&Expr> {
    match e {
        Expr::MethodCall(m) if m.method == "unwrap" && m.args.is_empty() => match &*m.receiver {
            Expr::MethodCall(r) if r.method == "as_mut" && r.args.is_empty() => Some(&r.receiver),
            _ => None,
        },
        _ => None,
    }
}

/// A struct literal with its field values, in order, replaced by what `f` makes of them.
fn map_fields(mut s: syn::ExprStruct, f: impl FnOnce(Vec<Expr>) -> Vec<Expr>) -> syn::ExprStruct {
    let values = s
        .fields
        .iter_mut()
        .map(|field| std::mem::replace(&mut field.expr, Expr::Verbatim(TokenStream::new())))
        .collect();
    for (field, value) in s.fields.iter_mut().zip(f(values)) {
        field.expr = value;
    }
    s
}

/// Arithmetic on locals and literals (`(i % 3) as usize`): no side effects, and nothing but
/// an overflow to panic with, which happens where it stands.
fn is_pure(e: &Expr) -> bool {
    match e {
        Expr::Lit(_) | Expr::Path(_) => true,
        Expr::Paren(p) => is_pure(&p.expr),
        Expr::Group(g) => is_pure(&g.expr),
        Expr::Cast(c) => is_pure(&c.expr),
        Expr::Field(f) => is_pure(&f.base),
        Expr::Unary(u) => !matches!(u.op, syn::UnOp::Deref(_)) && is_pure(&u.expr),
        Expr::Binary(b) => {
            !crate::anchor::is_compound_assign(&b.op) && is_pure(&b.left) && is_pure(&b.right)
        }
        _ => false,
    }
}

/// A place whose evaluation has no side effects (`x`, `self.a.b`, `*r`).
fn is_place(e: &Expr) -> bool {
    match e {
        Expr::Path(_) => true,
        Expr::Paren(p) => is_place(&p.expr),
        Expr::Group(g) => is_place(&g.expr),
        Expr::Field(f) => is_place(&f.base),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => is_place(&u.expr),
        Expr::Index(i) => is_place(&i.expr) && is_stable(&i.index),
        _ => false,
    }
}

/// Methods whose result owns its data (`g.name().len()`): their receiver is only borrowed for the
/// call, so a temporary receiver need not outlive the statement's suspension.
pub(crate) fn returns_owned(method: &str) -> bool {
    const OWNED: &[&str] = &[
        "len",
        "is_empty",
        "count",
        "to_string",
        "to_owned",
        "clone",
        "to_vec",
        "parse",
        "sum",
        "product",
        "min",
        "max",
        "contains",
        "starts_with",
        "ends_with",
        "eq",
        "cmp",
        "partial_cmp",
        "hash",
        "is_some",
        "is_none",
        "is_ok",
        "is_err",
        "copied",
        "cloned",
        // Integer arithmetic (`n.wrapping_add(1)`), on a `Copy` receiver.
        "pow",
        "abs",
        "abs_diff",
        "signum",
        "rem_euclid",
        "div_euclid",
        "count_ones",
        "count_zeros",
        "leading_zeros",
        "trailing_zeros",
        "rotate_left",
        "rotate_right",
        "swap_bytes",
        "reverse_bits",
    ];
    const OWNED_PREFIXES: &[&str] = &["to_", "is_", "wrapping_", "saturating_", "checked_"];
    OWNED.contains(&method) || OWNED_PREFIXES.iter().any(|p| method.starts_with(p))
}

/// Does `e` write local `v` itself: `v = ..`, `v op= ..`, `&mut v` (not inside a closure)?
fn writes_local(e: &Expr, v: &syn::Ident) -> bool {
    struct Writes<'a>(&'a syn::Ident, bool);
    impl<'ast> syn::visit::Visit<'ast> for Writes<'_> {
        fn visit_expr(&mut self, e: &'ast Expr) {
            let place = match e {
                Expr::Assign(a) => Some(&*a.left),
                Expr::Binary(b) if crate::anchor::is_compound_assign(&b.op) => Some(&*b.left),
                Expr::Reference(r) if r.mutability.is_some() => Some(&*r.expr),
                _ => None,
            };
            if let Some(Expr::Path(p)) = place
                && p.path.is_ident(self.0)
            {
                self.1 = true;
            }
            syn::visit::visit_expr(self, e);
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut w = Writes(v, false);
    syn::visit::Visit::visit_expr(&mut w, e);
    w.1
}

/// Methods that return an owned value and take `self` by value on some common types
/// (`Iterator::count`, `Ord::max`, `Option::copied`): binding their receiver to a temporary
/// would be right, but the analysis takes a named receiver to be borrowed (kept to the end of the
/// statement), and keeping a moved temporary is E0382. Such a receiver stays inline.
/// Methods that end a builder chain, taking the builder by value (`Pool::builder().max_size(5)
/// .build(m)`). Not `unwrap`, `map`, ..: their receiver is often made by a method that borrows
/// a temporary (`guard().opt().unwrap_or(0)`), which must then live to the end of the statement.
fn finishes_a_builder(method: &str) -> bool {
    method.starts_with("build")
        || ["finish", "spawn", "connect", "serve", "launch"].contains(&method)
}

/// Methods known to borrow their receiver: they return an owned value computed from it, lend
/// a guard, or change it in place.
pub(crate) fn known_to_borrow(method: &str) -> bool {
    returns_owned(method)
        || method_mutates(method)
        || GUARDS.contains(&method)
        || method.starts_with("as_")
        || ["iter", "get", "first", "last", "name", "keys", "values"].contains(&method)
}

pub(crate) fn may_take_self(method: &str) -> bool {
    const TAKES_SELF: &[&str] = &[
        "count", "sum", "product", "min", "max", "copied", "cloned", "last", "fold", "rev",
    ];
    TAKES_SELF.contains(&method)
}

/// The locals `exprs` only borrow where they name them: receivers of methods that borrow
/// (`awaited.name()`) and operands of `&`, unless they are named elsewhere too.
fn borrowed_locals<'e>(exprs: impl IntoIterator<Item = &'e Expr>) -> Vec<Ident> {
    use syn::visit::Visit;
    #[derive(Default)]
    struct Uses {
        borrowed: Vec<Ident>,
        other: Vec<Ident>,
    }
    fn local(e: &Expr) -> Option<&Ident> {
        match e {
            Expr::Path(p) => p.path.get_ident(),
            Expr::Paren(p) => local(&p.expr),
            _ => None,
        }
    }
    impl<'ast> Visit<'ast> for Uses {
        fn visit_expr(&mut self, e: &'ast Expr) {
            match e {
                Expr::MethodCall(m)
                    if crate::mentions::receiver_consumes(&m.method.to_string())
                        == crate::mentions::Consumes::No
                        && !may_take_self(&m.method.to_string())
                        && local(&m.receiver).is_some() =>
                {
                    self.borrowed.extend(local(&m.receiver).cloned());
                    m.args.iter().for_each(|a| self.visit_expr(a));
                }
                Expr::Reference(r) if local(&r.expr).is_some() => {
                    self.borrowed.extend(local(&r.expr).cloned());
                }
                Expr::Path(p) => self.other.extend(p.path.get_ident().cloned()),
                _ => syn::visit::visit_expr(self, e),
            }
        }
        fn visit_macro(&mut self, m: &'ast syn::Macro) {
            // A macro's tokens may use a name any way.
            for t in m.tokens.clone() {
                if let TokenTree::Ident(i) = t {
                    self.other.push(i);
                }
            }
        }
    }
    let mut uses = Uses::default();
    exprs.into_iter().for_each(|e| uses.visit_expr(e));
    let Uses { borrowed, other } = uses;
    borrowed
        .into_iter()
        .filter(|i| !other.contains(i))
        .collect()
}

/// Whether a `let` with this initializer extends a temporary: `&e` / `&mut e` of a value (not a
/// place, not a constant rustc would promote) in an extending position: the initializer itself,
/// or an element of a tuple, array or struct literal there, through parentheses.
fn extends_a_temporary(e: &Expr) -> bool {
    match e {
        Expr::Paren(p) => extends_a_temporary(&p.expr),
        Expr::Reference(r) => is_extended_value(&r.expr) || extends_a_temporary(&r.expr),
        Expr::Tuple(t) => t.elems.iter().any(extends_a_temporary),
        Expr::Array(a) => a.elems.iter().any(extends_a_temporary),
        Expr::Struct(s) => s.fields.iter().any(|f| extends_a_temporary(&f.expr)),
        _ => false,
    }
}

fn is_extended_value(e: &Expr) -> bool {
    // A tuple or array of locals (`&[1, 2, n]`, `&(a, b)`) is stable, but still a temporary
    // that holds their values: only a constant one is promoted.
    fn aggregate(e: &Expr) -> bool {
        match e {
            Expr::Paren(p) => aggregate(&p.expr),
            e => matches!(e, Expr::Tuple(_) | Expr::Array(_)),
        }
    }
    !is_place_expr(e) && !is_promotable(e) && (!is_stable(e) || aggregate(e))
}

/// Methods that lend a guard of their receiver.
const GUARDS: &[&str] = &[
    "lock",
    "read",
    "write",
    "borrow",
    "borrow_mut",
    "try_lock",
    "try_read",
    "try_write",
    "try_borrow",
    "try_borrow_mut",
];

/// Whether the value of `e` is likely an owned value that may need dropping (a call's result,
/// a macro's, a literal's, what a consuming method or a lock returns) rather than a borrow or
/// a plain number (`g.name()`, `s.find('x')`): a temporary holding it may matter at the end of
/// the statement.
fn owns_its_value(e: &Expr) -> bool {
    match e {
        Expr::Call(_) | Expr::Macro(_) | Expr::Struct(_) | Expr::Array(_) | Expr::Tuple(_) => true,
        Expr::MethodCall(m) => {
            let name = m.method.to_string();
            crate::mentions::receiver_consumes(&name) != crate::mentions::Consumes::No
                || GUARDS.contains(&name.as_str())
        }
        Expr::Paren(p) => owns_its_value(&p.expr),
        _ => false,
    }
}

/// Methods that usually take `&mut self`: a temporary receiver of theirs is bound `mut`. A
/// method missing here gives E0596 on the temporary, never a silent difference.
fn method_mutates(method: &str) -> bool {
    const MUTATES: &[&str] = &[
        "next",
        "next_back",
        "push",
        "push_str",
        "push_back",
        "push_front",
        "pop",
        "pop_back",
        "pop_front",
        "insert",
        "remove",
        "extend",
        "clear",
        "truncate",
        "drain",
        "retain",
        "sort",
        "sort_by",
        "sort_by_key",
        "sort_unstable",
        "reverse",
        "append",
        "take",
        "replace",
        "swap",
        "entry",
        "split_off",
        "dedup",
        "get_or_insert",
        "get_or_insert_with",
    ];
    method.ends_with("_mut") || MUTATES.contains(&method)
}

/// A place expression, whatever its index operands (`v[i()..]` may be unsized: never a temporary).
fn is_place_expr(e: &Expr) -> bool {
    match e {
        Expr::Path(_) => true,
        Expr::Paren(p) => is_place_expr(&p.expr),
        Expr::Group(g) => is_place_expr(&g.expr),
        Expr::Field(f) => is_place_expr(&f.base),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => true,
        Expr::Index(_) => true,
        _ => false,
    }
}

/// Literals and arrays/tuples of literals: rustc may promote `&[1, 2]` to a `'static`
/// constant, so such operands are left where they are.
fn is_promotable(e: &Expr) -> bool {
    match e {
        Expr::Lit(_) => true,
        // A constant or a unit variant (`MAX`, `None`), by Rust's naming conventions.
        Expr::Path(p) if p.qself.is_none() => p
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident.to_string().starts_with(|c: char| c.is_uppercase())),
        Expr::Tuple(t) => t.elems.iter().all(is_promotable),
        Expr::Array(a) => a.elems.iter().all(is_promotable),
        Expr::Paren(p) => is_promotable(&p.expr),
        _ => false,
    }
}

/// Does a promotable expression name a constant or a `static` (`MAX`, `(SEM, 1)`)?
fn mentions_a_path(e: &Expr) -> bool {
    match e {
        Expr::Path(_) => true,
        Expr::Tuple(t) => t.elems.iter().any(mentions_a_path),
        Expr::Array(a) => a.elems.iter().any(mentions_a_path),
        Expr::Paren(p) => mentions_a_path(&p.expr),
        _ => false,
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Ctx {
    Value,
    Place,
}

impl<'a> Normalizer<'a> {
    pub fn new(names: &'a mut Names, option_return: bool) -> Self {
        Normalizer {
            names,
            synthetic: Vec::new(),
            trivial_iters: Vec::new(),
            option_return,
            loops: 0,
            place_temps: Vec::new(),
            statement_temps: Vec::new(),
            consuming_chain: false,
            edition: crate::edition::current(),
            tail_slots: None,
            slot_names: Vec::new(),
            hoisted_slots: None,
            arguments: 0,
        }
    }

    pub fn block(&mut self, b: Block) -> Result<Block> {
        let arguments = std::mem::take(&mut self.arguments);
        let mut hoist_to = self.hoisted_slots.take();
        let mut stmts = Vec::new();
        let n = b.stmts.len();
        // Whether a statement after the i-th awaits.
        let mut awaits_after = vec![false; n];
        for i in (0..n.saturating_sub(1)).rev() {
            awaits_after[i] = awaits_after[i + 1] || stmt_has_await(&b.stmts[i + 1]);
        }
        for (i, s) in b.stmts.into_iter().enumerate() {
            let is_tail = i + 1 == n && matches!(s, Stmt::Expr(_, None));
            let later_await = awaits_after[i];
            // `let (ref a, ref mut b) = (x.await, 2);`: the bindings borrow a temporary that
            // lives to the end of the block; name it, so it can be kept (and have a fixed home).
            let s = match s {
                Stmt::Local(mut l)
                    if crate::anchor::binds_by_ref(&l.pat)
                        && l.init.as_ref().is_some_and(|i| {
                            i.diverge.is_none() && !is_place(&i.expr) && !is_promotable(&i.expr)
                        }) =>
                {
                    let init = l.init.as_mut().expect("checked above");
                    let t = self.synth("value");
                    let e = std::mem::replace(&mut *init.expr, parse_quote!(#t));
                    let bind: Stmt = parse_quote!(let #t = #e;);
                    if stmt_has_await(&bind) {
                        self.stmt(bind, false, &mut stmts)?;
                    } else {
                        stmts.push(bind);
                    }
                    Stmt::Local(l)
                }
                // `let r = &make();`, `let p = (a(), &make());`: the temporary is extended to
                // the end of the block (Reference, "Destructors": temporary lifetime
                // extension), whether or not `r` is used after a later `.await`. Name it, so it
                // is kept across the `.await`s and drops where rustc drops it: after the
                // bindings of this `let`, before the locals declared earlier.
                Stmt::Local(mut l)
                    if l.init.as_ref().is_some_and(|init| {
                        init.diverge.is_none()
                            && rules::temporaries(Position::ExtendedLetOperand, self.edition)
                                == DropsAt::EndOfBlock
                            && extends_a_temporary(&init.expr)
                            && (later_await || has_await(&init.expr))
                    }) =>
                {
                    let init = l.init.as_mut().expect("checked above");
                    let e = std::mem::replace(&mut *init.expr, Expr::Verbatim(TokenStream::new()));
                    let mut made = Vec::new();
                    *init.expr = self.extend_temporaries(e, &mut made);
                    for bind in made {
                        if stmt_has_await(&bind) {
                            self.stmt(bind, false, &mut stmts)?;
                        } else {
                            stmts.push(bind);
                        }
                    }
                    Stmt::Local(l)
                }
                s => s,
            };
            if let (Some(hoisted), Stmt::Expr(tail, None)) = (&mut hoist_to, &s)
                && is_tail
                && !stmt_has_await(&s)
            {
                // The tail of a block used as an operand, which does not await: its
                // temporaries go in the slots before the statement too.
                hoisted.extend(self.tail_in_slots(tail.clone(), &mut stmts));
            } else if stmt_has_await(&s) && is_tail && self.tail_outlives_locals() {
                let (done, slots) = self.with_tail_slots(|n| n.stmt(s, is_tail, &mut stmts));
                done?;
                if let Some(hoisted) = &mut hoist_to {
                    hoisted.extend(slots);
                } else {
                    let at = arguments.min(stmts.len());
                    stmts.splice(at..at, declare_slots(&slots));
                }
            } else if stmt_has_await(&s) {
                // (A statement's own temporaries drop at its end in every edition.)
                self.without_tail_slots(|n| n.stmt(s, is_tail, &mut stmts))?;
            } else {
                stmts.push(s);
            }
        }
        self.hoisted_slots = hoist_to;
        Ok(Block {
            brace_token: b.brace_token,
            stmts,
        })
    }

    /// Do a block tail's temporaries drop after the block's locals (edition 2021 and before)?
    /// (`rules.rs`, `Position::BlockTail`.)
    fn tail_outlives_locals(&self) -> bool {
        rules::temporaries(Position::BlockTail, self.edition) == DropsAt::AfterBlockLocals
    }

    /// Do an `if let` scrutinee's temporaries drop before the `else` block (edition 2024)?
    /// (`rules.rs`, `Position::IfLetScrutinee`.)
    fn if_let_drops_before_else(&self) -> bool {
        rules::temporaries(Position::IfLetScrutinee, self.edition) == DropsAt::BeforeElse
    }

    fn stmt(&mut self, s: Stmt, is_tail: bool, out: &mut Vec<Stmt>) -> Result<()> {
        if let Some(span) = cfg_attribute(&s) {
            return Err(Error::new(
                span,
                "`#[cfg_attr]`, or more than one `#[cfg]`, on a statement that awaits is not \
                 supported: #[state_machine] writes the fn once per combination of the `#[cfg]` \
                 conditions on such statements, and reads one `#[cfg(..)]` per statement; write \
                 one condition (`#[cfg(all(a, b))]`)",
            ));
        }
        match s {
            Stmt::Local(mut local) => {
                let init = local.init.take().expect("has_await implies an initialiser");
                if let Some((_, diverge)) = &init.diverge
                    && has_await(diverge)
                {
                    if matches!(local.pat, syn::Pat::Type(_)) {
                        return Err(Error::new(
                            diverge.span(),
                            "`.await` in the `else` block of a `let PAT: TYPE = .. else` is not \
                             supported yet; write the type elsewhere (`let PAT = expr as T`)",
                        ));
                    }
                    return self.let_else(local, init, is_tail, out);
                }
                let expr = *init.expr;
                let new_init = match expr {
                    Expr::Await(a) if !has_await(&a.base) && init.diverge.is_none() => {
                        self.await_expr(*a.base, a.await_token.span)?
                    }
                    e if is_construct(&e) && init.diverge.is_none() => self.construct(e)?,
                    // `let r = &FUT.await;`: the awaited value lives as long as `r` (temporary
                    // lifetime extension), so it gets a binding in the enclosing block.
                    Expr::Reference(r)
                        if matches!(&*r.expr, Expr::Await(a) if !has_await(&a.base))
                            && init.diverge.is_none() =>
                    {
                        let Expr::Await(a) = *r.expr else {
                            unreachable!()
                        };
                        let awaited = self.await_expr(*a.base, a.await_token.span)?;
                        let v = self.synth("awaited");
                        let m = r.mutability;
                        out.push(parse_quote!(let #m #v = #awaited;));
                        let and = r.and_token;
                        parse_quote!(#and #m #v)
                    }
                    // `let n = FUT.await?;`: await into a binding, then apply `?` to it.
                    Expr::Try(t)
                        if matches!(&*t.expr, Expr::Await(a) if !has_await(&a.base))
                            && init.diverge.is_none() =>
                    {
                        let Expr::Await(a) = *t.expr else {
                            unreachable!()
                        };
                        let awaited = self.await_expr(*a.base, a.await_token.span)?;
                        let v = self.synth("awaited");
                        out.push(parse_quote!(let #v = #awaited;));
                        let q = t.question_token;
                        parse_quote!(#v #q)
                    }
                    e => {
                        let e = self.statement_expr(e)?;
                        if init.diverge.is_some() {
                            // `let P = { .. } else {}` is not valid syntax: bind the value first.
                            let v = self.synth("value");
                            out.push(parse_quote!(let #v = #e;));
                            parse_quote!(#v)
                        } else {
                            e
                        }
                    }
                };
                local.init = Some(syn::LocalInit {
                    eq_token: init.eq_token,
                    expr: Box::new(new_init),
                    diverge: init.diverge,
                });
                out.push(Stmt::Local(local));
            }
            Stmt::Expr(e, semi) => {
                let e = match e {
                    Expr::Await(a) if !has_await(&a.base) => {
                        self.await_expr(*a.base, a.await_token.span)?
                    }
                    e if is_construct(&e) => self.construct(e)?,
                    e => self.statement_expr(e)?,
                };
                let semi = if is_tail {
                    None
                } else {
                    semi.or(Some(Default::default()))
                };
                out.push(Stmt::Expr(e, semi));
            }
            Stmt::Macro(m) => {
                let e = Expr::Macro(syn::ExprMacro {
                    attrs: m.attrs,
                    mac: m.mac,
                });
                let e = self.statement_expr(e)?;
                out.push(Stmt::Expr(e, Some(Default::default())));
            }
            Stmt::Item(i) => out.push(Stmt::Item(i)),
        }
        Ok(())
    }

    /// `if let P = a && c.await { T } else { E }` as nested `if`s in a labelled block, so that
    /// each condition is evaluated (and may suspend) only when the ones before it held, and the
    /// else-part is written once:
    ///
    /// ```text
    /// 'chain: { if let P = a { if c.await { break 'chain { T }; } } { E } }
    /// ```
    fn spell_out_let_chain(&mut self, i: syn::ExprIf) -> Expr {
        fn conditions(e: Expr, out: &mut Vec<Expr>) {
            match e {
                Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_)) => {
                    conditions(*b.left, out);
                    conditions(*b.right, out);
                }
                e => out.push(e),
            }
        }
        let mut conds = Vec::new();
        conditions(*i.cond, &mut conds);
        let name = self.names.fresh("chain");
        let label = Lifetime::new(&format!("'{name}"), Span::mixed_site());
        let then = i.then_branch;
        let mut nested: Expr = match &i.else_branch {
            Some(_) => parse_quote!({ break #label #then; }),
            None => parse_quote!(#then),
        };
        for c in conds.into_iter().rev() {
            nested = parse_quote!(if #c { #nested });
        }
        let attrs = &i.attrs;
        match i.else_branch {
            Some((_, e)) => parse_quote!(#(#attrs)* #label: { #nested #e }),
            None => parse_quote!(#(#attrs)* #label: { #nested }),
        }
    }

    /// `let PAT = e else { ..await.. };`, as two statements that keep let-else's drop order (the
    /// initialiser's temporaries are dropped before the `else` block runs):
    ///
    /// ```text
    /// let matched = match e { PAT => Some((a, b)), _ => None };
    /// let (a, b) = match matched { Some(bound) => bound, None => { ..await.. } };
    /// ```
    ///
    /// When `e` is a local (no temporaries), one statement:
    /// `let (a, b) = match e { PAT => (a, b), _ => { ..await.. } };`.
    fn let_else(
        &mut self,
        local: syn::Local,
        init: syn::LocalInit,
        is_tail: bool,
        out: &mut Vec<Stmt>,
    ) -> Result<()> {
        let (_, diverge) = init.diverge.expect("a let-else");
        let bindings = crate::mentions::pat_bindings(&local.pat);
        let mut inner = local.pat.clone();
        strip_binding_mut(&mut inner);
        let names: Vec<&Ident> = bindings.iter().map(|(i, _)| i).collect();
        let outer: Vec<TokenStream> = bindings
            .iter()
            .map(|(i, m)| {
                let m = m.then(|| quote::quote!(mut));
                quote::quote!(#m #i)
            })
            .collect();
        let e = &init.expr;
        let attrs = &local.attrs;
        // On a local (no temporaries to drop first), one `match`: the `else` arm then sees the
        // local whole, and the analysis keeps it alive there (the binding arm moves from it).
        if matches!(&**e, Expr::Path(p) if p.qself.is_none() && p.path.get_ident().is_some()) {
            let single: Stmt = parse_quote! {
                #(#attrs)*
                let (#(#outer,)*) = match #e {
                    #inner => (#(#names,)*),
                    _ => #diverge,
                };
            };
            return self.stmt(single, is_tail, out);
        }
        let matched = self.synth("matched");
        let bound = Ident::new("bound", Span::mixed_site());
        let first: Stmt = parse_quote! {
            let #matched = match #e {
                #inner => ::core::option::Option::Some((#(#names,)*)),
                _ => ::core::option::Option::None,
            };
        };
        let second: Stmt = parse_quote! {
            #(#attrs)*
            let (#(#outer,)*) = match #matched {
                ::core::option::Option::Some(#bound) => #bound,
                ::core::option::Option::None => #diverge,
            };
        };
        self.stmt(first, false, out)?;
        self.stmt(second, is_tail, out)
    }

    /// `FUT.await` with an await-free `FUT`: bind the temporaries `FUT` borrows so that they live
    /// across the suspension, as rustc keeps them until the end of the statement.
    fn await_expr(&mut self, fut: Expr, await_span: Span) -> Result<Expr> {
        let mut prelude = Vec::new();
        let fut = self.extract_temps(fut, &mut prelude);
        self.rebind_operands_after_temporaries(&mut prelude);
        let awaited = make_await(fut, await_span);
        Ok(if prelude.is_empty() {
            awaited
        } else {
            parse_quote!({ #(#prelude)* #awaited })
        })
    }

    /// A synthetic binding (`awaited`, `tmp`) used as a place (a receiver borrowed by its
    /// method, the operand of `&`, a field's base) stands for a temporary of the statement.
    fn note_statement_temp(&mut self, e: &Expr) {
        if let Expr::Path(p) = e
            && let Some(name) = p.path.get_ident()
            && self.synthetic.iter().any(|s| name == s)
            && !self.statement_temps.contains(name)
        {
            self.statement_temps.push(name.clone());
        }
    }

    /// Rust drops the operands of an expression (values already evaluated, waiting to be moved
    /// into it) at the end of that expression, and the statement's other temporaries at the
    /// end of the statement (Reference, "Destructors": temporary scopes, operands). Dropped
    /// half-way, by a panic or a cancelled future, the operands go first, then those
    /// temporaries, each group the last made first. Bindings drop in reverse order of
    /// declaration, so after a statement temporary is bound, the operands bound before it and
    /// not used yet are bound again (`let tmp = tmp;`): they now drop before it. (Each operand
    /// binding is used once, where its value is moved; synthetic names are unique.)
    fn rebind_operands_after_temporaries(&mut self, prelude: &mut Vec<Stmt>) {
        let mut operands: Vec<(Ident, usize)> = Vec::new();
        let mut out: Vec<Stmt> = Vec::with_capacity(prelude.len());
        for s in prelude.drain(..) {
            let bound = match &s {
                Stmt::Local(syn::Local {
                    pat: syn::Pat::Ident(p),
                    init: Some(init),
                    ..
                }) if p.by_ref.is_none() && p.subpat.is_none() && init.diverge.is_none() => {
                    Some(p.ident.clone())
                }
                _ => None,
            };
            out.push(s);
            let Some(name) = bound else { continue };
            if !self.statement_temps.contains(&name) {
                operands.push((name, out.len()));
                continue;
            }
            let waiting: Vec<Ident> = operands
                .iter()
                .filter(|(op, from)| {
                    !out[*from..].iter().any(|s| {
                        crate::ir::ident_span_in(quote::ToTokens::to_token_stream(s), op).is_some()
                    })
                })
                .map(|(op, _)| op.clone())
                .collect();
            for op in waiting {
                out.push(parse_quote!(let #op = #op;));
                let at = out.len();
                if let Some(entry) = operands.iter_mut().find(|(o, _)| *o == op) {
                    entry.1 = at;
                }
            }
        }
        *prelude = out;
    }

    /// Any other expression with awaits inside: flatten it into `{ prelude; residual }`.
    fn statement_expr(&mut self, e: Expr) -> Result<Expr> {
        // `FUT.await?`: bind the awaited value, then apply `?` (nothing is left to drop).
        let mut prelude = Vec::new();
        let residual = self.flatten(e, &mut prelude)?;
        if prelude.is_empty() {
            return Ok(residual);
        }
        self.rebind_operands_after_temporaries(&mut prelude);
        Ok(parse_quote!({ #(#prelude)* #residual }))
    }

    /// Normalises a control-flow construct that contains awaits (the construct itself stays).
    /// Its condition, scrutinee and arms are temporary scopes of their own: a tail's slots
    /// (`tail_slots`) do not reach inside.
    fn construct(&mut self, e: Expr) -> Result<Expr> {
        // A `match` scrutinee is no temporary scope (`rules.rs`): in a tail up to edition 2021
        // what it makes goes in the tail's slots, and drops after the block's locals, when
        // its arms suspend (`match make().kind() { A => x.await, .. }` as a fn's last
        // expression).
        if let Expr::Match(mut m) = e {
            if self.tail_slots.is_some()
                && rules::temporaries(Position::MatchScrutinee, self.edition)
                    == DropsAt::EndOfEnclosingScope
                && m.arms.iter().any(|a| has_await(&a.body))
                && !m.arms.iter().any(|a| matches!(&a.pat, syn::Pat::Guard(_)))
                // (Not when an arm binds the whole value: a `for` loop's `mut iter =>`.)
                && !m.arms.iter().any(|a| matches!(&a.pat, syn::Pat::Ident(i)
                    if !i.ident.to_string().starts_with(char::is_uppercase)))
            {
                let mut prelude = Vec::new();
                let mut s = *m.expr;
                if has_await(&s) {
                    s = self.flatten(s, &mut prelude)?;
                }
                m.expr = Box::new(self.extract_temps(s, &mut prelude));
                let rest = self.without_tail_slots(|n| n.construct_in(Expr::Match(m)))?;
                return Ok(if prelude.is_empty() {
                    rest
                } else {
                    parse_quote!({ #(#prelude)* #rest })
                });
            }
            return self.without_tail_slots(|n| n.construct_in(Expr::Match(m)));
        }
        self.without_tail_slots(|n| n.construct_in(e))
    }

    /// Runs `f` in a tail (up to edition 2021), with slots of its own: what it returns, and
    /// the slots it made.
    fn with_tail_slots<R>(&mut self, f: impl FnOnce(&mut Self) -> R) -> (R, Vec<Ident>) {
        let outer = self.tail_slots.replace(Vec::new());
        let out = f(self);
        let slots = std::mem::replace(&mut self.tail_slots, outer).unwrap_or_default();
        (out, slots)
    }

    /// Runs `f` in a temporary scope of its own (a construct's parts, a macro's arguments, a
    /// statement): no tail's slots reach inside.
    fn without_tail_slots<R>(&mut self, f: impl FnOnce(&mut Self) -> R) -> R {
        let outer = self.tail_slots.take();
        let out = f(self);
        self.tail_slots = outer;
        out
    }

    /// Tail `tail` of a block, pushed onto `stmts` after the statements that make its
    /// temporaries, which go in slots: the slots.
    fn tail_in_slots(&mut self, tail: Expr, stmts: &mut Vec<Stmt>) -> Vec<Ident> {
        let ((), slots) = self.with_tail_slots(|n| {
            let tail = n.extract_temps(tail, stmts);
            stmts.push(Stmt::Expr(tail, None));
        });
        slots
    }

    /// A temporary made by `e` (or the value of synthetic binding `e`), moved into a new slot
    /// of the tail under way: the place it is then.
    fn slot_temporary(&mut self, e: Expr, out: &mut Vec<Stmt>) -> Expr {
        let slot = self.names.ident("slot");
        self.synthetic.push(slot.to_string());
        self.slot_names.push(slot.clone());
        if let Some(slots) = &mut self.tail_slots {
            slots.push(slot.clone());
        }
        out.push(parse_quote!(#slot = ::core::option::Option::Some(#e);));
        parse_quote!((*#slot.as_mut().unwrap()))
    }

    fn construct_in(&mut self, e: Expr) -> Result<Expr> {
        Ok(match e {
            Expr::Block(mut b) => {
                b.block = self.block(b.block)?;
                Expr::Block(b)
            }
            Expr::Unsafe(mut b) => {
                b.block = self.block(b.block)?;
                Expr::Unsafe(b)
            }
            Expr::If(mut i) => {
                if has_await(&i.cond) {
                    // Evaluate the condition first, then branch.
                    let mut prelude = Vec::new();
                    let taken = std::mem::replace(&mut *i.cond, Expr::Verbatim(TokenStream::new()));
                    let cond = match taken {
                        Expr::Let(mut l) => {
                            let v = self.flatten(*l.expr, &mut prelude)?;
                            l.expr = Box::new(self.extract_temps(v, &mut prelude));
                            Expr::Let(l)
                        }
                        Expr::Binary(b)
                            if matches!(b.op, syn::BinOp::And(_))
                                && contains_let(&b.left, &b.right) =>
                        {
                            let chain = syn::ExprIf {
                                cond: Box::new(Expr::Binary(b)),
                                ..i
                            };
                            let spelled = self.spell_out_let_chain(chain);
                            return self.construct(spelled);
                        }
                        c => {
                            // An `if` condition is a temporary scope (Reference, "Destructors":
                            // temporary scopes): what it made is dropped before a branch runs.
                            // So the condition's statements run in a block of their own, which
                            // ends, dropping them, before the `if` branches.
                            let c = self.flatten(c, &mut prelude)?;
                            let cond = self.synth("cond");
                            let rest = syn::ExprIf {
                                cond: Box::new(parse_quote!(#cond)),
                                ..i
                            };
                            let rest = self.construct(Expr::If(rest))?;
                            self.rebind_operands_after_temporaries(&mut prelude);
                            return Ok(parse_quote!({
                                let #cond: bool = { #(#prelude)* #c };
                                #rest
                            }));
                        }
                    };
                    // `if let P = ..await..`: the scrutinee's temporaries live through the
                    // then-block and (edition 2024) are dropped before the else-block runs, as
                    // below for a scrutinee without `.await`.
                    self.rebind_operands_after_temporaries(&mut prelude);
                    let scrutinee = match &cond {
                        Expr::Let(l) => Some(&*l.expr),
                        _ => None,
                    };
                    // (Up to edition 2021 they live through the else-block too.)
                    let drops = scrutinee
                        .filter(|_| self.if_let_drops_before_else())
                        .and_then(|e| self.drop_temporaries(&prelude, e));
                    if let Some(drops) = drops {
                        let els: Expr = match i.else_branch.take() {
                            Some((_, e)) => parse_quote!({ #drops #e }),
                            None => parse_quote!({ #drops }),
                        };
                        i.else_branch = Some((Default::default(), Box::new(els)));
                    }
                    let rest = syn::ExprIf {
                        cond: Box::new(cond),
                        ..i
                    };
                    let rest = self.construct(Expr::If(rest))?;
                    return Ok(parse_quote!({ #(#prelude)* #rest }));
                }
                let mut i = i;
                // `if let P = make().name() { ..await.. }`: the scrutinee's temporaries live
                // through the then-block, across its suspensions, and (edition 2024) are dropped
                // before the else-block runs.
                let mut prelude = Vec::new();
                if block_has_await(&i.then_branch)
                    && let Expr::Let(l) = &mut *i.cond
                {
                    let e = std::mem::replace(&mut *l.expr, Expr::Verbatim(TokenStream::new()));
                    *l.expr = self.extract_temps(e, &mut prelude);
                    let drops = self
                        .if_let_drops_before_else()
                        .then(|| self.drop_temporaries(&prelude, &l.expr))
                        .flatten();
                    if let Some(drops) = drops {
                        let els: Expr = match i.else_branch.take() {
                            Some((_, e)) => parse_quote!({ #drops #e }),
                            None => parse_quote!({ #drops }),
                        };
                        i.else_branch = Some((Default::default(), Box::new(els)));
                    }
                }
                i.then_branch = self.block(i.then_branch)?;
                if let Some((els, e)) = i.else_branch.take() {
                    let e = if has_await(&e) {
                        self.construct(*e)?
                    } else {
                        *e
                    };
                    i.else_branch = Some((els, Box::new(e)));
                }
                if prelude.is_empty() {
                    Expr::If(i)
                } else {
                    parse_quote!({ #(#prelude)* #i })
                }
            }
            Expr::Match(m)
                if m.arms
                    .iter()
                    .any(|a| matches!(&a.pat, syn::Pat::Guard(g) if has_await(&g.guard))) =>
            {
                let spelled = self.guards_first(m)?;
                self.construct(spelled)?
            }
            Expr::Match(m)
                if m.arms.iter().any(|a| has_await(&a.body))
                    && let Some(kept) = self.keep_tuple_rest(&m) =>
            {
                self.construct(kept)?
            }
            Expr::Match(m) => {
                let mut m = m;
                let mut prelude = Vec::new();
                let mut s = *m.expr;
                if has_await(&s) {
                    s = self.flatten(s, &mut prelude)?;
                }
                if m.arms.iter().any(|a| has_await(&a.body))
                    && rules::temporaries(Position::MatchScrutinee, self.edition)
                        == DropsAt::EndOfEnclosingScope
                {
                    // The scrutinee's temporaries live to the end of the `match`, across the
                    // arms' suspensions (`match make().name().len() { .. }`), also those
                    // made after an `.await` in it (`match f().await ^ g(&T) { .. }`).
                    s = self.extract_temps(s, &mut prelude);
                    // `match String::from("v") { ref x => { f().await; x.len() } }`: a `ref`
                    // binding borrows the scrutinee's value itself, a temporary that lives as
                    // long (kept across the arm's `.await`s, where it has a name).
                    if !is_place(&s)
                        && !is_place_expr(&s)
                        && m.arms.iter().any(|a| crate::anchor::binds_by_ref(&a.pat))
                    {
                        let mutable = m
                            .arms
                            .iter()
                            .any(|a| crate::anchor::binds_by_ref_mut(&a.pat));
                        let t = self.synth("scrutinee");
                        prelude.push(if mutable {
                            parse_quote!(let mut #t = #s;)
                        } else {
                            parse_quote!(let #t = #s;)
                        });
                        s = parse_quote!(#t);
                    }
                }
                m.expr = Box::new(s);
                for arm in &mut m.arms {
                    if let syn::Pat::Guard(g) = &arm.pat
                        && has_await(&g.guard)
                    {
                        return Err(Error::new(
                            g.guard.span(),
                            "`.await` in a match guard is not supported yet; \
                                 await before the `match`",
                        ));
                    }
                    if has_await(&arm.body) {
                        let body =
                            std::mem::replace(&mut *arm.body, Expr::Verbatim(TokenStream::new()));
                        let block: Block = match body {
                            Expr::Block(b) if b.label.is_none() && b.attrs.is_empty() => b.block,
                            other => parse_quote!({ #other }),
                        };
                        let block = self.block(block)?;
                        *arm.body = Expr::Block(syn::ExprBlock {
                            attrs: Vec::new(),
                            label: None,
                            block,
                        });
                        arm.comma = Some(Default::default());
                    }
                }
                if prelude.is_empty() {
                    Expr::Match(m)
                } else {
                    self.rebind_operands_after_temporaries(&mut prelude);
                    parse_quote!({ #(#prelude)* #m })
                }
            }
            Expr::Loop(mut l) => {
                let label = self.label(&mut l.label);
                label_breaks(&mut l.body, &label);
                l.body = self.block(l.body)?;
                Expr::Loop(l)
            }
            Expr::While(w) => {
                // `while c { b }` is `loop { if c { b } else { break } }`.
                let mut label_opt = w.label;
                let label = self.label(&mut label_opt);
                let mut body = w.body;
                label_breaks(&mut body, &label);
                let cond = w.cond;
                let attrs = w.attrs;
                let lp: Expr = parse_quote! {
                    #(#attrs)*
                    #label: loop {
                        if #cond #body else { break #label; }
                    }
                };
                self.construct(lp)?
            }
            Expr::ForLoop(f) => {
                // rustc's desugaring: `match IntoIterator::into_iter(e) { mut iter => loop {
                //     match Iterator::next(&mut iter) { None => break, Some(p) => body }; } }`
                // (a statement: the loop body has no tail).
                let mut label_opt = f.label;
                let label = self.label(&mut label_opt);
                let mut body = f.body;
                label_breaks(&mut body, &label);
                let iter = self.synth("iter");
                if yields_trivial_items(&f.expr) {
                    self.trivial_iters.push(iter.to_string());
                }
                let pat = f.pat;
                let mut prelude = Vec::new();
                let src = if has_await(&f.expr) {
                    self.flatten(*f.expr, &mut prelude)?
                } else {
                    *f.expr
                };
                let lp: Expr = parse_quote! {
                    {
                        #(#prelude)*
                        let mut #iter = ::core::iter::IntoIterator::into_iter(#src);
                        #label: loop {
                            match ::core::iter::Iterator::next(&mut #iter) {
                                ::core::option::Option::Some(#pat) => #body,
                                ::core::option::Option::None => break #label,
                            };
                        }
                    }
                };
                self.construct(lp)?
            }
            other => other,
        })
    }

    fn label(&mut self, label: &mut Option<syn::Label>) -> Lifetime {
        match label {
            Some(l) => l.name.clone(),
            None => {
                let name = self.names.fresh(&format!("loop{}", self.loops));
                self.loops += 1;
                let lt = Lifetime::new(&format!("'{name}"), Span::mixed_site());
                *label = Some(syn::Label {
                    name: lt.clone(),
                    colon_token: Default::default(),
                });
                lt
            }
        }
    }

    /// A fresh local introduced by the normaliser.
    /// A `match` whose guards await: the guards cannot run in the middle of a `match` (an arm
    /// is chosen, and its by-value bindings move, only after its guard passed), so they run
    /// first, arm by arm, in order, each after its own pattern test; the `match` then takes the
    /// arm that was chosen:
    ///
    /// ```text
    /// match s { P0 if g0.await => b0, P1 => b1 }
    /// // becomes
    /// let arm: usize = 'guards: {
    ///     if let P0' = s { if g0.await { break 'guards 0; } }
    ///     if let P1' = s { break 'guards 1; }
    ///     usize::MAX
    /// };
    /// match s { P0 if arm == 0 => b0, P1 => b1 }
    /// ```
    ///
    /// `P'` is `P` with its bindings replaced by `_`, so the test moves nothing; a guard that
    /// uses the arm's bindings is supported when the scrutinee is a reference (`match &x`),
    /// where `P'` is `P` itself (its bindings are references, and nothing can move).
    fn guards_first(&mut self, m: syn::ExprMatch) -> Result<Expr> {
        use syn::spanned::Spanned;
        let mut prelude = Vec::new();
        let mut scrut = *m.expr;
        if has_await(&scrut) {
            scrut = self.flatten(scrut, &mut prelude)?;
        }
        let by_ref = matches!(scrut, Expr::Reference(_));
        if !simple_place(&scrut) {
            let s = self.synth("scrutinee");
            prelude.push(parse_quote!(let #s = #scrut;));
            scrut = parse_quote!(#s);
        }
        let arm_ident = self.synth("arm");
        let name = self.names.fresh("guards");
        let label = Lifetime::new(&format!("'{name}"), Span::mixed_site());
        let mut tests: Vec<Stmt> = Vec::new();
        let mut arms = Vec::new();
        for (k, arm) in m.arms.into_iter().enumerate() {
            let k_lit = proc_macro2::Literal::usize_unsuffixed(k);
            let (pat, guard) = match &arm.pat {
                syn::Pat::Guard(g) => ((*g.pat).clone(), Some((*g.guard).clone())),
                p => (p.clone(), None),
            };
            // A binding of the whole scrutinee (`n if ok(n).await`, `n @ Some(_) if ..`) is, in
            // the guard, the scrutinee itself: name the place instead.
            let guard = guard.map(|mut g| {
                if let syn::Pat::Ident(i) = &pat
                    && crate::mentions::looks_like_binding(i)
                {
                    replace_name(&mut g, &i.ident, &scrut);
                }
                g
            });
            if let Some(g) = &guard
                && !by_ref
                && mentions_any(g, &pattern_bindings(&pat))
            {
                return Err(Error::new(
                    g.span(),
                    "this `match` has a guard that awaits, and this guard uses a binding from \
                     inside its arm's pattern: #[state_machine] runs such guards before the \
                     `match` picks an arm, which needs the bindings borrowed, so the scrutinee \
                     must be a reference (`match &x { .. }`); match on a reference, bind the \
                     whole value (`n if ok(n.0).await`), or await before the `match`",
                ));
            }
            let test = if by_ref {
                pat.clone()
            } else {
                wildcard_bindings(pat.clone())
            };
            tests.push(match &guard {
                Some(g) => parse_quote! {
                    if let #test = #scrut { if #g { break #label #k_lit; } }
                },
                None => parse_quote! {
                    if let #test = #scrut { break #label #k_lit; }
                },
            });
            let mut arm = arm;
            if let syn::Pat::Guard(g) = &mut arm.pat {
                *g.guard = parse_quote!(#arm_ident == #k_lit);
            }
            arms.push(arm);
        }
        let attrs = &m.attrs;
        Ok(parse_quote!({
            #(#prelude)*
            let #arm_ident: ::core::primitive::usize = #label: {
                #(#tests)*
                ::core::primitive::usize::MAX
            };
            #(#attrs)*
            match #scrut { #(#arms)* }
        }))
    }

    /// `match (g1, g2) { (a, _) => { x.await; .. } .. }`: the scrutinee is a tuple that lives to
    /// the end of the statement, and the parts a pattern leaves in it (`_`, or a pattern that
    /// binds nothing) drop there, after the `.await`s of the arm. A part left in the tuple cannot
    /// be kept across a suspension on its own, so each arm binds it (`rest1`, `rest0 @ None`)
    /// and hands it back with its value, and the parts drop where the tuple would have:
    ///
    /// ```text
    /// { let (value, rest) = match (g1, g2) {
    ///       (a, rest1) => { x.await; (.., (None, Some(rest1))) } .. };
    ///   value }
    /// ```
    ///
    /// `None` when the scrutinee is not a tuple literal, a pattern is not a tuple of plain
    /// parts (`_`, a binding by value, or a pattern that binds nothing), or nothing is left.
    fn keep_tuple_rest(&mut self, m: &syn::ExprMatch) -> Option<Expr> {
        let Expr::Tuple(scrutinee) = &*m.expr else {
            return None;
        };
        let n = scrutinee.elems.len();
        // Per arm, per part: left in the tuple?
        let mut left: Vec<Vec<bool>> = Vec::new();
        for arm in &m.arms {
            let pat = match &arm.pat {
                syn::Pat::Guard(g) => &*g.pat,
                p => p,
            };
            let syn::Pat::Tuple(t) = pat else { return None };
            if t.elems.len() != n {
                return None;
            }
            let mut parts = Vec::new();
            for p in &t.elems {
                let binds = crate::mentions::pat_bindings(p);
                parts.push(match p {
                    syn::Pat::Wild(_) => true,
                    syn::Pat::Rest(_) => return None,
                    syn::Pat::Ident(i) if i.by_ref.is_none() && i.subpat.is_none() => {
                        if !crate::mentions::looks_like_binding(i) {
                            return None;
                        }
                        false
                    }
                    _ if binds.is_empty() => true,
                    // `Kind::Open(inner)`: moved out whole when nothing in it is skipped or
                    // borrowed.
                    p if takes_all(p) => false,
                    _ => return None,
                });
            }
            left.push(parts);
        }
        let kept: Vec<usize> = (0..n).filter(|&k| left.iter().any(|l| l[k])).collect();
        if kept.is_empty() {
            return None;
        }
        let rest_names: Vec<Ident> = (0..n)
            .map(|k| self.names.ident(&format!("rest{k}")))
            .collect();
        let mut m = m.clone();
        for (arm, parts) in m.arms.iter_mut().zip(&left) {
            let pat = match &mut arm.pat {
                syn::Pat::Guard(g) => &mut *g.pat,
                p => p,
            };
            let syn::Pat::Tuple(t) = pat else { return None };
            // The arm's own bindings are bound again first thing in its body: declared after
            // the parts left in the tuple, they drop before them, as they did before the tuple.
            let mut rebind: Vec<Stmt> = Vec::new();
            for (k, p) in t.elems.iter_mut().enumerate() {
                if !parts[k] {
                    for (name, mutable) in crate::mentions::pat_bindings(p) {
                        let mutability = mutable.then(<syn::Token![mut]>::default);
                        rebind.push(parse_quote!(let #mutability #name = #name;));
                    }
                    strip_binding_mut(p);
                    continue;
                }
                let name = &rest_names[k];
                *p = match &*p {
                    syn::Pat::Wild(_) => parse_quote!(#name),
                    other => parse_quote!(#name @ #other),
                };
            }
            let opts = kept.iter().map(|&k| {
                let name = &rest_names[k];
                if parts[k] {
                    quote::quote!(::core::option::Option::Some(#name))
                } else {
                    quote::quote!(::core::option::Option::None)
                }
            });
            let opts = quote::quote!((#(#opts,)*));
            let body = &mut *arm.body;
            *body = match std::mem::replace(body, Expr::Verbatim(TokenStream::new())) {
                Expr::Block(mut b) if b.label.is_none() && b.attrs.is_empty() => {
                    b.block.stmts.splice(0..0, rebind);
                    let tail = match b.block.stmts.last() {
                        Some(Stmt::Expr(_, None)) => match b.block.stmts.pop() {
                            Some(Stmt::Expr(e, None)) => e,
                            _ => unreachable!("the last statement was a tail expression"),
                        },
                        _ => parse_quote!(()),
                    };
                    b.block
                        .stmts
                        .push(Stmt::Expr(parse_quote!((#tail, #opts)), None));
                    Expr::Block(b)
                }
                other => parse_quote!({ #(#rebind)* (#other, #opts) }),
            };
            arm.comma = Some(Default::default());
        }
        let value = self.names.ident("value");
        let rest = self.names.ident("rest");
        Some(parse_quote!({
            let (#value, #rest) = #m;
            #value
        }))
    }

    fn synth(&mut self, base: &str) -> Ident {
        let i = self.names.ident(base);
        self.synthetic.push(i.to_string());
        i
    }

    fn temp(&mut self, e: Expr, out: &mut Vec<Stmt>) -> Expr {
        let t = self.synth("tmp");
        out.push(parse_quote!(let #t = #e;));
        parse_quote!(#t)
    }

    /// Binds the value temporaries in place positions of `e` (receivers, `&` operands, field and
    /// index bases), innermost first, so they can live across a suspension.
    fn extract_temps(&mut self, e: Expr, out: &mut Vec<Stmt>) -> Expr {
        match e {
            Expr::MethodCall(mut m) => {
                // A receiver is bound to a named temporary, so that it lives to the end of the
                // statement, across the suspension, as rustc keeps it: a future may borrow it,
                // and a lock guard (`m.lock().unwrap().len()`) holds the lock and makes the
                // future `!Send`. Not when the method usually takes `self` by value (a
                // builder's `.send()`): then the whole receiver chain stays inline. Nor when
                // the method returns an owned value and the receiver is likely a borrow
                // (`g.name().len()`): rustc keeps no such temporary across the suspension
                // either (it has nothing to drop), and the state would grow for nothing.
                // Either way the temporaries inside the receiver (`make()` in
                // `make().name().len()`) live to the end of the statement, as in rustc.
                let name = m.method.to_string();
                let consumes = crate::mentions::receiver_consumes(&name)
                    != crate::mentions::Consumes::No
                    || may_take_self(&name);
                // In a chain that ends in a method taking `self` (`Pool::builder().max_size(5)
                // .build(m)`), a method not known to borrow is a builder's, taking `self` too:
                // its receiver stays inline (bound, it would be E0507).
                let builder = self.consuming_chain && !known_to_borrow(&name);
                let saved = std::mem::replace(
                    &mut self.consuming_chain,
                    finishes_a_builder(&name) || builder,
                );
                let recv = self.extract_temps(*m.receiver, out);
                self.consuming_chain = saved;
                m.receiver = Box::new(
                    if !consumes
                        && !builder
                        && (!returns_owned(&name) || owns_its_value(&recv))
                        // A fresh clone is made to be given away: `x.clone().acquire_owned()`.
                        && !is_clone(&recv)
                    {
                        // `mut` unless the method is known to borrow shared: an unknown
                        // one may take `&mut self` (`OpenOptions::new().read(true)`, `..
                        // .into_inner().read_to_end(&mut buf)`; E0596 were it wrong). A
                        // temporary is the receiver of this one call only, so the exclusive
                        // borrow of its fixed home overlaps no other.
                        // (`read`/`write` with arguments are not a lock's guards.)
                        let mutable = method_mutates(&name)
                            || !known_to_borrow(&name)
                            || (GUARDS.contains(&name.as_str()) && !m.args.is_empty());
                        self.place_temp_as(recv, mutable, out)
                    } else {
                        recv
                    },
                );
                let mut args_out = Vec::new();
                m.args = self
                    .extract_operands(m.args.into_iter().collect(), &mut args_out)
                    .into_iter()
                    .collect();
                if !args_out.is_empty() && !is_stable(&m.receiver) && !is_place_expr(&m.receiver) {
                    // The receiver is evaluated before the arguments' temporaries are made.
                    let recv =
                        std::mem::replace(&mut *m.receiver, Expr::Verbatim(TokenStream::new()));
                    *m.receiver = self.temp(recv, out);
                }
                out.extend(args_out);
                Expr::MethodCall(m)
            }
            Expr::Call(mut c) => {
                c.args = self
                    .extract_operands(c.args.into_iter().collect(), out)
                    .into_iter()
                    .collect();
                Expr::Call(c)
            }
            Expr::Reference(mut r) => {
                let inner = self.extract_temps(*r.expr, out);
                r.expr = Box::new(self.place_temp_as(inner, r.mutability.is_some(), out));
                Expr::Reference(r)
            }
            Expr::Field(mut f) => {
                let base = self.extract_temps(*f.base, out);
                f.base = Box::new(self.place_temp(base, out));
                Expr::Field(f)
            }
            Expr::Index(mut i) => {
                let base = self.extract_temps(*i.expr, out);
                i.expr = Box::new(self.place_temp(base, out));
                i.index = Box::new(self.extract_temps(*i.index, out));
                Expr::Index(i)
            }
            Expr::Unary(mut u) => {
                let inner = self.extract_temps(*u.expr, out);
                u.expr = Box::new(if matches!(u.op, syn::UnOp::Deref(_)) {
                    self.place_temp(inner, out)
                } else {
                    inner
                });
                Expr::Unary(u)
            }
            Expr::Paren(mut p) => {
                p.expr = Box::new(self.extract_temps(*p.expr, out));
                Expr::Paren(p)
            }
            // `Ok(make().val())?`: `?` is no temporary scope.
            Expr::Try(mut t) => {
                t.expr = Box::new(self.extract_temps(*t.expr, out));
                Expr::Try(t)
            }
            Expr::Block(b) if self.tail_outlives_locals() && !block_has_await(&b.block) => {
                Expr::Block(self.block_operand(b, out))
            }
            Expr::Array(mut a) => {
                a.elems = self
                    .extract_operands(a.elems.into_iter().collect(), out)
                    .into_iter()
                    .collect();
                Expr::Array(a)
            }
            Expr::Cast(mut c) => {
                c.expr = Box::new(self.extract_temps(*c.expr, out));
                Expr::Cast(c)
            }
            // `a && b`, `a || b`: `b` may not run, and is a temporary scope of its own, so only
            // `a`'s temporaries are bound.
            Expr::Binary(mut b)
                if matches!(b.op, syn::BinOp::And(_) | syn::BinOp::Or(_))
                    && rules::temporaries(Position::LazyRight, self.edition)
                        == DropsAt::EndOfItself =>
            {
                b.left = Box::new(self.extract_temps(*b.left, out));
                Expr::Binary(b)
            }
            Expr::Binary(mut b) => {
                let left = self.extract_temps(*b.left, out);
                let mut right_out = Vec::new();
                let right = self.extract_temps(*b.right, &mut right_out);
                // The right side's temporaries are made before the `match`: the left side must
                // be evaluated before them, as it was.
                let left = if right_out.is_empty() {
                    left
                } else {
                    self.place_temp(left, out)
                };
                out.extend(right_out);
                b.left = Box::new(left);
                b.right = Box::new(right);
                Expr::Binary(b)
            }
            // A `match` scrutinee is not a temporary scope: what it makes lives to the end of
            // the enclosing statement (Reference, "Destructors": temporary scopes), across a
            // later `.await` of the statement. The scrutinee is a place, so a value there is a
            // temporary too.
            Expr::Match(mut m) => {
                let scrutinee = self.extract_temps(*m.expr, out);
                m.expr = Box::new(if owns_its_value(&scrutinee) {
                    self.place_temp(scrutinee, out)
                } else {
                    scrutinee
                });
                Expr::Match(m)
            }
            Expr::Struct(s) => {
                Expr::Struct(map_fields(s, |values| self.extract_operands(values, out)))
            }
            Expr::Tuple(mut t) => {
                t.elems = self
                    .extract_operands(t.elems.into_iter().collect(), out)
                    .into_iter()
                    .collect();
                Expr::Tuple(t)
            }
            e => e,
        }
    }

    /// `drop(tmpN);` for each temporary of an `if let` scrutinee that `prelude` binds, the last
    /// made first (as rustc drops temporaries), or `None` when there is none: the place
    /// temporaries, and the awaited value itself when the scrutinee is just its name (on the
    /// `else` path the pattern did not match, so it moved nothing). Other values the prelude
    /// binds (`awaited` in `awaited?`) may have been moved.
    fn drop_temporaries(&self, prelude: &[Stmt], scrutinee: &Expr) -> Option<TokenStream> {
        let whole = match scrutinee {
            Expr::Path(p) => p.path.get_ident(),
            _ => None,
        };
        let inits = prelude.iter().filter_map(|s| match s {
            Stmt::Local(l) => l.init.as_ref().map(|i| &*i.expr),
            _ => None,
        });
        let borrowed = borrowed_locals(inits.chain([scrutinee]));
        let drops: TokenStream = prelude
            .iter()
            .rev()
            .filter_map(|s| match s {
                Stmt::Local(syn::Local {
                    pat: syn::Pat::Ident(p),
                    ..
                }) if self.place_temps.contains(&p.ident)
                    || whole == Some(&p.ident)
                    || borrowed.contains(&p.ident) =>
                {
                    let t = &p.ident;
                    Some(quote::quote!(::core::mem::drop(#t);))
                }
                _ => None,
            })
            .collect();
        (!drops.is_empty()).then_some(drops)
    }

    /// The temporaries a `let` initializer extends (see `extends_a_temporary`), bound to named
    /// locals pushed onto `out`, in evaluation order: an operand evaluated before one that
    /// makes such a temporary is bound first.
    fn extend_temporaries(&mut self, e: Expr, out: &mut Vec<Stmt>) -> Expr {
        match e {
            Expr::Paren(mut p) => {
                *p.expr = self.extend_temporaries(*p.expr, out);
                Expr::Paren(p)
            }
            Expr::Reference(mut r) if is_extended_value(&r.expr) => {
                let t = self.synth("value");
                let value = std::mem::replace(&mut *r.expr, parse_quote!(#t));
                out.push(if r.mutability.is_some() {
                    parse_quote!(let mut #t = #value;)
                } else {
                    parse_quote!(let #t = #value;)
                });
                Expr::Reference(r)
            }
            Expr::Reference(mut r) => {
                *r.expr = self.extend_temporaries(*r.expr, out);
                Expr::Reference(r)
            }
            Expr::Tuple(mut t) => {
                let elems = t.elems.into_iter().collect();
                t.elems = self.extend_operands(elems, out).into_iter().collect();
                Expr::Tuple(t)
            }
            Expr::Array(mut a) => {
                let elems = a.elems.into_iter().collect();
                a.elems = self.extend_operands(elems, out).into_iter().collect();
                Expr::Array(a)
            }
            Expr::Struct(s) => {
                Expr::Struct(map_fields(s, |values| self.extend_operands(values, out)))
            }
            other => other,
        }
    }

    /// `extend_temporaries` over operands evaluated left to right.
    fn extend_operands(&mut self, ops: Vec<Expr>, out: &mut Vec<Stmt>) -> Vec<Expr> {
        let mut done = Vec::with_capacity(ops.len());
        for op in ops {
            let mut made = Vec::new();
            let e = self.extend_temporaries(op, &mut made);
            done.push((e, made));
        }
        self.in_order(done, out)
    }

    /// Operands, each with the statements that bind its temporaries: the statements go to
    /// `out` in order, and an operand written before one that bound something is bound too, so
    /// it is still evaluated first.
    fn in_order(&mut self, done: Vec<(Expr, Vec<Stmt>)>, out: &mut Vec<Stmt>) -> Vec<Expr> {
        let last = done.iter().rposition(|(_, made)| !made.is_empty());
        let mut operands = Vec::with_capacity(done.len());
        for (i, (e, made)) in done.into_iter().enumerate() {
            out.extend(made);
            operands.push(match last {
                Some(l) if i < l && !is_stable(&e) && !is_promotable(&e) => self.temp(e, out),
                _ => e,
            });
        }
        operands
    }

    /// [`Self::extract_temps`] of operands that Rust evaluates left to right (a call's
    /// arguments, a tuple's or a struct literal's fields). Binding a later operand's temporary
    /// (`&make()`) runs it before the operands written before it, which still stand inline; so
    /// those are bound first, in order (`f(Guard::new("a"), &Guard::new("b"))` makes `a` first).
    fn extract_operands(&mut self, ops: Vec<Expr>, out: &mut Vec<Stmt>) -> Vec<Expr> {
        let mut done = Vec::with_capacity(ops.len());
        for op in ops {
            let mut made = Vec::new();
            let e = self.extract_temps(op, &mut made);
            done.push((e, made));
        }
        self.in_order(done, out)
    }

    /// A value expression used as a place becomes a named temporary.
    fn place_temp(&mut self, e: Expr, out: &mut Vec<Stmt>) -> Expr {
        self.place_temp_as(e, false, out)
    }

    /// As [`Self::place_temp`]; `mutable` when the place is borrowed mutably (`&mut make()`,
    /// `vec![].iter_mut()`), which a temporary allows and an immutable local does not. Only
    /// then: a `mut` temporary kept in a fixed home lends its methods an exclusive borrow.
    fn place_temp_as(&mut self, e: Expr, mutable: bool, out: &mut Vec<Stmt>) -> Expr {
        // (Not a slot itself, nor what is already in one.)
        let synthetic = |e: &Expr| {
            matches!(e, Expr::Path(p) if p.path.get_ident().is_some_and(|i| {
                self.synthetic.iter().any(|s| i == s) && !self.slot_names.contains(i)
            }))
        };
        if self.tail_slots.is_some() && synthetic(&e) {
            // An awaited value (or an operand) used as a place in a tail, up to edition 2021
            // (`x.await.val()`): a temporary of the tail, moved into its slot.
            return self.slot_temporary(e, out);
        }
        // A `&mut` of a literal is not promoted (but for `&mut []`): `boom(&mut ()).await`
        // borrows a temporary that lives to the end of the statement, across the `.await`.
        // (Not a path: `SEM.acquire().await` on a `static` must not copy it.)
        let mutable_constant = mutable
            && is_promotable(&e)
            && !mentions_a_path(&e)
            && !matches!(&e, Expr::Array(a) if a.elems.is_empty());
        if !mutable_constant && (is_place_expr(&e) || is_promotable(&e) || is_stable(&e)) {
            self.note_statement_temp(&e);
            e
        } else if self.tail_slots.is_some() {
            // Up to edition 2021, a temporary of a block's tail: made here, in a slot declared
            // at the top of the block, which drops it after the block's locals.
            self.slot_temporary(e, out)
        } else {
            let t = self.synth("tmp");
            out.push(if mutable {
                parse_quote!(let mut #t = #e;)
            } else {
                parse_quote!(let #t = #e;)
            });
            self.place_temps.push(t.clone());
            self.statement_temps.push(t.clone());
            parse_quote!(#t)
        }
    }

    /// Operand `e` is evaluated before a later `.await` in the same expression: make sure its
    /// evaluation (side effects and temporaries) happens now.
    fn hoist(&mut self, e: Expr, ctx: Ctx, out: &mut Vec<Stmt>) -> Result<Expr> {
        let e = if has_await(&e) {
            self.flatten(e, out)?
        } else {
            e
        };
        Ok(match ctx {
            // A place (`v[i]`, `v[i % 3]`, `v[i()]`) stays a place: bound to a temporary, it
            // would be a copy, and `tmp += x` would change the copy (E0384 on the `let`, or,
            // were it `mut`, silently).
            Ctx::Place if is_place(&e) || is_place_expr(&e) => {
                // `v[i()]` as a place: evaluate the index now. An index without side effects
                // (`i % 3`) is left where it is: for a primitive `+=` rustc evaluates the place
                // after the value, so after the `.await`, as it stands.
                match e {
                    Expr::Index(mut ix) if !is_stable(&ix.index) && !is_pure(&ix.index) => {
                        let i = self.extract_temps(*ix.index, out);
                        ix.index = Box::new(self.temp(i, out));
                        Expr::Index(ix)
                    }
                    e => e,
                }
            }
            // A local taken by value (`(g, f().await)`) moves into the operand before the
            // `.await`: dropped half-way, the operand goes first, before the locals, as in
            // rustc. (A `Copy` value is copied, as it would be.)
            // Its own temporaries (`(make().val(), g)`) live to the end of the statement too.
            Ctx::Value if moves_a_local(&e) => {
                let e = self.extract_temps(e, out);
                self.temp(e, out)
            }
            _ if is_stable(&e) || is_promotable(&e) => e,
            _ => match e {
                Expr::Block(b) if self.tail_outlives_locals() => {
                    let b = self.block_operand(b, out);
                    self.temp(Expr::Block(b), out)
                }
                e => {
                    let e = self.extract_temps(e, out);
                    self.temp(e, out)
                }
            },
        })
    }

    /// Up to edition 2021, a block evaluated before a later `.await` of its statement (`f({
    /// ..; make().val() }, x.await)`): its tail's temporaries live to the end of the
    /// statement, across that `.await`. They are made in slots declared before the block, in
    /// the statement's prelude.
    fn block_operand(&mut self, mut b: syn::ExprBlock, out: &mut Vec<Stmt>) -> syn::ExprBlock {
        let Some(Stmt::Expr(tail, None)) = b.block.stmts.pop() else {
            return b;
        };
        let slots = self.tail_in_slots(tail, &mut b.block.stmts);
        out.extend(declare_slots(&slots));
        b
    }

    /// Evaluates `operands` in order, hoisting all operands before the last one that awaits.
    fn operands(&mut self, ops: Vec<(Expr, Ctx)>, out: &mut Vec<Stmt>) -> Result<Vec<Expr>> {
        let last = ops.iter().rposition(|(e, _)| has_await(e));
        let mut res = Vec::with_capacity(ops.len());
        for (i, (e, ctx)) in ops.into_iter().enumerate() {
            res.push(match last {
                Some(l) if i < l => self.hoist(e, ctx, out)?,
                Some(l) if i == l => self.flatten(e, out)?,
                _ => e,
            });
        }
        Ok(res)
    }

    /// Returns an await-free expression equivalent to `e`, pushing the statements that must run
    /// first (including `let awaited = FUT.await;`) onto `out`.
    fn flatten(&mut self, e: Expr, out: &mut Vec<Stmt>) -> Result<Expr> {
        if !has_await(&e) {
            return Ok(e);
        }
        Ok(match e {
            Expr::Await(a) => {
                let base = self.flatten(*a.base, out)?;
                let base = self.extract_temps(base, out);
                let v = self.synth("awaited");
                let awaited = make_await(base, a.await_token.span);
                // `mut`: the value may be the receiver of a `&mut self` method, as a temporary
                // can be (`m.lock().await.push(x)`).
                out.push(parse_quote!(let mut #v = #awaited;));
                parse_quote!(#v)
            }
            // The callee first, then the arguments: a callee that awaits nothing is hoisted as
            // a place, which keeps its borrow across the arguments' `.await`s as rustc's does.
            Expr::Call(mut c) if rules::evaluation(Operands::Call) == Order::AsWritten => {
                let mut ops = vec![(*c.func, Ctx::Place)];
                ops.extend(c.args.into_iter().map(|a| (a, Ctx::Value)));
                let mut res = self.operands(ops, out)?.into_iter();
                c.func = Box::new(res.next().unwrap());
                c.args = res.collect();
                Expr::Call(c)
            }
            Expr::MethodCall(mut m) => {
                // The receiver is evaluated before the arguments. One an argument writes
                // (`n.max({ n |= 7; f().await })`) is taken by value, a copy: a borrow of it
                // would conflict with the write, which rustc rejects. So it is read first,
                // into a temporary, not after the arguments' `.await`s.
                let written = match &*m.receiver {
                    Expr::Path(p) => p
                        .path
                        .get_ident()
                        .is_some_and(|v| m.args.iter().any(|a| writes_local(a, v))),
                    _ => false,
                };
                let ctx = if written { Ctx::Value } else { Ctx::Place };
                let mut ops = vec![(*m.receiver, ctx)];
                ops.extend(m.args.into_iter().map(|a| (a, Ctx::Value)));
                let mut res = self.operands(ops, out)?.into_iter();
                let receiver = res.next().unwrap();
                m.args = res.collect();
                // `x.await.val()` in a tail, up to edition 2021: the awaited value is a
                // temporary of the tail (unless the method takes it by value).
                let name = m.method.to_string();
                let borrows = crate::mentions::receiver_consumes(&name)
                    == crate::mentions::Consumes::No
                    && !may_take_self(&name);
                m.receiver = Box::new(
                    if borrows && self.tail_slots.is_some() && matches!(receiver, Expr::Path(_)) {
                        self.place_temp_as(receiver, false, out)
                    } else {
                        receiver
                    },
                );
                Expr::MethodCall(m)
            }
            Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_) | syn::BinOp::Or(_)) => {
                // Short-circuit: the right side only runs when needed.
                let left = crate::normalize::in_condition(self.flatten(*b.left, out)?);
                let right = &b.right;
                let e: Expr = if matches!(b.op, syn::BinOp::And(_)) {
                    parse_quote!(if #left { #right } else { false })
                } else {
                    parse_quote!(if #left { true } else { #right })
                };
                self.flatten(e, out)?
            }
            // `place op= value` on primitives (the usual case: counters, array slots) evaluates
            // the value first, then the place (`rules.rs`); an overloaded `op=` evaluates the
            // place first (the next arm's order), which matters only when the place has side
            // effects of its own (`v[i()] += x.await` on a non-primitive): then this guess is
            // wrong, silently. As `=` below.
            Expr::Binary(mut b)
                if crate::anchor::is_compound_assign(&b.op)
                    && rules::evaluation(Operands::PrimitiveCompoundAssign)
                        == Order::ValueThenPlace =>
            {
                let right = self.flatten(*b.right, out)?;
                b.right = Box::new(right);
                if has_await(&b.left) || !is_place(&b.left) {
                    let value = self.synth("value");
                    // The value's temporaries live to the end of the statement, across the
                    // place's awaits (a `match` scrutinee's guard keeps the future `!Send`).
                    let right = self.extract_temps(*b.right, out);
                    out.push(parse_quote!(let #value = #right;));
                    b.right = Box::new(parse_quote!(#value));
                    let left = self.hoist(*b.left, Ctx::Place, out)?;
                    b.left = Box::new(left);
                }
                Expr::Binary(b)
            }
            Expr::Binary(mut b) => {
                use syn::BinOp::*;
                let lctx = match b.op {
                    Eq(_) | Ne(_) | Lt(_) | Le(_) | Gt(_) | Ge(_) | AddAssign(_) | SubAssign(_)
                    | MulAssign(_) | DivAssign(_) | RemAssign(_) | BitXorAssign(_)
                    | BitAndAssign(_) | BitOrAssign(_) | ShlAssign(_) | ShrAssign(_) => Ctx::Place,
                    _ => Ctx::Value,
                };
                let mut res = self
                    .operands(vec![(*b.left, lctx), (*b.right, Ctx::Value)], out)?
                    .into_iter();
                b.left = Box::new(res.next().unwrap());
                b.right = Box::new(res.next().unwrap());
                Expr::Binary(b)
            }
            Expr::Assign(mut a) if rules::evaluation(Operands::Assign) == Order::ValueThenPlace => {
                // The right side is evaluated first, then the place.
                let right = self.flatten(*a.right, out)?;
                a.right = Box::new(right);
                if has_await(&a.left) {
                    // `m[i.await] = x;`: the value is ready before the place's own awaits run;
                    // its temporaries live to the end of the statement, across them.
                    let value = self.synth("value");
                    let right = self.extract_temps(*a.right, out);
                    out.push(parse_quote!(let #value = #right;));
                    a.right = Box::new(parse_quote!(#value));
                    let left = self.flatten(*a.left, out)?;
                    a.left = Box::new(left);
                }
                Expr::Assign(a)
            }
            Expr::Unary(mut u) => {
                u.expr = Box::new(self.flatten(*u.expr, out)?);
                Expr::Unary(u)
            }
            Expr::Field(mut f) => {
                f.base = Box::new(self.flatten(*f.base, out)?);
                Expr::Field(f)
            }
            Expr::Index(mut i) => {
                let mut res = self
                    .operands(vec![(*i.expr, Ctx::Place), (*i.index, Ctx::Value)], out)?
                    .into_iter();
                i.expr = Box::new(res.next().unwrap());
                i.index = Box::new(res.next().unwrap());
                Expr::Index(i)
            }
            Expr::Reference(mut r) => {
                if let (Some(m), Expr::Await(_)) = (r.mutability, &*r.expr) {
                    // `&mut FUT.await`: the awaited value is bound mutably.
                    let Expr::Await(a) = *r.expr else {
                        unreachable!()
                    };
                    let base = self.flatten(*a.base, out)?;
                    let base = self.extract_temps(base, out);
                    let v = self.synth("awaited");
                    let awaited = make_await(base, a.await_token.span);
                    out.push(parse_quote!(let #m #v = #awaited;));
                    r.expr = Box::new(parse_quote!(#v));
                    return Ok(Expr::Reference(r));
                }
                r.expr = Box::new(self.flatten(*r.expr, out)?);
                Expr::Reference(r)
            }
            Expr::Cast(mut c) => {
                c.expr = Box::new(self.flatten(*c.expr, out)?);
                Expr::Cast(c)
            }
            Expr::Paren(mut p) => {
                p.expr = Box::new(self.flatten(*p.expr, out)?);
                Expr::Paren(p)
            }
            Expr::Group(mut g) => {
                g.expr = Box::new(self.flatten(*g.expr, out)?);
                Expr::Group(g)
            }
            Expr::Try(mut t) => {
                t.expr = Box::new(self.flatten(*t.expr, out)?);
                Expr::Try(t)
            }
            Expr::Return(mut r) => {
                if let Some(e) = r.expr.take() {
                    r.expr = Some(Box::new(self.flatten(*e, out)?));
                }
                Expr::Return(r)
            }
            Expr::Break(mut b) => {
                if let Some(e) = b.expr.take() {
                    b.expr = Some(Box::new(self.flatten(*e, out)?));
                }
                Expr::Break(b)
            }
            Expr::Tuple(mut t) => {
                let ops = t.elems.into_iter().map(|e| (e, Ctx::Value)).collect();
                t.elems = self.operands(ops, out)?.into_iter().collect();
                Expr::Tuple(t)
            }
            Expr::Array(mut a) => {
                let ops = a.elems.into_iter().map(|e| (e, Ctx::Value)).collect();
                a.elems = self.operands(ops, out)?.into_iter().collect();
                Expr::Array(a)
            }
            Expr::Repeat(mut r) => {
                r.expr = Box::new(self.flatten(*r.expr, out)?);
                Expr::Repeat(r)
            }
            Expr::Struct(mut s) => {
                let mut ops: Vec<(Expr, Ctx)> = Vec::new();
                for f in s.fields.iter_mut() {
                    ops.push((
                        std::mem::replace(&mut f.expr, Expr::Verbatim(TokenStream::new())),
                        Ctx::Value,
                    ));
                }
                if let Some(r) = s.rest.take() {
                    ops.push((*r, Ctx::Value));
                }
                let mut res = self.operands(ops, out)?.into_iter();
                for f in s.fields.iter_mut() {
                    f.expr = res.next().unwrap();
                    // `S { x }` shorthand must become `S { x: value }`.
                    f.colon_token.get_or_insert_with(Default::default);
                }
                if let Some(r) = res.next() {
                    s.rest = Some(Box::new(r));
                }
                Expr::Struct(s)
            }
            Expr::Range(mut r) => {
                let mut ops = Vec::new();
                let has_start = r.start.is_some();
                if let Some(s) = r.start.take() {
                    ops.push((*s, Ctx::Value));
                }
                if let Some(e) = r.end.take() {
                    ops.push((*e, Ctx::Value));
                }
                let mut res = self.operands(ops, out)?.into_iter();
                if has_start {
                    r.start = res.next().map(Box::new);
                }
                r.end = res.next().map(Box::new);
                Expr::Range(r)
            }
            // A macro's expansion may hold its arguments in a block of its own (`format!`'s
            // `{ let res = ..; res }`), which ends their temporaries: no tail slots inside.
            Expr::Macro(m) => self.without_tail_slots(|n| n.macro_expr(m, out))?,
            Expr::Let(l) => {
                return Err(Error::new(
                    l.span(),
                    "`.await` in this `let` condition is not supported yet",
                ));
            }
            // A `match` inside a larger expression: its scrutinee is not a temporary scope, so
            // what it makes (the awaited value whose method it calls, a receiver) lives to the
            // end of the enclosing statement, not of the `match` (Reference, "Destructors").
            // Its statements go to the statement's own prelude.
            Expr::Match(mut m)
                if !matches!(&*m.expr, Expr::Tuple(_))
                    && !m
                        .arms
                        .iter()
                        .any(|a| matches!(&a.pat, syn::Pat::Guard(g) if has_await(&g.guard))) =>
            {
                let scrutinee = self.flatten(*m.expr, out)?;
                *m.expr = self.extract_temps(scrutinee, out);
                let c = self.construct(Expr::Match(m))?;
                let v = self.synth("value");
                out.push(parse_quote!(let #v = #c;));
                parse_quote!(#v)
            }
            e if is_construct(&e) => {
                // (A block's tail temporaries outlive it up to edition 2021: `hoisted_slots`.)
                let block = matches!(e, Expr::Block(_)) && self.tail_outlives_locals();
                if block {
                    self.hoisted_slots = Some(Vec::new());
                }
                let c = self.construct(e);
                let slots = if block {
                    self.hoisted_slots.take().unwrap_or_default()
                } else {
                    Vec::new()
                };
                let c = c?;
                out.extend(declare_slots(&slots));
                let v = self.synth("value");
                out.push(parse_quote!(let #v = #c;));
                parse_quote!(#v)
            }
            other => {
                return Err(Error::new(
                    other.span(),
                    "`.await` in this kind of expression is not supported yet; \
                     bind the awaited value to a local first",
                ));
            }
        })
    }

    fn macro_expr(&mut self, m: syn::ExprMacro, out: &mut Vec<Stmt>) -> Result<Expr> {
        let path = &m.mac.path;
        let unsupported = || {
            Error::new(
                m.mac.path.span(),
                format!(
                    "`.await` inside `{}!` is not supported: #[state_machine] only sees the \
                     tokens of an unknown macro; bind the awaited value to a local first",
                    path.to_token_stream()
                ),
            )
        };
        if macro_kind(&m.mac).is_none() {
            return Err(unsupported());
        }
        // `vec![elem; n]`: two operands, in order.
        if path.segments.last().is_some_and(|s| s.ident == "vec")
            && let Ok((elem, n)) = m.mac.parse_body_with(|input: syn::parse::ParseStream| {
                let elem: Expr = input.parse()?;
                input.parse::<syn::Token![;]>()?;
                let n: Expr = input.parse()?;
                Ok((elem, n))
            })
        {
            let flat = self.operands(vec![(elem, Ctx::Value), (n, Ctx::Value)], out)?;
            let (elem, n) = (&flat[0], &flat[1]);
            let mut m = m;
            m.mac.tokens = quote::quote!(#elem; #n);
            return Ok(Expr::Macro(m));
        }
        let Some(mut parts) = crate::mentions::MacroParts::parse(&m.mac) else {
            return Err(unsupported());
        };
        let name = path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        if name.contains("assert") {
            // `assert!(cond, msg..)`: the message is only evaluated on failure, so an `.await`
            // in it is spelled out as the `if` the macro stands for.
            let operands = if name.ends_with("_eq") || name.ends_with("_ne") {
                2
            } else {
                1
            };
            if parts.fmt.is_none() && parts.args.iter().skip(operands).any(|(_, e)| has_await(e)) {
                let spelled = spell_out_assert(&name, &m.mac, parts).ok_or_else(unsupported)?;
                let c = self.construct(spelled)?;
                out.push(Stmt::Expr(c, Some(Default::default())));
                return Ok(parse_quote!(()));
            }
        }
        let ops = parts
            .args
            .iter()
            .map(|(_, e)| (e.clone(), Ctx::Place))
            .collect();
        let flat = self.operands(ops, out)?;
        for (slot, e) in parts.exprs_mut().zip(flat) {
            *slot = e;
        }
        let tokens = parts.to_tokens();
        let mut m = m;
        m.mac.tokens = tokens;
        Ok(Expr::Macro(m))
    }
}

/// `assert!(c, "msg {}", x.await)` → `if !(c) { panic!("msg {}", x.await) }`, and
/// `assert_eq!(a, b, "msg {}", x.await)` → the comparison and the message `core` would print,
/// with the operands bound first (`let left = &a;`), as the macro borrows them.
fn spell_out_assert(
    name: &str,
    mac: &syn::Macro,
    parts: crate::mentions::MacroParts,
) -> Option<Expr> {
    let span = mac.path.span();
    let debug_only = name.starts_with("debug_");
    let mut args = parts.args.into_iter().map(|(_, e)| e);
    let guard = |e: Expr| -> Expr {
        if debug_only {
            parse_quote_spanned!(span=> if ::core::cfg!(debug_assertions) { #e })
        } else {
            e
        }
    };
    let comparison = if name.ends_with("_eq") {
        Some("==")
    } else if name.ends_with("_ne") {
        Some("!=")
    } else {
        None
    };
    let Some(op) = comparison else {
        let cond = args.next()?;
        let msg: Vec<Expr> = args.collect();
        let fail: Expr = parse_quote_spanned!(span=> if !(#cond) { ::core::panic!(#(#msg),*) });
        return Some(guard(fail));
    };
    let (a, b) = (args.next()?, args.next()?);
    let msg: Vec<Expr> = args.collect();
    let left = Ident::new("left", Span::mixed_site());
    let right = Ident::new("right", Span::mixed_site());
    // A place is borrowed where it is; any other operand is a temporary of the statement.
    let bind = |name: &Ident, e: Expr| -> Vec<Stmt> {
        if is_place(&e) {
            vec![parse_quote!(let #name = &#e;)]
        } else {
            let val = Ident::new(&format!("{name}_val"), Span::mixed_site());
            vec![
                parse_quote!(let #val = #e;),
                parse_quote!(let #name = &#val;),
            ]
        }
    };
    let mut stmts = bind(&left, a);
    stmts.extend(bind(&right, b));
    let test: Expr = if op == "==" {
        parse_quote!(*#left == *#right)
    } else {
        parse_quote!(*#left != *#right)
    };
    let text = format!("assertion `left {op} right` failed: {{}}\n  left: {{:?}}\n right: {{:?}}");
    let fail: Expr = parse_quote_spanned!(span=> if !(#test) {
        ::core::panic!(#text, ::core::format_args!(#(#msg),*), #left, #right)
    });
    Some(guard(parse_quote!({ #(#stmts)* #fail })))
}

/// The span of a `#[cfg(..)]` or `#[cfg_attr(..)]` written on the statement itself.
fn cfg_attribute(s: &Stmt) -> Option<Span> {
    let mut tokens = s.to_token_stream().into_iter();
    while let Some(TokenTree::Punct(p)) = tokens.next() {
        if p.as_char() != '#' {
            return None;
        }
        let Some(TokenTree::Group(g)) = tokens.next() else {
            return None;
        };
        if let Some(TokenTree::Ident(i)) = g.stream().into_iter().next()
            && (i == "cfg" || i == "cfg_attr")
        {
            return Some(p.span());
        }
    }
    None
}

/// An iterable whose items own nothing to drop: `&v`, `&mut v`, `0..n`, `v.iter()`, `s.chars()`,
/// possibly under `enumerate()`, `rev()`, `skip(n)`, `take(n)`, `step_by(n)`.
fn yields_trivial_items(e: &Expr) -> bool {
    match e {
        Expr::Reference(_) | Expr::Range(_) => true,
        Expr::Paren(p) => yields_trivial_items(&p.expr),
        Expr::MethodCall(m) => {
            let name = m.method.to_string();
            match name.as_str() {
                "enumerate" | "rev" | "skip" | "take" | "step_by" => {
                    yields_trivial_items(&m.receiver)
                }
                "iter" | "iter_mut" | "chars" | "char_indices" | "bytes" | "lines"
                | "split_whitespace" | "keys" | "values" | "values_mut" | "windows" | "chunks"
                | "chunks_mut" => true,
                _ => false,
            }
        }
        _ => false,
    }
}

/// `mut x` → `x` in a pattern (the outer `let` declares the mutability).
/// Does the pattern move everything it matches out: no `_`, `..` or `ref` inside it?
/// `x.clone()`, `Arc::clone(&x)`, `Rc::clone(&x)`: a value made to be moved (a method called
/// on it most likely takes `self`; one that borrows it is rustc's E0716, a compile error).
fn is_clone(e: &Expr) -> bool {
    match e {
        Expr::MethodCall(m) => m.method == "clone" && m.args.is_empty(),
        Expr::Call(c) => matches!(&*c.func, Expr::Path(p)
            if p.path.segments.len() >= 2
                && p.path.segments.last().is_some_and(|s| s.ident == "clone")),
        Expr::Paren(p) => is_clone(&p.expr),
        _ => false,
    }
}

fn takes_all(p: &syn::Pat) -> bool {
    struct Skips(bool);
    impl<'a> syn::visit::Visit<'a> for Skips {
        fn visit_pat(&mut self, p: &'a syn::Pat) {
            match p {
                syn::Pat::Wild(_) | syn::Pat::Rest(_) => self.0 = true,
                syn::Pat::Ident(i) if i.by_ref.is_some() => self.0 = true,
                syn::Pat::Struct(s) if s.rest.is_some() => self.0 = true,
                _ => {}
            }
            syn::visit::visit_pat(self, p);
        }
    }
    let mut skips = Skips(false);
    syn::visit::Visit::visit_pat(&mut skips, p);
    !skips.0
}

fn strip_binding_mut(pat: &mut syn::Pat) {
    struct Strip;
    impl VisitMut for Strip {
        fn visit_pat_ident_mut(&mut self, p: &mut syn::PatIdent) {
            if p.by_ref.is_none() {
                p.mutability = None;
            }
            syn::visit_mut::visit_pat_ident_mut(self, p);
        }
    }
    Strip.visit_pat_mut(pat);
}

fn contains_let(a: &Expr, b: &Expr) -> bool {
    fn has_let(e: &Expr) -> bool {
        match e {
            Expr::Let(_) => true,
            Expr::Binary(b) => has_let(&b.left) || has_let(&b.right),
            Expr::Paren(p) => has_let(&p.expr),
            _ => false,
        }
    }
    has_let(a) || has_let(b)
}

fn make_await(fut: Expr, await_span: Span) -> Expr {
    let await_token = Ident::new("await", await_span);
    parse_quote!(#fut.#await_token)
}

/// Gives every `break`/`continue` that targets this loop (written without a label) the label.
fn label_breaks(body: &mut Block, label: &Lifetime) {
    struct Labeler<'a>(&'a Lifetime);
    impl VisitMut for Labeler<'_> {
        fn visit_expr_break_mut(&mut self, b: &mut syn::ExprBreak) {
            if b.label.is_none() {
                b.label = Some(self.0.clone());
            }
            syn::visit_mut::visit_expr_break_mut(self, b);
        }
        fn visit_expr_continue_mut(&mut self, c: &mut syn::ExprContinue) {
            if c.label.is_none() {
                c.label = Some(self.0.clone());
            }
        }
        // Inner loops own their unlabeled breaks (but a `break` in their condition or iterator
        // expression does not exist in valid Rust, so the bodies are all we skip).
        fn visit_expr_loop_mut(&mut self, _: &mut syn::ExprLoop) {}
        fn visit_expr_while_mut(&mut self, w: &mut syn::ExprWhile) {
            self.visit_expr_mut(&mut w.cond);
        }
        fn visit_expr_for_loop_mut(&mut self, f: &mut syn::ExprForLoop) {
            self.visit_expr_mut(&mut f.expr);
        }
        fn visit_expr_closure_mut(&mut self, _: &mut syn::ExprClosure) {}
        fn visit_expr_async_mut(&mut self, _: &mut syn::ExprAsync) {}
        fn visit_item_mut(&mut self, _: &mut syn::Item) {}
        // `break` inside macro input is rare; leave macro tokens alone.
        fn visit_macro_mut(&mut self, _: &mut syn::Macro) {}
    }
    Labeler(label).visit_block_mut(body);
}

/// `e` as it may be written as an `if` condition or a `match` scrutinee: in parentheses when a
/// struct literal's braces show at its top level (`S { a }.ok()`), which those positions cannot
/// parse.
pub fn in_condition(e: Expr) -> Expr {
    use quote::ToTokens;
    let braces = e.to_token_stream().into_iter().any(|t| {
        matches!(&t, proc_macro2::TokenTree::Group(g) if g.delimiter() == proc_macro2::Delimiter::Brace)
    });
    if braces
        && matches!(
            e,
            Expr::Struct(_)
                | Expr::MethodCall(_)
                | Expr::Field(_)
                | Expr::Binary(_)
                | Expr::Cast(_)
                | Expr::Index(_)
                | Expr::Try(_)
                | Expr::Await(_)
        )
    {
        parse_quote!((#e))
    } else {
        e
    }
}

/// The names a pattern binds.
fn pattern_bindings(p: &syn::Pat) -> Vec<String> {
    crate::mentions::pat_bindings(p)
        .into_iter()
        .map(|(i, _)| i.to_string())
        .collect()
}

/// Does `e` mention any of `names` (as an identifier anywhere in its tokens, macros included)?
fn mentions_any(e: &Expr, names: &[String]) -> bool {
    fn walk(ts: TokenStream, names: &[String]) -> bool {
        ts.into_iter().any(|t| match t {
            proc_macro2::TokenTree::Ident(i) => names.iter().any(|n| i == n.as_str()),
            proc_macro2::TokenTree::Group(g) => walk(g.stream(), names),
            _ => false,
        })
    }
    use quote::ToTokens;
    !names.is_empty() && walk(e.to_token_stream(), names)
}

/// `p` with every binding replaced by `_` (`x @ Some(_)` by `Some(_)`): a test that moves
/// nothing and borrows nothing.
pub(crate) fn wildcard_bindings(p: syn::Pat) -> syn::Pat {
    struct W;
    impl syn::visit_mut::VisitMut for W {
        fn visit_pat_mut(&mut self, p: &mut syn::Pat) {
            if let syn::Pat::Ident(i) = p
                && crate::mentions::looks_like_binding(i)
            {
                *p = match i.subpat.take() {
                    Some((_, sub)) => *sub,
                    None => parse_quote!(_),
                };
            }
            syn::visit_mut::visit_pat_mut(self, p);
        }
    }
    let mut p = p;
    syn::visit_mut::VisitMut::visit_pat_mut(&mut W, &mut p);
    p
}

/// A place the `match` may name twice: one without side effects (`is_place`), or a reference
/// to one.
fn simple_place(e: &Expr) -> bool {
    match e {
        Expr::Reference(r) => is_place(&r.expr),
        e => is_place(e),
    }
}

/// Replaces every mention of `name` in `e` (macro arguments included) with `(place)`.
fn replace_name(e: &mut Expr, name: &Ident, place: &Expr) {
    use quote::ToTokens;
    fn tokens(ts: TokenStream, name: &Ident, place: &Expr) -> TokenStream {
        ts.into_iter()
            .map(|t| match t {
                proc_macro2::TokenTree::Ident(i) if i == *name => {
                    let mut g = proc_macro2::Group::new(
                        proc_macro2::Delimiter::Parenthesis,
                        place.to_token_stream(),
                    );
                    g.set_span(i.span());
                    proc_macro2::TokenTree::Group(g)
                }
                proc_macro2::TokenTree::Group(g) => {
                    let mut n =
                        proc_macro2::Group::new(g.delimiter(), tokens(g.stream(), name, place));
                    n.set_span(g.span());
                    proc_macro2::TokenTree::Group(n)
                }
                t => t,
            })
            .collect()
    }
    struct R<'a>(&'a Ident, &'a Expr);
    impl syn::visit_mut::VisitMut for R<'_> {
        fn visit_expr_mut(&mut self, e: &mut Expr) {
            if let Expr::Path(p) = e
                && p.qself.is_none()
                && p.path.is_ident(self.0)
            {
                let place = self.1;
                *e = parse_quote!((#place));
                return;
            }
            syn::visit_mut::visit_expr_mut(self, e);
        }
        fn visit_macro_mut(&mut self, m: &mut syn::Macro) {
            m.tokens = tokens(std::mem::take(&mut m.tokens), self.0, self.1);
        }
    }
    syn::visit_mut::VisitMut::visit_expr_mut(&mut R(name, place), e);
}
