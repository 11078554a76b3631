//! Input the CLI refuses up front instead of overflowing the stack: syn, the transform and
//! prettyplease all recurse on nesting, so delimiters nested deeper than [`MAX_DEPTH`] are an
//! error at the first one too deep. (The work also runs on a thread with a large stack; see
//! `main_with`.)

/// Deepest `(`/`[`/`{` nesting accepted; real code stays far below.
pub const MAX_DEPTH: usize = 256;

/// The 1-based line and column (in chars) of the first delimiter nested deeper than `max`.
pub fn too_deep(text: &str, max: usize) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let (mut i, mut depth) = (0, 0usize);
    while i < b.len() {
        match b[i] {
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
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return Some(line_col(text, i));
                }
                i += 1;
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
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
