//! Scores: an exponential moving average per miner, and the weights rule.
//!
//! Each step a miner's score is, by [`Scoring`], its Shapley value in the ensemble of the
//! step's answers (what it adds) or its answer's own quality, in [0, 1] either way (0 for a
//! timeout, an error or a malformed answer), times a latency factor
//! `1 - 0.02 * latency / timeout` that only breaks near-ties. The EMA is
//! `ema = alpha * score + (1 - alpha) * ema`, starting at 0, so a new or restarted miner earns
//! its weight back step by step. The answer's own quality is averaged alongside, for reports.
//!
//! Weights are `max(ema - floor, 0)^POWER`, scaled so the largest is 65535. Scored alone, the
//! floor ([`FLOOR`]) removes miners no better than chance (predict-the-mean, random), whose
//! measured quality is noise around 0; Shapley values already give such miners nothing (their
//! contributions are negative, clamped to 0), and split the ensemble's quality among many
//! miners, so there the floor is 0. The square widens the gaps between good and mediocre
//! miners, so incentive ranks miners as quality does and the poor ones get (almost) nothing.

use std::collections::BTreeMap;

use yuma_primitives::AccountId;

pub use crate::task::Scoring;

/// Scores at or below this earn no weight, when answers are scored alone.
pub const FLOOR: f64 = 0.05;
/// Exponent of the weights rule.
pub const POWER: i32 = 2;
/// Largest latency penalty (at the timeout).
pub const LATENCY_PENALTY: f64 = 0.02;

impl Scoring {
    /// The weights rule's floor.
    pub fn floor(self) -> f64 {
        match self {
            Self::Shapley => 0.0,
            Self::Independent => FLOOR,
        }
    }
}

/// One miner's record.
#[derive(Debug, Clone, PartialEq)]
pub struct MinerScore {
    /// The miner's hotkey (a new hotkey in the UID resets the record).
    pub hotkey: AccountId,
    /// The last step's score, if it was scored.
    pub last: f64,
    /// The moving average.
    pub ema: f64,
    /// The moving average of its answers' own quality (equal to `ema`, latency aside, when
    /// answers are scored alone).
    pub quality: f64,
}

/// Scores of every miner, by UID.
#[derive(Debug, Clone)]
pub struct Scores {
    alpha: f64,
    floor: f64,
    by_uid: BTreeMap<u16, MinerScore>,
}

impl Scores {
    /// Empty scores with EMA factor `alpha` (clamped to [0.01, 1]) and the weights rule's
    /// `floor`.
    pub fn new(alpha: f64, floor: f64) -> Self {
        Self {
            alpha: alpha.clamp(0.01, 1.0),
            floor,
            by_uid: BTreeMap::new(),
        }
    }

    /// Records `score` and the answer's own `quality` (each clamped to [0, 1]) for `uid` held
    /// by `hotkey`.
    pub fn record(&mut self, uid: u16, hotkey: AccountId, score: f64, quality: f64) {
        let (score, quality) = (unit(score), unit(quality));
        let alpha = self.alpha;
        let entry = self.touch(uid, hotkey);
        entry.last = score;
        entry.ema = alpha * score + (1.0 - alpha) * entry.ema;
        entry.quality = alpha * quality + (1.0 - alpha) * entry.quality;
    }

    /// Makes sure `uid` held by `hotkey` has a record (at 0 if new) without scoring it.
    pub fn touch(&mut self, uid: u16, hotkey: AccountId) -> &mut MinerScore {
        let fresh = MinerScore {
            hotkey,
            last: 0.0,
            ema: 0.0,
            quality: 0.0,
        };
        let entry = self.by_uid.entry(uid).or_insert_with(|| fresh.clone());
        if entry.hotkey != hotkey {
            *entry = fresh;
        }
        entry
    }

    /// Keeps only the UIDs for which `keep` holds (drops deregistered miners).
    pub fn retain(&mut self, mut keep: impl FnMut(u16, &AccountId) -> bool) {
        self.by_uid.retain(|uid, s| keep(*uid, &s.hotkey));
    }

    /// Every record, by UID.
    pub fn iter(&self) -> impl Iterator<Item = (u16, &MinerScore)> {
        self.by_uid.iter().map(|(uid, s)| (*uid, s))
    }

    /// The weights row for every recorded UID: [`weight_of`] of the EMA, max-upscaled to
    /// 65535; all zero when no miner is above the floor.
    pub fn weights(&self) -> Vec<(u16, u16)> {
        let raw: Vec<(u16, f64)> = self
            .iter()
            .map(|(uid, s)| (uid, weight_of(s.ema, self.floor)))
            .collect();
        let max = raw.iter().map(|&(_, w)| w).fold(0.0, f64::max);
        raw.into_iter()
            .map(|(uid, w)| {
                let scaled = if max > 0.0 {
                    (w / max * f64::from(u16::MAX)).round()
                } else {
                    0.0
                };
                // In [0, 65535] by construction.
                (uid, scaled as u16)
            })
            .collect()
    }
}

/// The weights rule on one score: `max(score - floor, 0)^POWER`.
pub fn weight_of(score: f64, floor: f64) -> f64 {
    (score - floor).max(0.0).powi(POWER)
}

/// A score clamped to [0, 1], 0 when not a number.
fn unit(score: f64) -> f64 {
    if score.is_finite() {
        score.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// The latency factor for an answer after `latency` of a `timeout`.
pub fn latency_factor(latency: std::time::Duration, timeout: std::time::Duration) -> f64 {
    let fraction = if timeout.is_zero() {
        1.0
    } else {
        (latency.as_secs_f64() / timeout.as_secs_f64()).min(1.0)
    };
    1.0 - LATENCY_PENALTY * fraction
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> AccountId {
        AccountId::from([n; 32])
    }

    #[test]
    fn ema_moves_toward_the_score() {
        let mut s = Scores::new(0.5, FLOOR);
        s.record(1, key(1), 1.0, 1.0);
        s.record(1, key(1), 1.0, 1.0);
        let (_, r) = s.iter().next().expect("one record");
        assert_eq!(r.ema, 0.75);
        s.record(1, key(1), 0.0, 0.0);
        let (_, r) = s.iter().next().expect("one record");
        assert_eq!(r.ema, 0.375);
        assert_eq!(r.last, 0.0);
    }

    #[test]
    fn new_hotkey_in_a_uid_resets_its_score() {
        let mut s = Scores::new(0.5, FLOOR);
        s.record(1, key(1), 1.0, 1.0);
        s.record(1, key(2), 0.0, 0.0);
        let (_, r) = s.iter().next().expect("one record");
        assert_eq!((r.hotkey, r.ema), (key(2), 0.0));
    }

    #[test]
    fn weights_follow_quality_and_zero_the_floor() {
        let mut s = Scores::new(1.0, FLOOR);
        for (uid, q) in [(0, 0.8), (1, 0.6), (2, 0.3), (3, 0.04), (4, 0.0)] {
            s.record(uid, key(uid as u8), q, q);
        }
        let w = s.weights();
        assert_eq!(w[0], (0, 65535));
        assert!(w[0].1 > w[1].1 && w[1].1 > w[2].1 && w[2].1 > 0);
        assert_eq!((w[3].1, w[4].1), (0, 0));
        // (0.55 / 0.75)^2 of 65535.
        assert_eq!(w[1].1, 35243);
    }

    #[test]
    fn bad_scores_are_clamped() {
        let mut s = Scores::new(1.0, FLOOR);
        s.record(0, key(0), f64::NAN, f64::NAN);
        s.record(1, key(1), 7.0, 7.0);
        let v: Vec<f64> = s.iter().map(|(_, r)| r.ema).collect();
        assert_eq!(v, vec![0.0, 1.0]);
        assert_eq!(Scores::new(1.0, FLOOR).weights(), vec![]);
    }

    #[test]
    fn latency_only_breaks_ties() {
        use std::time::Duration;
        let t = Duration::from_secs(2);
        assert_eq!(latency_factor(Duration::ZERO, t), 1.0);
        assert_eq!(latency_factor(Duration::from_secs(1), t), 0.99);
        assert_eq!(latency_factor(Duration::from_secs(9), t), 0.98);
    }
}
