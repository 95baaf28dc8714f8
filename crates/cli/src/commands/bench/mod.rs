//! `yuma bench`: timings of the hot code paths, for people (and `--json` for scripts).

mod consensus;
mod cpu_time;
mod gateway;
mod inproc;
mod miner;
mod node;
mod runtime;

use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Args, Subcommand};
use serde::Serialize;
use yuma_epoch::workload::{Variant, Workload};
use yuma_epoch::{Error, Input, Output, Params};

use yuma_cli::output;

use crate::args::OutputArgs;

/// Benchmarks.
#[derive(Debug, Subcommand)]
pub(crate) enum BenchCommand {
    /// Time the Yuma epoch on synthetic subnets.
    ///
    /// Prints the median wall-clock time (and, on Unix, the thread's mean CPU time) of the fast
    /// path on one thread for n = 256 (64 validators x 192 miners), 64 x 4096 and 256 x 16384,
    /// each with classic bonds, Yuma3 bonds and Yuma3 with liquid alpha; every validator
    /// weights every miner and holds a bond to each (fixed seed). The reference implementation
    /// runs at n = 256 for comparison. Build with `--release`.
    ///
    /// Example: yuma bench epoch --runs 11
    Epoch(EpochArgs),
    /// Measure how fast the chain's state machine runs.
    ///
    /// Applies signed transfers and full-row set_weights calls to an in-memory chain and times
    /// a subnet's epoch block.
    ///
    /// Example: yuma bench runtime --uids 256 --json
    Runtime(runtime::RuntimeBenchArgs),
    /// Measure finality on a 4-validator loopback network.
    ///
    /// Starts four `yuma node` validators of a fresh chain spec on loopback ports and reports
    /// finalized blocks per second and submission-to-finality latency (p50, p99) with empty
    /// blocks (lone transfers, one at a time) and with blocks full of transfers.
    ///
    /// Example: yuma bench consensus --seconds 10 --json
    Consensus(consensus::ConsensusBenchArgs),
    /// Measure the latency the gateway adds and what hedging saves with a slow miner.
    ///
    /// Starts trivial miners and gateways in this process (fixed metagraph, no node): times
    /// direct miner calls against the same calls through a gateway, alternating (p50/p99 and the
    /// difference), then p99 end to end when the top miner answers every Nth request slowly,
    /// with hedging off and on. Build with `--release`.
    ///
    /// Example: yuma bench gateway --json
    Gateway(gateway::GatewayBenchArgs),
    /// Measure the latency a model outside `yuma` adds to a miner's answers.
    ///
    /// Starts three miners in this process (fixed metagraph, no node) with the same trivial
    /// model: in process, behind --backend (a model server on loopback) and behind
    /// --backend-cmd (a child process; by default a trivial Python model, so python3 must be
    /// installed), and sends signed requests to each in turn. Prints p50/p99 per miner and what
    /// each backend adds at p50. Build with `--release`.
    ///
    /// Example: yuma bench miner --requests 5000 --json
    Miner(miner::MinerBenchArgs),
    /// Measure transfers per second through a dev node, against signature verification.
    ///
    /// Starts a dev node in this process, submits signed transfers over JSON-RPC from many
    /// senders, and times them until the block with the last one is committed. Prints that
    /// rate next to the sr25519 verification rate of the same transactions on one thread,
    /// measured in the same run, and their ratio. Build with `--release`.
    ///
    /// Example: yuma bench node --txs 4000 --json
    Node(node::NodeBenchArgs),
}

/// Arguments of `yuma bench epoch`.
#[derive(Debug, Args)]
pub(crate) struct EpochArgs {
    /// Timed runs per case; the median is reported.
    #[arg(long, default_value_t = 9, value_parser = clap::value_parser!(u32).range(1..))]
    runs: u32,
    /// Skip subnet sizes with more uids than this.
    #[arg(long, default_value_t = 65535)]
    max_uids: usize,
    #[command(flatten)]
    output: OutputArgs,
}

/// Subnet sizes: (validators, miners).
const SIZES: [(usize, usize); 3] = [(64, 192), (64, 4096), (256, 16384)];
/// Seed of the synthetic subnets.
const SEED: u64 = 42;

/// One timed case.
#[derive(Debug, Serialize)]
struct Timing {
    implementation: &'static str,
    validators: usize,
    miners: usize,
    variant: &'static str,
    runs: u32,
    /// Median wall-clock time.
    median_ns: u128,
    /// Mean CPU time of the running thread (Unix only), which a loaded machine inflates less
    /// than wall time.
    mean_cpu_ns: Option<u64>,
}

/// Runs a bench command.
pub(crate) fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Epoch(args) => bench_epoch(&args),
        BenchCommand::Runtime(args) => runtime::run(&args),
        BenchCommand::Consensus(args) => consensus::run(&args),
        BenchCommand::Gateway(args) => gateway::run(&args),
        BenchCommand::Miner(args) => miner::run(&args),
        BenchCommand::Node(args) => node::run(&args),
    }
}

fn bench_epoch(args: &EpochArgs) -> anyhow::Result<()> {
    let mut timings = Vec::new();
    let fast: fn(&Params, &Input) -> Result<Output, Error> = yuma_epoch::run;
    let reference: fn(&Params, &Input) -> Result<Output, Error> = yuma_epoch::reference::run;
    let mut cases: Vec<(&'static str, _, (usize, usize))> = SIZES
        .iter()
        .filter(|(v, m)| v + m <= args.max_uids)
        .map(|size| ("fast", fast, *size))
        .collect();
    if SIZES[0].0 + SIZES[0].1 <= args.max_uids {
        cases.push(("reference", reference, SIZES[0]));
    }
    for (implementation, epoch, (validators, miners)) in cases {
        for variant in Variant::ALL {
            let workload = Workload {
                validators,
                miners,
                variant,
                seed: SEED,
            };
            eprintln!(
                "bench: {implementation} {validators}v x {miners}m {}",
                variant.name()
            );
            let (params, input) = workload.build();
            let (median, median_cpu) = median_time(args.runs, || epoch(&params, &input))
                .with_context(|| format!("running the {implementation} epoch"))?;
            timings.push(Timing {
                implementation,
                validators,
                miners,
                variant: variant.name(),
                runs: args.runs,
                median_ns: median.as_nanos(),
                mean_cpu_ns: median_cpu,
            });
        }
    }
    print_timings(&timings, args)
}

/// Median wall time of `runs` calls (after one warm-up call), and the mean CPU time of the
/// thread over all of them.
fn median_time(
    runs: u32,
    mut f: impl FnMut() -> Result<Output, Error>,
) -> anyhow::Result<(Duration, Option<u64>)> {
    std::hint::black_box(f()?);
    let mut times = Vec::with_capacity(runs as usize);
    let cpu_start = cpu_time::thread_ns();
    for _ in 0..runs {
        let start = Instant::now();
        std::hint::black_box(f()?);
        times.push(start.elapsed());
    }
    let cpu_mean = match (cpu_start, cpu_time::thread_ns()) {
        (Some(a), Some(b)) => Some(b.saturating_sub(a) / u64::from(runs)),
        _ => None,
    };
    times.sort();
    Ok((times[times.len() / 2], cpu_mean))
}

fn print_timings(timings: &[Timing], args: &EpochArgs) -> anyhow::Result<()> {
    if args.output.json {
        let json = serde_json::json!({ "bench": "epoch", "threads": 1, "timings": timings });
        return Ok(output::json(&json)?);
    }
    let mut lines = vec![
        format!(
            "Yuma epoch, one thread, {} runs: median wall time (mean thread CPU time)",
            args.runs
        ),
        format!(
            "{:<10} {:<24} {:>22} {:>22} {:>22}",
            "impl", "subnet", "classic", "yuma3", "yuma3+liquid_alpha"
        ),
    ];
    for row in timings.chunks(Variant::ALL.len()) {
        let first = &row[0];
        let subnet = format!(
            "n={} ({}v x {}m)",
            first.validators + first.miners,
            first.validators,
            first.miners
        );
        let cells: Vec<String> = row
            .iter()
            .map(|t| match t.mean_cpu_ns {
                Some(cpu) => format!(
                    "{} ({})",
                    format_ns(t.median_ns),
                    format_ns(u128::from(cpu))
                ),
                None => format_ns(t.median_ns),
            })
            .collect();
        lines.push(format!(
            "{:<10} {:<24} {:>22} {:>22} {:>22}",
            first.implementation, subnet, cells[0], cells[1], cells[2]
        ));
    }
    let find = |imp: &str, variant: &str| {
        timings.iter().find(|t| {
            t.implementation == imp && t.variant == variant && (t.validators, t.miners) == SIZES[0]
        })
    };
    for variant in Variant::ALL {
        if let (Some(f), Some(r)) = (
            find("fast", variant.name()),
            find("reference", variant.name()),
        ) {
            let ratio = r.median_ns as f64 / f.median_ns.max(1) as f64;
            lines.push(format!(
                "n=256 {}: fast is {ratio:.1}x faster than the reference",
                variant.name()
            ));
        }
    }
    Ok(output::lines(lines)?)
}

fn format_ns(ns: u128) -> String {
    let ms = ns as f64 / 1e6;
    if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else if ms >= 1.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{:.0} us", ms * 1000.0)
    }
}
