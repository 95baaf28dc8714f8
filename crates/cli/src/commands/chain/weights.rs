//! `yuma weights set | commit | reveal`: a validator's weights, signed by its hotkey.

use clap::{Args, Subcommand};
use serde_json::json;
use yuma_client::Call;
use yuma_primitives::NetUid;
use yuma_runtime::weights::commit_hash;

use yuma_cli::output;

use super::{ChainArgs, client, runtime, submit_and_wait};

/// Flags of `yuma weights`.
#[derive(Debug, Args)]
pub(crate) struct WeightsCommand {
    #[command(subcommand)]
    command: WeightsSubcommand,
    #[command(flatten)]
    chain: ChainArgs,
}

/// The weights row every subcommand takes.
#[derive(Debug, Args)]
struct Row {
    /// The subnet.
    #[arg(long)]
    netuid: u16,
    /// Target UIDs, comma separated.
    #[arg(long, value_delimiter = ',', required = true)]
    uids: Vec<u16>,
    /// Weights (u16) for the UIDs, comma separated, in the same order.
    #[arg(long, value_delimiter = ',', required = true)]
    weights: Vec<u16>,
    /// The subnet's weights version key.
    #[arg(long, default_value_t = 0)]
    version_key: u64,
}

#[derive(Debug, Subcommand)]
enum WeightsSubcommand {
    /// Set weights directly (subnets without commit-reveal).
    #[command(
        after_long_help = "Example:\n  yuma weights set --netuid 1 --uids 0,1 --weights 100,300"
    )]
    Set(Row),
    /// Commit to weights; reveal them later with the same row and salt.
    #[command(
        after_long_help = "Example:\n  yuma weights commit --netuid 1 --uids 0,1 --weights 100,300 --salt 7,8,9"
    )]
    Commit {
        #[command(flatten)]
        row: Row,
        /// Secret salt (u16 values, comma separated); keep it for the reveal.
        #[arg(long, value_delimiter = ',', required = true)]
        salt: Vec<u16>,
    },
    /// Reveal committed weights.
    #[command(
        after_long_help = "Example:\n  yuma weights reveal --netuid 1 --uids 0,1 --weights 100,300 --salt 7,8,9"
    )]
    Reveal {
        #[command(flatten)]
        row: Row,
        /// The salt used in the commit.
        #[arg(long, value_delimiter = ',', required = true)]
        salt: Vec<u16>,
    },
}

pub(crate) fn run(cmd: &WeightsCommand) -> anyhow::Result<()> {
    let client = client(&cmd.chain.rpc);
    let hotkey = cmd.chain.signer.hotkey()?;
    let (call, what) = match &cmd.command {
        WeightsSubcommand::Set(row) => (
            Call::SetWeights {
                netuid: NetUid(row.netuid),
                uids: row.uids.clone(),
                weights: row.weights.clone(),
                version_key: row.version_key,
            },
            "set",
        ),
        WeightsSubcommand::Commit { row, salt } => (
            Call::CommitWeights {
                netuid: NetUid(row.netuid),
                commit: commit_hash(
                    &hotkey.public(),
                    NetUid(row.netuid),
                    &row.uids,
                    &row.weights,
                    salt,
                    row.version_key,
                ),
            },
            "committed",
        ),
        WeightsSubcommand::Reveal { row, salt } => (
            Call::RevealWeights {
                netuid: NetUid(row.netuid),
                uids: row.uids.clone(),
                weights: row.weights.clone(),
                salt: salt.clone(),
                version_key: row.version_key,
            },
            "revealed",
        ),
    };
    let result = runtime()?.block_on(submit_and_wait(&client, &hotkey, call))?;
    if cmd.chain.output.json {
        return Ok(output::json(&json!(result))?);
    }
    output::line(&format!("weights {what} by {}", hotkey.public()))?;
    Ok(())
}
