//! Clipping at consensus: validator trust, ranks and incentive, and the weights for bonds.

use substrate_fixed::types::I32F32;

use super::csr::Csr;
use super::vector::{ONE, ZERO, normalize};
use crate::fixed::{add, mul, mul_unit, sub};

/// Clips weights at consensus (dropping entries whose threshold is 0), and returns validator
/// trust (clipped row sums), incentive (normalised stake-weighted ranks) and the ranks
/// before normalisation. With `write`, writes the
/// weights for bonds, `W + penalty * (clipped - W)`, into `for_bonds`, except for penalty 0,
/// where they are exactly `W` (explicit zeros and entry order included) and `for_bonds` is
/// left empty. Penalty 1 gives exactly the clipped weights; other penalties keep positive
/// entries in ascending column order (subtensor densifies the row). Without `write` (only
/// for penalties 0 and 1), `for_bonds` is left empty.
#[inline(never)]
pub(super) fn clip_and_rank(
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
