//! The subnet and its agents, and the loop that runs the real epoch once per tempo.
//!
//! Uids `0..V` are validators (in group order), `V..V+M` miners. Each tempo `e`:
//! 1. every validator's weight row *in force* at `e` is built: with commit-reveal delay `d`,
//!    it is the row the validator committed at tempo `e - d`. Honest and cabal validators
//!    (cabal ones only their own miners) score each miner as of that tempo, with noise keyed
//!    by (seed, tempo, validator, miner): under independent scoring its true quality plus up
//!    to `noise_percent` of the quality scale, under Shapley scoring its Shapley value in that
//!    tempo's ensemble ([`crate::answers`], [`crate::ensemble`]; computed once per tempo, for
//!    every validator) times a factor within `noise_percent` of 1; a copier's row is the
//!    stake-weighted mean of the other validators' rows it could see when committing, i.e.
//!    the rows in force at `e - d` (with `d = 0` the current rows: without commit-reveal
//!    weights are public at once). Before tempo 0 the subnet is taken to have run with the
//!    weights of tempo 0. Rows are max-upscaled to 65535 as subtensor stores them;
//! 2. `yuma_epoch::anticopy::run` (exactly `yuma_epoch::run` unless the variant turns the
//!    anti-copy stage on) gets stake, `last_update`, `block_at_registration`, the rows, and the
//!    permits, bonds and anti-copy memory the previous tempo's output stored;
//! 3. stake, emission, dividends and (over the last quarter) incentive are summed per uid.

use yuma_epoch::anticopy::{AntiCopy, Memory};
use yuma_epoch::{Input, Params};

use crate::error::Error;
use crate::rng::{
    STREAM_DRIFT, STREAM_NOISE, STREAM_QUALITY, STREAM_SHAPLEY, STREAM_STAKE, in_range, keyed,
};
use crate::scenario::{MinerStrategy, Scenario, Scoring, ValidatorStrategy};
use crate::{answers, ensemble};

pub use yuma_primitives::RAO_PER_TAO;
/// The quality scale: 1_000_000 = a perfect model.
pub const QUALITY_ONE: u64 = 1_000_000;
/// Emission per block, rao (one TAO).
const EMISSION_PER_BLOCK: u64 = RAO_PER_TAO;
/// Blocks per tempo, as subtensor's default.
const TEMPO: u64 = 360;

/// Penalty of the anti weight-copying stage in the `*-anticopy` variants, proportion of
/// `u16::MAX` (0.6): a validator whose weights never anticipated the consensus' move keeps 40%
/// of its dividends before the re-split (see docs/sim.md for the choice).
pub const ANTI_COPY_PENALTY: u16 = 39321;

/// What one uid is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case", tag = "role", content = "strategy")]
pub enum Role {
    /// A validator with its strategy.
    Validator(ValidatorStrategy),
    /// A miner with its strategy.
    Miner(MinerStrategy),
}

/// One uid of the simulated subnet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    /// The uid.
    pub uid: u16,
    /// Role and strategy.
    pub role: Role,
    /// Index of its group in the scenario's validator or miner list.
    pub group: usize,
    /// Stake once registered, rao (0 for miners).
    pub stake: u64,
    /// Tempo at which it registers.
    pub join_epoch: u64,
    /// True quality before `change`, on the [`QUALITY_ONE`] scale (0 for validators).
    pub quality: u64,
    /// Tempo from which the quality becomes the second value.
    pub change: Option<(u64, u64)>,
    /// Quality per tempo of a drifting miner (empty otherwise).
    pub drift: Vec<u64>,
    /// Key of the model it serves, which its answers are drawn from: its uid, or for a sybil
    /// `SYBIL_MODEL | group`, one model for the whole group.
    pub model: u64,
    /// Noise it adds to its model's answers, percent of the targets' spread.
    pub answer_noise_percent: u32,
}

/// Sybil groups' model keys, above every uid.
const SYBIL_MODEL: u64 = 1 << 32;

impl Agent {
    /// True quality at tempo `epoch`.
    pub fn quality_at(&self, epoch: u64) -> u64 {
        if let Some(last) = self.drift.last() {
            let at = usize::try_from(epoch).unwrap_or(usize::MAX);
            return self.drift.get(at).copied().unwrap_or(*last);
        }
        match self.change {
            Some((at, q)) if epoch >= at => q,
            _ => self.quality,
        }
    }

    /// Whether it is registered at tempo `epoch`.
    pub fn joined(&self, epoch: u64) -> bool {
        epoch >= self.join_epoch
    }
}

/// Builds every uid of a scenario: validators with their stake, miners with their quality.
pub fn agents(s: &Scenario) -> Vec<Agent> {
    let total = u128::from(s.total_stake_tao) * u128::from(RAO_PER_TAO);
    let fixed: u128 = s
        .validators
        .iter()
        .filter_map(|g| g.stake_percent)
        .map(|p| total * u128::from(p) / 100)
        .sum();
    // Zipf-like weights 1/(rank+1), jittered by up to +50%, for validators without a fixed share.
    let mut zipf = Vec::new();
    let mut rank = 0u64;
    for g in &s.validators {
        for _ in 0..g.count {
            if g.stake_percent.is_none() {
                let jitter = in_range(keyed(s.seed, STREAM_STAKE, rank, 0, 0), 100, 150);
                zipf.push(u128::from((1u64 << 40) / (rank + 1) * jitter / 100));
                rank += 1;
            }
        }
    }
    let zipf_sum: u128 = zipf.iter().sum::<u128>().max(1);
    let mut zipf = zipf.into_iter();
    let mut out = Vec::new();
    for (group, g) in s.validators.iter().enumerate() {
        for _ in 0..g.count {
            let stake = match g.stake_percent {
                Some(p) => total * u128::from(p) / 100 / u128::from(g.count),
                None => (total - fixed) * zipf.next().unwrap_or(0) / zipf_sum,
            };
            out.push(Agent {
                uid: out.len() as u16,
                role: Role::Validator(g.strategy),
                group,
                stake: u64::try_from(stake).unwrap_or(u64::MAX),
                join_epoch: g.join_epoch,
                quality: 0,
                change: None,
                drift: Vec::new(),
                model: 0,
                answer_noise_percent: 0,
            });
        }
    }
    let draw = |range: [u32; 2], a: u64, b: u64| {
        let [lo, hi] = range.map(|p| u64::from(p) * QUALITY_ONE / 100);
        in_range(keyed(s.seed, STREAM_QUALITY, a, b, 0), lo, hi)
    };
    for (group, g) in s.miners.iter().enumerate() {
        let sybil = g.strategy == MinerStrategy::Sybil;
        for member in 0..g.count {
            let uid = out.len() as u16;
            // A sybil group serves one model: its draws are keyed by the group, so every
            // member (and the one hotkey of the companion run) has the same quality.
            let key = if sybil {
                (group as u64, u64::MAX)
            } else {
                (u64::from(uid), u64::from(member))
            };
            let quality = match g.strategy {
                MinerStrategy::Random => 0,
                _ => draw(g.quality, key.0, key.1),
            };
            let change = match (g.later_quality, g.change_epoch) {
                (Some(later), Some(at)) => Some((at, draw(later, key.0, key.1 ^ 1))),
                _ => None,
            };
            let drift = match g.drift_percent {
                Some(step) => random_walk(s, g.quality, step, quality, uid),
                None => Vec::new(),
            };
            out.push(Agent {
                uid,
                role: Role::Miner(g.strategy),
                group,
                stake: 0,
                join_epoch: 0,
                quality,
                change,
                drift,
                model: if sybil {
                    SYBIL_MODEL | group as u64
                } else {
                    u64::from(uid)
                },
                answer_noise_percent: g.answer_noise_percent,
            });
        }
    }
    out
}

/// A drifting miner's quality per tempo: from `start`, each tempo a seeded step of up to
/// `step` percent either way, reflected into the `range` (percent).
fn random_walk(s: &Scenario, range: [u32; 2], step: u32, start: u64, uid: u16) -> Vec<u64> {
    let [lo, hi] = range.map(|p| i128::from(p) * i128::from(QUALITY_ONE as u32) / 100);
    let step = u64::from(step) * QUALITY_ONE / 100;
    let mut q = i128::from(start);
    (0..s.epochs)
        .map(|e| {
            if e > 0 {
                let r = keyed(s.seed, STREAM_DRIFT, e, u64::from(uid), 0);
                q += i128::from(in_range(r, 0, 2 * step)) - i128::from(step);
                if q > hi {
                    q = 2 * hi - q;
                }
                if q < lo {
                    q = 2 * lo - q;
                }
                q = q.clamp(lo, hi);
            }
            q as u64
        })
        .collect()
}

/// Sums per uid over a run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Totals {
    /// Stake times tempos registered, rao-tempos.
    pub stake_epochs: Vec<u128>,
    /// Miner emission, rao.
    pub server_emission: Vec<u128>,
    /// Validator emission (dividends), rao.
    pub validator_emission: Vec<u128>,
    /// Incentive summed over the last quarter of the run (u16 fractions).
    pub incentive_tail: Vec<u64>,
    /// Emission (miner plus validator) per tempo per uid, rao.
    pub series: Vec<Vec<u64>>,
}

/// Epoch parameters for a scenario.
pub fn params(s: &Scenario) -> Params {
    Params {
        tempo: TEMPO,
        max_allowed_validators: u16::try_from(s.validator_count()).unwrap_or(u16::MAX),
        yuma3_enabled: s.variant.yuma3(),
        liquid_alpha_enabled: s.variant.liquid_alpha(),
        rao_emission: EMISSION_PER_BLOCK * TEMPO,
        ..Params::default()
    }
}

/// Stored weights: `(uid, u16)` for the non-zero values, max-upscaled so the largest is 65535.
fn upscale(values: &[(u16, u128)]) -> Vec<(u16, u16)> {
    let max = values.iter().map(|v| v.1).max().unwrap_or(0);
    if max == 0 {
        return Vec::new();
    }
    values
        .iter()
        .filter(|v| v.1 > 0)
        .map(|&(uid, v)| (uid, (v * u128::from(u16::MAX) / max) as u16))
        .filter(|e| e.1 > 0)
        .collect()
}

/// One in parts per million, for the multiplicative noise of Shapley scoring.
const PPM: i128 = 1_000_000;
/// The integer scale of a Shapley value (1.0 = this many units) in a weight row.
const SHAPLEY_ONE: f64 = (1u64 << 40) as f64;

/// Every miner's Shapley value per tempo (in the order of `miners`), on the [`SHAPLEY_ONE`]
/// scale, negative values as 0: one ensemble game per tempo, sampled from a seed keyed by
/// (seed, tempo), shared by every validator.
fn shapley_scores(s: &Scenario, miners: &[&Agent]) -> Vec<Vec<u128>> {
    (0..s.epochs)
        .map(|t| {
            let round = answers::round(s.seed, t, miners);
            let seed = keyed(s.seed, STREAM_SHAPLEY, t, 0, 0);
            ensemble::values(&round, seed)
                .into_iter()
                // The same everywhere: scaling by a power of two is exact, the cast truncates.
                .map(|v| (v.max(0.0) * SHAPLEY_ONE) as u128)
                .collect()
        })
        .collect()
}

/// Runs every tempo of a scenario through the real epoch.
pub fn simulate(s: &Scenario, agents: &[Agent]) -> Result<Totals, Error> {
    let n = agents.len();
    let params = params(s);
    let d = s.reveal_delay;
    let noise = i128::from(s.noise_percent) * i128::from(QUALITY_ONE as u32) / 100;
    let validators: Vec<&Agent> = agents
        .iter()
        .filter(|a| matches!(a.role, Role::Validator(_)))
        .collect();
    let miners: Vec<&Agent> = agents
        .iter()
        .filter(|a| matches!(a.role, Role::Miner(_)))
        .collect();
    let tail_start = s.epochs - (s.epochs / 4).max(1);
    let mut totals = Totals {
        stake_epochs: vec![0; n],
        server_emission: vec![0; n],
        validator_emission: vec![0; n],
        incentive_tail: vec![0; n],
        series: Vec::new(),
    };
    // Rows in force per tempo (validators only), kept for copiers.
    let mut history: Vec<Vec<Vec<(u16, u16)>>> = Vec::new();
    let mut permits: Vec<bool> = agents.iter().map(|a| a.joined(0) && a.stake > 0).collect();
    let mut bonds = vec![Vec::new(); n];
    let anti = AntiCopy {
        penalty: if s.variant.anti_copy() {
            ANTI_COPY_PENALTY
        } else {
            0
        },
        reveal_delay: d,
    };
    let mut memory = Memory::default();
    let contributions = match s.scoring {
        Scoring::Independent => Vec::new(),
        Scoring::Shapley => shapley_scores(s, &miners),
    };
    let noise_ppm = i128::from(s.noise_percent) * 10_000;
    for e in 0..s.epochs {
        let stake: Vec<u64> = agents
            .iter()
            .map(|a| if a.joined(e) { a.stake } else { 0 })
            .collect();
        let mut rows = vec![Vec::new(); validators.len()];
        // Honest and cabal rows: committed at tempo e - d (before the run: at tempo 0).
        let commit = e.saturating_sub(d);
        for (i, v) in validators.iter().enumerate() {
            let Role::Validator(strategy) = v.role else {
                continue;
            };
            if strategy == ValidatorStrategy::Copier || e < v.join_epoch + d {
                continue;
            }
            let scored: Vec<(u16, u128)> = miners
                .iter()
                .enumerate()
                .map(|(k, m)| {
                    let counts = strategy == ValidatorStrategy::Honest
                        || m.role == Role::Miner(MinerStrategy::Cabal);
                    if !counts {
                        return (m.uid, 0);
                    }
                    let r = keyed(
                        s.seed,
                        STREAM_NOISE,
                        commit,
                        u64::from(v.uid),
                        u64::from(m.uid),
                    );
                    let jitter = |noise: i128| {
                        if noise == 0 {
                            0
                        } else {
                            i128::from(r % (2 * noise as u64 + 1)) - noise
                        }
                    };
                    match s.scoring {
                        Scoring::Independent => {
                            let q = i128::from(m.quality_at(commit)) + jitter(noise);
                            (m.uid, q.max(0) as u128)
                        }
                        Scoring::Shapley => {
                            let value = contributions[commit as usize][k];
                            let factor = (PPM + jitter(noise_ppm)) as u128;
                            (m.uid, value * factor / PPM as u128)
                        }
                    }
                })
                .collect();
            rows[i] = upscale(&scored);
        }
        // Copier rows: the stake-weighted mean of the other rows in force at e - d.
        for (i, v) in validators.iter().enumerate() {
            if v.role != Role::Validator(ValidatorStrategy::Copier) || !v.joined(e) {
                continue;
            }
            // Before the run the weights were those of tempo 0 (as for honest commits).
            let src = e.saturating_sub(d);
            let seen = if src == e {
                &rows
            } else {
                &history[src as usize]
            };
            let mut acc = vec![0u128; n];
            for (j, row) in seen.iter().enumerate() {
                if validators[j].role == Role::Validator(ValidatorStrategy::Copier) {
                    continue;
                }
                let sum: u128 = row.iter().map(|x| u128::from(x.1)).sum();
                for &(uid, w) in row.iter().filter(|_| sum > 0) {
                    acc[usize::from(uid)] += u128::from(stake[validators[j].uid as usize] >> 20)
                        * (u128::from(w) << 32)
                        / sum;
                }
            }
            let scored: Vec<(u16, u128)> = miners
                .iter()
                .map(|m| (m.uid, acc[usize::from(m.uid)]))
                .collect();
            rows[i] = upscale(&scored);
        }
        let current_block = (e + 1) * TEMPO;
        let mut weights = vec![Vec::new(); n];
        let mut last_update = vec![0; n];
        for (v, row) in validators.iter().zip(&rows) {
            if v.joined(e) {
                last_update[usize::from(v.uid)] = current_block - 1;
            }
            weights[usize::from(v.uid)].clone_from(row);
        }
        let input = Input {
            current_block,
            last_mechanism_step_block: e * TEMPO,
            stake: stake.clone(),
            last_update,
            block_at_registration: agents.iter().map(|a| a.join_epoch * TEMPO).collect(),
            weights,
            validator_permit: permits,
            bonds,
        };
        let (out, next) = yuma_epoch::anticopy::run(&params, &anti, &input, &memory)
            .map_err(|source| Error::Epoch { epoch: e, source })?;
        memory = next;
        #[allow(clippy::needless_range_loop)] // five vectors indexed by uid
        for uid in 0..n {
            totals.stake_epochs[uid] += u128::from(stake[uid]);
            totals.server_emission[uid] += u128::from(out.server_emission[uid]);
            totals.validator_emission[uid] += u128::from(out.validator_emission[uid]);
            if e >= tail_start {
                totals.incentive_tail[uid] += u64::from(out.incentive[uid]);
            }
        }
        totals.series.push(
            (0..n)
                .map(|uid| out.server_emission[uid].saturating_add(out.validator_emission[uid]))
                .collect(),
        );
        history.push(rows);
        permits = out.validator_permit;
        bonds = out.bonds;
    }
    Ok(totals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upscale_puts_the_largest_at_65535_and_drops_zeros() {
        assert_eq!(
            upscale(&[(3, 10), (4, 0), (5, 5)]),
            vec![(3, 65535), (5, 32767)]
        );
        assert!(upscale(&[(1, 0)]).is_empty());
    }

    #[test]
    fn stake_follows_fixed_shares_and_a_falling_zipf_split() {
        let s = crate::scenario::builtin()
            .expect("built-in scenarios are valid")
            .into_iter()
            .find(|s| s.name == "cabal-30")
            .expect("cabal-30 is built in");
        let a = agents(&s);
        let total: u64 = a.iter().map(|a| a.stake).sum();
        let cabal: u64 = a
            .iter()
            .filter(|a| a.role == Role::Validator(ValidatorStrategy::Cabal))
            .map(|a| a.stake)
            .sum();
        assert!(cabal * 1000 / total == 300 || cabal * 1000 / total == 299);
        assert!(a[0].stake > a[5].stake);
        assert_eq!(agents(&s), a);
    }
}
