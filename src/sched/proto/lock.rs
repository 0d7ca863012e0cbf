//! The runtime lock and note protocols on a futex word: Go's
//! lock_futex.go (`lock2`/`unlock2`, `notesleep`/`notewakeup`/
//! `noteclear`), over what `super` provides; the runtime's
//! [`Mutex`](crate::sched::lock::Mutex) and [`Note`](crate::sched::lock::Note)
//! and the loom models `models/tests/lock.rs` both run this source.
//!
//! Lock word: `UNLOCKED`, `LOCKED`, or `SLEEPING` (locked, and some thread
//! may be asleep in the kernel on the word). Invariants:
//! - a thread sleeps only after it has stored `SLEEPING` itself (the swap
//!   that failed to take the lock), so a sleeper always has its mark on
//!   the word or has been woken;
//! - `unlock` wakes one sleeper exactly when it takes `SLEEPING` off;
//! - a thread that has slept takes the lock as `SLEEPING`, never `LOCKED`
//!   (others may still sleep, and its unlock must wake one of them);
//! - nothing spins without bound: a few busy rounds, one yield, then sleep.
//!
//! Note word: 0 (not signalled) or 1 (signalled); one sleeper, one waker,
//! `clear` only when neither is active. `sleep` re-checks the word after
//! every futex return (spurious wake-ups are allowed); `wakeup` stores
//! before it wakes, so a sleeper that checked 0 is in the kernel on the
//! word, or will see 1 when the kernel compares.

use super::{
    AtomicU32,
    Ordering::{Acquire, Relaxed, Release},
    active_spin_rounds, futex_wait, futex_wake, osyield, procyield, throw,
};

pub(crate) const UNLOCKED: u32 = 0;
pub(crate) const LOCKED: u32 = 1;
pub(crate) const SLEEPING: u32 = 2;

/// Rounds of `sched_yield` before sleeping: Go's `passive_spin`.
const PASSIVE_SPIN: u32 = 1;
/// `futex_wait`'s "no timeout".
const FOREVER: i64 = -1;

#[inline]
pub(crate) fn lock(key: &AtomicU32) {
    // Speculative grab for the uncontended case.
    let v = key.swap(LOCKED, Acquire);
    if v == UNLOCKED {
        return;
    }
    lock_slow(key, v);
}

#[inline(never)]
fn lock_slow(key: &AtomicU32, mut v: u32) {
    // v is LOCKED or SLEEPING; if we ever sleep we must leave SLEEPING so
    // that unlock wakes the others.
    let mut wait = v;
    let spin = active_spin_rounds();
    loop {
        for _ in 0..spin {
            // Go's shape: try while the word reads unlocked, then
            // `procyield(30)` without touching it. Polling it on every
            // pause keeps stealing the line from the holder (which
            // shares it with the channel state): 4-9x slower under
            // contention (bench prodcons10/100 at GOMAXPROCS=2).
            while key.load(Relaxed) == UNLOCKED {
                if key
                    .compare_exchange(UNLOCKED, wait, Acquire, Relaxed)
                    .is_ok()
                {
                    return;
                }
            }
            procyield();
        }
        for _ in 0..PASSIVE_SPIN {
            if key.load(Relaxed) == UNLOCKED
                && key
                    .compare_exchange(UNLOCKED, wait, Acquire, Relaxed)
                    .is_ok()
            {
                return;
            }
            osyield();
        }
        v = key.swap(SLEEPING, Acquire);
        if v == UNLOCKED {
            return;
        }
        // Once we have slept, others may be asleep too: whenever we take
        // the lock from now on, leave SLEEPING so our unlock wakes one of
        // them (Go: `wait = mutex_sleeping`). Taking it as LOCKED would
        // erase their mark and strand them in the kernel.
        wait = SLEEPING;
        let _ = futex_wait(key, SLEEPING, FOREVER);
    }
}

#[inline]
pub(crate) fn unlock(key: &AtomicU32) {
    if key.swap(UNLOCKED, Release) == SLEEPING {
        futex_wake(key, 1);
    }
}

pub(crate) fn note_clear(key: &AtomicU32) {
    key.store(0, Release);
}

pub(crate) fn note_wakeup(key: &AtomicU32) {
    if key.swap(1, Release) != 0 {
        throw("notewakeup - double wakeup");
    }
    futex_wake(key, 1);
}

/// Sleeps until `note_wakeup`.
pub(crate) fn note_sleep(key: &AtomicU32) {
    while key.load(Acquire) == 0 {
        let _ = futex_wait(key, 0, FOREVER);
    }
}
