//! The fixed-alpha EMA of one sparse row, and the dense scratch row it and liquid alpha use.

use substrate_fixed::types::I32F32;

use crate::fast::csr::Csr;
use crate::fast::vector::ZERO;
use crate::fixed::{add, mul};

/// One row of `alpha * new + (1 - alpha) * old` over the union of the row's columns, positive
/// results pushed in ascending column order (subtensor `mat_ema_sparse`).
pub(super) fn ema_row(
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

/// A dense scratch row reused across rows: a generation stamp marks which columns hold a
/// value for the current row, so starting a row costs nothing.
#[derive(Default)]
pub(super) struct Scratch {
    pub(super) value: Vec<I32F32>,
    pub(super) stamp: Vec<u32>,
    generation: u32,
    pub(super) touched: Vec<u16>,
}

impl Scratch {
    /// Prepares `n` columns, none holding a value.
    pub(super) fn reset(&mut self, n: usize) {
        self.value.clear();
        self.value.resize(n, ZERO);
        self.stamp.clear();
        self.stamp.resize(n, 0);
        self.generation = 0;
        self.touched.clear();
    }

    pub(super) fn start_row(&mut self) {
        self.generation += 1;
        self.touched.clear();
    }

    /// Adds to the column's value (from 0 when first touched in this row).
    pub(super) fn add(&mut self, j: u16, v: I32F32) {
        let ju = usize::from(j);
        if self.stamp[ju] == self.generation {
            self.value[ju] = add(self.value[ju], v);
        } else {
            self.stamp[ju] = self.generation;
            self.value[ju] = v;
            self.touched.push(j);
        }
    }

    pub(super) fn get(&self, j: u16) -> Option<I32F32> {
        let ju = usize::from(j);
        (self.stamp[ju] == self.generation).then(|| self.value[ju])
    }
}
