//! SS58 addresses: the base58 text form of a public key used by Substrate and Bittensor.
//!
//! For a 32-byte key and a one-byte network prefix the encoded payload is:
//!
//! ```text
//! +--------+----------------------+--------------------------------------------+
//! | prefix | public key (32 B)    | checksum: blake2b-512("SS58PRE" ++ prefix   |
//! | (1 B)  |                      |   ++ key)[0..2]                             |
//! +--------+----------------------+--------------------------------------------+
//! ```
//!
//! Prefixes below 64 take one byte; Bittensor uses the generic prefix 42, which gives addresses
//! starting with `5`. Other prefixes are rejected rather than silently accepted, so an address
//! meant for another chain is never mistaken for one of ours.

use blake2::{Blake2b512, Digest};

/// The SS58 network prefix of Bittensor and of every Yuma chain (Substrate's generic prefix).
pub const PREFIX: u8 = 42;

const CHECKSUM_LEN: usize = 2;
const KEY_LEN: usize = 32;
const PAYLOAD_LEN: usize = 1 + KEY_LEN + CHECKSUM_LEN;

/// Why a string is not a valid Yuma SS58 address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Ss58Error {
    /// The text contains characters outside the base58 alphabet.
    #[error("address {0:?} is not valid base58")]
    NotBase58(String),
    /// The decoded payload does not have the length of a prefix-42 32-byte key.
    #[error("address {address:?} decodes to {len} bytes (expected {PAYLOAD_LEN})")]
    BadLength {
        /// The address as given.
        address: String,
        /// Length of the decoded payload.
        len: usize,
    },
    /// The address belongs to another network.
    #[error("address {address:?} has network prefix {prefix} (expected {PREFIX})")]
    WrongPrefix {
        /// The address as given.
        address: String,
        /// The prefix byte found.
        prefix: u8,
    },
    /// The checksum does not match: the address was mistyped or corrupted.
    #[error("address {0:?} has a bad checksum")]
    BadChecksum(String),
}

fn checksum(prefix_and_key: &[u8]) -> [u8; CHECKSUM_LEN] {
    let mut hasher = Blake2b512::new();
    hasher.update(b"SS58PRE");
    hasher.update(prefix_and_key);
    let digest = hasher.finalize();
    [digest[0], digest[1]]
}

/// Encodes a 32-byte public key as an SS58 address with prefix 42.
pub fn encode(key: &[u8; KEY_LEN]) -> String {
    let mut payload = [0u8; PAYLOAD_LEN];
    payload[0] = PREFIX;
    payload[1..=KEY_LEN].copy_from_slice(key);
    let sum = checksum(&payload[..=KEY_LEN]);
    payload[KEY_LEN + 1..].copy_from_slice(&sum);
    bs58::encode(payload).into_string()
}

/// Decodes an SS58 address with prefix 42 into its 32-byte public key.
///
/// # Errors
/// Returns an [`Ss58Error`] naming what is wrong: alphabet, length, prefix or checksum.
pub fn decode(address: &str) -> Result<[u8; KEY_LEN], Ss58Error> {
    let bytes = bs58::decode(address)
        .into_vec()
        .map_err(|_| Ss58Error::NotBase58(address.to_owned()))?;
    if bytes.len() != PAYLOAD_LEN {
        return Err(Ss58Error::BadLength {
            address: address.to_owned(),
            len: bytes.len(),
        });
    }
    if bytes[0] != PREFIX {
        return Err(Ss58Error::WrongPrefix {
            address: address.to_owned(),
            prefix: bytes[0],
        });
    }
    if checksum(&bytes[..=KEY_LEN]) != bytes[KEY_LEN + 1..] {
        return Err(Ss58Error::BadChecksum(address.to_owned()));
    }
    let mut key = [0u8; KEY_LEN];
    key.copy_from_slice(&bytes[1..=KEY_LEN]);
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Alice's well-known dev key (`//Alice`) and its address, as every Substrate tool prints them.
    const ALICE_KEY: &str = "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";
    const ALICE_SS58: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";

    fn alice() -> [u8; 32] {
        let mut key = [0u8; 32];
        for (i, byte) in key.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&ALICE_KEY[2 * i..2 * i + 2], 16).expect("hex constant");
        }
        key
    }

    #[test]
    fn encodes_known_address() {
        assert_eq!(encode(&alice()), ALICE_SS58);
    }

    #[test]
    fn decodes_known_address() {
        assert_eq!(decode(ALICE_SS58), Ok(alice()));
    }

    #[test]
    fn rejects_bad_checksum() {
        let mut bad = ALICE_SS58.to_owned();
        bad.replace_range(47..48, "Z");
        assert!(matches!(
            decode(&bad),
            Err(Ss58Error::BadChecksum(_) | Ss58Error::BadLength { .. })
        ));
        // Flip one character in the middle: length stays, checksum fails.
        let mut flipped = ALICE_SS58.to_owned();
        flipped.replace_range(10..11, "A");
        assert_eq!(
            decode(&flipped),
            Err(Ss58Error::BadChecksum(flipped.clone()))
        );
    }

    #[test]
    fn rejects_non_base58() {
        assert_eq!(decode("0OIl"), Err(Ss58Error::NotBase58("0OIl".into())));
    }

    #[test]
    fn rejects_wrong_length() {
        assert!(matches!(decode("5Grwva"), Err(Ss58Error::BadLength { .. })));
    }

    #[test]
    fn rejects_other_network() {
        // Polkadot (prefix 0) form of Alice.
        let polkadot = "15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5";
        assert!(matches!(
            decode(polkadot),
            Err(Ss58Error::WrongPrefix { prefix: 0, .. })
        ));
    }

    proptest::proptest! {
        #[test]
        fn round_trips(key in proptest::array::uniform32(proptest::num::u8::ANY)) {
            let address = encode(&key);
            proptest::prop_assert!(address.starts_with('5'));
            proptest::prop_assert_eq!(decode(&address), Ok(key));
        }
    }
}
