//! The plain reference epoch: subtensor's sparse `epoch_mechanism` step by step.
//!
//! Each step below is one step of `epoch_mechanism` in subtensor's
//! `pallets/subtensor/src/epoch/run_epoch.rs`, in the same order, on the same sparse row
//! representation, with the operations of its `math` module. Several operations densify rows to n
//! columns as subtensor does, so this costs O(n^2); [`crate::run`] is the fast path.

pub(crate) mod math;

use substrate_fixed::types::{I32F32, I64F64};

use self::math::Sparse;
use crate::error::{Error, validate};
use crate::fixed::{Derived, fixed_proportion_to_u16, safe_div, to_rao, u16_max};
use crate::types::{Input, Output, Params};

const ZERO: I32F32 = I32F32::from_bits(0);

/// Runs one epoch the plain way; same results as [`crate::run`].
///
/// # Errors
/// [`Error`] when the input is malformed (lengths, uids, ordering, owner, total stake).
pub fn run(params: &Params, input: &Input) -> Result<Output, Error> {
    let n = validate(params, input)?;
    let d = Derived::new(params);
    let owner = params.owner_uid;

    // Active and updated.
    let inactive: Vec<bool> = input
        .last_update
        .iter()
        .map(|u| u.saturating_add(params.activity_cutoff) < input.current_block)
        .collect();
    let active: Vec<bool> = inactive.iter().map(|b| !b).collect();

    // Stake: threshold (owner exempt), normalise in I64F64, then I32F32.
    let mut filtered: Vec<I64F64> = input
        .stake
        .iter()
        .enumerate()
        .map(|(uid, &s)| {
            if owner != Some(uid as u16) && s < params.stake_threshold {
                I64F64::from_bits(0)
            } else {
                I64F64::saturating_from_num(s)
            }
        })
        .collect();
    math::inplace_normalize_64(&mut filtered);
    let stake: Vec<I32F32> = filtered
        .iter()
        .map(|s| I32F32::saturating_from_num(*s))
        .collect();

    // Validator permits (the owner's old and new permits are forced on).
    let mut permits = input.validator_permit.clone();
    let mut new_permits = math::is_topk_nonzero(&stake, usize::from(params.max_allowed_validators));
    if let Some(o) = owner {
        permits[usize::from(o)] = true;
        new_permits[usize::from(o)] = true;
    }
    let forbids: Vec<bool> = permits.iter().map(|p| !p).collect();

    // Active stake.
    let mut active_stake = stake.clone();
    math::inplace_mask_vector(&inactive, &mut active_stake);
    math::inplace_mask_vector(&forbids, &mut active_stake);
    math::inplace_normalize(&mut active_stake);

    // Weights: permit rows, diagonal (owner kept), outdated, row-normalised.
    let weights: Sparse = input
        .weights
        .iter()
        .map(|row| {
            row.iter()
                .map(|(j, w)| (*j, I32F32::from_num(*w)))
                .collect()
        })
        .collect();
    let weights = math::mask_rows_sparse(&forbids, &weights);
    let weights = math::mask_diag_sparse(&weights, owner);
    let mut weights = math::vec_mask_sparse_matrix(
        &weights,
        &input.last_update,
        &input.block_at_registration,
        |updated, registered| updated <= registered,
    );
    math::inplace_row_normalize_sparse(&mut weights);

    // Consensus, clipping, validator trust, ranks and incentive.
    let consensus = math::weighted_median_col_sparse(&active_stake, &weights, n, d.kappa);
    let clipped = math::col_clip_sparse(&weights, &consensus);
    let validator_trust = math::row_sum_sparse(&clipped);
    let mut incentive = math::matmul_sparse(&clipped, &active_stake, n);
    math::inplace_normalize(&mut incentive);

    // Bonds and dividends.
    let weights_for_bonds = math::interpolate_sparse(&weights, &clipped, n, d.bonds_penalty);
    let last_tempo = if input.last_mechanism_step_block == 0 {
        input.current_block.saturating_sub(params.tempo)
    } else {
        input.last_mechanism_step_block.saturating_add(1)
    };
    let (dividends, ema_bonds) = if params.yuma3_enabled {
        let bonds: Sparse = input
            .bonds
            .iter()
            .map(|row| {
                row.iter()
                    .map(|(j, b)| (*j, safe_div(I32F32::from_num(*b), u16_max())))
                    .collect()
            })
            .collect();
        let bonds = math::scalar_vec_mask_sparse_matrix(
            &bonds,
            last_tempo,
            &input.block_at_registration,
            |last, registered| last <= registered,
        );
        let ema_bonds = if params.liquid_alpha_enabled && consensus.iter().any(|c| *c != ZERO) {
            let alphas = math::liquid_alpha_values(
                &weights_for_bonds,
                &bonds,
                &consensus,
                d.alpha_low,
                d.alpha_high,
                d.steepness,
            );
            math::mat_ema_alpha_sparse(&weights_for_bonds, &bonds, &alphas)
        } else {
            math::mat_ema_sparse(&weights_for_bonds, &bonds, d.ema_alpha_yuma3)
        };
        let mut ema_norm = ema_bonds.clone();
        math::inplace_col_normalize_sparse(&mut ema_norm, n);
        let per_validator = math::row_sum_sparse(&math::mat_vec_mul_sparse(&ema_norm, &incentive));
        let mut dividends = math::vec_mul(&per_validator, &active_stake);
        math::inplace_normalize(&mut dividends);
        (dividends, ema_bonds)
    } else {
        let bonds: Sparse = input
            .bonds
            .iter()
            .map(|row| {
                row.iter()
                    .map(|(j, b)| (*j, I32F32::from_num(*b)))
                    .collect()
            })
            .collect();
        let mut bonds = math::scalar_vec_mask_sparse_matrix(
            &bonds,
            last_tempo,
            &input.block_at_registration,
            |last, registered| last <= registered,
        );
        math::inplace_col_normalize_sparse(&mut bonds, n);
        let mut delta = math::row_hadamard_sparse(&weights_for_bonds, &active_stake);
        math::inplace_col_normalize_sparse(&mut delta, n);
        let mut ema_bonds = math::mat_ema_sparse(&delta, &bonds, d.ema_alpha);
        math::inplace_col_normalize_sparse(&mut ema_bonds, n);
        let mut dividends = math::matmul_transpose_sparse(&ema_bonds, &incentive);
        math::inplace_normalize(&mut dividends);
        math::inplace_col_max_upscale_sparse(&mut ema_bonds, n);
        (dividends, ema_bonds)
    };

    // Emission.
    let combined: Vec<I32F32> = incentive
        .iter()
        .zip(&dividends)
        .map(|(i, d)| i.saturating_add(*d))
        .collect();
    let emission_sum = math::sum(&combined);
    let server: Vec<I32F32> = incentive
        .iter()
        .map(|i| norm_by(*i, emission_sum))
        .collect();
    let mut validator: Vec<I32F32> = dividends
        .iter()
        .map(|d| norm_by(*d, emission_sum))
        .collect();
    let mut combined_norm = combined;
    math::inplace_normalize(&mut combined_norm);
    if emission_sum == ZERO {
        let fallback = if math::sum(&active_stake) == ZERO {
            &stake
        } else {
            &active_stake
        };
        validator.clone_from(fallback);
        combined_norm.clone_from(fallback);
    }
    let rao = params.rao_emission;
    let to_u16 =
        |v: &[I32F32]| -> Vec<u16> { v.iter().map(|x| fixed_proportion_to_u16(*x)).collect() };
    let bonds_out = ema_bonds
        .iter()
        .zip(&new_permits)
        .map(|(row, permit)| {
            if *permit {
                row.iter()
                    .map(|(j, v)| (*j, fixed_proportion_to_u16(*v)))
                    .collect()
            } else {
                Vec::new()
            }
        })
        .collect();
    Ok(Output {
        active,
        stake_weight: to_u16(&stake),
        validator_permit: new_permits,
        consensus: to_u16(&consensus),
        incentive: to_u16(&incentive),
        dividends: to_u16(&dividends),
        validator_trust: to_u16(&validator_trust),
        server_emission: server.iter().map(|x| to_rao(*x, rao)).collect(),
        validator_emission: validator.iter().map(|x| to_rao(*x, rao)).collect(),
        emission: combined_norm.iter().map(|x| to_rao(*x, rao)).collect(),
        bonds: bonds_out,
    })
}

/// `x / sum` unless the sum is zero (subtensor `inplace_normalize_using_sum`).
fn norm_by(x: I32F32, total: I32F32) -> I32F32 {
    if total == ZERO { x } else { safe_div(x, total) }
}
