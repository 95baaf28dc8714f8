//! `create`, `new-coldkey`, `new-hotkey`, `regen-coldkey`, `regen-hotkey`: write new key files.
//!
//! Every command plans its keys first, checks that none of their files exists (unless
//! `--overwrite`), asks for the password, and only then writes, so a refusal changes nothing.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use serde_json::json;
use yuma_keys::{Mnemonic, Pair};
use yuma_wallet::Wallet;
use yuma_wallet::{self as wallet, Save};
use zeroize::Zeroizing;

use super::context::{Context, emit, emit_json, explain};
use super::password;

/// `--n-words`: length of a new mnemonic.
#[derive(Debug, Args)]
pub(super) struct WordsArg {
    /// Number of words in the new mnemonic.
    #[arg(long, default_value_t = 12, value_parser = parse_word_count)]
    n_words: usize,
}

fn parse_word_count(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if Mnemonic::WORD_COUNTS.contains(&n) => Ok(n),
        _ => Err("a mnemonic has 12, 15, 18, 21 or 24 words".to_owned()),
    }
}

/// `--overwrite`.
#[derive(Debug, Args)]
pub(super) struct OverwriteArg {
    /// Replace existing key files; their keys are lost unless you kept the mnemonics.
    #[arg(long)]
    overwrite: bool,
}

/// `--mnemonic`.
#[derive(Debug, Args)]
pub(super) struct MnemonicArg {
    /// The mnemonic to restore, as one quoted argument or as separate words.
    #[arg(long, required = true, num_args = 1.., value_name = "WORDS")]
    mnemonic: Vec<String>,
}

/// Flags of `yuma wallet create`.
#[derive(Debug, Args)]
pub(super) struct CreateArgs {
    #[command(flatten)]
    words: WordsArg,
    /// Store the coldkey unencrypted, without a password.
    #[arg(long)]
    no_password: bool,
    #[command(flatten)]
    overwrite: OverwriteArg,
}

/// Flags of `yuma wallet new-coldkey`.
#[derive(Debug, Args)]
pub(super) struct ColdkeyArgs {
    #[command(flatten)]
    words: WordsArg,
    /// Store the coldkey unencrypted, without a password.
    #[arg(long)]
    no_password: bool,
    #[command(flatten)]
    overwrite: OverwriteArg,
}

/// Flags of `yuma wallet new-hotkey`.
#[derive(Debug, Args)]
pub(super) struct HotkeyArgs {
    #[command(flatten)]
    words: WordsArg,
    /// Encrypt the hotkey with a password (hotkeys are plain by default, as in btcli).
    #[arg(long)]
    use_password: bool,
    #[command(flatten)]
    overwrite: OverwriteArg,
}

/// Flags of `yuma wallet regen-coldkey`.
#[derive(Debug, Args)]
pub(super) struct RegenColdkeyArgs {
    #[command(flatten)]
    mnemonic: MnemonicArg,
    /// Store the coldkey unencrypted, without a password.
    #[arg(long)]
    no_password: bool,
    #[command(flatten)]
    overwrite: OverwriteArg,
}

/// Flags of `yuma wallet regen-hotkey`.
#[derive(Debug, Args)]
pub(super) struct RegenHotkeyArgs {
    #[command(flatten)]
    mnemonic: MnemonicArg,
    /// Encrypt the hotkey with a password (hotkeys are plain by default, as in btcli).
    #[arg(long)]
    use_password: bool,
    #[command(flatten)]
    overwrite: OverwriteArg,
}

/// Which key of the wallet.
enum Role {
    Coldkey,
    Hotkey(String),
}

/// One key to write.
struct Planned {
    role: Role,
    mnemonic: Mnemonic,
    /// Whether the mnemonic is new, and so must be shown once.
    generated: bool,
    encrypt: bool,
}

impl Planned {
    fn generate(role: Role, words: &WordsArg, encrypt: bool) -> anyhow::Result<Self> {
        Ok(Self {
            role,
            mnemonic: Mnemonic::generate(words.n_words).context("generating a mnemonic")?,
            generated: true,
            encrypt,
        })
    }

    fn restore(role: Role, words: &MnemonicArg, encrypt: bool) -> anyhow::Result<Self> {
        let phrase = Zeroizing::new(words.mnemonic.join(" "));
        Ok(Self {
            role,
            mnemonic: Mnemonic::parse(&phrase).context("reading --mnemonic")?,
            generated: false,
            encrypt,
        })
    }

    /// The secret and public files this key is written to.
    fn paths(&self, wallet: &Wallet) -> [PathBuf; 2] {
        match &self.role {
            Role::Coldkey => [wallet.coldkey_path(), wallet.coldkeypub_path()],
            Role::Hotkey(name) => [wallet.hotkey_path(name), wallet.hotkeypub_path(name)],
        }
    }
}

pub(super) fn create(ctx: &Context, args: &CreateArgs) -> anyhow::Result<()> {
    let plan = vec![
        Planned::generate(Role::Coldkey, &args.words, !args.no_password)?,
        Planned::generate(Role::Hotkey(ctx.hotkey.clone()), &args.words, false)?,
    ];
    write_keys(ctx, plan, args.overwrite.overwrite)
}

pub(super) fn new_coldkey(ctx: &Context, args: &ColdkeyArgs) -> anyhow::Result<()> {
    let plan = vec![Planned::generate(
        Role::Coldkey,
        &args.words,
        !args.no_password,
    )?];
    write_keys(ctx, plan, args.overwrite.overwrite)
}

pub(super) fn new_hotkey(ctx: &Context, args: &HotkeyArgs) -> anyhow::Result<()> {
    let role = Role::Hotkey(ctx.hotkey.clone());
    let plan = vec![Planned::generate(role, &args.words, args.use_password)?];
    write_keys(ctx, plan, args.overwrite.overwrite)
}

pub(super) fn regen_coldkey(ctx: &Context, args: &RegenColdkeyArgs) -> anyhow::Result<()> {
    let plan = vec![Planned::restore(
        Role::Coldkey,
        &args.mnemonic,
        !args.no_password,
    )?];
    write_keys(ctx, plan, args.overwrite.overwrite)
}

pub(super) fn regen_hotkey(ctx: &Context, args: &RegenHotkeyArgs) -> anyhow::Result<()> {
    let role = Role::Hotkey(ctx.hotkey.clone());
    let plan = vec![Planned::restore(role, &args.mnemonic, args.use_password)?];
    write_keys(ctx, plan, args.overwrite.overwrite)
}

/// Checks, asks for passwords, writes and reports the planned keys.
fn write_keys(ctx: &Context, plan: Vec<Planned>, overwrite: bool) -> anyhow::Result<()> {
    let wallet = ctx.wallet()?;
    for key in &plan {
        if let Role::Hotkey(name) = &key.role {
            wallet::check_hotkey_name(name).context("choosing the hotkey")?;
        }
        if !overwrite {
            let existing = key.paths(&wallet).into_iter().find(|p| p.exists());
            if let Some(path) = existing {
                return Err(explain(wallet::Error::Exists { path }, &wallet));
            }
        }
    }

    let mut created = Vec::new();
    for key in &plan {
        let [secret_path, _] = key.paths(&wallet);
        let password = match key.encrypt {
            true => Some(password::new(&secret_path)?),
            false => None,
        };
        let pair = Pair::from_mnemonic(&key.mnemonic);
        let save = Save {
            password: password.as_deref().map(String::as_str),
            overwrite,
        };
        if key.encrypt {
            eprintln!(
                "encrypting {} (this takes a few seconds)",
                secret_path.display()
            );
        }
        let saved = match &key.role {
            Role::Coldkey => wallet.save_coldkey(&pair, Some(&key.mnemonic), save),
            Role::Hotkey(name) => wallet.save_hotkey(name, &pair, Some(&key.mnemonic), save),
        };
        saved
            .map_err(|e| explain(e, &wallet))
            .with_context(|| format!("saving {}", secret_path.display()))?;
        created.push((key, pair.public(), secret_path));
    }

    if ctx.json {
        let keys: Vec<_> = created
            .iter()
            .map(|(key, account, path)| {
                let (kind, name) = match &key.role {
                    Role::Coldkey => ("coldkey", wallet.name()),
                    Role::Hotkey(name) => ("hotkey", name.as_str()),
                };
                let mut entry = json!({
                    "key": kind,
                    "name": name,
                    "ss58": account.to_ss58(),
                    "path": path,
                    "encrypted": key.encrypt,
                });
                if key.generated {
                    // The user asked for a new key: this is their one chance to record it.
                    entry["mnemonic"] = json!(key.mnemonic.phrase().as_str());
                }
                entry
            })
            .collect();
        return emit_json(&json!({
            "name": wallet.name(),
            "path": wallet.dir(),
            "created": keys,
        }));
    }
    for (key, account, path) in &created {
        let what = match &key.role {
            Role::Coldkey => format!("coldkey of wallet {}", wallet.name()),
            Role::Hotkey(name) => format!("hotkey {name}"),
        };
        let protection = if key.encrypt {
            "encrypted"
        } else {
            "not encrypted"
        };
        emit(&format!(
            "{what}: {account} ({protection}, {})",
            path.display()
        ))?;
        if key.generated {
            emit(&format!(
                "  mnemonic, shown only now; write it down, it is the only way to recover this key:\n  {}",
                key.mnemonic.phrase().as_str()
            ))?;
        }
    }
    Ok(())
}
