//! Input the CLI refuses up front instead of overflowing the stack: syn, the transform and
//! prettyplease all recurse on nesting. A lexical scan finds the first place nested deeper
//! than [`MAX_DEPTH`]: delimiters `(`/`[`/`{` plus generic brackets (`Option<Option<..`), or a
//! run of more than [`MAX_PREFIX_RUN`] prefix operators (`!!!!x`, `|| || || x`). (The work also
//! runs on a thread with a large stack; see `main_with`.)

/// Deepest nesting accepted; real code stays far below.
pub const MAX_DEPTH: usize = 256;
/// Longest run of prefix-operator characters (`|`, `!`, `&`, `*`, `-`) accepted.
pub const MAX_PREFIX_RUN: usize = 1000;
/// Most tokens that open a nested expression or type without a delimiter (`|`, `->`,
/// `return`, `break`, `yield`, `move`, `fn`, `impl`, `dyn`, `const`, `mut`) accepted between
/// two `;`, `{` or `}`.
pub const MAX_NESTERS: usize = 1000;

const NESTING_WORDS: &[&[u8]] = &[
    b"return", b"break", b"yield", b"move", b"fn", b"impl", b"dyn", b"const", b"mut",
];

/// The 1-based line and column (in chars) of the first place nested deeper than `max`.
pub fn too_deep(text: &str, max: usize) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let (mut i, mut depth) = (0, 0usize);
    // Open generic brackets (`<` right after a name or `::`), since the last `;`, `{` or `}`.
    let mut generics = 0usize;
    let mut run = 0usize;
    // Tokens that nest without delimiters, since the last `;`, `{` or `}`.
    let mut nesters = 0usize;
    while i < b.len() {
        let c = b[i];
        let nests = c == b'|' || (c == b'-' && b.get(i + 1) == Some(&b'>'));
        if nests {
            nesters += 1;
            if nesters > MAX_NESTERS {
                return Some(line_col(text, i));
            }
        }
        if matches!(c, b'|' | b'!' | b'&' | b'*' | b'-') {
            run += 1;
            if run > MAX_PREFIX_RUN {
                return Some(line_col(text, i));
            }
        } else if !c.is_ascii_whitespace() {
            run = 0;
        }
        match c {
            b'<' if i > 0
                && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_' || b[i - 1] == b':') =>
            {
                generics += 1;
                if depth + generics > max {
                    return Some(line_col(text, i));
                }
                i += 1;
            }
            b'>' if generics > 0 && i > 0 && !matches!(b[i - 1], b'-' | b'=') => {
                generics -= 1;
                i += 1;
            }
            b';' => {
                generics = 0;
                nesters = 0;
                i += 1;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = text[i..].find('\n').map_or(b.len(), |k| i + k);
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let mut nest = 0usize;
                while i < b.len() {
                    if b[i..].starts_with(b"/*") {
                        nest += 1;
                        i += 2;
                    } else if b[i..].starts_with(b"*/") {
                        nest -= 1;
                        i += 2;
                        if nest == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
            }
            b'"' => i = skip_quoted(b, i + 1, b'"'),
            b'r' | b'b' if is_raw_string(b, i) => {
                let start = i + if b[i] == b'b' { 2 } else { 1 };
                let hashes = b[start..].iter().take_while(|&&c| c == b'#').count();
                let mut close = vec![b'"'];
                close.extend(std::iter::repeat_n(b'#', hashes));
                let body = start + hashes + 1;
                i = b[body..]
                    .windows(close.len())
                    .position(|w| w == close.as_slice())
                    .map_or(b.len(), |p| body + p + close.len());
            }
            b'\'' => {
                // A char literal ('x', '\n', 'é'), else a lifetime or label.
                i = match (b.get(i + 1), b.get(i + 2)) {
                    (Some(b'\\'), _) => skip_quoted(b, i + 1, b'\''),
                    (Some(_), Some(b'\'')) => i + 3,
                    (Some(c), _) if *c >= 0x80 => {
                        let len = text[i + 1..].chars().next().map_or(1, char::len_utf8);
                        if b.get(i + 1 + len) == Some(&b'\'') {
                            i + 2 + len
                        } else {
                            i + 1
                        }
                    }
                    _ => i + 1,
                };
            }
            c if c.is_ascii_alphanumeric() || c == b'_' => {
                // Skip the whole word, so `br` / `r` inside identifiers are not raw strings.
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                if NESTING_WORDS.contains(&&b[start..i]) {
                    nesters += 1;
                    if nesters > MAX_NESTERS {
                        return Some(line_col(text, start));
                    }
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if c == b'{' {
                    generics = 0;
                    nesters = 0;
                }
                if depth + generics > max {
                    return Some(line_col(text, i));
                }
                i += 1;
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if c == b'}' {
                    generics = 0;
                    nesters = 0;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    None
}

fn is_raw_string(b: &[u8], i: usize) -> bool {
    let start = match (b[i], b.get(i + 1)) {
        (b'r', _) => i + 1,
        (b'b', Some(b'r')) => i + 2,
        _ => return false,
    };
    let hashes = b[start..].iter().take_while(|&&c| c == b'#').count();
    b.get(start + hashes) == Some(&b'"')
}

fn skip_quoted(b: &[u8], mut k: usize, quote: u8) -> usize {
    while k < b.len() {
        match b[k] {
            b'\\' => k += 2,
            q if q == quote => return k + 1,
            _ => k += 1,
        }
    }
    b.len()
}

fn line_col(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    (line, text[line_start..at].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::too_deep;

    #[test]
    fn finds_the_first_delimiter_too_deep() {
        assert_eq!(too_deep("fn f() { ((x)) }", 2), Some((1, 11)));
        assert_eq!(too_deep("fn f() { ((x)) }", 3), None);
        assert_eq!(too_deep("a\n[[[", 2), Some((2, 3)));
    }

    #[test]
    fn generics_and_prefix_runs() {
        let deep = format!(
            "fn f() -> {}u8{} {{}}",
            "Option<".repeat(300),
            ">".repeat(300)
        );
        assert_eq!(too_deep(&deep, 256), Some((1, 10 + 7 * 257)));
        assert_eq!(
            too_deep("fn f() -> Vec<Vec<u8>> { a < b; c < d; x->y; }", 2),
            None
        );
        assert_eq!(too_deep("let v: Vec<Vec<u8>> = 1;", 1), Some((1, 15)));
        let closures = format!("fn f() {{ {}y }}", "|| ".repeat(600));
        assert_eq!(too_deep(&closures, 256).map(|(l, _)| l), Some(1));
        assert_eq!(too_deep("fn f() { !!!!x && *&*&y || -z }", 256), None);
        let keywords = format!("type T = {}u8;", "fn() -> ".repeat(600));
        assert!(too_deep(&keywords, 256).is_some());
        let returns = format!("fn f() {{ {}x }}", "return ".repeat(1001));
        assert!(too_deep(&returns, 256).is_some());
        let statements = "fn f() { let a = |x| x; return move || 1; }\n".repeat(2000);
        assert_eq!(
            too_deep(&statements, 256),
            None,
            "counts restart at each statement"
        );
    }

    #[test]
    fn ignores_delimiters_in_literals_and_comments() {
        let s = "let s = \"(((\"; let r = r#\"[[[\"#; let c = '('; // (((\n/* (( /* ( */ */ let l: &'a () = x;";
        assert_eq!(too_deep(s, 1), None);
        assert_eq!(too_deep("br\"((\" '\\'' 'é' (", 1), None);
    }

    #[test]
    fn total_on_odd_input() {
        for s in ["'", "\"", "r#", "/*", "'é", "b", "br#\"", "\u{0}'", "r\""] {
            too_deep(s, 0);
        }
    }
}
