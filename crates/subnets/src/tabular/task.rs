//! Drawing a fresh learning task: features, a hidden rule with noise, and the split into what
//! the miner sees (training rows, test inputs) and what the validator keeps (test labels).
//!
//! Every task has `d` features (8 to 10, uniform on [-1, 1]) of which four carry signal,
//! through a rule drawn anew each time (random features, signs, sizes and thresholds):
//!
//! ```text
//! f(x) = a * x[i]                                  linear part
//!      + b * step(|x[j]| > t1)                     a band (invisible to a linear model)
//!      + c * (step(x[k] > t2) xor step(x[l] > t3)) a thresholded interaction
//! y    = f(x) + noise                              regression
//! y    = the quantile bin of f(x) + noise          classification, 2 or 3 balanced classes
//! ```
//!
//! The rule is built so the reference models land at distinct levels: a linear model sees
//! only the linear part, k-nearest neighbours is diluted by the four to six irrelevant
//! features, a single tree finds the thresholds but overfits the noise, and a forest averages
//! that noise away.

use rand::Rng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

/// Training rows per task.
pub const TRAIN_ROWS: usize = 300;
/// Test rows per task.
pub const TEST_ROWS: usize = 80;
/// Fewest features per task.
pub const MIN_FEATURES: usize = 8;
/// Most features per task.
pub const MAX_FEATURES: usize = 10;

/// What kind of answer a task asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Predict a real number; scored by R².
    Regression,
    /// Predict a class `0..classes`; scored by accuracy above chance.
    Classification,
}

/// What the validator sends: training rows and the test inputs to predict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Challenge {
    /// Regression or classification.
    pub kind: Kind,
    /// Training inputs, one row per sample, all rows of the same width.
    pub train_x: Vec<Vec<f64>>,
    /// Training targets (class indices as whole numbers for classification).
    pub train_y: Vec<f64>,
    /// Test inputs to predict.
    pub test_x: Vec<Vec<f64>>,
}

/// What the miner answers: one prediction per test row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    /// Predictions, in the order of `test_x`.
    pub predictions: Vec<f64>,
}

/// What the validator keeps secret: the test labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// Regression or classification.
    pub kind: Kind,
    /// True test targets.
    pub test_y: Vec<f64>,
}

/// Draws a task with `rng`: the challenge to send and the key to score it with.
pub fn draw<R: Rng>(rng: &mut R) -> (Challenge, Key) {
    let d = rng.gen_range(MIN_FEATURES..=MAX_FEATURES);
    let mut features: Vec<usize> = (0..d).collect();
    features.shuffle(rng);
    let (i, j, k, l) = (features[0], features[1], features[2], features[3]);
    let sign = |rng: &mut R| if rng.gen_bool(0.5) { 1.0 } else { -1.0 };
    let a = sign(rng) * rng.gen_range(0.5..0.8);
    let b = sign(rng) * rng.gen_range(0.9..1.3);
    let c = sign(rng) * rng.gen_range(0.9..1.3);
    let band = rng.gen_range(0.3..0.6);
    let t2 = rng.gen_range(-0.3..0.3);
    let t3 = rng.gen_range(-0.3..0.3);
    let noise = rng.gen_range(0.1..0.2);
    let step = |v: f64, t: f64| -> f64 { if v > t { 1.0 } else { 0.0 } };
    let rows = TRAIN_ROWS + TEST_ROWS;
    let x: Vec<Vec<f64>> = (0..rows)
        .map(|_| (0..d).map(|_| rng.gen_range(-1.0..1.0)).collect())
        .collect();
    let y: Vec<f64> = x
        .iter()
        .map(|r| {
            let xor = (step(r[k], t2) - step(r[l], t3)).abs();
            a * r[i] + b * step(r[j].abs(), band) + c * xor + noise * normal(rng)
        })
        .collect();
    let kind = if rng.gen_bool(0.5) {
        Kind::Regression
    } else {
        Kind::Classification
    };
    let y = match kind {
        Kind::Regression => y,
        Kind::Classification => quantile_bins(&y, rng.gen_range(2..=3)),
    };
    let (train_x, test_x) = x.split_at(TRAIN_ROWS);
    let (train_y, test_y) = y.split_at(TRAIN_ROWS);
    (
        Challenge {
            kind,
            train_x: train_x.to_vec(),
            train_y: train_y.to_vec(),
            test_x: test_x.to_vec(),
        },
        Key {
            kind,
            test_y: test_y.to_vec(),
        },
    )
}

/// A standard normal draw (Box-Muller).
fn normal<R: Rng>(rng: &mut R) -> f64 {
    let u: f64 = rng.gen_range(f64::EPSILON..1.0);
    let v: f64 = rng.gen_range(0.0..1.0);
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// Replaces each value by the index of its quantile bin among `classes` equal-count bins.
fn quantile_bins(y: &[f64], classes: usize) -> Vec<f64> {
    let mut sorted = y.to_vec();
    sorted.sort_by(f64::total_cmp);
    let cuts: Vec<f64> = (1..classes)
        .map(|c| sorted[c * sorted.len() / classes])
        .collect();
    y.iter()
        .map(|v| cuts.iter().filter(|&&cut| *v >= cut).count() as f64)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn tasks_have_consistent_shapes() {
        let mut rng = StdRng::seed_from_u64(1);
        for _ in 0..20 {
            let (challenge, key) = draw(&mut rng);
            assert_eq!(challenge.train_x.len(), TRAIN_ROWS);
            assert_eq!(challenge.train_y.len(), TRAIN_ROWS);
            assert_eq!(challenge.test_x.len(), TEST_ROWS);
            assert_eq!(key.test_y.len(), TEST_ROWS);
            let width = challenge.train_x[0].len();
            assert!((MIN_FEATURES..=MAX_FEATURES).contains(&width));
            assert!(
                challenge
                    .train_x
                    .iter()
                    .chain(&challenge.test_x)
                    .all(|r| r.len() == width)
            );
        }
    }

    #[test]
    fn tasks_differ_each_draw() {
        let mut rng = StdRng::seed_from_u64(2);
        let (first, _) = draw(&mut rng);
        let (second, _) = draw(&mut rng);
        assert_ne!(first, second);
    }

    #[test]
    fn quantile_bins_are_balanced() {
        let y: Vec<f64> = (0..90).map(f64::from).collect();
        let bins = quantile_bins(&y, 3);
        for class in 0..3 {
            let count = bins.iter().filter(|&&b| b == f64::from(class)).count();
            assert_eq!(count, 30);
        }
    }
}
