//! Wiring: opens the store, starts the application, the producer and the RPC server, and stops
//! them in order.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use yuma_store::Store;

use crate::application::{Actor, Config as AppConfig};
use crate::config::Config;
use crate::metrics::Metrics;
use crate::rpc::{Context, router};
use crate::{Error, producer};

/// Runs a node until `shutdown` resolves (exit `Ok`) or the producer fails. `on_listening` is
/// called with the RPC's bound address once it accepts connections.
///
/// # Errors
/// [`Error`] when the store cannot be opened or holds another chain, the RPC address cannot be
/// bound, or block production fails.
pub async fn run(
    config: Config,
    on_listening: impl FnOnce(SocketAddr),
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    std::fs::create_dir_all(&config.base_path).map_err(|e| Error::Io {
        path: config.base_path.clone(),
        source: e,
    })?;
    let store = Arc::new(Store::open(config.base_path.join("chain.redb"))?);
    let metrics = Arc::new(Metrics::new());
    let (finalized, _) = tokio::sync::broadcast::channel(256);
    let (actor, mailbox) = Actor::new(AppConfig {
        store: store.clone(),
        genesis: config.genesis.clone(),
        mempool: config.mempool,
        max_block_txs: config.max_block_txs,
        metrics: metrics.clone(),
        finalized: finalized.clone(),
    })?;
    let head = actor.head().hash();
    let app_thread = std::thread::Builder::new()
        .name("application".into())
        .spawn(move || futures::executor::block_on(actor.run()))
        .map_err(|e| Error::Io {
            path: "application thread".into(),
            source: e,
        })?;

    let listener = tokio::net::TcpListener::bind(config.rpc_addr)
        .await
        .map_err(|e| Error::Bind {
            addr: config.rpc_addr,
            source: e,
        })?;
    let addr = listener.local_addr().map_err(|e| Error::Bind {
        addr: config.rpc_addr,
        source: e,
    })?;
    let app = router(Context {
        store,
        mailbox: mailbox.clone(),
        metrics,
        finalized,
        max_body: config.max_body,
    });
    let (stop_rpc, rpc_stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rpc_stopped.await;
            })
            .await
    });
    on_listening(addr);

    let producer = tokio::spawn(producer::run(mailbox, head, config.block_time));
    let outcome = tokio::select! {
        () = shutdown => Ok(()),
        result = producer => match result {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(Error::Application(e)),
            Err(e) => Err(Error::Task(e.to_string())),
        },
    };
    // Stop accepting requests; open WebSockets are dropped with the runtime.
    let _ = stop_rpc.send(());
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), server).await;
    // The producer task (if still running) and the RPC hold the last mailboxes; once the
    // runtime drops them the application thread ends after its current request.
    drop(app_thread);
    outcome
}
