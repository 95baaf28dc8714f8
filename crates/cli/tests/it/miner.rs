//! `yuma miner` against a dev node: it publishes its axon, answers a registered validator,
//! refuses unregistered senders without running its model, and refuses to start for a hotkey
//! that is not registered.

use std::time::Duration;

use yuma_neuron::MinerClient;
use yuma_neuron::protocol::QueryError;

use crate::devnet::{DevNet, pair};
use crate::util::yuma_err;

/// The value of a Prometheus counter line starting with `name` (0 when absent).
fn counter(metrics: &str, name: &str) -> f64 {
    metrics
        .lines()
        .filter(|l| l.starts_with(name))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[test]
fn miner_serves_its_axon_and_refuses_strangers_without_work() {
    let net = DevNet::start();
    let netuid = net.create_subnet(10);
    net.register(netuid, "//Miner1", 0);
    let (mut miner, addr) = net.miner(netuid, "//Miner1", "mean", 0);

    // The axon on chain is the bound address.
    let uid = net.uid(netuid, "//Miner1");
    let metagraph = net.metagraph(netuid);
    let axon = metagraph.neurons[usize::from(uid)]
        .axon
        .clone()
        .expect("the miner published its axon");
    assert_eq!(format!("127.0.0.1:{}", axon.port), addr);

    // A hotkey not registered on the subnet is refused (403), so is an unsigned request
    // (401), and the model never runs.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let socket: std::net::SocketAddr = addr.parse().expect("a socket address");
    let receiver = pair("//Miner1").public();
    let stranger = MinerClient::new(pair("//Stranger").into());
    let refused = rt.block_on(stranger.solve::<_, serde_json::Value>(
        socket,
        &receiver,
        &serde_json::json!({}),
        Duration::from_secs(10),
    ));
    match refused {
        Err(QueryError::Status { status, body }) => {
            assert_eq!(status, 403);
            assert!(body.contains("not registered"), "{body}");
        }
        other => panic!("expected 403, got {other:?}"),
    }
    let http = reqwest::Client::new();
    let unsigned = rt
        .block_on(
            http.post(format!("http://{addr}/v1/solve"))
                .body("{}")
                .send(),
        )
        .expect("the miner answers");
    assert_eq!(unsigned.status().as_u16(), 401);
    let metrics = rt
        .block_on(async {
            http.get(format!("http://{addr}/metrics"))
                .send()
                .await?
                .text()
                .await
        })
        .expect("metrics answer");
    assert_eq!(
        counter(&metrics, "yuma_miner_solves_total"),
        0.0,
        "{metrics}"
    );
    assert_eq!(
        counter(&metrics, "yuma_miner_requests_total"),
        2.0,
        "{metrics}"
    );
    assert!(miner.running());

    // SIGTERM stops it cleanly.
    let pid = miner.id().to_string();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(status.success());
    miner.wait_for_line("yuma: stopped", Duration::from_secs(10));
}

#[test]
fn miner_refuses_an_unregistered_hotkey() {
    let net = DevNet::start();
    let netuid = net.create_subnet(10);
    let stderr = yuma_err(
        &[
            "miner",
            "--netuid",
            &netuid.0.to_string(),
            "--model",
            "forest",
            "--uri",
            "//Nobody",
            "--rpc",
            &net.url,
        ],
        1,
    );
    assert!(stderr.contains("not registered"), "{stderr}");
    assert!(stderr.contains("hint: register"), "{stderr}");
}
