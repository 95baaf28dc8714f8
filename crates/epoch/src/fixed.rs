//! Fixed-point conventions shared by both implementations, as subtensor's `math.rs` defines them.
//!
//! All arithmetic is `substrate-fixed` saturating arithmetic. A division by zero, or one whose
//! quotient overflows, gives 0 (subtensor's `safe_div`). Conversions to integers round towards
//! negative infinity.

use substrate_fixed::types::{I32F32, I64F64, I96F32};

use crate::types::Params;

/// `a / b`, or 0 when `b` is 0 or the quotient overflows (subtensor `safe_div`).
pub(crate) fn safe_div(a: I32F32, b: I32F32) -> I32F32 {
    a.checked_div(b).unwrap_or(I32F32::from_bits(0))
}

/// `a / b` in I64F64, or 0 when `b` is 0 or the quotient overflows.
pub(crate) fn safe_div_64(a: I64F64, b: I64F64) -> I64F64 {
    a.checked_div(b).unwrap_or(I64F64::from_bits(0))
}

/// `a * b`, saturating: exactly `I32F32::saturating_mul`, without its 128-bit overflow check.
///
/// `substrate-fixed` multiplies `a * (b << 32)` in i128 and flags overflow when that product
/// leaves the i128 range, which happens exactly when `floor(a * b / 2^32)` leaves the i64
/// range; the product of two i64 always fits in i128, so the check moves to the result.
#[inline]
pub(crate) fn mul(a: I32F32, b: I32F32) -> I32F32 {
    let (x, y) = (a.to_bits(), b.to_bits());
    if (x | y) as u64 >> 33 == 0 {
        // Both in [0, 2^33) (proportions, the usual case): the product is below 2^66, so its
        // top fits without saturating, and an unsigned multiply suffices.
        return I32F32::from_bits(((u128::from(x as u64) * u128::from(y as u64)) >> 32) as i64);
    }
    mul_signed(x, y)
}

/// [`mul`] for `a` in `[0, 1]` (bits `0..=2^32`) and `b >= 0`, where the product is at most
/// `b` and never saturates: one unsigned multiply, no range check.
#[inline]
pub(crate) fn mul_unit(a: I32F32, b: I32F32) -> I32F32 {
    debug_assert!((0..=1 << 32).contains(&a.to_bits()) && b.to_bits() >= 0);
    I32F32::from_bits(
        ((u128::from(a.to_bits() as u64) * u128::from(b.to_bits() as u64)) >> 32) as i64,
    )
}

/// [`add`] for `a, b >= 0`: the sum, saturated at the maximum.
#[inline]
pub(crate) fn add_nonneg(a: I32F32, b: I32F32) -> I32F32 {
    debug_assert!(a.to_bits() >= 0 && b.to_bits() >= 0);
    I32F32::from_bits((a.to_bits() as u64 + b.to_bits() as u64).min(i64::MAX as u64) as i64)
}

/// [`mul`] for any operands.
#[inline(never)]
fn mul_signed(x: i64, y: i64) -> I32F32 {
    let product = (i128::from(x) * i128::from(y)) >> 32;
    let low = product as i64;
    if i128::from(low) == product {
        I32F32::from_bits(low)
    } else if product < 0 {
        I32F32::from_bits(i64::MIN)
    } else {
        I32F32::from_bits(i64::MAX)
    }
}

/// `a + b`, saturating: `I32F32::saturating_add` on the raw bits (which is what it is),
/// without the generic mask arithmetic `substrate-fixed` uses.
#[inline]
pub(crate) fn add(a: I32F32, b: I32F32) -> I32F32 {
    I32F32::from_bits(a.to_bits().saturating_add(b.to_bits()))
}

/// `a - b`, saturating, on the raw bits (as [`add`]).
#[inline]
pub(crate) fn sub(a: I32F32, b: I32F32) -> I32F32 {
    I32F32::from_bits(a.to_bits().saturating_sub(b.to_bits()))
}

/// `u16::MAX` as I32F32.
pub(crate) fn u16_max() -> I32F32 {
    I32F32::from_num(u16::MAX)
}

/// A u16 proportion of `u16::MAX` as I32F32 (kappa, bonds penalty, alphas).
pub(crate) fn u16_proportion_to_fixed(x: u16) -> I32F32 {
    safe_div(I32F32::from_num(x), u16_max())
}

/// `floor(x * 65535)`, saturated to `0..=65535` (subtensor `fixed_proportion_to_u16`).
pub(crate) fn fixed_proportion_to_u16(x: I32F32) -> u16 {
    x.saturating_mul(u16_max()).saturating_to_num::<u16>()
}

/// [`fixed_proportion_to_u16`] on raw bits, without 128-bit overflow checks.
#[inline]
pub(crate) fn proportion_to_u16_fast(x: I32F32) -> u16 {
    let bits = x.to_bits();
    if bits <= 0 {
        return 0;
    }
    ((bits as u128 * u128::from(u16::MAX)) >> 32).min(u128::from(u16::MAX)) as u16
}

/// `floor(x * rao_emission)` in I96F32, saturated to u64.
pub(crate) fn to_rao(x: I32F32, rao_emission: u64) -> u64 {
    I96F32::saturating_from_num(x)
        .saturating_mul(I96F32::saturating_from_num(rao_emission))
        .saturating_to_num::<u64>()
}

/// Scalars derived from [`Params`] once per epoch.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Derived {
    /// Consensus majority.
    pub(crate) kappa: I32F32,
    /// Bonds penalty in `[0, 1]`.
    pub(crate) bonds_penalty: I32F32,
    /// Fixed EMA factor `1 - bma / 1e6` of classic bonds (saturating conversions).
    pub(crate) ema_alpha: I32F32,
    /// Fixed EMA factor `1 - bma / 1e6` of Yuma3 bonds (wrapping conversions, see [`Self::new`]).
    pub(crate) ema_alpha_yuma3: I32F32,
    /// Liquid-alpha lower bound.
    pub(crate) alpha_low: I32F32,
    /// Liquid-alpha upper bound.
    pub(crate) alpha_high: I32F32,
    /// Liquid-alpha sigmoid steepness.
    pub(crate) steepness: I32F32,
}

impl Derived {
    /// Derives the scalars as subtensor's getters do.
    ///
    /// A bonds moving average above 1_000_000 makes the EMA factor negative (and `1 - alpha`
    /// above 1); subtensor runs the epoch with it all the same (only its root origin can set
    /// such a value). Its two EMA factors convert differently, which shows from about
    /// 2.1e15 up: classic bonds (`compute_ema_bonds_normal_sparse`) use saturating
    /// conversions, so the factor bottoms out near -2^31; Yuma3 bonds
    /// (`compute_disabled_liquid_alpha`) use `from_num`, which in a release build (the
    /// chain's runtime) wraps on overflow, so `bma / 1e6` wraps modulo 2^31 in I32F32 and a
    /// value of 2^63 or more first wraps to a negative I64F64 (at `u64::MAX` the factor is
    /// slightly above 1). Both are reproduced here for every u64.
    pub(crate) fn new(params: &Params) -> Self {
        let million = I64F64::saturating_from_num(1_000_000);
        let bma = safe_div_64(
            I64F64::saturating_from_num(params.bonds_moving_average),
            million,
        );
        let bma_wrapped =
            I64F64::wrapping_from_num(params.bonds_moving_average).saturating_div(million);
        Self {
            kappa: u16_proportion_to_fixed(params.kappa),
            bonds_penalty: u16_proportion_to_fixed(params.bonds_penalty),
            ema_alpha: I32F32::from_num(1).saturating_sub(I32F32::saturating_from_num(bma)),
            ema_alpha_yuma3: I32F32::from_num(1)
                .saturating_sub(I32F32::wrapping_from_num(bma_wrapped)),
            alpha_low: u16_proportion_to_fixed(params.alpha_low),
            alpha_high: u16_proportion_to_fixed(params.alpha_high),
            steepness: I32F32::from_num(params.alpha_sigmoid_steepness),
        }
    }
}

/// Clamps `value` to `[low, high]`: first `min(high)`, then `max(low)` (subtensor `clamp_value`).
pub(crate) fn clamp_value(value: I32F32, low: I32F32, high: I32F32) -> I32F32 {
    value.min(high).max(low)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_div_is_zero_on_zero_divisor_and_overflow() {
        assert_eq!(safe_div(I32F32::from_num(1), I32F32::from_num(0)), 0);
        assert_eq!(
            safe_div(I32F32::from_num(1 << 20), I32F32::from_bits(1)),
            0,
            "overflowing quotient"
        );
        assert_eq!(
            safe_div(I32F32::from_num(1), I32F32::from_num(4)),
            I32F32::from_num(0.25)
        );
    }

    proptest::proptest! {
        #[test]
        fn mul_is_saturating_mul(a in proptest::prelude::any::<i64>(), b in proptest::prelude::any::<i64>()) {
            let (a, b) = (I32F32::from_bits(a), I32F32::from_bits(b));
            proptest::prop_assert_eq!(mul(a, b), a.saturating_mul(b));
        }

        #[test]
        fn mul_is_saturating_mul_for_proportions(a in 0i64..=1 << 33, b in 0i64..=1 << 33) {
            let (a, b) = (I32F32::from_bits(a), I32F32::from_bits(b));
            proptest::prop_assert_eq!(mul(a, b), a.saturating_mul(b));
        }

        #[test]
        fn mul_is_saturating_mul_in_range(a in -(1i64 << 40)..1 << 40, b in -(1i64 << 40)..1 << 40) {
            let (a, b) = (I32F32::from_bits(a), I32F32::from_bits(b));
            proptest::prop_assert_eq!(mul(a, b), a.saturating_mul(b));
        }
    }

    proptest::proptest! {
        #[test]
        fn mul_unit_is_mul(
            a in proptest::prop_oneof![0i64..=1 << 32, proptest::strategy::Just(1i64 << 32)],
            b in proptest::prop_oneof![0i64..=1 << 34, 0i64..=i64::MAX],
        ) {
            let (a, b) = (I32F32::from_bits(a), I32F32::from_bits(b));
            proptest::prop_assert_eq!(mul_unit(a, b), mul(a, b));
        }

        #[test]
        fn add_nonneg_is_add(a in 0i64..=i64::MAX, b in 0i64..=i64::MAX) {
            let (a, b) = (I32F32::from_bits(a), I32F32::from_bits(b));
            proptest::prop_assert_eq!(add_nonneg(a, b), add(a, b));
        }
    }

    #[test]
    fn unit_arithmetic_at_the_edges() {
        let one = I32F32::from_bits(1 << 32);
        let max = I32F32::max_value();
        for (a, b) in [
            (one, max),
            (one, one),
            (I32F32::from_bits(0), max),
            (one, I32F32::from_bits(0)),
        ] {
            assert_eq!(mul_unit(a, b), mul(a, b));
        }
        assert_eq!(add_nonneg(max, max), max);
        assert_eq!(add_nonneg(max, I32F32::from_bits(0)), max);
    }

    proptest::proptest! {
        #[test]
        fn fast_u16_conversion_matches(x in proptest::prelude::any::<i64>()) {
            let x = I32F32::from_bits(x);
            proptest::prop_assert_eq!(proportion_to_u16_fast(x), fixed_proportion_to_u16(x));
        }
    }

    proptest::proptest! {
        #[test]
        fn add_sub_are_saturating(a in proptest::prelude::any::<i64>(), b in proptest::prelude::any::<i64>()) {
            let (a, b) = (I32F32::from_bits(a), I32F32::from_bits(b));
            proptest::prop_assert_eq!(add(a, b), a.saturating_add(b));
            proptest::prop_assert_eq!(sub(a, b), a.saturating_sub(b));
        }
    }

    #[test]
    fn mul_saturates_at_the_edges() {
        let max = I32F32::max_value();
        let min = I32F32::min_value();
        for (a, b) in [
            (max, max),
            (min, max),
            (min, min),
            (max, -max),
            (min, I32F32::from_num(-1)),
        ] {
            assert_eq!(mul(a, b), a.saturating_mul(b));
        }
    }

    #[test]
    fn proportions_round_down() {
        assert_eq!(fixed_proportion_to_u16(I32F32::from_num(1)), 65535);
        assert_eq!(fixed_proportion_to_u16(I32F32::from_num(2)), 65535);
        assert_eq!(fixed_proportion_to_u16(I32F32::from_num(-1)), 0);
        assert_eq!(fixed_proportion_to_u16(I32F32::from_num(0.5)), 32767);
        assert_eq!(to_rao(I32F32::from_num(0.5), 1_000_000_001), 500_000_000);
        assert_eq!(to_rao(I32F32::from_num(1), u64::MAX), u64::MAX);
    }

    #[test]
    fn derived_ema_alpha_is_one_minus_moving_average() {
        let d = Derived::new(&Params::default());
        assert_eq!(
            d.ema_alpha,
            I32F32::from_num(1) - I32F32::saturating_from_num(I64F64::from_num(0.9))
        );
        assert_eq!(d.kappa, I32F32::from_num(32767) / I32F32::from_num(65535));
        assert_eq!(d.ema_alpha_yuma3, d.ema_alpha);
    }

    #[test]
    fn ema_factors_beyond_one_hundred_percent() {
        let alphas = |bma: u64| {
            let d = Derived::new(&Params {
                bonds_moving_average: bma,
                ..Params::default()
            });
            (d.ema_alpha.to_bits(), d.ema_alpha_yuma3.to_bits())
        };
        let one = 1i64 << 32;
        // 500%: 1 - 5 = -4 for both.
        assert_eq!(alphas(5_000_000), (-4 * one, -4 * one));
        // Below 2^31 * 1e6 both conversions are exact and agree.
        let below = 2_147_483_647_000_000;
        assert_eq!(
            alphas(below),
            (one - 2_147_483_647 * one, one - 2_147_483_647 * one)
        );
        // bma / 1e6 = 2^31: saturates to I32F32::MAX (classic), wraps to -2^31 (Yuma3).
        let at = 2_147_483_648_000_000;
        assert_eq!(alphas(at), (one - i64::MAX, i64::MAX));
        // u64::MAX: saturates at I64F64::MAX / 1e6 (classic); wraps to -1 / 1e6 (Yuma3),
        // whose I64F64 quotient -18446744073709 * 2^-64 (rounded towards zero) truncates to
        // -4295 * 2^-32 in I32F32.
        assert_eq!(alphas(u64::MAX), (one - i64::MAX, one + 4295));
    }
}
