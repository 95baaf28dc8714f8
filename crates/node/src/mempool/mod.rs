//! Transactions waiting for a block: ordered by fee, then nonce per sender, with limits per
//! sender and in total.
//!
//! The pool does not execute anything: the node dry-runs a transaction against the head state
//! (plus the sender's pending transactions) before [`Mempool::insert`], so the pool only holds
//! transactions that were valid when they arrived. [`Mempool::ready`] yields, for each sender,
//! the pending transactions in nonce order, interleaving senders by the fee of their next
//! transaction (highest first) and arrival; the block builder applies them and reports
//! invalid ones with [`Mempool::drop_invalid`] and included ones with [`Mempool::remove`].
//! [`Mempool::prune`] drops what a committed block made stale (nonce now below the account's).
//! Every transaction that leaves without being included is recorded as [`Dropped`] with its
//! reason, for [`Mempool::take_dropped`]: the node announces them with the next committed
//! block, so a submitter waiting for inclusion learns its transaction will never be included.

mod pool;

pub use pool::{Dropped, Limits, Mempool, MempoolError};
