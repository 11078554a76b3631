//! Minimal ANSI syntax highlighting for Rust source: keywords, strings and chars, comments,
//! numbers, lifetimes, attributes and macro names, on the tokens of [`crate::lexer`]: any text
//! goes through, and comes out the same once the colors are stripped.

use crate::lexer::{self, Kind, Token, Tokens};

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "yield",
];

const KEYWORD: &str = "1;35";
const STRING: &str = "32";
const COMMENT: &str = "2;3";
const NUMBER: &str = "36";
const LIFETIME: &str = "33";
const ATTRIBUTE: &str = "2;33";
const MACRO: &str = "34";
const TYPE: &str = "1;36";

/// `text` with ANSI color codes added.
pub fn highlight(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 5 / 4);
    let mut tokens = lexer::tokens(text);
    while let Some(t) = tokens.next() {
        let (end, style) = if t.is_punct('#') && opens_attribute(tokens.clone()) {
            (
                attribute_end(&mut tokens).unwrap_or(t.range.end),
                Some(ATTRIBUTE),
            )
        } else {
            (t.range.end, style(text, &t))
        };
        let piece = &text[t.range.start..end];
        match style {
            Some(code) => {
                out.push_str("\x1b[");
                out.push_str(code);
                out.push('m');
                out.push_str(piece);
                out.push_str("\x1b[0m");
            }
            None => out.push_str(piece),
        }
    }
    out
}

fn style(text: &str, t: &Token) -> Option<&'static str> {
    let after = &text[t.range.end..];
    match t.kind {
        Kind::LineComment | Kind::BlockComment => Some(COMMENT),
        Kind::Str | Kind::RawStr | Kind::Char => Some(STRING),
        Kind::Lifetime => Some(LIFETIME),
        Kind::Number => Some(NUMBER),
        Kind::Ident if KEYWORDS.contains(&t.text) => Some(KEYWORD),
        // `name!(..)`, but not `name != ..`.
        Kind::Ident if after.starts_with('!') && !after.starts_with("!=") => Some(MACRO),
        Kind::Ident if t.text.starts_with(|c: char| c.is_ascii_uppercase()) => Some(TYPE),
        Kind::Ident | Kind::Whitespace | Kind::Punct => None,
    }
}

/// Whether the tokens after a `#` open an attribute: `[` or `![`.
fn opens_attribute(mut after_hash: Tokens) -> bool {
    match after_hash.next() {
        Some(t) if t.is_punct('!') => after_hash.next().is_some_and(|t| t.is_punct('[')),
        Some(t) => t.is_punct('['),
        None => false,
    }
}

/// Consumes an attribute's `[..]` or `![..]` and returns where it ends: after its closing
/// `]`, or at the end of the text when it is not closed.
fn attribute_end(tokens: &mut Tokens) -> Option<usize> {
    let (mut depth, mut end) = (0usize, None);
    for t in tokens.by_ref() {
        end = Some(t.range.end);
        if t.is_punct('[') {
            depth += 1;
        } else if t.is_punct(']') {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                break;
            }
        }
    }
    end
}

/// Removes ANSI color codes (for tests and width computations).
pub fn strip(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(p) = rest.find("\x1b[") {
        out.push_str(&rest[..p]);
        rest = &rest[p + 2..];
        rest = rest.find('m').map_or("", |m| &rest[m + 1..]);
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_colors() {
        let src = "// c\nfn f<'a>(x: &'a str) -> u8 { let s = r#\"q\"#; let c = '\\n'; let é = 'é'; \
                   println!(\"{}\", 1.5e3); /* a /* b */ */ #[attr(x = \"]\")] S::new(0..2) }\n";
        let h = highlight(src);
        assert_eq!(strip(&h), src);
        assert!(h.contains("\x1b[1;35mfn\x1b[0m"));
        assert!(h.contains("\x1b[2;3m// c\x1b[0m"));
        assert!(h.contains("\x1b[33m'a\x1b[0m"));
        assert!(h.contains("\x1b[34mprintln\x1b[0m"));
        assert!(h.contains("\x1b[32mr#\"q\"#\x1b[0m"));
    }

    #[test]
    fn total_on_odd_input() {
        for s in [
            "'", "\"", "r#", "b'", "/*", "#[", "'ab", "é'", "'é", "1.", "\\", "br#\"x", "\u{0}",
        ] {
            assert_eq!(strip(&highlight(s)), s);
        }
    }
}
