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
        env = "YUMA_RPC",
        value_parser = node_url
    )]
    pub(crate) rpc: String,
}

/// Accepts an `http://` or `https://` URL with a host, the only kind of node address.
fn node_url(text: &str) -> Result<String, String> {
    let url = reqwest::Url::parse(text).map_err(|e| format!("invalid URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err("invalid URL: expected http://HOST:PORT".into());
    }
    Ok(text.to_owned())
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
    fn unit_interval_takes_numbers_from_0_to_1() {
        assert_eq!(unit_interval("0.1"), Ok(0.1));
        assert!(unit_interval("1.5").is_err() && unit_interval("x").is_err());
    }

    #[test]
    fn node_urls_are_checked() {
        assert!(node_url("http://127.0.0.1:9944").is_ok());
        assert!(node_url("https://node.example:443/rpc").is_ok());
        assert_eq!(
            node_url("notaurl"),
            Err("invalid URL: relative URL without a base".into())
        );
        assert!(node_url("ftp://host").is_err());
        assert!(node_url("http://").is_err());
    }

    #[test]
    fn expands_home_only_at_start() {
        let home = PathBuf::from(std::env::var_os("HOME").expect("HOME is set in tests"));
        assert_eq!(expand_home("~/w"), home.join("w"));
        assert_eq!(expand_home("~"), home);
        assert_eq!(expand_home("/a/~/b"), PathBuf::from("/a/~/b"));
        assert_eq!(expand_home("~other/x"), PathBuf::from("~other/x"));
    }
}

/// What an HTTP server (node RPC, miner, gateway) allows its clients.
#[derive(Debug, Clone, Copy, Args)]
pub(crate) struct ServeLimitArgs {
    /// Connections served at once (more wait to be accepted; a node also stays below its
    /// file limit).
    #[arg(long, default_value_t = yuma_http::Limits::default().max_connections, value_parser = crate::args::positive)]
    max_connections: usize,
    /// Connections one IP address may hold at once (more are closed).
    #[arg(long, default_value_t = yuma_http::Limits::default().max_connections_per_ip, value_parser = crate::args::positive)]
    max_connections_per_ip: usize,
    /// Seconds a client has to send a request's headers, also the longest a connection may
    /// sit idle between requests.
    #[arg(long, default_value_t = yuma_http::Limits::default().header_timeout.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    header_timeout: u64,
    /// Seconds to receive a request's body and answer it (503 past it).
    #[arg(long, default_value_t = yuma_http::Limits::default().request_timeout.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    request_timeout: u64,
    /// Requests per second one IP address may sustain (0: no limit; 429 past it).
    #[arg(long, default_value_t = yuma_http::Limits::default().requests_per_second)]
    rate_limit: u32,
    /// Requests one IP address may send at once above --rate-limit.
    #[arg(long, default_value_t = yuma_http::Limits::default().burst, value_parser = clap::value_parser!(u32).range(1..))]
    rate_burst: u32,
}

impl ServeLimitArgs {
    /// The limits these flags set.
    pub(crate) fn limits(&self) -> yuma_http::Limits {
        yuma_http::Limits {
            max_connections: self.max_connections,
            max_connections_per_ip: self.max_connections_per_ip,
            header_timeout: std::time::Duration::from_secs(self.header_timeout),
            request_timeout: std::time::Duration::from_secs(self.request_timeout),
            requests_per_second: self.rate_limit,
            burst: self.rate_burst,
        }
    }
}

/// A number from 0 to 1.
pub(crate) fn unit_interval(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("{s:?} is not a number from 0 to 1")),
    }
}

/// Parses a whole number of at least 1.
pub(crate) fn positive(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}
