//! `yuma miner --backend-cmd`: a model written in Python, run as a child process, answers a
//! real validator's challenges through the miner's checks, and its stderr reaches the miner's
//! log.

use std::path::PathBuf;
use std::time::Duration;

use yuma_cli::process::Ready;

use crate::devnet::{DevNet, Service};
use crate::validator::{last_score, wait_status};

fn model_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/models/nearest_neighbour.py")
}

#[test]
fn a_python_model_behind_the_miner_is_scored_by_a_validator() {
    let net = DevNet::start();
    let netuid = net.create_subnet(10);
    net.register(netuid, "//Validator1", 100);
    net.register(netuid, "//Python", 0);
    let uid = net.uid(netuid, "//Python");
    let mut miner = Service::start(&[
        "miner".into(),
        "--netuid".into(),
        netuid.0.to_string(),
        "--backend-cmd".into(),
        format!("python3 -u {}", model_script().display()),
        "--uri".into(),
        "//Python".into(),
        "--rpc".into(),
        net.url.clone(),
    ]);
    miner.wait_ready(Ready::Miner, Duration::from_secs(60));
    miner.wait_for_line("nearest-neighbour model ready", Duration::from_secs(30));

    let dir = tempfile::tempdir().expect("a temp dir");
    let status = dir.path().join("status.json");
    let mut validator = Service::start(&[
        "validator".into(),
        "--netuid".into(),
        netuid.0.to_string(),
        "--interval-ms".into(),
        "500".into(),
        "--status-file".into(),
        status.display().to_string(),
        "--uri".into(),
        "//Validator1".into(),
        "--rpc".into(),
        net.url.clone(),
    ]);
    validator.wait_ready(Ready::Validator, Duration::from_secs(30));
    // Nearest neighbour learns the task: once the validator has a permit, it scores above 0.
    wait_status(
        &status,
        Duration::from_secs(90),
        "the Python model scored",
        |d| last_score(d, uid).is_some_and(|s| s > 0.0),
    );
    assert!(miner.running() && validator.running());
}
