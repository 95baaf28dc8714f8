//! The [`Mempool`] data structure.

use std::collections::{BTreeMap, BTreeSet};

use yuma_primitives::AccountId;
use yuma_runtime::VerifiedTx;
use yuma_runtime::hash::Hash;

/// Size limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Transactions in the pool at most.
    pub total: usize,
    /// Transactions of one sender at most.
    pub per_sender: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            total: 8192,
            per_sender: 64,
        }
    }
}

/// Why the pool refused a transaction.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MempoolError {
    /// The same transaction is already pending.
    #[error("transaction 0x{} is already in the mempool", hex::encode(.0))]
    AlreadyKnown(Hash),
    /// Another transaction of the sender with this nonce is pending.
    #[error("nonce {nonce} of {sender} is already taken by a pending transaction")]
    NonceTaken {
        /// The sender.
        sender: AccountId,
        /// The nonce.
        nonce: u64,
    },
    /// The pool is full.
    #[error("mempool is full ({0} transactions)")]
    Full(usize),
    /// The sender has too many pending transactions.
    #[error("{sender} already has {limit} pending transactions")]
    SenderFull {
        /// The sender.
        sender: AccountId,
        /// The per-sender limit.
        limit: usize,
    },
}

/// A pending transaction that left the pool without being included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dropped {
    /// Its hash.
    pub hash: Hash,
    /// Why it was dropped.
    pub reason: String,
}

#[derive(Clone, Debug)]
struct Entry {
    tx: VerifiedTx,
    hash: Hash,
    fee: u64,
    seq: u64,
}

/// Pending transactions (see the module docs).
#[derive(Debug, Default)]
pub struct Mempool {
    limits: Limits,
    by_sender: BTreeMap<AccountId, BTreeMap<u64, Entry>>,
    by_hash: BTreeMap<Hash, (AccountId, u64)>,
    seq: u64,
    dropped: Vec<Dropped>,
}

impl Mempool {
    /// An empty pool with these limits.
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    /// Number of pending transactions.
    pub fn len(&self) -> usize {
        self.by_hash.len()
    }

    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.by_hash.is_empty()
    }

    /// Whether a transaction with this hash is pending.
    pub fn contains(&self, hash: &Hash) -> bool {
        self.by_hash.contains_key(hash)
    }

    /// The sender's pending transactions in nonce order.
    pub fn pending_of(&self, sender: &AccountId) -> Vec<VerifiedTx> {
        self.by_sender
            .get(sender)
            .map(|m| m.values().map(|e| e.tx.clone()).collect())
            .unwrap_or_default()
    }

    /// How many transactions of the sender are pending.
    pub fn pending_count(&self, sender: &AccountId) -> usize {
        self.by_sender.get(sender).map_or(0, BTreeMap::len)
    }

    /// Adds a transaction that paid `fee` in its dry run.
    ///
    /// # Errors
    /// A [`MempoolError`]; the pool is unchanged.
    pub fn insert(&mut self, tx: VerifiedTx, fee: u64) -> Result<Hash, MempoolError> {
        let hash = tx.hash();
        if self.by_hash.contains_key(&hash) {
            return Err(MempoolError::AlreadyKnown(hash));
        }
        let sender = tx.tx.signer;
        let nonce = tx.tx.nonce;
        let queue = self.by_sender.get(&sender);
        if queue.is_some_and(|q| q.contains_key(&nonce)) {
            return Err(MempoolError::NonceTaken { sender, nonce });
        }
        if self.len() >= self.limits.total {
            return Err(MempoolError::Full(self.limits.total));
        }
        if queue.map_or(0, BTreeMap::len) >= self.limits.per_sender {
            return Err(MempoolError::SenderFull {
                sender,
                limit: self.limits.per_sender,
            });
        }
        self.seq += 1;
        let entry = Entry {
            tx,
            hash,
            fee,
            seq: self.seq,
        };
        self.by_sender
            .entry(sender)
            .or_default()
            .insert(nonce, entry);
        self.by_hash.insert(hash, (sender, nonce));
        Ok(hash)
    }

    /// Up to `max` transactions in block order: each sender's in nonce order, senders
    /// interleaved by the fee of their next transaction (highest first), then arrival.
    pub fn ready(&self, max: usize) -> Vec<VerifiedTx> {
        let mut cursors: BTreeMap<AccountId, std::collections::btree_map::Values<'_, u64, Entry>> =
            self.by_sender
                .iter()
                .map(|(sender, queue)| (*sender, queue.values()))
                .collect();
        // (fee descending, arrival ascending, sender) of each sender's next transaction.
        let mut heads: BTreeSet<(std::cmp::Reverse<u64>, u64, AccountId)> = BTreeSet::new();
        let mut next: BTreeMap<AccountId, Entry> = BTreeMap::new();
        for (sender, cursor) in &mut cursors {
            if let Some(e) = cursor.next() {
                heads.insert((std::cmp::Reverse(e.fee), e.seq, *sender));
                next.insert(*sender, e.clone());
            }
        }
        let mut out = Vec::new();
        while out.len() < max {
            let Some(head) = heads.pop_first() else { break };
            let sender = head.2;
            let entry = next
                .remove(&sender)
                .expect("every sender in heads has its next entry");
            out.push(entry.tx);
            if let Some(e) = cursors.get_mut(&sender).and_then(Iterator::next) {
                heads.insert((std::cmp::Reverse(e.fee), e.seq, sender));
                next.insert(sender, e.clone());
            }
        }
        out
    }

    /// Removes an included transaction.
    pub fn remove(&mut self, hash: &Hash) {
        let Some((sender, nonce)) = self.by_hash.remove(hash) else {
            return;
        };
        if let Some(queue) = self.by_sender.get_mut(&sender) {
            queue.remove(&nonce);
            if queue.is_empty() {
                self.by_sender.remove(&sender);
            }
        }
    }

    /// Drops a transaction found invalid and, as their nonces can no longer follow, the
    /// sender's later ones; each is recorded (see [`Mempool::take_dropped`]) with `reason`.
    pub fn drop_invalid(&mut self, hash: &Hash, reason: &str) {
        let Some((sender, nonce)) = self.by_hash.get(hash).copied() else {
            return;
        };
        let Some(queue) = self.by_sender.get_mut(&sender) else {
            return;
        };
        let later: Vec<u64> = queue.range(nonce..).map(|(n, _)| *n).collect();
        for n in later {
            if let Some(e) = queue.remove(&n) {
                self.by_hash.remove(&e.hash);
                let reason = if n == nonce {
                    format!("dropped as invalid: {reason}")
                } else {
                    format!("dropped: nonce {nonce} before it was invalid ({reason})")
                };
                self.dropped.push(Dropped {
                    hash: e.hash,
                    reason,
                });
            }
        }
        if queue.is_empty() {
            self.by_sender.remove(&sender);
        }
    }

    /// Drops the sender's transactions whose nonce is below `next_nonce` (included or replaced
    /// by a committed block).
    pub fn prune(&mut self, sender: &AccountId, next_nonce: u64) {
        let Some(queue) = self.by_sender.get_mut(sender) else {
            return;
        };
        let stale: Vec<u64> = queue.range(..next_nonce).map(|(n, _)| *n).collect();
        for n in stale {
            if let Some(e) = queue.remove(&n) {
                self.by_hash.remove(&e.hash);
                self.dropped.push(Dropped {
                    hash: e.hash,
                    reason: format!(
                        "dropped: another transaction with nonce {n} of {sender} was committed"
                    ),
                });
            }
        }
        if queue.is_empty() {
            self.by_sender.remove(sender);
        }
    }

    /// The transactions dropped since the last call, oldest first.
    pub fn take_dropped(&mut self) -> Vec<Dropped> {
        std::mem::take(&mut self.dropped)
    }

    /// Every sender with pending transactions.
    pub fn senders(&self) -> Vec<AccountId> {
        self.by_sender.keys().copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yuma_keys::Pair;
    use yuma_primitives::Balance;
    use yuma_runtime::{Call, SignedTransaction};

    fn tx(seed: u8, nonce: u64) -> VerifiedTx {
        VerifiedTx::new(SignedTransaction::new(
            &Pair::from_seed(&[seed; 32]),
            [0; 32],
            nonce,
            Call::Transfer {
                dest: AccountId([9; 32]),
                amount: Balance(1),
            },
        ))
        .expect("signed by its signer")
    }

    fn order(pool: &Mempool) -> Vec<(u8, u64)> {
        let a = Pair::from_seed(&[1; 32]).public();
        pool.ready(100)
            .iter()
            .map(|t| (if t.tx.signer == a { 1 } else { 2 }, t.tx.nonce))
            .collect()
    }

    #[test]
    fn orders_by_fee_then_nonce_per_sender() {
        let mut pool = Mempool::new(Limits::default());
        pool.insert(tx(1, 1), 10).expect("fits");
        pool.insert(tx(1, 0), 10).expect("fits");
        pool.insert(tx(2, 0), 50).expect("fits");
        pool.insert(tx(2, 1), 1).expect("fits");
        // Sender 2's nonce 0 pays most; then sender 1 (fee 10) before sender 2's nonce 1.
        assert_eq!(order(&pool), vec![(2, 0), (1, 0), (1, 1), (2, 1)]);
        assert_eq!(pool.ready(2).len(), 2);
    }

    #[test]
    fn limits_and_duplicates() {
        let mut pool = Mempool::new(Limits {
            total: 3,
            per_sender: 2,
        });
        let first = tx(1, 0);
        let h = pool.insert(first.clone(), 1).expect("fits");
        assert_eq!(pool.insert(first, 1), Err(MempoolError::AlreadyKnown(h)));
        // Signatures are randomised: the same call signed again is another transaction.
        assert!(matches!(
            pool.insert(tx(1, 0), 1),
            Err(MempoolError::NonceTaken { nonce: 0, .. })
        ));
        pool.insert(tx(1, 1), 1).expect("fits");
        assert!(matches!(
            pool.insert(tx(1, 2), 1),
            Err(MempoolError::SenderFull { limit: 2, .. })
        ));
        pool.insert(tx(2, 0), 1).expect("fits");
        assert_eq!(pool.insert(tx(3, 0), 1), Err(MempoolError::Full(3)));
        assert_eq!(pool.len(), 3);
    }

    #[test]
    fn remove_and_prune() {
        let mut pool = Mempool::new(Limits::default());
        let h0 = pool.insert(tx(1, 0), 1).expect("fits");
        let h1 = pool.insert(tx(1, 1), 1).expect("fits");
        pool.insert(tx(1, 2), 1).expect("fits");
        let h2 = pool.ready(3)[2].hash();
        pool.drop_invalid(&h1, "too poor");
        assert_eq!(pool.len(), 1);
        assert!(pool.contains(&h0));
        let h5 = pool.insert(tx(2, 5), 1).expect("fits");
        pool.prune(&Pair::from_seed(&[2; 32]).public(), 6);
        pool.prune(&Pair::from_seed(&[1; 32]).public(), 0);
        assert_eq!(pool.len(), 1);
        pool.remove(&h0);
        assert!(pool.is_empty());
        assert!(pool.senders().is_empty());
        // Dropped ones are reported once, with why; the included one is not.
        let dropped = pool.take_dropped();
        let hashes: Vec<Hash> = dropped.iter().map(|d| d.hash).collect();
        assert_eq!(hashes, vec![h1, h2, h5]);
        assert!(
            dropped[0].reason.contains("invalid: too poor"),
            "{dropped:?}"
        );
        assert!(dropped[2].reason.contains("nonce 5"), "{dropped:?}");
        assert!(pool.take_dropped().is_empty());
    }
}
