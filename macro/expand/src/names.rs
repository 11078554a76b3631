//! Names for what the expansion introduces (`State`, `state`, `cx`, `tmp0`, ...).
//!
//! The expansion is meant to be read, so it uses short plain names. They must not capture or
//! shadow anything the user wrote: the proc-macro output gives them `Span::mixed_site()` hygiene,
//! and because the CLI prints the expansion as text (where hygiene is gone), every name is also
//! checked against the identifiers that occur in the user's function and renamed if taken.

use proc_macro2::{Ident, Span, TokenStream, TokenTree};
use std::collections::HashSet;

#[derive(Clone)]
pub struct Names {
    taken: HashSet<String>,
}

impl Names {
    /// Collects every identifier (and lifetime name) that occurs in `tokens`.
    pub fn from_tokens(tokens: TokenStream) -> Self {
        let mut taken = HashSet::new();
        collect(tokens, &mut taken);
        Names { taken }
    }

    /// A fresh name based on `base`: `base`, else `base_`, `base_2`, ...
    pub fn fresh(&mut self, base: &str) -> String {
        let mut name = base.to_string();
        let mut n = 1;
        while self.taken.contains(&name) {
            name = if n == 1 {
                format!("{base}_")
            } else {
                format!("{base}_{n}")
            };
            n += 1;
        }
        self.taken.insert(name.clone());
        name
    }

    /// A fresh identifier with mixed-site hygiene.
    pub fn ident(&mut self, base: &str) -> Ident {
        Ident::new(&self.fresh(base), Span::mixed_site())
    }
}

fn collect(tokens: TokenStream, out: &mut HashSet<String>) {
    for tt in tokens {
        match tt {
            TokenTree::Ident(i) => {
                out.insert(i.to_string());
            }
            TokenTree::Group(g) => collect(g.stream(), out),
            TokenTree::Literal(l) => {
                // Inline format arguments (`"{x}"`) name locals from inside a string.
                let s = l.to_string();
                if s.starts_with('"') || s.starts_with("r\"") || s.starts_with("r#") {
                    for word in s.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
                        if !word.is_empty() {
                            out.insert(word.to_string());
                        }
                    }
                }
            }
            TokenTree::Punct(_) => {}
        }
    }
}

/// `read_to_end` -> `ReadToEnd`.
pub fn camel_case(snake: &str) -> String {
    let mut out = String::new();
    for part in snake.split('_').filter(|p| !p.is_empty()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    out
}

/// `AwaitReadHeader` → `await_read_header`.
pub fn snake_case(camel: &str) -> String {
    let mut out = String::new();
    for c in camel.chars() {
        if c.is_uppercase() {
            if !out.is_empty() {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}
