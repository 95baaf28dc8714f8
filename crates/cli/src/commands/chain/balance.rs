//! `yuma balance` and `yuma transfer`: free TAO of an account, and moving it.

use anyhow::Context as _;
use clap::Args;
use serde_json::json;
use yuma_client::Call;
use yuma_primitives::{AccountId, Balance};

use yuma_cli::output;

use super::{ChainArgs, client, rpc_error, runtime, submit_and_wait};

/// Flags of `yuma balance`.
#[derive(Debug, Args)]
pub(crate) struct BalanceArgs {
    /// The account (SS58); the wallet's coldkey when omitted.
    #[arg(long)]
    address: Option<String>,
    #[command(flatten)]
    chain: ChainArgs,
}

/// Flags of `yuma transfer`.
#[derive(Debug, Args)]
pub(crate) struct TransferArgs {
    /// Recipient (SS58).
    #[arg(long)]
    dest: String,
    /// Amount in TAO (up to 9 decimals).
    #[arg(long)]
    amount: String,
    #[command(flatten)]
    chain: ChainArgs,
}

pub(crate) fn balance(args: &BalanceArgs) -> anyhow::Result<()> {
    let who = match &args.address {
        Some(text) => {
            AccountId::from_ss58(text).with_context(|| format!("reading --address {text:?}"))?
        }
        None => args.chain.signer.coldkey_public()?,
    };
    let client = client(&args.chain.rpc);
    let info = runtime()?
        .block_on(client.account(&who))
        .map_err(rpc_error)
        .context("reading the balance")?;
    if args.chain.output.json {
        return Ok(output::json(
            &json!({"address": who, "free": info.free, "nonce": info.nonce}),
        )?);
    }
    output::line(&format!(
        "{who}  {} TAO  (nonce {})",
        Balance(info.free),
        info.nonce
    ))?;
    Ok(())
}

pub(crate) fn transfer(args: &TransferArgs) -> anyhow::Result<()> {
    let dest = AccountId::from_ss58(&args.dest)
        .with_context(|| format!("reading --dest {:?}", args.dest))?;
    let amount = Balance::parse_tao(&args.amount)
        .with_context(|| format!("reading --amount {:?}", args.amount))?;
    let pair = args.chain.signer.coldkey()?;
    let client = client(&args.chain.rpc);
    let result = runtime()?.block_on(submit_and_wait(
        &client,
        &pair,
        Call::Transfer { dest, amount },
    ))?;
    if args.chain.output.json {
        return Ok(output::json(&result)?);
    }
    let fee = result.included.as_ref().map_or(0, |i| i.receipt.fee);
    output::line(&format!(
        "sent {} TAO from {} to {dest} (fee {} TAO)",
        Balance(amount.rao()),
        pair.public(),
        Balance(fee)
    ))?;
    Ok(())
}
