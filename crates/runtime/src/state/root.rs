//! The state root: a hash of the whole key/value set that does not depend on write order and
//! costs O(1) per write to maintain.
//!
//! Each entry contributes `h(k, v) = blake2b-256(len(k) as u32 LE ++ k ++ v)`, read as a 256-bit
//! little-endian integer. The accumulator is the sum of all contributions modulo 2^256 plus the
//! entry count; a write subtracts the old entry's contribution and adds the new one. The root
//! committed in a block header is
//!
//! ```text
//! root = blake2b-256("yuma/state-root/v1" ++ sum (32 B LE) ++ count (u64 LE))
//! ```
//!
//! The sum is a multiset hash (as in Bellare-Micciancio's AdHash): equal sets give equal roots
//! whatever the insertion order, and a per-block update costs one hash per written key, not a
//! pass over the state. It proves equality of whole states (what nodes compare), not membership
//! of one entry: light-client proofs would need a Merkle tree, which we do not need yet.

use super::keys::ROOT_ACC;
use super::overlay::Changes;
use crate::hash::{Hash, blake2b_256};
use crate::storage::Storage;

/// The running sum and count, stored under [`ROOT_ACC`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Accumulator {
    sum: [u64; 4],
    count: u64,
}

impl Accumulator {
    fn load(store: &dyn Storage) -> Self {
        let Some(bytes) = store.get(ROOT_ACC) else {
            return Self::default();
        };
        let mut acc = Self::default();
        for (i, limb) in acc.sum.iter_mut().enumerate() {
            *limb = read_u64(&bytes, i * 8);
        }
        acc.count = read_u64(&bytes, 32);
        acc
    }

    fn store(&self, store: &mut dyn Storage) {
        let mut bytes = Vec::with_capacity(40);
        for limb in self.sum {
            bytes.extend_from_slice(&limb.to_le_bytes());
        }
        bytes.extend_from_slice(&self.count.to_le_bytes());
        store.put(ROOT_ACC, &bytes);
    }

    fn add(&mut self, h: &Hash) {
        let mut carry = false;
        for (i, limb) in self.sum.iter_mut().enumerate() {
            let x = read_u64(h, i * 8);
            let (s1, c1) = limb.overflowing_add(x);
            let (s2, c2) = s1.overflowing_add(u64::from(carry));
            *limb = s2;
            carry = c1 || c2;
        }
        self.count = self.count.wrapping_add(1);
    }

    fn sub(&mut self, h: &Hash) {
        let mut borrow = false;
        for (i, limb) in self.sum.iter_mut().enumerate() {
            let x = read_u64(h, i * 8);
            let (d1, b1) = limb.overflowing_sub(x);
            let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
            *limb = d2;
            borrow = b1 || b2;
        }
        self.count = self.count.wrapping_sub(1);
    }
}

fn read_u64(bytes: &[u8], at: usize) -> u64 {
    let mut raw = [0u8; 8];
    if let Some(src) = bytes.get(at..at + 8) {
        raw.copy_from_slice(src);
    }
    u64::from_le_bytes(raw)
}

fn entry_hash(key: &[u8], value: &[u8]) -> Hash {
    let len = u32::try_from(key.len()).unwrap_or(u32::MAX).to_le_bytes();
    blake2b_256(&[&len, key, value])
}

/// Writes `changes` to `store`, keeping the root accumulator up to date.
pub(crate) fn commit(store: &mut dyn Storage, changes: Changes) {
    if changes.is_empty() {
        return;
    }
    let mut acc = Accumulator::load(store);
    for (key, new) in changes {
        let old = store.get(&key);
        if old == new {
            continue;
        }
        if let Some(old) = &old {
            acc.sub(&entry_hash(&key, old));
        }
        match &new {
            Some(v) => {
                acc.add(&entry_hash(&key, v));
                store.put(&key, v);
            }
            None => store.delete(&key),
        }
    }
    acc.store(store);
}

/// The state root of `store`.
pub(crate) fn root(store: &dyn Storage) -> Hash {
    let acc = Accumulator::load(store);
    let mut sum = Vec::with_capacity(32);
    for limb in acc.sum {
        sum.extend_from_slice(&limb.to_le_bytes());
    }
    blake2b_256(&[b"yuma/state-root/v1", &sum, &acc.count.to_le_bytes()])
}

/// The root recomputed from every entry (for tests and audits: O(state)).
pub(crate) fn recompute(store: &dyn Storage) -> Hash {
    let mut acc = Accumulator::default();
    for (k, v) in store.scan_prefix(&[]) {
        if k != ROOT_ACC {
            acc.add(&entry_hash(&k, &v));
        }
    }
    let mut scratch = crate::storage::MemoryStorage::new();
    acc.store(&mut scratch);
    root(&scratch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::MemoryStorage;

    fn changes(entries: &[(&[u8], Option<&[u8]>)]) -> Changes {
        entries
            .iter()
            .map(|(k, v)| (k.to_vec(), v.map(<[u8]>::to_vec)))
            .collect()
    }

    #[test]
    fn order_independent_and_matches_recompute() {
        let mut a = MemoryStorage::new();
        commit(&mut a, changes(&[(b"x", Some(b"1")), (b"y", Some(b"2"))]));
        commit(&mut a, changes(&[(b"z", Some(b"3")), (b"x", None)]));
        let mut b = MemoryStorage::new();
        commit(&mut b, changes(&[(b"z", Some(b"3"))]));
        commit(&mut b, changes(&[(b"y", Some(b"2"))]));
        assert_eq!(root(&a), root(&b));
        assert_eq!(root(&a), recompute(&a));
        commit(&mut b, changes(&[(b"y", Some(b"4"))]));
        assert_ne!(root(&a), root(&b));
        commit(&mut b, changes(&[(b"y", Some(b"2"))]));
        assert_eq!(root(&a), root(&b));
    }

    #[test]
    fn empty_state_root_is_fixed() {
        assert_eq!(
            root(&MemoryStorage::new()),
            blake2b_256(&[b"yuma/state-root/v1", &[0u8; 32], &[0u8; 8]])
        );
    }
}
