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
    let (truth, predicted) = (&key.test_y, &answer.predictions);
    if truth.is_empty()
        || truth.len() != predicted.len()
        || predicted.iter().any(|p| !p.is_finite())
    {
        return 0.0;
    }
    let raw = match key.kind {
        Kind::Regression => r_squared(truth, predicted),
        Kind::Classification => accuracy_above_chance(truth, predicted),
    };
    if raw.is_finite() {
        raw.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

fn r_squared(truth: &[f64], predicted: &[f64]) -> f64 {
    let n = truth.len() as f64;
    let mean = truth.iter().sum::<f64>() / n;
    let sst: f64 = truth.iter().map(|t| (t - mean).powi(2)).sum();
    let sse: f64 = truth
        .iter()
        .zip(predicted)
        .map(|(t, p)| (t - p).powi(2))
        .sum();
    if sst == 0.0 {
        return if sse == 0.0 { 1.0 } else { 0.0 };
    }
    1.0 - sse / sst
}

fn accuracy_above_chance(truth: &[f64], predicted: &[f64]) -> f64 {
    let n = truth.len() as f64;
    let hits = truth
        .iter()
        .zip(predicted)
        .filter(|(t, p)| p.round() == **t)
        .count() as f64;
    let mut labels: Vec<f64> = truth.to_vec();
    labels.sort_by(f64::total_cmp);
    let mut majority = 0usize;
    let mut run = 0usize;
    for (i, label) in labels.iter().enumerate() {
        run = if i > 0 && labels[i - 1] == *label {
            run + 1
        } else {
            1
        };
        majority = majority.max(run);
    }
    let chance = majority as f64 / n;
    if chance >= 1.0 {
        return if hits == n { 1.0 } else { 0.0 };
    }
    (hits / n - chance) / (1.0 - chance)
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
