//! The application: owns the chain state and answers the block-ordering layer's questions.
//!
//! The consensus engine ([`crate::consensus`], simplex) talks to it only through its
//! [`Mailbox`]:
//! - [`Mailbox::propose`]: build a block from the mempool on a parent (the head, or an executed
//!   block not yet final) and execute it;
//! - [`Mailbox::verify`]: re-execute someone else's block and check its header;
//! - [`Mailbox::finalize`]: commit a proposed or verified block to the store, atomically.
//!
//! The application never decides which block comes next or when: ordering belongs to the
//! engine. It also takes transaction submissions and dry runs from the RPC, because the
//! mempool's validity checks need the head state it owns.
//!
//! Executed but uncommitted blocks are kept in memory keyed by hash, each with its state
//! overlay, so finalizing one is a single store commit without re-execution.

mod actor;
mod ingress;

pub use actor::{Actor, Config, Finalized};
pub use ingress::{ApplicationError, Mailbox, SubmitError};
