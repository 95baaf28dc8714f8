//! Revenue back into the network: a share of what users paid is staked from the gateway's
//! coldkey on its hotkey in the subnet's pool (`AddStake`), so the subnet's emission follows
//! paid demand.

use yuma_client::{Call, Client};
use yuma_keys::Pair;
use yuma_primitives::{AccountId, Balance, NetUid};

use crate::Error;

/// Stakes `amount` rao from `coldkey` on `hotkey` in `netuid`'s pool and waits for the block;
/// returns the block number.
///
/// # Errors
/// [`Error::Client`] when the node fails, [`Error::TxFailed`] when the runtime refuses.
pub async fn stake(
    client: &Client,
    coldkey: &Pair,
    hotkey: AccountId,
    netuid: NetUid,
    amount: u64,
) -> Result<u64, Error> {
    let call = Call::AddStake {
        hotkey,
        netuid,
        amount: Balance(amount),
        limit_price: None,
    };
    let result = client.sign_and_submit(coldkey, call, true).await?;
    match result.included {
        Some(inclusion) if inclusion.receipt.success => Ok(inclusion.block),
        Some(inclusion) => Err(Error::TxFailed {
            what: "add_stake",
            reason: inclusion.receipt.error.unwrap_or_default(),
        }),
        None => Err(Error::TxFailed {
            what: "add_stake",
            reason: "not included".into(),
        }),
    }
}
