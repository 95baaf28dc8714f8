//! The per-block step: registration burns decay, pool prices are averaged, the block's TAO
//! emission is split among subnets and injected into their pools, alpha emission accrues, and
//! subnets whose epoch is due run it.
//!
//! Emission (the dTAO model of subtensor's `run_coinbase`):
//! 1. The block reward ([`crate::issuance::block_emission`]) is split in proportion to the
//!    subnets' moving prices: subnet `i` gets `tao_in_i`.
//! 2. After emission, each moving price moves towards `min(price, 1)` by
//!    `moving_alpha * b / (b + halving)` (subtensor `update_moving_price`: `moving_alpha` =
//!    0.000003, `b` blocks since the subnet started, `halving` = 201600), computed in Q64 and
//!    stored in Q32 as subtensor stores it (I96F32), so a new subnet's moving price, and its
//!    share, stay 0 for its first 15 blocks.
//! 3. `tao_in_i` is added to the pool's TAO reserve together with `alpha_in_i = tao_in_i /
//!    price` alpha, so the price does not move. `alpha_in_i` is capped at the subnet's alpha
//!    emission; then `tao_in_i` shrinks to match and the difference is not minted.
//! 4. The subnet's alpha emission `alpha_out_i` (its own halving schedule) accrues: the owner
//!    cut (18%) for the owner, the rest (41% + 41%) for the next epoch.
//!
//! Only TAO actually injected is minted, so `total_issuance` counts exactly the TAO that exists.

use crate::epoch_step::run_epoch;
use crate::error::Error;
use crate::event::Event;
use crate::issuance::{block_emission, is_epoch_block};
use crate::params::U16_ONE;
use crate::pool::price_q64_capped;
use crate::registration::decay_burns;
use crate::state::State;

const ONE_Q32: u64 = 1 << 32;

/// Runs everything that happens at the start of block `block`.
pub(crate) fn on_block(st: &mut State<'_>, block: u64) -> Result<(), Error> {
    let mut totals = st.totals();
    if block != totals.block.saturating_add(1) {
        return Err(Error::BlockOutOfOrder {
            current: totals.block,
            got: block,
        });
    }
    totals.block = block;
    totals.block_cost = 0;
    st.set_totals(&totals);
    if block > 1 {
        decay_burns(st);
    }
    emit_to_subnets(st)?;
    for netuid in st.netuids() {
        let tempo = st.hyperparams(netuid).tempo;
        if is_epoch_block(netuid.0, tempo, block) {
            run_epoch(st, netuid)?;
        }
    }
    update_moving_prices(st, block);
    Ok(())
}

/// One step of a subnet's moving price (Q32), `b` blocks after it started.
pub(crate) fn next_moving_price(
    moving_q32: u64,
    price_q64: u128,
    moving_alpha_q32: u64,
    b: u64,
    halving: u64,
) -> u64 {
    let ratio_q64 = (u128::from(b) << 64)
        .checked_div(u128::from(b) + u128::from(halving))
        .unwrap_or(0);
    let alpha_q64 = ((u128::from(moving_alpha_q32.min(ONE_Q32)) << 32) * ratio_q64) >> 64;
    let moving_q64 = u128::from(moving_q32) << 32;
    let toward_price = (alpha_q64 * price_q64) >> 64;
    // (1 - alpha) * moving, rounded down like the fixed-point product: moving - ceil(alpha * moving).
    let kept = moving_q64 - (alpha_q64 * moving_q64).div_ceil(1 << 64);
    u64::try_from((toward_price + kept) >> 32).unwrap_or(u64::MAX)
}

fn update_moving_prices(st: &mut State<'_>, block: u64) {
    let (alpha, halving) = (
        st.params.moving_alpha_q32,
        st.params.ema_price_halving_blocks,
    );
    for netuid in st.netuids() {
        let Some(subnet) = st.subnet(netuid) else {
            continue;
        };
        let mut pool = st.pool(netuid);
        let b = block.saturating_sub(subnet.registered_at);
        pool.moving_price_q32 = next_moving_price(
            pool.moving_price_q32,
            price_q64_capped(&pool),
            alpha,
            b,
            halving,
        );
        st.set_pool(netuid, &pool);
    }
}

fn mul_div(a: u64, b: u64, c: u64) -> u64 {
    if c == 0 {
        return 0;
    }
    u64::try_from(u128::from(a) * u128::from(b) / u128::from(c)).unwrap_or(u64::MAX)
}

fn emit_to_subnets(st: &mut State<'_>) -> Result<(), Error> {
    let netuids = st.netuids();
    let prices: Vec<u64> = netuids
        .iter()
        .map(|&n| st.pool(n).moving_price_q32)
        .collect();
    let total_price: u128 = prices.iter().map(|&p| u128::from(p)).sum();
    let mut totals = st.totals();
    let emission = block_emission(totals.total_issuance);
    let owner_cut = u64::from(st.params.subnet_owner_cut);
    let mut minted = 0u64;
    for (&netuid, &price) in netuids.iter().zip(&prices) {
        let mut pool = st.pool(netuid);
        let mut tao_in = (u128::from(emission) * u128::from(price))
            .checked_div(total_price)
            .and_then(|v| u64::try_from(v).ok())
            .unwrap_or(0);
        let alpha_emission = block_emission(pool.alpha_issued);
        let mut alpha_in = mul_div(tao_in, pool.alpha_reserve, pool.tao_reserve);
        if alpha_in > alpha_emission {
            alpha_in = alpha_emission;
            tao_in = mul_div(alpha_in, pool.tao_reserve, pool.alpha_reserve);
        }
        if pool.tao_reserve == 0 {
            tao_in = 0;
            alpha_in = 0;
        }
        let alpha_out = block_emission(pool.alpha_issued.saturating_add(alpha_in));
        let cut = mul_div(alpha_out, owner_cut, U16_ONE);
        pool.tao_reserve = pool.tao_reserve.saturating_add(tao_in);
        pool.alpha_reserve = pool.alpha_reserve.saturating_add(alpha_in);
        pool.alpha_issued = pool
            .alpha_issued
            .saturating_add(alpha_in)
            .saturating_add(alpha_out);
        pool.pending_owner_cut = pool.pending_owner_cut.saturating_add(cut);
        pool.pending_emission = pool.pending_emission.saturating_add(alpha_out - cut);
        st.set_pool(netuid, &pool);
        st.emit(Event::SubnetEmission {
            netuid,
            tao_in,
            alpha_in,
            alpha_out,
            owner_cut: cut,
        });
        minted = minted.saturating_add(tao_in);
    }
    if minted > 0 {
        totals.total_issuance = totals
            .total_issuance
            .checked_add(minted)
            .ok_or(Error::Overflow("total issuance"))?;
        st.set_totals(&totals);
        st.emit(Event::Issued {
            amount: minted,
            total_issuance: totals.total_issuance,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moving_price_ramps_up_like_subtensor() {
        let one = 1u128 << 64;
        // 0.000003 * b / (b + 201600) is below 2^-32 until b = 16.
        assert_eq!(next_moving_price(0, one, 12_885, 15, 201_600), 0);
        assert_eq!(next_moving_price(0, one, 12_885, 16, 201_600), 1);
        assert_eq!(next_moving_price(0, one, 12_885, 0, 201_600), 0);
        // At a price equal to the moving price, both truncated products lose a fraction: the
        // moving price slips by one Q32 unit, exactly as subtensor's U64F64 arithmetic does.
        let half = 1u64 << 31;
        assert_eq!(
            next_moving_price(half, one / 2, 12_885, 1_000_000, 201_600),
            half - 1
        );
        let full = next_moving_price(0, one, 12_885, u64::MAX, 0);
        assert_eq!(
            full, 12_885,
            "with no ramp the weight is moving_alpha itself"
        );
    }
}
