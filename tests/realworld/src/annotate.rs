//! Finding every `async fn` with a body in a crate's sources, and writing the sources back with
//! `#[::clockwork_macros::state_machine]` in front of a chosen set of them.
//!
//! The attribute goes on the fn's own line, right before its visibility (or `async`), after its
//! other attributes, so line numbers never move and rustc's spans map back by line alone.

use proc_macro2::LineColumn;
use std::path::{Path, PathBuf};
use syn::spanned::Spanned;
use syn::visit::{self, Visit};

/// The text inserted before each annotated fn.
pub const ATTR: &str = "#[::clockwork_macros::state_machine] ";

/// One `async fn` with a body.
#[derive(Clone, Debug)]
pub struct AsyncFn {
    /// Index into the crate's file list.
    pub file: usize,
    /// `name`, `Type::name` or `<Type as Trait>::name`.
    pub name: String,
    /// Where the attribute goes (1-based line, 0-based column in chars).
    pub line: usize,
    pub column: usize,
    /// Lines covered by the fn, its attributes included (1-based, inclusive).
    pub first_line: usize,
    pub last_line: usize,
}

/// A crate's `.rs` files (relative paths and original text) and their async fns.
pub struct Sources {
    pub root: PathBuf,
    pub files: Vec<(String, String)>,
    pub fns: Vec<AsyncFn>,
    /// Files syn could not parse (left untouched).
    pub unparsed: Vec<String>,
}

impl Sources {
    /// Scans every `.rs` file under `root` (skipping `benches/`, which `cargo test` does not
    /// build, and `target/`).
    pub fn scan(root: &Path) -> std::io::Result<Sources> {
        let mut paths = Vec::new();
        collect_rs(root, root, &mut paths)?;
        paths.sort();
        let mut sources = Sources {
            root: root.to_path_buf(),
            files: Vec::new(),
            fns: Vec::new(),
            unparsed: Vec::new(),
        };
        for rel in paths {
            let text = std::fs::read_to_string(root.join(&rel))?;
            let index = sources.files.len();
            match find_async_fns(&text, index) {
                Some(fns) => sources.fns.extend(fns),
                None => sources.unparsed.push(rel.clone()),
            }
            sources.files.push((rel, text));
        }
        Ok(sources)
    }

    /// Rewrites every file that has async fns: the fns whose `annotated[i]` is set get the
    /// attribute, the others are left as published.
    pub fn write(&self, annotated: &[bool]) -> std::io::Result<()> {
        for (index, (rel, text)) in self.files.iter().enumerate() {
            let points: Vec<(usize, usize)> = self
                .fns
                .iter()
                .zip(annotated)
                .filter(|(f, on)| f.file == index && **on)
                .map(|(f, _)| (f.line, f.column))
                .collect();
            if !self.fns.iter().any(|f| f.file == index) {
                continue;
            }
            std::fs::write(self.root.join(rel), insert_at(text, &points))?;
        }
        Ok(())
    }
}

fn collect_rs(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            let name = entry.file_name();
            if dir == root && (name == "target" || name == "benches") {
                continue;
            }
            collect_rs(root, &path, out)?;
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "rs") {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

/// The async fns with a body in one file, or `None` when syn cannot parse it.
pub fn find_async_fns(text: &str, file: usize) -> Option<Vec<AsyncFn>> {
    let ast = syn::parse_file(text).ok()?;
    let mut finder = Finder {
        file,
        owner: Vec::new(),
        found: Vec::new(),
    };
    finder.visit_file(&ast);
    Some(finder.found)
}

struct Finder {
    file: usize,
    /// `Type` or `<Type as Trait>` of the enclosing `impl` blocks (innermost last).
    owner: Vec<String>,
    found: Vec<AsyncFn>,
}

impl Finder {
    fn record(
        &mut self,
        attrs: &[syn::Attribute],
        vis: &syn::Visibility,
        sig: &syn::Signature,
        block: &syn::Block,
        in_impl: bool,
    ) {
        if sig.asyncness.is_none() {
            return;
        }
        let at: LineColumn = if matches!(vis, syn::Visibility::Inherited) {
            sig.span().start()
        } else {
            vis.span().start()
        };
        if at.line == 0 {
            return;
        }
        let first_line = attrs
            .iter()
            .map(|a| a.span().start().line)
            .filter(|&l| l > 0)
            .chain([at.line])
            .min()
            .unwrap_or(at.line);
        let last_line = block.brace_token.span.close().end().line.max(at.line);
        let name = match (in_impl, self.owner.last()) {
            (true, Some(owner)) => format!("{owner}::{}", sig.ident),
            _ => sig.ident.to_string(),
        };
        self.found.push(AsyncFn {
            file: self.file,
            name,
            line: at.line,
            column: at.column,
            first_line,
            last_line,
        });
    }
}

impl<'ast> Visit<'ast> for Finder {
    fn visit_item_fn(&mut self, node: &'ast syn::ItemFn) {
        self.record(&node.attrs, &node.vis, &node.sig, &node.block, false);
        visit::visit_item_fn(self, node);
    }

    fn visit_impl_item_fn(&mut self, node: &'ast syn::ImplItemFn) {
        self.record(&node.attrs, &node.vis, &node.sig, &node.block, true);
        visit::visit_impl_item_fn(self, node);
    }

    fn visit_item_impl(&mut self, node: &'ast syn::ItemImpl) {
        let ty = type_name(&node.self_ty);
        self.owner.push(match &node.trait_ {
            Some((path, _)) => match path.segments.last() {
                Some(seg) => format!("<{ty} as {}>", seg.ident),
                None => ty,
            },
            None => ty,
        });
        visit::visit_item_impl(self, node);
        self.owner.pop();
    }

    // Async fns declared in a trait are not annotated (nor are fns nested in their defaults).
    fn visit_item_trait(&mut self, _: &'ast syn::ItemTrait) {}
}

/// The last path segment of a type (`Conn` for `net::Conn<T>`), or `_` for other types.
fn type_name(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(p) => p
            .path
            .segments
            .last()
            .map_or_else(|| "_".to_string(), |s| s.ident.to_string()),
        syn::Type::Reference(r) => type_name(&r.elem),
        _ => "_".to_string(),
    }
}

/// `text` with [`ATTR`] inserted at each (1-based line, 0-based char column).
pub fn insert_at(text: &str, points: &[(usize, usize)]) -> String {
    let mut offsets: Vec<usize> = points
        .iter()
        .filter_map(|&(line, column)| byte_offset(text, line, column))
        .collect();
    offsets.sort_unstable();
    offsets.dedup();
    let mut out = String::with_capacity(text.len() + offsets.len() * ATTR.len());
    let mut last = 0;
    for at in offsets {
        out.push_str(&text[last..at]);
        out.push_str(ATTR);
        last = at;
    }
    out.push_str(&text[last..]);
    out
}

fn byte_offset(text: &str, line: usize, column: usize) -> Option<usize> {
    let mut start = 0;
    for _ in 1..line {
        start += text[start..].find('\n')? + 1;
    }
    let rest = &text[start..];
    rest.char_indices().nth(column).map(|(i, _)| start + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = r#"
/// doc
#[inline] pub async fn free() {}
fn sync() {}
struct S;
impl S {
    #[tokio::test]
    async fn method(&self) {
        async fn nested() {}
    }
}
impl Tr for &S { pub(crate) async fn t() {} }
trait Tr { async fn t() {} }
macro_rules! m { () => { async fn hidden() {} } }
mod inner { /* «é» */ async fn x() {} }
"#;

    #[test]
    fn finds_and_inserts() {
        let src = SRC.replace("«é»", "é");
        let fns = find_async_fns(&src, 0).unwrap();
        let names: Vec<_> = fns.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            ["free", "S::method", "nested", "<S as Tr>::t", "x"],
            "{fns:#?}"
        );
        assert_eq!((fns[1].first_line, fns[1].last_line), (7, 10));
        let points: Vec<_> = fns.iter().map(|f| (f.line, f.column)).collect();
        let out = insert_at(&src, &points);
        assert!(out.contains(&format!("#[inline] {ATTR}pub async fn free")));
        assert!(out.contains(&format!("#[tokio::test]\n    {ATTR}async fn method")));
        assert!(out.contains(&format!("{{ {ATTR}pub(crate) async fn t")));
        assert!(out.contains(&format!("mod inner {{ /* é */ {ATTR}async fn x")));
        assert!(out.contains("trait Tr { async fn t() {} }"));
        assert_eq!(out.lines().count(), src.lines().count());
    }
}
