//! The `sync.Mutex` protocol (Go's sync/mutex.go, normal mode), over the
//! atomics, the spin policy and the semaphore that `super` provides; the
//! runtime's [`RawMutex`](crate::sync::RawMutex) and the loom model
//! `models/tests/mutex.rs` both run this source.
//!
//! State word: `LOCKED`, `WOKEN` (an unlocker has woken a waiter, or a
//! spinner has told unlockers not to, so an unlock need not wake another)
//! and the number of goroutines asleep or about to sleep on the semaphore
//! above them. Invariants:
//! - the waiter count is raised only by a locker that saw `LOCKED` and
//!   then sleeps on the semaphore, and lowered only by an unlocker that
//!   releases one token for it, in the same CAS that sets `WOKEN`;
//! - a woken waiter competes with newcomers (it clears `WOKEN` in its next
//!   CAS, whether that takes the lock or queues it again);
//! - an unlock with waiters and neither `LOCKED` nor `WOKEN` set wakes one.

use super::sema::Semaphore;
use super::{
    AtomicU32,
    Ordering::{Acquire, Relaxed, Release},
    can_spin, procyield, throw,
};

pub(crate) const LOCKED: u32 = 1;
pub(crate) const WOKEN: u32 = 2;
const WAITER_SHIFT: u32 = 2;
const WAITER: u32 = 1 << WAITER_SHIFT;

/// A lock with no data, as `Once` needs one.
pub(crate) trait RawLock {
    fn lock(&self);
    fn unlock(&self);
}

#[inline]
pub(crate) fn try_lock(state: &AtomicU32) -> bool {
    let old = state.load(Relaxed);
    old & LOCKED == 0
        && state
            .compare_exchange(old, old | LOCKED, Acquire, Relaxed)
            .is_ok()
}

#[inline]
pub(crate) fn lock<S: Semaphore>(state: &AtomicU32, sema: &S) {
    if state.compare_exchange(0, LOCKED, Acquire, Relaxed).is_ok() {
        return;
    }
    lock_slow(state, sema);
}

#[inline(never)]
fn lock_slow<S: Semaphore>(state: &AtomicU32, sema: &S) {
    let mut awoke = false;
    let mut iter = 0;
    let mut old = state.load(Relaxed);
    loop {
        if old & LOCKED != 0 && can_spin(iter) {
            // Tell unlock not to wake others while we spin.
            if !awoke
                && old & WOKEN == 0
                && old >> WAITER_SHIFT != 0
                && state
                    .compare_exchange(old, old | WOKEN, Relaxed, Relaxed)
                    .is_ok()
            {
                awoke = true;
            }
            procyield();
            iter += 1;
            old = state.load(Relaxed);
            continue;
        }
        let mut new = old | LOCKED;
        if old & LOCKED != 0 {
            new += WAITER;
        }
        if awoke {
            // We are the woken one (or told unlockers we would be): give
            // the mark back whatever happens next.
            if new & WOKEN == 0 {
                throw("sync: inconsistent mutex state");
            }
            new &= !WOKEN;
        }
        match state.compare_exchange(old, new, Acquire, Relaxed) {
            Ok(_) => {
                if old & LOCKED == 0 {
                    return; // we took it
                }
                sema.acquire();
                awoke = true;
                iter = 0;
                old = state.load(Relaxed);
            }
            Err(now) => old = now,
        }
    }
}

/// Unlocks. Unlocking an unlocked mutex is fatal, as in Go.
#[inline]
pub(crate) fn unlock<S: Semaphore>(state: &AtomicU32, sema: &S) {
    let new = state.fetch_sub(LOCKED, Release).wrapping_sub(LOCKED);
    if new.wrapping_add(LOCKED) & LOCKED == 0 {
        throw("sync: unlock of unlocked mutex");
    }
    if new != 0 {
        unlock_slow(state, sema, new);
    }
}

#[inline(never)]
fn unlock_slow<S: Semaphore>(state: &AtomicU32, sema: &S, mut old: u32) {
    loop {
        // Nobody waits, or someone already holds it or was already woken.
        if old >> WAITER_SHIFT == 0 || old & (LOCKED | WOKEN) != 0 {
            return;
        }
        let new = (old - WAITER) | WOKEN;
        match state.compare_exchange(old, new, Release, Relaxed) {
            Ok(_) => {
                sema.release();
                return;
            }
            Err(now) => old = now,
        }
    }
}
