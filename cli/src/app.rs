//! Runs one [`Request`]: loads the input, then expands, explains or graphs. Returns what to
//! print and the exit status; printing is left to `main`.

use crate::cli::{Action, Input, Request};
use crate::error::{self, CliError};
use crate::graph::Graph;
use crate::select::{self, Unit};
use crate::source::Source;
use crate::{expand, explain, highlight, package, render, support};

/// What one run prints, and its exit status.
#[derive(Debug)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

/// Runs `req`; `stdout_tty` / `stderr_tty` say whether each stream is a terminal.
pub fn run(req: &Request, stdout_tty: bool, stderr_tty: bool) -> Outcome {
    let color_out = req.color.enabled(stdout_tty);
    // The edition's temporary rules: the crate of the file (its nearest `Cargo.toml`), else
    // 2024 (see `clockwork_expand::edition`).
    use clockwork_expand::edition::{self, Edition};
    let edition = match &req.input {
        Input::File(path) => edition::of_file(std::path::Path::new(path)),
        Input::Package(Some(manifest)) => std::path::Path::new(manifest)
            .parent()
            .and_then(edition::of_manifest_dir),
        Input::Package(None) => edition::of_manifest_dir(std::path::Path::new(".")),
    };
    let result = edition::with_edition(edition.unwrap_or(Edition::From2024), || {
        load(&req.input).and_then(|units| execute(units, &req.action, color_out))
    });
    match result {
        Ok(stdout) => Outcome {
            stdout,
            stderr: String::new(),
            code: 0,
        },
        Err(e) => Outcome {
            stdout: match &e {
                CliError::Partial { stdout, .. } => stdout.clone(),
                _ => String::new(),
            },
            stderr: error::render(&e, req.color.enabled(stderr_tty)),
            code: e.exit_code(),
        },
    }
}

/// The input as units: one for a file, one per module file for a package.
pub fn load(input: &Input) -> Result<Vec<Unit>, CliError> {
    match input {
        Input::File(path) => {
            let source = Source::load(path)?;
            let ast = source.parse()?;
            Ok(vec![Unit {
                prefix: Vec::new(),
                source,
                ast,
            }])
        }
        Input::Package(manifest) => package::load(manifest.as_deref()),
    }
}

/// Carries out `action` on `units`; returns the text for standard output.
pub fn execute(units: Vec<Unit>, action: &Action, color: bool) -> Result<String, CliError> {
    match action {
        Action::Expand {
            item: None,
            all,
            ugly,
            standalone,
        } => {
            let (file, errors) = expand_all(units, *all, &support::path(*standalone))?;
            let text = errors_as_comments(&render::format_file(&file, *ugly));
            let text = support::append(text, *standalone);
            let text = if color {
                highlight::highlight(&text)
            } else {
                text
            };
            if errors.is_empty() {
                Ok(text)
            } else {
                Err(CliError::Partial {
                    stdout: text,
                    errors,
                })
            }
        }
        Action::Expand {
            item: Some(item),
            ugly,
            standalone,
            ..
        } => {
            let entries = select::enumerate(&units);
            let e = select::select(&units, &entries, item)?;
            let unit = &units[e.unit];
            let f = resolve(unit, e)?;
            let machine = support::path(*standalone);
            let text = render::format_file(&expand::expand_one(&unit.source, &f, &machine)?, *ugly);
            let text = support::append(text, *standalone);
            Ok(if color {
                highlight::highlight(&text)
            } else {
                text
            })
        }
        Action::Explain { item } => {
            let entries = select::enumerate(&units);
            let e = select::select(&units, &entries, item)?;
            let unit = &units[e.unit];
            let states = expand::describe(&unit.source, &resolve(unit, e)?)?;
            let at = format!("{}:{}:{}", unit.source.name, e.line, e.column);
            Ok(explain::explain(&e.path(), &at, &states))
        }
        Action::Graph { item, format } => {
            let entries = select::enumerate(&units);
            let e = select::select(&units, &entries, item)?;
            let unit = &units[e.unit];
            let states = expand::describe(&unit.source, &resolve(unit, e)?)?;
            Ok(Graph::new(&e.path(), &unit.source.name, e.line, e.column, &states).render(*format))
        }
    }
}

fn resolve<'a>(unit: &'a Unit, e: &select::Entry) -> Result<select::FnRef<'a>, CliError> {
    select::resolve(&unit.ast, &e.loc).ok_or_else(|| {
        CliError::Other(format!(
            "{}: lost track of `{}` (a clockwork bug)",
            unit.source.name,
            e.path()
        ))
    })
}

/// A fn the transform rejected is printed as written, after a `compile_error!` with the reason
/// (what the attribute would make of it): shown as a comment, `// error: ..`.
fn errors_as_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        let Some(rest) = trimmed.strip_prefix("::core::compile_error!(") else {
            out.push_str(line);
            out.push('\n');
            continue;
        };
        // prettyplease may break a long message onto lines of its own.
        let mut call = rest.to_string();
        while !call.trim_end().ends_with(");") {
            match lines.next() {
                Some(next) => call.push_str(next.trim()),
                None => break,
            }
        }
        let literal = call.trim_end().trim_end_matches(");");
        let indent = &line[..line.len() - trimmed.len()];
        match syn::parse_str::<syn::LitStr>(literal) {
            Ok(m) => out.push_str(&format!("{indent}// error: {}\n", m.value())),
            Err(_) => out.push_str(&format!("{indent}::core::compile_error!({call}\n")),
        }
    }
    out
}

/// Expands every unit in place, then joins them into one file; also returns the errors of the
/// fns that stayed as written.
fn expand_all(
    units: Vec<Unit>,
    all: bool,
    machine: &syn::Path,
) -> Result<(syn::File, Vec<crate::error::Diagnostic>), CliError> {
    let mut errors = Vec::new();
    let mut done = Vec::with_capacity(units.len());
    for mut u in units {
        match expand::expand_in_place(&u.source, &mut u.ast, all, machine) {
            Ok(()) => {}
            Err(CliError::Transform(mut d)) => errors.append(&mut d),
            Err(other) => return Err(other),
        }
        done.push(u);
    }
    Ok((package::assemble(done), errors))
}
