//! The runtime's own mutex and note, on futexes. Go's `lock_futex.go`:
//! `lock`/`unlock` (spin briefly, then sleep in the kernel) and
//! `note` (`notesleep`/`notewakeup`/`noteclear`), the one-shot event an idle
//! M sleeps on.
//!
//! Invariants: a [`Mutex`] word is 0 (unlocked), 1 (locked) or 2 (locked,
//! maybe with sleepers); unlock wakes one sleeper only from state 2. Nothing
//! here spins without bound.

use core::sync::atomic::AtomicU32;
use core::sync::atomic::Ordering::{Acquire, Relaxed, Release};

use crate::sys::futex::{futex_wait, futex_wake};

const UNLOCKED: u32 = 0;
const LOCKED: u32 = 1;
const SLEEPING: u32 = 2;

/// Rounds of busy spinning (with `pause`) before yielding, and the pauses in
/// each: Go's `active_spin` and `active_spin_cnt`.
const ACTIVE_SPIN: u32 = 4;
const ACTIVE_SPIN_CNT: u32 = 30;
/// Rounds of `sched_yield` before sleeping: Go's `passive_spin`.
const PASSIVE_SPIN: u32 = 1;

pub struct Mutex {
    key: AtomicU32,
}

impl Mutex {
    pub const fn new() -> Mutex {
        Mutex {
            key: AtomicU32::new(UNLOCKED),
        }
    }

    pub fn lock(&self) {
        // Speculative grab for the uncontended case.
        let mut v = self.key.swap(LOCKED, Acquire);
        if v == UNLOCKED {
            return;
        }
        // v is LOCKED or SLEEPING; if we ever sleep we must leave SLEEPING so
        // that unlock wakes the others.
        let mut wait = v;
        let spin = if crate::boot::osinit::ncpu() > 1 {
            ACTIVE_SPIN
        } else {
            0
        };
        loop {
            for _ in 0..spin {
                // Go's shape: try while the word reads unlocked, then
                // `procyield(30)` without touching it. Polling it on every
                // pause keeps stealing the line from the holder (which
                // shares it with the channel state): 4-9x slower under
                // contention (bench prodcons10/100 at GOMAXPROCS=2).
                while self.key.load(Relaxed) == UNLOCKED {
                    if self
                        .key
                        .compare_exchange(UNLOCKED, wait, Acquire, Relaxed)
                        .is_ok()
                    {
                        return;
                    }
                }
                for _ in 0..ACTIVE_SPIN_CNT {
                    core::hint::spin_loop();
                }
            }
            for _ in 0..PASSIVE_SPIN {
                if self.key.load(Relaxed) == UNLOCKED
                    && self
                        .key
                        .compare_exchange(UNLOCKED, wait, Acquire, Relaxed)
                        .is_ok()
                {
                    return;
                }
                crate::sys::process::sched_yield();
            }
            v = self.key.swap(SLEEPING, Acquire);
            if v == UNLOCKED {
                return;
            }
            // Once we have slept, others may be asleep too: whenever we take
            // the lock from now on, leave SLEEPING so our unlock wakes one of
            // them (Go: `wait = mutex_sleeping`). Taking it as LOCKED would
            // erase their mark and strand them in the kernel.
            wait = SLEEPING;
            let _ = futex_wait(&self.key, SLEEPING, -1);
        }
    }

    pub fn unlock(&self) {
        if self.key.swap(UNLOCKED, Release) == SLEEPING {
            futex_wake(&self.key, 1);
        }
    }
}

/// A one-shot event (Go's `note`): one sleeper, one waker; reusable after
/// `clear`.
pub struct Note {
    key: AtomicU32,
}

impl Note {
    pub const fn new() -> Note {
        Note {
            key: AtomicU32::new(0),
        }
    }

    pub fn clear(&self) {
        self.key.store(0, Release);
    }

    pub fn wakeup(&self) {
        if self.key.swap(1, Release) != 0 {
            crate::debug::fatal::throw("notewakeup - double wakeup");
        }
        futex_wake(&self.key, 1);
    }

    /// Sleeps until `wakeup`.
    pub fn sleep(&self) {
        while self.key.load(Acquire) == 0 {
            let _ = futex_wait(&self.key, 0, -1);
        }
    }

    /// Sleeps until `wakeup` or `ns` nanoseconds pass; true if woken.
    pub fn sleep_timeout(&self, ns: i64) -> bool {
        if ns < 0 {
            self.sleep();
            return true;
        }
        let deadline = crate::sys::time::nanotime() + ns;
        loop {
            if self.key.load(Acquire) != 0 {
                return true;
            }
            let left = deadline - crate::sys::time::nanotime();
            if left <= 0 {
                return self.key.load(Acquire) != 0;
            }
            let _ = futex_wait(&self.key, 0, left);
        }
    }
}
