//! `yuma miner`: serve a reference model of the tabular subnet.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;
use clap::builder::{PossibleValuesParser, TypedValueParser as _};
use yuma_cli::process::Ready;
use yuma_client::Client;
use yuma_keys::Pair;
use yuma_neuron::metagraph::MetagraphCache;
use yuma_neuron::miner::{MinerConfig, MinerState, Published, publish, router};
use yuma_primitives::NetUid;
use yuma_subnets::tabular::{Model, TabularSolver};

use crate::args::{RpcArgs, ServeLimitArgs};
use crate::commands::chain::{SignerArgs, rpc_error};
use crate::failure::{Hint, Refused};
use yuma_cli::runtime::shutdown_signal;

/// How often the miner re-reads the metagraph (who may query it, with what stake).
const METAGRAPH_REFRESH: Duration = Duration::from_secs(3);
/// How often a refused `serve_axon` is retried.
const SERVE_RETRY: Duration = Duration::from_secs(5);

/// Flags of `yuma miner`.
#[derive(Debug, Args)]
pub(crate) struct MinerArgs {
    /// The subnet to mine on (the hotkey must be registered on it).
    #[arg(long)]
    netuid: u16,
    /// The model that answers challenges.
    #[arg(
        long,
        value_parser = PossibleValuesParser::new(Model::ALL.map(Model::name))
            .map(|name| name.parse::<Model>().expect("possible values are model names")),
    )]
    model: Model,
    /// Address to bind the HTTP server to.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to bind (0 = any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Address published on chain (default: --host).
    #[arg(long)]
    external_ip: Option<IpAddr>,
    /// Add this much noise to the model's answers (0 to 1; see the tabular subnet's
    /// `TabularSolver::with_noise`): a near-copy of the model, to test scoring against sybils.
    #[arg(long, default_value_t = 0.0, value_parser = crate::args::unit_interval)]
    noise: f64,
    /// Challenges solved at once; more requests wait briefly or are shed by stake (429).
    #[arg(long, default_value_t = 8)]
    max_concurrency: usize,
    #[command(flatten)]
    serve: ServeLimitArgs,
    #[command(flatten)]
    signer: SignerArgs,
    #[command(flatten)]
    rpc: RpcArgs,
}

pub(crate) fn run(args: &MinerArgs) -> anyhow::Result<()> {
    let pair = args.signer.hotkey()?;
    let runtime = yuma_cli::runtime::service().context("starting the async runtime")?;
    runtime.block_on(serve(args, Arc::new(pair)))?;
    eprintln!("yuma: stopped");
    runtime.shutdown_timeout(Duration::from_secs(1));
    Ok(())
}

/// Turns a framework error into the CLI's error kinds.
pub(crate) fn neuron_error(e: yuma_neuron::Error, netuid: u16) -> anyhow::Error {
    use yuma_neuron::Error as E;
    match e {
        E::Client(e) => rpc_error(e),
        E::NotRegistered { .. } => anyhow::Error::new(Hint {
            hint: format!("register the hotkey with `yuma subnet register --netuid {netuid}`"),
            message: e.to_string(),
        })
        .context(Refused("the hotkey cannot serve on this subnet".into())),
        E::NoSubnet(_) | E::TxFailed { .. } => anyhow::Error::new(Refused(e.to_string())),
        _ => anyhow::Error::new(e),
    }
}

async fn serve(args: &MinerArgs, pair: Arc<Pair>) -> anyhow::Result<()> {
    let netuid = NetUid(args.netuid);
    let client = Arc::new(Client::new(args.rpc.rpc.clone()));
    let cache = Arc::new(MetagraphCache::new(client.clone(), netuid));
    let snapshot = cache
        .refresh()
        .await
        .map_err(|e| neuron_error(e, args.netuid))
        .context("reading the metagraph")?;
    if snapshot.neuron(&pair.public()).is_none() {
        let e = yuma_neuron::Error::NotRegistered {
            hotkey: pair.public(),
            netuid,
        };
        return Err(neuron_error(e, args.netuid));
    }
    let listener = tokio::net::TcpListener::bind((args.host, args.port))
        .await
        .with_context(|| format!("binding {}:{}", args.host, args.port))?;
    let local = listener.local_addr().context("reading the bound address")?;
    let public = SocketAddr::new(args.external_ip.unwrap_or(args.host), local.port());
    match publish(&client, &pair, netuid, public).await {
        Ok(Published::Unchanged) => eprintln!("yuma: axon {public} already published"),
        Ok(Published::Served(block)) => eprintln!("yuma: published axon {public} in block {block}"),
        Err(e @ yuma_neuron::Error::TxFailed { .. }) => {
            eprintln!("yuma: {e}; retrying every {}s", SERVE_RETRY.as_secs());
            tokio::spawn(retry_publish(client.clone(), pair.clone(), netuid, public));
        }
        Err(e) => {
            return Err(neuron_error(e, args.netuid)).context("publishing the axon");
        }
    }
    let _refresh = cache.clone().spawn_refresh(METAGRAPH_REFRESH, |e| {
        eprintln!("yuma: metagraph refresh failed: {e}");
    });
    let config = MinerConfig {
        max_concurrency: args.max_concurrency,
        queue: args.max_concurrency,
        ..MinerConfig::default()
    };
    let state = MinerState::new(
        TabularSolver::new(args.model).with_noise(args.noise),
        &pair,
        cache,
        &config,
    );
    eprintln!("yuma: miner ({}) on subnet {netuid}", args.model);
    Ready::Miner.announce(format_args!("http://{local}"));
    yuma_http::serve(
        listener,
        router(state),
        args.serve.limits(),
        shutdown_signal(),
    )
    .await
    .context("serving HTTP")
}

/// Retries `serve_axon` until the chain accepts it (e.g. after the serving rate limit).
async fn retry_publish(client: Arc<Client>, pair: Arc<Pair>, netuid: NetUid, addr: SocketAddr) {
    loop {
        tokio::time::sleep(SERVE_RETRY).await;
        match publish(&client, &pair, netuid, addr).await {
            Ok(_) => {
                eprintln!("yuma: published axon {addr}");
                return;
            }
            Err(e) => eprintln!("yuma: {e}; retrying"),
        }
    }
}
