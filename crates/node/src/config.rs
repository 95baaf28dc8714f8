//! How a node is started.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use yuma_runtime::Genesis;

use crate::mempool::Limits;

/// Default JSON-RPC port.
pub const DEFAULT_RPC_PORT: u16 = 9944;

/// Largest JSON-RPC request body (and WebSocket message) by default: 1 MiB.
pub const DEFAULT_MAX_BODY: usize = 1 << 20;

/// A node's configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// Folder of the node's data (the store is `chain.redb` in it).
    pub base_path: PathBuf,
    /// Time between dev blocks.
    pub block_time: Duration,
    /// Address the RPC listens on (port 0 picks a free one).
    pub rpc_addr: SocketAddr,
    /// The chain's genesis.
    pub genesis: Genesis,
    /// Mempool limits.
    pub mempool: Limits,
    /// Transactions considered per block at most.
    pub max_block_txs: usize,
    /// Largest request body in bytes.
    pub max_body: usize,
}

impl Config {
    /// A dev chain in `base_path`.
    pub fn dev(base_path: PathBuf, block_time: Duration, rpc_addr: SocketAddr) -> Self {
        Self {
            base_path,
            block_time,
            rpc_addr,
            genesis: crate::genesis::dev_genesis(),
            mempool: Limits::default(),
            max_block_txs: 4096,
            max_body: DEFAULT_MAX_BODY,
        }
    }
}
