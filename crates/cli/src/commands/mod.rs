//! One module per command group; the doc comment of each variant is its `--help` text.

mod wallet;

use clap::Subcommand;

/// Every top-level command.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Manage wallets: create keys, list them, sign and verify messages.
    Wallet(wallet::WalletCommand),
}

/// Runs one command to completion.
pub(crate) fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Wallet(command) => wallet::run(command),
    }
}
