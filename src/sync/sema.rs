//! A counting semaphore that parks goroutines: Go's `semacquire` /
//! `semrelease` (sema.go), with one FIFO wait queue per semaphore instead
//! of Go's address-keyed tree.
//!
//! Invariants: `count` is the number of tokens nobody has taken; `nwait`
//! counts goroutines in or entering the slow path. A release with waiters
//! hands its token straight to the first waiter (it never touches
//! `count`), so a woken goroutine owns its token and never re-checks. The
//! fast paths use SeqCst so that a releaser that sees `nwait == 0` and an
//! acquirer that has just raised `nwait` cannot both miss each other.

use core::sync::atomic::{AtomicU32, Ordering::SeqCst};

use crate::racy::RacyCell;
use crate::sched::g::{G, WaitReason};
use crate::sched::lock::Mutex;
use crate::sched::runq::GQueue;
use crate::sched::sched::getg;
use crate::sched::schedule::{gopark, goready};

pub struct Sema {
    count: AtomicU32,
    nwait: AtomicU32,
    lock: Mutex,
    waiters: RacyCell<GQueue>,
}

// SAFETY: `waiters` is touched only under `lock`.
unsafe impl Sync for Sema {}
// SAFETY: as for Sync.
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
            lock: Mutex::new(),
            waiters: RacyCell::new(GQueue::new()),
        }
    }

    fn try_take(&self) -> bool {
        let mut c = self.count.load(SeqCst);
        while c > 0 {
            match self.count.compare_exchange(c, c - 1, SeqCst, SeqCst) {
                Ok(_) => return true,
                Err(now) => c = now,
            }
        }
        false
    }

    /// Takes a token, parking the goroutine until one is released.
    pub fn acquire(&self, reason: WaitReason) {
        if self.try_take() {
            return;
        }
        self.lock.lock();
        self.nwait.fetch_add(1, SeqCst);
        if self.try_take() {
            self.nwait.fetch_sub(1, SeqCst);
            self.lock.unlock();
            return;
        }
        // SAFETY: lock held; the current g is a running goroutine, on no queue.
        unsafe { (*self.waiters.get()).push_back(getg()) };
        gopark(
            Some(unlock_sema),
            &self.lock as *const Mutex as *mut u8,
            reason,
        );
        // Woken by release, which handed us its token and dropped nwait.
    }

    /// Releases a token: to the first waiter if there is one.
    pub fn release(&self) {
        if self.nwait.load(SeqCst) == 0 {
            self.count.fetch_add(1, SeqCst);
            // An acquirer may have raised nwait after our load and missed
            // this token in its re-check; the re-check under the lock is
            // SeqCst-ordered after its increment, so it sees our add.
            return;
        }
        self.lock.lock();
        // SAFETY: lock held.
        let gp: *mut G = unsafe { (*self.waiters.get()).pop() };
        if gp.is_null() {
            self.count.fetch_add(1, SeqCst);
            self.lock.unlock();
            return;
        }
        self.nwait.fetch_sub(1, SeqCst);
        self.lock.unlock();
        goready(gp);
    }
}

/// gopark's commit function: the goroutine is parked, now let wakers in.
fn unlock_sema(_gp: *mut G, lock: *mut u8) -> bool {
    // SAFETY: `lock` is the Sema's Mutex, held since acquire.
    unsafe { (*(lock as *const Mutex)).unlock() };
    true
}
