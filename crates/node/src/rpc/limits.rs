//! What one JSON-RPC request or WebSocket session may ask of the node.
//!
//! Connection caps, timeouts and per-address rates are `yuma_http`'s; these bound the work
//! inside a request: a batch's entries, the size of its answers, WebSocket sessions (which
//! outlive their HTTP connection) and subscriptions per session.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Limits on JSON-RPC work, with defaults for a public node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RpcLimits {
    /// Entries in one batch; a larger batch is refused before any entry runs.
    pub max_batch: usize,
    /// Bytes of answers to one request; a batch stops where its answers pass it.
    pub max_response: usize,
    /// WebSocket sessions open at once; more upgrades are refused with 503.
    pub max_sessions: usize,
    /// Subscriptions one WebSocket session may hold.
    pub max_subscriptions: usize,
}

impl Default for RpcLimits {
    fn default() -> Self {
        Self {
            max_batch: 100,
            max_response: 8 << 20,
            max_sessions: 128,
            max_subscriptions: 32,
        }
    }
}

/// The WebSocket sessions open now, against [`RpcLimits::max_sessions`].
#[derive(Debug, Clone)]
pub struct Sessions(Arc<Semaphore>);

impl Sessions {
    /// Room for `limits.max_sessions` sessions.
    pub fn new(limits: &RpcLimits) -> Self {
        Self(Arc::new(Semaphore::new(limits.max_sessions)))
    }

    /// A place for one more session (held until the session ends), or `None` when full.
    pub(super) fn open(&self) -> Option<OwnedSemaphorePermit> {
        Arc::clone(&self.0).try_acquire_owned().ok()
    }
}

/// Counts the bytes a value serialises to, without keeping them.
pub(super) fn encoded_len(value: &serde_json::Value) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_are_counted_until_dropped() {
        let sessions = Sessions::new(&RpcLimits {
            max_sessions: 1,
            ..RpcLimits::default()
        });
        let first = sessions.open().expect("room for one");
        assert!(sessions.open().is_none());
        drop(first);
        assert!(sessions.open().is_some());
    }

    #[test]
    fn measures_what_serde_writes() {
        let value = serde_json::json!({"a": [1, 2, "three"]});
        assert_eq!(encoded_len(&value), value.to_string().len());
    }
}
