//! Vector and sparse-matrix operations with the exact semantics of subtensor's `epoch/math.rs`,
//! written plainly (dense scratch rows where subtensor uses them), one function per operation.
//!
//! A sparse matrix is one `Vec<(column, value)>` per row.

use substrate_fixed::transcendental::exp;
use substrate_fixed::types::{I32F32, I64F64};

use crate::fixed::{clamp_value, safe_div, safe_div_64};

/// One row per uid, `(column, value)` entries.
pub(crate) type Sparse = Vec<Vec<(u16, I32F32)>>;

const ZERO: I32F32 = I32F32::from_bits(0);
const ONE: I32F32 = I32F32::from_bits(1 << 32);

/// Sum of a vector, wrapping on overflow as subtensor's `Iterator::sum` does in the chain's
/// release build (no sum of an accepted input overflows: see [`crate::error`]).
pub(crate) fn sum(x: &[I32F32]) -> I32F32 {
    x.iter().fold(ZERO, |acc, v| wrapping_add(acc, *v))
}

/// `a + b` modulo 2^64 in the bits: the `+` of `substrate-fixed` without overflow checks.
fn wrapping_add(a: I32F32, b: I32F32) -> I32F32 {
    I32F32::from_bits(a.to_bits().wrapping_add(b.to_bits()))
}

/// True where the value is non-zero and among the top `k` (ascending stable sort, so among
/// equal values the lower uid is dropped first).
pub(crate) fn is_topk_nonzero(vector: &[I32F32], k: usize) -> Vec<bool> {
    let n = vector.len();
    let mut result: Vec<bool> = vector.iter().map(|v| *v != ZERO).collect();
    if n < k {
        return result;
    }
    let mut idxs: Vec<usize> = (0..n).collect();
    idxs.sort_by_key(|&i| vector[i]);
    for &i in idxs.iter().take(n - k) {
        result[i] = false;
    }
    result
}

/// Divides every entry by the sum, unless the sum is zero.
pub(crate) fn inplace_normalize(x: &mut [I32F32]) {
    let total = sum(x);
    if total == ZERO {
        return;
    }
    for v in x.iter_mut() {
        *v = safe_div(*v, total);
    }
}

/// [`inplace_normalize`] in I64F64 (its sum wraps as [`sum`]'s).
pub(crate) fn inplace_normalize_64(x: &mut [I64F64]) {
    let total = x.iter().fold(I64F64::from_bits(0), |acc, v| {
        I64F64::from_bits(acc.to_bits().wrapping_add(v.to_bits()))
    });
    if total == I64F64::from_bits(0) {
        return;
    }
    for v in x.iter_mut() {
        *v = safe_div_64(*v, total);
    }
}

/// Zeroes the entries where `mask` is true.
pub(crate) fn inplace_mask_vector(mask: &[bool], vector: &mut [I32F32]) {
    for (v, m) in vector.iter_mut().zip(mask) {
        if *m {
            *v = ZERO;
        }
    }
}

/// Empties the rows where `mask` is true.
pub(crate) fn mask_rows_sparse(mask: &[bool], matrix: &Sparse) -> Sparse {
    matrix
        .iter()
        .zip(mask)
        .map(|(row, m)| if *m { Vec::new() } else { row.clone() })
        .collect()
}

/// Removes the diagonal, except entry `(keep, keep)` when `keep` is given.
pub(crate) fn mask_diag_sparse(matrix: &Sparse, keep: Option<u16>) -> Sparse {
    matrix
        .iter()
        .enumerate()
        .map(|(i, row)| {
            row.iter()
                .filter(|(j, _)| usize::from(*j) != i || keep == Some(*j))
                .copied()
                .collect()
        })
        .collect()
}

/// Removes entry `(i, j)` when `mask_fn(first[i], second[j])`.
pub(crate) fn vec_mask_sparse_matrix(
    matrix: &Sparse,
    first: &[u64],
    second: &[u64],
    mask_fn: impl Fn(u64, u64) -> bool,
) -> Sparse {
    matrix
        .iter()
        .zip(first)
        .map(|(row, f)| {
            row.iter()
                .filter(|(j, _)| !mask_fn(*f, second[usize::from(*j)]))
                .copied()
                .collect()
        })
        .collect()
}

/// Removes entry `(i, j)` when `mask_fn(scalar, vector[j])`.
pub(crate) fn scalar_vec_mask_sparse_matrix(
    matrix: &Sparse,
    scalar: u64,
    vector: &[u64],
    mask_fn: impl Fn(u64, u64) -> bool,
) -> Sparse {
    matrix
        .iter()
        .map(|row| {
            row.iter()
                .filter(|(j, _)| !mask_fn(scalar, vector[usize::from(*j)]))
                .copied()
                .collect()
        })
        .collect()
}

/// Divides each row by its sum when the sum is positive; the sum wraps as [`sum`]'s.
pub(crate) fn inplace_row_normalize_sparse(matrix: &mut Sparse) {
    for row in matrix.iter_mut() {
        let total = row.iter().fold(ZERO, |acc, (_, v)| wrapping_add(acc, *v));
        if total > ZERO {
            for (_, v) in row.iter_mut() {
                *v = safe_div(*v, total);
            }
        }
    }
}

/// Divides each column by its sum where the sum is non-zero. The sums saturate at
/// `I32F32::MAX`, as subtensor's do (`saturating_add`), which EMA bonds inflated by a bonds
/// moving average above 100% can reach.
pub(crate) fn inplace_col_normalize_sparse(matrix: &mut Sparse, columns: usize) {
    let mut col_sum = vec![ZERO; columns];
    for row in matrix.iter() {
        for (j, v) in row {
            let s = &mut col_sum[usize::from(*j)];
            *s = s.saturating_add(*v);
        }
    }
    for row in matrix.iter_mut() {
        for (j, v) in row.iter_mut() {
            let s = col_sum[usize::from(*j)];
            if s != ZERO {
                *v = safe_div(*v, s);
            }
        }
    }
}

/// Divides each entry by its column's maximum where that maximum is non-zero.
pub(crate) fn inplace_col_max_upscale_sparse(matrix: &mut Sparse, columns: usize) {
    let mut col_max = vec![ZERO; columns];
    for row in matrix.iter() {
        for (j, v) in row {
            let m = &mut col_max[usize::from(*j)];
            if *m < *v {
                *m = *v;
            }
        }
    }
    for row in matrix.iter_mut() {
        for (j, v) in row.iter_mut() {
            let m = col_max[usize::from(*j)];
            if m != ZERO {
                *v = safe_div(*v, m);
            }
        }
    }
}

/// Sum of each row.
pub(crate) fn row_sum_sparse(matrix: &Sparse) -> Vec<I32F32> {
    matrix
        .iter()
        .map(|row| row.iter().fold(ZERO, |acc, (_, v)| wrapping_add(acc, *v)))
        .collect()
}

/// Stake-weighted median by mid-pivot partition, subtensor's `weighted_median`.
///
/// `minority = 1 - majority`; `[lo, hi]` is the partition's segment of the stake integral.
pub(crate) fn weighted_median(
    stake: &[I32F32],
    score: &[I32F32],
    partition: &[usize],
    minority: I32F32,
    mut lo: I32F32,
    mut hi: I32F32,
) -> I32F32 {
    let mut current: Vec<usize> = partition.to_vec();
    let limit = partition.len();
    let mut iterations = 0usize;
    loop {
        match current.len() {
            0 => return ZERO,
            1 => return score[current[0]],
            _ => {}
        }
        let pivot = score[current[current.len() / 2]];
        let (mut lo_stake, mut hi_stake) = (ZERO, ZERO);
        let (mut lower, mut upper) = (Vec::new(), Vec::new());
        for &idx in &current {
            if score[idx] == pivot {
                continue;
            }
            if score[idx] < pivot {
                lo_stake = lo_stake.saturating_add(stake[idx]);
                lower.push(idx);
            } else {
                hi_stake = hi_stake.saturating_add(stake[idx]);
                upper.push(idx);
            }
        }
        if minority < lo.saturating_add(lo_stake) && !lower.is_empty() {
            current = lower;
            hi = lo.saturating_add(lo_stake);
        } else if hi.saturating_sub(hi_stake) <= minority && !upper.is_empty() {
            current = upper;
            lo = hi.saturating_sub(hi_stake);
        } else {
            return pivot;
        }
        iterations += 1;
        if iterations > limit {
            return ZERO;
        }
    }
}

/// Stake-weighted median of each column over the rows with positive stake (missing entries
/// count as zero scores), subtensor's `weighted_median_col_sparse`.
pub(crate) fn weighted_median_col_sparse(
    stake: &[I32F32],
    score: &Sparse,
    columns: usize,
    majority: I32F32,
) -> Vec<I32F32> {
    let mut use_stake: Vec<I32F32> = stake.iter().copied().filter(|s| *s > ZERO).collect();
    inplace_normalize(&mut use_stake);
    let stake_sum = sum(&use_stake);
    let minority = stake_sum.saturating_sub(majority);
    let idxs: Vec<usize> = (0..use_stake.len()).collect();
    let mut use_score = vec![vec![ZERO; use_stake.len()]; columns];
    let mut k = 0usize;
    for (s, row) in stake.iter().zip(score) {
        if *s > ZERO {
            for (c, v) in row {
                use_score[usize::from(*c)][k] = *v;
            }
            k += 1;
        }
    }
    use_score
        .iter()
        .map(|col| weighted_median(&use_stake, col, &idxs, minority, ZERO, stake_sum))
        .collect()
}

/// Clips each entry at its column threshold, dropping it when the threshold is not positive.
pub(crate) fn col_clip_sparse(matrix: &Sparse, threshold: &[I32F32]) -> Sparse {
    matrix
        .iter()
        .map(|row| {
            let mut out = Vec::with_capacity(row.len());
            for &(j, v) in row {
                let th = threshold[usize::from(j)];
                if th < v {
                    if th > ZERO {
                        out.push((j, th));
                    }
                } else {
                    out.push((j, v));
                }
            }
            out
        })
        .collect()
}

/// `result_j = sum_i vector_i * matrix_ij`.
pub(crate) fn matmul_sparse(matrix: &Sparse, vector: &[I32F32], columns: usize) -> Vec<I32F32> {
    let mut result = vec![ZERO; columns];
    for (row, s) in matrix.iter().zip(vector) {
        for (j, v) in row {
            let r = &mut result[usize::from(*j)];
            *r = r.saturating_add(s.saturating_mul(*v));
        }
    }
    result
}

/// `result_i = sum_j vector_j * matrix_ij`.
pub(crate) fn matmul_transpose_sparse(matrix: &Sparse, vector: &[I32F32]) -> Vec<I32F32> {
    matrix
        .iter()
        .map(|row| {
            row.iter().fold(ZERO, |acc, (j, v)| {
                acc.saturating_add(vector[usize::from(*j)].saturating_mul(*v))
            })
        })
        .collect()
}

/// `A + ratio * (B - A)` over dense rows, keeping positive results; returns `A` or `B`
/// unchanged (explicit zeros included) when `ratio` is exactly 0 or 1.
pub(crate) fn interpolate_sparse(a: &Sparse, b: &Sparse, columns: usize, ratio: I32F32) -> Sparse {
    if ratio == ZERO {
        return a.clone();
    }
    if ratio == ONE {
        return b.clone();
    }
    a.iter()
        .zip(b)
        .map(|(row_a, row_b)| {
            let mut dense_a = vec![ZERO; columns];
            let mut dense_b = vec![ZERO; columns];
            for (j, v) in row_a {
                dense_a[usize::from(*j)] = *v;
            }
            for (j, v) in row_b {
                dense_b[usize::from(*j)] = *v;
            }
            let mut out = Vec::new();
            for j in 0..columns {
                let v = dense_a[j]
                    .saturating_add(ratio.saturating_mul(dense_b[j].saturating_sub(dense_a[j])));
                if v > ZERO {
                    out.push((j as u16, v));
                }
            }
            out
        })
        .collect()
}

/// Multiplies row `i` by `vector_i`.
pub(crate) fn row_hadamard_sparse(matrix: &Sparse, vector: &[I32F32]) -> Sparse {
    matrix
        .iter()
        .zip(vector)
        .map(|(row, s)| {
            row.iter()
                .map(|(j, v)| (*j, v.saturating_mul(*s)))
                .collect()
        })
        .collect()
}

/// `alpha * new + (1 - alpha) * old` over dense rows, keeping positive results.
pub(crate) fn mat_ema_sparse(new: &Sparse, old: &Sparse, alpha: I32F32) -> Sparse {
    let n = new.len();
    let one_minus_alpha = ONE.saturating_sub(alpha);
    new.iter()
        .zip(old)
        .map(|(new_row, old_row)| {
            let mut acc = vec![ZERO; n];
            for (j, v) in new_row {
                let c = &mut acc[usize::from(*j)];
                *c = c.saturating_add(alpha.saturating_mul(*v));
            }
            for (j, v) in old_row {
                let c = &mut acc[usize::from(*j)];
                *c = c.saturating_add(one_minus_alpha.saturating_mul(*v));
            }
            acc.iter()
                .enumerate()
                .filter(|(_, v)| **v > ZERO)
                .map(|(j, v)| (j as u16, *v))
                .collect()
        })
        .collect()
}

/// Per-cell EMA `(1 - a_ij) * old + a_ij * new`, clamped to at most 1, emitted only for the
/// columns present in the `new` row (subtensor's `mat_ema_alpha_sparse`).
pub(crate) fn mat_ema_alpha_sparse(new: &Sparse, old: &Sparse, alpha: &[Vec<I32F32>]) -> Sparse {
    new.iter()
        .zip(old)
        .zip(alpha)
        .map(|((new_row, old_row), alpha_row)| {
            let mut decayed = vec![ZERO; alpha_row.len()];
            for (j, v) in old_row {
                let j = usize::from(*j);
                decayed[j] = ONE.saturating_sub(alpha_row[j]).saturating_mul(*v);
            }
            let mut out = Vec::new();
            for (j, v) in new_row {
                let ju = usize::from(*j);
                let inc = alpha_row[ju].saturating_mul(*v).max(ZERO);
                let val = decayed[ju].saturating_add(inc).min(ONE);
                if val > ZERO {
                    out.push((*j, val));
                }
            }
            out
        })
        .collect()
}

/// Entry-wise `matrix_ij * vector_j`, dropping zero products.
pub(crate) fn mat_vec_mul_sparse(matrix: &Sparse, vector: &[I32F32]) -> Sparse {
    matrix
        .iter()
        .map(|row| {
            row.iter()
                .map(|(j, v)| (*j, v.saturating_mul(vector[usize::from(*j)])))
                .filter(|(_, v)| *v != ZERO)
                .collect()
        })
        .collect()
}

/// Element-wise product; an overflowing product is 0 (subtensor `vec_mul`).
pub(crate) fn vec_mul(a: &[I32F32], b: &[I32F32]) -> Vec<I32F32> {
    a.iter()
        .zip(b)
        .map(|(x, y)| x.checked_mul(*y).unwrap_or(ZERO))
        .collect()
}

/// `exp(x)` with `x` clamped to `[-20, 20]` (subtensor `exp_safe`).
pub(crate) fn exp_safe(input: I32F32) -> I32F32 {
    let x = input.clamp(I32F32::from_num(-20), I32F32::from_num(20));
    match exp::<I32F32, I32F32>(x) {
        Ok(v) => v,
        Err(()) if x <= ZERO => ZERO,
        Err(()) => I32F32::max_value(),
    }
}

/// Liquid alpha of one cell (subtensor `alpha_sigmoid`).
pub(crate) fn alpha_sigmoid(
    consensus: I32F32,
    weight: I32F32,
    bond: I32F32,
    alpha_low: I32F32,
    alpha_high: I32F32,
    steepness: I32F32,
) -> I32F32 {
    let diff_buy = clamp_value(weight.saturating_sub(consensus), ZERO, ONE);
    let diff_sell = clamp_value(bond.saturating_sub(weight), ZERO, ONE);
    let combined = if weight >= bond { diff_buy } else { diff_sell };
    let exponent = steepness
        .saturating_div(I32F32::from_num(-100))
        .saturating_mul(combined.saturating_sub(I32F32::from_num(0.5)));
    let sigmoid = ONE.saturating_div(ONE.saturating_add(exp_safe(exponent)));
    let alpha =
        alpha_low.saturating_add(sigmoid.saturating_mul(alpha_high.saturating_sub(alpha_low)));
    clamp_value(alpha, alpha_low, alpha_high)
}

/// The dense n x n matrix of liquid alphas (subtensor `compute_liquid_alpha_values_sparse`).
///
/// Looks each cell up by walking the weight and bond rows with a peeking cursor that assumes
/// ascending columns, as subtensor does. Rows are stored in the order they were set, so in an
/// unsorted row only entries whose column exceeds every earlier column are found; the others
/// count as 0 here (but still enter the EMA).
pub(crate) fn liquid_alpha_values(
    weights: &Sparse,
    bonds: &Sparse,
    consensus: &[I32F32],
    alpha_low: I32F32,
    alpha_high: I32F32,
    steepness: I32F32,
) -> Vec<Vec<I32F32>> {
    weights
        .iter()
        .zip(bonds)
        .map(|(w_row, b_row)| {
            let mut w_it = w_row.iter().peekable();
            let mut b_it = b_row.iter().peekable();
            consensus
                .iter()
                .enumerate()
                .map(|(j, c)| {
                    let j = j as u16;
                    let weight = peek_at(&mut w_it, j);
                    let bond = peek_at(&mut b_it, j);
                    alpha_sigmoid(*c, weight, bond, alpha_low, alpha_high, steepness)
                })
                .collect()
        })
        .collect()
}

/// Skips entries with a column below `j`, then returns the head's value if its column is `j`.
fn peek_at<'a>(
    it: &mut std::iter::Peekable<impl Iterator<Item = &'a (u16, I32F32)>>,
    j: u16,
) -> I32F32 {
    while let Some(&&(c, v)) = it.peek() {
        if c < j {
            it.next();
        } else {
            return if c == j { v } else { ZERO };
        }
    }
    ZERO
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(x: f64) -> I32F32 {
        I32F32::from_num(x)
    }

    #[test]
    fn weighted_median_picks_the_score_where_stake_crosses_the_minority() {
        let stake = [f(0.25); 4];
        let score = [f(0.1), f(0.4), f(0.2), f(0.3)];
        let idx = [0, 1, 2, 3];
        // minority 0.4: scores below 0.2 hold 0.25 <= 0.4, up to 0.2 hold 0.5 > 0.4.
        assert_eq!(
            weighted_median(&stake, &score, &idx, f(0.4), f(0.0), f(1.0)),
            f(0.2)
        );
        // kappa > stake sum: negative minority gives the lowest score.
        assert_eq!(
            weighted_median(&stake, &score, &idx, f(-0.1), f(0.0), f(1.0)),
            f(0.1)
        );
        // kappa = 0: minority = stake sum gives the highest score.
        assert_eq!(
            weighted_median(&stake, &score, &idx, f(1.0), f(0.0), f(1.0)),
            f(0.4)
        );
    }

    #[test]
    fn topk_drops_lower_uids_first_on_ties() {
        let v = [f(0.5), f(0.5), f(0.0), f(0.5)];
        assert_eq!(is_topk_nonzero(&v, 2), vec![false, true, false, true]);
        assert_eq!(is_topk_nonzero(&v, 5), vec![true, true, false, true]);
    }

    #[test]
    fn interpolate_keeps_explicit_zeros_only_at_the_ends() {
        let a: Sparse = vec![vec![(0, ZERO), (1, f(0.5))]];
        let b: Sparse = vec![vec![(1, f(0.25))]];
        assert_eq!(interpolate_sparse(&a, &b, 2, ZERO), a);
        assert_eq!(interpolate_sparse(&a, &b, 2, ONE), b);
        assert_eq!(
            interpolate_sparse(&a, &b, 2, f(0.5)),
            vec![vec![(1, f(0.375))]]
        );
    }

    #[test]
    fn exp_safe_clamps() {
        assert_eq!(exp_safe(f(0.0)), ONE);
        assert_eq!(exp_safe(f(100.0)), exp_safe(f(20.0)));
        assert!(exp_safe(f(-100.0)) < f(1e-8));
    }
}
