//! Timers: Go's per-P timers (time.go: `addtimer`, `deltimer`,
//! `modtimer`, `checkTimers`, `runtimer`), the first source of future
//! work of the scheduler ([`crate::sched::wakeup`]).
//!
//! Each P keeps a binary min-heap of timers by `when` (the P's
//! [`TimerHeap`], plain data in the core, which this module drives: see
//! `sched::timerheap` for why it lives there), behind a short spin lock,
//! with its earliest `when` published in `timer0_when` (0: none) so that
//! others can look without the lock. The timers register at start-up
//! ([`init`]) as a wake-up source: their deadline is the earliest
//! `timer0_when` of any P, and their poll runs every expired timer on
//! every P; `find_runnable` runs it before looking for goroutines. A
//! timer's function runs on g0 and may ready goroutines (onto the running
//! P), send on a channel without blocking, or start a goroutine (`newproc`
//! from g0 queues it on the running P, as Go's `goFunc` runs `go f()` from
//! `runtimer`); it must never block, park or take a lock a goroutine may
//! hold for long.
//!
//! When nothing is runnable, one M gives up its P and blocks in the
//! scheduler's blocking poll exactly until the earliest deadline, never
//! polling; adding an earlier timer ([`wakeup::wake_for`], Go's
//! `wakeNetPoller`), or removing the one it waits for
//! ([`wakeup::break_poller`]), wakes it. Other idle Ms sleep in `stopm`.
//!
//! # Stopping: removed at once, under the owner's lock
//!
//! Go 1.14+ marks a stopped timer `timerDeleted` and lets the owner P clean
//! it out later (`cleantimers`, `clearDeletedTimers`), because only the
//! owner may touch its heap there. Here every heap has its own lock, so
//! [`del_timer`] takes the lock of the heap the timer is in, whichever P
//! that is, and removes the timer at once (each timer knows its index, as
//! in Go 1.13's `t.i`). A stopped timer therefore never lingers: it holds
//! no memory, is not "future work" for `checkdead` ([`pending`]), and the
//! sleeper is kicked when the earliest timer goes, so no M stays asleep
//! for a timer that no longer exists. (Go 1.19 itself, measured on this
//! machine, misses this now and then: a stopped one-hour ticker whose
//! deleted timer sits in another P's heap keeps its deadlock report back.)
//!
//! # The protocol (each race has a stress mode in examples/time_stop.rs)
//!
//! A timer's `status` is one of:
//! - `NONE`: in no heap, and no runner holds it;
//! - `WAITING`: in the heap of P `pp`, at the index its heap node holds;
//! - `RUNNING`: a periodic timer popped by a runner, whose function runs
//!   now; the runner puts it back (`WAITING`) when the function returns.
//!
//! Invariants: (1) `status`, `pp` and the index change only under the lock of
//! the heap the timer is entering or leaving (`pp` names that heap while
//! `WAITING`, null otherwise); so a thread holding heap H's lock that sees
//! `WAITING` and `pp == H` knows the timer is in H and stays there until it
//! unlocks. (2) Only `NONE -> WAITING` (adding) is a CAS: of two adders, one
//! wins. (3) A heap holds one reference on each counted timer in it (an
//! `Arc<RuntimeTimer>`); whoever takes the timer out of the heap takes that
//! reference over and drops it outside every heap lock.
//!
//! The races:
//! - *stop racing fire*: both take the heap lock; whoever comes first wins.
//!   A one-shot timer the runner took is `NONE` before its function runs:
//!   stop returns false and the value arrives (Go's `Stop` contract). A
//!   periodic one is `RUNNING` while its function runs: stop waits
//!   (`sched_yield`, as Go's `deltimer` does for `timerRunning`) until it is
//!   back in the heap, then removes it. So once `Ticker::stop` returns, no
//!   tick is in flight and none will ever be sent.
//! - *stop from another P*: stop reads `pp`, locks that heap, and checks
//!   invariant (1) again under the lock; if the timer moved, it retries.
//! - *stop of a fired or stopped timer*: `NONE`; returns false, no effect.
//! - *stop racing reset*, *reset after stop*: reset is "remove as stop does,
//!   then add to the current P"; if the add's CAS loses to another adder,
//!   remove again and retry, so a timer is never in two heaps or twice in
//!   one.
//! - *drop of a Ticker*: `Drop` stops it; the heap's reference goes with the
//!   removal, the Ticker's with the Ticker, so the timer and its channel are
//!   freed at once.
//!
//! A sleeping goroutine's timer lives on that goroutine's stack (it is
//! parked in `gopark` until the timer fires) and is not counted: the runner
//! reads all it needs before calling its function, which readies the
//! goroutine, and never touches it again.

use alloc::sync::Arc;
use core::panic::Location;
use core::sync::atomic::{
    AtomicI64, AtomicPtr, AtomicU32,
    Ordering::{AcqRel, Acquire, Relaxed, Release},
};

use crate::chan::Chan;
use crate::sched::p::P;
use crate::sched::preempt::NoPreempt;
use crate::sched::sched::{getm, sched};
use crate::sched::timerheap::{TimerEntry, TimerHeap, TimerNode};
use crate::sched::wakeup::{self, WakeSource};

/// In no heap, and no runner holds it.
const NONE: u32 = 0;
/// In the heap of `pp`, at its node's index.
const WAITING: u32 = 1;
/// A periodic timer whose function runs now; the runner re-adds it.
const RUNNING: u32 = 2;

/// A timer function: `f(timer, now)`, on g0 of an M holding a P; see
/// [`RuntimeTimer::f`] for why the timer comes as a raw pointer.
pub(crate) type TimerFn = fn(*const RuntimeTimer, i64);

/// A runtime timer (Go's `runtime.timer`): at `when` (nanotime), call
/// `f(self, now)`; if `period > 0`, again every `period`. `repr(C)` with
/// the heap node first: a heap entry's node pointer is the timer's.
#[repr(C)]
pub(crate) struct RuntimeTimer {
    /// Its index in the heap it is in (kept by the heap).
    node: TimerNode,
    status: AtomicU32,
    /// The heap the timer is in (`WAITING`), else null.
    pp: AtomicPtr<P>,
    /// 0 for a one-shot timer.
    period: AtomicI64,
    /// The timer function. It gets a raw pointer, not a reference: an
    /// uncounted timer may be freed while the function still runs (the
    /// sleeper it readied returns from `sleep` on another M), and a
    /// reference argument would promise Rust that it stays valid until
    /// the function returns. So it reads what it needs first and must not
    /// touch the timer after readying whoever owns it.
    pub(crate) f: TimerFn,
    /// A goroutine to ready (sleep), or 0.
    pub(crate) arg: usize,
    /// A channel to send the time on (`after`, `Ticker`, `Timer`).
    pub(crate) ch: Option<Chan<i64>>,
    /// A function to start in a goroutine of its own (`after_func`).
    pub(crate) func: Option<GoFunc>,
    /// Lives in an `Arc` of which each heap holding it owns one reference.
    counted: bool,
}

/// What an `after_func` timer starts each time it fires (Go's `goFunc`
/// argument): the function, shared with the goroutines already started,
/// and where and by which goroutine `after_func` was called (their
/// `created by` line).
pub(crate) struct GoFunc {
    pub(crate) f: Arc<dyn Fn() + Send + Sync>,
    pub(crate) at: &'static Location<'static>,
    pub(crate) parent: u64,
}

impl RuntimeTimer {
    fn new(
        f: TimerFn,
        arg: usize,
        ch: Option<Chan<i64>>,
        func: Option<GoFunc>,
        counted: bool,
    ) -> Self {
        RuntimeTimer {
            node: TimerNode::new(),
            status: AtomicU32::new(NONE),
            pp: AtomicPtr::new(core::ptr::null_mut()),
            period: AtomicI64::new(0),
            f,
            arg,
            ch,
            func,
            counted,
        }
    }

    /// A timer that lives as long as its owner keeps it (a sleeping
    /// goroutine's, on its stack); heaps hold no reference on it.
    pub(crate) fn uncounted(f: TimerFn, arg: usize) -> Self {
        Self::new(f, arg, None, None, false)
    }

    /// A reference-counted timer that sends on `ch`.
    pub(crate) fn counted(f: TimerFn, ch: Chan<i64>) -> Arc<Self> {
        Arc::new(Self::new(f, 0, Some(ch), None, true))
    }

    /// A reference-counted timer that starts `func` in a goroutine.
    pub(crate) fn counted_func(f: TimerFn, func: GoFunc) -> Arc<Self> {
        Arc::new(Self::new(f, 0, None, Some(func), true))
    }
}

/// The heap entry of `t`, due at `when`.
fn entry(t: *const RuntimeTimer, when: i64) -> TimerEntry {
    TimerEntry {
        when,
        node: t.cast::<TimerNode>(),
    }
}

/// The timer of a heap entry (its node is the timer's first field).
fn timer_of(e: TimerEntry) -> *const RuntimeTimer {
    e.node.cast::<RuntimeTimer>()
}

/// The heap of P `pp`.
fn heap(pp: &P) -> &TimerHeap {
    &pp.timers
}

/// Gives up the reference a heap held on `t` (outside every heap lock: it
/// may free the timer and its channel).
fn release(t: *const RuntimeTimer) {
    // SAFETY: t came out of a heap, which kept it alive; `counted` never
    // changes.
    if unsafe { (*t).counted } {
        // SAFETY: a counted timer in a heap stood for one Arc reference,
        // which the caller took over when it took the timer out.
        unsafe { drop(Arc::from_raw(t)) };
    }
}

/// Adds `t` to the current P's heap, due at `when` (Go's `addtimer`), and
/// wakes the blocked M if it is due before that M would wake, or gets an M
/// looking if none is blocked (Go's `wakeNetPoller`). False if another
/// thread added it first (the timer was not `NONE`).
///
/// # Safety
/// `t` stays alive while it is in a heap: for a counted timer the caller
/// gives the heap a reference (`Arc::into_raw`) that this function keeps
/// when it returns true; for an uncounted one its owner waits for it.
unsafe fn add_timer(t: *const RuntimeTimer, when: i64) -> bool {
    // The current P is read and used as this M's: no preemption (which
    // could move the goroutine to another M) until the push is done.
    let _no_preempt = NoPreempt::new();
    // SAFETY: called on an M holding a P (goroutine or g0 in the scheduler),
    // and the goroutine stays on it (above).
    let pp = unsafe { &*(*getm()).p };
    // SAFETY: alive, by the contract.
    let tr = unsafe { &*t };
    {
        let mut h = heap(pp).lock();
        if tr
            .status
            .compare_exchange(NONE, WAITING, AcqRel, Relaxed)
            .is_err()
        {
            return false;
        }
        tr.pp.store(pp as *const P as *mut P, Release);
        // SAFETY: the timer is in no heap (it was NONE) and stays alive
        // while in this one (this function's contract).
        unsafe { h.push(entry(t, when)) };
    }
    // The push published `timer0_when` (SeqCst): now the hand-off with the
    // blocked M (sched::proto::poller).
    wakeup::wake_for(when);
    true
}

/// Arms a parked goroutine's uncounted timer (see `time::sleep`).
///
/// # Safety
/// `t` is `NONE` and stays alive until its function has been called.
pub(crate) unsafe fn add_uncounted(t: &RuntimeTimer, when: i64) {
    // SAFETY: t is NONE and outlives its function call (contract), which is
    // what add_timer needs; nobody else knows this timer, so the add wins.
    let added = unsafe { add_timer(t, when) };
    debug_assert!(added);
}

/// Removes `t` from whichever heap holds it (Go's `deltimer`). True if it
/// was pending (so its function will not run for that arming); false if it
/// had already fired or been stopped. A periodic timer whose function is
/// running is waited for, so that none runs after this returns.
pub(crate) fn del_timer(t: &RuntimeTimer) -> bool {
    loop {
        match t.status.load(Acquire) {
            NONE => return false,
            RUNNING => crate::sys::process::sched_yield(),
            _ => {
                let pp = t.pp.load(Acquire);
                if pp.is_null() {
                    // Between a status change and `pp`'s: look again.
                    core::hint::spin_loop();
                    continue;
                }
                // SAFETY: Ps are never freed.
                let p = unsafe { &*pp };
                let removed = {
                    let mut h = heap(p).lock();
                    // Invariant (1): under H's lock, WAITING with pp == H
                    // means the timer is in H, at its node's index.
                    if t.status.load(Acquire) != WAITING || t.pp.load(Acquire) != pp {
                        None
                    } else {
                        let i = t.node.index();
                        let e = h.remove_at(i);
                        debug_assert!(core::ptr::eq(timer_of(e), t));
                        t.pp.store(core::ptr::null_mut(), Release);
                        t.status.store(NONE, Release);
                        Some((e, i))
                    }
                };
                if let Some((e, i)) = removed {
                    // The blocked M may be waiting for this very timer (and
                    // checkdead cannot run while it sleeps): let it look again.
                    if i == 0 {
                        wakeup::break_poller();
                    }
                    release(timer_of(e));
                    return true;
                }
            }
        }
    }
}

/// Arms a counted timer for `when` (then every `period`, if > 0),
/// removing it first if it is pending (Go's `modtimer`/`resettimer`).
/// True if it was pending.
pub(crate) fn reset_timer(t: &Arc<RuntimeTimer>, when: i64, period: i64) -> bool {
    // A timer fires even while the goroutine that armed it sits in a
    // system call on the only P (its `after_func` goroutine must run then):
    // sysmon retakes that P. A sleep needs none of this: the sleeper's own
    // M waits for its timer. (sched::sysmon::start)
    crate::sched::sysmon::start();
    let mut was_pending = false;
    loop {
        was_pending |= del_timer(t);
        t.period.store(period, Relaxed);
        let r = Arc::into_raw(t.clone());
        // SAFETY: the heap gets the reference `r`; the timer is counted.
        if unsafe { add_timer(r, when) } {
            return was_pending;
        }
        // Another reset added it between our removal and our add.
        // SAFETY: `r` was not taken by any heap.
        unsafe { drop(Arc::from_raw(r)) };
    }
}

/// Runs `pp`'s expired timers (Go's `checkTimers`); returns how many ran.
pub fn check_timers(pp: &P, now: i64) -> usize {
    let w = heap(pp).earliest();
    if w == 0 || w > now {
        return 0;
    }
    let mut ran = 0;
    loop {
        let (e, period) = {
            let mut h = heap(pp).lock();
            match h.first() {
                Some(first) if first.when <= now => {}
                _ => return ran,
            }
            let e = h.remove_at(0);
            // SAFETY: in the heap until now, so alive; we hold its lock.
            let t = unsafe { &*timer_of(e) };
            let period = t.period.load(Relaxed);
            t.pp.store(core::ptr::null_mut(), Release);
            // A one-shot timer is done (a stop now returns false); a
            // periodic one is ours until we put it back.
            t.status
                .store(if period > 0 { RUNNING } else { NONE }, Release);
            (e, period)
        };
        let t = timer_of(e);
        // SAFETY: a counted timer: we hold the heap's reference; an
        // uncounted one: its owner waits for this call.
        let f = unsafe { (*t).f };
        ran += 1;
        if period > 0 {
            f(t, now);
            // SAFETY: periodic timers are counted, and we hold the heap's
            // reference: alive.
            let tr = unsafe { &*t };
            // Next multiple of the period after now (Go skips missed ticks).
            let when = e.when + period * (1 + (now - e.when) / period);
            let mut h = heap(pp).lock();
            tr.pp.store(pp as *const P as *mut P, Release);
            // SAFETY: RUNNING, so in no heap; we hold the heap's reference
            // that came out with it.
            unsafe { h.push(entry(t, when)) };
            tr.status.store(WAITING, Release);
        } else {
            // SAFETY: alive until `f` runs (see above).
            let counted = unsafe { (*t).counted };
            f(t, now);
            // An uncounted timer may be gone now: do not touch it.
            if counted {
                release(t);
            }
        }
    }
}

/// The timers as a wake-up source (see [`init`]).
static TIMERS: WakeSource = WakeSource::new(earliest, run_expired, None);

/// Registers the timers as the scheduler's first source of future work,
/// and hands the core the function that moves a retired P's timers.
/// Called by schedinit.
pub fn init() {
    wakeup::register(&TIMERS);
    crate::sched::procresize::set_timer_mover(move_timers);
}

/// Moves every timer of `from`'s heap into `to`'s (Go's `moveTimers`, for
/// a P that a smaller GOMAXPROCS retires) and returns the earliest `when`
/// moved (0: none), for the caller to wake the sleeper with.
///
/// procresize calls it with the world stopped, so no runner or stopper
/// touches these heaps meanwhile; it keeps the protocol anyway: a timer
/// stays `WAITING` and leaves `from` with `pp` cleared under `from`'s lock
/// (a `del_timer` in between waits for `pp`), then enters `to` with `pp`
/// set under `to`'s lock (invariant 1). One lock at a time: heap locks do
/// not nest.
fn move_timers(from: &P, to: &P) -> i64 {
    let mut earliest = 0;
    loop {
        let e = {
            let mut h = heap(from).lock();
            if h.first().is_none() {
                break;
            }
            let e = h.remove_at(0);
            // SAFETY: in the heap until now, so alive; we hold its lock.
            unsafe { (*timer_of(e)).pp.store(core::ptr::null_mut(), Release) };
            e
        };
        // The heap gives its earliest first.
        if earliest == 0 {
            earliest = e.when;
        }
        let mut h = heap(to).lock();
        // SAFETY: the timer is alive while WAITING (its heap reference, or
        // its owner waiting); it is in no heap now, so it may enter `to`.
        unsafe {
            (*timer_of(e)).pp.store(to as *const P as *mut P, Release);
            h.push(e);
        }
    }
    earliest
}

/// The timers' poll: runs the timers expired at `now` on every P (the Ps
/// of `allp` now: a retired P's timers moved to a surviving one); returns
/// how many ran. The scheduler calls it only when [`earliest`] is due, so
/// its hot path costs a few atomic loads when no timer is pending (Go's
/// `checkTimers` likewise looks at `timer0When` before `nanotime`).
fn run_expired(now: i64) -> usize {
    sched()
        .allp()
        .iter()
        // SAFETY: Ps are never freed.
        .map(|&pp| check_timers(unsafe { &*pp }, now))
        .sum()
}

/// The earliest timer on any P, or 0 (the timers' deadline as a source).
pub fn earliest() -> i64 {
    let mut best = 0;
    for &pp in sched().allp() {
        // SAFETY: Ps are never freed.
        let w = heap(unsafe { &*pp }).earliest();
        if w != 0 && (best == 0 || w < best) {
            best = w;
        }
    }
    best
}

/// Timers in every P's heap now (for tests: a stopped timer is in none).
pub fn in_heaps() -> usize {
    sched()
        .allp()
        .iter()
        // SAFETY: Ps are never freed.
        .map(|&pp| heap(unsafe { &*pp }).len())
        .sum()
}
