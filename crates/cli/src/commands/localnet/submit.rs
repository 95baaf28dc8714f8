//! Submitting the set-up's transactions and waiting for their blocks.

use anyhow::Context as _;
use yuma_client::{Call, Client, SignedTransaction, SubmitResult};
use yuma_keys::Pair;

use crate::commands::chain::{check_included, rpc_error};

/// Signs and submits one call, waits for its block, and fails if it failed.
pub(super) async fn submit(
    client: &Client,
    pair: &Pair,
    call: Call,
    what: &str,
) -> anyhow::Result<SubmitResult> {
    let result = client
        .sign_and_submit(pair, call, true)
        .await
        .map_err(rpc_error)
        .with_context(|| what.to_owned())?;
    check_included(&result).with_context(|| what.to_owned())?;
    Ok(result)
}

/// Submits several calls of one signer at consecutive nonces and waits for the last one's
/// block (the node checks each against the state plus the signer's pending ones before
/// accepting it, and includes them in nonce order).
pub(super) async fn submit_batch(
    client: &Client,
    pair: &Pair,
    calls: Vec<(Call, String)>,
) -> anyhow::Result<()> {
    if calls.is_empty() {
        return Ok(());
    }
    let genesis = client.genesis_hash().await.map_err(rpc_error)?;
    let mut nonce = client
        .account(&pair.public())
        .await
        .map_err(rpc_error)
        .context("reading the signer's nonce")?
        .nonce;
    let last = calls.len() - 1;
    for (i, (call, what)) in calls.into_iter().enumerate() {
        let tx = SignedTransaction::new(pair, genesis, nonce, call);
        let result = client
            .submit(&tx, i == last)
            .await
            .map_err(rpc_error)
            .with_context(|| what.clone())?;
        check_included(&result).with_context(|| what.clone())?;
        nonce += 1;
    }
    Ok(())
}
