//! One module per command group; the doc comment of each variant is its `--help` text.

mod bench;
mod epoch;

use clap::Subcommand;

/// Every top-level command.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run or check Yuma consensus epochs on cases in the conformance-vector format.
    #[command(subcommand)]
    Epoch(epoch::EpochCommand),
    /// Time hot code paths on synthetic input.
    #[command(subcommand)]
    Bench(bench::BenchCommand),
}

/// Runs one command to completion.
pub(crate) fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Epoch(command) => epoch::run(command),
        Command::Bench(command) => bench::run(command),
    }
}
