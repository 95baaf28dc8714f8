//! Chain-wide parameters (fixed at genesis, changeable by sudo on dev chains) and per-subnet
//! hyperparameters, with subtensor's defaults and the bounds an owner must respect.
//!
//! Proportions are `u16` fractions of 65535 as in subtensor (`11_796` = 18%). Amounts are rao.
//! Durations are blocks.

use crate::struct_codec;
use serde::{Deserialize, Serialize};
use yuma_primitives::AccountId;

/// 21M TAO in rao: nothing is minted past this (subtensor `TotalSupply`).
pub const TOTAL_SUPPLY: u64 = 21_000_000_000_000_000;
/// Block reward before any halving: 1 TAO (subtensor `DefaultBlockEmission`).
pub const DEFAULT_BLOCK_EMISSION: u64 = 1_000_000_000;
/// `u16::MAX`, the denominator of `u16` proportions.
pub const U16_ONE: u64 = u16::MAX as u64;
/// Largest `max_allowed_uids` an owner may set (subtensor allows 256; our epoch affords more).
pub const MAX_UIDS_LIMIT: u16 = 4096;
/// Smallest `max_allowed_uids` an owner may set (subtensor `MinAllowedUids`).
pub const MIN_UIDS_LIMIT: u16 = 64;
/// Smallest tempo (subtensor `MIN_TEMPO`); only sudo may go below on dev chains.
pub const MIN_TEMPO: u16 = 360;
/// Largest tempo (subtensor `MAX_TEMPO`).
pub const MAX_TEMPO: u16 = 50_400;
/// Reveal period bounds in tempos (subtensor `MIN/MAX_COMMIT_REVEAL_PEROIDS`).
pub const REVEAL_PERIOD_RANGE: (u64, u64) = (1, 100);
/// Unrevealed commits one hotkey may hold on a subnet (subtensor: 10).
pub const MAX_PENDING_COMMITS: usize = 10;
/// Smallest activity cutoff an owner may set (subtensor `MinActivityCutoff`).
pub const MIN_ACTIVITY_CUTOFF: u16 = 360;
/// Largest bonds moving average an owner may set (subtensor admin-utils: 975000).
pub const MAX_OWNER_BONDS_MOVING_AVERAGE: u64 = 975_000;

/// Chain-wide parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainParams {
    /// Fee every fee-paying transaction burns, in rao.
    pub tx_fee: u64,
    /// Cost units a block may hold (see [`crate::call::Call::cost`]).
    pub max_block_cost: u64,
    /// Smallest lock to register a subnet (subtensor `NetworkMinLockCost`, 1000 TAO).
    pub network_min_lock: u64,
    /// Blocks over which the doubled lock decays back (subtensor: 14 * 7200).
    pub network_lock_reduction_interval: u64,
    /// Blocks between two subnet registrations (subtensor `NetworkRateLimit`, 7200).
    pub network_rate_limit: u64,
    /// Most subnets at once, root excluded (subtensor `SubnetLimit`, 128).
    pub subnet_limit: u16,
    /// Smallest stake operation in rao (subtensor `DefaultMinStake`, 0.002 TAO).
    pub min_stake: u64,
    /// Delegate take given to a new hotkey (subtensor `DefaultDelegateTake`, 18%).
    pub default_take: u16,
    /// Smallest delegate take (subtensor `InitialMinDelegateTake`, 0).
    pub min_take: u16,
    /// Largest delegate take (subtensor `InitialDefaultTake`, 18%).
    pub max_take: u16,
    /// Blocks between two take increases of one hotkey (subtensor `TxDelegateTakeRateLimit`).
    pub take_rate_limit: u64,
    /// Subnet owner's cut of alpha emission (subtensor `SubnetOwnerCut`, 18%).
    pub subnet_owner_cut: u16,
    /// Weight of the newest price in the per-block moving price, as a Q32 fraction
    /// (subtensor `DefaultMovingAlpha` 0.000003 = 12885 / 2^32).
    pub moving_alpha_q32: u64,
    /// Blocks over which the moving-price weight ramps up after a subnet starts: the weight is
    /// `moving_alpha * b / (b + halving)` at `b` blocks (subtensor `EMAPriceHalvingBlocks`).
    pub ema_price_halving_blocks: u64,
    /// Validator-permit stake threshold in alpha rao (subtensor `StakeThreshold`, 0).
    pub stake_threshold: u64,
    /// The sudo key; `Some` only on dev chains. Sudo calls fail when it is `None`.
    pub sudo: Option<AccountId>,
}

struct_codec!(ChainParams {
    tx_fee,
    max_block_cost,
    network_min_lock,
    network_lock_reduction_interval,
    network_rate_limit,
    subnet_limit,
    min_stake,
    default_take,
    min_take,
    max_take,
    take_rate_limit,
    subnet_owner_cut,
    moving_alpha_q32,
    ema_price_halving_blocks,
    stake_threshold,
    sudo,
});

impl Default for ChainParams {
    fn default() -> Self {
        Self {
            tx_fee: 100_000,
            max_block_cost: 10_000_000,
            network_min_lock: 1_000_000_000_000,
            network_lock_reduction_interval: 14 * 7200,
            network_rate_limit: 7200,
            subnet_limit: 128,
            min_stake: 2_000_000,
            default_take: 11_796,
            min_take: 0,
            max_take: 11_796,
            take_rate_limit: 216_000,
            subnet_owner_cut: 11_796,
            moving_alpha_q32: 12_885,
            ema_price_halving_blocks: 201_600,
            stake_threshold: 0,
            sudo: None,
        }
    }
}

/// A subnet's hyperparameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hyperparams {
    /// Blocks between epochs.
    pub tempo: u16,
    /// Consensus majority threshold.
    pub kappa: u16,
    /// Slots in the subnet.
    pub max_allowed_uids: u16,
    /// Validator permits handed out per epoch.
    pub max_allowed_validators: u16,
    /// Blocks after registration during which a neuron is not pruned.
    pub immunity_period: u16,
    /// Blocks without weights after which a validator is inactive.
    pub activity_cutoff: u16,
    /// Blocks between two `set_weights` (or commits) of one neuron.
    pub weights_rate_limit: u64,
    /// Smallest `version_key` a weights call may carry.
    pub weights_version_key: u64,
    /// Largest weight after normalisation to `u16::MAX` (65535 = no limit).
    pub max_weights_limit: u16,
    /// Fewest weights a non-self weights call may carry.
    pub min_allowed_weights: u16,
    /// Bonds EMA factor, per million.
    pub bonds_moving_average: u64,
    /// Penalty on bonds to out-of-consensus miners.
    pub bonds_penalty: u16,
    /// Per-pair bond EMA (liquid alpha).
    pub liquid_alpha_enabled: bool,
    /// Liquid-alpha lower bound.
    pub alpha_low: u16,
    /// Liquid-alpha upper bound.
    pub alpha_high: u16,
    /// Liquid-alpha sigmoid steepness.
    pub alpha_sigmoid_steepness: i16,
    /// Yuma 3 bonds.
    pub yuma3_enabled: bool,
    /// Weights must be committed then revealed.
    pub commit_reveal_enabled: bool,
    /// Tempos between a commit and its reveal.
    pub reveal_period_epochs: u64,
    /// Whether `burned_register` is open.
    pub registration_allowed: bool,
    /// Floor of the registration burn.
    pub min_burn: u64,
    /// Ceiling of the registration burn.
    pub max_burn: u64,
    /// Blocks for the burn to halve with no registrations (0 = no decay).
    pub burn_half_life: u16,
    /// Burn multiplier after each registration, per million (1.26 = 1_260_000).
    pub burn_increase_mult_ppm: u32,
    /// Blocks between two `serve_axon` of one neuron.
    pub serving_rate_limit: u64,
    /// Anti weight-copying penalty ([`yuma_epoch::anticopy`]): the share of its dividends a
    /// validator whose weights anticipated none of the consensus' moves forfeits to the others,
    /// proportion of 65535. 0 (the default) turns the stage off, as in subtensor.
    #[serde(default)]
    pub anti_copy_penalty: u16,
}

struct_codec!(Hyperparams {
    appended_when_set: [anti_copy_penalty],
    tempo,
    kappa,
    max_allowed_uids,
    max_allowed_validators,
    immunity_period,
    activity_cutoff,
    weights_rate_limit,
    weights_version_key,
    max_weights_limit,
    min_allowed_weights,
    bonds_moving_average,
    bonds_penalty,
    liquid_alpha_enabled,
    alpha_low,
    alpha_high,
    alpha_sigmoid_steepness,
    yuma3_enabled,
    commit_reveal_enabled,
    reveal_period_epochs,
    registration_allowed,
    min_burn,
    max_burn,
    burn_half_life,
    burn_increase_mult_ppm,
    serving_rate_limit,
});

impl Default for Hyperparams {
    /// The values subtensor's `init_new_network` gives a new subnet.
    fn default() -> Self {
        Self {
            tempo: 360,
            kappa: 32_767,
            max_allowed_uids: 256,
            max_allowed_validators: 64,
            immunity_period: 5000,
            activity_cutoff: 5000,
            weights_rate_limit: 100,
            weights_version_key: 0,
            max_weights_limit: u16::MAX,
            min_allowed_weights: 1,
            bonds_moving_average: 900_000,
            bonds_penalty: u16::MAX,
            liquid_alpha_enabled: false,
            alpha_low: 45_875,
            alpha_high: 58_982,
            alpha_sigmoid_steepness: 1000,
            yuma3_enabled: true,
            commit_reveal_enabled: true,
            reveal_period_epochs: 1,
            registration_allowed: true,
            min_burn: 500_000,
            max_burn: 100_000_000_000,
            burn_half_life: 360,
            burn_increase_mult_ppm: 1_260_000,
            serving_rate_limit: 50,
            anti_copy_penalty: 0,
        }
    }
}

impl Hyperparams {
    /// The anti weight-copying stage as the epoch runs it: this subnet's penalty, and its
    /// reveal period as the delay (0 when commit-reveal is off).
    pub fn anti_copy(&self) -> yuma_epoch::anticopy::AntiCopy {
        yuma_epoch::anticopy::AntiCopy {
            penalty: self.anti_copy_penalty,
            reveal_delay: if self.commit_reveal_enabled {
                self.reveal_period_epochs
            } else {
                0
            },
        }
    }
}

/// The registration burn a new subnet starts with (subtensor `DefaultNeuronBurnCost`, 1 TAO).
pub const INITIAL_BURN: u64 = 1_000_000_000;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{Decode, Encode};

    #[test]
    fn the_anti_copy_penalty_is_encoded_only_when_set() {
        let off = Hyperparams::default();
        let bytes = off.encode();
        // The 25 fields there were before the penalty: 12 u16, 1 i16, 7 u64, 1 u32, 4 bool.
        assert_eq!(bytes.len(), 90);
        assert_eq!(Hyperparams::decode(&bytes), Ok(off.clone()));
        let on = Hyperparams {
            anti_copy_penalty: 39_321,
            ..off
        };
        let longer = on.encode();
        assert_eq!(longer[..90], bytes[..]);
        assert_eq!(longer[90..], 39_321u16.to_le_bytes());
        assert_eq!(Hyperparams::decode(&longer), Ok(on));
        assert!(Hyperparams::decode(&longer[..91]).is_err(), "half a tail");
    }

    #[test]
    fn anti_copy_delay_is_the_reveal_period_when_commit_reveal_is_on() {
        let hp = Hyperparams {
            anti_copy_penalty: 7,
            reveal_period_epochs: 3,
            ..Hyperparams::default()
        };
        assert_eq!(hp.anti_copy().reveal_delay, 3);
        assert_eq!(hp.anti_copy().penalty, 7);
        let off = Hyperparams {
            commit_reveal_enabled: false,
            ..hp
        };
        assert_eq!(off.anti_copy().reveal_delay, 0);
    }
}
