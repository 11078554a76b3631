//! Command-line syntax (clap derive) for `clockwork` and `cargo clockwork`, both turned into
//! one [`Request`].

use crate::graph::Format;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Print what async fns become under `#[state_machine]`, without compiling anything.
#[derive(Debug, Parser)]
#[command(name = "clockwork", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print FILE with every `#[state_machine]` async fn replaced by its state machine, or only
    /// ITEM's expansion.
    Expand {
        /// A Rust source file, or `-` for standard input.
        #[arg(value_name = "FILE|-")]
        file: PathBuf,
        #[command(flatten)]
        item: OptItem,
        #[command(flatten)]
        opts: ExpandOpts,
    },
    /// Show a table of one async fn's states: what each awaits, what it holds, where it goes.
    Explain {
        /// A Rust source file, or `-` for standard input.
        #[arg(value_name = "FILE|-")]
        file: PathBuf,
        #[command(flatten)]
        item: ReqItem,
        #[command(flatten)]
        common: Common,
    },
    /// Print one async fn's state diagram.
    Graph {
        /// A Rust source file, or `-` for standard input.
        #[arg(value_name = "FILE|-")]
        file: PathBuf,
        #[command(flatten)]
        item: ReqItem,
        #[command(flatten)]
        graph: GraphOpts,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Debug, Args)]
pub struct OptItem {
    /// Only this async fn: `name`, `module::name`, `Type::method`, or an index from the list
    /// printed when a name is ambiguous.
    #[arg(value_name = "ITEM")]
    pub item: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReqItem {
    /// The async fn: `name`, `module::name`, `Type::method`, or an index from the list printed
    /// when a name is ambiguous.
    #[arg(value_name = "ITEM")]
    pub item: String,
}

#[derive(Debug, Args)]
pub struct ExpandOpts {
    /// Expand every `async fn`, with or without `#[state_machine]`.
    #[arg(long)]
    pub all: bool,
    /// Print the raw token stream instead of formatting it.
    #[arg(long)]
    pub ugly: bool,
    /// Print the support module the expansions call (`clockwork::machine`) inline, once, and
    /// point them at it: the output then compiles with plain `rustc`, without clockwork.
    #[arg(long)]
    pub standalone: bool,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct GraphOpts {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Mermaid)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct Common {
    /// Colors: syntax highlighting of `expand` output and colored errors.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On when writing to a terminal (and `NO_COLOR` is unset).
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to color a stream that is (or is not) a terminal.
    pub fn enabled(self, is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                is_terminal
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
            }
        }
    }
}

/// `cargo clockwork ..`: the same commands on the current package's `src/`.
#[derive(Debug, Parser)]
#[command(name = "cargo", bin_name = "cargo")]
pub enum CargoCli {
    /// Print what async fns become under `#[state_machine]`, for the current package.
    #[command(version, max_term_width = 100)]
    Clockwork(CargoArgs),
}

#[derive(Debug, Args)]
pub struct CargoArgs {
    /// The package's Cargo.toml (default: the nearest one from the current directory up).
    #[arg(long, global = true, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    #[command(subcommand)]
    pub command: CargoCommand,
}

#[derive(Debug, Subcommand)]
pub enum CargoCommand {
    /// Print the package (src/lib.rs or src/main.rs, with its modules inlined) with every
    /// `#[state_machine]` async fn expanded, or only ITEM's expansion (`module::name`).
    Expand {
        #[command(flatten)]
        item: OptItem,
        #[command(flatten)]
        opts: ExpandOpts,
    },
    /// Show a table of one async fn's states.
    Explain {
        #[command(flatten)]
        item: ReqItem,
        #[command(flatten)]
        common: Common,
    },
    /// Print one async fn's state diagram.
    Graph {
        #[command(flatten)]
        item: ReqItem,
        #[command(flatten)]
        graph: GraphOpts,
        #[command(flatten)]
        common: Common,
    },
}

/// Where the code comes from.
#[derive(Debug, Clone)]
pub enum Input {
    /// A file, or `-` for standard input.
    File(PathBuf),
    /// The package of this manifest (or of the nearest `Cargo.toml`).
    Package(Option<PathBuf>),
}

/// What to do with it.
#[derive(Debug, Clone)]
pub enum Action {
    Expand {
        item: Option<String>,
        all: bool,
        ugly: bool,
        standalone: bool,
    },
    Explain {
        item: String,
    },
    Graph {
        item: String,
        format: Format,
    },
}

/// One invocation, from either binary.
#[derive(Debug, Clone)]
pub struct Request {
    pub input: Input,
    pub action: Action,
    pub color: ColorChoice,
}

impl From<Cli> for Request {
    fn from(cli: Cli) -> Self {
        match cli.command {
            Command::Expand { file, item, opts } => Request {
                input: Input::File(file),
                action: Action::Expand {
                    item: item.item,
                    all: opts.all,
                    ugly: opts.ugly,
                    standalone: opts.standalone,
                },
                color: opts.common.color,
            },
            Command::Explain { file, item, common } => Request {
                input: Input::File(file),
                action: Action::Explain { item: item.item },
                color: common.color,
            },
            Command::Graph {
                file,
                item,
                graph,
                common,
            } => Request {
                input: Input::File(file),
                action: Action::Graph {
                    item: item.item,
                    format: graph.format,
                },
                color: common.color,
            },
        }
    }
}

impl From<CargoCli> for Request {
    fn from(cli: CargoCli) -> Self {
        let CargoCli::Clockwork(args) = cli;
        let input = Input::Package(args.manifest_path);
        match args.command {
            CargoCommand::Expand { item, opts } => Request {
                input,
                action: Action::Expand {
                    item: item.item,
                    all: opts.all,
                    ugly: opts.ugly,
                    standalone: opts.standalone,
                },
                color: opts.common.color,
            },
            CargoCommand::Explain { item, common } => Request {
                input,
                action: Action::Explain { item: item.item },
                color: common.color,
            },
            CargoCommand::Graph {
                item,
                graph,
                common,
            } => Request {
                input,
                action: Action::Graph {
                    item: item.item,
                    format: graph.format,
                },
                color: common.color,
            },
        }
    }
}
