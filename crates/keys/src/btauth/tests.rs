//! End-to-end tests of signing and verification: every rejection path, in order.

use std::time::Duration;

use yuma_primitives::AccountId;

use super::*;
use crate::Pair;

const NOW: u64 = 1_700_000_000_000_000_000;
const SECOND: u64 = 1_000_000_000;
const BODY: &[u8] = br#"{"prompt":"hello"}"#;
const PATH: &str = "/generate?stream=0";

fn client() -> Pair {
    Pair::from_seed(&[7; 32])
}

fn server() -> Pair {
    Pair::from_seed(&[9; 32])
}

fn signed(nonce: u64) -> Vec<(&'static str, String)> {
    sign_request(
        &client(),
        "post",
        PATH,
        BODY,
        Some(&server().public()),
        nonce,
    )
    .to_pairs()
}

fn verifier() -> Verifier {
    Verifier::new(Some(server().public()))
}

fn set(
    mut pairs: Vec<(&'static str, String)>,
    name: &'static str,
    value: Option<String>,
) -> Vec<(&'static str, String)> {
    pairs.retain(|(k, _)| *k != name);
    if let Some(value) = value {
        pairs.push((name, value));
    }
    pairs
}

fn check(pairs: &[(&'static str, String)], body: &[u8], now: u64) -> Result<Caller, AuthError> {
    verifier().verify(pairs.iter().map(|(k, v)| (k, v)), "POST", PATH, body, now)
}

#[test]
fn python_signature_verifies() {
    // bittensor.http_auth.sign(Keypair.create_from_seed(bytes([7] * 32)), method="post",
    //     path="/x?a=1", body=b"hi", receiver_ss58=<same key>, nonce_ns=1000)
    let pairs = [
        ("X-Bittensor-Version", "1"),
        (
            "X-Bittensor-Hotkey",
            "5EsNLFaGe9XK5LzWH3i6eC2Wqv6YqZS1442N1C4yeSdP6uxy",
        ),
        ("X-Bittensor-Nonce", "1000"),
        (
            "X-Bittensor-Signature",
            "0x884d675725564dacfa7fd30f30ee5108eaa6d4793a67cb70fd61262babeb466a\
             d550feb76486c692735c1d95c886a5e2f3bc0e887748caf4f7a210ccd242d08f",
        ),
        (
            "X-Bittensor-Receiver",
            "5EsNLFaGe9XK5LzWH3i6eC2Wqv6YqZS1442N1C4yeSdP6uxy",
        ),
    ];
    let caller = Verifier::new(Some(client().public()))
        .verify(pairs, "POST", "/x?a=1", b"hi", 1000)
        .expect("Python's signature verifies");
    assert_eq!(caller.hotkey, client().public());
    assert_eq!(caller.nonce_ns, 1000);
    assert_eq!(caller.scheme, Scheme::Sr25519);
}

#[test]
fn accepts_a_good_request_once() {
    let pairs = signed(NOW);
    let verifier = verifier();
    let verify = || verifier.verify(pairs.clone(), "POST", PATH, BODY, NOW + SECOND);
    let caller = verify().expect("fresh and signed");
    assert_eq!(caller.hotkey, client().public());
    let replay = verify().expect_err("second time is a replay");
    assert_eq!(replay.kind(), AuthErrorKind::Replayed);
    assert_eq!(replay.http_status(), 401);
    assert_eq!(verifier.replay_len(), 1);
}

#[test]
fn method_case_does_not_matter() {
    let pairs = signed(NOW);
    verifier()
        .verify(pairs, "Post", PATH, BODY, NOW)
        .expect("method is upper-cased on both sides");
}

#[test]
fn rejects_tampering_with_anything_signed() {
    let pairs = signed(NOW);
    let bad = |result: Result<Caller, AuthError>| {
        assert_eq!(
            result.expect_err("tampered").kind(),
            AuthErrorKind::BadSignature
        );
    };
    bad(check(&pairs, b"{\"prompt\":\"hellO\"}", NOW));
    bad(verifier().verify(pairs.clone(), "PUT", PATH, BODY, NOW));
    bad(verifier().verify(pairs.clone(), "POST", "/generate?stream=1", BODY, NOW));
    bad(check(
        &set(pairs.clone(), HEADER_NONCE, Some((NOW + 1).to_string())),
        BODY,
        NOW,
    ));
    let other = Pair::from_seed(&[8; 32]).public().to_ss58();
    bad(check(
        &set(pairs.clone(), HEADER_HOTKEY, Some(other)),
        BODY,
        NOW,
    ));
    // Declaring ed25519 for an sr25519 signature: checked under the declared scheme only.
    bad(check(
        &set(pairs, HEADER_CRYPTO, Some("ed25519".into())),
        BODY,
        NOW,
    ));
}

#[test]
fn rejects_malformed_before_anything_else() {
    // Stale and for another receiver too, but the shape is checked first.
    let pairs = set(signed(NOW), HEADER_VERSION, Some("2".into()));
    let pairs = set(pairs, HEADER_RECEIVER, Some(client().public().to_ss58()));
    assert_eq!(
        check(&pairs, BODY, NOW + 60 * SECOND),
        Err(AuthError::UnsupportedVersion)
    );
}

#[test]
fn rejects_a_bad_hotkey_or_signature_length_at_the_signature_step() {
    let pairs = set(signed(NOW), HEADER_HOTKEY, Some("5Grwva".into()));
    assert_eq!(
        check(&pairs, BODY, NOW),
        Err(AuthError::BadHotkey("5Grwva".into()))
    );
    let pairs = set(signed(NOW), HEADER_SIGNATURE, Some("0xabcd".into()));
    let error = check(&pairs, BODY, NOW).expect_err("two bytes");
    assert_eq!(error, AuthError::SignatureLength(2));
    assert_eq!(error.kind(), AuthErrorKind::Malformed);
    // Freshness comes first (Python's order).
    let pairs = set(signed(NOW), HEADER_SIGNATURE, Some("0x".into()));
    let error = check(&pairs, BODY, NOW + 11 * SECOND).expect_err("stale");
    assert_eq!(error.kind(), AuthErrorKind::Stale);
}

#[test]
fn rejects_wrong_or_missing_receiver_before_freshness() {
    let elsewhere = Pair::from_seed(&[1; 32]).public();
    let pairs = sign_request(&client(), "POST", PATH, BODY, Some(&elsewhere), NOW).to_pairs();
    let error = check(&pairs, BODY, NOW + 60 * SECOND).expect_err("other receiver");
    assert_eq!(
        error,
        AuthError::WrongReceiver {
            got: elsewhere.to_ss58()
        }
    );
    assert_eq!(error.http_status(), 403);

    let unbound = sign_request(&client(), "POST", PATH, BODY, None, NOW).to_pairs();
    assert_eq!(check(&unbound, BODY, NOW), Err(AuthError::MissingReceiver));
    let lenient = verifier().require_receiver(false);
    lenient
        .verify(unbound.clone(), "POST", PATH, BODY, NOW)
        .expect("unbound requests allowed");
    assert_eq!(
        lenient.verify(pairs, "POST", PATH, BODY, NOW),
        Err(AuthError::WrongReceiver {
            got: elsewhere.to_ss58()
        }),
        "a named receiver must still be us"
    );
    Verifier::new(None)
        .verify(unbound, "POST", PATH, BODY, NOW)
        .expect("a server without a hotkey takes unbound requests");
}

#[test]
fn freshness_window_edges_match_python() {
    let pairs = signed(NOW);
    assert!(
        check(&pairs, BODY, NOW + 10 * SECOND).is_ok(),
        "exactly max age is fresh"
    );
    assert_eq!(
        check(&pairs, BODY, NOW + 10 * SECOND + 1),
        Err(AuthError::TooOld {
            age_ns: 10 * u128::from(SECOND) + 1,
            max_age_ns: 10 * SECOND
        })
    );
    assert!(
        check(&pairs, BODY, NOW - 2 * SECOND).is_ok(),
        "exactly the skew is fresh"
    );
    assert_eq!(
        check(&pairs, BODY, NOW - 2 * SECOND - 1),
        Err(AuthError::TooNew {
            ahead_ns: 2 * u128::from(SECOND) + 1,
            skew_ns: 2 * SECOND
        })
    );
    let narrow = verifier().with_window(Duration::from_secs(1), Duration::ZERO);
    let error = narrow
        .verify(pairs.clone(), "POST", PATH, BODY, NOW + 2 * SECOND)
        .expect_err("outside a 1 s window");
    assert_eq!(error.kind(), AuthErrorKind::Stale);
    assert!(
        narrow.verify(pairs, "POST", PATH, BODY, NOW - 1).is_err(),
        "no skew allowed"
    );
}

#[test]
fn huge_and_negative_nonces_are_stale_not_malformed() {
    for nonce in [
        "9".repeat(50),
        format!("-{}", "9".repeat(50)),
        "-5".to_owned(),
    ] {
        let pairs = set(signed(NOW), HEADER_NONCE, Some(nonce.clone()));
        assert_eq!(
            check(&pairs, BODY, NOW).expect_err(&nonce).kind(),
            AuthErrorKind::Stale
        );
    }
    // A negative nonce is stale even for a clock near 1970.
    let pairs = set(signed(NOW), HEADER_NONCE, Some("-5".into()));
    assert_eq!(
        check(&pairs, BODY, 1).expect_err("before 1970").kind(),
        AuthErrorKind::Stale
    );
}

#[test]
fn python_int_spellings_of_the_nonce_sign_the_canonical_form() {
    // Python's int() reads " +0001_000 " as 1000, and the payload carries "1000".
    let pairs = set(signed(1000), HEADER_NONCE, Some(" +0001_000 ".into()));
    check(&pairs, BODY, 1000).expect("same nonce, other spelling");
}

#[test]
fn replay_store_fills_up_safely() {
    let verifier = verifier().with_replay_capacity(2);
    let send = |nonce: u64, now: u64| verifier.verify(signed(nonce), "POST", PATH, BODY, now);
    send(NOW, NOW).expect("first");
    send(NOW + 1, NOW).expect("second");
    let error = send(NOW + 2, NOW).expect_err("full");
    assert_eq!(error, AuthError::ReplayStoreFull { capacity: 2 });
    assert_eq!(error.http_status(), 503);
    // A bad signature never reaches the store.
    let forged = set(
        signed(NOW + 3),
        HEADER_SIGNATURE,
        Some(format!("0x{}", "00".repeat(64))),
    );
    assert_eq!(
        verifier
            .verify(forged, "POST", PATH, BODY, NOW)
            .expect_err("forged")
            .kind(),
        AuthErrorKind::BadSignature
    );
    // Once the first two are older than the window, the store has room again.
    send(NOW + 11 * SECOND, NOW + 11 * SECOND).expect("room after the window");
    assert_eq!(verifier.replay_len(), 1);
}

#[test]
fn verifies_ed25519_requests() {
    use ed25519_dalek::{Signer as _, SigningKey};
    let key = SigningKey::from_bytes(&[5; 32]);
    let hotkey = AccountId(key.verifying_key().to_bytes());
    let receiver = server().public().to_ss58();
    let sender = hotkey.to_ss58();
    let payload = Payload {
        scheme: Scheme::Ed25519,
        method: "POST",
        path_and_query: PATH,
        body: BODY,
        nonce_ns: i128::from(NOW),
        sender: &sender,
        receiver: Some(&receiver),
    };
    let headers = Headers {
        hotkey,
        receiver: Some(server().public()),
        nonce_ns: NOW,
        scheme: Scheme::Ed25519,
        signature: key.sign(&payload.to_bytes()).to_bytes(),
    };
    let pairs = headers.to_pairs();
    assert!(pairs.contains(&(HEADER_CRYPTO, "ed25519".to_owned())));
    let caller = check(&pairs, BODY, NOW).expect("ed25519 verifies");
    assert_eq!(caller.scheme, Scheme::Ed25519);
    let as_sr = set(pairs, HEADER_CRYPTO, None);
    assert_eq!(
        check(&as_sr, BODY, NOW).expect_err("wrong scheme").kind(),
        AuthErrorKind::BadSignature
    );
}

#[test]
fn error_kinds_name_python_classes() {
    assert_eq!(AuthErrorKind::Malformed.to_string(), "MalformedAuth");
    assert_eq!(AuthErrorKind::Stale.python_name(), "StaleRequest");
    assert_eq!(AuthErrorKind::Replayed.python_name(), "ReplayedRequest");
}

#[test]
fn a_clock_stepping_back_cannot_reopen_the_replay_window() {
    let verifier = verifier();
    verifier
        .verify(signed(NOW), "POST", PATH, BODY, NOW)
        .expect("first");
    // A later request at NOW + 20 s lets the store forget nonce NOW.
    verifier
        .verify(
            signed(NOW + 20 * SECOND),
            "POST",
            PATH,
            BODY,
            NOW + 20 * SECOND,
        )
        .expect("second");
    // The clock steps back to NOW + 1 s: the replay of nonce NOW looks fresh, but the store can
    // no longer tell, so it is refused as stale.
    let error = verifier
        .verify(signed(NOW), "POST", PATH, BODY, NOW + SECOND)
        .expect_err("forgotten nonce");
    assert_eq!(
        error,
        AuthError::BeyondHorizon {
            nonce_ns: i128::from(NOW),
            horizon_ns: i128::from(NOW + 10 * SECOND)
        }
    );
    assert_eq!(error.kind(), AuthErrorKind::Stale);
}
