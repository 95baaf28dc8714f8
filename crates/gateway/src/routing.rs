//! Which miners to ask, in what order: on-chain incentive weighted by what the gateway saw
//! itself (latency and error rate per miner), and when to hedge (a miner slower than its own
//! recent p95).

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use yuma_primitives::AccountId;

/// Latency samples kept per miner.
const WINDOW: usize = 64;
/// Samples a miner needs before its own p95 is trusted as the hedge delay.
const MIN_SAMPLES: usize = 8;
/// Weight of a new outcome in the error-rate and copy-rate moving averages.
const ERROR_ALPHA: f64 = 0.2;
/// Copy rate above which a miner joins ensembles only after every other miner.
const COPY_LIMIT: f64 = 0.5;

/// A miner the gateway can ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// The miner's hotkey (the receiver its requests are bound to).
    pub hotkey: AccountId,
    /// Where its axon serves.
    pub addr: SocketAddr,
    /// Its on-chain incentive (u16 fraction of 65535).
    pub incentive: u16,
}

/// What the gateway saw of one miner.
#[derive(Debug, Clone, Default)]
pub struct MinerStats {
    latencies: VecDeque<Duration>,
    /// Moving average of failures (1) and successes (0).
    pub error_rate: f64,
    /// Moving average, over the ensembles it answered, of whether its answer copied another
    /// member's (1) or not (0).
    pub copy_rate: f64,
    /// Successful answers.
    pub ok: u64,
    /// Failed calls.
    pub failed: u64,
}

impl MinerStats {
    /// Records a success that took `latency`.
    pub fn success(&mut self, latency: Duration) {
        if self.latencies.len() == WINDOW {
            self.latencies.pop_front();
        }
        self.latencies.push_back(latency);
        self.error_rate *= 1.0 - ERROR_ALPHA;
        self.ok += 1;
    }

    /// Records a failure.
    pub fn failure(&mut self) {
        self.error_rate = self.error_rate * (1.0 - ERROR_ALPHA) + ERROR_ALPHA;
        self.failed += 1;
    }

    /// The `q`-quantile (0..=100) of recent successful latencies, if any.
    pub fn quantile(&self, q: usize) -> Option<Duration> {
        if self.latencies.is_empty() {
            return None;
        }
        let mut sorted: Vec<Duration> = self.latencies.iter().copied().collect();
        sorted.sort_unstable();
        let i = (sorted.len() * q.min(100)).div_ceil(100).saturating_sub(1);
        sorted.get(i).copied()
    }

    /// The delay after which a request to this miner is hedged: its recent p95 once it has
    /// enough samples; `None` before (a miner whose latency is unknown is waited for, and
    /// only replaced when it fails or times out).
    pub fn hedge_delay(&self) -> Option<Duration> {
        if self.latencies.len() < MIN_SAMPLES {
            return None;
        }
        self.quantile(95)
    }

    /// The routing score: incentive share (plus a floor so unranked miners are still tried)
    /// discounted by the error rate and by the median latency.
    pub fn score(&self, incentive: u16) -> f64 {
        let incentive = f64::from(incentive) / f64::from(u16::MAX) + 0.01;
        let reliability = (1.0 - self.error_rate).powi(2);
        let p50 = self.quantile(50).map_or(0.0, |d| d.as_secs_f64());
        incentive * reliability / (1.0 + p50)
    }
}

/// The gateway's observations of every miner, shared by its handlers.
#[derive(Debug, Default)]
pub struct Router {
    stats: Mutex<HashMap<AccountId, MinerStats>>,
}

impl Router {
    /// Records the outcome of a call to `hotkey`: `Some(latency)` on success.
    pub fn record(&self, hotkey: &AccountId, outcome: Option<Duration>) {
        let mut stats = self.stats.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = stats.entry(*hotkey).or_default();
        match outcome {
            Some(latency) => entry.success(latency),
            None => entry.failure(),
        }
    }

    /// Records whether `hotkey`'s answer to an ensemble copied another member's.
    pub fn record_copy(&self, hotkey: &AccountId, copied: bool) {
        let mut stats = self.stats.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = stats.entry(*hotkey).or_default();
        entry.copy_rate =
            entry.copy_rate * (1.0 - ERROR_ALPHA) + f64::from(u8::from(copied)) * ERROR_ALPHA;
    }

    /// `ranked` in the order to ask for an ensemble: miners that have mostly been copies of
    /// another member last (a copy adds nothing to an ensemble; they stay spares, since the
    /// model they copy may be down). Otherwise the order given.
    pub fn ensemble_order(
        &self,
        ranked: &[(Target, Option<Duration>)],
    ) -> Vec<(Target, Option<Duration>)> {
        let stats = self.stats.lock().unwrap_or_else(PoisonError::into_inner);
        let copies = |t: &Target| {
            stats
                .get(&t.hotkey)
                .is_some_and(|s| s.copy_rate > COPY_LIMIT)
        };
        let (mut order, last): (Vec<_>, Vec<_>) = ranked.iter().partition(|(t, _)| !copies(t));
        order.extend(last);
        order
    }

    /// A copy of what was seen of `hotkey`.
    pub fn stats(&self, hotkey: &AccountId) -> MinerStats {
        self.stats
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(hotkey)
            .cloned()
            .unwrap_or_default()
    }

    /// `targets` best first, each with its hedge delay (`None` until it has history).
    /// Ties keep the order given.
    pub fn rank(&self, targets: &[Target]) -> Vec<(Target, Option<Duration>)> {
        let stats = self.stats.lock().unwrap_or_else(PoisonError::into_inner);
        let empty = MinerStats::default();
        let mut scored: Vec<(f64, Target, Option<Duration>)> = targets
            .iter()
            .map(|t| {
                let s = stats.get(&t.hotkey).unwrap_or(&empty);
                (s.score(t.incentive), *t, s.hedge_delay())
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        scored.into_iter().map(|(_, t, d)| (t, d)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(n: u8, incentive: u16) -> Target {
        Target {
            hotkey: AccountId([n; 32]),
            addr: SocketAddr::from(([127, 0, 0, 1], 1000 + u16::from(n))),
            incentive,
        }
    }

    fn order(router: &Router, targets: &[Target]) -> Vec<u8> {
        router
            .rank(targets)
            .iter()
            .map(|(t, _)| t.hotkey.0[0])
            .collect()
    }

    #[test]
    fn ranks_by_incentive_first() {
        let router = Router::default();
        let targets = [target(1, 100), target(2, 60_000), target(3, 0)];
        assert_eq!(order(&router, &targets), vec![2, 1, 3]);
    }

    #[test]
    fn ensembles_ask_known_copies_last() {
        let router = Router::default();
        let targets = [target(1, 30_000), target(2, 20_000), target(3, 10_000)];
        let ensemble = |router: &Router| -> Vec<u8> {
            router
                .ensemble_order(&router.rank(&targets))
                .iter()
                .map(|(t, _)| t.hotkey.0[0])
                .collect()
        };
        assert_eq!(ensemble(&router), vec![1, 2, 3]);
        for _ in 0..4 {
            router.record_copy(&AccountId([2; 32]), true);
        }
        assert_eq!(ensemble(&router), vec![1, 3, 2]);
        // Once its answers are its own again, it moves back.
        for _ in 0..4 {
            router.record_copy(&AccountId([2; 32]), false);
        }
        assert_eq!(ensemble(&router), vec![1, 2, 3]);
    }

    #[test]
    fn failing_miners_drop_behind() {
        let router = Router::default();
        let targets = [target(1, 30_000), target(2, 20_000)];
        for _ in 0..5 {
            router.record(&AccountId([1; 32]), None);
        }
        assert_eq!(order(&router, &targets), vec![2, 1]);
        // It recovers once it answers again.
        for _ in 0..30 {
            router.record(&AccountId([1; 32]), Some(Duration::from_millis(10)));
        }
        assert_eq!(order(&router, &targets), vec![1, 2]);
    }

    #[test]
    fn slow_miners_drop_behind_at_equal_incentive() {
        let router = Router::default();
        let targets = [target(1, 1_000), target(2, 1_000)];
        router.record(&AccountId([1; 32]), Some(Duration::from_secs(2)));
        router.record(&AccountId([2; 32]), Some(Duration::from_millis(5)));
        assert_eq!(order(&router, &targets), vec![2, 1]);
    }

    #[test]
    fn quantiles_and_hedge_delay() {
        let mut stats = MinerStats::default();
        assert_eq!(stats.hedge_delay(), None);
        for ms in 1..MIN_SAMPLES as u64 {
            stats.success(Duration::from_millis(ms));
        }
        assert_eq!(stats.hedge_delay(), None, "too few samples to trust");
        for ms in 1..=100 {
            stats.success(Duration::from_millis(ms));
        }
        // The window keeps the last 64: 37..=100 ms.
        assert_eq!(stats.quantile(50), Some(Duration::from_millis(68)));
        assert_eq!(stats.quantile(95), Some(Duration::from_millis(97)));
        assert_eq!(stats.quantile(100), Some(Duration::from_millis(100)));
        assert_eq!(stats.hedge_delay(), Some(Duration::from_millis(97)));
    }

    #[test]
    fn error_rate_moves_toward_outcomes() {
        let mut stats = MinerStats::default();
        stats.failure();
        assert!((stats.error_rate - 0.2).abs() < 1e-12);
        stats.success(Duration::from_millis(1));
        assert!((stats.error_rate - 0.16).abs() < 1e-12);
        assert_eq!((stats.ok, stats.failed), (1, 1));
    }
}
