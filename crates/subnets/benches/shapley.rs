//! Criterion bench of Shapley scoring: one tabular step's answers from many miners.
//!
//! `cargo bench -p yuma-subnets`; names follow `shapley::tabular/miners=N`. Before timing it
//! prints the largest standard error of the sampled values, the budget's accuracy.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use yuma_neuron::Challenger;
use yuma_shapley::shapley;
use yuma_subnets::tabular::{Answer, Kind, TabularChallenger};

/// A regression task and `miners` answers: the truth plus each miner's own noise, at
/// levels from good to useless.
fn step(miners: usize) -> (yuma_subnets::tabular::Key, Vec<Answer>) {
    let mut rng = StdRng::seed_from_u64(9);
    let Ok((_, mut key)) = TabularChallenger.challenge(3);
    key.kind = Kind::Regression;
    let answers = (0..miners)
        .map(|m| {
            let noise = 0.1 + m as f64 / miners as f64;
            Answer {
                predictions: key
                    .test_y
                    .iter()
                    .map(|y| y + noise * rng.gen_range(-1.0..1.0))
                    .collect(),
            }
        })
        .collect();
    (key, answers)
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("shapley");
    for miners in [16, 64, 256] {
        let (key, answers) = step(miners);
        let refs: Vec<&Answer> = answers.iter().collect();
        let estimate = shapley(
            TabularChallenger
                .ensemble(&key, &refs)
                .expect("tabular answers combine")
                .as_mut(),
            1,
        );
        let worst = estimate.standard_error.iter().copied().fold(0.0, f64::max);
        let total: f64 = estimate.values.iter().sum();
        eprintln!(
            "shapley: {miners} miners, ensemble quality {total:.4}, largest standard error {worst:.5}"
        );
        group.bench_function(
            BenchmarkId::new("tabular", format!("miners={miners}")),
            |b| {
                b.iter(|| {
                    let mut game = TabularChallenger
                        .ensemble(&key, &refs)
                        .expect("tabular answers combine");
                    shapley(game.as_mut(), 1)
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
