//! Stake: the threshold, normalisation, validator permits and active stake.

use substrate_fixed::types::I32F32;

use super::vector::{ZERO, normalize};
use crate::types::{Input, Params};

/// Stake with the threshold applied (owner exempt), normalised.
///
/// Subtensor normalises in I64F64 and converts to I32F32; for integer stake `s` of total `S`
/// that is `floor(floor(s * 2^64 / S) / 2^32) = floor(s * 2^32 / S)`.
pub(super) fn normalized_stake(
    params: &Params,
    input: &Input,
    owner: Option<usize>,
) -> Vec<I32F32> {
    let filtered = |uid: usize, s: u64| {
        if owner != Some(uid) && s < params.stake_threshold {
            0
        } else {
            s
        }
    };
    let total: u128 = input
        .stake
        .iter()
        .enumerate()
        .map(|(uid, &s)| u128::from(filtered(uid, s)))
        .sum();
    input
        .stake
        .iter()
        .enumerate()
        .map(|(uid, &s)| match filtered(uid, s) {
            0 => ZERO,
            s => I32F32::from_bits(((u128::from(s) << 32) / total) as i64),
        })
        .collect()
}

/// Subtensor's `is_topk_nonzero`: after a stable ascending sort the first `n - k` uids lose,
/// so zeros go first and, among equal stakes, lower uids.
pub(super) fn top_k_nonzero(stake: &[I32F32], k: usize) -> Vec<bool> {
    let n = stake.len();
    let mut result: Vec<bool> = stake.iter().map(|s| *s != ZERO).collect();
    if n < k {
        return result;
    }
    let mut nonzero: Vec<(I32F32, usize)> = stake
        .iter()
        .enumerate()
        .filter(|(_, s)| **s != ZERO)
        .map(|(i, s)| (*s, i))
        .collect();
    let zeros = n - nonzero.len();
    let excluded = (n - k).saturating_sub(zeros);
    if excluded > 0 {
        nonzero.select_nth_unstable(excluded - 1);
        for &(_, i) in &nonzero[..excluded] {
            result[i] = false;
        }
    }
    result
}

/// Stake of active uids with an (old) permit, normalised.
pub(super) fn active_stake(stake: &[I32F32], active: &[bool], permits: &[bool]) -> Vec<I32F32> {
    let mut out: Vec<I32F32> = stake
        .iter()
        .zip(active.iter().zip(permits))
        .map(|(s, (a, p))| if *a && *p { *s } else { ZERO })
        .collect();
    normalize(&mut out);
    out
}
