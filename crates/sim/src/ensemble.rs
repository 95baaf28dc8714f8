//! The ensemble game over one tempo's answers ([`crate::answers`]), as the tabular subnet's
//! validators play it (`yuma_subnets::tabular::ensemble`, regression): the coalition's answer
//! is the mean of its members' predictions, each weighted by the square of its own quality
//! (R² clamped to [0, 1]), and is worth its own R², clamped to [0, 1]. Two answers are copies
//! when their squared differences add up to at most [`NEAR`] of the targets' sum of squares
//! around their mean (mean squared difference at most 2% of the variance).
//!
//! [`values`] gives every miner its Shapley value in this game (`yuma_shapley::shapley`:
//! copies merged and sharing one player's value, exact up to 10 distinct answers, else 1024
//! walks sampled from the seed).

use yuma_shapley::{Coalition, shapley};

use crate::answers::Round;

/// Answers whose mean squared difference is at most this share of the targets' variance are
/// copies (`NEAR_REGRESSION` of the tabular ensemble).
pub const NEAR: f64 = 0.02;

/// R² of `predicted` against `targets` whose sum of squares around the mean is `sst`,
/// unclamped; 0 when the targets do not vary.
pub fn r_squared(targets: &[f64], sst: f64, predicted: &[f64]) -> f64 {
    if sst <= 0.0 {
        return 0.0;
    }
    let sse: f64 = targets
        .iter()
        .zip(predicted)
        .map(|(t, p)| (t - p) * (t - p))
        .sum();
    1.0 - sse / sst
}

/// The answers of one round as a [`Coalition`].
///
/// The coalition's squared error is kept in closed form, so reading its value costs O(1)
/// and only joining costs O(rows): with `s` the weighted sum of the members' predictions and
/// `W` their total weight, `SSE = sum(t²) - 2 sum(t s) / W + sum(s²) / W²`.
struct Ensemble<'a> {
    round: &'a Round,
    /// Each player's weight: its own quality, squared.
    weights: Vec<f64>,
    /// Each player's `sum(t p)`: its predictions' dot product with the targets.
    target_dot: Vec<f64>,
    /// `sum(t²)` over the targets.
    target_squares: f64,
    /// Per row: the weighted sum of the members' predictions.
    sum: Vec<f64>,
    /// `sum(t s)`.
    cross: f64,
    /// `sum(s²)`.
    squares: f64,
    /// Total weight of the members that joined.
    weight: f64,
}

impl<'a> Ensemble<'a> {
    fn new(round: &'a Round) -> Self {
        let weights = round
            .answers
            .iter()
            .map(|a| {
                let q = r_squared(&round.targets, round.sst, a).clamp(0.0, 1.0);
                q * q
            })
            .collect();
        let dot = |a: &[f64]| -> f64 { round.targets.iter().zip(a).map(|(t, p)| t * p).sum() };
        Self {
            round,
            weights,
            target_dot: round.answers.iter().map(|a| dot(a)).collect(),
            target_squares: dot(&round.targets),
            sum: vec![0.0; round.targets.len()],
            cross: 0.0,
            squares: 0.0,
            weight: 0.0,
        }
    }
}

impl Coalition for Ensemble<'_> {
    fn players(&self) -> usize {
        self.round.answers.len()
    }

    fn clear(&mut self) {
        self.sum.fill(0.0);
        self.cross = 0.0;
        self.squares = 0.0;
        self.weight = 0.0;
    }

    fn join(&mut self, i: usize) {
        let w = self.weights[i];
        if w == 0.0 {
            return;
        }
        self.weight += w;
        self.cross += w * self.target_dot[i];
        let mut squares = 0.0;
        for (s, p) in self.sum.iter_mut().zip(&self.round.answers[i]) {
            *s += w * p;
            squares += *s * *s;
        }
        self.squares = squares;
    }

    fn same(&self, i: usize, j: usize) -> bool {
        let (a, b) = (&self.round.answers[i], &self.round.answers[j]);
        let squared: f64 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum();
        squared <= NEAR * self.round.sst
    }

    fn value(&self) -> f64 {
        let (w, sst) = (self.weight, self.round.sst);
        if w == 0.0 || sst <= 0.0 {
            return 0.0;
        }
        let sse = self.target_squares - 2.0 * self.cross / w + self.squares / (w * w);
        (1.0 - sse / sst).clamp(0.0, 1.0)
    }
}

/// Every answer's Shapley value in the round's ensemble, sampled from `seed` above 10
/// distinct answers.
pub fn values(round: &Round, seed: u64) -> Vec<f64> {
    shapley(&mut Ensemble::new(round), seed).values
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(answers: &[&[f64]]) -> Round {
        let targets = vec![1.0, 2.0, 3.0, 4.0];
        Round {
            sst: crate::answers::sum_of_squares(&targets),
            targets,
            answers: answers.iter().map(|a| a.to_vec()).collect(),
        }
    }

    #[test]
    fn weighted_mean_of_members_scored_by_r_squared() {
        // Each has R² 0.8 (weight 0.64); their mean is exact.
        let r = round(&[&[1.0, 2.0, 3.0, 5.0], &[1.0, 2.0, 3.0, 3.0]]);
        let mut e = Ensemble::new(&r);
        assert_eq!(e.value(), 0.0);
        e.join(0);
        assert!((e.value() - 0.8).abs() < 1e-12, "{}", e.value());
        e.join(1);
        assert!((e.value() - 1.0).abs() < 1e-12, "{}", e.value());
        // Values sum to the whole ensemble's and split evenly between equals.
        let v = values(&r, 1);
        assert!(
            (v[0] - 0.5).abs() < 1e-12 && (v[1] - 0.5).abs() < 1e-12,
            "{v:?}"
        );
    }

    #[test]
    fn copies_share_one_models_credit_and_noise_earns_nothing() {
        let good: &[f64] = &[1.1, 2.0, 2.9, 4.2];
        let alone = values(&round(&[good]), 1)[0];
        let copies = values(&round(&[good, good, good, good]), 1);
        assert!(
            copies.iter().all(|v| (v - alone / 4.0).abs() < 1e-12),
            "{copies:?}"
        );
        let noise = values(&round(&[good, &[4.0, 1.0, 4.0, 1.0]]), 1);
        assert!(
            (noise[0] - alone).abs() < 1e-12 && noise[1] == 0.0,
            "{noise:?}"
        );
    }
}
