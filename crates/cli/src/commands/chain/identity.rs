//! `yuma subnet set-identity`: publish what a subnet is and which task program its validators
//! run; and the identity's lines in `yuma subnet info`.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;
use serde_json::json;
use yuma_cli::output;
use yuma_client::{Call, Client, SubnetIdentity};
use yuma_primitives::NetUid;
use yuma_runtime::hash::{Hash, blake2b_256};
use yuma_runtime::identity::TASK_PROTOCOL;

use super::{ChainArgs, rpc_error, submit_and_wait};
use crate::failure::Refused;

/// Largest task program `--task-file` reads (a task program is a script or a small binary).
const MAX_TASK_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Flags of `yuma subnet set-identity`.
#[derive(Debug, Args)]
pub(crate) struct SetIdentityArgs {
    /// The subnet.
    netuid: u16,
    /// The subnet's name (1 to 64 bytes, no control characters).
    #[arg(long)]
    name: String,
    /// What the subnet does (at most 1024 bytes; newlines and tabs allowed).
    #[arg(long, default_value = "")]
    description: String,
    /// The task program validators run: its blake2b-256 is published (files up to 64 MiB).
    #[arg(long, value_name = "FILE", conflicts_with = "task_hash")]
    task_file: Option<PathBuf>,
    /// The task program's blake2b-256 as 0x and 64 hex digits, instead of --task-file.
    #[arg(long, value_name = "0xHEX", value_parser = task_hash)]
    task_hash: Option<Hash>,
    /// Where to get the task program (at most 256 bytes; empty: not published).
    #[arg(long, value_name = "URL", default_value = "")]
    task_url: String,
    /// The task protocol version the program speaks.
    #[arg(long, value_name = "VERSION", default_value_t = TASK_PROTOCOL)]
    task_protocol: u16,
}

/// Parses `0x` followed by 64 hex digits.
fn task_hash(text: &str) -> Result<Hash, String> {
    let digits = text
        .strip_prefix("0x")
        .ok_or("expected 0x followed by 64 hex digits")?;
    let bytes = hex::decode(digits).map_err(|e| format!("not hex: {e}"))?;
    bytes
        .try_into()
        .map_err(|b: Vec<u8>| format!("{} bytes, expected 32", b.len()))
}

/// blake2b-256 of the file at `path`, refusing files over [`MAX_TASK_FILE_BYTES`].
pub(crate) fn hash_file(path: &Path) -> anyhow::Result<Hash> {
    let file = std::fs::File::open(path)
        .with_context(|| format!("reading task file {}", path.display()))?;
    let mut bytes = Vec::new();
    // One byte more than the cap tells a file over it, even one still growing.
    file.take(MAX_TASK_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading task file {}", path.display()))?;
    if bytes.len() as u64 > MAX_TASK_FILE_BYTES {
        anyhow::bail!(
            "task file {} is over the {} MiB limit",
            path.display(),
            MAX_TASK_FILE_BYTES / (1024 * 1024)
        );
    }
    Ok(blake2b_256(&[&bytes]))
}

impl SetIdentityArgs {
    /// The identity the flags describe, checked by the chain's own rules before anything is
    /// sent.
    fn identity(&self) -> anyhow::Result<SubnetIdentity> {
        let task_hash = match (&self.task_file, self.task_hash) {
            (Some(path), _) => Some(hash_file(path)?),
            (None, hash) => hash,
        };
        let identity = SubnetIdentity {
            name: self.name.clone(),
            description: self.description.clone(),
            task_protocol: self.task_protocol,
            task_hash,
            task_url: self.task_url.clone(),
        };
        identity.check().context("invalid identity")?;
        Ok(identity)
    }
}

/// `yuma subnet set-identity`: as the subnet's owner coldkey (or the sudo key).
pub(crate) fn set(
    chain: &ChainArgs,
    client: &Client,
    rt: &tokio::runtime::Runtime,
    args: &SetIdentityArgs,
) -> anyhow::Result<()> {
    let identity = args.identity()?;
    let netuid = NetUid(args.netuid);
    let coldkey = chain.signer.coldkey()?;
    rt.block_on(client.subnet(netuid))
        .map_err(rpc_error)
        .context("reading the subnet")?
        .ok_or_else(|| Refused(format!("no subnet {}", netuid.0)))?;
    let result = rt.block_on(submit_and_wait(
        client,
        &coldkey,
        Call::SetSubnetIdentity {
            netuid,
            identity: identity.clone(),
        },
    ))?;
    if chain.output.json {
        return Ok(output::json(&json!({
            "netuid": netuid.0,
            "identity": identity,
            "submit": result,
        }))?);
    }
    output::line(&format!(
        "set the identity of subnet {} to {:?}",
        netuid.0, identity.name
    ))?;
    if let Some(hash) = identity.task_hash {
        output::line(&format!("task hash 0x{}", hex::encode(hash)))?;
    }
    Ok(())
}

/// The identity's lines in `yuma subnet info`, labels padded to `width`.
pub(crate) fn lines(identity: Option<&SubnetIdentity>, width: usize) -> Vec<String> {
    let Some(id) = identity else {
        return vec![format!(
            "{:<width$}none (the owner sets one with `yuma subnet set-identity`)",
            "identity"
        )];
    };
    let mut out = vec![format!("{:<width$}{}", "name", id.name)];
    // Continuation lines of a multi-line description line up under its first line.
    let description = if id.description.is_empty() {
        "-".to_string()
    } else {
        id.description
            .replace('\n', &format!("\n{:width$}", ""))
            .replace('\t', "    ")
    };
    out.push(format!("{:<width$}{description}", "description"));
    out.push(format!("{:<width$}{}", "task protocol", id.task_protocol));
    out.push(format!(
        "{:<width$}{}",
        "task hash",
        id.task_hash
            .map_or_else(|| "-".to_string(), |h| format!("0x{}", hex::encode(h)))
    ));
    let url = if id.task_url.is_empty() {
        "-"
    } else {
        &id.task_url
    };
    out.push(format!("{:<width$}{url}", "task url"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_hash_needs_0x_and_32_bytes() {
        let hex = "ab".repeat(32);
        assert_eq!(task_hash(&format!("0x{hex}")), Ok([0xab; 32]));
        assert!(task_hash(&hex).is_err());
        assert!(task_hash("0xabcd").unwrap_err().contains("2 bytes"));
        assert!(task_hash(&format!("0x{}", "zz".repeat(32))).is_err());
    }

    #[test]
    fn task_file_hash_is_blake2b_256_of_its_bytes() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("task.py");
        std::fs::write(&path, b"abc").expect("writes");
        assert_eq!(
            hex::encode(hash_file(&path).expect("hashes")),
            "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"
        );
        let missing = hash_file(&dir.path().join("missing.py")).unwrap_err();
        assert!(format!("{missing:#}").contains("reading task file"));
    }

    #[test]
    fn a_missing_identity_says_how_to_set_one() {
        let text = lines(None, 16).join("\n");
        assert!(text.contains("yuma subnet set-identity"), "{text}");
        let id = SubnetIdentity {
            name: "tabular".into(),
            description: "line one\nline two".into(),
            task_protocol: 1,
            task_hash: None,
            task_url: String::new(),
        };
        let text = lines(Some(&id), 16);
        assert_eq!(text[0], format!("{:<16}tabular", "name"));
        assert_eq!(
            text[1],
            format!("{:<16}line one\n{:16}line two", "description", "")
        );
    }
}
