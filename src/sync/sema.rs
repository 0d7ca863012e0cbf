//! A counting semaphore that parks goroutines: Go's `semacquire` /
//! `semrelease` (sema.go), with one FIFO wait queue per semaphore instead
//! of Go's address-keyed tree. The protocol (release adds its token
//! before it looks for a waiter; a woken waiter takes a token again) and
//! its invariants are in [`proto::sema`](super::proto::sema); this module
//! holds the state and gives the protocol the scheduler's park and ready.

use core::sync::atomic::AtomicU32;

use super::proto::sema::{self as protocol, Semaphore, WaitQueue};
use crate::racy::RacyCell;
use crate::sched::g::{G, WaitReason};
use crate::sched::lock::{Mutex, park_unlock};
use crate::sched::runq::GQueue;
use crate::sched::sched::getg;
use crate::sched::schedule::{gopark, goready};

pub struct Sema {
    count: AtomicU32,
    nwait: AtomicU32,
    queue: Queue,
}

/// The sleepers, and the runtime lock that guards them.
struct Queue {
    lock: Mutex,
    waiters: RacyCell<GQueue>,
}

// SAFETY: `waiters` is touched only under `lock`.
unsafe impl Sync for Sema {}
// SAFETY: the counters are atomics and `waiters` holds only links to Gs
// (never freed), touched under `lock` whichever thread owns the Sema.
unsafe impl Send for Sema {}

impl Default for Sema {
    fn default() -> Self {
        Self::new()
    }
}

impl Sema {
    pub const fn new() -> Sema {
        Sema {
            count: AtomicU32::new(0),
            nwait: AtomicU32::new(0),
            queue: Queue {
                lock: Mutex::new(),
                waiters: RacyCell::new(GQueue::new()),
            },
        }
    }

    /// Takes a token, parking the goroutine until one is released.
    #[inline]
    pub fn acquire(&self, reason: WaitReason) {
        protocol::acquire(&self.count, &self.nwait, &self.queue, reason);
    }

    /// Adds a token and wakes the first waiter, if any.
    #[inline]
    pub fn release(&self) {
        protocol::release(&self.count, &self.nwait, &self.queue);
    }

    /// This semaphore with the wait reason its sleepers show, as the
    /// `sync` protocols take it.
    pub(crate) fn with_reason(&self, reason: WaitReason) -> SemaFor<'_> {
        SemaFor { sema: self, reason }
    }
}

/// A [`Sema`] and the reason its acquirers wait for.
pub(crate) struct SemaFor<'a> {
    sema: &'a Sema,
    reason: WaitReason,
}

impl Semaphore for SemaFor<'_> {
    #[inline]
    fn acquire(&self) {
        self.sema.acquire(self.reason);
    }
    #[inline]
    fn release(&self) {
        self.sema.release();
    }
}

impl WaitQueue for Queue {
    type Waiter = *mut G;
    type Reason = WaitReason;

    fn lock(&self) {
        self.lock.lock();
    }

    fn unlock(&self) {
        self.lock.unlock();
    }

    unsafe fn park(&self, reason: WaitReason) {
        // SAFETY: the lock is held (contract); the current g is a running
        // goroutine, on no queue.
        unsafe { (*self.waiters.get()).push_back(getg()) };
        // The lock is released by gopark's commit function once the
        // goroutine is off its M, so a releaser cannot ready it before it
        // has parked.
        // SAFETY: park_unlock gets this Sema's Mutex, which we hold and
        // which outlives the parked goroutine (the Sema is borrowed by it).
        unsafe {
            gopark(
                Some(park_unlock),
                &self.lock as *const Mutex as *mut u8,
                reason,
            )
        };
    }

    unsafe fn dequeue(&self) -> Option<*mut G> {
        // SAFETY: the lock is held (contract).
        let gp = unsafe { (*self.waiters.get()).pop() };
        (!gp.is_null()).then_some(gp)
    }

    fn ready(&self, gp: *mut G) {
        // SAFETY: the protocol passes only a waiter it has just dequeued
        // (so readied once), parked in GWAITING by `park`; sema operations
        // run on a goroutine whose M holds a P.
        unsafe { goready(gp) };
    }
}

#[cfg(test)]
mod tests {
    //! The semaphore's waiter list on the host: what `park` appends (the
    //! parking goroutine, at the tail) `dequeue` gives back first-in
    //! first-out. Parking itself needs a goroutine and is not run here.
    use super::*;
    use alloc::boxed::Box;
    use alloc::vec::Vec;

    #[test]
    fn waiters_are_woken_in_arrival_order() {
        let s = Sema::new();
        let q = &s.queue;
        let g: Vec<*mut G> = (0..4).map(|_| Box::into_raw(Box::new(G::new()))).collect();
        q.lock();
        // SAFETY: the queue's lock is held (as park holds it).
        assert!(unsafe { q.dequeue() }.is_none());
        for &gp in &g[..3] {
            // SAFETY: lock held; each G is valid and on no other list, as
            // park's getg() is.
            unsafe { (*q.waiters.get()).push_back(gp) };
        }
        // SAFETY: the queue's lock is held.
        assert_eq!(unsafe { q.dequeue() }, Some(g[0]));
        // SAFETY: lock held; g[3] is valid and on no list.
        unsafe { (*q.waiters.get()).push_back(g[3]) };
        let rest: Vec<_> = (0..3)
            // SAFETY: lock held.
            .map(|_| unsafe { q.dequeue() }.unwrap())
            .collect();
        assert_eq!(rest, [g[1], g[2], g[3]]);
        // SAFETY: lock held.
        assert!(unsafe { q.dequeue() }.is_none());
        // SAFETY: lock held.
        assert!(unsafe { &*q.waiters.get() }.is_empty());
        q.unlock();
    }
}
