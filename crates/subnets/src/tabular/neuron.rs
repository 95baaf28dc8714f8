//! The tabular subnet plugged into the neuron frameworks: [`TabularSolver`] for miners,
//! [`TabularChallenger`] for validators.

use rand::SeedableRng;
use rand::rngs::StdRng;
use yuma_neuron::shapley::Coalition;
use yuma_neuron::{Challenger, Solver};

use super::ensemble::Ensemble;
use super::model::{Error, Model};
use super::score::quality;
use super::task::{Answer, Challenge, Key, draw};

/// A miner answering with one [`Model`].
#[derive(Debug, Clone, Copy)]
pub struct TabularSolver(pub Model);

impl Solver for TabularSolver {
    type Challenge = Challenge;
    type Answer = Answer;
    type Error = Error;

    fn solve(&self, challenge: Challenge) -> Result<Answer, Error> {
        self.0.answer(&challenge)
    }
}

/// A validator drawing fresh tabular tasks.
#[derive(Debug, Clone, Copy, Default)]
pub struct TabularChallenger;

impl Challenger for TabularChallenger {
    type Challenge = Challenge;
    type Answer = Answer;
    type Key = Key;

    fn challenge(&self, seed: u64) -> (Challenge, Key) {
        draw(&mut StdRng::seed_from_u64(seed))
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
