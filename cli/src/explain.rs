//! `clockwork explain`: a table of one async fn's states.

use clockwork_expand::StateInfo;
use std::fmt::Write as _;

/// Longest awaited-expression text shown in a cell; the rest is cut with `…`.
const MAX_AWAIT: usize = 48;

/// The table for the fn at `path` (`at` is `file:line:col`).
pub fn explain(path: &str, at: &str, states: &[StateInfo]) -> String {
    let awaits = states.iter().filter(|s| !s.awaits.is_empty()).count();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "async fn {path} ({at}): {awaits} suspension point{}, {} states + Done + Panicked\n",
        if awaits == 1 { "" } else { "s" },
        states.len()
    );
    let header = ["STATE", "WAITS ON", "AT", "HOLDS", "NEXT"].map(String::from);
    let mut rows = vec![header];
    for s in states {
        let waits = if s.awaits.is_empty() {
            "(first poll)".to_string()
        } else {
            clip(&one_line(&s.awaits))
        };
        let at = if s.line == 0 {
            "-".to_string()
        } else {
            format!("{}:{}", s.line, s.column)
        };
        rows.push([s.name.clone(), waits, at, list(&s.holds), list(&s.next)]);
    }
    let widths: Vec<usize> = (0..5)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    for r in &rows {
        let mut line = String::new();
        for (c, cell) in r.iter().enumerate() {
            if c + 1 == r.len() {
                line.push_str(cell);
            } else {
                let pad = widths[c] - cell.chars().count();
                line.push_str(cell);
                line.push_str(&" ".repeat(pad + 2));
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    let _ = writeln!(
        out,
        "\nDone      returned `Poll::Ready`; polling again panics"
    );
    let _ = writeln!(out, "Panicked  a poll panicked; polling again panics");
    out
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "-".to_string()
    } else {
        items.join(", ")
    }
}

/// Collapses whitespace runs (an awaited expression may span lines).
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn clip(s: &str) -> String {
    if s.chars().count() <= MAX_AWAIT {
        s.to_string()
    } else {
        let mut c: String = s.chars().take(MAX_AWAIT - 1).collect();
        c.push('…');
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(name: &str, awaits: &str, holds: &[&str], next: &[&str]) -> StateInfo {
        StateInfo {
            name: name.into(),
            awaits: awaits.into(),
            line: if awaits.is_empty() { 0 } else { 3 },
            column: 9,
            holds: holds.iter().map(|s| s.to_string()).collect(),
            next: next.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn aligned_table() {
        let long = "x".repeat(80);
        let t = explain(
            "f",
            "a.rs:1:1",
            &[
                st("Start", "", &["a"], &["AwaitG"]),
                st("AwaitG", &format!("g(\n   {long})"), &["a", "b"], &["Done"]),
            ],
        );
        let lines: Vec<&str> = t.lines().collect();
        assert!(lines[0].starts_with("async fn f (a.rs:1:1): 1 suspension point, 2 states"));
        assert_eq!(lines[2].find("WAITS ON"), lines[3].find("(first poll)"));
        assert!(
            lines[4].contains("g( xxx")
                && lines[4].contains('…')
                && lines[4].ends_with("a, b   Done"),
            "{t}"
        );
        assert!(lines[4].contains("3:9"));
    }
}
