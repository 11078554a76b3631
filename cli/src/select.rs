//! `ITEM` matching: lists the async fns of one or more files (free fns, methods in `impl`
//! blocks, fns in inline modules) and finds the one that `ITEM` names.
//!
//! `ITEM` is a path suffix: `name`, `module::name`, `Type::method`, `module::Type::method`
//! (a leading `crate::` is ignored), or the index of an async fn as printed in the list shown
//! when a name matches several.

use crate::error::CliError;
use crate::source::Source;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Attribute, ImplItem, ImplItemFn, Item, ItemFn, ItemImpl, Signature};

/// One parsed file, and the module path it is at (empty for a single input file).
pub struct Unit {
    pub prefix: Vec<String>,
    pub source: Source,
    pub ast: syn::File,
}

/// Where an async fn is: item indices through inline modules, then an `impl` item index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loc {
    pub items: Vec<usize>,
    pub impl_item: Option<usize>,
}

/// An async fn found in a unit.
#[derive(Debug, Clone)]
pub struct Entry {
    pub index: usize,
    pub unit: usize,
    /// Module path, then the `impl`'s type (for methods), then the fn's name.
    pub segments: Vec<String>,
    /// For a method in `impl Trait for Type`: the trait's name, accepted in place of the type.
    pub trait_name: Option<String>,
    pub line: usize,
    pub column: usize,
    pub has_attr: bool,
    pub loc: Loc,
}

impl Entry {
    pub fn path(&self) -> String {
        self.segments.join("::")
    }

    pub fn name(&self) -> &str {
        self.segments.last().map_or("", String::as_str)
    }

    /// `path (file:line:col)` for listings.
    pub fn describe(&self, units: &[Unit]) -> String {
        let file = units.get(self.unit).map_or("?", |u| u.source.name.as_str());
        let tr = self
            .trait_name
            .as_ref()
            .map(|t| format!(" [impl {t}]"))
            .unwrap_or_default();
        format!("{}{tr} ({file}:{}:{})", self.path(), self.line, self.column)
    }
}

/// A selected async fn, borrowed from the AST: a free fn, or a method and its `impl` block.
#[derive(Clone, Copy)]
pub enum FnRef<'a> {
    Free(&'a ItemFn),
    Method(&'a ItemImpl, &'a ImplItemFn),
}

impl<'a> FnRef<'a> {
    /// The fn as the transform takes it; `machine` is the support module its expansion calls.
    pub fn as_async_fn<'b>(&self, machine: &'b syn::Path) -> clockwork_expand::AsyncFn<'b>
    where
        'a: 'b,
    {
        match *self {
            FnRef::Free(f) => clockwork_expand::AsyncFn {
                attrs: &f.attrs,
                vis: &f.vis,
                sig: &f.sig,
                block: &f.block,
                owner: clockwork_expand::Owner::Free,
                outer_attrs: &[],
                machine,
            },
            FnRef::Method(imp, f) => clockwork_expand::AsyncFn {
                attrs: &f.attrs,
                vis: &f.vis,
                sig: &f.sig,
                block: &f.block,
                owner: clockwork_expand::Owner::Impl {
                    generics: &imp.generics,
                    of_trait: imp.trait_.is_some(),
                },
                outer_attrs: &imp.attrs,
                machine,
            },
        }
    }
}

/// Every async fn in `units`, numbered in order.
pub fn enumerate(units: &[Unit]) -> Vec<Entry> {
    let mut out = Vec::new();
    for (u, unit) in units.iter().enumerate() {
        let mut path = unit.prefix.clone();
        let mut loc = Vec::new();
        walk(&unit.ast.items, u, &mut path, &mut loc, &mut out);
    }
    out
}

fn walk(
    items: &[Item],
    unit: usize,
    path: &mut Vec<String>,
    loc: &mut Vec<usize>,
    out: &mut Vec<Entry>,
) {
    for (i, item) in items.iter().enumerate() {
        loc.push(i);
        match item {
            Item::Fn(f) if f.sig.asyncness.is_some() => {
                out.push(entry(
                    out.len(),
                    unit,
                    path,
                    None,
                    &f.sig,
                    &f.attrs,
                    loc,
                    None,
                ));
            }
            Item::Impl(imp) => {
                let ty = type_name(&imp.self_ty);
                let trait_name = imp
                    .trait_
                    .as_ref()
                    .and_then(|(p, _)| p.segments.last().map(|s| s.ident.to_string()));
                for (j, it) in imp.items.iter().enumerate() {
                    if let ImplItem::Fn(f) = it
                        && f.sig.asyncness.is_some()
                    {
                        let mut segs = path.clone();
                        segs.push(ty.clone());
                        let e = entry(
                            out.len(),
                            unit,
                            &segs,
                            trait_name.clone(),
                            &f.sig,
                            &f.attrs,
                            loc,
                            Some(j),
                        );
                        out.push(e);
                    }
                }
            }
            Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    path.push(m.ident.to_string());
                    walk(inner, unit, path, loc, out);
                    path.pop();
                }
            }
            _ => {}
        }
        loc.pop();
    }
}

#[allow(clippy::too_many_arguments)]
fn entry(
    index: usize,
    unit: usize,
    path: &[String],
    trait_name: Option<String>,
    sig: &Signature,
    attrs: &[Attribute],
    loc: &[usize],
    impl_item: Option<usize>,
) -> Entry {
    let mut segments = path.to_vec();
    segments.push(sig.ident.to_string());
    let start = sig.span().start();
    Entry {
        index,
        unit,
        segments,
        trait_name,
        line: start.line,
        column: start.column + 1,
        has_attr: attrs.iter().any(clockwork_expand::is_state_machine_attr),
        loc: Loc {
            items: loc.to_vec(),
            impl_item,
        },
    }
}

/// The name a method's `impl` type is matched by: the last path segment (`Conn` for
/// `impl<T> net::Conn<T>`), or the type's tokens for other types.
fn type_name(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => p
            .path
            .segments
            .last()
            .map_or_else(|| "_".to_string(), |s| s.ident.to_string()),
        syn::Type::Reference(r) => type_name(&r.elem),
        syn::Type::Paren(p) => type_name(&p.elem),
        syn::Type::Group(g) => type_name(&g.elem),
        other => other.to_token_stream().to_string().replace(' ', ""),
    }
}

/// Finds the async fn at `loc` in `file`.
pub fn resolve<'a>(file: &'a syn::File, loc: &Loc) -> Option<FnRef<'a>> {
    let (last, mods) = loc.items.split_last()?;
    let mut items = &file.items;
    for &i in mods {
        match items.get(i)? {
            Item::Mod(m) => items = &m.content.as_ref()?.1,
            _ => return None,
        }
    }
    match (items.get(*last)?, loc.impl_item) {
        (Item::Fn(f), None) => Some(FnRef::Free(f)),
        (Item::Impl(imp), Some(j)) => match imp.items.get(j)? {
            ImplItem::Fn(f) => Some(FnRef::Method(imp, f)),
            _ => None,
        },
        _ => None,
    }
}

/// The async fn that `query` names, or an error listing candidates.
pub fn select<'e>(
    units: &[Unit],
    entries: &'e [Entry],
    query: &str,
) -> Result<&'e Entry, CliError> {
    let query = query.trim();
    let file = units
        .first()
        .map_or_else(String::new, |u| u.source.name.clone());
    if let Ok(i) = query.parse::<usize>() {
        return entries.get(i).ok_or_else(|| CliError::NoSuchItem {
            query: query.to_string(),
            file: file.clone(),
            candidates: entries
                .iter()
                .take(10)
                .map(|e| format!("{:>3}  {}", e.index, e.describe(units)))
                .collect(),
            close: false,
            all: entries.len(),
        });
    }
    let q = query_segments(query);
    let matching: Vec<&Entry> = entries.iter().filter(|e| suffix_match(e, &q)).collect();
    let exact: Vec<&Entry> = matching
        .iter()
        .copied()
        .filter(|e| e.segments.len() == q.len())
        .collect();
    match (exact.as_slice(), matching.as_slice()) {
        ([one], _) | ([], [one]) => Ok(one),
        (_, []) => {
            let close = close_candidates(entries, query);
            let is_close = !close.is_empty();
            let shown: Vec<&Entry> = if is_close {
                close
            } else {
                entries.iter().take(10).collect()
            };
            Err(CliError::NoSuchItem {
                query: query.to_string(),
                file,
                candidates: shown.iter().map(|e| e.describe(units)).collect(),
                close: is_close,
                all: entries.len(),
            })
        }
        (several, all) => {
            let list = if several.len() > 1 { several } else { all };
            Err(CliError::Ambiguous {
                query: query.to_string(),
                matches: list
                    .iter()
                    .map(|e| {
                        let u = &units[e.unit].source.name;
                        (e.index, e.path(), format!("{u}:{}:{}", e.line, e.column))
                    })
                    .collect(),
            })
        }
    }
}

fn query_segments(query: &str) -> Vec<String> {
    let mut segs: Vec<String> = query
        .split("::")
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    while segs.first().is_some_and(|s| s == "crate" || s == "self") {
        segs.remove(0);
    }
    segs
}

fn suffix_match(e: &Entry, q: &[String]) -> bool {
    if q.is_empty() || q.len() > e.segments.len() {
        return false;
    }
    let off = e.segments.len() - q.len();
    let type_at = e.loc.impl_item.map(|_| e.segments.len() - 2);
    q.iter().enumerate().all(|(i, s)| {
        let k = off + i;
        e.segments[k] == *s || (Some(k) == type_at && e.trait_name.as_deref() == Some(s.as_str()))
    })
}

/// Entries whose name or path is within a small edit distance of `query`, nearest first.
fn close_candidates<'e>(entries: &'e [Entry], query: &str) -> Vec<&'e Entry> {
    let q = query.to_lowercase();
    let q_last = q.rsplit("::").next().unwrap_or(&q).to_string();
    let limit = (q_last.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &Entry)> = entries
        .iter()
        .filter_map(|e| {
            let name = e.name().to_lowercase();
            let d = levenshtein(&q_last, &name).min(levenshtein(&q, &e.path().to_lowercase()));
            let related = !q_last.is_empty() && (name.contains(&q_last) || q_last.contains(&name));
            (d <= limit || related).then_some((d, e))
        })
        .collect();
    scored.sort_by_key(|(d, e)| (*d, e.index));
    scored.into_iter().take(8).map(|(_, e)| e).collect()
}

/// Edit distance between two strings, in chars.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(src: &str) -> Vec<Unit> {
        let source = Source::new("t.rs", src);
        let ast = source.parse().unwrap();
        vec![Unit {
            prefix: vec![],
            source,
            ast,
        }]
    }

    const SRC: &str = "
        async fn read() {}
        mod net { pub async fn read() {} pub struct Conn; impl Conn { async fn read(&self) {} } }
        struct S; impl Tick for S { async fn tick(&self) {} }
        async fn write() {}
    ";

    #[test]
    fn paths_and_indices() {
        let u = units(SRC);
        let e = enumerate(&u);
        let paths: Vec<String> = e.iter().map(Entry::path).collect();
        assert_eq!(
            paths,
            ["read", "net::read", "net::Conn::read", "S::tick", "write"]
        );
        assert_eq!(
            select(&u, &e, "read").unwrap().index,
            0,
            "exact path wins over suffixes"
        );
        assert_eq!(select(&u, &e, "net::read").unwrap().index, 1);
        assert_eq!(select(&u, &e, "crate::net::Conn::read").unwrap().index, 2);
        assert_eq!(select(&u, &e, "Conn::read").unwrap().index, 2);
        assert_eq!(select(&u, &e, "Tick::tick").unwrap().index, 3);
        assert_eq!(select(&u, &e, "4").unwrap().path(), "write");
        assert!(matches!(
            resolve(&u[0].ast, &e[2].loc),
            Some(FnRef::Method(..))
        ));
    }

    #[test]
    fn ambiguous_and_missing() {
        let u = units(&SRC.replace("async fn read() {}\n", ""));
        let e = enumerate(&u);
        match select(&u, &e, "read") {
            Err(CliError::Ambiguous { matches, .. }) => assert_eq!(matches.len(), 2),
            other => panic!("expected ambiguity, got {other:?}"),
        }
        match select(&u, &e, "wirte") {
            Err(CliError::NoSuchItem {
                candidates,
                close: true,
                ..
            }) => {
                assert!(candidates[0].starts_with("write"), "{candidates:?}")
            }
            other => panic!("expected no such item, got {other:?}"),
        }
        assert!(matches!(
            select(&u, &e, "99"),
            Err(CliError::NoSuchItem { .. })
        ));
    }

    #[test]
    fn edit_distance() {
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("", "ab"), 2);
        assert_eq!(levenshtein("é", "e"), 1);
    }
}
