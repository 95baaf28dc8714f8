//! Classic bonds: column-normalised stored bonds and stake-weighted weights, a fixed-alpha
//! EMA, column-normalised again and max-upscaled for storage.

use substrate_fixed::types::I32F32;

use super::context::{Buffers, ClippedRow, Context, Sums, ascending, clip, matches};
use super::dense::Dense;
use super::ema::ema_row;
use crate::fast::csr::Csr;
use crate::fast::divide::{Divisor, U16Divisor};
use crate::fast::vector::{ONE, ZERO, normalize};
use crate::fixed::{add, add_nonneg, mul, mul_unit, proportion_to_u16_fast};

/// Classic bonds' per-column state.
#[derive(Clone, Copy)]
struct Column {
    /// Divides by the column sum of weights x stake.
    delta: Divisor,
    /// Divides by the column sum of the masked bonds.
    bond: U16Divisor,
    /// Sum of the column's EMA bonds modulo 2^64: exact unless some bond reaches
    /// [`super::context::WIDE_BOND`] (see [`Sums`]).
    sum: u64,
    /// Largest EMA bond of the column (0 when none is positive).
    max: I32F32,
}

impl Column {
    /// Counts an EMA bond `v` of the column; a bond `v <= 0` is not stored and adds nothing.
    /// Returns the bits it added, for [`Sums::note`].
    #[inline]
    fn add(&mut self, v: I32F32) -> u64 {
        let bits = v.to_bits().max(0) as u64;
        self.sum = self.sum.wrapping_add(bits);
        self.max = self.max.max(v);
        bits
    }
}

/// The classic EMA of a steady-state row (bonds exactly on its weights' ascending columns),
/// `ema(column, weight, bond)` giving each cell, into the next row of `out`; positive cells
/// are kept and counted in their column.
#[inline(always)]
fn matched_row(
    (cols, vals, th): ClippedRow<'_>,
    bonds: &[(u16, u16)],
    columns: &mut [Column],
    out: &mut Csr,
    sums: &mut Sums,
    ema: impl Fn(&Column, I32F32, u16) -> I32F32,
) {
    let mut seen = 0;
    out.extend_row_positive(
        cols,
        cols.iter().zip(vals).zip(bonds).map(|((&j, &w), &(_, b))| {
            let c = &mut columns[usize::from(j)];
            let acc = ema(c, clip(w, th[usize::from(j)]), b);
            seen |= c.add(acc);
            acc
        }),
    );
    sums.note(seen);
}

/// Where subtensor's saturating I32F32 column sum of u16 bonds (in units of one) stops:
/// `I32F32::MAX` is just below 2^31.
pub(super) const BOND_SUM_CAP: u64 = 1 << 31;

/// Column sum `d` of u16 bonds as subtensor's saturating I32F32 sum sees it, in units of
/// one. A sum of 2^31 or more saturates at `I32F32::MAX = 2^31 - 2^-32`, and dividing by it,
/// `floor(b * 2^64 / (2^63 - 1))`, is `2b` for every u16 `b`, as is dividing by 2^31,
/// `floor(b * 2^32 / 2^31)`: so 2^31 stands for the cap.
fn saturated_bond_sum(d: u64) -> u64 {
    d.min(BOND_SUM_CAP)
}

/// Classic bonds: column-normalised bonds and stake-weighted weights, fixed-alpha EMA,
/// column-normalised again; dividends from the EMA bonds; stored column max-upscaled.
///
/// Three passes: column sums of the masked bonds and of weights x stake; the EMA row by row
/// (normalising both inputs on the fly, collecting the EMA's column sums and maxima); then
/// dividends and the stored rows. Column normalisation is monotone, so the maximum of a
/// normalised column is the normalised maximum.
pub(crate) fn classic(
    ctx: &Context<'_>,
    alpha: I32F32,
    buf: &mut Buffers,
) -> (Vec<I32F32>, Vec<Vec<(u16, u16)>>) {
    let n = ctx.n;
    let kept = ctx.kept_columns();
    let all_kept = kept.iter().all(|k| *k);
    let wfb = ctx.weights_for_bonds;
    let th = ctx.thresholds();
    if let Some(dense) = Dense::find(ctx, alpha, &kept)
        && let Some(out) = dense.classic(ctx, alpha, &th, &mut buf.dense)
    {
        return out;
    }

    // Column sums of the kept bonds and, per row, whether the row is in the steady state
    // (see [`matches`]), in one pass over the bonds.
    let mut bond_sum = vec![0u64; n];
    let mut matched = vec![false; n];
    for (i, bonds) in ctx.input.bonds.iter().enumerate() {
        let cols = if ctx.active_stake[i] == ZERO {
            &[]
        } else {
            wfb.row(i).0
        };
        let mut ok = cols.len() == bonds.len();
        if ok && all_kept {
            for &(b, v) in bonds {
                bond_sum[usize::from(b)] += u64::from(v);
            }
            // Separate passes without early exit, which the compiler vectorises: the same
            // columns, in ascending order.
            ok = cols
                .iter()
                .zip(bonds)
                .fold(true, |ok, (&j, &(b, _))| ok & (j == b))
                && ascending(cols);
        } else {
            for &(b, v) in bonds {
                bond_sum[usize::from(b)] += u64::from(kept[usize::from(b)]) * u64::from(v);
            }
            ok = ok && matches(cols, bonds, &kept);
        }
        matched[i] = ok;
    }
    let delta_sum = ctx.delta_sum.map_or_else(
        || {
            let mut sums = vec![ZERO; n];
            for i in 0..n {
                let s = ctx.active_stake[i];
                if s != ZERO {
                    let (cols, vals) = wfb.row(i);
                    for (j, w) in cols.iter().zip(vals) {
                        let ju = usize::from(*j);
                        sums[ju] = add(sums[ju], mul(clip(*w, th[ju]), s));
                    }
                }
            }
            std::borrow::Cow::Owned(sums)
        },
        std::borrow::Cow::Borrowed,
    );
    // Per column: divisors of the delta and bond normalisations, the EMA's sum and maximum.
    let mut columns: Vec<Column> = delta_sum
        .iter()
        .zip(&bond_sum)
        .map(|(d, b)| Column {
            delta: Divisor::sum_or_one(d.to_bits().max(0) as u64),
            bond: U16Divisor::sum_or_one(saturated_bond_sum(*b)),
            sum: 0,
            max: ZERO,
        })
        .collect();

    // EMA of the normalised delta (new) and normalised bonds (old).
    let one_minus_alpha = ONE.saturating_sub(alpha);
    let Buffers {
        ema,
        scratch,
        old,
        new_vals,
        ..
    } = buf;
    let bonds_nnz = ctx.input.bonds.iter().map(Vec::len).sum();
    ema.reset(n, wfb.nnz().max(bonds_nnz));
    scratch.reset(n);
    let mut sums = Sums::default();
    // With the EMA factor and the row's stake in [0, 1], every product of the steady-state EMA
    // has one factor in [0, 1] and the other non-negative (weights for bonds, normalised
    // deltas and bonds), so `mul_unit` and `add_nonneg` give exactly `mul` and `add`.
    let unit_alpha = (ZERO..=ONE).contains(&alpha);
    for (i, &steady) in matched.iter().enumerate() {
        let s = ctx.active_stake[i];
        let unit = unit_alpha && (ZERO..=ONE).contains(&s);
        let (mut cols, mut vals) = wfb.row(i);
        if s == ZERO {
            // A zero delta row adds nothing to the EMA.
            (cols, vals) = (&[], &[]);
        }
        let bonds = &ctx.input.bonds[i];
        if steady {
            if unit {
                // The same operations without range checks or saturation (see `unit_alpha`).
                matched_row(
                    (cols, vals, &th),
                    bonds,
                    &mut columns,
                    ema,
                    &mut sums,
                    |c, w, b| {
                        let new = c.delta.div_fixed(mul_unit(s, w));
                        let old = I32F32::from_bits(c.bond.div(b) as i64);
                        add_nonneg(mul_unit(alpha, new), mul_unit(one_minus_alpha, old))
                    },
                );
            } else {
                matched_row(
                    (cols, vals, &th),
                    bonds,
                    &mut columns,
                    ema,
                    &mut sums,
                    |c, w, b| {
                        let new = c.delta.div_fixed(mul(w, s));
                        let old = I32F32::from_bits(c.bond.div(b) as i64);
                        add(mul(alpha, new), mul(one_minus_alpha, old))
                    },
                );
            }
        } else {
            let start = ema.nnz();
            new_vals.clear();
            new_vals.extend(cols.iter().zip(vals).map(|(j, w)| {
                let ju = usize::from(*j);
                columns[ju].delta.div_fixed(mul(clip(*w, th[ju]), s))
            }));
            ctx.old_row(i, &kept, old, |j, b| {
                I32F32::from_bits(columns[j].bond.div(b) as i64)
            });
            ema_row(
                (cols, new_vals),
                (&old.cols, &old.vals),
                (alpha, one_minus_alpha),
                ema,
                scratch,
            );
            for (j, v) in ema.col[start..].iter().zip(&ema.val[start..]) {
                sums.note(columns[usize::from(*j)].add(*v));
            }
        }
        ema.end_row();
    }

    let norms = sums.divisors(columns.iter().map(|c| c.sum), ema, n);
    // Per column: the normalisation, the upscaling by the normalised maximum, the incentive.
    let finals: Vec<Final> = columns
        .iter()
        .zip(norms)
        .enumerate()
        .map(|(j, (c, norm))| {
            let top = if c.max > ZERO {
                norm.div_fixed(c.max)
            } else {
                ZERO
            };
            Final {
                norm,
                up: Divisor::sum_or_one(top.to_bits() as u64),
                incentive: ctx.incentive[j],
            }
        })
        .collect();
    classic_dividends(ctx, ema, &finals)
}

/// Classic bonds' per-column constants of the dividends and stored rows.
#[derive(Clone, Copy)]
struct Final {
    /// Column normalisation.
    norm: Divisor,
    /// Divides by the normalised column maximum.
    up: Divisor,
    /// The column's incentive.
    incentive: I32F32,
}

/// Dividends (normalised) and stored rows of classic bonds from the EMA bonds.
fn classic_dividends(
    ctx: &Context<'_>,
    ema: &Csr,
    finals: &[Final],
) -> (Vec<I32F32>, Vec<Vec<(u16, u16)>>) {
    // Incentive is normalised and normalised bonds are non-negative, so the usual case
    // multiplies proportions (exactly, see `mul_unit`) and adds non-negative terms.
    if ctx.incentive.iter().all(|x| (ZERO..=ONE).contains(x)) {
        dividend_rows(ctx, ema, finals, (mul_unit, add_nonneg))
    } else {
        dividend_rows(ctx, ema, finals, (|a, b| mul(a, b), add))
    }
}

/// [`classic_dividends`] with the given multiplication (incentive times normalised bond) and
/// addition of dividend terms.
#[inline(always)]
fn dividend_rows(
    ctx: &Context<'_>,
    ema: &Csr,
    finals: &[Final],
    (times, plus): (
        impl Fn(I32F32, I32F32) -> I32F32,
        impl Fn(I32F32, I32F32) -> I32F32,
    ),
) -> (Vec<I32F32>, Vec<Vec<(u16, u16)>>) {
    let n = ctx.n;
    let mut stored = vec![Vec::new(); n];
    let mut dividends = vec![ZERO; n];
    for i in 0..n {
        let (cols, vals) = ema.row(i);
        let mut acc = ZERO;
        if ctx.new_permits[i] {
            stored[i] = cols
                .iter()
                .zip(vals)
                .map(|(&j, &e)| {
                    let ju = usize::from(j);
                    let f = &finals[ju];
                    let v = f.norm.div_fixed(e);
                    acc = plus(acc, times(f.incentive, v));
                    (j, proportion_to_u16_fast(f.up.div_fixed(v)))
                })
                .collect();
        } else {
            for (&j, &e) in cols.iter().zip(vals) {
                let ju = usize::from(j);
                let f = &finals[ju];
                acc = plus(acc, times(f.incentive, f.norm.div_fixed(e)));
            }
        }
        dividends[i] = acc;
    }
    normalize(&mut dividends);
    (dividends, stored)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saturated_u16_bond_sum_divides_as_i32f32_max_does() {
        let cap = U16Divisor::sum_or_one(saturated_bond_sum(u64::from(u16::MAX) << 17));
        for b in 0..=u16::MAX {
            // Subtensor: safe_div(I32F32(b), I32F32::MAX).
            let upstream = crate::fixed::safe_div(I32F32::from_num(b), I32F32::max_value());
            assert_eq!(cap.div(b), upstream.to_bits() as u64, "bond {b}");
        }
        assert_eq!(saturated_bond_sum(BOND_SUM_CAP - 1), BOND_SUM_CAP - 1);
        assert_eq!(saturated_bond_sum(u64::MAX), BOND_SUM_CAP);
    }
}
