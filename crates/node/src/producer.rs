//! The dev block producer: a single authority that proposes and finalizes a block every
//! `block_time` through the application's mailbox.
//!
//! It stands where a BFT engine will: the engine also asks the application to propose, verify
//! and finalize, and decides ordering itself. Only this module knows there is one authority.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use yuma_runtime::hash::Hash;

use crate::application::{ApplicationError, Mailbox};

/// Produces blocks on `head` every `block_time` until the application stops.
///
/// # Errors
/// The application's error when a block cannot be proposed or committed (a store failure):
/// the node must stop rather than fork from its own disk.
pub async fn run(
    mailbox: Mailbox,
    mut head: Hash,
    block_time: Duration,
) -> Result<(), ApplicationError> {
    let mut ticker = tokio::time::interval(block_time);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticker.tick().await;
    loop {
        ticker.tick().await;
        let timestamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let block = match mailbox.propose(head, timestamp).await {
            Ok(block) => block,
            Err(ApplicationError::Stopped) => return Ok(()),
            Err(e) => return Err(e),
        };
        match mailbox.finalize(block.hash()).await {
            Ok(header) => head = header.hash(),
            Err(ApplicationError::Stopped) => return Ok(()),
            Err(e) => return Err(e),
        }
    }
}
