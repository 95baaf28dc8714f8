//! Errors of the block and state store.

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database file could not be opened, read or written.
    #[error("database: {0}")]
    Database(#[from] redb::Error),
    /// A commit did not extend the chain by exactly one block.
    #[error("block {got} does not follow the committed head (expected height {expected})")]
    NotNext {
        /// The height that would continue the chain.
        expected: u64,
        /// The height that was offered.
        got: u64,
    },
    /// A stored record has the wrong length: the file is corrupt or from another program.
    #[error("corrupt {table} record at {key}")]
    Corrupt {
        /// The table holding the record.
        table: &'static str,
        /// The record's key, as text.
        key: String,
    },
}

/// Converts any redb error into [`Error::Database`].
pub(crate) fn db(error: impl Into<redb::Error>) -> Error {
    Error::Database(error.into())
}
