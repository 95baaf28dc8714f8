//! Typed reads and writes of the state, over an [`Overlay`].

use super::keys;
use super::overlay::{Changes, Checkpoint, Overlay};
use super::records::{Commit, Neuron, Pool, SubnetRecord, Totals};
use crate::codec::{Decode, Encode};
use crate::error::Error;
use crate::event::Event;
use crate::identity::SubnetIdentity;
use crate::params::{ChainParams, Hyperparams};
use crate::storage::Storage;
use yuma_epoch::anticopy::Memory;
use yuma_primitives::{AccountId, NetUid};

/// The state as one transaction or block step sees it: committed state plus pending writes,
/// the chain parameters, and the events emitted so far.
pub(crate) struct State<'a> {
    ov: Overlay<'a>,
    pub(crate) params: ChainParams,
    pub(crate) events: Vec<Event>,
}

/// Reads a value this runtime wrote. A value that does not decode means the store is corrupt,
/// which no transaction can cause.
fn decode_stored<T: Decode>(bytes: &[u8]) -> T {
    T::decode(bytes).expect("state values are written by this runtime in the same encoding")
}

impl<'a> State<'a> {
    pub(crate) fn new(base: &'a dyn Storage) -> Self {
        let params = base
            .get(keys::PARAMS)
            .map(|b| decode_stored(&b))
            .unwrap_or_default();
        Self {
            ov: Overlay::new(base),
            params,
            events: Vec::new(),
        }
    }

    fn read<T: Decode>(&self, key: &[u8]) -> Option<T> {
        self.ov.get(key).map(|b| decode_stored(&b))
    }

    fn write<T: Encode>(&mut self, key: Vec<u8>, value: &T) {
        self.ov.set(key, Some(value.encode()));
    }

    fn remove(&mut self, key: Vec<u8>) {
        self.ov.set(key, None);
    }

    pub(crate) fn emit(&mut self, event: Event) {
        self.events.push(event);
    }

    pub(crate) fn checkpoint(&self) -> (Checkpoint, usize) {
        (self.ov.checkpoint(), self.events.len())
    }

    pub(crate) fn rollback(&mut self, to: (Checkpoint, usize)) {
        self.ov.rollback(to.0);
        self.events.truncate(to.1);
    }

    pub(crate) fn into_parts(self) -> (Changes, Vec<Event>) {
        (self.ov.into_changes(), self.events)
    }

    // --- chain ---------------------------------------------------------------------------

    pub(crate) fn set_params(&mut self, params: ChainParams) {
        self.write(keys::PARAMS.to_vec(), &params);
        self.params = params;
    }

    pub(crate) fn genesis_hash(&self) -> [u8; 32] {
        self.read(keys::GENESIS).unwrap_or_default()
    }

    pub(crate) fn set_genesis_hash(&mut self, hash: [u8; 32]) {
        self.write(keys::GENESIS.to_vec(), &hash);
    }

    pub(crate) fn totals(&self) -> Totals {
        self.read(keys::TOTALS).unwrap_or_default()
    }

    pub(crate) fn set_totals(&mut self, totals: &Totals) {
        self.write(keys::TOTALS.to_vec(), totals);
    }

    pub(crate) fn block(&self) -> u64 {
        self.totals().block
    }

    // --- accounts ------------------------------------------------------------------------

    pub(crate) fn balance(&self, a: &AccountId) -> u64 {
        self.read(&keys::balance(a)).unwrap_or(0)
    }

    pub(crate) fn set_balance(&mut self, a: &AccountId, value: u64) {
        if value == 0 {
            self.remove(keys::balance(a));
        } else {
            self.write(keys::balance(a), &value);
        }
    }

    /// Takes `amount` from `a`'s free balance.
    pub(crate) fn debit(&mut self, a: &AccountId, amount: u64) -> Result<(), Error> {
        let available = self.balance(a);
        let left = available
            .checked_sub(amount)
            .ok_or(Error::InsufficientBalance {
                account: *a,
                available,
                needed: amount,
            })?;
        self.set_balance(a, left);
        Ok(())
    }

    /// Adds `amount` to `a`'s free balance.
    pub(crate) fn credit(&mut self, a: &AccountId, amount: u64) -> Result<(), Error> {
        let new = self
            .balance(a)
            .checked_add(amount)
            .ok_or(Error::Overflow("balance"))?;
        self.set_balance(a, new);
        Ok(())
    }

    /// Sum of every free balance (O(accounts): for audits).
    pub(crate) fn total_free(&self) -> u128 {
        self.ov
            .scan_prefix(keys::BALANCE_PREFIX)
            .iter()
            .map(|(_, v)| u128::from(decode_stored::<u64>(v)))
            .sum()
    }

    pub(crate) fn nonce(&self, a: &AccountId) -> u64 {
        self.read(&keys::nonce(a)).unwrap_or(0)
    }

    pub(crate) fn set_nonce(&mut self, a: &AccountId, nonce: u64) {
        self.write(keys::nonce(a), &nonce);
    }

    pub(crate) fn owner(&self, hotkey: &AccountId) -> Option<AccountId> {
        self.read(&keys::owner(hotkey))
    }

    pub(crate) fn set_owner(&mut self, hotkey: &AccountId, coldkey: &AccountId) {
        self.write(keys::owner(hotkey), coldkey);
    }

    pub(crate) fn take(&self, hotkey: &AccountId) -> u16 {
        self.read(&keys::take(hotkey))
            .unwrap_or(self.params.default_take)
    }

    pub(crate) fn set_take(&mut self, hotkey: &AccountId, take: u16) {
        self.write(keys::take(hotkey), &take);
    }

    pub(crate) fn last_take_increase(&self, hotkey: &AccountId) -> Option<u64> {
        self.read(&keys::take_increase(hotkey))
    }

    pub(crate) fn set_last_take_increase(&mut self, hotkey: &AccountId, block: u64) {
        self.write(keys::take_increase(hotkey), &block);
    }

    // --- subnets -------------------------------------------------------------------------

    pub(crate) fn subnet(&self, netuid: NetUid) -> Option<SubnetRecord> {
        self.read(&keys::subnet(netuid))
    }

    pub(crate) fn try_subnet(&self, netuid: NetUid) -> Result<SubnetRecord, Error> {
        self.subnet(netuid).ok_or(Error::UnknownSubnet(netuid))
    }

    pub(crate) fn set_subnet(&mut self, netuid: NetUid, record: &SubnetRecord) {
        self.write(keys::subnet(netuid), record);
    }

    /// Every subnet, in netuid order.
    pub(crate) fn netuids(&self) -> Vec<NetUid> {
        self.ov
            .scan_prefix(keys::SUBNET_PREFIX)
            .into_iter()
            .filter_map(|(k, _)| {
                let raw: [u8; 2] = k.get(1..3)?.try_into().ok()?;
                Some(NetUid(u16::from_be_bytes(raw)))
            })
            .collect()
    }

    pub(crate) fn hyperparams(&self, netuid: NetUid) -> Hyperparams {
        self.read(&keys::hyperparams(netuid)).unwrap_or_default()
    }

    pub(crate) fn set_hyperparams(&mut self, netuid: NetUid, hp: &Hyperparams) {
        self.write(keys::hyperparams(netuid), hp);
    }

    pub(crate) fn pool(&self, netuid: NetUid) -> Pool {
        self.read(&keys::pool(netuid)).unwrap_or_default()
    }

    pub(crate) fn set_pool(&mut self, netuid: NetUid, pool: &Pool) {
        self.write(keys::pool(netuid), pool);
    }

    // --- neurons -------------------------------------------------------------------------

    pub(crate) fn neuron(&self, netuid: NetUid, uid: u16) -> Option<Neuron> {
        self.read(&keys::neuron(netuid, uid))
    }

    pub(crate) fn set_neuron(&mut self, netuid: NetUid, uid: u16, neuron: &Neuron) {
        self.write(keys::neuron(netuid, uid), neuron);
    }

    pub(crate) fn uid_of(&self, netuid: NetUid, hotkey: &AccountId) -> Option<u16> {
        self.read(&keys::uid(netuid, hotkey))
    }

    pub(crate) fn set_uid(&mut self, netuid: NetUid, hotkey: &AccountId, uid: u16) {
        self.write(keys::uid(netuid, hotkey), &uid);
    }

    pub(crate) fn remove_uid(&mut self, netuid: NetUid, hotkey: &AccountId) {
        self.remove(keys::uid(netuid, hotkey));
    }

    pub(crate) fn weights(&self, netuid: NetUid, uid: u16) -> Vec<(u16, u16)> {
        self.read(&keys::weights(netuid, uid)).unwrap_or_default()
    }

    pub(crate) fn set_weights(&mut self, netuid: NetUid, uid: u16, row: &Vec<(u16, u16)>) {
        if row.is_empty() {
            self.remove(keys::weights(netuid, uid));
        } else {
            self.write(keys::weights(netuid, uid), row);
        }
    }

    pub(crate) fn bonds(&self, netuid: NetUid, uid: u16) -> Vec<(u16, u16)> {
        self.read(&keys::bonds(netuid, uid)).unwrap_or_default()
    }

    pub(crate) fn set_bonds(&mut self, netuid: NetUid, uid: u16, row: &Vec<(u16, u16)>) {
        if row.is_empty() {
            self.remove(keys::bonds(netuid, uid));
        } else {
            self.write(keys::bonds(netuid, uid), row);
        }
    }

    pub(crate) fn commits(&self, netuid: NetUid, hotkey: &AccountId) -> Vec<Commit> {
        self.read(&keys::commits(netuid, hotkey))
            .unwrap_or_default()
    }

    pub(crate) fn set_commits(&mut self, netuid: NetUid, hotkey: &AccountId, c: &Vec<Commit>) {
        if c.is_empty() {
            self.remove(keys::commits(netuid, hotkey));
        } else {
            self.write(keys::commits(netuid, hotkey), c);
        }
    }

    /// The anti weight-copying memory of a subnet (empty when the stage is off or has not run).
    pub(crate) fn anti_copy_memory(&self, netuid: NetUid) -> Memory {
        self.read(&keys::anti_copy(netuid)).unwrap_or_default()
    }

    /// Stores the memory; an empty one removes the entry.
    pub(crate) fn set_anti_copy_memory(&mut self, netuid: NetUid, memory: &Memory) {
        if *memory == Memory::default() {
            self.remove(keys::anti_copy(netuid));
        } else {
            self.write(keys::anti_copy(netuid), memory);
        }
    }

    /// A subnet's identity, if its owner set one.
    pub(crate) fn subnet_identity(&self, netuid: NetUid) -> Option<SubnetIdentity> {
        self.read(&keys::subnet_identity(netuid))
    }

    pub(crate) fn set_subnet_identity(&mut self, netuid: NetUid, identity: &SubnetIdentity) {
        self.write(keys::subnet_identity(netuid), identity);
    }

    // --- stake ---------------------------------------------------------------------------

    pub(crate) fn stake(&self, netuid: NetUid, hotkey: &AccountId, coldkey: &AccountId) -> u64 {
        self.read(&keys::stake(netuid, hotkey, coldkey))
            .unwrap_or(0)
    }

    pub(crate) fn hotkey_alpha(&self, netuid: NetUid, hotkey: &AccountId) -> u64 {
        self.read(&keys::hotkey_alpha(netuid, hotkey)).unwrap_or(0)
    }

    /// Every (coldkey, alpha) staked on `hotkey` in `netuid`, in coldkey order.
    pub(crate) fn stakers(&self, netuid: NetUid, hotkey: &AccountId) -> Vec<(AccountId, u64)> {
        self.ov
            .scan_prefix(&keys::stakes_of_hotkey(netuid, hotkey))
            .into_iter()
            .filter_map(|(k, v)| {
                let raw: [u8; 32] = k.get(k.len().checked_sub(32)?..)?.try_into().ok()?;
                Some((AccountId(raw), decode_stored::<u64>(&v)))
            })
            .collect()
    }

    /// Every (netuid, hotkey, alpha) a coldkey has staked.
    pub(crate) fn stakes_of_coldkey(&self, coldkey: &AccountId) -> Vec<(NetUid, AccountId, u64)> {
        let prefix = keys::stake_index_of(coldkey);
        self.ov
            .scan_prefix(&prefix)
            .into_iter()
            .filter_map(|(k, _)| {
                let rest = k.get(prefix.len()..)?;
                let netuid = NetUid(u16::from_be_bytes(rest.get(0..2)?.try_into().ok()?));
                let hotkey = AccountId(rest.get(2..34)?.try_into().ok()?);
                Some((netuid, hotkey, self.stake(netuid, &hotkey, coldkey)))
            })
            .collect()
    }

    fn set_stake(&mut self, netuid: NetUid, hotkey: &AccountId, coldkey: &AccountId, v: u64) {
        if v == 0 {
            self.remove(keys::stake(netuid, hotkey, coldkey));
            self.remove(keys::stake_index(coldkey, netuid, hotkey));
        } else {
            self.write(keys::stake(netuid, hotkey, coldkey), &v);
            self.ov
                .set(keys::stake_index(coldkey, netuid, hotkey), Some(Vec::new()));
        }
    }

    fn set_hotkey_alpha(&mut self, netuid: NetUid, hotkey: &AccountId, v: u64) {
        if v == 0 {
            self.remove(keys::hotkey_alpha(netuid, hotkey));
        } else {
            self.write(keys::hotkey_alpha(netuid, hotkey), &v);
        }
    }

    /// Adds alpha to a stake position (and to the hotkey's and pool's outstanding totals).
    pub(crate) fn credit_stake(
        &mut self,
        netuid: NetUid,
        hotkey: &AccountId,
        coldkey: &AccountId,
        alpha: u64,
    ) -> Result<(), Error> {
        let overflow = Error::Overflow("stake");
        let stake = self
            .stake(netuid, hotkey, coldkey)
            .checked_add(alpha)
            .ok_or(overflow.clone())?;
        let total = self
            .hotkey_alpha(netuid, hotkey)
            .checked_add(alpha)
            .ok_or(overflow.clone())?;
        let mut pool = self.pool(netuid);
        pool.alpha_outstanding = pool.alpha_outstanding.checked_add(alpha).ok_or(overflow)?;
        self.set_stake(netuid, hotkey, coldkey, stake);
        self.set_hotkey_alpha(netuid, hotkey, total);
        self.set_pool(netuid, &pool);
        Ok(())
    }

    /// Takes alpha from a stake position.
    pub(crate) fn debit_stake(
        &mut self,
        netuid: NetUid,
        hotkey: &AccountId,
        coldkey: &AccountId,
        alpha: u64,
    ) -> Result<(), Error> {
        let available = self.stake(netuid, hotkey, coldkey);
        let stake = available
            .checked_sub(alpha)
            .ok_or(Error::InsufficientStake {
                available,
                needed: alpha,
            })?;
        let total = self.hotkey_alpha(netuid, hotkey).saturating_sub(alpha);
        let mut pool = self.pool(netuid);
        pool.alpha_outstanding = pool.alpha_outstanding.saturating_sub(alpha);
        self.set_stake(netuid, hotkey, coldkey, stake);
        self.set_hotkey_alpha(netuid, hotkey, total);
        self.set_pool(netuid, &pool);
        Ok(())
    }
}
