//! Exact fixed-point division by a divisor shared by many dividends (a row or column sum).
//!
//! `substrate-fixed` divides I32F32 values as `(a << 32) / d` in i128 and truncates. For the
//! non-negative dividends of the epoch the quotient is `floor(a * 2^32 / d)`. Dividing a 64-bit
//! numerator by a precomputed reciprocal gives the same integer: the estimate
//! `floor(x * floor(2^64 / d) / 2^64)` is at most one below the true quotient, and one
//! correction step fixes it. Numerators that do not fit in 64 bits take the wide division.

use substrate_fixed::types::I32F32;

use crate::fixed::safe_div;

/// A positive divisor with its reciprocal, for repeated exact division.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Divisor {
    /// The divisor (> 0).
    d: u64,
    /// `floor(2^64 / d)`, or `u64::MAX` when `d == 1`.
    recip: u64,
}

impl Divisor {
    /// Prepares division by `d`; `None` when `d` is 0.
    pub(crate) fn new(d: u64) -> Option<Self> {
        match d {
            0 => None,
            1 => Some(Self { d, recip: u64::MAX }),
            _ => Some(Self {
                d,
                recip: ((1u128 << 64) / u128::from(d)) as u64,
            }),
        }
    }

    /// Division by the sum `d`, or by 1.0 (no change) when the sum is 0: the "divide where
    /// the sum is non-zero" of subtensor's normalisations, without a branch per entry.
    pub(crate) fn sum_or_one(d: u64) -> Self {
        Self::new(d).unwrap_or(Self {
            d: 1 << 32,
            recip: 1 << 32,
        })
    }

    /// `floor(x / d)`.
    #[inline]
    pub(crate) fn div(self, x: u64) -> u64 {
        let q = ((u128::from(x) * u128::from(self.recip)) >> 64) as u64;
        let r = x - q * self.d;
        if r >= self.d { q + 1 } else { q }
    }

    /// `floor(x * 2^32 / d)` for `x * 2^32 < 2^128`, exact.
    #[inline]
    pub(crate) fn div_shifted(self, x: u64) -> u64 {
        if x >> 32 == 0 {
            self.div(x << 32)
        } else {
            ((u128::from(x) << 32) / u128::from(self.d)) as u64
        }
    }

    /// The I32F32 quotient `a / b` where `b` is this divisor's bits, as subtensor's `safe_div`.
    #[inline]
    pub(crate) fn div_fixed(self, a: I32F32) -> I32F32 {
        let bits = a.to_bits();
        if (0..1 << 32).contains(&bits) {
            I32F32::from_bits(self.div((bits as u64) << 32) as i64)
        } else {
            safe_div(a, I32F32::from_bits(self.d as i64))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn div_is_floor(x in any::<u64>(), d in 1u64..) {
            let dv = Divisor::new(d).expect("non-zero");
            prop_assert_eq!(dv.div(x), x / d);
        }

        #[test]
        fn div_fixed_matches_substrate_fixed(a in 0i64..1 << 40, d in 1i64..1 << 40) {
            let dv = Divisor::new(d as u64).expect("non-zero");
            prop_assert_eq!(
                dv.div_fixed(I32F32::from_bits(a)),
                safe_div(I32F32::from_bits(a), I32F32::from_bits(d))
            );
        }

        #[test]
        fn div_shifted_is_floor(x in 0u64..1 << 40, d in 1u64 << 20..) {
            let dv = Divisor::new(d).expect("non-zero");
            prop_assert_eq!(
                u128::from(dv.div_shifted(x)),
                (u128::from(x) << 32) / u128::from(d)
            );
        }
    }

    #[test]
    fn sum_or_one_keeps_values_for_a_zero_sum() {
        let one = Divisor::sum_or_one(0);
        for bits in [0i64, 1, 1 << 31, (1 << 32) - 1, 1 << 32, 5 << 40] {
            let x = I32F32::from_bits(bits);
            assert_eq!(one.div_fixed(x), x);
        }
    }

    #[test]
    fn edges() {
        assert!(Divisor::new(0).is_none());
        let one = Divisor::new(1).expect("non-zero");
        assert_eq!(one.div(u64::MAX), u64::MAX);
        let big = Divisor::new(u64::MAX).expect("non-zero");
        assert_eq!(big.div(u64::MAX), 1);
        assert_eq!(big.div(u64::MAX - 1), 0);
    }
}
