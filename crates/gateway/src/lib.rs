//! Paid inference gateway: users pay TAO, sign requests with btauth/1, and get answers from
//! the subnet's best miners.
//!
//! A gateway runs under a validator hotkey (miners answer only registered validators with a
//! permit) and serves a small HTTP API ([`server`]): a user sends the subnet's challenge,
//! signed with btauth/1 by the account that paid, and gets the first valid answer of the
//! miners it routes to, or the ensemble of the top k for prediction tasks ([`ensemble`]).
//!
//! - [`ledger`]: credit per account from TAO transfers to the gateway's coldkey, usage, and
//!   the last processed block, persisted atomically so restarts neither lose nor double-count.
//! - [`watcher`]: follows the chain block by block for those transfers.
//! - [`routing`]: ranks miners by on-chain incentive and observed latency and error rate.
//! - [`hedge`]: asks the best miner, hedges to a second when the first is slower than its
//!   recent p95, fails over on errors; behind the [`hedge::Backend`] trait ([`MinerBackend`]
//!   is the real one, signing with [`yuma_neuron::MinerClient`]).
//! - [`staker`]: stakes a share of revenue back into the subnet's pool.
//! - [`metrics`]: Prometheus metrics at `/metrics`.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

pub mod ensemble;
mod error;
pub mod hedge;
pub mod journal;
pub mod ledger;
pub mod metrics;
pub mod routing;
pub mod server;
pub mod staker;
pub mod watcher;
pub mod work;

use std::time::Duration;

use serde_json::Value;
use yuma_neuron::MinerClient;

pub use error::Error;
pub use hedge::{Backend, HedgePolicy};
pub use server::{Gateway, GatewayConfig, router};

/// The real backend: btauth/1-signed `/v1/solve` calls to miners, as the gateway's hotkey.
pub struct MinerBackend {
    client: MinerClient,
    timeout: Duration,
}

impl MinerBackend {
    /// Calls miners through `client`, giving each call `timeout`.
    pub fn new(client: MinerClient, timeout: Duration) -> Self {
        Self { client, timeout }
    }
}

impl Backend for MinerBackend {
    async fn call(&self, target: routing::Target, challenge: &Value) -> Result<Value, String> {
        self.client
            .solve(target.addr, &target.hotkey, challenge, self.timeout)
            .await
            .map_err(|e| e.to_string())
    }
}
