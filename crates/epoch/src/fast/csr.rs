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
