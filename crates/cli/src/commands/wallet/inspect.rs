//! `list` and `show`: wallets and their public keys, read without any password.

use anyhow::Context as _;
use serde_json::{Value, json};
use yuma_primitives::AccountId;
use yuma_wallet::Wallet;
use yuma_wallet::{self as wallet, Error};

use super::context::{Context, emit, emit_json, explain};
use crate::failure::Hint;

/// What `list` and `show` print about one wallet.
struct Summary {
    coldkey: Option<AccountId>,
    coldkey_encrypted: Option<bool>,
    hotkeys: Vec<(String, Option<AccountId>)>,
}

impl Summary {
    /// Reads a wallet's public keys. Keys that cannot be read are shown as unknown (with a
    /// warning on stderr) rather than hiding the rest of the wallet.
    fn read(wallet: &Wallet) -> anyhow::Result<Self> {
        let coldkey = known(wallet.coldkeypub());
        let coldkey_encrypted = known(wallet.coldkey_encryption()).map(|e| e.is_encrypted());
        let hotkeys = wallet
            .hotkeys()
            .map_err(|e| explain(e, wallet))
            .with_context(|| format!("listing the hotkeys of wallet {}", wallet.name()))?
            .into_iter()
            .map(|name| {
                let account = known(wallet.hotkeypub(&name));
                (name, account)
            })
            .collect();
        Ok(Self {
            coldkey,
            coldkey_encrypted,
            hotkeys,
        })
    }

    fn to_json(&self, wallet: &Wallet) -> Value {
        let hotkeys: Vec<Value> = self
            .hotkeys
            .iter()
            .map(|(name, account)| json!({"name": name, "ss58": account.map(|a| a.to_ss58())}))
            .collect();
        json!({
            "name": wallet.name(),
            "path": wallet.dir(),
            "coldkey": self.coldkey.map(|a| a.to_ss58()),
            "coldkey_encrypted": self.coldkey_encrypted,
            "hotkeys": hotkeys,
        })
    }

    fn lines(&self, wallet: &Wallet) -> Vec<String> {
        let unknown = || "(unknown)".to_owned();
        let mut lines = vec![format!(
            "{}  coldkey {}{}",
            wallet.name(),
            self.coldkey.map_or_else(unknown, |a| a.to_ss58()),
            match self.coldkey_encrypted {
                Some(true) => " (encrypted)",
                Some(false) => " (not encrypted)",
                None => "",
            }
        )];
        for (name, account) in &self.hotkeys {
            lines.push(format!(
                "  hotkey {name}  {}",
                account.map_or_else(unknown, |a| a.to_ss58())
            ));
        }
        lines
    }
}

/// The value, or `None` for a missing file; other problems are reported on stderr.
fn known<T>(result: Result<T, Error>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(Error::Missing { .. }) => None,
        Err(e) => {
            eprintln!("warning: {e}");
            None
        }
    }
}

pub(super) fn list(ctx: &Context) -> anyhow::Result<()> {
    let names = wallet::list(&ctx.path)
        .with_context(|| format!("listing wallets in {}", ctx.path.display()))?;
    let mut wallets = Vec::new();
    for name in names {
        let wallet = Wallet::new(&ctx.path, &name).context("reading a wallet name")?;
        let summary = Summary::read(&wallet)?;
        wallets.push((wallet, summary));
    }
    if ctx.json {
        let list: Vec<Value> = wallets.iter().map(|(w, s)| s.to_json(w)).collect();
        return emit_json(&json!({"path": ctx.path, "wallets": list}));
    }
    if wallets.is_empty() {
        eprintln!(
            "no wallets in {}; create one with `yuma wallet create`",
            ctx.path.display()
        );
        return Ok(());
    }
    emit(&ctx.path.display().to_string())?;
    for (wallet, summary) in &wallets {
        for line in summary.lines(wallet) {
            emit(&format!("  {line}"))?;
        }
    }
    Ok(())
}

pub(super) fn show(ctx: &Context) -> anyhow::Result<()> {
    let wallet = ctx.wallet()?;
    if !wallet.exists() {
        return Err(Hint {
            message: format!("wallet {} does not exist ({})", wallet.name(), wallet.dir().display()),
            hint: format!(
                "create it with `yuma wallet create --wallet-name {}`, or pick another --wallet-name / --wallet-path",
                wallet.name()
            ),
        }
        .into());
    }
    let summary = Summary::read(&wallet)?;
    if ctx.json {
        return emit_json(&summary.to_json(&wallet));
    }
    emit(&format!("{}", wallet.dir().display()))?;
    for line in summary.lines(&wallet) {
        emit(&line)?;
    }
    Ok(())
}
