//! `yuma localnet --config FILE.toml`: the subnets to run, each with its task (built in or a
//! task program) and its miners (built-in models, model servers or child processes).
//!
//! ```toml
//! [[subnet]]
//! name = "ranking"                  # letters, digits and '-'; prefixes its neurons' names
//! task_cmd = "python3 task.py"      # a task program; without it the built-in tabular task
//! scoring = "shapley"               # optional: shapley | independent
//! validators = 2                    # optional, 1 to 4 (default 2)
//!
//! [[subnet.miner]]
//! name = "good"
//! backend_cmd = "python3 miner.py"  # or model = "forest", or backend = "http://..."
//! sybils = 0                        # optional: more hotkeys of its coldkey serving the same
//! ```
//!
//! Commands run from the directory `yuma localnet` was started in. Everything is checked
//! before the chain is touched.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::Context as _;
use serde::Deserialize;

use super::roster::{Backend, HOTKEY, MODELS, Neuron, Role, Subnet, VALIDATOR_STAKES};

/// Most subnets a config may declare.
const MAX_SUBNETS: usize = 8;
/// Most miners (sybils included) per subnet.
const MAX_MINERS: usize = 32;
/// Most validators per subnet.
const MAX_VALIDATORS: u16 = 4;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    subnet: Vec<SubnetEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SubnetEntry {
    name: String,
    task_cmd: Option<String>,
    scoring: Option<String>,
    validators: Option<u16>,
    #[serde(default)]
    miner: Vec<MinerEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MinerEntry {
    name: String,
    model: Option<String>,
    backend: Option<String>,
    backend_cmd: Option<String>,
    noise: Option<f64>,
    #[serde(default)]
    sybils: u16,
}

/// Reads and checks the config file at `path`.
///
/// # Errors
/// When the file cannot be read, is not valid TOML of this shape, or breaks a rule (names,
/// one kind of model per miner, limits).
pub(super) fn load(path: &Path) -> anyhow::Result<Vec<Subnet>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the localnet config {}", path.display()))?;
    parse(&text).with_context(|| format!("in the localnet config {}", path.display()))
}

/// The subnets `text` declares.
fn parse(text: &str) -> anyhow::Result<Vec<Subnet>> {
    let file: File = toml::from_str(text)?;
    if file.subnet.is_empty() || file.subnet.len() > MAX_SUBNETS {
        anyhow::bail!("declare 1 to {MAX_SUBNETS} [[subnet]] tables");
    }
    let mut names = BTreeSet::new();
    file.subnet
        .into_iter()
        .map(|entry| {
            check_name(&entry.name, "subnet")?;
            if !names.insert(entry.name.clone()) {
                anyhow::bail!("two subnets are named {:?}", entry.name);
            }
            subnet(entry)
        })
        .collect()
}

/// Names become file and wallet names: keep them plain.
fn check_name(name: &str, what: &str) -> anyhow::Result<()> {
    let plain = !name.is_empty()
        && name.len() <= 32
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !plain {
        anyhow::bail!("{what} name {name:?}: use 1 to 32 letters, digits and '-'");
    }
    Ok(())
}

fn subnet(entry: SubnetEntry) -> anyhow::Result<Subnet> {
    let prefix = entry.name.clone();
    if let Some(scoring) = &entry.scoring
        && !["shapley", "independent"].contains(&scoring.as_str())
    {
        anyhow::bail!("subnet {prefix}: scoring {scoring:?}: expected shapley or independent");
    }
    let validators = entry.validators.unwrap_or(2);
    if !(1..=MAX_VALIDATORS).contains(&validators) {
        anyhow::bail!("subnet {prefix}: validators: 1 to {MAX_VALIDATORS}");
    }
    if entry.miner.is_empty() {
        anyhow::bail!("subnet {prefix}: declare at least one [[subnet.miner]]");
    }
    let own = |name: String, role, backend| Neuron {
        wallet: name.clone(),
        hotkey: HOTKEY.to_owned(),
        name,
        role,
        backend,
    };
    let mut neurons: Vec<Neuron> = (0..usize::from(validators))
        .map(|i| {
            let stake_tao = VALIDATOR_STAKES[i.min(VALIDATOR_STAKES.len() - 1)];
            own(
                format!("{prefix}-validator-{i}"),
                Role::Validator { stake_tao },
                None,
            )
        })
        .collect();
    let mut names = BTreeSet::new();
    for m in entry.miner {
        check_name(&m.name, "miner")?;
        if !names.insert(m.name.clone()) {
            anyhow::bail!("subnet {prefix}: two miners are named {:?}", m.name);
        }
        let (model, backend) = answers(&prefix, &m)?;
        let noise_ppm = match m.noise {
            Some(n) if (0.0..=1.0).contains(&n) && m.model.is_some() => (n * 1e6).round() as u32,
            Some(_) => anyhow::bail!(
                "subnet {prefix}, miner {}: noise is a number from 0 to 1, for built-in models",
                m.name
            ),
            None => 0,
        };
        let name = format!("{prefix}-miner-{}", m.name);
        let role = |sybil| Role::Miner {
            model,
            noise_ppm,
            sybil,
        };
        neurons.push(own(name.clone(), role(false), backend.clone()));
        neurons.extend((1..=m.sybils).map(|i| Neuron {
            name: format!("{name}-sybil-{i}"),
            wallet: name.clone(),
            hotkey: format!("sybil-{i}"),
            role: role(true),
            backend: backend.clone(),
        }));
    }
    let miners = neurons.len() - usize::from(validators);
    if miners > MAX_MINERS {
        anyhow::bail!("subnet {prefix}: {miners} miners with sybils, at most {MAX_MINERS}");
    }
    Ok(Subnet {
        name: prefix,
        task_cmd: entry.task_cmd,
        scoring: entry.scoring,
        neurons,
    })
}

/// A miner's model: its label and, outside `yuma`, where it runs.
fn answers(prefix: &str, m: &MinerEntry) -> anyhow::Result<(&'static str, Option<Backend>)> {
    match (&m.model, &m.backend, &m.backend_cmd) {
        (Some(model), None, None) => MODELS
            .iter()
            .find(|&&known| known == model)
            .map(|&known| (known, None))
            .with_context(|| {
                format!(
                    "subnet {prefix}, miner {}: unknown model {model:?} (built in: {})",
                    m.name,
                    MODELS.join(", ")
                )
            }),
        (None, Some(url), None) => Ok(("backend", Some(Backend::Url(url.clone())))),
        (None, None, Some(command)) => Ok(("backend-cmd", Some(Backend::Command(command.clone())))),
        _ => anyhow::bail!(
            "subnet {prefix}, miner {}: give exactly one of model, backend and backend_cmd",
            m.name
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[[subnet]]
name = "tabular"
[[subnet.miner]]
name = "forest"
model = "forest"
sybils = 2
[[subnet.miner]]
name = "gbm"
backend_cmd = "python3 gbm.py"

[[subnet]]
name = "ranking"
task_cmd = "python3 task.py"
scoring = "independent"
validators = 1
[[subnet.miner]]
name = "server"
backend = "http://127.0.0.1:8000/solve"
"#;

    #[test]
    fn reads_subnets_with_their_tasks_and_miners() {
        let subnets = parse(GOOD).expect("a good config");
        let names: Vec<Vec<&str>> = subnets
            .iter()
            .map(|s| s.neurons.iter().map(|n| n.name.as_str()).collect())
            .collect();
        assert_eq!(
            names,
            [
                vec![
                    "tabular-validator-0",
                    "tabular-validator-1",
                    "tabular-miner-forest",
                    "tabular-miner-forest-sybil-1",
                    "tabular-miner-forest-sybil-2",
                    "tabular-miner-gbm"
                ],
                vec!["ranking-validator-0", "ranking-miner-server"],
            ]
        );
        assert_eq!(subnets[1].task_cmd.as_deref(), Some("python3 task.py"));
        assert_eq!(subnets[1].scoring.as_deref(), Some("independent"));
        let sybil = &subnets[0].neurons[4];
        assert_eq!(
            (sybil.wallet.as_str(), sybil.hotkey.as_str()),
            ("tabular-miner-forest", "sybil-2")
        );
        assert_eq!(
            subnets[0].neurons[5].backend,
            Some(Backend::Command("python3 gbm.py".into()))
        );
    }

    #[test]
    fn refuses_what_it_cannot_run() {
        let cases = [
            ("subnet = []", "1 to 8"),
            (
                "[[subnet]]\nname = \"a b\"\n[[subnet.miner]]\nname = \"m\"\nmodel = \"forest\"",
                "letters",
            ),
            ("[[subnet]]\nname = \"a\"", "at least one"),
            (
                "[[subnet]]\nname = \"a\"\n[[subnet.miner]]\nname = \"m\"",
                "exactly one",
            ),
            (
                "[[subnet]]\nname = \"a\"\n[[subnet.miner]]\nname = \"m\"\nmodel = \"gpt\"",
                "unknown model",
            ),
            (
                "[[subnet]]\nname = \"a\"\ncolour = 1\n[[subnet.miner]]\nname = \"m\"\nmodel = \"mean\"",
                "unknown field",
            ),
            (
                "[[subnet]]\nname = \"a\"\nvalidators = 9\n[[subnet.miner]]\nname = \"m\"\nmodel = \"mean\"",
                "1 to 4",
            ),
            (
                "[[subnet]]\nname = \"a\"\n[[subnet.miner]]\nname = \"m\"\nmodel = \"mean\"\nsybils = 40",
                "at most 32",
            ),
            (
                "[[subnet]]\nname = \"a\"\n[[subnet.miner]]\nname = \"m\"\nmodel = \"mean\"\n[[subnet.miner]]\nname = \"m\"\nmodel = \"knn\"",
                "two miners",
            ),
        ];
        for (text, expected) in cases {
            let error = format!("{:#}", parse(text).expect_err(text));
            assert!(error.contains(expected), "{text}: {error}");
        }
    }
}
