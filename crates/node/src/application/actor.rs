//! The application actor: executes, verifies and commits blocks; admits transactions.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use futures::StreamExt;
use futures::channel::mpsc;
use yuma_primitives::AccountId;
use yuma_runtime::codec::{Decode, Encode};
use yuma_runtime::hash::Hash;
use yuma_runtime::{Error as RuntimeError, Genesis, Runtime, SignedTransaction, VerifiedTx};
use yuma_store::{BlockCommit, StateChange, Store};

use super::ingress::{ApplicationError, Mailbox, Message, SubmitError};
use crate::block::{Block, Header, txs_root};
use crate::mempool::{Dropped, Limits, Mempool};
use crate::metrics::Metrics;
use crate::state::BlockState;
use yuma_api::{BlockReceipts, TxReceipt};

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

/// An executed block (on the head or on another executed block), waiting to be finalized.
struct Executed {
    block: Block,
    changes: Vec<StateChange>,
    receipts: BlockReceipts,
}

/// A sender's admission state: the head state with its pending transactions applied, kept
/// between its submissions so that admitting one more costs one execution, not a replay of
/// everything it has pending.
struct Admission {
    /// The head it was built on.
    head: Hash,
    /// How many of the sender's transactions it holds (the pool's count when it was made).
    pending: usize,
    /// The state.
    runtime: Runtime<BlockState>,
}

/// The application actor (see the module docs of [`crate::application`]).
pub struct Actor {
    config: Config,
    head: Header,
    executed: BTreeMap<Hash, Executed>,
    mempool: Mempool,
    /// Admission states of senders with pooled transactions; valid while the head and the
    /// sender's pool entries are as they were, and cleared on every commit.
    admission: BTreeMap<AccountId, Admission>,
    receiver: mpsc::Receiver<Message>,
}

fn store_err(e: yuma_store::Error) -> ApplicationError {
    ApplicationError::Store(e)
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
                let bytes = config.store.block(head.height).map_err(store_err)?.ok_or(
                    ApplicationError::MissingBlock {
                        height: head.height,
                    },
                )?;
                let block =
                    Block::decode(&bytes).map_err(|source| ApplicationError::CorruptBlock {
                        height: head.height,
                        source,
                    })?;
                block.header
            }
        };
        let snapshot = config.store.snapshot().map_err(store_err)?;
        let stored = Runtime::open(BlockState::new(snapshot)).genesis_hash();
        let expected = config.genesis.hash();
        if stored != expected {
            return Err(ApplicationError::OtherChain { stored, expected });
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
                admission: BTreeMap::new(),
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
                Message::Knows { hash, response } => {
                    let _ = response.send(self.knows(&hash));
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

    /// The executed, uncommitted blocks from the head (exclusive) to `hash` (inclusive),
    /// oldest first; `Err(missing)` names the first one on the way back that is not executed.
    fn chain_to(&self, hash: Hash) -> Result<Vec<&Executed>, Hash> {
        let head = self.head_hash();
        let mut chain = Vec::new();
        let mut at = hash;
        while at != head {
            let executed = self.executed.get(&at).ok_or(at)?;
            if executed.block.header.height <= self.head.height {
                // A branch that forks below the committed head can never be built on.
                return Err(at);
            }
            chain.push(executed);
            at = executed.block.header.parent;
        }
        chain.reverse();
        Ok(chain)
    }

    /// The runtime over the state after `parent` and its height.
    fn runtime_on(&self, parent: Hash) -> Result<(Runtime<BlockState>, u64), ApplicationError> {
        let chain = self
            .chain_to(parent)
            .map_err(|_| ApplicationError::UnknownParent(parent))?;
        let mut merged = BTreeMap::new();
        for executed in &chain {
            for (key, value) in &executed.changes {
                merged.insert(key.clone(), value.clone());
            }
        }
        let height = chain
            .last()
            .map_or(self.head.height, |e| e.block.header.height);
        let snapshot = self.config.store.snapshot().map_err(store_err)?;
        Ok((
            Runtime::open(BlockState::on_ancestors(snapshot, merged)),
            height,
        ))
    }

    fn propose(&mut self, parent: Hash, timestamp: u64) -> Result<Block, ApplicationError> {
        let (mut rt, parent_height) = self.runtime_on(parent)?;
        // Transactions already in the uncommitted ancestors stay in the mempool until final.
        let pending: BTreeSet<Hash> = self
            .chain_to(parent)
            .unwrap_or_default()
            .iter()
            .flat_map(|e| e.block.txs.iter().map(SignedTransaction::hash))
            .collect();
        let height = parent_height + 1;
        let block_events = rt.on_block(height).map_err(ApplicationError::Runtime)?;
        let mut txs = Vec::new();
        let mut receipts = Vec::new();
        let mut skipped = BTreeSet::new();
        let budget = self.config.max_block_txs + pending.len();
        for tx in self.mempool.ready(budget) {
            if txs.len() >= self.config.max_block_txs {
                break;
            }
            if skipped.contains(&tx.tx.signer) || pending.contains(&tx.hash()) {
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
                Err(_) if !pending.is_empty() => {
                    // It may only be invalid on this branch: keep it for another.
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
                changes: rt.into_storage().into_changes()?,
                receipts: BlockReceipts {
                    block_events,
                    txs: receipts,
                },
            },
        );
        Ok(block)
    }

    fn knows(&self, hash: &Hash) -> bool {
        self.executed.contains_key(hash) || matches!(self.config.store.height_of(hash), Ok(Some(_)))
    }

    fn verify(&mut self, block: Block) -> Result<bool, ApplicationError> {
        if self.knows(&block.hash()) {
            return Ok(true);
        }
        let header = &block.header;
        let (mut rt, parent_height) = self.runtime_on(header.parent)?;
        if header.height != parent_height + 1 || header.txs_root != txs_root(&block.txs) {
            return Ok(false);
        }
        let Ok(block_events) = rt.on_block(header.height) else {
            return Ok(false);
        };
        let mut receipts = Vec::new();
        for tx in &block.txs {
            match rt.apply(tx) {
                Ok(receipt) => receipts.push(TxReceipt::new(tx, receipt)),
                Err(_) => return Ok(false),
            }
        }
        if rt.state_root() != header.state_root {
            return Ok(false);
        }
        self.executed.insert(
            block.hash(),
            Executed {
                changes: rt.into_storage().into_changes()?,
                block,
                receipts: BlockReceipts {
                    block_events,
                    txs: receipts,
                },
            },
        );
        Ok(true)
    }

    fn finalize(&mut self, hash: Hash) -> Result<Header, ApplicationError> {
        if let Some(height) = self.config.store.height_of(&hash).map_err(store_err)? {
            let bytes = self
                .config
                .store
                .block(height)
                .map_err(store_err)?
                .ok_or(ApplicationError::UnknownBlock(hash))?;
            return Block::decode(&bytes)
                .map(|b| b.header)
                .map_err(|source| ApplicationError::CorruptBlock { height, source });
        }
        let chain: Vec<Hash> = self
            .chain_to(hash)
            .map_err(ApplicationError::UnknownBlock)?
            .iter()
            .map(|e| e.block.hash())
            .collect();
        let mut header = self.head.clone();
        for hash in chain {
            header = self.commit(hash)?;
        }
        Ok(header)
    }

    /// Commits one executed block whose parent is the head.
    fn commit(&mut self, hash: Hash) -> Result<Header, ApplicationError> {
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
        self.admission.clear();
        // Blocks at or below the head are committed or on a dead branch.
        self.executed
            .retain(|_, e| e.block.header.height > header.height);
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
        let sender = tx.tx.signer;
        let head = self.head_hash();
        let pending = self.mempool.pending_count(&sender);
        let mut runtime = match self.admission.remove(&sender) {
            Some(a) if a.head == head && a.pending == pending => a.runtime,
            _ => self.state_for(&tx)?,
        };
        let fee = admission_fee(&runtime, &tx);
        let admitted = fee.and_then(|fee| Ok(self.mempool.insert(tx.clone(), fee)?));
        let pending = if admitted.is_ok() {
            // Its effects matter to the sender's next transaction, as in `state_for`.
            let _ = runtime.apply_verified(&tx);
            pending + 1
        } else {
            pending
        };
        // Kept only for senders with pooled transactions. The pool may have evicted others to
        // make room; their states then no longer match their counts and are rebuilt on their
        // next submission. While no block commits, the map is capped at the pool's size.
        if pending > 0 {
            if self.admission.len() >= self.config.mempool.total {
                self.admission.clear();
            }
            self.admission.insert(
                sender,
                Admission {
                    head,
                    pending,
                    runtime,
                },
            );
        }
        admitted
    }

    fn dry_run(&self, tx: &SignedTransaction) -> Result<TxReceipt, SubmitError> {
        let rt = self.state_for(tx)?;
        match rt.dry_run(tx) {
            Ok(receipt) => Ok(TxReceipt::new(tx, receipt)),
            Err(e) => Err(SubmitError::Invalid(e)),
        }
    }
}

/// The fee `tx` pays when admitted to `runtime` (the head state with the sender's pending
/// transactions applied).
///
/// # Errors
/// Why it cannot be admitted: it or its call would fail.
fn admission_fee(runtime: &Runtime<BlockState>, tx: &VerifiedTx) -> Result<u64, SubmitError> {
    match runtime.dry_run_verified(tx) {
        Ok(receipt) => match receipt.result {
            Ok(()) => Ok(receipt.fee),
            Err(e) => Err(SubmitError::WouldFail(e)),
        },
        // The head block's budget is spent, not the next one's.
        Err(RuntimeError::BlockFull { cost, .. }) if cost <= runtime.params().max_block_cost => {
            Ok(runtime.params().tx_fee)
        }
        Err(e) => Err(SubmitError::Invalid(e)),
    }
}

/// Writes the genesis state and block into an empty store.
fn write_genesis(store: &Store, genesis: &Genesis) -> Result<Header, ApplicationError> {
    let snapshot = store.snapshot().map_err(store_err)?;
    let rt =
        Runtime::genesis(BlockState::new(snapshot), genesis).map_err(ApplicationError::Runtime)?;
    let block = Block::genesis(rt.state_root());
    store
        .commit(&BlockCommit {
            height: 0,
            hash: block.hash(),
            state_root: block.header.state_root,
            block: block.encode(),
            changes: rt.into_storage().into_changes()?,
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
                matches!(&replay, Err(e @ SubmitError::Invalid(_)) if e.to_string().contains("expected 2")),
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
            assert_eq!(
                a.mailbox
                    .finalize(block.hash())
                    .await
                    .expect("finalizing a committed block again is a no-op"),
                ha.clone(),
            );
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
    fn admission_builds_on_the_senders_pending_transactions() {
        let a = app();
        let too_much = SignedTransaction::new(
            &dev_pair("Alice"),
            dev_genesis().hash(),
            1,
            Call::Transfer {
                dest: dev_pair("Bob").public(),
                amount: Balance(u64::MAX / 2),
            },
        );
        block_on(async {
            a.mailbox.submit(transfer(0)).await.expect("valid");
            let refused = a.mailbox.submit(too_much).await;
            assert!(
                matches!(&refused, Err(e @ SubmitError::WouldFail(_)) if e.to_string().contains("would fail")),
                "{refused:?}"
            );
            // The refusal left nothing behind: nonce 1 is still next.
            a.mailbox.submit(transfer(1)).await.expect("nonce 1");
            a.mailbox.submit(transfer(2)).await.expect("nonce 2");
            let gap = a.mailbox.submit(transfer(4)).await;
            assert!(
                matches!(&gap, Err(e @ SubmitError::Invalid(_)) if e.to_string().contains("expected 3")),
                "{gap:?}"
            );
            let block = a.mailbox.propose(a.head, 5).await.expect("proposes");
            assert_eq!(block.txs.len(), 3);
            a.mailbox.finalize(block.hash()).await.expect("commits");
            // On the new head, admission starts from the committed state.
            a.mailbox.submit(transfer(3)).await.expect("nonce 3");
            let replay = a.mailbox.submit(transfer(2)).await;
            assert!(
                matches!(&replay, Err(e @ SubmitError::Invalid(_)) if e.to_string().contains("expected 4")),
                "{replay:?}"
            );
        });
    }

    #[test]
    fn builds_and_verifies_on_parents_that_are_not_final() {
        let a = app();
        let b = app();
        block_on(async {
            a.mailbox.submit(transfer(0)).await.expect("valid");
            let one = a.mailbox.propose(a.head, 5).await.expect("proposes");
            assert_eq!(one.txs.len(), 1);
            a.mailbox.submit(transfer(1)).await.expect("next nonce");
            // On the unfinalized block one: transfer 0 is not included twice.
            let two = a.mailbox.propose(one.hash(), 6).await.expect("on one");
            assert_eq!(two.header.height, 2);
            assert_eq!(two.txs.len(), 1);
            assert_eq!(two.txs[0].tx.nonce, 1);
            // A sibling of one on the head is fine too (a fork simplex may still resolve).
            let sibling = a.mailbox.propose(a.head, 7).await.expect("on the head");
            assert_eq!(sibling.header.height, 1);

            assert!(
                matches!(
                    b.mailbox.verify(two.clone()).await,
                    Err(ApplicationError::UnknownParent(h)) if h == one.hash()
                ),
                "its parent must be verified first"
            );
            assert!(!b.mailbox.knows(one.hash()).await.expect("answers"));
            assert!(b.mailbox.verify(one.clone()).await.expect("answers"));
            assert!(b.mailbox.verify(two.clone()).await.expect("answers"));
            // Finalizing two commits one then two.
            let hb = b.mailbox.finalize(two.hash()).await.expect("commits");
            assert_eq!(hb, two.header);
            let ha = a.mailbox.finalize(two.hash()).await.expect("commits");
            assert_eq!(ha, hb);
            // The sibling's branch is dead: nothing builds on it any more.
            assert!(matches!(
                a.mailbox.propose(sibling.hash(), 8).await,
                Err(ApplicationError::UnknownParent(h)) if h == sibling.hash()
            ));
        });
        for height in [1, 2] {
            assert_eq!(
                a.store.header(height).expect("reads"),
                b.store.header(height).expect("reads")
            );
        }
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
            Err(ApplicationError::OtherChain { .. })
        ));
        assert!(
            Actor::new(config(dev_genesis())).is_ok(),
            "reopens its own chain"
        );
    }
}
