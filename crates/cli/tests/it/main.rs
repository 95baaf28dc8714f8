//! Integration tests of the `yuma` binary, one module per command group.

mod bench_runtime;
mod btauth;
mod epoch;
mod localnet;
mod node;
mod query;
mod sim;
mod util;
mod wallet;
