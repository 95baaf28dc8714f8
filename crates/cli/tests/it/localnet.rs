//! `yuma localnet` end to end: the real binary with its node, validators and miners on a free
//! port and a temporary data dir. Two runs check that incentive follows the miners' quality
//! and that three sybils of the forest miner earn, with it, no more than it did alone; one
//! checks that SIGTERM leaves no child behind and that a second start resumes.

use std::io::{Read as _, Write as _};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;

use crate::devnet::Service;
use crate::util::yuma;

/// Fast chain parameters for tests: an epoch every 11 blocks of 250 ms.
const FAST: [&str; 4] = ["--block-time", "250", "--tempo", "10"];

/// A running `yuma localnet` whose stderr lines arrive on a channel (and are echoed, so a
/// failing test shows them).
pub(crate) struct Localnet(Service);

impl Localnet {
    pub(crate) fn start(data_dir: &Path, extra: &[&str]) -> Self {
        let mut command = yuma();
        command
            .arg("localnet")
            .args(["--rpc-port", "0", "--json"])
            .args(FAST)
            .arg("--data-dir")
            .arg(data_dir)
            .args(extra)
            .stdout(Stdio::piped());
        Self(Service::spawn(command, Some("localnet")))
    }

    /// Every stderr line seen so far.
    fn seen(&self) -> &[String] {
        self.0.seen()
    }

    /// Waits for a stderr line containing `text` and returns it.
    fn wait_for(&mut self, text: &str, timeout: Duration) -> String {
        self.0.wait_for_line(text, timeout)
    }

    /// Waits for the exit (at most `timeout`), asserts success and returns the JSON on stdout.
    pub(crate) fn finish(mut self, timeout: Duration) -> Value {
        let deadline = std::time::Instant::now() + timeout;
        let child = self.0.child();
        let status = loop {
            if let Some(status) = child.try_wait().expect("waits") {
                break status;
            }
            if std::time::Instant::now() >= deadline {
                let _ = child.kill();
                panic!("localnet did not stop in time");
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        // Drain stderr so the transcript is complete.
        self.0.drain();
        assert!(
            status.success(),
            "localnet failed: {status}\n{}",
            self.seen().join("\n")
        );
        let mut stdout = String::new();
        std::io::Read::read_to_string(
            self.0.child().stdout.as_mut().expect("stdout is piped"),
            &mut stdout,
        )
        .expect("reads stdout");
        serde_json::from_str(&stdout).expect("stdout is one JSON document")
    }

    /// The children's process ids, from the lines printed once every neuron is up.
    fn child_pids(&self) -> Vec<i32> {
        self.seen()
            .iter()
            .filter_map(|l| l.split(" pid ").nth(1))
            .filter_map(|rest| rest.split_whitespace().next()?.parse().ok())
            .collect()
    }

    fn terminate(&self) {
        let pid = i32::try_from(self.0.id()).expect("pids fit i32");
        // SAFETY: kill has no memory effects; the pid is our own unreaped child.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    }
}

/// A plain HTTP/1.1 GET of `path` on `addr`; the whole response.
fn http_get(addr: &str, path: &str) -> String {
    let mut stream = std::net::TcpStream::connect(addr).expect("connects");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("writes");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("reads");
    response
}

fn alive(pid: i32) -> bool {
    // A reaped process has no /proc entry; a reused pid would not be a yuma process.
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .is_ok_and(|c| String::from_utf8_lossy(&c).contains("yuma"))
}

fn miners(report: &Value) -> Vec<(String, u64, String)> {
    report["miners"]
        .as_array()
        .expect("miners")
        .iter()
        .map(|m| {
            (
                m["name"].as_str().expect("name").to_owned(),
                m["uid"].as_u64().expect("uid"),
                m["hotkey"].as_str().expect("hotkey").to_owned(),
            )
        })
        .collect()
}

/// The share of miner emission the forest miner (with its sybils) earned.
fn forest_share(report: &Value) -> f64 {
    report["forest_share"]
        .as_f64()
        .unwrap_or_else(|| panic!("no miner emission: {report:#}"))
}

#[test]
fn incentive_follows_quality_and_sybils_share_one_models_earnings() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let net = Localnet::start(
        &dir.path().join("honest"),
        &["--epochs", "6", "--seed", "7"],
    );
    let report = net.finish(Duration::from_secs(300));
    assert_eq!(report["epochs"], 6, "{report:#}");
    assert_eq!(miners(&report).len(), 6);
    let rho = report["spearman"]
        .as_f64()
        .unwrap_or_else(|| panic!("no spearman: {report:#}"));
    assert!(rho >= 0.9, "spearman {rho} < 0.9: {report:#}");
    let low = report["low_quality_share"]
        .as_f64()
        .unwrap_or_else(|| panic!("no miner emission: {report:#}"));
    assert!(low < 0.05, "mean+random earned {low}: {report:#}");

    // The forest again, on the same tasks, plus three hotkeys of its coldkey serving the same
    // model: scored by marginal contribution, the four together earn no more than the forest
    // alone did.
    let alone = forest_share(&report);
    let net = Localnet::start(
        &dir.path().join("sybils"),
        &["--epochs", "6", "--seed", "7", "--sybils", "3"],
    );
    let report = net.finish(Duration::from_secs(300));
    assert_eq!(miners(&report).len(), 9);
    let together = forest_share(&report);
    assert!(
        together <= 1.1 * alone,
        "the forest and its sybils earned {together}, the forest alone {alone}: {report:#}"
    );
    let rho = report["spearman"]
        .as_f64()
        .unwrap_or_else(|| panic!("no spearman: {report:#}"));
    assert!(
        rho >= 0.9,
        "honest miners' spearman {rho} < 0.9: {report:#}"
    );
}

#[test]
fn sigterm_reaps_every_child_and_a_restart_resumes() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut first = Localnet::start(dir.path(), &[]);
    first.wait_for("all neurons up", Duration::from_secs(180));
    let pids = first.child_pids();
    // Eight neurons and the gateway.
    assert_eq!(pids.len(), 9, "{}", first.seen().join("\n"));
    assert!(pids.iter().all(|&p| alive(p)));
    let gateway = first
        .seen()
        .iter()
        .find_map(|l| l.split("gateway http://").nth(1)?.split_whitespace().next())
        .unwrap_or_else(|| panic!("no gateway URL in:\n{}", first.seen().join("\n")))
        .to_owned();
    let pricing = http_get(&gateway, "/v1/pricing");
    assert!(pricing.starts_with("HTTP/1.1 200"), "{pricing}");
    assert!(pricing.contains("\"price_per_query_rao\""), "{pricing}");
    first.terminate();
    let before = first.finish(Duration::from_secs(30));
    let left: Vec<i32> = pids.into_iter().filter(|&p| alive(p)).collect();
    assert!(left.is_empty(), "children left behind: {left:?}");

    let mut second = Localnet::start(dir.path(), &["--blocks", "2"]);
    second.wait_for("wallets: 8 in", Duration::from_secs(60));
    assert!(
        second
            .seen()
            .last()
            .is_some_and(|l| l.contains("(0 created"))
    );
    second.wait_for("exists, reusing it", Duration::from_secs(60));
    second.wait_for("0 registered, 0 validators staked", Duration::from_secs(60));
    let after = second.finish(Duration::from_secs(180));
    assert_eq!(miners(&before), miners(&after));
    assert!(
        after["block"].as_u64() > before["block"].as_u64(),
        "the chain restarted: {before} then {after}"
    );
}
