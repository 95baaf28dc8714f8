//! `yuma miner`: serve a model: a reference model of the tabular subnet, or any model behind
//! an HTTP URL or a child process (`yuma_neuron::backend`).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;
use clap::builder::{PossibleValuesParser, TypedValueParser as _};
use yuma_cli::process::Ready;
use yuma_client::Client;
use yuma_keys::Pair;
use yuma_neuron::backend::http::HttpBackend;
use yuma_neuron::backend::process::ProcessBackend;
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
#[command(group = clap::ArgGroup::new("answers").required(true).args(["model", "backend", "backend_cmd"]))]
pub(crate) struct MinerArgs {
    /// The subnet to mine on (the hotkey must be registered on it).
    #[arg(long)]
    netuid: u16,
    /// A built-in model of the tabular subnet answers the challenges.
    #[arg(
        long,
        value_parser = PossibleValuesParser::new(Model::ALL.map(Model::name))
            .map(|name| name.parse::<Model>().expect("possible values are model names")),
    )]
    model: Option<Model>,
    /// A model server answers: each verified and admitted challenge is POSTed as JSON to this
    /// http:// URL, and its JSON reply is the answer (a 4xx reply is a refusal).
    #[arg(long, value_name = "URL")]
    backend: Option<String>,
    /// A child process answers, speaking JSON Lines on stdin/stdout (see python/README.md);
    /// run with `sh -c`, restarted with backoff when it exits; its stderr goes to this log.
    #[arg(long, value_name = "COMMAND")]
    backend_cmd: Option<String>,
    /// Milliseconds an external model has to answer; past it the request gets 504.
    #[arg(long, value_name = "MS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=600_000))]
    backend_timeout_ms: u64,
    /// Address to bind the HTTP server to.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to bind (0 = any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Address published on chain (default: --host).
    #[arg(long)]
    external_ip: Option<IpAddr>,
    /// Add this much noise to the built-in model's answers (0 to 1; see the tabular subnet's
    /// `TabularSolver::with_noise`): a near-copy of the model, to test scoring against sybils.
    #[arg(long, default_value_t = 0.0, value_parser = crate::args::unit_interval, requires = "model")]
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
    let timeout = Duration::from_millis(args.backend_timeout_ms);
    let (app, what) = match (&args.model, &args.backend, &args.backend_cmd) {
        (Some(model), _, _) => {
            let solver = TabularSolver::new(*model).with_noise(args.noise);
            (
                router(MinerState::new(solver, &pair, cache, &config)),
                model.to_string(),
            )
        }
        (_, Some(url), _) => {
            let solver = HttpBackend::new(url, timeout).map_err(|e| {
                anyhow::Error::new(Hint {
                    hint: "pass the model server's URL, e.g. --backend http://127.0.0.1:8000/solve"
                        .into(),
                    message: e.to_string(),
                })
            })?;
            (
                router(MinerState::new(solver, &pair, cache, &config)),
                format!("backend {url}"),
            )
        }
        (_, _, Some(command)) => {
            let solver = ProcessBackend::spawn(command, timeout)?;
            (
                router(MinerState::new(solver, &pair, cache, &config)),
                format!("backend command {command:?}"),
            )
        }
        (None, None, None) => anyhow::bail!("pass --model, --backend or --backend-cmd"),
    };
    eprintln!("yuma: miner ({what}) on subnet {netuid}");
    Ready::Miner.announce(format_args!("http://{local}"));
    yuma_http::serve(listener, app, args.serve.limits(), shutdown_signal())
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
