//! Why a btauth/1 request was rejected, grouped as `bittensor.http_auth` groups its exceptions.

use std::fmt;

/// The check a request failed, one per exception class of `bittensor.http_auth`
/// (`MalformedAuth`, `WrongReceiver`, `StaleRequest`, `BadSignature`, `ReplayedRequest`), plus
/// [`AuthErrorKind::Overloaded`] for a full replay store, which Python's unbounded store never
/// reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthErrorKind {
    /// A header is missing or unparseable (`MalformedAuth`).
    Malformed,
    /// The request was signed for another receiver, or for none (`WrongReceiver`).
    WrongReceiver,
    /// The nonce is outside the freshness window (`StaleRequest`).
    Stale,
    /// The signature does not verify against the claimed hotkey (`BadSignature`).
    BadSignature,
    /// The (hotkey, nonce) pair was already accepted inside the window (`ReplayedRequest`).
    Replayed,
    /// The replay store is full of live entries; try again shortly.
    Overloaded,
}

impl AuthErrorKind {
    /// The Python exception class this kind mirrors (`"Overloaded"` has none).
    pub const fn python_name(self) -> &'static str {
        match self {
            Self::Malformed => "MalformedAuth",
            Self::WrongReceiver => "WrongReceiver",
            Self::Stale => "StaleRequest",
            Self::BadSignature => "BadSignature",
            Self::Replayed => "ReplayedRequest",
            Self::Overloaded => "Overloaded",
        }
    }

    /// The HTTP status a server answers with.
    ///
    /// `bittensor.http_auth` leaves the mapping to the framework ("map it to HTTP 401/403");
    /// Yuma answers 401 when the request does not authenticate, 403 when it authenticates a
    /// request meant for someone else, and 503 when the replay store is full.
    pub const fn http_status(self) -> u16 {
        match self {
            Self::Malformed | Self::Stale | Self::BadSignature | Self::Replayed => 401,
            Self::WrongReceiver => 403,
            Self::Overloaded => 503,
        }
    }
}

impl fmt::Display for AuthErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.python_name())
    }
}

/// A btauth/1 request failed verification. Each variant names the check that failed.
///
/// Messages never echo the signature or the signed payload, so they are safe to return to the
/// (unauthenticated) caller, as in Python.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// `X-Bittensor-Version` is absent or not exactly `1`.
    #[error("missing or unsupported X-Bittensor-Version (expected \"1\")")]
    UnsupportedVersion,
    /// A required header is absent (or, for the hotkey, empty).
    #[error("missing {0}")]
    MissingHeader(&'static str),
    /// A btauth header appears more than once in the request.
    #[error("{0} appears more than once")]
    DuplicateHeader(&'static str),
    /// A btauth header value is not UTF-8 text.
    #[error("{0} is not UTF-8 text")]
    NotText(&'static str),
    /// `X-Bittensor-Nonce` is not a decimal integer.
    #[error("X-Bittensor-Nonce is not a decimal integer")]
    BadNonce,
    /// `X-Bittensor-Crypto` names a scheme other than `sr25519` or `ed25519` (or `1` / `0`).
    #[error("unsupported X-Bittensor-Crypto {0:?}")]
    UnsupportedCrypto(String),
    /// `X-Bittensor-Signature` is not hex (after an optional `0x`).
    #[error("X-Bittensor-Signature is not hex")]
    SignatureNotHex,
    /// `X-Bittensor-Hotkey` is not a valid SS58 address with prefix 42.
    #[error("invalid hotkey address {0:?}")]
    BadHotkey(String),
    /// The signature does not have the 64 bytes both schemes use.
    #[error("signature has {0} bytes (expected 64)")]
    SignatureLength(usize),
    /// The request names no receiver, and this server accepts only receiver-bound requests.
    #[error("missing X-Bittensor-Receiver: this server requires receiver-bound requests")]
    MissingReceiver,
    /// The request was signed for another receiving hotkey.
    #[error("request was signed for receiver {got:?}, not this server")]
    WrongReceiver {
        /// The `X-Bittensor-Receiver` value of the request.
        got: String,
    },
    /// The nonce is older than the freshness window.
    #[error("nonce is {age_ns} ns old, beyond the {max_age_ns} ns freshness window")]
    TooOld {
        /// How far the nonce lies behind the verifier's clock (saturated to `u128`).
        age_ns: u128,
        /// The verifier's maximum age.
        max_age_ns: u64,
    },
    /// The nonce lies too far in the future.
    #[error("nonce is {ahead_ns} ns in the future, beyond the allowed {skew_ns} ns skew")]
    TooNew {
        /// How far the nonce lies ahead of the verifier's clock (saturated to `u128`).
        ahead_ns: u128,
        /// The verifier's allowed forward skew.
        skew_ns: u64,
    },
    /// The nonce is older than entries the replay store has already let go (the verifier's
    /// clock went backwards), so a replay could no longer be detected.
    #[error("nonce {nonce_ns} predates the replay store's horizon {horizon_ns}")]
    BeyondHorizon {
        /// The request's nonce.
        nonce_ns: i128,
        /// The oldest nonce the store still remembers accepting.
        horizon_ns: i128,
    },
    /// The signature does not verify against the claimed hotkey.
    #[error("signature does not verify against hotkey {0}")]
    BadSignature(String),
    /// The (hotkey, nonce) pair was already accepted inside the window.
    #[error("nonce {nonce_ns} was already accepted from hotkey {hotkey}")]
    Replayed {
        /// The sender's SS58 address.
        hotkey: String,
        /// The replayed nonce.
        nonce_ns: i128,
    },
    /// The replay store holds `capacity` live entries and cannot take another without
    /// forgetting one that a replay could still use.
    #[error("replay store is full ({capacity} requests inside the freshness window)")]
    ReplayStoreFull {
        /// The store's capacity.
        capacity: usize,
    },
}

impl AuthError {
    /// The check that failed, as `bittensor.http_auth` classifies it.
    pub const fn kind(&self) -> AuthErrorKind {
        match self {
            Self::UnsupportedVersion
            | Self::MissingHeader(_)
            | Self::DuplicateHeader(_)
            | Self::NotText(_)
            | Self::BadNonce
            | Self::UnsupportedCrypto(_)
            | Self::SignatureNotHex
            | Self::BadHotkey(_)
            | Self::SignatureLength(_) => AuthErrorKind::Malformed,
            Self::MissingReceiver | Self::WrongReceiver { .. } => AuthErrorKind::WrongReceiver,
            Self::TooOld { .. } | Self::TooNew { .. } | Self::BeyondHorizon { .. } => {
                AuthErrorKind::Stale
            }
            Self::BadSignature(_) => AuthErrorKind::BadSignature,
            Self::Replayed { .. } => AuthErrorKind::Replayed,
            Self::ReplayStoreFull { .. } => AuthErrorKind::Overloaded,
        }
    }

    /// The HTTP status a server answers with; see [`AuthErrorKind::http_status`].
    pub const fn http_status(&self) -> u16 {
        self.kind().http_status()
    }
}
