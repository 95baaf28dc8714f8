//! Logs: the libraries emit `tracing` events; the binary prints them on stderr, one line each.
//!
//! Yuma's crates log at `info` (warnings, errors and the few events an operator needs) and
//! dependencies at `warn`; `-v` raises both a level, `-vv` logs everything; `RUST_LOG`
//! overrides them (e.g. `RUST_LOG=yuma_node=debug`).
//! A panic is logged as one line with its location, never as a backtrace dump, so a bug
//! reached by one request costs one log line (a server catches it and answers 500).

use std::io::IsTerminal as _;

use tracing_subscriber::EnvFilter;

/// The workspace's crates, logged one level more verbosely than dependencies.
const OUR_CRATES: [&str; 7] = [
    "yuma",
    "yuma_node",
    "yuma_neuron",
    "yuma_gateway",
    "yuma_http",
    "yuma_client",
    "yuma_subnets",
];

/// Installs the subscriber and the panic hook.
pub(crate) fn init(verbose: u8) {
    let (ours, others) = match verbose {
        0 => ("info", "warn"),
        1 => ("debug", "info"),
        _ => ("trace", "trace"),
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        let ours = OUR_CRATES.map(|c| format!(",{c}={ours}")).concat();
        EnvFilter::new(format!("{others}{ours}"))
    });
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned());
        let location = info
            .location()
            .map_or_else(String::new, |l| format!(" at {}:{}", l.file(), l.line()));
        let thread = std::thread::current();
        let thread = thread.name().unwrap_or("unnamed");
        tracing::error!(
            "thread {thread} panicked{location}: {}",
            message.replace('\n', " ")
        );
    }));
}
