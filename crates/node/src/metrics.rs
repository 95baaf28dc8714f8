//! Prometheus metrics, served as text at `/metrics`.
//!
//! | name | type | meaning |
//! |---|---|---|
//! | `yuma_block_height` | gauge | height of the last committed block |
//! | `yuma_transactions_total` | counter | transactions included in committed blocks (tx/s is its `rate()`) |
//! | `yuma_mempool_size` | gauge | transactions waiting in the mempool |
//! | `yuma_rpc_request_duration_seconds` | histogram | time to answer one JSON-RPC request, by method |

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// Label of the RPC latency histogram.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct MethodLabel {
    /// The JSON-RPC method (`unknown` for methods the node does not serve).
    pub method: String,
}

fn latency_histogram() -> Histogram {
    // 50 µs to about 3.3 s.
    Histogram::new(exponential_buckets(0.000_05, 3.0, 11))
}

/// The node's metrics.
pub struct Metrics {
    registry: Registry,
    /// Height of the last committed block.
    pub block_height: Gauge,
    /// Transactions included in committed blocks.
    pub transactions: Counter,
    /// Transactions in the mempool.
    pub mempool_size: Gauge,
    /// RPC latency per method.
    pub rpc_latency: Family<MethodLabel, Histogram, fn() -> Histogram>,
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("yuma");
        let block_height = Gauge::default();
        let transactions = Counter::default();
        let mempool_size = Gauge::default();
        let rpc_latency: Family<MethodLabel, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(latency_histogram);
        registry.register(
            "block_height",
            "Height of the last committed block",
            block_height.clone(),
        );
        registry.register(
            "transactions",
            "Transactions included in committed blocks",
            transactions.clone(),
        );
        registry.register(
            "mempool_size",
            "Transactions waiting in the mempool",
            mempool_size.clone(),
        );
        registry.register(
            "rpc_request_duration_seconds",
            "Time to answer one JSON-RPC request",
            rpc_latency.clone(),
        );
        Self {
            registry,
            block_height,
            transactions,
            mempool_size,
            rpc_latency,
        }
    }

    /// The Prometheus text exposition of every metric.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String cannot fail");
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposes_every_metric() {
        let m = Metrics::new();
        m.block_height.set(7);
        m.transactions.inc_by(3);
        m.rpc_latency
            .get_or_create(&MethodLabel {
                method: "chain_head".into(),
            })
            .observe(0.001);
        let text = m.encode();
        assert!(text.contains("yuma_block_height 7"), "{text}");
        assert!(text.contains("yuma_transactions_total 3"), "{text}");
        assert!(text.contains("yuma_mempool_size 0"), "{text}");
        assert!(
            text.contains("yuma_rpc_request_duration_seconds_count{method=\"chain_head\"} 1"),
            "{text}"
        );
    }
}
