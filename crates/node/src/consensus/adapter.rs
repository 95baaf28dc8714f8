//! The bridge between simplex and the application: simplex's automaton, relay and reporter.
//!
//! Simplex orders digests (our block hashes); this module moves the blocks behind them:
//! - `propose` waits until `block_time` after the parent's timestamp, asks the application
//!   to build a block on the parent simplex chose (final or only notarized), keeps it, and
//!   answers its hash; `broadcast` then sends the block to the other validators.
//! - `verify` waits for the block (from the proposer's broadcast, or fetched from any peer),
//!   makes sure its parent is executed (fetching and verifying missing ancestors), and asks
//!   the application to re-execute it.
//! - a finalization reported by simplex is handed to the finalizer, which commits the block
//!   and every uncommitted ancestor; missing ones are fetched first, which is also how a node
//!   that starts late or restarts catches up (what it already committed is not re-executed).
//!
//! Every block this validator proposes or verifies is written to its pending-blocks folder
//! before simplex may vote for it, so a validator that crashes and restarts still has the
//! blocks its journal refers to (a dev chain has no peer to fetch them from); the folder is
//! pruned as blocks become final.
//!
//! Fetching is by hash, so a fetched block is authenticated by the hash a certificate (or a
//! child) names. A request is the 32-byte hash on the request channel; the answer is the block
//! on the block channel, like a broadcast.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use commonware_actor::Feedback;
use commonware_consensus::simplex::Plan;
use commonware_consensus::simplex::types::{Activity, Context};
use commonware_consensus::{Automaton, CertifiableAutomaton, Relay, Reporter};
use commonware_cryptography::ed25519::PublicKey;
use commonware_cryptography::sha256::Digest;
use commonware_p2p::{Receiver, Recipients, Sender};
use commonware_runtime::{Clock, Spawner};
use commonware_utils::channel::oneshot;
use futures::channel::{mpsc, oneshot as waiter};
use futures::{FutureExt, StreamExt};
use yuma_runtime::codec::{Decode, Encode};
use yuma_runtime::hash::Hash;
use yuma_store::Store;

use super::scheme::Scheme;
use crate::application::{ApplicationError, Mailbox};
use crate::block::Block;

/// How long to wait for a block before asking peers for it (and between asks).
const FETCH_AFTER: Duration = Duration::from_millis(300);

/// Blocks received or built, not yet final, and who waits for which.
#[derive(Default)]
struct Cache {
    blocks: BTreeMap<Hash, Block>,
    waiters: BTreeMap<Hash, Vec<waiter::Sender<Block>>>,
    finalized_height: u64,
}

/// Simplex's automaton, relay and reporter over the application (see the module docs).
pub struct Adapter<E, S> {
    context: Arc<E>,
    app: Mailbox,
    store: Arc<Store>,
    cache: Arc<Mutex<Cache>>,
    blocks: S,
    requests: S,
    block_time: Duration,
    pending: Arc<PathBuf>,
    finalized: mpsc::UnboundedSender<Hash>,
}

impl<E, S: Clone> Clone for Adapter<E, S> {
    fn clone(&self) -> Self {
        Self {
            context: self.context.clone(),
            app: self.app.clone(),
            store: self.store.clone(),
            cache: self.cache.clone(),
            blocks: self.blocks.clone(),
            requests: self.requests.clone(),
            block_time: self.block_time,
            pending: self.pending.clone(),
            finalized: self.finalized.clone(),
        }
    }
}

impl<E, S> Adapter<E, S>
where
    E: Spawner + Clock,
    S: Sender<PublicKey = PublicKey>,
{
    /// An adapter sending blocks on `blocks` and fetch requests on `requests`, keeping the
    /// blocks it votes for in the folder `pending`, and a receiver of finalized hashes for
    /// [`Self::run_finalizer`].
    pub fn new(
        context: E,
        app: Mailbox,
        store: Arc<Store>,
        (blocks, requests): (S, S),
        block_time: Duration,
        pending: PathBuf,
    ) -> (Self, mpsc::UnboundedReceiver<Hash>) {
        let _ = std::fs::create_dir_all(&pending);
        let (finalized, receiver) = mpsc::unbounded();
        (
            Self {
                context: Arc::new(context),
                app,
                store,
                cache: Arc::new(Mutex::new(Cache::default())),
                blocks,
                requests,
                block_time,
                pending: Arc::new(pending),
                finalized,
            },
            receiver,
        )
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keeps a block and hands it to whoever waits for it.
    fn insert(&self, block: Block) {
        let hash = block.hash();
        let mut cache = self.cache();
        if block.header.height <= cache.finalized_height {
            return;
        }
        if let Some(waiters) = cache.waiters.remove(&hash) {
            for w in waiters {
                let _ = w.send(block.clone());
            }
        }
        cache.blocks.insert(hash, block);
    }

    /// A block by hash from the cache, the store or the pending-blocks folder.
    fn lookup(&self, hash: &Hash) -> Option<Block> {
        if let Some(block) = self.cache().blocks.get(hash) {
            return Some(block.clone());
        }
        if let Some(height) = self.store.height_of(hash).ok().flatten() {
            let bytes = self.store.block(height).ok()??;
            return Block::decode(&bytes).ok();
        }
        let block = self.load_pending(hash)?;
        self.insert(block.clone());
        Some(block)
    }

    /// Writes a block this validator may vote for to the pending-blocks folder (atomically:
    /// a temporary file, then a rename).
    fn persist(&self, block: &Block) {
        let name = format!("{:020}-{}", block.header.height, hex::encode(block.hash()));
        let tmp = self.pending.join(format!("{name}.tmp"));
        let written = std::fs::write(&tmp, block.encode())
            .and_then(|()| std::fs::rename(&tmp, self.pending.join(name)));
        if let Err(e) = written {
            tracing::warn!(height = block.header.height, error = %e, "cannot keep a block for voting");
        }
    }

    fn load_pending(&self, hash: &Hash) -> Option<Block> {
        let suffix = format!("-{}", hex::encode(hash));
        let entries = std::fs::read_dir(self.pending.as_path()).ok()?;
        for entry in entries.flatten() {
            let name = entry.file_name();
            if name.to_string_lossy().ends_with(&suffix) {
                let bytes = std::fs::read(entry.path()).ok()?;
                return Block::decode(&bytes).ok().filter(|b| b.hash() == *hash);
            }
        }
        None
    }

    /// Deletes pending blocks at or below the finalized height.
    fn prune_pending(&self, floor: u64) {
        let Ok(entries) = std::fs::read_dir(self.pending.as_path()) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let height = name
                .to_string_lossy()
                .split('-')
                .next()
                .and_then(|h| h.parse::<u64>().ok());
            if height.is_some_and(|h| h <= floor) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    /// Waits for a block, asking every peer for it when it is late.
    async fn wait_for(&mut self, hash: Hash) -> Block {
        loop {
            let receiver = {
                if let Some(block) = self.lookup(&hash) {
                    return block;
                }
                let (sender, receiver) = waiter::channel();
                self.cache().waiters.entry(hash).or_default().push(sender);
                receiver
            };
            let timeout = self.context.sleep(FETCH_AFTER);
            futures::select! {
                block = receiver.fuse() => if let Ok(block) = block { return block },
                () = timeout.fuse() => {
                    let _ = self.requests.send(Recipients::All, hash.to_vec(), false);
                }
            }
        }
    }

    /// Makes sure the application has executed (or committed) `hash`, fetching and verifying
    /// it and its missing ancestors. `false` when a fetched block is invalid.
    async fn ensure_known(&mut self, hash: Hash) -> Result<bool, ApplicationError> {
        let mut missing = vec![hash];
        while let Some(&top) = missing.last() {
            if self.app.knows(top).await? {
                missing.pop();
                continue;
            }
            let block = self.wait_for(top).await;
            let parent = block.header.parent;
            match self.app.verify(block).await {
                Ok(true) => {
                    missing.pop();
                }
                Ok(false) => return Ok(false),
                // A known parent the block cannot build on: below the committed head.
                Err(ApplicationError::UnknownParent(_)) if self.app.knows(parent).await? => {
                    return Ok(false);
                }
                Err(ApplicationError::UnknownParent(_)) => missing.push(parent),
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }

    fn now_ms(&self) -> u64 {
        self.context
            .current()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64)
    }

    async fn build(mut self, parent: Hash) -> Option<Digest> {
        let parent_block = self.wait_for(parent).await;
        let earliest = parent_block.header.timestamp + self.block_time.as_millis() as u64;
        let now = self.now_ms();
        if earliest > now {
            self.context
                .sleep(Duration::from_millis(earliest - now))
                .await;
        }
        if !self.ensure_known(parent).await.ok()? {
            return None;
        }
        let timestamp = self.now_ms().max(parent_block.header.timestamp + 1);
        let block = self.app.propose(parent, timestamp).await.ok()?;
        let hash = block.hash();
        self.persist(&block);
        self.insert(block);
        Some(Digest(hash))
    }

    async fn check(mut self, parent: Hash, hash: Hash) -> Option<bool> {
        let block = self.wait_for(hash).await;
        if block.header.parent != parent {
            return Some(false);
        }
        if !self.ensure_known(parent).await.ok()? {
            return Some(false);
        }
        let valid = self.app.verify(block.clone()).await.ok()?;
        if valid {
            self.persist(&block);
        }
        Some(valid)
    }

    /// Receives blocks (broadcasts and fetch answers) into the cache.
    pub async fn run_blocks(self, mut receiver: impl Receiver<PublicKey = PublicKey>) {
        while let Ok((_, bytes)) = receiver.recv().await {
            if let Ok(block) = Block::decode(bytes.as_ref()) {
                self.insert(block);
            }
        }
    }

    /// Answers fetch requests with the block, when this node has it.
    pub async fn run_requests(mut self, mut receiver: impl Receiver<PublicKey = PublicKey>) {
        while let Ok((peer, bytes)) = receiver.recv().await {
            let Ok(hash) = <Hash>::try_from(bytes.as_ref()) else {
                continue;
            };
            if let Some(block) = self.lookup(&hash) {
                let _ = self
                    .blocks
                    .send(Recipients::One(peer), block.encode(), false);
            }
        }
    }

    /// Commits what simplex finalizes, in order, fetching what is missing.
    pub async fn run_finalizer(mut self, mut finalized: mpsc::UnboundedReceiver<Hash>) {
        while let Some(hash) = finalized.next().await {
            let mut next = hash;
            loop {
                match self.ensure_known(next).await {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::error!(
                            hash = %hex::encode(next),
                            "a finalized block does not verify; this node stops committing"
                        );
                        return;
                    }
                    Err(_) => return,
                }
                match self.app.finalize(hash).await {
                    Ok(header) => {
                        let mut cache = self.cache();
                        cache.finalized_height = cache.finalized_height.max(header.height);
                        let floor = cache.finalized_height;
                        cache.blocks.retain(|_, b| b.header.height > floor);
                        drop(cache);
                        self.prune_pending(floor);
                        break;
                    }
                    Err(ApplicationError::UnknownBlock(missing)) if missing != next => {
                        next = missing;
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "cannot commit a finalized block; this node stops committing");
                        return;
                    }
                }
            }
        }
    }
}

impl<E, S> Automaton for Adapter<E, S>
where
    E: Spawner + Clock,
    S: Sender<PublicKey = PublicKey>,
{
    type Context = Context<Digest, PublicKey>;
    type Digest = Digest;

    async fn propose(&mut self, context: Self::Context) -> oneshot::Receiver<Digest> {
        let (sender, receiver) = oneshot::channel();
        let this = self.clone();
        let parent = context.parent.1.0;
        self.context.child("propose").spawn(move |_| async move {
            let mut sender = sender;
            // Simplex drops the receiver when it moves past the view: stop then.
            futures::select! {
                digest = this.build(parent).fuse() => if let Some(digest) = digest {
                    let _ = sender.send(digest);
                },
                () = sender.closed().fuse() => {}
            }
        });
        receiver
    }

    async fn verify(&mut self, context: Self::Context, payload: Digest) -> oneshot::Receiver<bool> {
        let (sender, receiver) = oneshot::channel();
        let this = self.clone();
        let parent = context.parent.1.0;
        self.context.child("verify").spawn(move |_| async move {
            let mut sender = sender;
            futures::select! {
                valid = this.check(parent, payload.0).fuse() => if let Some(valid) = valid {
                    let _ = sender.send(valid);
                },
                () = sender.closed().fuse() => {}
            }
        });
        receiver
    }
}

impl<E, S> CertifiableAutomaton for Adapter<E, S>
where
    E: Spawner + Clock,
    S: Sender<PublicKey = PublicKey>,
{
}

impl<E, S> Relay for Adapter<E, S>
where
    E: Spawner + Clock,
    S: Sender<PublicKey = PublicKey>,
{
    type Digest = Digest;
    type PublicKey = PublicKey;
    type Plan = Plan<PublicKey>;

    fn broadcast(&mut self, payload: Digest, plan: Plan<PublicKey>) -> Feedback {
        let recipients = match plan {
            Plan::Prepare { .. } => return Feedback::Ok,
            Plan::Propose { .. } => Recipients::All,
            Plan::Forward { recipients, .. } => recipients,
        };
        if let Some(block) = self.lookup(&payload.0) {
            let _ = self.blocks.send(recipients, block.encode(), true);
        }
        Feedback::Ok
    }
}

impl<E, S> Reporter for Adapter<E, S>
where
    E: Spawner + Clock,
    S: Sender<PublicKey = PublicKey>,
{
    type Activity = Activity<Scheme, Digest>;

    fn report(&mut self, activity: Self::Activity) -> Feedback {
        if let Activity::Finalization(finalization) = activity
            && self
                .finalized
                .unbounded_send(finalization.proposal.payload.0)
                .is_err()
        {
            return Feedback::Closed;
        }
        Feedback::Ok
    }
}
