//! `yuma validator` against a dev node and real miners: it scores them, commits and reveals
//! weights, scores a crashed or hanging miner 0 without stopping, and picks a restarted miner
//! up again.

use std::net::TcpListener;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use yuma_cli::process::Ready;

use crate::devnet::{DevNet, Service};

/// Polls the status file until `check` holds for it; returns that document.
pub(crate) fn wait_status(
    path: &Path,
    within: Duration,
    what: &str,
    check: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + within;
    let mut last = Value::Null;
    while Instant::now() < deadline {
        if let Ok(text) = std::fs::read(path)
            && let Ok(doc) = serde_json::from_slice::<Value>(&text)
        {
            if check(&doc) {
                return doc;
            }
            last = doc;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("status never showed {what} within {within:?}; last: {last}");
}

pub(crate) fn miner_entry(doc: &Value, uid: u16) -> Option<&Value> {
    doc["miners"]
        .as_array()?
        .iter()
        .find(|m| m["uid"].as_u64() == Some(u64::from(uid)))
}

pub(crate) fn last_score(doc: &Value, uid: u16) -> Option<f64> {
    miner_entry(doc, uid)?["last_score"].as_f64()
}

#[test]
fn validator_scores_miners_survives_crashes_and_hangs_and_picks_restarts_up() {
    let net = DevNet::start();
    let netuid = net.create_subnet(20);
    net.register(netuid, "//Validator1", 100);
    net.register(netuid, "//Forest", 0);
    net.register(netuid, "//Hang", 0);
    let forest = net.uid(netuid, "//Forest");
    let hang = net.uid(netuid, "//Hang");

    // A "miner" that accepts connections and never answers.
    let hang_listener = TcpListener::bind("127.0.0.1:0").expect("binds");
    let hang_port = hang_listener.local_addr().expect("an address").port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in hang_listener.incoming().flatten() {
            held.push(stream);
        }
    });
    net.serve_axon(netuid, "//Hang", hang_port);

    let (mut miner, addr) = net.miner(netuid, "//Forest", "forest", 0);
    let port: u16 = addr
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("a port");

    let dir = tempfile::tempdir().expect("a temp dir");
    let status = dir.path().join("status.json");
    let mut validator = Service::start(&[
        "validator".into(),
        "--netuid".into(),
        netuid.0.to_string(),
        "--interval-ms".into(),
        "500".into(),
        "--timeout-ms".into(),
        "1500".into(),
        "--status-file".into(),
        status.display().to_string(),
        "--uri".into(),
        "//Validator1".into(),
        "--rpc".into(),
        net.url.clone(),
    ]);
    validator.wait_ready(Ready::Validator, Duration::from_secs(30));

    // Once the validator has a permit (first epoch), the forest miner scores above 0 and the
    // hanging one exactly 0.
    let doc = wait_status(&status, Duration::from_secs(60), "forest scored", |d| {
        last_score(d, forest).is_some_and(|s| s > 0.0) && last_score(d, hang) == Some(0.0)
    });
    assert_eq!(doc["netuid"], u64::from(netuid.0));
    assert_eq!(miner_entry(&doc, hang).expect("hang entry")["weight"], 0);

    // Weights are committed, then revealed a tempo later.
    validator.wait_for_line("committed weights", Duration::from_secs(60));
    validator.wait_for_line("revealed weights", Duration::from_secs(60));

    // The forest miner crashes: the validator keeps running and scores it 0.
    miner.kill();
    wait_status(
        &status,
        Duration::from_secs(30),
        "crashed miner at 0",
        |d| last_score(d, forest) == Some(0.0),
    );
    assert!(
        validator.running(),
        "the validator survives a crashed miner"
    );

    // It restarts on the same port and is scored again.
    let (_miner, _) = net.miner(netuid, "//Forest", "forest", port);
    wait_status(
        &status,
        Duration::from_secs(30),
        "restarted miner scored",
        |d| last_score(d, forest).is_some_and(|s| s > 0.0),
    );
    assert!(validator.running());
}
