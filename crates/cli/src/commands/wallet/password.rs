//! Where wallet passwords come from: `YUMA_WALLET_PASSWORD` for scripts, else a terminal prompt.

use std::io::IsTerminal as _;
use std::path::Path;

use anyhow::Context as _;
use zeroize::Zeroizing;

use crate::failure::Hint;

/// The environment variable scripts set to give the wallet password.
pub(super) const PASSWORD_ENV: &str = "YUMA_WALLET_PASSWORD";

/// The password for an existing encrypted key file.
pub(super) fn existing(path: &Path) -> anyhow::Result<Zeroizing<String>> {
    if let Some(password) = from_env()? {
        return Ok(password);
    }
    require_terminal(
        path,
        format!("set {PASSWORD_ENV}, or run the command in a terminal"),
    )?;
    prompt(&format!("Password for {}: ", path.display()))
}

/// A password for a new key file: asked twice on a terminal.
pub(super) fn new(path: &Path) -> anyhow::Result<Zeroizing<String>> {
    let password = match from_env()? {
        Some(password) => password,
        None => {
            require_terminal(
                path,
                format!("set {PASSWORD_ENV}, or pass --no-password to store the key unencrypted"),
            )?;
            let first = prompt(&format!("New password for {}: ", path.display()))?;
            let second = prompt("Repeat the password: ")?;
            if first != second {
                anyhow::bail!("the two passwords differ");
            }
            first
        }
    };
    if password.is_empty() {
        return Err(Hint {
            message: "the password is empty".to_owned(),
            hint: "choose a password, or pass --no-password to store the key unencrypted"
                .to_owned(),
        }
        .into());
    }
    Ok(password)
}

fn from_env() -> anyhow::Result<Option<Zeroizing<String>>> {
    match std::env::var(PASSWORD_ENV) {
        Ok(password) => Ok(Some(Zeroizing::new(password))),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => {
            anyhow::bail!("{PASSWORD_ENV} is not valid UTF-8")
        }
    }
}

fn require_terminal(path: &Path, hint: String) -> anyhow::Result<()> {
    if std::io::stdin().is_terminal() {
        return Ok(());
    }
    Err(Hint {
        message: format!(
            "{} needs a password and there is no terminal to ask for it",
            path.display()
        ),
        hint,
    }
    .into())
}

fn prompt(text: &str) -> anyhow::Result<Zeroizing<String>> {
    rpassword::prompt_password(text)
        .map(Zeroizing::new)
        .context("reading the password from the terminal")
}
