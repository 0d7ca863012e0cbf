//! Run queues: each P's lock-free local ring and the global queue.
//! Go's `runqput`, `runqputslow`, `runqget`, `runqgrab`, `runqsteal`,
//! `globrunqput`, `globrunqputbatch`, `globrunqget` (proc.go).
//!
//! ## Invariants of the local ring
//! - Only the owning P writes `runqtail` (store-release after the slot).
//! - Anyone may take from the head: load-acquire head and tail, read the
//!   slots, then CAS-release `runqhead` forward; a failed CAS retries.
//! - `runqtail - runqhead` (wrapping) is in `0..=RUNQ_SIZE`.
//! - `runnext` is taken only by CAS, so the owner and a thief never both run it.

use core::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release};

use super::g::G;
use super::p::{P, RUNQ_SIZE};
use super::sched::sched;
use crate::debug::fatal::throw;

const RUNQ_MASK: u32 = RUNQ_SIZE as u32 - 1;
const _: () = assert!(RUNQ_SIZE.is_power_of_two());

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

/// Is `pp`'s local queue empty (including `runnext`)? (Go's `runqempty`)
pub fn runqempty(pp: &P) -> bool {
    // Read head, tail, runnext, then tail again: a concurrent runqput that
    // moves runnext into the ring cannot make this report a false empty.
    loop {
        let head = pp.runqhead.load(Acquire);
        let tail = pp.runqtail.load(Acquire);
        let runnext = pp.runnext.load(Acquire);
        if tail == pp.runqtail.load(Acquire) {
            return head == tail && runnext.is_null();
        }
    }
}

/// Puts `gp` on `pp`'s local queue; with `next`, into `runnext`, kicking the
/// old `runnext` to the tail. A full ring moves half to the global queue.
/// Executed only by the owner P.
///
/// # Safety
/// `gp` is a valid runnable G on no queue; the caller owns `pp`.
pub unsafe fn runqput(pp: &P, mut gp: *mut G, next: bool) {
    if next {
        let old = pp.runnext.swap(gp, AcqRel);
        if old.is_null() {
            return;
        }
        gp = old; // kick the old runnext to the regular queue
    }
    loop {
        let h = pp.runqhead.load(Acquire); // synchronize with consumers
        let t = pp.runqtail.load(Relaxed);
        if t.wrapping_sub(h) < RUNQ_SIZE as u32 {
            pp.runq[(t & RUNQ_MASK) as usize].store(gp, Relaxed);
            pp.runqtail.store(t.wrapping_add(1), Release); // makes the slot visible
            return;
        }
        // SAFETY: forwarded contract.
        if unsafe { runqputslow(pp, gp, h, t) } {
            return;
        }
        // The queue is no longer full: a thief took some. Try again.
    }
}

/// Moves `gp` and half the local ring to the global queue (Go's
/// `runqputslow`). Returns false if a thief raced us.
///
/// # Safety
/// As [`runqput`], and the ring was full at `(h, t)`.
unsafe fn runqputslow(pp: &P, gp: *mut G, h: u32, t: u32) -> bool {
    let mut batch = [core::ptr::null_mut::<G>(); RUNQ_SIZE / 2 + 1];
    let n = t.wrapping_sub(h) / 2;
    if n != RUNQ_SIZE as u32 / 2 {
        throw("runqputslow: queue is not full");
    }
    for (i, slot) in batch.iter_mut().enumerate().take(n as usize) {
        *slot = pp.runq[(h.wrapping_add(i as u32) & RUNQ_MASK) as usize].load(Relaxed);
    }
    if pp
        .runqhead
        .compare_exchange(h, h.wrapping_add(n), AcqRel, Relaxed)
        .is_err()
    {
        return false;
    }
    batch[n as usize] = gp;
    // Link the goroutines.
    let mut q = GQueue::new();
    for &g in &batch[..=n as usize] {
        // SAFETY: each G came off our ring (valid, now on no queue).
        unsafe { q.push_back(g) };
    }
    let s = sched();
    s.lock.lock();
    // SAFETY: sched.lock is held; q holds valid Gs.
    unsafe { globrunqputbatch(q, n as i32 + 1) };
    s.lock.unlock();
    true
}

/// Takes a goroutine from `pp`'s local queue: `runnext` first. The bool is
/// true when the G should inherit the current time slice (it came from
/// `runnext`). Executed only by the owner P.
pub fn runqget(pp: &P) -> (*mut G, bool) {
    let next = pp.runnext.load(Acquire);
    if !next.is_null()
        && pp
            .runnext
            .compare_exchange(next, core::ptr::null_mut(), AcqRel, Relaxed)
            .is_ok()
    {
        return (next, true);
    }
    loop {
        let h = pp.runqhead.load(Acquire); // synchronize with other consumers
        let t = pp.runqtail.load(Relaxed);
        if t == h {
            return (core::ptr::null_mut(), false);
        }
        let gp = pp.runq[(h & RUNQ_MASK) as usize].load(Relaxed);
        if pp
            .runqhead
            .compare_exchange(h, h.wrapping_add(1), AcqRel, Relaxed)
            .is_ok()
        {
            return (gp, false);
        }
    }
}

/// Grabs half of `pp`'s goroutines into `batch` starting at `batch_head`
/// (Go's `runqgrab`); returns how many. May take `runnext` when the ring is
/// empty and `steal_runnext` is set.
fn runqgrab(
    pp: &P,
    batch: &[core::sync::atomic::AtomicPtr<G>; RUNQ_SIZE],
    batch_head: u32,
    steal_runnext: bool,
) -> u32 {
    loop {
        let h = pp.runqhead.load(Acquire);
        let t = pp.runqtail.load(Acquire);
        let n = t.wrapping_sub(h);
        let n = n - n / 2;
        if n == 0 {
            if steal_runnext {
                let next = pp.runnext.load(Acquire);
                if !next.is_null() {
                    if pp
                        .runnext
                        .compare_exchange(next, core::ptr::null_mut(), AcqRel, Relaxed)
                        .is_err()
                    {
                        continue;
                    }
                    batch[(batch_head & RUNQ_MASK) as usize].store(next, Relaxed);
                    return 1;
                }
            }
            return 0;
        }
        if n > RUNQ_SIZE as u32 / 2 {
            continue; // read inconsistent h and t
        }
        for i in 0..n {
            let g = pp.runq[(h.wrapping_add(i) & RUNQ_MASK) as usize].load(Relaxed);
            batch[(batch_head.wrapping_add(i) & RUNQ_MASK) as usize].store(g, Relaxed);
        }
        if pp
            .runqhead
            .compare_exchange(h, h.wrapping_add(n), AcqRel, Relaxed)
            .is_ok()
        {
            return n;
        }
    }
}

/// Steals half of `p2`'s goroutines into `pp`'s ring and returns one of them
/// (Go's `runqsteal`). Executed only by `pp`'s owner.
pub fn runqsteal(pp: &P, p2: &P, steal_runnext: bool) -> *mut G {
    let t = pp.runqtail.load(Relaxed);
    let mut n = runqgrab(p2, &pp.runq, t, steal_runnext);
    if n == 0 {
        return core::ptr::null_mut();
    }
    n -= 1;
    let gp = pp.runq[(t.wrapping_add(n) & RUNQ_MASK) as usize].load(Relaxed);
    if n == 0 {
        return gp;
    }
    let h = pp.runqhead.load(Acquire);
    if t.wrapping_sub(h).wrapping_add(n) >= RUNQ_SIZE as u32 {
        throw("runqsteal: runq overflow");
    }
    pp.runqtail.store(t.wrapping_add(n), Release); // makes the items available
    gp
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
