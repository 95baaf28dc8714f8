//! Watching a running localnet: the live summary on stderr, the stop conditions
//! (`--blocks`, `--epochs`, a signal) and the final report.

use std::collections::BTreeMap;
use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use tokio::sync::watch;
use yuma_cli::process::Ready;
use yuma_client::Client;

use super::args::LocalnetArgs;
use super::children::Supervisor;
use super::dirs::Dirs;
use super::roster::Role;
use super::setup;
use super::summary::{self, Baseline, Report, Snapshot};
use crate::commands::chain::rpc_error;

/// How long the neurons have to print their ready lines.
pub(super) const READY_TIMEOUT: Duration = Duration::from_secs(120);

/// Resolves when Ctrl-C or SIGTERM arrived.
pub(super) async fn stopped(stop: &mut watch::Receiver<bool>) {
    // An error means the sender is gone, which only happens at shutdown.
    let _ = stop.wait_for(|s| *s).await;
}

/// Waits for the neurons, then shows the summary until a stop; returns the final report.
pub(super) async fn watch_network(
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
