//! The commands that run or use a subnet's neurons: miners, validators, the paid-inference
//! gateway, and signed queries to any of them.

pub(crate) mod gateway;
pub(crate) mod miner;
pub(crate) mod query;
pub(crate) mod validator;
