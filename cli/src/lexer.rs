//! The one lexer of the CLI's text scanners: syntax highlighting ([`crate::highlight`]), the
//! nesting check run before parsing ([`crate::limits`]) and the rewriting of `#[doc = ".."]`
//! attributes into comments ([`crate::render`]).
//!
//! [`tokens`] cuts text into [`Token`]s, each a [`Kind`] and a byte range. The tokens cover the
//! text exactly and in order, each at least one char long. It is total: any text goes through,
//! and a literal or block comment that is not closed runs to the end of the text.
//!
//! It recognises whitespace; line comments and nested block comments (doc comments included);
//! strings (`".."`, `b".."`, `c".."`) and raw strings (`r#".."#`, `br".."`, `cr".."`); char
//! and byte literals (`'x'`, `'\n'`, `b'x'`); lifetimes and labels (`'a`); identifiers and
//! keywords (Unicode letters included); numbers (`1_000`, `0xff`, `2u8`, `1.5e3`, and `1..2` is a
//! number, two puncts and a number). Anything else is punctuation, one char per token.
//!
//! It is not a full Rust lexer: it checks nothing (escapes, suffixes and digits are taken as
//! they come), does not join punctuation (`->` and `::` are two tokens each), and does not know
//! raw identifiers (`r#type` is `r`, `#`, `type`) or signed exponents (`1e-3` is `1e`, `-`,
//! `3`). That is enough to tell code from what sits inside a literal or a comment, which is
//! all its users ask.

use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Whitespace,
    /// `// ..` up to the end of its line, the newline not included.
    LineComment,
    /// `/* .. */`, nested ones included.
    BlockComment,
    /// `".."`, `b".."` or `c".."`.
    Str,
    /// `r".."`, `r#".."#`, `br".."` or `cr".."`.
    RawStr,
    /// `'x'`, `'\n'` or `b'x'`.
    Char,
    /// `'a`, a lifetime or a loop label.
    Lifetime,
    Ident,
    Number,
    /// Any other char, alone.
    Punct,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'a> {
    pub kind: Kind,
    /// Where the token is in the text given to [`tokens`].
    pub range: Range<usize>,
    /// The token's text: `&text[range]`.
    pub text: &'a str,
}

impl Token<'_> {
    /// Whether this is the punctuation char `c`.
    pub fn is_punct(&self, c: char) -> bool {
        self.kind == Kind::Punct && self.text.starts_with(c)
    }
}

/// The tokens of `text`, in order. Cloning the iterator is cheap: that is how to look ahead.
pub fn tokens(text: &str) -> Tokens<'_> {
    Tokens { text, pos: 0 }
}

#[derive(Debug, Clone)]
pub struct Tokens<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let rest = &self.text[self.pos..];
        let first = rest.chars().next()?;
        let (kind, len) = lex(rest, first);
        let range = self.pos..self.pos + len;
        self.pos = range.end;
        Some(Token {
            kind,
            text: &self.text[range.clone()],
            range,
        })
    }
}

/// The kind and length of the token at the start of `s`, whose first char is `c`.
fn lex(s: &str, c: char) -> (Kind, usize) {
    if c.is_whitespace() {
        (Kind::Whitespace, len_while(s, char::is_whitespace))
    } else if s.starts_with("//") {
        (Kind::LineComment, s.find('\n').unwrap_or(s.len()))
    } else if s.starts_with("/*") {
        (Kind::BlockComment, block_comment_len(s))
    } else if let Some(len) = raw_string_len(s) {
        (Kind::RawStr, len)
    } else if let Some(prefix) = ["\"", "b\"", "c\""].into_iter().find(|p| s.starts_with(p)) {
        (
            Kind::Str,
            prefix.len() + quoted_len(&s[prefix.len()..], '"'),
        )
    } else if let Some(len) = char_literal_len(s) {
        (Kind::Char, len)
    } else if let Some(len) = s.strip_prefix('b').and_then(char_literal_len) {
        (Kind::Char, 1 + len)
    } else if c == '\'' && s[1..].starts_with(is_ident_start) {
        (Kind::Lifetime, 1 + len_while(&s[1..], is_ident_continue))
    } else if is_ident_start(c) {
        (Kind::Ident, len_while(s, is_ident_continue))
    } else if c.is_ascii_digit() {
        (Kind::Number, number_len(s))
    } else {
        (Kind::Punct, c.len_utf8())
    }
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident_continue(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn len_while(s: &str, pred: fn(char) -> bool) -> usize {
    s.len() - s.trim_start_matches(pred).len()
}

fn block_comment_len(s: &str) -> usize {
    let b = s.as_bytes();
    let (mut depth, mut k) = (0usize, 0);
    while k + 1 < b.len() {
        match &b[k..k + 2] {
            b"/*" => {
                depth += 1;
                k += 2;
            }
            b"*/" => {
                depth -= 1;
                k += 2;
                if depth == 0 {
                    return k;
                }
            }
            _ => k += 1,
        }
    }
    b.len()
}

/// The length of the raw string at the start of `s`, if one starts there.
fn raw_string_len(s: &str) -> Option<usize> {
    let after_r = ["r", "br", "cr"]
        .into_iter()
        .find_map(|p| s.strip_prefix(p))?;
    let hashes = after_r.len() - after_r.trim_start_matches('#').len();
    let body = after_r[hashes..].strip_prefix('"')?;
    let close = format!("\"{}", "#".repeat(hashes));
    let head = s.len() - body.len();
    Some(head + body.find(&close).map_or(body.len(), |e| e + close.len()))
}

/// The length of the char literal (`'x'`, `'\n'`, `'\u{e9}'`) at the start of `s`, if one
/// starts there.
fn char_literal_len(s: &str) -> Option<usize> {
    let body = s.strip_prefix('\'')?;
    let mut chars = body.chars();
    match chars.next()? {
        '\\' => Some(1 + quoted_len(body, '\'')),
        c if chars.next() == Some('\'') => Some(1 + c.len_utf8() + 1),
        _ => None,
    }
}

/// The length of a literal's body and closing `quote`, a backslash escaping the char after
/// it; all of `body` when the literal is not closed.
fn quoted_len(body: &str, quote: char) -> usize {
    let mut chars = body.char_indices();
    while let Some((k, c)) = chars.next() {
        if c == '\\' {
            chars.next();
        } else if c == quote {
            return k + quote.len_utf8();
        }
    }
    body.len()
}

/// Digits, letters and `_` (suffixes, hex digits, exponents), and a `.` followed by a digit.
fn number_len(s: &str) -> usize {
    let b = s.as_bytes();
    let mut k = 0;
    while k < b.len()
        && (b[k].is_ascii_alphanumeric()
            || b[k] == b'_'
            || (b[k] == b'.' && b.get(k + 1).is_some_and(u8::is_ascii_digit)))
    {
        k += 1;
    }
    k
}

#[cfg(test)]
mod tests {
    use super::{Kind, tokens};

    fn kinds(text: &str) -> Vec<(Kind, &str)> {
        tokens(text).map(|t| (t.kind, t.text)).collect()
    }

    #[test]
    fn literals_comments_and_lifetimes() {
        use Kind::*;
        assert_eq!(
            kinds("f<'a>('x', b'\\'', \"a\\\"b\", r#\"\"q\"\"#) /* /* */ */ // c\n"),
            [
                (Ident, "f"),
                (Punct, "<"),
                (Lifetime, "'a"),
                (Punct, ">"),
                (Punct, "("),
                (Char, "'x'"),
                (Punct, ","),
                (Whitespace, " "),
                (Char, "b'\\''"),
                (Punct, ","),
                (Whitespace, " "),
                (Str, "\"a\\\"b\""),
                (Punct, ","),
                (Whitespace, " "),
                (RawStr, "r#\"\"q\"\"#"),
                (Punct, ")"),
                (Whitespace, " "),
                (BlockComment, "/* /* */ */"),
                (Whitespace, " "),
                (LineComment, "// c"),
                (Whitespace, "\n"),
            ]
        );
    }

    #[test]
    fn numbers_idents_and_punct() {
        use Kind::*;
        assert_eq!(
            kinds("1..2.5e3 é'é' for\"x\" br#x"),
            [
                (Number, "1"),
                (Punct, "."),
                (Punct, "."),
                (Number, "2.5e3"),
                (Whitespace, " "),
                (Ident, "é"),
                (Char, "'é'"),
                (Whitespace, " "),
                (Ident, "for"),
                (Str, "\"x\""),
                (Whitespace, " "),
                (Ident, "br"),
                (Punct, "#"),
                (Ident, "x"),
            ]
        );
    }

    #[test]
    fn total_and_contiguous() {
        for s in [
            "'", "\"", "r#", "b'", "/*", "/*/", "#[", "'ab", "é'", "'é", "1.", "\\", "br#\"x",
            "\u{0}", "'\\", "\"\\", "b", "c\"", "r\"", "'\\é", "\"é\\é",
        ] {
            let mut end = 0;
            for t in tokens(s) {
                assert_eq!(t.range.start, end, "{s:?}");
                assert!(t.range.end > end, "{s:?}");
                end = t.range.end;
            }
            assert_eq!(end, s.len(), "{s:?}");
        }
    }
}
