//! The wire protocol between validators (or a gateway) and miners, and its client.
//!
//! ```text
//! +--------+-------------+----------------------------------------------------------------+
//! | method | path        |                                                                |
//! +--------+-------------+----------------------------------------------------------------+
//! | POST   | /v1/solve   | body: the subnet's challenge as JSON; btauth/1 headers signed   |
//! |        |             | by the sender's hotkey, bound to the miner's hotkey (receiver) |
//! |        |             | 200: the answer as JSON                                        |
//! |        |             | 400 body not a challenge, 401 not authenticated, 403 receiver  |
//! |        |             | wrong or sender not a validator of the subnet, 422 challenge   |
//! |        |             | unanswerable, 429 overloaded (shed), 503 replay store full;    |
//! |        |             | errors as {"error": "..."}                                     |
//! | GET    | /metrics    | Prometheus text, unauthenticated                               |
//! | GET    | /health     | 200 "ok", unauthenticated                                      |
//! +--------+-------------+----------------------------------------------------------------+
//! ```

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use yuma_client::NeuronInfo;
use yuma_keys::Pair;
use yuma_keys::btauth::{sign_request, unix_time_ns};
use yuma_primitives::AccountId;

/// The route a miner answers challenges on.
pub const SOLVE_PATH: &str = "/v1/solve";
/// The route of the miner's Prometheus metrics.
pub const METRICS_PATH: &str = "/metrics";
/// The liveness route.
pub const HEALTH_PATH: &str = "/health";

/// Why a query to a miner failed.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// No answer within the timeout.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// The miner could not be reached or the connection broke.
    #[error("cannot reach the miner: {0}")]
    Unreachable(reqwest::Error),
    /// The miner answered with an error status.
    #[error("miner answered {status}: {body}")]
    Status {
        /// HTTP status.
        status: u16,
        /// The body (truncated).
        body: String,
    },
    /// The answer was not valid JSON of the expected type.
    #[error("answer is not valid: {0}")]
    Decode(String),
    /// The answer was longer than [`MAX_ANSWER_BYTES`]; the rest was not read.
    #[error("answer is over {MAX_ANSWER_BYTES} bytes")]
    TooLarge,
}

/// The longest answer read from a miner: a larger one is refused unread, so that a miner
/// cannot exhaust a validator's or a gateway's memory.
pub const MAX_ANSWER_BYTES: usize = 8 << 20;

/// Sends btauth/1-signed challenges to miners, as one hotkey.
pub struct MinerClient {
    http: reqwest::Client,
    pair: Arc<Pair>,
    last_nonce: AtomicU64,
}

impl MinerClient {
    /// A client signing with `pair` (the sender's hotkey).
    pub fn new(pair: Arc<Pair>) -> Self {
        Self {
            http: reqwest::Client::new(),
            pair,
            last_nonce: AtomicU64::new(0),
        }
    }

    /// The sender's hotkey.
    pub fn hotkey(&self) -> AccountId {
        self.pair.public()
    }

    /// A nonce strictly greater than every one this client used before, so concurrent requests
    /// never replay each other.
    fn nonce(&self) -> u64 {
        let now = unix_time_ns();
        let mut last = self.last_nonce.load(Ordering::Relaxed);
        loop {
            let next = now.max(last.saturating_add(1));
            match self
                .last_nonce
                .compare_exchange(last, next, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return next,
                Err(seen) => last = seen,
            }
        }
    }

    /// Sends `challenge` to the miner at `addr` whose hotkey is `receiver` and decodes its
    /// answer, giving up after `timeout`.
    ///
    /// # Errors
    /// [`QueryError`] as documented on each variant.
    pub async fn solve<C: Serialize, A: DeserializeOwned>(
        &self,
        addr: SocketAddr,
        receiver: &AccountId,
        challenge: &C,
        timeout: Duration,
    ) -> Result<A, QueryError> {
        let body = serde_json::to_vec(challenge).map_err(|e| QueryError::Decode(e.to_string()))?;
        let headers = sign_request(
            &self.pair,
            "POST",
            SOLVE_PATH,
            &body,
            Some(receiver),
            self.nonce(),
        );
        let mut request = self
            .http
            .post(format!("http://{addr}{SOLVE_PATH}"))
            .header("Content-Type", "application/json")
            .body(body);
        for (name, value) in headers.to_pairs() {
            request = request.header(name, value);
        }
        let exchange = async {
            let mut response = request.send().await.map_err(QueryError::Unreachable)?;
            let status = response.status().as_u16();
            let mut bytes = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(QueryError::Unreachable)? {
                if bytes.len() + chunk.len() > MAX_ANSWER_BYTES {
                    return Err(QueryError::TooLarge);
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok::<_, QueryError>((status, bytes))
        };
        let (status, bytes) = tokio::time::timeout(timeout, exchange)
            .await
            .map_err(|_| QueryError::Timeout(timeout))??;
        if status != 200 {
            let text = String::from_utf8_lossy(&bytes);
            return Err(QueryError::Status {
                status,
                body: text.chars().take(200).collect(),
            });
        }
        serde_json::from_slice(&bytes).map_err(|e| QueryError::Decode(e.to_string()))
    }
}

/// Where a neuron's axon serves, if it published one.
pub fn axon_addr(neuron: &NeuronInfo) -> Option<SocketAddr> {
    let axon = neuron.axon.as_ref()?;
    let ip = match axon.ip_type {
        4 => IpAddr::V4(Ipv4Addr::from(u32::try_from(axon.ip).ok()?)),
        6 => IpAddr::V6(Ipv6Addr::from(axon.ip)),
        _ => return None,
    };
    (axon.port != 0).then_some(SocketAddr::new(ip, axon.port))
}

/// An IP address as `serve_axon` takes it: (bits, ip type).
pub fn axon_ip(ip: IpAddr) -> (u128, u8) {
    match ip {
        IpAddr::V4(v4) => (u128::from(u32::from(v4)), 4),
        IpAddr::V6(v6) => (u128::from(v6), 6),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_strictly_increase() {
        let client = MinerClient::new(Arc::new(Pair::from_uri("//Alice").expect("dev uri")));
        let mut last = 0;
        for _ in 0..1000 {
            let nonce = client.nonce();
            assert!(nonce > last);
            last = nonce;
        }
    }

    #[test]
    fn axon_ip_round_trips() {
        let (bits, kind) = axon_ip("127.0.0.1".parse().expect("an ip"));
        assert_eq!((bits, kind), (0x7f00_0001, 4));
        let (bits, kind) = axon_ip("::1".parse().expect("an ip"));
        assert_eq!((bits, kind), (1, 6));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_answer_over_the_limit_is_refused_unread() {
        use axum::routing::post;
        let huge = "1".repeat(MAX_ANSWER_BYTES + 1);
        let app = axum::Router::new().route(SOLVE_PATH, post(move || async move { huge }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds");
        let addr = listener.local_addr().expect("an address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        let client = MinerClient::new(Arc::new(Pair::from_uri("//Alice").expect("dev uri")));
        let receiver = Pair::from_uri("//Bob").expect("dev uri").public();
        let answer = client
            .solve::<_, serde_json::Value>(addr, &receiver, &1, Duration::from_secs(10))
            .await;
        assert!(matches!(answer, Err(QueryError::TooLarge)), "{answer:?}");
    }
}
