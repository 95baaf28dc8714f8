//! One module per command group; the doc comment of each variant is its `--help` text.

mod bench_runtime;
mod query;
mod wallet;

use clap::Subcommand;

/// Every top-level command.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Send an HTTP request signed with btauth/1 by the wallet's hotkey.
    ///
    /// Like curl: prints the response body on stdout and exits 1 on an HTTP error status (printing
    /// the status and body on stderr). The request is GET, or POST when --data is given; the body
    /// is sent as `application/json` unless a --header sets another Content-Type. Bind the request
    /// to the server's hotkey with --receiver: servers using `bittensor.http_auth` refuse unbound
    /// requests by default. Plain http only: btauth/1 authenticates the request itself.
    #[command(
        after_long_help = "Example:\n  yuma query http://127.0.0.1:8091/generate --data '{\"prompt\":\"hi\"}' --receiver 5F..."
    )]
    Query(query::QueryArgs),
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
        Command::Query(args) => query::run(args),
        Command::Wallet(command) => wallet::run(command),
        Command::BenchRuntime(args) => bench_runtime::run(&args),
    }
}
