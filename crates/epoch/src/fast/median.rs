//! Stake-weighted median of one column, by weighted selection instead of subtensor's
//! dense mid-pivot partition.
//!
//! Subtensor's `weighted_median` returns, for minority `m = stake_sum - kappa`, the score `v`
//! with `L(v) <= m < L<=(v)`, where `L(v)` is the stake of scores below `v` and `L<=(v)` the
//! stake of scores up to `v`. Its stake sums are exact (fixed-point additions of values at most
//! 1 never round or saturate), so that `v` is unique and does not depend on the order of the
//! validators: any selection method finds the same one. The two ends: `m < 0` (kappa above the
//! stake sum) gives the lowest score, and `m >= stake_sum` (kappa 0) the highest.
//!
//! Validators with stake but no entry in the column score 0; they enter as one block of
//! "zero mass" below every explicit entry, so a column costs O(entries), not O(validators).

/// A validator's normalised weight on the column and its normalised stake (I32F32 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entry {
    /// Weight, I32F32 bits (>= 0).
    pub(crate) score: i64,
    /// Stake, I32F32 bits (> 0).
    pub(crate) stake: i64,
}

/// Slices this short are sorted and scanned instead of partitioned.
const SMALL: usize = 24;

/// The stake-weighted median score (I32F32 bits) of a column.
///
/// `stake_sum` is the stake of every validator with positive stake (`> 0`), `minority` is
/// `stake_sum - kappa`; `entries` holds the validators that have an entry in the column.
pub(crate) fn column_median(entries: &mut [Entry], stake_sum: i64, minority: i64) -> i64 {
    let explicit: i64 = entries.iter().map(|e| e.stake).sum();
    let zero_mass = stake_sum - explicit;
    if minority < 0 {
        let lowest = entries.iter().map(|e| e.score).min().unwrap_or(0);
        return if zero_mass > 0 { 0 } else { lowest };
    }
    if minority >= stake_sum {
        return entries.iter().map(|e| e.score).max().unwrap_or(0).max(0);
    }
    if minority < zero_mass {
        return 0;
    }
    select(entries, zero_mass, minority)
}

/// Smallest score whose cumulative stake (from `base`) exceeds `minority`; introselect with a
/// median-of-three pivot, falling back to sorting when partitions stay unbalanced.
fn select(mut s: &mut [Entry], mut base: i64, minority: i64) -> i64 {
    let mut budget = 2 * (usize::BITS - s.len().leading_zeros()) + 4;
    loop {
        if s.len() <= SMALL || budget == 0 {
            s.sort_unstable_by_key(|e| e.score);
            let mut acc = base;
            for e in s.iter() {
                acc += e.stake;
                if acc > minority {
                    return e.score;
                }
            }
            return s.last().map_or(0, |e| e.score);
        }
        budget -= 1;
        let pivot = median3(s[0].score, s[s.len() / 2].score, s[s.len() - 1].score);
        let (lt, gt, lt_sum, eq_sum) = partition3(s, pivot);
        let taken = std::mem::take(&mut s);
        if base + lt_sum > minority {
            s = &mut taken[..lt];
        } else if base + lt_sum + eq_sum > minority {
            return pivot;
        } else {
            base += lt_sum + eq_sum;
            s = &mut taken[gt..];
        }
    }
}

fn median3(a: i64, b: i64, c: i64) -> i64 {
    a.max(b).min(a.min(b).max(c))
}

/// Three-way partition around `pivot`: `[..lt]` below, `[lt..gt]` equal, `[gt..]` above.
/// Returns `(lt, gt, stake below, stake equal)`.
fn partition3(s: &mut [Entry], pivot: i64) -> (usize, usize, i64, i64) {
    let (mut lo, mut i, mut hi) = (0, 0, s.len());
    let (mut lt_sum, mut eq_sum) = (0i64, 0i64);
    while i < hi {
        let e = s[i];
        if e.score < pivot {
            lt_sum += e.stake;
            s.swap(lo, i);
            lo += 1;
            i += 1;
        } else if e.score > pivot {
            hi -= 1;
            s.swap(i, hi);
        } else {
            eq_sum += e.stake;
            i += 1;
        }
    }
    (lo, hi, lt_sum, eq_sum)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Cumulative-stake definition on a sorted copy, with the zero block included.
    fn by_definition(entries: &[Entry], stake_sum: i64, minority: i64) -> i64 {
        let mut all = entries.to_vec();
        let zero_mass = stake_sum - entries.iter().map(|e| e.stake).sum::<i64>();
        if zero_mass > 0 {
            all.push(Entry {
                score: 0,
                stake: zero_mass,
            });
        }
        all.sort_by_key(|e| e.score);
        if all.is_empty() {
            return 0;
        }
        if minority < 0 {
            return all[0].score;
        }
        let mut acc = 0;
        for e in &all {
            acc += e.stake;
            if acc > minority {
                return e.score;
            }
        }
        all[all.len() - 1].score
    }

    proptest! {
        #[test]
        fn matches_the_definition(
            raw in prop::collection::vec((0i64..8, 1i64..50), 0..80),
            extra in 0i64..100,
            minority in -5i64..400,
        ) {
            let mut entries: Vec<Entry> =
                raw.iter().map(|&(score, stake)| Entry { score, stake }).collect();
            let stake_sum = entries.iter().map(|e| e.stake).sum::<i64>() + extra;
            let want = by_definition(&entries, stake_sum, minority);
            prop_assert_eq!(column_median(&mut entries, stake_sum, minority), want);
        }
    }

    #[test]
    fn ends() {
        let mut e = vec![Entry { score: 5, stake: 1 }, Entry { score: 3, stake: 1 }];
        assert_eq!(column_median(&mut e, 2, -1), 3);
        assert_eq!(column_median(&mut e, 3, -1), 0);
        assert_eq!(column_median(&mut e, 2, 2), 5);
        assert_eq!(column_median(&mut e, 2, 0), 3);
        assert_eq!(column_median(&mut e, 2, 1), 5);
        assert_eq!(column_median(&mut [], 0, 0), 0);
    }
}
