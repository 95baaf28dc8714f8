//! btauth/1: hotkey-signed HTTP requests, byte for byte as `bittensor.http_auth` (SDK v11).
//!
//! A request proves "sent by hotkey X, to hotkey Y, with exactly this body, recently" through
//! a few headers; the HTTP stack is the application's choice.
//!
//! # Headers
//!
//! ```text
//! +-----------------------+----------------------------------------------------------------+
//! | X-Bittensor-Version   | 1                                                              |
//! | X-Bittensor-Hotkey    | sender SS58 address                                            |
//! | X-Bittensor-Receiver  | receiver SS58 address; absent when the request is unbound      |
//! | X-Bittensor-Nonce     | signing time, decimal nanoseconds since the Unix epoch         |
//! | X-Bittensor-Crypto    | ed25519 | sr25519; absent means sr25519 (only sent for ed25519)|
//! | X-Bittensor-Signature | 0x + hex of the 64-byte signature of the payload below         |
//! +-----------------------+----------------------------------------------------------------+
//! ```
//!
//! Header names match case-insensitively.
//!
//! # Signed payload
//!
//! Eight UTF-8 lines joined with `\n` (no trailing newline):
//!
//! ```text
//! btauth/1
//! <scheme>            sr25519 | ed25519 (canonical name, never the header text)
//! <METHOD>            upper-cased
//! <path?query>        the request target exactly as sent
//! <sha256(body)>      lowercase hex of the raw body bytes
//! <nonce>             decimal, canonical (no sign, zeros or underscores)
//! <sender SS58>       as written in X-Bittensor-Hotkey
//! <receiver SS58|->   as written in X-Bittensor-Receiver, or `-`
//! ```
//!
//! sr25519 signatures use the signing context `substrate`, as every Substrate signature does.
//!
//! # Verification
//!
//! [`Verifier::verify`] checks, in Python's order, and stops at the first failure:
//!
//! 1. shape ([`AuthHeaders::parse`]): version is exactly `1`; hotkey present and non-empty;
//!    nonce an integer (Python `int()` syntax); crypto a known scheme; signature hex;
//! 2. receiver: present and equal to ours (or absent, if the verifier allows unbound requests);
//! 3. freshness: `now - nonce <= max_age` (10 s) and `nonce - now <= skew` (2 s);
//! 4. signature, under the declared scheme only; a hotkey that is not an SS58 address or a
//!    signature that is not 64 bytes is malformed;
//! 5. replay: the (hotkey, nonce) pair must be new; it is recorded only now, after the
//!    signature verified, in a bounded [`ReplayStore`].
//!
//! Only after all five may a server look at the sender's stake or permit.
//!
//! Each failure is an [`AuthError`] variant; [`AuthError::kind`] maps it onto Python's exception
//! classes and [`AuthError::http_status`] onto a status code.
//!
//! # Where Yuma differs from Python
//!
//! - The replay store has a hard capacity and refuses new requests while full (HTTP 503)
//!   instead of growing without bound; see [`replay`](ReplayStore).
//! - A btauth header given twice is malformed (Python's header mapping cannot hold it twice).
//! - Hotkeys must be SS58 with prefix 42; signatures hex without whitespace; nonces ASCII
//!   digits. A nonce before 1970 is stale.
//! - Signing covers sr25519 only ([`crate::Pair`]); verification covers both schemes.

mod error;
mod headers;
mod payload;
mod replay;
mod sign;
mod verify;

pub use error::{AuthError, AuthErrorKind};
pub use headers::{
    AuthHeaders, HEADER_CRYPTO, HEADER_HOTKEY, HEADER_NONCE, HEADER_RECEIVER, HEADER_SIGNATURE,
    HEADER_VERSION, Headers, parse_nonce,
};
pub use payload::{NO_RECEIVER, PROTOCOL, Payload, Scheme, VERSION};
pub use replay::{DEFAULT_CAPACITY, ReplayStore};
pub use sign::{sign_request, unix_time_ns};
pub use verify::{Caller, DEFAULT_ALLOWED_SKEW, DEFAULT_MAX_AGE, Verifier};

#[cfg(test)]
mod tests;
