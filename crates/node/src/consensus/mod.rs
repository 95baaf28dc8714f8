//! Block ordering and finality by commonware's simplex BFT engine.
//!
//! Every validator runs one simplex engine; [`adapter::Adapter`] answers its questions with the
//! application (propose, verify) and commits what it finalizes. Validators sign votes with
//! ed25519 consensus keys named in the chain spec (separate from account keys); a block is
//! final once 2f+1 of the n validators finalize it, so up to f = (n-1)/3 may be down or
//! faulty. A dev chain is the same code with one validator.
//!
//! A validator uses five p2p channels ([`CHANNELS`]): simplex's votes, certificates and
//! certificate fetches, then whole blocks (broadcasts and fetch answers) and block fetch
//! requests. [`start`] wires them; the network itself (simulated in tests, authenticated TCP
//! in a real node) is the caller's.

pub mod adapter;
mod scheme;

use std::sync::Arc;
use std::time::Duration;

use commonware_consensus::simplex::config::{Config as SimplexConfig, ForwardPolicy, SkipPolicy};
use commonware_consensus::simplex::elector::RoundRobin;
use commonware_consensus::simplex::{self, Engine};
use commonware_consensus::types::{Epoch, ViewDelta};
use commonware_cryptography::ed25519::{PrivateKey, PublicKey};
use commonware_cryptography::sha256::Digest;
use commonware_p2p::{Blocker, Receiver, Sender};
use commonware_parallel::Sequential;
use commonware_runtime::buffer::paged::CacheRef;
use commonware_runtime::{Clock, Handle, Metrics, Spawner, Storage};
use commonware_utils::ordered::Set;
use commonware_utils::{NZDuration, NZU16, NZUsize};
use rand_core::CryptoRng;
use yuma_runtime::hash::Hash;
use yuma_store::Store;

use crate::application::Mailbox;
use adapter::Adapter;
pub use scheme::Scheme;

/// Namespace of consensus signatures (a vote for one chain never counts for another).
pub const NAMESPACE: &[u8] = b"yuma/consensus/v1";

/// The p2p channel numbers: votes, certificates, certificate fetches, blocks, block requests.
pub const CHANNELS: [u64; 5] = [0, 1, 2, 3, 4];

/// Largest p2p message: a full block (a few MiB at most) with room to spare.
pub const MAX_MESSAGE: u32 = 16 << 20;

/// A validator's consensus settings.
#[derive(Clone, Debug)]
pub struct Settings {
    /// This validator's consensus key.
    pub key: PrivateKey,
    /// Every validator's consensus public key.
    pub validators: Vec<PublicKey>,
    /// Minimum time between a block and its child (the proposer waits).
    pub block_time: Duration,
    /// Name of the storage partition of simplex's journal.
    pub partition: String,
    /// Folder of the blocks this validator may have voted for, not yet final.
    pub pending: std::path::PathBuf,
}

impl Settings {
    /// How long a validator waits for the leader's proposal before voting to skip its view.
    pub fn leader_timeout(&self) -> Duration {
        self.block_time * 2 + Duration::from_millis(1000)
    }
}

/// A sender and receiver pair of one p2p channel.
pub type Channel<S, R> = (S, R);

/// Starts a validator: simplex and the tasks that move blocks. The handles end when the
/// context stops.
#[allow(clippy::too_many_arguments)]
pub fn start<E, B, S, R>(
    context: E,
    settings: Settings,
    app: Mailbox,
    store: Arc<Store>,
    genesis: Hash,
    blocker: B,
    channels: [Channel<S, R>; 5],
) -> Vec<Handle<()>>
where
    E: Clock + CryptoRng + Spawner + Storage + Metrics,
    B: Blocker<PublicKey = PublicKey>,
    S: Sender<PublicKey = PublicKey>,
    R: Receiver<PublicKey = PublicKey>,
{
    let [votes, certificates, fetches, blocks, requests] = channels;
    let participants = Set::from_iter_dedup(settings.validators.iter().cloned());
    let scheme = Scheme::signer(NAMESPACE, participants, settings.key.clone())
        .expect("the node's key is checked to be a validator's before starting");
    let (adapter, finalized) = Adapter::new(
        context.child("adapter"),
        app,
        store,
        (blocks.0, requests.0),
        settings.block_time,
        settings.pending.clone(),
    );
    let leader_timeout = settings.leader_timeout();
    let engine = Engine::new(
        context.child("simplex"),
        SimplexConfig {
            scheme,
            elector: RoundRobin::<commonware_cryptography::Sha256>::default(),
            blocker,
            automaton: adapter.clone(),
            relay: adapter.clone(),
            reporter: adapter.clone(),
            track_historical_votes: false,
            strategy: Sequential,
            partition: settings.partition,
            mailbox_size: NZUsize!(1024),
            epoch: Epoch::new(0),
            floor: simplex::config::Floor::Genesis(Digest(genesis)),
            replay_buffer: NZUsize!(1 << 20),
            write_buffer: NZUsize!(1 << 20),
            page_cache: CacheRef::new(NZU16!(4096), NZUsize!(256)),
            leader_timeout,
            certification_timeout: leader_timeout * 2,
            timeout_retry: Duration::from_secs(2),
            view_retention: ViewDelta::new(256),
            skip: SkipPolicy::Disabled,
            fetch_timeout: NZDuration!(Duration::from_secs(1)),
            fetch_retry_delay: Duration::from_millis(200),
            forward: ForwardPolicy::SilentVoters,
        },
    );
    let mut handles = vec![
        context.child("blocks").spawn({
            let adapter = adapter.clone();
            move |_| adapter.run_blocks(blocks.1)
        }),
        context.child("requests").spawn({
            let adapter = adapter.clone();
            move |_| adapter.run_requests(requests.1)
        }),
        context
            .child("finalizer")
            .spawn(move |_| adapter.run_finalizer(finalized)),
    ];
    handles.push(engine.start(votes, certificates, fetches));
    handles
}
