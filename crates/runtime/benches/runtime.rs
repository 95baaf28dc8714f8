//! Criterion benches of the state machine: transactions applied and epoch blocks.
#![allow(clippy::disallowed_methods)] // benches time wall clock; the runtime itself never does
//!
//! `cargo bench -p yuma-runtime`; names follow `module::operation/key=value`.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use yuma_primitives::Balance;
use yuma_runtime::issuance::is_epoch_block;
use yuma_runtime::testkit::{TestChain, dev_params, full_subnet, full_weights, pair};
use yuma_runtime::{Call, Error, SignedTransaction};

/// Applies `txs`, opening a new block when one is full; returns the time spent applying.
fn apply_all(chain: &mut TestChain, txs: &[SignedTransaction]) -> Duration {
    let mut total = Duration::ZERO;
    for tx in txs {
        let start = Instant::now();
        let mut result = chain.rt.apply(tx);
        if matches!(result, Err(Error::BlockFull { .. })) {
            chain.next_block().expect("the next block");
            result = chain.rt.apply(tx);
        }
        total += start.elapsed();
        assert!(
            result.is_ok_and(|r| r.result.is_ok()),
            "bench transaction applies"
        );
    }
    total
}

fn transfers(c: &mut Criterion) {
    let mut chain =
        TestChain::new(dev_params(), &[(1, 1_000_000_000_000_000)]).expect("the test genesis");
    chain.next_block().expect("the next block");
    let sender = pair(1);
    let genesis = chain.rt.genesis_hash();
    c.bench_function("runtime::apply/call=transfer", |b| {
        b.iter_custom(|iters| {
            let nonce = chain.rt.account(&sender.public()).nonce;
            let txs: Vec<_> = (0..iters)
                .map(|i| {
                    let call = Call::Transfer {
                        dest: pair(100).public(),
                        amount: Balance(1),
                    };
                    SignedTransaction::new(&sender, genesis, nonce + i, call)
                })
                .collect();
            apply_all(&mut chain, &txs)
        });
    });
}

fn weights_and_epoch(c: &mut Criterion) {
    let mut subnet = full_subnet(256, 64).expect("the bench subnet");
    let genesis = subnet.chain.rt.genesis_hash();
    let call = full_weights(subnet.netuid, 256);
    c.bench_function("runtime::apply/call=set_weights uids=256", |b| {
        b.iter_custom(|iters| {
            let txs: Vec<_> = (0..iters)
                .map(|i| {
                    let v = &subnet.validators[usize::try_from(i).unwrap_or(0) % 64];
                    let nonce = subnet.chain.rt.account(&v.public()).nonce + i / 64;
                    SignedTransaction::new(v, genesis, nonce, call.clone())
                })
                .collect();
            apply_all(&mut subnet.chain, &txs)
        });
    });
    // Every validator holds a full weights row before the epoch blocks are timed.
    let txs: Vec<_> = subnet
        .validators
        .iter()
        .map(|v| {
            let nonce = subnet.chain.rt.account(&v.public()).nonce;
            SignedTransaction::new(v, genesis, nonce, call.clone())
        })
        .collect();
    apply_all(&mut subnet.chain, &txs);
    let netuid = subnet.netuid.0;
    c.bench_function("runtime::on_block/epoch uids=256 validators=64", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut done = 0;
            while done < iters {
                let next = subnet.chain.rt.block() + 1;
                let start = Instant::now();
                subnet.chain.rt.on_block(next).expect("next block");
                if is_epoch_block(netuid, 10, next) {
                    total += start.elapsed();
                    done += 1;
                }
            }
            total
        });
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(3));
    targets = transfers, weights_and_epoch
}
criterion_main!(benches);
