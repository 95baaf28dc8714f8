//! The tabular subnet plugged into the neuron frameworks: [`TabularSolver`] for miners,
//! [`TabularChallenger`] for validators.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use yuma_neuron::{Challenger, Solver};
use yuma_shapley::Coalition;

use super::ensemble::Ensemble;
use super::model::{Error, Model};
use super::score::quality;
use super::task::{Answer, Challenge, Key, Kind, draw};

/// A miner answering with one [`Model`], optionally with noise added to its answers: a
/// near-copy of that model, as a sybil would serve to look like a different miner.
#[derive(Debug, Clone, Copy)]
pub struct TabularSolver {
    model: Model,
    noise: f64,
}

impl TabularSolver {
    /// The model's own answers.
    pub fn new(model: Model) -> Self {
        Self { model, noise: 0.0 }
    }

    /// Answers with noise of size `noise` (clamped to [0, 1]) added: each regression
    /// prediction moves by up to `noise` times the spread of the training targets, and each
    /// class prediction is replaced by a random training label with probability `noise`.
    pub fn with_noise(self, noise: f64) -> Self {
        Self {
            noise: if noise.is_finite() {
                noise.clamp(0.0, 1.0)
            } else {
                0.0
            },
            ..self
        }
    }
}

impl Solver for TabularSolver {
    type Challenge = Challenge;
    type Answer = Answer;
    type Error = Error;

    fn solve(&self, challenge: Challenge) -> Result<Answer, Error> {
        let mut answer = self.model.answer(&challenge)?;
        if self.noise > 0.0 {
            perturb(&mut answer, &challenge, self.noise, &mut rand::thread_rng());
        }
        Ok(answer)
    }
}

/// Adds noise of size `noise` to `answer` (see [`TabularSolver::with_noise`]).
fn perturb(answer: &mut Answer, challenge: &Challenge, noise: f64, rng: &mut impl Rng) {
    let y = &challenge.train_y;
    match challenge.kind {
        Kind::Regression => {
            let n = y.len().max(1) as f64;
            let mean = y.iter().sum::<f64>() / n;
            let spread = (y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
            for p in &mut answer.predictions {
                *p += noise * spread * rng.gen_range(-1.0..=1.0);
            }
        }
        Kind::Classification => {
            for p in &mut answer.predictions {
                if let Some(label) = y.get(rng.gen_range(0..y.len().max(1)))
                    && rng.gen_bool(noise)
                {
                    *p = *label;
                }
            }
        }
    }
}

/// A validator drawing fresh tabular tasks.
#[derive(Debug, Clone, Copy, Default)]
pub struct TabularChallenger;

impl Challenger for TabularChallenger {
    type Challenge = Challenge;
    type Answer = Answer;
    type Key = Key;
    type Error = std::convert::Infallible;

    fn challenge(&self, seed: u64) -> Result<(Challenge, Key), Self::Error> {
        Ok(draw(&mut StdRng::seed_from_u64(seed)))
    }

    fn score(&self, key: &Key, answer: &Answer) -> f64 {
        quality(key, answer)
    }

    fn ensemble<'a>(
        &'a self,
        key: &'a Key,
        answers: &[&'a Answer],
    ) -> Option<Box<dyn Coalition + 'a>> {
        Some(Box::new(Ensemble::new(key, answers)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tabular::score::quality;

    #[test]
    fn noise_lowers_quality_a_little() {
        let mut rng = StdRng::seed_from_u64(5);
        for seed in 0..4 {
            let Ok((challenge, key)) = TabularChallenger.challenge(seed);
            let clean = TabularSolver::new(Model::Forest)
                .solve(challenge.clone())
                .expect("the forest answers");
            let mut noisy = clean.clone();
            perturb(&mut noisy, &challenge, 0.1, &mut rng);
            assert_ne!(noisy, clean);
            let (q_clean, q_noisy) = (quality(&key, &clean), quality(&key, &noisy));
            assert!(q_noisy <= q_clean + 0.05, "{q_noisy} vs {q_clean}");
            assert!(q_noisy >= q_clean - 0.3, "{q_noisy} vs {q_clean}");
        }
    }
}
