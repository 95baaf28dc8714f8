//! What the wallet commands share: the resolved flags, their output, and wallet errors
//! explained with the next step.

use anyhow::Context as _;
use yuma_cli::output;
use yuma_wallet::{self as wallet, Wallet};

use super::password;
use crate::failure::Hint;

/// The shared flags, resolved once.
pub(super) struct Context {
    /// `--wallet-path` with `~` expanded.
    pub(super) path: std::path::PathBuf,
    /// `--wallet-name`.
    pub(super) name: String,
    /// `--hotkey`.
    pub(super) hotkey: String,
    /// `--json`.
    pub(super) json: bool,
}

impl Context {
    /// The wallet `--wallet-name` under `--wallet-path`.
    pub(super) fn wallet(&self) -> anyhow::Result<Wallet> {
        Wallet::new(&self.path, &self.name).context("choosing the wallet")
    }
}

/// Turns a wallet error into an error for people, with the obvious next step as a hint.
pub(super) fn explain(error: wallet::Error, wallet: &Wallet) -> anyhow::Error {
    let name = wallet.name();
    let hint = match &error {
        wallet::Error::Missing { path }
            if path.ends_with("coldkeypub.txt") || path.ends_with("coldkey") =>
        {
            Some(format!(
                "create it with `yuma wallet create --wallet-name {name}`, or restore it with `yuma wallet regen-coldkey --wallet-name {name} --mnemonic ...`"
            ))
        }
        wallet::Error::Missing { .. } => Some(format!(
            "create it with `yuma wallet new-hotkey --wallet-name {name} --hotkey <name>`"
        )),
        wallet::Error::Exists { .. } => Some(
            "pass --overwrite to replace it (the old key is lost unless you have its mnemonic)"
                .to_owned(),
        ),
        e if e.is_wrong_password() => Some(format!(
            "check the password (or {})",
            password::PASSWORD_ENV
        )),
        _ => None,
    };
    match hint {
        Some(hint) => anyhow::Error::new(Hint {
            message: error.to_string(),
            hint,
        }),
        None => anyhow::Error::new(error),
    }
}

/// Prints one line on stdout.
pub(super) fn emit(text: &str) -> anyhow::Result<()> {
    output::line(text).context("writing to stdout")
}

/// Prints one JSON document on stdout.
pub(super) fn emit_json(value: &serde_json::Value) -> anyhow::Result<()> {
    output::json(value).context("writing to stdout")
}
