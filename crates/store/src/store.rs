//! The redb-backed [`Store`]: atomic block commits and state reads.

use std::path::Path;

use redb::{Database, Durability, ReadableDatabase, ReadableTable, TableDefinition};

use crate::error::{Error, db};

const BLOCKS: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("blocks");
const HEADERS: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("headers");
const HASHES: TableDefinition<'_, &[u8], u64> = TableDefinition::new("hashes");
const STATE: TableDefinition<'_, &[u8], &[u8]> = TableDefinition::new("state");
const META: TableDefinition<'_, &str, u64> = TableDefinition::new("meta");
const RECEIPTS: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("receipts");

const HEAD_KEY: &str = "head";
const HEADER_LEN: usize = 64;

/// One state entry: key and value.
pub type StateEntry = (Vec<u8>, Vec<u8>);

/// A change to one state key: `Some(value)` writes it, `None` deletes it.
pub type StateChange = (Vec<u8>, Option<Vec<u8>>);

/// Everything one block adds to the store, written atomically by [`Store::commit`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockCommit {
    /// Height of the block; must be the committed head plus one (0 for genesis).
    pub height: u64,
    /// Hash of the block.
    pub hash: [u8; 32],
    /// State root after the block.
    pub state_root: [u8; 32],
    /// The encoded block.
    pub block: Vec<u8>,
    /// The state changes the block made, applied in order.
    pub changes: Vec<StateChange>,
    /// What executing the block produced (receipts and events), encoded by the node.
    pub receipts: Vec<u8>,
}

/// The last committed block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    /// Its height.
    pub height: u64,
    /// Its hash.
    pub hash: [u8; 32],
    /// The state root after it.
    pub state_root: [u8; 32],
}

/// Blocks and state in one crash-safe file.
pub struct Store {
    db: Database,
}

impl Store {
    /// Opens the store at `path`, creating an empty one if the file does not exist.
    ///
    /// # Errors
    /// [`Error::Database`] when the file cannot be created or is not a redb database.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        let database = Database::create(path).map_err(db)?;
        let write = database.begin_write().map_err(db)?;
        for table in [BLOCKS, HEADERS, RECEIPTS] {
            write.open_table(table).map_err(db)?;
        }
        write.open_table(HASHES).map_err(db)?;
        write.open_table(STATE).map_err(db)?;
        write.open_table(META).map_err(db)?;
        write.commit().map_err(db)?;
        Ok(Self { db: database })
    }

    /// The last committed block, or `None` for an empty store.
    ///
    /// # Errors
    /// [`Error::Database`] on a read failure, [`Error::Corrupt`] on a malformed header.
    pub fn head(&self) -> Result<Option<Head>, Error> {
        let read = self.db.begin_read().map_err(db)?;
        let meta = read.open_table(META).map_err(db)?;
        let Some(height) = meta.get(HEAD_KEY).map_err(db)?.map(|v| v.value()) else {
            return Ok(None);
        };
        let headers = read.open_table(HEADERS).map_err(db)?;
        let header = headers
            .get(height)
            .map_err(db)?
            .ok_or_else(|| corrupt("headers", height))?;
        let (hash, state_root) = split_header(header.value(), height)?;
        Ok(Some(Head {
            height,
            hash,
            state_root,
        }))
    }

    /// Writes a block, its header and its state changes in one durable transaction.
    ///
    /// # Errors
    /// [`Error::NotNext`] when the block does not extend the committed head by one;
    /// [`Error::Database`] when the write fails, in which case nothing was written.
    pub fn commit(&self, commit: &BlockCommit) -> Result<(), Error> {
        let mut write = self.db.begin_write().map_err(db)?;
        write.set_durability(Durability::Immediate).map_err(db)?;
        {
            let mut meta = write.open_table(META).map_err(db)?;
            let expected = match meta.get(HEAD_KEY).map_err(db)? {
                Some(head) => head.value() + 1,
                None => 0,
            };
            if commit.height != expected {
                return Err(Error::NotNext {
                    expected,
                    got: commit.height,
                });
            }
            meta.insert(HEAD_KEY, commit.height).map_err(db)?;

            let mut header = [0u8; HEADER_LEN];
            header[..32].copy_from_slice(&commit.hash);
            header[32..].copy_from_slice(&commit.state_root);
            write
                .open_table(HEADERS)
                .map_err(db)?
                .insert(commit.height, header.as_slice())
                .map_err(db)?;
            write
                .open_table(BLOCKS)
                .map_err(db)?
                .insert(commit.height, commit.block.as_slice())
                .map_err(db)?;
            write
                .open_table(RECEIPTS)
                .map_err(db)?
                .insert(commit.height, commit.receipts.as_slice())
                .map_err(db)?;
            write
                .open_table(HASHES)
                .map_err(db)?
                .insert(commit.hash.as_slice(), commit.height)
                .map_err(db)?;

            let mut state = write.open_table(STATE).map_err(db)?;
            for (key, value) in &commit.changes {
                match value {
                    Some(value) => state.insert(key.as_slice(), value.as_slice()),
                    None => state.remove(key.as_slice()),
                }
                .map_err(db)?;
            }
        }
        write.commit().map_err(db)
    }

    /// The encoded block at `height`, if committed.
    ///
    /// # Errors
    /// [`Error::Database`] on a read failure.
    pub fn block(&self, height: u64) -> Result<Option<Vec<u8>>, Error> {
        let read = self.db.begin_read().map_err(db)?;
        let blocks = read.open_table(BLOCKS).map_err(db)?;
        Ok(blocks.get(height).map_err(db)?.map(|v| v.value().to_vec()))
    }

    /// The receipts the node stored with the block at `height`, if committed.
    ///
    /// # Errors
    /// [`Error::Database`] on a read failure.
    pub fn receipts(&self, height: u64) -> Result<Option<Vec<u8>>, Error> {
        let read = self.db.begin_read().map_err(db)?;
        let receipts = read.open_table(RECEIPTS).map_err(db)?;
        Ok(receipts
            .get(height)
            .map_err(db)?
            .map(|v| v.value().to_vec()))
    }

    /// A consistent read-only view of the state as of the committed head now: later commits do
    /// not change what it reads.
    ///
    /// # Errors
    /// [`Error::Database`] on a read failure.
    pub fn snapshot(&self) -> Result<Snapshot, Error> {
        let read = self.db.begin_read().map_err(db)?;
        let head = {
            let meta = read.open_table(META).map_err(db)?;
            meta.get(HEAD_KEY).map_err(db)?.map(|v| v.value())
        };
        let state = read.open_table(STATE).map_err(db)?;
        Ok(Snapshot { head, state })
    }

    /// The header (hash and state root) of the block at `height`, if committed.
    ///
    /// # Errors
    /// [`Error::Database`] on a read failure, [`Error::Corrupt`] on a malformed header.
    pub fn header(&self, height: u64) -> Result<Option<Head>, Error> {
        let read = self.db.begin_read().map_err(db)?;
        let headers = read.open_table(HEADERS).map_err(db)?;
        let Some(header) = headers.get(height).map_err(db)? else {
            return Ok(None);
        };
        let (hash, state_root) = split_header(header.value(), height)?;
        Ok(Some(Head {
            height,
            hash,
            state_root,
        }))
    }

    /// The height of the committed block with this hash, if any.
    ///
    /// # Errors
    /// [`Error::Database`] on a read failure.
    pub fn height_of(&self, hash: &[u8; 32]) -> Result<Option<u64>, Error> {
        let read = self.db.begin_read().map_err(db)?;
        let hashes = read.open_table(HASHES).map_err(db)?;
        Ok(hashes.get(hash.as_slice()).map_err(db)?.map(|v| v.value()))
    }

    /// The value of a state key as of the committed head.
    ///
    /// # Errors
    /// [`Error::Database`] on a read failure.
    pub fn state(&self, key: &[u8]) -> Result<Option<Vec<u8>>, Error> {
        let read = self.db.begin_read().map_err(db)?;
        let state = read.open_table(STATE).map_err(db)?;
        Ok(state.get(key).map_err(db)?.map(|v| v.value().to_vec()))
    }

    /// Every state entry whose key starts with `prefix`, in key order.
    ///
    /// # Errors
    /// [`Error::Database`] on a read failure.
    pub fn state_with_prefix(&self, prefix: &[u8]) -> Result<Vec<StateEntry>, Error> {
        let read = self.db.begin_read().map_err(db)?;
        let state = read.open_table(STATE).map_err(db)?;
        let mut entries = Vec::new();
        for entry in state.range(prefix..).map_err(db)? {
            let (key, value) = entry.map_err(db)?;
            if !key.value().starts_with(prefix) {
                break;
            }
            entries.push((key.value().to_vec(), value.value().to_vec()));
        }
        Ok(entries)
    }
}

/// The state as of one committed head, read in one redb read transaction.
pub struct Snapshot {
    head: Option<u64>,
    state: redb::ReadOnlyTable<&'static [u8], &'static [u8]>,
}

impl Snapshot {
    /// Height of the head this snapshot reads, `None` for an empty store.
    pub fn head(&self) -> Option<u64> {
        self.head
    }

    /// The value of a state key.
    ///
    /// # Errors
    /// [`Error::Database`] on a read failure.
    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, Error> {
        Ok(self.state.get(key).map_err(db)?.map(|v| v.value().to_vec()))
    }

    /// Every state entry whose key starts with `prefix`, in key order.
    ///
    /// # Errors
    /// [`Error::Database`] on a read failure.
    pub fn with_prefix(&self, prefix: &[u8]) -> Result<Vec<StateEntry>, Error> {
        let mut entries = Vec::new();
        for entry in self.state.range(prefix..).map_err(db)? {
            let (key, value) = entry.map_err(db)?;
            if !key.value().starts_with(prefix) {
                break;
            }
            entries.push((key.value().to_vec(), value.value().to_vec()));
        }
        Ok(entries)
    }
}

fn corrupt(table: &'static str, height: u64) -> Error {
    Error::Corrupt {
        table,
        key: height.to_string(),
    }
}

fn split_header(bytes: &[u8], height: u64) -> Result<([u8; 32], [u8; 32]), Error> {
    if bytes.len() != HEADER_LEN {
        return Err(corrupt("headers", height));
    }
    let mut hash = [0u8; 32];
    let mut root = [0u8; 32];
    hash.copy_from_slice(&bytes[..32]);
    root.copy_from_slice(&bytes[32..]);
    Ok((hash, root))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn commit(height: u64, changes: Vec<StateChange>) -> BlockCommit {
        BlockCommit {
            height,
            hash: [height as u8 + 1; 32],
            state_root: [height as u8 + 100; 32],
            block: vec![height as u8; 10],
            changes,
            receipts: vec![height as u8; 3],
        }
    }

    fn set(key: &[u8], value: &[u8]) -> StateChange {
        (key.to_vec(), Some(value.to_vec()))
    }

    #[test]
    fn empty_store_has_no_head() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path().join("db")).expect("opens");
        assert_eq!(store.head().expect("reads"), None);
        assert_eq!(store.block(0).expect("reads"), None);
    }

    #[test]
    fn commits_and_reopens() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("db");
        {
            let store = Store::open(&path).expect("opens");
            store
                .commit(&commit(0, vec![set(b"a", b"1"), set(b"b", b"2")]))
                .expect("genesis");
            store
                .commit(&commit(1, vec![(b"a".to_vec(), None), set(b"c", b"3")]))
                .expect("block 1");
        }
        let store = Store::open(&path).expect("reopens");
        let head = store.head().expect("reads").expect("has a head");
        assert_eq!(head.height, 1);
        assert_eq!(head.hash, [2; 32]);
        assert_eq!(head.state_root, [101; 32]);
        assert_eq!(store.state(b"a").expect("reads"), None);
        assert_eq!(store.state(b"b").expect("reads"), Some(b"2".to_vec()));
        assert_eq!(store.block(1).expect("reads"), Some(vec![1; 10]));
        assert_eq!(store.receipts(1).expect("reads"), Some(vec![1; 3]));
        assert_eq!(store.height_of(&[1; 32]).expect("reads"), Some(0));
        assert_eq!(
            store.header(0).expect("reads").map(|h| h.state_root),
            Some([100; 32])
        );
    }

    #[test]
    fn rejects_gaps_and_repeats_without_writing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path().join("db")).expect("opens");
        assert!(matches!(
            store.commit(&commit(1, vec![])),
            Err(Error::NotNext {
                expected: 0,
                got: 1
            })
        ));
        store.commit(&commit(0, vec![])).expect("genesis");
        assert!(matches!(
            store.commit(&commit(0, vec![set(b"x", b"y")])),
            Err(Error::NotNext {
                expected: 1,
                got: 0
            })
        ));
        assert_eq!(store.state(b"x").expect("reads"), None, "nothing written");
    }

    #[test]
    fn prefix_scan_is_ordered_and_bounded() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path().join("db")).expect("opens");
        store
            .commit(&commit(
                0,
                vec![
                    set(b"p/2", b"b"),
                    set(b"p/1", b"a"),
                    set(b"q/1", b"c"),
                    set(b"o", b"d"),
                ],
            ))
            .expect("genesis");
        let keys: Vec<_> = store
            .state_with_prefix(b"p/")
            .expect("reads")
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(keys, vec![b"p/1".to_vec(), b"p/2".to_vec()]);
    }

    #[test]
    fn snapshot_does_not_see_later_commits() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path().join("db")).expect("opens");
        store
            .commit(&commit(0, vec![set(b"p/1", b"a"), set(b"q", b"b")]))
            .expect("genesis");
        let snap = store.snapshot().expect("snapshot");
        store
            .commit(&commit(1, vec![set(b"p/1", b"z"), set(b"p/2", b"c")]))
            .expect("block 1");
        assert_eq!(snap.head(), Some(0));
        assert_eq!(snap.get(b"p/1").expect("reads"), Some(b"a".to_vec()));
        assert_eq!(snap.with_prefix(b"p/").expect("reads").len(), 1);
        let now = store.snapshot().expect("snapshot");
        assert_eq!(now.head(), Some(1));
        assert_eq!(now.with_prefix(b"p/").expect("reads").len(), 2);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(16))]
        /// The store's state equals a map that applied the same changes.
        #[test]
        fn state_matches_a_model(
            blocks in proptest::collection::vec(
                proptest::collection::vec(
                    (0u8..8, proptest::option::of(proptest::collection::vec(0u8..255, 0..4))),
                    0..6,
                ),
                1..8,
            )
        ) {
            let dir = tempfile::tempdir().expect("temp dir");
            let store = Store::open(dir.path().join("db")).expect("opens");
            let mut model = BTreeMap::new();
            for (height, block) in blocks.iter().enumerate() {
                let changes: Vec<StateChange> =
                    block.iter().map(|(k, v)| (vec![*k], v.clone())).collect();
                for (k, v) in &changes {
                    match v {
                        Some(v) => model.insert(k.clone(), v.clone()),
                        None => model.remove(k),
                    };
                }
                store.commit(&commit(height as u64, changes)).expect("commits");
            }
            let stored: BTreeMap<_, _> = store.state_with_prefix(b"").expect("reads").into_iter().collect();
            proptest::prop_assert_eq!(stored, model);
        }
    }
}
