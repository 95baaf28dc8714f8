//! A subnet's epoch block: gather the Yuma inputs from the state, run the epoch, store the
//! scores and pay the pending emission.
//!
//! Payment (subtensor `distribute_emission`): each UID's server emission (incentive) is staked
//! to its hotkey under the hotkey's owner; its validator emission (dividends) pays the delegate
//! take to the owner and shares the rest among everyone staked on the hotkey in proportion to
//! their alpha (the remainder of the integer division goes to the owner). The owner cut
//! accumulated since the last epoch is staked to the subnet owner's hotkey. Alpha the epoch
//! does not hand out (no validators, no weights) is not minted.

use crate::error::Error;
use crate::event::Event;
use crate::params::U16_ONE;
use crate::state::State;
use yuma_primitives::{AccountId, NetUid};

use interim as yuma_epoch;

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
    let Ok(out) = yuma_epoch::run(&params, &input) else {
        // Inconsistent inputs cannot come from a transaction; keep the emission pending.
        return Ok(());
    };
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

/// A stand-in with the `yuma_epoch` API, used until the epoch crate is merged: stake-weighted
/// ranks without the kappa clipping or bonds. Replaced by `yuma_epoch::run`.
mod interim {
    pub(crate) struct Params {
        pub(crate) tempo: u64,
        pub(crate) activity_cutoff: u64,
        pub(crate) kappa: u16,
        pub(crate) bonds_penalty: u16,
        pub(crate) bonds_moving_average: u64,
        pub(crate) max_allowed_validators: u16,
        pub(crate) liquid_alpha_enabled: bool,
        pub(crate) alpha_low: u16,
        pub(crate) alpha_high: u16,
        pub(crate) alpha_sigmoid_steepness: i16,
        pub(crate) yuma3_enabled: bool,
        pub(crate) stake_threshold: u64,
        pub(crate) owner_uid: Option<u16>,
        pub(crate) rao_emission: u64,
    }
    pub(crate) struct Input {
        pub(crate) current_block: u64,
        pub(crate) last_mechanism_step_block: u64,
        pub(crate) stake: Vec<u64>,
        pub(crate) last_update: Vec<u64>,
        pub(crate) block_at_registration: Vec<u64>,
        pub(crate) weights: Vec<Vec<(u16, u16)>>,
        pub(crate) validator_permit: Vec<bool>,
        pub(crate) bonds: Vec<Vec<(u16, u16)>>,
    }
    pub(crate) struct Output {
        pub(crate) active: Vec<bool>,
        pub(crate) stake_weight: Vec<u16>,
        pub(crate) validator_permit: Vec<bool>,
        pub(crate) consensus: Vec<u16>,
        pub(crate) incentive: Vec<u16>,
        pub(crate) dividends: Vec<u16>,
        pub(crate) validator_trust: Vec<u16>,
        pub(crate) server_emission: Vec<u64>,
        pub(crate) validator_emission: Vec<u64>,
        pub(crate) bonds: Vec<Vec<(u16, u16)>>,
    }

    fn normalise(v: &[u128]) -> Vec<u16> {
        let sum: u128 = v.iter().sum();
        v.iter()
            .map(|&x| {
                (x * 65535)
                    .checked_div(sum)
                    .and_then(|q| u16::try_from(q).ok())
                    .unwrap_or(0)
            })
            .collect()
    }

    fn share(total: u64, part: u16) -> u64 {
        u64::try_from(u128::from(total) * u128::from(part) / 65535).unwrap_or(0)
    }

    pub(crate) fn run(p: &Params, x: &Input) -> Result<Output, ()> {
        let _ = (p.tempo, p.kappa, p.bonds_penalty, p.bonds_moving_average);
        let _ = (
            p.liquid_alpha_enabled,
            p.alpha_low,
            p.alpha_high,
            p.alpha_sigmoid_steepness,
        );
        let _ = (p.yuma3_enabled, p.owner_uid, x.last_mechanism_step_block);
        let _ = (&x.validator_permit, &x.block_at_registration);
        let n = x.stake.len();
        let active: Vec<bool> = (0..n)
            .map(|i| x.last_update[i].saturating_add(p.activity_cutoff) >= x.current_block)
            .collect();
        let mut order: Vec<usize> = (0..n)
            .filter(|&i| x.stake[i] >= p.stake_threshold)
            .collect();
        order.sort_by(|&a, &b| x.stake[b].cmp(&x.stake[a]).then(a.cmp(&b)));
        order.truncate(usize::from(p.max_allowed_validators));
        let mut permit = vec![false; n];
        for &i in &order {
            permit[i] = true;
        }
        let stake: Vec<u128> = (0..n)
            .map(|i| {
                if permit[i] && active[i] {
                    u128::from(x.stake[i])
                } else {
                    0
                }
            })
            .collect();
        let mut rank = vec![0u128; n];
        for (row, &s) in x.weights.iter().zip(&stake) {
            let row_sum: u128 = row.iter().map(|&(_, w)| u128::from(w)).sum();
            if s == 0 || row_sum == 0 {
                continue;
            }
            for &(j, w) in row {
                if let Some(r) = rank.get_mut(usize::from(j)) {
                    *r += s * u128::from(w) * 65535 / row_sum;
                }
            }
        }
        let incentive = normalise(&rank);
        let div: Vec<u128> = (0..n)
            .map(|i| {
                let row_sum: u128 = x.weights[i].iter().map(|&(_, w)| u128::from(w)).sum();
                if row_sum == 0 {
                    return 0;
                }
                let agree: u128 = x.weights[i]
                    .iter()
                    .map(|&(j, w)| {
                        u128::from(w)
                            * u128::from(incentive.get(usize::from(j)).copied().unwrap_or(0))
                    })
                    .sum();
                stake[i] * agree / row_sum
            })
            .collect();
        let dividends = normalise(&div);
        let half = p.rao_emission / 2;
        let paid_any = incentive.iter().any(|&v| v > 0) && dividends.iter().any(|&v| v > 0);
        let server_emission = (0..n)
            .map(|i| {
                if paid_any {
                    share(half, incentive[i])
                } else {
                    0
                }
            })
            .collect();
        let validator_emission = (0..n)
            .map(|i| {
                if paid_any {
                    share(p.rao_emission - half, dividends[i])
                } else {
                    0
                }
            })
            .collect();
        Ok(Output {
            active,
            stake_weight: normalise(&stake),
            validator_permit: permit,
            consensus: incentive.clone(),
            incentive,
            dividends,
            validator_trust: vec![0; n],
            server_emission,
            validator_emission,
            bonds: x.bonds.clone(),
        })
    }
}
