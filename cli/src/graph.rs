//! `clockwork graph`: one async fn's state diagram as Mermaid, Graphviz DOT or JSON.
//!
//! # The graph
//! Nodes: `Start` (not polled yet), one node per suspension point (`.await`), `Done` and
//! `Panicked`. Edges, by kind:
//! * `poll`: the first poll runs from `Start` to the first `.await` that is not ready;
//! * `pending`: a suspension point's self loop, taken while its future returns `Pending`;
//! * `ready`: its future is ready and the body runs on to the next suspension point;
//! * `return`: the body returns (at its end, a `return`, or a `?`), to `Done`;
//! * `panic`: a poll panics, to `Panicked` (every state but `Done` and `Panicked` has one).
//!
//! A state with several successors (a branch or a loop) has `branch: true` on those edges; in
//! Mermaid they go through a `<<choice>>` node, in DOT through a small diamond.
//!
//! # JSON schema (`--format json`), version `clockwork-graph/1`
//! Stable: fields are only ever added, never renamed or removed, within a version.
//! ```json
//! {
//!   "schema": "clockwork-graph/1",
//!   "fn": "net::Conn::read",          // the fn's path within the input
//!   "file": "src/net.rs",             // the input file ("<stdin>" for -)
//!   "line": 12, "column": 5,          // where the fn's signature starts (1-based)
//!   "nodes": [
//!     { "id": "Start", "kind": "start", "awaits": null, "line": null, "column": null,
//!       "holds": ["self", "buf"] },
//!     { "id": "AwaitRead", "kind": "await", "awaits": "self.stream.read(&mut buf)",
//!       "line": 14, "column": 13, "holds": ["buf"] },
//!     { "id": "Done", "kind": "done", "awaits": null, "line": null, "column": null, "holds": [] },
//!     { "id": "Panicked", "kind": "panicked", "awaits": null, "line": null, "column": null,
//!       "holds": [] }
//!   ],
//!   "edges": [
//!     { "from": "Start", "to": "AwaitRead", "kind": "poll", "branch": false },
//!     { "from": "AwaitRead", "to": "AwaitRead", "kind": "pending", "branch": false },
//!     { "from": "AwaitRead", "to": "Done", "kind": "return", "branch": false },
//!     { "from": "AwaitRead", "to": "Panicked", "kind": "panic", "branch": false }
//!   ]
//! }
//! ```
//! `kind` of a node is one of `start`, `await`, `done`, `panicked`; of an edge one of `poll`,
//! `pending`, `ready`, `return`, `panic`. `holds` lists the locals and arguments stored in that
//! state. Nodes come in state order, edges grouped by source node.

mod json;

use crate::explain::one_line;
use clockwork_expand::StateInfo;
use serde::Serialize;
use std::fmt::Write as _;

/// Output format of `clockwork graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Mermaid,
    Dot,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeKind {
    Start,
    Await,
    Done,
    Panicked,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EdgeKind {
    Poll,
    Pending,
    Ready,
    Return,
    Panic,
}

#[derive(Debug, Clone)]
pub struct Node {
    pub id: String,
    pub kind: NodeKind,
    pub awaits: Option<String>,
    pub at: Option<(usize, usize)>,
    pub holds: Vec<String>,
}

/// An edge; serialized as is in `--format json`, so its field order is the schema's key order.
#[derive(Debug, Clone, Serialize)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub kind: EdgeKind,
    pub branch: bool,
}

#[derive(Debug, Clone)]
pub struct Graph {
    pub name: String,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

impl EdgeKind {
    /// The label drawn on the edge.
    fn label(self) -> &'static str {
        match self {
            EdgeKind::Poll => "poll",
            EdgeKind::Pending => "Pending",
            EdgeKind::Ready => "Ready",
            EdgeKind::Return => "return",
            EdgeKind::Panic => "panic",
        }
    }
}

impl Graph {
    /// Builds the graph of a fn from the transform's [`StateInfo`]s.
    pub fn new(name: &str, file: &str, line: usize, column: usize, states: &[StateInfo]) -> Self {
        let mut nodes = Vec::new();
        let mut edges = Vec::new();
        for (i, s) in states.iter().enumerate() {
            let kind = if i == 0 && s.awaits.is_empty() {
                NodeKind::Start
            } else {
                NodeKind::Await
            };
            nodes.push(Node {
                id: s.name.clone(),
                kind,
                awaits: (kind == NodeKind::Await).then(|| one_line(&s.awaits)),
                at: (s.line > 0).then_some((s.line, s.column)),
                holds: s.holds.clone(),
            });
            if kind == NodeKind::Await {
                edges.push(Edge {
                    from: s.name.clone(),
                    to: s.name.clone(),
                    kind: EdgeKind::Pending,
                    branch: false,
                });
            }
            let branch = s.next.len() > 1;
            for n in &s.next {
                let kind = match (n.as_str(), kind) {
                    ("Done", _) => EdgeKind::Return,
                    ("Panicked", _) => EdgeKind::Panic,
                    (_, NodeKind::Start) => EdgeKind::Poll,
                    _ => EdgeKind::Ready,
                };
                edges.push(Edge {
                    from: s.name.clone(),
                    to: n.clone(),
                    kind,
                    branch,
                });
            }
            edges.push(Edge {
                from: s.name.clone(),
                to: "Panicked".into(),
                kind: EdgeKind::Panic,
                branch: false,
            });
        }
        // A successor the transform names but does not describe still gets a node.
        let unknown: Vec<String> = edges
            .iter()
            .map(|e| e.to.clone())
            .filter(|t| t != "Done" && t != "Panicked" && !states.iter().any(|s| &s.name == t))
            .collect();
        for t in unknown {
            if !nodes.iter().any(|n| n.id == t) {
                nodes.push(Node {
                    id: t,
                    kind: NodeKind::Await,
                    awaits: None,
                    at: None,
                    holds: vec![],
                });
            }
        }
        for (id, kind) in [("Done", NodeKind::Done), ("Panicked", NodeKind::Panicked)] {
            nodes.push(Node {
                id: id.into(),
                kind,
                awaits: None,
                at: None,
                holds: vec![],
            });
        }
        Graph {
            name: name.into(),
            file: file.into(),
            line,
            column,
            nodes,
            edges,
        }
    }

    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Mermaid => self.mermaid(),
            Format::Dot => self.dot(),
            Format::Json => self.json(),
        }
    }

    /// Successor edges of `from` (neither `pending` nor `panic`).
    fn successors<'a>(&'a self, from: &'a str) -> impl Iterator<Item = &'a Edge> + 'a {
        self.edges.iter().filter(move |e| {
            e.from == from && !matches!(e.kind, EdgeKind::Pending | EdgeKind::Panic)
        })
    }

    fn branching(&self, node: &Node) -> bool {
        self.successors(&node.id).count() > 1
    }

    /// Mermaid `stateDiagram-v2`. `panic` edges are left out (every state has one) and
    /// summed up in a note on `Panicked`.
    pub fn mermaid(&self) -> String {
        let mut o = String::from("stateDiagram-v2\n");
        let _ = writeln!(o, "    [*] --> Start");
        for n in &self.nodes {
            if let Some(a) = &n.awaits {
                let _ = writeln!(
                    o,
                    "    {} : {}",
                    n.id,
                    mermaid_text(&format!("{}.await", clip(a, 40)))
                );
            }
            if let Some((l, c)) = n.at {
                let _ = writeln!(o, "    {} : line {l}, col {c}", n.id);
            }
            if !n.holds.is_empty() {
                let _ = writeln!(
                    o,
                    "    {} : holds {}",
                    n.id,
                    mermaid_text(&n.holds.join(", "))
                );
            }
        }
        for n in &self.nodes {
            if matches!(n.kind, NodeKind::Await) && self.edges.iter().any(|e| e.from == n.id) {
                let _ = writeln!(o, "    {0} --> {0} : Pending", n.id);
            }
            let succ: Vec<&Edge> = self.successors(&n.id).collect();
            if self.branching(n) {
                let choice = format!("{}_choice", n.id);
                let first = if n.kind == NodeKind::Start {
                    "poll"
                } else {
                    "Ready"
                };
                let _ = writeln!(o, "    state {choice} <<choice>>");
                let _ = writeln!(o, "    {} --> {choice} : {first}", n.id);
                for e in succ {
                    match e.kind {
                        EdgeKind::Return => {
                            let _ = writeln!(o, "    {choice} --> {} : return", e.to);
                        }
                        _ => {
                            let _ = writeln!(o, "    {choice} --> {}", e.to);
                        }
                    }
                }
            } else {
                for e in succ {
                    let _ = writeln!(o, "    {} --> {} : {}", e.from, e.to, e.kind.label());
                }
            }
        }
        let _ = writeln!(o, "    Done --> [*]");
        let _ = writeln!(
            o,
            "    note right of Panicked : entered when a poll panics, polling again panics"
        );
        o
    }

    /// Graphviz DOT.
    pub fn dot(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(o, "digraph {} {{", dot_str(&self.name));
        let _ = writeln!(
            o,
            "    node [shape=box, style=rounded, fontname=\"monospace\"];"
        );
        let _ = writeln!(o, "    edge [fontname=\"monospace\", fontsize=10];");
        for n in &self.nodes {
            let mut label = n.id.clone();
            if let Some(a) = &n.awaits {
                label.push_str(&format!("\n{}.await", clip(a, 40)));
            }
            if let Some((l, c)) = n.at {
                label.push_str(&format!("\nline {l}, col {c}"));
            }
            if !n.holds.is_empty() {
                label.push_str(&format!("\nholds {}", n.holds.join(", ")));
            }
            let shape = match n.kind {
                NodeKind::Start => ", shape=ellipse, style=\"\"",
                NodeKind::Await => "",
                NodeKind::Done => ", shape=doublecircle, style=\"\"",
                NodeKind::Panicked => ", shape=octagon, style=\"\", color=red",
            };
            let _ = writeln!(
                o,
                "    {} [label={}{shape}];",
                dot_str(&n.id),
                dot_str(&label)
            );
        }
        for n in &self.nodes {
            if self.branching(n) {
                let choice = format!("{}_choice", n.id);
                let first = if n.kind == NodeKind::Start {
                    "poll"
                } else {
                    "Ready"
                };
                let _ = writeln!(
                    o,
                    "    {} [shape=diamond, label=\"\", width=0.25, height=0.25];",
                    dot_str(&choice)
                );
                let _ = writeln!(
                    o,
                    "    {} -> {} [label={}];",
                    dot_str(&n.id),
                    dot_str(&choice),
                    dot_str(first)
                );
            }
        }
        for e in &self.edges {
            let from = if e.branch {
                format!("{}_choice", e.from)
            } else {
                e.from.clone()
            };
            let attrs = match e.kind {
                EdgeKind::Panic => {
                    "label=\"panic\", style=dashed, color=gray, fontcolor=gray".to_string()
                }
                EdgeKind::Return if e.branch => "label=\"return\"".to_string(),
                _ if e.branch => "label=\"\"".to_string(),
                k => format!("label={}", dot_str(k.label())),
            };
            let _ = writeln!(o, "    {} -> {} [{attrs}];", dot_str(&from), dot_str(&e.to));
        }
        o.push_str("}\n");
        o
    }
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut c: String = s.chars().take(max - 1).collect();
        c.push('…');
        c
    }
}

/// Text safe inside a Mermaid state description: entity codes for the characters Mermaid
/// would read as syntax or HTML.
fn mermaid_text(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '#' => o.push_str("#35;"),
            ';' => o.push_str("#59;"),
            '<' => o.push_str("#lt;"),
            '>' => o.push_str("#gt;"),
            '"' => o.push_str("#quot;"),
            ':' => o.push_str("#58;"),
            '{' => o.push_str("#123;"),
            '}' => o.push_str("#125;"),
            '\n' | '\r' => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

/// A DOT double-quoted string.
fn dot_str(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => {}
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(name: &str, awaits: &str, next: &[&str]) -> StateInfo {
        StateInfo {
            name: name.into(),
            awaits: awaits.into(),
            line: 2,
            column: 5,
            holds: vec!["x".into()],
            next: next.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn branches_get_a_choice() {
        let g = Graph::new(
            "f",
            "a.rs",
            1,
            1,
            &[
                st("Start", "", &["AwaitA"]),
                st("AwaitA", "a(\"#;<>\")", &["AwaitA", "Done"]),
            ],
        );
        let m = g.mermaid();
        assert!(m.contains("state AwaitA_choice <<choice>>"), "{m}");
        assert!(m.contains("AwaitA_choice --> Done : return"), "{m}");
        assert!(m.contains("a(#quot;#35;#59;#lt;#gt;#quot;).await"), "{m}");
        let d = g.dot();
        assert!(d.contains("\"AwaitA_choice\" -> \"AwaitA\""), "{d}");
        let kinds: Vec<EdgeKind> = g.edges.iter().map(|e| e.kind).collect();
        use EdgeKind::*;
        assert_eq!(kinds, [Poll, Panic, Pending, Ready, Return, Panic]);
        assert!(g.json().contains("\"awaits\": \"a(\\\"#;<>\\\")\""));
    }

    #[test]
    fn json_escapes() {
        let name = "a\"\\\n\u{1}é";
        let json = Graph::new(name, "f.rs", 1, 1, &[st("Start", "", &[])]).json();
        assert!(json.contains(r#""fn": "a\"\\\n\u0001é","#), "{json}");
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["fn"], name);
    }
}
