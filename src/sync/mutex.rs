//! `Mutex`: Go's `sync.Mutex` (sync/mutex.go, normal mode): an atomic
//! word, a brief spin while the holder is running elsewhere, then the
//! goroutine parks on a semaphore. It parks goroutines, never threads.
//!
//! State bits: `LOCKED`, `WOKEN` (an unlocker has woken a waiter, so others
//! need not), and a waiter count above them; the protocol and its
//! invariants are in [`proto::mutex`](super::proto::mutex). A woken waiter
//! competes with newcomers for the lock (Go's normal mode; Go's starvation
//! mode, which hands the lock over after 1 ms of waiting, is not
//! implemented).

use core::cell::UnsafeCell;
use core::ops::{Deref, DerefMut};
use core::sync::atomic::AtomicU32;

use super::proto::mutex::{self as protocol, RawLock};
use super::sema::Sema;
use crate::sched::g::WaitReason;

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

    #[inline]
    pub fn try_lock(&self) -> bool {
        protocol::try_lock(&self.state)
    }

    #[inline]
    pub fn lock(&self) {
        protocol::lock(
            &self.state,
            &self.sema.with_reason(WaitReason::SyncMutexLock),
        );
    }

    /// Unlocks. Unlocking an unlocked mutex is fatal, as in Go.
    #[inline]
    pub fn unlock(&self) {
        protocol::unlock(
            &self.state,
            &self.sema.with_reason(WaitReason::SyncMutexLock),
        );
    }
}

impl RawLock for RawMutex {
    #[inline]
    fn lock(&self) {
        RawMutex::lock(self);
    }
    #[inline]
    fn unlock(&self) {
        RawMutex::unlock(self);
    }
}

/// A mutex protecting a `T`, in Rust's style: `lock()` returns a guard
/// that unlocks on drop (Go's `sync.Mutex` beside the data it guards;
/// Rust's `std::sync::Mutex`, without poisoning: a panic ends the
/// program). A goroutine that waits parks; its thread runs others.
///
/// Share it with goroutines started by [`go`](crate::runtime::go) through
/// an `Arc` (or a `static`); those started in a
/// [`scope`](crate::runtime::scope) may borrow it (`&m`), no `Arc` needed.
pub struct Mutex<T: ?Sized> {
    raw: RawMutex,
    data: UnsafeCell<T>,
}

// SAFETY: the RawMutex serialises all access to `data`.
unsafe impl<T: ?Sized + Send> Send for Mutex<T> {}
// SAFETY: the RawMutex gives `data` to one holder at a time, so sharing the
// Mutex only passes the T from thread to thread, which T: Send allows.
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

/// Access to a [`Mutex`]'s data while it is locked; unlocks on drop (Go's
/// `defer mu.Unlock()`; Rust's `std::sync::MutexGuard`).
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
