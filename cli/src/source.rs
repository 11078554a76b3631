//! Input files: a path on disk or standard input (`-`), kept as text for error snippets.

use crate::error::CliError;
use std::io::Read;
use std::path::Path;

/// One source file as the user gave it.
#[derive(Debug, Clone)]
pub struct Source {
    /// The name shown in messages (`src/lib.rs`, `<stdin>`).
    pub name: String,
    pub text: String,
}

impl Source {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Source {
            name: name.into(),
            text: text.into(),
        }
    }

    /// Reads `path`, or standard input when `path` is `-`.
    pub fn load(path: &Path) -> Result<Self, CliError> {
        if path.as_os_str() == "-" {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|e| CliError::Io {
                    path: "<stdin>".into(),
                    message: e.to_string(),
                })?;
            return Self::from_bytes("<stdin>", bytes);
        }
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| CliError::Io {
            path: name.clone(),
            message: e.to_string(),
        })?;
        Self::from_bytes(&name, bytes)
    }

    fn from_bytes(name: &str, bytes: Vec<u8>) -> Result<Self, CliError> {
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Source::new(name, text)),
            Err(e) => Err(CliError::Io {
                path: name.to_string(),
                message: format!("not valid UTF-8 (at byte {})", e.utf8_error().valid_up_to()),
            }),
        }
    }

    /// Parses the text as a Rust file; a syntax error becomes a diagnostic at its span.
    pub fn parse(&self) -> Result<syn::File, CliError> {
        if let Some((line, column)) = crate::limits::too_deep(&self.text, crate::limits::MAX_DEPTH)
        {
            let line_text = self.text.lines().nth(line - 1).map(str::to_string);
            return Err(CliError::Parse(crate::error::Diagnostic {
                file: self.name.clone(),
                line_text,
                line,
                column,
                width: 1,
                message: format!(
                    "nested more than {} deep (or too long a run of prefix operators): clockwork does not take files this deep",
                    crate::limits::MAX_DEPTH
                ),
            }));
        }
        syn::parse_file(&self.text)
            .map_err(|e| CliError::Parse(crate::error::Diagnostic::from_syn(self, &e)))
    }
}
