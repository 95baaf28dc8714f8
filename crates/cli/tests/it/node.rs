//! `yuma node --dev` end to end: the real binary on a free port, driven by the CLI and by raw
//! JSON-RPC; kill -9 and restart; bad input.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};
use yuma_keys::Pair;
use yuma_primitives::{AccountId, Balance};
use yuma_runtime::codec::Encode;
use yuma_runtime::{Call, SignedTransaction};

use yuma_cli::process::Ready;

use crate::devnet::Service;
use crate::util::yuma_ok;

const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
pub(crate) const BOB: &str = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";

/// A running node; killed when dropped.
pub(crate) struct DevNode {
    service: Service,
    /// `http://127.0.0.1:PORT`.
    pub(crate) url: String,
    /// `127.0.0.1:PORT`.
    pub(crate) addr: String,
}

impl DevNode {
    fn start(base: &Path) -> Self {
        Self::start_with(base, 200)
    }

    /// Starts a dev node on a free port with a block every `block_ms`.
    pub(crate) fn start_with(base: &Path, block_ms: u64) -> Self {
        let block_ms = block_ms.to_string();
        Self::spawn(&[
            "--dev".as_ref(),
            "--block-time".as_ref(),
            block_ms.as_ref(),
            "--base-path".as_ref(),
            base.as_os_str(),
        ])
    }

    /// Starts `yuma node --rpc-port 0 ARGS` and waits for its RPC address.
    pub(crate) fn spawn(args: &[&OsStr]) -> Self {
        let mut all: Vec<&OsStr> = vec!["node".as_ref(), "--rpc-port".as_ref(), "0".as_ref()];
        all.extend_from_slice(args);
        let mut service = Service::start(&all);
        let url = service.wait_ready(Ready::Rpc, Duration::from_secs(60));
        let addr = url.trim_start_matches("http://").to_string();
        Self { service, url, addr }
    }

    /// Sends raw bytes as an HTTP POST body; returns (status, body).
    pub(crate) fn post(&self, body: &[u8]) -> (u16, String) {
        let mut stream = TcpStream::connect(&self.addr).expect("connects to the node");
        let head = format!(
            "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.addr,
            body.len()
        );
        stream.write_all(head.as_bytes()).expect("writes");
        // The node may answer (413) before reading the whole body.
        let _ = stream.write_all(body);
        let mut reply = Vec::new();
        let _ = stream.read_to_end(&mut reply);
        let text = String::from_utf8_lossy(&reply).into_owned();
        let status = text
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("an HTTP status line");
        let body = text
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        (status, body)
    }

    /// Calls a method; returns the whole response object.
    pub(crate) fn rpc(&self, method: &str, params: Value) -> Value {
        let request = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let (status, body) = self.post(request.to_string().as_bytes());
        assert_eq!(status, 200, "{method}: {body}");
        serde_json::from_str(&body).expect("a JSON response")
    }

    pub(crate) fn result(&self, method: &str, params: Value) -> Value {
        let reply = self.rpc(method, params);
        assert!(reply.get("error").is_none(), "{method}: {reply}");
        reply["result"].clone()
    }

    pub(crate) fn free(&self, who: &str) -> u64 {
        self.result("account_balance", json!([who]))
            .as_u64()
            .expect("a balance")
    }

    /// Waits until the head is at least `height`.
    pub(crate) fn wait_for(&self, height: u64) -> Value {
        for _ in 0..600 {
            let head = self.result("chain_head", json!([]));
            if head["number"].as_u64().expect("a number") >= height {
                return head;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the node did not reach block {height}");
    }

    /// SIGTERM, and waits for a clean exit.
    pub(crate) fn stop(mut self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.service.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        let exit = self.service.child().wait().expect("the node exits");
        assert_eq!(exit.code(), Some(0), "a clean stop");
    }

    pub(crate) fn kill9(mut self) {
        self.service.child().kill().expect("SIGKILL");
        let _ = self.service.child().wait();
    }
}

/// Runs `yuma args --rpc URL --json` against `node`; its JSON document.
pub(crate) fn cli(node: &DevNode, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--rpc", &node.url, "--json"]);
    serde_json::from_str(&yuma_ok(&all)).expect("one JSON document")
}

#[test]
fn transfer_subnet_register_and_survive_kill_9() {
    let dir = tempfile::tempdir().expect("temp dir");
    let node = DevNode::start(dir.path());
    let alice0 = node.free(ALICE);
    let bob0 = node.free(BOB);
    assert_eq!(bob0, 1_000_000_000_000_000, "dev accounts hold 1M TAO");
    let issuance0 = node.result("chain_totalIssuance", json!([]));

    let sent = cli(
        &node,
        &[
            "transfer", "--uri", "//Alice", "--dest", BOB, "--amount", "2.5",
        ],
    );
    let fee = sent["included"]["receipt"]["fee"].as_u64().expect("a fee");
    assert!(fee > 0);
    assert_eq!(node.free(BOB), bob0 + 2_500_000_000);
    assert_eq!(node.free(ALICE), alice0 - 2_500_000_000 - fee);
    let balance = cli(&node, &["balance", "--uri", "//Bob"]);
    assert_eq!(balance["free"], json!(bob0 + 2_500_000_000));
    assert!(issuance0.as_u64().is_some());

    let created = cli(&node, &["subnet", "create", "--uri", "//Alice"]);
    assert_eq!(created["netuid"], json!(1));
    let registered = cli(
        &node,
        &["subnet", "register", "--netuid", "1", "--uri", "//Charlie"],
    );
    assert!(registered["uid"].as_u64().is_some(), "{registered}");
    let hyper = cli(&node, &["subnet", "hyperparameters", "1"]);
    assert!(hyper["tempo"].as_u64().is_some(), "{hyper}");
    let subnets = cli(&node, &["subnet", "list"]);
    assert_eq!(subnets.as_array().map(Vec::len), Some(1));
    let metagraph = node.result("subnet_metagraph", json!([1]));
    let hotkeys: Vec<&str> = metagraph["neurons"]
        .as_array()
        .expect("neurons")
        .iter()
        .filter_map(|n| n["hotkey"].as_str())
        .collect();
    assert!(hotkeys.contains(&"5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y"));
    let charlie = "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y";
    let before = node.free(ALICE);
    let staked = cli(
        &node,
        &[
            "stake",
            "add",
            "--uri",
            "//Alice",
            "--netuid",
            "1",
            "--amount",
            "10",
            "--hotkey-address",
            charlie,
        ],
    );
    let fee = staked["included"]["receipt"]["fee"]
        .as_u64()
        .expect("a fee");
    assert_eq!(node.free(ALICE), before - 10_000_000_000 - fee);
    let stakes = cli(&node, &["stake", "list", "--uri", "//Alice"]);
    assert_eq!(stakes[0]["hotkey"], json!(charlie), "{stakes}");
    assert!(stakes[0]["alpha"].as_u64().expect("alpha") > 0);
    let graph = cli(&node, &["metagraph", "--netuid", "1"]);
    assert_eq!(
        graph["neurons"].as_array().map(Vec::len),
        Some(hotkeys.len())
    );

    let block = cli(
        &node,
        &[
            "block",
            &sent["included"]["block"]
                .as_u64()
                .expect("a block")
                .to_string(),
        ],
    );
    assert_eq!(block["receipts"][0]["hash"], sent["hash"]);

    // kill -9, then restart from the same base path: every block seen survives.
    let head = node.wait_for(0);
    let seen = head["number"].as_u64().expect("a number");
    let blocks: Vec<Value> = (0..=seen)
        .map(|n| node.result("chain_block", json!([n]))["header"].clone())
        .collect();
    let bob_after = node.free(BOB);
    node.kill9();
    let node = DevNode::start(dir.path());
    for (n, header) in blocks.iter().enumerate() {
        let again = node.result("chain_block", json!([n]))["header"].clone();
        assert_eq!(&again, header, "block {n} after restart");
    }
    node.wait_for(seen + 2);
    assert_eq!(node.free(BOB), bob_after);
}

#[test]
fn sigterm_stops_cleanly_and_restarts_at_the_head() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut node = DevNode::start(dir.path());
    node.wait_for(3);
    let status = Command::new("kill")
        .args(["-TERM", &node.service.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let exit = node.service.child().wait().expect("the node exits");
    assert_eq!(exit.code(), Some(0));
    let node = DevNode::start(dir.path());
    let head = node.result("chain_head", json!([]));
    assert!(head["number"].as_u64().expect("a number") >= 3);
    let restarted = node.result("chain_block", json!([3]))["header"].clone();
    assert_eq!(restarted["number"], json!(3));
}

fn transfer(genesis: [u8; 32], nonce: u64) -> SignedTransaction {
    let alice = Pair::from_uri("//Alice").expect("dev uri");
    SignedTransaction::new(
        &alice,
        genesis,
        nonce,
        Call::Transfer {
            dest: AccountId::from_ss58(BOB).expect("valid"),
            amount: Balance(1),
        },
    )
}

fn hex_tx(tx: &SignedTransaction) -> String {
    format!("0x{}", hex::encode(tx.encode()))
}

#[test]
fn bad_input_gets_clear_errors_and_the_node_keeps_serving() {
    let dir = tempfile::tempdir().expect("temp dir");
    let node = DevNode::start(dir.path());
    let code = |reply: &Value| reply["error"]["code"].as_i64().expect("an error code");

    let (status, body) = node.post(b"{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\"");
    assert_eq!(status, 200);
    assert_eq!(code(&serde_json::from_str(&body).expect("json")), -32700);

    let (status, body) = node.post(&vec![b' '; 2 << 20]);
    assert_eq!(status, 413);
    assert_eq!(code(&serde_json::from_str(&body).expect("json")), -32600);

    assert_eq!(code(&node.rpc("no_such_method", json!([]))), -32601);
    assert_eq!(
        code(&node.rpc("account_balance", json!(["not ss58"]))),
        -32602
    );
    assert_eq!(code(&node.rpc("tx_submit", json!(["0x0102"]))), 1000);

    let genesis_text = node.result("chain_genesisHash", json!([]));
    let genesis: [u8; 32] =
        hex::decode(genesis_text.as_str().expect("hex").trim_start_matches("0x"))
            .expect("hex")
            .try_into()
            .expect("32 bytes");

    let mut forged = transfer(genesis, 0);
    forged.signature[0] ^= 1;
    let reply = node.rpc("tx_submit", json!([hex_tx(&forged)]));
    assert_eq!(code(&reply), 1000);
    assert!(
        reply["error"]["message"]
            .as_str()
            .expect("message")
            .contains("signature"),
        "{reply}"
    );

    let reply = node.rpc("tx_submit", json!([hex_tx(&transfer([7; 32], 0))]));
    assert_eq!(code(&reply), 1000);
    assert!(
        reply["error"]["message"]
            .as_str()
            .expect("message")
            .contains("chain"),
        "{reply}"
    );

    let tx = transfer(genesis, 0);
    let included = node.result("tx_submit", json!([hex_tx(&tx), true]));
    assert_eq!(included["included"]["receipt"]["success"], json!(true));
    let replay = node.rpc("tx_submit", json!([hex_tx(&tx)]));
    assert_eq!(code(&replay), 1000, "{replay}");
    assert!(
        replay["error"]["message"]
            .as_str()
            .expect("message")
            .contains("nonce"),
        "{replay}"
    );

    let err = crate::util::yuma_err(
        &[
            "transfer", "--uri", "//Alice", "--dest", BOB, "--amount", "99999999", "--rpc",
            &node.url,
        ],
        1,
    );
    assert!(err.contains("would fail"), "{err}");

    // Still serving.
    let head = node.result("chain_head", json!([]));
    assert!(head["number"].as_u64().is_some());
}

#[test]
fn bench_node_reports_both_rates() {
    let out = yuma_ok(&[
        "bench",
        "node",
        "--txs",
        "60",
        "--senders",
        "6",
        "--block-time",
        "20",
        "--batch",
        "7",
        "--json",
    ]);
    let report: Value = serde_json::from_str(&out).expect("one JSON document");
    assert_eq!(report["txs"], json!(60));
    assert!(report["node_tps"].as_u64().expect("a rate") > 0, "{report}");
    assert!(report["verify_per_second"].as_u64().expect("a rate") > 0);
    assert!(report["blocks"].as_u64().expect("blocks") >= 1);
    assert!(report["ratio"].as_f64().expect("a ratio") > 0.0);
}
