//! Embedded crash-safe storage of blocks and chain state.
//!
//! A [`Store`] is one redb file holding every committed block and the chain state as of the last
//! committed block. [`Store::commit`] writes a block, its header (hash and state root) and the
//! state changes it made in **one** redb write transaction with immediate durability: when it
//! returns, the block is on disk; if the process dies at any point before, none of it is. A node
//! killed at any instant therefore restarts at its last committed block with that block's state.
//!
//! ```text
//! table     key                    value
//! --------  ---------------------  -----------------------------------------------
//! blocks    height (u64)           encoded block, opaque to the store
//! headers   height (u64)           block hash (32 B) ++ state root after it (32 B)
//! hashes    block hash (32 B)      height (u64)
//! state     state key (bytes)      state value (bytes); deleted keys are removed
//! receipts  height (u64)           receipts and events of the block, encoded by the node
//! meta      "head"                 height of the last committed block
//! ```
//!
//! The store does not interpret blocks or state: encodings belong to the runtime and node.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

mod error;
mod store;

pub use error::Error;
pub use store::{BlockCommit, Head, Snapshot, StateChange, StateEntry, Store};
