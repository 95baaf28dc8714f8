//! Programs outside `yuma`: models written in Python behind `yuma miner --backend-cmd`, run as
//! child processes, answer real validators' challenges through the miner's checks (their
//! stderr reaches the miner's log), and a task written in Python behind `yuma validator
//! --task-cmd` draws the challenges and scores the answers.

use std::path::{Path, PathBuf};
use std::time::Duration;

use yuma_cli::process::Ready;

use crate::devnet::{DevNet, Service};
use crate::validator::{last_score, wait_status};

fn model_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/models/nearest_neighbour.py")
}

/// The repository's Python package (`python/`).
fn python_package() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../python")
}

/// A command line running one of the Python package's examples with the package importable.
fn example(script: &str, args: &str) -> String {
    let package = python_package();
    format!(
        "PYTHONPATH={} python3 -u {} {args}",
        package.display(),
        package.join("examples").join(script).display()
    )
}

/// `yuma validator` with the status file `status` and `extra` flags.
fn validator(net: &DevNet, netuid: u16, status: &Path, extra: &[&str]) -> Service {
    let mut args: Vec<String> = [
        "validator",
        "--netuid",
        &netuid.to_string(),
        "--interval-ms",
        "500",
        "--status-file",
        &status.display().to_string(),
        "--uri",
        "//Validator1",
        "--rpc",
        &net.url,
    ]
    .map(str::to_owned)
    .to_vec();
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let mut validator = Service::start(&args);
    validator.wait_ready(Ready::Validator, Duration::from_secs(60));
    validator
}

/// `yuma miner` for `hotkey` answering with the child process `command`.
fn miner(net: &DevNet, netuid: u16, hotkey: &str, command: String) -> Service {
    let mut miner = Service::start(&[
        "miner".into(),
        "--netuid".into(),
        netuid.to_string(),
        "--backend-cmd".into(),
        command,
        "--uri".into(),
        hotkey.into(),
        "--rpc".into(),
        net.url.clone(),
    ]);
    miner.wait_ready(Ready::Miner, Duration::from_secs(60));
    miner
}

#[test]
fn a_python_model_behind_the_miner_is_scored_by_a_validator() {
    let net = DevNet::start();
    let netuid = net.create_subnet(10);
    net.register(netuid, "//Validator1", 100);
    net.register(netuid, "//Python", 0);
    let uid = net.uid(netuid, "//Python");
    let mut miner = miner(
        &net,
        netuid.0,
        "//Python",
        format!("python3 -u {}", model_script().display()),
    );
    miner.wait_for_line("nearest-neighbour model ready", Duration::from_secs(30));
    let dir = tempfile::tempdir().expect("a temp dir");
    let status = dir.path().join("status.json");
    let mut validator = validator(&net, netuid.0, &status, &[]);
    // Nearest neighbour learns the task: once the validator has a permit, it scores above 0.
    wait_status(
        &status,
        Duration::from_secs(90),
        "the Python model scored",
        |d| last_score(d, uid).is_some_and(|s| s > 0.0),
    );
    assert!(miner.running() && validator.running());
}

#[test]
fn a_python_task_scores_python_miners_by_what_they_add() {
    let net = DevNet::start();
    let netuid = net.create_subnet(10);
    net.register(netuid, "//Validator1", 100);
    for hotkey in ["//Good", "//Copy", "//Random"] {
        net.register(netuid, hotkey, 0);
    }
    let uid = |hotkey| net.uid(netuid, hotkey);
    let (good, copy, random) = (uid("//Good"), uid("//Copy"), uid("//Random"));
    let _miners = [
        miner(
            &net,
            netuid.0,
            "//Good",
            example("ranking_miner.py", "--quality good"),
        ),
        miner(
            &net,
            netuid.0,
            "//Copy",
            example("ranking_miner.py", "--quality good"),
        ),
        miner(
            &net,
            netuid.0,
            "//Random",
            example("ranking_miner.py", "--quality random"),
        ),
    ];
    let dir = tempfile::tempdir().expect("a temp dir");
    let status = dir.path().join("status.json");
    let task = example("ranking_task.py", "");
    let mut validator = validator(&net, netuid.0, &status, &["--task-cmd", &task]);
    assert!(
        validator
            .seen()
            .iter()
            .any(|l| l.contains("task program \"noisy-ranking\" (combines answers")),
        "{:?}",
        validator.seen()
    );
    // Scored by marginal contribution: the good model and its copy share one model's credit,
    // the random ranking adds nothing; each answer's own quality is kept apart.
    let first = wait_status(&status, Duration::from_secs(120), "a step scored", |d| {
        last_score(d, good).is_some_and(|s| s > 0.0)
    });
    let first_block = first["block"].as_u64().expect("a block");
    // About twelve steps (a step every 500 ms, a block every 100 ms), so the averages settle.
    let doc = wait_status(
        &status,
        Duration::from_secs(120),
        "twelve steps scored",
        |d| d["block"].as_u64().is_some_and(|b| b >= first_block + 60),
    );
    let entry = |u| {
        crate::validator::miner_entry(&doc, u)
            .expect("scored")
            .clone()
    };
    let quality = |u| entry(u)["quality_ema"].as_f64().expect("a quality");
    let paid = |u| entry(u)["score_ema"].as_f64().expect("a score");
    assert!(quality(good) > 0.3 && quality(copy) > 0.3, "{doc}");
    assert!(quality(random) < 0.25, "{doc}");
    assert!(paid(random) < paid(good) / 4.0, "{doc}");
    // The two good miners give the same ranking: one player, its value shared equally.
    let ratio = paid(copy) / paid(good);
    assert!((0.7..=1.43).contains(&ratio), "{doc}");
    assert!(validator.running());
}

/// A task that draws challenges but crashes whenever it scores, after printing noise.
const CRASHING_TASK: &str = r#"
import json, os, sys
for line in sys.stdin:
    r = json.loads(line)
    if r["method"] == "info":
        out = {"protocol": 1, "name": "crashing", "combine": False}
    elif r["method"] == "challenge":
        out = {"challenge": {"readings": [[1.0], [2.0]]}, "secret": 0}
    else:
        print("garbage on stdout", flush=True)
        os._exit(1)
    print(json.dumps({"id": r["id"], "result": out}), flush=True)
"#;

#[test]
fn a_task_that_cannot_score_skips_steps_and_sets_no_weights() {
    let net = DevNet::start();
    let netuid = net.create_subnet(10);
    net.register(netuid, "//Validator1", 100);
    net.register(netuid, "//Good", 0);
    let _miner = miner(
        &net,
        netuid.0,
        "//Good",
        example("ranking_miner.py", "--quality good"),
    );
    let dir = tempfile::tempdir().expect("a temp dir");
    let task = dir.path().join("crashing_task.py");
    std::fs::write(&task, CRASHING_TASK).expect("writes the task");
    let status = dir.path().join("status.json");
    let command = format!("python3 -u {}", task.display());
    let mut validator = validator(&net, netuid.0, &status, &["--task-cmd", &command]);
    // Each step fails with a clear line, the validator keeps going, and with no scores it
    // commits no weights (a tempo is 10 blocks of 100 ms: several tempos pass).
    for _ in 0..3 {
        validator.wait_for_line("step failed: scoring the answers:", Duration::from_secs(60));
    }
    std::thread::sleep(Duration::from_secs(3));
    validator.drain();
    assert!(validator.running());
    let seen = validator.seen().join("\n");
    assert!(!seen.contains("committed weights"), "{seen}");
    assert!(!seen.contains("panicked"), "{seen}");
}

/// A command line running a Python package example with the interop venv's Python, which has
/// scikit-learn (scripts/test installs it).
fn venv_example(script: &str, args: &str) -> String {
    let python = std::env::var("YUMA_PYTHON").expect("YUMA_PYTHON (run scripts/test)");
    example(script, args).replacen("python3", &python, 1)
}

#[test]
#[ignore = "needs YUMA_PYTHON with scikit-learn (run scripts/test)"]
fn scikit_learn_miners_under_the_python_tabular_task_earn_in_order_of_quality() {
    let net = DevNet::start();
    let netuid = net.create_subnet(10);
    net.register(netuid, "//Validator1", 100);
    let models = ["gbm", "linear", "constant"];
    for model in models {
        net.register(netuid, &format!("//{model}"), 0);
    }
    let _miners: Vec<Service> = models
        .iter()
        .map(|m| {
            let command = venv_example("sklearn_miner.py", &format!("--model {m}"));
            miner(&net, netuid.0, &format!("//{m}"), command)
        })
        .collect();
    let uids: Vec<u16> = models
        .iter()
        .map(|m| net.uid(netuid, &format!("//{m}")))
        .collect();
    let dir = tempfile::tempdir().expect("a temp dir");
    let status = dir.path().join("status.json");
    let task = venv_example("tabular_task.py", "");
    let _validator = validator(&net, netuid.0, &status, &["--task-cmd", &task]);
    let first = wait_status(&status, Duration::from_secs(120), "a step scored", |d| {
        last_score(d, uids[0]).is_some_and(|s| s > 0.0)
    });
    let first_block = first["block"].as_u64().expect("a block");
    let doc = wait_status(
        &status,
        Duration::from_secs(180),
        "twelve steps scored",
        |d| d["block"].as_u64().is_some_and(|b| b >= first_block + 60),
    );
    let paid = |u: u16| {
        crate::validator::miner_entry(&doc, u).expect("scored")["score_ema"]
            .as_f64()
            .expect("a score")
    };
    let (gbm, linear, constant) = (paid(uids[0]), paid(uids[1]), paid(uids[2]));
    assert!(gbm > linear && linear > constant, "{doc}");
    assert!(constant < 0.01, "{doc}");
}

/// `yuma validator --task-cmd` against a subnet whose owner pinned the task program's hash.
#[test]
fn a_validator_runs_only_the_task_program_the_subnet_pins() {
    let net = DevNet::start();
    let netuid = net.create_subnet(10);
    net.register(netuid, "//Validator1", 100);
    let n = netuid.0.to_string();
    let pinned = python_package().join("examples/ranking_task.py");
    let pinned_path = pinned.display().to_string();
    crate::util::yuma_ok(&[
        "subnet",
        "set-identity",
        &n,
        "--name",
        "ranking",
        "--task-file",
        &pinned_path,
        "--task-url",
        "https://example.org/ranking_task.py",
        "--uri",
        "//Alice",
        "--rpc",
        &net.url,
    ]);
    // Another program under the same command: refused, saying where to get the right one.
    let dir = tempfile::tempdir().expect("a temp dir");
    let other = dir.path().join("ranking_task.py");
    let mut text = std::fs::read_to_string(&pinned).expect("reads the example");
    text.push_str("\n# changed\n");
    std::fs::write(&other, text).expect("writes the copy");
    let other_cmd = format!(
        "PYTHONPATH={} python3 -u {}",
        python_package().display(),
        other.display()
    );
    let base = [
        "validator",
        "--netuid",
        &n,
        "--uri",
        "//Validator1",
        "--rpc",
        &net.url,
    ];
    let mut refused: Vec<&str> = base.to_vec();
    refused.extend(["--task-cmd", &other_cmd]);
    let stderr = crate::util::yuma_err(&refused, 1);
    assert!(stderr.contains("but subnet 1 pins 0x"), "{stderr}");
    assert!(
        stderr.contains("https://example.org/ranking_task.py"),
        "{stderr}"
    );
    assert!(stderr.contains("--allow-unpinned-task"), "{stderr}");
    // Told to, it runs it anyway; the pinned program runs without being told.
    for (command, extra, said) in [
        (
            other_cmd.clone(),
            Some("--allow-unpinned-task"),
            "running it anyway",
        ),
        (
            example("ranking_task.py", ""),
            None,
            "matches subnet 1's hash",
        ),
    ] {
        let status = dir.path().join("status.json");
        let mut flags = vec!["--task-cmd", command.as_str()];
        flags.extend(extra);
        let validator = validator(&net, netuid.0, &status, &flags);
        assert!(
            validator.seen().iter().any(|l| l.contains(said)),
            "{:?}",
            validator.seen()
        );
    }
}
