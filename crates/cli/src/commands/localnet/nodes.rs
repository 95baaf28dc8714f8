//! Localnet's validator nodes when `--validators N` asks for more than one: a chain spec of N
//! validators and their consensus keys in `<data-dir>/nodes`, and one `yuma node` child process
//! per validator (data in `<data-dir>/nodes/node-I`, log in `<data-dir>/logs/node-I.log`).
//!
//! The spec is written once and reused on restart, so a stopped localnet resumes its chain.
//! Ports are fixed when the spec is written (p2p) or when localnet starts (RPC), because a
//! restarted node must come back where its peers and the neurons expect it.

use std::ffi::OsString;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;

use anyhow::Context as _;
use yuma_node::spec::ChainSpec;

use yuma_cli::process::{Ready, free_ports};

use super::children::Spec;
use crate::commands::chain::spec::{SPEC_FILE, key_path, write_network};
use crate::failure::Hint;

/// The child specs of `n` validator nodes under `root`, writing the chain spec and keys on the
/// first run. Node I serves RPC on `rpc_ports[I]`.
///
/// # Errors
/// When the folder holds a spec for another number of validators, or files cannot be written.
pub(super) fn prepare(
    root: &Path,
    logs: &Path,
    n: usize,
    block_time_ms: u64,
    rpc_ports: &[u16],
) -> anyhow::Result<Vec<Spec>> {
    let spec_path = root.join(SPEC_FILE);
    if spec_path.exists() {
        let spec = ChainSpec::load(&spec_path).context("reading localnet's chain spec")?;
        if spec.validators.len() != n {
            return Err(anyhow::Error::new(Hint {
                message: format!(
                    "{} holds a chain of {} validators, not {n}",
                    root.display(),
                    spec.validators.len()
                ),
                hint: format!(
                    "pass --validators {}, or --fresh to start a new chain",
                    spec.validators.len()
                ),
            }));
        }
    } else {
        let p2p = free_ports(n).context("finding free p2p ports")?;
        let (mut spec, keys) = ChainSpec::generate("localnet", n, 0, block_time_ms);
        for (validator, port) in spec.validators.iter_mut().zip(p2p) {
            validator.address = SocketAddr::new(Ipv4Addr::LOCALHOST.into(), port);
        }
        write_network(root, &spec, &keys)?;
    }
    Ok(rpc_ports
        .iter()
        .enumerate()
        .map(|(i, port)| {
            let mut args: Vec<OsString> = vec!["node".into(), "--chain-spec".into()];
            args.push(spec_path.clone().into());
            args.push("--key".into());
            args.push(key_path(root, i).into());
            args.push("--base-path".into());
            args.push(root.join(format!("node-{i}")).into());
            args.push("--rpc-port".into());
            args.push(port.to_string().into());
            Spec {
                name: format!("node-{i}"),
                args,
                log: logs.join(format!("node-{i}.log")),
                ready: Ready::Rpc,
            }
        })
        .collect())
}

/// The RPC ports of `n` nodes: `first`, `first + 1`, ..., or free ones when `first` is 0.
///
/// # Errors
/// When the range passes port 65535, or no free port can be found.
pub(super) fn rpc_ports(first: u16, n: usize) -> anyhow::Result<Vec<u16>> {
    if first == 0 {
        return free_ports(n).context("finding free RPC ports");
    }
    (0..n)
        .map(|i| {
            u16::try_from(usize::from(first) + i)
                .ok()
                .with_context(|| format!("--rpc-port {first} leaves no room for {n} nodes' ports"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepare_writes_once_and_refuses_another_size() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let root = dir.path().join("nodes");
        let specs = prepare(&root, dir.path(), 4, 200, &[1, 2, 3, 4]).expect("prepares");
        assert_eq!(specs.len(), 4);
        assert_eq!(specs[3].name, "node-3");
        let spec = std::fs::read_to_string(root.join(SPEC_FILE)).expect("spec written");
        // A second run reuses the same spec and keys.
        prepare(&root, dir.path(), 4, 200, &[1, 2, 3, 4]).expect("reuses");
        let again = std::fs::read_to_string(root.join(SPEC_FILE)).expect("spec kept");
        assert_eq!(spec, again);
        assert!(prepare(&root, dir.path(), 3, 200, &[1, 2, 3]).is_err());
    }

    #[test]
    fn rpc_ports_are_consecutive_or_free() {
        assert_eq!(rpc_ports(9944, 3).expect("fits"), [9944, 9945, 9946]);
        assert!(rpc_ports(65534, 3).is_err());
        let free = rpc_ports(0, 4).expect("free ports");
        assert_eq!(free.len(), 4);
        assert!(free.iter().all(|&p| p != 0));
    }
}
