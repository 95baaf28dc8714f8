//! The validator framework: each step, read the metagraph, query every miner that serves an
//! axon (concurrently, bounded, with a timeout), score the answers with the subnet's
//! [`Challenger`], update the moving averages ([`scores`]), submit weights when due
//! ([`submit`]) and rewrite the status file ([`status`]).
//!
//! A miner that is down, hangs, answers garbage or cheats scores 0 for the step; the loop
//! never stops for a miner. A miner that comes back is queried again at the next step, since
//! every step reads the axons afresh. A miner that answers 403 because this validator has no
//! permit yet (before the subnet's first epoch) is not scored at all.
//!
//! [`Challenger`]: crate::task::Challenger

mod run;
pub mod scores;
pub mod status;
pub mod submit;

pub use run::{Event, Validator, ValidatorConfig};
