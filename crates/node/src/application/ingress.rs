//! The application's mailbox: typed requests with one-shot replies.

use futures::SinkExt;
use futures::channel::{mpsc, oneshot};
use yuma_runtime::hash::Hash;
use yuma_runtime::{SignedTransaction, VerifiedTx};

use crate::block::{Block, Header};
use crate::mempool::MempoolError;
use yuma_api::TxReceipt;

/// Why the application could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum ApplicationError {
    /// The application stopped (the node is shutting down).
    #[error("the application stopped")]
    Stopped,
    /// The parent is neither the committed head nor an executed block built on it.
    #[error("parent 0x{} is unknown", hex::encode(.0))]
    UnknownParent(Hash),
    /// No executed block has this hash.
    #[error("no proposed or verified block 0x{}", hex::encode(.0))]
    UnknownBlock(Hash),
    /// The store failed (a read under the state machine included).
    #[error("store: {0}")]
    Store(#[from] yuma_store::Error),
    /// A committed block is missing from the store.
    #[error("block {height} is missing from the store")]
    MissingBlock {
        /// Its height.
        height: u64,
    },
    /// A committed block in the store does not decode.
    #[error("block {height} in the store is corrupt: {source}")]
    CorruptBlock {
        /// Its height.
        height: u64,
        /// Why it does not decode.
        source: yuma_runtime::codec::CodecError,
    },
    /// The store holds another chain than the one configured.
    #[error(
        "the store holds chain 0x{}, not 0x{} (use another --base-path)",
        hex::encode(stored),
        hex::encode(expected)
    )]
    OtherChain {
        /// The stored chain's genesis hash.
        stored: Hash,
        /// The configured chain's genesis hash.
        expected: Hash,
    },
    /// The runtime refused to start the block.
    #[error("runtime: {0}")]
    Runtime(#[from] yuma_runtime::Error),
}

/// Why a transaction was not accepted into the mempool.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// The runtime rejects it (bad signature, wrong chain, nonce, fee).
    #[error("{0}")]
    Invalid(yuma_runtime::Error),
    /// Its call would fail on the state it would run on.
    #[error("the call would fail: {0}")]
    WouldFail(yuma_runtime::Error),
    /// The mempool refuses it.
    #[error(transparent)]
    Mempool(#[from] MempoolError),
    /// The application is not running.
    #[error(transparent)]
    Application(#[from] ApplicationError),
}

/// A request to the application actor.
pub(crate) enum Message {
    Propose {
        parent: Hash,
        timestamp: u64,
        response: oneshot::Sender<Result<Block, ApplicationError>>,
    },
    Verify {
        block: Block,
        response: oneshot::Sender<Result<bool, ApplicationError>>,
    },
    Knows {
        hash: Hash,
        response: oneshot::Sender<bool>,
    },
    Finalize {
        hash: Hash,
        response: oneshot::Sender<Result<Header, ApplicationError>>,
    },
    Submit {
        tx: VerifiedTx,
        response: oneshot::Sender<Result<Hash, SubmitError>>,
    },
    DryRun {
        tx: SignedTransaction,
        response: oneshot::Sender<Result<TxReceipt, SubmitError>>,
    },
}

/// A handle to send requests to the application; cheap to clone.
#[derive(Clone)]
pub struct Mailbox {
    sender: mpsc::Sender<Message>,
}

impl Mailbox {
    pub(crate) fn new(sender: mpsc::Sender<Message>) -> Self {
        Self { sender }
    }

    async fn ask<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<T>) -> Message,
    ) -> Result<T, ApplicationError> {
        let (tx, rx) = oneshot::channel();
        let mut sender = self.sender.clone();
        sender
            .send(make(tx))
            .await
            .map_err(|_| ApplicationError::Stopped)?;
        rx.await.map_err(|_| ApplicationError::Stopped)
    }

    /// Builds and executes a block on `parent` (the committed head or an executed block that
    /// descends from it) from the mempool.
    ///
    /// # Errors
    /// [`ApplicationError`] when the parent is unknown or the application stopped.
    pub async fn propose(&self, parent: Hash, timestamp: u64) -> Result<Block, ApplicationError> {
        self.ask(|response| Message::Propose {
            parent,
            timestamp,
            response,
        })
        .await?
    }

    /// Re-executes a block proposed elsewhere on its parent; `true` when it is valid (or was
    /// already executed or committed).
    ///
    /// # Errors
    /// [`ApplicationError::UnknownParent`] when its parent must be fetched and verified first;
    /// [`ApplicationError::Stopped`] when the application stopped.
    pub async fn verify(&self, block: Block) -> Result<bool, ApplicationError> {
        self.ask(|response| Message::Verify { block, response })
            .await?
    }

    /// Whether the block is committed or executed (so it needs no fetching).
    ///
    /// # Errors
    /// [`ApplicationError::Stopped`] when the application stopped.
    pub async fn knows(&self, hash: Hash) -> Result<bool, ApplicationError> {
        self.ask(|response| Message::Knows { hash, response }).await
    }

    /// Commits a proposed or verified block and its uncommitted ancestors, oldest first
    /// (a no-op for a committed block).
    ///
    /// # Errors
    /// [`ApplicationError::UnknownBlock`] naming the first block on the way that is not
    /// executed (fetch and verify it, then retry); a store failure.
    pub async fn finalize(&self, hash: Hash) -> Result<Header, ApplicationError> {
        self.ask(|response| Message::Finalize { hash, response })
            .await?
    }

    /// Checks a transaction against the head state and adds it to the mempool. The signature
    /// is verified here, on the caller's task, so that the application (one thread) never
    /// verifies a pooled transaction's signature again.
    ///
    /// # Errors
    /// [`SubmitError`] with the runtime's or the mempool's reason.
    pub async fn submit(&self, tx: SignedTransaction) -> Result<Hash, SubmitError> {
        let signer = tx.tx.signer;
        let tx = VerifiedTx::new(tx)
            .ok_or_else(|| SubmitError::Invalid(yuma_runtime::Error::BadSignature(signer)))?;
        self.ask(|response| Message::Submit { tx, response })
            .await?
    }

    /// What including the transaction now would do, without changing anything.
    ///
    /// # Errors
    /// [`SubmitError::Invalid`] when the runtime rejects it.
    pub async fn dry_run(&self, tx: SignedTransaction) -> Result<TxReceipt, SubmitError> {
        self.ask(|response| Message::DryRun { tx, response })
            .await?
    }
}
