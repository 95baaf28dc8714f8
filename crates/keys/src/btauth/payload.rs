//! The signed payload of btauth/1 and the signature schemes it names.

use sha2::{Digest, Sha256};

/// The protocol line that opens every payload.
pub const PROTOCOL: &str = "btauth/1";
/// The value of `X-Bittensor-Version`.
pub const VERSION: &str = "1";
/// The receiver line of a request bound to no receiver.
pub const NO_RECEIVER: &str = "-";

/// A signature scheme a btauth/1 request may be signed with.
///
/// `X-Bittensor-Crypto` names it; an absent header means [`Scheme::Sr25519`]. The numbers are
/// the `crypto_type` codes of `bittensor-wallet`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Scheme {
    /// sr25519 with the signing context `substrate` (every Bittensor hotkey by default).
    #[default]
    Sr25519,
    /// Plain ed25519.
    Ed25519,
}

impl Scheme {
    /// The canonical name, as written in the payload and in `X-Bittensor-Crypto`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Sr25519 => "sr25519",
            Self::Ed25519 => "ed25519",
        }
    }

    /// The `crypto_type` code of `bittensor-wallet` (ed25519 = 0, sr25519 = 1).
    pub const fn crypto_type(self) -> u8 {
        match self {
            Self::Sr25519 => 1,
            Self::Ed25519 => 0,
        }
    }

    /// Parses an `X-Bittensor-Crypto` value as Python's `parse_crypto_type` does: surrounding
    /// whitespace is ignored, names are case-insensitive, and the decimal codes `0` and `1`
    /// (leading zeros allowed) are accepted too. `None` for anything else.
    pub fn parse(value: &str) -> Option<Self> {
        let normalised = value.trim().to_ascii_lowercase();
        match normalised.as_str() {
            "sr25519" => return Some(Self::Sr25519),
            "ed25519" => return Some(Self::Ed25519),
            _ => {}
        }
        if normalised.is_empty() || !normalised.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        match normalised.trim_start_matches('0') {
            "" => Some(Self::Ed25519),
            "1" => Some(Self::Sr25519),
            _ => None,
        }
    }
}

/// What a payload covers, borrowed from the request being signed or verified.
#[derive(Debug, Clone, Copy)]
pub struct Payload<'a> {
    /// Signature scheme.
    pub scheme: Scheme,
    /// HTTP method; upper-cased in the payload.
    pub method: &'a str,
    /// Request target exactly as sent: path plus `?query`.
    pub path_and_query: &'a str,
    /// Raw body bytes, hashed before any parsing.
    pub body: &'a [u8],
    /// Nonce: nanoseconds since the Unix epoch at signing time.
    pub nonce_ns: i128,
    /// Sender SS58 address, as written in `X-Bittensor-Hotkey`.
    pub sender: &'a str,
    /// Receiver SS58 address, as written in `X-Bittensor-Receiver`; `None` when unbound.
    pub receiver: Option<&'a str>,
}

impl Payload<'_> {
    /// The exact bytes that are signed; see the module documentation for the layout.
    pub fn to_bytes(&self) -> Vec<u8> {
        let body_hash = hex::encode(Sha256::digest(self.body));
        let nonce = self.nonce_ns.to_string();
        let lines = [
            PROTOCOL,
            self.scheme.name(),
            &self.method.to_uppercase(),
            self.path_and_query,
            &body_hash,
            &nonce,
            self.sender,
            self.receiver.unwrap_or(NO_RECEIVER),
        ];
        lines.join("\n").into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_python_build_payload() {
        // bittensor.http_auth.build_payload(scheme="sr25519", method="post", path="/x?a=1",
        //     body=b"hi", nonce_ns=1000, sender_ss58=<seed [7; 32]>, receiver_ss58=None)
        let payload = Payload {
            scheme: Scheme::Sr25519,
            method: "post",
            path_and_query: "/x?a=1",
            body: b"hi",
            nonce_ns: 1000,
            sender: "5EsNLFaGe9XK5LzWH3i6eC2Wqv6YqZS1442N1C4yeSdP6uxy",
            receiver: None,
        };
        let expected = "btauth/1\nsr25519\nPOST\n/x?a=1\n\
            8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4\n1000\n\
            5EsNLFaGe9XK5LzWH3i6eC2Wqv6YqZS1442N1C4yeSdP6uxy\n-";
        assert_eq!(
            String::from_utf8(payload.to_bytes()).expect("ascii"),
            expected
        );
    }

    #[test]
    fn parses_crypto_like_python() {
        assert_eq!(Scheme::parse("sr25519"), Some(Scheme::Sr25519));
        assert_eq!(Scheme::parse(" ED25519 "), Some(Scheme::Ed25519));
        assert_eq!(Scheme::parse("1"), Some(Scheme::Sr25519));
        assert_eq!(Scheme::parse("0"), Some(Scheme::Ed25519));
        assert_eq!(Scheme::parse("001"), Some(Scheme::Sr25519));
        assert_eq!(Scheme::parse("2"), None);
        assert_eq!(Scheme::parse(""), None);
        assert_eq!(Scheme::parse("ecdsa"), None);
        assert_eq!(Scheme::parse("-1"), None);
    }
}
