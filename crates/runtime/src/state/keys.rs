//! Where each record lives: one prefix byte per table, then the fields, integers big-endian so
//! that key order is numeric order (a subnet's UIDs scan in order).
//!
//! | prefix | key fields | value |
//! |---|---|---|
//! | `00` | `"params"` / `"genesis"` / `"totals"` | `ChainParams` / hash / `Totals` |
//! | `01` | account | free balance `u64` |
//! | `02` | account | next nonce `u64` |
//! | `03` | hotkey | owner coldkey |
//! | `04` | hotkey | delegate take `u16` |
//! | `05` | hotkey | block of the last take increase `u64` |
//! | `10` | netuid | `SubnetRecord` |
//! | `11` | netuid | `Hyperparams` |
//! | `12` | netuid | `Pool` |
//! | `13` | netuid, uid | `Neuron` |
//! | `14` | netuid, hotkey | uid `u16` |
//! | `15` | netuid, uid | weights row `Vec<(u16, u16)>` |
//! | `16` | netuid, uid | bonds row `Vec<(u16, u16)>` |
//! | `17` | netuid, hotkey | unrevealed commits `Vec<(hash, block)>` |
//! | `18` | netuid | anti weight-copying memory `yuma_epoch::anticopy::Memory` (only while not empty) |
//! | `19` | netuid | `SubnetIdentity` (only once set) |
//! | `20` | netuid, hotkey, coldkey | alpha staked `u64` |
//! | `21` | coldkey, netuid, hotkey | empty (index of a coldkey's stakes) |
//! | `22` | netuid, hotkey | alpha staked on the hotkey, all coldkeys `u64` |
//!
//! The state root's accumulator lives outside this table, under `ff`, and is not hashed.

use yuma_primitives::{AccountId, NetUid};

pub(crate) const PARAMS: &[u8] = b"\x00params";
pub(crate) const GENESIS: &[u8] = b"\x00genesis";
pub(crate) const TOTALS: &[u8] = b"\x00totals";
/// Root accumulator key; excluded from the root itself.
pub(crate) const ROOT_ACC: &[u8] = b"\xffroot";

fn with(prefix: u8, parts: &[&[u8]]) -> Vec<u8> {
    let mut key = Vec::with_capacity(1 + parts.iter().map(|p| p.len()).sum::<usize>());
    key.push(prefix);
    for p in parts {
        key.extend_from_slice(p);
    }
    key
}

/// Prefix of every free balance.
pub(crate) const BALANCE_PREFIX: &[u8] = &[0x01];
pub(crate) fn balance(a: &AccountId) -> Vec<u8> {
    with(0x01, &[a.as_bytes()])
}
pub(crate) fn nonce(a: &AccountId) -> Vec<u8> {
    with(0x02, &[a.as_bytes()])
}
pub(crate) fn owner(hotkey: &AccountId) -> Vec<u8> {
    with(0x03, &[hotkey.as_bytes()])
}
pub(crate) fn take(hotkey: &AccountId) -> Vec<u8> {
    with(0x04, &[hotkey.as_bytes()])
}
pub(crate) fn take_increase(hotkey: &AccountId) -> Vec<u8> {
    with(0x05, &[hotkey.as_bytes()])
}
pub(crate) fn subnet(netuid: NetUid) -> Vec<u8> {
    with(0x10, &[&netuid.0.to_be_bytes()])
}
pub(crate) const SUBNET_PREFIX: &[u8] = &[0x10];
pub(crate) fn hyperparams(netuid: NetUid) -> Vec<u8> {
    with(0x11, &[&netuid.0.to_be_bytes()])
}
pub(crate) fn pool(netuid: NetUid) -> Vec<u8> {
    with(0x12, &[&netuid.0.to_be_bytes()])
}
pub(crate) fn neuron(netuid: NetUid, uid: u16) -> Vec<u8> {
    with(0x13, &[&netuid.0.to_be_bytes(), &uid.to_be_bytes()])
}
pub(crate) fn uid(netuid: NetUid, hotkey: &AccountId) -> Vec<u8> {
    with(0x14, &[&netuid.0.to_be_bytes(), hotkey.as_bytes()])
}
pub(crate) fn weights(netuid: NetUid, uid: u16) -> Vec<u8> {
    with(0x15, &[&netuid.0.to_be_bytes(), &uid.to_be_bytes()])
}
pub(crate) fn bonds(netuid: NetUid, uid: u16) -> Vec<u8> {
    with(0x16, &[&netuid.0.to_be_bytes(), &uid.to_be_bytes()])
}
pub(crate) fn commits(netuid: NetUid, hotkey: &AccountId) -> Vec<u8> {
    with(0x17, &[&netuid.0.to_be_bytes(), hotkey.as_bytes()])
}
pub(crate) fn anti_copy(netuid: NetUid) -> Vec<u8> {
    with(0x18, &[&netuid.0.to_be_bytes()])
}
pub(crate) fn subnet_identity(netuid: NetUid) -> Vec<u8> {
    with(0x19, &[&netuid.0.to_be_bytes()])
}
pub(crate) fn stake(netuid: NetUid, hotkey: &AccountId, coldkey: &AccountId) -> Vec<u8> {
    with(
        0x20,
        &[
            &netuid.0.to_be_bytes(),
            hotkey.as_bytes(),
            coldkey.as_bytes(),
        ],
    )
}
/// Prefix of every stake on `hotkey` in `netuid`; the coldkey is the last 32 bytes of each key.
pub(crate) fn stakes_of_hotkey(netuid: NetUid, hotkey: &AccountId) -> Vec<u8> {
    with(0x20, &[&netuid.0.to_be_bytes(), hotkey.as_bytes()])
}
pub(crate) fn stake_index(coldkey: &AccountId, netuid: NetUid, hotkey: &AccountId) -> Vec<u8> {
    with(
        0x21,
        &[
            coldkey.as_bytes(),
            &netuid.0.to_be_bytes(),
            hotkey.as_bytes(),
        ],
    )
}
/// Prefix of a coldkey's stake index; each key continues with netuid (2 B) and hotkey (32 B).
pub(crate) fn stake_index_of(coldkey: &AccountId) -> Vec<u8> {
    with(0x21, &[coldkey.as_bytes()])
}
pub(crate) fn hotkey_alpha(netuid: NetUid, hotkey: &AccountId) -> Vec<u8> {
    with(0x22, &[&netuid.0.to_be_bytes(), hotkey.as_bytes()])
}
