//! The dashboard in a real browser: a localnet serves it, headless Chromium loads it.

use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use yuma_cli::process::free_ports;

use crate::browser::Browser;
use crate::util::yuma;

/// A `yuma localnet` child, stopped with SIGTERM (so it reaps its own children) when dropped.
struct Localnet(Child);

impl Drop for Localnet {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Where CI keeps the screenshot: `$YUMA_ARTIFACTS`, or `target/artifacts`.
fn artifact(name: &str) -> PathBuf {
    let dir = std::env::var_os("YUMA_ARTIFACTS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/artifacts"),
        PathBuf::from,
    );
    dir.join(name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs YUMA_CHROMIUM (run scripts/test)"]
async fn dashboard_of_a_running_localnet_is_live() {
    let data = tempfile::tempdir().expect("temp dir");
    let port = free_ports(1).expect("a free port")[0];
    let log = std::fs::File::create(data.path().join("localnet.log")).expect("log file");
    let child = yuma()
        .args(["localnet", "--rpc-port", &port.to_string(), "--data-dir"])
        .arg(data.path().join("net"))
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start yuma localnet");
    let _localnet = Localnet(child);
    let url = format!("http://127.0.0.1:{port}/");

    let mut browser = Browser::launch().await;
    // The node answers once localnet has started it; reload until the page is there.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        browser.goto(&url).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        if browser.eval("!!document.getElementById('head')").await == true {
            break;
        }
        assert!(Instant::now() < deadline, "the dashboard never loaded");
    }
    browser
        .wait_until(
            "the page is connected",
            "document.body.dataset.ready === 'true'",
            Duration::from_secs(30),
        )
        .await;

    let head = "Number(document.getElementById('head').textContent.slice(1))";
    let first = browser.eval(head).await.as_u64().expect("head is a number");
    browser
        .wait_until(
            "the head advances",
            &format!("{head} > {first}"),
            Duration::from_secs(30),
        )
        .await;
    // Two validators and six miners (and the subnet owner's hotkey).
    browser
        .wait_until(
            "the metagraph lists the miners",
            "document.querySelectorAll('#metagraph tbody tr').length >= 8 \
             && !document.querySelector('#metagraph td.empty')",
            Duration::from_secs(120),
        )
        .await;
    browser
        .wait_until(
            "the incentive chart draws the miners",
            "document.querySelectorAll('#chart-incentive path.series').length >= 4",
            Duration::from_secs(240),
        )
        .await;
    browser
        .wait_until(
            "the emission chart draws",
            "document.querySelectorAll('#chart-emission path.series').length >= 4",
            Duration::from_secs(30),
        )
        .await;
    let subnets = browser
        .eval("document.querySelectorAll('#subnets tbody tr[data-netuid]').length")
        .await;
    assert_eq!(subnets, 1, "one subnet listed");

    let shot = artifact("dashboard.png");
    browser.screenshot(&shot).await;
    eprintln!("dashboard screenshot: {}", shot.display());
}
