//! The btauth/1 headers: parsing them from raw name/value pairs, and writing them.

use yuma_primitives::AccountId;

use super::error::AuthError;
use super::payload::{Scheme, VERSION};

/// `X-Bittensor-Version`: always `1`.
pub const HEADER_VERSION: &str = "X-Bittensor-Version";
/// `X-Bittensor-Hotkey`: the sender's SS58 address.
pub const HEADER_HOTKEY: &str = "X-Bittensor-Hotkey";
/// `X-Bittensor-Receiver`: the receiver's SS58 address (absent when unbound).
pub const HEADER_RECEIVER: &str = "X-Bittensor-Receiver";
/// `X-Bittensor-Nonce`: nanoseconds since the Unix epoch, in decimal.
pub const HEADER_NONCE: &str = "X-Bittensor-Nonce";
/// `X-Bittensor-Crypto`: the signature scheme (absent means sr25519).
pub const HEADER_CRYPTO: &str = "X-Bittensor-Crypto";
/// `X-Bittensor-Signature`: `0x` and the signature in hex.
pub const HEADER_SIGNATURE: &str = "X-Bittensor-Signature";

const NAMES: [&str; 6] = [
    HEADER_VERSION,
    HEADER_HOTKEY,
    HEADER_RECEIVER,
    HEADER_NONCE,
    HEADER_CRYPTO,
    HEADER_SIGNATURE,
];

/// The headers a signer adds to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headers {
    /// The sender's hotkey.
    pub hotkey: AccountId,
    /// The receiver the request is bound to, if any.
    pub receiver: Option<AccountId>,
    /// The nonce: nanoseconds since the Unix epoch.
    pub nonce_ns: u64,
    /// The signature scheme; written to `X-Bittensor-Crypto` only when not sr25519.
    pub scheme: Scheme,
    /// The 64-byte signature of the payload.
    pub signature: [u8; 64],
}

impl Headers {
    /// The (name, value) pairs to send, in the order Python's `sign` returns them.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![
            (HEADER_VERSION, VERSION.to_owned()),
            (HEADER_HOTKEY, self.hotkey.to_ss58()),
            (HEADER_NONCE, self.nonce_ns.to_string()),
            (
                HEADER_SIGNATURE,
                format!("0x{}", hex::encode(self.signature)),
            ),
        ];
        if self.scheme != Scheme::Sr25519 {
            pairs.push((HEADER_CRYPTO, self.scheme.name().to_owned()));
        }
        if let Some(receiver) = &self.receiver {
            pairs.push((HEADER_RECEIVER, receiver.to_ss58()));
        }
        pairs
    }
}

/// The btauth/1 headers of a received request, checked for shape only.
///
/// The hotkey and receiver stay text here: the payload signs them as written, the receiver is
/// compared as text, and the hotkey is decoded only at the signature check, the place Python
/// decodes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthHeaders {
    /// `X-Bittensor-Hotkey`, non-empty.
    pub hotkey: String,
    /// `X-Bittensor-Receiver`, if present.
    pub receiver: Option<String>,
    /// `X-Bittensor-Nonce` as an integer (saturated to the range of `i128`).
    pub nonce_ns: i128,
    /// `X-Bittensor-Crypto`, defaulting to sr25519.
    pub scheme: Scheme,
    /// `X-Bittensor-Signature`, decoded from hex; its length is checked later.
    pub signature: Vec<u8>,
}

impl AuthHeaders {
    /// Picks the btauth/1 headers out of a request's raw header pairs and checks their shape, in
    /// Python's order: version, hotkey, nonce, crypto, signature.
    ///
    /// Names match case-insensitively; other headers are ignored. Never panics, whatever the
    /// input.
    ///
    /// # Errors
    /// A [`AuthError`] of kind `Malformed`. Unlike Python, whose mapping cannot hold a name twice,
    /// a btauth header given twice is rejected ([`AuthError::DuplicateHeader`]) rather than
    /// resolved silently.
    pub fn parse<I, K, V>(headers: I) -> Result<Self, AuthError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        let mut found: [Option<Vec<u8>>; 6] = Default::default();
        for (name, value) in headers {
            let name = name.as_ref();
            let Some(index) = NAMES
                .iter()
                .position(|known| known.as_bytes().eq_ignore_ascii_case(name))
            else {
                continue;
            };
            if found[index].is_some() {
                return Err(AuthError::DuplicateHeader(NAMES[index]));
            }
            found[index] = Some(value.as_ref().to_vec());
        }
        let [version, hotkey, receiver, nonce, crypto, signature] = found;
        let text = |value: Option<Vec<u8>>, name: &'static str| {
            value
                .map(|bytes| String::from_utf8(bytes).map_err(|_| AuthError::NotText(name)))
                .transpose()
        };

        if text(version, HEADER_VERSION)?.as_deref() != Some(VERSION) {
            return Err(AuthError::UnsupportedVersion);
        }
        let hotkey = text(hotkey, HEADER_HOTKEY)?
            .filter(|hotkey| !hotkey.is_empty())
            .ok_or(AuthError::MissingHeader(HEADER_HOTKEY))?;
        let nonce = text(nonce, HEADER_NONCE)?.ok_or(AuthError::MissingHeader(HEADER_NONCE))?;
        let nonce_ns = parse_nonce(&nonce).ok_or(AuthError::BadNonce)?;
        let scheme = match text(crypto, HEADER_CRYPTO)? {
            None => Scheme::Sr25519,
            Some(value) => Scheme::parse(&value).ok_or(AuthError::UnsupportedCrypto(value))?,
        };
        let signature =
            text(signature, HEADER_SIGNATURE)?.ok_or(AuthError::MissingHeader(HEADER_SIGNATURE))?;
        let signature = hex::decode(signature.strip_prefix("0x").unwrap_or(&signature))
            .map_err(|_| AuthError::SignatureNotHex)?;
        let receiver = text(receiver, HEADER_RECEIVER)?;
        Ok(Self {
            hotkey,
            receiver,
            nonce_ns,
            scheme,
            signature,
        })
    }
}

/// Parses a nonce as Python's `int()` parses a decimal string: surrounding whitespace, an
/// optional sign, leading zeros and single underscores between digits are allowed. Values past
/// the range of `i128` saturate (they fail the freshness check either way). Only ASCII digits
/// are accepted, where Python would also take other Unicode decimal digits.
pub fn parse_nonce(text: &str) -> Option<i128> {
    let text = text.trim();
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let mut value: i128 = 0;
    for group in digits.split('_') {
        if group.is_empty() || !group.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        for digit in group.bytes() {
            let digit = i128::from(digit - b'0');
            value = value
                .saturating_mul(10)
                .saturating_add(if negative { -digit } else { digit });
        }
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const HOTKEY: &str = "5EsNLFaGe9XK5LzWH3i6eC2Wqv6YqZS1442N1C4yeSdP6uxy";

    fn good() -> Vec<(String, String)> {
        [
            ("x-bittensor-version", "1"),
            ("X-BITTENSOR-HOTKEY", HOTKEY),
            ("X-Bittensor-Nonce", "1000"),
            ("X-Bittensor-Signature", "0xabcd"),
            ("Content-Type", "application/json"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .to_vec()
    }

    fn with(
        mut pairs: Vec<(String, String)>,
        name: &str,
        value: Option<&str>,
    ) -> Vec<(String, String)> {
        pairs.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        if let Some(value) = value {
            pairs.push((name.to_owned(), value.to_owned()));
        }
        pairs
    }

    #[test]
    fn parses_names_in_any_case() {
        let parsed = AuthHeaders::parse(good()).expect("well formed");
        assert_eq!(parsed.hotkey, HOTKEY);
        assert_eq!(parsed.nonce_ns, 1000);
        assert_eq!(parsed.scheme, Scheme::Sr25519);
        assert_eq!(parsed.signature, vec![0xab, 0xcd]);
        assert_eq!(parsed.receiver, None);
    }

    #[test]
    fn rejects_each_malformed_header() {
        let cases: [(&str, Option<&str>, AuthError); 9] = [
            (HEADER_VERSION, None, AuthError::UnsupportedVersion),
            (HEADER_VERSION, Some("2"), AuthError::UnsupportedVersion),
            (HEADER_VERSION, Some(" 1"), AuthError::UnsupportedVersion),
            (HEADER_HOTKEY, None, AuthError::MissingHeader(HEADER_HOTKEY)),
            (
                HEADER_HOTKEY,
                Some(""),
                AuthError::MissingHeader(HEADER_HOTKEY),
            ),
            (HEADER_NONCE, None, AuthError::MissingHeader(HEADER_NONCE)),
            (HEADER_NONCE, Some("1e9"), AuthError::BadNonce),
            (
                HEADER_SIGNATURE,
                None,
                AuthError::MissingHeader(HEADER_SIGNATURE),
            ),
            (HEADER_SIGNATURE, Some("0xzz"), AuthError::SignatureNotHex),
        ];
        for (name, value, expected) in cases {
            let error = AuthHeaders::parse(with(good(), name, value)).expect_err(name);
            assert_eq!(error, expected, "{name} = {value:?}");
            assert_eq!(error.kind(), super::super::AuthErrorKind::Malformed);
        }
        let error = AuthHeaders::parse(with(good(), HEADER_CRYPTO, Some("ecdsa")))
            .expect_err("unknown scheme");
        assert_eq!(error, AuthError::UnsupportedCrypto("ecdsa".to_owned()));
    }

    #[test]
    fn rejects_duplicates_and_binary_values() {
        let mut pairs = good();
        pairs.push(("x-bittensor-nonce".to_owned(), "1001".to_owned()));
        assert_eq!(
            AuthHeaders::parse(pairs),
            Err(AuthError::DuplicateHeader(HEADER_NONCE))
        );
        let binary: Vec<(&[u8], &[u8])> = vec![
            (b"X-Bittensor-Version", b"1"),
            (b"X-Bittensor-Hotkey", b"\xff\xfe"),
        ];
        assert_eq!(
            AuthHeaders::parse(binary),
            Err(AuthError::NotText(HEADER_HOTKEY))
        );
    }

    #[test]
    fn parses_nonces_like_python_int() {
        assert_eq!(parse_nonce("1000"), Some(1000));
        assert_eq!(parse_nonce(" +0010 "), Some(10));
        assert_eq!(parse_nonce("-5"), Some(-5));
        assert_eq!(parse_nonce("1_000"), Some(1000));
        assert_eq!(parse_nonce("9".repeat(60).as_str()), Some(i128::MAX));
        assert_eq!(
            parse_nonce(&format!("-{}", "9".repeat(60))),
            Some(i128::MIN)
        );
        for bad in [
            "", "+", "-", "1__0", "_1", "1_", "0x10", "1.0", "1 0", "+-1",
        ] {
            assert_eq!(parse_nonce(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn writes_python_header_set() {
        let headers = Headers {
            hotkey: AccountId([1; 32]),
            receiver: Some(AccountId([2; 32])),
            nonce_ns: 42,
            scheme: Scheme::Sr25519,
            signature: [0xab; 64],
        };
        let names: Vec<_> = headers.to_pairs().into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            names,
            [
                HEADER_VERSION,
                HEADER_HOTKEY,
                HEADER_NONCE,
                HEADER_SIGNATURE,
                HEADER_RECEIVER
            ]
        );
        let parsed = AuthHeaders::parse(headers.to_pairs()).expect("round trip");
        assert_eq!(parsed.nonce_ns, 42);
        assert_eq!(parsed.signature, vec![0xab; 64]);
        assert_eq!(parsed.receiver, Some(AccountId([2; 32]).to_ss58()));
    }

    proptest! {
        #[test]
        fn arbitrary_headers_never_panic(
            pairs in proptest::collection::vec(
                (
                    prop_oneof![
                        proptest::collection::vec(any::<u8>(), 0..24),
                        proptest::sample::select(NAMES.to_vec()).prop_map(|n| n.as_bytes().to_vec()),
                    ],
                    proptest::collection::vec(any::<u8>(), 0..160),
                ),
                0..10,
            )
        ) {
            let _ = AuthHeaders::parse(pairs);
        }

        #[test]
        fn arbitrary_text_values_never_panic(
            version in "\\PC{0,4}", hotkey in "\\PC{0,60}", nonce in "[-+_0-9 ]{0,45}",
            crypto in "\\PC{0,10}", signature in "(0x)?[0-9a-fA-F]{0,140}",
        ) {
            let pairs = [
                (HEADER_VERSION, version), (HEADER_HOTKEY, hotkey), (HEADER_NONCE, nonce),
                (HEADER_CRYPTO, crypto), (HEADER_SIGNATURE, signature),
            ];
            let _ = AuthHeaders::parse(pairs);
        }

        #[test]
        fn nonce_round_trips(n in any::<i64>()) {
            prop_assert_eq!(parse_nonce(&n.to_string()), Some(i128::from(n)));
        }
    }
}
