//! A spin lock that also holds off preemption: `spin::Mutex` with the
//! current M's no-preemption count raised while it is held (Go's runtime
//! takes `acquirem` with every lock: `lock2` does `gp.m.locks++`).
//!
//! Why: a goroutine preempted with a spin lock held would leave every
//! other goroutine that wants the lock spinning until the holder runs
//! again, which at `GOMAXPROCS=1` is only after sysmon preempts the
//! spinner (10 ms later); and what a spin lock guards is often per-P
//! state (a P's timer heap) that must not change hands in the middle.
//! With the count raised, the SIGURG handler leaves the goroutine alone
//! until the guard drops.
//!
//! Invariant: the count is raised before the lock is taken and lowered
//! after it is released, on the same M: a preemption cannot happen in
//! between (that is what the count is for), so the goroutine cannot
//! migrate while it holds the lock.
//!
//! The allocator's own spin locks (`mem::heap`, `mem::malloc`,
//! `mem::stack`) are plain `spin::Mutex`: they are only reached from
//! `sched::mcache`, which holds the count for the whole call, or from g0.

use core::mem::ManuallyDrop;
use core::ops::{Deref, DerefMut};

use crate::arch::tls::{preempt_off, preempt_on};

/// A spin lock around `T` that holds off preemption while held.
pub struct SpinLock<T: ?Sized> {
    inner: spin::Mutex<T>,
}

/// The guard of a [`SpinLock`]: the lock and the no-preemption count are
/// released on drop.
pub struct SpinGuard<'a, T: ?Sized> {
    // Released by hand in `drop`, before the count is lowered (fields
    // would otherwise drop after the body of `Drop::drop`).
    guard: ManuallyDrop<spin::MutexGuard<'a, T>>,
}

impl<T> SpinLock<T> {
    pub const fn new(value: T) -> SpinLock<T> {
        SpinLock {
            inner: spin::Mutex::new(value),
        }
    }
}

impl<T: ?Sized> SpinLock<T> {
    /// Takes the lock, spinning.
    #[inline]
    pub fn lock(&self) -> SpinGuard<'_, T> {
        preempt_off();
        SpinGuard {
            guard: ManuallyDrop::new(self.inner.lock()),
        }
    }

    /// Takes the lock if it is free.
    #[inline]
    pub fn try_lock(&self) -> Option<SpinGuard<'_, T>> {
        preempt_off();
        match self.inner.try_lock() {
            Some(g) => Some(SpinGuard {
                guard: ManuallyDrop::new(g),
            }),
            None => {
                preempt_on();
                None
            }
        }
    }
}

impl<T: ?Sized> Drop for SpinGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: the guard is dropped once, here, and never used after.
        unsafe { ManuallyDrop::drop(&mut self.guard) };
        preempt_on();
    }
}

impl<T: ?Sized> Deref for SpinGuard<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T: ?Sized> DerefMut for SpinGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        &mut self.guard
    }
}
