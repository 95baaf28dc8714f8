//! What the `yuma` binary's commands share with each other and with its integration tests:
//! starting `yuma` processes and waiting for them to be ready ([`process`]), printing
//! command output ([`output`]), and the async runtimes commands run on ([`runtime`]).
//!
//! The commands themselves live in the binary (`src/main.rs`, `src/commands/`).

pub mod output;
pub mod process;
pub mod runtime;
