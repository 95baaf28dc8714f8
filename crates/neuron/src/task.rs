//! What a subnet plugs into the frameworks: how a miner answers a challenge ([`Solver`]) and
//! how a validator makes a challenge and scores the answer ([`Challenger`]).
//!
//! Challenges and answers travel as JSON (see [`crate::protocol`]), so the two sides share
//! types only through their serde form: a gateway can reuse [`crate::protocol::MinerClient`]
//! with any serialisable request.

use serde::Serialize;
use serde::de::DeserializeOwned;

use yuma_shapley::Coalition;

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

/// The validator side of a subnet: makes fresh challenges and scores answers against what it
/// kept secret.
pub trait Challenger: Send + Sync + 'static {
    /// What the validator sends.
    type Challenge: Serialize + Send + Sync + 'static;
    /// What the miner answers.
    type Answer: DeserializeOwned + Send + 'static;
    /// What the validator keeps to score the answer (never sent).
    type Key: Send + Sync + 'static;

    /// A fresh challenge drawn from `seed`, and its key.
    fn challenge(&self, seed: u64) -> (Self::Challenge, Self::Key);

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
}
