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

/// Division of a u16 value in the integer part (`b * 2^32`) by a sum of u16 values, exact
/// with one shift and one multiplication: `floor(b * 2^32 / d) = floor((b * 2^t) * m / 2^64)`
/// for a per-divisor multiplier `m < 2^64` and shift `t`.
///
/// With `m = ceil(2^k / d)` and `e = m * d - 2^k` (so `0 <= e < d`), `x * m / 2^k = x / d +
/// x * e / (d * 2^k)`, and the floor is `floor(x / d)` when the error term is below `1 / d`
/// (the distance from `x / d` to the next integer is at least `1 / d`), that is when
/// `x * e < 2^k`. For `x = b * 2^32 < 2^48`: `k = 64` serves `d <= 2^16`, `k = 80` serves
/// `d <= 2^32`, `k = 96` serves `d < 2^48`, each where `m` stays below 2^64; then
/// `t = 96 - k`. A sum of u16 values over fewer than 2^32 rows is below 2^48.
#[derive(Debug, Clone, Copy)]
pub(crate) struct U16Divisor {
    /// The multiplier `m`.
    m: u64,
    /// The shift `t` of the dividend.
    t: u32,
}

impl U16Divisor {
    /// Division by the sum `d`, or by 1.0 (no change: `b`) when the sum is 0, as
    /// [`Divisor::sum_or_one`].
    pub(crate) fn sum_or_one(d: u64) -> Self {
        assert!(d < 1 << 48, "a sum of u16 values over fewer than 2^32 rows");
        let ceil = |k: u32| (1u128 << k).div_ceil(u128::from(d)) as u64;
        match d {
            // b = (b * 2^32) * 2^32 / 2^64 and b * 2^32 = (b * 2^48) * 2^48 / 2^64, exactly.
            0 => Self { m: 1 << 32, t: 32 },
            1 => Self { m: 1 << 48, t: 48 },
            2..=0x1_0000 => Self { m: ceil(64), t: 32 },
            0x1_0001..=0x1_0000_0000 => Self { m: ceil(80), t: 16 },
            _ => Self { m: ceil(96), t: 0 },
        }
    }

    /// `floor(b * 2^32 / d)` (`b` when the sum was 0).
    #[inline]
    pub(crate) fn div(self, b: u16) -> u64 {
        ((u128::from(u64::from(b) << self.t) * u128::from(self.m)) >> 64) as u64
    }
}

/// Exact division of a proportion of the divisor, `floor(x * 2^32 / d)` for `0 <= x <= d`:
/// the normalisation of a column by its own sum or maximum.
///
/// [`Proportion::Narrow`] divides with one shift and one multiplication, for divisors below
/// 2^31: with `L` the divisor's bit length, `m = ceil(2^k / d)` for `k = 32 + 2L` and `e = m
/// * d - 2^k` (`0 <= e < d`), `floor(N * m / 2^k) = floor(N / d)` when `N * e < 2^k` (as for
/// [`U16Divisor`]), which `N = x * 2^32 <= d * 2^32 < 2^(L + 32)` and `e < 2^L` give. So the
/// quotient is `floor((x * 2^t) * m / 2^64)` with `t = 64 - 2L`, where `x * 2^t < 2^(64 - L)`
/// and `m = ceil(2^(32 + 2L) / d) <= 2^(33 + L)` fit in 64 bits for `L <= 30`, and for
/// `L = 31` unless `d = 2^30` (where `m = 2^64`).
///
/// [`Proportion::Unit`] serves divisors of exactly 32 bits, `2^31 < d < 2^32` (the sum of a
/// normalised column, just below 1): with `k = 96` the multiplier `M = ceil(2^96 / d)` lies
/// in `(2^64, 2^65)`, and `N * e < 2^64 * 2^32` for `x < 2^32`, so the quotient is
/// `floor(x * M / 2^64) = x + floor(x * (M - 2^64) / 2^64)`. Other divisors take [`Divisor`].
#[derive(Debug, Clone, Copy)]
pub(crate) enum Proportion {
    /// One shift and one multiplication.
    Narrow(Narrow),
    /// One multiplication and one addition.
    Unit(Unit),
    /// Division by reciprocal with one correction.
    Wide(Divisor),
}

/// `M - 2^64` of [`Proportion::Unit`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Unit {
    m: u64,
}

impl DivideProportion for Unit {
    #[inline(always)]
    fn proportion(self, x: u64) -> u64 {
        x + ((u128::from(x) * u128::from(self.m)) >> 64) as u64
    }
}

/// The multiplier `m` and dividend shift `t` of [`Proportion::Narrow`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Narrow {
    m: u64,
    t: u32,
}

/// Exact `floor(x * 2^32 / d)` for `x <= d`, with `d` fixed.
pub(crate) trait DivideProportion: Copy {
    /// The quotient.
    fn proportion(self, x: u64) -> u64;
}

impl DivideProportion for Narrow {
    #[inline(always)]
    fn proportion(self, x: u64) -> u64 {
        ((u128::from(x << self.t) * u128::from(self.m)) >> 64) as u64
    }
}

impl DivideProportion for Divisor {
    #[inline(always)]
    fn proportion(self, x: u64) -> u64 {
        self.div_shifted(x)
    }
}

impl Proportion {
    /// Division by `d`, or by 1.0 (no change) when `d` is 0, as [`Divisor::sum_or_one`].
    pub(crate) fn sum_or_one(d: u64) -> Self {
        let bits = u64::BITS - d.leading_zeros();
        match d {
            // x = (x * 2^32) * 2^32 / 2^64.
            0 => Self::Narrow(Narrow { m: 1 << 32, t: 32 }),
            _ if bits < 32 && d != 1 << 30 => Self::Narrow(Narrow {
                m: (1u128 << (32 + 2 * bits)).div_ceil(u128::from(d)) as u64,
                t: 64 - 2 * bits,
            }),
            _ if bits == 32 && d != 1 << 31 => Self::Unit(Unit {
                m: ((1u128 << 96).div_ceil(u128::from(d)) - (1u128 << 64)) as u64,
            }),
            _ => Self::Wide(Divisor::sum_or_one(d)),
        }
    }

    /// `floor(x * 2^32 / d)` for `x <= d` (`x` when `d` was 0), dispatching per call.
    pub(crate) fn proportion(self, x: u64) -> u64 {
        match self {
            Self::Narrow(n) => n.proportion(x),
            Self::Unit(u) => u.proportion(x),
            Self::Wide(w) => w.proportion(x),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `floor(b * 2^32 / d)`, or `b` for `d == 0`.
    fn exact(b: u16, d: u64) -> u64 {
        match d {
            0 => u64::from(b),
            _ => ((u128::from(b) << 32) / u128::from(d)) as u64,
        }
    }

    #[test]
    fn u16_divisor_at_the_edges() {
        let mut ds = vec![0u64, 1, 2, 3, 65_535, 127 * 65_535, (1 << 48) - 1];
        for p in [16, 32, 40, 47] {
            ds.extend([(1u64 << p) - 1, 1 << p, (1 << p) + 1]);
        }
        for d in ds {
            let dv = U16Divisor::sum_or_one(d);
            for b in 0..=u16::MAX {
                assert_eq!(dv.div(b), exact(b, d), "b = {b}, d = {d}");
            }
        }
    }
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
        fn u16_divisor_is_floor(
            b in any::<u16>(),
            d in proptest::prop_oneof![0u64..1 << 17, 0u64..1 << 33, 0u64..1 << 48],
        ) {
            prop_assert_eq!(U16Divisor::sum_or_one(d).div(b), exact(b, d));
        }

        #[test]
        fn proportion_is_floor(
            d in proptest::prop_oneof![
                0u64..1 << 12,
                0u64..1 << 31,
                1u64 << 29..1 << 33,
                0u64..1 << 40,
                (0u32..40).prop_map(|p| 1u64 << p),
            ],
            fraction in 0u64..=1 << 20,
        ) {
            let x = ((u128::from(d) * u128::from(fraction)) >> 20) as u64;
            let want = match d {
                0 => u128::from(x),
                _ => (u128::from(x) << 32) / u128::from(d),
            };
            prop_assert_eq!(u128::from(Proportion::sum_or_one(d).proportion(x)), want);
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
    fn proportion_at_the_edges() {
        for bits in 1..=40u32 {
            for d in [(1u64 << bits) - 1, 1 << (bits - 1), (1 << (bits - 1)) + 1] {
                let p = Proportion::sum_or_one(d);
                for x in [0, 1, d / 3, d / 2, d.saturating_sub(1), d] {
                    let want = ((u128::from(x) << 32) / u128::from(d)) as u64;
                    assert_eq!(p.proportion(x), want, "x = {x}, d = {d}");
                }
            }
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
