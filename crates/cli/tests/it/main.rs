//! Integration tests of the `yuma` binary, one module per command group.

mod util;
mod wallet;
