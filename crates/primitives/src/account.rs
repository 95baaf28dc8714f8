//! Account identifiers: the 32-byte sr25519 public key of a coldkey or hotkey.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ss58::{self, Ss58Error};

/// A 32-byte sr25519 public key. Shown and parsed as an SS58 address with prefix 42.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct AccountId(pub [u8; 32]);

impl AccountId {
    /// The raw public key bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The SS58 address (prefix 42).
    pub fn to_ss58(&self) -> String {
        ss58::encode(&self.0)
    }

    /// Parses an SS58 address (prefix 42).
    ///
    /// # Errors
    /// Returns an [`Ss58Error`] when the address is malformed or belongs to another network.
    pub fn from_ss58(address: &str) -> Result<Self, Ss58Error> {
        ss58::decode(address).map(Self)
    }
}

impl From<[u8; 32]> for AccountId {
    fn from(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_ss58())
    }
}

impl fmt::Debug for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountId({})", self.to_ss58())
    }
}

impl FromStr for AccountId {
    type Err = Ss58Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_ss58(s.trim())
    }
}

impl Serialize for AccountId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_ss58())
    }
}

impl<'de> Deserialize<'de> for AccountId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::from_ss58(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADDRESS: &str = "5HVipBvgGzr77LUTzdkz3mcczr9MytyPyhzJyHeiwFmo2uFS";

    #[test]
    fn parses_and_displays() {
        let account: AccountId = ADDRESS.parse().expect("valid address");
        assert_eq!(account.to_string(), ADDRESS);
        assert_eq!(
            account.as_bytes()[..4],
            [0xf0, 0x41, 0x86, 0x56],
            "public key of the issue's known-answer mnemonic"
        );
    }

    #[test]
    fn serde_uses_ss58() {
        let account: AccountId = ADDRESS.parse().expect("valid address");
        let json = serde_json::to_string(&account).expect("serialises");
        assert_eq!(json, format!("\"{ADDRESS}\""));
        let back: AccountId = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, account);
        assert!(serde_json::from_str::<AccountId>("\"5Grwva\"").is_err());
    }
}
