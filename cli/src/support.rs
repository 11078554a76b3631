//! `expand --standalone`: the support module the expansions call, printed inline.
//!
//! By default an expansion calls `::clockwork::machine`, which a crate gets by depending on
//! `clockwork` (with `default-features = false`, nothing else). With `--standalone` the
//! expansions call `crate::clockwork_machine` instead, and the module's source is printed once,
//! at the end of the output, so that what is printed compiles with plain `rustc`. The text is
//! the runtime's own `runtime/src/machine/`, built into the CLI: the two cannot drift apart.

/// The module's files: `mod.rs` first, then the submodules it declares as `mod name;`.
const FILES: [(&str, &str); 5] = [
    ("mod", include_str!("../../runtime/src/machine/mod.rs")),
    (
        "copies",
        include_str!("../../runtime/src/machine/copies.rs"),
    ),
    ("home", include_str!("../../runtime/src/machine/home.rs")),
    ("homes", include_str!("../../runtime/src/machine/homes.rs")),
    (
        "island",
        include_str!("../../runtime/src/machine/island.rs"),
    ),
];

/// The name of the printed module, at the crate root.
const NAME: &str = "clockwork_machine";

/// The path the expansions call the support module by.
pub fn path(standalone: bool) -> syn::Path {
    if standalone {
        let name = syn::Ident::new(NAME, proc_macro2::Span::call_site());
        syn::parse_quote!(crate::#name)
    } else {
        clockwork_expand::default_support_path()
    }
}

/// `text`, followed by the support module when `standalone`.
pub fn append(mut text: String, standalone: bool) -> String {
    if standalone {
        text.push('\n');
        text.push_str(&module());
    }
    text
}

/// The support module as one inline `mod`, its submodules written out in place.
pub fn module() -> String {
    let mut out = String::from(
        "/// `clockwork::machine`, the support module of the expansions above, printed by\n\
         /// `clockwork expand --standalone` so that this file compiles without clockwork.\n",
    );
    out.push_str(&format!("#[allow(dead_code)]\nmod {NAME} {{\n"));
    inline(&mut out, FILES[0].1, 1);
    out.push_str("}\n");
    out
}

/// Writes `text` indented `depth` levels, with each `mod name;` replaced by its file.
fn inline(out: &mut String, text: &str, depth: usize) {
    let indent = "    ".repeat(depth);
    for line in text.lines() {
        let file = line
            .strip_prefix("mod ")
            .and_then(|rest| rest.strip_suffix(';'))
            .and_then(|name| FILES.iter().find(|(n, _)| *n == name));
        match file {
            Some((name, sub)) => {
                out.push_str(&format!("{indent}mod {name} {{\n"));
                inline(out, sub, depth + 1);
                out.push_str(&format!("{indent}}}\n"));
            }
            None if line.is_empty() => out.push('\n'),
            None => out.push_str(&format!("{indent}{line}\n")),
        }
    }
}
