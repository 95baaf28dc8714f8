//! Scoring an answer against the kept test labels.
//!
//! - Regression: R² = 1 - SSE / SST over the test rows (SST around the test labels' mean).
//! - Classification: accuracy above chance, `(acc - chance) / (1 - chance)`, where chance is
//!   the frequency of the most common test label (what predicting the majority class earns).
//!
//! Both are clamped to [0, 1]: a model no better than the mean or the majority class scores 0,
//! whatever way it is worse. An answer of the wrong length or with a non-finite value scores 0.

use super::task::{Answer, Key, Kind};

/// The quality of `answer` in [0, 1].
pub fn quality(key: &Key, answer: &Answer) -> f64 {
    Baseline::of(key).quality(&key.test_y, &answer.predictions)
}

/// What scoring compares predictions with, computed once per task: the spread of the test
/// labels around their mean (regression) or the share of the most common label (chance,
/// for classification).
#[derive(Debug, Clone, Copy)]
pub(super) enum Baseline {
    /// Regression: SST, the squared distance of the labels from their mean.
    Regression {
        /// Sum of squares around the mean.
        sst: f64,
    },
    /// Classification: what predicting the majority class earns.
    Classification {
        /// Its accuracy.
        chance: f64,
    },
}

impl Baseline {
    pub(super) fn of(key: &Key) -> Self {
        let truth = &key.test_y;
        let n = truth.len().max(1) as f64;
        match key.kind {
            Kind::Regression => {
                let mean = truth.iter().sum::<f64>() / n;
                Self::Regression {
                    sst: truth.iter().map(|t| (t - mean).powi(2)).sum(),
                }
            }
            Kind::Classification => {
                let mut labels: Vec<f64> = truth.clone();
                labels.sort_by(f64::total_cmp);
                let majority = labels
                    .chunk_by(|a, b| a == b)
                    .map(<[f64]>::len)
                    .max()
                    .unwrap_or(0);
                Self::Classification {
                    chance: majority as f64 / n,
                }
            }
        }
    }

    /// The quality in [0, 1] of `predicted` against `truth`; 0 for a wrong length, no rows
    /// or a non-finite prediction.
    pub(super) fn quality(self, truth: &[f64], predicted: &[f64]) -> f64 {
        if truth.is_empty()
            || truth.len() != predicted.len()
            || predicted.iter().any(|p| !p.is_finite())
        {
            return 0.0;
        }
        let raw = match self {
            Self::Regression { sst } => {
                let sse: f64 = truth
                    .iter()
                    .zip(predicted)
                    .map(|(t, p)| (t - p).powi(2))
                    .sum();
                r_squared(sse, sst)
            }
            Self::Classification { chance } => {
                let hits = truth
                    .iter()
                    .zip(predicted)
                    .filter(|(t, p)| p.round() == **t)
                    .count();
                above_chance(hits, truth.len(), chance)
            }
        };
        unit(raw)
    }
}

/// R² from the sums of squares (1 for a perfect answer to constant labels, else 0 there).
pub(super) fn r_squared(sse: f64, sst: f64) -> f64 {
    if sst == 0.0 {
        return if sse == 0.0 { 1.0 } else { 0.0 };
    }
    1.0 - sse / sst
}

/// Accuracy above chance, `(acc - chance) / (1 - chance)`, for `hits` of `n` rows.
pub(super) fn above_chance(hits: usize, n: usize, chance: f64) -> f64 {
    if chance >= 1.0 {
        return if hits == n { 1.0 } else { 0.0 };
    }
    (hits as f64 / n as f64 - chance) / (1.0 - chance)
}

/// A raw score clamped to [0, 1] (0 when not a number).
pub(super) fn unit(raw: f64) -> f64 {
    if raw.is_finite() {
        raw.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(kind: Kind, test_y: &[f64]) -> Key {
        Key {
            kind,
            test_y: test_y.to_vec(),
        }
    }

    fn answer(p: &[f64]) -> Answer {
        Answer {
            predictions: p.to_vec(),
        }
    }

    #[test]
    fn r_squared_exact_values() {
        let k = key(Kind::Regression, &[1.0, 2.0, 3.0]);
        assert_eq!(quality(&k, &answer(&[1.0, 2.0, 3.0])), 1.0);
        assert_eq!(quality(&k, &answer(&[2.0, 2.0, 2.0])), 0.0);
        // SSE 0.5, SST 2: R² = 0.75.
        assert_eq!(quality(&k, &answer(&[1.5, 2.0, 3.5])), 0.75);
        // Worse than the mean is clamped to 0.
        assert_eq!(quality(&k, &answer(&[3.0, 2.0, 1.0])), 0.0);
    }

    #[test]
    fn accuracy_above_chance_exact_values() {
        let k = key(Kind::Classification, &[0.0, 0.0, 1.0, 1.0]);
        assert_eq!(quality(&k, &answer(&[0.0, 0.0, 1.0, 1.0])), 1.0);
        assert_eq!(quality(&k, &answer(&[0.0, 0.0, 0.0, 0.0])), 0.0);
        // 3 of 4 right, chance 1/2: (0.75 - 0.5) / 0.5 = 0.5.
        assert_eq!(quality(&k, &answer(&[0.0, 1.0, 1.0, 1.0])), 0.5);
    }

    #[test]
    fn malformed_answers_score_zero() {
        let k = key(Kind::Regression, &[1.0, 2.0, 3.0]);
        assert_eq!(quality(&k, &answer(&[1.0, 2.0])), 0.0);
        assert_eq!(quality(&k, &answer(&[1.0, 2.0, f64::NAN])), 0.0);
        assert_eq!(quality(&k, &answer(&[1.0, 2.0, f64::INFINITY])), 0.0);
        assert_eq!(quality(&key(Kind::Regression, &[]), &answer(&[])), 0.0);
    }
}
