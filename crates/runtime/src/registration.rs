//! Neuron registration: `burned_register`, pruning a full subnet, and the burn price.
//!
//! The burn follows current subtensor: each registration multiplies it by
//! `burn_increase_mult` (1.26), and every block it decays by the factor `f` with
//! `f^burn_half_life = 1/2`, clamped to `[min_burn, max_burn]`. The burned TAO buys alpha from
//! the subnet pool and that alpha is destroyed, so registration demand supports the price.

use crate::error::Error;
use crate::event::Event;
use crate::state::State;
use crate::state::records::Neuron;
use yuma_primitives::{AccountId, NetUid};

const ONE_Q32: u64 = 1 << 32;

/// Makes `coldkey` the owner of `hotkey` if it has none; fails if another coldkey owns it.
pub(crate) fn claim_hotkey(
    st: &mut State<'_>,
    coldkey: &AccountId,
    hotkey: &AccountId,
) -> Result<(), Error> {
    match st.owner(hotkey) {
        Some(owner) if owner == *coldkey => Ok(()),
        Some(_) => Err(Error::NotHotkeyOwner { hotkey: *hotkey }),
        None => {
            st.set_owner(hotkey, coldkey);
            st.emit(Event::HotkeyOwned {
                hotkey: *hotkey,
                coldkey: *coldkey,
            });
            Ok(())
        }
    }
}

/// Gives `hotkey` the next UID, or replaces `replace` (a full subnet's pruned UID).
pub(crate) fn append_neuron(
    st: &mut State<'_>,
    netuid: NetUid,
    hotkey: &AccountId,
    burn: u64,
    replace: Option<u16>,
) -> Result<u16, Error> {
    let mut subnet = st.try_subnet(netuid)?;
    let now = st.block();
    let (uid, pruned) = match replace {
        Some(uid) => {
            let old = st.neuron(netuid, uid).map(|n| n.hotkey);
            if let Some(old) = old {
                st.remove_uid(netuid, &old);
                st.set_commits(netuid, &old, &Vec::new());
            }
            st.set_weights(netuid, uid, &Vec::new());
            st.set_bonds(netuid, uid, &Vec::new());
            (uid, old)
        }
        None => {
            let uid = subnet.n;
            subnet.n = subnet
                .n
                .checked_add(1)
                .ok_or(Error::NoUidAvailable(netuid))?;
            st.set_subnet(netuid, &subnet);
            (uid, None)
        }
    };
    st.set_neuron(
        netuid,
        uid,
        &Neuron {
            hotkey: *hotkey,
            block_at_registration: now,
            last_update: now,
            ..Neuron::default()
        },
    );
    st.set_uid(netuid, hotkey, uid);
    st.emit(Event::NeuronRegistered {
        netuid,
        uid,
        hotkey: *hotkey,
        burn,
        pruned,
    });
    Ok(uid)
}

/// The UID to replace when the subnet is full (subtensor `get_neuron_to_prune`): the lowest
/// emission, then the oldest registration, then the lowest UID, among neurons past their
/// immunity period; if all are immune, the same order among the immune. The owner's hotkey is
/// never pruned.
pub(crate) fn neuron_to_prune(st: &State<'_>, netuid: NetUid) -> Option<u16> {
    let subnet = st.subnet(netuid)?;
    let hp = st.hyperparams(netuid);
    let now = st.block();
    let mut best_free: Option<(u64, u64, u16)> = None;
    let mut best_immune: Option<(u64, u64, u16)> = None;
    for uid in 0..subnet.n {
        let Some(neuron) = st.neuron(netuid, uid) else {
            continue;
        };
        if neuron.hotkey == subnet.owner_hotkey {
            continue;
        }
        let key = (neuron.emission, neuron.block_at_registration, uid);
        let immune = now
            < neuron
                .block_at_registration
                .saturating_add(u64::from(hp.immunity_period));
        let best = if immune {
            &mut best_immune
        } else {
            &mut best_free
        };
        if best.is_none_or(|b| key < b) {
            *best = Some(key);
        }
    }
    best_free.or(best_immune).map(|(_, _, uid)| uid)
}

/// Registers `hotkey` (owned by `coldkey`, or unowned) on `netuid` for the current burn.
pub(crate) fn burned_register(
    st: &mut State<'_>,
    coldkey: &AccountId,
    netuid: NetUid,
    hotkey: &AccountId,
) -> Result<u16, Error> {
    let mut subnet = st.try_subnet(netuid)?;
    let hp = st.hyperparams(netuid);
    if !hp.registration_allowed {
        return Err(Error::RegistrationDisabled(netuid));
    }
    if st.uid_of(netuid, hotkey).is_some() {
        return Err(Error::AlreadyRegistered {
            hotkey: *hotkey,
            netuid,
        });
    }
    let replace = if subnet.n < hp.max_allowed_uids {
        None
    } else {
        Some(neuron_to_prune(st, netuid).ok_or(Error::NoUidAvailable(netuid))?)
    };
    let burn = subnet.burn;
    st.debit(coldkey, burn)?;
    claim_hotkey(st, coldkey, hotkey)?;

    // The burn buys alpha, which is destroyed: TAO stays in the pool's reserve.
    let mut pool = st.pool(netuid);
    let alpha = crate::pool::alpha_for_tao(&pool, burn);
    pool.tao_reserve = pool
        .tao_reserve
        .checked_add(burn)
        .ok_or(Error::Overflow("pool TAO reserve"))?;
    pool.alpha_reserve -= alpha; // alpha_for_tao < alpha_reserve
    st.set_pool(netuid, &pool);

    let uid = append_neuron(st, netuid, hotkey, burn, replace)?;
    subnet = st.try_subnet(netuid)?;
    subnet.burn = bump_burn(burn, hp.burn_increase_mult_ppm).clamp(hp.min_burn, hp.max_burn);
    st.set_subnet(netuid, &subnet);
    Ok(uid)
}

fn bump_burn(burn: u64, mult_ppm: u32) -> u64 {
    let bumped = u128::from(burn) * u128::from(mult_ppm.max(1_000_000)) / 1_000_000;
    u64::try_from(bumped).unwrap_or(u64::MAX)
}

fn mul_q32(a: u64, b: u64) -> u64 {
    u64::try_from((u128::from(a) * u128::from(b)) >> 32).unwrap_or(u64::MAX)
}

fn pow_q32(mut base: u64, mut exp: u16) -> u64 {
    let mut acc = ONE_Q32;
    while exp > 0 {
        if exp & 1 == 1 {
            acc = mul_q32(acc, base);
        }
        base = mul_q32(base, base);
        exp >>= 1;
    }
    acc
}

/// The per-block decay factor `f` (Q32) with `f^half_life` just at or below 1/2, found by
/// bisection as subtensor's `decay_factor_q32` does.
pub(crate) fn decay_factor_q32(half_life: u16) -> u64 {
    if half_life == 0 {
        return ONE_Q32;
    }
    let (mut lo, mut hi) = (0u64, ONE_Q32);
    while lo + 1 < hi {
        let mid = lo + (hi - lo) / 2;
        if pow_q32(mid, half_life) > ONE_Q32 / 2 {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    lo
}

/// Decays every subnet's burn by one block.
pub(crate) fn decay_burns(st: &mut State<'_>) {
    for netuid in st.netuids() {
        let Some(mut subnet) = st.subnet(netuid) else {
            continue;
        };
        let hp = st.hyperparams(netuid);
        let decayed = mul_q32(subnet.burn, decay_factor_q32(hp.burn_half_life))
            .clamp(hp.min_burn, hp.max_burn);
        if decayed != subnet.burn {
            subnet.burn = decayed;
            st.set_subnet(netuid, &subnet);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decay_halves_over_half_life() {
        let f = decay_factor_q32(360);
        let mut burn = 1_000_000_000u64;
        for _ in 0..360 {
            burn = mul_q32(burn, f);
        }
        assert!((499_000_000..=500_000_000).contains(&burn), "{burn}");
        assert_eq!(decay_factor_q32(0), ONE_Q32);
        assert_eq!(decay_factor_q32(1), ONE_Q32 / 2);
    }

    #[test]
    fn bump_is_126_percent() {
        assert_eq!(bump_burn(1_000_000_000, 1_260_000), 1_260_000_000);
        assert_eq!(bump_burn(u64::MAX, 2_000_000), u64::MAX);
    }
}
