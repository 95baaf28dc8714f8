//! In-process neurons for the benches: miners serving a fixed metagraph (no node), and
//! latency percentiles.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use serde::Serialize;
use serde_json::json;
use yuma_client::{Metagraph, NeuronInfo};
use yuma_keys::Pair;
use yuma_neuron::Solver;
use yuma_neuron::metagraph::MetagraphCache;
use yuma_neuron::miner::{self, MinerConfig, MinerState};
use yuma_primitives::AccountId;

/// A neuron of a fixed metagraph: `uid` with `hotkey`, serving on loopback `port` (a miner)
/// or not serving and holding a validator permit (a sender).
pub(super) fn neuron(
    uid: u16,
    hotkey: AccountId,
    port: Option<u16>,
    incentive: u16,
) -> anyhow::Result<NeuronInfo> {
    let axon = port.map(|port| {
        json!({"block": 0, "version": 0, "ip": 0x7f00_0001_u32, "port": port, "ip_type": 4,
               "protocol": 4})
    });
    serde_json::from_value(json!({
        "uid": uid, "hotkey": hotkey, "coldkey": hotkey, "stake": 1_000_000_000_000_u64,
        "rank": 0, "trust": 0, "consensus": 0, "incentive": incentive, "dividends": 0,
        "validator_trust": 0, "emission": 0, "validator_permit": port.is_none(), "active": true,
        "last_update": 0, "block_at_registration": 0, "axon": axon,
    }))
    .context("building a neuron")
}

/// A miner answering with `solver` on a loopback port, admitting the senders of `metagraph`
/// (no permit needed); its address.
pub(super) async fn start_miner<S: Solver>(
    solver: S,
    pair: &Pair,
    metagraph: Metagraph,
) -> anyhow::Result<SocketAddr> {
    let cache = Arc::new(MetagraphCache::fixed(metagraph));
    let config = MinerConfig {
        require_permit: false,
        max_concurrency: 64,
        queue: 64,
        ..MinerConfig::default()
    };
    let state = MinerState::new(solver, pair, cache, &config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("binding a miner")?;
    let addr = listener.local_addr().context("miner address")?;
    tokio::spawn(async move { axum::serve(listener, miner::router(state)).await });
    Ok(addr)
}

/// Latency percentiles of one measurement, µs.
#[derive(Debug, Serialize)]
pub(super) struct Percentiles {
    pub(super) p50_us: u128,
    pub(super) p99_us: u128,
}

impl Percentiles {
    /// A table row: `name`, p50, p99.
    pub(super) fn row(&self, name: &str) -> String {
        format!("{name:<34} {:>10} {:>10}", self.p50_us, self.p99_us)
    }
}

/// The header of a table of [`Percentiles::row`]s.
pub(super) fn header(title: &str) -> String {
    format!("{title:<34} {:>10} {:>10}", "p50", "p99")
}

/// The p50 and p99 of `samples`.
pub(super) fn percentiles(mut samples: Vec<Duration>) -> Percentiles {
    samples.sort_unstable();
    let at = |q: usize| {
        let i = (samples.len() * q).div_ceil(100).saturating_sub(1);
        samples.get(i).map_or(0, Duration::as_micros)
    };
    Percentiles {
        p50_us: at(50),
        p99_us: at(99),
    }
}
