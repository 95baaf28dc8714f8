//! Scenario and property tests of the runtime through its public API.

mod anticopy;
mod balances;
mod emission;
mod fixtures;
mod identity;
mod invariants;
mod registration;
mod staking;
mod subnets;
mod util;
mod weights;
