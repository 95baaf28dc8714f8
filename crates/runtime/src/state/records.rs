//! The values stored in the state, one struct per kind of record.

use crate::struct_codec;
use serde::{Deserialize, Serialize};
use yuma_epoch::anticopy::Memory;
use yuma_primitives::AccountId;

/// Chain-wide totals (rao). Invariant: free balances + pool TAO reserves + `burned` =
/// `total_issuance`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// All TAO ever created: genesis balances plus block emission. Never above 21M TAO.
    pub total_issuance: u64,
    /// TAO destroyed by fees.
    pub burned: u64,
    /// Lock paid by the last subnet registration (subtensor `NetworkLastLockCost`); 0 until
    /// the first one.
    pub last_lock: u64,
    /// Block of the last subnet registration (meaningful once `last_lock` is non-zero).
    pub last_lock_block: u64,
    /// Block being built.
    pub block: u64,
    /// Cost units used in the current block.
    pub block_cost: u64,
}

struct_codec!(Totals {
    total_issuance,
    burned,
    last_lock,
    last_lock_block,
    block,
    block_cost
});

/// A subnet's identity and registration state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubnetRecord {
    /// Owner coldkey.
    pub owner: AccountId,
    /// Owner hotkey (UID 0 at creation; never pruned).
    pub owner_hotkey: AccountId,
    /// Block the subnet was created.
    pub registered_at: u64,
    /// TAO locked at creation (kept in the pool's TAO reserve).
    pub lock: u64,
    /// Current registration burn (rao).
    pub burn: u64,
    /// Neurons registered (UIDs 0..n).
    pub n: u16,
    /// Block the last epoch ran.
    pub last_epoch_block: u64,
}

struct_codec!(SubnetRecord {
    owner,
    owner_hotkey,
    registered_at,
    lock,
    burn,
    n,
    last_epoch_block
});

/// A subnet's TAO/alpha pool and its emission accumulators. Alpha amounts are alpha rao.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pool {
    /// TAO in the pool (subtensor `SubnetTAO`).
    pub tao_reserve: u64,
    /// Alpha in the pool (subtensor `SubnetAlphaIn`).
    pub alpha_reserve: u64,
    /// Alpha held as stake (subtensor `SubnetAlphaOut`).
    pub alpha_outstanding: u64,
    /// All alpha ever minted on the subnet; drives its own halving.
    pub alpha_issued: u64,
    /// Moving average of `min(price, 1)`, Q32 (2^32 = 1 TAO per alpha).
    pub moving_price_q32: u64,
    /// Alpha accumulated for miners and validators until the next epoch.
    pub pending_emission: u64,
    /// Alpha accumulated for the owner until the next epoch.
    pub pending_owner_cut: u64,
}

struct_codec!(Pool {
    tao_reserve,
    alpha_reserve,
    alpha_outstanding,
    alpha_issued,
    moving_price_q32,
    pending_emission,
    pending_owner_cut
});

/// An axon address published by `serve_axon`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Axon {
    /// Block it was published.
    pub block: u64,
    /// Protocol version.
    pub version: u32,
    /// Address (IPv4 in the low 32 bits).
    pub ip: u128,
    /// Port.
    pub port: u16,
    /// 4 or 6.
    pub ip_type: u8,
    /// Protocol tag.
    pub protocol: u8,
}

struct_codec!(Axon {
    block,
    version,
    ip,
    port,
    ip_type,
    protocol
});

/// One UID of a subnet and the scores its last epoch gave it (`u16` proportions).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Neuron {
    /// The hotkey holding the UID.
    pub hotkey: AccountId,
    /// Block it registered.
    pub block_at_registration: u64,
    /// Block it last set weights (registration block until then).
    pub last_update: u64,
    /// Validator permit from the last epoch.
    pub validator_permit: bool,
    /// Whether it was active in the last epoch.
    pub active: bool,
    /// Stake weight in the last epoch.
    pub stake_weight: u16,
    /// Consensus.
    pub consensus: u16,
    /// Incentive.
    pub incentive: u16,
    /// Dividends.
    pub dividends: u16,
    /// Validator trust.
    pub validator_trust: u16,
    /// Alpha emitted to it in the last epoch.
    pub emission: u64,
    /// Published axon, if any.
    pub axon: Option<Axon>,
}

struct_codec!(Neuron {
    hotkey,
    block_at_registration,
    last_update,
    validator_permit,
    active,
    stake_weight,
    consensus,
    incentive,
    dividends,
    validator_trust,
    emission,
    axon
});

/// A weights commit: hash and block.
pub type Commit = ([u8; 32], u64);

// The anti weight-copying stage's memory of a subnet (`yuma_epoch::anticopy::Memory`): the
// weight rows and consensus of past epochs and each uid's standing.
struct_codec!(Memory {
    block,
    weights,
    consensus,
    standing
});
