//! Pending writes over the committed state, with checkpoints to roll back a failed call.

use crate::storage::Storage;
use std::collections::BTreeMap;

/// Pending writes: key to new value (`None` = deleted).
pub(crate) type Changes = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// A journal entry: a key and its previous entry in [`Changes`] (`None` = had none).
type JournalEntry = (Vec<u8>, Option<Option<Vec<u8>>>);

/// Writes not yet committed, over a read-only view of the committed state.
///
/// `changes` maps a key to its new value (`None` = deleted). The journal records each key's
/// previous entry in `changes`, so [`Overlay::rollback`] restores any earlier checkpoint.
pub(crate) struct Overlay<'a> {
    base: &'a dyn Storage,
    changes: Changes,
    journal: Vec<JournalEntry>,
}

/// A point [`Overlay::rollback`] can return to.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Checkpoint(usize);

impl<'a> Overlay<'a> {
    pub(crate) fn new(base: &'a dyn Storage) -> Self {
        Self {
            base,
            changes: BTreeMap::new(),
            journal: Vec::new(),
        }
    }

    pub(crate) fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        match self.changes.get(key) {
            Some(v) => v.clone(),
            None => self.base.get(key),
        }
    }

    pub(crate) fn set(&mut self, key: Vec<u8>, value: Option<Vec<u8>>) {
        let previous = self.changes.insert(key.clone(), value);
        self.journal.push((key, previous));
    }

    /// Entries under `prefix` in key order, pending writes included.
    pub(crate) fn scan_prefix(&self, prefix: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut merged: BTreeMap<Vec<u8>, Vec<u8>> =
            self.base.scan_prefix(prefix).into_iter().collect();
        for (k, v) in self
            .changes
            .range(prefix.to_vec()..)
            .take_while(|(k, _)| k.starts_with(prefix))
        {
            match v {
                Some(v) => merged.insert(k.clone(), v.clone()),
                None => merged.remove(k),
            };
        }
        merged.into_iter().collect()
    }

    pub(crate) fn checkpoint(&self) -> Checkpoint {
        Checkpoint(self.journal.len())
    }

    pub(crate) fn rollback(&mut self, to: Checkpoint) {
        while self.journal.len() > to.0 {
            let Some((key, previous)) = self.journal.pop() else {
                break;
            };
            match previous {
                Some(v) => self.changes.insert(key, v),
                None => self.changes.remove(&key),
            };
        }
    }

    /// The net writes, for the caller to commit.
    pub(crate) fn into_changes(self) -> Changes {
        self.changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::MemoryStorage;

    #[test]
    fn rollback_restores_checkpoint() {
        let mut base = MemoryStorage::new();
        base.put(b"a", b"1");
        base.put(b"b", b"2");
        let mut o = Overlay::new(&base);
        o.set(b"a".to_vec(), Some(b"3".to_vec()));
        let cp = o.checkpoint();
        o.set(b"a".to_vec(), Some(b"4".to_vec()));
        o.set(b"b".to_vec(), None);
        o.set(b"c".to_vec(), Some(b"5".to_vec()));
        assert_eq!(o.scan_prefix(b"").len(), 2);
        o.rollback(cp);
        assert_eq!(o.get(b"a"), Some(b"3".to_vec()));
        assert_eq!(o.get(b"b"), Some(b"2".to_vec()));
        assert_eq!(o.get(b"c"), None);
        assert_eq!(o.into_changes().len(), 1);
    }
}
