//! What the server knows of each client address: its open connections and its request
//! bucket.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::Limits;

/// Addresses kept before idle ones (no connection, full bucket) are forgotten.
const REMEMBERED: usize = 4096;

/// One address's state.
#[derive(Debug)]
struct Client {
    connections: usize,
    /// Requests it may send now, in thousandths of a request.
    milli_tokens: u64,
    refilled: Instant,
}

/// Every client address's state, shared by the accept loop and the connections.
#[derive(Debug)]
pub(crate) struct Clients {
    by_ip: Mutex<BTreeMap<IpAddr, Client>>,
    per_ip: usize,
    rate: u64,
    burst_milli: u64,
}

impl Clients {
    pub(crate) fn new(limits: &Limits) -> Arc<Self> {
        Arc::new(Self {
            by_ip: Mutex::new(BTreeMap::new()),
            per_ip: limits.max_connections_per_ip,
            rate: u64::from(limits.requests_per_second),
            burst_milli: u64::from(limits.burst.max(1)) * 1000,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<IpAddr, Client>> {
        self.by_ip.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts a new connection from `ip`, or `None` when `ip` has as many as it may.
    pub(crate) fn connect(self: &Arc<Self>, ip: IpAddr, now: Instant) -> Option<Connection> {
        let mut by_ip = self.lock();
        if by_ip.len() >= REMEMBERED {
            by_ip.retain(|_, c| c.connections > 0 || !self.refill(c, now));
        }
        let client = by_ip.entry(ip).or_insert(Client {
            connections: 0,
            milli_tokens: self.burst_milli,
            refilled: now,
        });
        if client.connections >= self.per_ip {
            return None;
        }
        client.connections += 1;
        Some(Connection {
            clients: Arc::clone(self),
            ip,
        })
    }

    /// Tops up `client`'s bucket for the time since it was last filled; whether it is full.
    fn refill(&self, client: &mut Client, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(client.refilled);
        let earned =
            u64::try_from(elapsed.as_micros().saturating_mul(u128::from(self.rate)) / 1000)
                .unwrap_or(u64::MAX);
        if earned > 0 {
            client.milli_tokens = client
                .milli_tokens
                .saturating_add(earned)
                .min(self.burst_milli);
            client.refilled = now;
        }
        client.milli_tokens == self.burst_milli
    }

    /// Takes one request from `ip`'s bucket; when it is empty, how long until it holds one.
    pub(crate) fn take(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        if self.rate == 0 {
            return Ok(());
        }
        let mut by_ip = self.lock();
        let Some(client) = by_ip.get_mut(&ip) else {
            return Ok(());
        };
        self.refill(client, now);
        if client.milli_tokens >= 1000 {
            client.milli_tokens -= 1000;
            return Ok(());
        }
        let missing = 1000 - client.milli_tokens;
        Err(Duration::from_micros(missing * 1000 / self.rate).max(Duration::from_millis(1)))
    }

    fn disconnect(&self, ip: IpAddr) {
        if let Some(client) = self.lock().get_mut(&ip) {
            client.connections = client.connections.saturating_sub(1);
        }
    }
}

/// An open connection from one address; dropping it counts it closed.
#[derive(Debug)]
pub(crate) struct Connection {
    clients: Arc<Clients>,
    ip: IpAddr,
}

impl Connection {
    /// The client's address.
    pub(crate) fn ip(&self) -> IpAddr {
        self.ip
    }

    /// The state of every client, for rate limiting this connection's requests.
    pub(crate) fn clients(&self) -> &Arc<Clients> {
        &self.clients
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.clients.disconnect(self.ip);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_ip: usize, rate: u32, burst: u32) -> Limits {
        Limits {
            max_connections_per_ip: per_ip,
            requests_per_second: rate,
            burst,
            ..Limits::default()
        }
    }

    #[test]
    fn caps_connections_per_address() {
        let clients = Clients::new(&limits(2, 10, 10));
        let (a, b): (IpAddr, IpAddr) = ([127, 0, 0, 2].into(), [127, 0, 0, 3].into());
        let now = Instant::now();
        let first = clients.connect(a, now).expect("under the cap");
        let _second = clients.connect(a, now).expect("at the cap");
        assert!(clients.connect(a, now).is_none());
        assert!(clients.connect(b, now).is_some());
        drop(first);
        assert!(clients.connect(a, now).is_some());
    }

    #[test]
    fn the_bucket_empties_and_refills_at_the_rate() {
        let clients = Clients::new(&limits(8, 100, 3));
        let ip: IpAddr = [10, 0, 0, 1].into();
        let t0 = Instant::now();
        let _connection = clients.connect(ip, t0).expect("a connection");
        for _ in 0..3 {
            assert_eq!(clients.take(ip, t0), Ok(()));
        }
        assert_eq!(clients.take(ip, t0), Err(Duration::from_millis(10)));
        assert_eq!(clients.take(ip, t0 + Duration::from_millis(10)), Ok(()));
        assert!(clients.take(ip, t0 + Duration::from_millis(15)).is_err());
        // A long pause fills the bucket to the burst, not beyond.
        let later = t0 + Duration::from_secs(60);
        for _ in 0..3 {
            assert_eq!(clients.take(ip, later), Ok(()));
        }
        assert!(clients.take(ip, later).is_err());
    }

    #[test]
    fn a_zero_rate_does_not_limit() {
        let clients = Clients::new(&limits(8, 0, 1));
        let ip: IpAddr = [10, 0, 0, 1].into();
        let now = Instant::now();
        let _connection = clients.connect(ip, now).expect("a connection");
        for _ in 0..100 {
            assert_eq!(clients.take(ip, now), Ok(()));
        }
    }
}
