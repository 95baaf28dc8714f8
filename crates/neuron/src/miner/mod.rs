//! The miner framework: an HTTP server that authenticates every request before any work,
//! admits it by the sender's stake, and hands the challenge to the subnet's [`Solver`].
//!
//! A request to `/v1/solve` goes through, in order, stopping at the first failure:
//!
//! 1. btauth/1 ([`yuma_keys::btauth::Verifier`]): shape, receiver (this miner's hotkey),
//!    freshness, signature, replay; 401/403/503;
//! 2. the sender must be registered on the subnet with a validator permit, as the metagraph
//!    cache last saw it; 403;
//! 3. admission ([`crate::admission`]): bounded concurrency, shedding the lowest stake first;
//!    429;
//! 4. the body must decode as the subnet's challenge; 400;
//! 5. the solver runs on a blocking thread ([`crate::backend`] for models outside `yuma`);
//!    200 with the answer, or 422 (refused), 502 (an external model is unavailable), 504 (it
//!    took too long).
//!
//! [`Solver`]: crate::task::Solver

pub mod axon;
pub mod metrics;
pub mod server;
#[cfg(test)]
mod tests;

pub use axon::{Published, publish};
pub use server::{MinerConfig, MinerState, router};
