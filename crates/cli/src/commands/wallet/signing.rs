//! `sign` and `verify`: sr25519 signatures over a message's UTF-8 bytes, as btcli makes them.

use std::path::Path;

use anyhow::Context as _;
use clap::Args;
use serde_json::json;
use yuma_keys::{Pair, SIGNATURE_LEN};
use yuma_primitives::AccountId;
use yuma_wallet::keyfile::Encryption;
use yuma_wallet::{self as wallet, Wallet};

use super::context::{Context, emit, emit_json, explain};
use super::password;
use crate::failure::Refused;

/// Flags of `yuma wallet sign`.
#[derive(Debug, Args)]
pub(super) struct SignArgs {
    /// The message to sign; its UTF-8 bytes are signed.
    #[arg(long)]
    message: String,
    /// Sign with the hotkey (--hotkey) instead of the coldkey.
    #[arg(long)]
    use_hotkey: bool,
}

/// Flags of `yuma wallet verify`.
#[derive(Debug, Args)]
pub(super) struct VerifyArgs {
    /// The message that was signed.
    #[arg(long)]
    message: String,
    /// The signature: 64 bytes as hex, with or without 0x.
    #[arg(long)]
    signature: String,
    /// The signer: an SS58 address, or a public key as 0x-prefixed hex.
    #[arg(long)]
    address: String,
}

pub(super) fn sign(ctx: &Context, args: &SignArgs) -> anyhow::Result<()> {
    let wallet = ctx.wallet()?;
    let pair = if args.use_hotkey {
        unlock_hotkey(&wallet, &ctx.hotkey)?
    } else {
        unlock_coldkey(&wallet)?
    };
    let signature = format!("0x{}", hex::encode(pair.sign(args.message.as_bytes())));
    let signer = pair.public().to_ss58();
    if ctx.json {
        return emit_json(&json!({"signature": signature, "signer": signer}));
    }
    eprintln!("signed by {signer}");
    emit(&signature)
}

pub(super) fn verify(ctx: &Context, args: &VerifyArgs) -> anyhow::Result<()> {
    let signer = parse_signer(&args.address)?;
    let digits = args.signature.trim();
    let digits = digits.strip_prefix("0x").unwrap_or(digits);
    let mut signature = [0; SIGNATURE_LEN];
    hex::decode_to_slice(digits, &mut signature)
        .with_context(|| format!("--signature must be {SIGNATURE_LEN} bytes of hex"))?;
    let valid = yuma_keys::verify(&signer, args.message.as_bytes(), &signature);
    if ctx.json {
        emit_json(&json!({"valid": valid, "signer": signer.to_ss58()}))?;
    } else if valid {
        emit(&format!("valid signature by {signer}"))?;
    }
    if !valid {
        return Err(Refused(format!(
            "the signature is not {signer}'s signature of this message"
        )))
        .context("verifying the signature");
    }
    Ok(())
}

/// An SS58 address or a 0x-hex public key.
fn parse_signer(text: &str) -> anyhow::Result<AccountId> {
    if let Some(digits) = text.strip_prefix("0x") {
        let mut key = [0; 32];
        hex::decode_to_slice(digits, &mut key)
            .context("--address as hex must be a 32-byte public key")?;
        return Ok(AccountId(key));
    }
    AccountId::from_ss58(text).with_context(|| format!("reading --address {text:?}"))
}

/// The wallet's coldkey, asking for its password when the file is encrypted.
pub(crate) fn unlock_coldkey(wallet: &Wallet) -> anyhow::Result<Pair> {
    unlock(
        wallet,
        "the coldkey",
        &wallet.coldkey_path(),
        wallet.coldkey_encryption(),
        |password| wallet.coldkey(password),
    )
}

/// The wallet's hotkey `hotkey`, asking for a password only if the file is encrypted.
pub(crate) fn unlock_hotkey(wallet: &Wallet, hotkey: &str) -> anyhow::Result<Pair> {
    unlock(
        wallet,
        &format!("hotkey {hotkey}"),
        &wallet.hotkey_path(hotkey),
        wallet.hotkey_encryption(hotkey),
        |password| wallet.hotkey(hotkey, password),
    )
}

fn unlock(
    wallet: &Wallet,
    what: &str,
    path: &Path,
    encryption: Result<Encryption, wallet::Error>,
    open: impl FnOnce(Option<&str>) -> Result<Pair, wallet::Error>,
) -> anyhow::Result<Pair> {
    let encrypted = encryption
        .map_err(|e| explain(e, wallet))
        .with_context(|| format!("reading {what}"))?
        .is_encrypted();
    let password = if encrypted {
        let password = password::existing(path)?;
        eprintln!("unlocking {} (this takes a few seconds)", path.display());
        Some(password)
    } else {
        None
    };
    open(password.as_deref().map(String::as_str))
        .map_err(|e| explain(e, wallet))
        .with_context(|| format!("unlocking {what}"))
}
