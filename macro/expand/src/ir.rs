//! Step 2: the normalised body as a tree of blocks, statements and constructs, with every local
//! and every suspension point numbered, and the liveness facts the lowering needs.

use crate::mentions::{self, Consumes, Mention, Use};
use proc_macro2::Span;
use syn::{Attribute, Expr, Ident, Lifetime, Pat, Stmt};

pub type LocalId = usize;
pub type SiteId = usize;
pub type BlockId = usize;

/// A local variable of the async fn (argument, `let`, match or `if let` binding, or a temporary
/// the normaliser introduced).
pub struct Local {
    pub ident: Ident,
    /// Introduced by the normaliser (a temporary or an awaited value), not written by the user.
    pub synthetic: bool,
    /// Bound to a reference or a literal (`let r = &v;`, `let n = 3;`): nothing to drop, so it
    /// need not be kept across an `.await` unless it is used after it.
    pub trivial_drop: bool,
    /// A `Pin<&mut _>` made by `Pin::new(&mut v)` or `tokio::pin!` (trivially dropped): kept
    /// across an `.await` whose future borrows it (`pinned.as_mut().await`).
    pub pin: bool,
    /// An argument of a type that is surely `Copy` (`n: u32`): passing it by value moves nothing.
    pub surely_copy: bool,
    pub mutable: bool,
    pub block: BlockId,
    pub decl_pos: usize,
    pub has_init: bool,
    /// Every mention of the local, in the order the builder met them (text order).
    pub mentions: Vec<MentionAt>,
    /// Field name in the state enum, unique within the fn (`x`, `x_2` for a shadowing `x`).
    pub field: Ident,
    /// The name as the user wrote it (`ident` may be a rename: `x_2`, `x_home`).
    pub written: String,
    /// Type parameter of the state enum for this local.
    pub ty: Ident,
    /// Declared by a plain `let x = ..;` / `let x: T = ..;` or an argument, so it can be given a
    /// fixed home (see `anchor.rs`).
    pub anchorable: bool,
    /// Lives in a fixed home: something that lives across an `.await` borrows it, or a part of
    /// it was moved out before an `.await` it is kept across.
    pub anchored: bool,
    /// An argument whose type is written as a reference (`&T`, `&mut T`, `&self`): taking a
    /// field of it by value is a copy, never a partial move.
    pub reference: bool,
    /// An argument whose type is written as a shared reference (`&T`, `&self`).
    pub shared_reference: bool,
    /// The fields named by the struct or tuple literal that made it (`let p = Pair { a, b };`):
    /// surely its own fields (not reached through a reference or `Deref`), so a `move` closure
    /// using `p.a` takes that field out of it.
    pub literal_fields: Vec<String>,
    /// Those of them given a literal (`Conf { retries: 3, .. }`): of a `Copy` type, so taking
    /// one by value copies it.
    pub copy_fields: Vec<String>,
    /// Declared `mut` by the user (`mutable` may be forced on for a fixed home's handle).
    pub declared_mut: bool,
    /// Bound to a closure or an `async` block (a type of its own per place it is written).
    pub closure_at: Option<Span>,
    /// Bound to a closure that is not `move` and takes a local by value (`|| drop(g)`): a
    /// closure that owns what it captured is `FnOnce`, so calling it consumes it. (Taking a
    /// `Copy` local by value captures it by reference: then the closure owns nothing, and
    /// counting a call as a move changes nothing.)
    pub consumed_by_call: bool,
    /// The sender of `let (tx, rx) = oneshot::channel();`: its `send` takes `self` (tokio's,
    /// futures'), which the method name alone leaves open (an `mpsc` sender's borrows).
    pub oneshot_sender: bool,
    /// Bound by a pattern matched through a `&mut` (`match self { Left(l) => .. }` in a `&mut
    /// self` method, `match &mut x`): may itself be a `&mut` (match ergonomics), whose `&mut
    /// self` methods a shared borrow of it cannot reach, though the binding is not `mut`.
    pub through_mut_ref: bool,
    /// Declared with neither a value nor a type (`let y;`): its type comes from its first
    /// assignment.
    pub untyped_later: bool,
    /// The type written in `let y: T;` (a local declared without a value).
    pub declared_ty: Option<syn::Type>,
    /// Its one move is its last mention, and nothing can run after it (no later iteration of a
    /// loop around it): a method the receiver heuristic takes to consume it (`v.into_iter()`)
    /// may take it out of a fixed home. Were the guess wrong (a method that borrows), the value
    /// would only drop at the end of that statement instead of at the end of its scope.
    pub moved_last: bool,
    /// As `moved_last`, but the move may be conditional (`if let Ok(v) = r { .. }` moves `r`
    /// only when it matches): a pattern may take it out of a fixed home, and put it back when
    /// it does not match.
    pub last_move_maybe: bool,
    /// Moved, and after its first move only assigned again (`g.into_val(); .. g = make();`),
    /// never read; no mention before it comes round again in a loop. Each move may take it out
    /// of a fixed home, as with `moved_last`, and each assignment puts a value back. (Were the
    /// receiver heuristic wrong, the value would drop at the end of that statement instead of
    /// at the next assignment; nothing reads it in between.)
    pub taken_then_assigned: bool,
    /// Where each assignment (`x = ..;`) happens: its position and path, for a local declared
    /// without a value (`let s;`), which is initialised only where an assignment reaches.
    pub assignments: Vec<(usize, Vec<Step>)>,
    /// Moved (maybe) by the code of an island that runs at once (`Island::run_now`).
    pub moved_in_island_now: bool,
}

/// One mention of a local: what it does there, and where it is.
pub struct MentionAt {
    /// Position in the body's numbering (declarations, mentions and sites, in text order).
    pub pos: usize,
    pub kind: Use,
    /// The path to it in the tree: a mention in another branch of an `if`/`match` than a site
    /// runs neither before it nor after it.
    pub path: Vec<Step>,
    /// Inside a branch, loop body or closure of its statement (so it may not run when the
    /// statement does).
    pub conditional: bool,
    /// The field of a one-field-deep part use (`x.f`).
    pub field: Option<String>,
    /// Inside a `return` expression: nothing of the fn runs after it.
    pub returning: bool,
}

/// A suspension point: one `.await`.
pub struct Site {
    pub fut: Expr,
    pub await_span: Span,
    pub pos: usize,
    /// Locals in scope, in declaration order.
    pub in_scope: Vec<LocalId>,
    /// Position ranges of the loops around the site (a later iteration comes "after" the site).
    pub loops: Vec<(usize, usize)>,
    /// Mentions in the awaited expression, resolved.
    pub fut_mentions: Vec<(LocalId, Use)>,
    /// Locals the awaited expression calls a method on (`p.advance()`), by-reference by default.
    pub receivers: Vec<LocalId>,
    /// Locals the awaited expression borrows outright (`f(&x)`): kept even when they have nothing
    /// to drop and no later use, since the future points at them.
    pub fut_refs: Vec<LocalId>,
    /// Locals the awaited expression borrows in a way its future may keep (see
    /// [`kept_borrows`]); its output may then borrow them too.
    pub fut_keeps: Vec<LocalId>,
    /// The path from the root block down to this site's statement.
    pub path: Vec<Step>,
    // Filled in by `analyse`:
    pub stored: Vec<LocalId>,
    /// In scope, not stored (moved before the `.await`), but assigned again after it: declared
    /// without a value when the state resumes (`let mut p;`).
    pub declared_only: Vec<LocalId>,
    pub borrowed: Vec<LocalId>,
    pub variant: Ident,
    pub fut_ty: Ident,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Statement `i` of the current block.
    Stmt(usize),
    /// Into the block of the construct in that statement: 0 for a block, loop body or `if`'s
    /// then-branch, 1.. for the `else if` chain, arm index for a `match`.
    Child(usize),
}

pub struct BlockIr {
    pub id: BlockId,
    pub label: Option<Lifetime>,
    pub is_unsafe: bool,
    pub brace: Option<syn::token::Brace>,
    pub stmts: Vec<StmtIr>,
}

// IR nodes hold syn trees by value; they are few and short-lived, boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Bind {
    /// `let PAT = <...>;`
    Let {
        attrs: Vec<Attribute>,
        pat: Pat,
        locals: Vec<LocalId>,
    },
    /// An expression statement (`semi`) or the block's tail (no `semi`).
    Expr { semi: bool },
}

#[allow(clippy::large_enum_variant)]
pub enum StmtIr {
    Plain(Stmt),
    Await { site: SiteId, bind: Bind },
    Construct { bind: Bind, construct: Construct },
}

pub enum Construct {
    Block(BlockIr),
    If(IfIr),
    Match {
        attrs: Vec<Attribute>,
        scrutinee: Expr,
        arms: Vec<ArmIr>,
    },
    Loop {
        attrs: Vec<Attribute>,
        label: Lifetime,
        body: BlockIr,
    },
}

pub struct IfIr {
    pub attrs: Vec<Attribute>,
    pub cond: Expr,
    pub then: BlockIr,
    pub else_: Option<Else>,
}

pub enum Else {
    Block(BlockIr),
    If(Box<IfIr>),
}

pub struct ArmIr {
    pub attrs: Vec<Attribute>,
    pub pat: Pat,
    pub body: ArmBody,
}

pub enum ArmBody {
    Plain(Expr),
    Block(BlockIr),
}

/// `let r = &v;` / `v.iter()` / `for x in &v`: local `borrower` surely borrows local `borrowed`.
/// With `maybe`, it may: `let c = Cursor::new(&mut v);`, whose type syntax cannot see.
#[derive(Clone, Copy)]
pub struct Borrow {
    pub borrower: LocalId,
    pub borrowed: LocalId,
    pub span: Span,
    pub maybe: bool,
}

pub struct Body {
    pub borrows: Vec<Borrow>,
    pub root: BlockIr,
    pub locals: Vec<Local>,
    pub sites: Vec<Site>,
    /// Locals bound by the function's parameters, in order.
    pub params: Vec<LocalId>,
    /// Shadowing locals that must be renamed so the local they shadow can still be kept.
    pub needs_rename: Vec<LocalId>,
    /// Locals borrowed by something kept across an `.await`: they need a fixed home.
    pub anchor_requests: Vec<LocalId>,
    /// The arguments' names in the signature (an anchored argument's local is renamed).
    pub param_names: Vec<Ident>,
}

/// What the signature says about the arguments' types.
#[derive(Default)]
pub struct ParamKinds {
    /// Written as references (`&self`, `x: &T`): a field taken from them is a copy.
    pub references: Vec<Ident>,
    /// Written as shared references (`&self`, `x: &T`, not `&mut`): a future that reaches
    /// through one (`x.get()`, `x.f`) borrows what it points to, not the argument itself.
    pub shared_references: Vec<Ident>,
    /// Of a type that is surely `Copy` (`n: u32`, `s: &str`): passing them by value moves nothing.
    pub copies: Vec<Ident>,
    /// The written types of the arguments bound by a bare name, but for `impl Trait` ones:
    /// an argument declared again without a value where a state resumes (`let mut p: u32;`,
    /// see `Local::declared_ty`) needs one when nothing assigns it there.
    pub types: Vec<(Ident, syn::Type)>,
    /// Of a type whose only `Fn*` bound is `FnOnce` (`f: F` with `F: FnOnce() -> T`): calling
    /// them consumes them (see `Local::consumed_by_call`).
    pub fn_once: Vec<Ident>,
}

pub struct Builder {
    /// Shadowing locals to rename (see `rename.rs`), by id.
    renames: std::collections::HashMap<LocalId, Ident>,
    /// Locals to give a fixed home, by id.
    anchors: Vec<LocalId>,
    /// `for` iterators whose items have nothing to drop (see the normaliser).
    trivial_iters: Vec<String>,
    /// Renamings in force: (old name, new name or `None` once shadowed again, scope depth).
    active: Vec<(String, Option<Ident>, usize)>,
    borrows: Vec<Borrow>,
    synthetic: Vec<String>,
    locals: Vec<Local>,
    sites: Vec<Site>,
    scopes: Vec<Vec<LocalId>>,
    loops: Vec<(usize, usize)>,
    path: Vec<Step>,
    pos: usize,
    blocks: usize,
}

impl Builder {
    pub fn build(
        params: Vec<(Ident, bool)>,
        body: syn::Block,
        synthetic: Vec<String>,
        renames: std::collections::HashMap<LocalId, Ident>,
        anchors: Vec<LocalId>,
        trivial_iters: &[String],
        kinds: &ParamKinds,
    ) -> Body {
        let param_names = params.iter().map(|(i, _)| i.clone()).collect();
        let mut b = Builder {
            renames,
            anchors,
            trivial_iters: trivial_iters.to_vec(),
            active: Vec::new(),
            borrows: Vec::new(),
            synthetic,
            locals: Vec::new(),
            sites: Vec::new(),
            scopes: vec![Vec::new()],
            loops: Vec::new(),
            path: Vec::new(),
            pos: 0,
            blocks: 1,
        };
        let mut param_ids = Vec::new();
        for (ident, mutable) in params {
            let reference = kinds.references.contains(&ident);
            let shared_reference = kinds.shared_references.contains(&ident);
            let surely_copy = kinds.copies.contains(&ident);
            let id = b.declare(ident, mutable, 0, true);
            b.locals[id].anchorable = true;
            b.locals[id].reference = reference;
            // A reference has nothing to drop: kept across an `.await` only when used after it.
            // (Kept, it would move while a reborrow of what it points to is still live:
            // `let (r, w) = sock.split();` on a `sock: &mut Sock`, E0499.)
            b.locals[id].trivial_drop = reference;
            b.locals[id].shared_reference = shared_reference;
            b.locals[id].surely_copy = surely_copy;
            b.locals[id].consumed_by_call = kinds.fn_once.contains(&b.locals[id].ident);
            b.locals[id].declared_ty = (kinds.types.iter())
                .find(|(i, _)| *i == b.locals[id].ident)
                .map(|(_, t)| t.clone());
            param_ids.push(id);
        }
        let stmts = b.stmts(body.stmts, 0);
        let root = BlockIr {
            id: 0,
            label: None,
            is_unsafe: false,
            brace: Some(body.brace_token),
            stmts,
        };
        Body {
            borrows: b.borrows,
            root,
            locals: b.locals,
            sites: b.sites,
            params: param_ids,
            needs_rename: Vec::new(),
            anchor_requests: Vec::new(),
            param_names,
        }
    }

    fn renamer(&self) -> crate::rename::Renamer {
        let mut map = std::collections::HashMap::new();
        for (old, new, _) in &self.active {
            match new {
                Some(n) => {
                    map.insert(old.clone(), n.clone());
                }
                None => {
                    map.remove(old);
                }
            }
        }
        crate::rename::Renamer { map }
    }

    fn rename_expr(&self, e: &mut Expr) {
        if !self.active.is_empty() {
            syn::visit_mut::VisitMut::visit_expr_mut(&mut self.renamer(), e);
        }
    }

    /// Renames the pattern's bindings whose locals were renamed.
    fn rename_pat(&self, pat: &mut Pat, ids: &[LocalId]) {
        if ids.iter().any(|id| self.renames.contains_key(id)) {
            let new: Vec<Option<Ident>> =
                ids.iter().map(|id| self.renames.get(id).cloned()).collect();
            crate::rename::rename_bindings(pat, &new);
        }
    }

    fn pop_scope(&mut self) {
        self.scopes.pop();
        let depth = self.scopes.len();
        self.active.retain(|e| e.2 <= depth);
    }

    fn tick(&mut self) -> usize {
        self.pos += 1;
        self.pos
    }

    fn declare(&mut self, ident: Ident, mutable: bool, block: BlockId, has_init: bool) -> LocalId {
        let id = self.locals.len();
        let old = ident.to_string();
        let depth = self.scopes.len();
        let ident = match self.renames.get(&id) {
            Some(new) => {
                self.active.push((old.clone(), Some(new.clone()), depth));
                Ident::new(&new.to_string(), ident.span())
            }
            None => {
                if self.active.iter().any(|(o, _, _)| *o == old) {
                    self.active.push((old.clone(), None, depth));
                }
                ident
            }
        };
        let pos = self.tick();
        let synthetic = self.synthetic.contains(&ident.to_string());
        let anchored = self.anchors.contains(&id);
        self.locals.push(Local {
            written: old,
            anchorable: false,
            anchored,
            reference: false,
            shared_reference: false,
            literal_fields: Vec::new(),
            copy_fields: Vec::new(),
            declared_mut: mutable,
            closure_at: None,
            consumed_by_call: false,
            oneshot_sender: false,
            through_mut_ref: false,
            untyped_later: false,
            declared_ty: None,
            moved_last: false,
            last_move_maybe: false,
            taken_then_assigned: false,
            assignments: Vec::new(),
            moved_in_island_now: false,
            trivial_drop: false,
            pin: false,
            surely_copy: false,
            synthetic,
            field: ident.clone(),
            ty: ident.clone(),
            ident,
            mutable,
            block,
            decl_pos: pos,
            has_init,
            mentions: Vec::new(),
        });
        self.scopes.last_mut().unwrap().push(id);
        id
    }

    fn resolve(&self, name: &str) -> Option<LocalId> {
        for scope in self.scopes.iter().rev() {
            for &id in scope.iter().rev() {
                if self.locals[id].ident == name {
                    return Some(id);
                }
            }
        }
        None
    }

    fn record(&mut self, mentions: Vec<Mention>) {
        let pos = self.tick();
        self.note_in_text_order(&mentions, pos, pos);
    }

    /// Records the mentions of a statement without `.await`, at one position, except that a
    /// local's mentions written before its first move come one position earlier, unless a
    /// loop, closure, `async` block, .. holds both (`Mention::regions`): `match c { A =>
    /// log(g.name()), B => g.into_val() }` moves `g` last.
    fn record_stmt(&mut self, s: &Stmt) {
        self.record_expr(mentions::stmt_mentions(s));
    }

    /// [`Self::record_stmt`] for an expression without `.await` (a match arm, a condition).
    fn record_expr(&mut self, mentions: Vec<Mention>) {
        let before = self.tick();
        let pos = self.tick();
        self.note_in_text_order(&mentions, before, pos);
    }

    /// Notes `mentions` at `pos`, except a local's mentions before its first move, at `before`
    /// (when no loop, closure, .. holds both: see `Mention::regions`). Returns each one's local
    /// and use.
    fn note_in_text_order(
        &mut self,
        mentions: &[Mention],
        before: usize,
        pos: usize,
    ) -> Vec<Option<(LocalId, Use)>> {
        let kinds: Vec<Option<(LocalId, Use)>> = mentions
            .iter()
            .map(|m| {
                self.resolve(&m.name)
                    .map(|id| (id, self.receiver_kind(id, m)))
            })
            .collect();
        for (j, (m, k)) in mentions.iter().zip(&kinds).enumerate() {
            let Some((id, kind)) = *k else { continue };
            let is_move =
                |k: &Option<(LocalId, Use)>| matches!(k, Some((i, Use::Move)) if *i == id);
            // (Not when a later move lies in a loop, closure, .. with it: see
            // `Mention::regions`.)
            let with_it = |o: &Mention| o.regions.iter().any(|r| m.regions.contains(r));
            let later = || mentions[j + 1..].iter().zip(&kinds[j + 1..]);
            let moved_later = kind != Use::Move
                && later().any(|(_, k)| is_move(k))
                && !later().any(|(o, k)| is_move(k) && with_it(o))
                && !kinds[..j].iter().any(is_move);
            let at = if moved_later { before } else { pos };
            if m.island_now && matches!(kind, Use::Move | Use::Part) {
                self.locals[id].moved_in_island_now = true;
            }
            self.note(id, at, kind, m.field.clone(), m.conditional, m.returning);
            if kind == Use::Assign {
                let path = self.path.clone();
                self.locals[id].assignments.push((at, path));
            }
        }
        kinds
    }

    /// Records a mention of a local, with the path of its statement.
    fn note(
        &mut self,
        id: LocalId,
        pos: usize,
        kind: Use,
        field: Option<String>,
        conditional: bool,
        returning: bool,
    ) {
        let path = self.path.clone();
        self.locals[id].mentions.push(MentionAt {
            pos,
            kind,
            path,
            conditional,
            field,
            returning,
        });
    }

    /// A move of `root` where this arm (or then-block) begins.
    fn record_move(&mut self, root: &str) {
        self.record(vec![Mention {
            name: root.to_string(),
            kind: Use::Move,
            conditional: false,
            captured: false,
            field: None,
            called: false,
            macro_arg: false,
            returning: false,
            regions: Vec::new(),
            island_now: false,
        }]);
    }

    /// Settles a receiver mention with the method-name heuristic.
    fn receiver_kind(&self, id: LocalId, m: &Mention) -> Use {
        match m.kind {
            Use::Receiver(Consumes::Yes) => Use::Move,
            Use::Receiver(Consumes::UnlessMut) if !self.locals[id].declared_mut => Use::Move,
            Use::Receiver(Consumes::OnTemporaries)
                if self.locals[id].synthetic || self.locals[id].oneshot_sender =>
            {
                Use::Move
            }
            Use::Receiver(_) => Use::Other,
            Use::Other if m.called && self.locals[id].consumed_by_call => Use::Move,
            // A field copied out of a reference: the reference owns nothing to drop later.
            Use::Part if self.locals[id].reference => Use::Move,
            // A field the literal gave a literal: `Copy`, so reading it moves nothing.
            Use::Part
                if (m.field.as_ref()).is_some_and(|f| self.locals[id].copy_fields.contains(f)) =>
            {
                Use::PartPlace
            }
            // A part of a local bound by a pattern cannot be tracked (it cannot get a fixed
            // home): counted as a move of the whole, as if the rest had nothing to drop.
            Use::Part if !self.locals[id].anchorable => Use::Move,
            // A `move` closure using `x.f` takes that field only if `x` surely owns it; through
            // a reference it copies the reference (counted as a move of the whole, as before).
            Use::Part
                if m.captured
                    && !m
                        .field
                        .as_ref()
                        .is_some_and(|f| self.locals[id].literal_fields.contains(f)) =>
            {
                Use::Move
            }
            k => k,
        }
    }

    /// An initialiser that certainly keeps a borrow of a local: `&v`, `&mut v.f`, `v.iter()`,
    /// `IntoIterator::into_iter(&v)` (a `for` loop over `&v`).
    fn sure_borrow(&self, e: &Expr) -> Option<(LocalId, Span)> {
        use syn::spanned::Spanned;
        // `socket.split()` on a `mut` local: tokio's `TcpStream::split(&mut self)`, whose
        // halves borrow it (see `Consumes::UnlessMut`).
        if let Expr::MethodCall(m) = e
            && mentions::call_consumes(m) == Consumes::UnlessMut
            && m.method == "split"
            && let Expr::Path(p) = &*m.receiver
            && let Some(name) = p.path.get_ident()
            && let Some(id) = self.resolve(&name.to_string())
            && self.locals[id].declared_mut
        {
            return Some((id, m.receiver.span()));
        }
        const BORROWING: &[&str] = &[
            "iter",
            "iter_mut",
            "as_slice",
            "as_mut_slice",
            "as_str",
            "as_bytes",
            "chars",
            "lines",
            "bytes",
            "keys",
            "values",
            "values_mut",
            "split_whitespace",
            "windows",
            "chunks",
            "drain",
            "peekable_iter",
            "get",
            "get_mut",
            "first",
            "first_mut",
            "last",
            "last_mut",
            "as_ref",
            "as_mut",
            "split_at_mut",
            "chunks_mut",
        ];
        /// The place `e` borrows.
        fn direct(e: &Expr) -> Option<&Expr> {
            match e {
                Expr::Reference(r) => Some(&r.expr),
                Expr::MethodCall(m) if BORROWING.contains(&m.method.to_string().as_str()) => {
                    Some(&m.receiver)
                }
                _ => None,
            }
        }
        // `let tmp = r;`, where `r` borrows a local (`let r = &v;`): a copy of the borrow.
        if let Expr::Path(p) = e
            && let Some(name) = p.path.get_ident()
            && let Some(r) = self.resolve(&name.to_string())
            && let Some(b) = self.borrows.iter().find(|b| b.borrower == r)
        {
            return Some((b.borrowed, e.span()));
        }
        // `unsafe { Pin::new_unchecked(&mut x) }` (`tokio::pin!`, see `pinned.rs`).
        let e = match e {
            Expr::Unsafe(u) => match u.block.stmts.as_slice() {
                [syn::Stmt::Expr(inner, None)] => inner,
                _ => e,
            },
            e => e,
        };
        let calls = |c: &syn::ExprCall, f: &str| matches!(&*c.func, Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == f));
        let (place, at) = match e {
            Expr::Call(c)
                if c.args.len() == 1 && (calls(c, "into_iter") || calls(c, "new_unchecked")) =>
            {
                (direct(&c.args[0])?, c.args[0].span())
            }
            e => (direct(e)?, e.span()),
        };
        Some((self.place_root(place)?.0, at))
    }

    /// `recv.method(..)` on a local, where the method borrows its receiver and may return a
    /// borrow of it (`name()`, `add()` returning `&mut Self`), unlike `len()` or `into_iter()`.
    fn method_borrow(&self, e: &Expr) -> Option<(LocalId, Span)> {
        let Expr::MethodCall(m) = e else {
            return None;
        };
        let name = m.method.to_string();
        if mentions::receiver_consumes(&name) != Consumes::No
            || crate::normalize::returns_owned(&name)
        {
            return None;
        }
        let root = self.place_root(&m.receiver)?;
        if mentions::call_consumes(m) == Consumes::UnlessMut
            && matches!(&*m.receiver, Expr::Path(_))
            && !self.locals[root.0].declared_mut
        {
            return None;
        }
        Some(root)
    }

    /// `Iterator::next(&mut iter)` where `iter` is a `for` iterator of trivial items.
    fn next_of_trivial_iter(&self, e: &Expr) -> bool {
        let Expr::Call(c) = e else { return false };
        let [Expr::Reference(r)] = c.args.iter().collect::<Vec<_>>()[..] else {
            return false;
        };
        matches!(&*r.expr, Expr::Path(p) if p.path.get_ident().is_some_and(|i| self.trivial_iters.contains(&i.to_string())))
    }

    /// The local at the root of a place (`p`, `p.f`, `p[i]`).
    fn place_root(&self, e: &Expr) -> Option<(LocalId, Span)> {
        let ident = place_root_ident(e)?;
        Some((self.resolve(&ident.to_string())?, ident.span()))
    }

    /// Records that the locals `by` borrow what `borrow` names.
    fn borrowed_by(&mut self, borrow: Option<(LocalId, Span)>, by: &[LocalId]) {
        if let Some((borrowed, span)) = borrow {
            for &borrower in by {
                self.borrows.push(Borrow {
                    borrower,
                    borrowed,
                    span,
                    maybe: false,
                });
            }
        }
    }

    /// A scrutinee reached through a `&mut`: `&mut x`, or a place rooted at an argument
    /// written `&mut T` (`&mut self`).
    fn through_mut_ref(&self, e: &Expr) -> bool {
        match e {
            Expr::Reference(r) => r.mutability.is_some(),
            Expr::Paren(p) => self.through_mut_ref(&p.expr),
            e => self.place_root(e).is_some_and(|(id, _)| {
                let l = &self.locals[id];
                l.reference && !l.shared_reference
            }),
        }
    }

    /// `let c = Cursor::new(&mut v);`, `let t = spawn(rx.read_to_end(&mut buf));`: what the
    /// value made may keep a borrow of a place given to it by reference, or of a method's
    /// receiver, as far as syntax can tell (a method that returns an owned value, `len()`,
    /// `to_string()`, keeps nothing). Taken to borrow: the local then gets a fixed home when
    /// both are kept across an `.await`. The other guess fails as rustc's E0505 on the
    /// attribute; this one costs at most a fixed home, which drops the value where rustc does.
    fn maybe_borrowed_by(&mut self, e: &Expr, by: &[LocalId]) {
        use syn::spanned::Spanned;
        let mut places = Vec::new();
        call_spine_borrows(e, false, &mut places);
        for place in places {
            if let Some((borrowed, _)) = self.place_root(place)
                && !self.locals[borrowed].reference
                && !by.contains(&borrowed)
            {
                for &borrower in by {
                    self.borrows.push(Borrow {
                        borrower,
                        borrowed,
                        span: place.span(),
                        maybe: true,
                    });
                }
            }
        }
    }

    /// `let x = ..;` or `let x: T = ..;`: a local that can live in a fixed home.
    fn mark_anchorable(&mut self, pat: &Pat, ids: &[LocalId]) {
        if let [id] = ids
            && crate::anchor::simple_binding(pat).is_some()
        {
            self.locals[*id].anchorable = true;
            return;
        }
        for (&i, ok) in ids.iter().zip(arm_bindings_anchorable(pat)) {
            if ok {
                self.locals[i].anchorable = true;
            }
        }
    }

    fn declare_pat(&mut self, pat: &Pat, block: BlockId, has_init: bool) -> Vec<LocalId> {
        let ids: Vec<LocalId> = mentions::pat_bindings(pat)
            .into_iter()
            .map(|(i, m)| self.declare(i, m, block, has_init))
            .collect();
        // `let &n = r;`: a binding under `&` copies (a move out of a borrow is E0507).
        for name in bindings_under_a_reference(pat) {
            if let Some(&id) = ids.iter().find(|&&id| self.locals[id].ident == name) {
                self.locals[id].surely_copy = true;
            }
        }
        ids
    }

    fn new_block(&mut self, b: syn::Block, label: Option<Lifetime>, is_unsafe: bool) -> BlockIr {
        self.new_block_with(b, label, is_unsafe, |_, _| {})
    }

    /// A nested block; `pre` declares bindings that are in scope for the whole block.
    fn new_block_with(
        &mut self,
        b: syn::Block,
        label: Option<Lifetime>,
        is_unsafe: bool,
        pre: impl FnOnce(&mut Self, BlockId),
    ) -> BlockIr {
        let id = self.blocks;
        self.blocks += 1;
        self.scopes.push(Vec::new());
        pre(self, id);
        let stmts = self.stmts(b.stmts, id);
        self.pop_scope();
        BlockIr {
            id,
            label,
            is_unsafe,
            brace: Some(b.brace_token),
            stmts,
        }
    }

    fn stmts(&mut self, stmts: Vec<Stmt>, block: BlockId) -> Vec<StmtIr> {
        let n = stmts.len();
        let mut out = Vec::with_capacity(n);
        for (i, s) in stmts.into_iter().enumerate() {
            self.path.push(Step::Stmt(i));
            let ir = self.stmt(s, block, i + 1 == n);
            self.path.pop();
            out.push(ir);
        }
        out
    }

    fn stmt(&mut self, mut s: Stmt, block: BlockId, _last: bool) -> StmtIr {
        if !crate::normalize::stmt_has_await(&s) {
            match &mut s {
                Stmt::Local(l) => {
                    if let Some(init) = &mut l.init {
                        self.rename_expr(&mut init.expr);
                        if let Some((_, d)) = &mut init.diverge {
                            self.rename_expr(d);
                        }
                    }
                }
                other => {
                    if !self.active.is_empty() {
                        syn::visit_mut::VisitMut::visit_stmt_mut(&mut self.renamer(), other);
                    }
                }
            }
            self.record_stmt(&s);
            if let Stmt::Local(l) = &mut s {
                let has_init = l.init.is_some();
                let synthetic = matches!(&l.pat, Pat::Ident(p) if self.synthetic.contains(&p.ident.to_string()));
                let borrowed = l.init.as_ref().and_then(|i| {
                    self.sure_borrow(&i.expr)
                        .or_else(|| {
                            // `let ref r = v;`
                            crate::anchor::binds_by_ref(&l.pat)
                                .then(|| self.place_root(&i.expr))
                                .flatten()
                        })
                        .or_else(|| {
                            // A temporary the normaliser bound: `let tmp1 = tmp0.name();` keeps
                            // whatever the method returns, which may borrow `tmp0`.
                            synthetic.then(|| self.method_borrow(&i.expr)).flatten()
                        })
                });
                // `let b = a;` where `a` borrows several locals (a future whose closure uses
                // two, moved by `pin_mut!(fut)`): `b` borrows each of them (`sure_borrow`
                // above copies one).
                let aliased: Vec<Borrow> = match l.init.as_ref().map(|i| &*i.expr) {
                    Some(Expr::Path(p)) if p.qself.is_none() => (p.path.get_ident())
                        .and_then(|name| self.resolve(&name.to_string()))
                        .map(|r| {
                            self.borrows
                                .iter()
                                .filter(|b| b.borrower == r)
                                .copied()
                                .collect()
                        })
                        .unwrap_or_default(),
                    _ => Vec::new(),
                };
                let ids = self.declare_pat(&l.pat, block, has_init);
                for b in aliased {
                    self.borrows
                        .extend(ids.iter().map(|&borrower| Borrow { borrower, ..b }));
                }
                if !has_init && let [id] = &ids[..] {
                    match crate::anchor::simple_binding(&l.pat) {
                        Some((_, None)) => self.locals[*id].untyped_later = true,
                        Some((_, Some(ty))) => self.locals[*id].declared_ty = Some(ty.clone()),
                        None => {}
                    }
                }
                // `let p = (a, &v);`: an element of a tuple, array or struct literal borrows too.
                if let Some(init) = &l.init {
                    for element in literal_elements(&init.expr) {
                        let borrow = self.sure_borrow(element);
                        self.borrowed_by(borrow, &ids);
                    }
                    // `let tee = Inspect::new(r, |b| out.extend(b));`: a closure (or `async`
                    // block) that is not `move`, given to what makes the value, borrows what
                    // it uses; the value may keep it.
                    if !matches!(&*init.expr, Expr::Closure(_) | Expr::Async(_)) {
                        for (name, span) in captured_by_reference(&init.expr) {
                            let borrow = self.resolve(&name).map(|id| (id, span));
                            self.borrowed_by(borrow, &ids);
                        }
                    }
                }
                if let Some(init) = &l.init {
                    self.maybe_borrowed_by(&init.expr, &ids);
                    if let Some(first) = oneshot_sender(&l.pat, &init.expr) {
                        let id = ids
                            .iter()
                            .copied()
                            .find(|&id| self.locals[id].written == first);
                        if let Some(id) = id {
                            self.locals[id].oneshot_sender = true;
                        }
                    }
                }
                if let (Some(init), [id]) = (&l.init, &ids[..])
                    && matches!(&*init.expr, Expr::Closure(_) | Expr::Async(_))
                {
                    use syn::spanned::Spanned;
                    self.locals[*id].closure_at = Some(init.expr.span());
                }
                self.mark_anchorable(&l.pat, &ids);
                if let (Some(init), [id]) = (&l.init, &ids[..]) {
                    self.locals[*id].literal_fields = literal_fields(&init.expr);
                    self.locals[*id].copy_fields = literal_copy_fields(&init.expr);
                }

                self.rename_pat(&mut l.pat, &ids);
                let plain =
                    |i: &syn::LocalInit| matches!(&l.pat, Pat::Ident(_)) && i.diverge.is_none();
                let pin = l
                    .init
                    .as_ref()
                    .is_some_and(|i| plain(i) && pins_a_reference(&i.expr));
                let trivial = pin
                    || l.init.as_ref().is_some_and(|i| {
                        plain(i) && matches!(unparen(&i.expr), Expr::Reference(_) | Expr::Lit(_))
                    });
                if trivial {
                    for &id in &ids {
                        self.locals[id].trivial_drop = true;
                        self.locals[id].pin = pin;
                    }
                }
                // A closure that is not `move` borrows the locals it uses as places (`count +=
                // by`, `v.len()`, `n < limit`); kept across an `.await`, it keeps them borrowed.
                // So does an `async` block that is not `move` (`let copy = async { io::copy(&mut
                // ri, &mut wo).await };`, given to `try_join!` later): held, it keeps them
                // borrowed. (What it takes by value is moved into it.)
                if let (Some(init), [block]) = (&l.init, &ids[..])
                    && let Expr::Async(a) = &*init.expr
                    && a.capture.is_none()
                {
                    use syn::spanned::Spanned;
                    for m in mentions::expr_mentions(&init.expr) {
                        let consumed = matches!(m.kind, Use::Receiver(c) if c != Consumes::No);
                        let place = captured_as_place(m.kind) && !consumed;
                        if let Some(borrowed) = self.resolve(&m.name).filter(|_| place)
                            && borrowed != *block
                        {
                            self.borrows.push(Borrow {
                                borrower: *block,
                                borrowed,
                                span: a.span(),
                                maybe: false,
                            });
                        }
                    }
                }
                if let (Some(init), [closure]) = (&l.init, &ids[..])
                    && let Expr::Closure(c) = &*init.expr
                    && c.capture.is_none()
                {
                    use syn::spanned::Spanned;
                    let inside = mentions::expr_mentions(&init.expr);
                    let takes = inside.iter().any(|m| {
                        matches!(m.kind, Use::Move | Use::Part)
                            && self.resolve(&m.name).is_some_and(|id| id != *closure)
                    });
                    self.locals[*closure].consumed_by_call = takes;
                    for m in inside {
                        let place = captured_as_place(m.kind);
                        if let Some(borrowed) = self.resolve(&m.name).filter(|_| place)
                            && borrowed != *closure
                        {
                            self.borrows.push(Borrow {
                                borrower: *closure,
                                borrowed,
                                span: c.span(),
                                maybe: false,
                            });
                            // Kept across an `.await` only when it is called after it. A dead
                            // closure moved into the state would carry references the code
                            // after its last call may have invalidated (`v.push(..)`); rustc
                            // does not keep it either. (One that also took a value by move
                            // then drops it at the suspension, not at the end of its scope.)
                            self.locals[*closure].trivial_drop = true;
                        }
                    }
                }
                if let Some((borrowed, span)) = borrowed {
                    for &borrower in &ids {
                        self.borrows.push(Borrow {
                            borrower,
                            borrowed,
                            span,
                            maybe: false,
                        });
                    }
                }
            }
            return StmtIr::Plain(s);
        }
        match s {
            Stmt::Local(mut l) => {
                let init = l.init.expect("awaiting let has an initialiser");
                let expr = *init.expr;
                let owned = literal_fields(&expr);
                let copies = literal_copy_fields(&expr);
                let ((), ir) = self.expr_in_stmt(expr);
                let locals = self.declare_pat(&l.pat, block, true);
                self.mark_anchorable(&l.pat, &locals);
                if let [id] = &locals[..] {
                    self.locals[*id].literal_fields = owned;
                    self.locals[*id].copy_fields = copies;
                }
                self.rename_pat(&mut l.pat, &locals);
                let bind = Bind::Let {
                    attrs: l.attrs,
                    pat: l.pat,
                    locals,
                };
                match ir {
                    Inner::Await(site) => StmtIr::Await { site, bind },
                    Inner::Construct(c) => StmtIr::Construct { bind, construct: c },
                }
            }
            Stmt::Expr(e, semi) => {
                let bind = Bind::Expr {
                    semi: semi.is_some(),
                };
                match self.expr_in_stmt(e).1 {
                    Inner::Await(site) => StmtIr::Await { site, bind },
                    Inner::Construct(c) => StmtIr::Construct { bind, construct: c },
                }
            }
            Stmt::Macro(_) | Stmt::Item(_) => unreachable!("normalised away"),
        }
    }

    fn expr_in_stmt(&mut self, e: Expr) -> ((), Inner) {
        match e {
            Expr::Await(mut a) => {
                self.rename_expr(&mut a.base);
                // The awaited expression runs before the suspension; a local's mentions
                // before its move come first.
                let before = self.tick();
                let pos = self.tick();
                let raw = mentions::expr_mentions(&a.base);
                let receivers: Vec<LocalId> = raw
                    .iter()
                    .filter(|m| matches!(m.kind, Use::Receiver(Consumes::No)))
                    .filter_map(|m| self.resolve(&m.name))
                    .collect();
                let fut_mentions = self
                    .note_in_text_order(&raw, before, pos)
                    .into_iter()
                    .flatten()
                    .collect();
                let in_scope = self.scopes.iter().flatten().copied().collect();
                let fut_keeps = kept_borrows(&a.base)
                    .iter()
                    .filter_map(|n| self.resolve(n))
                    .collect();
                let fut_refs = referenced_locals(&a.base)
                    .iter()
                    .filter_map(|n| self.resolve(n))
                    .collect();
                let id = self.sites.len();
                self.sites.push(Site {
                    fut: *a.base,
                    await_span: a.await_token.span,
                    pos,
                    in_scope,
                    loops: self.loops.clone(),
                    fut_mentions,
                    fut_refs,
                    fut_keeps,
                    receivers,
                    path: self.path.clone(),
                    stored: Vec::new(),
                    declared_only: Vec::new(),
                    borrowed: Vec::new(),
                    variant: Ident::new("Await", Span::call_site()),
                    fut_ty: Ident::new("Fut", Span::call_site()),
                });
                ((), Inner::Await(id))
            }
            e => ((), Inner::Construct(self.construct(e))),
        }
    }

    fn child<T>(&mut self, i: usize, f: impl FnOnce(&mut Self) -> T) -> T {
        self.path.push(Step::Child(i));
        let r = f(self);
        self.path.pop();
        r
    }

    fn construct(&mut self, e: Expr) -> Construct {
        match e {
            Expr::Block(b) => Construct::Block(
                self.child(0, |s| s.new_block(b.block, b.label.map(|l| l.name), false)),
            ),
            Expr::Unsafe(b) => {
                Construct::Block(self.child(0, |s| s.new_block(b.block, None, true)))
            }
            Expr::If(i) => Construct::If(self.if_ir(i, 0)),
            Expr::Match(mut m) => {
                self.rename_expr(&mut m.expr);
                // `match c { Cmd::Put(..) => { x.await } Cmd::Get(n) => n }`: only the arms that
                // bind by value move (a part of) a local scrutinee; in the others it stays whole
                // and alive to the end of its scope. Record the move per arm.
                let moved_root = moving_root(&m.expr);
                let through_mut_ref = self.through_mut_ref(&m.expr);
                let arm_moves: Vec<bool> = m
                    .arms
                    .iter()
                    .map(|a| mentions::binds_by_value(&a.pat))
                    .collect();
                match &moved_root {
                    Some(_) => self.record_expr(mentions::place_mentions(&m.expr)),
                    None => self.record_expr(mentions::expr_mentions(&m.expr)),
                }
                let arm_move = |s: &mut Self, j: usize| {
                    if let Some(root) = &moved_root
                        && arm_moves[j]
                    {
                        s.record_move(root);
                    }
                };
                // `match v.get_mut(1) { Some(x) => .. }`: the arm's bindings borrow `v`.
                let scrutinee_borrow = self.sure_borrow(&m.expr);
                // `match Iterator::next(&mut iter) { Some(x) => .. }` of a `for` over `&v`: the
                // items are references (or `Copy`), nothing to drop.
                let trivial_items = self.next_of_trivial_iter(&m.expr);
                let scrutinee = (*m.expr).clone();
                let mut arms = Vec::new();
                for (j, arm) in m.arms.into_iter().enumerate() {
                    let mut arm_pat = arm.pat.clone();
                    let body = match *arm.body {
                        Expr::Block(b) if crate::normalize::block_has_await(&b.block) => {
                            let pat = arm.pat.clone();
                            let renamed = &mut arm_pat;
                            ArmBody::Block(self.child(j, |s| {
                                s.new_block_with(b.block, None, false, |s, id| {
                                    let ids = s.declare_pat(&pat, id, true);
                                    // The guard sees the arm's bindings (as references): it
                                    // names them as the arm's block does, and it runs before
                                    // the arm takes its bindings out of the scrutinee.
                                    s.rename_pat(renamed, &ids);
                                    if let Pat::Guard(g) = &mut *renamed {
                                        s.rename_expr(&mut g.guard);
                                        s.record_expr(mentions::place_mentions(&g.guard));
                                    }
                                    arm_move(s, j);
                                    // By-value bindings can be given a fixed home at the top
                                    // of the arm's block, after the guard (a `for` loop's
                                    // item, `Msg::Data(v) => ..`).
                                    for (&i, ok) in ids.iter().zip(arm_bindings_anchorable(&pat)) {
                                        if ok {
                                            s.locals[i].anchorable = true;
                                        }
                                        s.locals[i].through_mut_ref = through_mut_ref;
                                    }
                                    if trivial_items {
                                        for &i in &ids {
                                            s.locals[i].trivial_drop = true;
                                        }
                                    }
                                    // `match p { Pair { ref name, .. } => .. }` borrows `p`.
                                    let borrow = scrutinee_borrow.or_else(|| {
                                        crate::anchor::binds_by_ref(&pat)
                                            .then(|| s.place_root(&scrutinee))
                                            .flatten()
                                    });
                                    s.borrowed_by(borrow, &ids);
                                })
                            }))
                        }
                        mut other => {
                            // In the arm's own branch, like a block arm's.
                            self.child(j, |s| arm_move(s, j));
                            self.scopes.push(Vec::new());
                            self.declare_pat(&arm.pat, usize::MAX, true);
                            let mut arm_pat = arm.pat.clone();
                            if let Pat::Guard(g) = &mut arm_pat {
                                self.rename_expr(&mut g.guard);
                                self.record_expr(mentions::place_mentions(&g.guard));
                            }
                            self.rename_expr(&mut other);
                            self.child(j, |s| s.record_expr(mentions::expr_mentions(&other)));
                            self.pop_scope();
                            arms.push(ArmIr {
                                attrs: arm.attrs,
                                pat: arm_pat,
                                body: ArmBody::Plain(other),
                            });
                            continue;
                        }
                    };
                    arms.push(ArmIr {
                        attrs: arm.attrs,
                        pat: arm_pat,
                        body,
                    });
                }
                Construct::Match {
                    attrs: m.attrs,
                    scrutinee: *m.expr,
                    arms,
                }
            }
            Expr::Loop(l) => {
                let label = l.label.expect("normaliser labels suspending loops").name;
                let start = self.tick();
                self.loops.push((start, usize::MAX));
                let depth = self.loops.len() - 1;
                let body = self.child(0, |s| s.new_block(l.body, None, false));
                let end = self.tick();
                self.loops[depth].1 = end;
                // Sites recorded inside the loop saw an open range: close it.
                for site in &mut self.sites {
                    for r in &mut site.loops {
                        if r.0 == start && r.1 == usize::MAX {
                            r.1 = end;
                        }
                    }
                }
                self.loops.pop();
                Construct::Loop {
                    attrs: l.attrs,
                    label,
                    body,
                }
            }
            other => unreachable!("not a construct: {}", quote::quote!(#other)),
        }
    }

    fn if_ir(&mut self, mut i: syn::ExprIf, child: usize) -> IfIr {
        self.rename_expr(&mut i.cond);
        // `if let Some(g) = s { .. } else { x.await }`: the pattern moves (a part of) a local
        // scrutinee only when it matches; in the `else` branch the local is whole and alive.
        // (In a chain, `if let Some(a) = x && let Some(b) = y`, an earlier `let` may have
        // matched and moved its local before a later one failed: there the moves count where
        // the condition is, as maybe-moves, and the locals keep drop flags.)
        let moved_root = match &*i.cond {
            Expr::Let(l) if mentions::binds_by_value(&l.pat) => moving_root(&l.expr),
            _ => None,
        };
        match (&moved_root, &*i.cond) {
            (Some(_), Expr::Let(l)) => self.record_expr(mentions::place_mentions(&l.expr)),
            _ => self.record_expr(mentions::expr_mentions(&i.cond)),
        }
        let mut cond = *i.cond;
        let bindings = mentions::let_chain_bindings(&cond);
        // `if let Some(x) = v.get_mut(0) { .. }`: the bindings borrow `v`.
        let cond_borrow = match &cond {
            Expr::Let(l) => self.sure_borrow(&l.expr),
            _ => None,
        };
        let through_mut_ref = match &cond {
            Expr::Let(l) => self.through_mut_ref(&l.expr),
            _ => false,
        };
        // `if let Some(x) = e { .. }`, also in a chain (`if let A(a) = e && let B(b) = f`): its
        // by-value bindings can get a fixed home at the top of the then-block, as a `match`
        // arm's can (the rest of the condition reads the bindings themselves).
        let anchorable: Vec<bool> = mentions::let_chain_pats(&cond)
            .into_iter()
            .flat_map(arm_bindings_anchorable)
            .collect();
        let mut declared = Vec::new();
        let then = self.child(child, |s| {
            s.new_block_with(i.then_branch, None, false, |s, id| {
                if let Some(root) = &moved_root {
                    s.record_move(root);
                }
                let ids: Vec<LocalId> = bindings
                    .into_iter()
                    .map(|(ident, m)| s.declare(ident, m, id, true))
                    .collect();
                for (&i, ok) in ids.iter().zip(anchorable) {
                    if ok {
                        s.locals[i].anchorable = true;
                    }
                    s.locals[i].through_mut_ref = through_mut_ref;
                }
                s.borrowed_by(cond_borrow, &ids);
                declared = ids;
            })
        });
        if declared.iter().any(|id| self.renames.contains_key(id)) {
            let new: Vec<Option<Ident>> = declared
                .iter()
                .map(|id| self.renames.get(id).cloned())
                .collect();
            crate::rename::rename_let_chain(&mut cond, &new);
        }
        let else_ = i.else_branch.map(|(_, e)| match *e {
            Expr::If(inner) => Else::If(Box::new(self.if_ir(inner, child + 1))),
            Expr::Block(b) => {
                Else::Block(self.child(child + 1, |s| s.new_block(b.block, None, false)))
            }
            other => {
                let b: syn::Block = syn::parse_quote!({ #other });
                Else::Block(self.child(child + 1, |s| s.new_block(b, None, false)))
            }
        });
        IfIr {
            attrs: i.attrs,
            cond,
            then,
            else_,
        }
    }
}

#[allow(clippy::large_enum_variant)]
enum Inner {
    Await(SiteId),
    Construct(Construct),
}

/// The name at the root of a place (`p`, `p.f`, `p[i]`, `(p)`).
/// The elements of a tuple, array or struct literal (through parentheses and nested
/// literals), which a `let` of it binds as parts of its value.
/// The places a value made by `e` may borrow, along the calls that make it: `&v` / `&mut v`
/// given to a call or method (`Cursor::new(&mut v)`), and, inside a call's arguments, a
/// method's receiver taken by reference (`spawn(rx.read_to_end(..))`, `spawn(tx.send(v))`: on
/// a named local, `send` borrows, see [`Consumes::OnTemporaries`]). Not the receiver of the
/// method that makes the value itself (`let key = queue.insert(..)`: most such methods return
/// an owned value, and a home for `queue` would change how a macro sees it, `poll!(queue)`
/// with `$q:ident`), not through closures or blocks, nor past a method that returns an owned
/// value (`len()`).
fn call_spine_borrows<'e>(e: &'e Expr, nested: bool, out: &mut Vec<&'e Expr>) {
    let arg = |a: &'e Expr, out: &mut Vec<&'e Expr>| match a {
        Expr::Reference(r) => out.push(&r.expr),
        a => call_spine_borrows(a, true, out),
    };
    match e {
        Expr::Paren(p) => call_spine_borrows(&p.expr, nested, out),
        Expr::Try(t) => call_spine_borrows(&t.expr, nested, out),
        Expr::Call(c) => c.args.iter().for_each(|a| arg(a, out)),
        Expr::MethodCall(m) => {
            let name = m.method.to_string();
            if crate::normalize::returns_owned(&name) {
                return;
            }
            m.args.iter().for_each(|a| arg(a, out));
            match &*m.receiver {
                r @ (Expr::Path(_) | Expr::Field(_) | Expr::Index(_))
                    if nested && mentions::receiver_consumes(&name) != Consumes::Yes =>
                {
                    out.push(r)
                }
                Expr::Reference(r) => out.push(&r.expr),
                // Past the method that makes the value, a receiver along the chain counts as
                // inside it (`args.first().map(..).unwrap_or(..)` may keep `&args[0]`).
                r @ Expr::MethodCall(_) => call_spine_borrows(r, true, out),
                r => call_spine_borrows(r, nested, out),
            }
        }
        _ => {}
    }
}

/// A use that a closure or `async` block that is not `move` captures by reference: a place
/// (`count += by`, `v.len()`, `n < limit`), not a value it takes.
fn captured_as_place(kind: Use) -> bool {
    matches!(
        kind,
        Use::Other | Use::PartPlace | Use::Receiver(_) | Use::Assign | Use::SetPart
    )
}

/// `Pin::new(&mut x)`, or `unsafe { Pin::new_unchecked(&mut x) }` as `tokio::pin!(x)` is
/// written out (`pinned.rs`): a `Pin<&mut _>`, a reference, with nothing to drop. (Kept across
/// an `.await` only when used after it: a method taking `self: Pin<&mut Self>` moves it.)
fn pins_a_reference(e: &Expr) -> bool {
    match e {
        Expr::Unsafe(u) => match &u.block.stmts[..] {
            [Stmt::Expr(e, None)] => pins_a_reference(e),
            _ => false,
        },
        Expr::Call(c) => {
            let pin_new = calls_path_ending_in(c, &["Pin", "new"])
                || calls_path_ending_in(c, &["Pin", "new_unchecked"]);
            pin_new && matches!(&c.args.iter().collect::<Vec<_>>()[..], [Expr::Reference(_)])
        }
        _ => false,
    }
}

/// Is `c` a call of a path whose last segments are `tail` (`tokio::sync::oneshot::channel()`
/// for `["oneshot", "channel"]`)?
fn calls_path_ending_in(c: &syn::ExprCall, tail: &[&str]) -> bool {
    let Expr::Path(p) = &*c.func else {
        return false;
    };
    let segments = &p.path.segments;
    segments.len() >= tail.len()
        && segments
            .iter()
            .skip(segments.len() - tail.len())
            .zip(tail)
            .all(|(s, t)| s.ident == t)
}

/// `let (tx, rx) = oneshot::channel();` (any path ending in `oneshot::channel`): the name of
/// the sender.
fn oneshot_sender(pat: &Pat, init: &Expr) -> Option<String> {
    let Expr::Call(c) = init else { return None };
    if !calls_path_ending_in(c, &["oneshot", "channel"]) {
        return None;
    }
    let Pat::Tuple(t) = pat else { return None };
    let (name, _) = crate::anchor::simple_binding(t.elems.first()?)?;
    Some(name.to_string())
}

fn literal_elements(e: &Expr) -> Vec<&Expr> {
    let elements: Vec<&Expr> = match e {
        Expr::Paren(p) => return literal_elements(&p.expr),
        Expr::Tuple(t) => t.elems.iter().collect(),
        Expr::Array(a) => a.elems.iter().collect(),
        Expr::Struct(s) => s.fields.iter().map(|f| &f.expr).collect(),
        _ => return Vec::new(),
    };
    let mut out = Vec::new();
    for element in elements {
        out.push(element);
        out.extend(literal_elements(element));
    }
    out
}

fn place_root_ident(e: &Expr) -> Option<&Ident> {
    match e {
        Expr::Field(f) => place_root_ident(&f.base),
        Expr::Index(i) => place_root_ident(&i.expr),
        Expr::Paren(p) => place_root_ident(&p.expr),
        // `*slot.as_mut().unwrap()`: a tail temporary in its slot (`Normalizer::tail_slots`).
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => {
            match crate::normalize::slot_of(&u.expr)? {
                Expr::Path(p) => p.path.get_ident(),
                _ => None,
            }
        }
        Expr::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => {
            Some(&p.path.segments[0].ident)
        }
        _ => None,
    }
}

/// `(&mut fut).await`, `pinned.as_mut().await`: the future awaited is the local itself, borrowed;
/// its output is `F::Output`, which cannot keep that borrow.
fn polled_in_place(e: &Expr) -> Option<&Ident> {
    fn local(e: &Expr) -> Option<&Ident> {
        match e {
            Expr::Path(p) if p.qself.is_none() => p.path.get_ident(),
            _ => None,
        }
    }
    match e {
        Expr::Paren(p) => polled_in_place(&p.expr),
        Expr::Reference(r) if r.mutability.is_some() => local(&r.expr),
        Expr::MethodCall(m) if m.method == "as_mut" && m.args.is_empty() => local(&m.receiver),
        _ => None,
    }
}

/// The locals an awaited expression borrows in a way its future may keep: `&v`, `&mut v.f`,
/// `&v[i]`, a method on `v` (or on a field of it) that may return a borrow of it (not `len()` or
/// `clone()`, which give an owned value), and any use inside a closure, an `async` block or a
/// macro other than `format!`. Reading `v` by value (`f(v)`, `v.f`, `v[i]`, `v == w`) keeps
/// nothing: the value is copied or moved into the future.
fn kept_borrows(e: &Expr) -> Vec<String> {
    struct Keeps(Vec<String>);
    impl<'ast> syn::visit::Visit<'ast> for Keeps {
        fn visit_expr(&mut self, e: &'ast Expr) {
            match e {
                Expr::Reference(r) => self
                    .0
                    .extend(place_root_ident(&r.expr).map(|i| i.to_string())),
                Expr::MethodCall(m) => {
                    let name = m.method.to_string();
                    if !crate::normalize::returns_owned(&name)
                        && mentions::receiver_consumes(&name) != Consumes::Yes
                    {
                        self.0
                            .extend(place_root_ident(&m.receiver).map(|i| i.to_string()));
                    }
                }
                Expr::Closure(_) | Expr::Async(_) => {
                    self.0
                        .extend(mentions::expr_mentions(e).into_iter().map(|m| m.name));
                    return;
                }
                _ => {}
            }
            syn::visit::visit_expr(self, e);
        }
        fn visit_macro(&mut self, m: &'ast syn::Macro) {
            if !m.path.is_ident("format") {
                let inside = mentions::tokens_mentions(m.tokens.clone());
                self.0.extend(inside.into_iter().map(|m| m.name));
            }
        }
    }
    let mut k = Keeps(Vec::new());
    syn::visit::Visit::visit_expr(&mut k, e);
    k.0
}

/// The locals under `&` / `&mut` in an expression (`f(&x, &mut y.f)`).
/// The names used inside the closures and `async` blocks of `e` that are not `move` (not those
/// they bind), with where: what they capture by reference.
fn captured_by_reference(e: &Expr) -> Vec<(String, Span)> {
    struct Captures(Vec<(String, Span)>);
    impl Captures {
        /// A macro run as an island (`join!(a, b)`, `select!`) moves in what its input uses by
        /// value: taken to be a move, as rustc's capture of a value that is not `Copy`. (A
        /// `Copy` value that is not used again is captured by reference: then rustc says it
        /// does not live long enough, E0597/E0521.)
        fn add(&mut self, e: Expr, span: Span) {
            let mentions = mentions::expr_mentions(&e).into_iter();
            let borrowed = mentions.filter(|m| !(m.macro_arg && m.kind == mentions::Use::Move));
            self.0.extend(borrowed.map(|m| (m.name, span)));
        }
    }
    impl<'ast> syn::visit::Visit<'ast> for Captures {
        fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
            if c.capture.is_none() {
                use syn::spanned::Spanned;
                self.add(Expr::Closure(c.clone()), c.span());
            }
        }
        fn visit_expr_async(&mut self, a: &'ast syn::ExprAsync) {
            if a.capture.is_none() {
                use syn::spanned::Spanned;
                self.add(Expr::Async(a.clone()), a.span());
            }
        }
    }
    let mut v = Captures(Vec::new());
    syn::visit::Visit::visit_expr(&mut v, e);
    v.0
}

fn referenced_locals(e: &Expr) -> Vec<String> {
    struct Refs(Vec<String>);
    impl<'ast> syn::visit::Visit<'ast> for Refs {
        fn visit_expr_reference(&mut self, r: &'ast syn::ExprReference) {
            let mut inner: &Expr = &r.expr;
            while let Expr::Field(f) = inner {
                inner = &f.base;
            }
            if let Expr::Path(p) = inner
                && let Some(i) = p.path.get_ident()
            {
                self.0.push(i.to_string());
            }
            syn::visit::visit_expr_reference(self, r);
        }
        // An `async` block or closure that is not `move` captures by reference what it uses
        // (also a `Copy` value used by value): the future borrows it for as long as it lives.
        // (A non-`Copy` value it moves is then read through a reference: rustc's E0507.)
        fn visit_expr_async(&mut self, a: &'ast syn::ExprAsync) {
            let captured = captured_by_reference(&Expr::Async(a.clone())).into_iter();
            self.0.extend(captured.map(|(name, _)| name));
        }
        fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
            let captured = captured_by_reference(&Expr::Closure(c.clone())).into_iter();
            self.0.extend(captured.map(|(name, _)| name));
        }
    }
    let mut v = Refs(Vec::new());
    syn::visit::Visit::visit_expr(&mut v, e);
    v.0
}

/// Was the field `x.f` taken by value in mention `i` of this local a copy? Yes when no field of
/// it is ever assigned (which could put back a part moved out) and the mention is followed by a
/// use of the whole, or of that same field, that can run after it (later in the same statement,
/// block or an enclosing block, not in another branch): rustc rejects that use if the field was
/// moved. A wrong "yes" (an early `return` between the
/// two) leaves a partly moved local to be moved into the state: rustc's E0382, not a wrong drop.
fn part_copied(l: &Local, i: usize) -> bool {
    let later_in_enclosing = |p: usize, a: &[Step], q: usize, b: &[Step]| {
        q > p
            && match a.iter().zip(b).find(|(x, y)| x != y) {
                Some((Step::Stmt(i), Step::Stmt(j))) => j > i,
                Some(_) => false,
                // In the same statement, or nested in it: later in the text is later in time.
                None => true,
            }
    };
    let whole = |k: Use| matches!(k, Use::Move | Use::Other | Use::Receiver(_));
    let same_field = |k: Use, f: &Option<String>, g: &Option<String>| {
        matches!(k, Use::Part | Use::PartPlace) && f.is_some() && f == g
    };
    let m = &l.mentions[i];
    !l.mentions.iter().any(|n| n.kind == Use::SetPart)
        && l.mentions.iter().any(|n| {
            (whole(n.kind) || same_field(n.kind, &m.field, &n.field))
                && later_in_enclosing(m.pos, &m.path, n.pos, &n.path)
        })
}

/// The fields a struct or tuple literal names (without a `..base`): fields of the value itself.
pub fn literal_fields(e: &Expr) -> Vec<String> {
    literal_field_values(e)
        .into_iter()
        .map(|(f, _)| f)
        .collect()
}

/// Those of [`literal_fields`] given a literal (`3`, `-1`, `"name"`, `true`): their type is a
/// number, `bool`, `char` or a `&'static` string, all `Copy`.
pub fn literal_copy_fields(e: &Expr) -> Vec<String> {
    fn literal(e: &Expr) -> bool {
        match unparen(e) {
            Expr::Lit(_) => true,
            Expr::Unary(u) => matches!(u.op, syn::UnOp::Neg(_)) && literal(&u.expr),
            _ => false,
        }
    }
    (literal_field_values(e).into_iter())
        .filter(|(_, v)| literal(v))
        .map(|(f, _)| f)
        .collect()
}

/// The fields of a struct or tuple literal (without a `..base`), with the value each is given.
fn literal_field_values(e: &Expr) -> Vec<(String, &Expr)> {
    match unparen(e) {
        Expr::Struct(s) if s.rest.is_none() => (s.fields.iter())
            .map(|f| match &f.member {
                syn::Member::Named(i) => (i.to_string(), &f.expr),
                syn::Member::Unnamed(i) => (i.index.to_string(), &f.expr),
            })
            .collect(),
        Expr::Tuple(t) => (t.elems.iter().enumerate())
            .map(|(i, e)| (i.to_string(), e))
            .collect(),
        _ => Vec::new(),
    }
}

/// Does position `q` lie in a loop around the site (`loops`) that a local declared at `decl`
/// outlives? Then it runs again after the site, in a later iteration.
fn in_later_iteration(loops: &[(usize, usize)], decl: usize, q: usize) -> bool {
    loops.iter().any(|&(s, e)| decl < s && s <= q && q <= e)
}

/// The span of the first `ident` in `tokens`.
pub(crate) fn ident_span_in(tokens: proc_macro2::TokenStream, ident: &Ident) -> Option<Span> {
    tokens.into_iter().find_map(|t| match t {
        proc_macro2::TokenTree::Ident(i) if i == *ident => Some(i.span()),
        proc_macro2::TokenTree::Group(g) => ident_span_in(g.stream(), ident),
        _ => None,
    })
}

/// The local a `match` or `if let` scrutinee names (`c`, `c.kind`), which a by-value pattern
/// moves from.
fn moving_root(scrutinee: &Expr) -> Option<String> {
    match scrutinee {
        e @ (Expr::Path(_) | Expr::Field(_)) => mentions::field_root(e),
        _ => None,
    }
}

/// Does the statement at path `a` run on every path to the statement at `b`: `b` itself, the
/// header of a construct around `b`, or an earlier statement of a block around `b`, also inside
/// constructs there that can only be got past through the child `a` is in (`only_way(path, c)`:
/// a plain block, or a `match` whose other arms all leave, as a `let`-`else`'s `else` does)?
pub fn runs_before(a: &[Step], b: &[Step], only_way: &dyn Fn(&[Step], usize) -> bool) -> bool {
    if a.is_empty() {
        return false;
    }
    if a.len() <= b.len() && b.starts_with(a) {
        return true;
    }
    let Some(d) = a.iter().zip(b).position(|(x, y)| x != y) else {
        return false;
    };
    matches!((a[d], b[d]), (Step::Stmt(x), Step::Stmt(y)) if x < y)
        && (d + 1..a.len()).all(|e| match a[e] {
            Step::Child(c) => only_way(&a[..e], c),
            Step::Stmt(_) => true,
        })
}

/// Is the statement at `a` the one right after the statement at `b`, in the same block (so it
/// runs whenever `b`'s completes)?
fn next_statement(a: &[Step], b: &[Step]) -> bool {
    matches!((a.split_last(), b.split_last()),
        (Some((Step::Stmt(x), outer_a)), Some((Step::Stmt(y), outer_b)))
            if outer_a == outer_b && *x == y + 1)
}

/// Is the statement at `a` a later statement of a block around the statement at `b` (so it runs
/// whenever `b`'s statement completes and the block goes on)?
fn straight_after(root: &BlockIr, a: &[Step], b: &[Step]) -> bool {
    // The statements of plain blocks in between run whenever the block does (`f(n).await; {
    // g().await; n = 5; }`); a labelled one may be left early, a loop's or a branch's may not
    // run.
    let Some(mut d) = a.len().checked_sub(1) else {
        return false;
    };
    loop {
        if d < b.len()
            && a[..d] == b[..d]
            && let (Step::Stmt(x), Step::Stmt(y)) = (a[d], b[d])
            && x > y
        {
            // Nor may a `break` or `continue` after `b`, on the way, jump past `a` to code
            // that reads the old value (`if c { break 'b f(n).await; } n = 7; .. } n += 1`).
            return !breaks_between(root, b, d, x);
        }
        let plain_block = d >= 2
            && a[d - 1] == Step::Child(0)
            && matches!(construct_at(root, &a[..d - 1]),
                Some(Construct::Block(blk)) if blk.label.is_none());
        if !plain_block {
            return false;
        }
        d -= 2;
    }
}

/// Does a `break` or `continue` come after the statement at `b` and before statement `until`
/// of the block at depth `d` of `b`'s path (the block both share with the later statement),
/// in any block on the way there?
fn breaks_between(root: &BlockIr, b: &[Step], d: usize, until: usize) -> bool {
    (d..b.len()).step_by(2).any(|k| {
        let (Step::Stmt(i), Some(block)) = (b[k], block_at(root, &b[..k])) else {
            return true;
        };
        let end = if k == d { until } else { block.stmts.len() };
        block.stmts[(i + 1).min(end)..end]
            .iter()
            .any(stmt_may_break)
    })
}

/// Does the statement hold a `break` or a `continue` (conservatively, one in a closure too)?
fn stmt_may_break(s: &StmtIr) -> bool {
    fn tokens_break(ts: proc_macro2::TokenStream) -> bool {
        ts.into_iter().any(|t| match t {
            proc_macro2::TokenTree::Ident(i) => i == "break" || i == "continue",
            proc_macro2::TokenTree::Group(g) => tokens_break(g.stream()),
            _ => false,
        })
    }
    match s {
        StmtIr::Plain(s) => tokens_break(quote::ToTokens::to_token_stream(s)),
        StmtIr::Await { .. } => false,
        StmtIr::Construct { construct, .. } => {
            let arms_break = match construct {
                Construct::Match { arms, .. } => arms.iter().any(|a| match &a.body {
                    ArmBody::Plain(e) => tokens_break(quote::ToTokens::to_token_stream(e)),
                    ArmBody::Block(_) => false,
                }),
                _ => false,
            };
            arms_break
                || children(construct)
                    .into_iter()
                    .flatten()
                    .any(|b| b.stmts.iter().any(stmt_may_break))
        }
    }
}

/// Is the statement at `assign` the one right after the site's statement at `site`, and
/// does it assign the value the site's `.await` gave (`p = p.advance().await;`, which the
/// normaliser writes `let awaited = p.advance().await; p = awaited;`)?
fn assigns_the_awaited_value(root: &BlockIr, site: &[Step], assign: &[Step]) -> bool {
    let ([outer @ .., Step::Stmt(k)], [outer2 @ .., Step::Stmt(j)]) = (site, assign) else {
        return false;
    };
    if outer != outer2 || *j != k + 1 {
        return false;
    }
    let Some(block) = block_at(root, outer) else {
        return false;
    };
    let (
        Some(StmtIr::Await {
            bind: Bind::Let { pat, .. },
            ..
        }),
        Some(StmtIr::Plain(stmt)),
    ) = (block.stmts.get(*k), block.stmts.get(*j))
    else {
        return false;
    };
    let (Pat::Ident(bound), Stmt::Expr(Expr::Assign(a), _)) = (pat, stmt) else {
        return false;
    };
    matches!(&*a.right, Expr::Path(p) if p.path.is_ident(&bound.ident))
}

/// The block at `path`, a path that ends in a child block (or the root block, at `[]`).
fn block_at<'b>(root: &'b BlockIr, path: &[Step]) -> Option<&'b BlockIr> {
    match path {
        [] => Some(root),
        [construct @ .., Step::Child(c)] => children(construct_at(root, construct)?)
            .get(*c)
            .copied()
            .flatten(),
        _ => None,
    }
}

/// The construct at statement path `path` (from the root block), and the block of its child `c`.
fn construct_at<'b>(root: &'b BlockIr, path: &[Step]) -> Option<&'b Construct> {
    let mut block = root;
    let mut steps = path.iter();
    loop {
        let Some(Step::Stmt(i)) = steps.next() else {
            return None;
        };
        let Some(StmtIr::Construct { construct, .. }) = block.stmts.get(*i) else {
            return None;
        };
        let Some(Step::Child(c)) = steps.next() else {
            return Some(construct);
        };
        block = children(construct).get(*c).copied().flatten()?;
    }
}

/// A construct's child blocks in `Step::Child` order (`None` for a `match` arm without a block).
pub fn children(c: &Construct) -> Vec<Option<&BlockIr>> {
    match c {
        Construct::Block(b) => vec![Some(b)],
        Construct::Loop { body, .. } => vec![Some(body)],
        Construct::If(i) => {
            let mut out = Vec::new();
            let mut i: &IfIr = i;
            loop {
                out.push(Some(&i.then));
                match &i.else_ {
                    Some(Else::Block(b)) => {
                        out.push(Some(b));
                        break;
                    }
                    Some(Else::If(inner)) => i = inner,
                    None => break,
                }
            }
            out
        }
        Construct::Match { arms, .. } => arms
            .iter()
            .map(|a| match &a.body {
                ArmBody::Block(b) => Some(b),
                ArmBody::Plain(_) => None,
            })
            .collect(),
    }
}

/// Does every arm of the `match` at `path` leave (`return`, `break`, ..) or satisfy `moves`?
fn every_arm(root: &BlockIr, path: &[Step], moves: &dyn Fn(usize) -> bool) -> bool {
    let Some(Construct::Match { arms, .. }) = construct_at(root, path) else {
        return false;
    };
    arms.iter()
        .enumerate()
        .all(|(k, a)| moves(k) || arm_leaves(a))
}

/// Is child `c` of the construct at `path` the only way past it: a plain block, or a `match`
/// whose other arms all end in `return`, `break`, `continue` or a panic?
pub fn only_way_past(root: &BlockIr, path: &[Step], c: usize) -> bool {
    match construct_at(root, path) {
        Some(Construct::Block(b)) => b.label.is_none(),
        Some(Construct::Match { arms, .. }) => arms
            .iter()
            .enumerate()
            .all(|(k, a)| k == c || arm_leaves(a)),
        _ => false,
    }
}

/// Does the arm end in `return`, `break`, `continue` or a panic (so no path goes past the `match`
/// through it)?
fn arm_leaves(a: &ArmIr) -> bool {
    match &a.body {
        ArmBody::Plain(e) => crate::lower::diverges(e),
        ArmBody::Block(b) => {
            matches!(b.stmts.last(), Some(StmtIr::Plain(s)) if crate::lower::stmt_diverges(s))
        }
    }
}

/// Do paths `a` and `b` part at a construct's children (two branches of one `if`/`match`)?
pub(crate) fn other_branch(a: &[Step], b: &[Step]) -> bool {
    a.iter()
        .zip(b)
        .find(|(x, y)| x != y)
        .is_some_and(|(x, y)| matches!((x, y), (Step::Child(_), Step::Child(_))))
}

impl Body {
    /// Where the move in mention `i` is undone, if it is: `while let Some(g) = cur { ..; cur =
    /// next(); }`. The pattern moves (a part of) `cur` only when it matches, and then the
    /// then-block, which nothing leaves by `break`/`continue`, assigns `cur` again as one of its
    /// own statements. After the loop (or later in that block) `cur` is whole again.
    fn put_back(&self, l: &Local, i: usize) -> Option<usize> {
        // The pattern's move is recorded where the then-block begins.
        let (q, at) = (l.mentions[i].pos, &l.mentions[i].path);
        let [construct @ .., Step::Child(0)] = &at[..] else {
            return None;
        };
        let Some(Construct::If(c)) = construct_at(&self.root, construct) else {
            return None;
        };
        let Expr::Let(cond) = &c.cond else {
            return None;
        };
        if !matches!(&*cond.expr, Expr::Path(_)) || crate::join::block_leaves(&c.then, self) {
            return None;
        }
        l.mentions
            .iter()
            .find(|m| {
                m.kind == Use::Assign
                    && !m.conditional
                    && q < m.pos
                    && m.path.len() == at.len() + 1
                    && m.path.starts_with(at)
            })
            .map(|m| m.pos)
    }

    /// Decides, for every suspension point, which locals the state must hold.
    ///
    /// A local in scope is kept when it is used after the `.await` (or in a later iteration of a
    /// loop around it), or when it has not been moved before: it may own something whose drop
    /// must happen at the end of its scope, as rustc would do it. The awaited expression's own
    /// borrows (`read(&mut buf)`) need the local stored *before* the future is created.
    pub fn analyse(&mut self) -> crate::error::Result<()> {
        // A local that an island run at once moves, maybe on some paths only, is taken out of
        // a fixed home there (a `Taker`, see `anchor.rs`): captured whole by the island's
        // block, it would drop with the block where the code did not move it, not at the end
        // of its scope. (A home no state holds lies in the poll function's frame: see
        // `Gen::stack_homes`.)
        for (id, l) in self.locals.iter().enumerate() {
            if l.moved_in_island_now
                && l.anchorable
                && !l.anchored
                && !l.trivial_drop
                && !l.surely_copy
                && !self.anchor_requests.contains(&id)
            {
                self.anchor_requests.push(id);
            }
        }
        let loops: Vec<(usize, usize)> = self.sites.iter().flat_map(|s| s.loops.clone()).collect();
        for l in &mut self.locals {
            // Its moves are its last mentions, none in a later iteration of a loop, and no two
            // on one path: one move, or one per branch (`match r { Ok(v) => .., Err(e) => .. }`
            // whose arms await records a move in each arm).
            // (A move in a `return` is the last thing on its path, wherever it is written.)
            let moves: Vec<&MentionAt> = l
                .mentions
                .iter()
                .filter(|m| m.kind == Use::Move && !m.returning)
                .collect();
            let only_returns = moves.is_empty()
                && l.mentions
                    .iter()
                    .any(|m| m.kind == Use::Move && m.returning);
            let last = only_returns
                || moves.iter().map(|m| m.pos).min().is_some_and(|first| {
                    moves.iter().enumerate().all(|(i, a)| {
                        !in_later_iteration(&loops, l.decl_pos, a.pos)
                            && moves[i + 1..]
                                .iter()
                                .all(|b| other_branch(&a.path, &b.path))
                    }) && l
                        .mentions
                        .iter()
                        .all(|n| n.pos < first || n.kind == Use::Move)
                });
            l.last_move_maybe = last;
            l.moved_last = last && matches!(&moves[..], [m] if !m.conditional);
            // (An assignment at the move's own position, in a region whose order the syntax
            // does not give, `logv!("{}", if c { g.into_val() } else { g = make(); 0 })`,
            // counts: after the region, too, the local is only assigned or moved.)
            l.taken_then_assigned = !last
                && moves.iter().map(|m| m.pos).min().is_some_and(|first| {
                    l.mentions
                        .iter()
                        .any(|n| n.kind == Use::Assign && n.pos >= first)
                        && l.mentions.iter().all(|n| {
                            matches!(n.kind, Use::Move | Use::Assign)
                                || (n.pos < first
                                    && !(loops.iter())
                                        .any(|&(s, e)| l.decl_pos < s && s <= n.pos && first <= e))
                        })
                });
        }
        // For each local: (mention, position) of the moves undone by an assignment there.
        let put_backs: Vec<Vec<(usize, usize)>> = self
            .locals
            .iter()
            .map(|l| {
                (0..l.mentions.len())
                    .filter_map(|i| self.put_back(l, i).map(|r| (i, r)))
                    .collect()
            })
            .collect();
        // Every site's position, path and locals in scope, to look across sites from one.
        let all_sites: Vec<(usize, Vec<Step>, Vec<LocalId>)> = self
            .sites
            .iter()
            .map(|s| (s.pos, s.path.clone(), s.in_scope.clone()))
            .collect();
        for site in &mut self.sites {
            let p = site.pos;
            let mut stored = Vec::new();
            let mut declared_only = Vec::new();
            for &id in &site.in_scope {
                let l = &self.locals[id];
                let decl = l.decl_pos;
                let shadowed_by = site.in_scope.iter().copied().find(|&other| {
                    let o = &self.locals[other];
                    o.ident == l.ident && o.decl_pos > decl
                });
                // A move that an assignment surely running later, before the site, undoes
                // (`drop(g); ..; g = make();`): the local holds a value again, to drop at the
                // end of its scope.
                let reassigned_after = |q: usize| {
                    let only_way = |at: &[Step], c: usize| only_way_past(&self.root, at, c);
                    l.mentions.iter().any(|a| {
                        // (`g = keep(g)`: the store, at the same position, comes last. One
                        // inside the awaited expression, at the site's own position, runs
                        // before the suspension; `g = f().await` stores after it.)
                        a.kind == Use::Assign
                            && !a.conditional
                            && q <= a.pos
                            && a.pos <= p
                            && runs_before(&a.path, &site.path, &only_way)
                    })
                };
                if let Some(shadowing) = shadowed_by {
                    // (A move on some paths only leaves it to drop at the end of its scope:
                    // it is kept, with a drop flag; nor does one an assignment undoes.)
                    let only_way = |at: &[Step], c: usize| only_way_past(&self.root, at, c);
                    let consumed = l.mentions.iter().any(|m| {
                        m.kind == Use::Move
                            && !m.conditional
                            && decl < m.pos
                            && m.pos <= p
                            && runs_before(&m.path, &site.path, &only_way)
                            && !reassigned_after(m.pos)
                    });
                    // Used again after the site, where the shadowing has ended: whatever the
                    // syntax took for a move before (`5u32.max(n)`) was a copy.
                    let used_later = l.mentions.iter().any(|m| {
                        m.kind != Use::Assign
                            && (m.pos > p || in_later_iteration(&site.loops, decl, m.pos))
                            && !other_branch(&m.path, &site.path)
                    });
                    if (l.has_init
                        || l.mentions
                            .iter()
                            .any(|m| m.kind == Use::Assign && m.pos < p))
                        && (!consumed || used_later)
                        && !self.needs_rename.contains(&shadowing)
                    {
                        self.needs_rename.push(shadowing);
                    }
                    // No name reaches it any more, so the expansion cannot move it into the
                    // state: it is dropped at the suspension instead of at the end of its scope
                    // (a known difference from rustc, which keeps it in the coroutine).
                    // Moved before, and assigned again once the shadowing has ended (`p = 'b: {
                    // let p = f(p).await; .. };`): declared without a value where the state
                    // resumes, for that assignment (it named nothing there: E0425, or the
                    // fn's argument, which the machine's closure had captured).
                    if consumed
                        && !used_later
                        && l.mentions.iter().any(|m| {
                            m.kind == Use::Assign && m.pos > p && !other_branch(&m.path, &site.path)
                        })
                    {
                        declared_only.push(id);
                    }
                    continue;
                }
                // Position `q` runs after the site: later in the text, or in a later iteration of
                // a loop around the site that the local outlives.
                let in_loop = |q: usize| in_later_iteration(&site.loops, decl, q);
                let after = |q: usize| q > p || in_loop(q);
                // A mention in another arm of a `match` (or branch of an `if`) around the site
                // runs neither before nor after it, unless a loop brings it round again.
                let reaches = |m: &MentionAt| !other_branch(&m.path, &site.path) || in_loop(m.pos);
                // The first mention after the site is an assignment that runs whenever the
                // site's statement completes (a later statement of a block around it): every
                // later use, in this iteration or the next, reads the new value.
                let first_after = l
                    .mentions
                    .iter()
                    .filter(|m| m.pos > p)
                    .min_by_key(|m| m.pos);
                // (Not after a loop around the site that the local outlives: its next iteration
                // comes first, `loop { f(n).await; } n = 5;`.)
                let past_a_loop = |q: usize| (site.loops.iter()).any(|&(s, e)| decl < s && e < q);
                let overwritten = first_after.is_some_and(|m| {
                    m.kind == Use::Assign
                        && !m.conditional
                        && straight_after(&self.root, &m.path, &site.path)
                        && !past_a_loop(m.pos)
                });
                let used_after = site.fut_refs.contains(&id)
                    || (l.pin && site.receivers.contains(&id))
                    || (!overwritten
                        && l.mentions
                            .iter()
                            .any(|m| m.kind != Use::Assign && after(m.pos) && reaches(m)));
                let mut consumed_before = l.mentions.iter().enumerate().any(|(i, m)| {
                    m.kind == Use::Move
                        && decl < m.pos
                        && m.pos <= p
                        && reaches(m)
                        && !put_backs[id].iter().any(|&(j, r)| j == i && r < p)
                        && !reassigned_after(m.pos)
                });
                // `p = p.advance().await`: a method on `p` whose result replaces `p` takes it by
                // value; the old `p` is not needed after the `.await`. (Not when the assignment
                // may not run: `if a > xs[best].get().await { best = i; }`.)
                let next = l
                    .mentions
                    .iter()
                    .filter(|m| m.pos > p)
                    .min_by_key(|m| m.pos);
                let moved_by_fut = site
                    .fut_mentions
                    .iter()
                    .any(|&(m, kind)| m == id && kind == Use::Move);
                // (Only in the assignment whose value the `.await` gives: after `let n =
                // f(g.val()).await; g = make();` rustc drops the old `g` at the assignment.)
                let replaced = (site.receivers.contains(&id) || moved_by_fut)
                    && next.is_some_and(|m| {
                        m.kind == Use::Assign
                            && !m.conditional
                            && !past_a_loop(m.pos)
                            && assigns_the_awaited_value(&self.root, &site.path, &m.path)
                    });
                if replaced {
                    consumed_before = true;
                }
                // Moved on some paths to the site only (`if c { drop(g) }`): rustc keeps it with
                // a drop flag and drops it at the end of its scope when it is still there. A
                // fixed home's handle carries that flag.
                if consumed_before
                    && !replaced
                    && !used_after
                    && !l.anchored
                    && l.anchorable
                    && !l.trivial_drop
                    && !l.surely_copy
                    && !l.synthetic
                    && !self.anchor_requests.contains(&id)
                {
                    // (A move inside a branch of a plain statement, `if c { drop(g) }` with no
                    // `.await` in it, is recorded at that statement: it counts only when it runs
                    // whenever the statement does.)
                    let moves: Vec<&[Step]> = l
                        .mentions
                        .iter()
                        .filter(|m| {
                            m.kind == Use::Move && decl < m.pos && m.pos <= p && !m.conditional
                        })
                        .map(|m| &m.path[..])
                        .collect();
                    let only_way = |at: &[Step], c: usize| only_way_past(&self.root, at, c);
                    // A `match` every arm of which moves it (or leaves) moves it surely too
                    // (`match input { Tick(t) => .., Load(path) => .., Quit => return }`).
                    let every_arm_moves = |m: &[Step]| {
                        let [construct @ .., Step::Child(_)] = m else {
                            return false;
                        };
                        every_arm(&self.root, construct, &|k| {
                            moves.iter().any(|at| {
                                at.len() == construct.len() + 1
                                    && at.starts_with(construct)
                                    && at[construct.len()] == Step::Child(k)
                            })
                        }) && runs_before(construct, &site.path, &only_way)
                    };
                    let surely_moved = moves
                        .iter()
                        .any(|m| runs_before(m, &site.path, &only_way) || every_arm_moves(m));
                    // Moved, then assigned again before the site on some paths only (`drop(g);
                    // .. if c { g = make(); }`, the assignment `reassigned_after` does not count):
                    // it may hold a value again, which rustc drops at the end of its scope.
                    // (Or later in a loop around the site, which the next iteration reaches
                    // when nothing in the loop moves it before the site: `drop(g); loop {
                    // f().await; g = make(); }` holds `g` at the second `.await`.)
                    let via_back_edge = |a: &MentionAt| {
                        site.loops.iter().any(|&(s, e)| {
                            decl < s
                                && p < a.pos
                                && a.pos <= e
                                && !l
                                    .mentions
                                    .iter()
                                    .any(|m| m.kind == Use::Move && s <= m.pos && m.pos <= p)
                        })
                    };
                    let maybe_reassigned = l.mentions.iter().any(|a| {
                        a.kind == Use::Assign
                            && ((a.pos <= p && reaches(a)) || via_back_edge(a))
                            && l.mentions
                                .iter()
                                .any(|m| m.kind == Use::Move && decl < m.pos && m.pos <= a.pos)
                    });
                    if !surely_moved || maybe_reassigned {
                        self.anchor_requests.push(id);
                    }
                }
                // A fixed home's handle has a drop flag: keep it whatever moved before, unless its
                // one move (`v.into_iter()` as its last use) surely ran: then it has nothing
                // left to drop.
                // (And it ran before every later site the local is in scope at: where the move
                // is in a branch, a site after the branches join keeps the handle, and so every
                // state that leads there does.)
                let only_way = |at: &[Step], c: usize| only_way_past(&self.root, at, c);
                let surely_taken = l.moved_last
                    && l.mentions.iter().any(|m| {
                        m.kind == Use::Move
                            && m.pos < p
                            && !m.conditional
                            && runs_before(&m.path, &site.path, &only_way)
                            && all_sites.iter().all(|(q, path, in_scope)| {
                                *q < m.pos
                                    || !in_scope.contains(&id)
                                    || runs_before(&m.path, path, &only_way)
                            })
                    });
                if l.anchored && !surely_taken {
                    consumed_before = false;
                }
                let used_after = used_after && !replaced;
                // An assignment before the site initialises the local there unless it happens in
                // another branch of an `if`/`match` that the site is in (`if c { s = a; } else
                // { b.await; }`).
                let initialised = l.has_init
                    || l.assignments
                        .iter()
                        .any(|(q, at)| *q <= p && !other_branch(at, &site.path));
                if initialised && (used_after || (!consumed_before && !l.trivial_drop)) {
                    stored.push(id);
                } else if l.mentions.iter().any(|m| {
                    // (Not for an assignment that only a later `.await` in the very next
                    // statement reaches, `let p = f(p).await; g().await; p = 1;`: that site
                    // declares it; here it would be declared and never given a value, and its
                    // type could not be inferred, E0282. Not one further on, which a `break`
                    // in between may skip: `if c { break 'b x.await; } g().await;`.)
                    m.kind == Use::Assign
                        && after(m.pos)
                        && reaches(m)
                        && !(m.pos > p
                            && all_sites.iter().any(|(q, path, _)| {
                                p < *q && *q < m.pos && next_statement(path, &site.path)
                            }))
                }) {
                    declared_only.push(id);
                }
            }
            // A local that a kept local borrows must be kept too, even when it has nothing to
            // drop and no later use of its own (`let n = 0; let r = &n;`).
            for b in &self.borrows {
                if stored.contains(&b.borrower)
                    && !stored.contains(&b.borrowed)
                    && site.in_scope.contains(&b.borrowed)
                    && self.locals[b.borrowed].has_init
                {
                    stored.push(b.borrowed);
                }
            }
            // A local kept across this `.await` after a part of it was moved out (`consume(p.a)`)
            // cannot move into the state ("use of partially moved value"): it gets a fixed home,
            // whose handle drops the rest at the end of its scope, as rustc does.
            for &id in &stored {
                let l = &self.locals[id];
                let decl = l.decl_pos;
                let parted = l.mentions.iter().enumerate().any(|(i, m)| {
                    m.kind == Use::Part
                        && decl < m.pos
                        && (m.pos <= p || in_later_iteration(&site.loops, decl, m.pos))
                        && !part_copied(l, i)
                });
                if parted && !l.anchored && !self.anchor_requests.contains(&id) {
                    self.anchor_requests.push(id);
                }
            }
            // The awaited future may keep a borrow it got through another local (`if let Some(s)
            // = &item { check(s).await }`): the local borrowed stays put while the future lives.
            for &(r, _) in &site.fut_mentions {
                for b in &self.borrows {
                    let v = &self.locals[b.borrowed];
                    if b.borrower == r
                        && stored.contains(&b.borrowed)
                        && v.anchorable
                        && !v.anchored
                        && !self.anchor_requests.contains(&b.borrowed)
                    {
                        self.anchor_requests.push(b.borrowed);
                    }
                }
            }
            stored.sort_by_key(|id| site.in_scope.iter().position(|x| x == id));
            // The locals the future borrows where they lie in the state: it is made after
            // they are stored. A use by value of a local kept across the `.await` is a copy
            // (were it a move, the later use would be rustc's E0382), and an assignment runs
            // before the future exists: with only those, the future is made first, from the
            // locals themselves, and takes its own copies. (A use inside an `async` block or
            // closure that is not `move` borrows.) Once one local is borrowed in the state,
            // every stored local the expression names is reached there.
            let in_state = |id: &LocalId| stored.contains(id) && !self.locals[*id].anchored;
            // A shared reference argument the future reaches through (`client.get(..)`) is
            // copied, not borrowed: the reborrow lives as long as the pointee. (Were a method
            // to borrow the argument itself, moving it into the state after making the future
            // would be rustc's E0505, not a silent difference.)
            let through =
                |id: &LocalId| !self.locals[*id].shared_reference || site.fut_refs.contains(id);
            let borrows_any = site.fut_mentions.iter().any(|&(id, kind)| {
                in_state(&id)
                    && through(&id)
                    && (kind != Use::Move || site.fut_refs.contains(&id))
                    && kind != Use::Assign
            });
            let mut borrowed: Vec<LocalId> = if borrows_any {
                site.fut_mentions
                    .iter()
                    .map(|&(id, _)| id)
                    .filter(|id| in_state(id) && through(id))
                    .collect()
            } else {
                Vec::new()
            };
            borrowed.sort();
            borrowed.dedup();
            // The awaited value may keep the borrow the future was given (`let r =
            // id(&v).await;`, `let guard = m.lock().await;`): a local the future uses as a place
            // must not move when the state resumes, so it gets a fixed home. Syntax cannot tell
            // whether the output borrows, so every place use counts.
            let polled_in_place = polled_in_place(&site.fut);
            for &id in &borrowed {
                let l = &self.locals[id];
                if polled_in_place == Some(&l.ident) {
                    continue;
                }
                // (Through a reference argument, `self.buf.len()`, the future reaches what it
                // points to, which does not move; only `&r` itself borrows the argument.)
                let as_place = if l.reference {
                    site.fut_refs.contains(&id)
                } else {
                    site.fut_keeps.contains(&id)
                };
                if !as_place {
                    continue;
                }
                if !l.anchorable {
                    let span = ident_span_in(quote::ToTokens::to_token_stream(&site.fut), &l.ident)
                        .unwrap_or_else(|| syn::spanned::Spanned::span(&site.fut));
                    return Err(crate::error::Error::new(
                        span,
                        format!(
                            "this `.await` borrows `{}`, and the value it gives back may keep \
                             that borrow: #[state_machine] must then keep `{}` in a fixed home, \
                             which it can do only for a local a name binds by value, not by \
                             `ref` (`let x = ..;`, an argument, a `match` arm, an `if let`); \
                             bind it on its own first (`let {} = {};`) or pass a clone",
                            l.written, l.written, l.written, l.written
                        ),
                    ));
                }
                if !self.anchor_requests.contains(&id) {
                    self.anchor_requests.push(id);
                }
            }
            for b in &self.borrows {
                if stored.contains(&b.borrower) && stored.contains(&b.borrowed) {
                    let v = &self.locals[b.borrowed];
                    if v.anchored {
                        continue;
                    }
                    if v.anchorable {
                        if !self.anchor_requests.contains(&b.borrowed) {
                            self.anchor_requests.push(b.borrowed);
                        }
                        continue;
                    }
                    // (A borrow syntax only suspects, `Cursor::new(&mut v)`: were it real,
                    // rustc says so, E0505.)
                    if b.maybe {
                        continue;
                    }
                    let (r, v) = (&self.locals[b.borrower], &self.locals[b.borrowed]);
                    let by = if r.synthetic && r.ident.to_string().starts_with("iter") {
                        "the iterator of this `for` loop".to_string()
                    } else if r.synthetic {
                        "a temporary of this statement".to_string()
                    } else {
                        format!("`{}`", r.ident)
                    };
                    let what = if v.synthetic {
                        "the awaited value".to_string()
                    } else {
                        format!("`{}`", v.ident)
                    };
                    return Err(crate::error::Error::new(
                        b.span,
                        format!(
                            "{} stays borrowed by {} across an `.await`: #[state_machine] keeps \
                             such a local in a fixed home only when a name binds it by value, \
                             not by `ref` (`let x = ..;`, `let (a, b) = ..;`, an argument, a \
                             `for` loop's item, a `match` arm, an `if let`); bind it on its own \
                             (`let x = ..;`), clone it, or end the borrow before the `.await`",
                            what, by
                        ),
                    ));
                }
            }
            site.stored = stored;
            site.declared_only = declared_only;
            site.borrowed = borrowed;
        }
        Ok(())
    }
}

/// For each binding of an arm's pattern (in `pat_bindings` order): can it get a fixed home? Yes
/// for a by-value binding (`x`, `mut x`, `all @ Some(_)`): the home is made at the top of the
/// arm's block from the binding (after the guard, which reads the binding itself; with `|`,
/// every alternative binds the same local).
fn arm_bindings_anchorable(pat: &Pat) -> Vec<bool> {
    mentions::binding_idents(pat)
        .iter()
        .map(|i| i.by_ref.is_none())
        .collect()
}

/// `e` without the parentheses around it (`(1u8)`, a temporary the normaliser names).
fn unparen(mut e: &Expr) -> &Expr {
    while let Expr::Paren(p) = e {
        e = &p.expr;
    }
    e
}

/// The bindings of `pat` inside a reference pattern (`&n`, `&(a, ref b)`): each is a copy, or a
/// reference, so surely `Copy`.
fn bindings_under_a_reference(pat: &Pat) -> Vec<Ident> {
    struct Under(usize, Vec<Ident>);
    impl<'ast> syn::visit::Visit<'ast> for Under {
        fn visit_pat_reference(&mut self, p: &'ast syn::PatReference) {
            self.0 += 1;
            syn::visit::visit_pat_reference(self, p);
            self.0 -= 1;
        }
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            if self.0 > 0 && crate::mentions::looks_like_binding(p) {
                self.1.push(p.ident.clone());
            }
            syn::visit::visit_pat_ident(self, p);
        }
    }
    let mut v = Under(0, Vec::new());
    syn::visit::Visit::visit_pat(&mut v, pat);
    v.1
}
