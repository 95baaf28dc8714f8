//! The data folder of a localnet: where the chain, wallets, logs, status files and the
//! gateway's ledger live, and how `--fresh` clears it without touching anything else.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::failure::Hint;

/// Folders `--fresh` may delete inside the data dir; anything else makes it refuse.
const OWN_ENTRIES: [&str; 6] = ["chain", "nodes", "wallets", "logs", "status", "gateway"];

/// The data dir's folders.
pub(super) struct Dirs {
    pub(super) chain: PathBuf,
    pub(super) nodes: PathBuf,
    pub(super) wallets: PathBuf,
    pub(super) logs: PathBuf,
    pub(super) status: PathBuf,
    pub(super) gateway: PathBuf,
}

impl Dirs {
    pub(super) fn new(root: &Path) -> Self {
        Self {
            chain: root.join("chain"),
            nodes: root.join("nodes"),
            wallets: root.join("wallets"),
            logs: root.join("logs"),
            status: root.join("status"),
            gateway: root.join("gateway"),
        }
    }

    pub(super) fn status_file(&self, name: &str) -> PathBuf {
        self.status.join(format!("{name}.json"))
    }
}

/// Deletes what a previous localnet left in `root`, refusing folders it did not make.
pub(super) fn wipe(root: &Path) -> anyhow::Result<()> {
    let entries = match std::fs::read_dir(root) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", root.display())),
    };
    let mut own = Vec::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("reading {}", root.display()))?;
        let name = entry.file_name();
        if !OWN_ENTRIES.iter().any(|own| name == *own) {
            return Err(anyhow::Error::new(Hint {
                message: format!(
                    "--fresh: {} holds {:?}, which localnet did not make; nothing was deleted",
                    root.display(),
                    name
                ),
                hint: "pass the localnet's own folder as --data-dir".to_owned(),
            }));
        }
        own.push(entry.path());
    }
    for path in own {
        std::fs::remove_dir_all(&path).with_context(|| format!("deleting {}", path.display()))?;
    }
    eprintln!(
        "yuma: --fresh: deleted the chain, nodes, wallets, logs and gateway ledger in {}",
        root.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(super) fn fresh_refuses_foreign_folders() {
        let dir = tempfile::tempdir().expect("a temp dir");
        std::fs::create_dir(dir.path().join("chain")).expect("creates");
        std::fs::write(dir.path().join("notes.txt"), "mine").expect("writes");
        assert!(wipe(dir.path()).is_err());
        assert!(dir.path().join("chain").exists());
        std::fs::remove_file(dir.path().join("notes.txt")).expect("removes");
        wipe(dir.path()).expect("wipes its own folders");
        assert!(!dir.path().join("chain").exists());
        wipe(&dir.path().join("absent")).expect("nothing to wipe");
    }
}
