//! `yuma node`: run a validator node (a dev chain of one, or one of a chain spec's validators)
//! with its JSON-RPC server.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;
use yuma_cli::process::Ready;
use yuma_cli::runtime::shutdown_signal;
use yuma_node::Config;
use yuma_node::rpc::RpcLimits;

use crate::args::ServeLimitArgs;
use yuma_node::spec::{ChainSpec, load_key};

/// Flags of `yuma node`.
#[derive(Debug, Args)]
pub(crate) struct NodeArgs {
    /// Run a single-validator development chain whose genesis funds //Alice, //Bob, //Charlie,
    /// //Dave, //Eve and //Ferdie (1,000,000 TAO each; Alice is sudo).
    #[arg(long, conflicts_with_all = ["chain_spec", "key", "listen"])]
    dev: bool,
    /// Run one validator of the chain in this spec (written by `yuma chain spec`).
    #[arg(long, requires = "key")]
    chain_spec: Option<PathBuf>,
    /// This validator's consensus key file (written by `yuma chain spec`).
    #[arg(long, requires = "chain_spec")]
    key: Option<PathBuf>,
    /// Address to listen on for other validators (default: this validator's in the spec).
    #[arg(long, requires = "chain_spec")]
    listen: Option<SocketAddr>,
    /// Folder of the chain's data; a temporary folder (deleted on exit) when omitted.
    #[arg(long)]
    base_path: Option<PathBuf>,
    /// Minimum milliseconds between a block and the next (default 1000 on --dev, the spec's
    /// otherwise).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    block_time: Option<u64>,
    /// JSON-RPC and metrics port (0 picks a free one; the address is printed on stderr).
    #[arg(long, default_value_t = yuma_node::config::DEFAULT_RPC_PORT)]
    rpc_port: u16,
    /// Listen on every interface instead of 127.0.0.1.
    #[arg(long)]
    rpc_external: bool,
    #[command(flatten)]
    serve: ServeLimitArgs,
    /// Entries one JSON-RPC batch may hold (a larger batch is refused before any entry runs).
    #[arg(long, default_value_t = RpcLimits::default().max_batch, value_parser = crate::args::positive)]
    rpc_max_batch: usize,
    /// Bytes of answers one JSON-RPC request may produce (a batch stops where it passes them).
    #[arg(long, default_value_t = RpcLimits::default().max_response, value_parser = crate::args::positive)]
    rpc_max_response: usize,
    /// WebSocket sessions open at once (more upgrades are refused with 503).
    #[arg(long, default_value_t = RpcLimits::default().max_sessions, value_parser = crate::args::positive)]
    rpc_max_sessions: usize,
    /// Subscriptions one WebSocket session may hold.
    #[arg(long, default_value_t = RpcLimits::default().max_subscriptions, value_parser = crate::args::positive)]
    rpc_max_subscriptions: usize,
}

pub(crate) fn run(args: &NodeArgs) -> anyhow::Result<()> {
    if !args.dev && args.chain_spec.is_none() {
        anyhow::bail!("pass --dev, or --chain-spec FILE --key FILE");
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
    let rpc_addr = SocketAddr::new(ip, args.rpc_port);
    let mut config = match (&args.chain_spec, &args.key) {
        (Some(spec_path), Some(key_path)) => {
            validator_config(args, spec_path, key_path, base_path.clone(), rpc_addr)?
        }
        _ => {
            let block_time = Duration::from_millis(args.block_time.unwrap_or(1000));
            Config::dev(base_path.clone(), block_time, rpc_addr)
        }
    };
    config.rpc_limits = args.serve.limits();
    config.jsonrpc_limits = RpcLimits {
        max_batch: args.rpc_max_batch,
        max_response: args.rpc_max_response,
        max_sessions: args.rpc_max_sessions,
        max_subscriptions: args.rpc_max_subscriptions,
    };
    eprintln!("yuma: chain data in {}", base_path.display());
    yuma_node::engine::run(
        config,
        |addr| Ready::Rpc.announce(format_args!("http://{addr}")),
        shutdown_signal(),
    )
    .context("running the node")?;
    eprintln!("yuma: stopped");
    Ok(())
}

/// The configuration of one validator of a chain spec.
fn validator_config(
    args: &NodeArgs,
    spec_path: &std::path::Path,
    key_path: &std::path::Path,
    base_path: PathBuf,
    rpc_addr: SocketAddr,
) -> anyhow::Result<Config> {
    let spec = ChainSpec::load(spec_path).context("reading the chain spec")?;
    let key = load_key(key_path).context("reading the validator key")?;
    let block_time = Duration::from_millis(args.block_time.unwrap_or(spec.block_time_ms));
    Config::validator(&spec, key, args.listen, base_path, block_time, rpc_addr)
        .with_context(|| format!("starting the validator of {}", key_path.display()))
}
