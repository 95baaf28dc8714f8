//! JSON-RPC 2.0 over HTTP (`POST /`) and WebSocket (`GET /` with an upgrade) on one port, plus
//! `/metrics`, served with axum.
//!
//! axum rather than jsonrpsee: the node serves one HTTP stack for RPC, metrics and the later
//! dashboard, the JSON-RPC envelope is a page of code, and the build is lighter.
//!
//! Methods (amounts are integer rao or alpha rao, keys SS58, hashes `0x` hex; parameters by
//! position or by name):
//!
//! | method | params | result |
//! |---|---|---|
//! | `chain_head`, `chain_finalizedHead` | | [`yuma_api::HeaderInfo`] |
//! | `chain_genesisHash` | | hash transactions must sign |
//! | `chain_block` | `block`: number or hash (default head) | [`yuma_api::BlockInfo`] or null |
//! | `chain_totalIssuance` | | rao |
//! | `chain_totalBurned` | | rao burned by fees |
//! | `chain_params` | | chain parameters |
//! | `account_info` | `account` | `{free, nonce}` |
//! | `account_balance`, `account_nonce` | `account` | rao, nonce |
//! | `stake_list` | `coldkey` | stakes |
//! | `subnet_list` | | every subnet's info |
//! | `subnet_info`, `subnet_hyperparameters`, `subnet_metagraph`, `pool_state` | `netuid` | or null |
//! | `subnet_lockCost` | | rao the next subnet locks |
//! | `tx_submit` | `tx` (hex), `wait` (bool) | [`yuma_api::SubmitResult`] |
//! | `tx_dryRun` | `tx` (hex) | receipt |
//! | `chain_subscribeNewHeads`, `chain_subscribeEvents` | (WebSocket only) | subscription id |
//! | `chain_unsubscribe` | `subscription` | bool |
//! | `rpc_discover` | | the OpenRPC document ([`OPENRPC`], `crates/node/openrpc.json`) |
//!
//! A subnet's info ([`yuma_runtime::query::SubnetInfo`]) carries `identity`: null until the
//! owner sets one, else `{name, description, task_protocol, task_hash, task_url}` with
//! `task_hash` as `0x` hex (or null).
//!
//! Notifications: `{"jsonrpc":"2.0","method":"chain_newHead"|"chain_events","params":
//! {"subscription":ID,"result":...}}`. Errors use the standard codes (-32700 parse, -32600
//! invalid request, body too large or batch over [`RpcLimits::max_batch`] entries, -32601 unknown method, -32602 bad params, -32603
//! internal) and [`jsonrpc::TX_INVALID`], [`jsonrpc::TX_POOL`], [`jsonrpc::TX_TIMEOUT`],
//! [`jsonrpc::TX_DROPPED`] for transactions, with the runtime's message.

mod context;
mod dispatch;
pub mod jsonrpc;
mod limits;
mod methods;
mod server;
pub mod types;
mod ws;

pub use context::Context;
pub use limits::{RpcLimits, Sessions};
pub use methods::{OPENRPC, decode_submission};
pub use server::router;
