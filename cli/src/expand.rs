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

/// Rewrites, in place, every `#[state_machine]` async fn of `ast` (every async fn when `all`).
pub fn expand_in_place(src: &Source, ast: &mut syn::File, all: bool) -> Result<(), CliError> {
    match guard::call_library(|| clockwork_expand::expand_file(ast, all)) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(errs)) => Err(transform_errors(src, &errs)),
        Err(panic) => Err(internal(src, panic)),
    }
}

/// The expansion of one async fn, as a file of one item: the fn, or for a method its `impl`
/// block holding only that method.
pub fn expand_one(src: &Source, f: &FnRef<'_>) -> Result<syn::File, CliError> {
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
    expand_in_place(src, &mut file, true)?;
    Ok(file)
}

/// The states of one async fn.
pub fn describe(src: &Source, f: &FnRef<'_>) -> Result<Vec<StateInfo>, CliError> {
    match guard::call_library(|| clockwork_expand::describe(f.as_async_fn())) {
        Ok(Ok(states)) => Ok(states),
        Ok(Err(e)) => Err(transform_errors(src, &[e])),
        Err(panic) => Err(internal(src, panic)),
    }
}
