//! A metagraph cache: the subnet's neurons, read from the chain in one RPC call
//! (`subnet_metagraph`) and refreshed in the background.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use yuma_client::{Client, Metagraph, NeuronInfo};
use yuma_primitives::{AccountId, NetUid};

use crate::Error;

/// The neurons of one subnet as last read, indexed by hotkey.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// The metagraph, if one was read.
    pub metagraph: Option<Metagraph>,
    by_hotkey: HashMap<AccountId, usize>,
}

impl Snapshot {
    /// A snapshot of `metagraph`.
    pub fn new(metagraph: Metagraph) -> Self {
        let by_hotkey = metagraph
            .neurons
            .iter()
            .enumerate()
            .map(|(i, n)| (n.hotkey, i))
            .collect();
        Self {
            metagraph: Some(metagraph),
            by_hotkey,
        }
    }

    /// The neuron of `hotkey`, if registered.
    pub fn neuron(&self, hotkey: &AccountId) -> Option<&NeuronInfo> {
        let i = *self.by_hotkey.get(hotkey)?;
        self.metagraph.as_ref()?.neurons.get(i)
    }

    /// The block the metagraph was read at (0 before the first read).
    pub fn block(&self) -> u64 {
        self.metagraph.as_ref().map_or(0, |m| m.block)
    }
}

/// A shared, refreshable [`Snapshot`] of one subnet.
pub struct MetagraphCache {
    client: Option<Arc<Client>>,
    netuid: NetUid,
    current: RwLock<Arc<Snapshot>>,
}

impl MetagraphCache {
    /// A cache of `netuid` read through `client`; empty until [`Self::refresh`].
    pub fn new(client: Arc<Client>, netuid: NetUid) -> Self {
        Self {
            client: Some(client),
            netuid,
            current: RwLock::new(Arc::new(Snapshot::default())),
        }
    }

    /// A cache that always holds `metagraph` (for tests and offline tools).
    pub fn fixed(metagraph: Metagraph) -> Self {
        Self {
            client: None,
            netuid: metagraph.netuid,
            current: RwLock::new(Arc::new(Snapshot::new(metagraph))),
        }
    }

    /// The subnet.
    pub fn netuid(&self) -> NetUid {
        self.netuid
    }

    /// The current snapshot.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Reads the metagraph from the chain and replaces the snapshot (a fixed cache keeps its
    /// own).
    ///
    /// # Errors
    /// [`Error::Client`] when the node fails, [`Error::NoSubnet`] when the subnet is gone.
    pub async fn refresh(&self) -> Result<Arc<Snapshot>, Error> {
        let Some(client) = &self.client else {
            return Ok(self.snapshot());
        };
        let metagraph = client
            .metagraph(self.netuid)
            .await?
            .ok_or(Error::NoSubnet(self.netuid))?;
        let snapshot = Arc::new(Snapshot::new(metagraph));
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = snapshot.clone();
        Ok(snapshot)
    }

    /// Refreshes every `every` until the task is aborted; a failed refresh keeps the last
    /// snapshot and is reported through `on_error`.
    pub fn spawn_refresh(
        self: Arc<Self>,
        every: Duration,
        on_error: impl Fn(&Error) + Send + 'static,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(every);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                if let Err(e) = self.refresh().await {
                    on_error(&e);
                }
            }
        })
    }
}
