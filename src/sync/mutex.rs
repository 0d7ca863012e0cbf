//! `Mutex`: Go's `sync.Mutex` (sync/mutex.go, normal mode): an atomic
//! word, a brief spin while the holder is running elsewhere, then the
//! goroutine parks on a semaphore. It parks goroutines, never threads.
//!
//! State bits: `LOCKED`, `WOKEN` (an unlocker has woken a waiter, so others
//! need not), and a waiter count above them. A woken waiter competes with
//! newcomers for the lock (Go's normal mode; Go's starvation mode, which
//! hands the lock over after 1 ms of waiting, is not implemented).

use core::cell::UnsafeCell;
use core::ops::{Deref, DerefMut};
use core::sync::atomic::{
    AtomicU32,
    Ordering::{Acquire, Relaxed, Release},
};

use super::sema::Sema;
use crate::sched::g::WaitReason;

const LOCKED: u32 = 1;
const WOKEN: u32 = 2;
const WAITER_SHIFT: u32 = 2;
const WAITER: u32 = 1 << WAITER_SHIFT;
/// Spin iterations before queueing (Go's `active_spin`) and pauses in each.
const ACTIVE_SPIN: u32 = 4;
const ACTIVE_SPIN_CNT: u32 = 30;

/// The lock itself, without data (Go's `sync.Mutex`).
pub struct RawMutex {
    state: AtomicU32,
    sema: Sema,
}

impl Default for RawMutex {
    fn default() -> Self {
        Self::new()
    }
}

impl RawMutex {
    pub const fn new() -> RawMutex {
        RawMutex {
            state: AtomicU32::new(0),
            sema: Sema::new(),
        }
    }

    pub fn try_lock(&self) -> bool {
        let old = self.state.load(Relaxed);
        old & LOCKED == 0
            && self
                .state
                .compare_exchange(old, old | LOCKED, Acquire, Relaxed)
                .is_ok()
    }

    pub fn lock(&self) {
        if self
            .state
            .compare_exchange(0, LOCKED, Acquire, Relaxed)
            .is_ok()
        {
            return;
        }
        self.lock_slow();
    }

    fn can_spin(iter: u32) -> bool {
        iter < ACTIVE_SPIN && crate::boot::osinit::ncpu() > 1 && crate::runtime::gomaxprocs() > 1
    }

    fn lock_slow(&self) {
        let mut awoke = false;
        let mut iter = 0;
        let mut old = self.state.load(Relaxed);
        loop {
            if old & LOCKED != 0 && Self::can_spin(iter) {
                // Tell unlock not to wake others while we spin.
                if !awoke
                    && old & WOKEN == 0
                    && old >> WAITER_SHIFT != 0
                    && self
                        .state
                        .compare_exchange(old, old | WOKEN, Relaxed, Relaxed)
                        .is_ok()
                {
                    awoke = true;
                }
                for _ in 0..ACTIVE_SPIN_CNT {
                    core::hint::spin_loop();
                }
                iter += 1;
                old = self.state.load(Relaxed);
                continue;
            }
            let mut new = old | LOCKED;
            if old & LOCKED != 0 {
                new += WAITER;
            }
            if awoke {
                new &= !WOKEN;
            }
            match self.state.compare_exchange(old, new, Acquire, Relaxed) {
                Ok(_) => {
                    if old & LOCKED == 0 {
                        return; // we took it
                    }
                    self.sema.acquire(WaitReason::SyncMutexLock);
                    awoke = true;
                    iter = 0;
                    old = self.state.load(Relaxed);
                }
                Err(now) => old = now,
            }
        }
    }

    /// Unlocks. Unlocking an unlocked mutex is fatal, as in Go.
    pub fn unlock(&self) {
        let new = self.state.fetch_sub(LOCKED, Release).wrapping_sub(LOCKED);
        if new.wrapping_add(LOCKED) & LOCKED == 0 {
            crate::debug::fatal::throw("sync: unlock of unlocked mutex");
        }
        if new != 0 {
            self.unlock_slow(new);
        }
    }

    fn unlock_slow(&self, mut old: u32) {
        loop {
            // Nobody waits, or someone already holds it or was already woken.
            if old >> WAITER_SHIFT == 0 || old & (LOCKED | WOKEN) != 0 {
                return;
            }
            let new = (old - WAITER) | WOKEN;
            match self.state.compare_exchange(old, new, Release, Relaxed) {
                Ok(_) => {
                    self.sema.release();
                    return;
                }
                Err(now) => old = now,
            }
        }
    }
}

/// A mutex protecting a `T`, in Rust's style: `lock()` returns a guard
/// that unlocks on drop.
pub struct Mutex<T: ?Sized> {
    raw: RawMutex,
    data: UnsafeCell<T>,
}

// SAFETY: the RawMutex serialises all access to `data`.
unsafe impl<T: ?Sized + Send> Send for Mutex<T> {}
// SAFETY: as for Send: one holder at a time.
unsafe impl<T: ?Sized + Send> Sync for Mutex<T> {}

impl<T> Mutex<T> {
    pub const fn new(value: T) -> Mutex<T> {
        Mutex {
            raw: RawMutex::new(),
            data: UnsafeCell::new(value),
        }
    }

    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    pub fn lock(&self) -> MutexGuard<'_, T> {
        self.raw.lock();
        MutexGuard { m: self }
    }

    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        self.raw.try_lock().then_some(MutexGuard { m: self })
    }
}

pub struct MutexGuard<'a, T: ?Sized> {
    m: &'a Mutex<T>,
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock.
        unsafe { &*self.m.data.get() }
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the lock exclusively.
        unsafe { &mut *self.m.data.get() }
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        self.m.raw.unlock();
    }
}
