//! Transactions waiting for a block: ordered by fee, then nonce per sender, with limits per
//! sender and in total.
//!
//! The pool does not execute anything: the node dry-runs a transaction against the head state
//! (plus the sender's pending transactions) before [`Mempool::insert`], so the pool only holds
//! transactions that were valid when they arrived. [`Mempool::ready`] yields, for each sender,
//! the pending transactions in nonce order, interleaving senders by the fee of their next
//! transaction (highest first) and arrival; the block builder applies them and reports
//! invalid ones with [`Mempool::remove`]. [`Mempool::prune`] drops what a committed block made
//! stale (included, or nonce now below the account's).

mod pool;

pub use pool::{Limits, Mempool, MempoolError};
