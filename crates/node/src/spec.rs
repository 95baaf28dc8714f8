//! Chain specs: the genesis and validator set of a multi-validator chain, and validator key
//! files.
//!
//! A chain spec is a JSON document:
//!
//! ```json
//! {
//!   "name": "local",
//!   "block_time_ms": 200,
//!   "validators": [
//!     { "key": "<ed25519 public key, 64 hex digits>", "address": "127.0.0.1:30400" }
//!   ]
//! }
//! ```
//!
//! Every validator signs consensus votes with its ed25519 consensus key (not an account key)
//! and listens for the others at its address. The genesis state is the dev chain's
//! ([`crate::genesis::dev_genesis`]): the dev accounts funded, Alice sudo. A key file holds a
//! validator's 32-byte ed25519 secret as 64 hex digits.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use commonware_codec::{DecodeExt, Encode};
use commonware_cryptography::Signer;
use commonware_cryptography::ed25519::{PrivateKey, PublicKey};
use serde::{Deserialize, Serialize};
use yuma_runtime::Genesis;

/// A validator's consensus secret key.
pub type ValidatorKey = PrivateKey;

/// Why a chain spec or key file is unusable.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// The file cannot be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The failure.
        source: std::io::Error,
    },
    /// The file is not a chain spec.
    #[error("{}: not a chain spec: {source}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The parse error.
        source: serde_json::Error,
    },
    /// A key is not 32 bytes of hex, or not a valid ed25519 key.
    #[error("bad key {0:?}")]
    BadKey(String),
    /// The key is not one of the spec's validators.
    #[error("consensus key {key} is not one of the spec's validators")]
    NotValidator {
        /// The key given.
        key: Box<PublicKey>,
    },
    /// The spec names no validator, or one twice.
    #[error("the validator set must be non-empty and without duplicates")]
    BadValidators,
}

/// One validator of a chain spec.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidatorSpec {
    /// Consensus public key, hex.
    pub key: String,
    /// Where it listens for other validators.
    pub address: SocketAddr,
}

/// A multi-validator chain (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainSpec {
    /// A name for people.
    pub name: String,
    /// Minimum milliseconds between a block and its child.
    pub block_time_ms: u64,
    /// The validator set.
    pub validators: Vec<ValidatorSpec>,
}

impl ChainSpec {
    /// Reads a spec file.
    ///
    /// # Errors
    /// [`SpecError`] when it cannot be read or parsed, or its validator set is bad.
    pub fn load(path: &Path) -> Result<Self, SpecError> {
        let text = std::fs::read_to_string(path).map_err(|source| SpecError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let spec: Self = serde_json::from_str(&text).map_err(|source| SpecError::Json {
            path: path.to_path_buf(),
            source,
        })?;
        spec.validator_keys()?;
        Ok(spec)
    }

    /// The genesis state.
    pub fn genesis(&self) -> Genesis {
        crate::genesis::dev_genesis()
    }

    /// The validators' consensus keys and addresses, in spec order.
    ///
    /// # Errors
    /// [`SpecError`] on a malformed key, an empty set or a duplicate.
    pub fn validators(&self) -> Result<Vec<(PublicKey, SocketAddr)>, SpecError> {
        let mut out: Vec<(PublicKey, SocketAddr)> = Vec::new();
        for v in &self.validators {
            let key = public_from_hex(&v.key)?;
            if out.iter().any(|(k, _)| *k == key) {
                return Err(SpecError::BadValidators);
            }
            out.push((key, v.address));
        }
        if out.is_empty() {
            return Err(SpecError::BadValidators);
        }
        Ok(out)
    }

    /// The validators' consensus keys.
    ///
    /// # Errors
    /// As [`Self::validators`].
    pub fn validator_keys(&self) -> Result<Vec<PublicKey>, SpecError> {
        Ok(self.validators()?.into_iter().map(|(k, _)| k).collect())
    }

    /// A spec with `n` fresh validators listening on consecutive loopback ports from
    /// `base_port`, and their secret keys.
    pub fn generate(
        name: &str,
        n: usize,
        base_port: u16,
        block_time_ms: u64,
    ) -> (Self, Vec<PrivateKey>) {
        use commonware_math::algebra::Random;
        let keys: Vec<PrivateKey> = (0..n)
            .map(|_| PrivateKey::random(commonware_utils::sys_rng()))
            .collect();
        let validators = keys
            .iter()
            .enumerate()
            .map(|(i, k)| ValidatorSpec {
                key: hex::encode(k.public_key().encode()),
                address: SocketAddr::from(([127, 0, 0, 1], base_port + i as u16)),
            })
            .collect();
        (
            Self {
                name: name.to_string(),
                block_time_ms,
                validators,
            },
            keys,
        )
    }
}

fn public_from_hex(s: &str) -> Result<PublicKey, SpecError> {
    let bytes = hex::decode(s.trim_start_matches("0x")).map_err(|_| SpecError::BadKey(s.into()))?;
    PublicKey::decode(bytes).map_err(|_| SpecError::BadKey(s.into()))
}

/// A key file's text for a secret key.
pub fn key_file_text(key: &PrivateKey) -> String {
    format!("{}\n", hex::encode(key.encode()))
}

/// Reads a validator key file.
///
/// # Errors
/// [`SpecError`] when it cannot be read or is not a key.
pub fn load_key(path: &Path) -> Result<PrivateKey, SpecError> {
    let text = std::fs::read_to_string(path).map_err(|source| SpecError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let text = text.trim();
    let bytes = hex::decode(text).map_err(|_| SpecError::BadKey(path.display().to_string()))?;
    PrivateKey::decode(bytes).map_err(|_| SpecError::BadKey(path.display().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_spec_round_trips_and_keys_load() {
        let (spec, keys) = ChainSpec::generate("t", 4, 30400, 200);
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("spec.json");
        std::fs::write(&path, serde_json::to_string(&spec).expect("json")).expect("writes");
        let loaded = ChainSpec::load(&path).expect("loads");
        assert_eq!(loaded, spec);
        let validators = loaded.validator_keys().expect("keys");
        for (i, key) in keys.iter().enumerate() {
            let kp = dir.path().join(format!("{i}.key"));
            std::fs::write(&kp, key_file_text(key)).expect("writes");
            assert_eq!(load_key(&kp).expect("loads").public_key(), validators[i]);
        }
        assert_eq!(validators.len(), 4);
    }

    #[test]
    fn duplicates_and_bad_keys_are_refused() {
        let (mut spec, _) = ChainSpec::generate("t", 2, 30400, 200);
        spec.validators[1].key = spec.validators[0].key.clone();
        assert!(matches!(spec.validators(), Err(SpecError::BadValidators)));
        spec.validators[1].key = "zz".into();
        assert!(matches!(spec.validators(), Err(SpecError::BadKey(_))));
    }
}
