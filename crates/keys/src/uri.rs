//! Secret URIs with hard derivation: `//Alice`, `PHRASE//name//0`, as Substrate reads them.
//!
//! A URI is an optional phrase followed by hard junctions `//j`. Without a phrase the
//! well-known development phrase [`DEV_PHRASE`] is used, so `//Alice` names the same key as in
//! Substrate and `btcli` (public key `d43593c7…a56da27d`, SS58
//! `5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY`).
//!
//! Each junction becomes a 32-byte chain code: a junction that parses as a `u64` is its 8
//! little-endian bytes, any other text is its SCALE encoding (compact length, then the UTF-8
//! bytes); encodings longer than 32 bytes are replaced by their blake2b-256 hash, shorter ones
//! are zero-padded. A hard step is schnorrkel's `hard_derive_mini_secret_key(chain code, "")`
//! on the current secret key, expanded again in Ed25519 mode. Soft junctions (`/j`) and
//! passwords (`///p`) are not supported and are rejected.

use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest};
use schnorrkel::ExpansionMode;
use schnorrkel::derive::ChainCode;

use crate::pair::{Error, Mnemonic, Pair};

/// The phrase Substrate derives its development accounts from.
pub const DEV_PHRASE: &str =
    "bottom drive obey lake curtain smoke basket hold race lonely fit walk";

/// The well-known development accounts, in the order Substrate lists them.
pub const DEV_ACCOUNTS: [&str; 6] = ["Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"];

impl Pair {
    /// The pair a secret URI names (see the module docs).
    ///
    /// # Errors
    /// [`Error::Uri`] for a soft junction, a password or an empty junction;
    /// [`Error::Mnemonic`] when the phrase is not a valid mnemonic.
    pub fn from_uri(uri: &str) -> Result<Self, Error> {
        let (phrase, path) = match uri.find("//") {
            Some(at) => (uri[..at].trim(), &uri[at + 2..]),
            None => (uri.trim(), ""),
        };
        if path.contains("///") {
            return Err(Error::Uri("passwords (///) are not supported".into()));
        }
        let phrase = if phrase.is_empty() {
            DEV_PHRASE
        } else {
            phrase
        };
        if phrase.contains('/') {
            return Err(Error::Uri("soft junctions (/) are not supported".into()));
        }
        let mut seed = *Mnemonic::parse(phrase)?.seed();
        if path.is_empty() {
            return Ok(Self::from_seed(&seed));
        }
        for junction in path.split("//") {
            if junction.is_empty() || junction.contains('/') {
                return Err(Error::Uri(format!(
                    "junction {junction:?} is empty or soft; only //hard junctions are supported"
                )));
            }
            let secret = schnorrkel::MiniSecretKey::from_bytes(&seed)
                .expect("any 32 bytes are a valid mini-secret key")
                .expand(ExpansionMode::Ed25519);
            let (mini, _) =
                secret.hard_derive_mini_secret_key(Some(ChainCode(chain_code(junction))), b"");
            seed = mini.to_bytes();
        }
        Ok(Self::from_seed(&seed))
    }
}

/// The chain code of one junction (see the module docs).
fn chain_code(junction: &str) -> [u8; 32] {
    let encoded = match junction.parse::<u64>() {
        Ok(n) => n.to_le_bytes().to_vec(),
        Err(_) => {
            let mut out = compact_len(junction.len());
            out.extend_from_slice(junction.as_bytes());
            out
        }
    };
    let mut code = [0u8; 32];
    if encoded.len() > 32 {
        code.copy_from_slice(&Blake2b::<U32>::digest(&encoded));
    } else {
        code[..encoded.len()].copy_from_slice(&encoded);
    }
    code
}

/// SCALE compact encoding of a length.
fn compact_len(len: usize) -> Vec<u8> {
    let n = len as u64;
    if n < 1 << 6 {
        vec![(n as u8) << 2]
    } else if n < 1 << 14 {
        ((n as u16) << 2 | 1).to_le_bytes().to_vec()
    } else if n < 1 << 30 {
        ((n as u32) << 2 | 2).to_le_bytes().to_vec()
    } else {
        let bytes = n.to_le_bytes();
        let used = 8 - (n.leading_zeros() / 8) as usize;
        let mut out = vec![(((used - 4) as u8) << 2) | 3];
        out.extend_from_slice(&bytes[..used]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_accounts_match_substrate() {
        let alice = Pair::from_uri("//Alice").expect("valid uri");
        assert_eq!(
            hex::encode(alice.public().as_bytes()),
            "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"
        );
        assert_eq!(
            alice.public().to_ss58(),
            "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
        );
        let bob = Pair::from_uri("//Bob").expect("valid uri");
        assert_eq!(
            bob.public().to_ss58(),
            "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"
        );
        let explicit = Pair::from_uri(&format!("{DEV_PHRASE}//Alice")).expect("valid uri");
        assert_eq!(explicit.public(), alice.public());
    }

    #[test]
    fn rejects_soft_junctions_and_passwords() {
        assert!(matches!(Pair::from_uri("//Alice/soft"), Err(Error::Uri(_))));
        assert!(matches!(Pair::from_uri("//Alice///pw"), Err(Error::Uri(_))));
        assert!(matches!(Pair::from_uri("////"), Err(Error::Uri(_))));
        assert!(matches!(
            Pair::from_uri("not a phrase//x"),
            Err(Error::Mnemonic(_))
        ));
    }

    #[test]
    fn chain_codes() {
        let mut alice = [0u8; 32];
        alice[0] = 5 << 2;
        alice[1..6].copy_from_slice(b"Alice");
        assert_eq!(chain_code("Alice"), alice);
        let mut one = [0u8; 32];
        one[0] = 1;
        assert_eq!(chain_code("1"), one);
        assert_eq!(compact_len(64), vec![1, 1]);
    }
}
