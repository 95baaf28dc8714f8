//! Bonds and dividends, classic (Yuma2) and per-cell (Yuma3, optionally with liquid alpha),
//! on sparse rows.
//!
//! Entry order follows subtensor: `mat_ema_sparse` builds each row on a dense scratch row and
//! emits ascending columns, so the fixed-alpha EMA merges sorted rows (or, for a row stored
//! unsorted, accumulates on a scratch row and sorts the touched columns). `mat_ema_alpha_sparse`
//! emits in the weight row's order, which the liquid-alpha path keeps.

mod dense;

use substrate_fixed::types::I32F32;

use self::dense::Dense;
use super::csr::Csr;
use super::divide::{Divisor, U16Divisor};
use super::sigmoid::{LiquidAlpha, exp_safe_batch};
use super::{ONE, ZERO, normalize};
use crate::fixed::{Derived, add, add_nonneg, mul, mul_unit, proportion_to_u16_fast, sub};
use crate::types::Input;

/// What a bond step returns: dividends (normalised) and the stored bond rows.
type Outcome = (Vec<I32F32>, Vec<Vec<(u16, u16)>>);

/// What both bond variants read.
pub(super) struct Context<'a> {
    /// Number of uids.
    pub(super) n: usize,
    /// The epoch input (stored bonds, registration blocks).
    pub(super) input: &'a Input,
    /// Weights after the bonds penalty.
    pub(super) weights_for_bonds: &'a Csr,
    /// Normalised active stake.
    pub(super) active_stake: &'a [I32F32],
    /// Incentive (normalised ranks).
    pub(super) incentive: &'a [I32F32],
    /// Bond columns of uids registered at or after this block are dropped.
    pub(super) last_tempo: u64,
    /// New validator permits: only these rows are stored.
    pub(super) new_permits: &'a [bool],
    /// Column sums of weights for bonds x active stake, when already known.
    pub(super) delta_sum: Option<&'a [I32F32]>,
    /// When given, the weights for bonds are `weights_for_bonds` clipped at these thresholds
    /// (an entry above its threshold becomes the threshold, floored at 0). An entry clipped to
    /// 0 changes no fixed-alpha EMA bond, exactly as if it were absent.
    pub(super) clip_at: Option<&'a [I32F32]>,
}

impl Context<'_> {
    /// Thresholds at which to clip the weights for bonds (`I32F32::MAX` when they are used as
    /// they are: every weight is non-negative, so clipping at the maximum changes nothing).
    fn thresholds(&self) -> std::borrow::Cow<'_, [I32F32]> {
        match self.clip_at {
            Some(th) => std::borrow::Cow::Borrowed(th),
            None => std::borrow::Cow::Owned(vec![I32F32::max_value(); self.n]),
        }
    }

    /// Whether bonds towards each column survive: its uid registered before the last tempo.
    fn kept_columns(&self) -> Vec<bool> {
        self.input
            .block_at_registration
            .iter()
            .map(|registered| self.last_tempo > *registered)
            .collect()
    }

    /// Row `i` of the stored bonds without dropped columns, mapped by `value(column, bond)`,
    /// into `cols` and `vals` (cleared first); entry order kept.
    fn old_row(
        &self,
        i: usize,
        kept: &[bool],
        row: &mut Row,
        value: impl Fn(usize, u16) -> I32F32,
    ) {
        row.clear();
        for &(j, b) in &self.input.bonds[i] {
            let ju = usize::from(j);
            if kept[ju] {
                row.cols.push(j);
                row.vals.push(value(ju, b));
            }
        }
    }
}

/// Buffers of the bond step, reused between epochs.
#[derive(Default)]
pub(super) struct Buffers {
    /// The EMA bonds.
    ema: Csr,
    /// Dense scratch row for unsorted or mismatched rows.
    scratch: Scratch,
    /// The current row's old bonds.
    old: Row,
    /// The current row's new values.
    new_vals: Vec<I32F32>,
    /// Blocks of a dense subnet's classic bond step.
    dense: dense::Scratch,
}

impl Buffers {
    /// Bytes held by the buffers.
    pub(super) fn capacity_bytes(&self) -> usize {
        self.ema.capacity_bytes()
            + self.scratch.value.capacity() * size_of::<I32F32>()
            + self.scratch.stamp.capacity() * size_of::<u32>()
            + self.scratch.touched.capacity() * size_of::<u16>()
            + self.old.cols.capacity() * size_of::<u16>()
            + (self.old.vals.capacity() + self.new_vals.capacity()) * size_of::<I32F32>()
            + self.dense.capacity_bytes()
    }
}

/// One sparse row in two parallel vectors, reused from row to row.
#[derive(Default)]
struct Row {
    cols: Vec<u16>,
    vals: Vec<I32F32>,
}

impl Row {
    fn clear(&mut self) {
        self.cols.clear();
        self.vals.clear();
    }
}

/// Whether a bond row names exactly the (ascending) columns of the weight row, all kept: the
/// steady state, where the EMA is one element-wise pass in the rows' own order.
fn matches(cols: &[u16], bonds: &[(u16, u16)], kept: &[bool]) -> bool {
    // Separate passes without early exit, which the compiler vectorises (all but the lookup
    // of `kept`): the same columns, in ascending order, all kept.
    cols.len() == bonds.len()
        && cols
            .iter()
            .zip(bonds)
            .fold(true, |ok, (&j, &(b, _))| ok & (j == b))
        && ascending(cols)
        && cols.iter().fold(true, |ok, &j| ok & kept[usize::from(j)])
}

/// Whether columns are strictly ascending (checked without early exit, vectorised).
fn ascending(cols: &[u16]) -> bool {
    cols.windows(2).fold(true, |ok, w| ok & (w[0] < w[1]))
}

/// Classic bonds' per-column state.
#[derive(Clone, Copy)]
struct Column {
    /// Divides by the column sum of weights x stake.
    delta: Divisor,
    /// Divides by the column sum of the masked bonds.
    bond: U16Divisor,
    /// Sum of the column's EMA bonds modulo 2^64: exact unless some bond reaches
    /// [`WIDE_BOND`] (see [`Sums`]).
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

/// EMA bonds of this size or more make the 64-bit column sums inexact: with fewer than 2^16
/// rows, sums of smaller bonds stay below 2^56.
const WIDE_BOND: u64 = 1 << 40;

/// Column sums of positive EMA bonds as subtensor's `inplace_col_normalize_sparse` takes them:
/// in I32F32 with `saturating_add`, which for non-negative terms is the exact sum capped at
/// `I32F32::MAX`. Summed in 64 bits while every bond is below [`WIDE_BOND`] (always, unless a
/// bonds moving average above 100% inflates the bonds), otherwise summed again in 128 bits.
#[derive(Default)]
struct Sums {
    /// Bitwise or of every added bond.
    seen: u64,
}

impl Sums {
    /// Records an added bond's bits.
    #[inline]
    fn note(&mut self, bits: u64) {
        self.seen |= bits;
    }

    /// Divisors by the saturated sums: `narrow` when every bond was small (no sum then
    /// reaches the cap), else recomputed from `ema`.
    fn divisors(&self, narrow: impl Iterator<Item = u64>, ema: &Csr, n: usize) -> Vec<Divisor> {
        if self.seen < WIDE_BOND {
            return narrow.map(Divisor::sum_or_one).collect();
        }
        let mut sums = vec![0u128; n];
        for (j, v) in ema.col.iter().zip(&ema.val) {
            sums[usize::from(*j)] += v.to_bits().max(0) as u128;
        }
        sums.into_iter()
            .map(|s| Divisor::sum_or_one(s.min(i64::MAX as u128) as u64))
            .collect()
    }
}

/// A row of weights for bonds with the thresholds (by column) to clip them at: columns,
/// values, thresholds.
type ClippedRow<'a> = (&'a [u16], &'a [I32F32], &'a [I32F32]);

/// A weight for bonds clipped at threshold `th` (see [`Context::clip_at`]).
#[inline(always)]
fn clip(w: I32F32, th: I32F32) -> I32F32 {
    w.min(th).max(ZERO)
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
const BOND_SUM_CAP: u64 = 1 << 31;

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
pub(super) fn yuma2(
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
        && let Some(out) = dense.yuma2(ctx, alpha, &th, &mut buf.dense)
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
    yuma2_dividends(ctx, ema, &finals)
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
fn yuma2_dividends(
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

/// [`yuma2_dividends`] with the given multiplication (incentive times normalised bond) and
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

/// Per-cell bonds: bonds as proportions, EMA towards the weights for bonds (fixed alpha, or
/// liquid alpha when `consensus` is given); dividends from the column-normalised EMA bonds
/// times incentive, weighted by active stake; stored as proportions.
pub(super) fn yuma3(
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
    let mut liquid = consensus.map(|consensus| Liquid {
        consensus,
        alpha: LiquidAlpha::new(d.alpha_low, d.alpha_high, d.steepness),
        visible: vec![false; n],
        exps: Vec::new(),
    });
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

/// One row of `alpha * new + (1 - alpha) * old` over the union of the row's columns, positive
/// results pushed in ascending column order (subtensor `mat_ema_sparse`).
fn ema_row(
    (nc, nv): (&[u16], &[I32F32]),
    (oc, ov): (&[u16], &[I32F32]),
    (alpha, one_minus_alpha): (I32F32, I32F32),
    out: &mut Csr,
    scratch: &mut Scratch,
) {
    if nc == oc && nc.is_sorted() {
        // The steady state: bonds exactly where the weights are.
        for ((j, n), o) in nc.iter().zip(nv).zip(ov) {
            let acc = add(mul(alpha, *n), mul(one_minus_alpha, *o));
            if acc > ZERO {
                out.push(*j, acc);
            }
        }
    } else if nc.is_sorted() && oc.is_sorted() {
        let (mut a, mut b) = (0, 0);
        while a < nc.len() || b < oc.len() {
            let (j, acc) = match (nc.get(a), oc.get(b)) {
                (Some(&ja), Some(&jb)) if ja == jb => {
                    let acc = add(mul(alpha, nv[a]), mul(one_minus_alpha, ov[b]));
                    a += 1;
                    b += 1;
                    (ja, acc)
                }
                (Some(&ja), Some(&jb)) if ja < jb => {
                    a += 1;
                    (ja, mul(alpha, nv[a - 1]))
                }
                (Some(&ja), None) => {
                    a += 1;
                    (ja, mul(alpha, nv[a - 1]))
                }
                (_, Some(&jb)) => {
                    b += 1;
                    (jb, mul(one_minus_alpha, ov[b - 1]))
                }
                (None, None) => break,
            };
            if acc > ZERO {
                out.push(j, acc);
            }
        }
    } else {
        scratch.start_row();
        for (j, v) in nc.iter().zip(nv) {
            scratch.add(*j, mul(alpha, *v));
        }
        for (j, v) in oc.iter().zip(ov) {
            scratch.add(*j, mul(one_minus_alpha, *v));
        }
        scratch.touched.sort_unstable();
        for &j in &scratch.touched {
            let acc = scratch.value[usize::from(j)];
            if acc > ZERO {
                out.push(j, acc);
            }
        }
    }
}

/// Liquid-alpha state shared by the rows of one epoch.
struct Liquid<'a> {
    /// Consensus per column.
    consensus: &'a [I32F32],
    /// Sigmoid constants.
    alpha: LiquidAlpha,
    /// Whether the current old row's entry at a column is visible to subtensor's cursor.
    visible: Vec<bool>,
    /// Exponents, then exponentials, of the current row's cells.
    exps: Vec<I32F32>,
}

impl Liquid<'_> {
    /// One row of the per-cell liquid-alpha EMA, pushed for the weight row's entries in its order
    /// (subtensor `mat_ema_alpha_sparse` with `compute_liquid_alpha_values_sparse`).
    ///
    /// Subtensor finds each cell's weight and bond for the sigmoid with a cursor that assumes
    /// ascending columns; in a row stored unsorted it sees only the entries whose column exceeds
    /// every earlier column of that row (0 for the others). The EMA itself uses the real values.
    fn row(
        &mut self,
        (nc, nv): (&[u16], &[I32F32]),
        (oc, ov): (&[u16], &[I32F32]),
        out: &mut Csr,
        scratch: &mut Scratch,
    ) {
        let Self {
            consensus,
            alpha: la,
            visible,
            exps,
        } = self;
        scratch.start_row();
        let mut highest: Option<u16> = None;
        for (j, v) in oc.iter().zip(ov) {
            scratch.add(*j, *v);
            visible[usize::from(*j)] = highest.is_none_or(|h| *j > h);
            highest = highest.max(Some(*j));
        }
        // Each cell's sigmoid exponent, then all the exponentials at once.
        exps.clear();
        let mut highest: Option<u16> = None;
        for (&j, &w) in nc.iter().zip(nv) {
            let ju = usize::from(j);
            let w_seen = if highest.is_none_or(|h| j > h) {
                w
            } else {
                ZERO
            };
            highest = highest.max(Some(j));
            let b_seen = match scratch.get(j) {
                Some(b) if visible[ju] => b,
                _ => ZERO,
            };
            exps.push(la.exponent(consensus[ju], w_seen, b_seen));
        }
        exp_safe_batch(exps);
        for ((&j, &w), e) in nc.iter().zip(nv).zip(exps.iter()) {
            let a = la.alpha_from_exp(*e);
            let decayed = match scratch.get(j) {
                Some(b) => mul(sub(ONE, a), b),
                None => ZERO,
            };
            let inc = I32F32::from_bits(mul(a, w).to_bits().max(0));
            let v = I32F32::from_bits(add(decayed, inc).to_bits().min(ONE.to_bits()));
            if v > ZERO {
                out.push(j, v);
            }
        }
    }
}

/// A dense scratch row reused across rows: a generation stamp marks which columns hold a
/// value for the current row, so starting a row costs nothing.
#[derive(Default)]
struct Scratch {
    value: Vec<I32F32>,
    stamp: Vec<u32>,
    generation: u32,
    touched: Vec<u16>,
}

impl Scratch {
    /// Prepares `n` columns, none holding a value.
    fn reset(&mut self, n: usize) {
        self.value.clear();
        self.value.resize(n, ZERO);
        self.stamp.clear();
        self.stamp.resize(n, 0);
        self.generation = 0;
        self.touched.clear();
    }

    fn start_row(&mut self) {
        self.generation += 1;
        self.touched.clear();
    }

    /// Adds to the column's value (from 0 when first touched in this row).
    fn add(&mut self, j: u16, v: I32F32) {
        let ju = usize::from(j);
        if self.stamp[ju] == self.generation {
            self.value[ju] = add(self.value[ju], v);
        } else {
            self.stamp[ju] = self.generation;
            self.value[ju] = v;
            self.touched.push(j);
        }
    }

    fn get(&self, j: u16) -> Option<I32F32> {
        let ju = usize::from(j);
        (self.stamp[ju] == self.generation).then(|| self.value[ju])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_needs_the_same_ascending_kept_columns() {
        let bonds = |cols: &[u16]| cols.iter().map(|j| (*j, 1)).collect::<Vec<_>>();
        let all = [true; 8];
        assert!(matches(&[], &[], &all));
        assert!(matches(&[1, 3, 7], &bonds(&[1, 3, 7]), &all));
        assert!(!matches(&[1, 3, 7], &bonds(&[1, 3]), &all));
        assert!(!matches(&[1, 3, 7], &bonds(&[1, 4, 7]), &all));
        assert!(!matches(&[3, 1, 7], &bonds(&[3, 1, 7]), &all));
        assert!(!matches(&[1, 1], &bonds(&[1, 1]), &all));
        let mut some = all;
        some[3] = false;
        assert!(!matches(&[1, 3, 7], &bonds(&[1, 3, 7]), &some));
        assert!(matches(&[1, 2, 7], &bonds(&[1, 2, 7]), &some));
        assert!(ascending(&[0, 1, 65_535]) && !ascending(&[2, 2]) && ascending(&[5]));
    }

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
