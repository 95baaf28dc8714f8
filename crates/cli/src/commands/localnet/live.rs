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
use super::roster::{Role, Subnet};
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
    nets: &[(Subnet, setup::Network)],
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
    let mut snapshots = Vec::new();
    for (_, net) in nets {
        snapshots.push(read_snapshot(client, dirs, net).await?);
    }
    let baselines: Vec<Baseline> = snapshots
        .iter()
        .map(|s| Baseline::new(&s.metagraph))
        .collect();
    let start = baselines.first().map_or(0, |b| b.block);
    match (args.blocks, args.epochs) {
        (Some(n), _) => {
            eprintln!("yuma: all neurons up at block {start}; stopping after {n} blocks")
        }
        (_, Some(n)) => {
            eprintln!("yuma: all neurons up at block {start}; stopping after {n} epochs")
        }
        _ => eprintln!("yuma: all neurons up at block {start}; Ctrl-C stops everything"),
    }

    let tty = std::io::stderr().is_terminal();
    let poll = Duration::from_millis(args.block_time.clamp(100, 1000));
    let mut shown_lines = 0usize;
    let mut last_epochs = 0;
    loop {
        let urls = miner_urls(supervisor);
        let reports: Vec<Report<'_>> = nets
            .iter()
            .zip(&baselines)
            .zip(&snapshots)
            .map(|(((_, net), baseline), snapshot)| {
                Report::new(&net.members, net.netuid, net.tempo, baseline, snapshot)
            })
            .collect();
        // Every subnet has the same tempo: the first one's epochs count for the run.
        let lead = reports.first().context("no subnet to watch")?;
        let done = args.blocks.is_some_and(|n| lead.blocks() >= n)
            || args.epochs.is_some_and(|n| lead.epochs() >= n);
        if tty || lead.epochs() != last_epochs || done {
            let table: String = reports
                .iter()
                .map(|r| r.table(&urls, args.block_time))
                .collect();
            let mut stderr = std::io::stderr().lock();
            if tty && shown_lines > 0 {
                // Redraw in place: up to the table's first line, then clear below.
                let _ = write!(stderr, "\x1b[{shown_lines}F\x1b[J");
            }
            let _ = write!(stderr, "{table}");
            shown_lines = if tty { table.lines().count() } else { 0 };
            last_epochs = lead.epochs();
        }
        let stopping = done || {
            tokio::select! {
                () = tokio::time::sleep(poll) => false,
                () = stopped(stop) => {
                    eprintln!("yuma: stopping (signal)");
                    true
                }
            }
        };
        if stopping {
            let report = final_report(nets, &reports, rpc, &urls)?;
            return Ok(Some(with_gateway(report, supervisor)));
        }
        drop(reports);
        for (snapshot, (_, net)) in snapshots.iter_mut().zip(nets) {
            match read_snapshot(client, dirs, net).await {
                Ok(s) => *snapshot = s,
                Err(e) => eprintln!("yuma: {e:#}"),
            }
        }
    }
}

/// The subnet's metagraph and its validators' measured qualities, now.
async fn read_snapshot(
    client: &Client,
    dirs: &Dirs,
    net: &setup::Network,
) -> anyhow::Result<Snapshot> {
    let status_files: Vec<PathBuf> = net
        .members
        .iter()
        .filter(|m| matches!(m.neuron.role, Role::Validator { .. }))
        .map(|m| dirs.status_file(&m.neuron.name))
        .collect();
    let status_refs: Vec<&Path> = status_files.iter().map(PathBuf::as_path).collect();
    let metagraph = client
        .metagraph(net.netuid)
        .await
        .map_err(rpc_error)
        .context("reading the metagraph")?
        .with_context(|| format!("subnet {} vanished", net.netuid.0))?;
    Ok(Snapshot {
        metagraph,
        quality: summary::read_quality(&status_refs),
    })
}

/// The final report: the first subnet's at the top level (the default network has only
/// that one), and every subnet's under `subnets`, with its name and task.
fn final_report(
    nets: &[(Subnet, setup::Network)],
    reports: &[Report<'_>],
    rpc: &str,
    urls: &BTreeMap<String, String>,
) -> anyhow::Result<serde_json::Value> {
    let all: Vec<serde_json::Value> = nets
        .iter()
        .zip(reports)
        .map(|((subnet, _), report)| {
            let mut json = report.json(rpc, urls);
            json["name"] = serde_json::json!(subnet.name);
            json["task"] =
                serde_json::json!(subnet.task_cmd.as_deref().unwrap_or("tabular (built in)"));
            json
        })
        .collect();
    let mut report = all.first().cloned().context("no subnet to report")?;
    report["subnets"] = serde_json::json!(all);
    Ok(report)
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
