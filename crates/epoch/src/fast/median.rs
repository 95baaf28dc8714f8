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
//!
//! An entry is one `u64` key, `score << 16 | voter`: the score (I32F32 bits of a normalised
//! weight, at most 2^32) and the index of the voter, whose stake is looked up in `stakes`.
//! Eight bytes per entry keep the column lists (one entry per weight) compact.

/// Reusable buffers of the per-column transposition that feeds [`column_median`].
#[derive(Default)]
pub(crate) struct Buffers {
    /// Entry keys, grouped by column.
    pub(crate) keys: Vec<u64>,
    /// Start of each column's keys.
    pub(crate) start: Vec<usize>,
    /// Next free slot of each column while filling.
    pub(crate) fill: Vec<usize>,
    /// Per voter: next unread entry of its row.
    pub(crate) cursor: Vec<usize>,
    /// Per voter: end of its row.
    pub(crate) ends: Vec<usize>,
    /// Per column of a block: stake of the voters with an entry.
    pub(crate) mass: Vec<i64>,
}

impl Buffers {
    /// Bytes held by the buffers.
    pub(crate) fn capacity_bytes(&self) -> usize {
        self.keys.capacity() * size_of::<u64>()
            + (self.start.capacity()
                + self.fill.capacity()
                + self.cursor.capacity()
                + self.ends.capacity())
                * size_of::<usize>()
            + self.mass.capacity() * size_of::<i64>()
    }
}

/// Packs a voter's score (I32F32 bits, `0..=2^32`) and index (`< 2^16`) into an entry key.
#[inline]
pub(crate) fn key(score: i64, voter: usize) -> u64 {
    ((score as u64) << 16) | voter as u64
}

#[inline]
fn score(key: u64) -> i64 {
    (key >> 16) as i64
}

#[inline]
fn stake(key: u64, stakes: &[i64]) -> i64 {
    stakes[(key & 0xffff) as usize]
}

/// Slices this short are sorted and scanned instead of partitioned.
const SMALL: usize = 8;

/// The stake-weighted median score (I32F32 bits) of a column.
///
/// `stakes[k]` is voter `k`'s normalised stake (I32F32 bits, > 0); `stake_sum` is their sum,
/// `minority` is `stake_sum - kappa`; `keys` holds the voters that have an entry in the column.
pub(crate) fn column_median(
    keys: &mut [u64],
    stakes: &[i64],
    stake_sum: i64,
    minority: i64,
) -> i64 {
    let explicit: i64 = keys.iter().map(|k| stake(*k, stakes)).sum();
    median_with_mass(keys, stakes, explicit, stake_sum, minority)
}

/// [`column_median`] given `explicit`, the stake of the voters in `keys`.
pub(crate) fn median_with_mass(
    keys: &mut [u64],
    stakes: &[i64],
    explicit: i64,
    stake_sum: i64,
    minority: i64,
) -> i64 {
    let zero_mass = stake_sum - explicit;
    if minority < 0 {
        let lowest = keys.iter().map(|k| score(*k)).min().unwrap_or(0);
        return if zero_mass > 0 { 0 } else { lowest };
    }
    if minority >= stake_sum {
        return keys.iter().map(|k| score(*k)).max().unwrap_or(0).max(0);
    }
    if minority < zero_mass {
        return 0;
    }
    select(keys, stakes, zero_mass, minority)
}

/// Smallest score whose cumulative stake (from `base`) exceeds `minority`.
///
/// Radix-style selection, free of data-dependent branches in the inner loops: bucket the
/// entries by score into [`BUCKETS`] equal ranges between the slice's minimum and maximum,
/// add up each bucket's stake, find the bucket where the cumulative stake crosses the
/// minority, and repeat on that bucket's entries. Each round divides the score range by
/// [`BUCKETS`], so at most six rounds cover the 33 bits of a score.
fn select(mut s: &mut [u64], stakes: &[i64], mut base: i64, minority: i64) -> i64 {
    let mut hist = [0i64; BUCKETS];
    let (mut head, mut next) = ([NONE; BUCKETS], [NONE; CHAINED]);
    loop {
        if s.len() <= SMALL {
            s.sort_unstable();
            let mut acc = base;
            for k in s.iter() {
                acc += stake(*k, stakes);
                if acc > minority {
                    return score(*k);
                }
            }
            return s.last().map_or(0, |k| score(*k));
        }
        let (lo, hi) = s.iter().fold((i64::MAX, i64::MIN), |(lo, hi), k| {
            (lo.min(score(*k)), hi.max(score(*k)))
        });
        if lo == hi {
            return lo;
        }
        let range = (hi - lo) as u64;
        let shift = (u64::BITS - range.leading_zeros()).saturating_sub(BUCKET_BITS);
        let bucket = |k: u64| ((score(k) - lo) as u64 >> shift) as usize;
        hist.fill(0);
        // Short slices also chain each bucket's entries (in ascending position), so the
        // chosen bucket is gathered without a second pass over the slice.
        let chained = s.len() <= CHAINED;
        if chained {
            head.fill(NONE);
            for (i, k) in s.iter().enumerate().rev() {
                let b = bucket(*k);
                hist[b] += stake(*k, stakes);
                next[i] = head[b];
                head[b] = i as u16;
            }
        } else {
            for k in s.iter() {
                hist[bucket(*k)] += stake(*k, stakes);
            }
        }
        let mut chosen = BUCKETS - 1;
        for (b, h) in hist.iter().enumerate() {
            if base + h > minority {
                chosen = b;
                break;
            }
            base += h;
        }
        let mut kept = 0;
        if chained {
            // Ascending positions: every earlier entry of the chosen bucket already sits
            // below `kept`, so a swap never moves one that is still to come.
            let mut i = head[chosen];
            while i != NONE {
                s.swap(usize::from(i), kept);
                kept += 1;
                i = next[usize::from(i)];
            }
        } else {
            for i in 0..s.len() {
                if bucket(s[i]) == chosen {
                    s.swap(i, kept);
                    kept += 1;
                }
            }
        }
        let taken = std::mem::take(&mut s);
        s = &mut taken[..kept];
    }
}

/// Slices up to this long chain their buckets' entries while counting them.
const CHAINED: usize = 256;

/// The end of a bucket's chain.
const NONE: u16 = u16::MAX;

/// Buckets per selection round (a power of two).
const BUCKETS: usize = 1 << BUCKET_BITS;
const BUCKET_BITS: u32 = 6;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone, Copy)]
    struct Entry {
        score: i64,
        stake: i64,
    }

    /// Keys and stakes for `column_median`.
    fn packed(entries: &[Entry]) -> (Vec<u64>, Vec<i64>) {
        let keys = entries
            .iter()
            .enumerate()
            .map(|(k, e)| key(e.score, k))
            .collect();
        (keys, entries.iter().map(|e| e.stake).collect())
    }

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
            raw in prop::collection::vec(
                (prop_oneof![0i64..8, 0i64..=1 << 32, Just(1i64 << 32)], 1i64..50),
                0..400,
            ),
            extra in 0i64..100,
            minority in -5i64..12_000,
        ) {
            let entries: Vec<Entry> =
                raw.iter().map(|&(score, stake)| Entry { score, stake }).collect();
            let stake_sum = entries.iter().map(|e| e.stake).sum::<i64>() + extra;
            let want = by_definition(&entries, stake_sum, minority);
            let (mut keys, stakes) = packed(&entries);
            prop_assert_eq!(column_median(&mut keys, &stakes, stake_sum, minority), want);
        }
    }

    #[test]
    fn ends() {
        let (mut e, stakes) = packed(&[Entry { score: 5, stake: 1 }, Entry { score: 3, stake: 1 }]);
        assert_eq!(column_median(&mut e, &stakes, 2, -1), 3);
        assert_eq!(column_median(&mut e, &stakes, 3, -1), 0);
        assert_eq!(column_median(&mut e, &stakes, 2, 2), 5);
        assert_eq!(column_median(&mut e, &stakes, 2, 0), 3);
        assert_eq!(column_median(&mut e, &stakes, 2, 1), 5);
        assert_eq!(column_median(&mut [], &stakes, 0, 0), 0);
    }
}
