//! `yuma subnet set`: a hyperparameter named as `yuma subnet hyperparameters` prints it, read
//! from text into the runtime's [`Hyperparameter`].

use anyhow::{Context as _, bail};
use yuma_client::Hyperparams;
use yuma_runtime::Hyperparameter;

/// Every name `--param` accepts, in the order `subnet hyperparameters` prints them.
/// `alpha_low` and `alpha_high` set one end of the pair, `alpha_values` takes `LOW,HIGH`.
pub(crate) const NAMES: &[&str] = &[
    "tempo",
    "kappa",
    "max_allowed_uids",
    "max_allowed_validators",
    "immunity_period",
    "activity_cutoff",
    "weights_rate_limit",
    "weights_version_key",
    "max_weights_limit",
    "min_allowed_weights",
    "bonds_moving_average",
    "bonds_penalty",
    "liquid_alpha_enabled",
    "alpha_low",
    "alpha_high",
    "alpha_values",
    "alpha_sigmoid_steepness",
    "yuma3_enabled",
    "commit_reveal_enabled",
    "reveal_period_epochs",
    "registration_allowed",
    "min_burn",
    "max_burn",
    "burn_half_life",
    "burn_increase_mult_ppm",
    "serving_rate_limit",
    "anti_copy_penalty",
];

fn number<T: std::str::FromStr>(name: &str, value: &str) -> anyhow::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    value
        .trim()
        .parse()
        .with_context(|| format!("reading --value {value:?} of {name}"))
}

fn boolean(name: &str, value: &str) -> anyhow::Result<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => bail!("reading --value {value:?} of {name}: expected true or false"),
    }
}

/// The hyperparameter `name` set to `value`. `current` supplies the other end of the alpha
/// pair when only `alpha_low` or `alpha_high` is given.
///
/// # Errors
/// An unknown name (the message lists the valid ones) or a value of the wrong type.
pub(crate) fn parse(
    name: &str,
    value: &str,
    current: &Hyperparams,
) -> anyhow::Result<Hyperparameter> {
    use Hyperparameter as H;
    Ok(match name {
        "tempo" => H::Tempo {
            value: number(name, value)?,
        },
        "kappa" => H::Kappa {
            value: number(name, value)?,
        },
        "max_allowed_uids" => H::MaxAllowedUids {
            value: number(name, value)?,
        },
        "max_allowed_validators" => H::MaxAllowedValidators {
            value: number(name, value)?,
        },
        "immunity_period" => H::ImmunityPeriod {
            value: number(name, value)?,
        },
        "activity_cutoff" => H::ActivityCutoff {
            value: number(name, value)?,
        },
        "weights_rate_limit" => H::WeightsRateLimit {
            value: number(name, value)?,
        },
        "weights_version_key" => H::WeightsVersionKey {
            value: number(name, value)?,
        },
        "max_weights_limit" => H::MaxWeightsLimit {
            value: number(name, value)?,
        },
        "min_allowed_weights" => H::MinAllowedWeights {
            value: number(name, value)?,
        },
        "bonds_moving_average" => H::BondsMovingAverage {
            value: number(name, value)?,
        },
        "bonds_penalty" => H::BondsPenalty {
            value: number(name, value)?,
        },
        "liquid_alpha_enabled" => H::LiquidAlphaEnabled {
            value: boolean(name, value)?,
        },
        "alpha_low" => H::AlphaValues {
            low: number(name, value)?,
            high: current.alpha_high,
        },
        "alpha_high" => H::AlphaValues {
            low: current.alpha_low,
            high: number(name, value)?,
        },
        "alpha_values" => {
            let (low, high) = value.split_once(',').with_context(|| {
                format!("reading --value {value:?} of alpha_values: expected LOW,HIGH")
            })?;
            H::AlphaValues {
                low: number(name, low)?,
                high: number(name, high)?,
            }
        }
        "alpha_sigmoid_steepness" => H::AlphaSigmoidSteepness {
            value: number(name, value)?,
        },
        "yuma3_enabled" => H::Yuma3Enabled {
            value: boolean(name, value)?,
        },
        "commit_reveal_enabled" => H::CommitRevealEnabled {
            value: boolean(name, value)?,
        },
        "reveal_period_epochs" => H::RevealPeriodEpochs {
            value: number(name, value)?,
        },
        "registration_allowed" => H::RegistrationAllowed {
            value: boolean(name, value)?,
        },
        "min_burn" => H::MinBurn {
            value: number(name, value)?,
        },
        "max_burn" => H::MaxBurn {
            value: number(name, value)?,
        },
        "burn_half_life" => H::BurnHalfLife {
            value: number(name, value)?,
        },
        "burn_increase_mult_ppm" => H::BurnIncreaseMultPpm {
            value: number(name, value)?,
        },
        "serving_rate_limit" => H::ServingRateLimit {
            value: number(name, value)?,
        },
        "anti_copy_penalty" => H::AntiCopyPenalty {
            value: number(name, value)?,
        },
        _ => bail!(
            "unknown hyperparameter {name:?}; valid names: {}",
            NAMES.join(", ")
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str) -> &'static str {
        match name {
            "liquid_alpha_enabled"
            | "yuma3_enabled"
            | "commit_reveal_enabled"
            | "registration_allowed" => "true",
            "alpha_values" => "100,200",
            "alpha_sigmoid_steepness" => "-3",
            _ => "7",
        }
    }

    #[test]
    fn every_name_is_printed_by_hyperparameters_and_parses_to_itself() {
        let current = Hyperparams::default();
        let printed = serde_json::to_value(&current).expect("serializes");
        let printed = printed.as_object().expect("an object");
        for name in NAMES {
            let param = parse(name, sample(name), &current).expect(name);
            if name.starts_with("alpha_") && name != &"alpha_sigmoid_steepness" {
                assert_eq!(param.name(), "alpha_values");
            } else {
                assert_eq!(param.name(), *name);
            }
            assert!(
                printed.contains_key(*name) || *name == "alpha_values",
                "{name} is not printed"
            );
        }
        // And every printed one is settable.
        for key in printed.keys() {
            assert!(NAMES.contains(&key.as_str()), "{key} cannot be set");
        }
    }

    #[test]
    fn values_and_errors() {
        let current = Hyperparams::default();
        assert_eq!(
            parse("alpha_low", "5", &current).expect("parses"),
            Hyperparameter::AlphaValues {
                low: 5,
                high: current.alpha_high
            }
        );
        assert_eq!(
            parse("alpha_values", "1, 2", &current).expect("parses"),
            Hyperparameter::AlphaValues { low: 1, high: 2 }
        );
        assert_eq!(
            parse("yuma3_enabled", "off", &current).expect("parses"),
            Hyperparameter::Yuma3Enabled { value: false }
        );
        let unknown = parse("tmpo", "1", &current).expect_err("unknown");
        assert!(format!("{unknown:#}").contains("valid names: tempo, kappa"));
        assert!(parse("tempo", "70000", &current).is_err(), "u16 overflow");
        assert!(parse("tempo", "-1", &current).is_err());
        assert!(parse("yuma3_enabled", "maybe", &current).is_err());
        assert!(parse("alpha_values", "1", &current).is_err());
        assert_eq!(
            parse("anti_copy_penalty", "39321", &current).expect("parses"),
            Hyperparameter::AntiCopyPenalty { value: 39_321 }
        );
        assert!(parse("anti_copy_penalty", "65536", &current).is_err());
        assert!(parse("anti_copy_penalty", "0.6", &current).is_err());
    }
}
