//! `yuma validator`: score a subnet's miners and set their weights, with the built-in tabular
//! task or a task program (`yuma_neuron::backend::task`).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;
use yuma_cli::process::Ready;
use yuma_client::Client;
use yuma_neuron::Challenger;
use yuma_neuron::backend::task::TaskProgram;
use yuma_neuron::validator::scores::Scoring;
use yuma_neuron::validator::{Validator, ValidatorConfig};
use yuma_primitives::NetUid;
use yuma_subnets::tabular::TabularChallenger;

use super::miner::neuron_error;
use yuma_cli::runtime::shutdown_signal;

use crate::args::RpcArgs;
use crate::commands::chain::SignerArgs;

/// Flags of `yuma validator`.
#[derive(Debug, Args)]
pub(crate) struct ValidatorArgs {
    /// The subnet to validate (the hotkey must be registered on it).
    #[arg(long)]
    netuid: u16,
    /// Milliseconds between the starts of two steps.
    #[arg(long, default_value_t = 2000)]
    interval_ms: u64,
    /// Milliseconds a miner has to answer.
    #[arg(long, default_value_t = 5000)]
    timeout_ms: u64,
    /// Rewrite this JSON file after every step (scores and weights per miner).
    #[arg(long)]
    status_file: Option<PathBuf>,
    /// How answers are scored: `shapley` gives each miner its marginal contribution to the
    /// ensemble of the step's answers (k hotkeys serving one model share one model's
    /// credit); `independent` scores each answer on its own.
    #[arg(long, default_value = "shapley", value_parser = parse_scoring)]
    scoring: Scoring,
    /// Draw the tasks from this seed, so that a run can be repeated (default: fresh
    /// randomness). For tests and experiments only: miners who know the seed know the tasks.
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// The subnet's task as a program (any language) that draws challenges and scores
    /// answers, speaking JSON Lines on stdin/stdout (python/README.md); run with `sh -c` and
    /// restarted when it exits. Default: the built-in tabular task.
    #[arg(long, value_name = "COMMAND")]
    task_cmd: Option<String>,
    /// Milliseconds the task program has to draw a challenge or score a step.
    #[arg(long, value_name = "MS", default_value_t = 30_000, value_parser = clap::value_parser!(u64).range(1..=600_000))]
    task_timeout_ms: u64,
    #[command(flatten)]
    signer: SignerArgs,
    #[command(flatten)]
    rpc: RpcArgs,
}

fn parse_scoring(s: &str) -> Result<Scoring, String> {
    s.parse()
}

pub(crate) fn run(args: &ValidatorArgs) -> anyhow::Result<()> {
    let pair = args.signer.hotkey()?;
    let netuid = NetUid(args.netuid);
    let config = ValidatorConfig {
        interval: Duration::from_millis(args.interval_ms.max(1)),
        timeout: Duration::from_millis(args.timeout_ms.max(1)),
        status_file: args.status_file.clone(),
        scoring: args.scoring,
        seed: args.seed,
        ..ValidatorConfig::new(netuid)
    };
    let runtime = yuma_cli::runtime::service().context("starting the async runtime")?;
    runtime.block_on(async {
        let client = Arc::new(Client::new(args.rpc.rpc.clone()));
        match &args.task_cmd {
            None => {
                validate(
                    args,
                    Validator::new(config, TabularChallenger, client, pair),
                )
                .await
            }
            Some(command) => {
                let task = start_task(command, Duration::from_millis(args.task_timeout_ms)).await?;
                validate(args, Validator::new(config, task, client, pair)).await
            }
        }
    })?;
    eprintln!("yuma: stopped");
    runtime.shutdown_timeout(Duration::from_secs(1));
    Ok(())
}

/// Starts the task program and reads what it is.
async fn start_task(command: &str, timeout: Duration) -> anyhow::Result<TaskProgram> {
    let owned = command.to_owned();
    let task = tokio::task::spawn_blocking(move || TaskProgram::start(&owned, timeout))
        .await
        .context("starting the task program")?
        .with_context(|| format!("starting the task program `{command}`"))?;
    let info = task.info();
    eprintln!(
        "yuma: task program {:?} ({})",
        info.name,
        if info.combine {
            "combines answers: Shapley scoring available"
        } else {
            "scores answers one by one"
        }
    );
    Ok(task)
}

/// Checks the registration, announces readiness and runs the validator until shutdown.
async fn validate<C: Challenger>(
    args: &ValidatorArgs,
    validator: Validator<C>,
) -> anyhow::Result<()> {
    validator
        .check_registered()
        .await
        .map_err(|e| neuron_error(e, args.netuid))
        .context("checking the validator's registration")?;
    Ready::Validator.announce(NetUid(args.netuid));
    validator
        .run(shutdown_signal(), |event| eprintln!("yuma: {event}"))
        .await;
    Ok(())
}
