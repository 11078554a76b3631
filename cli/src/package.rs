//! `cargo clockwork`: the current package's module tree. Starts at `src/lib.rs` (or
//! `src/main.rs`) and follows `mod x;` to `x.rs` / `x/mod.rs` (or a `#[path]`), giving one
//! [`Unit`] per file with its module path.

use crate::error::CliError;
use crate::select::Unit;
use crate::source::Source;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use syn::ext::IdentExt;
use syn::{Item, token::Brace};

/// Deepest module nesting followed (guards against `#[path]` cycles).
const MAX_DEPTH: usize = 64;

/// The units of the package whose manifest is `manifest` (or the nearest `Cargo.toml` from
/// the current directory up).
pub fn load(manifest: Option<&Path>) -> Result<Vec<Unit>, CliError> {
    let manifest = match manifest {
        Some(m) => m.to_path_buf(),
        None => find_manifest()?,
    };
    let dir = manifest
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let src = dir.join("src");
    let root = [src.join("lib.rs"), src.join("main.rs")]
        .into_iter()
        .find(|p| p.is_file())
        .ok_or_else(|| {
            CliError::Other(format!(
                "{}: no src/lib.rs or src/main.rs in this package",
                manifest.display()
            ))
        })?;
    let mut loader = Loader {
        units: Vec::new(),
        seen: HashSet::new(),
    };
    loader.file(&root, Vec::new(), 0)?;
    Ok(loader.units)
}

fn find_manifest() -> Result<PathBuf, CliError> {
    let cwd = std::env::current_dir().map_err(|e| CliError::Io {
        path: ".".into(),
        message: e.to_string(),
    })?;
    for dir in cwd.ancestors() {
        let m = dir.join("Cargo.toml");
        if let Ok(text) = std::fs::read_to_string(&m)
            && text.lines().any(|l| l.trim() == "[package]")
        {
            return Ok(m);
        }
    }
    Err(CliError::Other(format!(
        "no Cargo.toml with a [package] in {} or any parent directory (use --manifest-path)",
        cwd.display()
    )))
}

/// A path as shown in messages: relative to the current directory when under it.
fn shown(path: &Path) -> String {
    let rel = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf));
    rel.unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}

struct Loader {
    units: Vec<Unit>,
    seen: HashSet<PathBuf>,
}

impl Loader {
    fn file(&mut self, path: &Path, prefix: Vec<String>, depth: usize) -> Result<(), CliError> {
        let key = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        if depth > MAX_DEPTH || !self.seen.insert(key) {
            return Ok(());
        }
        let text = std::fs::read_to_string(path).map_err(|e| CliError::Io {
            path: shown(path),
            message: e.to_string(),
        })?;
        let source = Source::new(shown(path), text);
        let ast = source.parse()?;
        // Children of `lib.rs`, `main.rs` and `mod.rs` live beside them; those of `x.rs` in `x/`.
        let parent = path.parent().unwrap_or(Path::new("."));
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let child_dir = if depth == 0 || stem == "mod" {
            parent.to_path_buf()
        } else {
            parent.join(stem)
        };
        let mut wanted = Vec::new();
        collect_mods(&ast.items, &child_dir, parent, &prefix, &mut wanted);
        self.units.push(Unit {
            prefix,
            source,
            ast,
        });
        for (file, prefix) in wanted {
            self.file(&file, prefix, depth + 1)?;
        }
        Ok(())
    }
}

/// The files of the out-of-line `mod x;` declarations in `items` (following inline modules).
fn collect_mods(
    items: &[Item],
    dir: &Path,
    file_dir: &Path,
    prefix: &[String],
    out: &mut Vec<(PathBuf, Vec<String>)>,
) {
    for item in items {
        let Item::Mod(m) = item else { continue };
        let name = m.ident.unraw().to_string();
        let mut path = prefix.to_vec();
        path.push(name.clone());
        let explicit = path_attr(&m.attrs);
        match &m.content {
            None => {
                let candidates = match explicit {
                    Some(p) => vec![file_dir.join(p)],
                    None => vec![
                        dir.join(format!("{name}.rs")),
                        dir.join(&name).join("mod.rs"),
                    ],
                };
                if let Some(file) = candidates.into_iter().find(|p| p.is_file()) {
                    out.push((file, path));
                }
            }
            Some((_, inner)) => {
                let sub = match explicit {
                    Some(p) => dir.join(p),
                    None => dir.join(&name),
                };
                collect_mods(inner, &sub, &sub, &path, out);
            }
        }
    }
}

fn path_attr(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find_map(|a| match &a.meta {
        syn::Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })
}

/// The whole package as one file: each `mod x;` replaced by `mod x { .. }` holding that
/// unit's (already expanded) items.
pub fn assemble(units: Vec<Unit>) -> syn::File {
    let mut by_path: HashMap<Vec<String>, syn::File> = HashMap::new();
    let mut root = None;
    for u in units {
        if u.prefix.is_empty() && root.is_none() {
            root = Some(u.ast);
        } else {
            by_path.entry(u.prefix).or_insert(u.ast);
        }
    }
    let mut root = root.unwrap_or(syn::File {
        shebang: None,
        frontmatter: None,
        attrs: Vec::new(),
        items: Vec::new(),
    });
    inline(&mut root.items, &mut Vec::new(), &mut by_path);
    root
}

fn inline(
    items: &mut [Item],
    path: &mut Vec<String>,
    by_path: &mut HashMap<Vec<String>, syn::File>,
) {
    for item in items {
        let Item::Mod(m) = item else { continue };
        path.push(m.ident.unraw().to_string());
        if m.content.is_none()
            && let Some(child) = by_path.remove(path.as_slice())
        {
            m.attrs.retain(|a| !a.path().is_ident("path"));
            m.attrs.extend(child.attrs);
            m.semi = None;
            m.content = Some((Brace::default(), child.items));
        }
        if let Some((_, inner)) = &mut m.content {
            inline(inner, path, by_path);
        }
        path.pop();
    }
}
