//! How a node is started.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use commonware_cryptography::Signer;
use commonware_cryptography::ed25519::{PrivateKey, PublicKey};
use yuma_runtime::Genesis;

use crate::consensus::Settings;
use crate::mempool::Limits;
use crate::spec::{ChainSpec, SpecError};

/// Default JSON-RPC port.
pub const DEFAULT_RPC_PORT: u16 = 9944;

/// Largest JSON-RPC request body (and WebSocket message) by default: 1 MiB.
pub const DEFAULT_MAX_BODY: usize = 1 << 20;

/// A node's configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// Folder of the node's data (the store is `chain.redb` in it).
    pub base_path: PathBuf,
    /// This validator's consensus settings (key, validator set, minimum block time).
    pub consensus: Settings,
    /// How it reaches the other validators.
    pub network: Network,
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
    /// Connection caps, timeouts and per-client rate limits of the RPC port (the connection
    /// caps are lowered further to fit the file limit).
    pub rpc_limits: yuma_http::Limits,
    /// Bounds on JSON-RPC batches, answers and WebSocket sessions.
    pub jsonrpc_limits: crate::rpc::RpcLimits,
}

impl Config {
    /// A dev chain in `base_path`.
    pub fn dev(base_path: PathBuf, block_time: Duration, rpc_addr: SocketAddr) -> Self {
        let key = dev_validator_key();
        let pending = base_path.join("pending-blocks");
        Self {
            base_path,
            consensus: Settings {
                validators: vec![key.public_key()],
                key,
                block_time,
                partition: "yuma-consensus".into(),
                pending,
            },
            network: Network::Alone,
            rpc_addr,
            genesis: crate::genesis::dev_genesis(),
            mempool: Limits::default(),
            max_block_txs: 4096,
            max_body: DEFAULT_MAX_BODY,
            rpc_limits: yuma_http::Limits::default(),
            jsonrpc_limits: crate::rpc::RpcLimits::default(),
        }
    }
}

impl Config {
    /// The configuration of the validator holding `key` in a chain spec; it listens for the
    /// other validators on `listen`, or on its address in the spec.
    ///
    /// # Errors
    /// [`SpecError`] when the spec's validator set is malformed or `key` is not in it.
    pub fn validator(
        spec: &ChainSpec,
        key: PrivateKey,
        listen: Option<SocketAddr>,
        base_path: PathBuf,
        block_time: Duration,
        rpc_addr: SocketAddr,
    ) -> Result<Self, SpecError> {
        let validators = spec.validators()?;
        let me = key.public_key();
        let Some((_, spec_listen)) = validators.iter().find(|(k, _)| *k == me) else {
            return Err(SpecError::NotValidator { key: Box::new(me) });
        };
        let listen = listen.unwrap_or(*spec_listen);
        let mut config = Self::dev(base_path, block_time, rpc_addr);
        config.genesis = spec.genesis();
        config.consensus = Settings {
            key,
            validators: validators.iter().map(|(k, _)| k.clone()).collect(),
            block_time,
            partition: "yuma-consensus".into(),
            pending: config.base_path.join("pending-blocks"),
        };
        config.network = Network::Peers(Peers {
            listen,
            peers: validators.into_iter().filter(|(k, _)| *k != me).collect(),
        });
        Ok(config)
    }
}

/// The dev chain's only validator key (derived from a public seed: a dev chain holds nothing of
/// value).
pub fn dev_validator_key() -> PrivateKey {
    PrivateKey::from_seed(0)
}

/// How a validator reaches the others.
#[derive(Clone, Debug)]
pub enum Network {
    /// It is the only validator (a dev chain): an in-process network of one.
    Alone,
    /// Authenticated TCP to the other validators.
    Peers(Peers),
}

/// A validator's p2p settings.
#[derive(Clone, Debug)]
pub struct Peers {
    /// Address to listen on for other validators.
    pub listen: SocketAddr,
    /// The other validators: consensus key and address.
    pub peers: Vec<(PublicKey, SocketAddr)>,
}
