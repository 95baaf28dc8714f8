//! Bonds and dividends, classic (Yuma2) and per-cell (Yuma3, optionally with liquid alpha),
//! on sparse rows.
//!
//! Entry order follows subtensor: `mat_ema_sparse` builds each row on a dense scratch row and
//! emits ascending columns, so the fixed-alpha EMA merges sorted rows (or, for a row stored
//! unsorted, accumulates on a scratch row and sorts the touched columns). `mat_ema_alpha_sparse`
//! emits in the weight row's order, which the liquid-alpha path keeps.

use substrate_fixed::types::I32F32;

use super::csr::Csr;
use super::divide::Divisor;
use super::sigmoid::LiquidAlpha;
use super::{ONE, ZERO, normalize};
use crate::fixed::{Derived, fixed_proportion_to_u16};
use crate::types::Input;

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
}

impl Context<'_> {
    /// Stored bonds without columns of uids registered since the last tempo, each value mapped
    /// by `value(column, u16 bond)`; entry order kept.
    fn masked_bonds(&self, value: impl Fn(usize, u16) -> I32F32) -> Csr {
        let keep: Vec<bool> = self
            .input
            .block_at_registration
            .iter()
            .map(|registered| self.last_tempo > *registered)
            .collect();
        let nnz = self.input.bonds.iter().map(Vec::len).sum();
        let mut out = Csr::with_capacity(self.n, nnz);
        for row in &self.input.bonds {
            for &(j, b) in row {
                if keep[usize::from(j)] {
                    out.push(j, value(usize::from(j), b));
                }
            }
            out.end_row();
        }
        out
    }
}

/// Classic bonds: column-normalised bonds and stake-weighted weights, fixed-alpha EMA,
/// column-normalised again; dividends from the EMA bonds; stored column max-upscaled.
pub(super) fn yuma2(ctx: &Context<'_>, alpha: I32F32) -> (Vec<I32F32>, Vec<Vec<(u16, u16)>>) {
    let n = ctx.n;
    // B: raw u16 bonds, column-normalised: floor(b * 2^32 / column sum).
    let bonds = ctx.masked_bonds(|_, b| I32F32::from_bits(i64::from(b)));
    let mut raw_sum = vec![0u64; n];
    for (j, v) in bonds.col.iter().zip(&bonds.val) {
        raw_sum[usize::from(*j)] += v.to_bits() as u64;
    }
    let raw_div: Vec<Option<Divisor>> = raw_sum.iter().map(|s| Divisor::new(*s)).collect();
    let mut bonds = bonds;
    for (j, v) in bonds.col.iter().zip(bonds.val.iter_mut()) {
        let raw = v.to_bits() as u64;
        *v = I32F32::from_bits(match raw_div[usize::from(*j)] {
            Some(d) => d.div_shifted(raw) as i64,
            None => (raw << 32) as i64,
        });
    }

    // Delta B: weights for bonds times active stake, column-normalised.
    let wfb = ctx.weights_for_bonds;
    let mut delta = Csr {
        ptr: wfb.ptr.clone(),
        col: wfb.col.clone(),
        val: Vec::with_capacity(wfb.nnz()),
    };
    for i in 0..n {
        let s = ctx.active_stake[i];
        delta
            .val
            .extend(wfb.val[wfb.range(i)].iter().map(|w| w.saturating_mul(s)));
    }
    column_normalize(&mut delta, n);

    let mut ema = ema_union(&delta, &bonds, alpha, n);
    drop(delta);
    drop(bonds);
    column_normalize(&mut ema, n);

    // Dividends: d_i = sum_j b_ij * incentive_j, normalised.
    let mut dividends: Vec<I32F32> = (0..n)
        .map(|i| {
            let (cols, vals) = ema.row(i);
            cols.iter().zip(vals).fold(ZERO, |acc, (j, v)| {
                acc.saturating_add(ctx.incentive[usize::from(*j)].saturating_mul(*v))
            })
        })
        .collect();
    normalize(&mut dividends);

    // Stored: column max-upscaled so each column's largest bond is 1.
    let mut col_max = vec![ZERO; n];
    for (j, v) in ema.col.iter().zip(&ema.val) {
        let m = &mut col_max[usize::from(*j)];
        if *m < *v {
            *m = *v;
        }
    }
    let max_div: Vec<Option<Divisor>> = col_max
        .iter()
        .map(|m| Divisor::new(m.to_bits().max(0) as u64))
        .collect();
    let stored = store(&ema, ctx.new_permits, |j, v| match max_div[j] {
        Some(d) => d.div_fixed(v),
        None => v,
    });
    (dividends, stored)
}

/// Per-cell bonds: bonds as proportions, EMA towards the weights for bonds (fixed alpha, or
/// liquid alpha when `consensus` is given); dividends from the column-normalised EMA bonds
/// times incentive, weighted by active stake; stored as proportions.
pub(super) fn yuma3(
    ctx: &Context<'_>,
    d: &Derived,
    consensus: Option<&[I32F32]>,
) -> (Vec<I32F32>, Vec<Vec<(u16, u16)>>) {
    let n = ctx.n;
    // floor(b * 2^32 / 65535): subtensor's `fixed_to_fixed_u16_proportion`.
    let bonds = ctx.masked_bonds(|_, b| {
        I32F32::from_bits(((u64::from(b) << 32) / u64::from(u16::MAX)) as i64)
    });
    let ema = match consensus {
        Some(c) => ema_liquid(
            ctx.weights_for_bonds,
            &bonds,
            c,
            &LiquidAlpha::new(d.alpha_low, d.alpha_high, d.steepness),
        ),
        None => ema_union(ctx.weights_for_bonds, &bonds, d.ema_alpha, n),
    };
    drop(bonds);

    let divisors = column_divisors(&ema, n);
    let mut dividends: Vec<I32F32> = (0..n)
        .map(|i| {
            let (cols, vals) = ema.row(i);
            let per_validator = cols.iter().zip(vals).fold(ZERO, |acc, (j, v)| {
                let j = usize::from(*j);
                let normalized = match divisors[j] {
                    Some(d) => d.div_fixed(*v),
                    None => *v,
                };
                acc.saturating_add(normalized.saturating_mul(ctx.incentive[j]))
            });
            per_validator
                .checked_mul(ctx.active_stake[i])
                .unwrap_or(ZERO)
        })
        .collect();
    normalize(&mut dividends);
    let stored = store(&ema, ctx.new_permits, |_, v| v);
    (dividends, stored)
}

/// Reciprocals of each column's sum (`None` for a zero sum).
fn column_divisors(m: &Csr, n: usize) -> Vec<Option<Divisor>> {
    let mut sum = vec![0i64; n];
    for (j, v) in m.col.iter().zip(&m.val) {
        let s = &mut sum[usize::from(*j)];
        *s = s.saturating_add(v.to_bits());
    }
    // Entries are non-negative, so sums are too.
    sum.iter()
        .map(|s| Divisor::new((*s).max(0) as u64))
        .collect()
}

/// Divides each entry by its column's sum where that sum is non-zero.
fn column_normalize(m: &mut Csr, n: usize) {
    let divisors = column_divisors(m, n);
    for (j, v) in m.col.iter().zip(m.val.iter_mut()) {
        if let Some(d) = divisors[usize::from(*j)] {
            *v = d.div_fixed(*v);
        }
    }
}

/// `alpha * new + (1 - alpha) * old` over the union of each row's columns, keeping positive
/// results in ascending column order (subtensor `mat_ema_sparse`).
fn ema_union(new: &Csr, old: &Csr, alpha: I32F32, n: usize) -> Csr {
    let one_minus_alpha = ONE.saturating_sub(alpha);
    let mut out = Csr::with_capacity(n, new.nnz().max(old.nnz()));
    let mut scratch = Scratch::new(n);
    for i in 0..n {
        let (nc, nv) = new.row(i);
        let (oc, ov) = old.row(i);
        if nc.is_sorted() && oc.is_sorted() {
            let (mut a, mut b) = (0, 0);
            loop {
                let (j, acc) = match (nc.get(a), oc.get(b)) {
                    (Some(&ja), Some(&jb)) if ja == jb => {
                        let acc = alpha
                            .saturating_mul(nv[a])
                            .saturating_add(one_minus_alpha.saturating_mul(ov[b]));
                        a += 1;
                        b += 1;
                        (ja, acc)
                    }
                    (Some(&ja), Some(&jb)) if ja < jb => {
                        a += 1;
                        (ja, alpha.saturating_mul(nv[a - 1]))
                    }
                    (Some(&ja), None) => {
                        a += 1;
                        (ja, alpha.saturating_mul(nv[a - 1]))
                    }
                    (_, Some(&jb)) => {
                        b += 1;
                        (jb, one_minus_alpha.saturating_mul(ov[b - 1]))
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
                scratch.add(*j, alpha.saturating_mul(*v));
            }
            for (j, v) in oc.iter().zip(ov) {
                scratch.add(*j, one_minus_alpha.saturating_mul(*v));
            }
            scratch.touched.sort_unstable();
            for &j in &scratch.touched {
                let acc = scratch.value[usize::from(j)];
                if acc > ZERO {
                    out.push(j, acc);
                }
            }
        }
        out.end_row();
    }
    out
}

/// Per-cell liquid-alpha EMA, emitted for the weight row's entries in its order (subtensor
/// `mat_ema_alpha_sparse` with `compute_liquid_alpha_values_sparse`).
///
/// Subtensor finds each cell's weight and bond for the sigmoid with a cursor that assumes
/// ascending columns; in a row stored unsorted it sees only the entries whose column exceeds
/// every earlier column of that row (0 for the others). The EMA itself uses the real values.
fn ema_liquid(new: &Csr, old: &Csr, consensus: &[I32F32], la: &LiquidAlpha) -> Csr {
    let n = new.rows();
    let mut out = Csr::with_capacity(n, new.nnz());
    let mut scratch = Scratch::new(n);
    let mut visible = vec![false; n];
    for i in 0..n {
        let (oc, ov) = old.row(i);
        scratch.start_row();
        let mut highest: Option<u16> = None;
        for (j, v) in oc.iter().zip(ov) {
            scratch.add(*j, *v);
            visible[usize::from(*j)] = highest.is_none_or(|h| *j > h);
            highest = highest.max(Some(*j));
        }
        let (nc, nv) = new.row(i);
        let mut highest: Option<u16> = None;
        for (&j, &w) in nc.iter().zip(nv) {
            let ju = usize::from(j);
            let w_seen = if highest.is_none_or(|h| j > h) {
                w
            } else {
                ZERO
            };
            highest = highest.max(Some(j));
            let old_value = scratch.get(j);
            let b_seen = match old_value {
                Some(b) if visible[ju] => b,
                _ => ZERO,
            };
            let a = la.alpha(consensus[ju], w_seen, b_seen);
            let decayed = match old_value {
                Some(b) => ONE.saturating_sub(a).saturating_mul(b),
                None => ZERO,
            };
            let inc = a.saturating_mul(w).max(ZERO);
            let v = decayed.saturating_add(inc).min(ONE);
            if v > ZERO {
                out.push(j, v);
            }
        }
        out.end_row();
    }
    out
}

/// A dense scratch row reused across rows: a generation stamp marks which columns hold a
/// value for the current row, so starting a row costs nothing.
struct Scratch {
    value: Vec<I32F32>,
    stamp: Vec<u32>,
    generation: u32,
    touched: Vec<u16>,
}

impl Scratch {
    fn new(n: usize) -> Self {
        Self {
            value: vec![ZERO; n],
            stamp: vec![0; n],
            generation: 0,
            touched: Vec::new(),
        }
    }

    fn start_row(&mut self) {
        self.generation += 1;
        self.touched.clear();
    }

    /// Adds to the column's value (from 0 when first touched in this row).
    fn add(&mut self, j: u16, v: I32F32) {
        let ju = usize::from(j);
        if self.stamp[ju] == self.generation {
            self.value[ju] = self.value[ju].saturating_add(v);
        } else {
            self.stamp[ju] = self.generation;
            self.value[ju] = ZERO.saturating_add(v);
            self.touched.push(j);
        }
    }

    fn get(&self, j: u16) -> Option<I32F32> {
        let ju = usize::from(j);
        (self.stamp[ju] == self.generation).then(|| self.value[ju])
    }
}

/// Rows with a new permit as stored u16 bonds (`value` maps each entry first); others empty.
fn store(
    m: &Csr,
    new_permits: &[bool],
    value: impl Fn(usize, I32F32) -> I32F32,
) -> Vec<Vec<(u16, u16)>> {
    new_permits
        .iter()
        .enumerate()
        .map(|(i, permit)| {
            if !*permit {
                return Vec::new();
            }
            let (cols, vals) = m.row(i);
            cols.iter()
                .zip(vals)
                .map(|(j, v)| (*j, fixed_proportion_to_u16(value(usize::from(*j), *v))))
                .collect()
        })
        .collect()
}
