//! Miner server and validator loop frameworks, metagraph cache.
//!
//! A subnet plugs in through two traits ([`task`]): a [`Solver`] answers challenges on the
//! miner side, a [`Challenger`] makes challenges and scores answers on the validator side.
//! The frameworks do the rest:
//!
//! - [`miner`]: an axum server that verifies btauth/1 and the sender's registration and
//!   validator permit before any work, bounds concurrency and sheds load by stake
//!   ([`admission`]), publishes its address with `serve_axon`, and serves `/metrics`.
//! - [`validator`]: a loop that queries every miner concurrently with a timeout, keeps an
//!   exponential moving average of scores, and submits weights each tempo (commit then reveal
//!   when the subnet has commit-reveal on, `set_weights` otherwise), retrying failures.
//! - [`protocol`]: the routes and JSON bodies, and [`MinerClient`], which signs requests
//!   (reused by the gateway).
//! - [`metagraph`]: the subnet's neurons from one RPC call, refreshed in the background.
//!
//! When the task can combine answers into an ensemble ([`Challenger::ensemble`]), the validator
//! scores each miner by its marginal contribution to the ensemble of the step's answers
//! (its Shapley value, from `yuma_shapley`), so that k hotkeys serving one model share one
//! model's credit.
//!
//! Scores are `f64` in [0, 1]; weights are `u16` with the largest at 65535; stake is alpha rao.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

pub mod admission;
pub mod backend;
mod error;
pub mod metagraph;
pub mod miner;
pub mod outcomes;
pub mod protocol;
pub mod task;
pub mod validator;

pub use error::Error;
pub use protocol::MinerClient;
pub use task::{Challenger, Failure, Scoring, Solver, StepScores};
