//! One module per command group; the doc comment of each variant is its `--help` text.

use clap::Subcommand;

mod bench_runtime;

/// Every top-level command.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Measure how fast the chain's state machine runs.
    ///
    /// Applies signed transfers and full-row set_weights calls to an in-memory chain and times
    /// a subnet's epoch block.
    ///
    /// Example: yuma bench-runtime --uids 256 --json
    BenchRuntime(bench_runtime::RuntimeBenchArgs),
}

/// Runs one command to completion.
pub(crate) fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::BenchRuntime(args) => bench_runtime::run(&args),
    }
}
