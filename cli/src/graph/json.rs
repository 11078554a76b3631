//! `graph --format json`: the [`Graph`] as serde structs in the schema's key order, written by
//! serde_json in a layout of its own, one line per node and per edge.

use super::{Edge, Graph, Node, NodeKind};
use serde::Serialize;
use serde_json::ser::Formatter;
use std::io;

/// The document; field order is the schema's key order.
#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    #[serde(rename = "fn")]
    name: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    nodes: Vec<NodeJson<'a>>,
    edges: &'a [Edge],
}

/// A [`Node`] with its place split into `line` and `column`, as the schema has it.
#[derive(Serialize)]
struct NodeJson<'a> {
    id: &'a str,
    kind: NodeKind,
    awaits: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    holds: &'a [String],
}

impl<'a> From<&'a Node> for NodeJson<'a> {
    fn from(n: &'a Node) -> Self {
        NodeJson {
            id: &n.id,
            kind: n.kind,
            awaits: n.awaits.as_deref(),
            line: n.at.map(|(line, _)| line),
            column: n.at.map(|(_, column)| column),
            holds: &n.holds,
        }
    }
}

impl Graph {
    /// The stable JSON form (schema in the module docs).
    pub fn json(&self) -> String {
        let doc = Document {
            schema: "clockwork-graph/1",
            name: &self.name,
            file: &self.file,
            line: self.line,
            column: self.column,
            nodes: self.nodes.iter().map(NodeJson::from).collect(),
            edges: &self.edges,
        };
        let mut out = Vec::new();
        doc.serialize(&mut serde_json::Serializer::with_formatter(
            &mut out,
            OneLinePerEntry::default(),
        ))
        .expect("plain structs serialize into memory without error");
        let mut text = String::from_utf8(out).expect("serde_json writes UTF-8");
        text.push('\n');
        text
    }
}

/// Objects and arrays this deep or less have one entry per line; deeper ones (a node, an
/// edge, `holds`) are written on one line, so that the file reads as a list of nodes and a
/// list of edges.
const OUTER_LEVELS: usize = 2;

/// The layout: `{ "id": "Start", "holds": [] }` inside, two-space indentation outside.
#[derive(Default)]
struct OneLinePerEntry {
    depth: usize,
}

impl OneLinePerEntry {
    fn open<W: ?Sized + io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        w.write_all(bracket)
    }

    /// Before an entry; `inline_first` goes before the first entry of an inner object (`{ `)
    /// or array (`[`).
    fn entry<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
        inline_first: &[u8],
    ) -> io::Result<()> {
        if self.depth <= OUTER_LEVELS {
            w.write_all(if first { b"\n" } else { b",\n" })?;
            w.write_all(" ".repeat(2 * self.depth).as_bytes())
        } else {
            w.write_all(if first { inline_first } else { b", " })
        }
    }

    fn close<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        bracket: &[u8],
        inline: &[u8],
    ) -> io::Result<()> {
        self.depth -= 1;
        if self.depth < OUTER_LEVELS {
            w.write_all(b"\n")?;
            w.write_all(" ".repeat(2 * self.depth).as_bytes())?;
            w.write_all(bracket)
        } else {
            w.write_all(inline)
        }
    }
}

impl Formatter for OneLinePerEntry {
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}", b" }")
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.entry(w, first, b" ")
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]", b"]")
    }
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.entry(w, first, b"")
    }
}
