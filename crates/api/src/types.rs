//! The JSON shapes the RPC returns (besides the runtime's query types).

use serde::{Deserialize, Serialize};
use yuma_primitives::AccountId;
use yuma_runtime::{Call, Event, SignedTransaction};

use crate::receipt::{TxReceipt, hex0x};

/// A block header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderInfo {
    /// Block number.
    pub number: u64,
    /// Block hash.
    pub hash: String,
    /// Parent hash.
    pub parent_hash: String,
    /// State root after the block.
    pub state_root: String,
    /// Transactions root.
    pub txs_root: String,
    /// Proposer's time, milliseconds since the Unix epoch.
    pub timestamp: u64,
}

/// An included transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxInfo {
    /// Transaction hash.
    pub hash: String,
    /// Signer.
    pub signer: AccountId,
    /// Nonce.
    pub nonce: u64,
    /// The call.
    pub call: Call,
}

impl From<&SignedTransaction> for TxInfo {
    fn from(tx: &SignedTransaction) -> Self {
        Self {
            hash: hex0x(&tx.hash()),
            signer: tx.tx.signer,
            nonce: tx.tx.nonce,
            call: tx.tx.call.clone(),
        }
    }
}

/// A block with its transactions, receipts and events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockInfo {
    /// Header.
    pub header: HeaderInfo,
    /// Transactions in order.
    pub txs: Vec<TxInfo>,
    /// Events of the block's start (emission, epochs).
    pub block_events: Vec<Event>,
    /// One receipt per transaction.
    pub receipts: Vec<TxReceipt>,
}

/// The answer to `tx_submit`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitResult {
    /// Transaction hash.
    pub hash: String,
    /// Set when the submitter asked to wait: where and how it was included.
    pub included: Option<Inclusion>,
}

/// Where a transaction was included and what it did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inclusion {
    /// Block number.
    pub block: u64,
    /// Block hash.
    pub block_hash: String,
    /// The receipt.
    pub receipt: TxReceipt,
}

/// A notification of the events of one committed block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockEvents {
    /// Block number.
    pub block: u64,
    /// Block hash.
    pub block_hash: String,
    /// Events of the block's start.
    pub block_events: Vec<Event>,
    /// Receipts (with events) of its transactions.
    pub receipts: Vec<TxReceipt>,
}
