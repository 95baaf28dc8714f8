//! The charge journal: every charge is on disk before its answer leaves.
//!
//! The ledger (`ledger.json`) is a snapshot written every few seconds; between snapshots each
//! charge and each stake of revenue is appended to `charges.log` beside it, one JSON line per
//! record, and synced before the request that caused it is answered:
//!
//! ```text
//! field    type          meaning
//! -------  ------------  -----------------------------------------------------------
//! seq      u64           1, 2, 3, ... across the gateway's life; never reused
//! who      SS58 or null  the charged account; null for revenue staked back
//! rao      u64           rao charged (or staked)
//! queries  u64           answered queries the charge pays for (0 for a stake)
//! ```
//!
//! The snapshot records the last `seq` it includes (`Ledger::journal_seq`). On start the
//! gateway loads the snapshot and applies every record with a greater `seq`; a last line
//! without its newline was torn by a crash before it was synced, so its answer never left,
//! and it is dropped. After each snapshot the journal is rewritten with only the records the
//! snapshot lacks (temporary file, sync, rename).
//!
//! A writer thread takes every record queued while it was syncing, writes them together and
//! syncs once (group commit), so concurrent requests share one `fdatasync`. Guarantee: an
//! answered query is charged after any crash (kill -9 included). What a crash can cost the
//! user instead is a charge for a request in flight at that instant whose answer never left.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;
use yuma_primitives::AccountId;

use crate::Error;
use crate::ledger::Ledger;

/// One journal line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// Position in the gateway's history of records.
    pub seq: u64,
    /// The charged account; `None` for revenue staked back into the subnet.
    pub who: Option<AccountId>,
    /// Rao charged or staked.
    pub rao: u64,
    /// Answered queries the charge pays for.
    pub queries: u64,
}

impl Record {
    /// Applies the record to `ledger` (it must not include it yet).
    pub fn apply(&self, ledger: &mut Ledger) {
        match self.who {
            Some(who) => ledger.charge(&who, self.rao, self.queries),
            None => ledger.staked = ledger.staked.saturating_add(self.rao),
        }
        ledger.journal_seq = ledger.journal_seq.max(self.seq);
    }
}

/// Loads the ledger in `data_dir`, applies the journal's records it lacks, and opens the
/// journal for the charges to come.
///
/// # Errors
/// As [`crate::ledger::load`], [`replay`] and [`Journal::open`].
pub fn recover(data_dir: &Path) -> Result<(Ledger, Journal), Error> {
    let mut ledger = crate::ledger::load(&crate::ledger::ledger_path(data_dir))?;
    let path = journal_path(data_dir);
    let pending = replay(&path, &mut ledger)?;
    let journal = Journal::open(&path, pending)?;
    Ok((ledger, journal))
}

/// Where the journal is kept: `DIR/charges.log`.
pub fn journal_path(data_dir: &Path) -> PathBuf {
    data_dir.join("charges.log")
}

/// Applies the records of the journal at `path` that `ledger` lacks; returns them.
///
/// # Errors
/// [`Error::LedgerIo`] when the file cannot be read, [`Error::LedgerCorrupt`] when a complete
/// line is not a record.
pub fn replay(path: &Path, ledger: &mut Ledger) -> Result<Vec<Record>, Error> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(Error::LedgerIo {
                path: path.to_owned(),
                source,
            });
        }
    };
    let mut reader = BufReader::new(file);
    let mut pending = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        let read = reader
            .read_until(b'\n', &mut line)
            .map_err(|source| Error::LedgerIo {
                path: path.to_owned(),
                source,
            })?;
        // End of file, or a torn last line that was never synced nor answered.
        if read == 0 || line.last() != Some(&b'\n') {
            break;
        }
        let record: Record = serde_json::from_slice(&line).map_err(|e| Error::LedgerCorrupt {
            path: path.to_owned(),
            detail: format!("journal record {}: {e}", pending.len() + 1),
        })?;
        if record.seq > ledger.journal_seq {
            record.apply(ledger);
            pending.push(record);
        }
    }
    Ok(pending)
}

enum Command {
    Append(Record, oneshot::Sender<Result<(), String>>),
    Compact(u64),
}

/// The journal's writer: appends are durable when their future resolves.
#[derive(Debug, Clone)]
pub struct Journal {
    commands: mpsc::Sender<Command>,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Append(record, _) => write!(f, "Append({record:?})"),
            Self::Compact(seq) => write!(f, "Compact({seq})"),
        }
    }
}

impl Journal {
    /// Opens the journal at `path` for appending, holding `pending` (the records a snapshot
    /// does not include yet), and starts its writer thread.
    ///
    /// # Errors
    /// [`Error::LedgerIo`] when the file cannot be opened or rewritten.
    pub fn open(path: &Path, pending: Vec<Record>) -> Result<Self, Error> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| Error::LedgerIo {
                path: dir.to_owned(),
                source,
            })?;
        }
        let mut writer = Writer {
            path: path.to_owned(),
            file: None,
            pending,
        };
        // Start from a file holding exactly the pending records (drops a torn tail).
        writer.rewrite().map_err(|source| Error::LedgerIo {
            path: path.to_owned(),
            source,
        })?;
        let (commands, receiver) = mpsc::channel();
        std::thread::Builder::new()
            .name("charge-journal".into())
            .spawn(move || writer.run(&receiver))
            .map_err(|source| Error::LedgerIo {
                path: path.to_owned(),
                source,
            })?;
        Ok(Self { commands })
    }

    /// Appends `record`; resolves once it is synced to disk.
    ///
    /// # Errors
    /// The reason when it could not be written: the charge must not stand then.
    pub async fn append(&self, record: Record) -> Result<(), String> {
        let (done, written) = oneshot::channel();
        self.commands
            .send(Command::Append(record, done))
            .map_err(|_| "the charge journal stopped".to_owned())?;
        written
            .await
            .map_err(|_| "the charge journal stopped".to_owned())?
    }

    /// Drops the records up to `seq`, which a written snapshot now includes.
    pub fn compact(&self, seq: u64) {
        let _ = self.commands.send(Command::Compact(seq));
    }
}

/// The writer thread's state: the file and the records since the last snapshot.
struct Writer {
    path: PathBuf,
    file: Option<File>,
    pending: Vec<Record>,
}

impl Writer {
    fn run(mut self, commands: &mpsc::Receiver<Command>) {
        while let Ok(first) = commands.recv() {
            let mut batch = Vec::new();
            let mut compact = None;
            for command in std::iter::once(first).chain(commands.try_iter()) {
                match command {
                    Command::Append(record, done) => batch.push((record, done)),
                    Command::Compact(seq) => compact = Some(compact.unwrap_or(0).max(seq)),
                }
            }
            // Compacting first keeps every record of this batch out of the rewrite's way.
            if let Some(seq) = compact {
                self.pending.retain(|r| r.seq > seq);
                if let Err(error) = self.rewrite() {
                    tracing::error!(path = %self.path.display(), %error, "cannot compact the charge journal");
                }
            }
            let written = self.append(batch.iter().map(|(r, _)| *r));
            for (record, done) in batch {
                if written.is_ok() {
                    self.pending.push(record);
                }
                let _ = done.send(written.as_ref().map_err(ToString::to_string).copied());
            }
        }
    }

    /// Writes `records` at the end of the file and syncs it.
    fn append(&mut self, records: impl Iterator<Item = Record>) -> std::io::Result<()> {
        let mut bytes = Vec::new();
        for record in records {
            serde_json::to_writer(&mut bytes, &record)?;
            bytes.push(b'\n');
        }
        if bytes.is_empty() {
            return Ok(());
        }
        let file = match &mut self.file {
            Some(file) => file,
            None => self.file.insert(
                OpenOptions::new()
                    .append(true)
                    .create(true)
                    .open(&self.path)?,
            ),
        };
        let written = file.write_all(&bytes).and_then(|()| file.sync_data());
        if written.is_err() {
            // A partial write leaves a torn line: start over from the records that stand.
            self.file = None;
            let _ = self.rewrite();
        }
        written
    }

    /// Replaces the file with one holding exactly the pending records.
    fn rewrite(&mut self) -> std::io::Result<()> {
        let tmp = self.path.with_extension("log.tmp");
        {
            let mut file = File::create(&tmp)?;
            let mut bytes = Vec::new();
            for record in &self.pending {
                serde_json::to_writer(&mut bytes, record)?;
                bytes.push(b'\n');
            }
            file.write_all(&bytes)?;
            file.sync_all()?;
        }
        std::fs::rename(&tmp, &self.path)?;
        if let Some(dir) = self.path.parent() {
            File::open(dir)?.sync_all()?;
        }
        self.file = None;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(n: u8) -> AccountId {
        AccountId([n; 32])
    }

    fn charge(seq: u64, who: u8, rao: u64) -> Record {
        Record {
            seq,
            who: Some(account(who)),
            rao,
            queries: 1,
        }
    }

    #[tokio::test]
    async fn appended_records_are_replayed_once() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = journal_path(dir.path());
        let journal = Journal::open(&path, Vec::new()).expect("opens");
        for seq in 1..=3 {
            journal.append(charge(seq, 1, 10)).await.expect("written");
        }
        journal
            .append(Record {
                seq: 4,
                who: None,
                rao: 7,
                queries: 0,
            })
            .await
            .expect("written");
        let mut ledger = Ledger::default();
        ledger.apply_block(1, &[(account(1), 100)]);
        let pending = replay(&path, &mut ledger).expect("replays");
        assert_eq!(pending.len(), 4);
        assert_eq!(ledger.account(&account(1)).credit(), 70);
        assert_eq!(ledger.account(&account(1)).queries, 3);
        assert_eq!(
            (ledger.revenue, ledger.staked, ledger.journal_seq),
            (30, 7, 4)
        );
        // Replaying again onto the result changes nothing.
        let again = ledger.clone();
        assert!(replay(&path, &mut ledger).expect("replays").is_empty());
        assert_eq!(ledger, again);
    }

    #[tokio::test]
    async fn a_new_data_dir_is_created() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let data = dir.path().join("gateway");
        let (ledger, journal) = recover(&data).expect("an empty ledger in a new folder");
        assert_eq!(ledger, Ledger::default());
        journal.append(charge(1, 1, 1)).await.expect("written");
        assert!(journal_path(&data).exists());
    }

    #[test]
    fn a_torn_last_line_is_dropped_and_a_corrupt_one_refused() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = journal_path(dir.path());
        let whole = serde_json::to_string(&charge(1, 2, 5)).expect("JSON");
        let torn = &serde_json::to_string(&charge(2, 2, 5)).expect("JSON")[..20];
        std::fs::write(&path, format!("{whole}\n{torn}")).expect("writes");
        let mut ledger = Ledger::default();
        let pending = replay(&path, &mut ledger).expect("replays");
        assert_eq!(pending, vec![charge(1, 2, 5)]);
        // Opening rewrites the file without the torn tail.
        drop(Journal::open(&path, pending).expect("opens"));
        let text = std::fs::read_to_string(&path).expect("reads");
        assert_eq!(text, format!("{whole}\n"));
        std::fs::write(&path, "not a record\n").expect("writes");
        assert!(matches!(
            replay(&path, &mut Ledger::default()),
            Err(Error::LedgerCorrupt { .. })
        ));
    }

    #[tokio::test]
    async fn compaction_keeps_what_the_snapshot_lacks() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = journal_path(dir.path());
        let journal = Journal::open(&path, Vec::new()).expect("opens");
        for seq in 1..=5 {
            journal.append(charge(seq, 3, 1)).await.expect("written");
        }
        journal.compact(3);
        // An append after the compaction is ordered after it.
        journal.append(charge(6, 3, 1)).await.expect("written");
        let mut ledger = Ledger::default();
        ledger.journal_seq = 3;
        let pending = replay(&path, &mut ledger).expect("replays");
        let seqs: Vec<u64> = pending.iter().map(|r| r.seq).collect();
        assert_eq!(seqs, vec![4, 5, 6]);
        let text = std::fs::read_to_string(&path).expect("reads");
        assert_eq!(text.lines().count(), 3);
    }
}
