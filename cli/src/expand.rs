//! Calls into the transform: whole files, one selected fn, or the states of one fn. Every call
//! goes through [`guard::call_library`] so a panic in the library is an internal error, not a
//! crash.

use crate::error::{CliError, Diagnostic};
use crate::guard;
use crate::select::FnRef;
use crate::source::Source;
use clockwork_expand::StateInfo;
use syn::{ImplItem, Item, ItemImpl};

fn internal(src: &Source, message: String) -> CliError {
    CliError::Internal {
        file: src.name.clone(),
        message,
    }
}

fn transform_errors(src: &Source, errs: &[clockwork_expand::Error]) -> CliError {
    CliError::Transform(
        errs.iter()
            .map(|e| Diagnostic::from_transform(src, e))
            .collect(),
    )
}

/// Rewrites, in place, every `#[state_machine]` async fn of `ast` (every async fn when `all`);
/// the expansions call the support module at `machine`.
pub fn expand_in_place(
    src: &Source,
    ast: &mut syn::File,
    all: bool,
    machine: &syn::Path,
) -> Result<(), CliError> {
    match guard::call_library(|| clockwork_expand::expand_file(ast, all, machine)) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(errs)) => Err(transform_errors(src, &errs)),
        Err(panic) => Err(internal(src, panic)),
    }
}

/// The expansion of one async fn, as a file of one item: the fn, or for a method its `impl`
/// block holding only that method.
pub fn expand_one(src: &Source, f: &FnRef<'_>, machine: &syn::Path) -> Result<syn::File, CliError> {
    let item = match *f {
        FnRef::Free(f) => Item::Fn(f.clone()),
        FnRef::Method(imp, method) => {
            let mut imp: ItemImpl = imp.clone();
            imp.attrs
                .retain(|a| !clockwork_expand::is_state_machine_attr(a));
            imp.items = vec![ImplItem::Fn(method.clone())];
            Item::Impl(imp)
        }
    };
    let mut file = syn::File {
        shebang: None,
        frontmatter: None,
        attrs: Vec::new(),
        items: vec![item],
    };
    expand_in_place(src, &mut file, true, machine)?;
    Ok(file)
}

/// The states of one async fn, with the receiver called `self` as the user wrote it (the
/// transform keeps it in a fresh local, `this`).
pub fn describe(src: &Source, f: &FnRef<'_>) -> Result<Vec<StateInfo>, CliError> {
    let machine = clockwork_expand::default_support_path();
    let parts = f.as_async_fn(&machine);
    let has_receiver = parts.sig.receiver().is_some();
    let mut states = match guard::call_library(|| clockwork_expand::describe(parts)) {
        Ok(Ok(states)) => states,
        Ok(Err(e)) => return Err(transform_errors(src, &[e])),
        Err(panic) => return Err(internal(src, panic)),
    };
    // The receiver is the first argument, so the first local `Start` holds.
    let receiver = has_receiver
        .then(|| states.first().and_then(|s| s.holds.first()).cloned())
        .flatten();
    if let Some(this) = receiver.filter(|r| r != "self") {
        for s in &mut states {
            for h in &mut s.holds {
                if *h == this {
                    *h = "self".to_string();
                }
            }
            s.awaits = replace_ident(&s.awaits, &this, "self");
        }
    }
    Ok(states)
}

/// `text` with every whole identifier `from` replaced by `to`.
fn replace_ident(text: &str, from: &str, to: &str) -> String {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(p) = rest.find(from) {
        let before_ok = !rest[..p].chars().next_back().is_some_and(is_ident);
        let after_ok = !rest[p + from.len()..].chars().next().is_some_and(is_ident);
        out.push_str(&rest[..p]);
        out.push_str(if before_ok && after_ok { to } else { from });
        rest = &rest[p + from.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_whole_identifiers_only() {
        assert_eq!(
            super::replace_ident("this.a(thisx, x_this, this)", "this", "self"),
            "self.a(thisx, x_this, self)"
        );
        assert_eq!(super::replace_ident("", "this", "self"), "");
    }
}
