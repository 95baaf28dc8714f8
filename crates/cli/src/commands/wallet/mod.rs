//! `yuma wallet ...`: create, regenerate, list and use wallets, with btcli's files and flags.
//!
//! Wallets live where btcli keeps them (`--wallet-path`, `~/.bittensor/wallets`), in the same
//! files, so btcli and the Python SDK open what `yuma` makes and the other way round. Coldkeys
//! are encrypted unless `--no-password`; hotkeys are plain unless `--use-password`, since miners
//! and validators sign with them unattended. Passwords come from `YUMA_WALLET_PASSWORD` or a
//! terminal prompt. Mnemonics are printed once, when a key is created; no other secret is ever
//! printed.

mod context;
mod create;
mod inspect;
mod password;
mod signing;

pub(crate) use signing::{unlock_coldkey, unlock_hotkey};

use context::Context;

use clap::{Args, Subcommand};

use crate::args::{OutputArgs, WalletArgs};

/// Manage wallets: coldkeys, hotkeys, signatures.
#[derive(Debug, Args)]
#[command(after_long_help = "Example:\n  yuma wallet create --wallet-name alice")]
pub(crate) struct WalletCommand {
    #[command(subcommand)]
    command: WalletSubcommand,
    #[command(flatten)]
    wallet: WalletArgs,
    #[command(flatten)]
    output: OutputArgs,
}

/// The verbs of `yuma wallet`.
#[derive(Debug, Subcommand)]
enum WalletSubcommand {
    /// Create a wallet: a new coldkey and a new hotkey.
    ///
    /// The coldkey is encrypted with a password (asked twice, or taken from
    /// YUMA_WALLET_PASSWORD) unless --no-password; the hotkey is not encrypted. Both mnemonics
    /// are printed once: write them down, they are the only way to recover the keys.
    #[command(
        after_long_help = "Example:\n  yuma wallet create --wallet-name alice --hotkey miner"
    )]
    Create(create::CreateArgs),
    /// Create a new coldkey in the wallet.
    #[command(
        after_long_help = "Example:\n  yuma wallet new-coldkey --wallet-name alice --n-words 24"
    )]
    NewColdkey(create::ColdkeyArgs),
    /// Create a new hotkey in the wallet.
    #[command(
        after_long_help = "Example:\n  yuma wallet new-hotkey --wallet-name alice --hotkey miner2"
    )]
    NewHotkey(create::HotkeyArgs),
    /// Restore a coldkey from its mnemonic.
    #[command(
        after_long_help = "Example:\n  yuma wallet regen-coldkey --wallet-name alice --mnemonic \"word1 word2 ... word12\""
    )]
    RegenColdkey(create::RegenColdkeyArgs),
    /// Restore a hotkey from its mnemonic.
    #[command(
        after_long_help = "Example:\n  yuma wallet regen-hotkey --wallet-name alice --hotkey miner --mnemonic \"word1 ... word12\""
    )]
    RegenHotkey(create::RegenHotkeyArgs),
    /// List the wallets under --wallet-path with their keys' addresses.
    #[command(after_long_help = "Example:\n  yuma wallet list --json")]
    List,
    /// Show one wallet: its coldkey and hotkey addresses.
    #[command(after_long_help = "Example:\n  yuma wallet show --wallet-name alice --json")]
    Show,
    /// Sign a message with the coldkey (or the hotkey), as `btcli wallet sign` does.
    ///
    /// The signature is sr25519 (signing context "substrate") over the UTF-8 bytes of the
    /// message, printed as 0x-prefixed hex.
    #[command(after_long_help = "Example:\n  yuma wallet sign --message hello --use-hotkey --json")]
    Sign(signing::SignArgs),
    /// Check a signature made by `yuma wallet sign` or btcli; exit 1 if it is not valid.
    #[command(
        after_long_help = "Example:\n  yuma wallet verify --message hello --signature 0x1234... --address 5F..."
    )]
    Verify(signing::VerifyArgs),
}

/// Runs `yuma wallet <verb>`.
pub(crate) fn run(command: WalletCommand) -> anyhow::Result<()> {
    let WalletCommand {
        command,
        wallet,
        output,
    } = command;
    let ctx = Context {
        path: wallet.path(),
        name: wallet.wallet_name,
        hotkey: wallet.hotkey,
        json: output.json,
    };
    match command {
        WalletSubcommand::Create(args) => create::create(&ctx, &args),
        WalletSubcommand::NewColdkey(args) => create::new_coldkey(&ctx, &args),
        WalletSubcommand::NewHotkey(args) => create::new_hotkey(&ctx, &args),
        WalletSubcommand::RegenColdkey(args) => create::regen_coldkey(&ctx, &args),
        WalletSubcommand::RegenHotkey(args) => create::regen_hotkey(&ctx, &args),
        WalletSubcommand::List => inspect::list(&ctx),
        WalletSubcommand::Show => inspect::show(&ctx),
        WalletSubcommand::Sign(args) => signing::sign(&ctx, &args),
        WalletSubcommand::Verify(args) => signing::verify(&ctx, &args),
    }
}
