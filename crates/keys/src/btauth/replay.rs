//! The replay store: which (hotkey, nonce) pairs were accepted inside the freshness window.
//!
//! Python's `InMemoryNonceStore` keeps every pair for 60 s of its monotonic clock and has no cap,
//! so its memory grows with the request rate. This store is bounded instead:
//!
//! - An entry lives only as long as it can matter: once `now - nonce` exceeds the maximum age,
//!   the freshness check rejects that nonce before the store is consulted, so the entry is
//!   dropped. The store keeps a *horizon* (the highest `now - max_age` it has pruned at) and
//!   rejects any nonce below it, so a clock that steps backwards cannot revive a forgotten pair.
//! - It holds at most `capacity` entries. When full of live entries it refuses the new request
//!   ([`AuthError::ReplayStoreFull`], HTTP 503) rather than evict a live entry, because an
//!   evicted pair could be replayed and accepted. The refusal lasts at most one window
//!   (max age plus skew), and only authenticated requests reach the store, so filling it costs
//!   an attacker one valid signature per entry.
//!
//! Entries are ordered by nonce, so pruning pops from the front and each request costs
//! `O(log n)`. An entry takes 48 bytes plus B-tree overhead; the default capacity (2^18) covers
//! over 20,000 accepted requests per second across a 12 s window in roughly 20 MB.

use std::collections::BTreeSet;

use yuma_primitives::AccountId;

use super::error::AuthError;

/// Default number of live entries a [`ReplayStore`] holds.
pub const DEFAULT_CAPACITY: usize = 1 << 18;

/// A bounded set of accepted (hotkey, nonce) pairs; see the module documentation.
#[derive(Debug, Clone)]
pub struct ReplayStore {
    seen: BTreeSet<(i128, [u8; 32])>,
    capacity: usize,
    horizon_ns: i128,
}

impl ReplayStore {
    /// An empty store holding at most `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        Self {
            seen: BTreeSet::new(),
            capacity,
            horizon_ns: i128::MIN,
        }
    }

    /// Number of entries held.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether the store holds no entry.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    /// The most entries the store holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Forgets pairs whose nonce is older than `now_ns - max_age_ns`, which the freshness check
    /// rejects anyway, and raises the horizon to that point.
    pub fn prune(&mut self, now_ns: i128, max_age_ns: i128) {
        let horizon = now_ns.saturating_sub(max_age_ns);
        if horizon <= self.horizon_ns {
            return;
        }
        self.horizon_ns = horizon;
        while let Some(first) = self.seen.first() {
            if first.0 >= horizon {
                break;
            }
            self.seen.pop_first();
        }
    }

    /// Records `(hotkey, nonce_ns)` if it is new, after pruning at `now_ns`.
    ///
    /// # Errors
    /// [`AuthError::Replayed`] when the pair was recorded before,
    /// [`AuthError::BeyondHorizon`] when the nonce is older than pairs already forgotten, and
    /// [`AuthError::ReplayStoreFull`] when the store holds `capacity` live entries.
    pub fn check_and_store(
        &mut self,
        hotkey: &AccountId,
        nonce_ns: i128,
        now_ns: i128,
        max_age_ns: i128,
    ) -> Result<(), AuthError> {
        self.prune(now_ns, max_age_ns);
        if nonce_ns < self.horizon_ns {
            return Err(AuthError::BeyondHorizon {
                nonce_ns,
                horizon_ns: self.horizon_ns,
            });
        }
        let key = (nonce_ns, hotkey.0);
        if self.seen.contains(&key) {
            return Err(AuthError::Replayed {
                hotkey: hotkey.to_ss58(),
                nonce_ns,
            });
        }
        if self.seen.len() >= self.capacity {
            return Err(AuthError::ReplayStoreFull {
                capacity: self.capacity,
            });
        }
        self.seen.insert(key);
        Ok(())
    }
}

impl Default for ReplayStore {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const SECOND: i128 = 1_000_000_000;
    const MAX_AGE: i128 = 10 * SECOND;

    #[test]
    fn rejects_a_pair_seen_before() {
        let mut store = ReplayStore::new(8);
        let alice = AccountId([1; 32]);
        let bob = AccountId([2; 32]);
        assert_eq!(store.check_and_store(&alice, 5, 5, MAX_AGE), Ok(()));
        assert_eq!(store.check_and_store(&bob, 5, 5, MAX_AGE), Ok(()));
        assert_eq!(
            store.check_and_store(&alice, 5, 6, MAX_AGE),
            Err(AuthError::Replayed {
                hotkey: alice.to_ss58(),
                nonce_ns: 5
            })
        );
        assert_eq!(store.len(), 2);
    }

    #[test]
    fn forgets_only_what_freshness_rejects() {
        let mut store = ReplayStore::new(8);
        let alice = AccountId([1; 32]);
        store.check_and_store(&alice, 0, 0, MAX_AGE).expect("new");
        // Exactly max_age old: still fresh, so still remembered.
        store.prune(MAX_AGE, MAX_AGE);
        assert_eq!(store.len(), 1);
        store.prune(MAX_AGE + 1, MAX_AGE);
        assert!(store.is_empty());
    }

    #[test]
    fn clock_stepping_back_cannot_revive_a_forgotten_pair() {
        let mut store = ReplayStore::new(8);
        let alice = AccountId([1; 32]);
        store.check_and_store(&alice, 0, 0, MAX_AGE).expect("new");
        store.prune(20 * SECOND, MAX_AGE);
        // The clock goes back 15 s: nonce 0 looks 5 s old, but the store forgot it.
        assert_eq!(
            store.check_and_store(&alice, 0, 5 * SECOND, MAX_AGE),
            Err(AuthError::BeyondHorizon {
                nonce_ns: 0,
                horizon_ns: 10 * SECOND
            })
        );
    }

    #[test]
    fn refuses_when_full_of_live_entries_and_recovers_after_the_window() {
        let mut store = ReplayStore::new(3);
        let alice = AccountId([1; 32]);
        for nonce in 0..3 {
            store
                .check_and_store(&alice, nonce, 0, MAX_AGE)
                .expect("room");
        }
        assert_eq!(
            store.check_and_store(&alice, 3, 0, MAX_AGE),
            Err(AuthError::ReplayStoreFull { capacity: 3 })
        );
        // The first three nonces age out; the store takes new ones again.
        assert_eq!(
            store.check_and_store(&alice, MAX_AGE + 3, MAX_AGE + 3, MAX_AGE),
            Ok(())
        );
        assert_eq!(store.len(), 1);
    }

    #[test]
    fn a_million_requests_stay_within_capacity() {
        const CAPACITY: usize = 4096;
        let mut store = ReplayStore::new(CAPACITY);
        let mut full = 0u32;
        let mut peak = 0;
        // 1,000,000 distinct (hotkey, nonce) pairs at 100,000 requests per second: 1,000,000
        // live entries would fit in the 10 s window without pruning and a cap.
        for i in 0..1_000_000u32 {
            let now = i128::from(i) * 10_000;
            let mut key = [0; 32];
            key[..4].copy_from_slice(&i.to_le_bytes());
            match store.check_and_store(&AccountId(key), now, now, MAX_AGE) {
                Ok(()) => {}
                Err(AuthError::ReplayStoreFull { .. }) => full += 1,
                Err(other) => panic!("unexpected {other}"),
            }
            peak = peak.max(store.len());
        }
        assert_eq!(peak, CAPACITY);
        assert!(
            full > 0,
            "the load exceeds the capacity, so some requests were refused"
        );
        // With a clock that does not move, nothing expires: the cap alone bounds the store.
        let mut frozen = ReplayStore::new(CAPACITY);
        for i in 0..1_000_000u32 {
            let _ = frozen.check_and_store(&AccountId([0; 32]), i128::from(i), 0, MAX_AGE);
        }
        assert_eq!(frozen.len(), CAPACITY);
    }

    proptest! {
        #[test]
        fn never_exceeds_capacity_nor_accepts_a_pair_twice(
            capacity in 1usize..16,
            requests in proptest::collection::vec((0u8..4, 0i128..40, 0i128..40), 0..200),
        ) {
            let mut store = ReplayStore::new(capacity);
            let mut accepted = std::collections::BTreeSet::new();
            let mut now = 0;
            for (who, nonce, step) in requests {
                now += step;
                let hotkey = AccountId([who; 32]);
                if store.check_and_store(&hotkey, nonce, now, 10).is_ok() {
                    prop_assert!(accepted.insert((who, nonce)), "accepted twice");
                }
                prop_assert!(store.len() <= capacity);
            }
        }
    }
}
