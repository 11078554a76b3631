//! Formats an expanded file: prettyplease, then the transform's comments (carried as
//! `#[doc = "// SAFETY: .."]` attributes) become plain `// SAFETY: ..` comments.

use crate::lexer::{self, Kind, Token};
use quote::ToTokens;
use syn::visit::{self, Visit};

/// The text of `file`: formatted by prettyplease, or the raw token stream when `ugly`.
pub fn format_file(file: &syn::File, ugly: bool) -> String {
    if ugly {
        let mut s = file.to_token_stream().to_string();
        s.push('\n');
        s
    } else {
        doc_comments_to_comments(&pretty(file))
    }
}

/// prettyplease, made total: it panics (`unimplemented!`) on syntax that syn keeps as
/// `Verbatim` tokens (`fn f();` outside a trait, unstable syntax..). Items holding such nodes
/// are printed as plain tokens instead, after a comment saying so.
fn pretty(file: &syn::File) -> String {
    if !has_verbatim(|v| v.visit_file(file)) {
        return prettyplease::unparse(file);
    }
    let mut out = prettyplease::unparse(&syn::File {
        items: Vec::new(),
        ..file.clone()
    });
    for item in &file.items {
        if has_verbatim(|v| v.visit_item(item)) {
            out.push_str(
                "// clockwork: prettyplease cannot format this item; printed unformatted\n",
            );
            out.push_str(&item.to_token_stream().to_string());
            out.push('\n');
        } else {
            let one = syn::File {
                shebang: None,
                frontmatter: None,
                attrs: Vec::new(),
                items: vec![item.clone()],
            };
            out.push_str(&prettyplease::unparse(&one));
        }
    }
    out
}

fn has_verbatim(walk: impl FnOnce(&mut FindVerbatim)) -> bool {
    let mut v = FindVerbatim(false);
    walk(&mut v);
    v.0
}

/// Finds any syn `Verbatim` node that prettyplease would refuse.
struct FindVerbatim(bool);

macro_rules! verbatim_visits {
    ($($method:ident: $ty:ident => $walk:ident),* $(,)?) => {
        $(fn $method(&mut self, node: &'ast syn::$ty) {
            if let syn::$ty::Verbatim(_) = node {
                self.0 = true;
            } else if !self.0 {
                visit::$walk(self, node);
            }
        })*
    };
}

impl<'ast> Visit<'ast> for FindVerbatim {
    verbatim_visits! {
        visit_item: Item => visit_item,
        visit_expr: Expr => visit_expr,
        visit_type: Type => visit_type,
        visit_pat: Pat => visit_pat,
        visit_foreign_item: ForeignItem => visit_foreign_item,
        visit_trait_item: TraitItem => visit_trait_item,
        visit_impl_item: ImplItem => visit_impl_item,
        visit_type_param_bound: TypeParamBound => visit_type_param_bound,
    }
}

/// Rewrites every `#[doc = "// .."]` attribute that starts a line (possibly spread over
/// several lines) into `// ..` comment lines at the same indentation. Attributes inside a
/// literal or a comment are text, and left alone.
pub fn doc_comments_to_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // `text[..done]` is in `out` already, rewritten.
    let mut done = 0;
    let mut tokens = lexer::tokens(text);
    while let Some(hash) = tokens.next() {
        if hash.range.start < done || !hash.is_punct('#') {
            continue;
        }
        let indent_start = text[..hash.range.start].trim_end_matches([' ', '\t']).len();
        // Text left on a line after a rewritten attribute counts as a line of its own.
        let starts_line = indent_start == done || text[..indent_start].ends_with('\n');
        if !starts_line {
            continue;
        }
        let Some((value, end)) = parse_doc_attr(tokens.clone()) else {
            continue;
        };
        if !value.starts_with("//") {
            continue;
        }
        out.push_str(&text[done..indent_start]);
        let indent = &text[indent_start..hash.range.start];
        for (i, l) in value.lines().enumerate() {
            out.push_str(indent);
            if i > 0 && !l.trim_start().starts_with("//") {
                out.push_str("// ");
            }
            out.push_str(l.trim_end());
            out.push('\n');
        }
        done = end;
        // Drop the rest of the attribute's last line when it is blank.
        let tail_end = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
        if text[end..tail_end].trim().is_empty() {
            done = tail_end;
        }
    }
    out.push_str(&text[done..]);
    out
}

/// Parses `[doc = "<string>"]` from the tokens after a `#`, any whitespace (newlines
/// included) between tokens. Returns the unescaped string and where the attribute ends.
fn parse_doc_attr(mut after_hash: lexer::Tokens) -> Option<(String, usize)> {
    let mut next = move || after_hash.find(|t| t.kind != Kind::Whitespace);
    next().filter(|t| t.is_punct('['))?;
    next().filter(|t| t.kind == Kind::Ident && t.text == "doc")?;
    next().filter(|t| t.is_punct('='))?;
    let string = next()?;
    let close = next().filter(|t| t.is_punct(']'))?;
    // The string is closed, since a token follows it: an unclosed one runs to the end.
    Some((string_value(&string)?, close.range.end))
}

/// The value of a `".."` or `r#".."#` string token, or `None` for any other token or an
/// escape this does not know.
fn string_value(t: &Token) -> Option<String> {
    match t.kind {
        Kind::Str => unescape(t.text.strip_prefix('"')?.strip_suffix('"')?),
        Kind::RawStr => {
            let raw = t.text.strip_prefix('r')?;
            let hashes = raw.len() - raw.trim_start_matches('#').len();
            raw.get(hashes + 1..raw.len() - hashes - 1)
                .map(str::to_string)
        }
        _ => None,
    }
}

/// The value of a string literal's `body` (between its quotes), escapes resolved.
fn unescape(body: &str) -> Option<String> {
    let mut value = String::new();
    let mut chars = body.char_indices();
    while let Some((k, c)) = chars.next() {
        if c != '\\' {
            value.push(c);
            continue;
        }
        let (_, e) = chars.next()?;
        match e {
            'n' => value.push('\n'),
            't' => value.push('\t'),
            'r' => value.push('\r'),
            '0' => value.push('\0'),
            '\\' | '\'' | '"' => value.push(e),
            'x' => {
                let hex: String = [chars.next()?.1, chars.next()?.1].iter().collect();
                value.push(char::from(
                    u8::from_str_radix(&hex, 16).ok().filter(|b| *b < 0x80)?,
                ));
            }
            'u' => {
                if chars.next()?.1 != '{' {
                    return None;
                }
                let mut hex = String::new();
                loop {
                    match chars.next()?.1 {
                        '}' => break,
                        '_' => {}
                        h => hex.push(h),
                    }
                }
                value.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
            }
            '\n' => {
                // Line continuation: skip the newline and the next line's indentation.
                let skip = body[k + 2..].len() - body[k + 2..].trim_start().len();
                for _ in body[k + 2..k + 2 + skip].chars() {
                    chars.next();
                }
            }
            _ => return None,
        }
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::doc_comments_to_comments as f;

    #[test]
    fn verbatim_items_do_not_panic() {
        let file =
            syn::parse_file("fn ok() {}\npub(crate) fn no_body(x: u8);\nimpl S { fn m(); }\n")
                .unwrap();
        let out = super::format_file(&file, false);
        assert!(out.starts_with("fn ok() {}\n"), "{out}");
        assert!(out.contains("pub (crate) fn no_body (x : u8) ;"), "{out}");
        assert_eq!(out.matches("printed unformatted").count(), 2, "{out}");
    }

    #[test]
    fn one_line() {
        let t = "fn f() {\n    #[doc = \"// SAFETY: `x` is \\\"pinned\\\"\"]\n    let x = 1;\n}\n";
        assert_eq!(
            f(t),
            "fn f() {\n    // SAFETY: `x` is \"pinned\"\n    let x = 1;\n}\n"
        );
    }

    #[test]
    fn wrapped_and_multiline() {
        let t = "  #[doc =\n      \"// a\\nb \\u{e9}\"\n  ]\n  let y;\n";
        assert_eq!(f(t), "  // a\n  // b é\n  let y;\n");
        let raw = "#[doc = r#\"// raw \"q\"\"#]\nx\n";
        assert_eq!(f(raw), "// raw \"q\"\nx\n");
    }

    #[test]
    fn leaves_other_lines_alone() {
        for t in [
            "#[doc = \"plain doc\"]\nfn f() {}\n",
            "#[doc = \"// unterminated\n",
            "#[doc = \"// bad escape \\q\"]\n",
            "#[derive(Debug)]\n",
            "",
            "#",
        ] {
            assert_eq!(f(t), t);
        }
    }
}
