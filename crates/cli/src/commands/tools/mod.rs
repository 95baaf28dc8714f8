//! Offline tools: the epoch on conformance-format cases, and the incentive simulation.

pub(crate) mod epoch;
pub(crate) mod sim;
