//! The emission split between miners (incentive) and validators (dividends).

use substrate_fixed::types::I32F32;

use super::vector::{ZERO, normalize};
use crate::fixed::safe_div;

/// Server, validator and combined emission proportions, with the stake fallback when
/// incentive and dividends are all zero.
#[inline(never)]
pub(super) fn emission_split(
    incentive: &[I32F32],
    dividends: &[I32F32],
    active_stake: &[I32F32],
    stake: &[I32F32],
) -> (Vec<I32F32>, Vec<I32F32>, Vec<I32F32>) {
    let mut combined: Vec<I32F32> = incentive
        .iter()
        .zip(dividends)
        .map(|(i, d)| i.saturating_add(*d))
        .collect();
    let total = combined.iter().fold(ZERO, |acc, v| acc.saturating_add(*v));
    let by_total = |v: &[I32F32]| -> Vec<I32F32> {
        if total == ZERO {
            v.to_vec()
        } else {
            v.iter().map(|x| safe_div(*x, total)).collect()
        }
    };
    let server = by_total(incentive);
    let mut validator = by_total(dividends);
    normalize(&mut combined);
    if total == ZERO {
        let active_total = active_stake
            .iter()
            .fold(ZERO, |acc, v| acc.saturating_add(*v));
        let fallback = if active_total == ZERO {
            stake
        } else {
            active_stake
        };
        validator = fallback.to_vec();
        combined = fallback.to_vec();
    }
    (server, validator, combined)
}
