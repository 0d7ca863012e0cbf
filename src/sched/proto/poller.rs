//! The blocked poller's hand-off: at most one M at a time, holding no P,
//! blocks until the earliest deadline of the wake-up sources
//! ([`sched::wakeup`](crate::sched::wakeup)) or until a source wakes it
//! because it has earlier work. Go's `findRunnable` block step
//! (`sched.lastpoll.Swap(0)`, `sched.pollUntil`, `netpoll(delay)`), its
//! `wakeNetPoller` and `netpollBreak` (proc.go, netpoll.go); in rt0 before
//! issue 8 it was the "timer sleeper" of `time::timers`. Written over what
//! `super` provides; `models/tests/poller.rs` checks it in loom.
//!
//! State: `blocked` (an M is the poller: Go's `sched.lastpoll == 0`) and
//! `poll_until` (when it wakes by itself: Go's `sched.pollUntil`), plus the
//! wake-up of the blocking poll (here: the core's futex word `kick`; with a
//! netpoller, its eventfd).
//!
//! The hand-off, between the M that blocks and a source with new work at
//! `when` (a timer added, Go's `addtimer` -> `wakeNetPoller`):
//! - the sleeper claims `blocked` (CAS), stores `poll_until`, then reads
//!   the sources' earliest deadline once more and blocks until the earlier
//!   of the two (not at all if nothing is left);
//! - the source publishes its work (a SeqCst store: a P's `timer0_when`),
//!   then reads `blocked`: set, and `when` is before `poll_until`: it wakes
//!   the poller; clear: it calls `wakep`, and an M that looks for work
//!   will run the work or become the poller for it.
//!
//! Both sides store, then load what the other stores (Dekker's pattern, as
//! in [`super::spinning`]): whichever goes first, the other sees it. A
//! source that read `poll_until` before the sleeper stored it (a stale
//! value: no wake) comes before that store in the single order of SeqCst
//! operations, so its publish comes before the sleeper's second look,
//! which sees the work. A wake-up after that look is not lost either: the
//! blocking poll's wake-up is sticky (the futex word, like an eventfd,
//! stays set until the poll returns and consumes it), so a wake between
//! "look" and "sleep" makes the sleep return at once. A stale wake-up
//! costs one early return, never a lost one.
//!
//! A deadline that goes away (the earliest timer stopped) breaks a blocked
//! poller too ([`break_blocked`]), so that an M never sleeps for work that
//! no longer exists (and `checkdead`, which counts that M as running,
//! gets its say).

use super::{
    AtomicBool, AtomicI64, AtomicU32,
    Ordering::{Relaxed, SeqCst},
    futex_wait, futex_wake, store_load_fence,
};

/// The deadline of work that may come at any time without a known time
/// (a netpoller with waiters): block without a timeout.
pub(crate) const NO_DEADLINE: i64 = i64::MAX;

/// `futex_wait`'s "no timeout".
pub(crate) const FOREVER: i64 = -1;

/// The sleeper's side: become the blocked poller until `until` (the
/// earliest deadline the caller saw, not 0), look at `earliest()` once
/// more, and `block` until the earlier of the two (not at all when
/// `earliest()` is 0 now). False, without blocking, when another M is the
/// poller already.
#[inline]
pub(crate) fn block_until(
    blocked: &AtomicBool,
    poll_until: &AtomicI64,
    until: i64,
    earliest: impl FnOnce() -> i64,
    block: impl FnOnce(i64),
) -> bool {
    if blocked
        .compare_exchange(false, true, SeqCst, Relaxed)
        .is_err()
    {
        return false;
    }
    poll_until.store(until, SeqCst);
    store_load_fence();
    // Work added (or removed) between the caller's look and now.
    let now_earliest = earliest();
    if now_earliest != 0 {
        block(until.min(now_earliest));
    }
    blocked.store(false, SeqCst);
    true
}

/// A source's side, after it published new work due at `when` with a
/// SeqCst store (Go's `wakeNetPoller`): wake the blocked poller if it
/// sleeps past `when`; with no poller, `wakep` so that an M looks.
#[inline]
pub(crate) fn wake_for(
    blocked: &AtomicBool,
    poll_until: &AtomicI64,
    when: i64,
    wake: impl FnOnce(),
    wakep: impl FnOnce(),
) {
    store_load_fence();
    if blocked.load(SeqCst) {
        if when < poll_until.load(SeqCst) {
            wake();
        }
    } else {
        wakep();
    }
}

/// A source removed the work the poller may be sleeping for (after a
/// SeqCst store of its new earliest deadline): wake a blocked poller so
/// that it looks again (Go's `netpollBreak`).
#[inline]
pub(crate) fn break_blocked(blocked: &AtomicBool, wake: impl FnOnce()) {
    store_load_fence();
    if blocked.load(SeqCst) {
        wake();
    }
}

/// The core's own blocking poll, used while no source provides one:
/// sleep on the futex word `kick` for `timeout_ns` (`FOREVER`: no
/// timeout; 0: do not sleep) unless a wake-up came since the last poll
/// consumed one, then consume it. Spurious returns are allowed.
#[inline]
pub(crate) fn futex_block(kick: &AtomicU32, timeout_ns: i64) {
    if timeout_ns != 0 {
        // Returns at once if `kick` is 1 already (a wake before the sleep).
        let _ = futex_wait(kick, 0, timeout_ns);
    }
    kick.store(0, SeqCst);
}

/// Wakes [`futex_block`]: sets `kick` (sticky) and wakes the sleeper if
/// this set it; a second wake before the sleeper consumed the first has
/// nothing to add (Go's `netpollWakeSig`).
#[inline]
pub(crate) fn futex_wake_blocked(kick: &AtomicU32) {
    if kick.swap(1, SeqCst) == 0 {
        futex_wake(kick, 1);
    }
}
