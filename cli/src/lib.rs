//! The `clockwork` CLI as a library: `main.rs` and `cargo-clockwork` only parse arguments
//! and print what [`app::run`] returns. Tests and benches call the same functions in-process.

#![forbid(unsafe_code)]

pub mod app;
pub mod cli;
pub mod error;
pub mod expand;
pub mod explain;
pub mod graph;
pub mod guard;
pub mod highlight;
pub mod lexer;
pub mod limits;
pub mod package;
pub mod render;
pub mod select;
pub mod source;
pub mod support;

use std::io::{IsTerminal, Write};

/// The stack of the thread doing the work: syn, the transform and prettyplease recurse on the
/// input's nesting. Only reserved; pages are used as the stack grows.
const STACK_SIZE: usize = 512 << 20;

/// Runs a parsed request and exits with its status.
pub fn main_with(req: cli::Request) -> ! {
    let (stdout_tty, stderr_tty) = (
        std::io::stdout().is_terminal(),
        std::io::stderr().is_terminal(),
    );
    let worker = std::thread::Builder::new()
        .name("clockwork".into())
        .stack_size(STACK_SIZE)
        .spawn(move || app::run(&req, stdout_tty, stderr_tty));
    let out = match worker.map(|h| h.join()) {
        Ok(Ok(out)) => out,
        // A panic in the CLI itself (a bug): its message is already printed; exit as Rust does.
        Ok(Err(_)) => std::process::exit(101),
        Err(e) => app::Outcome {
            stdout: String::new(),
            stderr: format!("error: cannot start a thread: {e}\n"),
            code: 1,
        },
    };
    // A closed pipe (`clockwork expand f.rs | head`) is not an error worth reporting.
    let _ = std::io::stdout().lock().write_all(out.stdout.as_bytes());
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().lock().write_all(out.stderr.as_bytes());
    std::process::exit(out.code)
}
