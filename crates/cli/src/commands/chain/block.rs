//! `yuma block [N]`: a block with its transactions and events.

use anyhow::Context as _;
use clap::Args;

use super::{client, rpc_error, runtime};
use yuma_cli::output;

use crate::args::{OutputArgs, RpcArgs};
use crate::failure::Refused;

/// Flags of `yuma block`.
#[derive(Debug, Args)]
pub(crate) struct BlockArgs {
    /// Block number; the head when omitted.
    number: Option<u64>,
    #[command(flatten)]
    rpc: RpcArgs,
    #[command(flatten)]
    output: OutputArgs,
}

pub(crate) fn run(args: &BlockArgs) -> anyhow::Result<()> {
    let client = client(&args.rpc);
    let block = runtime()?
        .block_on(client.block(args.number))
        .map_err(rpc_error)
        .context("reading the block")?
        .ok_or_else(|| {
            Refused(format!(
                "no block {}",
                args.number.map_or("head".into(), |n| n.to_string())
            ))
        })?;
    if args.output.json {
        return Ok(output::json(&block)?);
    }
    let h = &block.header;
    output::line(&format!("block {}  {}", h.number, h.hash))?;
    output::line(&format!("  parent      {}", h.parent_hash))?;
    output::line(&format!("  state root  {}", h.state_root))?;
    output::line(&format!("  timestamp   {} ms", h.timestamp))?;
    output::line(&format!("  events      {}", block.block_events.len()))?;
    for (tx, receipt) in block.txs.iter().zip(&block.receipts) {
        let status = match &receipt.error {
            None => "ok".to_string(),
            Some(e) => format!("failed: {e}"),
        };
        let call = serde_json::to_string(&tx.call)?;
        output::line(&format!(
            "  tx {} from {} nonce {}: {call} ({status}, fee {} rao)",
            tx.hash, tx.signer, tx.nonce, receipt.fee
        ))?;
    }
    Ok(())
}
