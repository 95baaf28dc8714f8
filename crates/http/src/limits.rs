//! The limits of one server, with defaults for a public endpoint.

use std::time::Duration;

/// What one server allows its clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Connections served at once; more wait in the kernel's backlog.
    pub max_connections: usize,
    /// Connections from one IP address at once; more are closed.
    pub max_connections_per_ip: usize,
    /// Time to send a request's headers, from when the server waits for them (also the idle
    /// time a keep-alive connection may spend between requests).
    pub header_timeout: Duration,
    /// Time to send the body and get the answer.
    pub request_timeout: Duration,
    /// Requests per second one IP address may sustain (0: no limit).
    pub requests_per_second: u32,
    /// Requests one IP address may send at once above that rate.
    pub burst: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 512,
            max_connections_per_ip: 128,
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(90),
            requests_per_second: 1_000,
            burst: 2_000,
        }
    }
}

impl Limits {
    /// These limits with the connection caps lowered to `budget` descriptors.
    pub fn within(self, budget: usize) -> Self {
        let max_connections = self.max_connections.min(budget).max(1);
        Self {
            max_connections,
            max_connections_per_ip: self.max_connections_per_ip.min(max_connections),
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_lowers_both_caps() {
        let limits = Limits::default().within(100);
        assert_eq!(limits.max_connections, 100);
        assert_eq!(limits.max_connections_per_ip, 100);
        let roomy = Limits::default().within(1 << 20);
        assert_eq!(roomy, Limits::default());
        assert_eq!(Limits::default().within(0).max_connections, 1);
    }
}
