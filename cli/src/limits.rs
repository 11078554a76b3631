//! Input the CLI refuses up front instead of overflowing the stack: syn, the transform and
//! prettyplease all recurse on nesting. A lexical scan finds the first place nested deeper
//! than [`MAX_DEPTH`]: delimiters `(`/`[`/`{` plus generic brackets (`Option<Option<..`), or a
//! run of more than [`MAX_PREFIX_RUN`] prefix operators (`!!!!x`, `|| || || x`). (The work also
//! runs on a thread with a large stack; see `main_with`.)

use crate::lexer::{self, Kind};

/// Deepest nesting accepted; real code stays far below.
pub const MAX_DEPTH: usize = 256;
/// Longest run of prefix-operator characters (`|`, `!`, `&`, `*`, `-`) accepted.
pub const MAX_PREFIX_RUN: usize = 1000;
/// Most tokens that open a nested expression or type without a delimiter (`|`, `->`,
/// `return`, `break`, `yield`, `move`, `fn`, `impl`, `dyn`, `const`, `mut`) accepted between
/// two `;`, `{` or `}`.
pub const MAX_NESTERS: usize = 1000;

const NESTING_WORDS: &[&str] = &[
    "return", "break", "yield", "move", "fn", "impl", "dyn", "const", "mut",
];

/// The 1-based line and column (in chars) of the first place nested deeper than `max`.
pub fn too_deep(text: &str, max: usize) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    // Open generic brackets (`<` right after a name or `::`), since the last `;`, `{` or `}`.
    let mut generics = 0usize;
    let mut run = 0usize;
    // Tokens that nest without delimiters, since the last `;`, `{` or `}`.
    let mut nesters = 0usize;
    for t in lexer::tokens(text) {
        let at = t.range.start;
        let c = match t.kind {
            Kind::Punct => b[at],
            Kind::Whitespace => continue,
            Kind::Ident if NESTING_WORDS.contains(&t.text) => {
                run = 0;
                nesters += 1;
                if nesters > MAX_NESTERS {
                    return Some(line_col(text, at));
                }
                continue;
            }
            // Literals and comments are skipped whole, whatever they hold.
            _ => {
                run = 0;
                continue;
            }
        };
        let (prev, next) = (at.checked_sub(1).map(|p| b[p]), b.get(at + 1).copied());
        if c == b'|' || (c == b'-' && next == Some(b'>')) {
            nesters += 1;
            if nesters > MAX_NESTERS {
                return Some(line_col(text, at));
            }
        }
        if matches!(c, b'|' | b'!' | b'&' | b'*' | b'-') {
            run += 1;
            if run > MAX_PREFIX_RUN {
                return Some(line_col(text, at));
            }
        } else {
            run = 0;
        }
        match c {
            b'<' if prev.is_some_and(|p| p.is_ascii_alphanumeric() || p == b'_' || p == b':') => {
                generics += 1;
                if depth + generics > max {
                    return Some(line_col(text, at));
                }
            }
            b'>' if generics > 0 && !matches!(prev, Some(b'-' | b'=')) => generics -= 1,
            b';' => {
                generics = 0;
                nesters = 0;
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if c == b'{' {
                    generics = 0;
                    nesters = 0;
                }
                if depth + generics > max {
                    return Some(line_col(text, at));
                }
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if c == b'}' {
                    generics = 0;
                    nesters = 0;
                }
            }
            _ => {}
        }
    }
    None
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
