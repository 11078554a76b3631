//! Join points: one copy of the code that follows a construct that suspends.
//!
//! Without them, the code after `if c { a.await } else { b.await }` is written three times:
//! in the forward code and in the resume arm of each `.await` (each arm runs "the rest of the
//! function from there"). With a join point, every path that reaches the end of the construct
//! leaves the state's `match` with the locals still alive and the construct's value,
//! through `break 'join (locals.., value)`, and the code after the construct is written once,
//! after the `match`:
//!
//! ```text
//! 'poll: loop {
//!     'later: {
//!         let (g, value) = 'join: {
//!             'start: { if let State::Start { .. } = &mut *state { ..; let value = if c { .. } else { .. }; break 'join (g, value); } }
//!             'await_a: { if let State::AwaitA { fut, .. } = &mut *state { /* poll */ ..; let value = { .. }; break 'join (g, value); } }
//!             'await_b: { if let State::AwaitB { fut, .. } = &mut *state { .. } }
//!             break 'later;
//!         };
//!         /* the code after the `if`, once */
//!     }
//!     /* the states that code makes first (rustc infers types in the order of the text) */
//! }
//! ```
//!
//! The locals go through the `break` on the stack, never through the state: the state's
//! variants (and so the future's size and auto traits) are those of the suspension points only.
//!
//! A construct gets a join point only when every path can hand over the same locals in the same
//! condition. Otherwise its continuation is written once per path, as before:
//! * the locals declared outside it that a suspension inside keeps must be the same at every
//!   suspension inside it, and none of them may be moved inside it, nor a local declared without
//!   a value be assigned there (syntax could not tell which path left which of them
//!   initialised). A local "moved" inside that is never assigned and is used after the
//!   construct was copied (`flush(seen).await; .. seen.min(limit)`): rustc would reject the use;
//! * two paths or more must reach its end (two `.await`s inside, or one and the forward code),
//!   and what follows must be more than the end of a block whose construct has a join point;
//! * no `break`/`continue` inside it may leave it (the code it jumps to is not written in the
//!   arms that stop at the join point);
//! * a plain block in tail position keeps its continuation (edition 2021 drops its tail's
//!   temporaries at the end of the enclosing statement, which a `let` would move earlier).
//!
//! The forward code (and the code after another join point) also breaks to the join point when
//! the locals in scope that it does not hand over have nothing to drop there: moved before the
//! construct (or by the construct's header, or by a statement of a plain block construct),
//! declared without a value, or bound to a reference or literal. Otherwise it runs on through the
//! construct as before, which keeps each local's drop where rustc puts it.
//!
//! Join points are numbered in the order their constructs end (post-order), and each one's
//! labelled block encloses those before it: the code after a construct can only reach the end of
//! constructs that end later, so it can break to their join points and never to an earlier one.

use crate::ir::{
    ArmBody, Bind, BlockId, BlockIr, Body, Construct, Else, IfIr, LocalId, Step, StmtIr, children,
    other_branch, runs_before,
};
use crate::lower::{breaks_to, diverges};
use crate::mentions::Use;
use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use std::collections::HashSet;
use syn::Lifetime;

pub struct Join {
    /// The construct's statement: `block`'s statement `idx`.
    pub block: BlockId,
    pub idx: usize,
    /// The path from the root block down to the construct's statement.
    pub path: Vec<Step>,
    /// The locals declared outside the construct and alive at its end, in declaration order.
    pub pass: Vec<LocalId>,
    /// Locals declared outside it that were moved before it and are assigned after it.
    pub declared: Vec<LocalId>,
    /// The forward code may break here too (see the module doc).
    pub forward: bool,
    /// The construct's value is used (`let x = match ..`, or a block's tail).
    pub value: bool,
    /// The construct is its block's last statement, and that block is a loop's body.
    last: bool,
    in_loop_body: bool,
}

/// The join points of the body, in post-order.
pub fn find(body: &Body) -> Vec<Join> {
    let mut out = Vec::new();
    walk_in(
        body,
        &body.root,
        false,
        Mode::End,
        &mut Vec::new(),
        &mut out,
    );
    // A construct that ends a block whose own construct has a join point needs none: what
    // follows it is only that block's end (unless the block is a loop's body, whose end is the
    // next iteration).
    let parents: Vec<Vec<Step>> = out.iter().map(|j| j.path.clone()).collect();
    out.retain(|j| {
        let [outer @ .., Step::Child(_), Step::Stmt(_)] = &j.path[..] else {
            return true;
        };
        !(j.last && !j.in_loop_body && parents.iter().any(|p| p == outer))
    });
    out
}

/// The loops whose head is written once, in an arm of its own (see `Head` in `lower.rs`):
/// those with two `.await`s or more inside, which hand over the same locals at each and
/// could have a join point at their end by the rules above. Without it, the loop's header and
/// the rest of its body up to the first `.await` are written once more in each resume arm
/// inside it (each arm runs "the rest of the iteration, then the loop again"). In post-order.
pub fn heads(body: &Body) -> Vec<Join> {
    let mut out = Vec::new();
    walk_in(
        body,
        &body.root,
        false,
        Mode::Head,
        &mut Vec::new(),
        &mut out,
    );
    out
}

/// What `walk_in` looks for: join points at the end of constructs, or loop heads.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    End,
    Head,
}

/// Finds the join points (or loop heads) inside block `b` (at `path`); returns the ids of `b`
/// and of every block nested in it.
fn walk_in(
    body: &Body,
    b: &BlockIr,
    loop_body: bool,
    mode: Mode,
    path: &mut Vec<Step>,
    out: &mut Vec<Join>,
) -> Vec<BlockId> {
    let mut blocks = vec![b.id];
    for (idx, s) in b.stmts.iter().enumerate() {
        let StmtIr::Construct { bind, construct } = s else {
            continue;
        };
        path.push(Step::Stmt(idx));
        let mut inner = Vec::new();
        for (c, child) in children(construct).into_iter().enumerate() {
            if let Some(child) = child {
                path.push(Step::Child(c));
                let is_loop = matches!(construct, Construct::Loop { .. });
                inner.extend(walk_in(body, child, is_loop, mode, path, out));
                path.pop();
            }
        }
        let tail = idx + 1 == b.stmts.len() && matches!(bind, Bind::Expr { semi: false });
        let wanted = mode == Mode::End || matches!(construct, Construct::Loop { .. });
        if wanted
            && let Some(mut join) =
                consider(body, b.id, idx, path, bind, construct, tail, &inner, mode)
        {
            join.last = idx + 1 == b.stmts.len();
            join.in_loop_body = loop_body;
            out.push(join);
        }
        path.pop();
        blocks.extend(inner);
    }
    blocks
}

#[allow(clippy::too_many_arguments)]
fn consider(
    body: &Body,
    block: BlockId,
    idx: usize,
    path: &[Step],
    bind: &Bind,
    construct: &Construct,
    tail: bool,
    inner: &[BlockId],
    mode: Mode,
) -> Option<Join> {
    if tail && matches!(construct, Construct::Block(_)) {
        return None;
    }
    let sites: Vec<_> = body
        .sites
        .iter()
        .filter(|s| s.path.len() > path.len() && s.path.starts_with(path))
        .collect();
    let first = sites.first()?;
    // Worth it only when two paths or more reach the end: two `.await`s inside, or one and the
    // forward code that may get past the construct without suspending. A loop's head is
    // reached from its entry and from the end of the iteration after each `.await` inside.
    // A loop with one `.await` also needs one when a closure bound inside it is kept across
    // it: written twice, it would be two closure types.
    // A loop's head costs a state of its own and a hand-over at each way in: worth it when two
    // `.await`s or more can each go on to the next iteration (each one's arm would write the
    // loop again), or when a closure bound inside the loop is kept across an `.await`
    // (written twice, it would be two closure types).
    let paths = match mode {
        Mode::End => sites.len() + usize::from(!always_suspends(construct)),
        Mode::Head => {
            let closure_kept = sites.iter().flat_map(|s| &s.stored).any(|&id| {
                let l = &body.locals[id];
                l.closure_at.is_some() && inner.contains(&l.block)
            });
            let back_edges = sites
                .iter()
                .filter(|s| !suspends_after(body, &s.path, path.len()))
                .count();
            if closure_kept { 2 } else { back_edges }
        }
    };
    if paths < 2 {
        return None;
    }
    // The positions inside the construct; what comes after the last in the text runs after it.
    let inside: Vec<usize> = body
        .locals
        .iter()
        .flat_map(|l| &l.mentions)
        .filter(|m| m.path.starts_with(path))
        .map(|m| m.pos)
        .chain(sites.iter().map(|s| s.pos))
        .collect();
    let first_inside = inside.iter().copied().min().unwrap_or(0);
    let last_inside = inside.iter().copied().max().unwrap_or(0);
    // A local with nothing to drop that nothing mentions or keeps after the construct (nor
    // again in a loop around it) is dead at its end: a suspension inside may keep it for later inside,
    // another not, and neither hands it over. (Looked at only where one copy of what follows
    // is needed: a closure or `async` block bound there and kept across an `.await` is a type
    // of its own in each copy. Elsewhere a short continuation reads better written twice.)
    let closure_after = body.locals.iter().enumerate().any(|(id, l)| {
        l.closure_at.is_some()
            && l.decl_pos > last_inside
            && body.sites.iter().any(|s| s.stored.contains(&id))
    });
    let dead_after = |id: &LocalId| {
        let l = &body.locals[*id];
        mode == Mode::End
            && closure_after
            && (l.trivial_drop || l.surely_copy)
            && !(first.loops.iter()).any(|&(s, _)| l.decl_pos < s && s <= first_inside)
            && l.mentions
                .iter()
                .all(|m| m.path.starts_with(path) || m.pos < first_inside)
            && !(body.sites.iter()).any(|s| s.pos > last_inside && s.stored.contains(id))
    };
    let outer = |id: &LocalId| !inner.contains(&body.locals[*id].block) && !dead_after(id);
    let pass: Vec<LocalId> = first.stored.iter().copied().filter(outer).collect();
    let declared: Vec<LocalId> = first.declared_only.iter().copied().filter(outer).collect();
    let same = |a: &[LocalId], b: Vec<LocalId>| {
        let a: HashSet<_> = a.iter().collect();
        let b: HashSet<_> = b.iter().collect();
        a == b
    };
    for s in &sites[1..] {
        if !same(&pass, s.stored.iter().copied().filter(outer).collect())
            || !same(
                &declared,
                s.declared_only.iter().copied().filter(outer).collect(),
            )
        {
            return None;
        }
    }
    let in_scope: Vec<LocalId> = first.in_scope.iter().copied().filter(outer).collect();
    // Nothing handed over is moved inside (its header included), and nothing declared without a
    // value is assigned there: either would leave it initialised on some paths only. (Assigning
    // to a local that has a value keeps it initialised.)
    let changed_inside = |id: LocalId, kinds: &[Use]| {
        let l = &body.locals[id];
        l.mentions
            .iter()
            .any(|m| kinds.contains(&m.kind) && m.path.starts_with(path))
    };
    // A local "moved" inside that is never assigned and is still used after the construct was
    // not moved (it is `Copy`: `flush(seen).await; .. seen.min(limit)`), or the user's code would
    // not compile.
    // (Not a part moved inside: another part may still be used after it, `consume(p.0); ..
    // p.1`, and the rest is not whole, so it cannot be handed over.)
    let used_later = |id: LocalId| {
        let l = &body.locals[id];
        !l.mentions.iter().any(|m| m.kind == Use::Assign)
            && !changed_inside(id, &[Use::Part])
            && l.mentions.iter().any(|m| {
                m.kind != Use::Assign
                    && m.pos > last_inside
                    && !m.path.starts_with(path)
                    && !other_branch(&m.path, path)
            })
    };
    // (Nor an argument of a type that is surely `Copy`, `n: u32`.)
    // Likewise a local "moved" inside a loop, never assigned, that the loop mentions before
    // that move: the next iteration reads it again (`loop { i += 1; f(i).await; }`).
    let copied_in_loop = |id: LocalId| {
        let l = &body.locals[id];
        let inside = |m: &&crate::ir::MentionAt| m.path.starts_with(path);
        let first_move = l
            .mentions
            .iter()
            .filter(inside)
            .filter(|m| matches!(m.kind, Use::Move | Use::Part))
            .map(|m| m.pos)
            .min();
        matches!(construct, Construct::Loop { .. })
            && !l.mentions.iter().any(|m| m.kind == Use::Assign)
            && first_move.is_some_and(|first| {
                (l.mentions.iter().filter(inside))
                    .any(|m| !matches!(m.kind, Use::Move | Use::Part) && m.pos < first)
            })
    };
    // A local moved before the construct and given a value again inside it has one after it
    // on some paths only (`g.into_val(); if c { g = make(); f().await; }`): not handed over.
    let assigned_inside_after_a_move = |id: LocalId| {
        let l = &body.locals[id];
        !l.anchored
            && changed_inside(id, &[Use::Assign])
            && l.mentions.iter().any(|m| {
                matches!(m.kind, Use::Move | Use::Part)
                    && m.pos < first_inside
                    && !m.path.starts_with(path)
            })
    };
    // (At a loop's head, a local handed over and moved inside the loop is initialised again
    // at the end of each iteration that goes on, or it is `Copy`: rustc rejects a value moved
    // "in a previous iteration of the loop".)
    // (A local in a fixed home is handed over as its handle, which stays where it is when
    // the value moves out: the home's drop flag says whether it is still there.)
    if pass.iter().any(|&id| {
        mode == Mode::End
            && !body.locals[id].anchored
            && !body.locals[id].surely_copy
            && changed_inside(id, &[Use::Move, Use::Part])
            && !used_later(id)
            && !copied_in_loop(id)
    }) || declared
        .iter()
        .any(|&id| changed_inside(id, &[Use::Move, Use::Part, Use::Assign]))
        || pass.iter().any(|&id| assigned_inside_after_a_move(id))
    {
        return None;
    }
    // One name per local handed over (a pattern cannot bind a name twice).
    let mut names = HashSet::new();
    if !pass
        .iter()
        .all(|&id| names.insert(body.locals[id].ident.to_string()))
    {
        return None;
    }
    if leaves(construct, body) {
        return None;
    }
    let forward = !tail
        && in_scope.iter().all(|id| {
            let l = &body.locals[*id];
            pass.contains(id)
                || declared.contains(id)
                || l.trivial_drop
                || moved_before(&body.root, l, path, plain_header(construct))
                || moved_in_block(l, path, construct)
        });
    // A tail loop's value is `()` and has no temporaries: it joins like a statement, but its
    // value is the block's.
    let forward = forward || (tail && matches!(construct, Construct::Loop { .. }));
    // The entry hands over the locals at the loop's head: each must have a value there. One
    // kept inside the loop and never assigned there has one (rustc accepted the body; a
    // "move" before the loop was a copy); one assigned inside must have been given a value
    // when declared and not be moved before the loop.
    let forward = forward
        && (mode == Mode::End
            || pass.iter().all(|&id| {
                let l = &body.locals[id];
                !changed_inside(id, &[Use::Assign])
                    || (l.has_init
                        && !l.mentions.iter().any(|m| {
                            matches!(m.kind, Use::Move | Use::Part)
                                && m.pos < first_inside
                                && !m.path.starts_with(path)
                        }))
            }));
    Some(Join {
        block,
        idx,
        path: path.to_vec(),
        pass,
        declared,
        forward,
        value: tail || matches!(bind, Bind::Let { .. }),
        last: false,
        in_loop_body: false,
    })
}

/// Does the construct's header (the mentions recorded at its own statement) run whole before
/// its end: a `match` scrutinee or the condition of an `if` without `else if` (whose later
/// conditions may not run)?
fn plain_header(c: &Construct) -> bool {
    match c {
        Construct::Match { .. } => true,
        Construct::If(i) => !matches!(i.else_, Some(Else::If(_))),
        Construct::Block(_) | Construct::Loop { .. } => false,
    }
}

/// Is the local surely moved by the end of the construct at `path`: by a statement that runs
/// unconditionally before it, in a block around it, by the header of a construct around it, or
/// by its own header when that runs whole (`header`)?
fn moved_before(root: &BlockIr, l: &crate::ir::Local, path: &[Step], header: bool) -> bool {
    l.mentions.iter().any(|m| {
        if m.kind != Use::Move || m.conditional {
            return false;
        }
        if m.path[..] == *path {
            return header;
        }
        // Not inside a construct of its own before this one, or inside one in a child that is
        // the only way past it (a plain block, the one arm that does not leave).
        runs_before(&m.path, path, &|at, c| {
            crate::ir::only_way_past(root, at, c)
        })
    })
}

/// Is the local surely moved inside the construct, when it is a plain block: by one of the
/// block's own statements (they all run, unless one leaves the function or suspends, and then
/// the block's end is not reached that way)?
fn moved_in_block(l: &crate::ir::Local, path: &[Step], c: &Construct) -> bool {
    let Construct::Block(b) = c else { return false };
    b.label.is_none()
        && l.mentions.iter().any(|m| {
            m.kind == Use::Move
                && !m.conditional
                && m.path.len() == path.len() + 2
                && m.path.starts_with(path)
                && m.path[path.len()] == Step::Child(0)
        })
}

/// Does a `break` or `continue` inside the construct leave it?
fn leaves(c: &Construct, body: &Body) -> bool {
    jumps_out(|ts, defined| collect(c, body, ts, defined))
}

/// Does a `break` or `continue` inside the block leave it?
pub fn block_leaves(b: &BlockIr, body: &Body) -> bool {
    jumps_out(|ts, defined| collect_block(b, body, ts, defined))
}

/// Does the code `collect` gathers jump to a label it does not define?
fn jumps_out(collect: impl FnOnce(&mut TokenStream, &mut HashSet<String>)) -> bool {
    let mut tokens = TokenStream::new();
    let mut defined = HashSet::new();
    collect(&mut tokens, &mut defined);
    let mut used = HashSet::new();
    scan(tokens, &mut defined, &mut used);
    used.iter().any(|l| !defined.contains(l))
}

/// The construct's user tokens (headers, plain statements, awaited expressions) and the labels
/// of its blocks and loops.
fn collect(c: &Construct, body: &Body, ts: &mut TokenStream, defined: &mut HashSet<String>) {
    match c {
        Construct::Block(_) => {}
        Construct::Loop { label, .. } => {
            defined.insert(label.ident.to_string());
        }
        Construct::If(i) => {
            let mut i: &IfIr = i;
            loop {
                i.cond.to_tokens(ts);
                match &i.else_ {
                    Some(Else::If(inner)) => i = inner,
                    _ => break,
                }
            }
        }
        Construct::Match {
            scrutinee, arms, ..
        } => {
            scrutinee.to_tokens(ts);
            for a in arms {
                a.pat.to_tokens(ts);
                if let ArmBody::Plain(e) = &a.body {
                    e.to_tokens(ts);
                }
            }
        }
    }
    for b in children(c).into_iter().flatten() {
        collect_block(b, body, ts, defined);
    }
}

fn collect_block(b: &BlockIr, body: &Body, ts: &mut TokenStream, defined: &mut HashSet<String>) {
    if let Some(l) = &b.label {
        defined.insert(l.ident.to_string());
    }
    for s in &b.stmts {
        match s {
            StmtIr::Plain(p) => p.to_tokens(ts),
            StmtIr::Await { site, .. } => body.sites[*site].fut.to_tokens(ts),
            StmtIr::Construct { construct, .. } => collect(construct, body, ts, defined),
        }
    }
}

/// Labels defined (`'a: loop`) and jumped to (`break 'a`, `continue 'a`) in plain tokens.
fn scan(ts: TokenStream, defined: &mut HashSet<String>, used: &mut HashSet<String>) {
    let tokens: Vec<TokenTree> = ts.into_iter().collect();
    for (i, tt) in tokens.iter().enumerate() {
        match tt {
            TokenTree::Ident(kw) if kw == "break" || kw == "continue" => {
                if let (Some(TokenTree::Punct(p)), Some(TokenTree::Ident(name))) =
                    (tokens.get(i + 1), tokens.get(i + 2))
                    && p.as_char() == '\''
                {
                    used.insert(name.to_string());
                }
            }
            TokenTree::Punct(p) if p.as_char() == '\'' => {
                if let (Some(TokenTree::Ident(name)), Some(TokenTree::Punct(colon))) =
                    (tokens.get(i + 1), tokens.get(i + 2))
                    && colon.as_char() == ':'
                {
                    defined.insert(name.to_string());
                }
            }
            TokenTree::Group(g) => scan(g.stream(), defined, used),
            _ => {}
        }
    }
}

/// Does the code after the `.await` at `site` surely suspend again before the end of the
/// block `depth` steps down its path (a loop's body, for the loop statement at `depth`): a
/// later statement of that block, or of a block inside it around the `.await`, is an
/// `.await` or a construct that always suspends?
fn suspends_after(body: &Body, site: &[Step], depth: usize) -> bool {
    let mut block = &body.root;
    let mut levels = Vec::new();
    for (i, pair) in site.chunks(2).enumerate() {
        let Step::Stmt(idx) = pair[0] else {
            return false;
        };
        levels.push((block, idx, 2 * i));
        if let [_, Step::Child(c)] = pair {
            let StmtIr::Construct { construct, .. } = &block.stmts[idx] else {
                return false;
            };
            match children(construct).get(*c) {
                Some(Some(b)) => block = b,
                _ => return false,
            }
        }
    }
    levels
        .iter()
        .rev()
        .take_while(|(_, _, at)| *at > depth)
        .any(|(block, idx, _)| {
            block.stmts[idx + 1..].iter().any(|s| match s {
                StmtIr::Await { .. } => true,
                StmtIr::Construct { construct, .. } => always_suspends(construct),
                StmtIr::Plain(_) => false,
            })
        })
}

/// Does every path through this construct reach a suspension (so code after it never runs in the
/// same arm)?
fn always_suspends(c: &Construct) -> bool {
    fn block(b: &BlockIr) -> bool {
        b.stmts.iter().any(|s| match s {
            StmtIr::Await { .. } => true,
            StmtIr::Construct { construct, .. } => always_suspends(construct),
            StmtIr::Plain(_) => false,
        })
    }
    fn if_ir(i: &IfIr) -> bool {
        block(&i.then)
            && match &i.else_ {
                Some(Else::Block(b)) => block(b),
                Some(Else::If(inner)) => if_ir(inner),
                None => false,
            }
    }
    match c {
        Construct::Block(b) => match &b.label {
            None => block(b),
            // A labelled block also completes through `break 'label` before its suspension.
            Some(label) => {
                let (breaks, suspends) = break_before_suspend(&b.stmts, label);
                suspends && !breaks
            }
        },
        Construct::If(i) => if_ir(i),
        Construct::Match { arms, .. } => {
            !arms.is_empty()
                && arms.iter().all(|a| match &a.body {
                    ArmBody::Block(b) => block(b),
                    ArmBody::Plain(e) => diverges(e),
                })
        }
        // Leaving a loop takes a `break`; if none comes before the body's first suspension,
        // the forward code never gets past the loop.
        Construct::Loop { label, body, .. } => {
            let (breaks, suspends) = break_before_suspend(&body.stmts, label);
            !breaks && suspends
        }
    }
}

/// Walks statements in order until the first sure suspension: did a `break 'label` come first
/// (anywhere on some path), and does every path suspend?
fn break_before_suspend(stmts: &[StmtIr], label: &Lifetime) -> (bool, bool) {
    for s in stmts {
        match s {
            StmtIr::Plain(p) => {
                if breaks_to(p.to_token_stream(), label) {
                    return (true, false);
                }
            }
            StmtIr::Await { .. } => return (false, true),
            StmtIr::Construct { construct, .. } => {
                let (breaks, suspends) = construct_break_before_suspend(construct, label);
                if breaks {
                    return (true, false);
                }
                if suspends {
                    return (false, true);
                }
            }
        }
    }
    (false, false)
}

fn construct_break_before_suspend(c: &Construct, label: &Lifetime) -> (bool, bool) {
    let all = |branches: Vec<(bool, bool)>| {
        let breaks = branches.iter().any(|b| b.0);
        let suspends = !branches.is_empty() && branches.iter().all(|b| b.1);
        (breaks, suspends)
    };
    match c {
        Construct::Block(b) => break_before_suspend(&b.stmts, label),
        Construct::Loop { body, .. } => (break_before_suspend(&body.stmts, label).0, false),
        Construct::If(i) => {
            let mut branches = Vec::new();
            let mut i: &IfIr = i;
            loop {
                if breaks_to(i.cond.to_token_stream(), label) {
                    return (true, false);
                }
                branches.push(break_before_suspend(&i.then.stmts, label));
                match &i.else_ {
                    Some(Else::Block(b)) => {
                        branches.push(break_before_suspend(&b.stmts, label));
                        break;
                    }
                    Some(Else::If(inner)) => i = inner,
                    None => {
                        branches.push((false, false));
                        break;
                    }
                }
            }
            all(branches)
        }
        Construct::Match { arms, .. } => all(arms
            .iter()
            .map(|a| match &a.body {
                ArmBody::Block(b) => break_before_suspend(&b.stmts, label),
                ArmBody::Plain(e) => (breaks_to(e.to_token_stream(), label), false),
            })
            .collect()),
    }
}
