//! `yuma stake add | remove | list`: stake TAO on a hotkey in a subnet's pool, and back.

use anyhow::Context as _;
use clap::{Args, Subcommand};
use serde_json::json;
use yuma_client::Call;
use yuma_primitives::{AccountId, Balance, NetUid};

use super::chain::{SignerArgs, client, emit_json, rpc_error, runtime, submit_and_wait, tao};
use crate::args::{OutputArgs, RpcArgs};

/// Flags of `yuma stake`.
#[derive(Debug, Args)]
pub(crate) struct StakeCommand {
    #[command(subcommand)]
    command: StakeSubcommand,
    #[command(flatten)]
    signer: SignerArgs,
    #[command(flatten)]
    rpc: RpcArgs,
    #[command(flatten)]
    output: OutputArgs,
}

#[derive(Debug, Subcommand)]
enum StakeSubcommand {
    /// List the coldkey's stakes (alpha held and its TAO value now).
    #[command(after_long_help = "Example:\n  yuma stake list --json")]
    List {
        /// The coldkey (SS58); the wallet's when omitted.
        #[arg(long)]
        address: Option<String>,
    },
    /// Swap TAO from the coldkey into a subnet's alpha, staked on a hotkey.
    #[command(
        after_long_help = "Example:\n  yuma stake add --netuid 1 --amount 10 --hotkey-address 5F..."
    )]
    Add {
        /// The subnet.
        #[arg(long)]
        netuid: u16,
        /// TAO to stake.
        #[arg(long)]
        amount: String,
        /// Hotkey to stake on (SS58); the wallet's hotkey when omitted.
        #[arg(long)]
        hotkey_address: Option<String>,
    },
    /// Unstake alpha (in alpha rao) from a hotkey back to TAO on the coldkey.
    #[command(after_long_help = "Example:\n  yuma stake remove --netuid 1 --alpha 1000000000")]
    Remove {
        /// The subnet.
        #[arg(long)]
        netuid: u16,
        /// Alpha to unstake, in alpha rao.
        #[arg(long)]
        alpha: u64,
        /// Hotkey staked on (SS58); the wallet's hotkey when omitted.
        #[arg(long)]
        hotkey_address: Option<String>,
    },
}

fn hotkey(signer: &SignerArgs, address: Option<&String>) -> anyhow::Result<AccountId> {
    match address {
        Some(text) => {
            AccountId::from_ss58(text).with_context(|| format!("reading --hotkey-address {text:?}"))
        }
        None => signer.hotkey_public(),
    }
}

pub(crate) fn run(cmd: &StakeCommand) -> anyhow::Result<()> {
    let client = client(&cmd.rpc);
    let rt = runtime()?;
    match &cmd.command {
        StakeSubcommand::List { address } => {
            let who = match address {
                Some(text) => AccountId::from_ss58(text)
                    .with_context(|| format!("reading --address {text:?}"))?,
                None => cmd.signer.coldkey_public()?,
            };
            let stakes = rt
                .block_on(client.stakes(&who))
                .map_err(rpc_error)
                .context("listing stakes")?;
            if cmd.output.json {
                return emit_json(&serde_json::to_value(&stakes)?);
            }
            println!(
                "{:>6}  {:>20}  {:>20}  hotkey",
                "netuid", "alpha (rao)", "value (TAO)"
            );
            for s in stakes {
                println!(
                    "{:>6}  {:>20}  {:>20}  {}",
                    s.netuid.0,
                    s.alpha,
                    tao(s.tao_value),
                    s.hotkey
                );
            }
            Ok(())
        }
        StakeSubcommand::Add {
            netuid,
            amount,
            hotkey_address,
        } => {
            let amount = Balance::parse_tao(amount)
                .with_context(|| format!("reading --amount {amount:?}"))?;
            let hotkey = hotkey(&cmd.signer, hotkey_address.as_ref())?;
            let coldkey = cmd.signer.coldkey()?;
            let call = Call::AddStake {
                hotkey,
                netuid: NetUid(*netuid),
                amount,
                limit_price: None,
            };
            let result = rt.block_on(submit_and_wait(&client, &coldkey, call))?;
            if cmd.output.json {
                return emit_json(&json!(result));
            }
            println!(
                "staked {} TAO on {hotkey} in subnet {netuid}",
                tao(amount.rao())
            );
            Ok(())
        }
        StakeSubcommand::Remove {
            netuid,
            alpha,
            hotkey_address,
        } => {
            let hotkey = hotkey(&cmd.signer, hotkey_address.as_ref())?;
            let coldkey = cmd.signer.coldkey()?;
            let call = Call::RemoveStake {
                hotkey,
                netuid: NetUid(*netuid),
                alpha: *alpha,
                limit_price: None,
            };
            let result = rt.block_on(submit_and_wait(&client, &coldkey, call))?;
            if cmd.output.json {
                return emit_json(&json!(result));
            }
            println!("unstaked {alpha} alpha rao from {hotkey} in subnet {netuid}");
            Ok(())
        }
    }
}
