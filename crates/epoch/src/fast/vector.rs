//! What every step of the fast path shares: the fixed-point zero and one, and normalising a
//! vector to sum 1.

use substrate_fixed::types::I32F32;

use super::divide::Divisor;
use crate::fixed::{add, safe_div};

pub(super) const ZERO: I32F32 = I32F32::from_bits(0);
pub(super) const ONE: I32F32 = I32F32::from_bits(1 << 32);

/// Divides by the sum unless it is zero (subtensor `inplace_normalize`).
pub(super) fn normalize(x: &mut [I32F32]) {
    let total = x.iter().fold(ZERO, |acc, v| add(acc, *v));
    if total <= ZERO {
        if total < ZERO {
            x.iter_mut().for_each(|v| *v = safe_div(*v, total));
        }
        return;
    }
    let divisor = Divisor::new(total.to_bits() as u64).expect("positive total");
    for v in x.iter_mut() {
        if *v != ZERO {
            *v = divisor.div_fixed(*v);
        }
    }
}
