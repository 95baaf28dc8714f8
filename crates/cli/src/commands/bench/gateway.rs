//! `yuma bench gateway`: the latency the gateway adds over a direct miner call, and the tail
//! latency with one intermittently slow miner, hedging on and off, all in one process (trivial
//! miners, a fixed metagraph, no node).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Args;
use serde::Serialize;
use serde_json::{Value, json};
use yuma_client::Metagraph;
use yuma_gateway::ledger::Ledger;
use yuma_gateway::{Gateway, GatewayConfig, HedgePolicy, MinerBackend, router};
use yuma_keys::Pair;
use yuma_keys::btauth::{sign_request, unix_time_ns};
use yuma_neuron::metagraph::MetagraphCache;
use yuma_neuron::{MinerClient, Solver};
use yuma_primitives::{AccountId, NetUid};

use super::inproc::{Percentiles, header, neuron, percentiles, start_miner};
use crate::args::OutputArgs;
use yuma_cli::output;

/// Flags of `yuma bench gateway`.
#[derive(Debug, Args)]
pub(crate) struct GatewayBenchArgs {
    /// Requests per overhead measurement.
    #[arg(long, default_value_t = 2000)]
    requests: usize,
    /// Requests per slow-miner measurement.
    #[arg(long, default_value_t = 600)]
    slow_requests: usize,
    /// Every Nth request to the slow miner is slow.
    #[arg(long, default_value_t = 30)]
    slow_every: u64,
    /// How long a slow answer takes, ms.
    #[arg(long, default_value_t = 200)]
    slow_ms: u64,
    #[command(flatten)]
    output: OutputArgs,
}

/// Answers at once with fixed predictions, except every `slow_every`th call (0: never), which
/// takes `slow`.
struct Trivial {
    calls: AtomicU64,
    slow_every: u64,
    slow: Duration,
}

impl Solver for Trivial {
    type Challenge = Value;
    type Answer = Value;
    type Error = String;

    fn solve(&self, _challenge: Value) -> Result<Value, String> {
        let n = self.calls.fetch_add(1, Ordering::Relaxed) + 1;
        if self.slow_every > 0 && n.is_multiple_of(self.slow_every) {
            std::thread::sleep(self.slow);
        }
        Ok(json!({"predictions": [1.0, 2.0, 3.0]}))
    }
}

#[derive(Debug, Serialize)]
struct Report {
    direct: Percentiles,
    through_gateway: Percentiles,
    overhead_p50_us: i128,
    overhead_p99_us: i128,
    slow_miner_no_hedge: Percentiles,
    slow_miner_hedge: Percentiles,
    hedging_p99_speedup: f64,
}

async fn start_gateway(
    gateway_pair: &Arc<Pair>,
    user: AccountId,
    metagraph: Metagraph,
    hedge: bool,
) -> anyhow::Result<SocketAddr> {
    let mut ledger = Ledger::default();
    ledger.apply_block(0, &[(user, u64::MAX / 2)]);
    let config = GatewayConfig {
        netuid: metagraph.netuid,
        hotkey: gateway_pair.public(),
        coldkey: gateway_pair.public(),
        price: 1,
        stake_share: 0,
        policy: HedgePolicy {
            hedge,
            ..HedgePolicy::default()
        },
        ledger_path: None,
    };
    let backend = MinerBackend::new(
        MinerClient::new(gateway_pair.clone()),
        Duration::from_secs(10),
    );
    let cache = Arc::new(MetagraphCache::fixed(metagraph));
    let gateway = Gateway::new(config, backend, cache, ledger, None);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("binding the gateway")?;
    let addr = listener.local_addr().context("gateway address")?;
    tokio::spawn(async move { axum::serve(listener, router(gateway)).await });
    Ok(addr)
}

/// Sends one signed solve to the gateway at `addr`; its latency.
async fn once(
    http: &reqwest::Client,
    user: &Pair,
    receiver: &AccountId,
    addr: SocketAddr,
    body: &[u8],
    nonce: &mut u64,
) -> anyhow::Result<Duration> {
    *nonce = unix_time_ns().max(*nonce + 1);
    let started = Instant::now();
    let headers = sign_request(user, "POST", "/v1/solve", body, Some(receiver), *nonce);
    let mut request = http
        .post(format!("http://{addr}/v1/solve"))
        .header("Content-Type", "application/json")
        .body(body.to_vec());
    for (name, value) in headers.to_pairs() {
        request = request.header(name, value);
    }
    let response = request.send().await.context("calling the gateway")?;
    let status = response.status();
    response.bytes().await.context("reading the answer")?;
    if !status.is_success() {
        anyhow::bail!("the gateway answered {status}");
    }
    Ok(started.elapsed())
}

/// Sends `n` signed solves to the gateway at `addr`; their latencies.
async fn through(
    http: &reqwest::Client,
    user: &Pair,
    receiver: &AccountId,
    addr: SocketAddr,
    n: usize,
) -> anyhow::Result<Vec<Duration>> {
    let body = serde_json::to_vec(&json!({"kind": "regression"})).context("a body")?;
    let mut samples = Vec::with_capacity(n);
    let mut nonce = unix_time_ns();
    for _ in 0..n {
        samples.push(once(http, user, receiver, addr, &body, &mut nonce).await?);
    }
    Ok(samples)
}

async fn bench(args: &GatewayBenchArgs) -> anyhow::Result<Report> {
    let netuid = NetUid(1);
    let gateway_pair = Arc::new(Pair::from_uri("//BenchGateway").context("a dev key")?);
    let user = Pair::from_uri("//BenchUser").context("a dev key")?;
    let miners: Vec<Pair> = (0..3)
        .map(|i| Pair::from_uri(&format!("//BenchMiner{i}")).context("a dev key"))
        .collect::<anyhow::Result<_>>()?;
    // Miners only need to know the gateway's hotkey.
    let senders = Metagraph {
        netuid,
        block: 0,
        neurons: vec![neuron(0, gateway_pair.public(), None, 0)?],
        weights: Vec::new(),
    };
    let mut addrs = Vec::new();
    for (i, pair) in miners.iter().enumerate() {
        // Miner 0 (the top one by incentive) is intermittently slow.
        let solver = Trivial {
            calls: AtomicU64::new(0),
            slow_every: if i == 0 { args.slow_every } else { 0 },
            slow: Duration::from_millis(args.slow_ms),
        };
        addrs.push(start_miner(solver, pair, senders.clone()).await?);
    }
    let mut neurons = vec![neuron(0, gateway_pair.public(), None, 0)?];
    for (i, (pair, addr)) in miners.iter().zip(&addrs).enumerate() {
        let uid = u16::try_from(i + 1).context("few miners")?;
        let incentive = if i == 0 { 60_000 } else { 2_000 };
        neurons.push(neuron(uid, pair.public(), Some(addr.port()), incentive)?);
    }
    let with_slow = Metagraph {
        netuid,
        block: 0,
        neurons: neurons.clone(),
        weights: Vec::new(),
    };
    // The overhead is measured on the fast miners only.
    let fast_only = Metagraph {
        neurons: neurons.iter().filter(|n| n.uid != 1).cloned().collect(),
        ..with_slow.clone()
    };
    let http = reqwest::Client::new();
    let direct_client = MinerClient::new(gateway_pair.clone());
    let fast_addr = addrs[1];
    let fast_hotkey = miners[1].public();
    let challenge = json!({"kind": "regression"});
    let body = serde_json::to_vec(&challenge).context("a body")?;
    let receiver = gateway_pair.public();
    let gateway = start_gateway(&gateway_pair, user.public(), fast_only, true).await?;
    // Warm the connection pools up.
    through(&http, &user, &receiver, gateway, 20).await?;
    // Direct and gateway calls alternate, so both see the same machine load.
    let mut direct = Vec::with_capacity(args.requests);
    let mut via = Vec::with_capacity(args.requests);
    let mut nonce = unix_time_ns();
    for _ in 0..args.requests {
        let started = Instant::now();
        let _: Value = direct_client
            .solve(fast_addr, &fast_hotkey, &challenge, Duration::from_secs(10))
            .await
            .context("calling the miner directly")?;
        direct.push(started.elapsed());
        via.push(once(&http, &user, &receiver, gateway, &body, &mut nonce).await?);
    }

    let no_hedge = start_gateway(&gateway_pair, user.public(), with_slow.clone(), false).await?;
    let hedge = start_gateway(&gateway_pair, user.public(), with_slow, true).await?;
    // Let each gateway learn the miners' latencies before measuring.
    through(&http, &user, &receiver, no_hedge, 20).await?;
    through(&http, &user, &receiver, hedge, 20).await?;
    let slow_no_hedge = through(&http, &user, &receiver, no_hedge, args.slow_requests).await?;
    let slow_hedge = through(&http, &user, &receiver, hedge, args.slow_requests).await?;

    let direct = percentiles(direct);
    let through_gateway = percentiles(via);
    let slow_miner_no_hedge = percentiles(slow_no_hedge);
    let slow_miner_hedge = percentiles(slow_hedge);
    Ok(Report {
        overhead_p50_us: through_gateway.p50_us as i128 - direct.p50_us as i128,
        overhead_p99_us: through_gateway.p99_us as i128 - direct.p99_us as i128,
        hedging_p99_speedup: slow_miner_no_hedge.p99_us as f64
            / slow_miner_hedge.p99_us.max(1) as f64,
        direct,
        through_gateway,
        slow_miner_no_hedge,
        slow_miner_hedge,
    })
}

pub(crate) fn run(args: &GatewayBenchArgs) -> anyhow::Result<()> {
    let runtime = yuma_cli::runtime::service().context("starting the async runtime")?;
    let report = runtime.block_on(bench(args))?;
    runtime.shutdown_timeout(Duration::from_millis(100));
    if args.output.json {
        return Ok(output::json(&report)?);
    }
    output::lines([
        header("latency (µs)"),
        report.direct.row("direct miner call"),
        report.through_gateway.row("through the gateway"),
        format!(
            "{:<34} {:>10} {:>10}",
            "gateway overhead", report.overhead_p50_us, report.overhead_p99_us
        ),
        report
            .slow_miner_no_hedge
            .row("slow top miner, hedging off"),
        report.slow_miner_hedge.row("slow top miner, hedging on"),
        format!(
            "hedging cuts p99 with a slow miner {:.1}x (every {}th answer of the top miner takes {} ms)",
            report.hedging_p99_speedup, args.slow_every, args.slow_ms
        ),
    ])?;
    Ok(())
}
