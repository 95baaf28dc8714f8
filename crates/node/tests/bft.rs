//! Four validators on commonware's deterministic runtime and simulated network: the chain keeps
//! finalizing whenever at least three of four are up and connected (one crashed, lossy and slow
//! links, a partition that heals), stops while no three are connected, and every validator
//! commits the same blocks with the same state roots.

use std::sync::Arc;
use std::time::Duration;

use commonware_cryptography::Signer;
use commonware_cryptography::ed25519::{PrivateKey, PublicKey};
use commonware_p2p::simulated::{self, Link, Oracle};
use commonware_runtime::{Clock, Quota, Runner, Spawner, Supervisor, deterministic};
use commonware_utils::{NZU32, NZUsize, probability};
use yuma_node::application::{Actor, Config as AppConfig, Mailbox};
use yuma_node::consensus::{self, CHANNELS, MAX_MESSAGE, Settings};
use yuma_node::genesis::{dev_genesis, dev_pair};
use yuma_node::mempool::Limits;
use yuma_node::metrics::Metrics;
use yuma_primitives::Balance;
use yuma_runtime::{Call, SignedTransaction};
use yuma_store::Store;

const N: usize = 4;

struct Validator {
    store: Arc<Store>,
    mailbox: Mailbox,
    _dir: tempfile::TempDir,
}

fn keys() -> Vec<PrivateKey> {
    (0..N as u64).map(PrivateKey::from_seed).collect()
}

fn link(latency_ms: u64, jitter_ms: u64, success: commonware_utils::Probability) -> Link {
    Link {
        latency: Duration::from_millis(latency_ms),
        jitter: Duration::from_millis(jitter_ms),
        success_rate: success,
    }
}

async fn network(context: &deterministic::Context) -> Oracle<PublicKey, deterministic::Context> {
    let validators: Vec<PublicKey> = keys().iter().map(Signer::public_key).collect();
    let (network, oracle) = simulated::Network::new_with_peers(
        context.child("network"),
        simulated::Config {
            max_size: MAX_MESSAGE,
            max_peers_per_set: NZUsize!(N),
            disconnect_on_block: true,
            tracked_peer_sets: NZUsize!(1),
        },
        validators,
    )
    .await;
    network.start();
    oracle
}

async fn connect(
    oracle: &Oracle<PublicKey, deterministic::Context>,
    pairs: impl Iterator<Item = (usize, usize)>,
    link: &Link,
) {
    let keys = keys();
    for (a, b) in pairs {
        for (x, y) in [(a, b), (b, a)] {
            oracle
                .add_link(keys[x].public_key(), keys[y].public_key(), link.clone())
                .await
                .expect("links");
        }
    }
}

async fn disconnect(
    oracle: &Oracle<PublicKey, deterministic::Context>,
    pairs: impl Iterator<Item = (usize, usize)>,
) {
    let keys = keys();
    for (a, b) in pairs {
        for (x, y) in [(a, b), (b, a)] {
            oracle
                .remove_link(keys[x].public_key(), keys[y].public_key())
                .await
                .expect("unlinks");
        }
    }
}

fn all_pairs() -> impl Iterator<Item = (usize, usize)> {
    (0..N).flat_map(|a| (a + 1..N).map(move |b| (a, b)))
}

async fn start_validator(
    context: &deterministic::Context,
    oracle: &Oracle<PublicKey, deterministic::Context>,
    index: usize,
) -> Validator {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(Store::open(dir.path().join("chain.redb")).expect("opens"));
    let (finalized, _) = tokio::sync::broadcast::channel(16);
    let (actor, mailbox) = Actor::new(AppConfig {
        store: store.clone(),
        genesis: dev_genesis(),
        mempool: Limits::default(),
        max_block_txs: 100,
        metrics: Arc::new(Metrics::new()),
        finalized,
    })
    .expect("starts");
    let context = context.child("validator").with_attribute("index", index);
    context.child("application").spawn(|_| actor.run());
    let genesis = store.header(0).expect("reads").expect("genesis").hash;
    let keys = keys();
    let control = oracle.control(keys[index].public_key());
    let quota = Quota::per_second(NZU32!(100_000));
    let mut channels = Vec::new();
    for channel in CHANNELS {
        channels.push(control.register(channel, quota).await.expect("registers"));
    }
    let channels: [_; 5] = channels.try_into().expect("five channels");
    consensus::start(
        context,
        Settings {
            key: keys[index].clone(),
            validators: keys.iter().map(Signer::public_key).collect(),
            block_time: Duration::from_millis(200),
            partition: format!("validator-{index}"),
            pending: dir.path().join("pending"),
        },
        mailbox.clone(),
        store.clone(),
        genesis,
        control,
        channels,
    );
    Validator {
        store,
        mailbox,
        _dir: dir,
    }
}

fn height(v: &Validator) -> u64 {
    v.store.head().expect("reads").expect("genesis").height
}

/// Sleeps (simulated time) until every validator has finalized `target`.
async fn wait_for(context: &deterministic::Context, validators: &[&Validator], target: u64) {
    while validators.iter().any(|v| height(v) < target) {
        context.sleep(Duration::from_millis(100)).await;
    }
}

/// Every validator committed the same blocks and state roots up to the lowest head.
fn assert_same_chain(validators: &[&Validator]) -> u64 {
    let common = validators
        .iter()
        .map(|v| height(v))
        .min()
        .expect("validators");
    for h in 0..=common {
        let first = validators[0]
            .store
            .header(h)
            .expect("reads")
            .expect("has it");
        for v in &validators[1..] {
            let other = v.store.header(h).expect("reads").expect("has it");
            assert_eq!(other.hash, first.hash, "block {h}");
            assert_eq!(other.state_root, first.state_root, "state root {h}");
        }
    }
    common
}

fn transfer(nonce: u64) -> SignedTransaction {
    SignedTransaction::new(
        &dev_pair("Alice"),
        dev_genesis().hash(),
        nonce,
        Call::Transfer {
            dest: dev_pair("Bob").public(),
            amount: Balance(1_000),
        },
    )
}

/// Alice's nonce in a validator's committed state (how many transfers were finalized).
fn alice_nonce(v: &Validator) -> u64 {
    let snapshot = v.store.snapshot().expect("snapshot");
    yuma_runtime::Runtime::open(yuma_node::state::BlockState::new(snapshot))
        .account(&dev_pair("Alice").public())
        .nonce
}

async fn submit_transfers(validator: &Validator, count: u64) {
    for nonce in 0..count {
        validator
            .mailbox
            .submit(transfer(nonce))
            .await
            .expect("a valid transfer");
    }
}

#[test]
fn three_of_four_finalize_with_one_crashed() {
    deterministic::Runner::timed(Duration::from_secs(3_600)).start(|context| async move {
        let oracle = network(&context).await;
        connect(&oracle, all_pairs(), &link(10, 2, probability!(1.0))).await;
        // Validator 3 never runs (crashed from the start).
        let mut validators = Vec::new();
        for i in 0..3 {
            validators.push(start_validator(&context, &oracle, i).await);
        }
        for v in &validators {
            submit_transfers(v, 5).await;
        }
        let refs: Vec<&Validator> = validators.iter().collect();
        wait_for(&context, &refs, 30).await;
        let common = assert_same_chain(&refs);
        assert!(common >= 30);
        // Every validator's pool reached a leader at least once.
        while refs.iter().any(|v| alice_nonce(v) < 5) {
            context.sleep(Duration::from_millis(100)).await;
        }
    });
}

#[test]
fn finalizes_over_lossy_slow_links() {
    deterministic::Runner::timed(Duration::from_secs(3_600)).start(|context| async move {
        let oracle = network(&context).await;
        connect(&oracle, all_pairs(), &link(150, 50, probability!(0.75))).await;
        let mut validators = Vec::new();
        for i in 0..N {
            validators.push(start_validator(&context, &oracle, i).await);
        }
        submit_transfers(&validators[1], 10).await;
        let refs: Vec<&Validator> = validators.iter().collect();
        wait_for(&context, &refs, 25).await;
        assert!(assert_same_chain(&refs) >= 25);
    });
}

#[test]
fn a_partition_stops_finality_and_healing_resumes_it() {
    deterministic::Runner::timed(Duration::from_secs(3_600)).start(|context| async move {
        let oracle = network(&context).await;
        let good = link(10, 2, probability!(1.0));
        connect(&oracle, all_pairs(), &good).await;
        let mut validators = Vec::new();
        for i in 0..N {
            validators.push(start_validator(&context, &oracle, i).await);
        }
        let refs: Vec<&Validator> = validators.iter().collect();
        wait_for(&context, &refs, 10).await;

        // Split {0, 1} from {2, 3}: no side has the 3 votes a block needs.
        let across = || [(0, 2), (0, 3), (1, 2), (1, 3)].into_iter();
        disconnect(&oracle, across()).await;
        context.sleep(Duration::from_secs(5)).await;
        let stalled: Vec<u64> = refs.iter().map(|v| height(v)).collect();
        submit_transfers(&validators[0], 3).await;
        context.sleep(Duration::from_secs(60)).await;
        let still: Vec<u64> = refs.iter().map(|v| height(v)).collect();
        assert_eq!(stalled, still, "nothing finalizes without a quorum");

        connect(&oracle, across(), &good).await;
        let target = stalled.iter().max().copied().unwrap_or(0) + 10;
        wait_for(&context, &refs, target).await;
        assert!(assert_same_chain(&refs) >= target);
        while refs.iter().any(|v| alice_nonce(v) < 3) {
            context.sleep(Duration::from_millis(100)).await;
        }
    });
}

#[test]
fn a_late_validator_catches_up_from_its_peers() {
    deterministic::Runner::timed(Duration::from_secs(3_600)).start(|context| async move {
        let oracle = network(&context).await;
        connect(&oracle, all_pairs(), &link(10, 2, probability!(1.0))).await;
        let mut validators = Vec::new();
        for i in 0..3 {
            validators.push(start_validator(&context, &oracle, i).await);
        }
        submit_transfers(&validators[0], 4).await;
        let refs: Vec<&Validator> = validators.iter().collect();
        wait_for(&context, &refs, 40).await;
        // The fourth starts far behind and fetches the finalized blocks it missed.
        validators.push(start_validator(&context, &oracle, 3).await);
        let refs: Vec<&Validator> = validators.iter().collect();
        wait_for(&context, &refs, 60).await;
        assert!(assert_same_chain(&refs) >= 60);
    });
}
