//! The application actor: executes, verifies and commits blocks; admits transactions.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use futures::StreamExt;
use futures::channel::mpsc;
use yuma_runtime::codec::{Decode, Encode};
use yuma_runtime::hash::Hash;
use yuma_runtime::{Error as RuntimeError, Genesis, Runtime, SignedTransaction, VerifiedTx};
use yuma_store::{BlockCommit, StateChange, Store};

use super::ingress::{ApplicationError, Mailbox, Message, SubmitError};
use crate::block::{Block, Header, txs_root};
use crate::mempool::{Dropped, Limits, Mempool};
use crate::metrics::Metrics;
use crate::receipt::{BlockReceipts, TxReceipt};
use crate::state::BlockState;

/// A committed block, as announced to subscribers.
#[derive(Clone, Debug)]
pub struct Finalized {
    /// The block.
    pub block: Block,
    /// Its hash.
    pub hash: Hash,
    /// What it produced.
    pub receipts: BlockReceipts,
    /// Pending transactions dropped from the mempool since the previous committed block
    /// (found invalid while building a block, or made stale by this one).
    pub dropped: Vec<Dropped>,
}

/// What the application needs.
pub struct Config {
    /// The store (shared with the RPC's readers).
    pub store: Arc<Store>,
    /// The genesis to write into an empty store, and to check a non-empty one against.
    pub genesis: Genesis,
    /// Mempool limits.
    pub mempool: Limits,
    /// Transactions considered per proposed block at most.
    pub max_block_txs: usize,
    /// Metrics to update.
    pub metrics: Arc<Metrics>,
    /// Where committed blocks are announced.
    pub finalized: tokio::sync::broadcast::Sender<Arc<Finalized>>,
}

/// A block executed on the head, waiting to be finalized.
struct Executed {
    block: Block,
    changes: Vec<StateChange>,
    receipts: BlockReceipts,
}

/// The application actor (see the module docs of [`crate::application`]).
pub struct Actor {
    config: Config,
    head: Header,
    executed: BTreeMap<Hash, Executed>,
    mempool: Mempool,
    receiver: mpsc::Receiver<Message>,
}

fn store_err(e: yuma_store::Error) -> ApplicationError {
    ApplicationError::Store(e.to_string())
}

impl Actor {
    /// Opens the chain in the store (writing genesis into an empty one) and makes the actor and
    /// its mailbox.
    ///
    /// # Errors
    /// [`ApplicationError::Store`] when the store fails or holds another chain (its genesis
    /// hash differs from `config.genesis`).
    pub fn new(config: Config) -> Result<(Self, Mailbox), ApplicationError> {
        let head = match config.store.head().map_err(store_err)? {
            None => write_genesis(&config.store, &config.genesis)?,
            Some(head) => {
                let bytes = config
                    .store
                    .block(head.height)
                    .map_err(store_err)?
                    .ok_or_else(|| {
                        ApplicationError::Store(format!("head block {} is missing", head.height))
                    })?;
                let block = Block::decode(&bytes).map_err(|e| {
                    ApplicationError::Store(format!("head block {} is corrupt: {e}", head.height))
                })?;
                block.header
            }
        };
        let snapshot = config.store.snapshot().map_err(store_err)?;
        let stored = Runtime::open(BlockState::new(snapshot)).genesis_hash();
        let expected = config.genesis.hash();
        if stored != expected {
            return Err(ApplicationError::Store(format!(
                "the store holds chain 0x{}, not 0x{} (use another --base-path)",
                hex::encode(stored),
                hex::encode(expected)
            )));
        }
        config.metrics.block_height.set(head.height as i64);
        let (sender, receiver) = mpsc::channel(1024);
        let mempool = Mempool::new(config.mempool);
        Ok((
            Self {
                config,
                head,
                executed: BTreeMap::new(),
                mempool,
                receiver,
            },
            Mailbox::new(sender),
        ))
    }

    /// The committed head when the actor was made.
    pub fn head(&self) -> &Header {
        &self.head
    }

    /// Serves requests until every mailbox is dropped.
    pub async fn run(mut self) {
        while let Some(message) = self.receiver.next().await {
            match message {
                Message::Propose {
                    parent,
                    timestamp,
                    response,
                } => {
                    let _ = response.send(self.propose(parent, timestamp));
                }
                Message::Verify { block, response } => {
                    let _ = response.send(self.verify(block));
                }
                Message::Finalize { hash, response } => {
                    let _ = response.send(self.finalize(hash));
                }
                Message::Submit { tx, response } => {
                    let _ = response.send(self.submit(tx));
                }
                Message::DryRun { tx, response } => {
                    let _ = response.send(self.dry_run(&tx));
                }
            }
            self.config
                .metrics
                .mempool_size
                .set(self.mempool.len() as i64);
        }
    }

    fn runtime(&self) -> Result<Runtime<BlockState>, ApplicationError> {
        let snapshot = self.config.store.snapshot().map_err(store_err)?;
        Ok(Runtime::open(BlockState::new(snapshot)))
    }

    fn head_hash(&self) -> Hash {
        self.head.hash()
    }

    fn propose(&mut self, parent: Hash, timestamp: u64) -> Result<Block, ApplicationError> {
        if parent != self.head_hash() {
            return Err(ApplicationError::UnknownParent(parent));
        }
        let mut rt = self.runtime()?;
        let height = self.head.height + 1;
        let block_events = rt
            .on_block(height)
            .map_err(|e| ApplicationError::Runtime(e.to_string()))?;
        let mut txs = Vec::new();
        let mut receipts = Vec::new();
        let mut skipped = BTreeSet::new();
        for tx in self.mempool.ready(self.config.max_block_txs) {
            if skipped.contains(&tx.tx.signer) {
                continue;
            }
            match rt.apply_verified(&tx) {
                Ok(receipt) => {
                    receipts.push(TxReceipt::new(&tx, receipt));
                    txs.push(tx.into_inner());
                }
                Err(RuntimeError::BlockFull { .. }) => {
                    skipped.insert(tx.tx.signer);
                }
                Err(e) => {
                    skipped.insert(tx.tx.signer);
                    self.mempool.drop_invalid(&tx.hash(), &e.to_string());
                }
            }
        }
        let header = Header {
            height,
            parent,
            state_root: rt.state_root(),
            txs_root: txs_root(&txs),
            timestamp,
        };
        let block = Block { header, txs };
        self.executed.insert(
            block.hash(),
            Executed {
                block: block.clone(),
                changes: rt.into_storage().into_changes(),
                receipts: BlockReceipts {
                    block_events,
                    txs: receipts,
                },
            },
        );
        Ok(block)
    }

    fn verify(&mut self, block: Block) -> bool {
        let header = &block.header;
        if header.parent != self.head_hash()
            || header.height != self.head.height + 1
            || header.txs_root != txs_root(&block.txs)
        {
            return false;
        }
        let Ok(mut rt) = self.runtime() else {
            return false;
        };
        let Ok(block_events) = rt.on_block(header.height) else {
            return false;
        };
        let mut receipts = Vec::new();
        for tx in &block.txs {
            match rt.apply(tx) {
                Ok(receipt) => receipts.push(TxReceipt::new(tx, receipt)),
                Err(_) => return false,
            }
        }
        if rt.state_root() != header.state_root {
            return false;
        }
        self.executed.insert(
            block.hash(),
            Executed {
                changes: rt.into_storage().into_changes(),
                block,
                receipts: BlockReceipts {
                    block_events,
                    txs: receipts,
                },
            },
        );
        true
    }

    fn finalize(&mut self, hash: Hash) -> Result<Header, ApplicationError> {
        let executed = self
            .executed
            .remove(&hash)
            .ok_or(ApplicationError::UnknownBlock(hash))?;
        let header = executed.block.header.clone();
        self.config
            .store
            .commit(&BlockCommit {
                height: header.height,
                hash,
                state_root: header.state_root,
                block: executed.block.encode(),
                changes: executed.changes,
                receipts: executed.receipts.to_bytes(),
            })
            .map_err(store_err)?;
        self.head = header.clone();
        // Every other executed block was built on the previous head.
        self.executed.clear();
        let senders: BTreeSet<_> = executed.block.txs.iter().map(|t| t.tx.signer).collect();
        for tx in &executed.block.txs {
            self.mempool.remove(&tx.hash());
        }
        if let Ok(rt) = self.runtime() {
            for sender in senders {
                self.mempool.prune(&sender, rt.account(&sender).nonce);
            }
        }
        let metrics = &self.config.metrics;
        metrics.block_height.set(header.height as i64);
        metrics.transactions.inc_by(executed.block.txs.len() as u64);
        let _ = self.config.finalized.send(Arc::new(Finalized {
            block: executed.block,
            hash,
            receipts: executed.receipts,
            dropped: self.mempool.take_dropped(),
        }));
        Ok(header)
    }

    /// The head state with the sender's pending transactions applied.
    fn state_for(&self, tx: &SignedTransaction) -> Result<Runtime<BlockState>, SubmitError> {
        let mut rt = self.runtime()?;
        for pending in self.mempool.pending_of(&tx.tx.signer) {
            let _ = rt.apply_verified(&pending);
        }
        Ok(rt)
    }

    fn submit(&mut self, tx: VerifiedTx) -> Result<Hash, SubmitError> {
        let hash = tx.hash();
        if self.mempool.contains(&hash) {
            return Err(crate::mempool::MempoolError::AlreadyKnown(hash).into());
        }
        let rt = self.state_for(&tx)?;
        let fee = match rt.dry_run_verified(&tx) {
            Ok(receipt) => match receipt.result {
                Ok(()) => receipt.fee,
                Err(e) => return Err(SubmitError::Invalid(format!("the call would fail: {e}"))),
            },
            // The head block's budget is spent, not the next one's.
            Err(RuntimeError::BlockFull { cost, .. }) if cost <= rt.params().max_block_cost => {
                rt.params().tx_fee
            }
            Err(e) => return Err(SubmitError::Invalid(e.to_string())),
        };
        Ok(self.mempool.insert(tx, fee)?)
    }

    fn dry_run(&self, tx: &SignedTransaction) -> Result<TxReceipt, SubmitError> {
        let rt = self.state_for(tx)?;
        match rt.dry_run(tx) {
            Ok(receipt) => Ok(TxReceipt::new(tx, receipt)),
            Err(e) => Err(SubmitError::Invalid(e.to_string())),
        }
    }
}

/// Writes the genesis state and block into an empty store.
fn write_genesis(store: &Store, genesis: &Genesis) -> Result<Header, ApplicationError> {
    let snapshot = store.snapshot().map_err(store_err)?;
    let rt = Runtime::genesis(BlockState::new(snapshot), genesis)
        .map_err(|e| ApplicationError::Runtime(e.to_string()))?;
    let block = Block::genesis(rt.state_root());
    store
        .commit(&BlockCommit {
            height: 0,
            hash: block.hash(),
            state_root: block.header.state_root,
            block: block.encode(),
            changes: rt.into_storage().into_changes(),
            receipts: BlockReceipts::default().to_bytes(),
        })
        .map_err(store_err)?;
    Ok(block.header)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::genesis::{dev_genesis, dev_pair};
    use futures::executor::block_on;
    use yuma_primitives::Balance;
    use yuma_runtime::Call;

    struct App {
        mailbox: Mailbox,
        head: Hash,
        store: Arc<Store>,
        _dir: tempfile::TempDir,
    }

    fn app() -> App {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Arc::new(Store::open(dir.path().join("db")).expect("opens"));
        let (finalized, _) = tokio::sync::broadcast::channel(16);
        let (actor, mailbox) = Actor::new(Config {
            store: store.clone(),
            genesis: dev_genesis(),
            mempool: Limits::default(),
            max_block_txs: 100,
            metrics: Arc::new(Metrics::new()),
            finalized,
        })
        .expect("starts");
        let head = actor.head().hash();
        std::thread::spawn(move || block_on(actor.run()));
        App {
            mailbox,
            head,
            store,
            _dir: dir,
        }
    }

    fn transfer(nonce: u64) -> SignedTransaction {
        let genesis = dev_genesis().hash();
        SignedTransaction::new(
            &dev_pair("Alice"),
            genesis,
            nonce,
            Call::Transfer {
                dest: dev_pair("Bob").public(),
                amount: Balance(1_000),
            },
        )
    }

    #[test]
    fn a_proposed_block_verifies_and_commits_elsewhere() {
        let a = app();
        let b = app();
        assert_eq!(a.head, b.head, "same genesis, same genesis block");
        block_on(async {
            a.mailbox.submit(transfer(0)).await.expect("valid");
            a.mailbox.submit(transfer(1)).await.expect("next nonce");
            // A second nonce 0 is checked after the pending ones: the runtime's nonce error.
            let replay = a.mailbox.submit(transfer(0)).await;
            assert!(
                matches!(&replay, Err(SubmitError::Invalid(m)) if m.contains("expected 2")),
                "{replay:?}"
            );
            let block = a.mailbox.propose(a.head, 5).await.expect("proposes");
            assert_eq!(block.txs.len(), 2);

            let mut forged = block.clone();
            forged.header.state_root = [0; 32];
            assert!(!b.mailbox.verify(forged).await.expect("answers"));
            assert!(b.mailbox.verify(block.clone()).await.expect("answers"));

            let ha = a.mailbox.finalize(block.hash()).await.expect("commits");
            let hb = b.mailbox.finalize(block.hash()).await.expect("commits");
            assert_eq!(ha, hb);
            assert!(matches!(
                a.mailbox.finalize(block.hash()).await,
                Err(ApplicationError::UnknownBlock(_))
            ));
            // The included transactions left the mempool: the next block is empty.
            let next = a.mailbox.propose(ha.hash(), 6).await.expect("proposes");
            assert!(next.txs.is_empty());
            let stale = a.mailbox.submit(transfer(1)).await;
            assert!(matches!(stale, Err(SubmitError::Invalid(_))), "{stale:?}");
        });
        let head_a = a.store.head().expect("reads").expect("a head");
        let head_b = b.store.head().expect("reads").expect("a head");
        assert_eq!(head_a, head_b);
        assert_eq!(head_a.height, 1);
    }

    #[test]
    fn refuses_another_chains_store() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Arc::new(Store::open(dir.path().join("db")).expect("opens"));
        let config = |genesis| Config {
            store: store.clone(),
            genesis,
            mempool: Limits::default(),
            max_block_txs: 10,
            metrics: Arc::new(Metrics::new()),
            finalized: tokio::sync::broadcast::channel(1).0,
        };
        drop(Actor::new(config(dev_genesis())).expect("writes genesis"));
        let mut other = dev_genesis();
        other.balances.pop();
        assert!(matches!(
            Actor::new(config(other)),
            Err(ApplicationError::Store(_))
        ));
        assert!(
            Actor::new(config(dev_genesis())).is_ok(),
            "reopens its own chain"
        );
    }
}
