//! One module per command group; the doc comment of each variant is its `--help` text.

mod bench_runtime;
mod wallet;

use clap::Subcommand;

/// Every top-level command.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Manage wallets: create keys, list them, sign and verify messages.
    Wallet(wallet::WalletCommand),
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
        Command::Wallet(command) => wallet::run(command),
        Command::BenchRuntime(args) => bench_runtime::run(&args),
    }
}
