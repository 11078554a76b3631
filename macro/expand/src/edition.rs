//! The edition of the crate being expanded, for the rules that differ between editions.
//!
//! Most edition rules reach the expansion without help: the user's tokens keep their spans,
//! and rustc applies the edition of a span to the code written with it. Where the transform
//! itself decides when a temporary drops, it needs the edition:
//!
//! * the temporaries of a block's tail expression drop after the block's locals up to edition
//!   2021, before them from 2024 (Reference, "Destructors": temporary scopes; edition guide,
//!   "Tail expression temporary scope");
//! * the temporaries of an `if let` scrutinee live through the `else` block up to 2021, and
//!   drop before it from 2024 (edition guide, "`if let` temporary scope").
//!
//! A proc-macro cannot ask rustc for the edition on stable Rust. Cargo runs it with
//! `CARGO_MANIFEST_DIR` set to the crate's directory, so the edition is read from that
//! `Cargo.toml` (`edition = "2021"`, or `edition.workspace = true` and the workspace's
//! `[workspace.package]`); a manifest that names none is edition 2015, as for Cargo. Without
//! a manifest (rustc run by hand, the CLI on a file outside a crate) it is 2024.

use std::cell::Cell;
use std::path::Path;

/// The editions whose rules the transform tells apart: up to 2021, and from 2024.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Edition {
    /// 2015, 2018 or 2021.
    Upto2021,
    /// 2024 and later.
    From2024,
}

thread_local! {
    static CURRENT: Cell<Edition> = const { Cell::new(Edition::From2024) };
}

/// The edition of the expansion under way (see [`with_edition`]).
pub fn current() -> Edition {
    CURRENT.with(Cell::get)
}

/// Runs `f` with `edition` as the [`current`] one.
pub fn with_edition<R>(edition: Edition, f: impl FnOnce() -> R) -> R {
    let before = CURRENT.with(|c| c.replace(edition));
    let out = f();
    CURRENT.with(|c| c.set(before));
    out
}

/// The edition of the crate Cargo is compiling (`CARGO_MANIFEST_DIR`), if Cargo runs us.
pub fn of_cargo_crate() -> Option<Edition> {
    let dir = std::env::var_os("CARGO_MANIFEST_DIR")?;
    of_manifest_dir(Path::new(&dir))
}

/// The edition of the crate whose `Cargo.toml` is in `dir`.
pub fn of_manifest_dir(dir: &Path) -> Option<Edition> {
    let text = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
    match edition_in(&text, "package") {
        Some(Field::Value(year)) => Some(from_year(&year)),
        Some(Field::Workspace) => dir.ancestors().skip(1).find_map(|up| {
            let text = std::fs::read_to_string(up.join("Cargo.toml")).ok()?;
            match edition_in(&text, "workspace.package")? {
                Field::Value(year) => Some(from_year(&year)),
                Field::Workspace => None,
            }
        }),
        // No `edition` key: Cargo's default, 2015.
        None => Some(Edition::Upto2021),
    }
}

/// The crate of the file at `path`: the nearest `Cargo.toml` above it.
pub fn of_file(path: &Path) -> Option<Edition> {
    let path = std::fs::canonicalize(path).ok()?;
    path.ancestors()
        .skip(1)
        .find(|d| d.join("Cargo.toml").is_file())
        .and_then(of_manifest_dir)
}

fn from_year(year: &str) -> Edition {
    match year.parse::<u32>() {
        Ok(y) if y < 2024 => Edition::Upto2021,
        _ => Edition::From2024,
    }
}

enum Field {
    Value(String),
    Workspace,
}

/// The `edition` key of table `[table]` of a manifest: `edition = "2021"`,
/// `edition.workspace = true` or `edition = { workspace = true }`.
fn edition_in(text: &str, table: &str) -> Option<Field> {
    let mut inside = false;
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.starts_with('[') {
            inside = line.trim_start_matches('[').trim_end_matches(']').trim() == table;
            continue;
        }
        if !inside {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let (key, value) = (key.trim(), value.trim());
        if key == "edition.workspace" || (key == "edition" && value.contains("workspace")) {
            return Some(Field::Workspace);
        }
        if key == "edition" {
            return Some(Field::Value(value.trim_matches(['"', '\'']).to_string()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_package_edition() {
        let m = "[package]\nname = \"a\"\nedition = \"2021\" # old\n[dependencies]\nedition = 1\n";
        assert!(matches!(edition_in(m, "package"), Some(Field::Value(y)) if y == "2021"));
        assert!(matches!(
            edition_in("[package]\nedition.workspace = true\n", "package"),
            Some(Field::Workspace)
        ));
        assert!(matches!(
            edition_in("[workspace.package]\nedition = \"2024\"\n", "workspace.package"),
            Some(Field::Value(y)) if y == "2024"
        ));
        assert!(edition_in("[package]\nname = \"a\"\n", "package").is_none());
        assert_eq!(from_year("2018"), Edition::Upto2021);
        assert_eq!(from_year("2024"), Edition::From2024);
    }

    #[test]
    fn this_crate_inherits_the_workspace_edition() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        assert_eq!(of_manifest_dir(dir), Some(Edition::From2024));
        let twin = dir.join("../../tests/edition2021");
        assert_eq!(of_manifest_dir(&twin), Some(Edition::Upto2021));
    }
}
