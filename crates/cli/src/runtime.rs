//! The tokio runtimes commands run on: one thread for a request and its answer, two workers
//! for services (node, miner, validator, gateway, localnet) and benchmarks, which share the
//! machine with each other (a localnet runs a dozen of them); and the signal services stop on.

use std::io;

use tokio::runtime::{Builder, Runtime};

/// Worker threads of a service's runtime.
const SERVICE_WORKERS: usize = 2;

/// A single-threaded runtime, for commands that send a request and print the answer.
///
/// # Errors
/// When the runtime cannot start (no threads or file descriptors left).
pub fn current_thread() -> io::Result<Runtime> {
    Builder::new_current_thread().enable_all().build()
}

/// A runtime with two worker threads, for services and benchmarks.
///
/// # Errors
/// When the runtime cannot start (no threads or file descriptors left).
pub fn service() -> io::Result<Runtime> {
    Builder::new_multi_thread()
        .worker_threads(SERVICE_WORKERS)
        .enable_all()
        .build()
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
