//! The state-access trait the runtime reads and writes through, and its in-memory implementation.
//!
//! The runtime sees its state as one ordered map from byte keys to byte values. The node
//! implements [`Storage`] on its disk store (redb); tests and benches use [`MemoryStorage`].
//!
//! Storage operations are infallible here: a disk that fails under the state machine leaves the
//! node unable to continue deterministically, so the node's implementation must stop the node
//! (not return a partial answer) when its disk fails.

use std::collections::BTreeMap;

/// Ordered key/value state.
pub trait Storage {
    /// The value under `key`, if any.
    fn get(&self, key: &[u8]) -> Option<Vec<u8>>;
    /// Sets `key` to `value`.
    fn put(&mut self, key: &[u8], value: &[u8]);
    /// Removes `key` (no effect if absent).
    fn delete(&mut self, key: &[u8]);
    /// Every entry whose key starts with `prefix`, in ascending key order.
    fn scan_prefix(&self, prefix: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)>;
}

/// A [`Storage`] held in a `BTreeMap`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoryStorage {
    entries: BTreeMap<Vec<u8>, Vec<u8>>,
}

impl MemoryStorage {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the store has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every entry in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&Vec<u8>, &Vec<u8>)> {
        self.entries.iter()
    }
}

impl Storage for MemoryStorage {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.entries.get(key).cloned()
    }

    fn put(&mut self, key: &[u8], value: &[u8]) {
        self.entries.insert(key.to_vec(), value.to_vec());
    }

    fn delete(&mut self, key: &[u8]) {
        self.entries.remove(key);
    }

    fn scan_prefix(&self, prefix: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.entries
            .range(prefix.to_vec()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_prefix_is_ordered_and_bounded() {
        let mut s = MemoryStorage::new();
        s.put(b"b/2", b"x");
        s.put(b"a/1", b"y");
        s.put(b"b/1", b"z");
        s.put(b"c", b"w");
        let keys: Vec<_> = s.scan_prefix(b"b/").into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, vec![b"b/1".to_vec(), b"b/2".to_vec()]);
        s.delete(b"b/1");
        assert_eq!(s.scan_prefix(b"b/").len(), 1);
        assert_eq!(s.get(b"c"), Some(b"w".to_vec()));
        assert_eq!(s.len(), 3);
    }
}
