//! No panic on real code: the expand path (`--all`), and `explain`/`graph` of each async fn, run
//! in-process over every `.rs` file of this workspace and of `~/.cargo/registry/src`, within a
//! time budget. Errors (unparseable files, rejected fns) are fine; a panic in the CLI fails the
//! test, and so does a panic in the transform library (turned into an internal error by the
//! CLI's guard), listing the files.

use clockwork_cli::app;
use clockwork_cli::cli::Action;
use clockwork_cli::error::CliError;
use clockwork_cli::graph::{Format, Graph};
use clockwork_cli::select::{self, Unit};
use clockwork_cli::source::Source;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const BUDGET: Duration = Duration::from_secs(20);
const MIN_FILES: usize = 100;
const MAX_FILES: usize = 4000;
const MAX_BYTES: u64 = 150_000;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        let name = e.file_name();
        let name = name.to_string_lossy();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            if !name.starts_with('.') && !name.starts_with("target") {
                rust_files(&p, out);
            }
        } else if ft.is_file()
            && name.ends_with(".rs")
            && e.metadata().is_ok_and(|m| m.len() <= MAX_BYTES)
        {
            out.push(p);
        }
    }
}

#[test]
fn no_panic_over_real_code() {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    rust_files(&workspace, &mut files);
    let local = files.len();
    if let Some(home) = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
    {
        rust_files(&home.join("registry/src"), &mut files);
    }
    // Files with async fns first: they are the ones the transform works on.
    let texts: Vec<(PathBuf, String)> = files
        .into_iter()
        .filter_map(|p| std::fs::read_to_string(&p).ok().map(|t| (p, t)))
        .collect();
    let (mut with_async, rest): (Vec<_>, Vec<_>) =
        texts.into_iter().partition(|(_, t)| t.contains("async fn"));
    let async_files = with_async.len();
    with_async.extend(rest);
    let mut files = with_async;
    files.truncate(MAX_FILES);

    // The nesting limits (which keep deep input from overflowing the stack) refuse no real file.
    let refused: Vec<String> = files
        .iter()
        .filter(|(_, t)| {
            clockwork_cli::limits::too_deep(t, clockwork_cli::limits::MAX_DEPTH).is_some()
        })
        .map(|(p, _)| p.display().to_string())
        .collect();
    assert!(
        refused.is_empty(),
        "real files refused as too deep:\n{}",
        refused.join("\n")
    );

    let start = Instant::now();
    let (mut processed, mut parsed, mut expanded, mut fns) = (0, 0, 0, 0);
    let mut internal = Vec::new();
    for (path, text) in &files {
        if start.elapsed() > BUDGET {
            break;
        }
        processed += 1;
        let source = Source::new(path.display().to_string(), text.clone());
        {
            let Ok(ast) = source.parse() else { continue };
            parsed += 1;
            let units = vec![Unit {
                prefix: vec![],
                source: source.clone(),
                ast: ast.clone(),
            }];
            // Explain and graph the first few async fns.
            let entries = select::enumerate(&units);
            for e in entries.iter().take(10) {
                fns += 1;
                let Some(f) = select::resolve(&units[0].ast, &e.loc) else {
                    panic!("{}: lost {}", source.name, e.path())
                };
                match clockwork_cli::expand::describe(&source, &f) {
                    Ok(states) => {
                        let g = Graph::new(&e.path(), &source.name, e.line, e.column, &states);
                        for format in [Format::Mermaid, Format::Dot, Format::Json] {
                            assert!(!g.render(format).is_empty());
                        }
                        clockwork_cli::explain::explain(&e.path(), "x", &states);
                    }
                    Err(CliError::Internal { message, .. }) => internal.push(format!(
                        "{} (describe {}): {message}",
                        source.name,
                        e.path()
                    )),
                    Err(_) => {}
                }
            }
            let action = Action::Expand {
                item: None,
                all: true,
                ugly: false,
                standalone: false,
            };
            match app::execute(units, &action, false) {
                Ok(text) => {
                    expanded += 1;
                    assert!(!text.is_empty() || ast.items.is_empty(), "{}", source.name);
                }
                Err(CliError::Internal { message, .. }) => {
                    internal.push(format!("{}: {message}", source.name))
                }
                Err(_) => {}
            }
        }
        // Every span of this file is gone: let proc-macro2 forget its text.
        proc_macro2::extra::invalidate_current_thread_spans();
    }
    eprintln!(
        "corpus: processed {processed} of {} files ({local} in the workspace, {async_files} with async fns, \
         those first) in {:.1?}: {parsed} parsed, {expanded} expanded with --all, {fns} fns explained and \
         graphed, {} transform panics",
        files.len(),
        start.elapsed(),
        internal.len()
    );
    // On a loaded machine the budget may end early; it must still cover a real corpus.
    assert!(
        processed >= MIN_FILES.min(files.len()),
        "only {processed} files in the budget"
    );
    assert!(
        internal.is_empty(),
        "the transform panicked on:\n{}",
        internal.join("\n")
    );
}
