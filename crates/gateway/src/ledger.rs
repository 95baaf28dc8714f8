//! The credit ledger: TAO paid in by each account, what its queries used, the last block the
//! chain watcher processed, and what was staked back into the subnet.
//!
//! Everything lives in one JSON document written atomically (temporary file, then rename),
//! so a credit and the block it came from are persisted together: after a crash the watcher
//! re-reads the blocks after the persisted one and credits each transfer exactly once.
//! Charges made since the last snapshot are in the [`crate::journal`], synced before each
//! answer leaves; the snapshot never includes a reservation still in flight.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use yuma_primitives::AccountId;

use crate::Error;

/// One account's books, in rao.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountBooks {
    /// Total TAO received from this account.
    pub paid: u64,
    /// Total charged for its queries.
    pub spent: u64,
    /// Queries answered (ensemble members count one each).
    pub queries: u64,
}

impl AccountBooks {
    /// What is left to spend.
    pub fn credit(&self) -> u64 {
        self.paid.saturating_sub(self.spent)
    }
}

/// Why a charge was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InsufficientCredit {
    /// The account's credit.
    pub credit: u64,
    /// What the request costs.
    pub cost: u64,
}

/// The gateway's books.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    /// The last block whose transfers are counted (`None`: none yet).
    pub last_block: Option<u64>,
    /// Books per paying account.
    pub accounts: BTreeMap<AccountId, AccountBooks>,
    /// Total charged for queries (revenue), rao.
    pub revenue: u64,
    /// Total revenue staked back into the subnet, rao.
    pub staked: u64,
    /// The last journal record this ledger includes (see [`crate::journal`]).
    #[serde(default)]
    pub journal_seq: u64,
    /// Costs taken up front from requests still in flight, per account (never persisted).
    #[serde(skip)]
    reserved: BTreeMap<AccountId, u64>,
}

impl Ledger {
    /// Counts the transfers of block `number` to the gateway (`(from, amount)` pairs).
    /// A block at or below [`Self::last_block`] was counted already and is ignored; returns
    /// whether it was applied.
    pub fn apply_block(&mut self, number: u64, transfers: &[(AccountId, u64)]) -> bool {
        if self.last_block.is_some_and(|last| number <= last) {
            return false;
        }
        for (from, amount) in transfers {
            let books = self.accounts.entry(*from).or_default();
            books.paid = books.paid.saturating_add(*amount);
        }
        self.last_block = Some(number);
        true
    }

    /// The books of `who` (zero when it never paid).
    pub fn account(&self, who: &AccountId) -> AccountBooks {
        self.accounts.get(who).copied().unwrap_or_default()
    }

    /// Takes `cost` from `who`'s credit up front (refund with [`Self::refund`] when the request
    /// fails).
    ///
    /// # Errors
    /// [`InsufficientCredit`] when the credit is below the cost; nothing changes then.
    pub fn reserve(&mut self, who: &AccountId, cost: u64) -> Result<(), InsufficientCredit> {
        let books = self.accounts.entry(*who).or_default();
        let credit = books.credit();
        if credit < cost {
            return Err(InsufficientCredit { credit, cost });
        }
        books.spent += cost;
        self.revenue = self.revenue.saturating_add(cost);
        *self.reserved.entry(*who).or_default() += cost;
        Ok(())
    }

    /// Settles a reservation of `reserved`: keeps `used` of it (at most `reserved`), gives the
    /// rest back and counts `queries` answered.
    pub fn settle(&mut self, who: &AccountId, reserved: u64, used: u64, queries: u64) {
        let back = reserved.saturating_sub(used);
        let books = self.accounts.entry(*who).or_default();
        books.spent = books.spent.saturating_sub(back);
        books.queries = books.queries.saturating_add(queries);
        self.revenue = self.revenue.saturating_sub(back);
        if let Some(held) = self.reserved.get_mut(who) {
            *held = held.saturating_sub(reserved);
            if *held == 0 {
                self.reserved.remove(who);
            }
        }
    }

    /// Charges `who` `rao` for `queries` answered queries (a journal record being replayed).
    pub fn charge(&mut self, who: &AccountId, rao: u64, queries: u64) {
        let books = self.accounts.entry(*who).or_default();
        books.spent = books.spent.saturating_add(rao);
        books.queries = books.queries.saturating_add(queries);
        self.revenue = self.revenue.saturating_add(rao);
    }

    /// Takes back a charge that could not be recorded (the request is answered as failed).
    pub fn uncharge(&mut self, who: &AccountId, rao: u64, queries: u64) {
        let books = self.accounts.entry(*who).or_default();
        books.spent = books.spent.saturating_sub(rao);
        books.queries = books.queries.saturating_sub(queries);
        self.revenue = self.revenue.saturating_sub(rao);
    }

    /// Numbers the next journal record.
    pub fn next_seq(&mut self) -> u64 {
        self.journal_seq += 1;
        self.journal_seq
    }

    /// The ledger to persist: without the reservations of requests still in flight, which a
    /// crash ends unanswered.
    pub fn snapshot(&self) -> Self {
        let mut snapshot = self.clone();
        for (who, held) in std::mem::take(&mut snapshot.reserved) {
            let books = snapshot.accounts.entry(who).or_default();
            books.spent = books.spent.saturating_sub(held);
            snapshot.revenue = snapshot.revenue.saturating_sub(held);
        }
        snapshot
    }

    /// Gives a whole reservation back (the request failed).
    pub fn refund(&mut self, who: &AccountId, reserved: u64) {
        self.settle(who, reserved, 0, 0);
    }

    /// Revenue whose `share_percent` share is not staked yet, rao.
    pub fn to_stake(&self, share_percent: u8) -> u64 {
        let due = u128::from(self.revenue) * u128::from(share_percent.min(100)) / 100;
        u64::try_from(due)
            .unwrap_or(u64::MAX)
            .saturating_sub(self.staked)
    }

    /// Total credit of all accounts (TAO the gateway still owes as queries).
    pub fn outstanding(&self) -> u64 {
        self.accounts.values().map(AccountBooks::credit).sum()
    }
}

/// Where the ledger is kept: `DIR/ledger.json`.
pub fn ledger_path(data_dir: &Path) -> PathBuf {
    data_dir.join("ledger.json")
}

/// Reads the ledger at `path`, or an empty one when the file does not exist.
///
/// # Errors
/// [`Error::LedgerIo`] when it cannot be read, [`Error::LedgerCorrupt`] when it is not a ledger.
pub fn load(path: &Path) -> Result<Ledger, Error> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| Error::LedgerCorrupt {
            path: path.to_owned(),
            detail: e.to_string(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Ledger::default()),
        Err(source) => Err(Error::LedgerIo {
            path: path.to_owned(),
            source,
        }),
    }
}

/// Writes `ledger` to `path` atomically (a temporary file beside it, synced, then renamed).
///
/// # Errors
/// [`Error::LedgerIo`] when writing fails.
pub fn save(path: &Path, ledger: &Ledger) -> Result<(), Error> {
    let io = |source| Error::LedgerIo {
        path: path.to_owned(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let tmp = path.with_extension("json.tmp");
    let bytes = serde_json::to_vec_pretty(ledger).expect("a ledger always serialises");
    {
        use std::io::Write as _;
        let mut file = std::fs::File::create(&tmp).map_err(io)?;
        file.write_all(&bytes).map_err(io)?;
        file.sync_all().map_err(io)?;
    }
    std::fs::rename(&tmp, path).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(n: u8) -> AccountId {
        AccountId([n; 32])
    }

    #[test]
    fn credits_each_block_once() {
        let mut ledger = Ledger::default();
        assert!(ledger.apply_block(5, &[(account(1), 100), (account(1), 50)]));
        assert!(!ledger.apply_block(5, &[(account(1), 100)]));
        assert!(!ledger.apply_block(4, &[(account(1), 100)]));
        assert!(ledger.apply_block(6, &[(account(2), 7)]));
        assert_eq!(ledger.account(&account(1)).credit(), 150);
        assert_eq!(ledger.account(&account(2)).credit(), 7);
        assert_eq!(ledger.last_block, Some(6));
    }

    #[test]
    fn reserve_settle_and_refund() {
        let mut ledger = Ledger::default();
        ledger.apply_block(0, &[(account(1), 100)]);
        assert_eq!(
            ledger.reserve(&account(1), 101),
            Err(InsufficientCredit {
                credit: 100,
                cost: 101
            })
        );
        assert_eq!(ledger.reserve(&account(2), 1).map_err(|e| e.credit), Err(0));
        ledger.reserve(&account(1), 60).expect("enough credit");
        assert_eq!(ledger.account(&account(1)).credit(), 40);
        // An ensemble of 3 reserved at 20 each; 2 members answered.
        ledger.settle(&account(1), 60, 40, 2);
        assert_eq!(ledger.account(&account(1)).credit(), 60);
        assert_eq!(ledger.account(&account(1)).queries, 2);
        assert_eq!(ledger.revenue, 40);
        ledger.reserve(&account(1), 10).expect("enough credit");
        ledger.refund(&account(1), 10);
        assert_eq!(ledger.account(&account(1)).credit(), 60);
        assert_eq!(ledger.revenue, 40);
        assert_eq!(ledger.outstanding(), 60);
    }

    #[test]
    fn stakes_the_share_not_yet_staked() {
        let mut ledger = Ledger {
            revenue: 1_001,
            ..Ledger::default()
        };
        assert_eq!(ledger.to_stake(50), 500);
        ledger.staked = 500;
        assert_eq!(ledger.to_stake(50), 0);
        ledger.revenue = 3_000;
        assert_eq!(ledger.to_stake(50), 1_000);
        assert_eq!(ledger.to_stake(0), 0);
    }

    #[test]
    fn survives_a_restart_without_double_counting() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = ledger_path(dir.path());
        assert_eq!(load(&path).expect("no file is empty"), Ledger::default());
        let mut ledger = Ledger::default();
        ledger.apply_block(3, &[(account(9), 1_000)]);
        ledger.reserve(&account(9), 10).expect("credit");
        ledger.settle(&account(9), 10, 10, 1);
        save(&path, &ledger).expect("saves");
        let mut again = load(&path).expect("loads");
        assert_eq!(again, ledger);
        // The watcher re-reads block 3 after the restart: not counted twice.
        assert!(!again.apply_block(3, &[(account(9), 1_000)]));
        assert_eq!(again.account(&account(9)).credit(), 990);
    }

    #[test]
    fn refuses_a_corrupt_file() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = ledger_path(dir.path());
        std::fs::write(&path, b"not json").expect("writes");
        assert!(matches!(load(&path), Err(Error::LedgerCorrupt { .. })));
    }

    #[test]
    fn a_snapshot_leaves_out_reservations_in_flight() {
        let mut ledger = Ledger::default();
        ledger.apply_block(0, &[(account(1), 100)]);
        ledger.reserve(&account(1), 30).expect("credit");
        ledger.reserve(&account(1), 20).expect("credit");
        ledger.settle(&account(1), 20, 20, 1);
        let snapshot = ledger.snapshot();
        assert_eq!(snapshot.account(&account(1)).credit(), 80);
        assert_eq!(snapshot.revenue, 20);
        assert_eq!(ledger.account(&account(1)).credit(), 50);
        ledger.refund(&account(1), 30);
        assert_eq!(ledger.snapshot(), snapshot);
    }
}
