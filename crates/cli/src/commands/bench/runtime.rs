//! `yuma bench runtime`: how fast the state machine applies transactions and epoch blocks.
//!
//! Measures, on an in-memory state: signed transfers applied per second, `set_weights` calls
//! (a full row over every UID) applied per second, and the time of a subnet's epoch block next
//! to an ordinary block. Signing happens before the clock starts; signature verification is
//! part of applying a transaction and so is counted.

use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use clap::Args;
use serde::Serialize;
use yuma_runtime::testkit::{TestChain, dev_params, full_subnet, full_weights, pair};
use yuma_runtime::{Call, SignedTransaction};

use crate::args::OutputArgs;
use yuma_cli::output;

/// Options of `yuma bench runtime`.
#[derive(Debug, Args)]
pub(crate) struct RuntimeBenchArgs {
    /// Signed transfers to apply.
    #[arg(long, default_value_t = 5_000)]
    pub(crate) transfers: u32,
    /// `set_weights` calls to apply.
    #[arg(long, default_value_t = 500)]
    pub(crate) weights: u32,
    /// UIDs in the benchmark subnet (subtensor's default is 256).
    #[arg(long, default_value_t = 256)]
    pub(crate) uids: u16,
    /// Staked validators setting weights.
    #[arg(long, default_value_t = 64)]
    pub(crate) validators: u16,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

/// What `--json` prints.
#[derive(Debug, Serialize)]
struct Report {
    transfers_per_second: u64,
    set_weights_per_second: u64,
    uids: u16,
    validators: u16,
    epoch_block_micros: u64,
    plain_block_micros: u64,
}

fn per_second(count: u32, elapsed: Duration) -> u64 {
    let nanos = elapsed.as_nanos().max(1);
    u64::try_from(u128::from(count) * 1_000_000_000 / nanos).unwrap_or(u64::MAX)
}

fn micros(elapsed: Duration) -> u64 {
    u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX)
}

/// Applies `txs`, starting a new block whenever the block budget runs out.
fn apply_all(chain: &mut TestChain, txs: &[SignedTransaction]) -> anyhow::Result<Duration> {
    let start = Instant::now();
    for tx in txs {
        let receipt = match chain.rt.apply(tx) {
            Err(yuma_runtime::Error::BlockFull { .. }) => {
                chain.next_block().context("starting a benchmark block")?;
                chain.rt.apply(tx)
            }
            other => other,
        }
        .context("applying a benchmark transaction")?;
        ensure!(
            receipt.result.is_ok(),
            "benchmark call failed: {:?}",
            receipt.result
        );
    }
    Ok(start.elapsed())
}

fn bench_transfers(count: u32) -> anyhow::Result<Duration> {
    let mut chain = TestChain::new(dev_params(), &[(1, 1_000_000_000_000_000)])
        .context("creating the benchmark chain")?;
    chain.next_block().context("starting a benchmark block")?;
    let sender = pair(1);
    let genesis = chain.rt.genesis_hash();
    let txs: Vec<_> = (0..count)
        .map(|i| {
            let call = Call::Transfer {
                dest: pair(100 + i % 100).public(),
                amount: yuma_primitives::Balance(1_000),
            };
            SignedTransaction::new(&sender, genesis, u64::from(i), call)
        })
        .collect();
    apply_all(&mut chain, &txs)
}

/// Runs the benchmarks and prints the report.
pub(crate) fn run(args: &RuntimeBenchArgs) -> anyhow::Result<()> {
    ensure!(args.uids >= 2, "--uids must be at least 2");
    ensure!(
        args.validators >= 1 && args.validators < args.uids,
        "--validators must be between 1 and --uids - 1"
    );
    eprintln!("bench: {} signed transfers", args.transfers);
    let transfers = bench_transfers(args.transfers)?;

    eprintln!(
        "bench: building a subnet of {} UIDs with {} validators",
        args.uids, args.validators
    );
    let mut subnet =
        full_subnet(args.uids, args.validators).context("setting up the benchmark subnet")?;
    let genesis = subnet.chain.rt.genesis_hash();
    let call = full_weights(subnet.netuid, args.uids);
    let mut nonces: Vec<u64> = subnet
        .validators
        .iter()
        .map(|v| subnet.chain.rt.account(&v.public()).nonce)
        .collect();
    let txs: Vec<_> = (0..args.weights as usize)
        .map(|i| {
            let k = i % subnet.validators.len();
            let tx =
                SignedTransaction::new(&subnet.validators[k], genesis, nonces[k], call.clone());
            nonces[k] += 1;
            tx
        })
        .collect();
    eprintln!(
        "bench: {} set_weights over {} UIDs",
        args.weights, args.uids
    );
    let weights = apply_all(&mut subnet.chain, &txs)?;

    // Every validator has full weights now; time the next epoch block against a plain one.
    let netuid = subnet.netuid.0;
    let mut epoch_block = Duration::ZERO;
    let mut plain_block = Duration::ZERO;
    while epoch_block.is_zero() || plain_block.is_zero() {
        let next = subnet.chain.rt.block() + 1;
        let start = Instant::now();
        subnet
            .chain
            .rt
            .on_block(next)
            .context("running a benchmark block")?;
        let took = start.elapsed();
        if yuma_runtime::issuance::is_epoch_block(netuid, 10, next) {
            epoch_block = took;
        } else {
            plain_block = took;
        }
    }

    let report = Report {
        transfers_per_second: per_second(args.transfers, transfers),
        set_weights_per_second: per_second(args.weights, weights),
        uids: args.uids,
        validators: args.validators,
        epoch_block_micros: micros(epoch_block),
        plain_block_micros: micros(plain_block),
    };
    if args.output.json {
        output::json(&report)?;
    } else {
        output::line(&format!(
            "runtime::apply/call=transfer                 {:>10} tx/s",
            report.transfers_per_second
        ))?;
        output::line(&format!(
            "runtime::apply/call=set_weights uids={:<5}   {:>10} tx/s",
            report.uids, report.set_weights_per_second
        ))?;
        output::line(&format!(
            "runtime::on_block/epoch uids={:<5} vals={:<4} {:>10} us",
            report.uids, report.validators, report.epoch_block_micros
        ))?;
        output::line(&format!(
            "runtime::on_block/plain                      {:>10} us",
            report.plain_block_micros
        ))?;
    }
    Ok(())
}
