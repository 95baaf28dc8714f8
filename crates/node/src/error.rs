//! The node's error type.

use std::net::SocketAddr;
use std::path::PathBuf;

use commonware_cryptography::ed25519::PublicKey;

use crate::application::ApplicationError;

/// Why the node could not start or had to stop.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or thread operation failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// What was being accessed.
        path: PathBuf,
        /// The failure.
        source: std::io::Error,
    },
    /// The store could not be opened.
    #[error("store: {0}")]
    Store(#[from] yuma_store::Error),
    /// The application refused to start or failed.
    #[error(transparent)]
    Application(#[from] ApplicationError),
    /// The RPC address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The failure.
        source: std::io::Error,
    },
    /// The node's consensus key is not in the chain's validator set.
    #[error("consensus key {key} is not one of the chain's validators")]
    NotValidator {
        /// The node's consensus key.
        key: Box<PublicKey>,
    },
    /// The p2p peer list names a validator key twice (or this node's own key among its peers).
    #[error("p2p: a validator key is listed twice")]
    DuplicateValidator,
    /// The store opened without a genesis block, which opening it writes.
    #[error("the store has no genesis block")]
    NoGenesis,
    /// A consensus task stopped while the node was meant to run.
    #[error("consensus stopped")]
    ConsensusStopped,
}
