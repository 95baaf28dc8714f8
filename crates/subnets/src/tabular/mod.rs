//! The "tabular" subnet: each query is a fresh supervised-learning task.
//!
//! The validator draws a task ([`task::draw`]): random features, a hidden rule with noise,
//! regression or classification. It sends the training rows and the test inputs
//! ([`Challenge`]), keeps the test labels ([`Key`]), and scores the miner's predictions
//! ([`Answer`]) with [`score::quality`]. Miners answer with a [`Model`]. A step's answers
//! combine into one by the mean of predictions or a majority vote (`ensemble`), which the
//! validator scores each miner's marginal contribution to.

mod ensemble;
pub mod model;
mod neuron;
pub mod score;
pub mod task;

pub use model::Model;
pub use neuron::{TabularChallenger, TabularSolver};
pub use task::{Answer, Challenge, Key, Kind};
