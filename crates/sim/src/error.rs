//! Why a scenario could not be read or run.

/// A scenario that cannot be read or run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The scenario text is not valid TOML for a scenario.
    #[error("scenario is not valid: {0}")]
    Parse(String),
    /// A scenario field is out of range.
    #[error("scenario is not valid: {0}")]
    Invalid(String),
    /// A variant name other than `classic`, `yuma3`, `yuma3-liquid`.
    #[error("unknown variant {0:?} (expected classic, yuma3 or yuma3-liquid)")]
    UnknownVariant(String),
    /// A scoring name other than `independent` or `shapley`.
    #[error("unknown scoring {0:?} (expected independent or shapley)")]
    UnknownScoring(String),
    /// The epoch refused the input the simulation built (a bug in the simulation).
    #[error("epoch {epoch} refused the simulated input: {source}")]
    Epoch {
        /// The epoch (tempo) index.
        epoch: u64,
        /// The epoch's error.
        source: yuma_epoch::Error,
    },
}
