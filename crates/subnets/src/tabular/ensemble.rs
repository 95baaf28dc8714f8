//! The tabular ensemble: answers combine by the mean of their predictions (regression) or a
//! vote per row (classification, ties to the smaller class), each answer weighted by the
//! square of its own quality, and the combination is scored as one answer would be. The
//! weights make the ensemble lean on the better answers, as a validator combining them would:
//! an answer no better than chance carries no weight, and a weaker model dilutes a stronger
//! one less. A malformed answer (wrong length, a non-finite value) never
//! joins: it adds nothing to any coalition.
//!
//! Two answers are copies when their squared differences add up to at most
//! [`NEAR_REGRESSION`] of the labels' spread (their sum of squares around the mean) or they
//! differ on at most [`NEAR_CLASSES`] of the rows: far below how much two different models
//! differ (the reference models' answers differ by a seventh of the spread, a fifth of the
//! rows, or more), far above what a copy with a little noise added does.

use yuma_shapley::Coalition;

use super::score::{Baseline, above_chance, r_squared, unit};
use super::task::{Answer, Key};

/// Regression answers whose mean squared difference is below this share of the labels'
/// variance are copies.
pub(super) const NEAR_REGRESSION: f64 = 0.02;
/// Class answers that differ on at most this share of the rows are copies.
pub(super) const NEAR_CLASSES: f64 = 0.1;

/// The answers to one task as a [`Coalition`].
pub(super) struct Ensemble<'a> {
    truth: &'a [f64],
    baseline: Baseline,
    /// Each player's predictions, `None` for a malformed answer.
    players: Vec<Option<&'a [f64]>>,
    /// Each player's weight: its own quality, squared.
    weights: Vec<f64>,
    /// Per row: the weighted sum of the members' predictions (regression).
    sum: Vec<f64>,
    /// Per row: the members' weighted votes as (class, weight), few classes each
    /// (classification).
    votes: Vec<Vec<(i64, f64)>>,
    /// Total weight of the members that joined.
    weight: f64,
}

impl<'a> Ensemble<'a> {
    pub(super) fn new(key: &'a Key, answers: &[&'a Answer]) -> Self {
        let rows = key.test_y.len();
        let baseline = Baseline::of(key);
        let players: Vec<Option<&[f64]>> = answers
            .iter()
            .map(|a| {
                let p = a.predictions.as_slice();
                (p.len() == rows && p.iter().all(|v| v.is_finite())).then_some(p)
            })
            .collect();
        let weights = players
            .iter()
            .map(|p| p.map_or(0.0, |p| baseline.quality(&key.test_y, p).powi(2)))
            .collect();
        Self {
            truth: &key.test_y,
            baseline,
            players,
            weights,
            sum: vec![0.0; rows],
            votes: vec![Vec::new(); rows],
            weight: 0.0,
        }
    }
}

impl Coalition for Ensemble<'_> {
    fn players(&self) -> usize {
        self.players.len()
    }

    fn clear(&mut self) {
        self.sum.fill(0.0);
        self.votes.iter_mut().for_each(Vec::clear);
        self.weight = 0.0;
    }

    fn join(&mut self, i: usize) {
        let (Some(predictions), w) = (self.players[i], self.weights[i]) else {
            return;
        };
        if w == 0.0 {
            return;
        }
        self.weight += w;
        match self.baseline {
            Baseline::Regression { .. } => {
                for (s, p) in self.sum.iter_mut().zip(predictions) {
                    *s += w * p;
                }
            }
            Baseline::Classification { .. } => {
                for (row, p) in self.votes.iter_mut().zip(predictions) {
                    // Saturating cast: any finite prediction names some class.
                    let class = p.round() as i64;
                    match row.iter_mut().find(|(c, _)| *c == class) {
                        Some((_, n)) => *n += w,
                        None => row.push((class, w)),
                    }
                }
            }
        }
    }

    fn same(&self, i: usize, j: usize) -> bool {
        let (Some(a), Some(b)) = (self.players[i], self.players[j]) else {
            return false;
        };
        let rows = self.truth.len().max(1) as f64;
        match self.baseline {
            Baseline::Regression { sst } => {
                let squared: f64 = a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum();
                squared <= NEAR_REGRESSION * sst
            }
            Baseline::Classification { .. } => {
                let differ = a
                    .iter()
                    .zip(b)
                    .filter(|(x, y)| x.round() != y.round())
                    .count();
                differ as f64 <= NEAR_CLASSES * rows
            }
        }
    }

    fn value(&self) -> f64 {
        if self.weight == 0.0 || self.truth.is_empty() {
            return 0.0;
        }
        let raw = match self.baseline {
            Baseline::Regression { sst } => {
                let sse: f64 = self
                    .truth
                    .iter()
                    .zip(&self.sum)
                    .map(|(t, s)| (t - s / self.weight).powi(2))
                    .sum();
                r_squared(sse, sst)
            }
            Baseline::Classification { chance } => {
                let hits = self
                    .truth
                    .iter()
                    .zip(&self.votes)
                    .filter(|(t, row)| {
                        let winner = row
                            .iter()
                            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
                            .map(|(class, _)| *class as f64);
                        winner == Some(**t)
                    })
                    .count();
                above_chance(hits, self.truth.len(), chance)
            }
        };
        unit(raw)
    }
}

#[cfg(test)]
mod tests {
    use yuma_shapley::shapley;

    use super::*;
    use crate::tabular::Kind;
    use crate::tabular::score::quality;

    fn answer(p: &[f64]) -> Answer {
        Answer {
            predictions: p.to_vec(),
        }
    }

    #[test]
    fn one_member_scores_as_its_answer() {
        let key = Key {
            kind: Kind::Regression,
            test_y: vec![1.0, 2.0, 3.0, 4.0],
        };
        let a = answer(&[1.5, 2.0, 3.5, 4.0]);
        let mut e = Ensemble::new(&key, &[&a]);
        assert_eq!(e.value(), 0.0);
        e.join(0);
        assert!((e.value() - quality(&key, &a)).abs() < 1e-12);
    }

    #[test]
    fn regression_averages_and_classification_votes() {
        let key = Key {
            kind: Kind::Regression,
            test_y: vec![1.0, 2.0, 3.0, 4.0],
        };
        // Each has R² 0.8 (weight 0.64); their mean [1, 2, 3, 4] is exact.
        let (a, b) = (answer(&[1.0, 2.0, 3.0, 5.0]), answer(&[1.0, 2.0, 3.0, 3.0]));
        let mut e = Ensemble::new(&key, &[&a, &b]);
        e.join(0);
        e.join(1);
        assert!((e.value() - 1.0).abs() < 1e-12, "{}", e.value());

        let key = Key {
            kind: Kind::Classification,
            test_y: vec![0.0, 1.0, 1.0, 0.0, 1.0, 0.0],
        };
        // Each is wrong on a different row; the vote is right everywhere.
        let answers = [
            answer(&[0.0, 1.0, 1.0, 0.0, 1.0, 1.0]),
            answer(&[0.0, 1.0, 1.0, 1.0, 1.0, 0.0]),
            answer(&[1.0, 1.0, 1.0, 0.0, 1.0, 0.0]),
        ];
        let refs: Vec<&Answer> = answers.iter().collect();
        let mut e = Ensemble::new(&key, &refs);
        (0..3).for_each(|i| e.join(i));
        assert_eq!(e.value(), 1.0);
    }

    #[test]
    fn answers_no_better_than_chance_carry_no_weight() {
        let key = Key {
            kind: Kind::Regression,
            test_y: vec![1.0, 2.0, 3.0, 4.0],
        };
        let good = answer(&[1.0, 2.0, 3.0, 5.0]);
        let flat = answer(&[2.5, 2.5, 2.5, 2.5]);
        let mut e = Ensemble::new(&key, &[&good, &flat]);
        e.join(1);
        assert_eq!(e.value(), 0.0);
        e.join(0);
        assert!((e.value() - quality(&key, &good)).abs() < 1e-12);
    }

    #[test]
    fn malformed_answers_never_join_and_copies_share_credit() {
        let key = Key {
            kind: Kind::Regression,
            test_y: vec![1.0, 2.0, 3.0, 4.0, 5.0],
        };
        let good = answer(&[1.1, 2.0, 2.9, 4.2, 5.0]);
        let short = answer(&[1.0]);
        let nan = answer(&[1.0, 2.0, f64::NAN, 4.0, 5.0]);
        let alone = shapley(&mut Ensemble::new(&key, &[&good]), 1).values;
        let with_junk = shapley(&mut Ensemble::new(&key, &[&good, &short, &nan]), 1).values;
        assert_eq!(with_junk, vec![alone[0], 0.0, 0.0]);
        let copies = shapley(&mut Ensemble::new(&key, &[&good, &good, &good, &good]), 1).values;
        let total: f64 = copies.iter().sum();
        assert!((total - alone[0]).abs() < 1e-12, "{total} vs {}", alone[0]);
    }
}
