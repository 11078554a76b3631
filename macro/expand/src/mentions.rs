//! Which locals an expression mentions, and how.
//!
//! The transform has no types, so "is `x` moved here?" is answered from syntax alone: a bare path
//! in a value position (`f(x)`, `let y = x`, `match x { .. }`) is a [`Use::Move`] (a move, or a copy
//! of a `Copy` value; either way the local need not be kept alive for a later drop); an assignment
//! target is [`Use::Assign`]; everything else (`&x`, `x.len()`, `x.f.g()`, `println!("{x}")`) is
//! [`Use::Other`] and keeps the local alive.

use proc_macro2::{Ident, TokenStream, TokenTree};
use syn::punctuated::Punctuated;
use syn::{Block, Expr, Macro, Pat, Stmt, Token};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    Move,
    /// `x.f` (or `x.f.g`) taken by value: a move or a copy of a part of `x`. `x` still holds
    /// the rest, which drops at the end of its scope.
    Part,
    /// `x.f = ..`: a place use of `x` that may put back a part moved out earlier.
    SetPart,
    /// `x.f.len()`, `&x.f`: a place use of a field of `x` (keeps `x` alive like [`Use::Other`],
    /// but says nothing about its other fields).
    PartPlace,
    Assign,
    Other,
    /// `x.method(..)`: borrowed or moved, depending on the method's `self`, which syntax cannot
    /// tell; see [`receiver_consumes`].
    Receiver(Consumes),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consumes {
    /// `into_*`, `unwrap`, ...: takes `self` by value.
    Yes,
    /// Taken by value when called on a temporary (`response.json()`, `builder.send()`), by
    /// reference on a named local (`tx.send(v)` on a channel).
    OnTemporaries,
    /// By value on a local not declared `mut`, by `&mut` on one declared `mut`: `split()`
    /// with no argument, futures' `StreamExt::split(self)` on a `WebSocketStream` or
    /// `Framed`, tokio's `TcpStream::split(&mut self)`, which needs a `mut` local (the
    /// `split` of `str` and slices takes an argument).
    UnlessMut,
    No,
}

/// [`receiver_consumes`] for a call: with its arguments, some names say more.
pub fn call_consumes(m: &syn::ExprMethodCall) -> Consumes {
    let name = m.method.to_string();
    match (name.as_str(), m.args.len()) {
        ("split", 0) => Consumes::UnlessMut,
        // `Iterator`'s take `&mut self`, `TryStreamExt`'s `self`.
        ("try_for_each" | "try_fold", _) => Consumes::UnlessMut,
        // `Iterator::take(self, n)`, `Read::take`, `AsyncReadExt::take` (`Option::take` has
        // no argument).
        ("take", 1) => Consumes::Yes,
        _ => receiver_consumes(&name),
    }
}

/// The method-name heuristic for receivers: most methods borrow `self`; these usually consume it.
pub fn receiver_consumes(method: &str) -> Consumes {
    const BY_VALUE: &[&str] = &[
        "unwrap",
        "expect",
        "unwrap_err",
        "expect_err",
        "unwrap_unchecked",
        "unwrap_or",
        "unwrap_or_else",
        "unwrap_or_default",
        "ok",
        "err",
        "map",
        "and_then",
        "or_else",
        "boxed",
        "fuse",
        "collect",
        "then",
        "join",
        "finish",
        "build",
        "into_future",
        // Adaptors and consumers of futures, streams, iterators and tower services, by value
        // everywhere we know of: `Iterator`/`StreamExt`/`AsyncReadExt::chain`,
        // `TryStreamExt::try_collect`, `JoinSet::join_all`, `FutureExt::now_or_never`, `ServiceExt::oneshot`/`call_all`, async-task's and
        // tokio-util's `detach`.
        "chain",
        "try_collect",
        "join_all",
        "now_or_never",
        "oneshot",
        "call_all",
        "detach",
        // `Iterator`'s and `StreamExt`'s adaptors and consumers that take `self` on every
        // type we know of (`read.for_each(..)`, `rx.map(Ok).forward(tx)`, `StreamExt`'s
        // `filter`; `Option::filter` too).
        "for_each",
        "for_each_concurrent",
        "forward",
        "filter",
        "filter_map",
        "flat_map",
        "flatten",
        "enumerate",
        "zip",
        "skip",
        "skip_while",
        "take_while",
        "inspect",
        "peekable",
        "buffered",
        "buffer_unordered",
        "try_filter",
        "try_filter_map",
    ];
    const ON_TEMPORARIES: &[&str] = &["json", "text", "bytes", "send", "call", "run"];
    // (`acquire_owned`, `lock_owned`: tokio's owned guards take an `Arc<Self>`.)
    // (`map_err`, `map_ok`, `map_codec`, ..: adaptors, by the API guidelines' naming.)
    if method.starts_with("into_")
        || method.starts_with("map_")
        || method.ends_with("_owned")
        || BY_VALUE.contains(&method)
    {
        Consumes::Yes
    } else if ON_TEMPORARIES.contains(&method) {
        Consumes::OnTemporaries
    } else {
        Consumes::No
    }
}

#[derive(Debug, Clone)]
pub struct Mention {
    pub name: String,
    pub kind: Use,
    /// Inside a branch, a loop body or the right side of `&&`/`||` of its statement: it may not
    /// run when the statement does. (A closure's captures happen when it is made.)
    pub conditional: bool,
    /// A field captured by a `move` closure or `async move` block (`move || x.f.len()`): a
    /// part taken only if `x` owns it (through a reference the closure copies the reference).
    pub captured: bool,
    /// For [`Use::Part`] and [`Use::PartPlace`] of `x.f` (one field deep, not `x.f.g`): `f`.
    pub field: Option<String>,
    /// `x(..)`: the local is called.
    pub called: bool,
    /// Inside a `return` expression: nothing of the fn runs after it.
    pub returning: bool,
    /// A whole argument of a macro that takes its futures by value (`join!(a, b)`, `select! {
    /// v = fut => .. }`, see [`takes_futures`]): moved into it.
    pub macro_arg: bool,
    /// The code around it, within its statement, that may run out of the order it is written,
    /// more than once, or later (each by a number of its own): a loop, a closure, an `async`
    /// block, a compound assignment (`a[i] += v` evaluates `v` first), a macro's input that
    /// is not a list of expressions without assignments. A mention written before a move of
    /// its local runs before it unless both lie in one such region.
    pub regions: Vec<usize>,
    /// In the input of an island that runs at once (`Island::run_now`, see `island.rs`): a
    /// move there takes the local out of its fixed home through a `Taker`.
    pub island_now: bool,
}

/// The input of a macro that [`takes_futures`], as expressions, in the order they run: each
/// future (`None`), and each `select!` arm's handler with its pattern (`Some(pattern)`;
/// `Some(None)` for `else`). Preconditions (`, if cond`) count as handlers.
pub struct FutureArgs(pub Vec<(Expr, Option<Option<Pat>>)>);

impl FutureArgs {
    pub fn parse(mac: &Macro) -> Option<FutureArgs> {
        use syn::parse::{ParseStream, Parser};
        if !takes_futures(mac) {
            return None;
        }
        let is_select = mac
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident.to_string().starts_with("select"));
        let parser = |input: ParseStream| -> syn::Result<FutureArgs> {
            let mut out = Vec::new();
            if input.peek(syn::Ident) && input.peek2(Token![;]) {
                input.parse::<syn::Ident>()?; // `biased;`
                input.parse::<Token![;]>()?;
            }
            if !is_select {
                let args = Punctuated::<Expr, Token![,]>::parse_terminated(input)?;
                out.extend(args.into_iter().map(|e| (e, None)));
                return Ok(FutureArgs(out));
            }
            let mut handlers = Vec::new();
            while !input.is_empty() {
                let pat = if input.peek(Token![else]) {
                    input.parse::<Token![else]>()?;
                    None
                } else {
                    let pat = Pat::parse_multi(input)?;
                    input.parse::<Token![=]>()?;
                    out.push((input.parse::<Expr>()?, None));
                    if input.peek(Token![,]) && input.peek2(Token![if]) {
                        input.parse::<Token![,]>()?;
                        input.parse::<Token![if]>()?;
                        handlers.push((input.parse::<Expr>()?, Some(None)));
                    }
                    Some(pat)
                };
                input.parse::<Token![=>]>()?;
                let handler: Expr = input.parse()?;
                handlers.push((handler, Some(pat)));
                if input.peek(Token![,]) {
                    input.parse::<Token![,]>()?;
                }
            }
            out.extend(handlers);
            Ok(FutureArgs(out))
        };
        parser.parse2(mac.tokens.clone()).ok()
    }
}

/// Whether a statement may leave its block early: a `break`, `continue`, `return` or `?` in it
/// (not in a closure, an `async` block or an item), or a `let`-`else`.
fn may_leave(s: &Stmt) -> bool {
    struct Leaves(bool);
    impl<'ast> syn::visit::Visit<'ast> for Leaves {
        fn visit_expr_break(&mut self, _: &'ast syn::ExprBreak) {
            self.0 = true;
        }
        fn visit_expr_continue(&mut self, _: &'ast syn::ExprContinue) {
            self.0 = true;
        }
        fn visit_expr_return(&mut self, _: &'ast syn::ExprReturn) {
            self.0 = true;
        }
        fn visit_expr_try(&mut self, _: &'ast syn::ExprTry) {
            self.0 = true;
        }
        fn visit_macro(&mut self, m: &'ast Macro) {
            self.0 |= crate::island::is_island(m);
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
        fn visit_expr_async(&mut self, _: &'ast syn::ExprAsync) {}
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    if let Stmt::Local(syn::Local {
        init: Some(init), ..
    }) = s
        && init.diverge.is_some()
    {
        return true;
    }
    let mut v = Leaves(false);
    syn::visit::Visit::visit_stmt(&mut v, s);
    v.0
}

/// Macros that take the futures they are given by value and await them inside their expansion
/// (`tokio::join!`, `futures::select!`, ..): a bare name given as one of their arguments is
/// moved in.
pub fn takes_futures(mac: &Macro) -> bool {
    mac.path.segments.last().is_some_and(|s| {
        ["join", "try_join", "select", "select_biased"].contains(&s.ident.to_string().as_str())
    })
}

#[derive(Clone, Copy, PartialEq)]
enum Ctx {
    Value,
    Place,
    /// Inside a `move` closure or `async move` block: every capture is a move.
    Captured,
}

#[derive(Default)]
struct Walker {
    bound: Vec<String>,
    out: Vec<Mention>,
    /// How many branches or loop bodies deep the walk is.
    conditional: usize,
    /// Inside a `move` closure or `async move` block (the innermost one around the walk).
    in_move_closure: bool,
    /// How many `return` expressions deep the walk is.
    returning: usize,
    /// The regions around the walk (see [`Mention::regions`]), and the last one's number.
    regions: Vec<usize>,
    last_region: usize,
    /// Inside the input of an island that runs at once (see [`Mention::island_now`]).
    island_now: bool,
}

pub fn expr_mentions(e: &Expr) -> Vec<Mention> {
    let mut w = Walker::default();
    w.expr(e, Ctx::Value);
    w.out
}

/// Mentions in an expression evaluated as a place (`match` scrutinees and the like are
/// handled by the caller).
pub fn place_mentions(e: &Expr) -> Vec<Mention> {
    let mut w = Walker::default();
    w.expr(e, Ctx::Place);
    w.out
}

pub fn stmt_mentions(s: &Stmt) -> Vec<Mention> {
    let mut w = Walker::default();
    w.stmt(s);
    w.out
}

pub fn tokens_mentions(tokens: TokenStream) -> Vec<Mention> {
    let mut w = Walker::default();
    w.tokens(tokens);
    w.out
}

/// The names a pattern binds, in order, with whether the binding is `mut`.
pub fn pat_bindings(pat: &Pat) -> Vec<(syn::Ident, bool)> {
    binding_idents(pat)
        .into_iter()
        .map(|p| (p.ident.clone(), p.mutability.is_some()))
        .collect()
}

/// Is `x` in a pattern a binding, or a constant or unit variant (`None`, `MAX`)? Syntax cannot
/// tell; Rust's naming conventions can: only constants and variants start with a capital.
pub fn looks_like_binding(p: &syn::PatIdent) -> bool {
    p.by_ref.is_some()
        || p.mutability.is_some()
        || p.subpat.is_some()
        || !p.ident.to_string().starts_with(|c: char| c.is_uppercase())
}

/// Does the pattern bind something by value (so matching on a local moves it, or part of it)?
pub fn binds_by_value(pat: &Pat) -> bool {
    struct ByValue(bool);
    impl<'ast> syn::visit::Visit<'ast> for ByValue {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            if p.by_ref.is_none() && looks_like_binding(p) {
                self.0 = true;
            }
            syn::visit::visit_pat_ident(self, p);
        }
    }
    let mut v = ByValue(false);
    syn::visit::Visit::visit_pat(&mut v, pat);
    v.0
}

/// The binding idents of a pattern, in binding order (the order `pat_bindings` and
/// `rename::rename_bindings` use; of an or-pattern, its first case).
pub fn binding_idents(pat: &Pat) -> Vec<&syn::PatIdent> {
    fn walk<'p>(pat: &'p Pat, out: &mut Vec<&'p syn::PatIdent>) {
        match pat {
            Pat::Ident(p) => {
                if looks_like_binding(p) {
                    out.push(p);
                }
                if let Some((_, sub)) = &p.subpat {
                    walk(sub, out);
                }
            }
            Pat::Or(p) => {
                if let Some(first) = p.cases.first() {
                    walk(first, out);
                }
            }
            Pat::Paren(p) => walk(&p.pat, out),
            Pat::Reference(p) => walk(&p.pat, out),
            Pat::Slice(p) => p.elems.iter().for_each(|p| walk(p, out)),
            Pat::Struct(p) => p.fields.iter().for_each(|f| walk(&f.pat, out)),
            Pat::Tuple(p) => p.elems.iter().for_each(|p| walk(p, out)),
            Pat::TupleStruct(p) => p.elems.iter().for_each(|p| walk(p, out)),
            Pat::Type(p) => walk(&p.pat, out),
            Pat::Guard(p) => walk(&p.pat, out),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(pat, &mut out);
    out
}

/// The known macros whose arguments are expressions, and how many leading arguments are always
/// evaluated (the rest of `assert!` is only evaluated on failure).
pub enum MacroArgs {
    /// `format!("..", a, b)`, `println!`, `panic!`, ...: a format string then expressions.
    Format { skip_first_expr: bool },
    /// `vec![a, b]`, `assert_eq!(a, b)`, `dbg!(a)`: a list of expressions.
    Exprs,
}

pub fn macro_kind(mac: &Macro) -> Option<MacroArgs> {
    let name = mac.path.segments.last()?.ident.to_string();
    Some(match name.as_str() {
        "format" | "print" | "println" | "eprint" | "eprintln" | "panic" | "format_args"
        | "unreachable" | "todo" | "unimplemented" => MacroArgs::Format {
            skip_first_expr: false,
        },
        "write" | "writeln" => MacroArgs::Format {
            skip_first_expr: true,
        },
        "vec" | "assert" | "assert_eq" | "assert_ne" | "debug_assert" | "debug_assert_eq"
        | "debug_assert_ne" | "dbg" => MacroArgs::Exprs,
        _ => return None,
    })
}

/// The arguments of a known expression macro, taken apart so they can be rewritten and put
/// back: `write!(dest, "fmt", a, name = b)`.
pub struct MacroParts {
    pub fmt: Option<syn::LitStr>,
    /// `write!`/`writeln!`: the first argument is the destination, before the format string.
    pub dest_first: bool,
    /// Arguments in order, with their name for `name = value` format arguments.
    pub args: Vec<(Option<syn::Ident>, Expr)>,
}

impl MacroParts {
    pub fn parse(mac: &Macro) -> Option<MacroParts> {
        let kind = macro_kind(mac)?;
        let parsed: Punctuated<Expr, Token![,]> =
            mac.parse_body_with(Punctuated::parse_terminated).ok()?;
        let mut exprs: Vec<Expr> = parsed.into_iter().collect();
        let mut fmt = None;
        let mut dest_first = false;
        if let MacroArgs::Format { skip_first_expr } = kind {
            let at = usize::from(skip_first_expr);
            dest_first = skip_first_expr;
            if exprs.len() > at
                && let Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) = &exprs[at]
            {
                fmt = Some(s.clone());
                exprs.remove(at);
            }
        }
        let args = exprs
            .into_iter()
            .map(|e| match e {
                Expr::Assign(a) if fmt.is_some() => match *a.left {
                    Expr::Path(p) if p.path.get_ident().is_some() => {
                        (p.path.get_ident().cloned(), *a.right)
                    }
                    left => (
                        None,
                        Expr::Assign(syn::ExprAssign {
                            left: Box::new(left),
                            ..a
                        }),
                    ),
                },
                e => (None, e),
            })
            .collect();
        Some(MacroParts {
            fmt,
            dest_first,
            args,
        })
    }

    /// Rewrites each argument of a macro the transform knows with `f`, and writes its tokens
    /// back; `false` (nothing done) for a macro it does not know.
    pub fn rewrite_args(mac: &mut Macro, mut f: impl FnMut(&mut Expr)) -> bool {
        let Some(mut parts) = MacroParts::parse(mac) else {
            return false;
        };
        parts.exprs_mut().for_each(&mut f);
        mac.tokens = parts.to_tokens();
        true
    }

    pub fn exprs_mut(&mut self) -> impl Iterator<Item = &mut Expr> {
        self.args.iter_mut().map(|(_, e)| e)
    }

    /// The macro's tokens again.
    pub fn to_tokens(&self) -> TokenStream {
        let args: Vec<TokenStream> = self
            .args
            .iter()
            .map(|(name, e)| match name {
                Some(n) => quote::quote!(#n = #e),
                None => quote::quote!(#e),
            })
            .collect();
        match &self.fmt {
            Some(fmt) if self.dest_first && !args.is_empty() => {
                let (d, rest) = args.split_first().expect("not empty");
                quote::quote!(#d, #fmt #(, #rest)*)
            }
            Some(fmt) => quote::quote!(#fmt #(, #args)*),
            None => quote::quote!(#(#args),*),
        }
    }
}

/// Parses the arguments of a known expression macro: `(format string, expressions)`.
pub fn parse_macro_exprs(mac: &Macro) -> Option<(Option<syn::LitStr>, Vec<Expr>)> {
    let parts = MacroParts::parse(mac)?;
    Some((parts.fmt, parts.args.into_iter().map(|(_, e)| e).collect()))
}

/// The input of a macro the transform does not know, when it is a list of expressions
/// (`logv!("{}", a, b)`, `ensure!(x.len() > 2)`). What the macro does with each one is not
/// known (`format!` borrows a bare name, `vec!` moves it), so a whole argument is a place;
/// but inside one, a tuple's element, a call's argument or a `let`'s initialiser is moved
/// whenever the macro runs that code at all. Not an island, not `select!`-like input.
pub fn unknown_macro_exprs(mac: &Macro) -> Option<Punctuated<Expr, Token![,]>> {
    if crate::island::is_island(mac) {
        return None;
    }
    macro_input_exprs(mac)
}

/// [`unknown_macro_exprs`], islands included (inside the `async` block that runs one).
pub fn macro_input_exprs(mac: &Macro) -> Option<Punctuated<Expr, Token![,]>> {
    if macro_kind(mac).is_some() || mac.path.is_ident("stringify") || takes_futures(mac) {
        return None;
    }
    mac.parse_body_with(Punctuated::parse_terminated).ok()
}

/// [`unknown_macro_exprs`], when no pattern there binds one of `locals` (a new local spelled
/// as one of them, which only the token rewrite keeps apart): how the rewrite of fixed homes
/// (`anchor`) and of the awaited expressions (`lower`) both decide to treat the input as
/// expressions.
pub fn unknown_macro_exprs_binding_none_of(
    mac: &Macro,
    locals: &[String],
) -> Option<Punctuated<Expr, Token![,]>> {
    let args = unknown_macro_exprs(mac)?;
    let shadows = args.iter().any(|e| {
        names_bound_inside(e)
            .iter()
            .any(|b| b == "|" || locals.contains(b))
    });
    (!shadows).then_some(args)
}

/// Does `e` assign to a place anywhere (`v = x`, `v += x`), outside closures? (In a macro's
/// input that is not a list of expressions, it may.)
pub fn assigns(e: &Expr) -> bool {
    struct Finder(bool);
    impl<'ast> syn::visit::Visit<'ast> for Finder {
        fn visit_expr(&mut self, e: &'ast Expr) {
            match e {
                Expr::Assign(_) => self.0 = true,
                Expr::Binary(b) if crate::anchor::is_compound_assign(&b.op) => self.0 = true,
                _ => syn::visit::visit_expr(self, e),
            }
        }
        fn visit_macro(&mut self, m: &'ast Macro) {
            match m.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated) {
                Ok(args) => args.iter().for_each(|a| self.visit_expr(a)),
                Err(_) => self.0 = true,
            }
        }
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut f = Finder(false);
    syn::visit::Visit::visit_expr(&mut f, e);
    f.0
}

/// The names that patterns inside `e` bind (`let`, closure parameters, arms, `for`).
pub fn names_bound_inside(e: &Expr) -> Vec<String> {
    struct Binders(Vec<String>);
    impl<'ast> syn::visit::Visit<'ast> for Binders {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            self.0.push(p.ident.to_string());
            syn::visit::visit_pat_ident(self, p);
        }
        fn visit_macro(&mut self, m: &'ast Macro) {
            match m.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated) {
                Ok(args) => args.iter().for_each(|e| self.visit_expr(e)),
                // Input that is not expressions may bind anything: `|` stands for "unknown".
                Err(_) => self.0.push(String::from("|")),
            }
        }
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut b = Binders(Vec::new());
    syn::visit::Visit::visit_expr(&mut b, e);
    b.0
}

/// The names the string literals in `tokens` use as inline format arguments, each with the
/// span of its string (where `format_args!` resolves it).
pub fn inline_arg_names(tokens: TokenStream, out: &mut Vec<(String, proc_macro2::Span)>) {
    for t in tokens {
        match t {
            proc_macro2::TokenTree::Group(g) => inline_arg_names(g.stream(), out),
            proc_macro2::TokenTree::Literal(l) => {
                let span = l.span();
                if let Ok(s) = syn::parse2::<syn::LitStr>(proc_macro2::TokenTree::Literal(l).into())
                {
                    out.extend(inline_format_args(&s).into_iter().map(|n| (n, span)));
                }
            }
            _ => {}
        }
    }
}

/// `{name}`, `{name:?}`, and the `width$` / `prec$` of `{:>width$.prec$}` in a format string:
/// the locals a format string names by itself.
pub fn inline_format_args(fmt: &syn::LitStr) -> Vec<String> {
    fn is_name(name: &str) -> bool {
        !name.is_empty()
            && name.chars().all(|c| c.is_alphanumeric() || c == '_')
            && !name.starts_with(|c: char| c.is_ascii_digit())
    }
    let s = fmt.value();
    let mut out = Vec::new();
    let mut rest = s.as_str();
    while let Some(i) = rest.find('{') {
        rest = &rest[i + 1..];
        if rest.starts_with('{') {
            rest = &rest[1..];
            continue;
        }
        let end = rest.find('}').unwrap_or(rest.len());
        let (arg, spec) = match rest[..end].split_once(':') {
            Some((a, sp)) => (a, sp),
            None => (&rest[..end], ""),
        };
        if is_name(arg) {
            out.push(arg.to_string());
        }
        // `name$` in the spec: a width or precision taken from a local.
        let mut spec = spec;
        while let Some(d) = spec.find('$') {
            let before = &spec[..d];
            let start = before
                .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
                .map_or(0, |k| k + 1);
            let name = &before[start..];
            if is_name(name) {
                out.push(name.to_string());
            }
            spec = &spec[d + 1..];
        }
        rest = &rest[end..];
    }
    out
}

impl Walker {
    fn mention(&mut self, name: String, kind: Use) {
        if !self.bound.contains(&name) {
            self.out.push(Mention {
                name,
                kind,
                conditional: self.conditional > 0,
                captured: false,
                field: None,
                called: false,
                macro_arg: false,
                returning: self.returning > 0,
                regions: self.regions.clone(),
                island_now: self.island_now,
            });
        }
    }

    /// Walks `f` inside a new region (see [`Mention::regions`]).
    fn region(&mut self, f: impl FnOnce(&mut Self)) {
        self.last_region += 1;
        self.regions.push(self.last_region);
        f(self);
        self.regions.pop();
    }

    fn bind_pat(&mut self, pat: &Pat) {
        for (ident, _) in pat_bindings(pat) {
            self.bound.push(ident.to_string());
        }
        // Paths inside patterns (`Some(x)`, consts) mention nothing we track.
    }

    fn block(&mut self, b: &Block) {
        let depth = self.bound.len();
        let conditional = self.conditional;
        for s in &b.stmts {
            self.stmt(s);
            // After a statement that may leave the block (`break 'b`, `return`, `?`, a
            // `let`-`else`), the rest runs on some paths only.
            if may_leave(s) {
                self.conditional = conditional + 1;
            }
        }
        self.conditional = conditional;
        self.bound.truncate(depth);
    }

    fn stmt(&mut self, s: &Stmt) {
        match s {
            Stmt::Local(l) => {
                if let Some(init) = &l.init {
                    self.scrutinee(&init.expr, [&l.pat], false);
                    // The `else` of a `let`-`else` runs only when the pattern fails, and then
                    // leaves: what it moves is moved on that path only, like in a branch.
                    if let Some((_, e)) = &init.diverge {
                        self.conditional += 1;
                        self.expr(e, Ctx::Value);
                        self.conditional -= 1;
                    }
                }
                self.bind_pat(&l.pat);
            }
            Stmt::Item(_) => {}
            Stmt::Expr(e, _) => self.expr(e, Ctx::Value),
            Stmt::Macro(m) => self.mac(&m.mac),
        }
    }

    /// `match x {..}`, `if let P = x`, `let P = x`: a bare local is (maybe partly) moved when a
    /// pattern binds by value; `let _ = x;`, `match x { _ => .. }`, `ref` bindings move nothing.
    ///
    /// `let y = x.f;` takes the part `x.f` whole ([`Use::Part`]); a pattern that takes `x.f`
    /// apart (`match x.f { Some(g) => .. }`) is counted as a move of `x`, as before parts were
    /// tracked: its bindings cannot be taken from a fixed home.
    /// A `match` or `if let` scrutinee. A pattern that binds by value moves it, but only when
    /// it matches: the move is sure only for a `match` every arm of which binds by value
    /// (`Ok(a) => .., Err(b) => ..`); after `if let Ok(v) = r { .. }` or `Some(x) => .., None
    /// => ..`, `r` may still be whole, and rustc drops it at the end of its scope.
    fn scrutinee<'p>(
        &mut self,
        e: &Expr,
        pats: impl IntoIterator<Item = &'p Pat>,
        refutable: bool,
    ) {
        let pats: Vec<&Pat> = pats.into_iter().collect();
        let ctx = if pats.iter().any(|p| binds_by_value(p)) {
            Ctx::Value
        } else {
            Ctx::Place
        };
        let maybe = ctx == Ctx::Value && (refutable || !pats.iter().all(|p| binds_by_value(p)));
        self.conditional += usize::from(maybe);
        match e {
            Expr::Field(f) if ctx == Ctx::Value && !pats.iter().all(|p| binds_whole(p)) => {
                self.expr(&f.base, Ctx::Value)
            }
            _ => self.expr(e, ctx),
        }
        self.conditional -= usize::from(maybe);
    }

    fn kind(ctx: Ctx) -> Use {
        match ctx {
            Ctx::Value | Ctx::Captured => Use::Move,
            Ctx::Place => Use::Other,
        }
    }

    /// A closure's body; `ctx`: what its mentions are unless it is `move`.
    fn closure(&mut self, c: &syn::ExprClosure, ctx: Ctx) {
        let depth = self.bound.len();
        c.inputs.iter().for_each(|p| self.bind_pat(p));
        let c2 = if c.capture.is_some() {
            Ctx::Captured
        } else {
            ctx
        };
        // A capture happens when the closure is made, not when it runs: its mentions are as
        // sure as the statement's.
        let outer = std::mem::take(&mut self.conditional);
        let was = std::mem::replace(&mut self.in_move_closure, c.capture.is_some());
        self.expr(&c.body, c2);
        self.in_move_closure = was;
        self.conditional = outer;
        self.bound.truncate(depth);
    }

    fn expr(&mut self, e: &Expr, ctx: Ctx) {
        let inner = |c: Ctx| {
            if ctx == Ctx::Captured {
                Ctx::Captured
            } else {
                c
            }
        };
        match e {
            Expr::Path(p)
                if p.qself.is_none()
                    && p.path.segments.len() == 1
                    && p.path.leading_colon.is_none() =>
            {
                let seg = &p.path.segments[0];
                if seg.arguments.is_none() {
                    self.mention(seg.ident.to_string(), Self::kind(ctx));
                }
            }
            // `x.f` taken by value moves (or copies) a part of `x`; the rest still drops at the
            // end of `x`'s scope.
            // A `move` closure (or `async move` block) that uses `x.f` captures that field alone
            // (edition 2021's disjoint captures), by value: the same as taking it.
            Expr::Field(_)
                if (ctx == Ctx::Value || ctx == Ctx::Captured && self.in_move_closure)
                    && field_root(e).is_some() =>
            {
                if let Some(root) = field_root(e) {
                    self.mention(root, Use::Part);
                    if let Some(m) = self.out.last_mut() {
                        m.field = one_field(e);
                        m.captured = ctx == Ctx::Captured;
                    }
                }
            }
            // `x.f.len()`, `&x.f`: a use of one field, not of `x` as a whole.
            Expr::Field(_) if ctx == Ctx::Place && field_root(e).is_some() => {
                if let Some(root) = field_root(e) {
                    self.mention(root, Use::PartPlace);
                    if let Some(m) = self.out.last_mut() {
                        m.field = one_field(e);
                    }
                }
            }
            Expr::Field(f) => self.expr(
                &f.base,
                inner(if ctx == Ctx::Value {
                    Ctx::Value
                } else {
                    Ctx::Place
                }),
            ),
            Expr::MethodCall(m) if crate::island::run_now_macro(m).is_some() => {
                // An island that runs at once runs its macro's code right there, as the
                // `async fn` does: walked as that code, not as a block that borrows.
                let (Some(mac), Expr::Call(c)) = (crate::island::run_now_macro(m), &*m.receiver)
                else {
                    return;
                };
                // (`&slot`.)
                c.args.iter().take(1).for_each(|a| self.expr(a, Ctx::Value));
                let was = std::mem::replace(&mut self.island_now, true);
                self.conditional += 1;
                match macro_input_exprs(mac) {
                    Some(args) => self.region(|s| {
                        for e in &args {
                            s.expr(e, Ctx::Place);
                        }
                        let mut names = Vec::new();
                        inline_arg_names(mac.tokens.clone(), &mut names);
                        for (name, _) in names {
                            s.mention(name, Use::Other);
                        }
                    }),
                    None => self.region(|s| s.tokens(mac.tokens.clone())),
                }
                self.conditional -= 1;
                self.island_now = was;
            }
            Expr::MethodCall(m) => {
                match &*m.receiver {
                    Expr::Path(p)
                        if ctx != Ctx::Captured
                            && p.qself.is_none()
                            && p.path.segments.len() == 1
                            && p.path.segments[0].arguments.is_none() =>
                    {
                        let kind = Use::Receiver(call_consumes(m));
                        self.mention(p.path.segments[0].ident.to_string(), kind);
                    }
                    // `x.f.unwrap()`: a method the heuristic takes to consume its receiver
                    // takes the field, as `let y = x.f;` does.
                    r @ Expr::Field(_)
                        if ctx != Ctx::Captured
                            && receiver_consumes(&m.method.to_string()) == Consumes::Yes =>
                    {
                        self.expr(r, inner(Ctx::Value))
                    }
                    r => self.expr(r, inner(Ctx::Place)),
                }
                m.args.iter().for_each(|a| self.expr(a, inner(Ctx::Value)));
            }
            Expr::Call(c) => {
                let n = self.out.len();
                self.expr(&c.func, inner(Ctx::Place));
                if matches!(&*c.func, Expr::Path(_))
                    && let Some(m) = self.out.get_mut(n)
                {
                    m.called = true;
                }
                c.args.iter().for_each(|a| self.expr(a, inner(Ctx::Value)));
            }
            Expr::Reference(r) => self.expr(&r.expr, inner(Ctx::Place)),
            Expr::RawAddr(r) => self.expr(&r.expr, inner(Ctx::Place)),
            Expr::Unary(u) => {
                let c = if matches!(u.op, syn::UnOp::Deref(_)) {
                    Ctx::Place
                } else {
                    Ctx::Value
                };
                self.expr(&u.expr, inner(c))
            }
            Expr::Binary(b) => {
                use syn::BinOp::*;
                let (l, r) = match b.op {
                    Eq(_) | Ne(_) | Lt(_) | Le(_) | Gt(_) | Ge(_) => (Ctx::Place, Ctx::Place),
                    AddAssign(_) | SubAssign(_) | MulAssign(_) | DivAssign(_) | RemAssign(_)
                    | BitXorAssign(_) | BitAndAssign(_) | BitOrAssign(_) | ShlAssign(_)
                    | ShrAssign(_) => (Ctx::Place, Ctx::Value),
                    _ => (Ctx::Value, Ctx::Value),
                };
                let walk = |w: &mut Self| {
                    w.expr(&b.left, inner(l));
                    let lazy = matches!(b.op, And(_) | Or(_));
                    w.conditional += usize::from(lazy);
                    w.expr(&b.right, inner(r));
                    w.conditional -= usize::from(lazy);
                };
                if crate::anchor::is_compound_assign(&b.op) {
                    self.region(walk);
                } else {
                    walk(self);
                }
            }
            Expr::Assign(a) => {
                self.expr(&a.right, inner(Ctx::Value));
                match &*a.left {
                    Expr::Path(p) if p.path.segments.len() == 1 && ctx != Ctx::Captured => {
                        self.mention(p.path.segments[0].ident.to_string(), Use::Assign)
                    }
                    Expr::Field(_) if ctx != Ctx::Captured && field_root(&a.left).is_some() => {
                        if let Some(root) = field_root(&a.left) {
                            self.mention(root, Use::SetPart);
                        }
                    }
                    other => self.expr(other, inner(Ctx::Place)),
                }
            }
            Expr::Index(i) => {
                self.expr(&i.expr, inner(Ctx::Place));
                self.expr(&i.index, inner(Ctx::Value));
            }
            Expr::Cast(c) => self.expr(&c.expr, inner(Ctx::Value)),
            Expr::Paren(p) => self.expr(&p.expr, ctx),
            Expr::Group(g) => self.expr(&g.expr, ctx),
            Expr::Try(t) => self.expr(&t.expr, inner(Ctx::Value)),
            Expr::Await(a) => self.expr(&a.base, inner(Ctx::Value)),
            Expr::Let(l) if ctx != Ctx::Captured => self.scrutinee(&l.expr, [&*l.pat], true),
            Expr::Let(l) => self.expr(&l.expr, Ctx::Captured),
            Expr::If(i) => {
                let depth = self.bound.len();
                self.expr(&i.cond, inner(Ctx::Value));
                bind_let_chain(&i.cond, &mut self.bound);
                self.conditional += 1;
                self.block_ctx(&i.then_branch, ctx);
                self.bound.truncate(depth);
                if let Some((_, e)) = &i.else_branch {
                    self.expr(e, ctx);
                }
                self.conditional -= 1;
            }
            Expr::Match(m) => {
                if ctx == Ctx::Captured {
                    self.expr(&m.expr, Ctx::Captured);
                } else {
                    self.scrutinee(&m.expr, m.arms.iter().map(|a| &a.pat), false);
                }
                self.conditional += 1;
                for arm in &m.arms {
                    let depth = self.bound.len();
                    self.bind_pat(&arm.pat);
                    if let Pat::Guard(g) = &arm.pat {
                        self.expr(&g.guard, inner(Ctx::Place));
                    }
                    self.expr(&arm.body, ctx);
                    self.bound.truncate(depth);
                }
                self.conditional -= 1;
            }
            Expr::Block(b) => self.block_ctx(&b.block, ctx),
            Expr::Unsafe(b) => self.block_ctx(&b.block, ctx),
            Expr::Const(b) => self.block_ctx(&b.block, ctx),
            Expr::TryBlock(b) => self.block_ctx(&b.block, ctx),
            Expr::Loop(l) => self.region(|w| {
                w.conditional += 1;
                w.block_ctx(&l.body, ctx);
                w.conditional -= 1;
            }),
            Expr::While(w) => self.region(|s| {
                let depth = s.bound.len();
                s.expr(&w.cond, inner(Ctx::Value));
                bind_let_chain(&w.cond, &mut s.bound);
                s.conditional += 1;
                s.block_ctx(&w.body, ctx);
                s.conditional -= 1;
                s.bound.truncate(depth);
            }),
            Expr::ForLoop(f) => {
                self.expr(&f.expr, inner(Ctx::Value));
                let depth = self.bound.len();
                self.bind_pat(&f.pat);
                self.region(|w| {
                    w.conditional += 1;
                    w.block_ctx(&f.body, ctx);
                    w.conditional -= 1;
                });
                self.bound.truncate(depth);
            }
            Expr::Closure(c) => self.region(|w| w.closure(c, inner(Ctx::Value))),
            Expr::Async(a) => self.region(|w| {
                let c2 = if a.capture.is_some() {
                    Ctx::Captured
                } else {
                    inner(Ctx::Place)
                };
                let was = std::mem::replace(&mut w.in_move_closure, a.capture.is_some());
                w.block_ctx(&a.block, c2);
                w.in_move_closure = was;
            }),
            Expr::Struct(s) => {
                for f in &s.fields {
                    self.expr(&f.expr, inner(Ctx::Value));
                }
                if let Some(r) = &s.rest {
                    self.expr(r, inner(Ctx::Value));
                }
            }
            Expr::Tuple(t) => t.elems.iter().for_each(|e| self.expr(e, inner(Ctx::Value))),
            Expr::Array(a) => a.elems.iter().for_each(|e| self.expr(e, inner(Ctx::Value))),
            Expr::Repeat(r) => self.expr(&r.expr, inner(Ctx::Value)),
            Expr::Return(r) => {
                if let Some(e) = &r.expr {
                    self.returning += 1;
                    self.expr(e, inner(Ctx::Value));
                    self.returning -= 1;
                }
            }
            Expr::Break(b) => {
                if let Some(e) = &b.expr {
                    self.expr(e, inner(Ctx::Value))
                }
            }
            Expr::Yield(y) => {
                if let Some(e) = &y.expr {
                    self.expr(e, inner(Ctx::Value))
                }
            }
            Expr::Range(r) => {
                if let Some(e) = &r.start {
                    self.expr(e, inner(Ctx::Value))
                }
                if let Some(e) = &r.end {
                    self.expr(e, inner(Ctx::Value))
                }
            }
            Expr::Macro(m) => {
                if ctx == Ctx::Captured {
                    let n = self.out.len();
                    self.mac(&m.mac);
                    self.out[n..].iter_mut().for_each(|m| m.kind = Use::Move);
                } else {
                    self.mac(&m.mac)
                }
            }
            Expr::Verbatim(t) => self.tokens(t.clone()),
            _ => {}
        }
    }

    fn block_ctx(&mut self, b: &Block, ctx: Ctx) {
        if ctx == Ctx::Captured {
            let n = self.out.len();
            // Captures happen when the closure or block is made, whatever branch inside uses them.
            let made_here = self.conditional > 0;
            self.block(b);
            for m in &mut self.out[n..] {
                m.conditional = made_here;
            }
            // Captured by a `move` closure or `async move` block: a field it uses is taken
            // alone (edition 2021's disjoint captures), anything else moves the whole local.
            for m in &mut self.out[n..] {
                if matches!(m.kind, Use::Part | Use::PartPlace)
                    && m.field.is_some()
                    && self.in_move_closure
                {
                    m.kind = Use::Part;
                    m.captured = true;
                } else {
                    m.kind = Use::Move;
                }
            }
        } else {
            self.block(b)
        }
    }

    fn mac(&mut self, mac: &Macro) {
        // `stringify!` quotes its input and names nothing (its tokens keep the user's
        // spelling even where the local was renamed, so they would find the wrong local).
        if mac.path.is_ident("stringify") {
            return;
        }
        match parse_macro_exprs(mac) {
            Some((fmt, exprs)) => {
                let is_vec = mac.path.is_ident("vec");
                for e in &exprs {
                    // Format arguments are borrowed; `vec![a, b]` moves its elements.
                    self.expr(e, if is_vec { Ctx::Value } else { Ctx::Place });
                }
                if let Some(fmt) = fmt {
                    for name in inline_format_args(&fmt) {
                        self.mention(name, Use::Other);
                    }
                }
            }
            None => {
                let n = self.out.len();
                match FutureArgs::parse(mac) {
                    Some(args) => self.region(|s| {
                        for (e, handler) in &args.0 {
                            let Some(pat) = handler else {
                                // A future: made when the macro starts.
                                s.expr(e, Ctx::Value);
                                continue;
                            };
                            // An arm's handler: runs if its future is the one ready.
                            s.conditional += 1;
                            let bound = s.bound.len();
                            if let Some(pat) = pat {
                                s.bind_pat(pat);
                            }
                            s.expr(e, Ctx::Value);
                            s.bound.truncate(bound);
                            s.conditional -= 1;
                        }
                    }),
                    // (Inside an island that runs at once, a macro that would be an island
                    // of its own is code of that island, run in place.)
                    None => match if self.island_now {
                        macro_input_exprs(mac)
                    } else {
                        unknown_macro_exprs(mac)
                    } {
                        Some(args) => {
                            // The macro may not run its input: every move is a maybe-move.
                            // It may run it in any order, or more than once; but a mention
                            // written before a move cannot run after it in a program rustc
                            // accepts (a use after a move), unless an assignment gives the
                            // local a value again in between.
                            let walk = |s: &mut Self| {
                                s.conditional += 1;
                                for e in &args {
                                    s.expr(e, Ctx::Place);
                                }
                                s.conditional -= 1;
                                let mut names = Vec::new();
                                inline_arg_names(mac.tokens.clone(), &mut names);
                                for (name, _) in names {
                                    s.mention(name, Use::Other);
                                }
                            };
                            if args.iter().any(assigns) {
                                self.region(walk);
                            } else {
                                walk(self);
                            }
                        }
                        None => self.region(|s| s.tokens(mac.tokens.clone())),
                    },
                }
                if crate::island::is_island(mac) {
                    for m in &mut self.out[n..] {
                        m.macro_arg = true;
                    }
                }
            }
        }
    }

    /// Unknown macro input: every identifier might name a local. The macro is taken to borrow
    /// it, not to move it (a logging macro's `info!("{}", conn)`), so the local drops at the
    /// end of its scope, as rustc drops it then. Were the guess wrong (a macro that moves it),
    /// the expansion would use the local after the move, and rustc would say so (E0382); the
    /// other guess fails silently, dropping the local at the next suspension.
    /// The receiver heuristic applies there too: `v.into_inner()` moves `v`.
    fn tokens(&mut self, tokens: TokenStream) {
        // The names the rewrite of the input replaces (`replace_in_tokens`): not a field or a
        // method, not what `stringify!` quotes, not a name the input binds itself
        // (`let q = ..;` inside a block there names a new local from the `;` on).
        let mut found = Vec::new();
        replace_in_tokens(tokens.clone(), &mut |v, consumed| {
            found.push((v.to_string(), consumed));
            None
        });
        for (name, consumed) in found {
            if consumed {
                // What runs of a macro's input, and when, is unknown: a move there is a
                // maybe-move (the local keeps a drop flag).
                self.conditional += 1;
                self.mention(name, Use::Move);
                self.conditional -= 1;
            } else {
                self.mention(name, Use::Other);
            }
        }
        let mut names = Vec::new();
        inline_arg_names(tokens, &mut names);
        for (name, _) in names {
            self.mention(name, Use::Other);
        }
    }
}

/// Token `k` of a macro's input comes right after a `.`: a field or a method, not a local.
/// The tokens of a macro the transform does not know, with each mention of a name that
/// `replace` answers for (given the name and whether `consumed_at` holds there) written as what
/// it gives, in parentheses. Not a mention: a name after `.` (a field or method), before a lone
/// `=` (a field name, as in `info!(v = %x)`), what `stringify!` quotes, and a name the input
/// binds itself, from where it binds it to the end of its group: after `let`, between a
/// closure's bars, in a pattern before a lone `=` (`select!`'s `Some(v) = rx.recv()`).
pub fn replace_in_tokens(
    tokens: TokenStream,
    replace: &mut dyn FnMut(&Ident, bool) -> Option<TokenStream>,
) -> TokenStream {
    replace_unbound(tokens, &[], true, replace)
}

fn replace_unbound(
    tokens: TokenStream,
    skip: &[String],
    top: bool,
    replace: &mut dyn FnMut(&Ident, bool) -> Option<TokenStream>,
) -> TokenStream {
    use proc_macro2::{Delimiter, Group, Spacing};
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut skip = skip.to_vec();
    // The names a `let` binds name the new binding only after it: after the statement's `;`,
    // or in the block of an `if let`/`while let` (its initialiser still sees the old ones).
    let mut pending: Vec<String> = Vec::new();
    let mut pending_until_block = false;
    let mut in_let_pattern = false;
    let mut out = Vec::with_capacity(tokens.len());
    for (i, t) in tokens.iter().enumerate() {
        match t {
            TokenTree::Ident(l) if l == "let" => {
                skip.append(&mut pending);
                in_let_pattern = true;
                pending = let_pattern_names(&tokens[i + 1..]);
                pending_until_block = matches!(
                    i.checked_sub(1).map(|j| &tokens[j]),
                    Some(TokenTree::Ident(k)) if k == "if" || k == "while"
                ) || matches!(
                    i.checked_sub(1).map(|j| &tokens[j]),
                    Some(TokenTree::Punct(p)) if p.as_char() == '&'
                );
            }
            TokenTree::Punct(p) if p.as_char() == ';' => skip.append(&mut pending),
            TokenTree::Group(g)
                if pending_until_block && g.delimiter() == proc_macro2::Delimiter::Brace =>
            {
                skip.append(&mut pending);
            }
            TokenTree::Punct(p)
                if p.as_char() == '=' && p.spacing() == proc_macro2::Spacing::Alone =>
            {
                in_let_pattern = false;
            }
            _ if in_let_pattern => {}
            _ => skip.extend(binds_at(&tokens, i)),
        }
        if in_let_pattern {
            // A pattern binds names; it mentions none.
            out.push(t.clone());
            continue;
        }
        // `info!(v = %x)`: a field's name, among the macro's own arguments; deeper in, in a
        // block, `v = 1;` assigns the local.
        let field_name = top
            && matches!(tokens.get(i + 1),
                Some(TokenTree::Punct(p)) if p.as_char() == '=' && p.spacing() == Spacing::Alone)
            && (i == 0 || matches!(&tokens[i - 1], TokenTree::Punct(p) if p.as_char() == ','));
        match t {
            TokenTree::Ident(v)
                if !after_dot(&tokens, i)
                    && !field_name
                    && !skip.iter().any(|n| v == n.as_str()) =>
            {
                match replace(v, consumed_at(&tokens, i)) {
                    Some(ts) => {
                        let mut g = Group::new(Delimiter::Parenthesis, ts);
                        g.set_span(v.span());
                        out.push(TokenTree::Group(g));
                    }
                    None => out.push(t.clone()),
                }
            }
            TokenTree::Group(g) if !quoted_by_stringify(&tokens, i) => {
                let mut inner = Group::new(
                    g.delimiter(),
                    replace_unbound(g.stream(), &skip, false, replace),
                );
                inner.set_span(g.span());
                out.push(TokenTree::Group(inner));
            }
            other => out.push(other.clone()),
        }
    }
    out.into_iter().collect()
}

/// Every identifier in `ts`, groups included, in order.
fn idents(ts: TokenStream, out: &mut Vec<String>) {
    for t in ts {
        match t {
            TokenTree::Ident(i) => out.push(i.to_string()),
            TokenTree::Group(g) => idents(g.stream(), out),
            _ => {}
        }
    }
}

/// The names the pattern of a `let` binds: `tokens` start after `let` and the pattern ends
/// at a lone `=` or a `;`. (Paths and types are in there too; a capitalised name is a variant
/// or a type, and what is left over names nothing the caller looks for.)
fn let_pattern_names(tokens: &[TokenTree]) -> Vec<String> {
    let mut out = Vec::new();
    for t in tokens {
        match t {
            TokenTree::Punct(p)
                if p.as_char() == ';'
                    || (p.as_char() == '=' && p.spacing() == proc_macro2::Spacing::Alone) =>
            {
                break;
            }
            TokenTree::Ident(i) => out.push(i.to_string()),
            TokenTree::Group(g) => idents(g.stream(), &mut out),
            _ => {}
        }
    }
    out.retain(|n| n != "mut" && n != "ref" && !n.starts_with(char::is_uppercase));
    out
}

/// The names token `k` starts binding: after `let` (and `mut`/`ref`), between a closure's bars
/// (`|a, (b, c)|`, a bar not after an operand).
fn binds_at(tokens: &[TokenTree], k: usize) -> Vec<String> {
    let mut out = Vec::new();
    match &tokens[k] {
        TokenTree::Ident(i) if i == "let" => {
            let mut j = k + 1;
            while let Some(TokenTree::Ident(m)) = tokens.get(j)
                && (m == "mut" || m == "ref")
            {
                j += 1;
            }
            match tokens.get(j) {
                Some(TokenTree::Ident(b)) => out.push(b.to_string()),
                Some(TokenTree::Group(g)) => idents(g.stream(), &mut out),
                _ => {}
            }
        }
        TokenTree::Punct(p)
            if p.as_char() == '|'
                && !matches!(
                    k.checked_sub(1).map(|j| &tokens[j]),
                    Some(TokenTree::Literal(_) | TokenTree::Group(_))
                )
                && !matches!(k.checked_sub(1).map(|j| &tokens[j]),
                    Some(TokenTree::Ident(i)) if i != "move" && i != "return")
                && !matches!(k.checked_sub(1).map(|j| &tokens[j]),
                    Some(TokenTree::Punct(q)) if q.as_char() == '|') =>
        {
            for t in &tokens[k + 1..] {
                match t {
                    TokenTree::Punct(q) if q.as_char() == '|' => break,
                    TokenTree::Ident(i) => out.push(i.to_string()),
                    TokenTree::Group(g) => idents(g.stream(), &mut out),
                    _ => {}
                }
            }
        }
        // (Outside a `let` pattern, a group before a lone `=` binds nothing: `arr[i] = x`
        // indexes, `(a, b) = pair` assigns locals that exist.)
        _ => {}
    }
    out
}

/// Token `k` follows a lone `.` (a field, a method, `.await`), not `..` (`..base`, `0..n`).
pub fn after_dot(tokens: &[TokenTree], k: usize) -> bool {
    let dot = |j: usize| matches!(&tokens[j], TokenTree::Punct(p) if p.as_char() == '.');
    k > 0 && dot(k - 1) && !(k > 1 && dot(k - 2))
}

/// Token `k` is the group `stringify!` quotes: its names name nothing.
pub fn quoted_by_stringify(tokens: &[TokenTree], k: usize) -> bool {
    k > 1
        && matches!(&tokens[k - 1], TokenTree::Punct(p) if p.as_char() == '!')
        && matches!(&tokens[k - 2], TokenTree::Ident(m) if m == "stringify")
}

/// Token `k` is the receiver of a call the receiver heuristic takes to consume it:
/// `v . into_inner ( .. )`; or awaited, `v . await`, which takes `v` by value
/// (`IntoFuture::into_future(self)`).
pub fn consumed_at(tokens: &[TokenTree], k: usize) -> bool {
    let awaited = matches!(
        (tokens.get(k + 1), tokens.get(k + 2)),
        (Some(TokenTree::Punct(dot)), Some(TokenTree::Ident(kw)))
            if dot.as_char() == '.' && kw == "await"
    );
    awaited
        || matches!(
            (tokens.get(k + 1), tokens.get(k + 2), tokens.get(k + 3)),
            (Some(TokenTree::Punct(dot)), Some(TokenTree::Ident(method)), Some(TokenTree::Group(args)))
                if dot.as_char() == '.'
                    && args.delimiter() == proc_macro2::Delimiter::Parenthesis
                    && receiver_consumes(&method.to_string()) == Consumes::Yes
        )
}

/// Bindings introduced by `let` in an `if`/`while` condition (`if let Some(x) = a && let y = b`).
pub fn let_chain_bindings(cond: &Expr) -> Vec<(syn::Ident, bool)> {
    let_chain_pats(cond)
        .into_iter()
        .flat_map(pat_bindings)
        .collect()
}

/// The patterns of the `let`s of an `if` condition, in order (`if let A = a && let B = b`).
pub fn let_chain_pats(cond: &Expr) -> Vec<&Pat> {
    chain_operands(cond)
        .into_iter()
        .filter_map(|e| match e {
            Expr::Let(l) => Some(&*l.pat),
            _ => None,
        })
        .collect()
}

/// The operands of an `if` or `while` condition's `&&` chain, in order, through parentheses
/// (`let Some(a) = x`, `a > 0`, `let Some(b) = y`); the condition itself when it is no chain.
pub fn chain_operands(cond: &Expr) -> Vec<&Expr> {
    fn walk<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
        match e {
            Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_)) => {
                walk(&b.left, out);
                walk(&b.right, out);
            }
            Expr::Paren(p) => walk(&p.expr, out),
            other => out.push(other),
        }
    }
    let mut out = Vec::new();
    walk(cond, &mut out);
    out
}

/// [`chain_operands`], to rewrite them in place.
pub fn chain_operands_mut(cond: &mut Expr) -> Vec<&mut Expr> {
    fn walk<'e>(e: &'e mut Expr, out: &mut Vec<&'e mut Expr>) {
        // (Tested first: a borrow taken in a match guard would outlive the arm that pushes `e`.)
        let and = matches!(&*e, Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_)));
        if !and && !matches!(e, Expr::Paren(_)) {
            return out.push(e);
        }
        match e {
            Expr::Binary(b) => {
                walk(&mut b.left, out);
                walk(&mut b.right, out);
            }
            Expr::Paren(p) => walk(&mut p.expr, out),
            _ => unreachable!("tested above"),
        }
    }
    let mut out = Vec::new();
    walk(cond, &mut out);
    out
}

fn bind_let_chain(cond: &Expr, bound: &mut Vec<String>) {
    for (i, _) in let_chain_bindings(cond) {
        bound.push(i.to_string());
    }
}

/// The local at the root of a field chain `x.f`, `x.f.0.g`.
/// `f` of `x.f` (one field deep, on a local); `None` for `x.f.g` and anything else.
fn one_field(e: &Expr) -> Option<String> {
    let Expr::Field(f) = e else { return None };
    let mut base = &*f.base;
    while let Expr::Paren(p) = base {
        base = &p.expr;
    }
    matches!(base, Expr::Path(_)).then(|| match &f.member {
        syn::Member::Named(i) => i.to_string(),
        syn::Member::Unnamed(i) => i.index.to_string(),
    })
}

pub fn field_root(e: &Expr) -> Option<String> {
    match e {
        Expr::Field(f) => field_root(&f.base),
        Expr::Paren(p) => field_root(&p.expr),
        Expr::Path(p)
            if p.qself.is_none()
                && p.path.leading_colon.is_none()
                && p.path.segments.len() == 1
                && p.path.segments[0].arguments.is_none() =>
        {
            Some(p.path.segments[0].ident.to_string())
        }
        _ => None,
    }
}

/// `y`, `mut y`, `y: T`: a pattern that takes its value whole.
fn binds_whole(p: &Pat) -> bool {
    match p {
        Pat::Ident(i) => i.subpat.is_none() && i.by_ref.is_none(),
        Pat::Type(t) => binds_whole(&t.pat),
        _ => false,
    }
}
