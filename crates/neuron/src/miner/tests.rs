//! The miner's request checks, in process: a counting solver shows that no rejected request
//! reaches the model, and a slow solver shows load shedding.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use yuma_client::{Metagraph, NeuronInfo};
use yuma_keys::Pair;
use yuma_keys::btauth::{sign_request, unix_time_ns};
use yuma_primitives::{AccountId, NetUid};

use super::{MinerConfig, MinerState, router};
use crate::metagraph::MetagraphCache;
use crate::protocol::SOLVE_PATH;
use crate::task::{Failure, Solver};

/// Echoes the challenge's length, counting calls; sleeps `delay` first; panics on an empty
/// challenge (a model with a bug); fails as refused, unavailable or timed out when the
/// challenge starts with 7, 8 or 9 (an external model's failures).
struct Counting {
    calls: Arc<AtomicUsize>,
    delay: Duration,
}

impl Solver for Counting {
    type Challenge = Vec<u32>;
    type Answer = usize;
    type Error = String;

    fn solve(&self, challenge: Vec<u32>) -> Result<usize, String> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(self.delay);
        assert!(
            !challenge.is_empty(),
            "the model cannot answer an empty challenge"
        );
        match challenge[0] {
            7 => Err("refused".into()),
            8 => Err("unavailable".into()),
            9 => Err("timed out".into()),
            _ => Ok(challenge.len()),
        }
    }

    fn failure(&self, error: &String) -> Failure {
        match error.as_str() {
            "unavailable" => Failure::Unavailable,
            "timed out" => Failure::TimedOut,
            _ => Failure::Refused,
        }
    }
}

fn neuron(uid: u16, hotkey: AccountId, permit: bool, stake: u64) -> NeuronInfo {
    NeuronInfo {
        uid,
        hotkey,
        coldkey: hotkey,
        stake,
        rank: 0,
        trust: 0,
        consensus: 0,
        incentive: 0,
        dividends: 0,
        validator_trust: 0,
        emission: 0,
        validator_permit: permit,
        active: true,
        last_update: 0,
        block_at_registration: 0,
        axon: None,
    }
}

fn pair(uri: &str) -> Pair {
    Pair::from_uri(uri).expect("a dev uri")
}

struct Harness {
    addr: SocketAddr,
    miner: Pair,
    calls: Arc<AtomicUsize>,
    http: reqwest::Client,
}

/// A miner (//Miner) on subnet 1 where //Validator has a permit, //NoPermit is registered
/// without one, and //Stranger is not registered.
async fn start(config: MinerConfig, delay: Duration) -> Harness {
    let miner = pair("//Miner");
    let metagraph = Metagraph {
        netuid: NetUid(1),
        block: 1,
        neurons: vec![
            neuron(0, miner.public(), false, 0),
            neuron(1, pair("//Validator").public(), true, 1_000),
            neuron(2, pair("//NoPermit").public(), false, 5),
        ],
        weights: vec![],
    };
    let calls = Arc::new(AtomicUsize::new(0));
    let solver = Counting {
        calls: calls.clone(),
        delay,
    };
    let cache = Arc::new(MetagraphCache::fixed(metagraph));
    let state = MinerState::new(solver, &miner, cache, &config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let addr = listener.local_addr().expect("an address");
    tokio::spawn(async move { axum::serve(listener, router(state)).await });
    Harness {
        addr,
        miner,
        calls,
        http: reqwest::Client::new(),
    }
}

impl Harness {
    /// Posts `body` with the given header pairs; returns the status.
    async fn post(&self, body: &[u8], headers: &[(&'static str, String)]) -> u16 {
        self.post_for_body(body, headers).await.0
    }

    /// Posts `body` with the given header pairs; returns the status and the answer's body.
    async fn post_for_body(
        &self,
        body: &[u8],
        headers: &[(&'static str, String)],
    ) -> (u16, String) {
        let mut request = self
            .http
            .post(format!("http://{}{SOLVE_PATH}", self.addr))
            .body(body.to_vec());
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let response = request.send().await.expect("the miner answers");
        let status = response.status().as_u16();
        (status, response.text().await.unwrap_or_default())
    }

    fn signed(&self, sender: &Pair, body: &[u8], nonce: u64) -> Vec<(&'static str, String)> {
        sign_request(
            sender,
            "POST",
            SOLVE_PATH,
            body,
            Some(&self.miner.public()),
            nonce,
        )
        .to_pairs()
    }
}

#[tokio::test]
async fn rejects_bad_requests_before_the_model_runs() {
    let h = start(MinerConfig::default(), Duration::ZERO).await;
    let body = b"[1,2,3]";
    let validator = pair("//Validator");
    let now = unix_time_ns();

    // Unsigned.
    assert_eq!(h.post(body, &[]).await, 401);
    // Tampered: signed for another body.
    let headers = h.signed(&validator, b"[1,2]", now);
    assert_eq!(h.post(body, &headers).await, 401);
    // Stale: signed a minute ago.
    let headers = h.signed(&validator, body, now - 60_000_000_000);
    assert_eq!(h.post(body, &headers).await, 401);
    // Wrong receiver: bound to another hotkey.
    let other = pair("//Other").public();
    let headers = sign_request(&validator, "POST", SOLVE_PATH, body, Some(&other), now).to_pairs();
    assert_eq!(h.post(body, &headers).await, 403);
    // Not registered on the subnet, and registered without a validator permit.
    let headers = h.signed(&pair("//Stranger"), body, now);
    assert_eq!(h.post(body, &headers).await, 403);
    let headers = h.signed(&pair("//NoPermit"), body, now);
    assert_eq!(h.post(body, &headers).await, 403);
    assert_eq!(
        h.calls.load(Ordering::SeqCst),
        0,
        "no rejected request ran the model"
    );

    // A good request runs the model once; replaying it is rejected without running it.
    let headers = h.signed(&validator, body, now + 1);
    assert_eq!(h.post(body, &headers).await, 200);
    assert_eq!(h.calls.load(Ordering::SeqCst), 1);
    assert_eq!(h.post(body, &headers).await, 401);
    // A good signature over a body that is no challenge: 400, model not run.
    let junk = b"not json";
    let headers = h.signed(&validator, junk, now + 2);
    assert_eq!(h.post(junk, &headers).await, 400);
    assert_eq!(h.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sheds_load_at_20x_its_limit_and_stays_responsive() {
    let config = MinerConfig {
        max_concurrency: 2,
        queue: 2,
        max_wait: Duration::from_secs(5),
        require_permit: true,
    };
    let h = Arc::new(start(config, Duration::from_millis(200)).await);
    let validator = pair("//Validator");
    let base = unix_time_ns();
    let body = b"[1]";
    let requests: Vec<_> = (0..40u64)
        .map(|i| {
            let h = h.clone();
            let headers = h.signed(&validator, body, base + i);
            tokio::spawn(async move { h.post(body, &headers).await })
        })
        .collect();
    // While the flood is in flight, the server still answers at once.
    let health = h
        .http
        .get(format!("http://{}/health", h.addr))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .expect("health answers while overloaded");
    assert_eq!(health.status().as_u16(), 200);
    let mut statuses = Vec::new();
    for r in requests {
        statuses.push(r.await.expect("joins"));
    }
    let ok = statuses.iter().filter(|&&s| s == 200).count();
    let shed = statuses.iter().filter(|&&s| s == 429).count();
    assert_eq!(
        ok + shed,
        40,
        "every request is answered 200 or 429: {statuses:?}"
    );
    assert!(shed >= 30, "most of a 20x flood is shed: {statuses:?}");
    assert!(ok >= 2, "the miner keeps working: {statuses:?}");
    assert_eq!(h.calls.load(Ordering::SeqCst), ok);
    // After the flood the miner serves normally again.
    let headers = h.signed(&validator, body, unix_time_ns());
    assert_eq!(h.post(body, &headers).await, 200);
}

#[tokio::test]
async fn a_panicking_model_answers_500_in_json_and_the_miner_goes_on() {
    let h = start(MinerConfig::default(), Duration::ZERO).await;
    let validator = pair("//Validator");
    let now = unix_time_ns();
    let headers = h.signed(&validator, b"[]", now);
    let (status, body) = h.post_for_body(b"[]", &headers).await;
    assert_eq!(status, 500);
    let body: serde_json::Value = serde_json::from_str(&body).expect("a JSON error");
    assert_eq!(
        body["error"],
        serde_json::json!("the model failed unexpectedly")
    );
    let headers = h.signed(&validator, b"[1]", now + 1);
    assert_eq!(h.post(b"[1]", &headers).await, 200);
}

#[tokio::test]
async fn failures_answer_422_502_or_504_in_json() {
    let h = start(MinerConfig::default(), Duration::ZERO).await;
    let validator = pair("//Validator");
    let now = unix_time_ns();
    for (i, (body, status, error)) in [
        (b"[7]", 422, "refused"),
        (b"[8]", 502, "unavailable"),
        (b"[9]", 504, "timed out"),
    ]
    .into_iter()
    .enumerate()
    {
        let headers = h.signed(&validator, body, now + i as u64);
        let (got, text) = h.post_for_body(body, &headers).await;
        assert_eq!(got, status, "{text}");
        let text: serde_json::Value = serde_json::from_str(&text).expect("a JSON error");
        assert_eq!(text["error"], serde_json::json!(error));
    }
}
