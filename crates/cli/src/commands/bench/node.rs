//! `yuma bench node`: end-to-end transfers per second through a dev node, next to the raw
//! sr25519 verification rate measured in the same run.
//!
//! The node runs in this process (a dev chain in a temporary folder, genesis funding the
//! benchmark's senders). Transfers are signed before the clock starts; the clock runs from
//! the first submission over JSON-RPC (HTTP; `--batch` transactions per JSON-RPC batch
//! request) until the block holding the last one is committed (watched through the node's
//! `/metrics` transaction counter). Each sender's transactions go through one lane in nonce
//! order; lanes run concurrently.
//!
//! Besides wall-clock rates, it reports CPU time (Unix): the verification thread's, and the
//! whole process's during the node phase (node and the benchmark's own HTTP clients), so a
//! loaded machine can still compare the cost per transaction with the cost of a verification.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use clap::Args;
use serde::Serialize;
use yuma_client::{Client, SignedTransaction};
use yuma_keys::Pair;
use yuma_node::Config;
use yuma_primitives::Balance;

use super::cpu_time;
use yuma_runtime::Call;
use yuma_runtime::codec::Encode as _;

use yuma_cli::output;

use crate::args::OutputArgs;

/// Options of `yuma bench node`.
#[derive(Debug, Args)]
pub(crate) struct NodeBenchArgs {
    /// Transfers to submit.
    #[arg(long, default_value_t = 4_000, value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) txs: u32,
    /// Sending accounts (the mempool holds at most 64 pending transactions per sender).
    #[arg(long, default_value_t = 128, value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) senders: u32,
    /// Milliseconds between blocks.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) block_time: u64,
    /// Submission lanes (HTTP requests in flight at once).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) lanes: u32,
    /// Transactions per JSON-RPC batch request (1: one HTTP request per transaction).
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) batch: u32,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

/// What `--json` prints.
#[derive(Debug, Serialize)]
struct Report {
    txs: u32,
    senders: u32,
    lanes: u32,
    batch: u32,
    block_time_ms: u64,
    /// From the first submission to the commit of the last transaction.
    elapsed_ms: u64,
    /// Blocks that included the transactions.
    blocks: u64,
    /// Transfers submitted, included and committed per second.
    node_tps: u64,
    /// Transaction signatures verified per second on one thread.
    verify_per_second: u64,
    /// `node_tps / verify_per_second`.
    ratio: f64,
    /// Process CPU time per committed transfer during the node phase, in ns (Unix).
    node_cpu_ns_per_tx: Option<u64>,
    /// Thread CPU time per verification, in ns (Unix).
    verify_cpu_ns: Option<u64>,
}

fn per_second(count: u64, elapsed: Duration) -> u64 {
    let nanos = elapsed.as_nanos().max(1);
    u64::try_from(u128::from(count) * 1_000_000_000 / nanos).unwrap_or(u64::MAX)
}

/// The benchmark's senders: fixed seeds, so runs are comparable.
fn sender(i: u32) -> Pair {
    let mut seed = [0xbe; 32];
    seed[..4].copy_from_slice(&i.to_le_bytes());
    Pair::from_seed(&seed)
}

pub(crate) fn run(args: &NodeBenchArgs) -> anyhow::Result<()> {
    let senders: Vec<Pair> = (0..args.senders).map(sender).collect();
    let mut config = Config::dev(
        tempfile::tempdir()
            .context("creating a temporary base path")?
            .keep(),
        Duration::from_millis(args.block_time),
        SocketAddr::from(([127, 0, 0, 1], 0)),
    );
    let base_path = config.base_path.clone();
    for pair in &senders {
        config
            .genesis
            .balances
            .push((pair.public(), 1_000 * 1_000_000_000));
    }
    let genesis = config.genesis.hash();
    let dest = yuma_node::genesis::dev_pair("Alice").public();
    // lanes[l] holds, in order, the transactions of the senders s with s % lanes == l.
    let lanes = args.lanes.min(args.senders) as usize;
    let mut by_lane: Vec<Vec<SignedTransaction>> = vec![Vec::new(); lanes];
    for k in 0..args.txs {
        let s = k % args.senders;
        let nonce = u64::from(k / args.senders);
        let call = Call::Transfer {
            dest,
            amount: Balance(1_000),
        };
        by_lane[s as usize % lanes].push(SignedTransaction::new(
            &senders[s as usize],
            genesis,
            nonce,
            call,
        ));
    }

    let all: Vec<&SignedTransaction> = by_lane.iter().flatten().collect();
    let cpu_before = cpu_time::thread_ns();
    let started = Instant::now();
    for tx in &all {
        ensure!(tx.verify(), "a freshly signed transaction does not verify");
    }
    let verify_per_second = per_second(all.len() as u64, started.elapsed());
    let verify_cpu_ns = cpu_before
        .zip(cpu_time::thread_ns())
        .map(|(a, b)| b.saturating_sub(a) / all.len().max(1) as u64);

    let runtime = yuma_cli::runtime::service().context("starting the async runtime")?;
    let result = runtime.block_on(drive(
        config,
        by_lane,
        u64::from(args.txs),
        args.batch as usize,
    ));
    runtime.shutdown_timeout(Duration::from_secs(1));
    let _ = std::fs::remove_dir_all(&base_path);
    let (elapsed, blocks, node_cpu) = result?;

    let node_tps = per_second(u64::from(args.txs), elapsed);
    let ratio = node_tps as f64 / verify_per_second.max(1) as f64;
    let report = Report {
        txs: args.txs,
        senders: args.senders,
        lanes: lanes as u32,
        batch: args.batch,
        block_time_ms: args.block_time,
        elapsed_ms: u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
        blocks,
        node_tps,
        verify_per_second,
        ratio: (ratio * 1000.0).round() / 1000.0,
        node_cpu_ns_per_tx: node_cpu.map(|ns| ns / u64::from(args.txs)),
        verify_cpu_ns,
    };
    if args.output.json {
        return Ok(output::json(&report)?);
    }
    output::line(&format!(
        "sr25519 verification: {verify_per_second} signatures/s (one thread, this run)"
    ))?;
    output::line(&format!(
        "node end to end:      {node_tps} transfers/s ({} submitted over RPC, included and committed in {} blocks, {} ms)",
        report.txs, report.blocks, report.elapsed_ms
    ))?;
    output::line(&format!(
        "ratio:                {:.3} (goal: at least 0.5)",
        report.ratio
    ))?;
    if let (Some(node), Some(verify)) = (report.node_cpu_ns_per_tx, report.verify_cpu_ns) {
        output::line(&format!(
            "cpu per transfer:     {} us for the whole process (node and clients), {} us per verification",
            node / 1000,
            verify / 1000
        ))?;
    }
    Ok(())
}

/// Starts the node, submits every lane, waits for the last commit; (elapsed, blocks used,
/// process CPU ns of the node phase).
async fn drive(
    config: Config,
    by_lane: Vec<Vec<SignedTransaction>>,
    total: u64,
    batch: usize,
) -> anyhow::Result<(Duration, u64, Option<u64>)> {
    let (addr_tx, addr_rx) = tokio::sync::oneshot::channel::<SocketAddr>();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    // The node runs its own runtime on a thread of its own.
    let node = tokio::task::spawn_blocking(move || {
        yuma_node::engine::run(
            config,
            move |addr| {
                let _ = addr_tx.send(addr);
            },
            async move {
                let _ = stopped.await;
            },
        )
    });
    let addr = addr_rx.await.context("the node did not start")?;
    let url = format!("http://{addr}");
    let http = reqwest::Client::new();
    let metrics_url = format!("{url}/metrics");
    let watcher = Client::new(url.clone());
    let start_height = watcher.head().await.map_err(anyhow::Error::new)?.number;

    let cpu_before = cpu_time::process_ns();
    let started = Instant::now();
    let mut submitters = Vec::new();
    for lane in by_lane {
        let (http, url) = (http.clone(), url.clone());
        submitters.push(tokio::spawn(async move {
            submit_lane(&http, &url, lane, batch).await
        }));
    }
    loop {
        if started.elapsed() > Duration::from_secs(600) {
            bail!("the transfers were not all committed within 600 s");
        }
        if committed(&http, &metrics_url).await? >= total {
            break;
        }
        let mut i = 0;
        while i < submitters.len() {
            if submitters[i].is_finished() {
                submitters
                    .swap_remove(i)
                    .await
                    .context("a submission lane panicked")??;
            } else {
                i += 1;
            }
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let elapsed = started.elapsed();
    let node_cpu = cpu_before
        .zip(cpu_time::process_ns())
        .map(|(a, b)| b.saturating_sub(a));
    for s in submitters {
        s.await.context("a submission lane panicked")??;
    }
    // Not timed: how many blocks held them.
    let head = watcher.head().await.map_err(anyhow::Error::new)?.number;
    let mut blocks = 0;
    for height in start_height + 1..=head {
        let block = watcher
            .block(Some(height))
            .await
            .map_err(anyhow::Error::new)?
            .with_context(|| format!("block {height} is missing"))?;
        if !block.txs.is_empty() {
            blocks += 1;
        }
    }
    let _ = stop.send(());
    let _ = node.await;
    Ok((elapsed, blocks, node_cpu))
}

/// Transactions in committed blocks, from the node's `/metrics`.
async fn committed(http: &reqwest::Client, url: &str) -> anyhow::Result<u64> {
    let text = http
        .get(url)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .context("reading /metrics")?
        .text()
        .await
        .context("reading /metrics")?;
    text.lines()
        .find_map(|line| line.strip_prefix("yuma_transactions_total "))
        .and_then(|v| v.trim().parse().ok())
        .context("/metrics has no yuma_transactions_total")
}

/// Submits a lane's transactions in order, `batch` per JSON-RPC batch request, resending the
/// rest of a batch while the mempool is full.
async fn submit_lane(
    http: &reqwest::Client,
    url: &str,
    txs: Vec<SignedTransaction>,
    batch: usize,
) -> anyhow::Result<()> {
    let hexes: Vec<String> = txs
        .iter()
        .map(|tx| format!("0x{}", hex::encode(tx.encode())))
        .collect();
    let mut next = 0;
    while next < hexes.len() {
        let end = (next + batch).min(hexes.len());
        let body: Vec<serde_json::Value> = (next..end)
            .map(|i| {
                serde_json::json!({"jsonrpc": "2.0", "id": i, "method": "tx_submit",
                    "params": [hexes[i]]})
            })
            .collect();
        let replies: Vec<serde_json::Value> = http
            .post(url)
            .json(&body)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .context("submitting a batch")?
            .json()
            .await
            .context("reading a batch reply")?;
        // Resend from the first one the full mempool refused; later nonces of its sender were
        // refused because of it, and on a resend the ones already taken say so.
        let mut refused: Option<usize> = None;
        for reply in &replies {
            let Some(error) = reply.get("error") else {
                continue;
            };
            let id = reply["id"].as_u64().context("a reply without an id")? as usize;
            let code = error["code"].as_i64().unwrap_or(0);
            let message = error["message"].as_str().unwrap_or("");
            if code == 1001
                && (message.contains("full") || message.contains("pending transactions"))
            {
                refused = Some(refused.map_or(id, |first| first.min(id)));
            } else if !(message.contains("nonce") || message.contains("already")) {
                bail!("transfer {id} was refused: {message} (rpc error {code})");
            }
        }
        match refused {
            Some(first) => {
                next = first;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            None => next = end,
        }
    }
    Ok(())
}
