//! Who runs in a localnet: by default one subnet of the built-in tabular task with two
//! validators, six miners of known different quality, and optionally sybils of the forest
//! miner (more hotkeys of its coldkey serving its model); or the subnets a config file
//! declares ([`super::config`]).

/// The wallets' hotkey (a sybil's hotkeys are named `sybil-N` instead).
pub(super) const HOTKEY: &str = "default";

/// The miners' models, best first.
pub(super) const MODELS: [&str; 6] = ["forest", "tree", "knn", "linear", "mean", "random"];

/// The validators' stakes in TAO (different, so that their weight in consensus differs);
/// more validators than this get the last one.
pub(super) const VALIDATOR_STAKES: [u64; 2] = [10_000, 4_000];

/// A model outside `yuma` that a miner forwards challenges to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Backend {
    /// `--backend URL`: a model server.
    Url(String),
    /// `--backend-cmd COMMAND`: a child process.
    Command(String),
}

/// A subnet of the localnet and who runs on it.
#[derive(Clone, Debug)]
pub(super) struct Subnet {
    /// Its label in the summary.
    pub(super) name: String,
    /// Its task program (`yuma validator --task-cmd`); `None`: the built-in tabular task.
    pub(super) task_cmd: Option<String>,
    /// `yuma validator --scoring`, when not the localnet's `--scoring`.
    pub(super) scoring: Option<String>,
    /// Its neurons, the first validator (the subnet's owner) first.
    pub(super) neurons: Vec<Neuron>,
}

/// What a neuron does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Role {
    /// A validator staked with this much TAO.
    Validator {
        /// Stake in TAO.
        stake_tao: u64,
    },
    /// A miner serving this model.
    Miner {
        /// `--model` of `yuma miner`.
        model: &'static str,
        /// `--noise` of `yuma miner`, in parts per million.
        noise_ppm: u32,
        /// Whether it is a sybil (a copy of another miner's model under its coldkey).
        sybil: bool,
    },
}

/// A neuron of the localnet: its name, keys and role.
#[derive(Clone, Debug)]
pub(super) struct Neuron {
    /// Name of its logs, status file and line in the summary: `validator-0`,
    /// `miner-forest`, `miner-forest-sybil-1`, ...
    pub(super) name: String,
    /// Wallet (coldkey) name: the name, or the original's for a sybil.
    pub(super) wallet: String,
    /// Hotkey name within the wallet.
    pub(super) hotkey: String,
    /// Role.
    pub(super) role: Role,
    /// For a miner whose model runs outside `yuma`: where (its `model` is then its label).
    pub(super) backend: Option<Backend>,
}

/// The neurons, validator-0 (the subnet owner) first, then the miners and `sybils` copies of
/// the forest miner adding `noise` to its answers.
pub(super) fn roster(sybils: u16, noise: f64) -> Vec<Neuron> {
    let own = |name: String, role| Neuron {
        wallet: name.clone(),
        hotkey: HOTKEY.to_owned(),
        name,
        role,
        backend: None,
    };
    let validators = VALIDATOR_STAKES
        .iter()
        .enumerate()
        .map(|(i, &stake_tao)| own(format!("validator-{i}"), Role::Validator { stake_tao }));
    let miners = MODELS.iter().map(|&model| {
        let role = Role::Miner {
            model,
            noise_ppm: 0,
            sybil: false,
        };
        own(format!("miner-{model}"), role)
    });
    let copies = (1..=sybils).map(|i| Neuron {
        name: format!("miner-forest-sybil-{i}"),
        wallet: "miner-forest".to_owned(),
        hotkey: format!("sybil-{i}"),
        role: Role::Miner {
            model: "forest",
            noise_ppm: (noise * 1e6).round() as u32,
            sybil: true,
        },
        backend: None,
    });
    validators.chain(miners).chain(copies).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roster_follows_the_contract() {
        let names: Vec<String> = roster(0, 0.0).into_iter().map(|n| n.name).collect();
        assert_eq!(
            names,
            [
                "validator-0",
                "validator-1",
                "miner-forest",
                "miner-tree",
                "miner-knn",
                "miner-linear",
                "miner-mean",
                "miner-random"
            ]
        );
    }

    #[test]
    fn sybils_are_hotkeys_of_the_forest_wallet() {
        let roster = roster(2, 0.05);
        let sybils: Vec<&Neuron> = roster
            .iter()
            .filter(|n| matches!(n.role, Role::Miner { sybil: true, .. }))
            .collect();
        assert_eq!(sybils.len(), 2);
        assert_eq!(sybils[1].name, "miner-forest-sybil-2");
        assert_eq!(
            (sybils[1].wallet.as_str(), sybils[1].hotkey.as_str()),
            ("miner-forest", "sybil-2")
        );
        assert!(matches!(
            sybils[0].role,
            Role::Miner {
                model: "forest",
                noise_ppm: 50_000,
                ..
            }
        ));
    }
}
