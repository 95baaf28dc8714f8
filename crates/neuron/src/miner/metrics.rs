//! The miner's Prometheus metrics, served at `/metrics`.
//!
//! | name | type | meaning |
//! |---|---|---|
//! | `yuma_miner_requests_total` | counter | requests to `/v1/solve` by outcome (`ok`, `unauthenticated`, `forbidden`, `shed`, `bad_request`, `failed`) |
//! | `yuma_miner_in_flight` | gauge | challenges being solved now |
//! | `yuma_miner_solve_seconds` | histogram | time to solve one challenge |
//! | `yuma_miner_solves_total` | counter | challenges handed to the model |

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::outcomes::{self, Outcomes};

/// The miner's metrics.
pub struct Metrics {
    registry: Registry,
    /// Requests by outcome.
    pub requests: Outcomes,
    /// Challenges being solved.
    pub in_flight: Gauge,
    /// Solve latency.
    pub solve_seconds: Histogram,
    /// Challenges handed to the model.
    pub solves: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let requests = Outcomes::default();
        let in_flight = Gauge::default();
        // 1 ms to about 20 s.
        let solve_seconds = Histogram::new(exponential_buckets(0.001, 3.0, 10));
        let solves = Counter::default();
        requests.register(
            &mut registry,
            "yuma_miner_requests",
            "Requests to /v1/solve by outcome",
        );
        registry.register(
            "yuma_miner_in_flight",
            "Challenges being solved now",
            in_flight.clone(),
        );
        registry.register(
            "yuma_miner_solve_seconds",
            "Time to solve one challenge",
            solve_seconds.clone(),
        );
        registry.register(
            "yuma_miner_solves",
            "Challenges handed to the model",
            solves.clone(),
        );
        Self {
            registry,
            requests,
            in_flight,
            solve_seconds,
            solves,
        }
    }
}

impl Metrics {
    /// Counts a request's outcome.
    pub fn outcome(&self, outcome: &'static str) {
        self.requests.count(outcome);
    }

    /// The metrics in Prometheus text format.
    pub fn encode(&self) -> String {
        outcomes::encode(&self.registry)
    }
}
