//! Process-wide tuning of the C allocator.
//!
//! The node runs an epoch per subnet every tempo and executes blocks all day; both allocate
//! and free buffers of several MiB. With glibc's defaults, freeing more than 128 KiB at the
//! top of the heap hands the pages back to the kernel, so the next epoch page-faults the same
//! memory in again (about 15% of an epoch of 64 validators x 4096 miners). Keeping freed
//! memory up to [`KEEP_FREED`] makes repeated work reuse it.

/// Freed heap memory kept for reuse before any is returned to the kernel.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const KEEP_FREED: libc::c_int = 64 << 20;

/// Allocations at least this large are mapped on their own (and unmapped when freed).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MAP_ALONE: libc::c_int = 16 << 20;

/// Applies the tuning; a no-op on other C libraries.
pub(crate) fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator parameters; it runs at start-up, before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, KEEP_FREED);
        libc::mallopt(libc::M_MMAP_THRESHOLD, MAP_ALONE);
    }
}
