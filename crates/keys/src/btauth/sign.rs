//! Signing a request: the client side of btauth/1.

use std::time::{SystemTime, UNIX_EPOCH};

use yuma_primitives::AccountId;

use super::headers::Headers;
use super::payload::{Payload, Scheme};
use crate::Pair;

/// Signs a request with `pair` (a hotkey), as Python's `http_auth.sign` does; returns the headers
/// to send with it.
///
/// `path_and_query` must be the request target exactly as the client sends it, query string
/// included; `body` the exact bytes sent. `nonce_ns` is the signing time in nanoseconds since the
/// Unix epoch (see [`unix_time_ns`]); each retry of a request must be signed with a fresh one.
pub fn sign_request(
    pair: &Pair,
    method: &str,
    path_and_query: &str,
    body: &[u8],
    receiver: Option<&AccountId>,
    nonce_ns: u64,
) -> Headers {
    let hotkey = pair.public();
    let sender = hotkey.to_ss58();
    let receiver_ss58 = receiver.map(AccountId::to_ss58);
    let payload = Payload {
        scheme: Scheme::Sr25519,
        method,
        path_and_query,
        body,
        nonce_ns: i128::from(nonce_ns),
        sender: &sender,
        receiver: receiver_ss58.as_deref(),
    };
    Headers {
        hotkey,
        receiver: receiver.copied(),
        nonce_ns,
        scheme: Scheme::Sr25519,
        signature: pair.sign(&payload.to_bytes()),
    }
}

/// The current wall-clock time in nanoseconds since the Unix epoch, for nonces and for the
/// verifier's `now_ns` (0 if the clock is set before 1970, saturated in the year 2554).
pub fn unix_time_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX)
        })
}
