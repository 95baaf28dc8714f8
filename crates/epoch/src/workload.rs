//! Deterministic synthetic subnets for benchmarks: every validator weights every miner and
//! holds a bond to each, with pseudo-random values from a fixed seed (splitmix64), so every
//! run and every machine times the same input.

use yuma_primitives::rng::SplitMix64;

use crate::types::{Input, Params};

/// Which bond mechanism a workload exercises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// Classic (Yuma2) EMA bonds.
    Classic,
    /// Per-cell Yuma3 bonds with the fixed EMA factor.
    Yuma3,
    /// Yuma3 bonds with liquid alpha.
    Yuma3LiquidAlpha,
}

impl Variant {
    /// All variants, in benchmark order.
    pub const ALL: [Self; 3] = [Self::Classic, Self::Yuma3, Self::Yuma3LiquidAlpha];

    /// Short name for reports: `classic`, `yuma3`, `yuma3+liquid_alpha`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Classic => "classic",
            Self::Yuma3 => "yuma3",
            Self::Yuma3LiquidAlpha => "yuma3+liquid_alpha",
        }
    }
}

/// A subnet of `validators` uids (`0..validators`, all permitted, large stake) followed by
/// `miners` uids (small stake).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Workload {
    /// Number of validators.
    pub validators: usize,
    /// Number of miners.
    pub miners: usize,
    /// Bond mechanism.
    pub variant: Variant,
    /// Seed of the pseudo-random weights, bonds and stake.
    pub seed: u64,
}

impl Workload {
    /// Builds the epoch parameters and input.
    ///
    /// # Panics
    /// If `validators + miners` exceeds [`crate::MAX_UIDS`] (a caller's constant, not data).
    pub fn build(&self) -> (Params, Input) {
        let n = self.validators + self.miners;
        assert!(n <= crate::MAX_UIDS, "workload of {n} uids is too large");
        let mut rng = SplitMix64::new(self.seed);
        let current_block = 100_000;
        let params = Params {
            max_allowed_validators: u16::try_from(self.validators).unwrap_or(u16::MAX),
            yuma3_enabled: self.variant != Variant::Classic,
            liquid_alpha_enabled: self.variant == Variant::Yuma3LiquidAlpha,
            ..Params::default()
        };
        let miners = self.validators..n;
        let mut weights = vec![Vec::new(); n];
        let mut bonds = vec![Vec::new(); n];
        for i in 0..self.validators {
            // Stored rows are max-upscaled: one entry is 65535.
            let top = miners.start + (rng.next_u64() as usize) % self.miners.max(1);
            weights[i] = miners
                .clone()
                .map(|j| {
                    let w = if j == top {
                        u16::MAX
                    } else {
                        rng.next_u64() as u16 | 1
                    };
                    (j as u16, w)
                })
                .collect();
            bonds[i] = miners
                .clone()
                .map(|j| (j as u16, rng.next_u64() as u16 | 1))
                .collect();
        }
        let stake = (0..n)
            .map(|i| {
                let base: u64 = if i < self.validators {
                    100_000_000_000_000
                } else {
                    1_000_000_000
                };
                base + rng.next_u64() % base
            })
            .collect();
        let input = Input {
            current_block,
            last_mechanism_step_block: current_block - params.tempo,
            stake,
            last_update: vec![current_block - 1; n],
            block_at_registration: vec![0; n],
            weights,
            validator_permit: (0..n).map(|i| i < self.validators).collect(),
            bonds,
        };
        (params, input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_a_full_bipartite_subnet_deterministically() {
        let w = Workload {
            validators: 4,
            miners: 12,
            variant: Variant::Yuma3LiquidAlpha,
            seed: 7,
        };
        let (params, input) = w.build();
        assert_eq!(input.n(), 16);
        assert!(params.yuma3_enabled && params.liquid_alpha_enabled);
        assert!(input.weights[..4].iter().all(|r| r.len() == 12));
        assert!(
            input.weights[..4]
                .iter()
                .all(|r| r.iter().any(|e| e.1 == u16::MAX))
        );
        assert!(input.weights[4..].iter().all(Vec::is_empty));
        assert_eq!(w.build(), (params, input));
        let out = crate::run(&w.build().0, &w.build().1).expect("valid workload");
        assert!(out.incentive[4..].iter().any(|x| *x > 0));
    }
}
