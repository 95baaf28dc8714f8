//! Yuma consensus: a pure function from one subnet's stake, weights and bonds to consensus,
//! incentive, dividends, trust, bonds and the emission split, bit-exact with subtensor.
//!
//! # Overview
//!
//! [`run`] takes the subnet's hyperparameters ([`Params`]) and per-uid state ([`Input`]) at the
//! end of a tempo and returns what the chain stores and pays ([`Output`]). It gives exactly the
//! integers of subtensor's sparse production epoch (`epoch_mechanism` in
//! `pallets/subtensor/src/epoch/run_epoch.rs`), quirks included, using the same
//! `substrate-fixed` types (I32F32, I64F64, I96F32). The conformance vectors
//! (`tests/vectors/`) are the proof.
//!
//! Two implementations sit behind one signature:
//! - [`run`], the fast path: cost grows with the number of weights and bonds, not with n^2,
//!   and memory stays proportional to them;
//! - [`reference::run`], a plain step-by-step mirror of subtensor, used to test the fast path.
//!
//! [`anticopy`] is an optional stage after the epoch, off by default, that re-splits validator
//! dividends against weight copying; its state between epochs is an explicit input and output.
//!
//! [`conformance`] parses, replays and compares the conformance vectors; [`workload`] builds
//! deterministic synthetic subnets for benchmarks.
//!
//! # Units and invariants
//!
//! Stake and emission are rao (u64). Blocks are u64. Stored proportions (consensus, incentive,
//! dividends, trust, stake weight, weights, bonds) are u16 fractions of `u16::MAX`. Weight and
//! bond rows keep their stored entry order (it matters to liquid alpha, as it does in
//! subtensor), name each uid at most once, and keep explicit zero entries (they matter too).
//! There are no floats, clocks, hash maps or randomness: the same input gives the same output on
//! every machine. Malformed input is an [`Error`], never a panic.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

pub mod anticopy;
pub mod conformance;
mod error;
mod fast;
mod fixed;
pub mod reference;
mod types;
pub mod workload;

pub use error::{Error, MAX_UIDS, WEIGHT_ROW_SUM_LIMIT};
pub use fast::run;
pub use types::{Input, Output, Params};

#[cfg(test)]
use proptest as _;
