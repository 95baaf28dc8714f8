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
mod nodes;
mod setup;
mod summary;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::{IsTerminal as _, Write as _};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;
use tokio::sync::watch;
use yuma_cli::process::Ready;
use yuma_client::Client;
use yuma_node::Config;

use crate::commands::chain::rpc_error;
use yuma_cli::output;

use crate::args::OutputArgs;
use crate::failure::Hint;
use children::{Spec, Supervisor};
use summary::{Baseline, Report, Snapshot};

/// Folders `--fresh` may delete inside the data dir; anything else makes it refuse.
const OWN_ENTRIES: [&str; 6] = ["chain", "nodes", "wallets", "logs", "status", "gateway"];
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
    },
}

/// A neuron of the localnet: its wallet name and role.
#[derive(Clone, Debug)]
pub(super) struct Neuron {
    /// Wallet name: `validator-0`, `miner-forest`, ...
    pub(super) name: String,
    /// Role.
    pub(super) role: Role,
}

/// The neurons, validator-0 (the subnet owner) first.
fn roster() -> Vec<Neuron> {
    let validators = VALIDATOR_STAKES
        .iter()
        .enumerate()
        .map(|(i, &stake_tao)| Neuron {
            name: format!("validator-{i}"),
            role: Role::Validator { stake_tao },
        });
    let miners = MODELS.iter().map(|&model| Neuron {
        name: format!("miner-{model}"),
        role: Role::Miner { model },
    });
    validators.chain(miners).collect()
}

/// The data dir's folders.
struct Dirs {
    chain: PathBuf,
    nodes: PathBuf,
    wallets: PathBuf,
    logs: PathBuf,
    status: PathBuf,
    gateway: PathBuf,
}

impl Dirs {
    fn new(root: &Path) -> Self {
        Self {
            chain: root.join("chain"),
            nodes: root.join("nodes"),
            wallets: root.join("wallets"),
            logs: root.join("logs"),
            status: root.join("status"),
            gateway: root.join("gateway"),
        }
    }

    fn status_file(&self, name: &str) -> PathBuf {
        self.status.join(format!("{name}.json"))
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

/// Deletes what a previous localnet left in `root`, refusing folders it did not make.
fn wipe(root: &Path) -> anyhow::Result<()> {
    let entries = match std::fs::read_dir(root) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", root.display())),
    };
    let mut own = Vec::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("reading {}", root.display()))?;
        let name = entry.file_name();
        if !OWN_ENTRIES.iter().any(|own| name == *own) {
            return Err(anyhow::Error::new(Hint {
                message: format!(
                    "--fresh: {} holds {:?}, which localnet did not make; nothing was deleted",
                    root.display(),
                    name
                ),
                hint: "pass the localnet's own folder as --data-dir".to_owned(),
            }));
        }
        own.push(entry.path());
    }
    for path in own {
        std::fs::remove_dir_all(&path).with_context(|| format!("deleting {}", path.display()))?;
    }
    eprintln!(
        "yuma: --fresh: deleted the chain, nodes, wallets, logs and gateway ledger in {}",
        root.display()
    );
    Ok(())
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
        r = setup::run(&client, &dirs.wallets, roster(), args.tempo) => r?,
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

/// The child process of one neuron, per the neuron contract.
fn spec(neuron: &Neuron, netuid: u16, rpc: &str, dirs: &Dirs, args: &LocalnetArgs) -> Spec {
    let mut argv: Vec<OsString> = Vec::new();
    let ready = match neuron.role {
        Role::Miner { model } => {
            argv.extend(
                [
                    "miner",
                    "--model",
                    model,
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "0",
                ]
                .map(OsString::from),
            );
            Ready::Miner
        }
        Role::Validator { .. } => {
            // Several steps per epoch, so that each commit rests on fresh scores.
            let epoch_ms = u64::from(args.tempo) * args.block_time;
            let interval = (epoch_ms / 4).clamp(250, 2000);
            argv.extend([
                "validator".into(),
                "--interval-ms".into(),
                interval.to_string().into(),
            ]);
            argv.push("--status-file".into());
            argv.push(dirs.status_file(&neuron.name).into());
            Ready::Validator
        }
    };
    argv.extend(["--netuid".into(), netuid.to_string().into()]);
    argv.push("--wallet-path".into());
    argv.push(dirs.wallets.clone().into());
    argv.extend(
        [
            "--wallet-name",
            neuron.name.as_str(),
            "--hotkey",
            setup::HOTKEY,
            "--rpc",
            rpc,
        ]
        .map(OsString::from),
    );
    Spec {
        name: neuron.name.clone(),
        args: argv,
        log: dirs.logs.join(format!("{}.log", neuron.name)),
        ready,
    }
}

/// The gateway child: `yuma gateway` under validator-0 (registered, with a permit from the
/// first epoch), its ledger under `gateway/`.
fn gateway_spec(netuid: u16, rpc: &str, dirs: &Dirs) -> Spec {
    let mut argv: Vec<OsString> = ["gateway", "--host", "127.0.0.1", "--port", "0"]
        .map(OsString::from)
        .to_vec();
    argv.extend(["--netuid".into(), netuid.to_string().into()]);
    argv.push("--data-dir".into());
    argv.push(dirs.gateway.clone().into());
    argv.push("--wallet-path".into());
    argv.push(dirs.wallets.clone().into());
    argv.extend(
        [
            "--wallet-name",
            "validator-0",
            "--hotkey",
            setup::HOTKEY,
            "--rpc",
            rpc,
        ]
        .map(OsString::from),
    );
    Spec {
        name: "gateway".into(),
        args: argv,
        log: dirs.logs.join("gateway.log"),
        ready: Ready::Gateway,
    }
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

/// Waits for the neurons, then shows the summary until a stop; returns the final report.
async fn watch_network(
    args: &LocalnetArgs,
    dirs: &Dirs,
    rpc: &str,
    client: &Client,
    net: &setup::Network,
    supervisor: &Supervisor,
    stop: &mut watch::Receiver<bool>,
) -> anyhow::Result<Option<serde_json::Value>> {
    tokio::select! {
        r = supervisor.wait_ready(READY_TIMEOUT) => r.context("starting the neurons")?,
        () = stopped(stop) => return Ok(None),
    }
    for (spec, state) in supervisor.specs().iter().zip(supervisor.states()) {
        let what = state.ready.as_deref().unwrap_or("");
        eprintln!(
            "yuma: {:<16} pid {:>7}  {}",
            spec.name,
            state.pid.unwrap_or(0),
            match spec.ready {
                Ready::Gateway => format!("gateway {what} (API: crates/gateway/README.md)"),
                Ready::Validator => "validating".to_owned(),
                Ready::Miner | Ready::Rpc => what.to_owned(),
            }
        );
    }
    let status_files: Vec<PathBuf> = net
        .members
        .iter()
        .filter(|m| matches!(m.neuron.role, Role::Validator { .. }))
        .map(|m| dirs.status_file(&m.neuron.name))
        .collect();
    let status_refs: Vec<&Path> = status_files.iter().map(PathBuf::as_path).collect();
    let read_snapshot = || async {
        let metagraph = client
            .metagraph(net.netuid)
            .await
            .map_err(rpc_error)
            .context("reading the metagraph")?
            .with_context(|| format!("subnet {} vanished", net.netuid.0))?;
        anyhow::Ok(Snapshot {
            metagraph,
            quality: summary::read_quality(&status_refs),
        })
    };
    let first = read_snapshot().await?;
    let baseline = Baseline::new(&first.metagraph);
    match (args.blocks, args.epochs) {
        (Some(n), _) => eprintln!(
            "yuma: all neurons up at block {}; stopping after {n} blocks",
            baseline.block
        ),
        (_, Some(n)) => eprintln!(
            "yuma: all neurons up at block {}; stopping after {n} epochs",
            baseline.block
        ),
        _ => eprintln!(
            "yuma: all neurons up at block {}; Ctrl-C stops everything",
            baseline.block
        ),
    }

    let tty = std::io::stderr().is_terminal();
    let poll = Duration::from_millis(args.block_time.clamp(100, 1000));
    let mut shown_lines = 0usize;
    let mut last_epochs = 0;
    let mut snapshot = first;
    loop {
        let urls = miner_urls(supervisor);
        let report = Report::new(&net.members, net.netuid, net.tempo, &baseline, &snapshot);
        let done = args.blocks.is_some_and(|n| report.blocks() >= n)
            || args.epochs.is_some_and(|n| report.epochs() >= n);
        if tty || report.epochs() != last_epochs || done {
            let table = report.table(&urls, args.block_time);
            let mut stderr = std::io::stderr().lock();
            if tty && shown_lines > 0 {
                // Redraw in place: up to the table's first line, then clear below.
                let _ = write!(stderr, "\x1b[{shown_lines}F\x1b[J");
            }
            let _ = write!(stderr, "{table}");
            shown_lines = if tty { table.lines().count() } else { 0 };
            last_epochs = report.epochs();
        }
        if done {
            return Ok(Some(with_gateway(report.json(rpc, &urls), supervisor)));
        }
        tokio::select! {
            () = tokio::time::sleep(poll) => {}
            () = stopped(stop) => {
                eprintln!("yuma: stopping (signal)");
                return Ok(Some(with_gateway(report.json(rpc, &urls), supervisor)));
            }
        }
        match read_snapshot().await {
            Ok(s) => snapshot = s,
            Err(e) => eprintln!("yuma: {e:#}"),
        }
    }
}

/// `report` with the gateway's URL (`null` while it is down).
fn with_gateway(mut report: serde_json::Value, supervisor: &Supervisor) -> serde_json::Value {
    let url = supervisor
        .specs()
        .iter()
        .zip(supervisor.states())
        .find(|(spec, _)| spec.ready == Ready::Gateway)
        .and_then(|(_, state)| state.ready);
    report["gateway"] = serde_json::json!(url);
    report
}

/// The miners' URLs by name, for those up now.
fn miner_urls(supervisor: &Supervisor) -> BTreeMap<String, String> {
    supervisor
        .specs()
        .iter()
        .zip(supervisor.states())
        .filter(|(spec, _)| spec.ready == Ready::Miner)
        .filter_map(|(spec, state)| Some((spec.name.clone(), state.ready?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roster_follows_the_contract() {
        let names: Vec<String> = roster().into_iter().map(|n| n.name).collect();
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
    fn fresh_refuses_foreign_folders() {
        let dir = tempfile::tempdir().expect("a temp dir");
        std::fs::create_dir(dir.path().join("chain")).expect("creates");
        std::fs::write(dir.path().join("notes.txt"), "mine").expect("writes");
        assert!(wipe(dir.path()).is_err());
        assert!(dir.path().join("chain").exists());
        std::fs::remove_file(dir.path().join("notes.txt")).expect("removes");
        wipe(dir.path()).expect("wipes its own folders");
        assert!(!dir.path().join("chain").exists());
        wipe(&dir.path().join("absent")).expect("nothing to wipe");
    }
}
