//! Timers: Go's per-P timer heaps (time.go: `addtimer`, `deltimer`,
//! `modtimer`, `checkTimers`, `runtimer`) and the M that sleeps until the
//! next one is due.
//!
//! Each P keeps a binary min-heap of timers by `when`, behind a short spin
//! lock, and publishes its earliest `when` in `timer0_when` (0: none) so
//! that others can look without the lock. `find_runnable` runs every
//! expired timer on every P before looking for goroutines; a timer's
//! function runs on g0 and may ready goroutines (onto the running P) or
//! send on a channel without blocking.
//!
//! When nothing is runnable, one M (the "timer sleeper") gives up its P
//! and sleeps on a futex exactly until the earliest timer, never polling;
//! adding an earlier timer, or removing the one it waits for, wakes it.
//! Other idle Ms sleep in `stopm`.
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
//! - `WAITING`: in the heap of P `pp`, at index `idx`;
//! - `RUNNING`: a periodic timer popped by a runner, whose function runs
//!   now; the runner puts it back (`WAITING`) when the function returns.
//!
//! Invariants: (1) `status`, `pp` and `idx` change only under the lock of
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
use alloc::vec::Vec;
use core::sync::atomic::{
    AtomicBool, AtomicI64, AtomicPtr, AtomicU32, AtomicUsize,
    Ordering::{AcqRel, Acquire, Relaxed, Release, SeqCst},
};

use crate::chan::Chan;
use crate::sched::p::P;
use crate::sched::sched::{ALLP, getm};
use crate::sys::futex::{futex_wait, futex_wake};

/// In no heap, and no runner holds it.
const NONE: u32 = 0;
/// In the heap of `pp`, at `idx`.
const WAITING: u32 = 1;
/// A periodic timer whose function runs now; the runner re-adds it.
const RUNNING: u32 = 2;

/// `idx` of a timer in no heap.
const NO_INDEX: usize = usize::MAX;

/// A heap keeps at least this many slots when it shrinks.
const HEAP_MIN_CAPACITY: usize = 64;
/// A heap shrinks when fewer than 1/HEAP_SHRINK_RATIO of its slots are used.
const HEAP_SHRINK_RATIO: usize = 4;

/// A runtime timer (Go's `runtime.timer`): at `when` (nanotime), call
/// `f(self, now)`; if `period > 0`, again every `period`.
pub(crate) struct RuntimeTimer {
    status: AtomicU32,
    /// The heap the timer is in (`WAITING`), else null.
    pp: AtomicPtr<P>,
    /// Its index there, else `NO_INDEX`.
    idx: AtomicUsize,
    /// 0 for a one-shot timer.
    period: AtomicI64,
    /// The timer function. For an uncounted timer it must not touch the
    /// timer after readying whoever owns it.
    pub(crate) f: fn(&RuntimeTimer, i64),
    /// A goroutine to ready (sleep), or 0.
    pub(crate) arg: usize,
    /// A channel to send the time on (`after`, `Ticker`, `Timer`).
    pub(crate) ch: Option<Chan<i64>>,
    /// Lives in an `Arc` of which each heap holding it owns one reference.
    counted: bool,
}

impl RuntimeTimer {
    fn new(f: fn(&RuntimeTimer, i64), arg: usize, ch: Option<Chan<i64>>, counted: bool) -> Self {
        RuntimeTimer {
            status: AtomicU32::new(NONE),
            pp: AtomicPtr::new(core::ptr::null_mut()),
            idx: AtomicUsize::new(NO_INDEX),
            period: AtomicI64::new(0),
            f,
            arg,
            ch,
            counted,
        }
    }

    /// A timer that lives as long as its owner keeps it (a sleeping
    /// goroutine's, on its stack); heaps hold no reference on it.
    pub(crate) fn uncounted(f: fn(&RuntimeTimer, i64), arg: usize) -> Self {
        Self::new(f, arg, None, false)
    }

    /// A reference-counted timer that sends on `ch`.
    pub(crate) fn counted(f: fn(&RuntimeTimer, i64), ch: Chan<i64>) -> Arc<Self> {
        Arc::new(Self::new(f, 0, Some(ch), true))
    }
}

/// One heap slot: the deadline, kept beside the pointer so that sifting
/// reads no timer.
#[derive(Clone, Copy)]
pub(crate) struct Entry {
    when: i64,
    t: *const RuntimeTimer,
}

// SAFETY: an Entry is only touched under its heap's lock, and the timer it
// points to is Sync (atomics, an immutable fn, a channel handle).
unsafe impl Send for Entry {}

/// A P's timers.
pub struct TimerHeap {
    heap: spin::Mutex<Vec<Entry>>,
    /// Earliest `when` in `heap`, 0 if empty (read without the lock).
    timer0_when: AtomicI64,
}

impl Default for TimerHeap {
    fn default() -> Self {
        Self::new()
    }
}

impl TimerHeap {
    pub const fn new() -> TimerHeap {
        TimerHeap {
            heap: spin::Mutex::new(Vec::new()),
            timer0_when: AtomicI64::new(0),
        }
    }

    /// Timers in the heap now (every one of them live: none is "deleted").
    pub fn len(&self) -> usize {
        self.heap.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.timer0_when.load(Relaxed) == 0
    }
}

/// Puts `h[i]` at index `i` and records that in its timer.
fn place(h: &mut [Entry], i: usize, e: Entry) {
    h[i] = e;
    // SAFETY: a timer in a heap is alive (a reference of the heap's, or its
    // uncounted owner waits for it), and we hold the heap's lock.
    unsafe { (*e.t).idx.store(i, Relaxed) };
}

fn sift_up(h: &mut [Entry], mut i: usize) {
    let e = h[i];
    while i > 0 {
        let parent = (i - 1) / 2;
        if h[parent].when <= e.when {
            break;
        }
        place(h, i, h[parent]);
        i = parent;
    }
    place(h, i, e);
}

fn sift_down(h: &mut [Entry], mut i: usize) {
    let e = h[i];
    loop {
        let (l, r) = (2 * i + 1, 2 * i + 2);
        let mut m = l;
        if l >= h.len() {
            break;
        }
        if r < h.len() && h[r].when < h[l].when {
            m = r;
        }
        if h[m].when >= e.when {
            break;
        }
        place(h, i, h[m]);
        i = m;
    }
    place(h, i, e);
}

/// Adds `e` to `h` (lock held).
fn push(h: &mut Vec<Entry>, e: Entry) {
    h.push(e);
    let last = h.len() - 1;
    sift_up(h, last);
}

/// Removes the entry at `i` (lock held) and returns it.
fn remove_at(h: &mut Vec<Entry>, i: usize) -> Entry {
    let e = h[i];
    let last = h.pop().expect("remove_at: empty timer heap");
    if i < h.len() {
        place(h, i, last);
        if i > 0 && h[(i - 1) / 2].when > last.when {
            sift_up(h, i);
        } else {
            sift_down(h, i);
        }
    }
    // Give memory back after a burst of timers (1M tickers, then stopped).
    if h.capacity() > HEAP_MIN_CAPACITY && h.len() < h.capacity() / HEAP_SHRINK_RATIO {
        h.shrink_to((h.capacity() / 2).max(HEAP_MIN_CAPACITY));
    }
    e
}

fn publish(pp: &P, h: &[Entry]) {
    pp.timers
        .timer0_when
        .store(h.first().map_or(0, |e| e.when), SeqCst);
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

/// Is an M sleeping until the next timer, and until when.
static SLEEPER: AtomicBool = AtomicBool::new(false);
static SLEEP_UNTIL: AtomicI64 = AtomicI64::new(0);
/// Futex word the sleeper waits on; bumped to wake it early.
static SLEEPER_KICK: AtomicU32 = AtomicU32::new(0);

fn kick_sleeper() {
    SLEEPER_KICK.fetch_add(1, SeqCst);
    futex_wake(&SLEEPER_KICK, 1);
}

/// Adds `t` to the current P's heap, due at `when` (Go's `addtimer`), and
/// wakes the sleeper if it is due before the sleeper would wake. False if
/// another thread added it first (the timer was not `NONE`).
///
/// # Safety
/// `t` stays alive while it is in a heap: for a counted timer the caller
/// gives the heap a reference (`Arc::into_raw`) that this function keeps
/// when it returns true; for an uncounted one its owner waits for it.
unsafe fn add_timer(t: *const RuntimeTimer, when: i64) -> bool {
    // SAFETY: called on an M holding a P (goroutine or g0 in the scheduler).
    let pp = unsafe { &*(*getm()).p };
    // SAFETY: alive, by the contract.
    let tr = unsafe { &*t };
    {
        let mut h = pp.timers.heap.lock();
        if tr
            .status
            .compare_exchange(NONE, WAITING, AcqRel, Relaxed)
            .is_err()
        {
            return false;
        }
        tr.pp.store(pp as *const P as *mut P, Release);
        push(&mut h, Entry { when, t });
        publish(pp, &h);
    }
    if SLEEPER.load(SeqCst) {
        if when < SLEEP_UNTIL.load(SeqCst) {
            kick_sleeper();
        }
    } else {
        // No M watches the clock: make sure one will (it becomes the sleeper).
        crate::sched::schedule::wakep();
    }
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
                    let mut h = p.timers.heap.lock();
                    // Invariant (1): under H's lock, WAITING with pp == H
                    // means the timer is in H, at idx.
                    if t.status.load(Acquire) != WAITING || t.pp.load(Acquire) != pp {
                        None
                    } else {
                        let i = t.idx.load(Relaxed);
                        let e = remove_at(&mut h, i);
                        debug_assert!(core::ptr::eq(e.t, t));
                        t.idx.store(NO_INDEX, Relaxed);
                        t.pp.store(core::ptr::null_mut(), Release);
                        t.status.store(NONE, Release);
                        publish(p, &h);
                        Some((e, i))
                    }
                };
                if let Some((e, i)) = removed {
                    // The sleeper may be waiting for this very timer (and
                    // checkdead cannot run while it sleeps): let it look again.
                    if i == 0 && SLEEPER.load(SeqCst) {
                        kick_sleeper();
                    }
                    release(e.t);
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
    let w = pp.timers.timer0_when.load(SeqCst);
    if w == 0 || w > now {
        return 0;
    }
    let mut ran = 0;
    loop {
        let (e, period) = {
            let mut h = pp.timers.heap.lock();
            if h.is_empty() || h[0].when > now {
                publish(pp, &h);
                return ran;
            }
            let e = remove_at(&mut h, 0);
            // SAFETY: in the heap until now, so alive; we hold its lock.
            let t = unsafe { &*e.t };
            let period = t.period.load(Relaxed);
            t.idx.store(NO_INDEX, Relaxed);
            t.pp.store(core::ptr::null_mut(), Release);
            // A one-shot timer is done (a stop now returns false); a
            // periodic one is ours until we put it back.
            t.status
                .store(if period > 0 { RUNNING } else { NONE }, Release);
            publish(pp, &h);
            (e, period)
        };
        // SAFETY: a counted timer: we hold the heap's reference; an
        // uncounted one: its owner waits for this call.
        let (f, tr) = unsafe { ((*e.t).f, &*e.t) };
        ran += 1;
        if period > 0 {
            f(tr, now);
            // Next multiple of the period after now (Go skips missed ticks).
            let when = e.when + period * (1 + (now - e.when) / period);
            let mut h = pp.timers.heap.lock();
            tr.pp.store(pp as *const P as *mut P, Release);
            push(&mut h, Entry { when, t: e.t });
            tr.status.store(WAITING, Release);
            publish(pp, &h);
        } else {
            let counted = tr.counted;
            f(tr, now);
            // An uncounted timer may be gone now: do not touch it.
            if counted {
                release(e.t);
            }
        }
    }
}

/// Runs expired timers on every P; returns how many ran. Reads the clock
/// only when some P has a timer, so the scheduler's hot path costs a few
/// atomic loads when no timer is pending (Go's `checkTimers` likewise
/// looks at `timer0When` before calling `nanotime`).
pub fn run_all_expired() -> usize {
    let first = earliest();
    if first == 0 {
        return 0;
    }
    let now = crate::sys::time::nanotime();
    if first > now {
        return 0;
    }
    // SAFETY: allp is fixed after start-up.
    let allp = unsafe { &*ALLP.get() };
    let mut ran = 0;
    for &pp in allp.iter() {
        // SAFETY: Ps are never freed.
        ran += check_timers(unsafe { &*pp }, now);
    }
    ran
}

/// The earliest timer on any P, or 0.
pub fn earliest() -> i64 {
    // SAFETY: allp is fixed after start-up.
    let allp = unsafe { &*ALLP.get() };
    let mut best = 0;
    for &pp in allp.iter() {
        // SAFETY: Ps are never freed.
        let w = unsafe { (*pp).timers.timer0_when.load(SeqCst) };
        if w != 0 && (best == 0 || w < best) {
            best = w;
        }
    }
    best
}

/// Timers in every P's heap now (for tests: a stopped timer is in none).
pub fn in_heaps() -> usize {
    // SAFETY: allp is fixed after start-up.
    let allp = unsafe { &*ALLP.get() };
    // SAFETY: Ps are never freed.
    allp.iter().map(|&pp| unsafe { (*pp).timers.len() }).sum()
}

/// Any timer pending? (a wake source for checkdead). Stopped timers are
/// not in any heap, so they never count as future work.
pub fn pending() -> bool {
    earliest() != 0
}

/// Tries to become the M that sleeps until `until`; false if one already does.
pub fn become_sleeper(until: i64) -> bool {
    if SLEEPER
        .compare_exchange(false, true, SeqCst, Relaxed)
        .is_err()
    {
        return false;
    }
    SLEEP_UNTIL.store(until, SeqCst);
    true
}

/// Sleeps until `until` or a kick, then gives up the sleeper role.
pub fn sleep_until(until: i64) {
    let seq = SLEEPER_KICK.load(SeqCst);
    // A timer added (or removed) between the caller's look and now: with
    // no timer left (earliest 0) do not sleep at all.
    let until = until.min(earliest().max(1));
    let left = until - crate::sys::time::nanotime();
    if left > 0 {
        let _ = futex_wait(&SLEEPER_KICK, seq, left);
    }
    SLEEPER.store(false, SeqCst);
}

#[cfg(test)]
#[path = "timers_tests.rs"]
mod tests;
