//! Incentive simulation: a subnet of validators and miners with strategies, run tempo by tempo
//! through the real Yuma epoch, measuring how much gaming pays.
//!
//! # Overview
//!
//! A [`Scenario`] (TOML, see [`scenario`]) names groups of validators (honest, weight copier,
//! cabal; optionally joining late) and miners (honest, cabal-owned, sybil, random, changing or
//! drifting quality), the mechanism [`Variant`] (bonds, liquid alpha, the anti weight-copying
//! stage), how validators score miners ([`Scoring`]: by their own quality, or by their Shapley
//! value in the ensemble of every miner's answer, [`answers`] and [`ensemble`]) and the
//! commit-reveal delay. [`run`] builds the subnet ([`engine::agents`]: Zipf-like validator
//! stake, seeded miner quality), calls `yuma_epoch::anticopy::run` (the plain epoch when the
//! stage is off) once per tempo with the rows in force, carrying permits, bonds and the
//! stage's memory, and returns a [`Report`]: per agent stake share, emission share and
//! dividends per 1000 TAO, and the [`Measures`] (copier gain G, cabal share, sybil gain
//! against a companion run with the sybils' model under one hotkey, quality/incentive
//! Spearman). [`format`](mod@format) renders reports as text tables and a Markdown comparison.
//!
//! Everything is integer arithmetic on seeded splitmix64 draws, except under Shapley scoring:
//! the answers, the ensemble's quality and the Shapley values are `f64`, computed with `+`,
//! `-`, `*`, `/` and `sqrt` only (which IEEE 754 rounds exactly, and Rust neither reorders nor
//! fuses into FMA), in a fixed order, with Shapley walks drawn from `rand`'s `StdRng` (a
//! seeded ChaCha, portable across machines for a given `rand` version); each value is then
//! truncated to an integer. So a scenario gives the same report bit for bit on every machine
//! either way.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

pub mod answers;
pub mod engine;
pub mod ensemble;
mod error;
pub mod format;
pub mod report;
mod rng;
pub mod scenario;

pub use error::Error;
pub use report::{AgentResult, Measures, Report};
pub use scenario::{Scenario, Scoring, Variant};

/// Runs a scenario to the end and reports on it.
///
/// A scenario with sybils is run twice: as given, and as its one-hotkey companion
/// ([`Scenario::one_hotkey_companion`]), the yardstick of sybil gain.
pub fn run(scenario: &Scenario) -> Result<Report, Error> {
    scenario.check()?;
    let agents = engine::agents(scenario);
    let totals = engine::simulate(scenario, &agents)?;
    let one_hotkey = match scenario.one_hotkey_companion() {
        Some(companion) => {
            let agents = engine::agents(&companion);
            let totals = engine::simulate(&companion, &agents)?;
            Some(report::sybil_emission(&agents, &totals))
        }
        None => None,
    };
    Ok(report::build(scenario, &agents, &totals, one_hotkey))
}

#[cfg(test)]
mod tests {
    //! Pins the key results of the built-in scenarios, so an epoch change that makes gaming
    //! easier fails here. Bounds are the measured values (see `yuma sim --all`) plus a margin.
    use super::*;

    fn scenario(name: &str, variant: Variant, reveal_delay: u64) -> Scenario {
        let base = scenario::builtin()
            .expect("built-in scenarios are valid")
            .into_iter()
            .find(|s| s.name == name)
            .expect("scenario is built in");
        Scenario {
            variant,
            reveal_delay,
            ..base
        }
    }

    fn measures(name: &str, variant: Variant, reveal_delay: u64) -> Measures {
        run(&scenario(name, variant, reveal_delay))
            .expect("built-in scenarios run")
            .measures
    }

    fn shapley_measures(name: &str, variant: Variant) -> Measures {
        let s = Scenario {
            scoring: Scoring::Shapley,
            ..scenario(name, variant, 1)
        };
        run(&s).expect("built-in scenarios run").measures
    }

    #[test]
    fn runs_are_reproducible_bit_for_bit() {
        let s = scenario("copier", Variant::Yuma3Liquid, 2);
        assert_eq!(run(&s), run(&s));
        let s = Scenario {
            scoring: Scoring::Shapley,
            ..scenario("sybil-noisy-k4", Variant::Yuma3Liquid, 1)
        };
        assert_eq!(run(&s), run(&s));
    }

    /// Independent scoring gives the reports it gave before Shapley scoring existed (the
    /// values of docs/sim.md, exactly), so the two scorings share no draw by accident.
    #[test]
    fn independent_scoring_reports_are_pinned() {
        let honest = measures("honest", Variant::Classic, 1);
        assert_eq!(honest.spearman_ppm, 998_901);
        assert_eq!(honest.honest_spread_ppm, Some((988_883, 1_015_187)));
        let copier = measures("copier", Variant::Yuma3, 1);
        assert_eq!(copier.copier_gain_ppm, Some(975_455));
        assert_eq!(copier.adversary_emission_ppm, 24_721);
        let drift = measures("copier-drift", Variant::Yuma3LiquidAnticopy, 2);
        assert_eq!(drift.copier_gain_ppm, Some(710_564));
        let cabal = measures("cabal-49", Variant::Yuma3, 1);
        assert_eq!(cabal.cabal_miner_share_ppm, Some(235_135));
        assert_eq!(cabal.adversary_emission_ppm, 206_610);
        let random = measures("random", Variant::Yuma3Liquid, 1);
        assert_eq!(random.random_miner_share_ppm, Some(6_326));
        assert_eq!(random.spearman_ppm, 991_401);
        let late = measures("late-joiner", Variant::Classic, 1);
        assert_eq!(late.late_joiner_ratio_ppm, Some(691_933));
        let change = measures("quality-change", Variant::Yuma3, 1);
        assert_eq!(change.adversary_emission_ppm, 125_627);
    }

    #[test]
    fn shares_add_up() {
        let r = run(&scenario("cabal-30", Variant::Classic, 1)).expect("runs");
        let stake: u64 = r.agents.iter().map(|a| a.stake_share_ppm).sum();
        let emission: u64 = r.agents.iter().map(|a| a.emission_share_ppm).sum();
        assert!((999_900..=1_000_000).contains(&stake), "{stake}");
        assert!((999_900..=1_000_000).contains(&emission), "{emission}");
    }

    /// Measured G with a reveal delay of 1-3 tempos: classic 0.861-0.884, Yuma3 0.924-0.975,
    /// Yuma3 + liquid alpha 0.969-0.996; without commit-reveal 1.030 for all three. The copier
    /// loses by lagging the consensus; the bound is "copying never pays" (G < 1), and for
    /// classic bonds G < 0.9.
    #[test]
    fn commit_reveal_keeps_weight_copying_from_paying() {
        for variant in Variant::YUMA {
            let g: Vec<u64> = (0..=3)
                .map(|d| {
                    measures("copier", variant, d)
                        .copier_gain_ppm
                        .expect("copier scenario has a copier")
                })
                .collect();
            assert!(g[1..].iter().all(|&g| g < 1_000_000), "{variant:?}: {g:?}");
            assert!(g.windows(2).all(|w| w[1] <= w[0]), "{variant:?}: {g:?}");
            if variant == Variant::Classic {
                assert!(g[1..].iter().all(|&g| g < 900_000), "{g:?}");
            }
        }
    }

    /// Measured G at reveal delays 1, 2, 3 with the anti-copy stage (penalty 0.6):
    /// copier 0.751 0.749 0.731 (Yuma3) and 0.769 0.780 0.771 (liquid alpha); copier-drift
    /// 0.717 0.680 0.642 and 0.735 0.711 0.680. Without it (above): 0.92-0.996. Without
    /// commit-reveal nothing can tell a copier apart: G = 1.030 with or without.
    #[test]
    fn anti_copy_makes_weight_copying_lose() {
        for name in ["copier", "copier-drift"] {
            for variant in [Variant::Yuma3Anticopy, Variant::Yuma3LiquidAnticopy] {
                for d in 1..=3 {
                    let g = measures(name, variant, d).copier_gain_ppm.expect("copier");
                    let plain = measures(name, variant.without_anti_copy(), d)
                        .copier_gain_ppm
                        .expect("copier");
                    assert!(g <= 800_000, "{name} {variant:?} delay {d}: {g}");
                    assert!(
                        g + 150_000 < plain,
                        "{name} {variant:?} delay {d}: {g} {plain}"
                    );
                }
            }
        }
    }

    /// The stage only re-splits validator emission: miners' emission, incentive and so
    /// Spearman, cabal miner share, sybil and random shares are those of plain Yuma3, exactly.
    /// Honest validators as a group gain what a copier loses, and single honest validators'
    /// dividends per stake stay within 5% of the group's (measured 0.951-1.041; 0.985-1.014
    /// over 400 tempos: the spread is noise that averages out, not a stake bias).
    #[test]
    fn anti_copy_leaves_miners_and_honest_validators_whole() {
        for name in [
            "honest",
            "copier-drift",
            "random",
            "sybil-k4",
            "quality-change",
        ] {
            for variant in [Variant::Yuma3Anticopy, Variant::Yuma3LiquidAnticopy] {
                let plain = run(&scenario(name, variant.without_anti_copy(), 1)).expect("runs");
                let anti = run(&scenario(name, variant, 1)).expect("runs");
                let miners = |r: &Report| -> Vec<u64> {
                    r.agents
                        .iter()
                        .filter(|a| matches!(a.role, engine::Role::Miner(_)))
                        .map(|a| a.emission_rao)
                        .collect()
                };
                assert_eq!(miners(&anti), miners(&plain), "{name} {variant:?}");
                let (m, p) = (&anti.measures, &plain.measures);
                assert_eq!(m.spearman_ppm, p.spearman_ppm);
                assert_eq!(m.sybil_gain_ppm, p.sybil_gain_ppm);
                assert_eq!(m.random_miner_share_ppm, p.random_miner_share_ppm);
                assert!(
                    m.honest_dividends_per_1000_tao_rao + 1 >= p.honest_dividends_per_1000_tao_rao,
                    "{name} {variant:?}: {m:?} {p:?}"
                );
                let (lo, hi) = m.honest_spread_ppm.expect("has honest validators");
                assert!(
                    lo >= 950_000 && hi <= 1_050_000,
                    "{name} {variant:?}: {lo} {hi}"
                );
            }
        }
    }

    /// Measured: cabal total emission share 10.92% -> 10.94% at 30% stake, 20.66% -> 20.80% at
    /// 49%, 94.20% -> 94.19% at 51%; the cabal miners' share is unchanged. The stage does not
    /// hand a cabal more than a rounding-sized gain (bound: +0.3 points), and never its stake.
    #[test]
    fn anti_copy_does_not_help_cabals() {
        for name in ["cabal-30", "cabal-49", "cabal-51"] {
            for variant in [Variant::Yuma3Anticopy, Variant::Yuma3LiquidAnticopy] {
                let m = measures(name, variant, 1);
                let p = measures(name, variant.without_anti_copy(), 1);
                assert_eq!(m.cabal_miner_share_ppm, p.cabal_miner_share_ppm);
                assert!(
                    m.adversary_emission_ppm <= p.adversary_emission_ppm + 3_000,
                    "{name} {variant:?}: {m:?} {p:?}"
                );
            }
        }
    }

    /// Measured: a 30% cabal gets 15.9% of miner emission and 10.8-10.9% of all emission, a 49%
    /// cabal 23.5% and 18.4-20.7%. (At 51% it takes all miner emission: Yuma's majority rule.)
    #[test]
    fn a_cabal_under_half_the_stake_does_not_take_the_miners_emission() {
        for (name, miner_bound, total_bound) in [
            ("cabal-30", 200_000, 150_000),
            ("cabal-49", 300_000, 250_000),
        ] {
            for variant in Variant::ALL {
                let m = measures(name, variant, 1);
                let miners = m
                    .cabal_miner_share_ppm
                    .expect("cabal scenario has cabal miners");
                assert!(miners < miner_bound, "{name} {variant:?}: {miners}");
                assert!(
                    m.adversary_emission_ppm < total_bound,
                    "{name} {variant:?}: {m:?}"
                );
                assert!(m.adversary_emission_ppm < m.adversary_stake_ppm);
            }
        }
    }

    /// Measured, against the same model under one hotkey: 1 for one identity (its own
    /// companion), 3.758 for four, under every variant. Scored independently, each hotkey of a
    /// good model earns like the model; splitting pays almost k times, never more.
    #[test]
    fn independent_scoring_pays_sybils_per_hotkey() {
        for variant in Variant::ALL {
            let one = measures("sybil-k1", variant, 1)
                .sybil_gain_ppm
                .expect("has sybils");
            assert_eq!(one, 1_000_000, "{variant:?}");
            for name in ["sybil-k4", "sybil-noisy-k4"] {
                let four = measures(name, variant, 1)
                    .sybil_gain_ppm
                    .expect("has sybils");
                assert!(
                    (3_500_000..=4_050_000).contains(&four),
                    "{name} {variant:?}: {four}"
                );
            }
        }
    }

    /// Measured under Shapley scoring: sybil-k4 0.996 and sybil-noisy-k4 0.996 (noise of 5% of
    /// the targets' spread: copies differ by 0.19-0.94% of the variance, under the 2%
    /// threshold) for classic, Yuma3 and liquid alpha. The copies play as one model and share
    /// its credit, so four hotkeys earn what one does.
    #[test]
    fn shapley_scoring_pays_copies_as_one_model() {
        for name in ["sybil-k4", "sybil-noisy-k4"] {
            for variant in Variant::YUMA {
                let gain = shapley_measures(name, variant)
                    .sybil_gain_ppm
                    .expect("has sybils");
                assert!(gain <= 1_100_000, "{name} {variant:?}: {gain}");
            }
        }
    }

    /// Measured under Shapley scoring: Spearman 0.992 in honest, and 0.992 over the honest
    /// miners in random, whose random miners get 0.02% of miner emission (0.63% scored
    /// independently): noise adds nothing to the ensemble.
    #[test]
    fn shapley_scoring_follows_true_quality() {
        let honest = shapley_measures("honest", Variant::Yuma3);
        assert!(honest.spearman_ppm >= 900_000, "{honest:?}");
        let random = shapley_measures("random", Variant::Yuma3);
        assert!(random.honest_miner_spearman_ppm >= 900_000, "{random:?}");
        let share = random.random_miner_share_ppm.expect("has random miners");
        assert!(share < 2_000, "{share}");
    }

    /// Measured: 0.991-0.999 wherever validators are honest.
    #[test]
    fn incentive_follows_true_quality() {
        for name in ["honest", "copier", "random", "sybil-k4", "quality-change"] {
            for variant in Variant::ALL {
                let m = measures(name, variant, 1);
                assert!(m.spearman_ppm >= 950_000, "{name} {variant:?}: {m:?}");
            }
        }
    }

    /// Measured: 16 random miners of 64 get 0.63% of miner emission.
    #[test]
    fn random_miners_earn_almost_nothing() {
        for variant in Variant::ALL {
            let share = measures("random", variant, 1)
                .random_miner_share_ppm
                .expect("has random miners");
            assert!(share < 20_000, "{variant:?}: {share}");
        }
    }

    /// Measured: over its 40 tempos the late joiner earns 0.69 (classic), 0.71 (Yuma3) and 0.90
    /// (liquid alpha) of the incumbents' dividends per stake, while its bonds build up.
    #[test]
    fn a_late_joiner_catches_up() {
        for variant in Variant::ALL {
            let ratio = measures("late-joiner", variant, 1)
                .late_joiner_ratio_ppm
                .expect("has a late joiner");
            assert!(
                (600_000..1_000_000).contains(&ratio),
                "{variant:?}: {ratio}"
            );
        }
    }
}
