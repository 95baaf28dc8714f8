//! Errors of the gateway.

use std::path::PathBuf;

/// Why the gateway could not start or keep its books.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The node failed or refused a call.
    #[error(transparent)]
    Client(#[from] yuma_client::Error),
    /// The ledger file could not be read or written.
    #[error("ledger file {path}: {source}")]
    LedgerIo {
        /// The file.
        path: PathBuf,
        /// The failure.
        source: std::io::Error,
    },
    /// The ledger file is not a ledger.
    #[error("ledger file {path} is corrupt: {detail}")]
    LedgerCorrupt {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        detail: String,
    },
    /// A transaction was included but failed.
    #[error("{what} failed: {reason}")]
    TxFailed {
        /// Which call.
        what: &'static str,
        /// The runtime's error.
        reason: String,
    },
}
