//! The epoch's inputs and outputs: subnet hyperparameters, per-uid state, and what is stored and
//! paid after the epoch.
//!
//! Units: stake and emission in rao (u64); blocks as u64; proportions as u16 fractions of
//! `u16::MAX` (65535 = 1.0); `bonds_moving_average` in parts per million.

use serde::{Deserialize, Serialize};

/// Subnet hyperparameters that stay constant during one epoch.
///
/// Field names and meanings follow subtensor's storage items of the same names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Params {
    /// Blocks per tempo; used for the bond mask when `last_mechanism_step_block` is unset.
    pub tempo: u64,
    /// A uid is inactive when `last_update + activity_cutoff < current_block` (blocks).
    pub activity_cutoff: u64,
    /// Consensus majority as a proportion of `u16::MAX` (32767 is about one half).
    pub kappa: u16,
    /// How far weights for bonds move towards the clipped weights, proportion of `u16::MAX`.
    pub bonds_penalty: u16,
    /// Bond EMA memory in parts per million; the EMA factor is `1 - bma / 1e6`.
    pub bonds_moving_average: u64,
    /// How many uids (top stake, non-zero) get a validator permit.
    pub max_allowed_validators: u16,
    /// Per-cell liquid alpha for the bond EMA; only used when `yuma3_enabled`.
    pub liquid_alpha_enabled: bool,
    /// Lowest liquid alpha, proportion of `u16::MAX`.
    pub alpha_low: u16,
    /// Highest liquid alpha, proportion of `u16::MAX`.
    pub alpha_high: u16,
    /// Steepness of the liquid-alpha sigmoid (divided by -100 before use).
    pub alpha_sigmoid_steepness: i16,
    /// Per-cell "Yuma3" bonds instead of the classic column-normalised EMA bonds.
    pub yuma3_enabled: bool,
    /// Stake below this many rao counts as zero (the subnet owner is exempt).
    pub stake_threshold: u64,
    /// Uid of the subnet owner's hotkey, if it is registered on the subnet.
    pub owner_uid: Option<u16>,
    /// Emission to split in this epoch, in rao.
    pub rao_emission: u64,
}

impl Default for Params {
    /// Subtensor's defaults for a new subnet (classic bonds, liquid alpha off, no owner).
    fn default() -> Self {
        Self {
            tempo: 360,
            activity_cutoff: 5000,
            kappa: 32767,
            bonds_penalty: 65535,
            bonds_moving_average: 900_000,
            max_allowed_validators: 128,
            liquid_alpha_enabled: false,
            alpha_low: 45875,
            alpha_high: 58982,
            alpha_sigmoid_steepness: 1000,
            yuma3_enabled: false,
            stake_threshold: 0,
            owner_uid: None,
            rao_emission: 1_000_000_000,
        }
    }
}

/// One subnet's state at the epoch, one entry per uid `0..n` where `n = stake.len()`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Input {
    /// The block the epoch runs at.
    pub current_block: u64,
    /// Block of the previous epoch of this subnet; 0 when unset.
    pub last_mechanism_step_block: u64,
    /// Stake weight per uid, in rao.
    pub stake: Vec<u64>,
    /// Block of each uid's last weight update.
    pub last_update: Vec<u64>,
    /// Block at which each uid was (most recently) registered.
    pub block_at_registration: Vec<u64>,
    /// Stored weight rows: `(dest uid, u16 weight)` in the order they were set (subtensor does
    /// not sort them, and the order changes liquid-alpha results), each dest uid at most once;
    /// explicit zero entries are kept because they change the result.
    pub weights: Vec<Vec<(u16, u16)>>,
    /// Validator permits from the previous epoch.
    pub validator_permit: Vec<bool>,
    /// Stored bond rows from the previous epoch: `(dest uid, u16 bond)` as the last epoch
    /// stored them, each dest uid at most once.
    pub bonds: Vec<Vec<(u16, u16)>>,
}

impl Input {
    /// Number of uids.
    pub fn n(&self) -> usize {
        self.stake.len()
    }
}

/// What the chain stores and pays after the epoch, one entry per uid.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Output {
    /// Whether each uid updated its weights within the activity cutoff.
    pub active: Vec<bool>,
    /// Normalised stake, proportion of `u16::MAX`.
    pub stake_weight: Vec<u16>,
    /// New validator permits.
    pub validator_permit: Vec<bool>,
    /// Stake-weighted median weight per uid, proportion of `u16::MAX`.
    pub consensus: Vec<u16>,
    /// Normalised rank per uid, proportion of `u16::MAX`.
    pub incentive: Vec<u16>,
    /// Normalised dividends per uid, proportion of `u16::MAX`.
    pub dividends: Vec<u16>,
    /// Sum of each validator's clipped weights, proportion of `u16::MAX`.
    pub validator_trust: Vec<u16>,
    /// Miner share of the emission, rao.
    pub server_emission: Vec<u64>,
    /// Validator share of the emission, rao.
    pub validator_emission: Vec<u64>,
    /// Combined emission as subtensor stores it in `Emission`, rao.
    pub emission: Vec<u64>,
    /// Every bond row as stored after the epoch (empty for uids without a new permit), in
    /// subtensor's entry order: by uid, except liquid alpha keeps the weight row's order.
    pub bonds: Vec<Vec<(u16, u16)>>,
}
