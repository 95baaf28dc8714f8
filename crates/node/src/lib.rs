//! The node: block production, mempool, JSON-RPC and metrics over the runtime and store.
//!
//! - [`engine::run`] wires a node: it opens the [`yuma_store::Store`], starts the
//!   [`application`] actor (which owns the chain state and answers propose / verify /
//!   finalize), the dev [`producer`] (a single authority that drives it on a timer) and the
//!   [`rpc`] server (JSON-RPC over HTTP and WebSocket, `/metrics`).
//! - [`block`]: the block format; [`mempool`]: pending transactions; [`state`]: the runtime's
//!   storage over the store (a per-block overlay committed atomically with the block);
//!   [`receipt`]: what a block produced; [`genesis`]: the dev chain's funded accounts.
//!
//! The application does not know how blocks are ordered: a BFT engine can replace the
//! producer and talk to the same mailbox.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

pub mod application;
pub mod block;
pub mod config;
mod dashboard;
pub mod engine;
mod error;
pub mod genesis;
pub mod mempool;
pub mod metrics;
pub mod producer;
pub mod receipt;
pub mod rpc;
pub mod state;

pub use config::Config;
pub use error::Error;
