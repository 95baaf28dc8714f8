//! One module per command group; the doc comment of each variant is its `--help` text.

mod bench;
mod epoch;
mod sim;

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
}

/// Runs one command to completion.
pub(crate) fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Epoch(command) => epoch::run(command),
        Command::Bench(command) => bench::run(command),
        Command::Sim(args) => sim::run(args),
    }
}
