//! The node's error type.

use std::net::SocketAddr;
use std::path::PathBuf;

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
    #[error("consensus key {0} is not one of the chain's validators")]
    NotValidator(String),
    /// The p2p network could not start.
    #[error("p2p: {0}")]
    P2p(String),
    /// A task panicked.
    #[error("task failed: {0}")]
    Task(String),
}
