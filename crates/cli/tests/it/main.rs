//! Integration tests of the `yuma` binary, one module per command group.

mod bench_runtime;
mod btauth;
mod devnet;
mod epoch;
mod gateway;
mod localnet;
mod miner;
mod node;
mod query;
mod sim;
mod util;
mod validator;
mod wallet;
