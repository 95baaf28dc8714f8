//! The gateway's Prometheus metrics, served at `/metrics`.
//!
//! | name | type | meaning |
//! |---|---|---|
//! | `yuma_gateway_requests_total` | counter | solve requests by outcome (`ok`, `unauthenticated`, `bad_request`, `payment_required`, `no_miners`, `failed`) |
//! | `yuma_gateway_request_seconds` | histogram | time to answer a paid request |
//! | `yuma_gateway_hedges_total` | counter | requests that sent a hedge to a second miner |
//! | `yuma_gateway_failovers_total` | counter | extra miners asked after a failure or hedge |
//! | `yuma_gateway_charged_rao_total` | counter | rao charged for answered queries |
//! | `yuma_gateway_credited_rao_total` | counter | rao credited from transfers seen since start |
//! | `yuma_gateway_chain_block` | gauge | last block the chain watcher processed |

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use yuma_neuron::outcomes::{self, Outcomes};

/// The gateway's metrics.
pub struct Metrics {
    registry: Registry,
    /// Requests by outcome.
    pub requests: Outcomes,
    /// Latency of answered requests.
    pub request_seconds: Histogram,
    /// Requests that were hedged.
    pub hedges: Counter,
    /// Extra miners asked.
    pub failovers: Counter,
    /// Rao charged.
    pub charged: Counter,
    /// Rao credited.
    pub credited: Counter,
    /// Last processed block.
    pub chain_block: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let requests = Outcomes::default();
        // 100 µs to about 60 s.
        let request_seconds = Histogram::new(exponential_buckets(0.0001, 3.0, 13));
        let (hedges, failovers, charged, credited) = Default::default();
        let chain_block = Gauge::default();
        requests.register(
            &mut registry,
            "yuma_gateway_requests",
            "Solve requests by outcome",
        );
        registry.register(
            "yuma_gateway_request_seconds",
            "Time to answer a paid request",
            request_seconds.clone(),
        );
        registry.register(
            "yuma_gateway_hedges",
            "Requests that sent a hedge to a second miner",
            Counter::clone(&hedges),
        );
        registry.register(
            "yuma_gateway_failovers",
            "Extra miners asked after a failure or a hedge",
            Counter::clone(&failovers),
        );
        registry.register(
            "yuma_gateway_charged_rao",
            "Rao charged for answered queries",
            Counter::clone(&charged),
        );
        registry.register(
            "yuma_gateway_credited_rao",
            "Rao credited from transfers seen since start",
            Counter::clone(&credited),
        );
        registry.register(
            "yuma_gateway_chain_block",
            "Last block the chain watcher processed",
            chain_block.clone(),
        );
        Self {
            registry,
            requests,
            request_seconds,
            hedges,
            failovers,
            charged,
            credited,
            chain_block,
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
