//! `yuma stake add | remove | move | transfer | list`: stake TAO on a hotkey in a subnet's pool,
//! move it between hotkeys and subnets, give it to another coldkey, and unstake.

use anyhow::Context as _;
use clap::{Args, Subcommand};
use serde_json::json;
use yuma_client::Call;
use yuma_primitives::{AccountId, Balance, NetUid};

use yuma_cli::output;

use super::{ChainArgs, SignerArgs, client, rpc_error, runtime, submit_and_wait};

/// Flags of `yuma stake`.
#[derive(Debug, Args)]
pub(crate) struct StakeCommand {
    #[command(subcommand)]
    command: StakeSubcommand,
    #[command(flatten)]
    chain: ChainArgs,
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
    /// Move the coldkey's stake (alpha rao) to another hotkey and/or subnet.
    ///
    /// Across subnets the alpha is swapped through both pools (to TAO and back).
    #[command(
        after_long_help = "Example:\n  yuma stake move --netuid 1 --alpha 1000000000 --dest-hotkey 5F... --dest-netuid 2"
    )]
    Move {
        /// The subnet the stake leaves.
        #[arg(long)]
        netuid: u16,
        /// Alpha to move, in alpha rao of that subnet.
        #[arg(long)]
        alpha: u64,
        /// Hotkey the stake leaves (SS58); the wallet's hotkey when omitted.
        #[arg(long)]
        hotkey_address: Option<String>,
        /// Hotkey the stake joins (SS58); the origin hotkey when omitted.
        #[arg(long)]
        dest_hotkey: Option<String>,
        /// Subnet the stake joins; the origin subnet when omitted.
        #[arg(long)]
        dest_netuid: Option<u16>,
    },
    /// Give stake (alpha rao) on a hotkey to another coldkey, optionally into another subnet.
    #[command(
        after_long_help = "Example:\n  yuma stake transfer --netuid 1 --alpha 1000000000 --dest 5F..."
    )]
    Transfer {
        /// The new owner's coldkey (SS58).
        #[arg(long)]
        dest: String,
        /// The subnet the stake leaves.
        #[arg(long)]
        netuid: u16,
        /// Alpha to give, in alpha rao of that subnet.
        #[arg(long)]
        alpha: u64,
        /// Hotkey staked on (SS58); the wallet's hotkey when omitted.
        #[arg(long)]
        hotkey_address: Option<String>,
        /// Subnet the stake joins; the origin subnet when omitted.
        #[arg(long)]
        dest_netuid: Option<u16>,
    },
}

fn ss58(flag: &str, text: &str) -> anyhow::Result<AccountId> {
    AccountId::from_ss58(text).with_context(|| format!("reading --{flag} {text:?}"))
}

fn hotkey(signer: &SignerArgs, address: Option<&String>) -> anyhow::Result<AccountId> {
    match address {
        Some(text) => ss58("hotkey-address", text),
        None => signer.hotkey_public(),
    }
}

pub(crate) fn run(cmd: &StakeCommand) -> anyhow::Result<()> {
    let client = client(&cmd.chain.rpc);
    let rt = runtime()?;
    let (call, done) = match &cmd.command {
        StakeSubcommand::List { address } => {
            let who = match address {
                Some(text) => AccountId::from_ss58(text)
                    .with_context(|| format!("reading --address {text:?}"))?,
                None => cmd.chain.signer.coldkey_public()?,
            };
            let stakes = rt
                .block_on(client.stakes(&who))
                .map_err(rpc_error)
                .context("listing stakes")?;
            if cmd.chain.output.json {
                return Ok(output::json(&stakes)?);
            }
            output::line(&format!(
                "{:>6}  {:>20}  {:>20}  hotkey",
                "netuid", "alpha (rao)", "value (TAO)"
            ))?;
            for s in stakes {
                output::line(&format!(
                    "{:>6}  {:>20}  {:>20}  {}",
                    s.netuid.0,
                    s.alpha,
                    Balance(s.tao_value),
                    s.hotkey
                ))?;
            }
            return Ok(());
        }
        StakeSubcommand::Add {
            netuid,
            amount,
            hotkey_address,
        } => {
            let amount = Balance::parse_tao(amount)
                .with_context(|| format!("reading --amount {amount:?}"))?;
            let hotkey = hotkey(&cmd.chain.signer, hotkey_address.as_ref())?;
            let call = Call::AddStake {
                hotkey,
                netuid: NetUid(*netuid),
                amount,
                limit_price: None,
            };
            let done = format!(
                "staked {} TAO on {hotkey} in subnet {netuid}",
                Balance(amount.rao())
            );
            (call, done)
        }
        StakeSubcommand::Remove {
            netuid,
            alpha,
            hotkey_address,
        } => {
            let hotkey = hotkey(&cmd.chain.signer, hotkey_address.as_ref())?;
            let call = Call::RemoveStake {
                hotkey,
                netuid: NetUid(*netuid),
                alpha: *alpha,
                limit_price: None,
            };
            let done = format!("unstaked {alpha} alpha rao from {hotkey} in subnet {netuid}");
            (call, done)
        }
        StakeSubcommand::Move {
            netuid,
            alpha,
            hotkey_address,
            dest_hotkey,
            dest_netuid,
        } => {
            let origin_hotkey = hotkey(&cmd.chain.signer, hotkey_address.as_ref())?;
            let dest_hotkey = match dest_hotkey {
                Some(text) => ss58("dest-hotkey", text)?,
                None => origin_hotkey,
            };
            let dest_netuid = dest_netuid.unwrap_or(*netuid);
            let call = Call::MoveStake {
                origin_hotkey,
                dest_hotkey,
                origin_netuid: NetUid(*netuid),
                dest_netuid: NetUid(dest_netuid),
                alpha: *alpha,
            };
            let done = format!(
                "moved {alpha} alpha rao from {origin_hotkey} in subnet {netuid} to {dest_hotkey} in subnet {dest_netuid}"
            );
            (call, done)
        }
        StakeSubcommand::Transfer {
            dest,
            netuid,
            alpha,
            hotkey_address,
            dest_netuid,
        } => {
            let dest_coldkey = ss58("dest", dest)?;
            let hotkey = hotkey(&cmd.chain.signer, hotkey_address.as_ref())?;
            let dest_netuid = dest_netuid.unwrap_or(*netuid);
            let call = Call::TransferStake {
                dest_coldkey,
                hotkey,
                origin_netuid: NetUid(*netuid),
                dest_netuid: NetUid(dest_netuid),
                alpha: *alpha,
            };
            let done = format!(
                "gave {alpha} alpha rao on {hotkey} in subnet {netuid} to {dest_coldkey} (subnet {dest_netuid})"
            );
            (call, done)
        }
    };
    // Every other subcommand signs one call with the coldkey and waits for its block.
    let coldkey = cmd.chain.signer.coldkey()?;
    let result = rt.block_on(submit_and_wait(&client, &coldkey, call))?;
    if cmd.chain.output.json {
        return Ok(output::json(&json!(result))?);
    }
    output::line(&done)?;
    Ok(())
}
