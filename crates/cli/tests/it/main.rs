//! Integration tests of the `yuma` binary, one module per command group.

mod btauth;
mod epoch;
mod query;
mod util;
mod wallet;
