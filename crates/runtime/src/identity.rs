//! Subnet identity: what a subnet is and which task program its validators should run,
//! published by the subnet's owner coldkey (or the sudo key) with `SetSubnetIdentity`.
//!
//! | field | rule |
//! |---|---|
//! | `name` | 1..=64 bytes, no control characters |
//! | `description` | at most 1024 bytes, no control characters except newline and tab |
//! | `task_protocol` | the task protocol version, at least 1 ([`TASK_PROTOCOL`] today) |
//! | `task_hash` | optional blake2b-256 of the task program file (`0x` hex in JSON) |
//! | `task_url` | at most 256 bytes, no control characters; may be empty |
//!
//! Lengths are UTF-8 bytes. Control characters are refused so that a name or description
//! printed in a terminal cannot move the cursor or change colours; the description keeps
//! newlines and tabs for paragraphs.
//!
//! The identity is stored whole under key `19 ++ netuid` (see `state/keys.rs`) only once
//! set, so a subnet without one keeps the state (and state root) it had before identities
//! existed. A second set replaces the first.

use serde::{Deserialize, Serialize};
use yuma_primitives::{AccountId, NetUid};

use crate::error::Error;
use crate::event::Event;
use crate::hash::Hash;
use crate::state::State;
use crate::struct_codec;

/// Longest `name`, in bytes.
pub const MAX_NAME_BYTES: usize = 64;
/// Longest `description`, in bytes.
pub const MAX_DESCRIPTION_BYTES: usize = 1024;
/// Longest `task_url`, in bytes.
pub const MAX_TASK_URL_BYTES: usize = 256;
/// The task protocol version validators speak today.
pub const TASK_PROTOCOL: u16 = 1;

/// What a subnet is, as its owner describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubnetIdentity {
    /// Short name, 1..=64 bytes.
    pub name: String,
    /// What the subnet does, at most 1024 bytes.
    pub description: String,
    /// Version of the task protocol the subnet's task program speaks.
    pub task_protocol: u16,
    /// blake2b-256 of the task program file, so validators can check theirs.
    #[serde(with = "hash_hex")]
    pub task_hash: Option<Hash>,
    /// Where to get the task program (empty: not published).
    pub task_url: String,
}

struct_codec!(SubnetIdentity {
    name,
    description,
    task_protocol,
    task_hash,
    task_url
});

impl SubnetIdentity {
    /// Checks the rules in the module table.
    ///
    /// # Errors
    /// [`Error::IdentityNameEmpty`], [`Error::IdentityFieldTooLong`],
    /// [`Error::IdentityControlCharacter`] or [`Error::InvalidTaskProtocol`], for the first
    /// field (in declaration order) that breaks a rule.
    pub fn check(&self) -> Result<(), Error> {
        if self.name.is_empty() {
            return Err(Error::IdentityNameEmpty);
        }
        check_text("name", &self.name, MAX_NAME_BYTES, |_| false)?;
        check_text(
            "description",
            &self.description,
            MAX_DESCRIPTION_BYTES,
            |c| matches!(c, '\n' | '\t'),
        )?;
        if self.task_protocol == 0 {
            return Err(Error::InvalidTaskProtocol(self.task_protocol));
        }
        check_text("task_url", &self.task_url, MAX_TASK_URL_BYTES, |_| false)
    }

    /// Bytes of text the identity carries (name, description and URL), for the call's cost.
    pub fn text_len(&self) -> usize {
        self.name.len() + self.description.len() + self.task_url.len()
    }
}

/// `text` is at most `max` bytes and has no control character but those `allowed` accepts.
fn check_text(
    field: &'static str,
    text: &str,
    max: usize,
    allowed: impl Fn(char) -> bool,
) -> Result<(), Error> {
    if text.len() > max {
        return Err(Error::IdentityFieldTooLong {
            field,
            len: text.len(),
            max,
        });
    }
    match text.chars().find(|&c| c.is_control() && !allowed(c)) {
        Some(c) => Err(Error::IdentityControlCharacter {
            field,
            code: u32::from(c),
        }),
        None => Ok(()),
    }
}

/// Sets `netuid`'s identity, as its owner coldkey or the sudo key.
pub(crate) fn set_subnet_identity(
    st: &mut State<'_>,
    signer: &AccountId,
    netuid: NetUid,
    identity: &SubnetIdentity,
) -> Result<(), Error> {
    let subnet = st.try_subnet(netuid)?;
    if subnet.owner != *signer && st.params.sudo != Some(*signer) {
        return Err(Error::NotOwner {
            signer: *signer,
            netuid,
        });
    }
    identity.check()?;
    st.set_subnet_identity(netuid, identity);
    st.emit(Event::SubnetIdentitySet {
        netuid,
        who: *signer,
    });
    Ok(())
}

/// `Option<Hash>` as `0x`-prefixed lowercase hex, or null.
mod hash_hex {
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::hash::{Hash, from_hex0x, to_hex};

    pub(super) fn serialize<S: Serializer>(hash: &Option<Hash>, s: S) -> Result<S::Ok, S::Error> {
        match hash {
            None => s.serialize_none(),
            Some(hash) => s.serialize_some(&format!("0x{}", to_hex(hash))),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Hash>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|text| {
                from_hex0x(&text).ok_or_else(|| {
                    D::Error::custom(format!("task_hash {text:?} is not 0x and 64 hex digits"))
                })
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{Decode, Encode};

    fn identity() -> SubnetIdentity {
        SubnetIdentity {
            name: "tabular".into(),
            description: "Fresh learning tasks.\n\tOne per query.".into(),
            task_protocol: TASK_PROTOCOL,
            task_hash: Some([0xab; 32]),
            task_url: "https://example.invalid/task.py".into(),
        }
    }

    #[test]
    fn limits_hold_exactly_at_the_boundaries() {
        let with = |f: fn(&mut SubnetIdentity)| {
            let mut id = identity();
            f(&mut id);
            id.check()
        };
        assert_eq!(with(|id| id.name = "n".repeat(64)), Ok(()));
        assert_eq!(
            with(|id| id.name = "n".repeat(65)),
            Err(Error::IdentityFieldTooLong {
                field: "name",
                len: 65,
                max: 64
            })
        );
        // 32 two-byte characters are 64 bytes; one more is over.
        assert_eq!(with(|id| id.name = "é".repeat(32)), Ok(()));
        assert!(with(|id| id.name = "é".repeat(33)).is_err());
        assert_eq!(with(|id| id.name = "x".into()), Ok(()));
        assert_eq!(with(|id| id.name.clear()), Err(Error::IdentityNameEmpty));
        assert_eq!(with(|id| id.description = "d".repeat(1024)), Ok(()));
        assert_eq!(
            with(|id| id.description = "d".repeat(1025)),
            Err(Error::IdentityFieldTooLong {
                field: "description",
                len: 1025,
                max: 1024
            })
        );
        assert_eq!(with(|id| id.description.clear()), Ok(()));
        assert_eq!(with(|id| id.task_url = "u".repeat(256)), Ok(()));
        assert_eq!(
            with(|id| id.task_url = "u".repeat(257)),
            Err(Error::IdentityFieldTooLong {
                field: "task_url",
                len: 257,
                max: 256
            })
        );
        assert_eq!(with(|id| id.task_url.clear()), Ok(()));
        assert_eq!(with(|id| id.task_hash = None), Ok(()));
        assert_eq!(with(|id| id.task_protocol = u16::MAX), Ok(()));
        assert_eq!(
            with(|id| id.task_protocol = 0),
            Err(Error::InvalidTaskProtocol(0))
        );
    }

    #[test]
    fn control_characters_are_refused() {
        let with = |f: fn(&mut SubnetIdentity)| {
            let mut id = identity();
            f(&mut id);
            id.check()
        };
        assert_eq!(
            with(|id| id.name = "a\nb".into()),
            Err(Error::IdentityControlCharacter {
                field: "name",
                code: 0x0a
            })
        );
        assert_eq!(
            with(|id| id.name = "\u{1b}[31mred".into()),
            Err(Error::IdentityControlCharacter {
                field: "name",
                code: 0x1b
            })
        );
        assert_eq!(
            with(|id| id.description = "a\u{7f}".into()),
            Err(Error::IdentityControlCharacter {
                field: "description",
                code: 0x7f
            })
        );
        assert_eq!(
            with(|id| id.description = "a\r\n".into()),
            Err(Error::IdentityControlCharacter {
                field: "description",
                code: 0x0d
            })
        );
        assert_eq!(
            with(|id| id.task_url = "https://x\u{85}".into()),
            Err(Error::IdentityControlCharacter {
                field: "task_url",
                code: 0x85
            })
        );
    }

    #[test]
    fn encoding_round_trips_and_json_uses_hex() {
        let id = identity();
        assert_eq!(SubnetIdentity::decode(&id.encode()), Ok(id.clone()));
        let json = serde_json::to_value(&id).expect("serialises");
        assert_eq!(json["task_hash"], format!("0x{}", "ab".repeat(32)));
        let back: SubnetIdentity = serde_json::from_value(json).expect("deserialises");
        assert_eq!(back, id);
        let none = SubnetIdentity {
            task_hash: None,
            ..identity()
        };
        let json = serde_json::to_value(&none).expect("serialises");
        assert!(json["task_hash"].is_null());
        assert_eq!(
            serde_json::from_value::<SubnetIdentity>(json).ok(),
            Some(none)
        );
        let mut bad = serde_json::to_value(&id).expect("serialises");
        bad["task_hash"] = "0x1234".into();
        assert!(serde_json::from_value::<SubnetIdentity>(bad).is_err());
    }
}
