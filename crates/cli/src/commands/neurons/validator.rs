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
use crate::commands::chain::identity::hash_file;
use crate::commands::chain::rpc_error;
use crate::failure::{Hint, Refused};
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
    /// The task program's file, whose blake2b-256 must equal the hash the subnet's owner
    /// published (`yuma subnet set-identity --task-file`). Default: the last word of
    /// --task-cmd that names an existing file.
    #[arg(long, value_name = "FILE", requires = "task_cmd")]
    task_file: Option<PathBuf>,
    /// Run the task program even when its hash differs from the one the subnet published.
    #[arg(long, requires = "task_cmd")]
    allow_unpinned_task: bool,
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
                check_pin(args, &client, command).await?;
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

/// The task program's file: `--task-file`, or the last word of the command naming a file.
fn task_file(args: &ValidatorArgs, command: &str) -> Option<PathBuf> {
    args.task_file.clone().or_else(|| {
        command
            .split_whitespace()
            .rev()
            .map(PathBuf::from)
            .find(|p| p.is_file())
    })
}

/// Refuses a task program whose blake2b-256 differs from the hash the subnet published,
/// unless `--allow-unpinned-task`; says so when the subnet publishes none.
async fn check_pin(args: &ValidatorArgs, client: &Client, command: &str) -> anyhow::Result<()> {
    let netuid = NetUid(args.netuid);
    let identity = client
        .subnet_identity(netuid)
        .await
        .map_err(rpc_error)
        .context("reading the subnet's identity")?;
    let Some(pinned) = identity.as_ref().and_then(|i| i.task_hash) else {
        eprintln!(
            "yuma: subnet {netuid} publishes no task hash; running the task program unchecked"
        );
        return Ok(());
    };
    let pinned_hex = format!("0x{}", hex::encode(pinned));
    let Some(file) = task_file(args, command) else {
        return refuse_or_warn(
            args,
            format!(
                "subnet {netuid} pins task program {pinned_hex}, and no file of --task-cmd \
                 can be checked against it"
            ),
            "name the program with --task-file",
        );
    };
    let actual = hash_file(&file)?;
    if actual == pinned {
        eprintln!(
            "yuma: task program {} matches subnet {netuid}'s hash {pinned_hex}",
            file.display()
        );
        return Ok(());
    }
    let url = identity.map(|i| i.task_url).filter(|u| !u.is_empty());
    refuse_or_warn(
        args,
        format!(
            "task program {} has blake2b-256 0x{}, but subnet {netuid} pins {pinned_hex}",
            file.display(),
            hex::encode(actual)
        ),
        &match url {
            Some(url) => format!("get the subnet's program from {url}"),
            None => "run the program the subnet's owner published".into(),
        },
    )
}

/// A failed pin check: an error, or with `--allow-unpinned-task` a warning.
fn refuse_or_warn(args: &ValidatorArgs, message: String, hint: &str) -> anyhow::Result<()> {
    if args.allow_unpinned_task {
        eprintln!("yuma: {message}; running it anyway (--allow-unpinned-task)");
        return Ok(());
    }
    Err(anyhow::Error::new(Hint {
        hint: format!("{hint}, or pass --allow-unpinned-task to run this one anyway"),
        message,
    })
    .context(Refused("the task program is not the subnet's".into())))
}
