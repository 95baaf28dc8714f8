//! Read-only queries the node serves: balances, stakes, subnets, metagraphs, pools, issuance.
//!
//! Result types serialise to JSON with amounts as integers (rao or alpha rao) and keys as SS58.

use crate::identity::SubnetIdentity;
use crate::params::{ChainParams, Hyperparams};
use crate::pool::price_rao;
use crate::runtime::Runtime;
use crate::state::State;
use crate::state::records::{Axon, Pool};
use crate::storage::Storage;
use crate::{pool, subnets};
use serde::{Deserialize, Serialize};
use yuma_primitives::{AccountId, NetUid};

/// A coldkey's or hotkey's account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountInfo {
    /// Free TAO (rao).
    pub free: u64,
    /// Next nonce.
    pub nonce: u64,
}

/// One stake position.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StakeInfo {
    /// Hotkey staked to.
    pub hotkey: AccountId,
    /// Subnet.
    pub netuid: NetUid,
    /// Alpha held.
    pub alpha: u64,
    /// TAO it would fetch if sold now (after slippage).
    pub tao_value: u64,
}

/// A pool and its emission accumulators.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolInfo {
    /// The pool record.
    #[serde(flatten)]
    pub pool: Pool,
    /// Price in rao per alpha.
    pub price: u64,
}

/// A subnet: identity, registration state, pool and hyperparameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubnetInfo {
    /// The subnet id.
    pub netuid: NetUid,
    /// Owner coldkey.
    pub owner: AccountId,
    /// Owner hotkey.
    pub owner_hotkey: AccountId,
    /// Creation block.
    pub registered_at: u64,
    /// TAO locked at creation.
    pub lock: u64,
    /// Current registration burn.
    pub burn: u64,
    /// Neurons registered.
    pub n: u16,
    /// Block of the last epoch.
    pub last_epoch_block: u64,
    /// Pool.
    pub pool: PoolInfo,
    /// Hyperparameters.
    pub hyperparams: Hyperparams,
    /// What the subnet is, as its owner published it; `None` until set.
    #[serde(default)]
    pub identity: Option<SubnetIdentity>,
}

/// One UID of a metagraph. `rank` and `trust` are always 0, as in subtensor, which no longer
/// computes them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeuronInfo {
    /// Slot.
    pub uid: u16,
    /// Hotkey.
    pub hotkey: AccountId,
    /// Hotkey owner.
    pub coldkey: AccountId,
    /// Alpha staked on the hotkey in this subnet.
    pub stake: u64,
    /// Always 0 (deprecated in subtensor).
    pub rank: u16,
    /// Always 0 (deprecated in subtensor).
    pub trust: u16,
    /// Consensus.
    pub consensus: u16,
    /// Incentive.
    pub incentive: u16,
    /// Dividends.
    pub dividends: u16,
    /// Validator trust.
    pub validator_trust: u16,
    /// Alpha emitted in the last epoch.
    pub emission: u64,
    /// Validator permit.
    pub validator_permit: bool,
    /// Active in the last epoch.
    pub active: bool,
    /// Last weights (or commit) block.
    pub last_update: u64,
    /// Registration block.
    pub block_at_registration: u64,
    /// Axon, if served.
    pub axon: Option<Axon>,
}

impl<S: Storage> Runtime<S> {
    fn view(&self) -> State<'_> {
        State::new(self.storage())
    }

    /// Free balance and nonce of an account.
    pub fn account(&self, who: &AccountId) -> AccountInfo {
        let st = self.view();
        AccountInfo {
            free: st.balance(who),
            nonce: st.nonce(who),
        }
    }

    /// Every stake of a coldkey.
    pub fn stakes(&self, coldkey: &AccountId) -> Vec<StakeInfo> {
        let st = self.view();
        st.stakes_of_coldkey(coldkey)
            .into_iter()
            .map(|(netuid, hotkey, alpha)| StakeInfo {
                hotkey,
                netuid,
                alpha,
                tao_value: pool::tao_for_alpha(&st.pool(netuid), alpha),
            })
            .collect()
    }

    /// Total TAO ever issued (genesis plus emission).
    pub fn total_issuance(&self) -> u64 {
        self.view().totals().total_issuance
    }

    /// TAO burned by fees.
    pub fn total_burned(&self) -> u64 {
        self.view().totals().burned
    }

    /// Chain parameters.
    pub fn params(&self) -> ChainParams {
        self.view().params
    }

    /// The lock the next `register_network` costs.
    pub fn network_lock_cost(&self) -> u64 {
        subnets::lock_cost(&self.view())
    }

    /// Every subnet id.
    pub fn netuids(&self) -> Vec<NetUid> {
        self.view().netuids()
    }

    /// A subnet's pool.
    pub fn pool(&self, netuid: NetUid) -> Option<PoolInfo> {
        let st = self.view();
        st.subnet(netuid)?;
        let pool = st.pool(netuid);
        Some(PoolInfo {
            price: price_rao(&pool),
            pool,
        })
    }

    /// A subnet's info and hyperparameters.
    pub fn subnet(&self, netuid: NetUid) -> Option<SubnetInfo> {
        let st = self.view();
        let s = st.subnet(netuid)?;
        let pool = st.pool(netuid);
        Some(SubnetInfo {
            netuid,
            owner: s.owner,
            owner_hotkey: s.owner_hotkey,
            registered_at: s.registered_at,
            lock: s.lock,
            burn: s.burn,
            n: s.n,
            last_epoch_block: s.last_epoch_block,
            pool: PoolInfo {
                price: price_rao(&pool),
                pool,
            },
            hyperparams: st.hyperparams(netuid),
            identity: st.subnet_identity(netuid),
        })
    }

    /// A subnet's identity; `None` for an unknown subnet or one without an identity.
    pub fn subnet_identity(&self, netuid: NetUid) -> Option<SubnetIdentity> {
        self.view().subnet_identity(netuid)
    }

    /// The full metagraph of a subnet, by UID.
    pub fn metagraph(&self, netuid: NetUid) -> Option<Vec<NeuronInfo>> {
        let st = self.view();
        let s = st.subnet(netuid)?;
        Some(
            (0..s.n)
                .filter_map(|uid| {
                    let nr = st.neuron(netuid, uid)?;
                    Some(NeuronInfo {
                        uid,
                        hotkey: nr.hotkey,
                        coldkey: st.owner(&nr.hotkey).unwrap_or_default(),
                        stake: st.hotkey_alpha(netuid, &nr.hotkey),
                        rank: 0,
                        trust: 0,
                        consensus: nr.consensus,
                        incentive: nr.incentive,
                        dividends: nr.dividends,
                        validator_trust: nr.validator_trust,
                        emission: nr.emission,
                        validator_permit: nr.validator_permit,
                        active: nr.active,
                        last_update: nr.last_update,
                        block_at_registration: nr.block_at_registration,
                        axon: nr.axon,
                    })
                })
                .collect(),
        )
    }

    /// Weights rows of a subnet (UID, then (target, weight) max-upscaled).
    pub fn weights(&self, netuid: NetUid) -> Vec<(u16, Vec<(u16, u16)>)> {
        let st = self.view();
        let n = st.subnet(netuid).map_or(0, |s| s.n);
        (0..n)
            .map(|uid| (uid, st.weights(netuid, uid)))
            .filter(|(_, row)| !row.is_empty())
            .collect()
    }

    /// A hotkey's UID on a subnet.
    pub fn uid(&self, netuid: NetUid, hotkey: &AccountId) -> Option<u16> {
        self.view().uid_of(netuid, hotkey)
    }

    /// A hotkey's owner coldkey.
    pub fn hotkey_owner(&self, hotkey: &AccountId) -> Option<AccountId> {
        self.view().owner(hotkey)
    }

    /// A hotkey's delegate take.
    pub fn delegate_take(&self, hotkey: &AccountId) -> u16 {
        self.view().take(hotkey)
    }

    /// Alpha staked by `coldkey` on `hotkey` in `netuid`.
    pub fn stake(&self, netuid: NetUid, hotkey: &AccountId, coldkey: &AccountId) -> u64 {
        self.view().stake(netuid, hotkey, coldkey)
    }

    /// The anti weight-copying stage's memory of a subnet: each validator's standing (ppm, the
    /// moving average of how much of the consensus' moves its weights anticipated) and what
    /// the next epoch scores against. `None` while the stage is off or has not run yet.
    pub fn anti_copy_memory(&self, netuid: NetUid) -> Option<yuma_epoch::anticopy::Memory> {
        let memory = self.view().anti_copy_memory(netuid);
        (memory != yuma_epoch::anticopy::Memory::default()).then_some(memory)
    }

    /// Sum of every free balance, pool TAO reserve and burned TAO; equals
    /// [`Runtime::total_issuance`] (the conservation invariant). O(state): for tests and audits.
    pub fn audit_tao(&self) -> u128 {
        let st = self.view();
        let free = st.total_free();
        let pools: u128 = st
            .netuids()
            .into_iter()
            .map(|n| u128::from(st.pool(n).tao_reserve))
            .sum();
        free + pools + u128::from(st.totals().burned)
    }
}
