//! Hooks for this package's own test programs (tests/programs/), as Go's
//! `runtime/export_test.go` exports internals to the runtime's own tests
//! only. **Not API**: hidden from the docs, no stability promise, and a
//! program outside this repository must not use it. Each hook reads
//! runtime state that no public call can show, for a test that must
//! know it (that goroutines really parked before a close, which P runs a
//! goroutine, that the runtime opened exactly one pidfd).
//!
//! Every hook only reads; none changes what the runtime does.

use crate::sys::Errno;

/// Goroutines parked now with wait reason `reason`, as it appears in
/// `goroutine N [reason]:` (what Go's tests learn by parsing
/// `runtime.Stack(buf, true)`).
pub fn parked(reason: &str) -> usize {
    use crate::sched::g::{G, GWAITING};
    let allgs = crate::sched::sched::ALLGS.lock();
    allgs
        .iter()
        .filter(|&&gp| {
            // SAFETY: Gs in allgs are never freed; the status is atomic and
            // the reason is written before the status turns to waiting.
            let g = unsafe { &*(gp as *const G) };
            g.status() == GWAITING && g.waitreason.as_str() == reason
        })
        .count()
}

/// The id and `schedtick` of the P running the calling goroutine.
pub fn current_p() -> (i32, u32) {
    // SAFETY: a running goroutine's M holds a P, and Ps are never freed;
    // schedtick is written only by the M holding the P, which is ours, so
    // a volatile read sees its latest value.
    unsafe {
        let pp = (*crate::sched::sched::getm()).p;
        ((*pp).id, core::ptr::read_volatile(&(*pp).schedtick))
    }
}

/// The runtime's own pidfd (for `process_madvise`), opened on first use.
pub fn self_pidfd() -> Result<i32, Errno> {
    crate::sys::mm::self_pidfd()
}

/// Did start-up find the vDSO's `clock_gettime`?
pub fn have_vdso_clock() -> bool {
    crate::sys::time::have_vdso_clock()
}

/// The monotonic clock read through the system call, never the vDSO.
pub fn nanotime_syscall() -> i64 {
    crate::sys::time::nanotime_syscall()
}

/// Timers in all Ps' heaps now (stopped timers are never among them).
pub fn timers_in_heaps() -> usize {
    crate::time::timers::in_heaps()
}
