//! The runtime's own mutex and note, on futexes. Go's `lock_futex.go`:
//! `lock`/`unlock` (spin briefly, then sleep in the kernel) and
//! `note` (`notesleep`/`notewakeup`/`noteclear`), the one-shot event an idle
//! M sleeps on.
//!
//! The protocols and their invariants are in [`proto::lock`](super::proto::lock),
//! shared with the loom models; this module holds the words (with `const
//! fn new`, which loom's atomics lack) and the timed note sleep, which the
//! models leave out (time is not modelled).

use core::sync::atomic::AtomicU32;
use core::sync::atomic::Ordering::Acquire;

use super::proto::lock::{self as protocol, UNLOCKED};
use crate::arch::tls::{preempt_off, preempt_on};
use crate::sys::futex::futex_wait;

pub struct Mutex {
    key: AtomicU32,
}

impl Mutex {
    pub const fn new() -> Mutex {
        Mutex {
            key: AtomicU32::new(UNLOCKED),
        }
    }

    /// Takes the lock. The current M's no-preemption count stays raised
    /// until `unlock` (Go's `lock2` does `gp.m.locks++`): a goroutine is
    /// never preempted while it holds a runtime lock.
    #[inline]
    pub fn lock(&self) {
        preempt_off();
        protocol::lock(&self.key);
    }

    /// Releases the lock and lowers the count `lock` raised.
    #[inline]
    pub fn unlock(&self) {
        protocol::unlock(&self.key);
        preempt_on();
    }

    /// For host unit tests: whether someone holds the lock now.
    #[cfg(test)]
    pub(crate) fn is_locked(&self) -> bool {
        self.key.load(Acquire) != UNLOCKED
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
        protocol::note_clear(&self.key);
    }

    pub fn wakeup(&self) {
        protocol::note_wakeup(&self.key);
    }

    /// Sleeps until `wakeup`.
    pub fn sleep(&self) {
        protocol::note_sleep(&self.key);
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

/// gopark's commit function for a goroutine that parks holding a runtime
/// lock (Go's `parkunlock_c`): once it is off its M, let others take the
/// lock. Channels and semaphores park this way.
///
/// # Safety
/// `lock` points at a [`Mutex`] the parked goroutine holds, alive while it
/// is parked.
pub unsafe fn park_unlock(_gp: *mut super::g::G, lock: *mut u8) -> bool {
    // SAFETY: `lock` is a held, live Mutex (contract).
    unsafe { (*(lock as *const Mutex)).unlock() };
    true
}
