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
mod csr;
mod divide;
mod median;
mod sigmoid;

use std::cell::Cell;

use substrate_fixed::types::I32F32;

use self::csr::Csr;
use self::divide::{Divisor, U16Divisor};
use crate::error::{Error, validate};
use crate::fixed::{Derived, add, fixed_proportion_to_u16, mul, mul_unit, safe_div, sub, to_rao};
use crate::types::{Input, Output, Params};

const ZERO: I32F32 = I32F32::from_bits(0);
const ONE: I32F32 = I32F32::from_bits(1 << 32);

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
        bonds::yuma2(&ctx, d.ema_alpha, &mut ws.bonds)
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

/// Stake with the threshold applied (owner exempt), normalised.
///
/// Subtensor normalises in I64F64 and converts to I32F32; for integer stake `s` of total `S`
/// that is `floor(floor(s * 2^64 / S) / 2^32) = floor(s * 2^32 / S)`.
fn normalized_stake(params: &Params, input: &Input, owner: Option<usize>) -> Vec<I32F32> {
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
fn top_k_nonzero(stake: &[I32F32], k: usize) -> Vec<bool> {
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
fn active_stake(stake: &[I32F32], active: &[bool], permits: &[bool]) -> Vec<I32F32> {
    let mut out: Vec<I32F32> = stake
        .iter()
        .zip(active.iter().zip(permits))
        .map(|(s, (a, p))| if *a && *p { *s } else { ZERO })
        .collect();
    normalize(&mut out);
    out
}

/// Divides by the sum unless it is zero (subtensor `inplace_normalize`).
fn normalize(x: &mut [I32F32]) {
    let total = x.iter().fold(ZERO, |acc, v| add(acc, *v));
    if total <= ZERO {
        if total < ZERO {
            x.iter_mut().for_each(|v| *v = safe_div(*v, total));
        }
        return;
    }
    let divisor = Divisor::new(total.to_bits() as u64).expect("positive total");
    for v in x.iter_mut() {
        if *v != ZERO {
            *v = divisor.div_fixed(*v);
        }
    }
}

/// Weight rows of permitted validators without self-weights (owner's kept) and without
/// entries set before the target registered, each divided by its sum, into `w`.
///
/// A row of raw u16 weights `w` with sum `S` normalises to `floor(w * 2^32 / S)`, which is
/// subtensor's I32F32 quotient.
#[inline(never)]
fn masked_weights(input: &Input, permits: &[bool], owner: Option<usize>, w: &mut Csr) {
    let n = input.weights.len();
    let nnz = input
        .weights
        .iter()
        .zip(permits)
        .filter(|(_, p)| **p)
        .map(|(r, _)| r.len())
        .sum();
    w.reset(n, nnz);
    let registered = &input.block_at_registration;
    let last_registered = registered.iter().copied().max().unwrap_or(0);
    for (i, row) in input.weights.iter().enumerate() {
        if permits[i] {
            let updated = input.last_update[i];
            // Rows updated after every registration lose no entry to the registration mask.
            let check_registered = updated <= last_registered;
            let self_uid = if owner == Some(i) { usize::MAX } else { i };
            if !check_registered {
                // Only the validator's own entry can be masked: one pass (vectorised, without
                // early exit) sums the row and looks for it.
                let (sum, has_self) = row.iter().fold((0u64, false), |(sum, has_self), e| {
                    (
                        sum + u64::from(e.1),
                        has_self | (usize::from(e.0) == self_uid),
                    )
                });
                if !has_self {
                    // Nothing masked (the usual case): copy the row.
                    let divisor = U16Divisor::sum_or_one(sum);
                    w.col.extend(row.iter().map(|e| e.0));
                    w.val.extend(
                        row.iter()
                            .map(|e| I32F32::from_bits(divisor.div(e.1) as i64)),
                    );
                    w.end_row();
                    continue;
                }
            }
            let keep = |j: usize| j != self_uid && !(check_registered && updated <= registered[j]);
            let sum: u64 = row
                .iter()
                .filter(|(j, _)| keep(usize::from(*j)))
                .map(|(_, v)| u64::from(*v))
                .sum();
            let divisor = U16Divisor::sum_or_one(sum);
            for &(j, v) in row {
                if keep(usize::from(j)) {
                    // A zero sum leaves the (zero) values as they are.
                    let bits = divisor.div(v);
                    w.push(j, I32F32::from_bits(bits as i64));
                }
            }
        }
        w.end_row();
    }
}

/// Stake-weighted median of each column over validators with positive active stake.
#[inline(never)]
fn consensus(
    active_stake: &[I32F32],
    weights: &Csr,
    n: usize,
    kappa: I32F32,
    buf: &mut median::Buffers,
) -> Vec<I32F32> {
    let voters: Vec<usize> = (0..n).filter(|&i| active_stake[i] > ZERO).collect();
    if voters.is_empty() {
        return vec![ZERO; n];
    }
    let mut use_stake: Vec<I32F32> = voters.iter().map(|&i| active_stake[i]).collect();
    normalize(&mut use_stake);
    let stake_sum = use_stake.iter().fold(ZERO, |acc, v| add(acc, *v));
    let minority = sub(stake_sum, kappa);

    let stakes: Vec<i64> = use_stake.iter().map(|s| s.to_bits()).collect();
    let median = |keys: &mut [u64]| {
        I32F32::from_bits(median::column_median(
            keys,
            &stakes,
            stake_sum.to_bits(),
            minority.to_bits(),
        ))
    };
    let sorted = voters.iter().all(|&i| weights.row(i).0.is_sorted());
    if sorted && voters.len() <= BLOCKED_MAX_VOTERS {
        return consensus_blocked(
            weights,
            &voters,
            n,
            buf,
            |keys, explicit| {
                I32F32::from_bits(median::median_with_mass(
                    keys,
                    &stakes,
                    explicit,
                    stake_sum.to_bits(),
                    minority.to_bits(),
                ))
            },
            &stakes,
        );
    }

    // Transpose the voters' rows into per-column entry lists (counting sort by column).
    let median::Buffers {
        keys, start, fill, ..
    } = buf;
    start.clear();
    start.resize(n + 1, 0);
    for &i in &voters {
        for &j in weights.row(i).0 {
            start[usize::from(j) + 1] += 1;
        }
    }
    for j in 0..n {
        start[j + 1] += start[j];
    }
    fill.clone_from(start);
    keys.clear();
    keys.resize(start[n], 0);
    for (k, &i) in voters.iter().enumerate() {
        let (cols, vals) = weights.row(i);
        for (j, v) in cols.iter().zip(vals) {
            let slot = &mut fill[usize::from(*j)];
            keys[*slot] = median::key(v.to_bits(), k);
            *slot += 1;
        }
    }
    (0..n)
        .map(|j| median(&mut keys[start[j]..start[j + 1]]))
        .collect()
}

/// Above this many voters, one global transposition beats walking every voter per block.
const BLOCKED_MAX_VOTERS: usize = 1024;

/// [`consensus`] for voters whose rows are sorted: transposes a block of columns at a time
/// (each voter's row is walked with a cursor), so the column lists of a block stay in cache.
/// Column `c` of a block keeps its keys at `c * voters` and counts the stake of its voters
/// while filling; `median(keys, stake)` gives a column's consensus.
#[inline(never)]
fn consensus_blocked(
    weights: &Csr,
    voters: &[usize],
    n: usize,
    buf: &mut median::Buffers,
    median: impl Fn(&mut [u64], i64) -> I32F32,
    stakes: &[i64],
) -> Vec<I32F32> {
    let v = voters.len();
    // About 64 KiB of keys per block.
    let block = (8192 / v).clamp(16, 4096);
    let median::Buffers {
        keys,
        start: count,
        cursor,
        ends,
        mass,
        ..
    } = buf;
    cursor.clear();
    cursor.extend(voters.iter().map(|&i| weights.range(i).start));
    ends.clear();
    ends.extend(voters.iter().map(|&i| weights.range(i).end));
    count.clear();
    count.resize(block, 0);
    mass.clear();
    mass.resize(block, 0);
    keys.clear();
    keys.resize(v * block, 0);
    // Plain slices, so the loops below keep their pointers in registers.
    let (keys, count, mass) = (&mut keys[..], &mut count[..], &mut mass[..]);
    let (col, val) = (&weights.col[..], &weights.val[..]);
    let mut consensus = Vec::with_capacity(n);
    let mut c0 = 0;
    while c0 < n {
        let c1 = (c0 + block).min(n);
        let width = c1 - c0;
        // The leading voters whose entries in the block name the same columns as the first
        // voter's (the usual, dense case) fill their slots directly; `count` and `mass` are
        // kept from the first voter that does not on.
        let (mut full, mut full_mass) = (0, 0);
        let mut shared: &[u16] = &[];
        for (k, (p, &end)) in cursor.iter_mut().zip(ends.iter()).enumerate() {
            // The voter's entries in this block: its sorted row up to column c1. One with the
            // shared columns is recognised without a search: those entries, then none below
            // c1.
            let len = shared.len();
            let same = k > 0
                && *p + len <= end
                && col[*p..*p + len] == *shared
                && (*p + len == end || usize::from(col[*p + len]) >= c1);
            let q = if same {
                *p + len
            } else {
                *p + col[*p..end].partition_point(|&j| usize::from(j) < c1)
            };
            let stake = stakes[k];
            if full == k && (k == 0 || same) {
                if k == 0 {
                    shared = &col[*p..q];
                }
                fill_slots(&mut keys[k..], (v, c0), (shared, &val[*p..q]), k);
                (full, full_mass) = (k + 1, full_mass + stake);
                *p = q;
                continue;
            }
            if full == k {
                let block = (&mut count[..width], &mut mass[..width]);
                filled_counts(block, (shared, c0), (full, full_mass));
                full = usize::MAX;
            }
            for (&j, w) in col[*p..q].iter().zip(&val[*p..q]) {
                let c = usize::from(j) - c0;
                // Rows name a column at most once, so a column holds at most `v` keys.
                keys[c * v + count[c]] = median::key(w.to_bits(), k);
                count[c] += 1;
                mass[c] += stake;
            }
            *p = q;
        }
        if full == v {
            let block = (&mut count[..width], &mut mass[..width]);
            filled_counts(block, (shared, c0), (full, full_mass));
        }
        for c in 0..width {
            consensus.push(median(&mut keys[c * v..c * v + count[c]], mass[c]));
        }
        c0 = c1;
    }
    consensus
}

/// A block's key counts and voter stake per column after `full` voters of total stake
/// `full_mass` filled the shared columns (from block column `c0`): theirs on those columns,
/// none elsewhere.
fn filled_counts(
    (count, mass): (&mut [usize], &mut [i64]),
    (shared, c0): (&[u16], usize),
    (full, full_mass): (usize, i64),
) {
    count.fill(0);
    mass.fill(0);
    for &j in shared {
        count[usize::from(j) - c0] = full;
        mass[usize::from(j) - c0] = full_mass;
    }
}

/// Writes voter `k`'s keys for the block's shared columns (from block column `c0`), one per
/// weight, at `stride` apart per column. Not inlined, so that its loop keeps its few
/// variables in registers.
#[inline(never)]
fn fill_slots(
    slots: &mut [u64],
    (stride, c0): (usize, usize),
    (cols, weights): (&[u16], &[I32F32]),
    k: usize,
) {
    let (Some(&first), Some(&last)) = (cols.first(), cols.last()) else {
        return;
    };
    if usize::from(last - first) + 1 == cols.len() {
        // Consecutive columns (the usual case): no column lookups.
        let slots = &mut slots[(usize::from(first) - c0) * stride..];
        for (c, w) in weights.iter().enumerate() {
            slots[c * stride] = median::key(w.to_bits(), k);
        }
    } else {
        for (&j, w) in cols.iter().zip(weights) {
            slots[(usize::from(j) - c0) * stride] = median::key(w.to_bits(), k);
        }
    }
}

/// Clips weights at consensus (dropping entries whose threshold is 0), and returns validator
/// trust (clipped row sums), incentive (normalised stake-weighted ranks) and the ranks
/// before normalisation. With `write`, writes the
/// weights for bonds, `W + penalty * (clipped - W)`, into `for_bonds`, except for penalty 0,
/// where they are exactly `W` (explicit zeros and entry order included) and `for_bonds` is
/// left empty. Penalty 1 gives exactly the clipped weights; other penalties keep positive
/// entries in ascending column order (subtensor densifies the row). Without `write` (only
/// for penalties 0 and 1), `for_bonds` is left empty.
#[inline(never)]
fn clip_and_rank(
    weights: &Csr,
    consensus: &[I32F32],
    active_stake: &[I32F32],
    penalty: I32F32,
    (for_bonds, write): (&mut Csr, bool),
) -> (Vec<I32F32>, Vec<I32F32>, Vec<I32F32>) {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Mode {
        Weights,
        Clipped,
        Interpolated,
    }
    let mode = if penalty == ZERO {
        Mode::Weights
    } else if penalty == ONE {
        Mode::Clipped
    } else {
        Mode::Interpolated
    };
    let n = weights.ptr.len() - 1;
    debug_assert!(write || mode != Mode::Interpolated);
    for_bonds.reset(
        n,
        if mode == Mode::Weights || !write {
            0
        } else {
            weights.nnz()
        },
    );
    let mut trust = vec![ZERO; n];
    let mut ranks = vec![ZERO; consensus.len()];
    for i in 0..n {
        let (cols, vals) = weights.row(i);
        let s = active_stake[i];
        let start = for_bonds.nnz();
        let mut sum = ZERO;
        // Clipped entry of a weight, or None when the weight is dropped.
        let clip = |v: I32F32, th: I32F32| {
            if th < v {
                (th > ZERO).then_some(th)
            } else {
                Some(v)
            }
        };
        // Weights are normalised (each in [0, 1]), so with the row's stake in [0, 1] (always:
        // it is normalised) `mul_unit` is exactly `mul`, and `add_small` is exactly `add`: a
        // row sum or a rank adds at most 2^16 terms in [0, 1] (see `add_small`).
        let unit = (ZERO..=ONE).contains(&s);
        if mode == Mode::Clipped && !write {
            let row = (cols, vals);
            sum = if unit {
                clip_sums(row, consensus, &mut ranks, |c| (mul_unit(s, c), add_small))
            } else {
                clip_sums(row, consensus, &mut ranks, |c| (mul(s, c), add))
            };
        } else if mode == Mode::Clipped {
            for_bonds.extend_row(cols.len(), |out_cols, out_vals| {
                let out = (out_cols, out_vals);
                if unit {
                    clip_row((cols, vals), consensus, &mut ranks, out, &mut sum, |c| {
                        (mul_unit(s, c), add_small)
                    })
                } else {
                    clip_row((cols, vals), consensus, &mut ranks, out, &mut sum, |c| {
                        (mul(s, c), add)
                    })
                }
            });
        } else {
            for (&j, &v) in cols.iter().zip(vals) {
                let ju = usize::from(j);
                let clipped = clip(v, consensus[ju]);
                if let Some(c) = clipped {
                    sum = add(sum, c);
                    // Rows without active stake add nothing to the ranks (s * c = 0).
                    if s != ZERO {
                        ranks[ju] = add(ranks[ju], mul(s, c));
                    }
                }
                if mode == Mode::Interpolated {
                    let x = add(v, mul(penalty, sub(clipped.unwrap_or(ZERO), v)));
                    if x > ZERO {
                        for_bonds.push(j, x);
                    }
                }
            }
        }
        if mode == Mode::Interpolated && !cols.is_sorted() {
            let mut entries: Vec<(u16, I32F32)> = for_bonds.col[start..]
                .iter()
                .copied()
                .zip(for_bonds.val[start..].iter().copied())
                .collect();
            entries.sort_unstable_by_key(|e| e.0);
            for (k, (j, v)) in entries.into_iter().enumerate() {
                for_bonds.col[start + k] = j;
                for_bonds.val[start + k] = v;
            }
        }
        if mode != Mode::Weights && write {
            for_bonds.end_row();
        }
        trust[i] = sum;
    }
    let raw = ranks.clone();
    normalize(&mut ranks);
    (trust, ranks, raw)
}

/// One row of clipped weights (see [`clip_and_rank`]'s penalty 1), written branch-free to the
/// front of `out`: every entry is written, kept ones advance the cursor, and a dropped entry
/// adds 0 to the sums, which changes nothing. `arith(c)` gives the row's stake times `c` and
/// the addition to use. Returns the number kept.
#[inline(always)]
fn clip_row<F: Fn(I32F32, I32F32) -> I32F32>(
    (cols, vals): (&[u16], &[I32F32]),
    consensus: &[I32F32],
    ranks: &mut [I32F32],
    (out_cols, out_vals): (&mut [u16], &mut [I32F32]),
    sum: &mut I32F32,
    arith: impl Fn(I32F32) -> (I32F32, F),
) -> usize {
    let mut k = 0;
    let mut total = *sum;
    for (&j, &v) in cols.iter().zip(vals) {
        let ju = usize::from(j);
        let th = consensus[ju];
        // A weight above a threshold of 0 is dropped; otherwise it is clipped at the
        // threshold (weights and thresholds are non-negative).
        let kept = v <= th || th > ZERO;
        let value = v.min(th).max(ZERO);
        let (product, plus) = arith(value);
        total = plus(total, value);
        ranks[ju] = plus(ranks[ju], product);
        out_cols[k] = j;
        out_vals[k] = value;
        k += usize::from(kept);
    }
    *sum = total;
    k
}

/// [`clip_row`] without writing the clipped row: adds to `ranks` and returns the row's sum.
/// Not inlined, so that its loop keeps its few variables in registers.
#[inline(never)]
fn clip_sums<F: Fn(I32F32, I32F32) -> I32F32>(
    (cols, vals): (&[u16], &[I32F32]),
    consensus: &[I32F32],
    ranks: &mut [I32F32],
    arith: impl Fn(I32F32) -> (I32F32, F),
) -> I32F32 {
    let mut total = ZERO;
    for (&j, &v) in cols.iter().zip(vals) {
        let ju = usize::from(j);
        let value = v.min(consensus[ju]).max(ZERO);
        let (product, plus) = arith(value);
        total = plus(total, value);
        ranks[ju] = plus(ranks[ju], product);
    }
    total
}

/// [`add`] for sums of at most 2^16 terms in [0, 1] (I32F32 bits at most 2^32): every partial
/// sum stays below 2^48 bits, far from the maximum, so plain integer addition is exact. (A row
/// has at most one entry per uid and a column one per row, and validation admits at most
/// [`crate::error::MAX_UIDS`] < 2^16 uids.)
#[inline(always)]
fn add_small(a: I32F32, b: I32F32) -> I32F32 {
    debug_assert!((0..1 << 48).contains(&a.to_bits()) && (0..=1 << 32).contains(&b.to_bits()));
    I32F32::from_bits(a.to_bits() + b.to_bits())
}

/// Server, validator and combined emission proportions, with the stake fallback when
/// incentive and dividends are all zero.
#[inline(never)]
fn emission_split(
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

#[cfg(test)]
mod tests;
