//! `cargo clockwork`: the `clockwork` commands on the current package (cargo runs this binary
#![forbid(unsafe_code)]
//! as `cargo-clockwork clockwork ARGS..`).
use clap::Parser;

fn main() {
    let cli = clockwork_cli::cli::CargoCli::parse();
    clockwork_cli::main_with(cli.into())
}
