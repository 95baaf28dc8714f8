//! The per-block step: registration burns decay, pool prices are averaged, the block's TAO
//! emission is split among subnets and injected into their pools, alpha emission accrues, and
//! subnets whose epoch is due run it.
//!
//! Emission (the dTAO model of subtensor's `run_coinbase`):
//! 1. Each subnet's moving price moves towards `min(price, 1)` by `moving_alpha` (0.000003).
//! 2. The block reward ([`crate::issuance::block_emission`]) is split in proportion to the
//!    moving prices: subnet `i` gets `tao_in_i`.
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
use crate::pool::price_q32;
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
    Ok(())
}

fn mul_div(a: u64, b: u64, c: u64) -> u64 {
    if c == 0 {
        return 0;
    }
    u64::try_from(u128::from(a) * u128::from(b) / u128::from(c)).unwrap_or(u64::MAX)
}

fn emit_to_subnets(st: &mut State<'_>) -> Result<(), Error> {
    let netuids = st.netuids();
    let alpha_q32 = st.params.moving_alpha_q32.min(ONE_Q32);
    let mut prices = Vec::with_capacity(netuids.len());
    for &netuid in &netuids {
        let mut pool = st.pool(netuid);
        let price = price_q32(&pool).min(ONE_Q32);
        let moved = (u128::from(pool.moving_price_q32) * u128::from(ONE_Q32 - alpha_q32)
            + u128::from(price) * u128::from(alpha_q32))
            >> 32;
        pool.moving_price_q32 = u64::try_from(moved).unwrap_or(ONE_Q32);
        st.set_pool(netuid, &pool);
        prices.push(pool.moving_price_q32);
    }
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
