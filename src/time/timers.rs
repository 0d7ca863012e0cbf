//! Timers: Go's per-P timer heaps (time.go: `addtimer`, `checkTimers`,
//! `runtimer`) and the M that sleeps until the next one is due.
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
//! adding an earlier timer wakes it. Other idle Ms sleep in `stopm`.

use alloc::vec::Vec;
use core::sync::atomic::{
    AtomicBool, AtomicI64, AtomicU32,
    Ordering::{Relaxed, SeqCst},
};

use crate::sched::p::P;
use crate::sched::sched::{ALLP, getm};
use crate::sys::futex::{futex_wait, futex_wake};

/// A timer: at `when` (nanotime), call `f(arg, now)`; if `period > 0`,
/// again every `period`.
#[derive(Clone, Copy)]
pub struct Timer {
    pub when: i64,
    pub period: i64,
    pub f: fn(usize, i64) -> bool,
    pub arg: usize,
}

/// A P's timers.
pub struct TimerHeap {
    pub heap: spin::Mutex<Vec<Timer>>,
    /// Earliest `when` in `heap`, 0 if empty (read without the lock).
    pub timer0_when: AtomicI64,
}

impl TimerHeap {
    pub const fn new() -> TimerHeap {
        TimerHeap {
            heap: spin::Mutex::new(Vec::new()),
            timer0_when: AtomicI64::new(0),
        }
    }

    pub fn len(&self) -> usize {
        self.heap.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.timer0_when.load(Relaxed) == 0
    }
}

fn sift_up(h: &mut [Timer], mut i: usize) {
    while i > 0 {
        let parent = (i - 1) / 2;
        if h[parent].when <= h[i].when {
            break;
        }
        h.swap(parent, i);
        i = parent;
    }
}

fn sift_down(h: &mut [Timer], mut i: usize) {
    loop {
        let (l, r) = (2 * i + 1, 2 * i + 2);
        let mut m = i;
        if l < h.len() && h[l].when < h[m].when {
            m = l;
        }
        if r < h.len() && h[r].when < h[m].when {
            m = r;
        }
        if m == i {
            return;
        }
        h.swap(i, m);
        i = m;
    }
}

fn push(h: &mut Vec<Timer>, t: Timer) {
    h.push(t);
    let last = h.len() - 1;
    sift_up(h, last);
}

fn pop(h: &mut Vec<Timer>) -> Timer {
    let last = h.len() - 1;
    h.swap(0, last);
    let t = h.pop().unwrap();
    if !h.is_empty() {
        sift_down(h, 0);
    }
    t
}

/// Is an M sleeping until the next timer, and until when.
static SLEEPER: AtomicBool = AtomicBool::new(false);
static SLEEP_UNTIL: AtomicI64 = AtomicI64::new(0);
/// Futex word the sleeper waits on; bumped to wake it early.
static SLEEPER_KICK: AtomicU32 = AtomicU32::new(0);

/// Adds `t` to the current P's heap (Go's `addtimer`), waking the sleeper
/// if this timer is due before it would wake.
pub fn add_timer(t: Timer) {
    // SAFETY: called on an M holding a P (goroutine or g0 in the scheduler).
    let pp = unsafe { &*(*getm()).p };
    {
        let mut h = pp.timers.heap.lock();
        push(&mut h, t);
        pp.timers.timer0_when.store(h[0].when, SeqCst);
    }
    if SLEEPER.load(SeqCst) {
        if t.when < SLEEP_UNTIL.load(SeqCst) {
            SLEEPER_KICK.fetch_add(1, SeqCst);
            futex_wake(&SLEEPER_KICK, 1);
        }
    } else {
        // No M watches the clock: make sure one will (it becomes the sleeper).
        crate::sched::schedule::wakep();
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
        let t = {
            let mut h = pp.timers.heap.lock();
            if h.is_empty() || h[0].when > now {
                let next = h.first().map_or(0, |t| t.when);
                pp.timers.timer0_when.store(next, SeqCst);
                return ran;
            }
            let t = pop(&mut h);
            pp.timers
                .timer0_when
                .store(h.first().map_or(0, |t| t.when), SeqCst);
            t
        };
        let again = (t.f)(t.arg, now);
        ran += 1;
        if again && t.period > 0 {
            // Next multiple of the period after now (Go skips missed ticks).
            let when = t.when + t.period * (1 + (now - t.when) / t.period);
            let mut h = pp.timers.heap.lock();
            push(&mut h, Timer { when, ..t });
            pp.timers.timer0_when.store(h[0].when, SeqCst);
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

/// Any timer pending? (a wake source for checkdead)
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
    // A timer added between the caller's look and now lowered the deadline.
    let until = until.min(earliest().max(1));
    let left = until - crate::sys::time::nanotime();
    if left > 0 {
        let _ = futex_wait(&SLEEPER_KICK, seq, left);
    }
    SLEEPER.store(false, SeqCst);
}
