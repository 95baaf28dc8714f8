//! Liquid alpha of one cell with integer arithmetic that reproduces `substrate-fixed`'s
//! `transcendental::exp` bit for bit.
//!
//! `exp::<I32F32, I32F32>(x)` sums the Taylor series of `|x|` for the 30 terms `i = 2..32`,
//! each `term = floor(term * |x| / 2^32)` then truncated by `i`, and inverts the sum for a
//! negative `x`; `x = 1` returns the I9F23 constant `e`. Subtensor clamps `x` to `[-20, 20]`
//! first, where nothing overflows. Here the same steps run on raw bits, each division by the
//! term index is one multiplication and one shift ([`DIVIDE_BY_INDEX`]), and the series stops
//! early once a term reaches 0 (every later term would add 0).

use substrate_fixed::transcendental::exp;
use substrate_fixed::types::I32F32;

use crate::fixed::{add, mul, sub};

const ONE_BITS: i64 = 1 << 32;
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
    for i in 2..32usize {
        // floor(term * op / 2^32); below 2^63 for |x| <= 20 (max term ~4.3e7 * 20).
        term = ((u128::from(term) * u128::from(op)) >> 32) as u64;
        term = div_small(term, i);
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

/// Per term index `i` in `2..32`: a multiplier `m` and shift `s` with `floor(x / i) =
/// floor(x * m / 2^64) >> s` for every `x < 2^63`, to divide by the index with one
/// multiplication. With `l = ceil(log2 i)`, `m = ceil(2^(63 + l) / i)` and `e = m * i -
/// 2^(63 + l) < i <= 2^l`: `x * m / 2^(63 + l) = x / i + x * e / (i * 2^(63 + l))`, whose
/// error term stays below `1 / i` (the distance from `x / i` to the next integer) because
/// `x * e < 2^63 * 2^l`. Since `i > 2^(l - 1)`, `m < 2^64`; then `s = l - 1`. A term before
/// its division is at most the previous term times `|x| <= 20`, below 2^62 over the series.
const DIVIDE_BY_INDEX: [(u64, u32); 32] = {
    let mut t = [(0u64, 0u32); 32];
    let mut i = 2;
    while i < 32 {
        let l = u64::BITS - (i as u64 - 1).leading_zeros();
        let m = (1u128 << (63 + l)).div_ceil(i as u128);
        t[i] = (m as u64, l - 1);
        i += 1;
    }
    t
};

/// `floor(x / i)` for `i` in `2..32` and `x < 2^63`.
#[inline]
fn div_small(x: u64, i: usize) -> u64 {
    debug_assert!(x < 1 << 63);
    let (m, s) = DIVIDE_BY_INDEX[i];
    (((u128::from(x) * u128::from(m)) >> 64) as u64) >> s
}

/// `clamp_value(x, 0, 1)` on the raw bits.
#[inline]
fn clamp_unit(x: I32F32) -> I32F32 {
    I32F32::from_bits(x.to_bits().clamp(0, ONE_BITS))
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
    #[cfg(test)]
    pub(crate) fn alpha(&self, consensus: I32F32, weight: I32F32, bond: I32F32) -> I32F32 {
        self.alpha_from_exp(exp_safe(self.exponent(consensus, weight, bond)))
    }

    /// The sigmoid's exponent for one cell: `steepness / -100 * (diff - 0.5)`.
    #[inline]
    pub(crate) fn exponent(&self, consensus: I32F32, weight: I32F32, bond: I32F32) -> I32F32 {
        let combined = if weight >= bond {
            clamp_unit(sub(weight, consensus))
        } else {
            clamp_unit(sub(bond, weight))
        };
        mul(self.scale, sub(combined, I32F32::from_bits(ONE_BITS / 2)))
    }

    /// Alpha from `exp_safe(exponent)`: `low + (high - low) / (1 + exp)`, clamped.
    #[inline]
    pub(crate) fn alpha_from_exp(&self, exp: I32F32) -> I32F32 {
        let denominator = add(ONE, exp).to_bits() as u64;
        // 1 / denominator with denominator >= 1 (never above 2^63 here).
        let sigmoid = I32F32::from_bits(div_2_64(denominator) as i64);
        let alpha = add(self.low, mul(sigmoid, self.span));
        // min(high) then max(low), as subtensor's `clamp_value` (low wins if low > high).
        I32F32::from_bits(
            alpha
                .to_bits()
                .min(self.high.to_bits())
                .max(self.low.to_bits()),
        )
    }
}

/// [`exp_safe`] of every value in place, running four independent series side by side so
/// their multiply chains overlap.
pub(crate) fn exp_safe_batch(xs: &mut [I32F32]) {
    let mut chunks = xs.chunks_exact_mut(4);
    for chunk in &mut chunks {
        let mut x = [0i64; 4];
        let mut op = [0u64; 4];
        let mut result = [0u64; 4];
        let mut term = [0u64; 4];
        for k in 0..4 {
            x[k] = chunk[k].to_bits().clamp(-20 << 32, 20 << 32);
            op[k] = x[k].unsigned_abs();
            result[k] = op[k] + ONE_BITS as u64;
            term[k] = op[k];
        }
        for i in 2..32usize {
            for k in 0..4 {
                term[k] = div_small(((u128::from(term[k]) * u128::from(op[k])) >> 32) as u64, i);
                result[k] += term[k];
            }
            // Terms stay 0 once 0; adding them changes nothing.
            if term == [0; 4] {
                break;
            }
        }
        for k in 0..4 {
            chunk[k] = if x[k] == ONE_BITS {
                exp_safe(ONE)
            } else if x[k] < 0 {
                I32F32::from_bits(div_2_64(result[k]) as i64)
            } else {
                I32F32::from_bits(result[k] as i64)
            };
        }
    }
    for x in chunks.into_remainder() {
        *x = exp_safe(*x);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ZERO: I32F32 = I32F32::from_bits(0);

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

    proptest! {
        #[test]
        fn batch_matches_scalar(bits in prop::collection::vec(-(25i64 << 32)..(25i64 << 32), 0..13)) {
            let mut xs: Vec<I32F32> = bits.iter().map(|b| I32F32::from_bits(*b)).collect();
            xs.push(ONE);
            xs.push(ZERO);
            let want: Vec<I32F32> = xs.iter().map(|x| exp_safe(*x)).collect();
            exp_safe_batch(&mut xs);
            prop_assert_eq!(xs, want);
        }
    }

    proptest! {
        #[test]
        fn alpha_matches_the_reference(
            c in 0i64..=1 << 32,
            w in 0i64..=1 << 32,
            b in 0i64..=1 << 32,
            low in any::<u16>(),
            high in any::<u16>(),
            steepness in any::<i16>(),
        ) {
            let f = |x: u16| crate::fixed::u16_proportion_to_fixed(x);
            let (c, w, b) = (I32F32::from_bits(c), I32F32::from_bits(w), I32F32::from_bits(b));
            let steep = I32F32::from_num(steepness);
            let la = LiquidAlpha::new(f(low), f(high), steep);
            prop_assert_eq!(
                la.alpha(c, w, b),
                crate::reference::math::alpha_sigmoid(c, w, b, f(low), f(high), steep)
            );
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

    proptest! {
        #[test]
        fn div_small_is_floor(x in 0u64..1 << 63, i in 2usize..32) {
            prop_assert_eq!(div_small(x, i), x / i as u64);
        }
    }

    #[test]
    fn div_small_at_the_edges() {
        for i in 2usize..32 {
            let d = i as u64;
            let near = |k: u64| [k.saturating_sub(1), k, k + 1];
            for x in [0, 1, d - 1, d, d + 1, (1 << 62) - 1, (1 << 63) - 1]
                .into_iter()
                .chain(near((1u64 << 63) / d * d))
            {
                if x < 1 << 63 {
                    assert_eq!(div_small(x, i), x / d, "x = {x}, i = {i}");
                }
            }
        }
    }

    #[test]
    fn div_2_64_is_floor() {
        for d in [2u64, 3, 1 << 32, (1 << 32) + 1, u64::MAX, 1 << 63] {
            assert_eq!(u128::from(div_2_64(d)), (1u128 << 64) / u128::from(d));
        }
    }
}
