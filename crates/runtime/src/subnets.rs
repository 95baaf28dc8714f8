//! Subnets: creation (`register_network`), hyperparameters and dev-chain sudo.

use crate::call::{Hyperparameter, SudoCall};
use crate::error::Error;
use crate::event::Event;
use crate::params::{
    Hyperparams, INITIAL_BURN, MAX_OWNER_BONDS_MOVING_AVERAGE, MAX_TEMPO, MAX_UIDS_LIMIT,
    MIN_ACTIVITY_CUTOFF, MIN_UIDS_LIMIT, REVEAL_PERIOD_RANGE,
};
use crate::registration::{append_neuron, claim_hotkey};
use crate::state::State;
use crate::state::records::{Pool, SubnetRecord};
use yuma_epoch::anticopy::Memory;
use yuma_primitives::{AccountId, NetUid};

/// The lock the next subnet costs at the current block (subtensor `get_network_lock_cost`):
/// the last lock doubled, minus a linear decay of `last_lock / interval` per block since, never
/// below the minimum.
pub(crate) fn lock_cost(st: &State<'_>) -> u64 {
    let totals = st.totals();
    let min = st.params.network_min_lock;
    let last = if totals.last_lock == 0 {
        min
    } else {
        totals.last_lock
    };
    // No registration yet: the minimum, not doubled.
    let mult = if totals.last_lock == 0 { 1 } else { 2 };
    let per_block = last
        .checked_div(st.params.network_lock_reduction_interval)
        .unwrap_or(0);
    let decay = per_block.saturating_mul(totals.block.saturating_sub(totals.last_lock_block));
    last.saturating_mul(mult).saturating_sub(decay).max(min)
}

/// Creates a subnet owned by `owner`, with `hotkey` as UID 0, and locks the lock cost into its
/// pool (subtensor keeps the whole lock as the pool's TAO reserve, alpha at price 1).
pub(crate) fn register_network(
    st: &mut State<'_>,
    owner: &AccountId,
    hotkey: &AccountId,
) -> Result<NetUid, Error> {
    let mut totals = st.totals();
    let now = totals.block;
    if totals.last_lock != 0 {
        let next = totals
            .last_lock_block
            .saturating_add(st.params.network_rate_limit);
        if now < next {
            return Err(Error::RateLimited {
                what: "register_network",
                next,
            });
        }
    }
    let netuids = st.netuids();
    if netuids.len() >= usize::from(st.params.subnet_limit) {
        return Err(Error::SubnetLimitReached(st.params.subnet_limit));
    }
    let netuid = (1..=u16::MAX)
        .map(NetUid)
        .find(|n| !netuids.contains(n))
        .ok_or(Error::SubnetLimitReached(st.params.subnet_limit))?;
    let lock = lock_cost(st);
    claim_hotkey(st, owner, hotkey)?;
    st.debit(owner, lock)?;

    st.set_subnet(
        netuid,
        &SubnetRecord {
            owner: *owner,
            owner_hotkey: *hotkey,
            registered_at: now,
            lock,
            burn: INITIAL_BURN,
            n: 0,
            last_epoch_block: now,
        },
    );
    st.set_hyperparams(netuid, &Hyperparams::default());
    // A netuid is never reused today; if subnets are ever removed, a new one must not inherit
    // the old one's anti-copy standings.
    st.set_anti_copy_memory(netuid, &Memory::default());
    st.set_pool(
        netuid,
        &Pool {
            tao_reserve: lock,
            alpha_reserve: lock,
            alpha_issued: lock,
            ..Pool::default()
        },
    );
    totals.last_lock = lock;
    totals.last_lock_block = now;
    st.set_totals(&totals);
    st.emit(Event::NetworkAdded {
        netuid,
        owner: *owner,
        hotkey: *hotkey,
        lock,
    });
    append_neuron(st, netuid, hotkey, 0, None)?;
    Ok(netuid)
}

fn out_of_bounds(name: &'static str, value: impl ToString, bounds: &str) -> Error {
    Error::OutOfBounds {
        name,
        value: value.to_string(),
        bounds: bounds.to_owned(),
    }
}

/// Applies `param` to `hp`, checking bounds: the owner's when `owner` is true, otherwise only
/// what keeps the subnet working (sudo on dev chains). `n` is the subnet's neuron count.
pub(crate) fn apply_hyperparameter(
    hp: &mut Hyperparams,
    param: &Hyperparameter,
    owner: bool,
    n: u16,
) -> Result<(), Error> {
    if owner && !param.owner_settable() {
        return Err(Error::RequiresSudo(param.name()));
    }
    use Hyperparameter as H;
    match *param {
        H::Tempo { value } => {
            if value == 0 || value > MAX_TEMPO {
                return Err(out_of_bounds("tempo", value, &format!("1..={MAX_TEMPO}")));
            }
            hp.tempo = value;
        }
        H::Kappa { value } => hp.kappa = value,
        H::MaxAllowedUids { value } => {
            let low = if owner {
                MIN_UIDS_LIMIT.max(n)
            } else {
                n.max(1)
            };
            if value < low || value > MAX_UIDS_LIMIT {
                return Err(out_of_bounds(
                    "max_allowed_uids",
                    value,
                    &format!("{low}..={MAX_UIDS_LIMIT}"),
                ));
            }
            hp.max_allowed_uids = value;
        }
        H::MaxAllowedValidators { value } => {
            if value > hp.max_allowed_uids {
                return Err(out_of_bounds(
                    "max_allowed_validators",
                    value,
                    &format!("0..={}", hp.max_allowed_uids),
                ));
            }
            hp.max_allowed_validators = value;
        }
        H::ImmunityPeriod { value } => hp.immunity_period = value,
        H::ActivityCutoff { value } => {
            if owner && value < MIN_ACTIVITY_CUTOFF {
                return Err(out_of_bounds(
                    "activity_cutoff",
                    value,
                    &format!("{MIN_ACTIVITY_CUTOFF}..=65535"),
                ));
            }
            hp.activity_cutoff = value;
        }
        H::WeightsRateLimit { value } => hp.weights_rate_limit = value,
        H::WeightsVersionKey { value } => hp.weights_version_key = value,
        H::MaxWeightsLimit { value } => hp.max_weights_limit = value,
        H::MinAllowedWeights { value } => {
            if value > hp.max_allowed_uids {
                return Err(out_of_bounds(
                    "min_allowed_weights",
                    value,
                    &format!("0..={}", hp.max_allowed_uids),
                ));
            }
            hp.min_allowed_weights = value;
        }
        H::BondsMovingAverage { value } => {
            let max = if owner {
                MAX_OWNER_BONDS_MOVING_AVERAGE
            } else {
                1_000_000
            };
            if value > max {
                return Err(out_of_bounds(
                    "bonds_moving_average",
                    value,
                    &format!("0..={max}"),
                ));
            }
            hp.bonds_moving_average = value;
        }
        H::BondsPenalty { value } => hp.bonds_penalty = value,
        H::LiquidAlphaEnabled { value } => hp.liquid_alpha_enabled = value,
        H::AlphaValues { low, high } => {
            // subtensor admin-utils: 0.025 <= alpha_low < alpha_high
            if low < 1638 || low >= high {
                return Err(out_of_bounds(
                    "alpha_values",
                    format!("({low}, {high})"),
                    "1638 <= low < high",
                ));
            }
            hp.alpha_low = low;
            hp.alpha_high = high;
        }
        H::AlphaSigmoidSteepness { value } => {
            if owner && value < 0 {
                return Err(out_of_bounds("alpha_sigmoid_steepness", value, "0..=32767"));
            }
            hp.alpha_sigmoid_steepness = value;
        }
        H::Yuma3Enabled { value } => hp.yuma3_enabled = value,
        H::CommitRevealEnabled { value } => hp.commit_reveal_enabled = value,
        H::RevealPeriodEpochs { value } => {
            let (lo, hi) = REVEAL_PERIOD_RANGE;
            if value < lo || value > hi {
                return Err(out_of_bounds(
                    "reveal_period_epochs",
                    value,
                    &format!("{lo}..={hi}"),
                ));
            }
            hp.reveal_period_epochs = value;
        }
        H::RegistrationAllowed { value } => hp.registration_allowed = value,
        H::MinBurn { value } => {
            if value > hp.max_burn {
                return Err(out_of_bounds(
                    "min_burn",
                    value,
                    &format!("0..={}", hp.max_burn),
                ));
            }
            hp.min_burn = value;
        }
        H::MaxBurn { value } => {
            if value < hp.min_burn {
                return Err(out_of_bounds(
                    "max_burn",
                    value,
                    &format!("{}..", hp.min_burn),
                ));
            }
            hp.max_burn = value;
        }
        H::BurnHalfLife { value } => hp.burn_half_life = value,
        H::BurnIncreaseMultPpm { value } => {
            if value < 1_000_000 {
                return Err(out_of_bounds("burn_increase_mult_ppm", value, "1000000.."));
            }
            hp.burn_increase_mult_ppm = value;
        }
        H::ServingRateLimit { value } => hp.serving_rate_limit = value,
        // Any proportion is usable: 0 is off, 65535 moves all of a pure copier's dividends.
        H::AntiCopyPenalty { value } => hp.anti_copy_penalty = value,
    }
    Ok(())
}

/// Sets a hyperparameter of a subnet the signer owns (or any subnet, for sudo).
pub(crate) fn set_hyperparameter(
    st: &mut State<'_>,
    signer: &AccountId,
    netuid: NetUid,
    param: &Hyperparameter,
    as_sudo: bool,
) -> Result<(), Error> {
    let subnet = st.try_subnet(netuid)?;
    if !as_sudo && subnet.owner != *signer {
        return Err(Error::NotOwner {
            signer: *signer,
            netuid,
        });
    }
    let mut hp = st.hyperparams(netuid);
    apply_hyperparameter(&mut hp, param, !as_sudo, subnet.n)?;
    let mut subnet = subnet;
    subnet.burn = subnet.burn.clamp(hp.min_burn, hp.max_burn);
    st.set_subnet(netuid, &subnet);
    st.set_hyperparams(netuid, &hp);
    if let Hyperparameter::AntiCopyPenalty { value: 0 } = param {
        // Off: the stage's memory goes with it (a later restart scores from scratch).
        st.set_anti_copy_memory(netuid, &Memory::default());
    }
    st.emit(Event::HyperparameterSet {
        netuid,
        param: param.clone(),
    });
    Ok(())
}

/// Runs a sudo call: only the chain's sudo key, only on chains that have one (dev chains).
pub(crate) fn sudo(st: &mut State<'_>, signer: &AccountId, call: &SudoCall) -> Result<(), Error> {
    if st.params.sudo != Some(*signer) {
        return Err(Error::RequiresSudo("sudo"));
    }
    let mut params = st.params.clone();
    let what = match *call {
        SudoCall::SetSubnetHyperparameter { netuid, ref param } => {
            return set_hyperparameter(st, signer, netuid, param, true);
        }
        SudoCall::SetTxFee { fee } => {
            params.tx_fee = fee;
            format!("tx_fee = {fee}")
        }
        SudoCall::SetNetworkMinLock { lock } => {
            if lock == 0 {
                return Err(out_of_bounds("network_min_lock", lock, "1.."));
            }
            params.network_min_lock = lock;
            format!("network_min_lock = {lock}")
        }
        SudoCall::SetNetworkRateLimit { blocks } => {
            params.network_rate_limit = blocks;
            format!("network_rate_limit = {blocks}")
        }
        SudoCall::SetMinStake { amount } => {
            params.min_stake = amount;
            format!("min_stake = {amount}")
        }
    };
    st.set_params(params);
    st.emit(Event::SudoDone { what });
    Ok(())
}
