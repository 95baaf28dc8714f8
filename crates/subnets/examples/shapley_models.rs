//! Mean quality and Shapley value of the reference models over tabular tasks, with sybils:
//! `cargo run --release -p yuma-subnets --example shapley_models -- TASKS SYBILS NOISE`
//! (defaults 40, 0, 0) adds SYBILS copies of the forest with NOISE added to their answers.

use yuma_neuron::{Challenger, Solver};
use yuma_shapley::shapley;
use yuma_subnets::tabular::{Model, TabularChallenger, TabularSolver, score::quality};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).and_then(|s| s.parse::<f64>().ok());
    let tasks = arg(0).unwrap_or(40.0) as u64;
    let sybils = arg(1).unwrap_or(0.0) as usize;
    let noise = arg(2).unwrap_or(0.0);
    let mut miners: Vec<(String, TabularSolver)> = Model::ALL
        .iter()
        .map(|m| (m.name().to_owned(), TabularSolver::new(*m)))
        .collect();
    miners.extend((1..=sybils).map(|i| {
        let copy = TabularSolver::new(Model::Forest).with_noise(noise);
        (format!("sybil-{i}"), copy)
    }));
    let mut value = vec![0.0; miners.len()];
    let mut own = vec![0.0; miners.len()];
    for seed in 0..tasks {
        let Ok((challenge, key)) = TabularChallenger.challenge(seed);
        let answers: Vec<_> = miners
            .iter()
            .map(|(_, m)| m.solve(challenge.clone()).expect("reference models answer"))
            .collect();
        let refs: Vec<_> = answers.iter().collect();
        let mut game = TabularChallenger
            .ensemble(&key, &refs)
            .expect("tabular answers combine");
        let estimate = shapley(game.as_mut(), seed);
        for (i, answer) in answers.iter().enumerate() {
            value[i] += estimate.values[i] / tasks as f64;
            own[i] += quality(&key, answer) / tasks as f64;
        }
    }
    println!("{:<10} {:>8} {:>8}", "miner", "quality", "shapley");
    for ((name, _), (q, v)) in miners.iter().zip(own.iter().zip(&value)) {
        println!("{name:<10} {q:>8.3} {v:>8.4}");
    }
}
