//! Requests counted by how they ended, for the Prometheus metrics of the services that answer
//! solve requests (the miner's and the gateway's).

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;

/// A counter per outcome (`ok`, `failed`, ...), labelled `outcome`.
#[derive(Clone, Default)]
pub struct Outcomes(Family<Outcome, Counter>);

/// The label of one outcome.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Outcome {
    outcome: &'static str,
}

impl Outcomes {
    /// Counts one request that ended with `outcome`.
    pub fn count(&self, outcome: &'static str) {
        self.0.get_or_create(&Outcome { outcome }).inc();
    }

    /// Registers the counters in `registry` as `name` (Prometheus adds `_total`).
    pub fn register(&self, registry: &mut Registry, name: &str, help: &str) {
        registry.register(name, help, self.0.clone());
    }
}

/// The registry's metrics in Prometheus text format.
pub fn encode(registry: &Registry) -> String {
    let mut text = String::new();
    // Writing into a String cannot fail.
    let _ = prometheus_client::encoding::text::encode(&mut text, registry);
    text
}
