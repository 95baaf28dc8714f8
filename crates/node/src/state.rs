//! The runtime's [`Storage`] on the disk store: a block's writes kept in memory over a snapshot
//! of the committed state, until the block is committed with them in one store transaction.
//!
//! [`BlockState`] reads through its overlay (written and deleted keys), then the merged changes
//! of its executed but not yet committed ancestors ([`BlockState::on_ancestors`]), to a
//! [`Snapshot`] of the committed head, so executing a proposed block never touches the disk
//! state, even on a parent that is not final yet; [`BlockState::into_changes`] hands the
//! block's own overlay to [`yuma_store::Store::commit`].
//!
//! The runtime's storage operations cannot fail. A disk read that fails under the state machine
//! would make the node compute a wrong state, so the block state keeps the first failure, reads
//! on as if the key were absent, and [`BlockState::into_changes`] returns the failure instead
//! of the changes: the block is discarded and the node stops with the store's error, never
//! committing a state computed from a failed read (redb's commits are atomic, so it restarts
//! at its last committed block). A query over RPC that meets a failed read logs it.

use std::collections::BTreeMap;

use std::sync::OnceLock;

use yuma_runtime::Storage;
use yuma_store::{Snapshot, StateChange};

/// A block's state: an overlay of changes over a committed snapshot.
pub struct BlockState {
    base: Snapshot,
    ancestors: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    overlay: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    failure: OnceLock<yuma_store::Error>,
}

impl BlockState {
    /// An empty overlay over `base`.
    pub fn new(base: Snapshot) -> Self {
        Self::on_ancestors(base, BTreeMap::new())
    }

    /// An empty overlay over `ancestors` (the merged changes of uncommitted ancestors, oldest
    /// first, later writes winning) over `base`.
    pub fn on_ancestors(base: Snapshot, ancestors: BTreeMap<Vec<u8>, Option<Vec<u8>>>) -> Self {
        Self {
            base,
            ancestors,
            overlay: BTreeMap::new(),
            failure: OnceLock::new(),
        }
    }

    /// The changes made, in key order (`None` deletes).
    ///
    /// # Errors
    /// The first failed read of the committed state: the changes may be wrong and must not be
    /// committed.
    pub fn into_changes(self) -> Result<Vec<StateChange>, yuma_store::Error> {
        match self.failure.into_inner() {
            Some(error) => Err(error),
            None => Ok(self.overlay.into_iter().collect()),
        }
    }

    /// Keeps the first failed read (see the module docs); the key reads as absent.
    fn failed<T: Default>(&self, error: yuma_store::Error) -> T {
        tracing::error!(%error, "a read of the committed state failed");
        let _ = self.failure.set(error);
        T::default()
    }

    /// The changes made so far, cloned.
    pub fn changes(&self) -> Vec<StateChange> {
        self.overlay
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

/// Stops the process on a disk failure under the state machine (see the module docs).
impl Storage for BlockState {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        match self.overlay.get(key).or_else(|| self.ancestors.get(key)) {
            Some(value) => value.clone(),
            None => self.base.get(key).unwrap_or_else(|e| self.failed(e)),
        }
    }

    fn put(&mut self, key: &[u8], value: &[u8]) {
        self.overlay.insert(key.to_vec(), Some(value.to_vec()));
    }

    fn delete(&mut self, key: &[u8]) {
        self.overlay.insert(key.to_vec(), None);
    }

    fn scan_prefix(&self, prefix: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut merged: BTreeMap<Vec<u8>, Vec<u8>> = self
            .base
            .with_prefix(prefix)
            .unwrap_or_else(|e| self.failed(e))
            .into_iter()
            .collect();
        for layer in [&self.ancestors, &self.overlay] {
            for (key, value) in layer
                .range(prefix.to_vec()..)
                .take_while(|(k, _)| k.starts_with(prefix))
            {
                match value {
                    Some(v) => merged.insert(key.clone(), v.clone()),
                    None => merged.remove(key),
                };
            }
        }
        merged.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yuma_runtime::MemoryStorage;
    use yuma_store::{BlockCommit, Store};

    #[test]
    fn overlay_matches_memory_storage() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path().join("db")).expect("opens");
        let base: Vec<StateChange> = vec![
            (b"a/1".to_vec(), Some(b"x".to_vec())),
            (b"a/2".to_vec(), Some(b"y".to_vec())),
            (b"b".to_vec(), Some(b"z".to_vec())),
        ];
        store
            .commit(&BlockCommit {
                height: 0,
                hash: [0; 32],
                state_root: [0; 32],
                block: vec![],
                changes: base.clone(),
                receipts: vec![],
            })
            .expect("commits");
        let mut memory = MemoryStorage::new();
        for (k, v) in &base {
            memory.put(k, v.as_deref().expect("all writes"));
        }
        let mut state = BlockState::new(store.snapshot().expect("snapshot"));
        for s in [&mut state as &mut dyn Storage, &mut memory] {
            s.delete(b"a/1");
            s.put(b"a/3", b"w");
            s.put(b"a/2", b"v");
            s.put(b"c", b"u");
            s.delete(b"c");
        }
        assert_eq!(state.scan_prefix(b"a/"), memory.scan_prefix(b"a/"));
        assert_eq!(state.scan_prefix(b""), memory.scan_prefix(b""));
        assert_eq!(state.get(b"a/1"), None);
        assert_eq!(state.get(b"b"), Some(b"z".to_vec()));
        let changes = state.into_changes().expect("no read failed");
        assert_eq!(changes.len(), 4, "a/1, a/2, a/3 and c");
    }
}
