//! The goroutine section of every report: Go's `goroutineheader`,
//! `tracebackothers` and `gStatusStrings` (traceback.go) and
//! `waitReasonStrings` (runtime2.go). Every report that names goroutines
//! writes them here:
//!
//! - [`goroutine`] writes one goroutine: a blank line, `goroutine N
//!   [state]:`, then its frames ([`frames`], where issue 12's tracebacks
//!   go; it prints nothing yet);
//! - [`running`] writes the goroutine running on this M (the M's `curg`)
//!   as `[running]`: panics, fatal errors, faults, divide errors;
//! - [`all_goroutines`] writes the goroutines a report names first, then
//!   every other live goroutine in `allgs` order (the order the Gs were
//!   first allocated; a reused G keeps its place), as Go's
//!   `tracebackothers`: checkdead's deadlock and the signal dump;
//! - [`live_goroutines`] walks the same list for a caller that prints its
//!   own line per goroutine (`scheddetail`'s `G` lines);
//! - [`state`], [`status_name`] and [`wait_reason_name`] are the one
//!   table of words a report prints for a goroutine's state.
//!
//! Invariants: these functions write only to the [`Write`] they are
//! given (the dying [`Report`](super::dying::Report) or a stack
//! [`Writer`](crate::print::Writer)), allocate nothing, and take one lock,
//! the goroutine list's (`ALLGS`, a spin lock held by others only for a
//! push or a short walk), which [`all_goroutines`] tries for at most
//! [`ALLGS_WAIT_NS`] and never waits on for good: they are called on the
//! dying path and in signal handlers, where the thread holding it may be
//! the one that was interrupted. Gs are never freed, so reading one that
//! another thread is changing shows a stale state, never freed memory.

use core::fmt::Write;

use crate::sched::g::{G, GDEAD, GIDLE, GRUNNABLE, GRUNNING, GSYSCALL, GWAITING, WaitReason};
use crate::sched::sched::{ALLGS, getg};

/// How long [`all_goroutines`] tries for the goroutine list's lock.
pub(crate) const ALLGS_WAIT_NS: i64 = 100_000_000;

/// The state shown for the goroutine a report is about: it was running on
/// this M when the report began, whatever its status says meanwhile.
const RUNNING: &str = "running";

/// Go's name of a G status (`gStatusStrings`), indexed by status; the
/// unused values are named as Go names them.
const STATUS_NAMES: [&str; 7] = [
    "idle",            // GIDLE
    "runnable",        // GRUNNABLE
    "running",         // GRUNNING
    "syscall",         // GSYSCALL
    "waiting",         // GWAITING
    "moribund_unused", // Go's _Gmoribund_unused: rt0 has no such status
    "dead",            // GDEAD
];

// STATUS_NAMES is indexed by the status values.
const _: () = assert!(
    GIDLE == 0 && GRUNNABLE == 1 && GRUNNING == 2 && GSYSCALL == 3 && GWAITING == 4 && GDEAD == 6
);

/// Go's name of a G status, for headers and `scheddetail`; `???` for a
/// value outside the table.
pub(crate) fn status_name(st: u32) -> &'static str {
    STATUS_NAMES.get(st as usize).copied().unwrap_or("???")
}

/// Go's wording of a wait reason (`waitReasonStrings`); empty for none.
pub(crate) fn wait_reason_name(r: WaitReason) -> &'static str {
    match r {
        WaitReason::Zero => "",
        WaitReason::ChanReceive => "chan receive",
        WaitReason::ChanSend => "chan send",
        WaitReason::Select => "select",
        WaitReason::SelectNoCases => "select (no cases)",
        WaitReason::Sleep => "sleep",
        WaitReason::SyncMutexLock => "sync.Mutex.Lock",
        WaitReason::SyncWaitGroupWait => "sync.WaitGroup.Wait",
        WaitReason::IOWait => "IO wait",
    }
}

/// The state in `g`'s header (Go's `goroutineheader`): the wait reason of
/// a waiting goroutine that has one, else the name of its status.
pub(crate) fn state(g: &G) -> &'static str {
    let st = g.status();
    let reason = wait_reason_name(g.waitreason);
    if st == GWAITING && !reason.is_empty() {
        reason
    } else {
        status_name(st)
    }
}

/// Writes a blank line, `goroutine N [state]:` and `g`'s frames: the one
/// place a goroutine header is written.
pub(crate) fn goroutine<W: Write>(w: &mut W, g: &G, state: &str) {
    let _ = write!(w, "\ngoroutine {} [{}]:\n", g.goid, state);
    frames(w, g);
}

/// Writes `g`'s stack frames, one `function` and `\tfile:line` pair each
/// (Go's `traceback`). Prints nothing yet: the tracebacks issue fills it
/// in (from the frame pointer of the report's caller for the running
/// goroutine, from `g.sched` for a switched-out one). Until then a panic
/// report writes its `PanicInfo` location after the header itself
/// (`debug::panic::write_location`).
fn frames<W: Write>(_w: &mut W, _g: &G) {}

/// The goroutine running on this M (its `curg`), if there is one: none
/// before the first M exists and on an M that is in the scheduler.
pub(crate) fn current_g() -> Option<&'static G> {
    let g = getg();
    // SAFETY: a non-null g is a live G (Gs are never freed) whose m is
    // null or a live M (Ms are never freed), whose curg is null or a live
    // G.
    unsafe { g.as_ref()?.m.as_ref()?.curg.as_ref() }
}

/// Writes the header of the goroutine running on this M as `[running]`
/// (after a blank line) and returns true, or returns false if no
/// goroutine runs here.
pub(crate) fn running<W: Write>(w: &mut W) -> bool {
    match current_g() {
        Some(g) => {
            goroutine(w, g, RUNNING);
            true
        }
        None => false,
    }
}

/// Every live goroutine of `allgs`, in its order, the dead ones left out
/// (Go's `forEachG` with its status check).
pub(crate) fn live_goroutines(allgs: &[usize]) -> impl Iterator<Item = &G> {
    allgs
        .iter()
        // SAFETY: the Gs in allgs are live Gs, never freed.
        .map(|&gp| unsafe { &*(gp as *const G) })
        .filter(|g| g.status() != GDEAD)
}

/// Writes the goroutines of `first` (nulls and repeats left out), then
/// every other live goroutine in `allgs` order, each with [`goroutine`]
/// and its [`state`]: Go's `goroutineheader(gp)` and `tracebackothers(gp)`
/// of a dump. If the goroutine list's lock cannot be had within
/// [`ALLGS_WAIT_NS`] (this thread was interrupted holding it), only
/// `first` is written.
pub(crate) fn all_goroutines<W: Write>(w: &mut W, first: &[*const G]) {
    for (i, &gp) in first.iter().enumerate() {
        if first[..i].contains(&gp) {
            continue;
        }
        // SAFETY: the caller's Gs are null or live Gs, never freed.
        if let Some(g) = unsafe { gp.as_ref() } {
            goroutine(w, g, state(g));
        }
    }
    let deadline = crate::sys::time::nanotime() + ALLGS_WAIT_NS;
    let allgs = loop {
        if let Some(a) = ALLGS.try_lock() {
            break a;
        }
        if crate::sys::time::nanotime() > deadline {
            return;
        }
        core::hint::spin_loop();
    };
    for g in live_goroutines(&allgs) {
        if !first.contains(&(g as *const G)) {
            goroutine(w, g, state(g));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::fmt;

    /// A `fmt::Write` into a fixed buffer, for the host tests.
    struct Text {
        buf: [u8; 256],
        len: usize,
    }

    impl Write for Text {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            let end = self.len + s.len();
            self.buf
                .get_mut(self.len..end)
                .ok_or(fmt::Error)?
                .copy_from_slice(s.as_bytes());
            self.len = end;
            Ok(())
        }
    }

    fn header(g: &G) -> Text {
        let mut t = Text {
            buf: [0; 256],
            len: 0,
        };
        goroutine(&mut t, g, state(g));
        t
    }

    fn text(t: &Text) -> &str {
        core::str::from_utf8(&t.buf[..t.len]).unwrap()
    }

    #[test]
    fn states_are_gos_words() {
        let mut g = G::new();
        g.goid = 7;
        for (st, want) in [
            (GIDLE, "idle"),
            (GRUNNABLE, "runnable"),
            (GRUNNING, "running"),
            (GSYSCALL, "syscall"),
            (GWAITING, "waiting"),
            (GDEAD, "dead"),
        ] {
            g.atomicstatus
                .store(st, core::sync::atomic::Ordering::Relaxed);
            assert_eq!(state(&g), want);
        }
        g.atomicstatus
            .store(GWAITING, core::sync::atomic::Ordering::Relaxed);
        g.waitreason = WaitReason::ChanReceive;
        assert_eq!(text(&header(&g)), "\ngoroutine 7 [chan receive]:\n");
        // A reason left on a goroutine that no longer waits is not shown.
        g.atomicstatus
            .store(GRUNNABLE, core::sync::atomic::Ordering::Relaxed);
        assert_eq!(text(&header(&g)), "\ngoroutine 7 [runnable]:\n");
        assert_eq!(status_name(99), "???");
    }
}
