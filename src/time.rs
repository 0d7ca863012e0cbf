//! Time for programs (Go's `time` package, in part): the monotonic clock.

/// Nanoseconds on the monotonic clock since an arbitrary start
/// (Go's `runtime.nanotime`).
pub fn nanotime() -> i64 {
    crate::sys::time::nanotime()
}
