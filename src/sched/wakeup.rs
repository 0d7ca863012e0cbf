//! Sources of future work: what the scheduler asks, besides the run
//! queues, when it looks for a goroutine to run. Go's `findRunnable` asks
//! two by name, the timers (`checkTimers`, `timeSleepUntil`,
//! `wakeNetPoller`) and the netpoller (`netpoll(0)`, `netpoll(delay)`,
//! `netpollBreak`); rt0's core knows one interface instead, and the
//! sources (the timers of `time::timers` now, the netpoller next)
//! register with it. See HACKING.md, "Adding a wake-up source".
//!
//! A source is a `&'static` [`WakeSource`] record:
//! - `deadline()`: the earliest time (nanotime) it has work, 0 for none,
//!   [`NO_DEADLINE`] for "work may come at any time" (a netpoller with
//!   waiters). Cheap: it is read on every scheduling round;
//! - `poll(now)`: run what is due, without blocking, on g0 of an M that
//!   holds a P; it may ready goroutines (onto that P). Returns how many
//!   things it ran or readied;
//! - optionally a [`BlockingPoll`]: `block(until)` blocks the calling M
//!   (which holds no P) until `until` or a `wake()`, and returns the
//!   goroutines it found ready, which the core runs on the P it takes
//!   next (Go's `netpoll(delay)` and `injectglist`); at most one source
//!   provides it (the netpoller: `epoll_wait` with the earliest deadline
//!   as its timeout, an eventfd as its wake-up). While none does, the core
//!   blocks on a futex word of its own: the "timer sleeper" that rt0 had
//!   in time/ before issue 8. sysmon calls it too, with a deadline in the
//!   past (no blocking), when nobody has polled for [`STALE_POLL`]
//!   ([`poll_if_stale`], Go's sysmon `netpoll(0)`).
//!
//! The scheduler calls the sources only through [`run_due`], [`poll`],
//! [`block`] and [`pending`]; a source calls back [`wake_for`] when it has
//! new work (Go's `wakeNetPoller`) and [`break_poller`] when work went
//! away. The hand-off between the blocked M and the sources is
//! [`super::proto::poller`] (modelled in loom).
//!
//! Registration is a lock-free append to an intrusive list of `&'static`
//! records (each carries its own link): nothing is ever dropped, and a
//! record registered twice is a `throw` (it would make the list a cycle).
//! Records are never unregistered. The state lives in [`Sched`]
//! (`sched.wakeup`), as Go keeps `lastpoll` and `pollUntil` in `sched`.
//!
//! [`Sched`]: super::sched::Sched

use core::ptr::null_mut;
use core::sync::atomic::{
    AtomicBool, AtomicI64, AtomicPtr, AtomicU32,
    Ordering::{AcqRel, Acquire, Relaxed, SeqCst},
};

pub(crate) use super::proto::poller::NO_DEADLINE;
use super::proto::poller::{FOREVER, block_until, break_blocked, futex_block, futex_wake_blocked};
use super::runq::GQueue;
use super::sched::sched;
use crate::debug::fatal::throw;

/// The blocking poll of a source (Go's `netpoll(delay)` and
/// `netpollBreak`).
pub(crate) struct BlockingPoll {
    /// Blocks the calling M, which holds no P, until nanotime `until`
    /// ([`NO_DEADLINE`]: no timeout) or a `wake()`: a wake-up since the
    /// last return must make it return at once (sticky, as an eventfd).
    /// Spurious returns are allowed. Returns the goroutines it found
    /// ready (parked, taken off their wait queues: the core makes them
    /// runnable). An `until` at or before now does not block.
    pub(crate) block: fn(until: i64) -> GQueue,
    /// Makes the current `block` return, or the next one if none runs.
    pub(crate) wake: fn(),
}

/// A source of future work (see the module note).
pub(crate) struct WakeSource {
    /// The earliest nanotime with work, 0 for none, [`NO_DEADLINE`] for
    /// work without a known time. Atomic loads only.
    pub(crate) deadline: fn() -> i64,
    /// Runs what is due at `now`, without blocking, on g0 of an M holding
    /// a P; returns how many things it ran or readied.
    pub(crate) poll: fn(now: i64) -> usize,
    /// This source's blocking poll, if it provides the one.
    pub(crate) blocking: Option<&'static BlockingPoll>,
    /// The next record in the registration list.
    next: AtomicPtr<WakeSource>,
    registered: AtomicBool,
}

impl WakeSource {
    pub(crate) const fn new(
        deadline: fn() -> i64,
        poll: fn(now: i64) -> usize,
        blocking: Option<&'static BlockingPoll>,
    ) -> WakeSource {
        WakeSource {
            deadline,
            poll,
            blocking,
            next: AtomicPtr::new(null_mut()),
            registered: AtomicBool::new(false),
        }
    }
}

/// The core's side of the sources: `sched.wakeup` (Go's `sched.lastpoll`
/// and `sched.pollUntil`, and netpoll's break descriptor for the core's
/// own blocking poll).
pub(crate) struct WakeState {
    /// Head of the registration list, in registration order.
    sources: AtomicPtr<WakeSource>,
    /// The blocking poll a source provides; null: the core's futex.
    blocking: AtomicPtr<BlockingPoll>,
    /// An M is blocked in the poll (Go: `sched.lastpoll == 0`).
    blocked: AtomicBool,
    /// Until when it blocks (Go's `sched.pollUntil`).
    poll_until: AtomicI64,
    /// The core's blocking poll's futex word: 1 = a wake-up not yet
    /// consumed.
    kick: AtomicU32,
    /// When a source's poll last ran (Go's `sched.lastpoll`), for sysmon.
    last_poll: AtomicI64,
}

impl WakeState {
    pub(crate) const fn new() -> WakeState {
        WakeState {
            sources: AtomicPtr::new(null_mut()),
            blocking: AtomicPtr::new(null_mut()),
            blocked: AtomicBool::new(false),
            poll_until: AtomicI64::new(0),
            kick: AtomicU32::new(0),
            last_poll: AtomicI64::new(0),
        }
    }
}

fn state() -> &'static WakeState {
    &sched().wakeup
}

/// Adds `src` to the sources (the timers at start-up, a netpoller when it
/// is first used, as Go's `netpollGenericInit`). Safe to call while Ms
/// run: the append is a CAS on the last link.
pub(crate) fn register(src: &'static WakeSource) {
    if src.registered.swap(true, AcqRel) {
        throw("wake-up source registered twice");
    }
    let st = state();
    let me = src as *const WakeSource as *mut WakeSource;
    let mut link = &st.sources;
    while let Err(cur) = link.compare_exchange(null_mut(), me, AcqRel, Acquire) {
        // SAFETY: every record in the list is a `&'static WakeSource`.
        link = unsafe { &(*cur).next };
    }
    if let Some(b) = src.blocking {
        let b = b as *const BlockingPoll as *mut BlockingPoll;
        if st
            .blocking
            .compare_exchange(null_mut(), b, AcqRel, Acquire)
            .is_err()
        {
            throw("two wake-up sources provide a blocking poll");
        }
        // An M may be blocked in the core's futex poll, which the new
        // source's wake-ups do not reach: make it look again.
        futex_wake_blocked(&st.kick);
    }
}

/// The registered sources, in registration order.
fn sources() -> impl Iterator<Item = &'static WakeSource> {
    let mut p = state().sources.load(Acquire);
    core::iter::from_fn(move || {
        // SAFETY: every record in the list is a `&'static WakeSource`.
        let src = unsafe { p.as_ref()? };
        p = src.next.load(Acquire);
        Some(src)
    })
}

/// The earliest deadline of any source, 0 if none has work (Go's
/// `timeSleepUntil`, with the netpoller's waiters as [`NO_DEADLINE`]).
pub(crate) fn earliest_deadline() -> i64 {
    sources()
        .map(|s| (s.deadline)())
        .filter(|&d| d != 0)
        .min()
        .unwrap_or(0)
}

/// Could a source still wake a goroutine, with no M running? (for
/// `checkdead`; a stopped timer is in no heap, so it never counts).
pub fn pending() -> bool {
    earliest_deadline() != 0
}

/// Polls, without blocking, each source whose work is due now, and with
/// `untimed` also each whose work has no deadline. Reads the clock only
/// when some source has a deadline, so a round with nothing pending costs
/// a few loads.
fn poll_sources(untimed: bool) -> usize {
    let mut now = 0;
    let mut ran = 0;
    for src in sources() {
        let d = (src.deadline)();
        if d == 0 || (d == NO_DEADLINE && !untimed) {
            continue;
        }
        if now == 0 {
            now = crate::sys::time::nanotime();
        }
        if d <= now || d == NO_DEADLINE {
            ran += (src.poll)(now);
        }
    }
    if now != 0 {
        state().last_poll.store(now, Relaxed);
    }
    ran
}

/// findRunnable's first step: run what is due (Go's `checkTimers` at the
/// top of `findRunnable`). On g0 of an M holding a P.
pub(crate) fn run_due() -> usize {
    poll_sources(false)
}

/// findRunnable's non-blocking poll, once the queues are empty (Go's
/// `netpoll(0)`): what is due, and the sources of untimed work. On g0 of
/// an M holding a P.
pub(crate) fn poll() -> usize {
    poll_sources(true)
}

/// findRunnable's last resort, on an M that gave up its P: block until
/// the sources' earliest deadline or a wake-up (Go's `netpoll(delay)`),
/// and return the goroutines the blocking poll found ready. None at once
/// when no source has work or another M is blocked already (then this M
/// sleeps in `stopm`).
pub(crate) fn block() -> Option<GQueue> {
    let until = earliest_deadline();
    if until == 0 {
        return None;
    }
    let st = state();
    let mut found = GQueue::new();
    let blocked = block_until(
        &st.blocked,
        &st.poll_until,
        until,
        earliest_deadline,
        |until| match blocking_poll() {
            Some(b) => found = (b.block)(until),
            None => core_block(until),
        },
    );
    if !blocked {
        return None;
    }
    st.last_poll.store(crate::sys::time::nanotime(), Relaxed);
    Some(found)
}

/// How long sysmon lets the blocking source go unpolled while every M is
/// busy (Go's sysmon: 10 ms).
pub(crate) const STALE_POLL: i64 = 10_000_000;

/// sysmon's poll (Go's `sysmon` calling `netpoll(0)`): when no M is blocked
/// in the poll and none has polled for [`STALE_POLL`], poll the blocking
/// source without blocking, on this M without a P, and return what it
/// found for the caller to inject.
/// Would [`poll_if_stale`] poll now? (A blocking poll exists, no M is
/// blocked in it, and nobody has polled for [`STALE_POLL`].) Atomic loads
/// only: sysmon asks every round.
pub(crate) fn poll_is_stale(now: i64) -> bool {
    let st = state();
    blocking_poll().is_some()
        && !st.blocked.load(SeqCst)
        && now - st.last_poll.load(Relaxed) >= STALE_POLL
}

pub(crate) fn poll_if_stale(now: i64) -> GQueue {
    let st = state();
    let Some(b) = blocking_poll() else {
        return GQueue::new();
    };
    if st.blocked.load(SeqCst) || now - st.last_poll.load(Relaxed) < STALE_POLL {
        return GQueue::new();
    }
    st.last_poll.store(now, Relaxed);
    // A deadline in the past: do not block.
    (b.block)(0)
}

/// For a source that published new work due at `when`: wake the blocked
/// M if it sleeps past `when`, or get an M looking if none is blocked
/// (Go's `wakeNetPoller`).
pub(crate) fn wake_for(when: i64) {
    let st = state();
    super::proto::poller::wake_for(
        &st.blocked,
        &st.poll_until,
        when,
        wake_blocked,
        super::schedule::wakep,
    );
}

/// For a source whose earliest work went away: make a blocked M look
/// again (Go's `netpollBreak`), so that none sleeps for nothing.
pub(crate) fn break_poller() {
    break_blocked(&state().blocked, wake_blocked);
}

fn blocking_poll() -> Option<&'static BlockingPoll> {
    // SAFETY: only `&'static BlockingPoll`s are stored there (register).
    unsafe { state().blocking.load(Acquire).as_ref() }
}

fn wake_blocked() {
    match blocking_poll() {
        Some(b) => (b.wake)(),
        None => futex_wake_blocked(&state().kick),
    }
}

/// The core's blocking poll while no source provides one: a futex sleep
/// until `until`.
fn core_block(until: i64) {
    let timeout = if until == NO_DEADLINE {
        FOREVER
    } else {
        (until - crate::sys::time::nanotime()).max(0)
    };
    futex_block(&state().kick, timeout);
}
