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

// SAFETY: a GQueue is two links to Gs, which are never freed (a dead G goes
// to a free list, not back to the allocator) and are `Send + Sync`; moving the
// queue to another thread moves only the links, and the queue's owner (the
// lock named where it is stored) is the only one to follow them.
unsafe impl Send for GQueue {}

impl GQueue {
    pub const fn new() -> GQueue {
        GQueue {
            head: core::ptr::null_mut(),
            tail: core::ptr::null_mut(),
        }
    }

    /// No G queued.
    pub fn is_empty(&self) -> bool {
        self.head.is_null()
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

#[cfg(test)]
mod tests {
    //! The run-queue ring of one P (and a thief), and its overflow to the
    //! global queue, on the host with real Gs that nothing runs.
    use super::*;
    use crate::sched::p::P;
    use alloc::boxed::Box;
    use alloc::vec::Vec;

    /// `n` fresh Gs (leaked, as the runtime's are).
    fn gs(n: usize) -> Vec<*mut G> {
        (0..n).map(|_| Box::into_raw(Box::new(G::new()))).collect()
    }

    /// Everything `pp`'s owner can take, in order.
    fn drain(pp: &P) -> Vec<(*mut G, bool)> {
        let mut v = Vec::new();
        loop {
            let (gp, inherit) = runqget(pp);
            if gp.is_null() {
                return v;
            }
            v.push((gp, inherit));
        }
    }

    #[test]
    fn ring_is_fifo_and_runnext_goes_first() {
        let pp = P::new(0);
        let g = gs(5);
        assert!(runqempty(&pp));
        // SAFETY: each put's G is valid and on no queue; pp is ours.
        unsafe {
            runqput(&pp, g[0], false);
            runqput(&pp, g[1], false);
            runqput(&pp, g[2], false);
            runqput(&pp, g[3], true);
            // A second runnext kicks g[3] to the tail of the ring.
            runqput(&pp, g[4], true);
        }
        assert!(!runqempty(&pp));
        assert_eq!(
            drain(&pp),
            [
                (g[4], true),
                (g[0], false),
                (g[1], false),
                (g[2], false),
                (g[3], false)
            ]
        );
        assert!(runqempty(&pp));
        assert_eq!(runqget(&pp), (core::ptr::null_mut(), false));
    }

    #[test]
    fn only_runnext_is_not_empty() {
        let pp = P::new(0);
        let g = gs(1);
        // SAFETY: g[0] is valid, on no queue; pp is ours.
        unsafe { runqput(&pp, g[0], true) };
        assert!(!runqempty(&pp));
        assert_eq!(drain(&pp), [(g[0], true)]);
        assert!(runqempty(&pp));
    }

    #[test]
    fn steal_takes_the_older_half_rounded_up() {
        let (victim, thief) = (P::new(0), P::new(1));
        let g = gs(6);
        for &gp in &g[..5] {
            // SAFETY: valid, on no queue; victim is ours here.
            unsafe { runqput(&victim, gp, false) };
        }
        // SAFETY: valid, on no queue.
        unsafe { runqput(&victim, g[5], true) };
        // 5 in the ring: 3 are taken (g0, g1, g2); the last one comes back
        // and the other two are on the thief's ring. runnext stays.
        assert_eq!(runqsteal(&thief, &victim, true), g[2]);
        assert_eq!(drain(&thief), [(g[0], false), (g[1], false)]);
        assert_eq!(drain(&victim), [(g[5], true), (g[3], false), (g[4], false)]);
    }

    #[test]
    fn steal_of_runnext_only_when_asked_and_the_ring_is_empty() {
        let (victim, thief) = (P::new(0), P::new(1));
        let g = gs(1);
        // SAFETY: valid, on no queue.
        unsafe { runqput(&victim, g[0], true) };
        assert!(runqsteal(&thief, &victim, false).is_null());
        assert_eq!(runqsteal(&thief, &victim, true), g[0]);
        assert!(runqempty(&victim) && runqempty(&thief));
        assert!(runqsteal(&thief, &victim, true).is_null());
    }

    #[test]
    fn the_ring_wraps_around() {
        let pp = P::new(0);
        let g = gs(3 * RUNQ_SIZE / 2);
        // Fill and empty in steps so that head and tail pass the ring's end.
        for chunk in g.chunks(RUNQ_SIZE / 2) {
            for &gp in chunk {
                // SAFETY: valid, on no queue; pp is ours.
                unsafe { runqput(&pp, gp, false) };
            }
            let got: Vec<*mut G> = drain(&pp).into_iter().map(|(gp, _)| gp).collect();
            assert_eq!(got, chunk);
        }
    }

    /// The only test that touches `sched`'s global queue.
    #[test]
    fn a_full_ring_moves_its_older_half_and_the_new_one_to_the_global_queue() {
        let pp = P::new(0);
        let g = gs(RUNQ_SIZE + 1);
        for &gp in &g {
            // SAFETY: valid, on no queue; pp is ours.
            unsafe { runqput(&pp, gp, false) };
        }
        let s = sched();
        s.lock.lock();
        // SAFETY: sched.lock is held.
        let (q, size) = unsafe { (&mut *s.runq.get(), &mut *s.runqsize.get()) };
        assert_eq!(*size, RUNQ_SIZE as i32 / 2 + 1);
        let mut global = Vec::new();
        loop {
            let gp = q.pop();
            if gp.is_null() {
                break;
            }
            global.push(gp);
        }
        *size = 0;
        s.lock.unlock();
        let mut want: Vec<*mut G> = g[..RUNQ_SIZE / 2].to_vec();
        want.push(g[RUNQ_SIZE]);
        assert_eq!(global, want);
        let local: Vec<*mut G> = drain(&pp).into_iter().map(|(gp, _)| gp).collect();
        assert_eq!(local, &g[RUNQ_SIZE / 2..RUNQ_SIZE]);
    }

    #[test]
    fn gqueue_is_fifo_and_appends_queues() {
        let g = gs(5);
        let (mut a, mut b) = (GQueue::new(), GQueue::new());
        assert!(a.is_empty() && a.pop().is_null());
        // SAFETY: the Gs are valid and each on one list only.
        unsafe {
            a.push_back(g[0]);
            a.push_back(g[1]);
            b.push_back(g[2]);
            b.push_back(g[3]);
            a.push_back_all(b);
            a.push_back_all(GQueue::new());
            a.push_back(g[4]);
        }
        let mut got = Vec::new();
        while !a.is_empty() {
            got.push(a.pop());
        }
        assert_eq!(got, g);
        assert!(a.tail.is_null());
        // Usable again once empty.
        // SAFETY: g[0] is valid and on no list now.
        unsafe { a.push_back(g[0]) };
        assert_eq!((a.pop(), a.pop()), (g[0], core::ptr::null_mut()));
    }
}
