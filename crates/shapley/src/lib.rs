//! Shapley values of a cooperative game over one step's answers: what each miner adds to the
//! quality of the ensemble of all answers to the same challenge.
//!
//! A miner's Shapley value is its marginal contribution `v(S ∪ {i}) - v(S)` averaged over
//! every order in which the miners could join. Copies of one model add nothing once one of
//! them is in the coalition, so k copies share one model's credit (and near-copies nearly
//! so); a weaker model that is right where the others are wrong adds that. The values sum to
//! the quality of the whole ensemble.
//!
//! - Copies are one player: the game says which answers are the same, or nearly
//!   ([`Coalition::same`]), and such players play as one and share its value, so k copies
//!   of a model, or near-copies with a little noise added, together earn what one would.
//!   (Shapley values alone split a shared contribution equally among everyone who makes it,
//!   so k copies would take k shares of what they share with others.)
//! - Up to [`EXACT_MAX`] distinct answers the value is exact: every subset's quality, weighted by
//!   `|S|! (n - |S| - 1)! / n!`.
//! - Above, it is estimated from [`WALKS`] orders drawn from a seed, stratified so that every
//!   player joins at every position equally often ([`sampled`]). The estimate's standard
//!   error comes with it ([`Estimate`]): for 256 tabular miners it stays under 0.001, about a
//!   quarter of an average miner's value, and the validator's moving average smooths it
//!   further across steps (each step draws a new task and a new seed).
//!   The budget is fixed so that a step's cost is bounded whatever the number of miners
//!   ([`WALKS`]` * n` coalition updates).

#![cfg_attr(not(test), warn(unused_crate_dependencies))]

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

/// Most players for the exact computation (2^10 subsets).
pub const EXACT_MAX: usize = 10;
/// Orders walked above [`EXACT_MAX`] players (see [`sampled`]): 256 miners' answers to a
/// tabular task take about 40 ms on one core (`cargo bench -p yuma-subnets`).
pub const WALKS: usize = 1024;

/// A game over players `0..n`, played incrementally: start empty, add players one at a time,
/// read the quality of the current coalition's ensemble.
pub trait Coalition {
    /// Number of players.
    fn players(&self) -> usize;
    /// Empties the coalition.
    fn clear(&mut self);
    /// Adds player `i` to the coalition.
    fn join(&mut self, i: usize);
    /// The quality of the coalition's combined answer (0 for the empty coalition).
    fn value(&self) -> f64;

    /// Whether players `i` and `j` gave the same answer, or so nearly that one is a copy of
    /// the other with a little noise. The default: never.
    fn same(&self, i: usize, j: usize) -> bool {
        let _ = (i, j);
        false
    }
}

/// Each player's Shapley value, and how far the estimate may be off.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// Shapley value per player.
    pub values: Vec<f64>,
    /// Standard error per player: 0 when exact, else the spread of the sampling rounds'
    /// estimates over the square root of their number.
    pub standard_error: Vec<f64>,
}

/// Shapley values of `game`, copies merged: players that gave the same answer
/// ([`Coalition::same`], transitively) play as one, whose value they share equally. Exact up
/// to [`EXACT_MAX`] distinct answers, else sampled from `seed`.
pub fn shapley(game: &mut dyn Coalition, seed: u64) -> Estimate {
    let groups = copies(game);
    let mut merged = Merged {
        representatives: groups.iter().map(|g| g[0]).collect(),
        game: &mut *game,
    };
    let per_group = if merged.players() <= EXACT_MAX {
        exact(&mut merged)
    } else {
        sampled(&mut merged, WALKS, seed)
    };
    let n = game.players();
    let mut values = vec![0.0; n];
    let mut standard_error = vec![0.0; n];
    for (g, members) in groups.iter().enumerate() {
        let size = members.len() as f64;
        for &i in members {
            values[i] = per_group.values[g] / size;
            standard_error[i] = per_group.standard_error[g] / size;
        }
    }
    Estimate {
        values,
        standard_error,
    }
}

/// The players grouped by [`Coalition::same`] (transitively), each group in player order and
/// the groups in the order of their first player.
fn copies(game: &dyn Coalition) -> Vec<Vec<usize>> {
    let n = game.players();
    // group[i]: the group of player i, by the index of its first player.
    let mut group: Vec<usize> = (0..n).collect();
    for i in 0..n {
        for j in i + 1..n {
            let (gi, gj) = (group[i], group[j]);
            if gi != gj && game.same(i, j) {
                let (keep, gone) = (gi.min(gj), gi.max(gj));
                group
                    .iter_mut()
                    .filter(|g| **g == gone)
                    .for_each(|g| *g = keep);
            }
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut index = vec![usize::MAX; n];
    for (i, &g) in group.iter().enumerate() {
        if index[g] == usize::MAX {
            index[g] = groups.len();
            groups.push(Vec::new());
        }
        groups[index[g]].push(i);
    }
    groups
}

/// A game whose players are groups of copies, each played by its first member.
struct Merged<'g> {
    game: &'g mut dyn Coalition,
    representatives: Vec<usize>,
}

impl Coalition for Merged<'_> {
    fn players(&self) -> usize {
        self.representatives.len()
    }

    fn clear(&mut self) {
        self.game.clear();
    }

    fn join(&mut self, i: usize) {
        self.game.join(self.representatives[i]);
    }

    fn value(&self) -> f64 {
        self.game.value()
    }
}

/// Exact Shapley values from the quality of every subset (2^n of them: for small games).
fn exact(game: &mut dyn Coalition) -> Estimate {
    let n = game.players();
    let subsets = 1usize << n;
    let mut value = vec![0.0; subsets];
    for (mask, v) in value.iter_mut().enumerate().skip(1) {
        game.clear();
        for i in (0..n).filter(|i| mask & (1 << i) != 0) {
            game.join(i);
        }
        *v = game.value();
    }
    // weight[k] = k! (n - k - 1)! / n!, for a coalition of k others.
    let weight: Vec<f64> = (0..n)
        .map(|k| 1.0 / (n as f64 * binomial(n - 1, k)))
        .collect();
    let values = (0..n)
        .map(|i| {
            let bit = 1 << i;
            (0..subsets)
                .filter(|mask| mask & bit == 0)
                .map(|mask| weight[mask.count_ones() as usize] * (value[mask | bit] - value[mask]))
                .sum()
        })
        .collect();
    Estimate {
        values,
        standard_error: vec![0.0; n],
    }
}

/// Shapley values estimated from about `walks` orders: rounds of `n` rotations of a random
/// order (at least two rounds), so that in each round every player joins once at every
/// position.
///
/// A player's marginal contribution depends most on how many joined before it (joining
/// first, it earns its whole standalone quality); rotating puts each player at every
/// position once per round, which removes that source of variance, and leaves only which
/// players happened to come before. Each round gives every player an unbiased estimate; the
/// rounds' spread gives the standard error.
pub fn sampled(game: &mut dyn Coalition, walks: usize, seed: u64) -> Estimate {
    let n = game.players();
    if n == 0 {
        return Estimate {
            values: Vec::new(),
            standard_error: Vec::new(),
        };
    }
    let rounds = walks.div_ceil(n).max(2);
    let mut rng = StdRng::seed_from_u64(seed);
    let mut order: Vec<usize> = (0..n).collect();
    let (mut sum, mut sum_sq) = (vec![0.0; n], vec![0.0; n]);
    let mut round = vec![0.0; n];
    for _ in 0..rounds {
        order.shuffle(&mut rng);
        round.fill(0.0);
        for start in 0..n {
            game.clear();
            let mut before = 0.0;
            for k in 0..n {
                let i = order[(start + k) % n];
                game.join(i);
                let after = game.value();
                round[i] += after - before;
                before = after;
            }
        }
        for i in 0..n {
            let mean = round[i] / n as f64;
            sum[i] += mean;
            sum_sq[i] += mean * mean;
        }
    }
    let r = rounds as f64;
    let values: Vec<f64> = sum.iter().map(|s| s / r).collect();
    let standard_error = values
        .iter()
        .zip(&sum_sq)
        .map(|(mean, sq)| {
            let variance = (sq / r - mean * mean).max(0.0) * r / (r - 1.0);
            (variance / r).sqrt()
        })
        .collect();
    Estimate {
        values,
        standard_error,
    }
}

/// `n` choose `k` as a float (exact for the sizes used here).
fn binomial(n: usize, k: usize) -> f64 {
    (0..k).fold(1.0, |acc, j| acc * (n - j) as f64 / (j + 1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each player holds a set of "facts" (bits); a coalition is worth the share of all
    /// facts it knows. A copy knows the same facts as its original.
    struct Facts {
        known: Vec<u32>,
        current: u32,
    }

    impl Coalition for Facts {
        fn players(&self) -> usize {
            self.known.len()
        }
        fn same(&self, i: usize, j: usize) -> bool {
            self.known[i] == self.known[j]
        }
        fn clear(&mut self) {
            self.current = 0;
        }
        fn join(&mut self, i: usize) {
            self.current |= self.known[i];
        }
        fn value(&self) -> f64 {
            f64::from(self.current.count_ones()) / 32.0
        }
    }

    fn facts(known: &[u32]) -> Facts {
        Facts {
            known: known.to_vec(),
            current: 0,
        }
    }

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    #[test]
    fn copies_share_one_players_credit() {
        // A knows 16 facts, B 8 others; then A three more times.
        let alone = exact(&mut facts(&[0xffff, 0xff_0000]));
        assert_eq!(alone.values, vec![0.5, 0.25]);
        let copied = exact(&mut facts(&[0xffff, 0xff_0000, 0xffff, 0xffff, 0xffff]));
        let a_total: f64 = [0, 2, 3, 4].iter().map(|&i| copied.values[i]).sum();
        assert!(close(a_total, 0.5, 1e-12), "{a_total}");
        assert!(close(copied.values[1], 0.25, 1e-12));
    }

    #[test]
    fn overlap_is_shared_and_values_sum_to_the_whole() {
        // A and B share 8 facts; each has 8 of its own.
        let e = exact(&mut facts(&[0x0000_ffff, 0x00ff_ff00]));
        assert_eq!(e.values, vec![0.375, 0.375]);
        let n = exact(&mut facts(&[0xf, 0xf0, 0xff, 0xff00, 0xffff_0000]));
        let total: f64 = n.values.iter().sum();
        assert!(close(total, 1.0, 1e-12));
    }

    #[test]
    fn sampling_converges_to_the_exact_values_and_reports_its_error() {
        let known: Vec<u32> = (0..10)
            .map(|i| 0x0101_0101u32.rotate_left(i) | (1 << (i + 8)))
            .collect();
        let exact_values = exact(&mut facts(&known));
        let estimate = sampled(&mut facts(&known), 200, 7);
        for i in 0..known.len() {
            let err = (estimate.values[i] - exact_values.values[i]).abs();
            assert!(
                err <= 4.0 * estimate.standard_error[i] + 1e-9,
                "player {i}: {err}"
            );
        }
        let total: f64 = estimate.values.iter().sum();
        // Every walk adds up to the whole coalition's value exactly.
        assert!(close(total, 1.0, 1e-9), "{total}");
        // The same seed gives the same estimate.
        assert_eq!(estimate, sampled(&mut facts(&known), 200, 7));
    }

    #[test]
    fn copies_play_as_one_even_where_their_credit_is_shared() {
        // A and B know 8 facts in common, A 8 more; A has three copies.
        let with = |copies: usize| {
            let mut known = vec![0x0000_ffffu32, 0x0000_ff00];
            known.extend(std::iter::repeat_n(0x0000_ffff, copies));
            shapley(&mut facts(&known), 1).values
        };
        assert_eq!(with(0), vec![0.375, 0.125]);
        let copied = with(3);
        let a_total: f64 = copied
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != 1)
            .map(|(_, v)| v)
            .sum();
        assert!(close(a_total, 0.375, 1e-12), "{a_total}");
        assert!(close(copied[1], 0.125, 1e-12));
    }

    #[test]
    fn large_games_are_sampled_small_ones_exact() {
        let many: Vec<u32> = (0..12).map(|i| 1 << i).collect();
        let e = shapley(&mut facts(&many), 1);
        // Additive game: every order gives each player exactly its own fact.
        assert!(e.values.iter().all(|v| close(*v, 1.0 / 32.0, 1e-12)));
        assert!(e.standard_error.iter().all(|s| *s < 1e-9));
        assert_eq!(shapley(&mut facts(&[1]), 1).values, vec![1.0 / 32.0]);
        assert_eq!(shapley(&mut facts(&[]), 1).values, Vec::<f64>::new());
    }
}
