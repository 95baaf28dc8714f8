//! Verifying a request: the server side of btauth/1.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use yuma_primitives::AccountId;

use super::error::AuthError;
use super::headers::AuthHeaders;
use super::payload::{Payload, Scheme};
use super::replay::{DEFAULT_CAPACITY, ReplayStore};

/// Default maximum age of a nonce (Python's `DEFAULT_MAX_AGE`).
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(10);
/// Default allowed forward clock skew of a nonce (Python's `DEFAULT_ALLOWED_SKEW`).
pub const DEFAULT_ALLOWED_SKEW: Duration = Duration::from_secs(2);

/// The authenticated sender of a verified request (Python's `Caller`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    /// The sender's hotkey.
    pub hotkey: AccountId,
    /// The request's nonce, in nanoseconds since the Unix epoch.
    pub nonce_ns: u64,
    /// The scheme the request was signed with.
    pub scheme: Scheme,
}

/// Verifies btauth/1 requests for one receiver, remembering accepted nonces.
///
/// Share one verifier between a server's handlers (it locks its replay store internally) so
/// that a request replayed to another handler is still caught.
#[derive(Debug)]
pub struct Verifier {
    receiver: Option<String>,
    require_receiver: bool,
    max_age_ns: u64,
    skew_ns: u64,
    replay: Mutex<ReplayStore>,
}

impl Verifier {
    /// A verifier for requests to `receiver` (this server's hotkey), with Python's defaults:
    /// 10 s maximum age, 2 s skew, receiver-bound requests only.
    ///
    /// With `receiver` `None` the server has no hotkey: it accepts only requests bound to no
    /// receiver, as Python does with `require_receiver=False` for a request without
    /// `X-Bittensor-Receiver`.
    pub fn new(receiver: Option<AccountId>) -> Self {
        Self {
            require_receiver: receiver.is_some(),
            receiver: receiver.map(|id| id.to_ss58()),
            max_age_ns: duration_ns(DEFAULT_MAX_AGE),
            skew_ns: duration_ns(DEFAULT_ALLOWED_SKEW),
            replay: Mutex::new(ReplayStore::new(DEFAULT_CAPACITY)),
        }
    }

    /// Sets the freshness window: how old and how far in the future a nonce may be.
    #[must_use]
    pub fn with_window(mut self, max_age: Duration, allowed_skew: Duration) -> Self {
        self.max_age_ns = duration_ns(max_age);
        self.skew_ns = duration_ns(allowed_skew);
        self
    }

    /// Whether a request without `X-Bittensor-Receiver` is rejected (Python's
    /// `require_receiver`, on by default when the verifier has a receiver). A request that
    /// names a receiver must name this one either way.
    #[must_use]
    pub fn require_receiver(mut self, require: bool) -> Self {
        self.require_receiver = require;
        self
    }

    /// Sets how many accepted requests the replay store remembers at most; see
    /// [`ReplayStore`].
    #[must_use]
    pub fn with_replay_capacity(self, capacity: usize) -> Self {
        Self {
            replay: Mutex::new(ReplayStore::new(capacity)),
            ..self
        }
    }

    /// Number of accepted requests the replay store remembers now.
    pub fn replay_len(&self) -> usize {
        self.replay
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Authenticates a request from its raw header pairs; see [`Self::verify_parsed`].
    ///
    /// # Errors
    /// The first check that fails, as an [`AuthError`].
    pub fn verify<I, K, V>(
        &self,
        headers: I,
        method: &str,
        path_and_query: &str,
        body: &[u8],
        now_ns: u64,
    ) -> Result<Caller, AuthError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        let headers = AuthHeaders::parse(headers)?;
        self.verify_parsed(&headers, method, path_and_query, body, now_ns)
    }

    /// Authenticates a request whose headers passed the shape check.
    ///
    /// `method`, `path_and_query` and `body` are as received (path with its query string, the
    /// raw body before any parsing); `now_ns` is the verifier's clock in nanoseconds since the
    /// Unix epoch. Checks, in Python's order: receiver, freshness, signature, replay. The
    /// replay store is written only after the signature verifies, so unauthenticated traffic
    /// cannot fill it.
    ///
    /// # Errors
    /// The first check that fails, as an [`AuthError`].
    pub fn verify_parsed(
        &self,
        headers: &AuthHeaders,
        method: &str,
        path_and_query: &str,
        body: &[u8],
        now_ns: u64,
    ) -> Result<Caller, AuthError> {
        self.check_receiver(headers.receiver.as_deref())?;
        let nonce_ns = self.check_freshness(headers.nonce_ns, now_ns)?;
        let hotkey = check_signature(headers, method, path_and_query, body)?;
        self.replay
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .check_and_store(
                &hotkey,
                headers.nonce_ns,
                i128::from(now_ns),
                i128::from(self.max_age_ns),
            )?;
        Ok(Caller {
            hotkey,
            nonce_ns,
            scheme: headers.scheme,
        })
    }

    fn check_receiver(&self, receiver: Option<&str>) -> Result<(), AuthError> {
        match receiver {
            None if self.require_receiver => Err(AuthError::MissingReceiver),
            None => Ok(()),
            Some(got) if Some(got) == self.receiver.as_deref() => Ok(()),
            Some(got) => Err(AuthError::WrongReceiver {
                got: got.to_owned(),
            }),
        }
    }

    /// Python: stale when `now - nonce > max_age`, too new when `nonce - now > skew`.
    fn check_freshness(&self, nonce_ns: i128, now_ns: u64) -> Result<u64, AuthError> {
        let now = i128::from(now_ns);
        let age = now.saturating_sub(nonce_ns);
        if age > i128::from(self.max_age_ns) {
            return Err(AuthError::TooOld {
                age_ns: age.unsigned_abs(),
                max_age_ns: self.max_age_ns,
            });
        }
        if -age > i128::from(self.skew_ns) {
            return Err(AuthError::TooNew {
                ahead_ns: age.unsigned_abs(),
                skew_ns: self.skew_ns,
            });
        }
        // A nonce before 1970 can be fresh only for a clock within max_age of 1970.
        u64::try_from(nonce_ns).map_err(|_| AuthError::TooOld {
            age_ns: age.unsigned_abs(),
            max_age_ns: self.max_age_ns,
        })
    }
}

/// Decodes the hotkey and checks the signature under the declared scheme only.
fn check_signature(
    headers: &AuthHeaders,
    method: &str,
    path_and_query: &str,
    body: &[u8],
) -> Result<AccountId, AuthError> {
    let hotkey = AccountId::from_ss58(&headers.hotkey)
        .map_err(|_| AuthError::BadHotkey(headers.hotkey.clone()))?;
    let signature: &[u8; 64] = headers
        .signature
        .as_slice()
        .try_into()
        .map_err(|_| AuthError::SignatureLength(headers.signature.len()))?;
    let payload = Payload {
        scheme: headers.scheme,
        method,
        path_and_query,
        body,
        nonce_ns: headers.nonce_ns,
        sender: &headers.hotkey,
        receiver: headers.receiver.as_deref(),
    }
    .to_bytes();
    let valid = match headers.scheme {
        Scheme::Sr25519 => crate::verify(&hotkey, &payload, signature),
        Scheme::Ed25519 => verify_ed25519(&hotkey, &payload, signature),
    };
    if valid {
        Ok(hotkey)
    } else {
        Err(AuthError::BadSignature(headers.hotkey.clone()))
    }
}

fn verify_ed25519(signer: &AccountId, message: &[u8], signature: &[u8; 64]) -> bool {
    use ed25519_dalek::{Signature, Verifier as _, VerifyingKey};
    let Ok(key) = VerifyingKey::from_bytes(signer.as_bytes()) else {
        return false;
    };
    key.verify(message, &Signature::from_bytes(signature))
        .is_ok()
}

fn duration_ns(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}
