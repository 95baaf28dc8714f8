//! `yuma node --dev`: run a development chain with its JSON-RPC server.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;
use yuma_node::Config;

/// Flags of `yuma node`.
#[derive(Debug, Args)]
pub(crate) struct NodeArgs {
    /// Run a single-authority development chain whose genesis funds //Alice, //Bob, //Charlie,
    /// //Dave, //Eve and //Ferdie (1,000,000 TAO each; Alice is sudo).
    #[arg(long)]
    dev: bool,
    /// Folder of the chain's data; a temporary folder (deleted on exit) when omitted.
    #[arg(long)]
    base_path: Option<PathBuf>,
    /// Milliseconds between blocks.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    block_time: u64,
    /// JSON-RPC and metrics port (0 picks a free one; the address is printed on stderr).
    #[arg(long, default_value_t = yuma_node::config::DEFAULT_RPC_PORT)]
    rpc_port: u16,
    /// Listen on every interface instead of 127.0.0.1.
    #[arg(long)]
    rpc_external: bool,
}

pub(crate) fn run(args: &NodeArgs) -> anyhow::Result<()> {
    if !args.dev {
        anyhow::bail!("only development chains are supported yet: pass --dev");
    }
    let temp;
    let base_path = match &args.base_path {
        Some(path) => path.clone(),
        None => {
            temp = tempfile::tempdir().context("creating a temporary base path")?;
            temp.path().to_path_buf()
        }
    };
    let ip = if args.rpc_external {
        IpAddr::V4(Ipv4Addr::UNSPECIFIED)
    } else {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    };
    let config = Config::dev(
        base_path.clone(),
        Duration::from_millis(args.block_time),
        SocketAddr::new(ip, args.rpc_port),
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    eprintln!("yuma: dev chain in {}", base_path.display());
    runtime
        .block_on(yuma_node::engine::run(
            config,
            |addr| eprintln!("yuma: rpc listening on http://{addr}"),
            shutdown_signal(),
        ))
        .context("running the node")?;
    eprintln!("yuma: stopped");
    // Open WebSockets and background tasks end with the runtime.
    runtime.shutdown_timeout(Duration::from_secs(1));
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
pub(crate) async fn shutdown_signal() {
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
