//! Criterion benchmarks of the fast epoch on synthetic subnets (every validator weights every
//! miner and holds a bond to each): `epoch::run/n=.. validators=.. variant=..`.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use yuma_epoch::workload::{Variant, Workload};

fn bench_epoch(c: &mut Criterion) {
    let mut group = c.benchmark_group("epoch::run");
    group.sample_size(20);
    for (validators, miners) in [(4, 12), (64, 192), (64, 960), (64, 4096)] {
        for variant in Variant::ALL {
            let (params, input) = Workload {
                validators,
                miners,
                variant,
                seed: 42,
            }
            .build();
            let id = format!(
                "n={} validators={validators} variant={}",
                validators + miners,
                variant.name()
            );
            group.bench_function(BenchmarkId::from_parameter(id), |b| {
                b.iter(|| yuma_epoch::run(&params, &input).expect("valid workload"));
            });
        }
    }
    group.finish();

    let mut reference = c.benchmark_group("epoch::reference");
    reference.sample_size(10);
    for variant in Variant::ALL {
        let (params, input) = Workload {
            validators: 64,
            miners: 192,
            variant,
            seed: 42,
        }
        .build();
        let id = format!("n=256 validators=64 variant={}", variant.name());
        reference.bench_function(BenchmarkId::from_parameter(id), |b| {
            b.iter(|| yuma_epoch::reference::run(&params, &input).expect("valid workload"));
        });
    }
    reference.finish();
}

criterion_group!(benches, bench_epoch);
criterion_main!(benches);
