//! Renaming a shadowing local (`let g = ..; .. let g = ..;` → the second becomes `g_2`).
//!
//! The state must be able to name every local it keeps; a local shadowed by a later one of the
//! same name cannot be named any more. When such a local still has to be kept (it may own
//! something whose drop belongs at the end of its scope), the *shadowing* local is renamed, with
//! every later mention of it, so both stay reachable. Mentions are renamed in expressions, in
//! struct-literal shorthand (`S { g }`), in known macros' arguments and format strings
//! (`"{g}"`), and as plain identifiers in other macros' tokens.

use proc_macro2::{Ident, TokenStream, TokenTree};
use std::collections::HashMap;
use syn::visit_mut::VisitMut;
use syn::{Expr, Pat};

pub struct Renamer {
    pub map: HashMap<String, Ident>,
}

impl Renamer {
    fn without(&self, names: &[String]) -> Renamer {
        let mut map = self.map.clone();
        for n in names {
            map.remove(n);
        }
        Renamer { map }
    }
}

fn bound_names(pat: &Pat) -> Vec<String> {
    crate::mentions::pat_bindings(pat)
        .into_iter()
        .map(|(i, _)| i.to_string())
        .collect()
}

impl Renamer {
    /// Renames an `if` or `while` condition in order: each `let`'s scrutinee with the names
    /// bound so far, and what follows it without the names it binds.
    fn let_chain(&mut self, cond: &mut Expr) {
        for operand in crate::mentions::chain_operands_mut(cond) {
            match operand {
                Expr::Let(l) => {
                    self.visit_expr_mut(&mut l.expr);
                    *self = self.without(&bound_names(&l.pat));
                }
                other => self.visit_expr_mut(other),
            }
        }
    }
}

/// Renames the condition of an `if` (outside its own scope: `Renamer` has renamed what the
/// enclosing scopes rename), for locals its `let`s bind, given their new names in
/// `let_chain_bindings` order: each pattern's bindings, and their mentions after that `let`.
pub fn rename_let_chain(cond: &mut Expr, new_names: &[Option<Ident>]) {
    let mut r = Renamer {
        map: HashMap::new(),
    };
    let mut k = 0;
    for operand in crate::mentions::chain_operands_mut(cond) {
        match operand {
            Expr::Let(l) => {
                r.visit_expr_mut(&mut l.expr);
                let names = bound_names(&l.pat);
                let mine =
                    &new_names[k.min(new_names.len())..(k + names.len()).min(new_names.len())];
                rename_bindings(&mut l.pat, mine);
                for (name, n) in names.iter().zip(mine) {
                    match n {
                        Some(n) => r.map.insert(name.clone(), n.clone()),
                        None => r.map.remove(name),
                    };
                }
                k += names.len();
            }
            other => r.visit_expr_mut(other),
        }
    }
}

impl VisitMut for Renamer {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        if self.map.is_empty() {
            return;
        }
        if let Expr::Path(p) = e
            && p.qself.is_none()
            && p.path.leading_colon.is_none()
            && p.path.segments.len() == 1
        {
            let seg = &mut p.path.segments[0];
            if let Some(new) = self.map.get(&seg.ident.to_string()) {
                seg.ident = Ident::new(&new.to_string(), seg.ident.span());
            }
            return;
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }

    fn visit_field_value_mut(&mut self, f: &mut syn::FieldValue) {
        if f.colon_token.is_none()
            && let syn::Member::Named(name) = &f.member
            && self.map.contains_key(&name.to_string())
        {
            f.colon_token = Some(Default::default());
        }
        self.visit_expr_mut(&mut f.expr);
    }

    fn visit_expr_if_mut(&mut self, i: &mut syn::ExprIf) {
        // `if let Some(g) = g && g.ok() { g }`: after each `let`, its bindings shadow.
        let mut inner = self.without(&[]);
        inner.let_chain(&mut i.cond);
        inner.visit_block_mut(&mut i.then_branch);
        if let Some((_, e)) = &mut i.else_branch {
            self.visit_expr_mut(e);
        }
    }

    fn visit_expr_while_mut(&mut self, w: &mut syn::ExprWhile) {
        let mut inner = self.without(&[]);
        inner.let_chain(&mut w.cond);
        inner.visit_block_mut(&mut w.body);
    }

    fn visit_expr_closure_mut(&mut self, c: &mut syn::ExprClosure) {
        let names: Vec<String> = c.inputs.iter().flat_map(bound_names).collect();
        self.without(&names).visit_expr_mut(&mut c.body);
    }

    fn visit_block_mut(&mut self, b: &mut syn::Block) {
        let mut inner = self.without(&[]);
        for s in &mut b.stmts {
            match s {
                syn::Stmt::Local(l) => {
                    if let Some(init) = &mut l.init {
                        inner.visit_expr_mut(&mut init.expr);
                        if let Some((_, d)) = &mut init.diverge {
                            inner.visit_expr_mut(d);
                        }
                    }
                    inner = inner.without(&bound_names(&l.pat));
                }
                other => inner.visit_stmt_mut(other),
            }
        }
    }

    fn visit_arm_mut(&mut self, a: &mut syn::Arm) {
        let mut inner = self.without(&bound_names(&a.pat));
        if let Pat::Guard(g) = &mut a.pat {
            inner.visit_expr_mut(&mut g.guard);
        }
        inner.visit_expr_mut(&mut a.body);
    }

    fn visit_pat_mut(&mut self, _: &mut Pat) {}

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}

    fn visit_macro_mut(&mut self, m: &mut syn::Macro) {
        if self.map.is_empty() || m.path.is_ident("stringify") {
            return;
        }
        if let Some(mut parts) = crate::mentions::MacroParts::parse(m) {
            for e in parts.exprs_mut() {
                self.visit_expr_mut(e);
            }
            parts.fmt = parts.fmt.take().map(|f| rename_format_args(&f, &self.map));
            m.tokens = parts.to_tokens();
        } else if let Some(mut args) = crate::mentions::macro_input_exprs(m) {
            // A list of expressions: renamed as expressions, so that a name a pattern there
            // binds keeps its spelling in its scope (`logv!("{}", { let p = 5; p })`), as the
            // rewrite of fixed homes then needs; a string argument's `{name}` as a format
            // string's (see `rename_tokens`).
            for e in args.iter_mut() {
                match e {
                    Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(f),
                        ..
                    }) => *f = rename_format_args(f, &self.map),
                    e => self.visit_expr_mut(e),
                }
            }
            m.tokens = quote::ToTokens::into_token_stream(args);
        } else {
            m.tokens = rename_tokens(m.tokens.clone(), &self.map);
        }
    }
}

/// A format string with its inline arguments (`{old}`, `{old:?}`) renamed: they name locals, and
/// the renamed local is the one the user meant.
fn rename_format_args(f: &syn::LitStr, map: &HashMap<String, Ident>) -> syn::LitStr {
    let mut s = f.value();
    for (old, new) in map {
        s = s.replace(&format!("{{{old}}}"), &format!("{{{new}}}"));
        s = s.replace(&format!("{{{old}:"), &format!("{{{new}:"));
    }
    syn::LitStr::new(&s, f.span())
}

/// Renames the identifiers of a token stream that `map` names (not those after a `.`: fields and
/// methods), and the inline format arguments of its string literals: the macro is unknown, and
/// most macros that take a string with `{name}` in it format it (`info!("on {addr}")`), where
/// the old name would find the shadowed local, or none. What `stringify!` quotes keeps the
/// user's spelling: it names nothing.
pub fn rename_tokens(ts: TokenStream, map: &HashMap<String, Ident>) -> TokenStream {
    let tokens: Vec<TokenTree> = ts.into_iter().collect();
    let mut out = Vec::with_capacity(tokens.len());
    for (i, tt) in tokens.iter().enumerate() {
        let after_dot = crate::mentions::after_dot(&tokens, i);
        let quoted = crate::mentions::quoted_by_stringify(&tokens, i);
        match tt {
            TokenTree::Group(_) if quoted => out.push(tt.clone()),
            TokenTree::Literal(lit) if lit.to_string().contains('{') => {
                match syn::parse2::<syn::LitStr>(TokenTree::Literal(lit.clone()).into()) {
                    Ok(s) => out.push(TokenTree::Literal(rename_format_args(&s, map).token())),
                    Err(_) => out.push(tt.clone()),
                }
            }
            TokenTree::Ident(id) if !after_dot => match map.get(&id.to_string()) {
                Some(new) => out.push(TokenTree::Ident(Ident::new(&new.to_string(), id.span()))),
                None => out.push(tt.clone()),
            },
            TokenTree::Group(g) => {
                let mut ng = proc_macro2::Group::new(g.delimiter(), rename_tokens(g.stream(), map));
                ng.set_span(g.span());
                out.push(TokenTree::Group(ng));
            }
            other => out.push(other.clone()),
        }
    }
    out.into_iter().collect()
}

/// Renames the binding idents of `pat` whose locals were renamed, given the locals' new names in
/// binding order.
pub fn rename_bindings(pat: &mut Pat, new_names: &[Option<Ident>]) {
    let mut k = 0;
    rename_bindings_in(pat, new_names, &mut k);
}

fn rename_bindings_in(pat: &mut Pat, new: &[Option<Ident>], k: &mut usize) {
    match pat {
        Pat::Ident(p) => {
            if crate::mentions::looks_like_binding(p) {
                if let Some(Some(n)) = new.get(*k) {
                    p.ident = Ident::new(&n.to_string(), p.ident.span());
                }
                *k += 1;
            }
            if let Some((_, sub)) = &mut p.subpat {
                rename_bindings_in(sub, new, k);
            }
        }
        Pat::Or(p) => {
            // Every alternative binds the same names.
            let start = *k;
            for case in p.cases.iter_mut() {
                *k = start;
                rename_bindings_in(case, new, k);
            }
        }
        Pat::Paren(p) => rename_bindings_in(&mut p.pat, new, k),
        Pat::Reference(p) => rename_bindings_in(&mut p.pat, new, k),
        Pat::Slice(p) => p
            .elems
            .iter_mut()
            .for_each(|p| rename_bindings_in(p, new, k)),
        Pat::Struct(p) => p.fields.iter_mut().for_each(|f| {
            if f.colon_token.is_none() {
                // `S { g }` binds `g`: spell it out before renaming.
                if matches!(f.member, syn::Member::Named(_)) && matches!(new.get(*k), Some(Some(_)))
                {
                    f.colon_token = Some(Default::default());
                }
            }
            rename_bindings_in(&mut f.pat, new, k)
        }),
        Pat::Tuple(p) => p
            .elems
            .iter_mut()
            .for_each(|p| rename_bindings_in(p, new, k)),
        Pat::TupleStruct(p) => p
            .elems
            .iter_mut()
            .for_each(|p| rename_bindings_in(p, new, k)),
        Pat::Type(p) => rename_bindings_in(&mut p.pat, new, k),
        Pat::Guard(p) => rename_bindings_in(&mut p.pat, new, k),
        _ => {}
    }
}
