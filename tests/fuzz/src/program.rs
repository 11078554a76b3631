//! A generated program as a tree the shrinker can cut.
//!
//! The generator writes source text, but it writes it into a [`Node`] tree that remembers two
//! things a shrinker needs: which pieces are whole statements (they may be deleted) and which are
//! expressions of a known type (they may be replaced by a plain literal of that type, or by a
//! smaller expression of the same type found inside them). A cut may leave a program that no
//! longer compiles as a plain `async fn` (a deleted `let` whose local is used later); the driver
//! finds that out and the shrinker drops such a candidate, so the tree needs no knowledge of
//! scopes.

/// The value types an expression can have in a generated program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    U32,
    /// `Option<u32>`
    Opt,
    /// `Result<u32, String>`
    Res,
}

impl Ty {
    /// Rust spelling.
    pub fn rust(self) -> &'static str {
        match self {
            Ty::U32 => "u32",
            Ty::Opt => "Option<u32>",
            Ty::Res => "Result<u32, String>",
        }
    }

    /// The smallest expression of this type: what the shrinker puts in place of a larger one.
    pub fn simplest(self) -> &'static str {
        match self {
            Ty::U32 => "1u32",
            Ty::Opt => "Some(1u32)",
            Ty::Res => "Ok::<u32, String>(1u32)",
        }
    }
}

/// Marks the place of `#[state_machine]` in front of every `async fn` the program defines: empty in
/// the native copy, the attribute in the machine copy.
pub const ATTRIBUTE_MARK: &str = "/*@state_machine*/";

#[derive(Clone, Debug)]
pub enum Node {
    Text(String),
    /// Pieces written one after the other.
    Seq(Vec<Node>),
    /// `{ .. }`: its `Stmt` children may be deleted.
    Block(Vec<Node>),
    /// Items one per line, without braces (the program's top level); deletable like a block's.
    List(Vec<Node>),
    /// A statement (or an item): deleting it is one shrinking step.
    Stmt(Box<Node>),
    /// An expression of a known type: replacing it by a smaller one of that type is a step.
    Expr(Ty, Box<Node>),
}

impl Node {
    pub fn text(s: impl Into<String>) -> Node {
        Node::Text(s.into())
    }

    /// The source text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.render_into(&mut out);
        out
    }

    fn render_into(&self, out: &mut String) {
        match self {
            Node::Text(s) => out.push_str(s),
            Node::Seq(parts) => parts.iter().for_each(|p| p.render_into(out)),
            Node::Block(stmts) => {
                out.push_str("{\n");
                for s in stmts {
                    s.render_into(out);
                    out.push('\n');
                }
                out.push('}');
            }
            Node::List(items) => {
                for s in items {
                    s.render_into(out);
                    out.push('\n');
                }
            }
            Node::Stmt(inner) | Node::Expr(_, inner) => inner.render_into(out),
        }
    }

    /// Every program one shrinking step smaller than `self`, the biggest cuts first.
    pub fn shrink_steps(&self) -> Vec<Node> {
        let mut steps = Vec::new();
        let mut path = Vec::new();
        self.collect_steps(&mut path, self, &mut steps);
        let mut sized: Vec<(usize, Node)> =
            steps.into_iter().map(|n| (n.render().len(), n)).collect();
        sized.sort_by_key(|(len, _)| *len);
        sized.into_iter().map(|(_, n)| n).collect()
    }

    /// Walks the tree; `path` leads from `root` to `self` (child indices).
    fn collect_steps(&self, path: &mut Vec<usize>, root: &Node, steps: &mut Vec<Node>) {
        match self {
            Node::Block(stmts) | Node::List(stmts) => {
                for (i, s) in stmts.iter().enumerate() {
                    if matches!(s, Node::Stmt(_)) {
                        steps.push(root.replaced(path, &mut |n| {
                            let (Node::Block(stmts) | Node::List(stmts)) = n else {
                                unreachable!()
                            };
                            stmts.remove(i);
                        }));
                    }
                }
            }
            Node::Expr(ty, inner) => {
                let simplest = ty.simplest();
                if inner.render() != simplest {
                    steps.push(root.replaced(path, &mut |n| *n = Node::text(simplest)));
                    let mut smaller = Vec::new();
                    inner.typed_descendants(*ty, &mut smaller);
                    for s in smaller {
                        steps.push(root.replaced(path, &mut |n| *n = s.clone()));
                    }
                }
            }
            Node::Stmt(inner) => {
                // `if c { .. }` / `loop { .. }` / `{ .. }` as a statement: keep only the body.
                if let Some(body) = inner.only_block() {
                    steps.push(
                        root.replaced(path, &mut |n| *n = Node::Stmt(Box::new(body.clone()))),
                    );
                }
            }
            _ => {}
        }
        for (i, child) in self.children().iter().enumerate() {
            path.push(i);
            child.collect_steps(path, root, steps);
            path.pop();
        }
    }

    fn children(&self) -> Vec<&Node> {
        match self {
            Node::Text(_) => Vec::new(),
            Node::Seq(v) | Node::Block(v) | Node::List(v) => v.iter().collect(),
            Node::Stmt(n) | Node::Expr(_, n) => vec![n],
        }
    }

    fn child_mut(&mut self, i: usize) -> &mut Node {
        match self {
            Node::Seq(v) | Node::Block(v) | Node::List(v) => &mut v[i],
            Node::Stmt(n) | Node::Expr(_, n) => n,
            Node::Text(_) => unreachable!("a text has no children"),
        }
    }

    /// A copy of `self` with `edit` applied to the node at `path`.
    fn replaced(&self, path: &[usize], edit: &mut dyn FnMut(&mut Node)) -> Node {
        let mut copy = self.clone();
        let mut at = &mut copy;
        for &i in path {
            at = at.child_mut(i);
        }
        edit(at);
        copy
    }

    /// The outermost expressions of type `ty` strictly inside `self`.
    fn typed_descendants(&self, ty: Ty, out: &mut Vec<Node>) {
        for c in self.children() {
            match c {
                Node::Expr(t, _) if *t == ty => out.push(c.clone()),
                _ => c.typed_descendants(ty, out),
            }
        }
    }

    /// The one block inside a statement whose only block-like child is that block (a statement
    /// `if c { .. }`, `'l: loop { .. }`), as a plain block statement.
    fn only_block(&self) -> Option<Node> {
        let Node::Seq(parts) = self else { return None };
        let blocks: Vec<&Node> = parts
            .iter()
            .filter(|p| matches!(p, Node::Block(_)))
            .collect();
        match blocks.as_slice() {
            [b] if parts.len() > 1 => Some((*b).clone()),
            _ => None,
        }
    }
}

/// A whole generated program: items (helpers, the fn under test, `entry`).
#[derive(Clone, Debug)]
pub struct Program {
    pub items: Node,
    pub output: Ty,
}

impl Program {
    /// The items as rustc compiles them.
    pub fn native(&self) -> String {
        self.items.render().replace(ATTRIBUTE_MARK, "")
    }

    /// The items with `#[state_machine]` on every `async fn`.
    pub fn machine(&self) -> String {
        self.items
            .render()
            .replace(ATTRIBUTE_MARK, "#[::clockwork_macros::state_machine]")
    }

    pub fn shrink_steps(&self) -> Vec<Program> {
        self.items
            .shrink_steps()
            .into_iter()
            .map(|items| Program {
                items,
                output: self.output,
            })
            .collect()
    }

    /// The program as a reader wants it: formatted, with the attribute shown.
    pub fn pretty(&self) -> String {
        let text = self.machine();
        match syn::parse_file(&text) {
            Ok(file) => prettyplease::unparse(&file),
            Err(_) => text,
        }
    }
}
