//! What both bond mechanisms read and reuse: the step's inputs, buffers kept between epochs,
//! the steady-state test of a row, clipping, and column sums as subtensor takes them.

use substrate_fixed::types::I32F32;

use super::ema::Scratch;
use crate::fast::csr::Csr;
use crate::fast::divide::Divisor;
use crate::fast::vector::ZERO;
use crate::types::Input;

/// What a bond step returns: dividends (normalised) and the stored bond rows.
pub(super) type Outcome = (Vec<I32F32>, Vec<Vec<(u16, u16)>>);

/// What both bond variants read.
pub(crate) struct Context<'a> {
    /// Number of uids.
    pub(crate) n: usize,
    /// The epoch input (stored bonds, registration blocks).
    pub(crate) input: &'a Input,
    /// Weights after the bonds penalty.
    pub(crate) weights_for_bonds: &'a Csr,
    /// Normalised active stake.
    pub(crate) active_stake: &'a [I32F32],
    /// Incentive (normalised ranks).
    pub(crate) incentive: &'a [I32F32],
    /// Bond columns of uids registered at or after this block are dropped.
    pub(crate) last_tempo: u64,
    /// New validator permits: only these rows are stored.
    pub(crate) new_permits: &'a [bool],
    /// Column sums of weights for bonds x active stake, when already known.
    pub(crate) delta_sum: Option<&'a [I32F32]>,
    /// When given, the weights for bonds are `weights_for_bonds` clipped at these thresholds
    /// (an entry above its threshold becomes the threshold, floored at 0). An entry clipped to
    /// 0 changes no fixed-alpha EMA bond, exactly as if it were absent.
    pub(crate) clip_at: Option<&'a [I32F32]>,
}

impl Context<'_> {
    /// Thresholds at which to clip the weights for bonds (`I32F32::MAX` when they are used as
    /// they are: every weight is non-negative, so clipping at the maximum changes nothing).
    pub(super) fn thresholds(&self) -> std::borrow::Cow<'_, [I32F32]> {
        match self.clip_at {
            Some(th) => std::borrow::Cow::Borrowed(th),
            None => std::borrow::Cow::Owned(vec![I32F32::max_value(); self.n]),
        }
    }

    /// Whether bonds towards each column survive: its uid registered before the last tempo.
    pub(super) fn kept_columns(&self) -> Vec<bool> {
        self.input
            .block_at_registration
            .iter()
            .map(|registered| self.last_tempo > *registered)
            .collect()
    }

    /// Row `i` of the stored bonds without dropped columns, mapped by `value(column, bond)`,
    /// into `cols` and `vals` (cleared first); entry order kept.
    pub(super) fn old_row(
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
pub(crate) struct Buffers {
    /// The EMA bonds.
    pub(super) ema: Csr,
    /// Dense scratch row for unsorted or mismatched rows.
    pub(super) scratch: Scratch,
    /// The current row's old bonds.
    pub(super) old: Row,
    /// The current row's new values.
    pub(super) new_vals: Vec<I32F32>,
    /// Blocks of a dense subnet's classic bond step.
    pub(super) dense: super::dense::Scratch,
}

impl Buffers {
    /// Bytes held by the buffers.
    pub(crate) fn capacity_bytes(&self) -> usize {
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
pub(super) struct Row {
    pub(super) cols: Vec<u16>,
    pub(super) vals: Vec<I32F32>,
}

impl Row {
    pub(super) fn clear(&mut self) {
        self.cols.clear();
        self.vals.clear();
    }
}

/// Whether a bond row names exactly the (ascending) columns of the weight row, all kept: the
/// steady state, where the EMA is one element-wise pass in the rows' own order.
pub(super) fn matches(cols: &[u16], bonds: &[(u16, u16)], kept: &[bool]) -> bool {
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
pub(super) fn ascending(cols: &[u16]) -> bool {
    cols.windows(2).fold(true, |ok, w| ok & (w[0] < w[1]))
}

/// EMA bonds of this size or more make the 64-bit column sums inexact: with fewer than 2^16
/// rows, sums of smaller bonds stay below 2^56.
pub(super) const WIDE_BOND: u64 = 1 << 40;

/// Column sums of positive EMA bonds as subtensor's `inplace_col_normalize_sparse` takes them:
/// in I32F32 with `saturating_add`, which for non-negative terms is the exact sum capped at
/// `I32F32::MAX`. Summed in 64 bits while every bond is below [`WIDE_BOND`] (always, unless a
/// bonds moving average above 100% inflates the bonds), otherwise summed again in 128 bits.
#[derive(Default)]
pub(super) struct Sums {
    /// Bitwise or of every added bond.
    seen: u64,
}

impl Sums {
    /// Records an added bond's bits.
    #[inline]
    pub(super) fn note(&mut self, bits: u64) {
        self.seen |= bits;
    }

    /// Divisors by the saturated sums: `narrow` when every bond was small (no sum then
    /// reaches the cap), else recomputed from `ema`.
    pub(super) fn divisors(
        &self,
        narrow: impl Iterator<Item = u64>,
        ema: &Csr,
        n: usize,
    ) -> Vec<Divisor> {
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
pub(super) type ClippedRow<'a> = (&'a [u16], &'a [I32F32], &'a [I32F32]);

/// A weight for bonds clipped at threshold `th` (see [`Context::clip_at`]).
#[inline(always)]
pub(super) fn clip(w: I32F32, th: I32F32) -> I32F32 {
    w.min(th).max(ZERO)
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
}
