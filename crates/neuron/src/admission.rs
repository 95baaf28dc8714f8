//! Bounded concurrency with load shedding by stake.
//!
//! At most `limit` requests run at once; up to `queue` more wait for a slot. When the queue is
//! full, a newcomer with more stake than the poorest waiter takes that waiter's place (the
//! waiter is shed); otherwise the newcomer is shed. A freed slot goes to the waiter with the
//! most stake (the earliest among equals). A waiter that waits longer than `max_wait` is shed
//! too, so a flood never piles up and the server keeps answering (with 429) at once.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::oneshot;

/// Why a request was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("overloaded: request shed")]
pub struct Shed;

struct Waiter {
    id: u64,
    stake: u64,
    admit: oneshot::Sender<()>,
}

struct State {
    running: usize,
    waiting: Vec<Waiter>,
    next_id: u64,
}

/// Admission control shared by a server's handlers.
pub struct Admission {
    limit: usize,
    queue: usize,
    max_wait: Duration,
    state: Mutex<State>,
}

/// A running request's slot; dropping it hands the slot on.
pub struct Permit {
    admission: Arc<Admission>,
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.admission.release();
    }
}

impl Admission {
    /// At most `limit` (at least 1) running and `queue` waiting, each waiting at most
    /// `max_wait`.
    pub fn new(limit: usize, queue: usize, max_wait: Duration) -> Arc<Self> {
        Arc::new(Self {
            limit: limit.max(1),
            queue,
            max_wait,
            state: Mutex::new(State {
                running: 0,
                waiting: Vec::new(),
                next_id: 0,
            }),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Requests running now.
    pub fn running(&self) -> usize {
        self.lock().running
    }

    /// Waits for a slot for a request backed by `stake`.
    ///
    /// # Errors
    /// [`Shed`] when the request is refused or displaced, or waited too long.
    pub async fn acquire(self: &Arc<Self>, stake: u64) -> Result<Permit, Shed> {
        let (id, admitted) = {
            let mut st = self.lock();
            if st.running < self.limit {
                st.running += 1;
                return Ok(Permit {
                    admission: self.clone(),
                });
            }
            if st.waiting.len() >= self.queue {
                let poorest = st
                    .waiting
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, w)| (w.stake, std::cmp::Reverse(w.id)))
                    .map(|(i, w)| (i, w.stake));
                match poorest {
                    Some((i, poorest_stake)) if poorest_stake < stake => {
                        // Dropping its sender wakes the displaced waiter with an error.
                        st.waiting.swap_remove(i);
                    }
                    _ => return Err(Shed),
                }
            }
            let (admit, admitted) = oneshot::channel();
            let id = st.next_id;
            st.next_id += 1;
            st.waiting.push(Waiter { id, stake, admit });
            (id, admitted)
        };
        match tokio::time::timeout(self.max_wait, admitted).await {
            Ok(Ok(())) => Ok(Permit {
                admission: self.clone(),
            }),
            Ok(Err(_)) => Err(Shed),
            Err(_) => {
                let mut st = self.lock();
                if let Some(i) = st.waiting.iter().position(|w| w.id == id) {
                    st.waiting.swap_remove(i);
                    return Err(Shed);
                }
                // Admitted just as the wait ran out: the slot is ours, so hand it on.
                drop(st);
                drop(Permit {
                    admission: self.clone(),
                });
                Err(Shed)
            }
        }
    }

    /// Hands a freed slot to the richest waiter still waiting, or frees it.
    fn release(&self) {
        let mut st = self.lock();
        loop {
            let best = st
                .waiting
                .iter()
                .enumerate()
                .max_by_key(|(_, w)| (w.stake, std::cmp::Reverse(w.id)))
                .map(|(i, _)| i);
            let Some(i) = best else {
                st.running = st.running.saturating_sub(1);
                return;
            };
            let waiter = st.waiting.swap_remove(i);
            if waiter.admit.send(()).is_ok() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn admits_up_to_the_limit_then_queues_then_sheds() {
        let adm = Admission::new(2, 1, Duration::from_secs(5));
        let a = adm.acquire(0).await.expect("first slot");
        let _b = adm.acquire(0).await.expect("second slot");
        let adm2 = adm.clone();
        let waiter = tokio::spawn(async move { adm2.acquire(5).await.map(|_| ()) });
        tokio::task::yield_now().await;
        while adm.lock().waiting.is_empty() {
            tokio::task::yield_now().await;
        }
        // Queue full and the newcomer is not richer: shed.
        assert_eq!(adm.acquire(5).await.err(), Some(Shed));
        drop(a);
        assert_eq!(waiter.await.expect("joins"), Ok(()));
    }

    #[tokio::test]
    async fn richer_newcomer_displaces_poorest_waiter() {
        let adm = Admission::new(1, 1, Duration::from_secs(5));
        let running = adm.acquire(0).await.expect("slot");
        let adm2 = adm.clone();
        let poor = tokio::spawn(async move { adm2.acquire(1).await.map(|_| ()) });
        while adm.lock().waiting.is_empty() {
            tokio::task::yield_now().await;
        }
        let adm3 = adm.clone();
        let rich = tokio::spawn(async move { adm3.acquire(100).await.map(|_| ()) });
        assert_eq!(poor.await.expect("joins"), Err(Shed));
        drop(running);
        assert_eq!(rich.await.expect("joins"), Ok(()));
        assert_eq!(adm.running(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn waiting_too_long_is_shed_and_frees_nothing() {
        let adm = Admission::new(1, 4, Duration::from_millis(100));
        let _running = adm.acquire(0).await.expect("slot");
        assert_eq!(adm.acquire(0).await.err(), Some(Shed));
        assert!(adm.lock().waiting.is_empty());
        assert_eq!(adm.running(), 1);
    }
}
