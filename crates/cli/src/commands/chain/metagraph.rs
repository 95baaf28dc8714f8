//! `yuma metagraph --netuid N`: every neuron of a subnet, in one RPC call.

use anyhow::Context as _;
use clap::Args;
use yuma_primitives::NetUid;

use super::{client, rpc_error, runtime};
use yuma_cli::output;

use crate::args::{OutputArgs, RpcArgs};
use crate::failure::Refused;

/// Flags of `yuma metagraph`.
#[derive(Debug, Args)]
pub(crate) struct MetagraphArgs {
    /// The subnet.
    #[arg(long)]
    netuid: u16,
    #[command(flatten)]
    rpc: RpcArgs,
    #[command(flatten)]
    output: OutputArgs,
}

pub(crate) fn run(args: &MetagraphArgs) -> anyhow::Result<()> {
    let client = client(&args.rpc);
    let metagraph = runtime()?
        .block_on(client.metagraph(NetUid(args.netuid)))
        .map_err(rpc_error)
        .context("reading the metagraph")?
        .ok_or_else(|| Refused(format!("no subnet {}", args.netuid)))?;
    if args.output.json {
        return Ok(output::json(&metagraph)?);
    }
    output::line(&format!(
        "subnet {} at block {}",
        metagraph.netuid.0, metagraph.block
    ))?;
    output::line(&format!(
        "{:>5}  {:>18}  {:>6}  {:>6}  {:>6}  {:>14}  vp  hotkey",
        "uid", "stake (alpha rao)", "cons", "incent", "divs", "emission"
    ))?;
    for n in &metagraph.neurons {
        output::line(&format!(
            "{:>5}  {:>18}  {:>6}  {:>6}  {:>6}  {:>14}  {}  {}",
            n.uid,
            n.stake,
            n.consensus,
            n.incentive,
            n.dividends,
            n.emission,
            if n.validator_permit { "*" } else { " " },
            n.hotkey
        ))?;
    }
    Ok(())
}
