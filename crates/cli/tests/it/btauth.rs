//! btauth/1 interoperability with `bittensor.http_auth` (Python SDK v11), both directions.

use serde_json::{Value, json};
use yuma_keys::Pair;
use yuma_keys::btauth::{AuthErrorKind, Verifier, sign_request};

use crate::util::run_python;

const NOW: u64 = 1_700_000_000_000_000_000;
const SECOND: u64 = 1_000_000_000;
const PATH: &str = "/generate?stream=0&n=2";
const BODY: &[u8] = br#"{"prompt":"hello","n":2}"#;

const CLIENT_SEED: [u8; 32] = [7; 32];
const SERVER_SEED: [u8; 32] = [9; 32];
const OTHER_SEED: [u8; 32] = [1; 32];

fn ss58(seed: [u8; 32]) -> String {
    Pair::from_seed(&seed).public().to_ss58()
}

/// A request for `btauth_sign.py`.
fn python_request(crypto: &str, receiver: [u8; 32], nonce_ns: u64) -> Value {
    json!({
        "seed": hex::encode(CLIENT_SEED),
        "crypto": crypto,
        "method": "post",
        "path": PATH,
        "body": hex::encode(BODY),
        "receiver": ss58(receiver),
        "nonce_ns": nonce_ns,
    })
}

fn header_pairs(headers: &Value) -> Vec<(String, String)> {
    headers
        .as_object()
        .expect("headers are a JSON object")
        .iter()
        .map(|(name, value)| (name.clone(), value.as_str().expect("text value").to_owned()))
        .collect()
}

#[test]
#[ignore = "needs YUMA_PYTHON (run scripts/test)"]
fn python_signs_rust_verifies() {
    let signed = run_python(
        "btauth_sign.py",
        &json!([
            python_request("sr25519", SERVER_SEED, NOW),
            python_request("sr25519", OTHER_SEED, NOW),
            python_request("ed25519", SERVER_SEED, NOW),
        ]),
    );
    let signed = signed.as_array().expect("a list of header sets");
    let good = header_pairs(&signed[0]);
    let wrong_receiver = header_pairs(&signed[1]);
    let ed25519 = header_pairs(&signed[2]);
    let verifier = Verifier::new(Some(Pair::from_seed(&SERVER_SEED).public()));
    let kind = |headers: &[(String, String)], body: &[u8], now: u64| {
        verifier
            .verify(headers.iter().cloned(), "POST", PATH, body, now)
            .map_err(|e| e.kind())
    };

    let caller = kind(&good, BODY, NOW + SECOND).expect("Python's request verifies");
    assert_eq!(caller.hotkey, Pair::from_seed(&CLIENT_SEED).public());
    assert_eq!(caller.nonce_ns, NOW);
    assert_eq!(
        kind(&good, BODY, NOW + SECOND),
        Err(AuthErrorKind::Replayed)
    );

    // Tampering is checked before the replay store, which already holds `good`.
    let fresh = Verifier::new(Some(Pair::from_seed(&SERVER_SEED).public()));
    let tampered = fresh.verify(
        good.iter().cloned(),
        "POST",
        PATH,
        b"{\"prompt\":\"hellO\"}",
        NOW,
    );
    assert_eq!(
        tampered.map_err(|e| e.kind()),
        Err(AuthErrorKind::BadSignature)
    );
    assert_eq!(
        kind(&wrong_receiver, BODY, NOW),
        Err(AuthErrorKind::WrongReceiver)
    );
    let stale = fresh.verify(good.iter().cloned(), "POST", PATH, BODY, NOW + 11 * SECOND);
    assert_eq!(stale.map_err(|e| e.kind()), Err(AuthErrorKind::Stale));
    let caller = kind(&ed25519, BODY, NOW).expect("Python's ed25519 request verifies");
    assert_eq!(caller.scheme.name(), "ed25519");
}

/// A request to verify: header pairs, body, and the verifier's clock.
type Case<'a> = (Vec<(&'static str, String)>, &'a [u8], u64);

/// Verifies `requests` in order in one Python process (one nonce store); returns for each
/// `"ok"` or the name of the `AuthError` subclass Python raised.
fn python_verdicts(requests: &[Case<'_>]) -> Vec<String> {
    let requests: Vec<Value> = requests
        .iter()
        .map(|(headers, body, now)| {
            let headers: serde_json::Map<String, Value> = headers
                .iter()
                .map(|(name, value)| ((*name).to_owned(), Value::from(value.clone())))
                .collect();
            json!({
                "headers": headers,
                "method": "POST",
                "path": PATH,
                "body": hex::encode(body),
                "now_ns": now,
            })
        })
        .collect();
    let verdicts = run_python(
        "btauth_verify.py",
        &json!({ "self_hotkey": ss58(SERVER_SEED), "requests": requests }),
    );
    verdicts
        .as_array()
        .expect("a list of verdicts")
        .iter()
        .map(|verdict| {
            if verdict["ok"] == json!(true) {
                assert_eq!(verdict["hotkey"], json!(ss58(CLIENT_SEED)));
                "ok".to_owned()
            } else {
                verdict["error"].as_str().expect("error class").to_owned()
            }
        })
        .collect()
}

#[test]
#[ignore = "needs YUMA_PYTHON (run scripts/test)"]
fn rust_signs_python_verifies() {
    let client = Pair::from_seed(&CLIENT_SEED);
    let server = Pair::from_seed(&SERVER_SEED).public();
    let other = Pair::from_seed(&OTHER_SEED).public();
    let sign = |receiver, nonce| {
        sign_request(&client, "post", PATH, BODY, Some(receiver), nonce).to_pairs()
    };
    let good = sign(&server, NOW);
    let verdicts = python_verdicts(&[
        (good.clone(), BODY, NOW + SECOND),
        (good.clone(), BODY, NOW + SECOND),
        (
            sign(&server, NOW + 1),
            b"{\"prompt\":\"hellO\",\"n\":2}",
            NOW,
        ),
        (sign(&other, NOW + 2), BODY, NOW),
        (sign(&server, NOW + 3), BODY, NOW + 3 + 11 * SECOND),
        (sign(&server, NOW + 4), BODY, NOW),
    ]);
    assert_eq!(
        verdicts,
        [
            "ok",
            "ReplayedRequest",
            "BadSignature",
            "WrongReceiver",
            "StaleRequest",
            "ok"
        ]
    );
}

#[test]
#[ignore = "needs YUMA_PYTHON (run scripts/test)"]
fn both_sides_classify_failures_alike() {
    // The same requests, verified by both implementations, must get the same verdicts.
    let client = Pair::from_seed(&CLIENT_SEED);
    let server = Pair::from_seed(&SERVER_SEED).public();
    let signed = |nonce| sign_request(&client, "POST", PATH, BODY, Some(&server), nonce).to_pairs();
    let edit = |name: &'static str, value: &str| {
        let mut pairs = signed(NOW + 100);
        pairs.retain(|(k, _)| *k != name);
        pairs.push((name, value.to_owned()));
        pairs
    };
    let cases: Vec<Case<'_>> = vec![
        (signed(NOW), BODY, NOW + 2 * SECOND),
        (edit("X-Bittensor-Version", "2"), BODY, NOW),
        (edit("X-Bittensor-Nonce", "soon"), BODY, NOW),
        (edit("X-Bittensor-Signature", "0xzz"), BODY, NOW),
        (edit("X-Bittensor-Signature", "0xabcd"), BODY, NOW),
        (edit("X-Bittensor-Crypto", "ecdsa"), BODY, NOW),
        (edit("X-Bittensor-Crypto", "ed25519"), BODY, NOW),
        (edit("X-Bittensor-Hotkey", &ss58(OTHER_SEED)), BODY, NOW),
        (signed(NOW + 3 * SECOND), BODY, NOW),
        (signed(NOW), BODY, NOW + 10 * SECOND),
        (signed(NOW), BODY, NOW + 10 * SECOND + 1),
    ];
    let python = python_verdicts(&cases);
    let verifier = Verifier::new(Some(server));
    let rust: Vec<String> = cases
        .iter()
        .map(|(headers, body, now)| {
            match verifier.verify(headers.iter().cloned(), "POST", PATH, body, *now) {
                Ok(_) => "ok".to_owned(),
                Err(error) => error.kind().python_name().to_owned(),
            }
        })
        .collect();
    assert_eq!(rust, python);
    assert_eq!(python[0], "ok");
    assert_eq!(python[9], "ReplayedRequest");
    assert_eq!(python[10], "StaleRequest");
}
