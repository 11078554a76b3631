//! Runs one [`Request`]: loads the input, then expands, explains or graphs. Returns what to
//! print and the exit status; printing is left to `main`.

use crate::cli::{Action, Input, Request};
use crate::error::{self, CliError};
use crate::graph::Graph;
use crate::select::{self, Unit};
use crate::source::Source;
use crate::{expand, explain, highlight, package, render};

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
    match load(&req.input).and_then(|units| execute(units, &req.action, color_out)) {
        Ok(stdout) => Outcome {
            stdout,
            stderr: String::new(),
            code: 0,
        },
        Err(e) => Outcome {
            stdout: String::new(),
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
        } => {
            let text = render::format_file(&expand_all(units, *all)?, *ugly);
            Ok(if color {
                highlight::highlight(&text)
            } else {
                text
            })
        }
        Action::Expand {
            item: Some(item),
            ugly,
            ..
        } => {
            let entries = select::enumerate(&units);
            let e = select::select(&units, &entries, item)?;
            let unit = &units[e.unit];
            let f = resolve(unit, e)?;
            let text = render::format_file(&expand::expand_one(&unit.source, &f)?, *ugly);
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

/// Expands every unit in place (collecting all errors), then joins them into one file.
fn expand_all(units: Vec<Unit>, all: bool) -> Result<syn::File, CliError> {
    let mut errors = Vec::new();
    let mut done = Vec::with_capacity(units.len());
    for mut u in units {
        match expand::expand_in_place(&u.source, &mut u.ast, all) {
            Ok(()) => {}
            Err(CliError::Transform(mut d)) => errors.append(&mut d),
            Err(other) => return Err(other),
        }
        done.push(u);
    }
    if !errors.is_empty() {
        return Err(CliError::Transform(errors));
    }
    Ok(package::assemble(done))
}
