//! Subnet pools (dynamic TAO): each subnet trades its alpha against TAO in a constant-product
//! pool, `tao_reserve * alpha_reserve = k`. Staking buys alpha, unstaking sells it.
//!
//! Swaps round down what the user receives, so the pool never loses a rao to rounding. There is
//! no swap fee (subtensor charges a small one and has moved from Uniswap-v3 ticks to a weighted
//! "balancer" pool; a plain constant product is the documented dTAO model and simpler to audit).

use crate::error::Error;
use crate::state::State;
use crate::state::records::Pool;
use yuma_primitives::NetUid;

/// Rao per whole alpha, used to express prices as "rao per alpha".
const ALPHA_UNIT: u128 = 1_000_000_000;

/// Alpha out for `tao` in, rounded down.
pub fn alpha_for_tao(pool: &Pool, tao: u64) -> u64 {
    let denom = u128::from(pool.tao_reserve) + u128::from(tao);
    if denom == 0 {
        return 0;
    }
    let out = u128::from(pool.alpha_reserve) * u128::from(tao) / denom;
    // out < alpha_reserve <= u64::MAX
    u64::try_from(out).unwrap_or(0)
}

/// TAO out for `alpha` in, rounded down.
pub fn tao_for_alpha(pool: &Pool, alpha: u64) -> u64 {
    let denom = u128::from(pool.alpha_reserve) + u128::from(alpha);
    if denom == 0 {
        return 0;
    }
    let out = u128::from(pool.tao_reserve) * u128::from(alpha) / denom;
    u64::try_from(out).unwrap_or(0)
}

/// Pool price in rao per alpha (1e9 alpha rao), rounded down; 0 for an empty pool.
pub fn price_rao(pool: &Pool) -> u64 {
    if pool.alpha_reserve == 0 {
        return 0;
    }
    let p = u128::from(pool.tao_reserve) * ALPHA_UNIT / u128::from(pool.alpha_reserve);
    u64::try_from(p).unwrap_or(u64::MAX)
}

/// Pool price as a Q64 fraction of 1 TAO per alpha, capped at 1 (`2^64`), as the moving price
/// uses it.
pub fn price_q64_capped(pool: &Pool) -> u128 {
    if pool.alpha_reserve == 0 {
        return 0;
    }
    if pool.tao_reserve >= pool.alpha_reserve {
        return 1 << 64;
    }
    (u128::from(pool.tao_reserve) << 64) / u128::from(pool.alpha_reserve)
}

/// Pool price as a Q32 fraction of 1 TAO per alpha, capped at `u64::MAX`.
pub fn price_q32(pool: &Pool) -> u64 {
    if pool.alpha_reserve == 0 {
        return 0;
    }
    let p = (u128::from(pool.tao_reserve) << 32) / u128::from(pool.alpha_reserve);
    u64::try_from(p).unwrap_or(u64::MAX)
}

/// Buys alpha with `tao` (already taken from the buyer); returns the alpha bought.
pub(crate) fn buy_alpha(st: &mut State<'_>, netuid: NetUid, tao: u64) -> Result<u64, Error> {
    let mut pool = st.pool(netuid);
    let alpha = alpha_for_tao(&pool, tao);
    if alpha == 0 {
        return Err(Error::InsufficientLiquidity(netuid));
    }
    pool.tao_reserve = pool
        .tao_reserve
        .checked_add(tao)
        .ok_or(Error::Overflow("pool TAO reserve"))?;
    pool.alpha_reserve -= alpha; // alpha < alpha_reserve by construction
    st.set_pool(netuid, &pool);
    Ok(alpha)
}

/// Sells `alpha` (already taken from the seller); returns the TAO paid out.
pub(crate) fn sell_alpha(st: &mut State<'_>, netuid: NetUid, alpha: u64) -> Result<u64, Error> {
    let mut pool = st.pool(netuid);
    let tao = tao_for_alpha(&pool, alpha);
    if tao == 0 {
        return Err(Error::InsufficientLiquidity(netuid));
    }
    pool.alpha_reserve = pool
        .alpha_reserve
        .checked_add(alpha)
        .ok_or(Error::Overflow("pool alpha reserve"))?;
    pool.tao_reserve -= tao; // tao < tao_reserve by construction
    st.set_pool(netuid, &pool);
    Ok(tao)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(tao: u64, alpha: u64) -> Pool {
        Pool {
            tao_reserve: tao,
            alpha_reserve: alpha,
            ..Pool::default()
        }
    }

    #[test]
    fn constant_product_exact_values() {
        let p = pool(1_000, 1_000);
        assert_eq!(alpha_for_tao(&p, 1_000), 500);
        assert_eq!(tao_for_alpha(&p, 1_000), 500);
        assert_eq!(alpha_for_tao(&p, 1), 0, "rounds down");
        assert_eq!(price_rao(&pool(2, 1)), 2_000_000_000);
        assert_eq!(price_q32(&pool(1, 1)), 1 << 32);
        assert_eq!(price_rao(&pool(5, 0)), 0);
    }

    proptest::proptest! {
        #[test]
        fn product_never_decreases(t in 1u64..u64::MAX / 4, a in 1u64..u64::MAX / 4, x in 0u64..u64::MAX / 4) {
            let p = pool(t, a);
            let out = alpha_for_tao(&p, x);
            proptest::prop_assert!(out < a || a == 0);
            let before = u128::from(t) * u128::from(a);
            let after = (u128::from(t) + u128::from(x)) * u128::from(a - out);
            proptest::prop_assert!(after >= before);
        }
    }
}
