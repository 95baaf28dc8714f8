//! Following the chain for payments: every successful `Transfer` to the gateway's coldkey
//! becomes credit for the sender, block by block, each block counted once (the ledger keeps
//! the last processed block; see [`crate::ledger`]).
//!
//! The same blocks tell when the subnet's identity (shown by `/v1/pricing`) changed: it is
//! read once at start and again after a block with a successful `SubnetIdentitySet` for the
//! subnet, so pricing requests never reach the node.
//!
//! A new ledger starts at the chain's head: what the coldkey received before the gateway
//! first ran (its funding, say from a public dev key such as //Alice) is not credit that
//! anyone holding that key could spend.

use std::sync::Arc;
use std::time::Duration;

use yuma_client::{BlockInfo, Client};
use yuma_primitives::{AccountId, NetUid};
use yuma_runtime::Event;

use crate::Error;
use crate::server::Gateway;

/// The transfers to `to` in `block`'s successful transactions, as `(from, amount)`.
pub fn payments(block: &BlockInfo, to: &AccountId) -> Vec<(AccountId, u64)> {
    block
        .receipts
        .iter()
        .filter(|r| r.success)
        .flat_map(|r| &r.events)
        .filter_map(|e| match e {
            Event::Transfer {
                from,
                to: dest,
                amount,
            } if dest == to => Some((*from, *amount)),
            _ => None,
        })
        .collect()
}

/// Whether `block` set the identity of `netuid`.
pub fn sets_identity(block: &BlockInfo, netuid: NetUid) -> bool {
    block
        .receipts
        .iter()
        .filter(|r| r.success)
        .flat_map(|r| &r.events)
        .any(|e| matches!(e, Event::SubnetIdentitySet { netuid: n, .. } if *n == netuid))
}

/// Processes every block after the ledger's last one up to the chain's head, then reads the
/// subnet's identity if it may have changed; returns how many blocks were processed.
///
/// # Errors
/// [`Error::Client`] when the node fails (what was processed so far stays counted, and an
/// identity not read is read on the next call).
pub async fn catch_up<B>(gateway: &Gateway<B>, client: &Client) -> Result<u64, Error> {
    let done = catch_up_payments(gateway, client).await?;
    if gateway.subnet_identity_stale() {
        let identity = client.subnet_identity(gateway.config().netuid).await?;
        gateway.set_subnet_identity(identity);
    }
    Ok(done)
}

async fn catch_up_payments<B>(gateway: &Gateway<B>, client: &Client) -> Result<u64, Error> {
    let head = client.head().await?.number;
    if gateway.ledger_last_block().is_none() {
        gateway.apply_block(head, &[]);
        return Ok(0);
    }
    let mut done = 0;
    loop {
        let next = gateway.ledger_last_block().map_or(0, |b| b + 1);
        if next > head {
            return Ok(done);
        }
        let Some(block) = client.block(Some(next)).await? else {
            return Ok(done);
        };
        let paid = payments(&block, &gateway.coldkey());
        gateway.apply_block(next, &paid);
        if sets_identity(&block, gateway.config().netuid) {
            gateway.mark_subnet_identity_stale();
        }
        done += 1;
    }
}

/// Follows the chain every `every` until the task is aborted; failures are reported through
/// `on_error` and retried.
pub fn spawn<B: Send + Sync + 'static>(
    gateway: Arc<Gateway<B>>,
    client: Arc<Client>,
    every: Duration,
    on_error: impl Fn(&Error) + Send + 'static,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            if let Err(e) = catch_up(&gateway, &client).await {
                on_error(&e);
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use yuma_client::{HeaderInfo, TxReceipt};

    fn block(receipts: Vec<(bool, Event)>) -> BlockInfo {
        BlockInfo {
            header: HeaderInfo {
                number: 1,
                hash: String::new(),
                parent_hash: String::new(),
                state_root: String::new(),
                txs_root: String::new(),
                timestamp: 0,
            },
            txs: Vec::new(),
            block_events: Vec::new(),
            receipts: receipts
                .into_iter()
                .map(|(success, event)| TxReceipt {
                    hash: String::new(),
                    signer: AccountId([1; 32]),
                    nonce: 0,
                    fee: 0,
                    success,
                    error: None,
                    events: vec![event],
                })
                .collect(),
        }
    }

    #[test]
    fn only_a_successful_set_of_this_subnet_marks_the_identity_changed() {
        let set = |netuid| Event::SubnetIdentitySet {
            netuid: NetUid(netuid),
            who: AccountId([2; 32]),
        };
        assert!(sets_identity(&block(vec![(true, set(3))]), NetUid(3)));
        assert!(!sets_identity(&block(vec![(true, set(4))]), NetUid(3)));
        assert!(!sets_identity(&block(vec![(false, set(3))]), NetUid(3)));
        assert!(!sets_identity(&block(Vec::new()), NetUid(3)));
    }
}
