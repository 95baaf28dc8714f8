//! Events: one for every state change, in the order the changes happen.
//!
//! Amounts are rao (TAO) or alpha rao (a subnet's alpha). The node stores them per block and
//! serves them as JSON, so they are the chain's queryable history of scores and rewards.

use crate::call::Hyperparameter;
use serde::{Deserialize, Serialize};
use yuma_primitives::{AccountId, NetUid};

/// Something that changed the state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[allow(missing_docs)] // field names are the domain words; each variant says what happened
pub enum Event {
    /// A transaction paid its fee (burned).
    FeePaid { who: AccountId, fee: u64 },
    /// A transaction's call failed after the fee: only the fee and nonce changed.
    CallFailed { who: AccountId, error: String },
    /// Free TAO moved.
    Transfer {
        from: AccountId,
        to: AccountId,
        amount: u64,
    },
    /// A subnet's share of this block: TAO and alpha injected into its pool, alpha accrued
    /// for the owner and for the next epoch.
    SubnetEmission {
        netuid: NetUid,
        tao_in: u64,
        alpha_in: u64,
        alpha_out: u64,
        owner_cut: u64,
    },
    /// TAO was minted into subnet pools this block.
    Issued { amount: u64, total_issuance: u64 },
    /// A subnet was created.
    NetworkAdded {
        netuid: NetUid,
        owner: AccountId,
        hotkey: AccountId,
        lock: u64,
    },
    /// A hyperparameter changed.
    HyperparameterSet {
        netuid: NetUid,
        param: Hyperparameter,
    },
    /// A subnet's identity was set (by its owner or the sudo key).
    SubnetIdentitySet { netuid: NetUid, who: AccountId },
    /// A hotkey was registered under a coldkey for the first time.
    HotkeyOwned {
        hotkey: AccountId,
        coldkey: AccountId,
    },
    /// A neuron took a UID (replacing `pruned`, if the subnet was full).
    NeuronRegistered {
        netuid: NetUid,
        uid: u16,
        hotkey: AccountId,
        burn: u64,
        pruned: Option<AccountId>,
    },
    /// An axon address was published.
    AxonServed { netuid: NetUid, hotkey: AccountId },
    /// TAO staked for alpha.
    StakeAdded {
        coldkey: AccountId,
        hotkey: AccountId,
        netuid: NetUid,
        tao: u64,
        alpha: u64,
    },
    /// Alpha unstaked for TAO.
    StakeRemoved {
        coldkey: AccountId,
        hotkey: AccountId,
        netuid: NetUid,
        alpha: u64,
        tao: u64,
    },
    /// Stake moved between positions of one coldkey.
    StakeMoved {
        coldkey: AccountId,
        origin_hotkey: AccountId,
        origin_netuid: NetUid,
        dest_hotkey: AccountId,
        dest_netuid: NetUid,
        alpha_out: u64,
        alpha_in: u64,
    },
    /// Stake given to another coldkey.
    StakeTransferred {
        from: AccountId,
        to: AccountId,
        hotkey: AccountId,
        origin_netuid: NetUid,
        dest_netuid: NetUid,
        alpha_out: u64,
        alpha_in: u64,
    },
    /// Weights were set (or revealed).
    WeightsSet { netuid: NetUid, uid: u16 },
    /// Weights were committed.
    WeightsCommitted {
        netuid: NetUid,
        hotkey: AccountId,
        block: u64,
    },
    /// A hotkey's delegate take changed.
    TakeSet { hotkey: AccountId, take: u16 },
    /// A chain parameter changed by sudo.
    SudoDone { what: String },
    /// A subnet's epoch ran.
    EpochRun {
        netuid: NetUid,
        block: u64,
        emission: u64,
    },
    /// Emission paid to a hotkey's stake on a subnet.
    Emission {
        netuid: NetUid,
        hotkey: AccountId,
        incentive: u64,
        dividends: u64,
    },
    /// The owner cut paid to the owner's hotkey.
    OwnerCut {
        netuid: NetUid,
        hotkey: AccountId,
        alpha: u64,
    },
}
