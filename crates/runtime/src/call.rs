//! What a transaction asks the chain to do.
//!
//! A [`Call`] encodes as one tag byte (the number in the table) followed by its fields in the
//! order written, with the codec of [`crate::codec`].
//!
//! | tag | call | signer | fee |
//! |---|---|---|---|
//! | 0 | `Transfer` | coldkey | yes |
//! | 1 | `RegisterNetwork` | coldkey | yes |
//! | 2 | `SetSubnetHyperparameter` | subnet owner coldkey | yes |
//! | 3 | `BurnedRegister` | coldkey | yes |
//! | 4 | `ServeAxon` | hotkey | no |
//! | 5 | `AddStake` | coldkey | yes |
//! | 6 | `RemoveStake` | coldkey | yes |
//! | 7 | `MoveStake` | coldkey | yes |
//! | 8 | `TransferStake` | coldkey | yes |
//! | 9 | `SetWeights` | hotkey | no |
//! | 10 | `CommitWeights` | hotkey | no |
//! | 11 | `RevealWeights` | hotkey | no |
//! | 12 | `SetDelegateTake` | hotkey's owner coldkey | yes |
//! | 13 | `Sudo` | sudo key (dev chains) | yes |
//! | 14 | `SetSubnetIdentity` | subnet owner coldkey, or sudo key | yes |
//!
//! Hotkey calls are free, as in subtensor (`Pays::No`), because hotkeys hold no TAO; they are
//! checked in full before inclusion instead, so a failing one never enters a block.

use crate::codec::{CodecError, Decode, Encode, Reader};
use crate::hash::Hash;
use crate::identity::SubnetIdentity;
use serde::{Deserialize, Serialize};
use yuma_primitives::{AccountId, Balance, NetUid};

/// Implements the codec for an enum whose variants have named fields.
macro_rules! enum_codec {
    ($t:ident { $($tag:literal => $variant:ident { $($field:ident),* }),* $(,)? }) => {
        impl Encode for $t {
            fn encode_to(&self, out: &mut Vec<u8>) {
                match self {
                    $( Self::$variant { $($field),* } => {
                        out.push($tag);
                        $( Encode::encode_to($field, out); )*
                    } )*
                }
            }
        }
        impl Decode for $t {
            fn decode_from(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
                match reader.tag()? {
                    $( $tag => Ok(Self::$variant { $( $field: Decode::decode_from(reader)?, )* }), )*
                    tag => Err(CodecError::UnknownTag { what: stringify!($t), tag }),
                }
            }
        }
    };
}

/// A subnet hyperparameter and its new value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)] // each variant sets the `Hyperparams` field of the same name
pub enum Hyperparameter {
    Tempo { value: u16 },
    Kappa { value: u16 },
    MaxAllowedUids { value: u16 },
    MaxAllowedValidators { value: u16 },
    ImmunityPeriod { value: u16 },
    ActivityCutoff { value: u16 },
    WeightsRateLimit { value: u64 },
    WeightsVersionKey { value: u64 },
    MaxWeightsLimit { value: u16 },
    MinAllowedWeights { value: u16 },
    BondsMovingAverage { value: u64 },
    BondsPenalty { value: u16 },
    LiquidAlphaEnabled { value: bool },
    AlphaValues { low: u16, high: u16 },
    AlphaSigmoidSteepness { value: i16 },
    Yuma3Enabled { value: bool },
    CommitRevealEnabled { value: bool },
    RevealPeriodEpochs { value: u64 },
    RegistrationAllowed { value: bool },
    MinBurn { value: u64 },
    MaxBurn { value: u64 },
    BurnHalfLife { value: u16 },
    BurnIncreaseMultPpm { value: u32 },
    ServingRateLimit { value: u64 },
    AntiCopyPenalty { value: u16 },
}

enum_codec!(Hyperparameter {
    0 => Tempo { value },
    1 => Kappa { value },
    2 => MaxAllowedUids { value },
    3 => MaxAllowedValidators { value },
    4 => ImmunityPeriod { value },
    5 => ActivityCutoff { value },
    6 => WeightsRateLimit { value },
    7 => WeightsVersionKey { value },
    8 => MaxWeightsLimit { value },
    9 => MinAllowedWeights { value },
    10 => BondsMovingAverage { value },
    11 => BondsPenalty { value },
    12 => LiquidAlphaEnabled { value },
    13 => AlphaValues { low, high },
    14 => AlphaSigmoidSteepness { value },
    15 => Yuma3Enabled { value },
    16 => CommitRevealEnabled { value },
    17 => RevealPeriodEpochs { value },
    18 => RegistrationAllowed { value },
    19 => MinBurn { value },
    20 => MaxBurn { value },
    21 => BurnHalfLife { value },
    22 => BurnIncreaseMultPpm { value },
    23 => ServingRateLimit { value },
    24 => AntiCopyPenalty { value },
});

impl Hyperparameter {
    /// The parameter's name, as `yuma subnet hyperparameters` shows it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Tempo { .. } => "tempo",
            Self::Kappa { .. } => "kappa",
            Self::MaxAllowedUids { .. } => "max_allowed_uids",
            Self::MaxAllowedValidators { .. } => "max_allowed_validators",
            Self::ImmunityPeriod { .. } => "immunity_period",
            Self::ActivityCutoff { .. } => "activity_cutoff",
            Self::WeightsRateLimit { .. } => "weights_rate_limit",
            Self::WeightsVersionKey { .. } => "weights_version_key",
            Self::MaxWeightsLimit { .. } => "max_weights_limit",
            Self::MinAllowedWeights { .. } => "min_allowed_weights",
            Self::BondsMovingAverage { .. } => "bonds_moving_average",
            Self::BondsPenalty { .. } => "bonds_penalty",
            Self::LiquidAlphaEnabled { .. } => "liquid_alpha_enabled",
            Self::AlphaValues { .. } => "alpha_values",
            Self::AlphaSigmoidSteepness { .. } => "alpha_sigmoid_steepness",
            Self::Yuma3Enabled { .. } => "yuma3_enabled",
            Self::CommitRevealEnabled { .. } => "commit_reveal_enabled",
            Self::RevealPeriodEpochs { .. } => "reveal_period_epochs",
            Self::RegistrationAllowed { .. } => "registration_allowed",
            Self::MinBurn { .. } => "min_burn",
            Self::MaxBurn { .. } => "max_burn",
            Self::BurnHalfLife { .. } => "burn_half_life",
            Self::BurnIncreaseMultPpm { .. } => "burn_increase_mult_ppm",
            Self::ServingRateLimit { .. } => "serving_rate_limit",
            Self::AntiCopyPenalty { .. } => "anti_copy_penalty",
        }
    }

    /// Whether a subnet owner may set it; the others are root-only in subtensor's admin-utils
    /// and so sudo-only here.
    pub fn owner_settable(&self) -> bool {
        !matches!(
            self,
            Self::Tempo { .. }
                | Self::Kappa { .. }
                | Self::MaxAllowedValidators { .. }
                | Self::WeightsRateLimit { .. }
                | Self::BurnHalfLife { .. }
                | Self::BurnIncreaseMultPpm { .. }
        )
    }
}

/// A dev-chain governance call (only the sudo key, only when the chain has one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SudoCall {
    /// Sets any hyperparameter of a subnet, skipping the owner bounds (values must still be
    /// usable: tempo > 0, max UIDs within 1..=4096 and not below the current count).
    SetSubnetHyperparameter {
        /// The subnet.
        netuid: NetUid,
        /// The parameter and value.
        param: Hyperparameter,
    },
    /// Sets the per-transaction fee (rao).
    SetTxFee {
        /// New fee.
        fee: u64,
    },
    /// Sets the minimum subnet lock (rao).
    SetNetworkMinLock {
        /// New minimum.
        lock: u64,
    },
    /// Sets the blocks between subnet registrations.
    SetNetworkRateLimit {
        /// New limit.
        blocks: u64,
    },
    /// Sets the minimum stake operation (rao).
    SetMinStake {
        /// New minimum.
        amount: u64,
    },
}

enum_codec!(SudoCall {
    0 => SetSubnetHyperparameter { netuid, param },
    1 => SetTxFee { fee },
    2 => SetNetworkMinLock { lock },
    3 => SetNetworkRateLimit { blocks },
    4 => SetMinStake { amount },
});

/// A call; see the module docs for tags, signers and fees.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Call {
    /// Moves free TAO to another coldkey.
    Transfer {
        /// Receiver.
        dest: AccountId,
        /// Amount in rao.
        amount: Balance,
    },
    /// Creates a subnet owned by the signer, locking the current lock cost into its pool.
    RegisterNetwork {
        /// The owner's hotkey, registered as UID 0.
        hotkey: AccountId,
    },
    /// Changes one hyperparameter of a subnet the signer owns.
    SetSubnetHyperparameter {
        /// The subnet.
        netuid: NetUid,
        /// The parameter and value.
        param: Hyperparameter,
    },
    /// Registers `hotkey` on a subnet for the current burn.
    BurnedRegister {
        /// The subnet.
        netuid: NetUid,
        /// The hotkey to register (owned by the signer, or not yet owned).
        hotkey: AccountId,
    },
    /// Publishes the signing hotkey's axon address on a subnet.
    ServeAxon {
        /// The subnet.
        netuid: NetUid,
        /// Protocol version the axon speaks.
        version: u32,
        /// IPv4 (low 32 bits) or IPv6 address.
        ip: u128,
        /// TCP port.
        port: u16,
        /// 4 or 6.
        ip_type: u8,
        /// Free protocol tag (subtensor: 0 = HTTP).
        protocol: u8,
    },
    /// Stakes free TAO to a hotkey on a subnet, swapping it for alpha through the pool.
    AddStake {
        /// The hotkey.
        hotkey: AccountId,
        /// The subnet.
        netuid: NetUid,
        /// TAO to stake, rao.
        amount: Balance,
        /// Highest acceptable pool price after the swap (rao per alpha), if any.
        limit_price: Option<u64>,
    },
    /// Unstakes alpha from a hotkey on a subnet, swapping it for TAO.
    RemoveStake {
        /// The hotkey.
        hotkey: AccountId,
        /// The subnet.
        netuid: NetUid,
        /// Alpha to unstake, in alpha rao.
        alpha: u64,
        /// Lowest acceptable pool price after the swap (rao per alpha), if any.
        limit_price: Option<u64>,
    },
    /// Moves the signer's stake between hotkeys and/or subnets.
    MoveStake {
        /// Hotkey the stake leaves.
        origin_hotkey: AccountId,
        /// Hotkey the stake joins.
        dest_hotkey: AccountId,
        /// Subnet the stake leaves.
        origin_netuid: NetUid,
        /// Subnet the stake joins.
        dest_netuid: NetUid,
        /// Alpha to move (origin subnet's alpha rao).
        alpha: u64,
    },
    /// Gives stake to another coldkey, on the same hotkey.
    TransferStake {
        /// The new owner.
        dest_coldkey: AccountId,
        /// The hotkey.
        hotkey: AccountId,
        /// Subnet the stake leaves.
        origin_netuid: NetUid,
        /// Subnet the stake joins.
        dest_netuid: NetUid,
        /// Alpha to transfer (origin subnet's alpha rao).
        alpha: u64,
    },
    /// Sets the signing hotkey's weights on a subnet (commit-reveal off).
    SetWeights {
        /// The subnet.
        netuid: NetUid,
        /// Target UIDs, no duplicates.
        uids: Vec<u16>,
        /// Weights, same length as `uids`.
        weights: Vec<u16>,
        /// Must be at least the subnet's `weights_version_key`.
        version_key: u64,
    },
    /// Commits to weights revealed `reveal_period_epochs` tempos later.
    CommitWeights {
        /// The subnet.
        netuid: NetUid,
        /// [`crate::weights::commit_hash`] of the weights to reveal.
        commit: Hash,
    },
    /// Reveals committed weights.
    RevealWeights {
        /// The subnet.
        netuid: NetUid,
        /// Target UIDs.
        uids: Vec<u16>,
        /// Weights.
        weights: Vec<u16>,
        /// The salt hashed into the commit.
        salt: Vec<u16>,
        /// Version key, as for `SetWeights`.
        version_key: u64,
    },
    /// Changes a hotkey's delegate take (increases are rate limited).
    SetDelegateTake {
        /// The hotkey, owned by the signer.
        hotkey: AccountId,
        /// New take as a `u16` proportion.
        take: u16,
    },
    /// Dev-chain governance.
    Sudo {
        /// What to do.
        call: SudoCall,
    },
    /// Publishes (or replaces) a subnet's identity; by its owner coldkey or the sudo key.
    SetSubnetIdentity {
        /// The subnet.
        netuid: NetUid,
        /// The identity (rules in [`crate::identity`]).
        identity: SubnetIdentity,
    },
}

enum_codec!(Call {
    0 => Transfer { dest, amount },
    1 => RegisterNetwork { hotkey },
    2 => SetSubnetHyperparameter { netuid, param },
    3 => BurnedRegister { netuid, hotkey },
    4 => ServeAxon { netuid, version, ip, port, ip_type, protocol },
    5 => AddStake { hotkey, netuid, amount, limit_price },
    6 => RemoveStake { hotkey, netuid, alpha, limit_price },
    7 => MoveStake { origin_hotkey, dest_hotkey, origin_netuid, dest_netuid, alpha },
    8 => TransferStake { dest_coldkey, hotkey, origin_netuid, dest_netuid, alpha },
    9 => SetWeights { netuid, uids, weights, version_key },
    10 => CommitWeights { netuid, commit },
    11 => RevealWeights { netuid, uids, weights, salt, version_key },
    12 => SetDelegateTake { hotkey, take },
    13 => Sudo { call },
    14 => SetSubnetIdentity { netuid, identity },
});

impl Call {
    /// Whether the call is free (hotkey calls, as in subtensor).
    pub fn fee_exempt(&self) -> bool {
        matches!(
            self,
            Self::ServeAxon { .. }
                | Self::SetWeights { .. }
                | Self::CommitWeights { .. }
                | Self::RevealWeights { .. }
        )
    }

    /// Cost units the call takes from the block's budget
    /// ([`crate::params::ChainParams::max_block_cost`]); weights calls grow with their length.
    pub fn cost(&self) -> u64 {
        match self {
            Self::Transfer { .. } => 1_000,
            Self::RegisterNetwork { .. } => 50_000,
            Self::SetSubnetHyperparameter { .. } | Self::Sudo { .. } => 2_000,
            Self::BurnedRegister { .. } => 10_000,
            Self::ServeAxon { .. } | Self::CommitWeights { .. } => 1_500,
            Self::AddStake { .. }
            | Self::RemoveStake { .. }
            | Self::MoveStake { .. }
            | Self::TransferStake { .. } => 5_000,
            Self::SetWeights { uids, .. } | Self::RevealWeights { uids, .. } => {
                2_000u64.saturating_add(20u64.saturating_mul(uids.len() as u64))
            }
            Self::SetDelegateTake { .. } => 1_000,
            // At most 2_000 + 1_344 for a valid identity.
            Self::SetSubnetIdentity { identity, .. } => {
                2_000u64.saturating_add(identity.text_len() as u64)
            }
        }
    }
}
