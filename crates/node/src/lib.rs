//! The node: block production, mempool, JSON-RPC and metrics over the runtime and store.
//!
//! - [`engine::run`] wires a node: it opens the [`yuma_store::Store`], starts the
//!   [`application`] actor (which owns the chain state and answers propose / verify /
//!   finalize), the [`consensus`] engine (commonware's simplex BFT, which orders and finalizes
//!   blocks) on the validators' [`p2p`] network, and the [`rpc`] server (JSON-RPC over HTTP
//!   and WebSocket, `/metrics`).
//! - [`block`]: the block format; [`mempool`]: pending transactions; [`state`]: the runtime's
//!   storage over the store (a per-block overlay committed atomically with the block);
//!   [`genesis`]: the dev chain's funded accounts; receipts are `yuma_api`'s;
//!   [`spec`]: chain specs (validator set and genesis) of multi-validator chains.
//!
//! The application does not know how blocks are ordered: simplex decides, through the
//! application's mailbox; a dev chain is a network of one validator.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

pub mod application;
pub mod block;
pub mod config;
pub mod consensus;
mod dashboard;
pub mod engine;
mod error;
pub mod genesis;
pub mod mempool;
pub mod metrics;
pub mod p2p;
pub mod rpc;
pub mod spec;
pub mod state;

pub use config::Config;
pub use error::Error;
