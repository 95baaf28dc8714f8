//! Compressed sparse rows: one flat array of entries and row offsets, so that a matrix of
//! `nnz` entries costs O(n + nnz) memory and one allocation per array.

use substrate_fixed::types::I32F32;

/// A sparse matrix in compressed-row form; columns within a row are strictly increasing.
#[derive(Debug, Clone, Default)]
pub(crate) struct Csr {
    /// `ptr[i]..ptr[i + 1]` are row `i`'s entries; `ptr.len() == rows + 1`.
    pub(crate) ptr: Vec<usize>,
    /// Column of each entry.
    pub(crate) col: Vec<u16>,
    /// Value of each entry.
    pub(crate) val: Vec<I32F32>,
}

impl Csr {
    /// Empties the matrix, keeping its allocations, and makes room for `rows` rows and `nnz`
    /// entries.
    pub(crate) fn reset(&mut self, rows: usize, nnz: usize) {
        self.ptr.clear();
        self.col.clear();
        self.val.clear();
        self.ptr.reserve(rows + 1);
        self.col.reserve(nnz);
        self.val.reserve(nnz);
        self.ptr.push(0);
    }

    /// Bytes held by the matrix's allocations.
    pub(crate) fn capacity_bytes(&self) -> usize {
        self.ptr.capacity() * size_of::<usize>()
            + self.col.capacity() * size_of::<u16>()
            + self.val.capacity() * size_of::<I32F32>()
    }

    /// Appends an entry to the current (last, unfinished) row.
    #[inline]
    pub(crate) fn push(&mut self, col: u16, val: I32F32) {
        self.col.push(col);
        self.val.push(val);
    }

    /// Appends up to `max` entries to the current row: `fill` writes them to the front of the
    /// two slices it gets (each `max` long) and returns how many it wrote. Cheaper than a
    /// `push` per entry when entries are kept conditionally (write, then advance by 0 or 1).
    #[inline]
    pub(crate) fn extend_row(
        &mut self,
        max: usize,
        fill: impl FnOnce(&mut [u16], &mut [I32F32]) -> usize,
    ) {
        let start = self.col.len();
        self.col.resize(start + max, 0);
        self.val.resize(start + max, I32F32::from_bits(0));
        let written = fill(&mut self.col[start..], &mut self.val[start..]);
        self.col.truncate(start + written);
        self.val.truncate(start + written);
    }

    /// Appends every entry of `cols` to the current row, `val(k)` giving the `k`th entry's
    /// value, then drops the row's new entries whose value is not positive. Writes each entry
    /// once, without zero-filling first; the drop is a second pass only when some value is 0
    /// or negative.
    #[inline]
    pub(crate) fn extend_row_positive(&mut self, cols: &[u16], vals: impl Iterator<Item = I32F32>) {
        let start = self.col.len();
        self.col.extend_from_slice(cols);
        let mut positive = true;
        // `map`, not `inspect`: `Map` keeps the trusted length, so `extend` writes in place
        // without a capacity check per value (measured: `inspect` costs 4M instructions more
        // per classic epoch at 64 x 4096).
        #[allow(clippy::manual_inspect)]
        self.val.extend(vals.take(cols.len()).map(|v| {
            positive &= v.to_bits() > 0;
            v
        }));
        debug_assert_eq!(self.col.len(), self.val.len());
        if !positive {
            let mut k = start;
            for e in start..self.col.len() {
                let (j, v) = (self.col[e], self.val[e]);
                self.col[k] = j;
                self.val[k] = v;
                k += usize::from(v.to_bits() > 0);
            }
            self.col.truncate(k);
            self.val.truncate(k);
        }
    }

    /// Closes the current row.
    #[inline]
    pub(crate) fn end_row(&mut self) {
        self.ptr.push(self.col.len());
    }

    /// Entry range of row `i`.
    #[inline]
    pub(crate) fn range(&self, i: usize) -> std::ops::Range<usize> {
        self.ptr[i]..self.ptr[i + 1]
    }

    /// Columns and values of row `i`.
    #[inline]
    pub(crate) fn row(&self, i: usize) -> (&[u16], &[I32F32]) {
        let r = self.range(i);
        (&self.col[r.clone()], &self.val[r])
    }

    /// Number of stored entries.
    pub(crate) fn nnz(&self) -> usize {
        self.col.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits(v: &[I32F32]) -> Vec<i64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    #[test]
    fn extend_row_positive_drops_non_positive_values() {
        let mut m = Csr::default();
        m.reset(3, 8);
        let v = |xs: &[i64]| xs.iter().map(|x| I32F32::from_bits(*x)).collect::<Vec<_>>();
        m.extend_row_positive(&[1, 4, 7], v(&[5, 6, 7]).into_iter());
        m.end_row();
        m.extend_row_positive(&[0, 2, 3, 9], v(&[0, 3, -1, 2]).into_iter());
        m.end_row();
        m.extend_row_positive(&[5], v(&[0]).into_iter());
        m.end_row();
        assert_eq!(m.ptr, [0, 3, 5, 5]);
        assert_eq!(m.col, [1, 4, 7, 2, 9]);
        assert_eq!(bits(&m.val), [5, 6, 7, 3, 2]);
    }
}
