//! What a subnet plugs into the frameworks: how a miner answers a challenge ([`Solver`]) and
//! how a validator makes a challenge and scores the answer ([`Challenger`]).
//!
//! Challenges and answers travel as JSON (see [`crate::protocol`]), so the two sides share
//! types only through their serde form: a gateway can reuse [`crate::protocol::MinerClient`]
//! with any serialisable request.

use serde::Serialize;
use serde::de::DeserializeOwned;

use yuma_shapley::{Coalition, shapley};

/// How a miner replies when its solver gives no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The model refused the challenge: 422.
    Refused,
    /// The model is not reachable or broke its protocol: 502.
    Unavailable,
    /// The model took too long: 504.
    TimedOut,
}

/// The miner side of a subnet: answers one challenge. Runs on a blocking thread, so it may
/// compute for a while.
pub trait Solver: Send + Sync + 'static {
    /// What the validator sends.
    type Challenge: DeserializeOwned + Send + 'static;
    /// What the miner answers.
    type Answer: Serialize + Send + 'static;
    /// Why the miner could not answer (a malformed challenge, a failed model).
    type Error: std::fmt::Display + Send + 'static;

    /// Answers `challenge`.
    ///
    /// # Errors
    /// When the challenge cannot be answered; the miner replies 422 with the message.
    fn solve(&self, challenge: Self::Challenge) -> Result<Self::Answer, Self::Error>;

    /// How the miner replies to `error`; by default the model refused the challenge.
    fn failure(&self, error: &Self::Error) -> Failure {
        let _ = error;
        Failure::Refused
    }
}

/// How a step's answers are scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scoring {
    /// Each miner's Shapley value in the ensemble of the step's answers, when the task can
    /// combine answers (else as [`Scoring::Independent`]).
    #[default]
    Shapley,
    /// Each answer's own quality.
    Independent,
}

impl Scoring {
    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Shapley => "shapley",
            Self::Independent => "independent",
        }
    }
}

impl std::str::FromStr for Scoring {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "shapley" => Ok(Self::Shapley),
            "independent" => Ok(Self::Independent),
            _ => Err(format!(
                "unknown scoring {s:?}: expected shapley or independent"
            )),
        }
    }
}

/// One step's answers, scored.
#[derive(Debug, Clone, PartialEq)]
pub struct StepScores {
    /// Each answer's own quality, in [0, 1].
    pub quality: Vec<f64>,
    /// What each miner is paid for: its Shapley value in the ensemble of the answers, or its
    /// answer's quality (by the [`Scoring`] and whether the task combines answers).
    pub paid: Vec<f64>,
}

/// The validator side of a subnet: makes fresh challenges and scores answers against what it
/// kept secret. The validator calls it on a blocking thread, so it may compute, or wait on
/// another program, for a while.
pub trait Challenger: Send + Sync + 'static {
    /// What the validator sends.
    type Challenge: Serialize + Send + Sync + 'static;
    /// What the miner answers.
    type Answer: DeserializeOwned + Send + 'static;
    /// What the validator keeps to score the answer (never sent).
    type Key: Send + Sync + 'static;
    /// Why no challenge could be drawn or no step scored (a task program that is down).
    type Error: std::fmt::Display + Send + 'static;

    /// A fresh challenge drawn from `seed`, and its key.
    ///
    /// # Errors
    /// When the task cannot draw one; the validator skips the step.
    fn challenge(&self, seed: u64) -> Result<(Self::Challenge, Self::Key), Self::Error>;

    /// The quality of `answer` in [0, 1] (0 for a wrong or malformed answer).
    fn score(&self, key: &Self::Key, answer: &Self::Answer) -> f64;

    /// The answers to one challenge as a game whose value is the quality of their combined
    /// answer (a mean of predictions, a majority vote, ...), for scoring each miner by what it
    /// adds (`yuma_shapley`). `None`, the default, when the task cannot combine answers:
    /// each answer is then scored alone.
    fn ensemble<'a>(
        &'a self,
        key: &'a Self::Key,
        answers: &[&'a Self::Answer],
    ) -> Option<Box<dyn Coalition + 'a>> {
        let _ = (key, answers);
        None
    }

    /// Scores all of one step's answers (all to the challenge of `key`) at once, under
    /// `scoring`, with `seed` for any sampling. The default scores each answer with
    /// [`Challenger::score`] and, for Shapley scoring, plays [`Challenger::ensemble`].
    ///
    /// # Errors
    /// When the task cannot score them; the validator then records nothing for the step.
    fn score_step(
        &self,
        key: &Self::Key,
        answers: &[&Self::Answer],
        scoring: Scoring,
        seed: u64,
    ) -> Result<StepScores, Self::Error> {
        let quality: Vec<f64> = answers.iter().map(|a| self.score(key, a)).collect();
        let paid = match scoring {
            Scoring::Shapley => self
                .ensemble(key, answers)
                .map(|mut game| shapley(game.as_mut(), seed).values),
            Scoring::Independent => None,
        }
        .unwrap_or_else(|| quality.clone());
        Ok(StepScores { quality, paid })
    }
}
