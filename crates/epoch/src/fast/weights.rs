//! The weights an epoch counts: masked and row-normalised.

use substrate_fixed::types::I32F32;

use super::csr::Csr;
use super::divide::U16Divisor;
use crate::types::Input;

/// Weight rows of permitted validators without self-weights (owner's kept) and without
/// entries set before the target registered, each divided by its sum, into `w`.
///
/// A row of raw u16 weights `w` with sum `S` normalises to `floor(w * 2^32 / S)`, which is
/// subtensor's I32F32 quotient.
#[inline(never)]
pub(super) fn masked_weights(input: &Input, permits: &[bool], owner: Option<usize>, w: &mut Csr) {
    let n = input.weights.len();
    let nnz = input
        .weights
        .iter()
        .zip(permits)
        .filter(|(_, p)| **p)
        .map(|(r, _)| r.len())
        .sum();
    w.reset(n, nnz);
    let registered = &input.block_at_registration;
    let last_registered = registered.iter().copied().max().unwrap_or(0);
    for (i, row) in input.weights.iter().enumerate() {
        if permits[i] {
            let updated = input.last_update[i];
            // Rows updated after every registration lose no entry to the registration mask.
            let check_registered = updated <= last_registered;
            let self_uid = if owner == Some(i) { usize::MAX } else { i };
            if !check_registered {
                // Only the validator's own entry can be masked: one pass (vectorised, without
                // early exit) sums the row and looks for it.
                let (sum, has_self) = row.iter().fold((0u64, false), |(sum, has_self), e| {
                    (
                        sum + u64::from(e.1),
                        has_self | (usize::from(e.0) == self_uid),
                    )
                });
                if !has_self {
                    // Nothing masked (the usual case): copy the row.
                    let divisor = U16Divisor::sum_or_one(sum);
                    w.col.extend(row.iter().map(|e| e.0));
                    w.val.extend(
                        row.iter()
                            .map(|e| I32F32::from_bits(divisor.div(e.1) as i64)),
                    );
                    w.end_row();
                    continue;
                }
            }
            let keep = |j: usize| j != self_uid && !(check_registered && updated <= registered[j]);
            let sum: u64 = row
                .iter()
                .filter(|(j, _)| keep(usize::from(*j)))
                .map(|(_, v)| u64::from(*v))
                .sum();
            let divisor = U16Divisor::sum_or_one(sum);
            for &(j, v) in row {
                if keep(usize::from(j)) {
                    // A zero sum leaves the (zero) values as they are.
                    let bits = divisor.div(v);
                    w.push(j, I32F32::from_bits(bits as i64));
                }
            }
        }
        w.end_row();
    }
}
