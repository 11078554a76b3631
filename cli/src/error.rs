//! Every error the CLI reports, and the one place that renders them (`FILE:LINE:COL: error: ..`
//! followed by the offending line, rustc-style).

use crate::source::Source;
use annotate_snippets::renderer::{AnsiColor, Effects};
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use proc_macro2::Span;
use std::fmt::Write as _;

/// A message at a place in a source file.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub file: String,
    /// The offending line's text, when the span points inside the file.
    pub line_text: Option<String>,
    /// 1-based line; 0 when unknown.
    pub line: usize,
    /// 1-based column (in chars); 0 when unknown.
    pub column: usize,
    /// How many chars to underline on that line (at least 1).
    pub width: usize,
    pub message: String,
}

impl Diagnostic {
    pub fn at_span(src: &Source, span: Span, message: impl Into<String>) -> Self {
        let (start, end) = (span.start(), span.end());
        let line_text = if start.line >= 1 {
            src.text.lines().nth(start.line - 1)
        } else {
            None
        };
        let line_chars = line_text.map_or(0, |l| l.chars().count());
        let column = start.column.min(line_chars);
        let width = if end.line == start.line && end.column > column {
            end.column - column
        } else {
            line_chars.saturating_sub(column)
        };
        Diagnostic {
            file: src.name.clone(),
            line_text: line_text.map(str::to_string),
            line: start.line,
            column: if start.line >= 1 { column + 1 } else { 0 },
            width: width.max(1),
            message: message.into(),
        }
    }

    pub fn from_syn(src: &Source, e: &syn::Error) -> Self {
        let mut message = e.to_string();
        if message == "cannot parse string into token stream" {
            // proc-macro2's lexer error: say what it usually means.
            message = "cannot tokenize the file here: unbalanced delimiter, or an unterminated literal or comment"
                .to_string();
        }
        Self::at_span(src, e.span(), message)
    }

    pub fn from_transform(src: &Source, e: &clockwork_expand::Error) -> Self {
        Self::at_span(src, e.span(), e.message())
    }
}

/// Everything that makes the CLI exit with status 1.
#[derive(Debug, Clone)]
pub enum CliError {
    Io {
        path: String,
        message: String,
    },
    /// The input is not Rust syntax.
    Parse(Diagnostic),
    /// The transform rejected one or more async fns.
    Transform(Vec<Diagnostic>),
    /// `expand` of a whole file where some fns were rejected: the output (those fns as
    /// written, with the reason as a comment) is printed anyway.
    Partial {
        stdout: String,
        errors: Vec<Diagnostic>,
    },
    /// `ITEM` names no async fn; `close` are the nearest names.
    NoSuchItem {
        query: String,
        file: String,
        candidates: Vec<String>,
        close: bool,
        all: usize,
    },
    /// `ITEM` names several async fns: pass one's index.
    Ambiguous {
        query: String,
        matches: Vec<(usize, String, String)>,
    },
    /// Something the CLI cannot do (for example, no `src/lib.rs` for `cargo clockwork`).
    Other(String),
    /// The transform library panicked: a bug to report.
    Internal {
        file: String,
        message: String,
    },
}

impl CliError {
    pub fn exit_code(&self) -> i32 {
        1
    }
}

struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn error(&self) -> String {
        self.paint("1;31", "error")
    }
}

/// Renders an error for standard error; `color` adds ANSI colors.
pub fn render(err: &CliError, color: bool) -> String {
    let st = Style { on: color };
    let mut out = String::new();
    match err {
        CliError::Io { path, message } => {
            let _ = writeln!(out, "{path}: {}: cannot read it: {message}", st.error());
        }
        CliError::Parse(d) => render_diagnostic(&mut out, d, &st),
        CliError::Transform(ds) | CliError::Partial { errors: ds, .. } => {
            for d in ds {
                render_diagnostic(&mut out, d, &st);
            }
            if ds.len() > 1 {
                let _ = writeln!(
                    out,
                    "{}: {} async fns could not be rewritten",
                    st.error(),
                    ds.len()
                );
            }
        }
        CliError::NoSuchItem {
            query,
            file,
            candidates,
            close,
            all,
        } => {
            let _ = writeln!(out, "{file}: {}: no async fn matches `{query}`", st.error());
            if *all == 0 {
                let _ = writeln!(out, "note: {file} has no async fn");
            } else {
                let what = if *close {
                    "close candidates"
                } else {
                    "async fns in this input"
                };
                let more = if !*close && candidates.len() < *all {
                    format!(" ({all} in all)")
                } else {
                    String::new()
                };
                let _ = writeln!(out, "note: {what}{more}:");
                for c in candidates {
                    let _ = writeln!(out, "    {c}");
                }
            }
        }
        CliError::Ambiguous { query, matches } => {
            let _ = writeln!(
                out,
                "{}: `{query}` matches {} async fns; pass the index as ITEM to pick one:",
                st.error(),
                matches.len()
            );
            for (i, path, at) in matches {
                let _ = writeln!(out, "  {i:>3}  {path}  ({at})");
            }
        }
        CliError::Other(m) => {
            let _ = writeln!(out, "{}: {m}", st.error());
        }
        CliError::Internal { file, message } => {
            let _ = writeln!(
                out,
                "{file}: {}: internal error: the clockwork transform panicked on this input \
                 (a bug: please report it with this file)\n{message}",
                st.error()
            );
        }
    }
    out
}

/// Widest part of a source line shown under an error: a longer line is cut to a window around
/// the caret, `...` marking what is left out.
const SHOWN_WIDTH: usize = 100;

fn render_diagnostic(out: &mut String, d: &Diagnostic, st: &Style) {
    if d.line == 0 {
        let _ = writeln!(out, "{}: {}: {}", d.file, st.error(), d.message);
        return;
    }
    let _ = writeln!(
        out,
        "{}:{}:{}: {}: {}",
        d.file,
        d.line,
        d.column,
        st.error(),
        d.message
    );
    let Some(text) = &d.line_text else { return };
    // The line and its caret, drawn by rustc's renderer (tabs, wide chars, long lines and
    // control chars taken care of); its own header is left out for the one above.
    let start = byte_offset(text, d.column.saturating_sub(1));
    let end = start + byte_offset(&text[start..], d.width);
    let snippet = Snippet::source(text.as_str())
        .line_start(d.line)
        .annotation(AnnotationKind::Primary.span(start..end));
    let renderer = if st.on {
        Renderer::styled()
            .error(AnsiColor::Red.on_default().effects(Effects::BOLD))
            .line_num(AnsiColor::Blue.on_default().effects(Effects::BOLD))
    } else {
        Renderer::plain()
    };
    out.push_str(
        &renderer
            // The gutter is `{line} | `.
            .term_width(SHOWN_WIDTH + d.line.to_string().len() + 3)
            .render(&[Group::with_level(Level::ERROR).element(snippet)]),
    );
    out.push('\n');
}

/// Where the char after the first `chars` chars of `text` starts (the end when it is shorter).
fn byte_offset(text: &str, chars: usize) -> usize {
    text.char_indices()
        .nth(chars)
        .map_or(text.len(), |(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diag(line_text: &str, column: usize, width: usize) -> String {
        let d = Diagnostic {
            file: "f.rs".into(),
            line_text: Some(line_text.into()),
            line: 7,
            column,
            width,
            message: "m".into(),
        };
        render(&CliError::Parse(d), false)
    }

    #[test]
    fn caret_under_the_column() {
        let r = diag("\tlet x = (;", 11, 1);
        let lines: Vec<&str> = r.lines().collect();
        assert_eq!(lines[0], "f.rs:7:11: error: m");
        assert_eq!(lines[2], "7 |     let x = (;");
        assert_eq!(lines[3].find('^'), lines[2].find(';'));
    }

    #[test]
    fn long_lines_are_windowed() {
        let line = format!("{}X{}", "a".repeat(500), "b".repeat(500));
        let r = diag(&line, 501, 3);
        let lines: Vec<&str> = r.lines().collect();
        assert!(
            lines[2].len() < 120 && lines[2].starts_with("7 | ...") && lines[2].ends_with("...")
        );
        assert_eq!(lines[3].find('^'), lines[2].find('X'));
        assert!(lines[3].ends_with("^^^"));
        // Near the start and the end too.
        for col in [1, 1001] {
            let r = diag(&line, col, 1);
            let l: Vec<&str> = r.lines().collect();
            assert!(l[2].chars().count() <= 110 && l[3].contains('^'), "{r}");
        }
    }
}
