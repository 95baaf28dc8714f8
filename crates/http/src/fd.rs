//! The process's file-descriptor limit, and how many connections fit under it.
//!
//! The usual soft limit is 1024 while the hard limit is often far higher. A server raises the
//! soft limit to the hard one at start-up and keeps a reserve for its own files (store,
//! journals, peers), so that clients can never take the descriptor a write needs.

use std::io;

/// Raises the soft limit on open files to the hard limit; returns the soft limit now in force.
///
/// # Errors
/// When the limit cannot be read or set.
pub fn raise_limit() -> io::Result<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct it is given.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err(io::Error::last_os_error());
    }
    if limit.rlim_cur < limit.rlim_max {
        let raised = libc::rlimit {
            rlim_cur: limit.rlim_max,
            rlim_max: limit.rlim_max,
        };
        // SAFETY: setrlimit reads the struct it is given.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            limit = raised;
        }
    }
    Ok(limit.rlim_cur)
}

/// Connections that fit under a soft limit of `limit` files once `reserve` are kept back.
pub fn connection_budget(limit: u64, reserve: u64) -> usize {
    usize::try_from(limit.saturating_sub(reserve)).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_raised_to_at_least_what_it_was() {
        let mut before = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: as in raise_limit.
        assert_eq!(
            unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut before) },
            0
        );
        let now = raise_limit().expect("the limit can be read");
        assert!(now >= before.rlim_cur);
    }

    #[test]
    fn the_budget_keeps_the_reserve() {
        assert_eq!(connection_budget(1024, 256), 768);
        assert_eq!(connection_budget(100, 256), 0);
    }
}
