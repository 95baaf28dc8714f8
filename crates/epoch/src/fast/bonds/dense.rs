//! Classic bonds of a dense subnet, one column at a time.
//!
//! The usual subnet is dense: every validator weights the same miners and holds a bond to
//! each of them, so every row with weights or bonds is in the steady state on one shared
//! list of columns. Then each column's whole bond step depends only on that column (its bond
//! sum, its delta sum, its EMA sum and maximum, its incentive): the step runs column by
//! column over a small transposed block, with the column's divisors in registers, and never
//! writes the EMA matrix out. Each cell goes through the general path's operations, in plain
//! 64-bit arithmetic that the dense case's bounds make exact (see [`Dense::find`]); only the
//! order of the dividends' additions changes, which cannot change their exact sums.

use substrate_fixed::types::I32F32;

use super::context::{Context, Outcome, ascending};
use crate::fast::divide::{DivideProportion, Proportion, U16Divisor};
use crate::fast::vector::{ONE, ZERO, normalize};

/// The shape of a dense subnet: the rows with weights or bonds, and their shared columns.
pub(super) struct Dense<'a> {
    /// Rows with entries, ascending.
    rows: Vec<usize>,
    /// The columns every such row names, ascending.
    cols: &'a [u16],
}

impl<'a> Dense<'a> {
    /// The dense shape of the bond step, or `None` when the general path must run.
    ///
    /// Dense means: every row either has no weights for bonds (counting a row without active
    /// stake as empty) and no bonds, or has weights for bonds on exactly the shared columns
    /// and bonds on exactly the same columns; the shared columns ascend and all keep their
    /// bonds. The bounds that make [`ColumnStep`]'s 64-bit arithmetic exact: the EMA factor
    /// is strictly between 0 and 1, every stake of a row with entries and every incentive is
    /// below 1, and too few rows for a column's bond sum to reach the cap of subtensor's
    /// saturating sum (see [`super::classic::BOND_SUM_CAP`]). Then a row's dividend terms (each at
    /// most its column's incentive) cannot saturate, so adding them column by column gives the
    /// general path's row sums.
    pub(super) fn find(ctx: &Context<'a>, alpha: I32F32, kept: &[bool]) -> Option<Self> {
        let below_one = |x: &I32F32| (ZERO..ONE).contains(x);
        if alpha <= ZERO || alpha >= ONE || !ctx.incentive.iter().all(below_one) {
            return None;
        }
        let wfb = ctx.weights_for_bonds;
        let mut rows = Vec::new();
        let mut shared: Option<&'a [u16]> = None;
        for (i, bonds) in ctx.input.bonds.iter().enumerate() {
            let s = ctx.active_stake[i];
            let cols = if s == ZERO { &[][..] } else { wfb.row(i).0 };
            if cols.is_empty() && bonds.is_empty() {
                continue;
            }
            let same_bonds = cols.len() == bonds.len()
                && cols
                    .iter()
                    .zip(bonds)
                    .fold(true, |ok, (&j, &(b, _))| ok & (j == b));
            let shared = *shared.get_or_insert(cols);
            if !below_one(&s) || cols.is_empty() || cols != shared || !same_bonds {
                return None;
            }
            rows.push(i);
        }
        let cols = shared?;
        if rows.len() as u64 * u64::from(u16::MAX) >= super::classic::BOND_SUM_CAP {
            return None;
        }
        let kept_all = cols.iter().fold(true, |ok, &j| ok & kept[usize::from(j)]);
        (ascending(cols) && kept_all).then_some(Self { rows, cols })
    }

    /// Dividends (normalised) and stored rows, as [`super::classic::classic`] computes them; `None` when
    /// a column's delta sum is not what [`ColumnStep::ema`] expects (the general path then
    /// runs).
    pub(super) fn classic(
        &self,
        ctx: &Context<'_>,
        alpha: I32F32,
        th: &[I32F32],
        scratch: &mut Scratch,
    ) -> Option<Outcome> {
        let bits = |x: I32F32| x.to_bits() as u64;
        let alpha = (bits(alpha), bits(ONE - alpha));
        let r_count = self.rows.len();
        let width = self.cols.len();
        let stakes: Vec<u64> = self
            .rows
            .iter()
            .map(|&i| bits(ctx.active_stake[i]))
            .collect();
        let weights: Vec<&[I32F32]> = self
            .rows
            .iter()
            .map(|&i| ctx.weights_for_bonds.row(i).1)
            .collect();
        let bonds: Vec<&[(u16, u16)]> = self
            .rows
            .iter()
            .map(|&i| ctx.input.bonds[i].as_slice())
            .collect();
        // Every row's stored bonds, one per shared column; cells whose EMA bond is 0 are
        // written as (u16::MAX, 0), never a uid, and dropped at the end.
        let mut stored = vec![vec![(0u16, 0u16); width]; r_count];
        let mut dividends = vec![0u64; r_count];

        // Columns per block: the block's transposed cells stay within about 32 KiB.
        let block = (32 * 1024 / (r_count * BYTES_PER_CELL)).clamp(1, width);
        scratch.weights.resize(block * r_count, ZERO);
        scratch.bonds.resize(block * r_count, 0);
        scratch.ema.resize(r_count, 0);
        let Scratch {
            weights: wt,
            bonds: bt,
            ema,
        } = scratch;
        let mut skipped = false;
        let mut k0 = 0;
        while k0 < width {
            let k1 = (k0 + block).min(width);
            // Transpose the block: the cells of its column c at c * r_count.
            for (r, (w, b)) in weights.iter().zip(&bonds).enumerate() {
                let columns = wt
                    .chunks_exact_mut(r_count)
                    .zip(bt.chunks_exact_mut(r_count));
                for ((w_col, b_col), (w, b)) in columns.zip(w[k0..k1].iter().zip(&b[k0..k1])) {
                    w_col[r] = *w;
                    b_col[r] = b.1;
                }
            }
            for k in k0..k1 {
                let j = usize::from(self.cols[k]);
                let cells = (k - k0) * r_count..(k - k0 + 1) * r_count;
                let column = ColumnStep {
                    th: bits(th[j].max(ZERO)),
                    incentive: bits(ctx.incentive[j]),
                    delta_sum: ctx.delta_sum.map(|sums| sums[j]),
                    alpha,
                };
                let top = column.ema(&wt[cells.clone()], &bt[cells], &stakes, ema)?;
                skipped |= column.dividends(&top, ema, &mut dividends, (&mut stored, k, j as u16));
            }
            k0 = k1;
        }

        let mut out = vec![ZERO; ctx.n];
        for (&i, d) in self.rows.iter().zip(&dividends) {
            out[i] = I32F32::from_bits(*d as i64);
        }
        normalize(&mut out);
        let mut stored_all = vec![Vec::new(); ctx.n];
        for (&i, mut row) in self.rows.iter().zip(stored) {
            if ctx.new_permits[i] {
                if skipped {
                    row.retain(|(j, _)| *j != u16::MAX);
                }
                stored_all[i] = row;
            }
        }
        Some((out, stored_all))
    }
}

/// Bytes of one transposed cell: an I32F32 weight and a u16 bond.
const BYTES_PER_CELL: usize = size_of::<I32F32>() + size_of::<u16>();

/// Buffers of the dense bond step, reused between epochs.
#[derive(Default)]
pub(super) struct Scratch {
    /// A block of weights for bonds, column by column.
    weights: Vec<I32F32>,
    /// The same block's bonds.
    bonds: Vec<u16>,
    /// One column's EMA bonds (bits).
    ema: Vec<u64>,
}

impl Scratch {
    /// Bytes held by the buffers.
    pub(super) fn capacity_bytes(&self) -> usize {
        self.weights.capacity() * size_of::<I32F32>()
            + self.ema.capacity() * size_of::<u64>()
            + self.bonds.capacity() * size_of::<u16>()
    }
}

/// One column's constants.
struct ColumnStep {
    /// Threshold the weights for bonds are clipped at (bits, at least 0).
    th: u64,
    /// The column's incentive (bits, below 2^32).
    incentive: u64,
    /// Column sum of weights for bonds x active stake, when already known.
    delta_sum: Option<I32F32>,
    /// The EMA factor and one minus it (bits, each below 2^32).
    alpha: (u64, u64),
}

/// What [`fill_ema`] adds up over a column.
struct Tally {
    /// Sum of the EMA bonds.
    sum: u64,
    /// Their maximum.
    max: u64,
    /// Whether some EMA bond is 0 (and is not stored).
    has_zero: bool,
    /// Sum of the products (weight for bonds x stake).
    products: u64,
}

/// Writes a column's EMA bonds from its products `x` (weight for bonds x stake) and stored
/// bonds `b`, normalising the products by `delta` and the bonds by `bond`. Wrapping
/// arithmetic: the results are exact when the products add up to the delta sum, which the
/// caller checks, and are discarded otherwise.
#[inline(always)]
fn fill_ema(
    delta: impl DivideProportion,
    cells: impl Iterator<Item = (u64, u16)>,
    (alpha, one_minus_alpha): (u64, u64),
    bond: U16Divisor,
    ema: &mut [u64],
) -> Tally {
    let (mut sum, mut max, mut min, mut products) = (0u64, 0, u64::MAX, 0u64);
    for (e, (x, b)) in ema.iter_mut().zip(cells) {
        products = products.wrapping_add(x);
        let new = delta.proportion(x);
        let old = bond.div(b);
        let v =
            (alpha.wrapping_mul(new) >> 32).wrapping_add(one_minus_alpha.wrapping_mul(old) >> 32);
        sum = sum.wrapping_add(v);
        max = max.max(v);
        min = min.min(v);
        *e = v;
    }
    Tally {
        sum,
        max,
        has_zero: min == 0,
        products,
    }
}

/// A column's EMA bonds normalised: by their exact sum, then by the normalised maximum.
struct Top {
    norm: Proportion,
    up: Proportion,
    /// Whether some EMA bond is 0.
    has_zero: bool,
}

impl ColumnStep {
    /// The column's EMA bonds into `ema` (bits, one per row), from its weights for bonds `w`
    /// and stored bonds `b`.
    ///
    /// In plain 64-bit arithmetic, exact because of [`Dense::find`]'s bounds: a weight (at
    /// most 1) times a stake (below 1) does not overflow, and its product `x` is at most the
    /// column's delta sum, so the normalised delta and bond are at most 1 and their products
    /// with the EMA factors (below 1) fit too. `None` when the delta sum given is not the sum
    /// of the products (never: it is the column's rank, the same products added up; the
    /// general path would then run).
    #[inline(always)]
    fn ema(&self, w: &[I32F32], b: &[u16], stakes: &[u64], ema: &mut [u64]) -> Option<Top> {
        let th = self.th;
        let bond = U16Divisor::sum_or_one(b.iter().map(|v| u64::from(*v)).sum());
        let products = w
            .iter()
            .zip(stakes)
            .map(move |(w, s)| (s * (w.to_bits() as u64).min(th)) >> 32);
        // The delta sum is usually given (the column's rank); the EMA pass then checks it
        // against the products it adds up.
        let delta_sum = match self.delta_sum {
            Some(given) => u64::try_from(given.to_bits()).ok()?,
            None => products.clone().sum(),
        };
        let cells = products.zip(b.iter().copied());
        let tally = match Proportion::sum_or_one(delta_sum) {
            Proportion::Narrow(delta) => fill_ema(delta, cells, self.alpha, bond, ema),
            Proportion::Unit(delta) => fill_ema(delta, cells, self.alpha, bond, ema),
            Proportion::Wide(delta) => fill_ema(delta, cells, self.alpha, bond, ema),
        };
        if tally.products != delta_sum {
            return None;
        }
        let norm = Proportion::sum_or_one(tally.sum);
        let top = if tally.max > 0 {
            norm.proportion(tally.max)
        } else {
            0
        };
        Some(Top {
            norm,
            up: Proportion::sum_or_one(top),
            has_zero: tally.has_zero,
        })
    }

    /// Adds the column's share to each row's dividends and writes each row's stored bond for
    /// column `j` at position `k` (the normalised EMA bond over the normalised maximum, as a
    /// u16 proportion), or `(u16::MAX, 0)` where the EMA bond is 0; returns whether it wrote
    /// such a cell. `ema` is overwritten with the normalised bonds.
    #[inline(always)]
    fn dividends(
        &self,
        top: &Top,
        ema: &mut [u64],
        dividends: &mut [u64],
        (stored, k, j): (&mut [Vec<(u16, u16)>], usize, u16),
    ) -> bool {
        match top.norm {
            Proportion::Narrow(n) => self.pay(n, ema, dividends),
            Proportion::Unit(n) => self.pay(n, ema, dividends),
            Proportion::Wide(n) => self.pay(n, ema, dividends),
        }
        let plain = |_: u64, up: u64| (j, ((up * u64::from(u16::MAX)) >> 32) as u16);
        // A zero normalised bond comes from a zero EMA bond (see `store`); it is marked.
        let marked = |v: u64, up: u64| if v == 0 { (u16::MAX, 0) } else { plain(v, up) };
        let rows = (stored, k);
        match (top.up, top.has_zero) {
            (Proportion::Narrow(u), false) => store(u, ema, rows, plain),
            (Proportion::Narrow(u), true) => store(u, ema, rows, marked),
            (Proportion::Unit(u), false) => store(u, ema, rows, plain),
            (Proportion::Unit(u), true) => store(u, ema, rows, marked),
            (Proportion::Wide(u), false) => store(u, ema, rows, plain),
            (Proportion::Wide(u), true) => store(u, ema, rows, marked),
        }
        top.has_zero
    }

    /// Normalises the column's EMA bonds in place by `norm` and adds each row's dividend term.
    #[inline(always)]
    fn pay(&self, norm: impl DivideProportion, ema: &mut [u64], dividends: &mut [u64]) {
        let incentive = self.incentive;
        for (e, d) in ema.iter_mut().zip(dividends) {
            // Every EMA bond is at most the sum: a proportion.
            *e = norm.proportion(*e);
            *d += (incentive * *e) >> 32;
        }
    }
}

/// Writes each row's stored bond at position `k`: `cell(v, up)` of its normalised bond `v`
/// and `v` over the normalised maximum (`up`). `v` is 0 exactly where the EMA bond is 0: the
/// EMA bonds of a column sum to at most 1 (each term is at most its factor times a normalised
/// value), so a positive one normalises to at least 1 bit.
#[inline(always)]
fn store(
    up: impl DivideProportion,
    normalised: &[u64],
    (stored, k): (&mut [Vec<(u16, u16)>], usize),
    cell: impl Fn(u64, u64) -> (u16, u16),
) {
    for (v, row) in normalised.iter().zip(stored) {
        // Every normalised bond is at most the maximum; the stored bond is at most 65535.
        row[k] = cell(*v, up.proportion(*v));
    }
}
