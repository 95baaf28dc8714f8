//! Liquid alpha of one cell with integer arithmetic that reproduces `substrate-fixed`'s
//! `transcendental::exp` bit for bit.
//!
//! `exp::<I32F32, I32F32>(x)` sums the Taylor series of `|x|` for the 30 terms `i = 2..32`,
//! each `term = floor(term * |x| / 2^32)` then truncated by `i`, and inverts the sum for a
//! negative `x`; `x = 1` returns the I9F23 constant `e`. Subtensor clamps `x` to `[-20, 20]`
//! first, where nothing overflows. Here the same steps run on raw bits, with divisions by
//! the constants 2..31 that the compiler turns into multiplications, and stop early once a term
//! reaches 0 (every later term would add 0).

use substrate_fixed::transcendental::exp;
use substrate_fixed::types::I32F32;

use crate::fixed::clamp_value;

const ONE_BITS: i64 = 1 << 32;
const ZERO: I32F32 = I32F32::from_bits(0);
const ONE: I32F32 = I32F32::from_bits(ONE_BITS);

/// `exp(x)` with `x` clamped to `[-20, 20]` (subtensor `exp_safe`), exactly.
pub(crate) fn exp_safe(input: I32F32) -> I32F32 {
    let x = input
        .clamp(I32F32::from_num(-20), I32F32::from_num(20))
        .to_bits();
    if x == 0 {
        return ONE;
    }
    if x == ONE_BITS {
        // The series is skipped for exactly 1; take the library's constant.
        return exp::<I32F32, I32F32>(ONE).unwrap_or(ONE);
    }
    let op = x.unsigned_abs();
    let mut result = op + ONE_BITS as u64;
    let mut term = op;
    for i in 2..32u64 {
        // floor(term * op / 2^32); below 2^63 for |x| <= 20 (max term ~4.3e7 * 20).
        term = ((u128::from(term) * u128::from(op)) >> 32) as u64;
        term /= i;
        if term == 0 {
            break;
        }
        result += term;
    }
    if x < 0 {
        // floor(2^64 / result), result >= 2^32.
        I32F32::from_bits(div_2_64(result) as i64)
    } else {
        I32F32::from_bits(result as i64)
    }
}

/// `floor(2^64 / d)` for `d > 1`.
fn div_2_64(d: u64) -> u64 {
    let q = u64::MAX / d;
    let r = u64::MAX % d;
    if r + 1 == d { q + 1 } else { q }
}

/// Precomputed per-epoch constants of the liquid-alpha sigmoid.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LiquidAlpha {
    /// `steepness / -100`.
    scale: I32F32,
    low: I32F32,
    high: I32F32,
    span: I32F32,
}

impl LiquidAlpha {
    /// Constants for `alpha_low`, `alpha_high` and the sigmoid steepness.
    pub(crate) fn new(low: I32F32, high: I32F32, steepness: I32F32) -> Self {
        Self {
            scale: steepness.saturating_div(I32F32::from_num(-100)),
            low,
            high,
            span: high.saturating_sub(low),
        }
    }

    /// Alpha of one cell (subtensor `alpha_sigmoid`).
    #[inline]
    pub(crate) fn alpha(&self, consensus: I32F32, weight: I32F32, bond: I32F32) -> I32F32 {
        let combined = if weight >= bond {
            clamp_value(weight.saturating_sub(consensus), ZERO, ONE)
        } else {
            clamp_value(bond.saturating_sub(weight), ZERO, ONE)
        };
        let exponent = self
            .scale
            .saturating_mul(combined.saturating_sub(I32F32::from_bits(ONE_BITS / 2)));
        let denominator = ONE.saturating_add(exp_safe(exponent)).to_bits() as u64;
        // 1 / denominator with denominator >= 1 (never above 2^63 here).
        let sigmoid = I32F32::from_bits(div_2_64(denominator) as i64);
        let alpha = self.low.saturating_add(sigmoid.saturating_mul(self.span));
        clamp_value(alpha, self.low, self.high)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn library_exp_safe(input: I32F32) -> I32F32 {
        let x = input.clamp(I32F32::from_num(-20), I32F32::from_num(20));
        match exp::<I32F32, I32F32>(x) {
            Ok(v) => v,
            Err(()) if x <= ZERO => ZERO,
            Err(()) => I32F32::max_value(),
        }
    }

    proptest! {
        #[test]
        fn exp_matches_substrate_fixed(bits in -(25i64 << 32)..(25i64 << 32)) {
            let x = I32F32::from_bits(bits);
            prop_assert_eq!(exp_safe(x), library_exp_safe(x));
        }

        #[test]
        fn exp_matches_near_zero(bits in -(1i64 << 33)..(1i64 << 33)) {
            let x = I32F32::from_bits(bits);
            prop_assert_eq!(exp_safe(x), library_exp_safe(x));
        }
    }

    #[test]
    fn exp_special_points() {
        for v in [-20.0, -1.0, -0.5, 0.0, 0.5, 1.0, 19.99, 20.0, 100.0, -100.0] {
            let x = I32F32::from_num(v);
            assert_eq!(exp_safe(x), library_exp_safe(x), "exp({v})");
        }
        for bits in [1i64, -1, ONE_BITS - 1, ONE_BITS + 1, -ONE_BITS] {
            let x = I32F32::from_bits(bits);
            assert_eq!(exp_safe(x), library_exp_safe(x), "exp bits {bits}");
        }
    }

    #[test]
    fn div_2_64_is_floor() {
        for d in [2u64, 3, 1 << 32, (1 << 32) + 1, u64::MAX, 1 << 63] {
            assert_eq!(u128::from(div_2_64(d)), (1u128 << 64) / u128::from(d));
        }
    }
}
