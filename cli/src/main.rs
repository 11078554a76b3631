//! `clockwork`: print what async fns become under `#[state_machine]`.
#![forbid(unsafe_code)]
use clap::Parser;

fn main() {
    let cli = clockwork_cli::cli::Cli::parse();
    clockwork_cli::main_with(cli.into())
}
