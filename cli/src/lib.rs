//! The `clockwork` CLI as a library: `main.rs` and `cargo-clockwork` only parse arguments
//! and print what [`app::run`] returns. Tests and benches call the same functions in-process.

pub mod app;
pub mod cli;
pub mod error;
pub mod expand;
pub mod explain;
pub mod graph;
pub mod guard;
pub mod highlight;
pub mod package;
pub mod render;
pub mod select;
pub mod source;

use std::io::{IsTerminal, Write};

/// Runs a parsed request and exits with its status.
pub fn main_with(req: cli::Request) -> ! {
    let out = app::run(
        &req,
        std::io::stdout().is_terminal(),
        std::io::stderr().is_terminal(),
    );
    // A closed pipe (`clockwork expand f.rs | head`) is not an error worth reporting.
    let _ = std::io::stdout().lock().write_all(out.stdout.as_bytes());
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().lock().write_all(out.stderr.as_bytes());
    std::process::exit(out.code)
}
