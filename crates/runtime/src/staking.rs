//! Staking: TAO in and out of subnet pools, moving and giving stake, delegate take.
//!
//! Stake is alpha held by a (hotkey, coldkey) pair on a subnet. Adding stake buys alpha with
//! TAO through the subnet's pool; removing sells it back. Limits as in subtensor: each
//! operation is worth at least `min_stake` rao, and a user's `limit_price` bounds the pool price
//! after the swap (the `*_limit` extrinsics of subtensor, without partial fills).

use crate::error::Error;
use crate::event::Event;
use crate::pool::{buy_alpha, price_rao, sell_alpha, tao_for_alpha};
use crate::state::State;
use yuma_primitives::{AccountId, NetUid};

fn ensure_min(st: &State<'_>, tao: u64) -> Result<(), Error> {
    let min = st.params.min_stake;
    if tao < min {
        return Err(Error::AmountTooLow { amount: tao, min });
    }
    Ok(())
}

fn ensure_hotkey(st: &State<'_>, hotkey: &AccountId) -> Result<(), Error> {
    st.owner(hotkey)
        .map(|_| ())
        .ok_or(Error::UnknownHotkey(*hotkey))
}

/// Swaps `tao` of `coldkey`'s free balance for alpha staked on `hotkey`.
pub(crate) fn add_stake(
    st: &mut State<'_>,
    coldkey: &AccountId,
    hotkey: &AccountId,
    netuid: NetUid,
    tao: u64,
    limit_price: Option<u64>,
) -> Result<u64, Error> {
    st.try_subnet(netuid)?;
    ensure_hotkey(st, hotkey)?;
    ensure_min(st, tao)?;
    st.debit(coldkey, tao)?;
    let alpha = buy_alpha(st, netuid, tao)?;
    if let Some(limit) = limit_price {
        let price = price_rao(&st.pool(netuid));
        if price > limit {
            return Err(Error::SlippageTooHigh { price, limit });
        }
    }
    st.credit_stake(netuid, hotkey, coldkey, alpha)?;
    st.emit(Event::StakeAdded {
        coldkey: *coldkey,
        hotkey: *hotkey,
        netuid,
        tao,
        alpha,
    });
    Ok(alpha)
}

/// Sells `alpha` of `coldkey`'s stake on `hotkey` for free TAO.
pub(crate) fn remove_stake(
    st: &mut State<'_>,
    coldkey: &AccountId,
    hotkey: &AccountId,
    netuid: NetUid,
    alpha: u64,
    limit_price: Option<u64>,
) -> Result<u64, Error> {
    st.try_subnet(netuid)?;
    ensure_min(st, tao_for_alpha(&st.pool(netuid), alpha))?;
    st.debit_stake(netuid, hotkey, coldkey, alpha)?;
    let tao = sell_alpha(st, netuid, alpha)?;
    if let Some(limit) = limit_price {
        let price = price_rao(&st.pool(netuid));
        if price < limit {
            return Err(Error::SlippageTooHigh { price, limit });
        }
    }
    st.credit(coldkey, tao)?;
    st.emit(Event::StakeRemoved {
        coldkey: *coldkey,
        hotkey: *hotkey,
        netuid,
        alpha,
        tao,
    });
    Ok(tao)
}

/// Takes `alpha` from one position and returns what it is worth in `dest_netuid`'s alpha:
/// the same alpha within a subnet, a sell then a buy across subnets.
fn convert(
    st: &mut State<'_>,
    origin_netuid: NetUid,
    dest_netuid: NetUid,
    alpha: u64,
) -> Result<u64, Error> {
    if origin_netuid == dest_netuid {
        ensure_min(st, tao_for_alpha(&st.pool(origin_netuid), alpha))?;
        return Ok(alpha);
    }
    let tao = sell_alpha(st, origin_netuid, alpha)?;
    ensure_min(st, tao)?;
    buy_alpha(st, dest_netuid, tao)
}

/// Moves `coldkey`'s stake to another hotkey and/or subnet.
pub(crate) fn move_stake(
    st: &mut State<'_>,
    coldkey: &AccountId,
    origin: (&AccountId, NetUid),
    dest: (&AccountId, NetUid),
    alpha: u64,
) -> Result<u64, Error> {
    if origin == dest {
        return Err(Error::SameStakePosition);
    }
    st.try_subnet(origin.1)?;
    st.try_subnet(dest.1)?;
    ensure_hotkey(st, dest.0)?;
    st.debit_stake(origin.1, origin.0, coldkey, alpha)?;
    let alpha_in = convert(st, origin.1, dest.1, alpha)?;
    st.credit_stake(dest.1, dest.0, coldkey, alpha_in)?;
    st.emit(Event::StakeMoved {
        coldkey: *coldkey,
        origin_hotkey: *origin.0,
        origin_netuid: origin.1,
        dest_hotkey: *dest.0,
        dest_netuid: dest.1,
        alpha_out: alpha,
        alpha_in,
    });
    Ok(alpha_in)
}

/// Gives `from`'s stake on `hotkey` to `to`, possibly into another subnet.
pub(crate) fn transfer_stake(
    st: &mut State<'_>,
    from: &AccountId,
    to: &AccountId,
    hotkey: &AccountId,
    netuids: (NetUid, NetUid),
    alpha: u64,
) -> Result<u64, Error> {
    if from == to && netuids.0 == netuids.1 {
        return Err(Error::SameStakePosition);
    }
    st.try_subnet(netuids.0)?;
    st.try_subnet(netuids.1)?;
    st.debit_stake(netuids.0, hotkey, from, alpha)?;
    let alpha_in = convert(st, netuids.0, netuids.1, alpha)?;
    st.credit_stake(netuids.1, hotkey, to, alpha_in)?;
    st.emit(Event::StakeTransferred {
        from: *from,
        to: *to,
        hotkey: *hotkey,
        origin_netuid: netuids.0,
        dest_netuid: netuids.1,
        alpha_out: alpha,
        alpha_in,
    });
    Ok(alpha_in)
}

/// Sets `hotkey`'s delegate take. Decreases apply at once; an increase needs
/// `take_rate_limit` blocks since the last increase (subtensor `increase_take`).
pub(crate) fn set_delegate_take(
    st: &mut State<'_>,
    coldkey: &AccountId,
    hotkey: &AccountId,
    take: u16,
) -> Result<(), Error> {
    match st.owner(hotkey) {
        None => return Err(Error::UnknownHotkey(*hotkey)),
        Some(owner) if owner != *coldkey => {
            return Err(Error::NotHotkeyOwner { hotkey: *hotkey });
        }
        Some(_) => {}
    }
    let (min, max) = (st.params.min_take, st.params.max_take);
    if take < min || take > max {
        return Err(Error::TakeOutOfBounds { take, min, max });
    }
    let now = st.block();
    if take > st.take(hotkey) {
        if let Some(last) = st.last_take_increase(hotkey) {
            let next = last.saturating_add(st.params.take_rate_limit);
            if now < next {
                return Err(Error::RateLimited {
                    what: "delegate take increase",
                    next,
                });
            }
        }
        st.set_last_take_increase(hotkey, now);
    }
    st.set_take(hotkey, take);
    st.emit(Event::TakeSet {
        hotkey: *hotkey,
        take,
    });
    Ok(())
}
