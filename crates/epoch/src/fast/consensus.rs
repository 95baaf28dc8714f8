//! Consensus: the stake-weighted median of each column.

use substrate_fixed::types::I32F32;

use super::csr::Csr;
use super::median;
use super::vector::{ZERO, normalize};
use crate::fixed::{add, sub};

/// Stake-weighted median of each column over validators with positive active stake.
#[inline(never)]
pub(super) fn consensus(
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
