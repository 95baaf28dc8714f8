//! The fast epoch: subtensor's sparse `epoch_mechanism`, with every step costing
//! O(n + weights + bonds) instead of O(n^2).
//!
//! Same steps, same fixed-point operations in the same order where the order could change a
//! result, so outputs are bit-identical to [`crate::reference`]. What changes:
//! - matrices are compressed sparse rows ([`csr::Csr`]) and no row is ever densified; steps
//!   that subtensor does on dense scratch rows (bond EMA, interpolation, liquid alpha) merge
//!   the sparse rows instead, touching only cells that can be non-zero;
//! - the stake-weighted median runs per column on that column's entries only
//!   ([`median`]), with the validators that left the column empty as one zero block;
//! - row and column normalisations divide by a precomputed reciprocal or multiplier
//!   ([`divide`]);
//! - a dense subnet's classic bond step runs column by column ([`bonds`]' `dense`), never
//!   writing the EMA matrix out;
//! - liquid alpha is computed only for the cells `mat_ema_alpha_sparse` emits (the validator's
//!   weights-for-bonds entries), with a bit-exact integer `exp` ([`sigmoid`]);
//! - the large buffers (sparse matrices, column lists, scratch rows) live in a [`Workspace`]
//!   kept per thread between epochs, so repeated epochs do not allocate (and page-fault) them
//!   again; one pass over the weights clips them, ranks, sums trust and builds the weights for
//!   bonds.

mod bonds;
mod clip;
mod consensus;
mod csr;
mod divide;
mod emission;
mod median;
mod sigmoid;
mod stake;
mod vector;
mod weights;

use std::cell::Cell;

use substrate_fixed::types::I32F32;

use self::clip::clip_and_rank;
use self::consensus::consensus;
use self::csr::Csr;
use self::emission::emission_split;
use self::stake::{active_stake, normalized_stake, top_k_nonzero};
use self::vector::{ONE, ZERO};
use self::weights::masked_weights;
use crate::error::{Error, validate};
use crate::fixed::{Derived, fixed_proportion_to_u16, to_rao};
use crate::types::{Input, Output, Params};

/// Buffers of one epoch, reused by the next epoch on the same thread.
#[derive(Default)]
struct Workspace {
    /// Masked, row-normalised weights.
    weights: Csr,
    /// Weights for bonds (when they differ from `weights`).
    weights_for_bonds: Csr,
    /// Consensus column lists.
    consensus: median::Buffers,
    /// Bond EMA matrix and scratch rows.
    bonds: bonds::Buffers,
}

impl Workspace {
    /// Bytes held by the workspace's large allocations.
    fn capacity_bytes(&self) -> usize {
        self.weights.capacity_bytes()
            + self.weights_for_bonds.capacity_bytes()
            + self.consensus.capacity_bytes()
            + self.bonds.capacity_bytes()
    }
}

/// A thread keeps its workspace between epochs up to this size (an epoch of 64 validators x
/// 4096 miners uses about 12 MiB); larger ones are freed after the epoch.
const MAX_RETAINED_BYTES: usize = 64 << 20;

thread_local! {
    static WORKSPACE: Cell<Workspace> = Cell::new(Workspace::default());
}

/// Runs one epoch and returns what subtensor's sparse epoch stores and pays.
///
/// The result depends only on the arguments; the thread's reusable buffers only save
/// allocations.
///
/// # Errors
/// [`Error`] when the input is malformed (lengths, uids, ordering, owner, total stake).
pub fn run(params: &Params, input: &Input) -> Result<Output, Error> {
    let mut ws = WORKSPACE.take();
    let out = run_in(&mut ws, params, input);
    if ws.capacity_bytes() <= MAX_RETAINED_BYTES {
        WORKSPACE.set(ws);
    }
    out
}

/// [`run`] with the given buffers.
fn run_in(ws: &mut Workspace, params: &Params, input: &Input) -> Result<Output, Error> {
    let n = validate(params, input)?;
    let d = Derived::new(params);
    let owner = params.owner_uid.map(usize::from);

    let active: Vec<bool> = input
        .last_update
        .iter()
        .map(|u| u.saturating_add(params.activity_cutoff) >= input.current_block)
        .collect();
    let stake = normalized_stake(params, input, owner);

    let mut permits = input.validator_permit.clone();
    let mut new_permits = top_k_nonzero(&stake, usize::from(params.max_allowed_validators));
    if let Some(o) = owner {
        permits[o] = true;
        new_permits[o] = true;
    }
    let active_stake = active_stake(&stake, &active, &permits);

    masked_weights(input, &permits, owner, &mut ws.weights);
    let weights = &ws.weights;
    let consensus = consensus(&active_stake, weights, n, d.kappa, &mut ws.consensus);
    let liquid =
        params.yuma3_enabled && params.liquid_alpha_enabled && consensus.iter().any(|c| *c != ZERO);
    // With penalty 1 the weights for bonds are the clipped weights. The EMA steps clip them on
    // the fly (an entry clipped to 0 changes no EMA bond, as if absent), so they are written
    // out only for liquid alpha, which emits a cell for every entry of a weight row.
    let clip_on_the_fly = d.bonds_penalty == ONE && !liquid;
    let (validator_trust, incentive, ranks) = clip_and_rank(
        weights,
        &consensus,
        &active_stake,
        d.bonds_penalty,
        (&mut ws.weights_for_bonds, !clip_on_the_fly),
    );
    let weights_for_bonds = if d.bonds_penalty == ZERO || clip_on_the_fly {
        weights
    } else {
        &ws.weights_for_bonds
    };

    let last_tempo = if input.last_mechanism_step_block == 0 {
        input.current_block.saturating_sub(params.tempo)
    } else {
        input.last_mechanism_step_block.saturating_add(1)
    };
    let ctx = bonds::Context {
        n,
        input,
        weights_for_bonds,
        active_stake: &active_stake,
        incentive: &incentive,
        last_tempo,
        new_permits: &new_permits,
        // With penalty 1 the weights for bonds are the clipped weights, so the column sums of
        // weights x stake are the ranks before normalisation (the same products, added in
        // the same order).
        delta_sum: (d.bonds_penalty == ONE).then_some(ranks.as_slice()),
        clip_at: clip_on_the_fly.then_some(consensus.as_slice()),
    };
    let (dividends, stored_bonds) = if params.yuma3_enabled {
        bonds::yuma3(
            &ctx,
            &d,
            liquid.then_some(consensus.as_slice()),
            &mut ws.bonds,
        )
    } else {
        bonds::classic(&ctx, d.ema_alpha, &mut ws.bonds)
    };

    let (server, validator, combined) =
        emission_split(&incentive, &dividends, &active_stake, &stake);
    let rao = params.rao_emission;
    let to_u16 =
        |v: &[I32F32]| -> Vec<u16> { v.iter().map(|x| fixed_proportion_to_u16(*x)).collect() };
    let to_rao = |v: &[I32F32]| -> Vec<u64> { v.iter().map(|x| to_rao(*x, rao)).collect() };
    Ok(Output {
        active,
        stake_weight: to_u16(&stake),
        validator_permit: new_permits,
        consensus: to_u16(&consensus),
        incentive: to_u16(&incentive),
        dividends: to_u16(&dividends),
        validator_trust: to_u16(&validator_trust),
        server_emission: to_rao(&server),
        validator_emission: to_rao(&validator),
        emission: to_rao(&combined),
        bonds: stored_bonds,
    })
}

#[cfg(test)]
mod tests;
