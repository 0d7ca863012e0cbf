//! Deferred calls that `Goexit` runs: the part of Go's `_defer` records
//! (`g._defer`, run by `runtime.Goexit` before the goroutine dies) that
//! rt0 needs. Rust's destructors are the `defer` of ordinary returns; a
//! goroutine that calls [`goexit`](crate::runtime::goexit) unwinds nothing
//! (`panic = "abort"`), so a record here is what still runs on that path.
//!
//! Users: `runtime::scope` pushes one that waits for the scope's
//! goroutines (so a `goexit` inside the scope's closure cannot free the
//! stack its goroutines borrow), and each goroutine it starts pushes one
//! that counts it done (as Go's `defer wg.Done()`).
//!
//! Invariants:
//! - a record lives in the frame of the function that pushed it, on the
//!   goroutine's own stack, and is popped by that function before it
//!   returns: the list is a stack, in frame order, and only its goroutine
//!   touches it (no lock, no atomics: the G's fields move with it between
//!   Ms, and preemption does not touch them);
//! - [`run_all`] (from `goexit`) pops each record before running it, last
//!   pushed first, so a record never runs twice and a call that parks
//!   finds the list consistent;
//! - a goroutine dies with an empty list (`goexit0` resets it anyway).

use super::sched::getg;
use crate::debug::fatal::throw;

/// One deferred call (Go's `_defer`): `run(self)` on `goexit`. Embed it
/// as the first field of a `#[repr(C)]` struct to reach the rest of the
/// record from the pointer `run` gets.
pub(crate) struct Defer {
    run: unsafe fn(*mut Defer),
    link: *mut Defer,
}

impl Defer {
    /// A record that calls `run` on `goexit`.
    pub(crate) const fn new(run: unsafe fn(*mut Defer)) -> Defer {
        Defer {
            run,
            link: core::ptr::null_mut(),
        }
    }
}

/// Pushes `d` on the running goroutine's list (Go's `deferproc`).
///
/// # Safety
/// `d` stays where it is, alive, until [`pop`] takes it off or `goexit`
/// runs it; `run` may be called with it on `goexit`, on this goroutine.
pub(crate) unsafe fn push(d: *mut Defer) {
    let gp = getg();
    // SAFETY: called on a running goroutine, which alone touches its list;
    // `d` is live (contract).
    unsafe {
        (*d).link = (*gp).defers;
        (*gp).defers = d;
    }
}

/// Takes `d`, the record pushed last, off the running goroutine's list
/// (the function that pushed it is returning normally). Throws if `d` is
/// not on top: the frame order was broken.
pub(crate) fn pop(d: *mut Defer) {
    let gp = getg();
    // SAFETY: a running goroutine's own list; its top record is live
    // (push's contract).
    unsafe {
        if !core::ptr::eq((*gp).defers, d) {
            throw("defers: record popped out of order");
        }
        (*gp).defers = (*d).link;
    }
}

/// Runs every deferred call of the running goroutine, last pushed first
/// (`runtime.Goexit`'s loop over `g._defer`).
pub(crate) fn run_all() {
    let gp = getg();
    loop {
        // SAFETY: the running goroutine's own list; each record is live
        // until run (push's contract) and is taken off before it runs.
        unsafe {
            let d = (*gp).defers;
            if d.is_null() {
                return;
            }
            (*gp).defers = (*d).link;
            ((*d).run)(d);
        }
    }
}
