//! `yuma`: one binary for every Yuma command.
//!
//! `main` parses the command line, runs the command and owns the exit code:
//! 0 = done, 1 = a valid request was refused or not found, 2 = usage or local error.
//! An error prints once on stderr as `yuma: <what failed>: <why>`, with a `hint:` line when the
//! next step is obvious.

mod allocator;
mod args;
mod commands;
mod failure;
mod logging;

use std::process::ExitCode;

use clap::Parser;

/// Yuma: a Bittensor-style network that pays TAO for useful machine learning.
#[derive(Debug, Parser)]
#[command(
    name = "yuma",
    version,
    propagate_version = true,
    after_help = "Exit codes: 0 = done, 1 = request refused or not found, 2 = usage or local error."
)]
struct Cli {
    /// Log more: -v for debug, -vv for trace (RUST_LOG, e.g. `yuma_node=debug`, overrides).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: commands::Command,
}

fn main() -> ExitCode {
    allocator::tune();
    let cli = Cli::parse();
    logging::init(cli.verbose);
    match commands::run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => failure::report(&error),
    }
}
