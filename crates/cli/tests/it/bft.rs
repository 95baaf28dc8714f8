//! Four real `yuma node` validator processes on loopback: kill one and the others keep
//! finalizing; restart it and it catches up to the same blocks and state roots; kill two and
//! finality stops, then resumes when one returns; no finalized block ever changes.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use yuma_cli::process::free_port_block;

use crate::node::{BOB, DevNode};
use crate::util::yuma_ok;

/// One validator process; killed when dropped.
struct Validator(DevNode);

impl Validator {
    fn start(spec: &Path, key: &Path, base: &Path) -> Self {
        Self(DevNode::spawn(&[
            "--chain-spec".as_ref(),
            spec.as_os_str(),
            "--key".as_ref(),
            key.as_os_str(),
            "--base-path".as_ref(),
            base.as_os_str(),
        ]))
    }

    fn result(&self, method: &str, params: Value) -> Value {
        self.0.result(method, params)
    }

    fn free(&self, who: &str) -> u64 {
        self.0.free(who)
    }

    fn finalized(&self) -> u64 {
        self.result("chain_finalizedHead", json!([]))["number"]
            .as_u64()
            .expect("a number")
    }

    /// (hash, state root) of the finalized block at `height`.
    fn block(&self, height: u64) -> (String, String) {
        let block = self.result("chain_block", json!([height]));
        (
            block["header"]["hash"]
                .as_str()
                .expect("a hash")
                .to_string(),
            block["header"]["state_root"]
                .as_str()
                .expect("a root")
                .to_string(),
        )
    }

    fn wait_for(&self, height: u64) {
        for _ in 0..1200 {
            if self.finalized() >= height {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("validator {} did not finalize block {height}", self.0.addr);
    }
}

/// Every validator holds the same blocks and state roots up to `height`, and `earlier`
/// (blocks seen finalized before) is unchanged.
fn assert_same(validators: &[&Validator], height: u64, earlier: &[(String, String)]) {
    for h in 1..=height {
        let first = validators[0].block(h);
        for v in &validators[1..] {
            assert_eq!(v.block(h), first, "block {h}");
        }
        if let Some(seen) = earlier.get(h as usize - 1) {
            assert_eq!(&first, seen, "finalized block {h} changed");
        }
    }
}

#[test]
fn four_validators_survive_crashes_and_restarts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base_port = free_port_block(4).expect("free p2p ports").to_string();
    yuma_ok(&[
        "chain",
        "spec",
        "--validators",
        "4",
        "--block-time",
        "100",
        "--base-port",
        &base_port,
        "--out",
        dir.path().to_str().expect("a UTF-8 path"),
    ]);
    let spec = dir.path().join("chain-spec.json");
    let key = |i: usize| dir.path().join(format!("validator-{i}.key"));
    let base = |i: usize| -> PathBuf { dir.path().join(format!("node-{i}")) };
    let start = |i: usize| Validator::start(&spec, &key(i), &base(i));

    let mut nodes: Vec<Option<Validator>> = (0..4).map(|i| Some(start(i))).collect();
    let up = |nodes: &[Option<Validator>]| -> Vec<usize> {
        (0..4).filter(|&i| nodes[i].is_some()).collect()
    };
    let wait_all = |nodes: &[Option<Validator>], height: u64| {
        for v in nodes.iter().flatten() {
            v.wait_for(height);
        }
    };
    wait_all(&nodes, 5);
    let live: Vec<&Validator> = nodes.iter().flatten().collect();
    assert_same(&live, 5, &[]);
    let seen: Vec<(String, String)> = (1..=5).map(|h| live[0].block(h)).collect();

    // Kill one: the other three keep finalizing.
    nodes[3] = None;
    let h = nodes[0].as_ref().expect("up").finalized();
    wait_all(&nodes, h + 10);

    // Restart it: it catches up to the same blocks and state roots.
    nodes[3] = Some(start(3));
    let h = nodes[0].as_ref().expect("up").finalized();
    wait_all(&nodes, h + 5);
    let live: Vec<&Validator> = nodes.iter().flatten().collect();
    assert_same(&live, h + 5, &seen);
    assert_eq!(up(&nodes), vec![0, 1, 2, 3]);

    // The CLI works against any validator: a transfer sent to one is final on all.
    let bob0 = live[3].free(BOB);
    let rpc1 = live[1].0.url.clone();
    let sent: Value = serde_json::from_str(&yuma_ok(&[
        "transfer", "--uri", "//Alice", "--dest", BOB, "--amount", "1.5", "--rpc", &rpc1, "--json",
    ]))
    .expect("one JSON document");
    let included = sent["included"]["block"]
        .as_u64()
        .expect("included in a block");
    live[3].wait_for(included);
    assert_eq!(live[3].free(BOB), bob0 + 1_500_000_000);

    // Kill two: no quorum, finality stops.
    nodes[2] = None;
    nodes[3] = None;
    std::thread::sleep(Duration::from_secs(3));
    let stalled = nodes
        .iter()
        .flatten()
        .map(Validator::finalized)
        .max()
        .unwrap_or(0);
    std::thread::sleep(Duration::from_secs(5));
    for v in nodes.iter().flatten() {
        assert!(
            v.finalized() <= stalled,
            "nothing finalizes with two of four validators"
        );
    }

    // One returns: finality resumes.
    nodes[2] = Some(start(2));
    wait_all(&nodes, stalled + 5);
    let live: Vec<&Validator> = nodes.iter().flatten().collect();
    assert_same(&live, stalled + 5, &seen);
}
