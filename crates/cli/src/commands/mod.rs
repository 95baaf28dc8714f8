//! One module per command group; the doc comment of each variant is its `--help` text.

mod bench;
mod bench_runtime;
mod epoch;
mod query;
mod sim;
mod wallet;

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
    /// Simulate a subnet with gaming agents on the real epoch and report who earns what.
    ///
    /// SCENARIO is a TOML file (see crates/sim/scenarios/) or a built-in name: honest, copier,
    /// cabal-30, cabal-49, cabal-51, sybil-k1, sybil-k4, random, late-joiner, quality-change.
    /// Prints per agent stake share, emission share and dividends per 1000 TAO per tempo, then
    /// the measures: copier gain G, cabal and random miners' share, sybil gain, and the
    /// Spearman correlation of true quality and incentive. `--all` runs every scenario under
    /// every variant (and the copier at reveal delays 0-3) and prints a Markdown table.
    ///
    /// Example: yuma sim crates/sim/scenarios/copier.toml --variant yuma3 --reveal-delay 2
    Sim(sim::SimArgs),
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
}

/// Runs one command to completion.
pub(crate) fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Epoch(command) => epoch::run(command),
        Command::Bench(command) => bench::run(command),
        Command::Sim(args) => sim::run(args),
        Command::Query(args) => query::run(args),
        Command::Wallet(command) => wallet::run(command),
    }
}
