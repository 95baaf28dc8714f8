//! Crash safety of the real `yuma node --dev`: kill -9 at random moments under a load of
//! transfers, restart, and check that no block reported as committed is lost; finally replay
//! every committed block on a fresh, uninterrupted application and check that each height's
//! state root, and the crashed node's final state, match.
//!
//! `YUMA_CRASH_ROUNDS` (default 20) sets the number of kills, `YUMA_CRASH_SEED` the seed of
//! the kill times (printed on stderr).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use yuma_keys::Pair;
use yuma_node::application::{Actor, Config as AppConfig};
use yuma_node::block::Block;
use yuma_node::genesis::dev_genesis;
use yuma_node::state::BlockState;
use yuma_primitives::Balance;
use yuma_runtime::codec::Decode;
use yuma_runtime::{Call, Runtime, SignedTransaction};
use yuma_store::Store;

use crate::node::DevNode;

const SENDERS: [&str; 4] = ["//Bob", "//Charlie", "//Dave", "//Eve"];

/// xorshift64*: the kill times only need to vary, and be reproducible from the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|v| {
        v.parse()
            .unwrap_or_else(|_| panic!("{name} must be an integer, not {v:?}"))
    })
}

/// Submits transfers from every sender until `stop`; errors (the node died, a nonce already
/// pending) only end the burst.
fn load(url: String, stop: Arc<AtomicBool>) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let client = yuma_client::Client::new(url);
    let pairs: Vec<Pair> = SENDERS
        .iter()
        .map(|u| Pair::from_uri(u).expect("dev uri"))
        .collect();
    let dest = Pair::from_uri("//Ferdie").expect("dev uri").public();
    rt.block_on(async {
        let Ok(genesis) = client.genesis_hash().await else {
            return;
        };
        while !stop.load(Ordering::Relaxed) {
            for pair in &pairs {
                let Ok(account) = client.account(&pair.public()).await else {
                    return;
                };
                for nonce in account.nonce..account.nonce + 8 {
                    let call = Call::Transfer {
                        dest,
                        amount: Balance(1 + nonce),
                    };
                    let tx = SignedTransaction::new(pair, genesis, nonce, call);
                    if client.submit(&tx, false).await.is_err() {
                        break;
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });
}

fn head(node: &DevNode) -> (u64, Value) {
    let head = node.result("chain_head", json!([]));
    (head["number"].as_u64().expect("a number"), head)
}

#[test]
fn kill_9_under_load_loses_nothing_and_replays_to_the_same_state() {
    let rounds = env_u64("YUMA_CRASH_ROUNDS").unwrap_or(20);
    let seed = env_u64("YUMA_CRASH_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
            | 1
    });
    eprintln!("crash test: {rounds} rounds, YUMA_CRASH_SEED={seed}");
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().expect("temp dir");
    // Heads the node reported as committed, by height.
    let mut reported: Vec<(u64, Value)> = Vec::new();
    for round in 0..rounds {
        let node = DevNode::start_with(dir.path(), 40);
        for (height, header) in &reported {
            let again = node.result("chain_block", json!([height]))["header"].clone();
            assert_eq!(
                &again, header,
                "round {round}: committed block {height} was lost"
            );
        }
        let stop = Arc::new(AtomicBool::new(false));
        let loader = {
            let (url, stop) = (node.url.clone(), stop.clone());
            std::thread::spawn(move || load(url, stop))
        };
        std::thread::sleep(Duration::from_millis(100 + rng.next() % 500));
        let (height, header) = head(&node);
        if reported.last().is_none_or(|(h, _)| *h < height) {
            reported.push((height, header));
        }
        // Part of the kills land right after a read, part at an arbitrary later moment.
        if rng.next().is_multiple_of(2) {
            std::thread::sleep(Duration::from_millis(rng.next() % 60));
        }
        node.kill9();
        stop.store(true, Ordering::Relaxed);
        loader.join().expect("the load thread ends");
    }

    // The chain as the crashed node left it.
    let crashed = Store::open(dir.path().join("chain.redb")).expect("the store reopens");
    let top = crashed.head().expect("reads").expect("a head");
    let txs: usize = (1..=top.height)
        .map(|h| block_at(&crashed, h).txs.len())
        .sum();
    eprintln!("crash test: {} blocks, {txs} transactions", top.height);
    assert!(txs > 0, "the load reached the chain");
    let last_reported = reported.last().map_or(0, |(h, _)| *h);
    assert!(top.height >= last_reported);

    // An uninterrupted application fed the same blocks: each must verify (same state root at
    // every height) and commit.
    let fresh_dir = tempfile::tempdir().expect("temp dir");
    let fresh = Arc::new(Store::open(fresh_dir.path().join("chain.redb")).expect("opens"));
    let (finalized, _) = tokio::sync::broadcast::channel(4);
    let (actor, mailbox) = Actor::new(AppConfig {
        store: fresh.clone(),
        genesis: dev_genesis(),
        mempool: yuma_node::mempool::Limits::default(),
        max_block_txs: 4096,
        metrics: Arc::new(yuma_node::metrics::Metrics::new()),
        finalized,
    })
    .expect("a fresh application");
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime")
            .block_on(actor.run());
    });
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    for height in 1..=top.height {
        let block = block_at(&crashed, height);
        let hash = block.hash();
        assert!(
            rt.block_on(mailbox.verify(block)).expect("answers"),
            "block {height} does not re-execute to its state root"
        );
        let header = rt.block_on(mailbox.finalize(hash)).expect("commits");
        let stored = crashed.header(height).expect("reads").expect("a header");
        assert_eq!(
            header.state_root, stored.state_root,
            "state root at {height}"
        );
    }
    // The crashed node's state on disk is the replayed state, key for key.
    let on_disk = Runtime::open(BlockState::new(crashed.snapshot().expect("a snapshot")));
    let replayed = Runtime::open(BlockState::new(fresh.snapshot().expect("a snapshot")));
    assert_eq!(on_disk.recompute_state_root(), top.state_root);
    assert_eq!(replayed.recompute_state_root(), top.state_root);
}

fn block_at(store: &Store, height: u64) -> Block {
    let bytes = store
        .block(height)
        .expect("reads")
        .unwrap_or_else(|| panic!("block {height} is stored"));
    Block::decode(&bytes).expect("a stored block decodes")
}
