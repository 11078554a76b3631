//! `#[cfg]` on statements of an async fn's body.
//!
//! A proc-macro runs before rustc evaluates `#[cfg]`, and the conditions (`feature = "x"`,
//! `debug_assertions`) cannot be evaluated from here. A statement that awaits becomes a state
//! whether its condition holds or not, and a local it declares is named by the states after it:
//! written once, the machine would name a local or a state that rustc then removes. So a body
//! with such statements is written once per combination of their conditions, each copy of the
//! fn under `#[cfg(all(..))]` (`p` or `not(p)` for each condition), with the statements whose
//! condition holds kept and the others removed. rustc keeps exactly one copy.
//!
//! Only statements that await or declare a local count (`#[cfg(x)] log(..);` changes no state
//! and stays as it is), and at most [`MAX_CONDITIONS`] distinct conditions (2³ copies).

use crate::error::{Error, Result};
use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote};
use syn::visit_mut::VisitMut;
use syn::{Block, Expr, Stmt};

/// More would mean more than 8 copies of the fn.
pub const MAX_CONDITIONS: usize = 3;

/// One copy of the body, and the condition under which rustc keeps it.
pub struct Variant {
    pub cfg: TokenStream,
    pub block: Block,
}

/// The copies of `block`, one per combination of the conditions of its `#[cfg]` statements that
/// await or declare a local; none when there are no such statements.
pub fn variants(block: &Block) -> Result<Vec<Variant>> {
    let mut found = Conditions::default();
    syn::visit::Visit::visit_block(&mut found, block);
    if found.list.is_empty() {
        return Ok(Vec::new());
    }
    if found.list.len() > MAX_CONDITIONS {
        return Err(Error::new(
            found.spans[MAX_CONDITIONS],
            format!(
                "more than {MAX_CONDITIONS} different `#[cfg]` conditions on statements that await \
                 or declare a local: #[state_machine] writes the fn once per combination of \
                 them; gate whole async fns (or `async` blocks bound to locals) instead"
            ),
        ));
    }
    let conds: Vec<TokenStream> = found
        .list
        .iter()
        .map(|c| c.parse().expect("printed from tokens"))
        .collect();
    let mut out = Vec::new();
    for mask in 0..(1u32 << conds.len()) {
        let holds: Vec<bool> = (0..conds.len()).map(|j| mask & (1 << j) != 0).collect();
        let mut copy = block.clone();
        Keep {
            list: &found.list,
            holds: &holds,
        }
        .visit_block_mut(&mut copy);
        let parts: Vec<TokenStream> = conds
            .iter()
            .zip(&holds)
            .map(|(c, &h)| if h { quote!(#c) } else { quote!(not(#c)) })
            .collect();
        let cfg = match &parts[..] {
            [one] => one.clone(),
            _ => quote!(all(#(#parts),*)),
        };
        out.push(Variant { cfg, block: copy });
    }
    Ok(out)
}

/// The leading attributes of a statement as tokens: `(#, [..])` pairs, then the rest.
fn split_attributes(s: &Stmt) -> (Vec<(TokenTree, TokenTree)>, Vec<TokenTree>) {
    let tokens: Vec<TokenTree> = s.to_token_stream().into_iter().collect();
    let mut attrs = Vec::new();
    let mut i = 0;
    while i + 1 < tokens.len() {
        match (&tokens[i], &tokens[i + 1]) {
            (TokenTree::Punct(p), TokenTree::Group(g))
                if p.as_char() == '#' && g.delimiter() == Delimiter::Bracket =>
            {
                attrs.push((tokens[i].clone(), tokens[i + 1].clone()));
                i += 2;
            }
            _ => break,
        }
    }
    (attrs, tokens[i..].to_vec())
}

/// `cfg(COND)` inside an attribute's brackets: `COND`.
fn cfg_condition(bracket: &TokenTree) -> Option<TokenStream> {
    let TokenTree::Group(g) = bracket else {
        return None;
    };
    let mut inner = g.stream().into_iter();
    match (inner.next(), inner.next(), inner.next()) {
        (Some(TokenTree::Ident(i)), Some(TokenTree::Group(args)), None)
            if i == "cfg" && args.delimiter() == Delimiter::Parenthesis =>
        {
            Some(args.stream())
        }
        _ => None,
    }
}

/// The one `#[cfg(..)]` of a statement that awaits or declares a local: its condition, as
/// text (to compare), and the attribute's index among the statement's attributes.
fn varying_cfg(s: &Stmt) -> Option<(String, usize, Span)> {
    if !matches!(s, Stmt::Local(_)) && !crate::normalize::stmt_has_await(s) {
        return None;
    }
    let (attrs, _) = split_attributes(s);
    let mut cfgs = attrs.iter().enumerate().filter_map(|(k, (hash, bracket))| {
        cfg_condition(bracket).map(|c| (c.to_string(), k, hash.span()))
    });
    let first = cfgs.next()?;
    // Two `#[cfg]`s on one statement: left alone (the transform's own error for an awaiting
    // statement says what to do).
    cfgs.next().is_none().then_some(first)
}

/// Collects the distinct conditions, in the order they are first written.
#[derive(Default)]
struct Conditions {
    list: Vec<String>,
    spans: Vec<Span>,
}

impl<'ast> syn::visit::Visit<'ast> for Conditions {
    fn visit_block(&mut self, b: &'ast Block) {
        for s in &b.stmts {
            if let Some((cond, _, span)) = varying_cfg(s)
                && !self.list.contains(&cond)
            {
                self.list.push(cond);
                self.spans.push(span);
            }
            self.visit_stmt(s);
        }
    }

    // Closures, `async` blocks and items are not part of the state machine.
    fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
    fn visit_expr_async(&mut self, _: &'ast syn::ExprAsync) {}
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

/// Keeps the statements whose condition holds (without their `#[cfg]`) and removes the others.
struct Keep<'a> {
    list: &'a [String],
    holds: &'a [bool],
}

impl VisitMut for Keep<'_> {
    fn visit_block_mut(&mut self, b: &mut Block) {
        let mut stmts = Vec::with_capacity(b.stmts.len());
        for mut s in std::mem::take(&mut b.stmts) {
            if let Some((cond, k, _)) = varying_cfg(&s) {
                let j = self
                    .list
                    .iter()
                    .position(|c| *c == cond)
                    .expect("collected");
                if !self.holds[j] {
                    continue;
                }
                s = without_attribute(&s, k);
            }
            self.visit_stmt_mut(&mut s);
            stmts.push(s);
        }
        b.stmts = stmts;
    }

    fn visit_expr_mut(&mut self, e: &mut Expr) {
        match e {
            Expr::Closure(_) | Expr::Async(_) => {}
            _ => syn::visit_mut::visit_expr_mut(self, e),
        }
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// The statement without its `k`-th leading attribute.
fn without_attribute(s: &Stmt, k: usize) -> Stmt {
    let (attrs, rest) = split_attributes(s);
    let mut tokens = TokenStream::new();
    for (i, (hash, bracket)) in attrs.into_iter().enumerate() {
        if i != k {
            tokens.extend([hash, bracket]);
        }
    }
    tokens.extend(rest);
    let mut parsed = syn::parse::Parser::parse2(Block::parse_within, tokens)
        .expect("a statement without one of its attributes is a statement");
    match parsed.len() {
        1 => parsed.remove(0),
        _ => s.clone(),
    }
}
