//! Flags shared by many commands, defined once and flattened into each command.

use std::path::PathBuf;

use clap::Args;

/// Which wallet and hotkey a command uses, with btcli's spellings and defaults.
#[derive(Debug, Clone, Args)]
pub(crate) struct WalletArgs {
    /// Folder that holds the wallets (btcli's default).
    #[arg(
        long,
        global = true,
        default_value = "~/.bittensor/wallets",
        env = "YUMA_WALLET_PATH"
    )]
    pub(crate) wallet_path: String,
    /// Name of the wallet (a folder under --wallet-path).
    #[arg(
        long,
        global = true,
        default_value = "default",
        env = "YUMA_WALLET_NAME"
    )]
    pub(crate) wallet_name: String,
    /// Name of the hotkey within the wallet.
    #[arg(long, global = true, default_value = "default", env = "YUMA_HOTKEY")]
    pub(crate) hotkey: String,
}

impl WalletArgs {
    /// `--wallet-path` with a leading `~` expanded to the home directory.
    pub(crate) fn path(&self) -> PathBuf {
        expand_home(&self.wallet_path)
    }
}

/// `--json`: print one JSON document on stdout instead of text for people.
#[derive(Debug, Clone, Copy, Args)]
pub(crate) struct OutputArgs {
    /// Print one JSON document on stdout (amounts in rao, keys in SS58), for scripts.
    #[arg(long, global = true)]
    pub(crate) json: bool,
}

/// `--rpc`: the node to talk to.
#[derive(Debug, Clone, Args)]
pub(crate) struct RpcArgs {
    /// JSON-RPC URL of the node.
    #[arg(
        long,
        global = true,
        default_value = "http://127.0.0.1:9944",
        env = "YUMA_RPC"
    )]
    pub(crate) rpc: String,
}

/// Expands a leading `~` or `~/` to `$HOME`; other paths are returned unchanged.
fn expand_home(path: &str) -> PathBuf {
    let home = || std::env::var_os("HOME").map(PathBuf::from);
    match path.strip_prefix('~') {
        Some("") => home().unwrap_or_else(|| PathBuf::from(path)),
        Some(rest) if rest.starts_with('/') => match home() {
            Some(home) => home.join(&rest[1..]),
            None => PathBuf::from(path),
        },
        _ => PathBuf::from(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_home_only_at_start() {
        let home = PathBuf::from(std::env::var_os("HOME").expect("HOME is set in tests"));
        assert_eq!(expand_home("~/w"), home.join("w"));
        assert_eq!(expand_home("~"), home);
        assert_eq!(expand_home("/a/~/b"), PathBuf::from("/a/~/b"));
        assert_eq!(expand_home("~other/x"), PathBuf::from("~other/x"));
    }
}
