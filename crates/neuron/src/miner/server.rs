//! The miner's HTTP routes and the checks every request passes before the model runs.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use yuma_http::error_response as error;
use yuma_keys::Pair;
use yuma_keys::btauth::{Verifier, unix_time_ns};

use super::metrics::Metrics;
use crate::admission::Admission;
use crate::metagraph::MetagraphCache;
use crate::protocol::{HEALTH_PATH, METRICS_PATH, SOLVE_PATH};
use crate::task::{Failure, Solver};

/// How a miner admits requests.
#[derive(Debug, Clone)]
pub struct MinerConfig {
    /// Challenges solved at once.
    pub max_concurrency: usize,
    /// Requests that may wait for a slot (beyond that, the lowest stake is shed).
    pub queue: usize,
    /// Longest a request waits for a slot before it is shed.
    pub max_wait: Duration,
    /// Whether the sender needs a validator permit (not only a registration).
    pub require_permit: bool,
}

impl Default for MinerConfig {
    fn default() -> Self {
        Self {
            max_concurrency: 8,
            queue: 8,
            max_wait: Duration::from_secs(2),
            require_permit: true,
        }
    }
}

/// Everything the miner's handlers share.
pub struct MinerState<S> {
    solver: Arc<S>,
    verifier: Verifier,
    metagraph: Arc<MetagraphCache>,
    admission: Arc<Admission>,
    require_permit: bool,
    /// The miner's metrics.
    pub metrics: Metrics,
}

impl<S: Solver> MinerState<S> {
    /// A miner with hotkey `pair` (the receiver requests must be bound to) answering with
    /// `solver`, checking senders against `metagraph`.
    pub fn new(
        solver: S,
        pair: &Pair,
        metagraph: Arc<MetagraphCache>,
        config: &MinerConfig,
    ) -> Arc<Self> {
        Arc::new(Self {
            solver: Arc::new(solver),
            verifier: Verifier::new(Some(pair.public())),
            metagraph,
            admission: Admission::new(config.max_concurrency, config.queue, config.max_wait),
            require_permit: config.require_permit,
            metrics: Metrics::default(),
        })
    }
}

/// The miner's routes: `POST /v1/solve`, `GET /metrics`, `GET /health`.
pub fn router<S: Solver>(state: Arc<MinerState<S>>) -> Router {
    yuma_http::with_json_fallbacks(
        Router::new()
            .route(SOLVE_PATH, post(solve::<S>))
            .route(METRICS_PATH, get(metrics::<S>))
            .route(HEALTH_PATH, get(|| async { "ok" }))
            .with_state(state),
    )
}

async fn solve<S: Solver>(
    State(state): State<Arc<MinerState<S>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path_and_query().map_or(uri.path(), |pq| pq.as_str());
    let pairs = headers
        .iter()
        .map(|(name, value)| (name.as_str().as_bytes(), value.as_bytes()));
    let caller = match state
        .verifier
        .verify(pairs, method.as_str(), path, &body, unix_time_ns())
    {
        Ok(caller) => caller,
        Err(e) => {
            state.metrics.outcome("unauthenticated");
            let status =
                StatusCode::from_u16(e.kind().http_status()).unwrap_or(StatusCode::UNAUTHORIZED);
            return error(status, e);
        }
    };
    let snapshot = state.metagraph.snapshot();
    let netuid = state.metagraph.netuid();
    let stake = match snapshot.neuron(&caller.hotkey) {
        None => {
            state.metrics.outcome("forbidden");
            return error(
                StatusCode::FORBIDDEN,
                format!(
                    "hotkey {} is not registered on subnet {netuid}",
                    caller.hotkey
                ),
            );
        }
        Some(n) if state.require_permit && !n.validator_permit => {
            state.metrics.outcome("forbidden");
            return error(
                StatusCode::FORBIDDEN,
                format!(
                    "hotkey {} has no validator permit on subnet {netuid}",
                    caller.hotkey
                ),
            );
        }
        Some(n) => n.stake,
    };
    let Ok(_permit) = state.admission.acquire(stake).await else {
        state.metrics.outcome("shed");
        return error(StatusCode::TOO_MANY_REQUESTS, "overloaded: try again later");
    };
    let challenge: S::Challenge = match serde_json::from_slice(&body) {
        Ok(c) => c,
        Err(e) => {
            state.metrics.outcome("bad_request");
            return error(
                StatusCode::BAD_REQUEST,
                format!("body is not a challenge: {e}"),
            );
        }
    };
    state.metrics.in_flight.inc();
    state.metrics.solves.inc();
    let started = Instant::now();
    let solver = state.solver.clone();
    let result = tokio::task::spawn_blocking(move || solver.solve(challenge)).await;
    state
        .metrics
        .solve_seconds
        .observe(started.elapsed().as_secs_f64());
    state.metrics.in_flight.dec();
    match result {
        Ok(Ok(answer)) => {
            state.metrics.outcome("ok");
            (
                [(header::CONTENT_TYPE, "application/json")],
                serde_json::to_vec(&answer).unwrap_or_default(),
            )
                .into_response()
        }
        Ok(Err(e)) => {
            state.metrics.outcome("failed");
            let status = match state.solver.failure(&e) {
                Failure::Refused => StatusCode::UNPROCESSABLE_ENTITY,
                Failure::Unavailable => StatusCode::BAD_GATEWAY,
                Failure::TimedOut => StatusCode::GATEWAY_TIMEOUT,
            };
            error(status, e)
        }
        Err(panic) => {
            state.metrics.outcome("failed");
            tracing::error!(%panic, "the solver panicked");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the model failed unexpectedly",
            )
        }
    }
}

async fn metrics<S: Solver>(State(state): State<Arc<MinerState<S>>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.encode(),
    )
        .into_response()
}
