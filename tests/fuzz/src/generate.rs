//! The generator: random async programs that rustc accepts by construction.
//!
//! A program is one `async fn f` under test, up to two async helpers it awaits, a logging
//! `macro_rules!` and an `entry()` that builds the future. Every value that can be dropped is a
//! [`Guard`](clockwork_tests::Guard) that logs its making and its drop, so the trace the
//! differential harness compares shows drop order; every leaf future is a `step` whose readiness
//! follows the harness's seeded schedule.
//!
//! Validity comes from bookkeeping, not from luck: the generator keeps the locals in scope with
//! their kind, whether they are `mut`, moved (maybe-moved counts as moved) or borrowed, and the
//! loop depth they were declared at, and only writes a use rustc accepts:
//! * a `Guard` is moved only when it is not borrowed by a live reference, closure or the current
//!   statement, and was declared in the current loop iteration (a move inside a loop of a local
//!   from outside it is E0382 on the next iteration);
//! * branches are generated from the same state and merged (moved in either branch = moved);
//! * inside `async move` blocks and closures only outer `u32` locals are read (they are copied);
//!   `return`, `?` and labels do not cross them;
//! * every loop has a counter that the body cannot touch, so every program terminates.

use crate::program::{ATTRIBUTE_MARK, Node, Program, Ty};

/// splitmix64: small, seedable, and the same on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// 0..n
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// true with probability `percent`%.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Items every generated program can use, put once at the root of the batch crate next to the
/// harness's `Guard`, `step` and `log`.
pub const PRELUDE: &str = r#"
    /// Calls on a guard that a temporary can be the receiver of.
    pub trait GuardExt {
        fn val(&self) -> u32;
        fn opt(&self) -> Option<u32>;
        fn res(&self) -> Result<u32, String>;
        /// Consumes the guard (a method taking `self`).
        fn into_val(self) -> u32;
    }
    impl GuardExt for Guard {
        fn val(&self) -> u32 {
            log(format!("val {}", self.0));
            self.0.len() as u32
        }
        fn opt(&self) -> Option<u32> {
            let n = self.0.len() as u32;
            if n % 2 == 0 { Some(n) } else { None }
        }
        fn res(&self) -> Result<u32, String> {
            let n = self.0.len() as u32;
            if n % 2 == 1 { Ok(n) } else { Err(format!("res {}", self.0)) }
        }
        fn into_val(self) -> u32 {
            log(format!("into {}", self.0));
            self.0.len() as u32
        }
    }
    /// A guard that is neither `Send` nor `Sync`.
    pub struct LocalGuard(Guard, core::marker::PhantomData<*const ()>);
    impl LocalGuard {
        pub fn new(name: &str) -> LocalGuard {
            LocalGuard(Guard::new(name), core::marker::PhantomData)
        }
    }
    impl GuardExt for LocalGuard {
        fn val(&self) -> u32 { self.0.val() }
        fn opt(&self) -> Option<u32> { self.0.opt() }
        fn res(&self) -> Result<u32, String> { self.0.res() }
        fn into_val(self) -> u32 { self.0.into_val() }
    }
"#;

/// What a local is, for the uses the generator may write.
#[derive(Clone, Debug, PartialEq)]
enum Kind {
    U32,
    Guard,
    /// `&Guard`; `target` is the local it borrows (None: a temporary the `let` extends).
    Ref {
        target: Option<usize>,
    },
    /// `[u32; 3]`
    Arr,
    /// `(Guard, Guard)`, each part moved on its own.
    Pair {
        moved: [bool; 2],
    },
    /// `move |v: u32| ..` (copies only) or `|| g.val()` (borrows `target`).
    Closure {
        target: Option<usize>,
    },
}

#[derive(Clone, Debug)]
struct Local {
    name: String,
    kind: Kind,
    mutable: bool,
    moved: bool,
    /// Live references, closures or pending futures that borrow this local.
    borrows: u32,
    /// Loop nesting where it was declared.
    loop_depth: u32,
    /// A loop counter: read, never written by the body.
    frozen: bool,
}

#[derive(Clone, Debug)]
struct Label {
    name: String,
    /// A loop (`break`/`continue`) or a labelled block (`break 'b v` only).
    is_loop: bool,
    /// The type a `break` must carry, if any.
    value: Option<Ty>,
}

/// Where code is being written: what may be said here.
#[derive(Clone, Debug)]
struct Ctx {
    loop_depth: u32,
    labels: Vec<Label>,
    /// The fn's return type, when `return` and `?` reach it from here.
    ret: Option<Ty>,
    can_await: bool,
    /// Locals below this index belong to an enclosing fn body the current closure or async
    /// block copies from: only `u32` ones are read there.
    barrier: usize,
    depth: u32,
}

pub struct Gen {
    rng: Rng,
    locals: Vec<Local>,
    /// Locals borrowed by the statement being written (a move of them would conflict).
    stmt_borrows: Vec<usize>,
    /// Helpers `f` can await: (name, parameters).
    helpers: Vec<(String, Vec<Param>)>,
    counter: u32,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Param {
    U32,
    MutU32,
    Guard,
    RefGuard,
    TuplePat,
    Wild,
}

const MAX_DEPTH: u32 = 3;

impl Gen {
    pub fn new(seed: u64) -> Gen {
        Gen {
            rng: Rng::new(seed),
            locals: Vec::new(),
            stmt_borrows: Vec::new(),
            helpers: Vec::new(),
            counter: 0,
        }
    }

    /// A temporary with a destructor: a `Guard`, or (one time in four) a `LocalGuard`, which is
    /// `!Send`, so that keeping it across an `.await` shows in the future's `Send`-ness.
    fn temporary(&mut self) -> String {
        let t = self.fresh("t");
        if self.rng.chance(25) {
            format!("LocalGuard::new(\"{t}\")")
        } else {
            format!("Guard::new(\"{t}\")")
        }
    }

    fn fresh(&mut self, prefix: &str) -> String {
        self.counter += 1;
        format!("{prefix}{}", self.counter)
    }

    /// One whole program.
    pub fn program(&mut self) -> Program {
        let mut items = vec![Node::Stmt(Box::new(Node::text(
            "macro_rules! logv { ($($t:tt)*) => { log(format!($($t)*)) }; }",
        )))];
        for _ in 0..self.rng.below(3) {
            items.push(self.helper());
        }
        let output = match self.rng.below(4) {
            0 => Ty::Opt,
            1 => Ty::Res,
            _ => Ty::U32,
        };
        let (f, call) = self.fn_under_test(output);
        items.push(f);
        items.push(Node::text(format!(
            "pub fn entry() -> impl core::future::Future<Output = {}> {{ {call} }}",
            output.rust()
        )));
        Program {
            items: Node::List(
                items
                    .into_iter()
                    .map(|n| match n {
                        Node::Stmt(_) => n,
                        other => Node::Stmt(Box::new(other)),
                    })
                    .collect(),
            ),
            output,
        }
    }

    /// `async fn hK(params) -> u32 { .. }`, remembered so `f` can await it.
    fn helper(&mut self) -> Node {
        let name = self.fresh("h");
        let mut params = Vec::new();
        for _ in 0..self.rng.below(4) {
            params.push(match self.rng.below(6) {
                0 => Param::U32,
                1 => Param::MutU32,
                2 => Param::Guard,
                3 => Param::RefGuard,
                4 => Param::TuplePat,
                _ => Param::Wild,
            });
        }
        let body = self.fn_body(&params, Ty::U32);
        let sig = params
            .iter()
            .enumerate()
            .map(|(i, p)| self.param_decl(*p, i))
            .collect::<Vec<_>>()
            .join(", ");
        self.helpers.push((name.clone(), params));
        Node::Stmt(Box::new(Node::Seq(vec![
            Node::text(format!("{ATTRIBUTE_MARK} async fn {name}({sig}) -> u32 ")),
            body,
        ])))
    }

    fn param_decl(&self, p: Param, i: usize) -> String {
        match p {
            Param::U32 => format!("p{i}: u32"),
            Param::MutU32 => format!("mut p{i}: u32"),
            Param::Guard => format!("p{i}: Guard"),
            Param::RefGuard => format!("p{i}: &Guard"),
            Param::TuplePat => format!("(p{i}, q{i}): (u32, Guard)"),
            Param::Wild => "_: Guard".to_string(),
        }
    }

    /// The fn under test; returns it and the call `entry()` makes.
    fn fn_under_test(&mut self, output: Ty) -> (Node, String) {
        let params: Vec<Param> = (0..self.rng.below(3))
            .map(|_| match self.rng.below(4) {
                0 => Param::U32,
                1 => Param::Guard,
                2 => Param::TuplePat,
                _ => Param::MutU32,
            })
            .collect();
        let body = self.fn_body(&params, output);
        let sig = params
            .iter()
            .enumerate()
            .map(|(i, p)| self.param_decl(*p, i))
            .collect::<Vec<_>>()
            .join(", ");
        let args = params
            .iter()
            .enumerate()
            .map(|(i, p)| match p {
                Param::U32 | Param::MutU32 => format!("{}u32", 3 + i),
                Param::Guard | Param::Wild => format!("Guard::new(\"arg{i}\")"),
                Param::TuplePat => format!("({}u32, Guard::new(\"targ{i}\"))", 5 + i),
                Param::RefGuard => unreachable!("f takes no references"),
            })
            .collect::<Vec<_>>()
            .join(", ");
        let f = Node::Stmt(Box::new(Node::Seq(vec![
            Node::text(format!(
                "{ATTRIBUTE_MARK} async fn f({sig}) -> {} ",
                output.rust()
            )),
            body,
        ])));
        (f, format!("f({args})"))
    }

    /// A fn body with `params` in scope, ending in a value of `ret`.
    fn fn_body(&mut self, params: &[Param], ret: Ty) -> Node {
        self.locals.clear();
        for (i, p) in params.iter().enumerate() {
            let (name, kind, mutable) = match p {
                Param::U32 => (format!("p{i}"), Kind::U32, false),
                Param::MutU32 => (format!("p{i}"), Kind::U32, true),
                Param::Guard => (format!("p{i}"), Kind::Guard, false),
                Param::RefGuard => (format!("p{i}"), Kind::Ref { target: None }, false),
                Param::TuplePat => {
                    self.declare(format!("p{i}"), Kind::U32, false, 0);
                    (format!("q{i}"), Kind::Guard, false)
                }
                Param::Wild => continue,
            };
            self.declare(name, kind, mutable, 0);
        }
        let ctx = Ctx {
            loop_depth: 0,
            labels: Vec::new(),
            ret: Some(ret),
            can_await: true,
            barrier: 0,
            depth: 0,
        };
        let n = 3 + self.rng.below(6) as usize;
        self.block(&ctx, n, Some(ret))
    }

    fn declare(&mut self, name: String, kind: Kind, mutable: bool, loop_depth: u32) -> usize {
        self.locals.push(Local {
            name,
            kind,
            mutable,
            moved: false,
            borrows: 0,
            loop_depth,
            frozen: false,
        });
        self.locals.len() - 1
    }

    /// A block of about `n` statements and, if `tail` is given, a tail expression of that type.
    /// The locals it declares go out of scope at its end.
    fn block(&mut self, ctx: &Ctx, n: usize, tail: Option<Ty>) -> Node {
        let mark = self.locals.len();
        let mut stmts = Vec::new();
        for _ in 0..n {
            let s = self.stmt(ctx);
            stmts.push(Node::Stmt(Box::new(s)));
        }
        if let Some(ty) = tail {
            let e = self.expr(ctx, ty);
            stmts.push(e);
        }
        self.end_scope(mark);
        Node::Block(stmts)
    }

    fn end_scope(&mut self, mark: usize) {
        while self.locals.len() > mark {
            let l = self.locals.pop().expect("above mark");
            if let Kind::Ref { target: Some(t) } | Kind::Closure { target: Some(t) } = l.kind {
                self.locals[t].borrows -= 1;
            }
        }
    }

    /// Visible locals (not shadowed, not behind a barrier unless `u32`) matching `pred`.
    fn pick(&mut self, ctx: &Ctx, pred: impl Fn(&Local, usize) -> bool) -> Option<usize> {
        let found: Vec<usize> = (0..self.locals.len())
            .filter(|&i| {
                let l = &self.locals[i];
                let visible = !self.locals[i + 1..].iter().any(|m| m.name == l.name);
                visible && (i >= ctx.barrier || l.kind == Kind::U32) && pred(l, i)
            })
            .collect();
        if found.is_empty() {
            None
        } else {
            Some(found[self.rng.below(found.len() as u64) as usize])
        }
    }

    /// A `Guard` local that may be moved here.
    fn movable_guard(&mut self, ctx: &Ctx) -> Option<usize> {
        let borrows = self.stmt_borrows.clone();
        self.pick(ctx, |l, i| {
            l.kind == Kind::Guard
                && !l.moved
                && l.borrows == 0
                && l.loop_depth == ctx.loop_depth
                && i >= ctx.barrier
                && !borrows.contains(&i)
        })
    }

    /// A `Guard` (or `&Guard`) local that may be read through a shared borrow; returns its name.
    fn readable_guard(&mut self, ctx: &Ctx) -> Option<String> {
        let i = self.pick(ctx, |l, i| {
            i >= ctx.barrier && !l.moved && matches!(l.kind, Kind::Guard | Kind::Ref { .. })
        })?;
        self.stmt_borrows.push(i);
        if let Kind::Ref { target: Some(t) } = self.locals[i].kind {
            self.stmt_borrows.push(t);
        }
        Some(self.locals[i].name.clone())
    }

    fn u32_local(&mut self, ctx: &Ctx) -> Option<String> {
        let i = self.pick(ctx, |l, _| l.kind == Kind::U32)?;
        Some(self.locals[i].name.clone())
    }

    /// An expression producing a `Guard`.
    fn guard_expr(&mut self, ctx: &Ctx) -> String {
        if self.rng.chance(30)
            && let Some(i) = self.movable_guard(ctx)
        {
            self.locals[i].moved = true;
            return self.locals[i].name.clone();
        }
        let name = self.fresh("g");
        if ctx.can_await && self.rng.chance(30) {
            let step = self.fresh("s");
            format!("step(\"{step}\", Guard::new(\"{name}\")).await")
        } else {
            format!("Guard::new(\"{name}\")")
        }
    }

    /// A condition.
    fn cond(&mut self, ctx: &Ctx) -> Node {
        let e = self.expr(ctx, Ty::U32);
        match self.rng.below(4) {
            0 => Node::Seq(vec![e, Node::text(" % 2 == 0")]),
            1 => Node::Seq(vec![e, Node::text(format!(" > {}", self.rng.below(6)))]),
            2 => {
                let o = self.expr(ctx, Ty::Opt);
                Node::Seq(vec![o, Node::text(".is_some()")])
            }
            _ => Node::Seq(vec![e, Node::text(format!(" != {}", self.rng.below(4)))]),
        }
    }

    /// An expression of type `ty`.
    fn expr(&mut self, ctx: &Ctx, ty: Ty) -> Node {
        let inner = match ty {
            Ty::U32 => self.u32_expr(ctx),
            Ty::Opt => self.opt_expr(ctx),
            Ty::Res => self.res_expr(ctx),
        };
        Node::Expr(ty, Box::new(inner))
    }

    fn leaf_u32(&mut self, ctx: &Ctx) -> Node {
        if self.rng.chance(60)
            && let Some(name) = self.u32_local(ctx)
        {
            return Node::text(name);
        }
        Node::text(format!("{}u32", self.rng.below(10)))
    }

    fn u32_expr(&mut self, ctx: &Ctx) -> Node {
        let deeper = Ctx {
            depth: ctx.depth + 1,
            ..ctx.clone()
        };
        let ctx = &deeper;
        if ctx.depth > MAX_DEPTH {
            return self.leaf_u32(ctx);
        }
        match self.rng.below(22) {
            0..=2 => self.leaf_u32(ctx),
            3 | 4 if ctx.can_await => {
                let step = self.fresh("s");
                let v = self.expr(ctx, Ty::U32);
                Node::Seq(vec![
                    Node::text(format!("step(\"{step}\", ")),
                    v,
                    Node::text(").await"),
                ])
            }
            5 => {
                let a = self.expr(ctx, Ty::U32);
                let b = self.expr(ctx, Ty::U32);
                let op = ["wrapping_add", "wrapping_mul", "wrapping_sub", "max"]
                    [self.rng.below(4) as usize];
                Node::Seq(vec![a, Node::text(format!(".{op}(")), b, Node::text(")")])
            }
            6 => {
                let a = self.expr(ctx, Ty::U32);
                let b = self.expr(ctx, Ty::U32);
                let op = ["^", "|", "&"][self.rng.below(3) as usize];
                Node::Seq(vec![
                    Node::text("("),
                    a,
                    Node::text(format!(" {op} ")),
                    b,
                    Node::text(")"),
                ])
            }
            7 => {
                // A temporary guard as receiver: it lives to the end of the enclosing statement
                // (or the tail expression's drop scope).
                let t = self.temporary();
                Node::text(format!("{t}.val()"))
            }
            8 => match self.readable_guard(ctx) {
                Some(g) => Node::text(format!("{g}.val()")),
                None => self.leaf_u32(ctx),
            },
            9 if ctx.can_await && !self.helpers.is_empty() => self.helper_call(ctx),
            10 if ctx.can_await => {
                // Method chain on an awaited value.
                let step = self.fresh("s");
                let g = self.fresh("g");
                Node::text(format!("step(\"{step}\", Guard::new(\"{g}\")).await.val()"))
            }
            11 => {
                let c = self.cond(ctx);
                let n = self.rng.below(2) as usize;
                let a = self.block(ctx, n, Some(Ty::U32));
                let b = self.block(ctx, n, Some(Ty::U32));
                Node::Seq(vec![
                    Node::text("if "),
                    c,
                    Node::text(" "),
                    a,
                    Node::text(" else "),
                    b,
                ])
            }
            12 => self.match_u32(ctx),
            13 => self.match_opt(ctx),
            14 if ctx.ret == Some(Ty::Opt) => {
                let o = self.expr(ctx, Ty::Opt);
                Node::Seq(vec![o, Node::text("?")])
            }
            15 if ctx.ret == Some(Ty::Res) => {
                let r = self.expr(ctx, Ty::Res);
                Node::Seq(vec![r, Node::text("?")])
            }
            16 if ctx.can_await => self.async_block(ctx),
            17 => match self.pick(ctx, |l, i| {
                matches!(l.kind, Kind::Closure { .. }) && i >= ctx.barrier
            }) {
                Some(i) => {
                    let name = self.locals[i].name.clone();
                    if matches!(self.locals[i].kind, Kind::Closure { target: None }) {
                        let a = self.expr(ctx, Ty::U32);
                        Node::Seq(vec![Node::text(format!("{name}(")), a, Node::text(")")])
                    } else {
                        Node::text(format!("{name}()"))
                    }
                }
                None => self.leaf_u32(ctx),
            },
            18 => match self.pick(ctx, |l, i| l.kind == Kind::Arr && i >= ctx.barrier) {
                Some(i) => {
                    let name = self.locals[i].name.clone();
                    let ix = self.expr(ctx, Ty::U32);
                    Node::Seq(vec![
                        Node::text(format!("{name}[(")),
                        ix,
                        Node::text(" % 3) as usize]"),
                    ])
                }
                None => self.leaf_u32(ctx),
            },
            19 => self.labelled_block(ctx),
            20 => {
                // A macro that evaluates its arguments.
                let a = self.expr(ctx, Ty::U32);
                Node::Seq(vec![Node::text("std::cmp::max("), a, Node::text(", 1u32)")])
            }
            _ => match self.movable_guard(ctx) {
                Some(i) if self.rng.chance(50) => {
                    self.locals[i].moved = true;
                    Node::text(format!("{}.into_val()", self.locals[i].name))
                }
                _ => self.leaf_u32(ctx),
            },
        }
    }

    fn helper_call(&mut self, ctx: &Ctx) -> Node {
        let k = self.rng.below(self.helpers.len() as u64) as usize;
        let (name, params) = self.helpers[k].clone();
        let mut parts = vec![Node::text(format!("{name}("))];
        for (i, p) in params.iter().enumerate() {
            if i > 0 {
                parts.push(Node::text(", "));
            }
            match p {
                Param::U32 | Param::MutU32 => parts.push(self.expr(ctx, Ty::U32)),
                Param::Guard | Param::Wild => {
                    let g = self.guard_expr(ctx);
                    parts.push(Node::text(g));
                }
                Param::RefGuard => match self.readable_guard(ctx) {
                    Some(g) => {
                        let is_ref = self
                            .locals
                            .iter()
                            .rev()
                            .find(|l| l.name == g)
                            .is_some_and(|l| matches!(l.kind, Kind::Ref { .. }));
                        parts.push(Node::text(if is_ref { g } else { format!("&{g}") }));
                    }
                    _ => {
                        let t = self.fresh("t");
                        parts.push(Node::text(format!("&Guard::new(\"{t}\")")));
                    }
                },
                Param::TuplePat => {
                    let v = self.expr(ctx, Ty::U32);
                    let g = self.guard_expr(ctx);
                    parts.push(Node::text("("));
                    parts.push(v);
                    parts.push(Node::text(format!(", {g})")));
                }
            }
        }
        parts.push(Node::text(").await"));
        Node::Seq(parts)
    }

    fn match_u32(&mut self, ctx: &Ctx) -> Node {
        let s = self.expr(ctx, Ty::U32);
        let x = self.fresh("x");
        let a = self.expr(ctx, Ty::U32);
        let mark = self.locals.len();
        self.declare(x.clone(), Kind::U32, false, ctx.loop_depth);
        let b = self.expr(ctx, Ty::U32);
        self.end_scope(mark);
        let n = self.rng.below(2) as usize;
        let c = self.block(ctx, n, Some(Ty::U32));
        Node::Seq(vec![
            Node::text("match "),
            s,
            Node::text(" { 0 => "),
            a,
            Node::text(format!(", {x} if {x} > 4 => ")),
            b,
            Node::text(", _ => "),
            c,
            Node::text(" }"),
        ])
    }

    /// `match <Option scrutinee, maybe a temporary's> { Some(x) => .., None => .. }`.
    fn match_opt(&mut self, ctx: &Ctx) -> Node {
        let scrutinee = if self.rng.chance(40) {
            let t = self.temporary();
            Node::Expr(Ty::Opt, Box::new(Node::text(format!("{t}.opt()"))))
        } else {
            self.expr(ctx, Ty::Opt)
        };
        let binding = if self.rng.chance(30) {
            "_".to_string()
        } else {
            self.fresh("x")
        };
        let mark = self.locals.len();
        if binding != "_" {
            self.declare(binding.clone(), Kind::U32, false, ctx.loop_depth);
        }
        let n = self.rng.below(2) as usize;
        let some = self.block(ctx, n, Some(Ty::U32));
        self.end_scope(mark);
        let none = self.expr(ctx, Ty::U32);
        Node::Seq(vec![
            Node::text("match "),
            scrutinee,
            Node::text(format!(" {{ Some({binding}) => ")),
            some,
            Node::text(", None => "),
            none,
            Node::text(" }"),
        ])
    }

    fn opt_expr(&mut self, ctx: &Ctx) -> Node {
        match self.rng.below(6) {
            0 => {
                let v = self.expr(ctx, Ty::U32);
                Node::Seq(vec![Node::text("Some("), v, Node::text(")")])
            }
            1 => Node::text("None::<u32>"),
            2 => {
                let v = self.expr(ctx, Ty::U32);
                Node::Seq(vec![
                    Node::text("{ let v = "),
                    v,
                    Node::text("; if v % 2 == 0 { Some(v) } else { None } }"),
                ])
            }
            3 if ctx.can_await => {
                let step = self.fresh("s");
                let v = self.expr(ctx, Ty::U32);
                Node::Seq(vec![
                    Node::text(format!("step(\"{step}\", Some(")),
                    v,
                    Node::text(")).await"),
                ])
            }
            4 => match self.readable_guard(ctx) {
                Some(g) => Node::text(format!("{g}.opt()")),
                None => Node::text("Some(2u32)"),
            },
            _ => {
                let t = self.temporary();
                Node::text(format!("{t}.opt()"))
            }
        }
    }

    fn res_expr(&mut self, ctx: &Ctx) -> Node {
        match self.rng.below(5) {
            0 => {
                let v = self.expr(ctx, Ty::U32);
                Node::Seq(vec![Node::text("Ok::<u32, String>("), v, Node::text(")")])
            }
            1 => {
                let v = self.expr(ctx, Ty::U32);
                Node::Seq(vec![
                    Node::text("Err::<u32, String>(format!(\"e{}\", "),
                    v,
                    Node::text("))"),
                ])
            }
            2 if ctx.can_await => {
                let step = self.fresh("s");
                let v = self.expr(ctx, Ty::U32);
                Node::Seq(vec![
                    Node::text(format!("step(\"{step}\", Ok::<u32, String>(")),
                    v,
                    Node::text(")).await"),
                ])
            }
            3 => match self.readable_guard(ctx) {
                Some(g) => Node::text(format!("{g}.res()")),
                None => Node::text("Ok::<u32, String>(3u32)"),
            },
            _ => {
                let t = self.temporary();
                Node::text(format!("{t}.res()"))
            }
        }
    }

    /// `async move { .. }.await`: copies the `u32` locals it reads, owns what it makes.
    fn async_block(&mut self, ctx: &Ctx) -> Node {
        let inner = Ctx {
            loop_depth: ctx.loop_depth,
            labels: Vec::new(),
            ret: None,
            can_await: true,
            barrier: self.locals.len(),
            depth: ctx.depth + 1,
        };
        let n = self.rng.below(3) as usize;
        let body = self.block(&inner, n, Some(Ty::U32));
        Node::Seq(vec![Node::text("async move "), body, Node::text(".await")])
    }

    /// `'bK: { ..; if c { break 'bK v; } v }`
    fn labelled_block(&mut self, ctx: &Ctx) -> Node {
        let label = self.fresh("'b");
        let mut inner = ctx.clone();
        inner.labels.push(Label {
            name: label.clone(),
            is_loop: false,
            value: Some(Ty::U32),
        });
        let n = 1 + self.rng.below(3) as usize;
        let body = self.block(&inner, n, Some(Ty::U32));
        Node::Seq(vec![Node::text(format!("{label}: ")), body])
    }

    /// One statement (without its own `Stmt` wrapper).
    fn stmt(&mut self, ctx: &Ctx) -> Node {
        // A statement nested in an expression (a block's, `f(&g, { drop(g); 1 })`) ends its own
        // borrows at its end, but the enclosing statement's borrows go on around it: it sees
        // them, and they are what is left after it.
        let outer = self.stmt_borrows.clone();
        let s = self.stmt_kind(ctx);
        self.stmt_borrows = outer;
        s
    }

    fn stmt_kind(&mut self, ctx: &Ctx) -> Node {
        let nested = ctx.depth < MAX_DEPTH;
        let inner = Ctx {
            depth: ctx.depth + 1,
            ..ctx.clone()
        };
        match self.rng.below(30) {
            0..=3 => {
                let mutable = self.rng.chance(40);
                let name = self.name_for(ctx, "n");
                let e = self.expr(ctx, Ty::U32);
                self.declare(name.clone(), Kind::U32, mutable, ctx.loop_depth);
                let m = if mutable { "mut " } else { "" };
                Node::Seq(vec![
                    Node::text(format!("let {m}{name} = ")),
                    e,
                    Node::text(";"),
                ])
            }
            4 | 5 => {
                let mutable = self.rng.chance(30);
                let name = self.name_for(ctx, "g");
                let e = self.guard_expr(ctx);
                self.declare(name.clone(), Kind::Guard, mutable, ctx.loop_depth);
                let m = if mutable { "mut " } else { "" };
                Node::text(format!("let {m}{name} = {e};"))
            }
            6 => {
                // A reference to a local, or to a temporary the `let` extends.
                let name = self.name_for(ctx, "r");
                let target = self.pick(ctx, |l, i| {
                    l.kind == Kind::Guard && !l.moved && i >= ctx.barrier
                });
                match target {
                    Some(t) if self.rng.chance(60) => {
                        let tn = self.locals[t].name.clone();
                        self.locals[t].borrows += 1;
                        self.declare(
                            name.clone(),
                            Kind::Ref { target: Some(t) },
                            false,
                            ctx.loop_depth,
                        );
                        Node::text(format!("let {name} = &{tn};"))
                    }
                    _ => {
                        let t = self.fresh("t");
                        self.declare(
                            name.clone(),
                            Kind::Ref { target: None },
                            false,
                            ctx.loop_depth,
                        );
                        Node::text(format!("let {name} = &Guard::new(\"{t}\");"))
                    }
                }
            }
            7 => {
                let name = self.name_for(ctx, "arr");
                let a = self.expr(ctx, Ty::U32);
                let b = self.expr(ctx, Ty::U32);
                self.declare(name.clone(), Kind::Arr, true, ctx.loop_depth);
                Node::Seq(vec![
                    Node::text(format!("let mut {name} = [")),
                    a,
                    Node::text(", "),
                    b,
                    Node::text(", 0u32];"),
                ])
            }
            8 => {
                let name = self.name_for(ctx, "pair");
                let a = self.guard_expr(ctx);
                let b = self.guard_expr(ctx);
                self.declare(
                    name.clone(),
                    Kind::Pair { moved: [false; 2] },
                    false,
                    ctx.loop_depth,
                );
                Node::text(format!("let {name} = ({a}, {b});"))
            }
            9 => {
                // Partial move out of a pair.
                let borrows = self.stmt_borrows.clone();
                match self.pick(ctx, |l, i| {
                    matches!(l.kind, Kind::Pair { moved } if !moved[0] || !moved[1])
                        && l.loop_depth == ctx.loop_depth
                        && i >= ctx.barrier
                        && !borrows.contains(&i)
                }) {
                    Some(i) => {
                        let Kind::Pair { moved } = &mut self.locals[i].kind else {
                            unreachable!()
                        };
                        let k = if moved[0] { 1 } else { 0 };
                        moved[k] = true;
                        let pname = self.locals[i].name.clone();
                        let name = self.name_for(ctx, "part");
                        self.declare(name.clone(), Kind::Guard, false, ctx.loop_depth);
                        Node::text(format!("let {name} = {pname}.{k};"))
                    }
                    None => self.log_stmt(ctx),
                }
            }
            10 => {
                // A tuple pattern.
                let a = self.name_for(ctx, "n");
                let mut b = self.name_for(ctx, "g");
                if b == a {
                    b = self.fresh("g");
                }
                let e = self.expr(ctx, Ty::U32);
                let g = self.guard_expr(ctx);
                self.declare(a.clone(), Kind::U32, false, ctx.loop_depth);
                self.declare(b.clone(), Kind::Guard, false, ctx.loop_depth);
                Node::Seq(vec![
                    Node::text(format!("let ({a}, {b}) = (")),
                    e,
                    Node::text(format!(", {g});")),
                ])
            }
            11 if ctx.ret.is_some() => {
                // let-else
                let name = self.name_for(ctx, "v");
                let o = self.expr(ctx, Ty::Opt);
                let ret = ctx.ret.expect("checked");
                let r = self.expr(ctx, ret);
                self.declare(name.clone(), Kind::U32, false, ctx.loop_depth);
                // Parenthesised: an initializer ending in `}` is not allowed before `else`.
                Node::Seq(vec![
                    Node::text(format!("let Some({name}) = (")),
                    o,
                    Node::text(") else { return "),
                    r,
                    Node::text("; };"),
                ])
            }
            12 | 13 => {
                // Assignment, compound or plain, to a u32 or an array element.
                let target = self.pick(ctx, |l, i| {
                    i >= ctx.barrier
                        && l.mutable
                        && !l.frozen
                        && matches!(l.kind, Kind::U32 | Kind::Arr)
                });
                let Some(t) = target else {
                    return self.log_stmt(ctx);
                };
                let op = ["+=", "^=", "|=", "="][self.rng.below(4) as usize];
                let rhs = self.expr(ctx, Ty::U32);
                let name = self.locals[t].name.clone();
                let op = if op == "+=" && self.rng.chance(50) {
                    "-="
                } else {
                    op
                };
                let place = if self.locals[t].kind == Kind::Arr {
                    let ix = self.expr(ctx, Ty::U32);
                    Node::Seq(vec![
                        Node::text(format!("{name}[(")),
                        ix,
                        Node::text(" % 3) as usize]"),
                    ])
                } else {
                    Node::text(name)
                };
                let rhs = if op == "+=" || op == "-=" {
                    // Keep sums small: no overflow panics to muddy the comparison.
                    Node::Seq(vec![Node::text("("), rhs, Node::text(" % 8)")])
                } else {
                    rhs
                };
                let op = if op == "-=" { "^=" } else { op };
                Node::Seq(vec![
                    place,
                    Node::text(format!(" {op} ")),
                    rhs,
                    Node::text(";"),
                ])
            }
            14 => {
                // Assigning a new guard to a `mut` guard drops the old one (unless moved). Not
                // one the enclosing statement borrows (`f(&g, { g = new(); 1 })`: E0506).
                let borrows = self.stmt_borrows.clone();
                let target = self.pick(ctx, |l, i| {
                    i >= ctx.barrier
                        && l.mutable
                        && l.kind == Kind::Guard
                        && l.borrows == 0
                        && !borrows.contains(&i)
                });
                let Some(t) = target else {
                    return self.log_stmt(ctx);
                };
                let g = self.guard_expr(ctx);
                // A moved local stays moved for the generator: after a branch or a loop it is
                // only maybe-assigned, and tracking that is not worth it.
                Node::text(format!("{} = {g};", self.locals[t].name))
            }
            15 => match self.movable_guard(ctx) {
                Some(i) => {
                    self.locals[i].moved = true;
                    Node::text(format!("drop({});", self.locals[i].name))
                }
                None => self.log_stmt(ctx),
            },
            16 | 17 => self.log_stmt(ctx),
            18 if ctx.can_await => {
                let e = self.expr(ctx, Ty::U32);
                Node::Seq(vec![e, Node::text(";")])
            }
            19 if nested => {
                let c = self.cond(ctx);
                let n = 1 + self.rng.below(3) as usize;
                let a = self.block(&inner, n, None);
                if self.rng.chance(50) {
                    let b = self.block(&inner, n, None);
                    Node::Seq(vec![
                        Node::text("if "),
                        c,
                        Node::text(" "),
                        a,
                        Node::text(" else "),
                        b,
                    ])
                } else {
                    Node::Seq(vec![Node::text("if "), c, Node::text(" "), a])
                }
            }
            20 if nested => self.loop_stmt(&inner),
            21 if nested => self.jump_stmt(ctx),
            22 if nested => {
                let n = 1 + self.rng.below(3) as usize;
                self.block(&inner, n, None)
            }
            23 => {
                // A closure: copying (`move`, u32 only) or borrowing a guard.
                let name = self.name_for(ctx, "c");
                let target = self.pick(ctx, |l, i| {
                    l.kind == Kind::Guard && !l.moved && i >= ctx.barrier
                });
                match target {
                    Some(t) if self.rng.chance(40) => {
                        let tn = self.locals[t].name.clone();
                        self.locals[t].borrows += 1;
                        self.declare(
                            name.clone(),
                            Kind::Closure { target: Some(t) },
                            false,
                            ctx.loop_depth,
                        );
                        Node::text(format!("let {name} = || {tn}.val();"))
                    }
                    _ => {
                        let closure = Ctx {
                            loop_depth: ctx.loop_depth,
                            labels: Vec::new(),
                            ret: None,
                            can_await: false,
                            barrier: self.locals.len(),
                            depth: ctx.depth + 1,
                        };
                        let mark = self.locals.len();
                        self.declare("v".into(), Kind::U32, false, ctx.loop_depth);
                        let body = self.expr(&closure, Ty::U32);
                        self.end_scope(mark);
                        self.declare(
                            name.clone(),
                            Kind::Closure { target: None },
                            false,
                            ctx.loop_depth,
                        );
                        Node::Seq(vec![
                            Node::text(format!("let {name} = move |v: u32| ")),
                            body,
                            Node::text(";"),
                        ])
                    }
                }
            }
            24 if ctx.ret.is_some() && nested => {
                let c = self.cond(ctx);
                let ret = ctx.ret.expect("checked");
                let r = self.expr(ctx, ret);
                Node::Seq(vec![
                    Node::text("if "),
                    c,
                    Node::text(" { return "),
                    r,
                    Node::text("; }"),
                ])
            }
            25 => {
                // A logging macro that names locals inside its format string.
                match self.u32_local(ctx) {
                    Some(n) => Node::text(format!("logv!(\"inline {{{n}}}\");")),
                    None => self.log_stmt(ctx),
                }
            }
            26 => match self.u32_local(ctx) {
                Some(n) => Node::text(format!(
                    "log(format!(\"{{}} = {{}}\", stringify!({n}), {n}));"
                )),
                None => self.log_stmt(ctx),
            },
            27 => {
                // Shadowing: a new local with the name of one in scope.
                let e = self.expr(ctx, Ty::U32);
                let name = match self.u32_local(ctx) {
                    Some(n) => n,
                    None => self.fresh("n"),
                };
                self.declare(name.clone(), Kind::U32, false, ctx.loop_depth);
                Node::Seq(vec![
                    Node::text(format!("let {name} = ")),
                    e,
                    Node::text(";"),
                ])
            }
            28 if ctx.can_await => {
                // A future stored in a local, awaited later in the statement list (or never).
                let name = self.fresh("fut");
                let body = self.async_block(ctx);
                let Node::Seq(mut parts) = body else {
                    unreachable!()
                };
                parts.pop(); // `.await`
                let mut out = vec![Node::text(format!("let {name} = "))];
                out.extend(parts);
                out.push(Node::text(format!(
                    ";\nlog(format!(\"made {name}\"));\nlet {name}_out = {name}.await;"
                )));
                self.declare(format!("{name}_out"), Kind::U32, false, ctx.loop_depth);
                Node::Seq(out)
            }
            _ => self.log_stmt(ctx),
        }
    }

    /// A name for a new local: fresh, or (sometimes) one in scope, to shadow it.
    fn name_for(&mut self, ctx: &Ctx, prefix: &str) -> String {
        if self.rng.chance(15)
            && let Some(i) = self.pick(ctx, |l, i| i >= ctx.barrier && !l.frozen && l.borrows == 0)
        {
            return self.locals[i].name.clone();
        }
        self.fresh(prefix)
    }

    fn log_stmt(&mut self, ctx: &Ctx) -> Node {
        match self.readable_guard(ctx) {
            Some(g) if self.rng.chance(50) => {
                Node::text(format!("log(format!(\"see {{}}\", {g}.name()));"))
            }
            _ => {
                // Mostly without `.await` in the macro's arguments, as in most code (an await
                // inside a macro the transform does not know is refused with an error).
                let quiet = Ctx {
                    can_await: ctx.can_await && self.rng.chance(3),
                    ..ctx.clone()
                };
                let e = self.expr(&quiet, Ty::U32);
                Node::Seq(vec![
                    Node::text("logv!(\"value {}\", "),
                    e,
                    Node::text(");"),
                ])
            }
        }
    }

    /// `for`, `while` or `loop`, each bounded by a counter the body cannot write.
    fn loop_stmt(&mut self, ctx: &Ctx) -> Node {
        let label = self.fresh("'l");
        let counter = self.fresh("i");
        let mut inner = ctx.clone();
        inner.loop_depth += 1;
        inner.labels.push(Label {
            name: label.clone(),
            is_loop: true,
            value: None,
        });
        let mark = self.locals.len();
        let kind = self.rng.below(3);
        if kind == 0 {
            // `for` binds the counter inside the loop.
            let i = self.declare(counter.clone(), Kind::U32, false, inner.loop_depth);
            self.locals[i].frozen = true;
            let n = 1 + self.rng.below(3) as usize;
            let body = self.block(&inner, n, None);
            self.end_scope(mark);
            return Node::Seq(vec![
                Node::text(format!(
                    "{label}: for {counter} in 0..{}u32 ",
                    1 + self.rng.below(3)
                )),
                body,
            ]);
        }
        let i = self.declare(counter.clone(), Kind::U32, true, ctx.loop_depth);
        self.locals[i].frozen = true;
        let n = 1 + self.rng.below(3) as usize;
        let body = self.block(&inner, n, None);
        self.end_scope(mark);
        let limit = 1 + self.rng.below(3);
        let Node::Block(mut stmts) = body else {
            unreachable!()
        };
        let head = if kind == 1 {
            stmts.insert(0, Node::text(format!("{counter} += 1;")));
            format!("let mut {counter} = 0u32;\n{label}: while {counter} < {limit} ")
        } else {
            stmts.insert(
                0,
                Node::text(format!(
                    "{counter} += 1; if {counter} > {limit} {{ break; }}"
                )),
            );
            format!("let mut {counter} = 0u32;\n{label}: loop ")
        };
        Node::Seq(vec![Node::text(head), Node::Block(stmts)])
    }

    /// `if c { break / continue / break 'label v; }` toward an enclosing loop or block.
    fn jump_stmt(&mut self, ctx: &Ctx) -> Node {
        let Some(target) = ctx.labels.last().cloned() else {
            return self.log_stmt(ctx);
        };
        let c = self.cond(ctx);
        let jump = if target.is_loop {
            let label = if self.rng.chance(50) {
                format!(" {}", target.name)
            } else {
                String::new()
            };
            let word = if self.rng.chance(50) {
                "break"
            } else {
                "continue"
            };
            Node::text(format!("{word}{label};"))
        } else {
            let v = self.expr(ctx, target.value.unwrap_or(Ty::U32));
            Node::Seq(vec![
                Node::text(format!("break {} ", target.name)),
                v,
                Node::text(";"),
            ])
        };
        Node::Seq(vec![
            Node::text("if "),
            c,
            Node::text(" { "),
            jump,
            Node::text(" }"),
        ])
    }
}
