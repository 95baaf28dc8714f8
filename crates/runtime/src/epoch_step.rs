//! A subnet's epoch block: gather the Yuma inputs from the state, run the epoch, store the
//! scores and pay the pending emission.
//!
//! Payment (subtensor `distribute_emission`): each UID's server emission (incentive) is staked
//! to its hotkey under the hotkey's owner; its validator emission (dividends) pays the delegate
//! take to the owner and shares the rest among everyone staked on the hotkey in proportion to
//! their alpha (the remainder of the integer division goes to the owner). The owner cut
//! accumulated since the last epoch is staked to the subnet owner's hotkey. Alpha the epoch
//! does not hand out (no validators, no weights) is not minted.
//!
//! Anti weight-copying: when the subnet's `anti_copy_penalty` is above 0, the epoch runs through
//! [`yuma_epoch::anticopy::run`] with the subnet's reveal period as the delay, and the dividends
//! it pays are the stage's re-split (the validators' total, and everything miners get, are
//! unchanged). The stage's memory is stored per subnet between epochs and only while it is not
//! empty: with the penalty at 0 the stage returns the plain epoch and an empty memory, so the
//! state is exactly what it is without the stage.

use crate::error::Error;
use crate::event::Event;
use crate::params::U16_ONE;
use crate::state::State;
use yuma_epoch::anticopy::Memory;
use yuma_primitives::{AccountId, NetUid};

/// Runs the epoch of `netuid` at the current block and pays its emission.
pub(crate) fn run_epoch(st: &mut State<'_>, netuid: NetUid) -> Result<(), Error> {
    let Some(mut subnet) = st.subnet(netuid) else {
        return Ok(());
    };
    let hp = st.hyperparams(netuid);
    let now = st.block();
    let mut pool = st.pool(netuid);
    let n = subnet.n;
    let neurons: Vec<_> = (0..n)
        .map(|uid| st.neuron(netuid, uid).unwrap_or_default())
        .collect();
    let owner_uid = st.uid_of(netuid, &subnet.owner_hotkey);
    let params = yuma_epoch::Params {
        tempo: u64::from(hp.tempo),
        activity_cutoff: u64::from(hp.activity_cutoff),
        kappa: hp.kappa,
        bonds_penalty: hp.bonds_penalty,
        bonds_moving_average: hp.bonds_moving_average,
        max_allowed_validators: hp.max_allowed_validators,
        liquid_alpha_enabled: hp.liquid_alpha_enabled,
        alpha_low: hp.alpha_low,
        alpha_high: hp.alpha_high,
        alpha_sigmoid_steepness: hp.alpha_sigmoid_steepness,
        yuma3_enabled: hp.yuma3_enabled,
        stake_threshold: st.params.stake_threshold,
        owner_uid,
        rao_emission: pool.pending_emission,
    };
    let input = yuma_epoch::Input {
        current_block: now,
        last_mechanism_step_block: subnet.last_epoch_block,
        stake: neurons
            .iter()
            .map(|nr| st.hotkey_alpha(netuid, &nr.hotkey))
            .collect(),
        last_update: neurons.iter().map(|nr| nr.last_update).collect(),
        block_at_registration: neurons.iter().map(|nr| nr.block_at_registration).collect(),
        weights: (0..n).map(|uid| st.weights(netuid, uid)).collect(),
        validator_permit: neurons.iter().map(|nr| nr.validator_permit).collect(),
        bonds: (0..n).map(|uid| st.bonds(netuid, uid)).collect(),
    };
    let anti = hp.anti_copy();
    let memory = st.anti_copy_memory(netuid);
    let fresh = forget_replaced(memory.clone(), &input.block_at_registration);
    let Ok((out, next)) = yuma_epoch::anticopy::run(&params, &anti, &input, &fresh) else {
        // Inconsistent inputs cannot come from a transaction; keep the emission pending.
        return Ok(());
    };
    if next != memory {
        st.set_anti_copy_memory(netuid, &next);
    }
    let get = |v: &Vec<u16>, i: usize| v.get(i).copied().unwrap_or(0);
    let mut paid: u64 = 0;
    for (i, mut neuron) in neurons.into_iter().enumerate() {
        let uid = u16::try_from(i).unwrap_or(u16::MAX);
        neuron.active = out.active.get(i).copied().unwrap_or(false);
        neuron.validator_permit = out.validator_permit.get(i).copied().unwrap_or(false);
        neuron.stake_weight = get(&out.stake_weight, i);
        neuron.consensus = get(&out.consensus, i);
        neuron.incentive = get(&out.incentive, i);
        neuron.dividends = get(&out.dividends, i);
        neuron.validator_trust = get(&out.validator_trust, i);
        let incentive = out.server_emission.get(i).copied().unwrap_or(0);
        let dividends = out.validator_emission.get(i).copied().unwrap_or(0);
        neuron.emission = incentive.saturating_add(dividends);
        paid = paid.saturating_add(neuron.emission);
        st.set_bonds(netuid, uid, &out.bonds.get(i).cloned().unwrap_or_default());
        let hotkey = neuron.hotkey;
        st.set_neuron(netuid, uid, &neuron);
        if incentive > 0 || dividends > 0 {
            pay_hotkey(st, netuid, &hotkey, incentive, dividends)?;
            st.emit(Event::Emission {
                netuid,
                hotkey,
                incentive,
                dividends,
            });
        }
    }
    pool = st.pool(netuid);
    let owner_cut = pool.pending_owner_cut;
    let unpaid = pool.pending_emission.saturating_sub(paid);
    pool.pending_emission = 0;
    pool.pending_owner_cut = 0;
    pool.alpha_issued = pool.alpha_issued.saturating_sub(unpaid);
    st.set_pool(netuid, &pool);
    if owner_cut > 0 {
        st.credit_stake(netuid, &subnet.owner_hotkey, &subnet.owner, owner_cut)?;
        st.emit(Event::OwnerCut {
            netuid,
            hotkey: subnet.owner_hotkey,
            alpha: owner_cut,
        });
    }
    subnet.last_epoch_block = now;
    st.set_subnet(netuid, &subnet);
    st.emit(Event::EpochRun {
        netuid,
        block: now,
        emission: paid,
    });
    Ok(())
}

/// The anti-copy memory without what it holds for uids registered at or after the block it
/// was taken at. The epoch runs before the block's transactions, so a uid registered in the
/// epoch's own block (the stage only drops those registered later) is a new neuron in a
/// pruned slot: it must not inherit the old one's weight row and standing.
fn forget_replaced(mut memory: Memory, registered: &[u64]) -> Memory {
    if memory.block == 0 {
        return memory;
    }
    for (uid, &at) in registered.iter().enumerate() {
        if at >= memory.block {
            if let Some(row) = memory.weights.get_mut(uid) {
                row.clear();
            }
            if let Some(s) = memory.standing.get_mut(uid) {
                *s = None;
            }
        }
    }
    memory
}

/// Stakes a hotkey's incentive to its owner and shares its dividends with its nominators.
fn pay_hotkey(
    st: &mut State<'_>,
    netuid: NetUid,
    hotkey: &AccountId,
    incentive: u64,
    dividends: u64,
) -> Result<(), Error> {
    let owner = st.owner(hotkey).ok_or(Error::UnknownHotkey(*hotkey))?;
    let take = u64::from(st.take(hotkey));
    let take_amount = mul_div(dividends, take, U16_ONE);
    let shared = dividends - take_amount;
    let stakers = st.stakers(netuid, hotkey);
    let total: u64 = stakers.iter().map(|&(_, s)| s).sum();
    let mut given = 0u64;
    if total > 0 {
        for (coldkey, stake) in stakers {
            let share = mul_div(shared, stake, total);
            if share > 0 {
                st.credit_stake(netuid, hotkey, &coldkey, share)?;
                given += share;
            }
        }
    }
    let to_owner = incentive
        .saturating_add(take_amount)
        .saturating_add(shared - given);
    if to_owner > 0 {
        st.credit_stake(netuid, hotkey, &owner, to_owner)?;
    }
    Ok(())
}

/// `a * b / c` rounded down, for `b <= c` (so it fits in u64).
fn mul_div(a: u64, b: u64, c: u64) -> u64 {
    if c == 0 {
        return 0;
    }
    u64::try_from(u128::from(a) * u128::from(b) / u128::from(c)).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uid_registered_at_or_after_the_memory_forgets_its_slot() {
        let memory = Memory {
            block: 100,
            weights: vec![vec![(1, 5)], vec![(0, 5)], vec![(0, 1)]],
            consensus: vec![vec![1, 2, 3]],
            standing: vec![Some(1), Some(2), Some(3)],
        };
        let out = forget_replaced(memory.clone(), &[0, 100, 99, 200]);
        assert_eq!(out.weights, vec![vec![(1, 5)], vec![], vec![(0, 1)]]);
        assert_eq!(out.standing, vec![Some(1), None, Some(3)]);
        assert_eq!(out.consensus, memory.consensus);
        // An empty memory stays empty.
        assert_eq!(
            forget_replaced(Memory::default(), &[0, 5]),
            Memory::default()
        );
    }
}
