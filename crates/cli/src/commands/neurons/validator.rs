//! `yuma validator`: score the tabular subnet's miners and set their weights.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;
use yuma_cli::process::Ready;
use yuma_client::Client;
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
        let validator = Validator::new(config, TabularChallenger, client, pair);
        validator
            .check_registered()
            .await
            .map_err(|e| neuron_error(e, args.netuid))
            .context("checking the validator's registration")?;
        Ready::Validator.announce(netuid);
        validator
            .run(shutdown_signal(), |event| eprintln!("yuma: {event}"))
            .await;
        anyhow::Ok(())
    })?;
    eprintln!("yuma: stopped");
    runtime.shutdown_timeout(Duration::from_secs(1));
    Ok(())
}
