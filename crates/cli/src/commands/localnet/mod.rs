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

mod args;
mod children;
mod config;
mod dirs;
mod hyperparams;
mod live;
mod nodes;
mod roster;
mod setup;
mod specs;
mod submit;
mod summary;

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use anyhow::Context as _;
use tokio::sync::watch;
use yuma_client::Client;
use yuma_node::Config;

use crate::commands::chain::rpc_error;
use yuma_cli::output;

use crate::failure::Hint;
pub(crate) use args::LocalnetArgs;
use children::{Spec, Supervisor};
use dirs::{Dirs, wipe};
use live::{READY_TIMEOUT, stopped, watch_network};
use roster::{Subnet, roster};
use specs::{gateway_spec, spec};

/// How long the node's RPC has to answer after it listens.
const RPC_TIMEOUT: Duration = Duration::from_secs(30);

pub(crate) fn run(args: &LocalnetArgs) -> anyhow::Result<()> {
    // The config is checked before anything is touched.
    let subnets = match &args.config {
        Some(path) => config::load(path)?,
        None => vec![Subnet {
            name: "tabular".into(),
            task_cmd: None,
            scoring: None,
            neurons: roster(args.sybils, args.sybil_noise),
        }],
    };
    if args.fresh {
        wipe(&args.data_dir)?;
    }
    let dirs = Dirs::new(&args.data_dir);
    for dir in [&dirs.chain, &dirs.wallets, &dirs.logs, &dirs.status] {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let runtime = yuma_cli::runtime::service().context("starting the async runtime")?;
    let outcome = runtime.block_on(session(args, &dirs, &subnets));
    runtime.shutdown_timeout(Duration::from_secs(1));
    match outcome? {
        Some(report) if args.output.json => Ok(output::json(&report)?),
        _ => Ok(()),
    }
}

/// Runs the node and everything on it; returns the final report unless interrupted early.
async fn session(
    args: &LocalnetArgs,
    dirs: &Dirs,
    subnets: &[Subnet],
) -> anyhow::Result<Option<serde_json::Value>> {
    let (stop_tx, mut stop) = watch::channel(false);
    tokio::spawn(async move {
        yuma_cli::runtime::shutdown_signal().await;
        let _ = stop_tx.send(true);
    });
    if args.validators > 1 {
        return validator_nodes(args, dirs, subnets, &mut stop).await;
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
        Some(addr) => network(args, dirs, subnets, &[format!("http://{addr}")], &mut stop).await,
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
    subnets: &[Subnet],
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
            network(args, dirs, subnets, &rpcs, stop).await
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

/// Sets up the chain, runs the neurons and the summary; the nodes are up at `rpcs` (one or
/// more), and neuron I talks to node I modulo their number.
async fn network(
    args: &LocalnetArgs,
    dirs: &Dirs,
    subnets: &[Subnet],
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
    let mut nets = Vec::new();
    for subnet in subnets {
        if subnets.len() > 1 {
            eprintln!("yuma: subnet {:?}", subnet.name);
        }
        let net = tokio::select! {
            r = setup::run(&client, &dirs.wallets, subnet.neurons.clone(), args.tempo) => r?,
            () = stopped(stop) => return Ok(None),
        };
        nets.push((subnet.clone(), net));
    }

    let exe = std::env::current_exe().context("finding the yuma executable")?;
    let members = nets
        .iter()
        .flat_map(|(subnet, net)| net.members.iter().map(move |m| (subnet, net.netuid, m)));
    let mut specs: Vec<Spec> = members
        .zip(rpcs.iter().cycle())
        .map(|((subnet, netuid, m), rpc)| spec(&m.neuron, netuid.0, rpc, dirs, args, subnet))
        .collect();
    let neurons = specs.len();
    let first = &nets.first().context("no subnet to run")?.1;
    let owner = first.members.first().context("a subnet without neurons")?;
    specs.push(gateway_spec(
        first.netuid.0,
        rpc,
        dirs,
        &owner.neuron.wallet,
    ));
    let supervisor = Supervisor::start(&exe, specs);
    eprintln!(
        "yuma: starting {neurons} neurons; logs in {}/<name>.log",
        dirs.logs.display()
    );
    let outcome = watch_network(args, dirs, rpc, &client, &nets, &supervisor, stop)
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
