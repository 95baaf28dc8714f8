//! The synthetic answers Shapley scoring plays with: one regression challenge per tempo, and
//! each miner's predictions for it.
//!
//! Independent scoring needs only a miner's true quality; Shapley scoring needs answers,
//! because what a miner adds depends on how its answer differs from the others'. This module
//! stands in for the tabular subnet (`yuma_subnets::tabular`) with the least that keeps its
//! game's shape:
//!
//! - The challenge of tempo `t` is [`ROWS`] targets `y`, approximately standard normal,
//!   keyed by (seed, tempo, row).
//! - A model of true quality `q` predicts `y + sqrt(1 - q) * e`, where the error `e` mixes a
//!   component every model shares (weight [`SHARED_ERROR`] of its variance) with one of the
//!   model's own, both of unit variance. So its R² against the targets is about `q`, two
//!   models' errors correlate by [`SHARED_ERROR`], and an ensemble of many models saturates
//!   below 1 as real ones do (they all miss what the features do not tell).
//! - A model's own draws are keyed by the model, not the hotkey: the members of a sybil group
//!   serve one model and give identical answers. A near-copy (`answer_noise_percent`) adds
//!   noise of its own, keyed by its uid, of that percentage of the targets' standard
//!   deviation: 5% makes two copies differ by 0.5% of the targets' variance, far under the
//!   copy threshold of 2% ([`crate::ensemble`]), and two different models of quality 0.7 by
//!   about 24%.
//! - A random miner answers noise independent of the targets (R² about -1, so it scores 0).

use crate::engine::{Agent, QUALITY_ONE, Role};
use crate::rng::{
    STREAM_ANSWER_NOISE, STREAM_MODEL_ERROR, STREAM_SHARED_ERROR, STREAM_TARGET, keyed, normal,
};
use crate::scenario::MinerStrategy;

/// Rows per challenge: as many as a small tabular test split.
pub const ROWS: usize = 40;
/// Share of a model's error variance that every model shares: the correlation of two models'
/// errors.
pub const SHARED_ERROR: f64 = 0.6;

/// One tempo's challenge and every miner's answer to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Round {
    /// The targets, one per row.
    pub targets: Vec<f64>,
    /// The targets' sum of squares around their mean.
    pub sst: f64,
    /// Each miner's predictions (in the order of the miners given), one per row.
    pub answers: Vec<Vec<f64>>,
}

/// The challenge of tempo `tempo` and the `miners`' answers to it.
pub fn round(seed: u64, tempo: u64, miners: &[&Agent]) -> Round {
    let rows = 0..ROWS as u64;
    let targets: Vec<f64> = rows
        .clone()
        .map(|r| normal(keyed(seed, STREAM_TARGET, tempo, r, 0)))
        .collect();
    let shared: Vec<f64> = rows
        .map(|r| normal(keyed(seed, STREAM_SHARED_ERROR, tempo, r, 0)))
        .collect();
    let sst = sum_of_squares(&targets);
    let spread = (sst / ROWS as f64).sqrt();
    let (a, b) = (SHARED_ERROR.sqrt(), (1.0 - SHARED_ERROR).sqrt());
    let answers = miners
        .iter()
        .map(|m| {
            let own = |r: usize| normal(keyed(seed, STREAM_MODEL_ERROR, tempo, m.model, r as u64));
            if m.role == Role::Miner(MinerStrategy::Random) {
                return (0..ROWS).map(own).collect();
            }
            let scale = (1.0 - m.quality_at(tempo) as f64 / QUALITY_ONE as f64).sqrt();
            let noise = f64::from(m.answer_noise_percent) / 100.0 * spread;
            (0..ROWS)
                .map(|r| {
                    let mut p = targets[r] + scale * (a * shared[r] + b * own(r));
                    if noise > 0.0 {
                        let key =
                            keyed(seed, STREAM_ANSWER_NOISE, tempo, u64::from(m.uid), r as u64);
                        p += noise * normal(key);
                    }
                    p
                })
                .collect()
        })
        .collect();
    Round {
        targets,
        sst,
        answers,
    }
}

/// Sum of squares around the mean.
pub(crate) fn sum_of_squares(values: &[f64]) -> f64 {
    let mean = values.iter().sum::<f64>() / values.len().max(1) as f64;
    values.iter().map(|v| (v - mean) * (v - mean)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ensemble::r_squared;

    fn miner(uid: u16, model: u64, strategy: MinerStrategy, quality: u64, noise: u32) -> Agent {
        Agent {
            uid,
            role: Role::Miner(strategy),
            group: 0,
            stake: 0,
            join_epoch: 0,
            quality,
            change: None,
            drift: Vec::new(),
            model,
            answer_noise_percent: noise,
        }
    }

    fn mean_sq_diff(a: &[f64], b: &[f64]) -> f64 {
        a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>() / a.len() as f64
    }

    #[test]
    fn r_squared_is_about_the_true_quality() {
        let q = [0, 300_000, 700_000, 950_000];
        let mut mean = [0.0; 4];
        for t in 0..200 {
            let miners: Vec<Agent> = q
                .iter()
                .enumerate()
                .map(|(i, &q)| miner(i as u16, i as u64, MinerStrategy::Honest, q, 0))
                .collect();
            let refs: Vec<&Agent> = miners.iter().collect();
            let r = round(1, t, &refs);
            for (m, answer) in mean.iter_mut().zip(&r.answers) {
                *m += r_squared(&r.targets, r.sst, answer) / 200.0;
            }
        }
        // Unclamped R²: a model with no signal (q = 0) errs by the targets' spread.
        for (m, q) in mean.iter().zip(q) {
            let q = q as f64 / QUALITY_ONE as f64;
            assert!((m - q).abs() < 0.05, "{m} vs {q}");
        }
    }

    #[test]
    fn sybils_answer_alike_near_copies_nearly_and_random_miners_noise() {
        let miners = [
            miner(0, 9, MinerStrategy::Sybil, 700_000, 0),
            miner(1, 9, MinerStrategy::Sybil, 700_000, 0),
            miner(2, 9, MinerStrategy::Sybil, 700_000, 5),
            miner(3, 9, MinerStrategy::Sybil, 700_000, 5),
            miner(4, 4, MinerStrategy::Honest, 700_000, 0),
            miner(5, 5, MinerStrategy::Random, 0, 0),
        ];
        let refs: Vec<&Agent> = miners.iter().collect();
        let r = round(3, 7, &refs);
        let variance = r.sst / ROWS as f64;
        assert_eq!(r.answers[0], r.answers[1]);
        let near = mean_sq_diff(&r.answers[2], &r.answers[3]) / variance;
        assert!(near > 0.0 && near < 0.02, "{near}");
        let other = mean_sq_diff(&r.answers[0], &r.answers[4]) / variance;
        assert!(other > 0.1, "{other}");
        assert!(r_squared(&r.targets, r.sst, &r.answers[5]) < 0.0);
        assert_eq!(round(3, 7, &refs), r);
        assert_ne!(round(3, 8, &refs).targets, r.targets);
    }
}
