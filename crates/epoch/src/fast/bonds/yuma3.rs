//! Per-cell (Yuma3) bonds: each bond an EMA towards its weight, with a fixed or (with liquid
//! alpha) a per-cell factor; dividends from the column-normalised EMA bonds.

use substrate_fixed::types::I32F32;

use super::context::{Buffers, ClippedRow, Context, Sums, clip, matches};
use super::ema::ema_row;
use super::liquid::Liquid;
use crate::fast::csr::Csr;
use crate::fast::vector::{ONE, ZERO, normalize};
use crate::fixed::{Derived, add, add_nonneg, mul, mul_unit, proportion_to_u16_fast};

/// Per-cell bonds: bonds as proportions, EMA towards the weights for bonds (fixed alpha, or
/// liquid alpha when `consensus` is given); dividends from the column-normalised EMA bonds
/// times incentive, weighted by active stake; stored as proportions.
pub(crate) fn yuma3(
    ctx: &Context<'_>,
    d: &Derived,
    consensus: Option<&[I32F32]>,
    buf: &mut Buffers,
) -> (Vec<I32F32>, Vec<Vec<(u16, u16)>>) {
    let n = ctx.n;
    let kept = ctx.kept_columns();
    let wfb = ctx.weights_for_bonds;
    let th = ctx.thresholds();
    // floor(b * 2^32 / 65535): subtensor's `fixed_to_fixed_u16_proportion`.
    let proportion =
        |_: usize, b: u16| I32F32::from_bits(((u64::from(b) << 32) / u64::from(u16::MAX)) as i64);
    let mut liquid = consensus.map(|consensus| Liquid::new(consensus, d, n));
    let alpha = d.ema_alpha_yuma3;
    let one_minus_alpha = ONE.saturating_sub(alpha);

    let Buffers {
        ema,
        scratch,
        old,
        new_vals,
        ..
    } = buf;
    ema.reset(n, wfb.nnz());
    scratch.reset(n);
    let mut ema_sum = vec![0u64; n];
    let mut sums = Sums::default();
    // With the EMA factor in [0, 1], each product has one factor in [0, 1] and the other
    // non-negative (a weight, a bond proportion): `mul_unit` and `add_nonneg` are exact.
    let unit = (ZERO..=ONE).contains(&alpha);
    for i in 0..n {
        let start = ema.nnz();
        let (cols, vals) = wfb.row(i);
        let bonds = &ctx.input.bonds[i];
        match &mut liquid {
            Some(liquid) => {
                ctx.old_row(i, &kept, old, proportion);
                liquid.row((cols, vals), (&old.cols, &old.vals), ema, scratch);
            }
            None if matches(cols, bonds, &kept) => {
                let row = (cols, vals, &th[..]);
                if unit {
                    yuma3_matched_row(row, bonds, &mut ema_sum, ema, &mut sums, |w, b| {
                        add_nonneg(mul_unit(alpha, w), mul_unit(one_minus_alpha, b))
                    });
                } else {
                    yuma3_matched_row(row, bonds, &mut ema_sum, ema, &mut sums, |w, b| {
                        add(mul(alpha, w), mul(one_minus_alpha, b))
                    });
                }
                ema.end_row();
                continue;
            }
            None => {
                ctx.old_row(i, &kept, old, proportion);
                new_vals.clear();
                new_vals.extend(
                    cols.iter()
                        .zip(vals)
                        .map(|(j, w)| clip(*w, th[usize::from(*j)])),
                );
                ema_row(
                    (cols, new_vals),
                    (&old.cols, &old.vals),
                    (alpha, one_minus_alpha),
                    ema,
                    scratch,
                );
            }
        }
        for (j, v) in ema.col[start..].iter().zip(&ema.val[start..]) {
            let bits = v.to_bits() as u64;
            ema_sum[usize::from(*j)] = ema_sum[usize::from(*j)].wrapping_add(bits);
            sums.note(bits);
        }
        ema.end_row();
    }

    let norms = sums.divisors(ema_sum.into_iter(), ema, n);
    yuma3_dividends(ctx, ema, |j, e| norms[j].div_fixed(e))
}

/// The fixed-alpha Yuma3 EMA of a steady-state row, `ema(weight, bond proportion)` giving
/// each cell, into the next row of `out`; positive cells are kept and added to their
/// column's sum (modulo 2^64, see [`Sums`]).
#[inline(always)]
fn yuma3_matched_row(
    (cols, vals, th): ClippedRow<'_>,
    bonds: &[(u16, u16)],
    ema_sum: &mut [u64],
    out: &mut Csr,
    sums: &mut Sums,
    ema: impl Fn(I32F32, I32F32) -> I32F32,
) {
    let mut seen = 0;
    out.extend_row_positive(
        cols,
        cols.iter().zip(vals).zip(bonds).map(|((&j, &w), &(_, b))| {
            // floor(b * 2^32 / 65535): subtensor's `fixed_to_fixed_u16_proportion`.
            let old = I32F32::from_bits(((u64::from(b) << 32) / u64::from(u16::MAX)) as i64);
            let acc = ema(clip(w, th[usize::from(j)]), old);
            // Only positive values are kept: add 0 otherwise.
            let bits = acc.to_bits().max(0) as u64;
            let sum = &mut ema_sum[usize::from(j)];
            *sum = sum.wrapping_add(bits);
            seen |= bits;
            acc
        }),
    );
    sums.note(seen);
}

/// Dividends (normalised) and stored rows of Yuma3 bonds from the EMA bonds, `norm`
/// column-normalising an EMA bond.
fn yuma3_dividends(
    ctx: &Context<'_>,
    ema: &Csr,
    norm: impl Fn(usize, I32F32) -> I32F32,
) -> (Vec<I32F32>, Vec<Vec<(u16, u16)>>) {
    // Incentive is normalised and normalised bonds are non-negative: in the usual case
    // `mul_unit` and `add_nonneg` are exact.
    if ctx.incentive.iter().all(|x| (ZERO..=ONE).contains(x)) {
        yuma3_rows(
            ctx,
            ema,
            |j, e| mul_unit(ctx.incentive[j], norm(j, e)),
            add_nonneg,
        )
    } else {
        yuma3_rows(ctx, ema, |j, e| mul(norm(j, e), ctx.incentive[j]), add)
    }
}

/// [`yuma3_dividends`] with `term(column, bond)` giving a cell's dividend term and `plus`
/// adding terms.
#[inline(always)]
fn yuma3_rows(
    ctx: &Context<'_>,
    ema: &Csr,
    term: impl Fn(usize, I32F32) -> I32F32,
    plus: impl Fn(I32F32, I32F32) -> I32F32,
) -> (Vec<I32F32>, Vec<Vec<(u16, u16)>>) {
    let n = ctx.n;
    let mut stored = vec![Vec::new(); n];
    let mut dividends = vec![ZERO; n];
    for i in 0..n {
        let (cols, vals) = ema.row(i);
        let mut acc = ZERO;
        for (&j, &e) in cols.iter().zip(vals) {
            acc = plus(acc, term(usize::from(j), e));
        }
        dividends[i] = acc.checked_mul(ctx.active_stake[i]).unwrap_or(ZERO);
        if ctx.new_permits[i] {
            stored[i] = cols
                .iter()
                .zip(vals)
                .map(|(j, e)| (*j, proportion_to_u16_fast(*e)))
                .collect();
        }
    }
    normalize(&mut dividends);
    (dividends, stored)
}
