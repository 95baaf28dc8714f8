//! `yuma bench consensus`: finality throughput and latency of a 4-validator loopback network.
//!
//! Starts four `yuma node` processes (this binary) from a fresh chain spec, then measures:
//! - empty blocks: finalized blocks per second while nothing is submitted, and the time from
//!   submitting a lone transfer (waiting for it) to its finalization, one at a time;
//! - full blocks: every dev account keeps `--in-flight` transfers pending (each account
//!   submitting to one validator); finalized blocks and transfers per second, and the time
//!   from each transfer's submission to the first sight of it in a finalized block.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Args;
use serde::Serialize;
use yuma_cli::process::{Process, Ready, free_port_block};
use yuma_cli::runtime;
use yuma_client::{Call, Client, SignedTransaction};
use yuma_keys::{DEV_ACCOUNTS, Pair};
use yuma_node::spec::{ChainSpec, key_file_text};
use yuma_primitives::Balance;

use crate::args::OutputArgs;
use yuma_cli::output;

/// Flags of `yuma bench consensus`.
#[derive(Debug, Args)]
pub(crate) struct ConsensusBenchArgs {
    /// Seconds each measurement runs.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    seconds: u64,
    /// Minimum milliseconds between a block and the next.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    block_time: u64,
    /// Transfers each dev account keeps in flight in the full-block run.
    #[arg(long, default_value_t = 48, value_parser = clap::value_parser!(u64).range(1..=64))]
    in_flight: u64,
    #[command(flatten)]
    output: OutputArgs,
}

/// One run's results.
#[derive(Debug, Serialize)]
struct Run {
    name: &'static str,
    blocks_per_second: f64,
    transfers_per_second: f64,
    transfers: usize,
    latency_ms_p50: f64,
    latency_ms_p99: f64,
}

/// A validator process (killed when dropped) and its RPC URL.
struct Node {
    _process: Process,
    url: String,
}

fn start_node(spec: &Path, key: &Path, base: &Path) -> anyhow::Result<Node> {
    let exe = std::env::current_exe().context("finding the yuma binary")?;
    let args: [&OsStr; 9] = [
        "node".as_ref(),
        "--rpc-port".as_ref(),
        "0".as_ref(),
        "--chain-spec".as_ref(),
        spec.as_ref(),
        "--key".as_ref(),
        key.as_ref(),
        "--base-path".as_ref(),
        base.as_ref(),
    ];
    let mut process = Process::start(&exe, &args).context("starting a validator")?;
    let url = process
        .wait_ready(Ready::Rpc, Duration::from_secs(60))
        .context("the validator did not start")?;
    Ok(Node {
        _process: process,
        url,
    })
}

fn percentile(sorted: &[Duration], p: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) * p).div_ceil(100);
    sorted[i].as_secs_f64() * 1000.0
}

async fn finalized(client: &Client) -> anyhow::Result<u64> {
    let head: yuma_client::HeaderInfo = client
        .call("chain_finalizedHead", serde_json::json!([]))
        .await?;
    Ok(head.number)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn transfer(pair: &Pair, genesis: [u8; 32], nonce: u64) -> SignedTransaction {
    SignedTransaction::new(
        pair,
        genesis,
        nonce,
        Call::Transfer {
            dest: Pair::from_uri("//Ferdie")
                .map(|p| p.public())
                .unwrap_or(pair.public()),
            amount: Balance(1),
        },
    )
}

pub(crate) fn run(args: &ConsensusBenchArgs) -> anyhow::Result<()> {
    let dir = tempfile::tempdir().context("creating a temporary folder")?;
    let base = free_port_block(4).context("finding free p2p ports")?;
    let (spec, keys) = ChainSpec::generate("bench", 4, base, args.block_time);
    let spec_path = dir.path().join("chain-spec.json");
    std::fs::write(&spec_path, serde_json::to_string(&spec)?).context("writing the spec")?;
    let mut nodes = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        let key_path = dir.path().join(format!("validator-{i}.key"));
        std::fs::write(&key_path, key_file_text(key)).context("writing a key")?;
        nodes.push(start_node(
            &spec_path,
            &key_path,
            &dir.path().join(format!("node-{i}")),
        )?);
    }
    eprintln!("yuma: 4 validators started; warming up");
    let runtime = runtime::service().context("starting the async runtime")?;
    let clients: Vec<Arc<Client>> = nodes
        .iter()
        .map(|n| Arc::new(Client::new(&n.url)))
        .collect();
    let runs = runtime.block_on(measure(args, clients))?;
    drop(nodes);
    if args.output.json {
        output::json(&runs)?;
    } else {
        let header = format!(
            "{:<8} {:>10} {:>12} {:>10} {:>10}",
            "blocks", "blocks/s", "transfers/s", "p50 ms", "p99 ms"
        );
        let rows = runs.iter().map(|r| {
            format!(
                "{:<8} {:>10.1} {:>12.1} {:>10.1} {:>10.1}",
                r.name,
                r.blocks_per_second,
                r.transfers_per_second,
                r.latency_ms_p50,
                r.latency_ms_p99
            )
        });
        output::lines(std::iter::once(header).chain(rows))?;
    }
    Ok(())
}

async fn measure(args: &ConsensusBenchArgs, clients: Vec<Arc<Client>>) -> anyhow::Result<Vec<Run>> {
    let period = Duration::from_secs(args.seconds);
    // Warm up: every validator finalizes a few blocks.
    for client in &clients {
        let deadline = Instant::now() + Duration::from_secs(60);
        while finalized(client).await? < 3 {
            anyhow::ensure!(Instant::now() < deadline, "the network does not finalize");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let genesis = clients[0].genesis_hash().await?;

    // Empty blocks: throughput, then one lone transfer at a time.
    let start_height = finalized(&clients[0]).await?;
    let started = Instant::now();
    tokio::time::sleep(period).await;
    let blocks = finalized(&clients[0]).await? - start_height;
    let empty_rate = blocks as f64 / started.elapsed().as_secs_f64();
    let alice = Pair::from_uri("//Alice").context("dev key")?;
    let mut nonce = clients[0].account(&alice.public()).await?.nonce;
    let mut lone = Vec::new();
    let started = Instant::now();
    while started.elapsed() < period {
        let client = &clients[lone.len() % clients.len()];
        // The validator that finalized the previous transfer may be ahead of this one: wait
        // (outside the measurement) until this one has committed it too.
        let deadline = Instant::now() + Duration::from_secs(30);
        while client.account(&alice.public()).await?.nonce < nonce {
            anyhow::ensure!(
                Instant::now() < deadline,
                "a validator stays behind the others"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let tx = transfer(&alice, genesis, nonce);
        let at = Instant::now();
        client.submit(&tx, true).await?;
        lone.push(at.elapsed());
        nonce += 1;
    }
    lone.sort();
    let mut runs = vec![Run {
        name: "empty",
        blocks_per_second: empty_rate,
        transfers_per_second: lone.len() as f64 / started.elapsed().as_secs_f64(),
        transfers: lone.len(),
        latency_ms_p50: percentile(&lone, 50),
        latency_ms_p99: percentile(&lone, 99),
    }];

    // Full blocks: every dev account keeps `in_flight` transfers pending (each account's at
    // one validator, in nonce order); a watcher reads every finalized block.
    let pending: Arc<Mutex<BTreeMap<String, (usize, Instant)>>> = Arc::default();
    let latencies: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let done: Arc<Mutex<Vec<u64>>> = Arc::new(Mutex::new(vec![0; DEV_ACCOUNTS.len()]));
    let start_height = finalized(&clients[0]).await?;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (a, name) in DEV_ACCOUNTS.iter().enumerate() {
        let uri = format!("//{name}");
        let pair = Pair::from_uri(&uri).context("dev key")?;
        let client = clients[a % clients.len()].clone();
        let first = client.account(&pair.public()).await?.nonce;
        let (pending, done) = (pending.clone(), done.clone());
        let in_flight = args.in_flight;
        tasks.push(tokio::spawn(async move {
            let mut nonce = first;
            while started.elapsed() < period {
                let finalized = lock(&done)[a];
                if nonce - first >= finalized + in_flight {
                    tokio::time::sleep(Duration::from_millis(2)).await;
                    continue;
                }
                let tx = transfer(&pair, genesis, nonce);
                let hash = format!("0x{}", hex::encode(tx.hash()));
                lock(&pending).insert(hash, (a, Instant::now()));
                if client.submit(&tx, false).await.is_err() {
                    break;
                }
                nonce += 1;
            }
        }));
    }
    let mut height = start_height;
    while started.elapsed() < period + Duration::from_secs(2) {
        let head = finalized(&clients[0]).await?;
        while height < head {
            height += 1;
            let Some(block) = clients[0].block(Some(height)).await? else {
                break;
            };
            let now = Instant::now();
            for receipt in &block.receipts {
                if let Some((a, at)) = lock(&pending).remove(&receipt.hash) {
                    lock(&latencies).push(now - at);
                    lock(&done)[a] += 1;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    for task in tasks {
        let _ = task.await;
    }
    let blocks = height - start_height;
    let elapsed = started.elapsed().as_secs_f64();
    let mut full = std::mem::take(&mut *lock(&latencies));
    full.sort();
    runs.push(Run {
        name: "full",
        blocks_per_second: blocks as f64 / elapsed,
        transfers_per_second: full.len() as f64 / elapsed,
        transfers: full.len(),
        latency_ms_p50: percentile(&full, 50),
        latency_ms_p99: percentile(&full, 99),
    });
    Ok(runs)
}
