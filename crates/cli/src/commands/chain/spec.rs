//! `yuma chain spec`: generate a multi-validator chain spec and its validators' key files.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, Subcommand};
use yuma_node::spec::{ChainSpec, ValidatorKey, key_file_text};

use crate::args::OutputArgs;
use yuma_cli::output;

/// The spec's file name in a folder written by [`write_network`].
pub(crate) const SPEC_FILE: &str = "chain-spec.json";

/// `yuma chain` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum ChainCommand {
    /// Write a chain spec and one consensus key file per validator.
    ///
    /// Writes OUT/chain-spec.json (the genesis and the validators' consensus public keys and
    /// loopback addresses, ports from --base-port) and OUT/validator-I.key (each validator's
    /// ed25519 consensus secret, mode 0600). Consensus keys are separate from account keys.
    /// Start validator I with `yuma node --chain-spec OUT/chain-spec.json --key
    /// OUT/validator-I.key --base-path DIR`.
    #[command(
        after_long_help = "Example:\n  yuma chain spec --validators 4 --out /tmp/yuma-net\n  yuma node --chain-spec /tmp/yuma-net/chain-spec.json --key /tmp/yuma-net/validator-0.key --base-path /tmp/yuma-net/node-0 --rpc-port 9944"
    )]
    Spec(SpecArgs),
}

/// Flags of `yuma chain spec`.
#[derive(Debug, Args)]
pub(crate) struct SpecArgs {
    /// Number of validators.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=100))]
    validators: u16,
    /// Folder to write the spec and key files into (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// P2p port of validator 0; validator I listens on 127.0.0.1:(base-port + I).
    #[arg(long, default_value_t = 30400)]
    base_port: u16,
    /// Minimum milliseconds between a block and the next.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..))]
    block_time: u64,
    /// The chain's name.
    #[arg(long, default_value = "local")]
    name: String,
    #[command(flatten)]
    output: OutputArgs,
}

pub(crate) fn run(command: &ChainCommand) -> anyhow::Result<()> {
    match command {
        ChainCommand::Spec(args) => spec(args),
    }
}

fn spec(args: &SpecArgs) -> anyhow::Result<()> {
    let n = usize::from(args.validators);
    if usize::from(args.base_port) + n > usize::from(u16::MAX) {
        anyhow::bail!(
            "--base-port {} leaves no room for {n} ports",
            args.base_port
        );
    }
    let (spec, keys) = ChainSpec::generate(&args.name, n, args.base_port, args.block_time);
    let (spec_path, key_paths) = write_network(&args.out, &spec, &keys)?;
    if args.output.json {
        let doc = serde_json::json!({
            "spec": spec_path,
            "keys": key_paths,
            "validators": spec.validators,
        });
        output::line(&format!("{doc}"))?;
    } else {
        output::line(&format!("chain spec: {}", spec_path.display()))?;
        for (path, v) in key_paths.iter().zip(&spec.validators) {
            output::line(&format!("{}  {}  {}", path.display(), v.address, v.key))?;
        }
    }
    Ok(())
}

/// Writes `out/chain-spec.json` and `out/validator-I.key` (mode 0600) for each key, creating
/// `out` if missing; returns the spec's path and the key files' paths.
pub(crate) fn write_network(
    out: &Path,
    spec: &ChainSpec,
    keys: &[ValidatorKey],
) -> anyhow::Result<(PathBuf, Vec<PathBuf>)> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let spec_path = out.join(SPEC_FILE);
    let text = serde_json::to_string_pretty(spec).context("encoding the spec")?;
    std::fs::write(&spec_path, text + "\n")
        .with_context(|| format!("writing {}", spec_path.display()))?;
    let mut key_paths = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        let path = key_path(out, i);
        write_secret(&path, &key_file_text(key))
            .with_context(|| format!("writing {}", path.display()))?;
        key_paths.push(path);
    }
    Ok((spec_path, key_paths))
}

/// The key file of validator `i` in a folder written by [`write_network`].
pub(crate) fn key_path(out: &Path, i: usize) -> PathBuf {
    out.join(format!("validator-{i}.key"))
}

/// Writes a file only its owner can read.
fn write_secret(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options.open(path)?.write_all(text.as_bytes())
}
