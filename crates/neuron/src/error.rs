//! Errors of the frameworks.

use yuma_primitives::{AccountId, NetUid};

/// Why a miner or validator could not start or run a step.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The node failed or refused a call.
    #[error(transparent)]
    Client(#[from] yuma_client::Error),
    /// The subnet does not exist.
    #[error("subnet {0} does not exist")]
    NoSubnet(NetUid),
    /// The hotkey has no UID on the subnet.
    #[error("hotkey {hotkey} is not registered on subnet {netuid}")]
    NotRegistered {
        /// The hotkey.
        hotkey: AccountId,
        /// The subnet.
        netuid: NetUid,
    },
    /// A transaction was included but failed.
    #[error("{what} failed: {reason}")]
    TxFailed {
        /// Which call.
        what: &'static str,
        /// The runtime's error.
        reason: String,
    },
    /// An address cannot be published as an axon.
    #[error("cannot publish {0} as an axon address (pass a routable --external-ip)")]
    BadAxonAddress(std::net::IpAddr),
    /// Binding or serving the HTTP server failed.
    #[error("http server: {0}")]
    Io(#[from] std::io::Error),
    /// Writing the status file failed.
    #[error("writing status file {path}: {source}")]
    Status {
        /// The file.
        path: std::path::PathBuf,
        /// The failure.
        source: std::io::Error,
    },
}
