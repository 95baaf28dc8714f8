//! Wiring: opens the store, starts the application, the consensus engine, the p2p network and
//! the RPC server on commonware's tokio runtime, and stops them in order.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use commonware_cryptography::Signer;
use commonware_runtime::{Runner, Supervisor, tokio as runtime};
use yuma_store::Store;

use crate::application::{Actor, Config as AppConfig, Mailbox};
use crate::config::{Config, Network, Peers};
use crate::metrics::Metrics;
use crate::rpc::{Context, Sessions, router};
use crate::{Error, p2p};

/// What the caller needs while the node runs.
struct Started {
    mailbox: Mailbox,
    store: Arc<Store>,
}

/// Runs a node until `shutdown` resolves (exit `Ok`) or consensus stops. Blocks the calling
/// thread: the node runs on its own runtime. `on_listening` is called with the RPC's bound
/// address once it accepts connections.
///
/// # Errors
/// [`Error`] when the store cannot be opened or holds another chain, an address cannot be
/// bound, or the node's key is not a validator's.
pub fn run(
    config: Config,
    on_listening: impl FnOnce(SocketAddr) + Send + 'static,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    std::fs::create_dir_all(&config.base_path).map_err(|e| Error::Io {
        path: config.base_path.clone(),
        source: e,
    })?;
    let executor = runtime::Runner::new(
        runtime::Config::new()
            .with_worker_threads(2)
            .with_storage_directory(config.base_path.join("consensus")),
    );
    executor.start(|context| serve(context, config, on_listening, shutdown))
}

/// Descriptors kept back from RPC clients for the node's own files: the store, simplex's
/// journal, block files, connections to peers and WebSocket sessions.
const FILES_KEPT: u64 = 256;

/// RPC connections the file limit leaves room for, after raising it as far as allowed.
fn connection_budget() -> usize {
    let files = yuma_http::fd::raise_limit().unwrap_or(1024);
    yuma_http::fd::connection_budget(files, FILES_KEPT)
}

async fn serve(
    context: runtime::Context,
    config: Config,
    on_listening: impl FnOnce(SocketAddr),
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    let me = config.consensus.key.public_key();
    if !config.consensus.validators.contains(&me) {
        return Err(Error::NotValidator { key: Box::new(me) });
    }
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
    // The actor does blocking disk work: it gets its own thread.
    let app_thread = std::thread::Builder::new()
        .name("application".into())
        .spawn(move || futures::executor::block_on(actor.run()))
        .map_err(|e| Error::Io {
            path: "application thread".into(),
            source: e,
        })?;
    let genesis = store.header(0)?.ok_or(Error::NoGenesis)?.hash;

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
    let started = Started {
        mailbox: mailbox.clone(),
        store: store.clone(),
    };
    let app = router(Context {
        store,
        mailbox,
        metrics,
        finalized,
        max_body: config.max_body,
        limits: config.jsonrpc_limits,
        sessions: Sessions::new(&config.jsonrpc_limits),
    });
    let limits = config.rpc_limits.within(connection_budget());
    let (stop_rpc, rpc_stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(yuma_http::serve(listener, app, limits, async {
        let _ = rpc_stopped.await;
    }));

    // A lone validator (a dev chain) has no one to talk to, but simplex still needs channels:
    // it gets the same authenticated network, on a free loopback port, with no peers.
    // (commonware's simulated network binds random addresses: only for the deterministic
    // runtime.)
    let alone = Peers {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        peers: Vec::new(),
    };
    let peers = match &config.network {
        Network::Alone => &alone,
        Network::Peers(peers) => peers,
    };
    let handles = p2p::start(
        context.child("p2p"),
        &config.consensus,
        peers,
        started.mailbox.clone(),
        started.store.clone(),
        genesis,
    )?;
    on_listening(addr);

    let stopped = futures::future::select_all(handles);
    futures::pin_mut!(shutdown);
    let outcome = match futures::future::select(shutdown, stopped).await {
        futures::future::Either::Left(_) => Ok(()),
        futures::future::Either::Right(_) => Err(Error::ConsensusStopped),
    };
    // Stop accepting requests; open WebSockets are dropped with the runtime.
    let _ = stop_rpc.send(());
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), server).await;
    // The runtime aborts consensus when this returns; the RPC held the last mailboxes, so the
    // application thread ends after its current request.
    drop(started);
    drop(app_thread);
    outcome
}
