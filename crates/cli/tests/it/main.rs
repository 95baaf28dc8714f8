//! Integration tests of the `yuma` binary: one test binary, one module per command group.

mod epoch;
mod sim;
mod util;
