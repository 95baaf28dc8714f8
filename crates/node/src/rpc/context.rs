//! What every RPC handler shares: the store, the application's mailbox, metrics, the stream of
//! committed blocks and the limits.

use std::sync::Arc;

use yuma_store::Store;

use super::limits::{RpcLimits, Sessions};
use crate::application::{Finalized, Mailbox};
use crate::metrics::Metrics;

/// What the RPC handlers share.
#[derive(Clone)]
pub struct Context {
    /// The store, read at its committed head.
    pub store: Arc<Store>,
    /// The application, for submissions and dry runs.
    pub mailbox: Mailbox,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// Committed blocks, for subscriptions and waiting submitters.
    pub finalized: tokio::sync::broadcast::Sender<Arc<Finalized>>,
    /// Largest request body in bytes (also the largest WebSocket message).
    pub max_body: usize,
    /// Bounds on batches, answers and WebSocket sessions.
    pub limits: RpcLimits,
    /// The WebSocket sessions open now.
    pub sessions: Sessions,
}
