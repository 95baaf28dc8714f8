//! Integration tests of the `yuma` binary, one module per command group.

mod bench_runtime;
mod bft;
mod browser;
mod btauth;
mod dashboard;
mod devnet;
mod epoch;
mod gateway;
mod localnet;
mod localnet_config;
mod miner;
mod node;
mod node_crash;
mod node_flow;
mod node_limits;
mod programs;
mod query;
mod sim;
mod util;
mod validator;
mod wallet;
