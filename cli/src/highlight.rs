//! Minimal ANSI syntax highlighting for Rust source: keywords, strings and chars, comments,
//! numbers, lifetimes, attributes and macro names. A small total lexer: any text goes through,
//! unknown bytes are copied as they are.

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
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len() * 5 / 4);
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let (end, style) = if text[i..].starts_with("//") {
            (
                text[i..].find('\n').map_or(b.len(), |k| i + k),
                Some(COMMENT),
            )
        } else if text[i..].starts_with("/*") {
            (block_comment_end(text, i), Some(COMMENT))
        } else if c == b'"' {
            (quoted_end(b, i + 1, b'"'), Some(STRING))
        } else if (c == b'r' || text[i..].starts_with("br")) && raw_string_end(text, i).is_some() {
            (raw_string_end(text, i).unwrap_or(b.len()), Some(STRING))
        } else if c == b'b' && matches!(b.get(i + 1), Some(b'"' | b'\'')) {
            (quoted_end(b, i + 2, b[i + 1]), Some(STRING))
        } else if c == b'\'' {
            char_or_lifetime(b, i)
        } else if c == b'#' && matches!(b.get(i + 1), Some(b'[')) {
            (bracket_end(b, i + 1), Some(ATTRIBUTE))
        } else if c == b'#' && b.get(i + 1) == Some(&b'!') && b.get(i + 2) == Some(&b'[') {
            (bracket_end(b, i + 2), Some(ATTRIBUTE))
        } else if c.is_ascii_digit() {
            let mut k = i;
            while k < b.len() && (b[k].is_ascii_alphanumeric() || b[k] == b'_' || b[k] == b'.') {
                // `1..2`: stop at a range.
                if b[k] == b'.'
                    && (b.get(k + 1) == Some(&b'.')
                        || !b.get(k + 1).is_some_and(u8::is_ascii_digit))
                {
                    break;
                }
                k += 1;
            }
            (k, Some(NUMBER))
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let mut k = i;
            while k < b.len() && (b[k].is_ascii_alphanumeric() || b[k] == b'_') {
                k += 1;
            }
            let word = &text[i..k];
            let style = if KEYWORDS.contains(&word) {
                Some(KEYWORD)
            } else if b.get(k) == Some(&b'!') && b.get(k + 1) != Some(&b'=') {
                Some(MACRO)
            } else if c.is_ascii_uppercase() {
                Some(TYPE)
            } else {
                None
            };
            (k, style)
        } else {
            // One char, whole (non-ASCII text stays intact).
            let len = text[i..].chars().next().map_or(1, char::len_utf8);
            (i + len, None)
        };
        let end = end.clamp(i + 1, b.len());
        // Never split a UTF-8 char: move the end to the next char boundary.
        let end = (end..=b.len())
            .find(|&e| text.is_char_boundary(e))
            .unwrap_or(b.len());
        match style {
            Some(code) => {
                out.push_str("\x1b[");
                out.push_str(code);
                out.push('m');
                out.push_str(&text[i..end]);
                out.push_str("\x1b[0m");
            }
            None => out.push_str(&text[i..end]),
        }
        i = end;
    }
    out
}

fn block_comment_end(text: &str, start: usize) -> usize {
    let b = text.as_bytes();
    let (mut depth, mut k) = (0usize, start);
    while k + 1 < b.len() {
        if &b[k..k + 2] == b"/*" {
            depth += 1;
            k += 2;
        } else if &b[k..k + 2] == b"*/" {
            depth -= 1;
            k += 2;
            if depth == 0 {
                return k;
            }
        } else {
            k += 1;
        }
    }
    b.len()
}

/// The end (exclusive) of a quoted literal whose body starts at `k`.
fn quoted_end(b: &[u8], mut k: usize, quote: u8) -> usize {
    while k < b.len() {
        match b[k] {
            b'\\' => k += 2,
            q if q == quote => return k + 1,
            _ => k += 1,
        }
    }
    b.len()
}

/// `r"..."`, `r#"..."#`, `br"..."` at `i`: its end, or `None` when it is not a raw string.
fn raw_string_end(text: &str, i: usize) -> Option<usize> {
    let after_r = i + if text[i..].starts_with("br") { 2 } else { 1 };
    let rest = &text[after_r..];
    let hashes = rest.len() - rest.trim_start_matches('#').len();
    let body = rest[hashes..].strip_prefix('"')?;
    // An identifier ending in `r` (`for"`) is not a raw string.
    if i > 0 && text.as_bytes()[i - 1].is_ascii_alphanumeric() {
        return None;
    }
    let close = format!("\"{}", "#".repeat(hashes));
    let body_start = after_r + hashes + 1;
    Some(
        body.find(&close)
            .map_or(text.len(), |e| body_start + e + close.len()),
    )
}

fn char_or_lifetime(b: &[u8], i: usize) -> (usize, Option<&'static str>) {
    match (b.get(i + 1), b.get(i + 2)) {
        (Some(b'\\'), _) => (quoted_end(b, i + 1, b'\''), Some(STRING)),
        (Some(_), Some(b'\'')) => (i + 3, Some(STRING)),
        (Some(c), _) if c.is_ascii_alphabetic() || *c == b'_' => {
            let mut k = i + 1;
            while k < b.len() && (b[k].is_ascii_alphanumeric() || b[k] == b'_') {
                k += 1;
            }
            (k, Some(LIFETIME))
        }
        // A non-ASCII char literal: find the closing quote within a few bytes.
        (Some(_), _) => match b[i + 1..b.len().min(i + 6)]
            .iter()
            .position(|&c| c == b'\'')
        {
            Some(p) => (i + 1 + p + 1, Some(STRING)),
            None => (i + 1, None),
        },
        (None, _) => (i + 1, None),
    }
}

/// The end of a bracketed `[...]` starting at `open` (nesting and strings respected).
fn bracket_end(b: &[u8], open: usize) -> usize {
    let (mut depth, mut k) = (0usize, open);
    while k < b.len() {
        match b[k] {
            b'[' => depth += 1,
            b']' => {
                depth -= 1;
                if depth == 0 {
                    return k + 1;
                }
            }
            b'"' => {
                k = quoted_end(b, k + 1, b'"');
                continue;
            }
            _ => {}
        }
        k += 1;
    }
    b.len()
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
