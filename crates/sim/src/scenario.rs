//! Scenario files: the subnet, its agents and the mechanism variant, read from TOML.
//!
//! ```toml
//! name = "copier"
//! epochs = 80            # tempos to run
//! reveal_delay = 1       # commit-reveal delay in tempos (0 = weights public at once)
//! variant = "classic"    # classic (alias yuma2) | yuma3 | yuma3-liquid | yuma3-anticopy | yuma3-liquid-anticopy
//! noise_percent = 10     # honest validators' error: percent of the quality scale (independent
//!                        # scoring) or of each miner's Shapley value (shapley scoring)
//! scoring = "independent" # independent | shapley: how honest validators score miners
//!
//! [[validators]]
//! strategy = "honest"    # honest | copier | cabal
//! count = 15             # stake split Zipf-like among groups without stake_percent
//!
//! [[validators]]
//! strategy = "copier"
//! count = 1
//! stake_percent = 5      # this group's share of all validator stake
//!
//! [[miners]]
//! strategy = "honest"    # honest | cabal | sybil | random | changing | drifting
//! count = 64
//! quality = [10, 100]    # true quality, percent, drawn per miner (per group for sybils)
//!
//! [[miners]]
//! strategy = "sybil"     # one model under `count` hotkeys; sybil groups come last
//! count = 4
//! quality = [70, 70]
//! answer_noise_percent = 5 # each hotkey adds its own noise to the model's answers, percent
//!                          # of the targets' spread (shapley scoring only; default 0: copies)
//! ```
//!
//! Sybil gain compares the sybil group with a companion run that is identical except that
//! each sybil group has count 1; sybil groups come after every other miner group, so that
//! no other miner's uid (and with it its draws) differs between the two runs.

use serde::Deserialize;

use crate::error::Error;

/// Which bond mechanism the epoch uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Variant {
    /// Classic EMA bonds ("Yuma2", also accepted by that name), subtensor's default.
    #[default]
    #[serde(alias = "yuma2")]
    Classic,
    /// Per-cell Yuma3 bonds with the fixed EMA factor.
    Yuma3,
    /// Yuma3 bonds with liquid alpha.
    Yuma3Liquid,
    /// Yuma3 bonds and the anti weight-copying stage (`yuma_epoch::anticopy`).
    Yuma3Anticopy,
    /// Yuma3 bonds with liquid alpha and the anti weight-copying stage.
    Yuma3LiquidAnticopy,
}

impl Variant {
    /// Every variant, in report order.
    pub const ALL: [Self; 5] = [
        Self::Classic,
        Self::Yuma3,
        Self::Yuma3Liquid,
        Self::Yuma3Anticopy,
        Self::Yuma3LiquidAnticopy,
    ];

    /// Subtensor's mechanisms (without the anti-copy stage).
    pub const YUMA: [Self; 3] = [Self::Classic, Self::Yuma3, Self::Yuma3Liquid];

    /// The name used in scenario files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Classic => "classic",
            Self::Yuma3 => "yuma3",
            Self::Yuma3Liquid => "yuma3-liquid",
            Self::Yuma3Anticopy => "yuma3-anticopy",
            Self::Yuma3LiquidAnticopy => "yuma3-liquid-anticopy",
        }
    }

    /// Whether bonds are per-cell Yuma3 bonds.
    pub fn yuma3(self) -> bool {
        self != Self::Classic
    }

    /// Whether liquid alpha is on.
    pub fn liquid_alpha(self) -> bool {
        matches!(self, Self::Yuma3Liquid | Self::Yuma3LiquidAnticopy)
    }

    /// Whether the anti weight-copying stage runs after the epoch.
    pub fn anti_copy(self) -> bool {
        matches!(self, Self::Yuma3Anticopy | Self::Yuma3LiquidAnticopy)
    }

    /// The same variant without the anti-copy stage.
    pub fn without_anti_copy(self) -> Self {
        match self {
            Self::Yuma3Anticopy => Self::Yuma3,
            Self::Yuma3LiquidAnticopy => Self::Yuma3Liquid,
            other => other,
        }
    }
}

impl std::str::FromStr for Variant {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        if s == "yuma2" {
            return Ok(Self::Classic);
        }
        Self::ALL
            .into_iter()
            .find(|v| v.name() == s)
            .ok_or_else(|| Error::UnknownVariant(s.to_owned()))
    }
}

/// How honest (and cabal) validators score the miners.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scoring {
    /// Each miner by its own true quality, plus seeded noise.
    #[default]
    Independent,
    /// Each miner by its Shapley value in the ensemble of every miner's answer to the
    /// tempo's challenge ([`crate::answers`], [`crate::ensemble`]), times seeded noise: what it
    /// adds, so copies share one model's credit.
    Shapley,
}

impl Scoring {
    /// Both, in report order.
    pub const ALL: [Self; 2] = [Self::Independent, Self::Shapley];

    /// The name used in scenario files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Independent => "independent",
            Self::Shapley => "shapley",
        }
    }
}

impl std::str::FromStr for Scoring {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        Self::ALL
            .into_iter()
            .find(|v| v.name() == s)
            .ok_or_else(|| Error::UnknownScoring(s.to_owned()))
    }
}

/// What a validator group does each tempo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ValidatorStrategy {
    /// Weights every miner by its true quality plus seeded noise.
    Honest,
    /// Copies the stake-weighted mean of the other validators' weights it can see, which are
    /// `reveal_delay` tempos old.
    Copier,
    /// Weights only the cabal's own miners (by their true quality plus noise).
    Cabal,
}

/// What a miner group serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MinerStrategy {
    /// A model of its own quality.
    Honest,
    /// A miner owned by the cabal (honest validators still score it by its quality).
    Cabal,
    /// One model served under `count` hotkeys: every member has the same quality and, under
    /// Shapley scoring, the same answers (plus its own `answer_noise_percent` of noise).
    Sybil,
    /// Serves noise: true quality 0.
    Random,
    /// Quality drawn from `quality`, then from `later_quality` from `change_epoch` on.
    Changing,
    /// Quality drawn from `quality`, then a seeded random walk within that range: each tempo
    /// it moves by up to `drift_percent` either way.
    Drifting,
}

/// A group of validators with one strategy.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidatorGroup {
    /// The strategy.
    pub strategy: ValidatorStrategy,
    /// Number of validators (uids).
    pub count: u16,
    /// The group's share of all validator stake, split equally among its members; groups
    /// without one share the rest Zipf-like.
    #[serde(default)]
    pub stake_percent: Option<u32>,
    /// Epoch at which the group registers (0 = from the start).
    #[serde(default)]
    pub join_epoch: u64,
}

/// A group of miners with one strategy.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinerGroup {
    /// The strategy.
    pub strategy: MinerStrategy,
    /// Number of miners (uids).
    pub count: u16,
    /// Range of true quality in percent, drawn uniformly from the seed.
    #[serde(default = "default_quality")]
    pub quality: [u32; 2],
    /// Quality range from `change_epoch` on (`changing` miners only).
    #[serde(default)]
    pub later_quality: Option<[u32; 2]>,
    /// Epoch at which `later_quality` applies (`changing` miners only).
    #[serde(default)]
    pub change_epoch: Option<u64>,
    /// Largest quality step per tempo, percent (`drifting` miners only).
    #[serde(default)]
    pub drift_percent: Option<u32>,
    /// Noise each member adds to the model's answers, percent of the targets' spread
    /// (standard deviation) (`sybil` miners only; read by Shapley scoring).
    #[serde(default)]
    pub answer_noise_percent: u32,
}

fn default_quality() -> [u32; 2] {
    [10, 100]
}

/// One simulated subnet.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name for reports.
    pub name: String,
    /// What the scenario shows.
    #[serde(default)]
    pub description: String,
    /// Seed of every draw (stake jitter, qualities, noise).
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Tempos to run.
    #[serde(default = "default_epochs")]
    pub epochs: u64,
    /// Commit-reveal delay in tempos: weights take effect this many tempos after they are set.
    #[serde(default = "default_reveal_delay")]
    pub reveal_delay: u64,
    /// Bond mechanism.
    #[serde(default)]
    pub variant: Variant,
    /// Honest validators' noise amplitude: percent of the quality scale (independent
    /// scoring), or of each miner's Shapley value (Shapley scoring).
    #[serde(default = "default_noise")]
    pub noise_percent: u32,
    /// How honest and cabal validators score miners.
    #[serde(default)]
    pub scoring: Scoring,
    /// Total validator stake, TAO.
    #[serde(default = "default_total_stake")]
    pub total_stake_tao: u64,
    /// Validator groups (uids `0..`).
    pub validators: Vec<ValidatorGroup>,
    /// Miner groups (uids after the validators).
    pub miners: Vec<MinerGroup>,
}

fn default_seed() -> u64 {
    1
}
fn default_epochs() -> u64 {
    80
}
fn default_reveal_delay() -> u64 {
    1
}
fn default_noise() -> u32 {
    10
}
fn default_total_stake() -> u64 {
    1_000_000
}

/// Longest commit-reveal delay accepted, in tempos.
pub const MAX_REVEAL_DELAY: u64 = 16;
/// Most epochs a scenario may run.
pub const MAX_EPOCHS: u64 = 10_000;

impl Scenario {
    /// Parses and checks a TOML scenario.
    pub fn from_toml(text: &str) -> Result<Self, Error> {
        let scenario: Self = toml::from_str(text).map_err(|e| Error::Parse(e.to_string()))?;
        scenario.check()?;
        Ok(scenario)
    }

    /// Number of validator uids.
    pub fn validator_count(&self) -> usize {
        self.validators.iter().map(|g| usize::from(g.count)).sum()
    }

    /// Number of miner uids.
    pub fn miner_count(&self) -> usize {
        self.miners.iter().map(|g| usize::from(g.count)).sum()
    }

    /// Checks every field against what the simulation can run.
    pub fn check(&self) -> Result<(), Error> {
        let bad = |what: String| Err(Error::Invalid(what));
        if self.validator_count() == 0 || self.miner_count() == 0 {
            return bad("a scenario needs at least one validator and one miner".into());
        }
        let n = self.validator_count() + self.miner_count();
        if n > yuma_epoch::MAX_UIDS {
            return bad(format!("{n} uids exceed {}", yuma_epoch::MAX_UIDS));
        }
        if self.epochs == 0 || self.epochs > MAX_EPOCHS {
            return bad(format!("epochs {} not in 1..={MAX_EPOCHS}", self.epochs));
        }
        if self.reveal_delay > MAX_REVEAL_DELAY {
            return bad(format!(
                "reveal_delay {} exceeds {MAX_REVEAL_DELAY}",
                self.reveal_delay
            ));
        }
        if self.noise_percent > 100 {
            return bad(format!("noise_percent {} exceeds 100", self.noise_percent));
        }
        if self.total_stake_tao == 0 || self.total_stake_tao > 1_000_000_000 {
            return bad(format!(
                "total_stake_tao {} not in 1..=1000000000",
                self.total_stake_tao
            ));
        }
        let fixed: u64 = self
            .validators
            .iter()
            .filter_map(|g| g.stake_percent.map(u64::from))
            .sum();
        let free = self.validators.iter().any(|g| g.stake_percent.is_none());
        if fixed > 100 || (fixed == 100 && free) {
            return bad(format!(
                "stake_percent sums to {fixed}, leaving nothing for the other groups"
            ));
        }
        for g in &self.miners {
            let ranges = std::iter::once(g.quality).chain(g.later_quality);
            for [lo, hi] in ranges {
                if lo > hi || hi > 100 {
                    return bad(format!("quality range [{lo}, {hi}] not within 0..=100"));
                }
            }
            let changing = g.strategy == MinerStrategy::Changing;
            if changing != (g.later_quality.is_some() && g.change_epoch.is_some()) {
                return bad(
                    "later_quality and change_epoch are required for, and only for, changing miners"
                        .into(),
                );
            }
            let drifting = g.strategy == MinerStrategy::Drifting;
            match g.drift_percent {
                Some(step) if !drifting || step > 100 => {
                    return bad(format!(
                        "drift_percent {step} is for drifting miners only, at most 100"
                    ));
                }
                None if drifting => return bad("drifting miners need drift_percent".into()),
                _ => {}
            }
            let sybil = g.strategy == MinerStrategy::Sybil;
            if g.answer_noise_percent > 0 && (!sybil || g.answer_noise_percent > 100) {
                return bad(format!(
                    "answer_noise_percent {} is for sybil miners only, at most 100",
                    g.answer_noise_percent
                ));
            }
        }
        let first_sybil = self
            .miners
            .iter()
            .position(|g| g.strategy == MinerStrategy::Sybil);
        if let Some(first) = first_sybil
            && self.miners[first..]
                .iter()
                .any(|g| g.strategy != MinerStrategy::Sybil)
        {
            return bad("sybil groups must come after every other miner group".into());
        }
        Ok(())
    }

    /// The companion run that measures sybil gain: this scenario with every sybil group at
    /// count 1 (the same model under one hotkey); `None` when no sybil group has more than one
    /// member (the scenario is its own companion).
    pub fn one_hotkey_companion(&self) -> Option<Self> {
        let sybil = |g: &MinerGroup| g.strategy == MinerStrategy::Sybil;
        if !self.miners.iter().any(|g| sybil(g) && g.count > 1) {
            return None;
        }
        let mut companion = self.clone();
        companion
            .miners
            .iter_mut()
            .filter(|g| sybil(g))
            .for_each(|g| g.count = 1);
        Some(companion)
    }
}

/// The scenario files shipped in `crates/sim/scenarios/`, by file name, built into the binary.
pub const BUILTIN: &[(&str, &str)] = &[
    ("honest.toml", include_str!("../scenarios/honest.toml")),
    ("copier.toml", include_str!("../scenarios/copier.toml")),
    (
        "copier-drift.toml",
        include_str!("../scenarios/copier-drift.toml"),
    ),
    ("cabal-30.toml", include_str!("../scenarios/cabal-30.toml")),
    ("cabal-49.toml", include_str!("../scenarios/cabal-49.toml")),
    ("cabal-51.toml", include_str!("../scenarios/cabal-51.toml")),
    ("sybil-k1.toml", include_str!("../scenarios/sybil-k1.toml")),
    ("sybil-k4.toml", include_str!("../scenarios/sybil-k4.toml")),
    (
        "sybil-noisy-k4.toml",
        include_str!("../scenarios/sybil-noisy-k4.toml"),
    ),
    (
        "sybil-evasive-k4.toml",
        include_str!("../scenarios/sybil-evasive-k4.toml"),
    ),
    ("random.toml", include_str!("../scenarios/random.toml")),
    (
        "late-joiner.toml",
        include_str!("../scenarios/late-joiner.toml"),
    ),
    (
        "quality-change.toml",
        include_str!("../scenarios/quality-change.toml"),
    ),
];

/// Parses every built-in scenario.
pub fn builtin() -> Result<Vec<Scenario>, Error> {
    BUILTIN
        .iter()
        .map(|(_, text)| Scenario::from_toml(text))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_scenario_parses() {
        let all = builtin().expect("built-in scenarios are valid");
        assert_eq!(all.len(), BUILTIN.len());
        for (s, (file, _)) in all.iter().zip(BUILTIN) {
            assert_eq!(format!("{}.toml", s.name), *file);
        }
    }

    #[test]
    fn rejects_unknown_fields_and_bad_ranges() {
        let base = "name = \"x\"\n[[validators]]\nstrategy = \"honest\"\ncount = 1\n[[miners]]\nstrategy = \"honest\"\ncount = 1\n";
        assert!(Scenario::from_toml(base).is_ok());
        assert!(matches!(
            Scenario::from_toml(&format!("bogus = 1\n{base}")),
            Err(Error::Parse(_))
        ));
        assert!(matches!(
            Scenario::from_toml(&format!("{base}quality = [50, 101]\n")),
            Err(Error::Invalid(_))
        ));
        assert!(matches!(
            Scenario::from_toml(&base.replace("name = \"x\"", "name = \"x\"\nepochs = 0")),
            Err(Error::Invalid(_))
        ));
        assert_eq!("yuma3-liquid".parse::<Variant>(), Ok(Variant::Yuma3Liquid));
        assert!("yuma4".parse::<Variant>().is_err());
        assert_eq!("yuma2".parse::<Variant>(), Ok(Variant::Classic));
        for v in Variant::ALL {
            assert_eq!(v.name().parse::<Variant>(), Ok(v));
        }
        let drifting = "name = \"x\"\n[[validators]]\nstrategy = \"honest\"\ncount = 1\n[[miners]]\nstrategy = \"drifting\"\ncount = 1\n";
        assert!(matches!(
            Scenario::from_toml(drifting),
            Err(Error::Invalid(_))
        ));
        assert!(Scenario::from_toml(&format!("{drifting}drift_percent = 2\n")).is_ok());
        assert!(matches!(
            Scenario::from_toml(&format!("{base}drift_percent = 2\n")),
            Err(Error::Invalid(_))
        ));
        assert!(matches!(
            Scenario::from_toml(&format!("{base}answer_noise_percent = 5\n")),
            Err(Error::Invalid(_))
        ));
        assert_eq!("shapley".parse::<Scoring>(), Ok(Scoring::Shapley));
        assert!("marginal".parse::<Scoring>().is_err());
        let shapley = base.replace("name = \"x\"", "name = \"x\"\nscoring = \"shapley\"");
        assert_eq!(
            Scenario::from_toml(&shapley).map(|s| s.scoring),
            Ok(Scoring::Shapley)
        );
    }

    #[test]
    fn sybils_come_last_and_have_a_one_hotkey_companion() {
        let sybil = "[[miners]]\nstrategy = \"sybil\"\ncount = 4\nanswer_noise_percent = 5\n";
        let honest = "[[miners]]\nstrategy = \"honest\"\ncount = 8\n";
        let head = "name = \"x\"\n[[validators]]\nstrategy = \"honest\"\ncount = 1\n";
        let s = Scenario::from_toml(&format!("{head}{honest}{sybil}")).expect("valid");
        let companion = s.one_hotkey_companion().expect("four sybils");
        assert_eq!(companion.miner_count(), 9);
        assert_eq!(companion.miners[1].answer_noise_percent, 5);
        assert_eq!(companion.one_hotkey_companion(), None);
        assert!(matches!(
            Scenario::from_toml(&format!("{head}{sybil}{honest}")),
            Err(Error::Invalid(_))
        ));
    }
}
