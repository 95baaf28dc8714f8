//! Following the chain for payments: every successful `Transfer` to the gateway's coldkey
//! becomes credit for the sender, block by block, each block counted once (the ledger keeps
//! the last processed block; see [`crate::ledger`]).
//!
//! A new ledger starts at the chain's head: what the coldkey received before the gateway
//! first ran (its funding, say from a public dev key such as //Alice) is not credit that
//! anyone holding that key could spend.

use std::sync::Arc;
use std::time::Duration;

use yuma_client::{BlockInfo, Client};
use yuma_primitives::AccountId;
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

/// Processes every block after the ledger's last one up to the chain's head; returns how
/// many blocks were processed.
///
/// # Errors
/// [`Error::Client`] when the node fails (what was processed so far stays counted).
pub async fn catch_up<B>(gateway: &Gateway<B>, client: &Client) -> Result<u64, Error> {
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
