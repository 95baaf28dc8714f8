//! `yuma bench miner`: the latency a model outside `yuma` adds to a miner's answer. Three
//! miners run in this process with a fixed metagraph (no node) and the same trivial model: in
//! process, behind `--backend` (a model server on loopback) and behind `--backend-cmd` (a
//! child process); signed requests go to each in turn, so all three see the same machine load.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use axum::routing::post;
use clap::Args;
use serde::Serialize;
use serde_json::{Value, json};
use yuma_client::Metagraph;
use yuma_keys::Pair;
use yuma_neuron::backend::http::HttpBackend;
use yuma_neuron::backend::process::ProcessBackend;
use yuma_neuron::{MinerClient, Solver};
use yuma_primitives::NetUid;

use super::inproc::{Percentiles, header, neuron, percentiles, start_miner};
use crate::args::OutputArgs;
use yuma_cli::output;

/// Flags of `yuma bench miner`.
#[derive(Debug, Args)]
pub(crate) struct MinerBenchArgs {
    /// Requests per miner.
    #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u64).range(10..=1_000_000))]
    requests: u64,
    /// The child process behind `--backend-cmd` (default: a trivial model in Python, written
    /// to a temporary file), to measure your own.
    #[arg(long, value_name = "COMMAND")]
    model_cmd: Option<String>,
    #[command(flatten)]
    output: OutputArgs,
}

/// The trivial model's answer.
fn answer() -> Value {
    json!({"predictions": [1.0, 2.0, 3.0]})
}

/// The trivial model, in process.
struct Trivial;

impl Solver for Trivial {
    type Challenge = Value;
    type Answer = Value;
    type Error = String;

    fn solve(&self, _challenge: Value) -> Result<Value, String> {
        Ok(answer())
    }
}

/// The trivial model as a child process speaking JSON Lines.
const PYTHON_MODEL: &str = r#"import json, sys
for line in sys.stdin:
    request = json.loads(line)
    print(json.dumps({"id": request["id"], "answer": {"predictions": [1.0, 2.0, 3.0]}}), flush=True)
"#;

#[derive(Debug, Serialize)]
struct Report {
    requests: u64,
    in_process: Percentiles,
    http_backend: Percentiles,
    process_backend: Percentiles,
    /// p50 added by each backend over the model in process, µs.
    http_overhead_p50_us: i128,
    process_overhead_p50_us: i128,
}

/// A model server on loopback answering every POST with the trivial answer; its URL.
async fn model_server() -> anyhow::Result<String> {
    let app = axum::Router::new().route("/solve", post(|| async { axum::Json(answer()) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("binding the model server")?;
    let addr = listener.local_addr().context("model server address")?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{addr}/solve"))
}

/// The child's command line: the given one, or the Python model in a temporary file (kept
/// alive by the returned guard).
fn model_command(given: Option<&str>) -> anyhow::Result<(String, Option<tempfile::TempDir>)> {
    if let Some(command) = given {
        return Ok((command.to_owned(), None));
    }
    let dir = tempfile::tempdir().context("a temporary folder for the model")?;
    let script: PathBuf = dir.path().join("trivial_model.py");
    std::fs::write(&script, PYTHON_MODEL).context("writing the model")?;
    Ok((format!("python3 -u {}", script.display()), Some(dir)))
}

async fn bench(args: &MinerBenchArgs) -> anyhow::Result<Report> {
    let validator = std::sync::Arc::new(Pair::from_uri("//BenchValidator").context("a dev key")?);
    let senders = Metagraph {
        netuid: NetUid(1),
        block: 0,
        neurons: vec![neuron(0, validator.public(), None, 0)?],
        weights: Vec::new(),
    };
    let timeout = Duration::from_secs(10);
    let (command, _script) = model_command(args.model_cmd.as_deref())?;
    let url = model_server().await?;
    let pairs: Vec<Pair> = (0..3)
        .map(|i| Pair::from_uri(&format!("//BenchMiner{i}")).context("a dev key"))
        .collect::<anyhow::Result<_>>()?;
    let http = HttpBackend::new(&url, timeout).context("the model server's backend")?;
    let child = ProcessBackend::spawn(&command, timeout).context("the child's backend")?;
    let miners = [
        (
            start_miner(Trivial, &pairs[0], senders.clone()).await?,
            pairs[0].public(),
        ),
        (
            start_miner(http, &pairs[1], senders.clone()).await?,
            pairs[1].public(),
        ),
        (
            start_miner(child, &pairs[2], senders).await?,
            pairs[2].public(),
        ),
    ];
    let client = MinerClient::new(validator);
    let challenge = json!({"kind": "regression"});
    let mut samples: [Vec<Duration>; 3] = Default::default();
    // A few rounds first, to start the child and fill connection pools; then round-robin.
    for round in 0..args.requests + 20 {
        for ((addr, hotkey), times) in miners.iter().zip(samples.iter_mut()) {
            let started = Instant::now();
            let got: Value = client
                .solve(*addr, hotkey, &challenge, timeout)
                .await
                .with_context(|| format!("asking the miner at {addr}"))?;
            if got != answer() {
                anyhow::bail!("the miner at {addr} answered {got}");
            }
            if round >= 20 {
                times.push(started.elapsed());
            }
        }
    }
    let [in_process, http_backend, process_backend] = samples.map(percentiles);
    Ok(Report {
        requests: args.requests,
        http_overhead_p50_us: http_backend.p50_us as i128 - in_process.p50_us as i128,
        process_overhead_p50_us: process_backend.p50_us as i128 - in_process.p50_us as i128,
        in_process,
        http_backend,
        process_backend,
    })
}

pub(crate) fn run(args: &MinerBenchArgs) -> anyhow::Result<()> {
    let runtime = yuma_cli::runtime::service().context("starting the async runtime")?;
    eprintln!(
        "yuma: {} requests to each of three miners, in turn",
        args.requests
    );
    let report = runtime.block_on(bench(args))?;
    runtime.shutdown_timeout(Duration::from_millis(100));
    if args.output.json {
        return Ok(output::json(&report)?);
    }
    output::lines([
        header("miner answer latency (µs)"),
        report.in_process.row("model in process"),
        report.http_backend.row("model server (--backend)"),
        report.process_backend.row("child process (--backend-cmd)"),
        format!(
            "added at p50: --backend {} µs, --backend-cmd {} µs",
            report.http_overhead_p50_us, report.process_overhead_p50_us
        ),
    ])?;
    Ok(())
}
