//! The subnet's fast hyperparameters, set through sudo where they differ.

use anyhow::Context as _;
use yuma_client::{Call, Client, Hyperparams};
use yuma_keys::Pair;
use yuma_primitives::NetUid;
use yuma_runtime::{Hyperparameter, SudoCall};

use super::submit::submit_batch;
use crate::commands::chain::rpc_error;

/// The hyperparameters that make epochs pay out within a minute: the given tempo, no weights
/// rate limit (validators commit once per tempo), commit-reveal with a reveal period of one
/// tempo, an activity cutoff of ten tempos, and no serving rate limit (a restarted miner
/// publishes its new port at once).
fn wanted(tempo: u16) -> Vec<Hyperparameter> {
    let ten_tempos = tempo.saturating_mul(10).max(100);
    vec![
        Hyperparameter::Tempo { value: tempo },
        Hyperparameter::WeightsRateLimit { value: 0 },
        Hyperparameter::CommitRevealEnabled { value: true },
        Hyperparameter::RevealPeriodEpochs { value: 1 },
        Hyperparameter::ActivityCutoff { value: ten_tempos },
        Hyperparameter::ImmunityPeriod { value: ten_tempos },
        Hyperparameter::ServingRateLimit { value: 0 },
    ]
}

/// Whether `hp` already has `param`'s value (for the parameters [`wanted`] sets).
fn is_set(hp: &Hyperparams, param: &Hyperparameter) -> bool {
    match *param {
        Hyperparameter::Tempo { value } => hp.tempo == value,
        Hyperparameter::WeightsRateLimit { value } => hp.weights_rate_limit == value,
        Hyperparameter::CommitRevealEnabled { value } => hp.commit_reveal_enabled == value,
        Hyperparameter::RevealPeriodEpochs { value } => hp.reveal_period_epochs == value,
        Hyperparameter::ActivityCutoff { value } => hp.activity_cutoff == value,
        Hyperparameter::ImmunityPeriod { value } => hp.immunity_period == value,
        Hyperparameter::ServingRateLimit { value } => hp.serving_rate_limit == value,
        _ => false,
    }
}

/// Sets (through sudo) the [`wanted`] hyperparameters that differ, and returns the result.
pub(super) async fn set_hyperparameters(
    client: &Client,
    alice: &Pair,
    netuid: NetUid,
    tempo: u16,
) -> anyhow::Result<Hyperparams> {
    let read = || async {
        client
            .subnet(netuid)
            .await
            .map_err(rpc_error)
            .context("reading the subnet")?
            .map(|s| s.hyperparams)
            .with_context(|| format!("subnet {} vanished", netuid.0))
    };
    let before = read().await?;
    let calls: Vec<_> = wanted(tempo)
        .into_iter()
        .filter(|p| !is_set(&before, p))
        .map(|param| {
            let what = format!("setting {} through sudo", param.name());
            let call = Call::Sudo {
                call: SudoCall::SetSubnetHyperparameter { netuid, param },
            };
            (call, what)
        })
        .collect();
    let changed = calls.len();
    submit_batch(client, alice, calls).await?;
    let after = read().await?;
    if let Some(p) = wanted(tempo).iter().find(|p| !is_set(&after, p)) {
        anyhow::bail!("hyperparameter {} did not take its value", p.name());
    }
    eprintln!(
        "yuma: [4/5] hyperparameters: tempo {} blocks, commit-reveal on (reveal after 1 tempo), \
         activity cutoff {}, no weights or serving rate limit ({changed} changed)",
        after.tempo, after.activity_cutoff
    );
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wanted_values_are_recognised_once_set() {
        let mut hp = Hyperparams::default();
        let params = wanted(20);
        assert!(params.iter().any(|p| !is_set(&hp, p)));
        hp.tempo = 20;
        hp.weights_rate_limit = 0;
        hp.commit_reveal_enabled = true;
        hp.reveal_period_epochs = 1;
        hp.activity_cutoff = 200;
        hp.immunity_period = 200;
        hp.serving_rate_limit = 0;
        assert!(params.iter().all(|p| is_set(&hp, p)));
    }

    #[test]
    fn short_tempos_keep_a_usable_activity_cutoff() {
        let cutoff = wanted(2).into_iter().find_map(|p| match p {
            Hyperparameter::ActivityCutoff { value } => Some(value),
            _ => None,
        });
        assert_eq!(cutoff, Some(100));
    }
}
