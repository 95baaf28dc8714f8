//! What executing a block produced: per-transaction receipts and events, stored beside the
//! block and served over RPC.
//!
//! Receipts are not consensus data (the header commits to the transactions and the state root,
//! from which they follow by re-execution), so they are stored as JSON: the same document the
//! RPC serves.

use serde::{Deserialize, Serialize};
use yuma_primitives::AccountId;
use yuma_runtime::{Event, Receipt, SignedTransaction};

/// One included transaction's outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxReceipt {
    /// Transaction hash, `0x` hex.
    pub hash: String,
    /// Signer.
    pub signer: AccountId,
    /// Nonce used.
    pub nonce: u64,
    /// Fee burned (rao).
    pub fee: u64,
    /// Whether the call succeeded.
    pub success: bool,
    /// The runtime's error when it did not.
    pub error: Option<String>,
    /// Events, fee first.
    pub events: Vec<Event>,
}

impl TxReceipt {
    /// The receipt of `tx` from the runtime's `receipt`.
    pub fn new(tx: &SignedTransaction, receipt: Receipt) -> Self {
        Self {
            hash: hex0x(&receipt.hash),
            signer: tx.tx.signer,
            nonce: tx.tx.nonce,
            fee: receipt.fee,
            success: receipt.result.is_ok(),
            error: receipt.result.err().map(|e| e.to_string()),
            events: receipt.events,
        }
    }
}

/// Everything a block produced.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockReceipts {
    /// Events of the block's start (emission, epochs).
    pub block_events: Vec<Event>,
    /// One receipt per transaction, in block order.
    pub txs: Vec<TxReceipt>,
}

impl BlockReceipts {
    /// The stored encoding (JSON).
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("receipts are plain data that always serialise")
    }

    /// Reads the stored encoding.
    ///
    /// # Errors
    /// When the bytes are not a receipts document.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }
}

/// `0x`-prefixed lowercase hex.
pub fn hex0x(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}
