//! Run queues: each P's lock-free local ring and the global queue.
//! Go's `runqput`, `runqputslow`, `runqget`, `runqsteal`, `runqempty`
//! (the ring's protocol lives in [`super::proto::runq`], shared with the
//! loom models; here it is applied to `P` and `G`), and `globrunqput`,
//! `globrunqputbatch`, `globrunqget` (proc.go).
//!
//! The global queue is a FIFO of Gs linked through `schedlink`, guarded
//! by `sched.lock`, with its length in `sched.runqsize`.

use core::sync::atomic::Ordering::Relaxed;

use super::g::G;
use super::p::{P, RUNQ_SIZE};
use super::proto::runq as proto;
use super::sched::sched;

/// A FIFO of Gs linked through `schedlink` (Go's `gQueue`).
pub struct GQueue {
    pub head: *mut G,
    pub tail: *mut G,
}

impl GQueue {
    pub const fn new() -> GQueue {
        GQueue {
            head: core::ptr::null_mut(),
            tail: core::ptr::null_mut(),
        }
    }

    /// # Safety
    /// `gp` is valid and on no other list.
    pub unsafe fn push_back(&mut self, gp: *mut G) {
        // SAFETY: gp and the current tail are valid Gs (contract).
        unsafe {
            (*gp).schedlink = core::ptr::null_mut();
            if self.tail.is_null() {
                self.head = gp;
            } else {
                (*self.tail).schedlink = gp;
            }
        }
        self.tail = gp;
    }

    /// # Safety
    /// `q` holds valid Gs on no other list.
    pub unsafe fn push_back_all(&mut self, q: GQueue) {
        if q.tail.is_null() {
            return;
        }
        // SAFETY: q.tail and self.tail are valid (contract).
        unsafe {
            (*q.tail).schedlink = core::ptr::null_mut();
            if self.tail.is_null() {
                self.head = q.head;
            } else {
                (*self.tail).schedlink = q.head;
            }
        }
        self.tail = q.tail;
    }

    pub fn pop(&mut self) -> *mut G {
        let gp = self.head;
        if !gp.is_null() {
            // SAFETY: Gs on the queue are valid.
            self.head = unsafe { (*gp).schedlink };
            if self.head.is_null() {
                self.tail = core::ptr::null_mut();
            }
        }
        gp
    }
}

/// Is `pp`'s local queue empty, `runnext` included? (Go's `runqempty`)
#[inline]
pub fn runqempty(pp: &P) -> bool {
    proto::runqempty(&pp.runq)
}

/// Puts `gp` on `pp`'s local queue; with `next`, into `runnext`, kicking the
/// old `runnext` to the tail. A full ring moves half, and `gp`, to the
/// global queue (Go's `runqput` and `runqputslow`). Executed only by the
/// owner P.
///
/// # Safety
/// `gp` is a valid runnable G on no queue; the caller owns `pp`.
#[inline]
pub unsafe fn runqput(pp: &P, gp: *mut G, next: bool) {
    proto::runqput(&pp.runq, gp, next, |batch| {
        let n = batch.total() as i32;
        // Link the goroutines.
        let mut q = GQueue::new();
        for g in batch {
            // SAFETY: each G came off our ring, or is `gp` (valid, on no
            // other queue: the contract).
            unsafe { q.push_back(g) };
        }
        let s = sched();
        s.lock.lock();
        // SAFETY: sched.lock is held; q holds n valid Gs.
        unsafe { globrunqputbatch(q, n) };
        s.lock.unlock();
    });
}

/// Takes a goroutine from `pp`'s local queue: `runnext` first. The bool is
/// true when the G should inherit the current time slice (it came from
/// `runnext`). Executed only by the owner P.
#[inline]
pub fn runqget(pp: &P) -> (*mut G, bool) {
    proto::runqget(&pp.runq)
}

/// Steals half of `p2`'s goroutines into `pp`'s ring and returns one of them
/// (Go's `runqsteal`); may take `p2`'s `runnext` when its ring is empty and
/// `steal_runnext` is set. Executed only by `pp`'s owner.
#[inline]
pub fn runqsteal(pp: &P, p2: &P, steal_runnext: bool) -> *mut G {
    proto::runqsteal(&pp.runq, &p2.runq, steal_runnext)
}

/// Puts `gp` on the global queue (Go's `globrunqput`).
///
/// # Safety
/// `sched.lock` is held; `gp` is valid and on no queue.
pub unsafe fn globrunqput(gp: *mut G) {
    let s = sched();
    // SAFETY: lock held (contract).
    unsafe {
        (*s.runq.get()).push_back(gp);
        *s.runqsize.get() += 1;
    }
}

/// Puts a batch of `n` goroutines on the global queue (Go's `globrunqputbatch`).
///
/// # Safety
/// `sched.lock` is held; `q` holds `n` valid Gs.
pub unsafe fn globrunqputbatch(q: GQueue, n: i32) {
    let s = sched();
    // SAFETY: lock held (contract).
    unsafe {
        (*s.runq.get()).push_back_all(q);
        *s.runqsize.get() += n;
    }
}

/// Takes a batch from the global queue into `pp`'s ring and returns one G
/// (Go's `globrunqget`): its share is runqsize/gomaxprocs + 1, at most
/// `max` (0: no limit) and at most half a ring.
///
/// # Safety
/// `sched.lock` is held; the caller owns `pp`.
pub unsafe fn globrunqget(pp: &P, max: i32) -> *mut G {
    let s = sched();
    // SAFETY: lock held (contract).
    let (runq, size) = unsafe { (&mut *s.runq.get(), &mut *s.runqsize.get()) };
    if *size == 0 {
        return core::ptr::null_mut();
    }
    let gomaxprocs = s.gomaxprocs.load(Relaxed).max(1);
    let mut n = (*size / gomaxprocs + 1).min(*size);
    if max > 0 && n > max {
        n = max;
    }
    n = n.min(RUNQ_SIZE as i32 / 2);
    *size -= n;
    let gp = runq.pop();
    for _ in 1..n {
        let g = runq.pop();
        // SAFETY: g came off the global queue; pp is ours.
        unsafe { runqput(pp, g, false) };
    }
    gp
}
