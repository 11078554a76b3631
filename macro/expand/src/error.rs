//! Errors as values: every failure in the transform becomes an [`Error`] that carries the span of
//! the offending tokens; [`Error::to_compile_error`] is the single place that renders it.

use proc_macro2::{Span, TokenStream};

/// A transform error at a span of the user's input.
#[derive(Debug, Clone)]
pub struct Error {
    span: Span,
    message: String,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        Error {
            span,
            message: message.into(),
        }
    }

    pub fn span(&self) -> Span {
        self.span
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// `compile_error!("...")` pointing at the offending span.
    pub fn to_compile_error(&self) -> TokenStream {
        syn::Error::new(self.span, &self.message).to_compile_error()
    }
}

impl From<syn::Error> for Error {
    fn from(e: syn::Error) -> Self {
        Error::new(e.span(), e.to_string())
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}
