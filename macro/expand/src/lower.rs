//! Step 3: generate the state machine.
//!
//! For every suspension point the lowering writes two pieces of code:
//!
//! * **suspend**: where the forward code reaches the `.await`, move the locals that live across it
//!   into a new enum variant together with the sub-future, and go poll it (`continue 'poll`);
//! * **resume**: the match arm of that variant: poll the sub-future in place; once it is ready,
//!   drop it where it lies, take the saved locals back out, and run *the rest of the function from
//!   that point*: the rest of the statement and of every enclosing block, `if` branch, `match` arm
//!   and loop iteration, rebuilt around the await's value (`out`). A suspension inside a loop
//!   resumes as "finish this iteration, then keep looping":
//!
//! ```text
//! 'l_done: {
//!     'l_iter: { /* rest of the iteration; `continue 'l` is `break 'l_iter` */ }
//!     'l: loop { /* the loop again */ }
//! }
//! ```
//!
//! Locals come back into scope at the block where they were declared, so they are dropped where
//! rustc drops them; the fields of each variant are listed in the order rustc drops them when the
//! future is dropped at that point (the sub-future first, then locals in reverse order).

use crate::ir::{
    ArmBody, Bind, BlockId, BlockIr, Body, Construct, Else, IfIr, LocalId, Site, SiteId, Step,
    StmtIr,
};
use crate::join::Join;
use crate::names::{Names, camel_case, snake_case};
use proc_macro2::{Ident, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote, quote_spanned};
use std::cell::{Cell, RefCell};
use syn::visit_mut::VisitMut;
use syn::{Expr, Lifetime, Pat, parse_quote};

/// What the generated code calls its own pieces.
pub struct GenNames {
    pub state_enum: Ident,
    pub state: Ident,
    pub cx: Ident,
    pub poll_label: Lifetime,
    pub out: Ident,
    pub fut: Ident,
    /// The support module, `::clockwork::machine` (see `runtime/src/machine`).
    pub machine: TokenStream,
    pub homes: Ident,
    pub slots: Ident,
}

impl GenNames {
    pub fn new(names: &mut Names, machine: TokenStream) -> Self {
        GenNames {
            state_enum: Ident::new(&names.fresh("State"), Span::call_site()),
            state: names.ident("state"),
            cx: names.ident("cx"),
            poll_label: Lifetime::new(&format!("'{}", names.fresh("poll")), Span::mixed_site()),
            out: names.ident("out"),
            fut: Ident::new("fut", Span::call_site()),
            machine,
            homes: names.ident("homes"),
            slots: names.ident("slots"),
        }
    }

    /// `::clockwork::machine::#item`.
    pub fn support(&self, item: &str) -> TokenStream {
        let machine = &self.machine;
        let item = Ident::new(item, Span::call_site());
        quote!(#machine::#item)
    }
}

/// One state of the machine, as the CLI describes it.
#[derive(Debug, Clone)]
pub struct StateInfo {
    pub name: String,
    /// The awaited expression (`read(&mut buf)`), or empty for `Start`.
    pub awaits: String,
    pub line: usize,
    pub column: usize,
    /// Locals (and arguments) held in this state, in declaration order.
    pub holds: Vec<String>,
    /// States the code can go to from here (`Done` when it can return).
    pub next: Vec<String>,
}

pub struct Generated {
    pub enum_def: TokenStream,
    pub driver: TokenStream,
    pub states: Vec<StateInfo>,
}

pub struct Gen<'a> {
    body: &'a Body,
    n: &'a GenNames,
    option_return: bool,
    ret_ty: Option<TokenStream>,
    /// Saved-local names for locals restored in nested blocks.
    saved: Vec<Ident>,
    /// The join points (`join.rs`), in post-order, with the label of each one's block.
    joins: Vec<Join>,
    join_labels: Vec<Lifetime>,
    /// The name of a construct's value on its way to a join point.
    join_value: Ident,
    /// The code being written may break to join points from this one on: all of them in the
    /// state's `match`, only later ones in the code after join point `j` (`j + 1`).
    min_join: Cell<usize>,
    /// Join points some code breaks to, in this run (only those get a labelled block).
    targeted: RefCell<Vec<bool>>,
    /// The loops whose head has an arm of its own (`join::heads`), in post-order, with the
    /// variant each one's arm takes (see `head_arm`).
    heads: Vec<Join>,
    head_variants: Vec<Ident>,
    /// The head whose own loop is being written (in its arm): that loop is not sent to it again.
    writing_head: Cell<Option<usize>>,
    /// The arm being written (0 for `Start`, `k + 1` for site `k`, `sites + 1 + h` for head
    /// `h`), when its states are polled one after the other (`if let` in order, see
    /// `generate`): a suspension to a later state falls through to that state's `if let`
    /// instead of going round the loop.
    current_arm: Cell<Option<usize>>,
    /// The label of each arm's block.
    arm_labels: Vec<Lifetime>,
    /// Each arm's place in the order the `if let`s are written: a loop's head comes just
    /// before the first `.await` inside it (its code makes that state first).
    rank: Vec<usize>,
    /// The arms that suspend to their own state again (a loop around one `.await`): their
    /// block is a `loop`, which they `continue`.
    self_loops: RefCell<Vec<bool>>,
    edges: RefCell<Vec<String>>,
    names: RefCell<&'a mut Names>,
    /// Locals with a fixed home (`anchor.rs`), by name.
    anchored: Vec<String>,
    /// Those of them no state holds (moved by an island that runs at once, in the code of
    /// one poll): their home is a slot in the poll function's frame, declared just before
    /// them, so that the future's type does not hold their type when rustc's does not. The
    /// others have a slot of `homes`, in the order of `anchored`.
    stack_homes: Vec<String>,
    /// Those of them the user did not declare `mut`: only ever borrowed shared.
    anchored_shared: Vec<String>,
    /// Anchored locals made by a literal, with its fields (see `Local::literal_fields`).
    anchored_owned: Vec<(String, Vec<String>)>,
    /// Anchored locals whose one move is their last mention (see `Local::moved_last`), or
    /// whose moves only assignments follow (`Local::taken_then_assigned`).
    anchored_moved_last: Vec<String>,
    /// Anchored locals whose one move, maybe conditional, is their last mention (see
    /// `Local::last_move_maybe`).
    anchored_last_move_maybe: Vec<String>,
    /// Anchored locals declared with neither a value nor a type (see `Local::untyped_later`).
    anchored_untyped: Vec<String>,
    /// Every local of the fn, by name (see `AnchorUses::locals`).
    local_names: Vec<String>,
    /// A type parameter per anchored local, for its handle when the handle's type names the
    /// closure that drops what is left after parts were moved out.
    handle_tys: Vec<(String, Ident)>,
    /// The first error found while writing the code.
    pub error: RefCell<Option<crate::error::Error>>,
    /// Anchored locals the body moves parts out of (`consume(p.a)`), with those parts (`a`),
    /// found by an earlier run: their handles carry a flag per part (see `set_parts`).
    parts: Vec<(String, Vec<String>)>,
    /// Per local: a state holds it as a `Held` (no bytes) instead of its home's handle (see
    /// `Gen::find_held`).
    held: Vec<bool>,
    /// The parts moved out of anchored locals, in this run: `(local, part)`.
    pub parted: RefCell<Vec<(String, String)>>,
    /// The closures bound by a `let`, once per copy written (see `check_closure_copies`).
    closure_copies: RefCell<Vec<String>>,
    /// Per site, how many places create its future, in this run (see `Self::copy_of`).
    pub futures_written: RefCell<Vec<usize>>,
    /// Per site, how many places an earlier run created its future in, when one of them makes
    /// a type of its own (an `async` block or a closure).
    pub futures_written_before: Vec<usize>,
}

fn line_col(span: Span) -> (usize, usize) {
    let lc = span.start();
    (lc.line, lc.column + 1)
}

impl<'a> Gen<'a> {
    pub fn new(
        body: &'a mut Body,
        n: &'a GenNames,
        names: &'a mut Names,
        option_return: bool,
        ret_ty: Option<TokenStream>,
    ) -> crate::error::Result<Self> {
        // Name fields, type parameters and variants.
        let mut fields = Names::from_tokens(TokenStream::new());
        fields.fresh("fut");
        let mut tys = Names::from_tokens(TokenStream::new());
        let mut saved = Vec::new();
        let mut handle_tys = Vec::new();
        let mut anchored = Vec::new();
        let mut anchored_shared = Vec::new();
        let mut anchored_owned = Vec::new();
        let mut anchored_moved_last = Vec::new();
        let mut anchored_last_move_maybe = Vec::new();
        let mut anchored_untyped = Vec::new();
        let local_names = body.locals.iter().map(|l| l.ident.to_string()).collect();
        for l in &mut body.locals {
            if l.anchored && (l.moved_last || l.taken_then_assigned) {
                anchored_moved_last.push(l.ident.to_string());
            }
            if l.anchored && l.last_move_maybe {
                anchored_last_move_maybe.push(l.ident.to_string());
            }
            if l.anchored && l.untyped_later {
                anchored_untyped.push(l.ident.to_string());
            }
            if l.anchored && !l.literal_fields.is_empty() {
                anchored_owned.push((l.ident.to_string(), l.literal_fields.clone()));
            }
            // (A reference argument may be `&mut T`: its methods reach `T` through `DerefMut`;
            // so may a binding matched through a `&mut`.)
            if l.anchored && !l.declared_mut && !l.reference && !l.through_mut_ref {
                anchored_shared.push(l.ident.to_string());
            }
            if l.anchored {
                // The handle is moved, assigned and dereferenced mutably.
                l.mutable = true;
                anchored.push(l.ident.to_string());
            }
            let base = l.ident.to_string();
            let base = base.trim_start_matches("r#");
            // A raw identifier (`r#type`) names a keyword: its field is `type_`.
            let base = if syn::parse_str::<Ident>(base).is_err() {
                format!("{base}_")
            } else {
                base.to_string()
            };
            let f = fields.fresh(&base);
            l.field = Ident::new(&f, Span::call_site());
            let t = camel_case(&f);
            let t = if t.is_empty() { "L".to_string() } else { t };
            l.ty = Ident::new(&tys.fresh(&t), Span::call_site());
            if l.anchored {
                // The type of the handle, when it names a closure (a home with parts moved out).
                let h = Ident::new(&tys.fresh(&format!("{t}Handle")), Span::call_site());
                handle_tys.push((l.ident.to_string(), h));
            }
            saved.push(names.ident(&format!("{f}_saved")));
        }
        let stack_homes = (body.locals.iter().enumerate())
            .filter(|(id, l)| l.anchored && !body.sites.iter().any(|s| s.stored.contains(id)))
            .map(|(_, l)| l.ident.to_string())
            .collect();
        let mut variants = Names::from_tokens(TokenStream::new());
        for w in ["Start", "Done", "Panicked"] {
            variants.fresh(w);
        }
        for (i, site) in body.sites.iter_mut().enumerate() {
            let v = variant_base(&site.fut);
            let mut name = format!("Await{v}");
            if variants.fresh(&name) != name {
                let mut k = 2;
                while variants.fresh(&format!("{name}{k}")) != format!("{name}{k}") {
                    k += 1;
                }
                name = format!("{name}{k}");
            }
            site.variant = Ident::new(&name, Span::call_site());
            site.fut_ty = Ident::new(&tys.fresh(&format!("Fut{i}")), Span::call_site());
        }
        let joins = crate::join::find(body);
        let join_labels = (0..joins.len())
            .map(|_| Lifetime::new(&format!("'{}", names.fresh("join")), Span::mixed_site()))
            .collect();
        let join_value = names.ident("value");
        let targeted = RefCell::new(vec![false; joins.len()]);
        let heads = crate::join::heads(body);
        let head_variants: Vec<Ident> = (0..heads.len())
            .map(|_| {
                let mut name = "LoopHead".to_string();
                let mut k = 2;
                while variants.fresh(&name) != name {
                    name = format!("LoopHead{k}");
                    k += 1;
                }
                Ident::new(&name, Span::call_site())
            })
            .collect();
        let arm_labels = std::iter::once("start".to_string())
            .chain(
                body.sites
                    .iter()
                    .map(|s| snake_case(&s.variant.to_string())),
            )
            .chain(head_variants.iter().map(|v| snake_case(&v.to_string())))
            .map(|n| Lifetime::new(&format!("'{}", names.fresh(&n)), Span::mixed_site()))
            .collect();
        // The `if let`s in order: `Start`, then the sites in the order of the text, each loop's
        // head (outer loops first) just before the first site inside it.
        let arms = body.sites.len() + 1 + heads.len();
        let mut order = vec![0];
        for (k, site) in body.sites.iter().enumerate() {
            let mut first_in: Vec<usize> = (0..heads.len())
                .filter(|&h| {
                    site.path.starts_with(&heads[h].path)
                        && !body.sites[..k]
                            .iter()
                            .any(|s| s.path.starts_with(&heads[h].path))
                })
                .collect();
            first_in.sort_by_key(|&h| heads[h].path.len());
            order.extend(first_in.iter().map(|h| body.sites.len() + 1 + h));
            order.push(k + 1);
        }
        let mut rank = vec![0; arms];
        for (r, &arm) in order.iter().enumerate() {
            rank[arm] = r;
        }
        Ok(Gen {
            joins,
            join_labels,
            join_value,
            min_join: Cell::new(0),
            targeted,
            writing_head: Cell::new(None),
            current_arm: Cell::new(None),
            self_loops: RefCell::new(vec![false; arms]),
            arm_labels,
            rank,
            heads,
            head_variants,
            body,
            n,
            option_return,
            ret_ty,
            saved,
            edges: RefCell::new(Vec::new()),
            names: RefCell::new(names),
            stack_homes,
            anchored,
            anchored_shared,
            anchored_owned,
            anchored_moved_last,
            anchored_untyped,
            anchored_last_move_maybe,
            local_names,
            handle_tys,
            error: RefCell::new(None),
            parts: Vec::new(),
            held: Vec::new(),
            parted: RefCell::new(Vec::new()),
            closure_copies: RefCell::new(Vec::new()),
            futures_written: RefCell::new(vec![0; body.sites.len()]),
            futures_written_before: Vec::new(),
        })
        .map(|mut g| {
            g.held = g.find_held();
            g
        })
    }

    /// The parts an earlier run found moved out of anchored locals (see `parts`).
    pub fn set_parts(&mut self, parts: Vec<(String, Vec<String>)>) {
        self.parts = parts;
        self.held = self.find_held();
    }

    /// Which anchored locals a state holds as a `Held`, with no handle: when the state is
    /// dropped wholesale (the future dropped half-way, a poll that panics), the machine drops
    /// the state and then clears the homes, last declared first (`Homes::clear`). That is
    /// rustc's order for a state's held locals only when it drops them last anyway: in every
    /// state that holds one, each local declared before it is held too, or has nothing to drop
    /// (a reference, a literal, an argument of a `Copy` type). A local with parts moved out,
    /// declared with neither a value nor a type, or homed in the poll's frame keeps its handle.
    fn find_held(&self) -> Vec<bool> {
        let locals = &self.body.locals;
        let mut held: Vec<bool> = (locals.iter())
            .map(|l| {
                let name = l.ident.to_string();
                l.anchored
                    && !l.untyped_later
                    && !self.stack_homes.contains(&name)
                    && self.parts_of(&name).is_none()
            })
            .collect();
        // (A dead closure is `trivial_drop` too, though it may own what it took by value.)
        let nothing_to_drop = |id: LocalId| {
            let l = &locals[id];
            l.pin || l.surely_copy || (l.trivial_drop && l.closure_at.is_none())
        };
        let states =
            (self.body.sites.iter().map(|s| &s.stored)).chain(self.heads.iter().map(|h| &h.pass));
        let states: Vec<&Vec<LocalId>> = states.collect();
        loop {
            let mut changed = false;
            for list in &states {
                // In declaration order: once a local that is neither held nor free of drops
                // is met, no later one with something to drop may be held. (Those free of
                // drops may drop anywhere.)
                let mut blocked = false;
                let mut last_held = None;
                for &id in list.iter().filter(|&&id| !nothing_to_drop(id)) {
                    if held[id] && (blocked || last_held.is_some_and(|h| h > id)) {
                        held[id] = false;
                        changed = true;
                    }
                    if held[id] {
                        last_held = Some(id);
                    } else {
                        blocked = true;
                    }
                }
            }
            if !changed {
                return held;
            }
        }
    }

    pub fn generate(&self) -> Generated {
        let n = self.n;
        let body = self.body;
        let state_enum = &n.state_enum;
        let state = &n.state;
        let cx = &n.cx;
        let poll_label = &n.poll_label;
        let fut = &n.fut;
        let out = &n.out;

        // --- the enum ---
        let mut variants = Vec::new();
        let mut states = Vec::new();

        let param_fields: Vec<TokenStream> = body
            .params
            .iter()
            .map(|&id| {
                let l = &body.locals[id];
                let (f, t) = (&l.field, &l.ty);
                quote!(#f: #t)
            })
            .collect();
        let start_doc = " Not polled yet: holds the arguments.";
        variants.push(quote! {
            #[doc = #start_doc]
            Start { #(#param_fields,)* }
        });
        let slot_ty = n.support("Slot");
        for site in &body.sites {
            let v = &site.variant;
            let ft = &site.fut_ty;
            let mut fields = vec![quote!(#fut: #slot_ty<#ft>)];
            fields.extend(site.stored.iter().rev().map(|&id| self.field_decl(id)));
            let (line, col) = line_col(site.await_span);
            let text = self.written_text(&site.fut);
            let holds: Vec<String> = site
                .stored
                .iter()
                .map(|&id| shown_name(&body.locals[id]))
                .collect();
            let held = if holds.is_empty() {
                String::new()
            } else {
                format!(
                    "; holds {}",
                    holds
                        .iter()
                        .map(|h| format!("`{h}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            let at = if line > 0 {
                format!(" (line {line})")
            } else {
                String::new()
            };
            let doc = match crate::island::macro_of(&site.fut) {
                Some(m) => {
                    let path = m.path.to_token_stream().to_string().replace(' ', "");
                    format!(" Waiting on `{path}!`, run as an `async` block{at}{held}.")
                }
                None => format!(" Waiting on `{text}.await`{at}{held}."),
            };
            variants.push(quote! {
                #[doc = #doc]
                #v { #(#fields,)* }
            });
            states.push(StateInfo {
                name: v.to_string(),
                awaits: text,
                line,
                column: col,
                holds,
                next: Vec::new(),
            });
        }
        for (h, head) in self.heads.iter().enumerate() {
            let v = &self.head_variants[h];
            let fields = head.pass.iter().rev().map(|&id| self.field_decl(id));
            let line = self.first_line_inside(&head.path);
            let doc = format!(
                " Not a suspension point: the head of the loop with the `.await` on line {line}, \
                 which its entry and the end of each iteration go to, so that the loop is \
                 written once. Left at once, in the same poll."
            );
            variants.push(quote! {
                #[doc = #doc]
                #v { #(#fields,)* }
            });
        }
        // Locals only ever stored in some variants still need their parameter declared once.
        let mut tys_decl = Vec::new();
        for &id in &body.params {
            tys_decl.push(body.locals[id].ty.clone());
        }
        for site in &body.sites {
            tys_decl.push(site.fut_ty.clone());
            for &id in &site.stored {
                let t = match self.partial_handle_ty(id) {
                    Some(h) => h.clone(),
                    None => body.locals[id].ty.clone(),
                };
                if !tys_decl.contains(&t) {
                    tys_decl.push(t);
                }
            }
        }
        let fn_doc = " The states of this `async fn`: one per `.await`, each holding the locals that live across it \
                      (in drop order); `Done` once it has returned, `Panicked` once a poll has panicked.";
        // When a sub-future borrows a local stored in the state, the tag must be a field of its
        // own: with a niche, reading the discriminant would read the bytes of the borrowed local
        // (Miri rightly calls that a conflicting access). Otherwise rustc picks the layout.
        let repr = if body.sites.iter().any(|s| !s.borrowed.is_empty()) {
            let ty = if body.sites.len() + 3 <= 256 {
                quote!(u8)
            } else {
                quote!(u32)
            };
            quote!(#[repr(#ty)])
        } else {
            TokenStream::new()
        };
        let enum_def = quote! {
            #[doc = #fn_doc]
            #[allow(dead_code)]
            #repr
            enum #state_enum<#(#tys_decl),*> {
                #(#variants,)*
                Done,
                Panicked,
            }
        };

        // --- the start value ---
        let param_inits: Vec<TokenStream> = body
            .params
            .iter()
            .zip(&body.param_names)
            .map(|(&id, name)| {
                let l = &body.locals[id];
                let f = &l.field;
                if f == name {
                    quote!(#name)
                } else {
                    quote!(#f: #name)
                }
            })
            .collect();

        // --- the arms ---
        let mut arms = Vec::new();
        {
            self.edges.borrow_mut().clear();
            // The arguments come out of the state inside the body's own block, so they are dropped
            // with the body's locals, as in rustc.
            let start_fields: Vec<(Ident, TokenStream)> = body
                .params
                .iter()
                .map(|&id| {
                    let l = &body.locals[id];
                    (l.field.clone(), binding(l))
                })
                .collect();
            let mut take_apart =
                self.take_apart(&Ident::new("Start", Span::call_site()), &start_fields);
            // A home's handle is a new binding: the arguments after the first one with a home are
            // bound again after it, so that they still drop before it, in reverse argument order.
            let mut homed = false;
            for &id in &body.params {
                let home = self.move_home(&body.locals[id].ident);
                if !home.is_empty() {
                    homed = true;
                    take_apart.extend(home);
                } else if homed {
                    let (b, name) = (binding(&body.locals[id]), &body.locals[id].ident);
                    take_apart.extend(quote!(let #b = #name;));
                }
            }
            self.current_arm.set(Some(0));
            let (code, diverges) = self.block_fwd(&body.root, &|_| take_apart.clone());
            self.current_arm.set(None);
            if !diverges {
                self.edge("Done");
            }
            let ready = self.ready(code, diverges);
            arms.push((quote!(#state_enum::Start { .. }), ready));
            let mut next = self.edges.borrow().clone();
            next.dedup();
            states.insert(
                0,
                StateInfo {
                    name: "Start".into(),
                    awaits: String::new(),
                    line: 0,
                    column: 0,
                    holds: body
                        .params
                        .iter()
                        .map(|&id| shown_name(&body.locals[id]))
                        .collect(),
                    next,
                },
            );
        }
        for (k, site) in body.sites.iter().enumerate() {
            self.edges.borrow_mut().clear();
            let v = &site.variant;
            // The arm is polled after the code of the join points that end before its
            // `.await` (see below): it may only break to later ones.
            let first_join = self
                .joins
                .iter()
                .rposition(|j| ends_before(&j.path, &site.path))
                .map_or(0, |j| j + 1);
            self.min_join.set(first_join);
            self.current_arm.set(Some(k + 1));
            let code = self.resume(k);
            self.current_arm.set(None);
            self.min_join.set(0);
            let safety = "// SAFETY: `state` lies in the pinned `StateMachine` and is not replaced \
                          while `fut` holds a future: `fut` stays where it was first polled.";
            arms.push((
                quote!(#state_enum::#v { #fut, .. }),
                quote! {
                    #[doc = #safety]
                    let #out = ::core::task::ready!(unsafe { #fut.poll(#cx) });
                    #code
                },
            ));
            let mut next = self.edges.borrow().clone();
            next.dedup();
            states[k + 1].next = next;
        }
        // --- the loops' heads ---
        let mut head_edges: Vec<Vec<String>> = Vec::new();
        for (h, head) in self.heads.iter().enumerate() {
            self.edges.borrow_mut().clear();
            let first_join = self
                .joins
                .iter()
                .rposition(|j| ends_before(&j.path, &head.path))
                .map_or(0, |j| j + 1);
            self.min_join.set(first_join);
            self.current_arm.set(Some(body.sites.len() + 1 + h));
            let code = self.head_arm(h);
            self.current_arm.set(None);
            self.min_join.set(0);
            let v = &self.head_variants[h];
            arms.push((quote!(#state_enum::#v { .. }), code));
            head_edges.push(self.edges.borrow().clone());
        }

        // --- the code after each join point some code breaks to ---
        // Its code only breaks to later join points, so all the breaks to one are known once the
        // arms and the code after the earlier ones are written.
        let mut joined = Vec::new();
        let mut join_edges: Vec<Vec<String>> = vec![Vec::new(); self.joins.len()];
        for (j, edges) in join_edges.iter_mut().enumerate() {
            if !self.targeted.borrow()[j] {
                continue;
            }
            self.edges.borrow_mut().clear();
            let (pattern, code) = self.after_join(j);
            *edges = self.edges.borrow().clone();
            joined.push((j, pattern, code));
        }
        // In the state graph, an edge to a join point or a loop's head stands for the states its
        // code goes to.
        let passes: Vec<(String, Vec<String>)> = join_edges
            .into_iter()
            .enumerate()
            .map(|(j, e)| (join_edge(j), e))
            .chain(
                head_edges
                    .into_iter()
                    .enumerate()
                    .map(|(h, e)| (head_edge(h), e)),
            )
            .collect();
        for state in &mut states {
            state.next = resolve_edges(&state.next, &passes);
        }
        // The states are polled in groups, split at the join points: the states first made by the
        // code after a join point are polled after that code, because rustc infers types in the
        // order the code is written (their sub-future's type comes from that code).
        let segment_of = |arm: usize| {
            joined
                .iter()
                .rposition(|(j, _, _)| ends_before(&self.joins[*j].path, self.arm_path(arm)))
                .map_or(0, |s| s + 1)
        };
        // Each group's arms, with their index (0 for `Start`, `k + 1` for site `k`, ..), in the
        // order of `rank`.
        let mut segments: Vec<Vec<(usize, TokenStream, TokenStream)>> =
            vec![Vec::new(); joined.len() + 1];
        let mut arms: Vec<(usize, (TokenStream, TokenStream))> =
            arms.into_iter().enumerate().collect();
        arms.sort_by_key(|(i, _)| self.rank[*i]);
        for (i, (pat, body)) in arms {
            segments[segment_of(i)].push((i, pat, body));
        }
        let later: Vec<Lifetime> = (0..joined.len())
            .map(|_| {
                let name = self.names.borrow_mut().fresh("later");
                Lifetime::new(&format!("'{name}"), Span::mixed_site())
            })
            .collect();
        let (completed, panicked) = (
            n.support("resumed_after_completion"),
            n.support("resumed_after_panicking"),
        );
        let ends = quote! {
            #state_enum::Done => #completed(),
            #state_enum::Panicked => #panicked(),
        };
        // Each group's states are tried one after the other (`if let`, in the order of the
        // text), and the others go on to the next group: a suspension to a later state of the
        // group falls through to its `if let` instead of going round the loop to find it again,
        // as rustc's coroutine goes straight on to poll a future it has just made.
        let dispatch_segment = |s: usize| {
            let checks = segments[s].iter().map(|&(i, ref pat, ref body)| {
                // A body that is one block already (the `Start` arm's) needs no second one.
                let body = match body.clone().into_iter().collect::<Vec<_>>().as_slice() {
                    [TokenTree::Group(g)] if g.delimiter() == proc_macro2::Delimiter::Brace => {
                        g.stream()
                    }
                    _ => body.clone(),
                };
                let label = &self.arm_labels[i];
                let body = flatten_tail_block(body);
                if self.self_loops.borrow()[i] {
                    quote!(#label: loop { if let #pat = &mut *#state { #body } break; })
                } else if !breaks_to(body.clone(), label) {
                    quote!(if let #pat = &mut *#state { #body })
                } else if let Some(body) = strip_tail_break(&body, label) {
                    // Its one way on to the next state is at its end: it falls through.
                    quote!(if let #pat = &mut *#state { #body })
                } else {
                    quote!(#label: { if let #pat = &mut *#state { #body } })
                }
            });
            let end = if s == joined.len() {
                // (Every other state has its `if let` above, and a matching arm never falls
                // through to here: it returns, goes round the loop, or breaks to a later arm.)
                quote! {
                    match #state {
                        #ends
                        _ => ::core::unreachable!(),
                    }
                }
            } else {
                let next = &later[s];
                quote!(break #next;)
            };
            quote!(#(#checks)* #end)
        };
        let mut dispatch = dispatch_segment(0);
        for (s, (j, pattern, code)) in joined.iter().enumerate() {
            let label = &self.join_labels[*j];
            let doc = format!(
                "// Join point: every path that reaches the end of the {} hands over the locals that live on{}; what follows it is written once.",
                self.construct_description(*j),
                if self.joins[*j].value {
                    " and its value"
                } else {
                    ""
                },
            );
            let next = &later[s];
            let rest = dispatch_segment(s + 1);
            let later_doc = if segments[s + 1].is_empty() {
                TokenStream::new()
            } else {
                let text = format!(
                    "// The states after the {}: first made by the code after its join point, so polled \
                     after it (rustc infers types in the order the code is written).",
                    self.construct_description(*j)
                );
                quote!(#[doc = #text])
            };
            dispatch = quote! {
                #next: {
                    #[doc = #doc]
                    let #pattern = #label: { #dispatch };
                    #code
                }
                #later_doc
                #rest
            };
        }

        // The body's `return`s need an expected type to coerce to (`&String` to `&str`). A
        // closure's return type cannot name the fn's anonymous lifetime `'_`; the type argument
        // of a call can (there `'_` is inferred), so such a body runs through `run_body`.
        let anonymous_lifetime = self.ret_ty.as_ref().is_some_and(|t| {
            fn scan(ts: TokenStream) -> bool {
                let tokens: Vec<TokenTree> = ts.into_iter().collect();
                tokens.windows(2).any(|w| {
                    matches!((&w[0], &w[1]), (TokenTree::Punct(p), TokenTree::Ident(i)) if p.as_char() == '\'' && i == "_")
                }) || tokens.iter().any(|t| matches!(t, TokenTree::Group(g) if scan(g.stream())))
            }
            scan(t.clone())
        });
        let poll = quote!(::core::task::Poll);
        let body_has_sites = !body.sites.is_empty();
        // The fixed homes (beside the state, in the machine), and at each poll a pointer to
        // each. (A tuple of twelve at most, nested past that: `Homes` is written for those.)
        let in_homes = self.anchored.len() - self.stack_homes.len();
        let homes = &n.homes;
        let (homes_init, slots_decl) = if in_homes == 0 {
            (quote!(()), TokenStream::new())
        } else {
            let slots = &n.slots;
            let empty = n.support("Home");
            let chunks: Vec<TokenStream> = (0..in_homes)
                .step_by(12)
                .map(|at| {
                    let empties = (at..in_homes.min(at + 12)).map(|_| quote!(#empty::EMPTY));
                    quote!((#(#empties,)*))
                })
                .collect();
            let nested = chunks.len() > 1;
            let init = if nested {
                quote!((#(#chunks,)*))
            } else {
                chunks[0].clone()
            };
            let paths = (0..in_homes).map(|k| {
                let (c, i) = (syn::Index::from(k / 12), syn::Index::from(k % 12));
                if nested {
                    quote!(#homes.#c.#i)
                } else {
                    quote!(#homes.#i)
                }
            });
            (init, quote!(let #slots = (#(&raw mut #paths,)*);))
        };
        let homes_param = if in_homes == 0 {
            quote!(_)
        } else {
            quote!(#homes)
        };
        // The lints the rewrite itself sets off in the user's code (a `mut` the body no longer
        // needs, a label, braces, code after a `return`), allowed on the loop that holds it all.
        // (Three lists, each short enough for one printed line.)
        // (The `// SAFETY` comments are `#[doc]` attributes, which the CLI prints as comments
        // and `crate::expand_attribute` leaves out: no `unused_doc_comments`.)
        // With fixed homes, a method called on a value's place in its home (`Home::place`)
        // sets off `dangerous_implicit_autorefs` where the autoref goes on through `Deref`.
        let homes_lint =
            (!self.anchored.is_empty()).then(|| quote!(#![allow(dangerous_implicit_autorefs)]));
        let lints = quote! {
            #![allow(unreachable_code, unused_labels, unused_mut, unused_variables)]
            #![allow(non_snake_case, unused_braces, unused_parens, clippy::all)]
            #![allow(irrefutable_let_patterns, unreachable_patterns)]
            #homes_lint
        };
        // (A statement, `loop { .. };`: inner attributes are stable on a loop that is one, not on
        // a tail expression. It never ends, so the block is still of the closure's type.)
        let body = quote!({ #poll_label: loop { #lints #slots_decl #dispatch }; });
        // (With no `.await`, the context goes unused.)
        let cx = if body_has_sites {
            quote!(#cx)
        } else {
            quote!(_)
        };
        // The body's `return`s need an expected type to coerce to (`&String` to `&str`): the
        // closure's return type, or, when that type names the fn's anonymous lifetime `'_`
        // (which a closure's return type cannot), the type argument of `returning`.
        let step = match &self.ret_ty {
            Some(t) if anonymous_lifetime => {
                let returning = n.support("returning");
                quote!(move |#state, #homes_param, #cx| #returning::<#t, _>(|| #body))
            }
            Some(t) => quote!(move |#state, #homes_param, #cx| -> #poll<#t> #body),
            None => quote!(move |#state, #homes_param, #cx| #body),
        };
        let step = flatten_blocks(step);
        let machine = n.support("StateMachine");
        let start = quote!(#state_enum::Start { #(#param_inits,)* });
        let driver = quote! {
            #machine::new(#start, #homes_init, || #state_enum::Panicked, || #state_enum::Done, #step)
        };
        self.check_closure_copies();
        Generated {
            enum_def,
            driver,
            states,
        }
    }

    /// A closure (or `async` block) bound by a `let` that two arms both write is two closure
    /// types; kept across a later `.await`, it would be rustc's "mismatched types" at the
    /// state's field. Say so at the closure instead. (The code after an `if` or `match` whose
    /// branches suspend runs in each of their resume arms unless it has a join point; a loop's
    /// body before its first `.await` is written in its head's arm, or, when the loop has no
    /// head, in each arm that starts an iteration.)
    fn check_closure_copies(&self) {
        let copies = self.closure_copies.borrow();
        for (id, l) in self.body.locals.iter().enumerate() {
            let Some(span) = l.closure_at else { continue };
            let name = l.ident.to_string();
            // (This local, not another one of the same name that shadows or is shadowed.)
            let kept = self.body.sites.iter().any(|s| s.stored.contains(&id));
            let written = copies.iter().filter(|n| **n == name).count();
            if kept && written > 1 {
                self.error.borrow_mut().get_or_insert_with(|| {
                    crate::error::Error::new(
                        span,
                        "this closure (or `async` block) is kept across an `.await`, and \
                         #[state_machine] writes it once per state that can run it: it comes \
                         after a branch that suspends and has no join point (the branch leaves \
                         through `break`/`continue`, or moves a local declared before it that \
                         has no fixed home), or in \
                         a loop whose head has no arm of its own (its `.await`s keep different \
                         locals); each copy is a type of its own, and the state needs one: \
                         define it before the branch or the loop, make it a fn, or box it \
                         (`Box<dyn Fn(..)>`)",
                    )
                });
            }
        }
    }

    /// `x` (or `field: x`) in the state's struct expression; for a local the state holds as a
    /// `Held`, `x.hold()`, or `x.held()` when the handle is still used to make the sub-future
    /// (`made_after`), and forgotten then (see `forget_held`).
    fn field_init(&self, id: LocalId, made_after: bool) -> TokenStream {
        let l = &self.body.locals[id];
        let (f, i) = (&l.field, &l.ident);
        match (self.held[id], made_after) {
            (true, false) => quote!(#f: #i.hold()),
            (true, true) => quote!(#f: #i.held()),
            (false, _) => field_pat(l),
        }
    }

    /// A state's field for local `id`: its value, or its fixed home's handle.
    fn field_decl(&self, id: LocalId) -> TokenStream {
        let l = &self.body.locals[id];
        let (f, t) = (&l.field, &l.ty);
        if let Some(h) = self.partial_handle_ty(id) {
            // The handle's type names the closure that drops the rest: inferred.
            quote!(#f: #h)
        } else if self.held[id] {
            let held = self.n.support("Held");
            quote!(#f: #held<#t>)
        } else if l.anchored {
            let home = self.n.support("Home");
            quote!(#f: #home<#t, 0>)
        } else {
            quote!(#f: #t)
        }
    }

    /// The line of the first `.await` inside the construct at `path`.
    fn first_line_inside(&self, path: &[Step]) -> usize {
        self.body
            .sites
            .iter()
            .find(|s| s.path.starts_with(path))
            .map(|s| line_col(s.await_span).0)
            .unwrap_or(0)
    }

    fn edge(&self, to: &str) {
        let mut e = self.edges.borrow_mut();
        if !e.iter().any(|x| x == to) {
            e.push(to.to_string());
        }
    }

    /// The end of an arm: the body's value is the future's output. When the code always
    /// suspends before getting there, it is just run.
    fn ready(&self, value: TokenStream, diverges: bool) -> TokenStream {
        if diverges {
            value
        } else {
            quote!(return ::core::task::Poll::Ready(#value);)
        }
    }

    // ----- forward code -----

    /// A block's code from its first statement; `pre` adds statements at the top (restores).
    fn block_fwd(&self, b: &BlockIr, pre: &dyn Fn(&BlockIr) -> TokenStream) -> (TokenStream, bool) {
        let top = pre(b);
        let (stmts, diverges) = self.stmts_fwd(b, 0);
        (self.wrap_block(b, quote!(#top #stmts)), diverges)
    }

    fn wrap_block(&self, b: &BlockIr, inner: TokenStream) -> TokenStream {
        let label = b.label.as_ref().map(|l| quote!(#l:));
        let unsafety = b.is_unsafe.then(|| quote!(unsafe));
        let braced = match &b.brace {
            Some(brace) => {
                let mut ts = TokenStream::new();
                brace.surround(&mut ts, |ts| ts.extend(inner));
                ts
            }
            None => quote!({ #inner }),
        };
        quote!(#label #unsafety #braced)
    }

    /// Statements of `b` in order from `from`; stops after a suspension (the rest belongs to
    /// that state's arm) or at the end of a construct with a join point it may break to (the rest
    /// is written once, after the join point).
    fn stmts_fwd(&self, b: &BlockIr, from: usize) -> (TokenStream, bool) {
        let mut out = TokenStream::new();
        for (idx, s) in b.stmts.iter().enumerate().skip(from) {
            match s {
                // `let y; y = f().await;`: the declaration is written again where the state
                // resumes (see `restore_lets`). Before the suspension nothing names `y`, and
                // rustc could not infer its type: written only where the code after it names it.
                StmtIr::Plain(stmt @ syn::Stmt::Local(l)) if l.init.is_none() => {
                    let (rest, diverges) = self.stmts_fwd(b, idx + 1);
                    if crate::mentions::pat_bindings(&l.pat)
                        .iter()
                        .any(|(name, _)| crate::ir::ident_span_in(rest.clone(), name).is_some())
                    {
                        out.extend(self.plain_stmt(stmt));
                    }
                    out.extend(rest);
                    return (out, diverges);
                }
                StmtIr::Plain(stmt) => {
                    out.extend(self.plain_stmt(stmt));
                    // `return ..;`, `continue;`, `panic!(..)`: what follows never runs (and a
                    // binding it would read may have no type here, as after `let x = { return };`).
                    if stmt_diverges(stmt) {
                        return (out, true);
                    }
                }
                StmtIr::Await { site, .. } => {
                    out.extend(self.suspend(*site));
                    return (out, true);
                }
                StmtIr::Construct { bind, construct } => {
                    // A loop whose head has an arm of its own is written there.
                    if let Some(h) = self.head_at(b.id, idx)
                        && self.heads[h].forward
                    {
                        out.extend(self.go_to_head(h));
                        return (out, true);
                    }
                    let (c, diverges) = self.construct_stmt_fwd(b, idx, bind, construct);
                    out.extend(c);
                    if diverges {
                        return (out, true);
                    }
                }
            }
        }
        (out, false)
    }

    /// The statement `idx` of `b`, a construct, and whether the code after it is not written
    /// after it: it never completes, or it hands over to a join point.
    fn construct_stmt_fwd(
        &self,
        b: &BlockIr,
        idx: usize,
        bind: &Bind,
        construct: &Construct,
    ) -> (TokenStream, bool) {
        let (c, diverges) = self.construct_fwd(construct);
        if diverges {
            // No value ever comes out here: write the construct as a statement, not as
            // `let PAT = <never>;` (a pattern against `!` confuses inference). Nothing after
            // it runs in this arm (and a binding of type `!` would confuse inference): the
            // rest belongs to the states it leads to.
            return (quote!(#c;), true);
        }
        if let Some(j) = self.join_at(b.id, idx)
            && self.joins[j].forward
        {
            return (self.break_to_join(j, bind, c), true);
        }
        (self.render_bind(bind, c), false)
    }

    /// Are the `if let`s of arms `a` and `b` (0 for `Start`, `k + 1` for site `k`, ..) in the
    /// same group, whichever join points end up with code after them (see `generate`)?
    fn same_group(&self, a: usize, b: usize) -> bool {
        self.joins.iter().all(|j| {
            ends_before(&j.path, self.arm_path(a)) == ends_before(&j.path, self.arm_path(b))
        })
    }

    /// Where arm `arm`'s code starts: nowhere for `Start`, at its `.await` for a site, at its
    /// loop for a loop's head.
    fn arm_path(&self, arm: usize) -> &[Step] {
        let sites = self.body.sites.len();
        match arm {
            0 => &[],
            k if k <= sites => &self.body.sites[k - 1].path,
            h => &self.heads[h - sites - 1].path,
        }
    }

    /// The code that goes on to arm `arm`'s state once it is in `state`: falls through to its
    /// `if let` when that comes later in the same group, polls it again when it is this arm's
    /// own, else goes round the loop.
    fn go_to(&self, arm: usize) -> TokenStream {
        match self.current_arm.get() {
            Some(c) if self.rank[arm] > self.rank[c] && self.same_group(c, arm) => {
                let label = &self.arm_labels[c];
                quote!(break #label;)
            }
            // Back to the state this arm polls (a loop around one `.await`): poll it again.
            Some(c) if arm == c => {
                self.self_loops.borrow_mut()[c] = true;
                let label = &self.arm_labels[c];
                quote!(continue #label;)
            }
            _ => {
                let poll_label = &self.n.poll_label;
                quote!(continue #poll_label;)
            }
        }
    }

    /// The head `h` of a loop, if the code at statement `idx` of block `block` is its loop and
    /// is not being written in that head's own arm.
    fn head_at(&self, block: BlockId, idx: usize) -> Option<usize> {
        self.heads
            .iter()
            .position(|h| h.block == block && h.idx == idx)
            .filter(|&h| self.writing_head.get() != Some(h))
    }

    /// Goes on to loop head `h`'s arm with the locals that live on.
    fn go_to_head(&self, h: usize) -> TokenStream {
        self.edge(&head_edge(h));
        let (state_enum, state) = (&self.n.state_enum, &self.n.state);
        let v = &self.head_variants[h];
        let fields = self.heads[h]
            .pass
            .iter()
            .rev()
            .map(|&id| self.field_init(id, false));
        let go = self.go_to(self.body.sites.len() + 1 + h);
        quote! {
            *#state = #state_enum::#v { #(#fields,)* };
            #go
        }
    }

    /// The arm of loop head `h`: the loop, written once, and what follows it, from the locals
    /// its state hands over.
    fn head_arm(&self, h: usize) -> TokenStream {
        let head = &self.heads[h];
        let levels = self.levels_of(&head.path);
        let stop = self.stop_of(&levels);
        let by_name = |id: LocalId| self.goes_on_by_name(id, &levels, stop);
        let take_apart = self.take_apart_locals(&self.head_variants[h], &head.pass, &by_name);
        let restored: Vec<LocalId> = head
            .pass
            .iter()
            .copied()
            .filter(|&id| !by_name(id))
            .collect();
        let restores = |block: BlockId| self.restore_lets(&restored, &head.declared, block, false);
        let level = levels.last().unwrap();
        let StmtIr::Construct { bind, construct } = &level.block.stmts[level.idx] else {
            unreachable!("a loop's head is at a construct")
        };
        self.writing_head.set(Some(h));
        let (the_loop, diverges) = self.construct_stmt_fwd(level.block, level.idx, bind, construct);
        self.writing_head.set(None);
        let code = self.walk_up_from(&levels, the_loop, diverges, &restores, stop);
        quote!(#take_apart #code)
    }

    /// "`match` on line 12" for the construct of join point `j`.
    fn construct_description(&self, j: usize) -> String {
        use syn::spanned::Spanned;
        let join = &self.joins[j];
        let level = self.levels_of(&join.path).pop().unwrap();
        let StmtIr::Construct { construct, .. } = &level.block.stmts[level.idx] else {
            unreachable!("a join point is at a construct")
        };
        // A loop or block may be the normaliser's (a `for` loop's): named by its first `.await`.
        let first_await = || self.first_line_inside(&join.path);
        let (what, line) = match construct {
            Construct::If(i) => ("`if`", line_col(i.cond.span()).0),
            Construct::Match { scrutinee, .. } => ("`match`", line_col(scrutinee.span()).0),
            Construct::Loop { .. } => ("loop with the `.await`", first_await()),
            Construct::Block(_) => ("block with the `.await`", first_await()),
        };
        if line > 0 {
            format!("{what} on line {line}")
        } else {
            what.to_string()
        }
    }

    /// The join point of statement `idx` of block `block`, if the code being written may break
    /// to it.
    fn join_at(&self, block: BlockId, idx: usize) -> Option<usize> {
        self.joins
            .iter()
            .position(|j| j.block == block && j.idx == idx)
            .filter(|&j| j >= self.min_join.get())
    }

    /// `value` is the code of the construct of join point `j` (or of the branch of it that runs):
    /// hand it over with the locals that live on.
    fn break_to_join(&self, j: usize, bind: &Bind, value: TokenStream) -> TokenStream {
        self.targeted.borrow_mut()[j] = true;
        self.edge(&join_edge(j));
        let join = &self.joins[j];
        let label = &self.join_labels[j];
        let pass = join.pass.iter().map(|&id| &self.body.locals[id].ident);
        if !join.value {
            return quote! {
                #value;
                break #label (#(#pass,)*);
            };
        }
        let v = &self.join_value;
        // The binding's type, when written, is the type the construct's branches coerce to.
        let ty = match bind {
            Bind::Let {
                pat: Pat::Type(t), ..
            } => {
                let ty = &t.ty;
                quote!(: #ty)
            }
            _ => TokenStream::new(),
        };
        quote! {
            let #v #ty = #value;
            break #label (#(#pass,)* #v);
        }
    }

    /// A construct's forward code, and whether that code never completes normally (every path
    /// suspends, returns, breaks out or hands over to a join point): then what follows it is not
    /// written after it.
    fn construct_fwd(&self, c: &Construct) -> (TokenStream, bool) {
        match c {
            Construct::Block(b) => {
                let (code, diverges) = self.block_fwd(b, &|_| TokenStream::new());
                // A labelled block also completes through `break 'label`.
                let diverges =
                    diverges && b.label.as_ref().is_none_or(|l| !breaks_to(code.clone(), l));
                (code, diverges)
            }
            Construct::If(i) => self.if_fwd(i),
            Construct::Match {
                attrs,
                scrutinee,
                arms,
            } => {
                // Arms that move an anchored scrutinee whole take it out of its home; the others
                // put it back (see `AnchorUses::take_for_match`).
                let pats: Vec<&Pat> = arms.iter().map(|a| &a.pat).collect();
                let mut taken = None;
                let mut anchored = None;
                self.anchor_uses(|a| {
                    taken = a.taken_by_arms(scrutinee, &pats);
                    anchored = a.anchored_scrutinee(scrutinee);
                });
                // Otherwise an arm that binds an anchored scrutinee whole by value (`x => ..`)
                // beside one that binds it by `ref` (`ref x if c => ..`) matches it by
                // reference and takes it out of its home first thing in its body: the pattern
                // is matched on the home, where a move is E0507.
                // (Only beside an arm that binds by `ref`: alone, a by-value arm on a `Copy`
                // value copies it out of the home, and its guard reads it by value.)
                let none_taken =
                    taken.is_none() && pats.iter().any(|p| crate::anchor::binds_by_ref(p));
                let takes_whole = |pat: &Pat| match (none_taken, &anchored, split_guard(pat).0) {
                    (true, Some(v), Pat::Ident(i))
                        if i.by_ref.is_none()
                            && i.subpat.is_none()
                            && crate::mentions::looks_like_binding(&i) =>
                    {
                        let (name, m) = (&i.ident, &i.mutability);
                        let mut by_ref = i.clone();
                        by_ref.by_ref = Some(Default::default());
                        by_ref.mutability = None;
                        Some((by_ref, quote!(let #m #name = #v.take();)))
                    }
                    _ => None,
                };
                let taken =
                    taken.map(|(v, puts_back)| (crate::anchor::TakenByArms::new(&v), puts_back));
                let scrutinee = match &taken {
                    Some((t, _)) => t.scrutinee.to_token_stream(),
                    None => self.plain_scrutinee(scrutinee, arms.iter().map(|a| &a.pat)),
                };
                let mut all_diverge = !arms.is_empty();
                let arms: Vec<TokenStream> = arms
                    .iter()
                    .enumerate()
                    .map(|(j, a)| {
                        let attrs = &a.attrs;
                        let pat = &a.pat;
                        let take_whole = takes_whole(pat);
                        let (pat, guard) = split_guard(pat);
                        let (pat, take) = match take_whole {
                            Some((by_ref, take)) => (Pat::Ident(by_ref), take),
                            None => (pat, TokenStream::new()),
                        };
                        // An arm that binds nothing puts the taken value back.
                        let put_back = taken.as_ref().filter(|(_, puts_back)| puts_back[j]);
                        let guard = guard.map(|g| {
                            let g = self.plain_binding(&g, &[&pat]);
                            quote!(if #g)
                        });
                        let pat = match put_back {
                            Some((t, _)) => t.pat(&pat),
                            None => pat,
                        };
                        let body = match &a.body {
                            ArmBody::Plain(e) => {
                                all_diverge &= diverges(e);
                                let e = self.plain_expr(e);
                                if take.is_empty() {
                                    e
                                } else {
                                    quote!({ #take #e })
                                }
                            }
                            ArmBody::Block(b) => {
                                // Bindings with a fixed home move into it first thing.
                                let homes = self.pat_into_home(&a.pat);
                                let pre = quote!(#take #homes);
                                let (code, d) = self.block_fwd(b, &|_| pre.clone());
                                all_diverge &= d;
                                code
                            }
                        };
                        let body = match put_back {
                            Some((t, _)) => t.body(&body).to_token_stream(),
                            None => body,
                        };
                        quote!(#(#attrs)* #pat #guard => #body,)
                    })
                    .collect();
                (
                    quote!(#(#attrs)* match #scrutinee { #(#arms)* }),
                    all_diverge,
                )
            }
            Construct::Loop { attrs, label, body } => {
                let b = self.block_fwd(body, &|_| TokenStream::new()).0;
                // Leaving a loop takes a `break`: without one in the code, it never completes.
                let diverges = !breaks_to(b.clone(), label);
                (quote!(#(#attrs)* #label: loop #b), diverges)
            }
        }
    }

    fn if_fwd(&self, i: &IfIr) -> (TokenStream, bool) {
        let attrs = &i.attrs;
        let pats = crate::mentions::let_chain_pats(&i.cond);
        let cond = self.plain_condition(&i.cond, &pats);
        // Bindings with a fixed home move into it first thing.
        let homes: TokenStream = pats.iter().map(|p| self.pat_into_home(p)).collect();
        let (then, then_diverges) = self.block_fwd(&i.then, &|_| homes.clone());
        let (els, else_diverges) = match &i.else_ {
            Some(Else::Block(b)) => {
                let (b, d) = self.block_fwd(b, &|_| TokenStream::new());
                (quote!(else #b), d)
            }
            Some(Else::If(inner)) => {
                let (inner, d) = self.if_fwd(inner);
                (quote!(else #inner), d)
            }
            None => (TokenStream::new(), false),
        };
        (
            quote!(#(#attrs)* if #cond #then #els),
            then_diverges && else_diverges,
        )
    }

    // ----- suspension -----

    fn suspend(&self, k: SiteId) -> TokenStream {
        let n = self.n;
        let site = &self.body.sites[k];
        self.edge(&site.variant.to_string());
        let (state_enum, state, fut) = (&n.state_enum, &n.state, &n.fut);
        let v = &site.variant;
        // (`made_after`: the sub-future is made once the state is written, see `field_init`.)
        let fields = |made_after: bool| -> Vec<TokenStream> {
            (site.stored.iter().rev())
                .map(|&id| self.field_init(id, made_after))
                .collect()
        };
        let go = self.go_to(k + 1);
        let into_future = quote_spanned!(site.await_span=> ::core::future::IntoFuture::into_future);
        let slot = self.n.support("slot");
        let slot = quote_spanned!(site.await_span=> #slot);
        let slot_ty = self.n.support("Slot");
        if site.borrowed.is_empty() {
            let f = self.awaited_expr(&site.fut);
            let f = self.copy_of(k, f, &into_future);
            let fields = fields(false);
            return quote! {
                *#state = #state_enum::#v {
                    #fut: #slot(#f),
                    #(#fields,)*
                };
                #go
            };
        }
        // The future borrows locals: put them in their place in the state first, then create the
        // future from references into the state, so that those locals never move while borrowed.
        let names: Vec<&Ident> = site
            .borrowed
            .iter()
            .map(|&id| &self.body.locals[id].ident)
            .collect();
        // Fixed homes' handles the future uses went into the state too: it reaches them there
        // (through `shared()`/`exclusive()`/`take()`, which a reference to a handle allows).
        let mut handles: Vec<LocalId> = site
            .fut_mentions
            .iter()
            .map(|&(id, _)| id)
            .filter(|id| self.body.locals[*id].anchored && site.stored.contains(id))
            .collect();
        handles.sort();
        handles.dedup();
        // (A held local's handle is still a local of this code: the future uses it there.)
        handles.retain(|&id| !self.held[id]);
        let bfields: Vec<TokenStream> = site
            .borrowed
            .iter()
            .chain(&handles)
            .map(|&id| field_pat(&self.body.locals[id]))
            .collect();
        let fields = fields(true);
        let forget_held = (site.stored.iter())
            .filter(|&&id| self.held[id])
            .map(|&id| {
                let i = &self.body.locals[id].ident;
                quote!(::core::mem::forget(#i);)
            });
        let mut fut_expr = site.fut.clone();
        deref_locals(&mut fut_expr, &names);
        // The handles are references into the state here: in an unknown macro's tokens, where
        // a handle is written `(*v)` for its value, the value is one more `*` away.
        let handle_names: Vec<&Ident> = handles
            .iter()
            .map(|&id| &self.body.locals[id].ident)
            .collect();
        deref_in_macro_tokens(&mut fut_expr, &handle_names, &self.anchored);
        let f = self.awaited_expr(&fut_expr);
        let f = self.copy_of(k, f, &into_future);
        let listed: Vec<String> = names.iter().map(|i| format!("`{i}`")).collect();
        let (who, verb) = match listed.as_slice() {
            [one] => (one.clone(), "lives"),
            [init @ .., last] => (format!("{} and {last}", init.join(", ")), "live"),
            [] => unreachable!("a store-first suspension borrows at least one local"),
        };
        let safety = format!(
            "// SAFETY: {who} now {verb} in the pinned state, unmoved, until this future has \
             been dropped; meanwhile the future is the only user. Its output cannot keep the \
             borrow: a local it uses as a place (not through a reference) has a fixed home."
        );
        let relets = names.iter().enumerate().map(|(k, i)| {
            let doc = if k == 0 {
                quote!(#[doc = #safety])
            } else {
                let again = format!("// SAFETY: as above, for `{i}`.");
                quote!(#[doc = #again])
            };
            quote!(#doc let #i = unsafe { &mut *::core::ptr::from_mut(#i) };)
        });
        quote! {
            *#state = #state_enum::#v {
                #fut: #slot_ty::EMPTY,
                #(#fields,)*
            };
            let #state_enum::#v { #fut: slot, #(#bfields,)* .. } = &mut *#state else {
                ::core::unreachable!()
            };
            #(#relets)*
            *slot = #slot(#f);
            #(#forget_held)*
            #go
        }
    }

    /// The future of site `k` as created here. Where an earlier run created it in several
    /// places (a loop's entry and its back edge) and it makes a type of its own there (an
    /// `async` block or a closure: a new type each time it is written), each place wraps its
    /// copy in its own variant of nested `Copies`, so that the state's field has one type:
    /// copy `i` of `n` is `Other(Other(..First(f)))`, `i` times `Other`, the last one no
    /// `First`.
    /// (`into_future` is the path of `IntoFuture::into_future`: each copy is a future.)
    fn copy_of(&self, k: SiteId, f: TokenStream, into_future: &TokenStream) -> TokenStream {
        let i = {
            let mut written = self.futures_written.borrow_mut();
            written[k] += 1;
            written[k] - 1
        };
        let n = self.futures_written_before.get(k).copied().unwrap_or(1);
        if n < 2 {
            return f;
        }
        let f = quote!(#into_future(#f));
        let copies = self.n.support("Copies");
        let mut f = if i + 1 < n {
            quote!(#copies::First(#f))
        } else {
            f
        };
        for _ in 0..i.min(n - 1) {
            f = quote!(#copies::Other(#f));
        }
        f
    }

    // ----- resumption -----

    /// The blocks from the root down to the statement at the end of `path`.
    fn levels_of(&self, path: &[Step]) -> Vec<Level<'_>> {
        let mut levels: Vec<Level> = Vec::new();
        let mut block = &self.body.root;
        let mut via = Via::Root;
        let mut steps = path.iter();
        loop {
            let Some(Step::Stmt(idx)) = steps.next() else {
                unreachable!("path starts with a statement")
            };
            levels.push(Level {
                block,
                idx: *idx,
                via,
            });
            let Some(Step::Child(c)) = steps.next() else {
                break;
            };
            let StmtIr::Construct { construct, .. } = &block.stmts[*idx] else {
                unreachable!("a path goes through constructs")
            };
            (block, via) = match construct {
                Construct::Loop { label, body, .. } => (body, Via::Loop(label, body)),
                other => match crate::ir::children(other).get(*c) {
                    Some(Some(b)) => (*b, Via::Plain),
                    _ => unreachable!("a path goes into a child block"),
                },
            };
        }
        levels
    }

    /// The innermost construct around the statement `levels` ends at with a join point the code
    /// being written may break to: `(li, j)`, where `levels[li]` is the construct's block.
    fn stop_of(&self, levels: &[Level]) -> Option<(usize, usize)> {
        (1..levels.len()).rev().find_map(|li| {
            let parent = &levels[li - 1];
            self.join_at(parent.block.id, parent.idx).map(|j| (li, j))
        })
    }

    /// Is the local declared outside the blocks `levels`?
    fn declared_outside(&self, id: LocalId, levels: &[Level]) -> bool {
        let block = self.body.locals[id].block;
        !levels.iter().any(|l| l.block.id == block)
    }

    /// The code that runs once site `k`'s future is ready: the rest of the function from there,
    /// or up to the end of the innermost construct around it with a join point.
    fn resume(&self, k: SiteId) -> TokenStream {
        let body = self.body;
        let site = &body.sites[k];
        let levels = self.levels_of(&site.path);
        // The statement with the await, resumed with its value.
        let out = &self.n.out;
        let StmtIr::Await { bind, .. } =
            &levels.last().unwrap().block.stmts[levels.last().unwrap().idx]
        else {
            unreachable!("path ends at an await")
        };
        let hole = match bind {
            Bind::Let { .. } => self.let_value(bind, out),
            Bind::Expr { semi: true } => quote!(::core::mem::drop(#out);),
            Bind::Expr { semi: false } => quote!(#out),
        };
        let stop = self.stop_of(&levels);
        let Some((li, j)) = stop else {
            return self.walk_up(&levels, hole, &|b| self.restores(k, b), None);
        };
        // The locals declared outside the construct with the join point come out of the state
        // under their own names (its code may use them), the others as `x_saved`.
        let take_apart = self.take_apart_site(k, &|id| self.declared_outside(id, &levels[li..]));
        // Declared outside it, moved before the state and assigned again in its code, but dead
        // after the construct (so the join point does not declare it, see `join::consider`):
        // declared here, for that assignment (else it names nothing, E0425, or the fn's
        // argument, which the machine's closure captured).
        // (Only where the code assigns it: a declaration never assigned has no type, E0282. A
        // shadowing binding of the same name, `let (n, g) = ..`, is no assignment.)
        let code = self.walk_up(&levels, hole, &|b| self.restores(k, b), stop);
        let site = &self.body.sites[k];
        let declared: TokenStream = (site.declared_only.iter())
            .filter(|&&id| self.declared_outside(id, &levels[li..]))
            .filter(|id| !self.joins[j].declared.contains(id))
            .map(|&id| &self.body.locals[id])
            .filter(|l| assigns(code.clone(), &l.ident))
            .map(|l| self.declared_without_value(l, l.mutable.then(|| quote!(mut))))
            .collect();
        quote!(#take_apart #declared #code)
    }

    /// The code after join point `j`: its construct's value bound as the statement did, then the
    /// rest of the function, or up to the end of the next construct around it with a join point.
    /// It starts from `(locals.., value)` as its block's `break` hands them over.
    fn after_join(&self, j: usize) -> (TokenStream, TokenStream) {
        let join = &self.joins[j];
        let levels = self.levels_of(&join.path);
        let level = levels.last().unwrap();
        let StmtIr::Construct { bind, .. } = &level.block.stmts[level.idx] else {
            unreachable!("a join point is at a construct")
        };
        let v = &self.join_value;
        let hole = match bind {
            Bind::Let { .. } => self.let_value(bind, v),
            _ if join.value => quote!(#v),
            _ => TokenStream::new(),
        };
        self.min_join.set(j + 1);
        let stop = self.stop_of(&levels);
        let by_name = |id: LocalId| self.goes_on_by_name(id, &levels, stop);
        let pats = join
            .pass
            .iter()
            .map(|&id| self.bound_or_saved(id, by_name(id)));
        let value = join.value.then_some(v);
        let pattern = quote!((#(#pats,)* #value));
        let restored: Vec<LocalId> = join
            .pass
            .iter()
            .copied()
            .filter(|&id| !by_name(id))
            .collect();
        let restores = |block: BlockId| self.restore_lets(&restored, &join.declared, block, false);
        let code = self.walk_up(&levels, hole, &restores, stop);
        self.min_join.set(0);
        (pattern, code)
    }

    /// Writes the code from the statement `levels` ends at (whose own part is `hole`) to the end
    /// of the function, or to the end of the construct with join point `stop`, level by level:
    /// each block with its restored locals at the top, the hole, and the rest of its statements.
    fn walk_up(
        &self,
        levels: &[Level],
        hole: TokenStream,
        restores: &dyn Fn(BlockId) -> TokenStream,
        stop: Option<(usize, usize)>,
    ) -> TokenStream {
        self.walk_up_from(levels, hole, false, restores, stop)
    }

    /// As `walk_up`, where `hole_diverges` says whether the code in `hole` never completes
    /// normally (every path suspends): then the rest of the enclosing block is unreachable from
    /// here and is not written again (a second copy of a closure would even be a second closure
    /// type).
    fn walk_up_from(
        &self,
        levels: &[Level],
        mut hole: TokenStream,
        mut hole_diverges: bool,
        restores: &dyn Fn(BlockId) -> TokenStream,
        stop: Option<(usize, usize)>,
    ) -> TokenStream {
        for (li, level) in levels.iter().enumerate().rev() {
            let b = level.block;
            let restored = restores(b.id);
            let (rest, diverges) = if hole_diverges {
                (TokenStream::new(), true)
            } else {
                self.stmts_fwd(b, level.idx + 1)
            };
            // (A declaration nothing mentions changes nothing: no value, nothing to drop. Its
            // local is assigned only in code this arm does not reach, past a `return` or a
            // suspension, or after a loop not written again; left in, it has no type, E0282.)
            let restored = without_unused_declarations(restored, &[&hole, &rest]);
            let block_code = self.wrap_block(b, quote!(#restored #hole #rest));
            let value = match level.via {
                Via::Root => {
                    if !diverges {
                        self.edge("Done");
                    }
                    return self.ready(block_code, diverges);
                }
                Via::Plain => {
                    // A labelled block also completes through `break 'label`.
                    hole_diverges = diverges
                        && b.label
                            .as_ref()
                            .is_none_or(|l| !breaks_to(block_code.clone(), l));
                    block_code
                }
                Via::Loop(label, body) => {
                    hole_diverges = false;
                    let name = label.ident.to_string();
                    let mut names = self.names.borrow_mut();
                    let done = Lifetime::new(
                        &format!("'{}", names.fresh(&format!("{name}_done"))),
                        Span::mixed_site(),
                    );
                    let iter = Lifetime::new(
                        &format!("'{}", names.fresh(&format!("{name}_iter"))),
                        Span::mixed_site(),
                    );
                    drop(names);
                    let rest_of_iteration = relabel(block_code, &name, &iter, &done);
                    let next = breaks_to(rest_of_iteration.clone(), &iter);
                    let out = breaks_to(rest_of_iteration.clone(), &done);
                    let parent = &levels[li - 1];
                    let head = self.head_at(parent.block.id, parent.idx);
                    if let Some(h) = head
                        && (!diverges || next)
                    {
                        // The next iteration starts at the loop's head, in its own arm.
                        let go = self.go_to_head(h);
                        hole_diverges = !out;
                        if out {
                            quote!(#done: { #iter: #rest_of_iteration #go })
                        } else {
                            quote!({ #iter: #rest_of_iteration #go })
                        }
                    } else if diverges && !next {
                        // The rest of this iteration never goes on to the next one (every path
                        // suspends, returns or breaks out): the loop is not written again.
                        hole_diverges = !out;
                        if out {
                            quote!(#done: #rest_of_iteration)
                        } else {
                            rest_of_iteration
                        }
                    } else {
                        let again = self.block_fwd(body, &|_| TokenStream::new()).0;
                        quote! {
                            #done: {
                                #iter: #rest_of_iteration
                                #label: loop #again
                            }
                        }
                    }
                }
            };
            // Put the value into the statement one level up.
            let parent = &levels[li - 1];
            let StmtIr::Construct { bind, .. } = &parent.block.stmts[parent.idx] else {
                unreachable!("constructs hold the blocks on a path")
            };
            if let Some((stop_li, j)) = stop
                && stop_li == li
            {
                // The end of the construct with the join point: hand over to it (unless the value
                // never comes).
                return if hole_diverges {
                    quote!(#value;)
                } else {
                    self.break_to_join(j, bind, value)
                };
            }
            // A value that never comes (every path returns, breaks or suspends) is not bound:
            // a pattern against `!` leaves its bindings without a type.
            hole = if hole_diverges {
                quote!(#value;)
            } else {
                self.render_bind(bind, value)
            };
        }
        unreachable!("the root level returns")
    }

    /// `let x = x_saved;` for the locals of block `block` that site `k` saved (the root block's
    /// locals are bound directly when the state is taken apart).
    fn restores(&self, k: SiteId, block: usize) -> TokenStream {
        let site: &Site = &self.body.sites[k];
        let mut out = TokenStream::new();
        if block == 0 {
            // Take the state apart first thing in the body's own block, so that the locals are
            // dropped with the body's scope (edition 2021 drops a tail expression's temporaries
            // after the block's locals).
            let via_lets = self.root_via_lets(k);
            out.extend(self.take_apart_site(k, &|id| self.body.locals[id].block == 0 && !via_lets));
            if !via_lets {
                out.extend(self.restore_lets(&site.stored, &site.declared_only, block, true));
                return out;
            }
        }
        out.extend(self.restore_lets(&site.stored, &site.declared_only, block, false));
        out
    }

    /// For the locals of block `block`: `let x = x_saved;` for those in `saved`, `let mut p;`
    /// for those in `declared` (moved before the state, assigned again after it), in the order
    /// the body declares them, since bindings drop in reverse order of declaration. When the
    /// saved ones are `already_bound` (the state was taken apart under their own names), only
    /// those declared after the first of `declared` are bound again (`let x = x;`).
    fn restore_lets(
        &self,
        saved: &[LocalId],
        declared: &[LocalId],
        block: BlockId,
        already_bound: bool,
    ) -> TokenStream {
        let mut ids: Vec<(LocalId, bool)> = saved
            .iter()
            .map(|&id| (id, true))
            .chain(declared.iter().map(|&id| (id, false)))
            .filter(|&(id, _)| self.body.locals[id].block == block)
            .collect();
        ids.sort_by_key(|&(id, _)| id);
        let mut after_a_declaration = false;
        let mut out = TokenStream::new();
        for (id, is_saved) in ids {
            let l = &self.body.locals[id];
            let (i, m) = (&l.ident, l.mutable.then(|| quote!(mut)));
            if !is_saved {
                after_a_declaration = true;
                out.extend(self.declared_without_value(l, m));
            } else if !already_bound {
                let s = &self.saved[id];
                out.extend(quote!(let #m #i = #s;));
            } else if after_a_declaration {
                out.extend(quote!(let #m #i = #i;));
            }
        }
        out
    }

    /// `let mut v;` for a local declared where the state resumes, to be assigned later; a
    /// fixed home's handle is one that holds no value yet (`Home::vacant`), which the
    /// assignment (`v.set(x)`) fills.
    fn declared_without_value(&self, l: &crate::ir::Local, m: Option<TokenStream>) -> TokenStream {
        let i = &l.ident;
        let safety = "// SAFETY: the slot is this local's alone; its value was moved out or dropped \
                      with the handle before the suspension.";
        // (With its type when written, as an argument's is: nothing may assign it where it is
        // declared, on a path that returns, and an untyped one is then E0282.)
        let ty = l.declared_ty.as_ref().map(|t| quote!(: #t));
        self.vacant_handle(i, l.declared_ty.as_ref(), Some(safety))
            .unwrap_or_else(|| quote!(let #m #i #ty;))
    }

    /// `let v: T;` of an anchored local, assigned later (`v.set(x)`): a handle whose home
    /// holds no value yet. `None` when `v` has no fixed home.
    fn vacant_home(&self, l: &syn::Local) -> Option<TokenStream> {
        let (name, ty) = crate::anchor::simple_binding(&l.pat)?;
        self.vacant_handle(name, ty, None)
    }

    /// The handle of anchored local `name` declared without a value, of type `ty` if written;
    /// `safety` says why its slot is empty, if not `home_slot`'s reason.
    fn vacant_handle(
        &self,
        name: &Ident,
        ty: Option<&syn::Type>,
        safety: Option<&'static str>,
    ) -> Option<TokenStream> {
        let (slot_decl, slot, slot_safety) = self.home_slot(name)?;
        let parts = self.parts_of(&name.to_string());
        let home = self.n.support("Home");
        let safety = safety.unwrap_or(slot_safety);
        let vacant = crate::anchor::vacant_home(&home, slot, safety, name, ty, parts);
        Some(quote!(#slot_decl #vacant))
    }

    /// Where anchored local `name`'s home lies: `slots.k`, a slot of the pinned future, or a
    /// slot of the poll function's frame (see `stack_homes`), declared by the code returned
    /// first, just before the handle.
    /// The third part is the `SAFETY` argument of moving a value into that slot.
    fn home_slot(&self, name: &Ident) -> Option<(TokenStream, TokenStream, &'static str)> {
        if !self.anchored.iter().any(|n| name == n.as_str()) {
            return None;
        }
        if self.stack_homes.iter().any(|n| name == n.as_str()) {
            let slot = Ident::new(&format!("{name}_slot"), Span::mixed_site());
            let home = self.n.support("Home");
            return Some((
                quote!(let mut #slot = #home::EMPTY;),
                quote!(&raw mut #slot),
                "// SAFETY: the slot, declared just before in this scope, is empty and outlives \
                 the handle, which no state holds and which drops first, at the end of the scope.",
            ));
        }
        let index = (self.anchored.iter())
            .filter(|n| !self.stack_homes.contains(n))
            .position(|n| name == n.as_str())?;
        let index = syn::Index::from(index);
        let slots = &self.n.slots;
        Some((
            TokenStream::new(),
            quote!(#slots.#index),
            "// SAFETY: the slot is this local's alone and empty here: a value from an earlier \
             pass (a loop iteration) was dropped or moved out with its handle.",
        ))
    }

    /// Takes site `k`'s state apart (see `take_apart_locals`).
    fn take_apart_site(&self, k: SiteId, by_name: &dyn Fn(LocalId) -> bool) -> TokenStream {
        let site = &self.body.sites[k];
        self.take_apart_locals(&site.variant, &site.stored, by_name)
    }

    /// Takes a state (variant `v`, holding `locals`) apart: each local comes out under its own
    /// name when `by_name(local)`, else as `x_saved` (restored in its own block).
    fn take_apart_locals(
        &self,
        v: &Ident,
        locals: &[LocalId],
        by_name: &dyn Fn(LocalId) -> bool,
    ) -> TokenStream {
        // A held local comes back as its home's handle, made from its slot before the state is
        // taken apart, where the pattern would have bound it: it drops after the locals
        // declared after it (in this state, all the others). Its `Held` stays behind.
        let mut resumed = TokenStream::new();
        for &id in locals.iter().filter(|&&id| self.held[id]) {
            let l = &self.body.locals[id];
            let (i, m) = match by_name(id) {
                true => (&l.ident, l.mutable.then(|| quote!(mut))),
                false => (&self.saved[id], None),
            };
            let (_, slot, _) = (self.home_slot(&l.ident)).expect("a held local has a home");
            let held = self.n.support("Held");
            let safety =
                "// SAFETY: the home of the local this state holds (`Held`), with its value.";
            resumed.extend(quote! {
                #[doc = #safety]
                let #m #i = unsafe { #held::resume(#slot) };
            });
        }
        let fields: Vec<(Ident, TokenStream)> = (locals.iter())
            .filter(|&&id| !self.held[id])
            .map(|&id| {
                let l = &self.body.locals[id];
                (l.field.clone(), self.bound_or_saved(id, by_name(id)))
            })
            .collect();
        let take_apart = self.take_apart(v, &fields);
        quote!(#resumed #take_apart)
    }

    /// Whether a local handed over at the statement `levels` ends at comes back under its own
    /// name: it is declared outside the construct of `stop`, the next join point around, and
    /// only goes on there (the others are restored in their own blocks).
    fn goes_on_by_name(&self, id: LocalId, levels: &[Level], stop: Option<(usize, usize)>) -> bool {
        stop.is_some_and(|(li, _)| self.declared_outside(id, &levels[li..]))
    }

    /// The binding a local comes back under: its own (`mut x`) or `x_saved`.
    fn bound_or_saved(&self, id: LocalId, by_name: bool) -> TokenStream {
        if by_name {
            binding(&self.body.locals[id])
        } else {
            let s = &self.saved[id];
            quote!(#s)
        }
    }

    /// Moves the given fields out of the current state (variant `v`) and leaves `Panicked`
    /// behind (the sub-future slot is already empty when this runs). With no fields to move,
    /// the state is left as it is: whatever comes next overwrites it, and nothing in it is
    /// left to drop.
    fn take_apart(&self, v: &Ident, fields: &[(Ident, TokenStream)]) -> TokenStream {
        let (state_enum, state) = (&self.n.state_enum, &self.n.state);
        if fields.is_empty() {
            return TokenStream::new();
        }
        let fields = fields.iter().map(|(f, p)| {
            // `x` for `x: x`, spelled with the pattern's ident (the user's span).
            if *f == p.to_string() {
                quote!(#p)
            } else {
                quote!(#f: #p)
            }
        });
        quote! {
            let #state_enum::#v { #(#fields,)* .. } =
                ::core::mem::replace(#state, #state_enum::Panicked)
            else {
                ::core::unreachable!()
            };
        }
    }

    /// Root-level locals are bound straight from the state's fields, unless two of them share a
    /// name (shadowing): one pattern cannot bind a name twice, so they come back one `let` at a time.
    fn root_via_lets(&self, k: SiteId) -> bool {
        let site = &self.body.sites[k];
        let mut seen = std::collections::HashSet::new();
        site.stored
            .iter()
            .map(|&id| &self.body.locals[id])
            .filter(|l| l.block == 0)
            .any(|l| !seen.insert(l.ident.to_string()))
    }

    // ----- user code -----

    fn plain_stmt(&self, s: &syn::Stmt) -> TokenStream {
        if let syn::Stmt::Local(l) = s
            && let Some((name, _)) = crate::anchor::simple_binding(&l.pat)
            && l.init
                .as_ref()
                .is_some_and(|i| matches!(&*i.expr, Expr::Closure(_) | Expr::Async(_)))
        {
            self.closure_copies.borrow_mut().push(name.to_string());
        }
        let mut s = s.clone();
        self.rewrite_returns(|r| r.visit_stmt_mut(&mut s));
        match &mut s {
            // A temporary that keeps what a method on an anchored local returns (`let tmp =
            // acc.add(3, x);`, `add(&mut self) -> &mut Self`, kept across an `.await`).
            syn::Stmt::Local(l)
                if self.keeps_borrow(&l.pat)
                    && l.init.as_ref().is_some_and(|i| i.diverge.is_none()) =>
            {
                let init = l.init.as_mut().unwrap();
                self.anchor_uses(|a| a.kept_method_result(&mut init.expr));
            }
            s => self.anchor_uses(|a| a.visit_stmt_mut(s)),
        }
        let home = match &s {
            syn::Stmt::Local(l) if l.init.is_some() => self.pat_into_home(&l.pat),
            syn::Stmt::Local(l) => match self.vacant_home(l) {
                Some(vacant) => return vacant,
                None => TokenStream::new(),
            },
            _ => TokenStream::new(),
        };
        quote!(#s #home)
    }

    /// Does `pat` bind a local that keeps a borrow of another local: a temporary of the
    /// normaliser (see `Builder::method_borrow`), or a value made from a borrow (see
    /// `Builder::maybe_borrowed_by`)?
    fn keeps_borrow(&self, pat: &Pat) -> bool {
        let Some((name, _)) = crate::anchor::simple_binding(pat) else {
            return false;
        };
        self.body.borrows.iter().any(|b| {
            let l = &self.body.locals[b.borrower];
            (l.synthetic || b.maybe) && l.ident == *name
        })
    }

    fn plain_expr(&self, e: &Expr) -> TokenStream {
        let mut e = e.clone();
        self.rewrite_returns(|r| r.visit_expr_mut(&mut e));
        self.anchor_uses(|a| a.visit_expr_mut(&mut e));
        e.into_token_stream()
    }

    /// The expression of an `.await`: its borrows are kept in the sub-future.
    fn awaited_expr(&self, e: &Expr) -> TokenStream {
        let mut e = e.clone();
        self.rewrite_returns(|r| r.visit_expr_mut(&mut e));
        self.anchor_uses_in(true, |a| a.visit_expr_mut(&mut e));
        e.into_token_stream()
    }

    /// A `match` arm's guard, or an `if let` chain (`if let Some(a) = x && a.ok()`). It runs
    /// before the block where the bindings of `pats` move into their fixed homes, so it reads
    /// the bindings themselves.
    fn plain_binding(&self, g: &Expr, pats: &[&Pat]) -> TokenStream {
        self.plain_binding_with(g, pats, &mut |a, e| a.visit_expr_mut(e))
    }

    /// An `if` construct's condition: [`Self::plain_binding`], and a `let` that moves an
    /// anchored local takes it out of its home only when it matches (`AnchorUses::condition`).
    fn plain_condition(&self, cond: &Expr, pats: &[&Pat]) -> TokenStream {
        self.plain_binding_with(cond, pats, &mut |a, e| a.condition(e))
    }

    fn plain_binding_with(
        &self,
        g: &Expr,
        pats: &[&Pat],
        rewrite: &mut dyn FnMut(&mut crate::anchor::AnchorUses, &mut Expr),
    ) -> TokenStream {
        let bound: Vec<String> = pats
            .iter()
            .flat_map(|p| crate::mentions::pat_bindings(p))
            .map(|(i, _)| i.to_string())
            .collect();
        let outer: Vec<String> = self
            .anchored
            .iter()
            .filter(|n| !bound.contains(n))
            .cloned()
            .collect();
        let mut e = g.clone();
        self.rewrite_returns(|r| r.visit_expr_mut(&mut e));
        self.anchor_uses_of(&outer, false, |a| rewrite(a, &mut e));
        e.into_token_stream()
    }

    /// A `match` scrutinee: a place, not a value (see `AnchorUses::scrutinee`).
    fn plain_scrutinee<'p>(
        &self,
        e: &Expr,
        pats: impl IntoIterator<Item = &'p Pat>,
    ) -> TokenStream {
        let mut e = e.clone();
        self.rewrite_returns(|r| r.visit_expr_mut(&mut e));
        self.anchor_uses(|a| a.scrutinee(&mut e, pats));
        e.into_token_stream()
    }

    /// Runs the `return`/`?` rewrite on user code; a `return` is an edge to `Done`.
    fn rewrite_returns(&self, f: impl FnOnce(&mut ReturnRewriter)) {
        let mut r = ReturnRewriter {
            option_return: self.option_return,
            returned: false,
        };
        f(&mut r);
        if r.returned {
            self.edge("Done");
        }
    }

    /// Runs the rewrite of anchored locals' mentions, keeping its first error.
    fn anchor_uses(&self, f: impl FnOnce(&mut crate::anchor::AnchorUses)) {
        self.anchor_uses_in(false, f)
    }

    /// [`Self::anchor_uses`], saying whether the expression is an awaited future (see
    /// `AnchorUses::kept`).
    fn anchor_uses_in(&self, kept: bool, f: impl FnOnce(&mut crate::anchor::AnchorUses)) {
        self.anchor_uses_of(&self.anchored, kept, f)
    }

    /// [`Self::anchor_uses_in`] for the anchored locals in `names` only.
    fn anchor_uses_of(
        &self,
        names: &[String],
        kept: bool,
        f: impl FnOnce(&mut crate::anchor::AnchorUses),
    ) {
        if names.is_empty() {
            return;
        }
        let mut a = crate::anchor::AnchorUses {
            names,
            shared_only: &self.anchored_shared,
            owned: &self.anchored_owned,
            moved_last: &self.anchored_moved_last,
            untyped: &self.anchored_untyped,
            home: self.n.support("Home"),
            shown_through: self.n.support("ShownThrough"),
            last_move_maybe: &self.anchored_last_move_maybe,
            locals: &self.local_names,
            in_closure: 0,
            error: None,
            parts: &self.parts,
            parted: Vec::new(),
            kept,
            island_block: false,
        };
        f(&mut a);
        if let Some(e) = a.error {
            self.error.borrow_mut().get_or_insert(e);
        }
        let mut parted = self.parted.borrow_mut();
        for p in a.parted {
            if !parted.contains(&p) {
                parted.push(p);
            }
        }
    }

    /// After `let v_home = ..;` of an anchored local: move the value into its home.
    fn move_home(&self, name: &Ident) -> TokenStream {
        match self.home_slot(name) {
            Some((slot_decl, slot, safety)) => {
                let into = crate::anchor::into_home(
                    &self.n.support("Home"),
                    slot,
                    safety,
                    name,
                    self.parts_of(&name.to_string()),
                );
                quote!(#slot_decl #into)
            }
            None => TokenStream::new(),
        }
    }

    /// The handle's type parameter of an anchored local with parts moved out.
    /// [`expr_text`] with the names of fixed homes' handles (`buf_home`) as the user wrote them.
    fn written_text(&self, e: &Expr) -> String {
        let handles = self
            .body
            .locals
            .iter()
            .filter(|l| l.anchored)
            .map(|l| (l.ident.to_string(), Ident::new(&l.written, l.ident.span())))
            .collect();
        let tokens = crate::rename::rename_tokens(e.to_token_stream(), &handles);
        match syn::parse2::<Expr>(tokens) {
            Ok(e) => expr_text(&e),
            Err(_) => expr_text(e),
        }
    }

    fn partial_handle_ty(&self, id: crate::ir::LocalId) -> Option<&Ident> {
        let name = self.body.locals[id].ident.to_string();
        self.parts_of(&name)?;
        self.handle_tys
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, h)| h)
    }

    /// The parts moved out of an anchored local, if any.
    fn parts_of(&self, name: &str) -> Option<&[String]> {
        self.parts
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, p)| p.as_slice())
    }

    /// After a pattern has bound its locals: move those with a fixed home into it (`let x`, a
    /// `match` arm's or an `if let`'s bindings; the others get none, see `Local::anchorable`).
    fn pat_into_home(&self, pat: &Pat) -> TokenStream {
        crate::mentions::pat_bindings(pat)
            .iter()
            .map(|(name, _)| self.move_home(name))
            .collect()
    }

    /// `let PAT = value;` for the `let` statement `bind`, from a value held in a local. A pattern
    /// that is more than one name takes it through a block, which moves the whole value, so the
    /// parts it ignores drop at the end of the statement, like the temporary rustc would have.
    fn let_value(&self, bind: &Bind, value: &Ident) -> TokenStream {
        match bind {
            Bind::Let { pat, .. } if is_simple_binding(pat) => {
                self.render_bind(bind, quote!(#value))
            }
            _ => self.render_bind(bind, quote!({ #value })),
        }
    }

    fn render_bind(&self, bind: &Bind, value: TokenStream) -> TokenStream {
        match bind {
            Bind::Let { attrs, pat, .. } => {
                let home = self.pat_into_home(pat);
                quote!(#(#attrs)* let #pat = #value; #home)
            }
            Bind::Expr { semi: true } => quote!(#value;),
            Bind::Expr { semi: false } => value,
        }
    }
}

/// One block on the way from the root down to a statement.
struct Level<'b> {
    block: &'b BlockIr,
    /// The statement's index in the block.
    idx: usize,
    /// How this block sits in the statement one level up.
    via: Via<'b>,
}

enum Via<'b> {
    Root,
    Plain,
    Loop(&'b Lifetime, &'b BlockIr),
}

/// The edge to join point `j` in the state graph, resolved to the states its code goes to.
fn join_edge(j: usize) -> String {
    format!("join {j}")
}

/// Does the construct at `join` end before the statement at `site` runs, in the text (not inside
/// it, nor in another branch of a construct around both)?
fn ends_before(join: &[Step], site: &[Step]) -> bool {
    match join.iter().zip(site).find(|(a, b)| a != b) {
        Some((Step::Stmt(a), Step::Stmt(b))) => a < b,
        _ => false,
    }
}

/// The edge to loop head `h`, resolved to the states its code goes to.
fn head_edge(h: usize) -> String {
    format!("head {h}")
}

/// Replaces each edge to a join point or a loop's head (a key of `passes`) by the states the
/// code there goes to, through any number of them (a loop's head may lead to another's).
fn resolve_edges(edges: &[String], passes: &[(String, Vec<String>)]) -> Vec<String> {
    fn visit(
        e: &str,
        passes: &[(String, Vec<String>)],
        seen: &mut Vec<String>,
        out: &mut Vec<String>,
    ) {
        match passes.iter().find(|(key, _)| key == e) {
            Some((key, targets)) => {
                if seen.contains(key) {
                    return;
                }
                seen.push(key.clone());
                for t in targets {
                    visit(t, passes, seen, out);
                }
            }
            None => {
                if !out.iter().any(|o| o == e) {
                    out.push(e.to_string());
                }
            }
        }
    }
    let (mut seen, mut out) = (Vec::new(), Vec::new());
    for e in edges {
        visit(e, passes, &mut seen, &mut out);
    }
    out
}

/// `x` when the field has the local's name, `x_2: x` otherwise: in a pattern of the state.
fn field_pat(l: &crate::ir::Local) -> TokenStream {
    let (f, i) = (&l.field, &l.ident);
    if f == i { quote!(#i) } else { quote!(#f: #i) }
}

/// `mut x` or `x`: the local's binding when it comes back out of the state.
fn binding(l: &crate::ir::Local) -> TokenStream {
    let (i, m) = (&l.ident, l.mutable.then(|| quote!(mut)));
    quote!(#m #i)
}

/// A statement after which nothing runs: `return`, `break`, `continue`, `panic!`-like macros.
/// (Not a block ending in one: `'a: { ..; break 'a; }` runs on after itself.)
pub(crate) fn stmt_diverges(s: &syn::Stmt) -> bool {
    match s {
        syn::Stmt::Expr(Expr::Block(_), _) => false,
        syn::Stmt::Expr(e, _) => diverges(e),
        syn::Stmt::Macro(m) => macro_diverges(&m.mac),
        _ => false,
    }
}

/// `panic!`, `unreachable!`, `todo!`, `unimplemented!`.
fn macro_diverges(m: &syn::Macro) -> bool {
    m.path.segments.last().is_some_and(|s| {
        matches!(
            s.ident.to_string().as_str(),
            "panic" | "unreachable" | "todo" | "unimplemented"
        )
    })
}

/// A plain expression that never completes (`return`, `break`, `continue`, `panic!(..)`).
pub(crate) fn diverges(e: &Expr) -> bool {
    match e {
        Expr::Return(_) | Expr::Break(_) | Expr::Continue(_) => true,
        Expr::Macro(m) => macro_diverges(&m.mac),
        Expr::Block(b) => match b.block.stmts.last() {
            Some(syn::Stmt::Expr(e, _)) => diverges(e),
            Some(syn::Stmt::Macro(m)) => macro_diverges(&m.mac),
            _ => false,
        },
        _ => false,
    }
}

/// Does `ts` contain `break 'label`?
pub(crate) fn breaks_to(ts: TokenStream, label: &Lifetime) -> bool {
    let tokens: Vec<TokenTree> = ts.into_iter().collect();
    tokens.iter().enumerate().any(|(i, tt)| match tt {
        TokenTree::Ident(kw) if kw == "break" => {
            matches!((tokens.get(i + 1), tokens.get(i + 2)),
                (Some(TokenTree::Punct(p)), Some(TokenTree::Ident(n))) if p.as_char() == '\'' && *n == label.ident)
        }
        TokenTree::Group(g) => breaks_to(g.stream(), label),
        _ => false,
    })
}

/// `restored` without its `let mut x;` (or `let mut x: T;`) declarations of locals that `code`
/// never assigns (the code that assigns them was not written again: it is past a point every
/// path leaves).
fn without_unused_declarations(restored: TokenStream, code: &[&TokenStream]) -> TokenStream {
    // (Assigned, not only named: a binding of the same name in the code, `let (n, g) = ..`,
    // would keep a declaration nothing assigns, which has no type, E0282.)
    let tokens: Vec<TokenTree> = restored.into_iter().collect();
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        match declaration_at(&tokens[i..]) {
            Some((x, n)) if !code.iter().any(|c| assigns((*c).clone(), x)) => i += n,
            _ => {
                out.push(tokens[i].clone());
                i += 1;
            }
        }
    }
    out.into_iter().collect()
}

/// `let [mut] x;` or `let [mut] x: T;` at the start of `tokens`: the name and the number of
/// tokens. (A `=` before the `;` makes it a `let` with a value; one inside a type,
/// `Box<dyn Iterator<Item = u8>>`, keeps the declaration too, which only costs a line.)
fn declaration_at(tokens: &[TokenTree]) -> Option<(&Ident, usize)> {
    let [TokenTree::Ident(l), rest @ ..] = tokens else {
        return None;
    };
    let (x, start) = match rest {
        [TokenTree::Ident(m), TokenTree::Ident(x), ..] if l == "let" && m == "mut" => (x, 3),
        [TokenTree::Ident(x), ..] if l == "let" && x != "mut" => (x, 2),
        _ => return None,
    };
    let is = |t: &TokenTree, c: char| matches!(t, TokenTree::Punct(p) if p.as_char() == c);
    match tokens.get(start) {
        Some(t) if is(t, ';') => Some((x, start + 1)),
        Some(t) if is(t, ':') => {
            let end = start + tokens[start..].iter().position(|t| is(t, ';'))?;
            (!tokens[start..end].iter().any(|t| is(t, '='))).then_some((x, end + 1))
        }
        _ => None,
    }
}

/// `{ { a; b; } }` → `{ a; b; }`, everywhere but in macro input: a block whose one statement is
/// a block of statements adds nothing (the same locals drop at the same point, and with no
/// tail expression there is no value or temporary to move). The rewrite makes such nests
/// when it writes each level of the user's blocks around a resumed statement.
fn flatten_blocks(ts: TokenStream) -> TokenStream {
    use proc_macro2::{Delimiter, Group};
    let tokens: Vec<TokenTree> = ts.into_iter().collect();
    let mut out = Vec::with_capacity(tokens.len());
    for (i, t) in tokens.iter().enumerate() {
        let TokenTree::Group(g) = t else {
            out.push(t.clone());
            continue;
        };
        // Macro input (`m!(..)`, `macro_rules! m { .. }`) is the macro's to read, as written.
        let macro_input = matches!(i.checked_sub(1).map(|k| &tokens[k]), Some(TokenTree::Punct(p)) if p.as_char() == '!')
            || (i >= 2
                && matches!(&tokens[i - 1], TokenTree::Ident(_))
                && matches!(&tokens[i - 2], TokenTree::Punct(p) if p.as_char() == '!'));
        if macro_input {
            out.push(t.clone());
            continue;
        }
        let mut inner = flatten_blocks(g.stream());
        if g.delimiter() == Delimiter::Brace {
            loop {
                let parts: Vec<TokenTree> = inner.clone().into_iter().collect();
                let only = match parts.as_slice() {
                    [TokenTree::Group(b)] => Some(b),
                    [TokenTree::Group(b), TokenTree::Punct(p)] if p.as_char() == ';' => Some(b),
                    _ => None,
                };
                let Some(b) = only.filter(|b| b.delimiter() == Delimiter::Brace) else {
                    break;
                };
                let statements = b.stream().into_iter().last().is_none_or(
                    |last| matches!(last, TokenTree::Punct(ref p) if p.as_char() == ';'),
                );
                if !statements {
                    break;
                }
                inner = b.stream();
            }
        }
        let mut flat = Group::new(g.delimiter(), inner);
        flat.set_span(g.span());
        out.push(TokenTree::Group(flat));
    }
    out.into_iter().collect()
}

/// `a; { b }` → `a; b`: a block that ends an arm's code needs no braces of its own (its
/// locals are dropped at the same point either way, after the block's own, in reverse order).
fn flatten_tail_block(body: TokenStream) -> TokenStream {
    let mut tokens: Vec<TokenTree> = body.into_iter().collect();
    let statement = match tokens.len() {
        0 => false,
        1 => true,
        n => matches!(&tokens[n - 2], TokenTree::Punct(p) if p.as_char() == ';'),
    };
    match tokens.last() {
        Some(TokenTree::Group(g))
            if statement && g.delimiter() == proc_macro2::Delimiter::Brace =>
        {
            let inner = g.stream();
            tokens.pop();
            tokens.into_iter().chain(inner).collect()
        }
        _ => tokens.into_iter().collect(),
    }
}

/// The code without its final `break 'label;`, when that is its only `break` to `label`: the
/// `if let` of a state whose code ends by going on to the next state needs no labelled block
/// around it, since it falls through to the next one.
fn strip_tail_break(body: &TokenStream, label: &Lifetime) -> Option<TokenStream> {
    let tokens: Vec<TokenTree> = body.clone().into_iter().collect();
    let [
        ..,
        TokenTree::Ident(kw),
        TokenTree::Punct(q),
        TokenTree::Ident(name),
        TokenTree::Punct(semi),
    ] = tokens.as_slice()
    else {
        return None;
    };
    if kw != "break" || q.as_char() != '\'' || *name != label.ident || semi.as_char() != ';' {
        return None;
    }
    let rest: TokenStream = tokens[..tokens.len() - 4].iter().cloned().collect();
    (!breaks_to(rest.clone(), label)).then_some(rest)
}

fn is_simple_binding(pat: &Pat) -> bool {
    match pat {
        Pat::Ident(p) => p.subpat.is_none(),
        Pat::Type(t) => is_simple_binding(&t.pat),
        _ => false,
    }
}

fn split_guard(pat: &Pat) -> (Pat, Option<Expr>) {
    match pat {
        Pat::Guard(g) => ((*g.pat).clone(), Some((*g.guard).clone())),
        p => (p.clone(), None),
    }
}

/// `return e` → `return Poll::Ready(e)`; for a fn returning `Option`, `e?` → an explicit match
/// (std has no `?` from `Option` into `Poll<Option<_>>`).
struct ReturnRewriter {
    option_return: bool,
    returned: bool,
}

impl VisitMut for ReturnRewriter {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        match e {
            Expr::Return(r) => {
                if let Some(inner) = &mut r.expr {
                    self.visit_expr_mut(inner);
                }
                self.returned = true;
                let value = r
                    .expr
                    .take()
                    .map(|v| v.into_token_stream())
                    .unwrap_or_else(|| quote!(()));
                let span = r.return_token.span;
                *e = syn::parse_quote_spanned!(span=> return ::core::task::Poll::Ready(#value));
            }
            Expr::Try(t) => {
                self.visit_expr_mut(&mut t.expr);
                self.returned = true;
                if self.option_return {
                    let inner = crate::normalize::in_condition((*t.expr).clone());
                    let span = t.question_token.span;
                    *e = syn::parse_quote_spanned! {span=>
                        match #inner {
                            ::core::option::Option::Some(v) => v,
                            ::core::option::Option::None => {
                                return ::core::task::Poll::Ready(::core::option::Option::None)
                            }
                        }
                    };
                }
            }
            Expr::Closure(_) | Expr::Async(_) => {}
            _ => syn::visit_mut::visit_expr_mut(self, e),
        }
    }
    // A known macro's arguments are expressions, where a `return` or `?` leaves the fn
    // (`format!("{}", { if c { return x; } v })`). (An unknown macro with one runs as an
    // island, whose block returns the fn's output.)
    fn visit_macro_mut(&mut self, m: &mut syn::Macro) {
        crate::mentions::MacroParts::rewrite_args(m, |e| self.visit_expr_mut(e));
    }
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// Inside the awaited expression, the borrowed locals are references into the state: `x` → `(*x)`.
/// In the tokens of the macros in `e` that the transform does not know, each of `names` (a
/// reference now) written `*v`.
/// (Not in a macro whose input the rewrite of fixed homes took as expressions: it reached the
/// handles through their methods there, as in the rest of the expression. `anchored`: the
/// names of all fixed homes, which decide that.)
fn deref_in_macro_tokens(e: &mut Expr, names: &[&Ident], anchored: &[String]) {
    struct InTokens<'a>(&'a [&'a Ident], &'a [String]);
    impl VisitMut for InTokens<'_> {
        fn visit_macro_mut(&mut self, m: &mut syn::Macro) {
            if !crate::mentions::MacroParts::rewrite_args(m, |e| self.visit_expr_mut(e))
                && !m.path.is_ident("stringify")
                && crate::mentions::unknown_macro_exprs_binding_none_of(m, self.1).is_none()
            {
                let names = self.0;
                m.tokens = crate::mentions::replace_in_tokens(m.tokens.clone(), &mut |v, _| {
                    names.contains(&v).then(|| quote!((*#v)))
                });
            }
        }
        // An island's block gets references of its own to the homes it uses (`borrowedN`,
        // see `anchor.rs`), which stand for the values: its macro is left as written.
        fn visit_expr_call_mut(&mut self, c: &mut syn::ExprCall) {
            if !crate::island::is_island_new(&c.func) {
                syn::visit_mut::visit_expr_call_mut(self, c);
            }
        }
    }
    if !names.is_empty() {
        InTokens(names, anchored).visit_expr_mut(e);
    }
}

fn deref_locals(e: &mut Expr, names: &[&Ident]) {
    struct Deref<'a>(&'a [&'a Ident]);
    impl VisitMut for Deref<'_> {
        fn visit_expr_mut(&mut self, e: &mut Expr) {
            if let Expr::Path(p) = e
                && p.qself.is_none()
                && p.path.segments.len() == 1
                && p.path.leading_colon.is_none()
            {
                let id = &p.path.segments[0].ident;
                if self.0.contains(&id) {
                    *e = parse_quote!((*#id));
                    return;
                }
            }
            syn::visit_mut::visit_expr_mut(self, e);
        }
        fn visit_field_value_mut(&mut self, f: &mut syn::FieldValue) {
            if f.colon_token.is_none() {
                f.colon_token = Some(Default::default());
            }
            syn::visit_mut::visit_field_value_mut(self, f);
        }
        fn visit_macro_mut(&mut self, m: &mut syn::Macro) {
            if !crate::mentions::MacroParts::rewrite_args(m, |e| self.visit_expr_mut(e))
                && !m.path.is_ident("stringify")
            {
                // An unknown macro's tokens (`select!` in an island): `(*v)` too, a place
                // through the reference, which an `async` block or closure there captures as
                // the place `*v` instead of the reference itself.
                let names = self.0;
                m.tokens = crate::mentions::replace_in_tokens(m.tokens.clone(), &mut |v, _| {
                    names.contains(&v).then(|| quote!((*#v)))
                });
            }
        }
        // A closure that borrows the local (`poll_fn(|cx| Pin::new(&mut a).poll(cx))`) borrows
        // it in the state too: `&mut (*a)` is a reborrow through the reference, which the closure
        // captures as the place `*a`. A `move` closure would move the local out of the state
        // instead: left as written (rustc then says what is wrong).
        fn visit_expr_closure_mut(&mut self, c: &mut syn::ExprClosure) {
            if c.capture.is_some() {
                return;
            }
            let params: Vec<String> = c
                .inputs
                .iter()
                .flat_map(crate::mentions::binding_idents)
                .map(|p| p.ident.to_string())
                .collect();
            let names: Vec<&Ident> = self
                .0
                .iter()
                .copied()
                .filter(|n| !params.contains(&n.to_string()))
                .collect();
            Deref(&names).visit_expr_mut(&mut c.body);
        }
        fn visit_expr_async_mut(&mut self, _: &mut syn::ExprAsync) {}
        // A name a pattern inside binds is a new local there (`{ let p = p; p }`), not the
        // one in the state.
        fn visit_block_mut(&mut self, b: &mut syn::Block) {
            let mut names = self.0.to_vec();
            for s in &mut b.stmts {
                Deref(&names).visit_stmt_mut(s);
                if let syn::Stmt::Local(l) = s {
                    names = without_bound(&names, &l.pat);
                }
            }
        }
        fn visit_arm_mut(&mut self, a: &mut syn::Arm) {
            let names = without_bound(self.0, &a.pat);
            if let syn::Pat::Guard(g) = &mut a.pat {
                Deref(&names).visit_expr_mut(&mut g.guard);
            }
            Deref(&names).visit_expr_mut(&mut a.body);
        }
        fn visit_expr_if_mut(&mut self, i: &mut syn::ExprIf) {
            match &mut *i.cond {
                Expr::Let(l) => {
                    self.visit_expr_mut(&mut l.expr);
                    Deref(&without_bound(self.0, &l.pat)).visit_block_mut(&mut i.then_branch);
                }
                cond => {
                    self.visit_expr_mut(cond);
                    self.visit_block_mut(&mut i.then_branch);
                }
            }
            if let Some((_, e)) = &mut i.else_branch {
                self.visit_expr_mut(e);
            }
        }
        fn visit_expr_for_loop_mut(&mut self, f: &mut syn::ExprForLoop) {
            self.visit_expr_mut(&mut f.expr);
            Deref(&without_bound(self.0, &f.pat)).visit_block_mut(&mut f.body);
        }
    }
    fn without_bound<'a>(names: &[&'a Ident], pat: &syn::Pat) -> Vec<&'a Ident> {
        let bound: Vec<String> = crate::mentions::pat_bindings(pat)
            .iter()
            .map(|(i, _)| i.to_string())
            .collect();
        names
            .iter()
            .copied()
            .filter(|n| !bound.contains(&n.to_string()))
            .collect()
    }
    Deref(names).visit_expr_mut(e);
}

/// In the rest of a suspended loop iteration: `continue 'l` → `break 'l_iter`, `break 'l` →
/// `break 'l_done`.
fn relabel(ts: TokenStream, label: &str, iter: &Lifetime, done: &Lifetime) -> TokenStream {
    let tokens: Vec<TokenTree> = ts.into_iter().collect();
    let mut out = TokenStream::new();
    let mut i = 0;
    while i < tokens.len() {
        let tt = &tokens[i];
        if let TokenTree::Ident(kw) = tt {
            let is_break = kw == "break";
            let is_continue = kw == "continue";
            if (is_break || is_continue)
                && i + 2 < tokens.len()
                && let (TokenTree::Punct(p), TokenTree::Ident(name)) =
                    (&tokens[i + 1], &tokens[i + 2])
                && p.as_char() == '\''
                && name == label
            {
                let target = if is_continue { iter } else { done };
                let kw = Ident::new("break", kw.span());
                out.extend(quote!(#kw #target));
                i += 3;
                continue;
            }
        }
        match tt {
            TokenTree::Group(g) => {
                let mut ng =
                    proc_macro2::Group::new(g.delimiter(), relabel(g.stream(), label, iter, done));
                ng.set_span(g.span());
                out.extend([TokenTree::Group(ng)]);
            }
            other => out.extend([other.clone()]),
        }
        i += 1;
    }
    out
}

/// `AwaitRead` for `stream.read(&mut buf)`, `AwaitFetch` for `client::fetch(url)`.
fn variant_base(e: &Expr) -> String {
    if let Some(m) = crate::island::macro_of(e)
        && let Some(name) = m.path.segments.last()
    {
        return camel_case(&name.ident.to_string());
    }
    let raw = match e {
        Expr::MethodCall(m) => m.method.to_string(),
        Expr::Call(c) => match &*c.func {
            Expr::Path(p) => p
                .path
                .segments
                .last()
                .map(|s| s.ident.to_string())
                .unwrap_or_default(),
            other => variant_base(other).to_lowercase(),
        },
        Expr::Path(p) => p
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default(),
        Expr::Field(f) => match &f.member {
            syn::Member::Named(i) => i.to_string(),
            syn::Member::Unnamed(i) => format!("field{}", i.index),
        },
        Expr::Macro(m) => m
            .mac
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default(),
        Expr::Paren(p) => return variant_base(&p.expr),
        Expr::Block(b) => match b.block.stmts.last() {
            Some(syn::Stmt::Expr(e, None)) => return variant_base(e),
            _ => String::new(),
        },
        Expr::Async(_) => "async_block".into(),
        _ => String::new(),
    };
    let c = camel_case(raw.trim_start_matches("r#"));
    if c.is_empty() { "Future".into() } else { c }
}

/// A local's name in the docs and in the CLI's tables: a fixed home's handle (`x_home`) shows as
/// the user's `x`. (A shadowing local keeps its `x_2`, which tells the two apart.)
fn shown_name(l: &crate::ir::Local) -> String {
    if l.anchored {
        l.written.clone()
    } else {
        l.ident.to_string()
    }
}

pub fn expr_text(e: &Expr) -> String {
    let s = e.to_token_stream().to_string();
    // Token-stream spacing (`read (& mut buf)`) made a little more natural.
    s.replace(" (", "(")
        .replace("( ", "(")
        .replace(" )", ")")
        .replace(" . ", ".")
        .replace("& mut ", "&mut ")
        .replace(" ,", ",")
        .replace(":: ", "::")
        .replace(" ::", "::")
        .replace("& ", "&")
        .replace(" !", "!")
        .replace(" ?", "?")
}

/// Does `tokens` assign `x` (`x = ..`, `x.set(..)` for a fixed home's handle), not only name it
/// (`let x = ..` declares another `x`)?
fn assigns(tokens: TokenStream, x: &Ident) -> bool {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    tokens.iter().enumerate().any(|(i, t)| match t {
        TokenTree::Group(g) => assigns(g.stream(), x),
        TokenTree::Ident(id) if id == x => {
            let declared =
                i > 0 && matches!(&tokens[i - 1], TokenTree::Ident(k) if k == "let" || k == "mut");
            let next = |k: usize| tokens.get(i + k);
            let plain_eq = matches!(next(1), Some(TokenTree::Punct(p))
                if p.as_char() == '=' && p.spacing() == proc_macro2::Spacing::Alone);
            let set = matches!(next(1), Some(TokenTree::Punct(p)) if p.as_char() == '.')
                && matches!(next(2), Some(TokenTree::Ident(m)) if m == "set");
            !declared && (plain_eq || set)
        }
        _ => false,
    })
}
