//! Incentive simulation: a subnet of validators and miners with strategies, run tempo by tempo
//! through the real Yuma epoch, measuring how much gaming pays.
//!
//! # Overview
//!
//! A [`Scenario`] (TOML, see [`scenario`]) names groups of validators (honest, weight copier,
//! cabal; optionally joining late) and miners (honest, cabal-owned, sybil with its twin,
//! random, changing quality), the bond [`Variant`] and the commit-reveal delay. [`run`] builds
//! the subnet ([`engine::agents`]: Zipf-like validator stake, seeded miner quality), calls
//! `yuma_epoch::run` once per tempo with the rows in force, carrying permits and bonds, and
//! returns a [`Report`]: per agent stake share, emission share and dividends per 1000 TAO, and
//! the [`Measures`] (copier gain G, cabal share, sybil gain, quality/incentive Spearman).
//! [`format`](mod@format) renders reports as text tables and a Markdown comparison.
//!
//! Everything is integer arithmetic on seeded splitmix64 draws: a scenario gives the same
//! report bit for bit on every machine.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

pub mod engine;
mod error;
pub mod format;
pub mod report;
mod rng;
pub mod scenario;

pub use error::Error;
pub use report::{AgentResult, Measures, Report};
pub use scenario::{Scenario, Variant};

/// Runs a scenario to the end and reports on it.
pub fn run(scenario: &Scenario) -> Result<Report, Error> {
    scenario.check()?;
    let agents = engine::agents(scenario);
    let totals = engine::simulate(scenario, &agents)?;
    Ok(report::build(scenario, &agents, &totals))
}
