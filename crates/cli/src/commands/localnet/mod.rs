//! `yuma localnet`: a whole network on one machine with one command.
//!
//! Runs a dev node in-process (chain in `<data-dir>/chain`), or with `--validators N` a chain of
//! N validator nodes as child processes ([`nodes`], data in `<data-dir>/nodes`), sets up the chain
//! ([`setup`]: wallets in `<data-dir>/wallets`, a subnet with fast hyperparameters, two staked
//! validators and six miners of different quality), starts the neurons as child processes of
//! the same executable ([`children`], logs in `<data-dir>/logs`), and shows a live summary
//! ([`summary`]) until Ctrl-C, SIGTERM, `--blocks` or `--epochs`. Then it stops the children,
//! then the node, and with `--json` prints the final report.
//!
//! Stop order matters: the final report is read while everything runs; children go before
//! the node so that none of them sees the chain vanish; the node stops last so that its store
//! closes after the last block.

mod children;
mod dirs;
mod hyperparams;
mod live;
mod nodes;
mod setup;
mod specs;
mod submit;
mod summary;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;
use tokio::sync::watch;
use yuma_client::Client;
use yuma_node::Config;

use crate::commands::chain::rpc_error;
use yuma_cli::output;

use crate::args::OutputArgs;
use crate::failure::Hint;
use children::{Spec, Supervisor};
use dirs::{Dirs, wipe};
use live::watch_network;
use specs::{gateway_spec, spec};

/// How long the neurons have to print their ready lines.
const READY_TIMEOUT: Duration = Duration::from_secs(120);
/// How long the node's RPC has to answer after it listens.
const RPC_TIMEOUT: Duration = Duration::from_secs(30);
/// The miners' models, best first.
const MODELS: [&str; 6] = ["forest", "tree", "knn", "linear", "mean", "random"];
/// The validators' stakes in TAO (different, so that their weight in consensus differs).
const VALIDATOR_STAKES: [u64; 2] = [10_000, 4_000];

/// Flags of `yuma localnet`.
#[derive(Debug, Args)]
pub(crate) struct LocalnetArgs {
    /// Folder of the chain, wallets, logs and validator status files (reused on restart).
    #[arg(long, default_value = "./.yuma-localnet")]
    data_dir: PathBuf,
    /// JSON-RPC and metrics port of the node (0 picks a free one); with several validator
    /// nodes, node I serves on this port + I.
    #[arg(long, default_value_t = yuma_node::config::DEFAULT_RPC_PORT)]
    rpc_port: u16,
    /// Validator nodes of the chain. 1 runs a dev node inside localnet; more run that many
    /// `yuma node` processes that agree on every block by BFT consensus (simplex), and spread
    /// the neurons over their RPC endpoints.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=16))]
    validators: u16,
    /// Milliseconds between blocks.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(50..=60_000))]
    block_time: u64,
    /// Blocks between two epochs of the subnet.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(2..=360))]
    tempo: u16,
    /// Stop after N blocks, counted from when every neuron is up.
    #[arg(long, value_name = "N", conflicts_with = "epochs")]
    blocks: Option<u64>,
    /// Stop after N epochs of the subnet, counted from when every neuron is up.
    #[arg(long, value_name = "N")]
    epochs: Option<u64>,
    /// Delete the data dir's chain, wallets, logs and status files first.
    #[arg(long)]
    fresh: bool,
    /// Add N sybils of the forest miner: N more hotkeys under its coldkey serving the same
    /// model (wallet `miner-forest`, hotkeys `sybil-1`..), to see what copies earn.
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u16).range(0..=16))]
    sybils: u16,
    /// Noise the sybils add to the forest's answers (0 to 1; 0 = exact copies).
    #[arg(long, value_name = "F", default_value_t = 0.0, value_parser = unit_interval)]
    sybil_noise: f64,
    /// How the validators score the miners: `shapley` (each miner's marginal contribution to
    /// the ensemble of answers) or `independent` (each answer alone).
    #[arg(long, default_value = "shapley", value_parser = ["shapley", "independent"])]
    scoring: String,
    #[command(flatten)]
    output: OutputArgs,
}

/// What a neuron does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Role {
    /// A validator staked with this much TAO.
    Validator {
        /// Stake in TAO.
        stake_tao: u64,
    },
    /// A miner serving this model.
    Miner {
        /// `--model` of `yuma miner`.
        model: &'static str,
        /// `--noise` of `yuma miner`, in parts per million.
        noise_ppm: u32,
        /// Whether it is a sybil (a copy of another miner's model under its coldkey).
        sybil: bool,
    },
}

/// A neuron of the localnet: its name, keys and role.
#[derive(Clone, Debug)]
pub(super) struct Neuron {
    /// Name of its logs, status file and line in the summary: `validator-0`,
    /// `miner-forest`, `miner-forest-sybil-1`, ...
    pub(super) name: String,
    /// Wallet (coldkey) name: the name, or the original's for a sybil.
    pub(super) wallet: String,
    /// Hotkey name within the wallet.
    pub(super) hotkey: String,
    /// Role.
    pub(super) role: Role,
}

/// The neurons, validator-0 (the subnet owner) first, then the miners and `sybils` copies of
/// the forest miner adding `noise` to its answers.
fn roster(sybils: u16, noise: f64) -> Vec<Neuron> {
    let own = |name: String, role| Neuron {
        wallet: name.clone(),
        hotkey: setup::HOTKEY.to_owned(),
        name,
        role,
    };
    let validators = VALIDATOR_STAKES
        .iter()
        .enumerate()
        .map(|(i, &stake_tao)| own(format!("validator-{i}"), Role::Validator { stake_tao }));
    let miners = MODELS.iter().map(|&model| {
        let role = Role::Miner {
            model,
            noise_ppm: 0,
            sybil: false,
        };
        own(format!("miner-{model}"), role)
    });
    let copies = (1..=sybils).map(|i| Neuron {
        name: format!("miner-forest-sybil-{i}"),
        wallet: "miner-forest".to_owned(),
        hotkey: format!("sybil-{i}"),
        role: Role::Miner {
            model: "forest",
            noise_ppm: (noise * 1e6).round() as u32,
            sybil: true,
        },
    });
    validators.chain(miners).chain(copies).collect()
}

/// A number from 0 to 1.
fn unit_interval(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("{s:?} is not a number from 0 to 1")),
    }
}

pub(crate) fn run(args: &LocalnetArgs) -> anyhow::Result<()> {
    if args.fresh {
        wipe(&args.data_dir)?;
    }
    let dirs = Dirs::new(&args.data_dir);
    for dir in [&dirs.chain, &dirs.wallets, &dirs.logs, &dirs.status] {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let runtime = yuma_cli::runtime::service().context("starting the async runtime")?;
    let outcome = runtime.block_on(session(args, &dirs));
    runtime.shutdown_timeout(Duration::from_secs(1));
    match outcome? {
        Some(report) if args.output.json => Ok(output::json(&report)?),
        _ => Ok(()),
    }
}

/// Runs the node and everything on it; returns the final report unless interrupted early.
async fn session(args: &LocalnetArgs, dirs: &Dirs) -> anyhow::Result<Option<serde_json::Value>> {
    let (stop_tx, mut stop) = watch::channel(false);
    tokio::spawn(async move {
        yuma_cli::runtime::shutdown_signal().await;
        let _ = stop_tx.send(true);
    });
    if args.validators > 1 {
        return validator_nodes(args, dirs, &mut stop).await;
    }

    let config = Config::dev(
        dirs.chain.clone(),
        Duration::from_millis(args.block_time),
        SocketAddr::new(Ipv4Addr::LOCALHOST.into(), args.rpc_port),
    );
    let (addr_tx, addr_rx) = tokio::sync::oneshot::channel();
    let (halt_tx, halt_rx) = tokio::sync::oneshot::channel::<()>();
    // The node runs its own runtime on a thread of its own.
    let mut node = tokio::task::spawn_blocking(move || {
        yuma_node::engine::run(
            config,
            move |addr| {
                let _ = addr_tx.send(addr);
            },
            async move {
                let _ = halt_rx.await;
            },
        )
    });
    let addr = tokio::select! {
        addr = addr_rx => addr.ok(),
        result = &mut node => {
            return Err(node_failure(result, args.rpc_port));
        }
    };
    let outcome = match addr {
        Some(addr) => network(args, dirs, &[format!("http://{addr}")], &mut stop).await,
        None => Err(anyhow::anyhow!("the node stopped before listening")),
    };
    let _ = halt_tx.send(());
    match node.await {
        Ok(Ok(())) => eprintln!("yuma: node stopped; chain kept in {}", dirs.chain.display()),
        Ok(Err(e)) => eprintln!("yuma: the node stopped with an error: {e}"),
        Err(e) => eprintln!("yuma: the node task failed: {e}"),
    }
    outcome
}

/// Runs `--validators` node processes and everything on them; returns the final report unless
/// interrupted early.
async fn validator_nodes(
    args: &LocalnetArgs,
    dirs: &Dirs,
    stop: &mut watch::Receiver<bool>,
) -> anyhow::Result<Option<serde_json::Value>> {
    let n = usize::from(args.validators);
    let ports = nodes::rpc_ports(args.rpc_port, n)?;
    let specs = nodes::prepare(&dirs.nodes, &dirs.logs, n, args.block_time, &ports)?;
    let exe = std::env::current_exe().context("finding the yuma executable")?;
    let supervisor = Supervisor::start(&exe, specs);
    eprintln!(
        "yuma: starting {n} validator nodes; chain data in {}/node-<i>, logs in {}/node-<i>.log",
        dirs.nodes.display(),
        dirs.logs.display()
    );
    let ready = tokio::select! {
        r = supervisor.wait_ready(READY_TIMEOUT) => Some(r),
        () = stopped(stop) => None,
    };
    let outcome = match ready {
        Some(Ok(())) => {
            let rpcs: Vec<String> = supervisor
                .states()
                .into_iter()
                .filter_map(|s| s.ready)
                .collect();
            for (i, rpc) in rpcs.iter().enumerate() {
                eprintln!("yuma: node-{i} rpc {rpc}, dashboard {rpc}/");
            }
            network(args, dirs, &rpcs, stop).await
        }
        Some(Err(e)) => Err(e.context("starting the validator nodes")),
        None => Ok(None),
    };
    eprintln!("yuma: stopping the validator nodes");
    supervisor.stop().await;
    eprintln!(
        "yuma: nodes stopped; chain kept in {}",
        dirs.nodes.display()
    );
    outcome
}

/// The error for a node that ended before listening.
fn node_failure(
    result: Result<Result<(), yuma_node::Error>, tokio::task::JoinError>,
    port: u16,
) -> anyhow::Error {
    match result {
        Ok(Err(e @ yuma_node::Error::Bind { .. })) => anyhow::Error::new(Hint {
            message: e.to_string(),
            hint: format!(
                "port {port} is taken (another node or localnet?): stop it, or pass --rpc-port 0"
            ),
        }),
        Ok(Err(e)) => anyhow::Error::new(e).context("starting the node"),
        Ok(Ok(())) => anyhow::anyhow!("the node stopped before listening"),
        Err(e) => anyhow::anyhow!("the node task failed: {e}"),
    }
}

/// Resolves when Ctrl-C or SIGTERM arrived.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    // An error means the sender is gone, which only happens at shutdown.
    let _ = stop.wait_for(|s| *s).await;
}

/// Sets up the chain, runs the neurons and the summary; the nodes are up at `rpcs` (one or
/// more), and neuron I talks to node I modulo their number.
async fn network(
    args: &LocalnetArgs,
    dirs: &Dirs,
    rpcs: &[String],
    stop: &mut watch::Receiver<bool>,
) -> anyhow::Result<Option<serde_json::Value>> {
    let rpc = rpcs.first().context("no node to talk to")?;
    let client = Client::new(rpc);
    tokio::select! {
        r = wait_for_rpc(&client) => r?,
        () = stopped(stop) => return Ok(None),
    }
    eprintln!(
        "yuma: node up: rpc {rpc} (WebSocket on the same port), dashboard {rpc}/, metrics {rpc}/metrics"
    );
    if rpcs.len() == 1 {
        eprintln!("yuma: chain in {}", dirs.chain.display());
    }
    let net = tokio::select! {
        r = setup::run(
            &client,
            &dirs.wallets,
            roster(args.sybils, args.sybil_noise),
            args.tempo,
        ) => r?,
        () = stopped(stop) => return Ok(None),
    };

    let exe = std::env::current_exe().context("finding the yuma executable")?;
    let mut specs: Vec<Spec> = net
        .members
        .iter()
        .zip(rpcs.iter().cycle())
        .map(|(m, rpc)| spec(&m.neuron, net.netuid.0, rpc, dirs, args))
        .collect();
    specs.push(gateway_spec(net.netuid.0, rpc, dirs));
    let supervisor = Supervisor::start(&exe, specs);
    eprintln!(
        "yuma: starting {} neurons; logs in {}/<name>.log",
        net.members.len(),
        dirs.logs.display()
    );
    let outcome = watch_network(args, dirs, rpc, &client, &net, &supervisor, stop)
        .await
        .map(|report| {
            report.map(|mut report| {
                report["nodes"] = serde_json::json!(rpcs);
                report
            })
        });
    eprintln!("yuma: stopping the neurons");
    supervisor.stop().await;
    outcome
}

/// Waits until the node answers JSON-RPC.
async fn wait_for_rpc(client: &Client) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + RPC_TIMEOUT;
    loop {
        match client.head().await {
            Ok(_) => return Ok(()),
            Err(e) if tokio::time::Instant::now() >= deadline => {
                return Err(rpc_error(e)).context("waiting for the node's RPC");
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roster_follows_the_contract() {
        let names: Vec<String> = roster(0, 0.0).into_iter().map(|n| n.name).collect();
        assert_eq!(
            names,
            [
                "validator-0",
                "validator-1",
                "miner-forest",
                "miner-tree",
                "miner-knn",
                "miner-linear",
                "miner-mean",
                "miner-random"
            ]
        );
    }

    #[test]
    fn sybils_are_hotkeys_of_the_forest_wallet() {
        let roster = roster(2, 0.05);
        let sybils: Vec<&Neuron> = roster
            .iter()
            .filter(|n| matches!(n.role, Role::Miner { sybil: true, .. }))
            .collect();
        assert_eq!(sybils.len(), 2);
        assert_eq!(sybils[1].name, "miner-forest-sybil-2");
        assert_eq!(
            (sybils[1].wallet.as_str(), sybils[1].hotkey.as_str()),
            ("miner-forest", "sybil-2")
        );
        assert!(matches!(
            sybils[0].role,
            Role::Miner {
                model: "forest",
                noise_ppm: 50_000,
                ..
            }
        ));
        assert!(unit_interval("1.5").is_err() && unit_interval("0.1") == Ok(0.1));
    }
}
