//! CPU time for the benchmarks, from the kernel's per-thread and per-process clocks, which
//! count in nanoseconds (the scheduler statistics in `/proc` may advance only at ticks).

/// CPU time this thread has run, in ns (`None` where the clock is missing).
pub(super) fn thread_ns() -> Option<u64> {
    #[cfg(unix)]
    return clock_ns(libc::CLOCK_THREAD_CPUTIME_ID);
    #[cfg(not(unix))]
    None
}

/// CPU time every thread of this process has run, exited ones included, in ns.
pub(super) fn process_ns() -> Option<u64> {
    #[cfg(unix)]
    return clock_ns(libc::CLOCK_PROCESS_CPUTIME_ID);
    #[cfg(not(unix))]
    None
}

#[cfg(unix)]
fn clock_ns(clock: libc::clockid_t) -> Option<u64> {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes only the timespec it is given, which outlives the call.
    if unsafe { libc::clock_gettime(clock, &mut now) } != 0 {
        return None;
    }
    let secs = u64::try_from(now.tv_sec).ok()?;
    let nanos = u64::try_from(now.tv_nsec).ok()?;
    secs.checked_mul(1_000_000_000)?.checked_add(nanos)
}
