//! The tabular ensemble: answers combine by the mean of their predictions (regression) or a
//! majority vote per row (classification, ties to the smaller class), and the combination is
//! scored as one answer would be. A malformed answer (wrong length, a non-finite value) never
//! joins: it adds nothing to any coalition.

use yuma_neuron::shapley::Coalition;

use super::score::{Baseline, above_chance, r_squared, unit};
use super::task::{Answer, Key};

/// The answers to one task as a [`Coalition`].
pub(super) struct Ensemble<'a> {
    truth: &'a [f64],
    baseline: Baseline,
    /// Each player's predictions, `None` for a malformed answer.
    players: Vec<Option<&'a [f64]>>,
    /// Per row: the sum of the members' predictions (regression).
    sum: Vec<f64>,
    /// Per row: the members' votes as (class, count), few classes each (classification).
    votes: Vec<Vec<(i64, u32)>>,
    /// Members that joined (malformed ones excluded).
    members: usize,
}

impl<'a> Ensemble<'a> {
    pub(super) fn new(key: &'a Key, answers: &[&'a Answer]) -> Self {
        let rows = key.test_y.len();
        let players = answers
            .iter()
            .map(|a| {
                let p = a.predictions.as_slice();
                (p.len() == rows && p.iter().all(|v| v.is_finite())).then_some(p)
            })
            .collect();
        Self {
            truth: &key.test_y,
            baseline: Baseline::of(key),
            players,
            sum: vec![0.0; rows],
            votes: vec![Vec::new(); rows],
            members: 0,
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
        self.members = 0;
    }

    fn join(&mut self, i: usize) {
        let Some(predictions) = self.players[i] else {
            return;
        };
        self.members += 1;
        match self.baseline {
            Baseline::Regression { .. } => {
                for (s, p) in self.sum.iter_mut().zip(predictions) {
                    *s += p;
                }
            }
            Baseline::Classification { .. } => {
                for (row, p) in self.votes.iter_mut().zip(predictions) {
                    // Saturating cast: any finite prediction names some class.
                    let class = p.round() as i64;
                    match row.iter_mut().find(|(c, _)| *c == class) {
                        Some((_, n)) => *n += 1,
                        None => row.push((class, 1)),
                    }
                }
            }
        }
    }

    fn value(&self) -> f64 {
        if self.members == 0 || self.truth.is_empty() {
            return 0.0;
        }
        let raw = match self.baseline {
            Baseline::Regression { sst } => {
                let members = self.members as f64;
                let sse: f64 = self
                    .truth
                    .iter()
                    .zip(&self.sum)
                    .map(|(t, s)| (t - s / members).powi(2))
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
                            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
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
    use yuma_neuron::shapley::shapley;

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
        assert_eq!(e.value(), quality(&key, &a));
    }

    #[test]
    fn regression_averages_and_classification_votes() {
        let key = Key {
            kind: Kind::Regression,
            test_y: vec![1.0, 2.0, 3.0],
        };
        let (a, b) = (answer(&[0.0, 2.0, 4.0]), answer(&[2.0, 2.0, 2.0]));
        let mut e = Ensemble::new(&key, &[&a, &b]);
        e.join(0);
        e.join(1);
        // The mean [1, 2, 3] is exact.
        assert_eq!(e.value(), 1.0);

        let key = Key {
            kind: Kind::Classification,
            test_y: vec![0.0, 1.0, 1.0, 0.0],
        };
        let answers = [
            answer(&[0.0, 1.0, 0.0, 0.0]),
            answer(&[0.0, 1.0, 1.0, 1.0]),
            answer(&[1.0, 0.0, 1.0, 0.0]),
        ];
        let refs: Vec<&Answer> = answers.iter().collect();
        let mut e = Ensemble::new(&key, &refs);
        (0..3).for_each(|i| e.join(i));
        // The vote is [0, 1, 1, 0]: all right.
        assert_eq!(e.value(), 1.0);
        e.clear();
        e.join(0);
        e.join(2);
        // Ties go to the smaller class: [0, 0, 0, 0], chance 1/2, accuracy 1/2.
        assert_eq!(e.value(), 0.0);
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
