//! Per-agent results and the gaming measures, in integers: shares and ratios in parts per
//! million (1_000_000 = 100% or 1.0), amounts in rao.

use serde::Serialize;

use crate::engine::{Agent, QUALITY_ONE, RAO_PER_TAO, Role, Totals};
use crate::scenario::{MinerStrategy, Scenario, Scoring, ValidatorStrategy, Variant};

/// Parts per million in one.
pub const PPM: u128 = 1_000_000;

/// One uid's results over the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgentResult {
    /// The uid.
    pub uid: u16,
    /// Role and strategy.
    pub role: Role,
    /// Strategy label for people (`honest`, `copier`, `late honest`, `sybil`, ..).
    pub label: String,
    /// Share of all stake over the run (stake times tempos), ppm.
    pub stake_share_ppm: u64,
    /// Share of all emission over the run, ppm.
    pub emission_share_ppm: u64,
    /// Emission received over the run, rao.
    pub emission_rao: u64,
    /// Validator emission per tempo per 1000 TAO staked, rao (0 without stake).
    pub dividends_per_1000_tao_rao: u64,
    /// True quality at the end, ppm of a perfect model (miners).
    pub quality_ppm: u64,
    /// Mean incentive over the last quarter of the run, ppm.
    pub incentive_ppm: u64,
}

/// The gaming measures of one run; `None` where the scenario has no such agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Measures {
    /// Stake share of the validators the scenario is about (non-honest or late), ppm.
    pub adversary_stake_ppm: u64,
    /// Emission share of the agents the scenario is about (non-honest or late), ppm.
    pub adversary_emission_ppm: u64,
    /// Weight-copier gain G: copiers' dividends per stake / honest validators', ppm of 1.
    pub copier_gain_ppm: Option<u64>,
    /// Honest validators' (from the start) dividends per tempo per 1000 TAO staked, rao.
    pub honest_dividends_per_1000_tao_rao: u64,
    /// Lowest and highest dividends per stake of a single honest validator (from the start)
    /// relative to all honest validators', ppm of 1: how evenly honest work is paid.
    pub honest_spread_ppm: Option<(u64, u64)>,
    /// Cabal miners' share of all miner emission, ppm.
    pub cabal_miner_share_ppm: Option<u64>,
    /// Sybil gain: the sybil groups' miner emission / that of the same model under one hotkey
    /// (the companion run with every sybil group at count 1), ppm of 1.
    pub sybil_gain_ppm: Option<u64>,
    /// Random miners' share of all miner emission, ppm.
    pub random_miner_share_ppm: Option<u64>,
    /// Late joiners' dividends per stake / honest incumbents', over the tempos they were
    /// registered, ppm of 1.
    pub late_joiner_ratio_ppm: Option<u64>,
    /// Spearman rank correlation of true quality and last-quarter incentive over all miners,
    /// ppm (-1_000_000..=1_000_000).
    pub spearman_ppm: i64,
    /// The same over the honest (and drifting) miners only: how well the miners the scenario
    /// is not about are ranked, whatever the others earn, ppm.
    pub honest_miner_spearman_ppm: i64,
}

/// Everything one run produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Scenario name.
    pub scenario: String,
    /// Bond mechanism.
    pub variant: Variant,
    /// How validators scored miners.
    pub scoring: Scoring,
    /// Commit-reveal delay, tempos.
    pub reveal_delay: u64,
    /// Tempos run.
    pub epochs: u64,
    /// Seed.
    pub seed: u64,
    /// Per-uid results.
    pub agents: Vec<AgentResult>,
    /// The measures.
    pub measures: Measures,
    /// Emission share per tempo of the agents the scenario is about, ppm (for charts).
    pub adversary_series_ppm: Vec<u64>,
}

fn ratio(a: u128, b: u128) -> u64 {
    (a * PPM)
        .checked_div(b)
        .map_or(0, |r| u64::try_from(r).unwrap_or(u64::MAX))
}

/// The agents a scenario is about: every non-honest strategy, and late joiners.
fn is_adversary(a: &Agent) -> bool {
    a.join_epoch > 0
        || !matches!(
            a.role,
            Role::Validator(ValidatorStrategy::Honest)
                | Role::Miner(MinerStrategy::Honest | MinerStrategy::Drifting)
        )
}

fn label(a: &Agent) -> String {
    let name = match a.role {
        Role::Validator(ValidatorStrategy::Honest) => "honest validator",
        Role::Validator(ValidatorStrategy::Copier) => "copier",
        Role::Validator(ValidatorStrategy::Cabal) => "cabal validator",
        Role::Miner(MinerStrategy::Honest) => "honest miner",
        Role::Miner(MinerStrategy::Cabal) => "cabal miner",
        Role::Miner(MinerStrategy::Sybil) => "sybil miner",
        Role::Miner(MinerStrategy::Random) => "random miner",
        Role::Miner(MinerStrategy::Changing) => "changing miner",
        Role::Miner(MinerStrategy::Drifting) => "drifting miner",
    };
    if a.join_epoch > 0 {
        format!("{name} (joins {})", a.join_epoch)
    } else {
        name.to_owned()
    }
}

/// Dividends per tempo per 1000 TAO staked, rao, for a set of uids.
fn dividends_per_k(t: &Totals, uids: impl Iterator<Item = usize> + Clone) -> u128 {
    let div: u128 = uids.clone().map(|u| t.validator_emission[u]).sum();
    let stake: u128 = uids.map(|u| t.stake_epochs[u]).sum();
    (div * 1000 * u128::from(RAO_PER_TAO))
        .checked_div(stake)
        .unwrap_or(0)
}

/// Ranks with ties at their mean, doubled so they stay integers.
fn ranks2(values: &[u64]) -> Vec<i128> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by_key(|&i| values[i]);
    let mut ranks = vec![0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        for &k in &order[i..=j] {
            ranks[k] = (i + j) as i128 + 2;
        }
        i = j + 1;
    }
    ranks
}

/// Spearman rank correlation (Pearson on tie-averaged ranks), ppm; 0 when either side is flat.
pub fn spearman_ppm(x: &[u64], y: &[u64]) -> i64 {
    let (rx, ry) = (ranks2(x), ranks2(y));
    let n = rx.len() as i128;
    if n < 2 {
        return 0;
    }
    let (sx, sy): (i128, i128) = (rx.iter().sum(), ry.iter().sum());
    let cov: i128 = rx.iter().zip(&ry).map(|(a, b)| a * b).sum::<i128>() * n - sx * sy;
    let vx: i128 = rx.iter().map(|a| a * a).sum::<i128>() * n - sx * sx;
    let vy: i128 = ry.iter().map(|a| a * a).sum::<i128>() * n - sy * sy;
    let den = (vx as u128 * vy as u128).isqrt() as i128;
    if den == 0 {
        0
    } else {
        (cov * PPM as i128 / den) as i64
    }
}

/// The sybil groups' miner emission over a run, rao.
pub fn sybil_emission(agents: &[Agent], t: &Totals) -> u128 {
    agents
        .iter()
        .filter(|a| a.role == Role::Miner(MinerStrategy::Sybil))
        .map(|a| t.server_emission[usize::from(a.uid)])
        .sum()
}

/// Turns a run's sums into per-agent results and measures. `one_hotkey` is the sybil
/// groups' miner emission in the companion run ([`Scenario::one_hotkey_companion`]); `None`
/// when the scenario is its own companion.
pub fn build(s: &Scenario, agents: &[Agent], t: &Totals, one_hotkey: Option<u128>) -> Report {
    let n = agents.len();
    let emission: Vec<u128> = (0..n)
        .map(|u| t.server_emission[u] + t.validator_emission[u])
        .collect();
    let total_emission: u128 = emission.iter().sum();
    let total_server: u128 = t.server_emission.iter().sum();
    let total_stake: u128 = t.stake_epochs.iter().sum();
    let tail_total: u128 = t.incentive_tail.iter().map(|&x| u128::from(x)).sum();
    let results = agents
        .iter()
        .map(|a| {
            let u = usize::from(a.uid);
            AgentResult {
                uid: a.uid,
                role: a.role,
                label: label(a),
                stake_share_ppm: ratio(t.stake_epochs[u], total_stake),
                emission_share_ppm: ratio(emission[u], total_emission),
                emission_rao: u64::try_from(emission[u]).unwrap_or(u64::MAX),
                dividends_per_1000_tao_rao: u64::try_from(dividends_per_k(t, std::iter::once(u)))
                    .unwrap_or(u64::MAX),
                quality_ppm: a.quality_at(s.epochs) * PPM as u64 / QUALITY_ONE,
                incentive_ppm: ratio(u128::from(t.incentive_tail[u]), tail_total),
            }
        })
        .collect();
    let uids_where = |f: &dyn Fn(&Agent) -> bool| -> Vec<usize> {
        agents
            .iter()
            .filter(|a| f(a))
            .map(|a| usize::from(a.uid))
            .collect()
    };
    let sum = |uids: &[usize], v: &[u128]| -> u128 { uids.iter().map(|&u| v[u]).sum() };
    let honest =
        uids_where(&|a| a.role == Role::Validator(ValidatorStrategy::Honest) && a.join_epoch == 0);
    let honest_div = dividends_per_k(t, honest.iter().copied());
    let relative = |uids: &[usize]| {
        (!uids.is_empty()).then(|| ratio(dividends_per_k(t, uids.iter().copied()), honest_div))
    };
    let copiers = uids_where(&|a| a.role == Role::Validator(ValidatorStrategy::Copier));
    let late = uids_where(&|a| matches!(a.role, Role::Validator(_)) && a.join_epoch > 0);
    let miner_share = |strategy: MinerStrategy| {
        let uids = uids_where(&|a| a.role == Role::Miner(strategy));
        (!uids.is_empty()).then(|| ratio(sum(&uids, &t.server_emission), total_server))
    };
    let sybils = uids_where(&|a| a.role == Role::Miner(MinerStrategy::Sybil));
    let adversaries = uids_where(&|a| is_adversary(a));
    let adversary_validators =
        uids_where(&|a| is_adversary(a) && matches!(a.role, Role::Validator(_)));
    let miners = uids_where(&|a| matches!(a.role, Role::Miner(_)));
    let quality: Vec<u64> = miners
        .iter()
        .map(|&u| agents[u].quality_at(s.epochs))
        .collect();
    let incentive: Vec<u64> = miners.iter().map(|&u| t.incentive_tail[u]).collect();
    let honest_miners = uids_where(&|a| matches!(a.role, Role::Miner(_)) && !is_adversary(a));
    let (honest_quality, honest_incentive): (Vec<u64>, Vec<u64>) = honest_miners
        .iter()
        .map(|&u| (agents[u].quality_at(s.epochs), t.incentive_tail[u]))
        .unzip();
    let measures = Measures {
        adversary_stake_ppm: ratio(sum(&adversary_validators, &t.stake_epochs), total_stake),
        adversary_emission_ppm: ratio(sum(&adversaries, &emission), total_emission),
        copier_gain_ppm: relative(&copiers),
        honest_dividends_per_1000_tao_rao: u64::try_from(honest_div).unwrap_or(u64::MAX),
        honest_spread_ppm: honest
            .iter()
            .filter(|&&u| t.stake_epochs[u] > 0)
            .map(|&u| ratio(dividends_per_k(t, std::iter::once(u)), honest_div))
            .fold(None, |acc, r| match acc {
                None => Some((r, r)),
                Some((lo, hi)) => Some((r.min(lo), r.max(hi))),
            }),
        cabal_miner_share_ppm: miner_share(MinerStrategy::Cabal),
        sybil_gain_ppm: (!sybils.is_empty()).then(|| {
            let here = sybil_emission(agents, t);
            ratio(here, one_hotkey.unwrap_or(here))
        }),
        random_miner_share_ppm: miner_share(MinerStrategy::Random),
        late_joiner_ratio_ppm: relative(&late),
        spearman_ppm: spearman_ppm(&quality, &incentive),
        honest_miner_spearman_ppm: spearman_ppm(&honest_quality, &honest_incentive),
    };
    let adversary_series_ppm = t
        .series
        .iter()
        .map(|row| {
            let all: u128 = row.iter().map(|&x| u128::from(x)).sum();
            ratio(adversaries.iter().map(|&u| u128::from(row[u])).sum(), all)
        })
        .collect();
    Report {
        scenario: s.name.clone(),
        variant: s.variant,
        scoring: s.scoring,
        reveal_delay: s.reveal_delay,
        epochs: s.epochs,
        seed: s.seed,
        agents: results,
        measures,
        adversary_series_ppm,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spearman_of_known_orders() {
        assert_eq!(spearman_ppm(&[1, 2, 3, 4], &[10, 20, 30, 40]), 1_000_000);
        assert_eq!(spearman_ppm(&[1, 2, 3, 4], &[40, 30, 20, 10]), -1_000_000);
        assert_eq!(spearman_ppm(&[1, 2, 3], &[5, 5, 5]), 0);
        // 1 - 6 * 2 / (4 * 15) = 0.8
        assert_eq!(spearman_ppm(&[1, 2, 3, 4], &[1, 3, 2, 4]), 800_000);
    }
}
