//! Programs outside `yuma`, in any language: miners' models behind the same
//! [`Solver`](crate::Solver) as the built-in models, and validators' tasks behind the same
//! [`Challenger`](crate::Challenger). The miner framework has checked btauth/1, the sender's
//! registration and permit, and admitted the request before a model sees it.
//!
//! - [`http::HttpBackend`] POSTs each challenge to a local model server and relays its answer.
//! - [`process::ProcessBackend`] runs a long-lived child process and speaks JSON Lines with
//!   it on stdin/stdout (requests carry an id, so several are in flight and answers may come
//!   back in any order); its stderr goes to the miner's log, and a child that exits is
//!   restarted with backoff.
//! - [`task::TaskProgram`] is the validator's side: a subnet's task (draw a challenge from a
//!   seed, score a step's answers against what the validator kept secret) run as a child
//!   process in the same way, behind the same [`Challenger`](crate::Challenger) as built-in
//!   tasks. The secret stays between the validator and its child.
//!
//! Every call has a deadline: a challenge the model has not answered by then fails as
//! [`BackendError::TimedOut`] (the miner replies 504). The wire format is in `python/README.md`,
//! which also ships helpers for the programs' side.

mod child;
pub mod http;
mod lines;
pub mod process;
pub mod task;

use std::time::Duration;

use crate::task::Failure;

/// The longest line or body a backend may send: larger answers are refused, so a broken model
/// cannot exhaust the miner's memory.
pub const MAX_ANSWER_BYTES: usize = 16 << 20;

/// Why a program outside `yuma` gave no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    /// The program refused the request (it said why).
    #[error("the program refused: {0}")]
    Refused(String),
    /// The program is not reachable or answered with something that is not an answer.
    #[error("the program is unavailable: {0}")]
    Unavailable(String),
    /// No answer within the deadline.
    #[error("the program gave no answer within {0:?}")]
    TimedOut(Duration),
}

impl BackendError {
    /// How the miner replies to it.
    pub fn failure(&self) -> Failure {
        match self {
            Self::Refused(_) => Failure::Refused,
            Self::Unavailable(_) => Failure::Unavailable,
            Self::TimedOut(_) => Failure::TimedOut,
        }
    }
}
