//! Anti weight-copying: an optional stage after the epoch that moves dividends from validators
//! whose weights only repeat the consensus they could already see to validators whose weights
//! anticipated where the consensus went.
//!
//! # Why
//!
//! A weight copier sets the consensus it can read (with commit-reveal, the one revealed a few
//! tempos ago). Its row is smoother than an honest validator's noisy view, so Yuma's clipping
//! and bonds barely tell them apart: the copier only lags, and only loses when the consensus
//! moves. Scoring agreement with the *current* consensus cannot fix that (noise hurts the
//! honest validator as much as lag hurts the copier), and a validator scored on the consensus
//! its own weights helped form favours large stakes. This stage scores the one thing a copier
//! cannot produce: information the consensus did not yet have.
//!
//! # What
//!
//! At epoch `e` with commit-reveal delay `d` (weights take effect `d` tempos after they are
//! committed), take each validator's weight row `w` in force at the previous epoch `e - 1`, the
//! consensus `b` that was public when that row was committed (the consensus of epoch
//! `e - 1 - d`), and this epoch's consensus `c`, all normalised to sum 1:
//!
//! ```text
//! lead_i = <w_i - b, c - b> / <c - b, c - b>        clamped to 0..=1
//! ```
//!
//! the fraction of the consensus' move from `b` to `c` that `w_i` already pointed to. The row
//! `w_i` is scored against consensus formed *after* it (at `e`) and before it (at `e - 1 - d`),
//! neither of which contains that row, so a validator's own stake does not raise its score: an
//! honest validator's independent noise scores 1/2 on average whatever its stake, a row
//! anticipating a real quality change scores up to 1, and a copy of `b`, the freshest
//! consensus a copier could read, scores 0. Adding noise to a copy does not help: noise is
//! uncorrelated with the move. Without commit-reveal (`d = 0`) a copier reads the weights in
//! force as they are set and no score can tell it apart; the stage then uses `d = 1`. Validators without a previous row (new, or re-registered since) get the
//! dividend-weighted mean score of the others.
//!
//! One epoch's lead is noisy (an honest validator's swings between 0 and 1) and, for a
//! validator whose weights move the consensus in its own favour (a cabal), correlated with its
//! dividends in that same epoch. So it is not used directly: each validator has a *standing*,
//! the moving average of its leads (each new lead weighs 1/10, see [`LEAD_WEIGHT_PPM`]),
//! starting from 1/2. Each validator's dividend is then multiplied by
//! `1 - penalty * (1 - standing_i)` and all validator emission is re-split in proportion to
//! the results, so the total paid to validators, and everything miners get (incentive,
//! consensus, bonds), is unchanged. A consensus that did not move (`c = b`) leaves standings
//! as they are; `penalty = 0`, the default, leaves the output bit-exact with subtensor.
//!
//! # State
//!
//! The stage needs what earlier epochs saw: [`Memory`] (the previous weight rows, the last
//! `max(d, 1) + 1` consensus vectors and the standings). [`run`] takes it and returns the next one; a caller that
//! stores it between epochs (the runtime, the simulator) passes [`Memory::default`] the first
//! time, and the stage starts scoring once the memory is deep enough.

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::types::{Input, Output, Params};

/// Parts per million in one.
const PPM: i128 = 1_000_000;
/// Fixed-point scale of the normalised vectors (sum 2^32).
const SHIFT: u32 = 32;
/// Weight of one epoch's lead in a validator's standing, ppm (a ten-epoch moving average).
pub const LEAD_WEIGHT_PPM: i128 = 100_000;

/// The anti weight-copying hyperparameter of a subnet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AntiCopy {
    /// Share of its dividends a validator forfeits when its previous weights anticipated none
    /// of the consensus' move, proportion of `u16::MAX` (a validator that anticipated all of it
    /// forfeits nothing; in between, linearly). 0 = off, subtensor's behaviour.
    pub penalty: u16,
    /// The subnet's commit-reveal delay, tempos (subtensor's reveal period; 0 = weights are
    /// public when set).
    pub reveal_delay: u64,
}

impl AntiCopy {
    /// How many past consensus vectors the stage needs: `max(d, 1) + 1`.
    pub fn depth(&self) -> usize {
        usize::try_from(self.reveal_delay.max(1))
            .unwrap_or(usize::MAX)
            .saturating_add(1)
            .min(MAX_DEPTH)
    }
}

/// Most past consensus vectors the memory keeps (reveal delays above 63 tempos are treated as
/// 63).
pub const MAX_DEPTH: usize = 64;

/// What the stage carries from one epoch to the next.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Memory {
    /// Block of the epoch this memory was taken at (0 = never).
    pub block: u64,
    /// Weight rows in force at that epoch, as in [`Input::weights`].
    pub weights: Vec<Vec<(u16, u16)>>,
    /// Consensus of that epoch and the ones before it, newest first, as in
    /// [`Output::consensus`].
    pub consensus: Vec<Vec<u16>>,
    /// Each uid's standing, ppm: the moving average of its leads (`None` = never scored).
    pub standing: Vec<Option<u32>>,
}

impl Memory {
    /// The memory to carry after an epoch with this input, consensus and standing, given the
    /// previous memory.
    pub fn next(
        anti: &AntiCopy,
        previous: &Self,
        input: &Input,
        consensus_now: &[u16],
        standing: Vec<Option<u32>>,
    ) -> Self {
        let mut consensus = Vec::with_capacity(anti.depth());
        consensus.push(consensus_now.to_vec());
        consensus.extend(previous.consensus.iter().take(anti.depth() - 1).cloned());
        Self {
            block: input.current_block,
            weights: input.weights.clone(),
            consensus,
            standing,
        }
    }
}

/// Runs the epoch ([`crate::run`]) and then the anti-copy stage; returns the output and the
/// memory for the next epoch.
///
/// With `anti.penalty == 0` the output is exactly [`crate::run`]'s and the memory is empty.
///
/// # Errors
/// [`Error`] when the epoch input is malformed (the memory is never refused: entries that do not
/// fit the current uids are ignored).
pub fn run(
    params: &Params,
    anti: &AntiCopy,
    input: &Input,
    memory: &Memory,
) -> Result<(Output, Memory), Error> {
    let mut output = crate::run(params, input)?;
    if anti.penalty == 0 {
        return Ok((output, Memory::default()));
    }
    let next = apply(anti, input, memory, &mut output);
    Ok((output, next))
}

/// The stage on an epoch's output: updates each validator's standing and re-splits validator
/// emission (and `dividends`, `emission`) by it. Returns the memory for the next epoch. Does
/// nothing to the output when `anti.penalty` is 0 or no validator has a standing yet.
pub fn apply(anti: &AntiCopy, input: &Input, memory: &Memory, output: &mut Output) -> Memory {
    let standing = standing(anti, input, memory, &output.consensus);
    if anti.penalty != 0 && standing.iter().any(Option::is_some) {
        let penalty = i128::from(anti.penalty);
        let factor: Vec<u128> = (0..output.validator_emission.len())
            .map(|i| {
                let s = standing
                    .get(i)
                    .copied()
                    .flatten()
                    .map_or(PPM / 2, |s| i128::from(s).min(PPM));
                (PPM - penalty * (PPM - s) / i128::from(u16::MAX)) as u128
            })
            .collect();
        let emission = resplit(&output.validator_emission, &factor);
        let dividends: Vec<u64> = output.dividends.iter().map(|&d| u64::from(d)).collect();
        let dividends = resplit(&dividends, &factor);
        for (i, new) in emission.iter().enumerate() {
            let old = output.validator_emission[i];
            if let Some(total) = output.emission.get_mut(i) {
                *total = (*total - old.min(*total)).saturating_add(*new);
            }
            output.validator_emission[i] = *new;
        }
        for (d, new) in output.dividends.iter_mut().zip(dividends) {
            *d = u16::try_from(new).unwrap_or(u16::MAX);
        }
    }
    Memory::next(anti, memory, input, &output.consensus, standing)
}

/// Each uid's standing after this epoch, ppm: the moving average of its leads (each new lead
/// weighs [`LEAD_WEIGHT_PPM`]), starting from 1/2, what an independent view scores; `None`
/// for uids never scored. A uid registered after the memory was taken starts afresh.
pub fn standing(
    anti: &AntiCopy,
    input: &Input,
    memory: &Memory,
    consensus: &[u16],
) -> Vec<Option<u32>> {
    let n = input.n();
    let old = (0..n).map(|i| {
        let registered = input.block_at_registration.get(i).copied().unwrap_or(0);
        if registered > memory.block {
            None
        } else {
            // A standing above one can only come from a corrupt memory.
            memory
                .standing
                .get(i)
                .copied()
                .flatten()
                .map(|s| s.min(PPM as u32))
        }
    });
    let Some(leads) = leads(anti, input, memory, consensus) else {
        return old.collect();
    };
    old.zip(leads)
        .map(|(old, lead)| match (old, lead) {
            (old, Some(l)) => {
                let o = old.map_or(PPM / 2, i128::from);
                Some((o + (i128::from(l) - o) * LEAD_WEIGHT_PPM / PPM) as u32)
            }
            (old, None) => old,
        })
        .collect()
}

/// `values` re-split in proportion to `value * factor`, keeping their sum (rounded down).
fn resplit(values: &[u64], factor: &[u128]) -> Vec<u64> {
    let total: u128 = values.iter().map(|&v| u128::from(v)).sum();
    let scaled: Vec<u128> = values
        .iter()
        .zip(factor)
        .map(|(&v, &f)| u128::from(v) * f)
        .collect();
    let sum: u128 = scaled.iter().sum();
    if sum == 0 {
        return values.to_vec();
    }
    // Each share as a 40-bit fraction: value * factor < 2^84, so shifted it stays below 2^124,
    // and total (< 2^80) times a share below 2^120.
    scaled
        .iter()
        .map(|&s| {
            let share = (s << 40) / sum;
            u64::try_from((total * share) >> 40).unwrap_or(u64::MAX)
        })
        .collect()
}

/// A u16 vector normalised to sum 2^32 (`None` when it sums to 0); missing entries are 0.
fn normalised(v: &[u16], n: usize) -> Option<Vec<i128>> {
    let sum: i128 = v.iter().take(n).map(|&x| i128::from(x)).sum();
    if sum == 0 {
        return None;
    }
    Some(
        (0..n)
            .map(|j| (i128::from(v.get(j).copied().unwrap_or(0)) << SHIFT) / sum)
            .collect(),
    )
}

/// Each uid's lead in ppm (`0..=1_000_000`), `None` for uids that cannot be scored (no
/// previous row, or registered after the memory was taken). `None` overall when the consensus
/// did not move or the memory is not yet deep enough.
pub fn leads(
    anti: &AntiCopy,
    input: &Input,
    memory: &Memory,
    consensus: &[u16],
) -> Option<Vec<Option<u32>>> {
    let n = input.n();
    let c = normalised(consensus, n)?;
    let b = normalised(memory.consensus.get(anti.depth() - 1)?, n)?;
    let delta: Vec<i128> = c.iter().zip(&b).map(|(c, b)| c - b).collect();
    let moved: i128 = delta.iter().map(|d| d * d).sum();
    if moved == 0 {
        return None;
    }
    let base: i128 = b.iter().zip(&delta).map(|(b, d)| b * d).sum();
    let leads = (0..n)
        .map(|i| {
            let registered = input.block_at_registration.get(i).copied().unwrap_or(0);
            if memory.block == 0 || registered > memory.block {
                return None;
            }
            let row = memory.weights.get(i)?;
            let kept = || {
                row.iter()
                    .filter(|(j, _)| usize::from(*j) != i && usize::from(*j) < n)
            };
            let sum: i128 = kept().map(|&(_, w)| i128::from(w)).sum();
            if sum == 0 {
                return None;
            }
            let along: i128 = kept()
                .map(|&(j, w)| ((i128::from(w) << SHIFT) / sum) * delta[usize::from(j)])
                .sum();
            let lead = ((along - base) * PPM / moved).clamp(0, PPM);
            Some(lead as u32)
        })
        .collect();
    Some(leads)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two validators (uids 0, 1) and three miners (2, 3, 4).
    fn input(weights: [Vec<(u16, u16)>; 2]) -> Input {
        let [a, b] = weights;
        Input {
            current_block: 1000,
            last_mechanism_step_block: 640,
            stake: vec![600, 400, 0, 0, 0],
            last_update: vec![999, 999, 0, 0, 0],
            block_at_registration: vec![0; 5],
            weights: vec![a, b, vec![], vec![], vec![]],
            validator_permit: vec![true, true, false, false, false],
            bonds: vec![vec![]; 5],
        }
    }

    const ON: AntiCopy = AntiCopy {
        penalty: 65535,
        reveal_delay: 1,
    };

    /// Memory for reveal delay 1: the consensus `before` is two epochs old.
    fn memory(weights: [Vec<(u16, u16)>; 2], before: Vec<u16>) -> Memory {
        let [a, b] = weights;
        Memory {
            block: 640,
            weights: vec![a, b, vec![], vec![], vec![]],
            consensus: vec![vec![0; 5], before],
            standing: Vec::new(),
        }
    }

    #[test]
    fn a_copy_of_the_old_consensus_scores_zero_and_the_move_scores_one() {
        let before = vec![0, 0, 30000, 20000, 10000];
        let now = vec![0, 0, 10000, 20000, 30000];
        let copy: Vec<(u16, u16)> = vec![(2, 30000), (3, 20000), (4, 10000)];
        let ahead: Vec<(u16, u16)> = vec![(2, 10000), (3, 20000), (4, 30000)];
        let m = memory([ahead.clone(), copy.clone()], before);
        let l = leads(&ON, &input([ahead, copy]), &m, &now).expect("consensus moved");
        assert_eq!(l[0], Some(1_000_000));
        assert_eq!(l[1], Some(0));
        // Halfway: half the move.
        let half: Vec<(u16, u16)> = vec![(2, 20000), (3, 20000), (4, 20000)];
        let m = memory([half.clone(), vec![]], m.consensus[1].clone());
        let l = leads(&ON, &input([half, vec![]]), &m, &now).expect("consensus moved");
        assert_eq!(l[0], Some(500_000));
        assert_eq!(l[1], None);
    }

    #[test]
    fn nothing_changes_when_off_or_when_the_consensus_did_not_move() {
        let row: Vec<(u16, u16)> = vec![(2, 65535), (3, 100)];
        let i = input([row.clone(), row.clone()]);
        let cons = vec![0, 0, 60000, 5000, 0];
        let m = memory([row, vec![(4, 1)]], cons.clone());
        let out = Output {
            consensus: cons,
            validator_emission: vec![700, 300, 0, 0, 0],
            dividends: vec![45875, 19660, 0, 0, 0],
            emission: vec![700, 300, 500, 0, 0],
            ..Output::default()
        };
        let mut same = out.clone();
        let next = apply(&ON, &i, &m, &mut same);
        assert!(next.standing.iter().all(Option::is_none));
        assert_eq!(same, out, "consensus did not move");
        let moved = Output {
            consensus: vec![0, 0, 5000, 60000, 0],
            ..out
        };
        let mut off = moved.clone();
        apply(&AntiCopy::default(), &i, &m, &mut off);
        assert_eq!(off, moved, "penalty 0 is off");
    }

    #[test]
    fn dividends_move_to_the_validator_that_led_and_the_total_is_kept() {
        let before = vec![0, 0, 30000, 20000, 10000];
        let now = vec![0, 0, 10000, 20000, 30000];
        let copy: Vec<(u16, u16)> = vec![(2, 30000), (3, 20000), (4, 10000)];
        let ahead: Vec<(u16, u16)> = vec![(2, 10000), (3, 20000), (4, 30000)];
        let i = input([ahead.clone(), copy.clone()]);
        let fresh = memory([ahead, copy], before);
        // Standings already at the extremes, and this epoch's leads agree (1 and 0).
        let m = Memory {
            standing: vec![Some(1_000_000), Some(0)],
            ..fresh.clone()
        };
        let out = Output {
            consensus: now,
            validator_emission: vec![600, 400, 0, 0, 0],
            dividends: vec![39321, 26214, 0, 0, 0],
            emission: vec![600, 400, 1000, 0, 0],
            ..Output::default()
        };
        let mut half = out.clone();
        apply(
            &AntiCopy {
                penalty: 32768,
                ..ON
            },
            &i,
            &m,
            &mut half,
        );
        // Factors 1 and about 1/2: 600 : 200 re-split over 1000.
        assert_eq!(half.validator_emission[..2], [750, 249]);
        assert_eq!(half.emission[..3], [750, 249, 1000]);
        assert_eq!(half.dividends[..2], [49151, 16383]);
        let mut full = out.clone();
        apply(&ON, &i, &m, &mut full);
        assert_eq!(full.validator_emission[..2], [1000, 0]);
        // With a reveal delay of 2 the baseline is one epoch older: not in memory yet, and
        // without standings nothing changes.
        let mut early = out.clone();
        let two = AntiCopy {
            reveal_delay: 2,
            ..ON
        };
        let next = apply(&two, &i, &fresh, &mut early);
        assert_eq!(early, out);
        assert_eq!(next.standing, vec![None; 5]);
        // From a fresh start one epoch moves the standings a tenth of the way from 1/2.
        let next = apply(&ON, &i, &fresh, &mut early);
        assert_eq!(next.standing[..3], [Some(550_000), Some(450_000), None]);
        assert!(early.validator_emission[0] > 600);
    }

    #[test]
    fn a_validator_registered_since_starts_afresh() {
        let row: Vec<(u16, u16)> = vec![(2, 10000), (3, 20000), (4, 30000)];
        let mut i = input([row.clone(), row.clone()]);
        i.block_at_registration[1] = 700;
        let m = Memory {
            standing: vec![Some(900_000), Some(900_000)],
            ..memory([row.clone(), row], vec![0, 0, 30000, 20000, 10000])
        };
        let s = standing(&ON, &i, &m, &[0, 0, 10000, 20000, 30000]);
        assert_eq!(s[..2], [Some(910_000), None]);
        // A corrupt standing is read as at most one.
        let corrupt = Memory {
            standing: vec![Some(u32::MAX), Some(u32::MAX)],
            ..m
        };
        let s = standing(&ON, &i, &corrupt, &[0, 0, 10000, 20000, 30000]);
        assert_eq!(s[0], Some(1_000_000));
    }

    #[test]
    fn memory_keeps_the_consensus_the_delay_needs() {
        let i = input([vec![], vec![]]);
        let mut m = Memory::default();
        for (k, anti) in [
            (2, ON),
            (
                4,
                AntiCopy {
                    reveal_delay: 3,
                    ..ON
                },
            ),
        ] {
            for e in 0..6u16 {
                let out = Output {
                    consensus: vec![e; 5],
                    ..Output::default()
                };
                m = Memory::next(&anti, &m, &i, &out.consensus, Vec::new());
            }
            assert_eq!(m.consensus.len(), k);
            assert_eq!(m.consensus[0], vec![5; 5]);
            assert_eq!(m.consensus[k - 1], vec![6 - k as u16; 5]);
        }
        assert_eq!(AntiCopy::default().depth(), 2);
    }

    #[test]
    fn off_is_the_epoch_bit_for_bit() {
        use crate::workload::{Variant, Workload};
        for variant in Variant::ALL {
            let (params, input) = Workload {
                validators: 16,
                miners: 48,
                variant,
                seed: 5,
            }
            .build();
            let plain = crate::run(&params, &input).expect("valid workload");
            let memory = Memory {
                block: 1,
                weights: input.weights.clone(),
                consensus: vec![vec![1; input.n()]; 3],
                standing: (0..input.n())
                    .map(|i| Some(if i % 2 == 0 { 0 } else { 1_000_000 }))
                    .collect(),
            };
            let off = AntiCopy {
                penalty: 0,
                reveal_delay: 1,
            };
            let (out, next) = run(&params, &off, &input, &memory).expect("valid workload");
            assert_eq!(out, plain);
            assert_eq!(next, Memory::default());
            let (on, _) = run(&params, &ON, &input, &memory).expect("valid workload");
            assert_ne!(on.validator_emission, plain.validator_emission);
            assert_eq!(on.server_emission, plain.server_emission);
            assert_eq!(on.bonds, plain.bonds);
        }
    }

    proptest::proptest! {
        #[test]
        fn resplit_keeps_the_total_and_the_order(
            cells in proptest::collection::vec((0u64..1 << 50, 0u128..=1_000_000), 1..40)
        ) {
            let values: Vec<u64> = cells.iter().map(|c| c.0).collect();
            let factor: Vec<u128> = cells.iter().map(|c| c.1).collect();
            let out = resplit(&values, &factor);
            let total: u128 = values.iter().map(|&v| u128::from(v)).sum();
            let got: u128 = out.iter().map(|&v| u128::from(v)).sum();
            let slack = values.len() as u128 * ((total >> 40) + 1);
            proptest::prop_assert!(got <= total && total - got <= slack, "{got} {total}");
            for i in 0..cells.len() {
                for j in 0..cells.len() {
                    if values[i] >= values[j] && factor[i] >= factor[j] {
                        proptest::prop_assert!(out[i] >= out[j]);
                    }
                }
            }
        }
    }

    #[test]
    fn resplit_keeps_the_sum_for_large_values() {
        let v = [u64::MAX / 3, u64::MAX / 3, 7];
        let out = resplit(&v, &[1_000_000, 500_000, 1_000_000]);
        let total: u128 = v.iter().map(|&x| u128::from(x)).sum();
        let got: u128 = out.iter().map(|&x| u128::from(x)).sum();
        assert!(got <= total && total - got < 1 << 42, "{got} {total}");
        assert!(out[0] > out[1]);
    }
}
