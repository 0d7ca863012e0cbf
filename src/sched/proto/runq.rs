//! The per-P run-queue ring: Go's `runqempty`, `runqput`, `runqputslow`,
//! `runqget`, `runqgrab`, `runqsteal` (proc.go), over what `super`
//! provides. The runtime's P holds a [`LocalRunQ`]`<G, 256>` and calls
//! these through [`sched::runq`](crate::sched::runq); the loom models
//! (`models/tests/runq.rs`) run this same source over loom's atomics with
//! a 4-slot ring and integer tokens. Generic over the element and the
//! capacity, so the runtime's calls monomorphise to the code it had.
//!
//! Invariants:
//! - only the owner writes `tail`, and only the owner writes slots: the one
//!   at `tail`, then `tail` store-release (which publishes the slot);
//! - anyone may take from the head: load-acquire `head` and `tail`, read
//!   the slots, then CAS-release `head` forward; a failed CAS retries. A
//!   slot read before a successful CAS cannot have been overwritten: the
//!   owner writes only at `tail`, at most `N` ahead of the head it saw;
//! - `tail - head` (wrapping) is in `0..=N`; a consumer's snapshot may be
//!   torn (head and tail loaded at different moments): `runqgrab` retries
//!   when it claims more than half a ring;
//! - `next` (Go's `runnext`) is taken only by CAS (or by the owner's
//!   swap), so the owner and a thief never both get it; the owner's swap
//!   and `runqempty`'s load of it are SeqCst, as the hand-off with a
//!   stopping spinner needs (see [`super::spinning`]; free on x86-64: an
//!   `xchg` and a `mov` either way);
//! - a full ring moves its older half, plus the new element, to the
//!   global queue (`runqputslow`) after a CAS on `head`; a thief that wins
//!   that race makes the owner try the ring again.
//!
//! One difference from Go: `runqputslow` reads the half it moved after its
//! CAS, not into a local array before it. Only the owner writes slots, and
//! the owner is the one running `runqputslow`, so the slots hold the same
//! values after the CAS; this saves copying half a ring (1 KiB) on the
//! stack.

use super::{
    AtomicPtr, AtomicU32,
    Ordering::{AcqRel, Acquire, Relaxed, Release, SeqCst},
    throw,
};
use core::ptr::null_mut;

/// A P's local run queue: a ring of `N` slots (a power of two), its head
/// and tail counters, and the `next` slot. `repr(C)` keeps the fields in
/// the order (and at the offsets) they had inline in `P`.
#[repr(C)]
pub(crate) struct LocalRunQ<T, const N: usize> {
    /// Next slot to take; consumers move it by CAS.
    pub(crate) head: AtomicU32,
    /// Next slot to fill; only the owner moves it.
    pub(crate) tail: AtomicU32,
    pub(crate) ring: [AtomicPtr<T>; N],
    /// An element readied by the running one, to run next (Go's `runnext`).
    pub(crate) next: AtomicPtr<T>,
}

impl<T, const N: usize> LocalRunQ<T, N> {
    const MASK: u32 = {
        assert!(N.is_power_of_two() && N >= 2 && N <= u32::MAX as usize / 2);
        N as u32 - 1
    };
    /// Elements `runqputslow` moves out of a full ring (besides the new one).
    const HALF: u32 = N as u32 / 2;

    pub(crate) fn new() -> Self {
        LocalRunQ {
            head: AtomicU32::new(0),
            tail: AtomicU32::new(0),
            ring: core::array::from_fn(|_| AtomicPtr::new(null_mut())),
            next: AtomicPtr::new(null_mut()),
        }
    }

    #[inline(always)]
    fn slot(&self, i: u32) -> &AtomicPtr<T> {
        &self.ring[(i & Self::MASK) as usize]
    }
}

/// Is the queue empty, `next` included? (Go's `runqempty`.) Reads head,
/// tail, `next`, then tail again: an owner that moves `next` into the ring
/// and then takes the new `next` between our reads cannot make this report
/// a false empty, because the tail moved.
pub(crate) fn runqempty<T, const N: usize>(q: &LocalRunQ<T, N>) -> bool {
    loop {
        let head = q.head.load(Acquire);
        let tail = q.tail.load(Acquire);
        // SeqCst: a stopping spinner's look at the queue (super::spinning).
        let next = q.next.load(SeqCst);
        if tail == q.tail.load(Acquire) {
            return head == tail && next.is_null();
        }
    }
}

/// Puts `e` on the queue; with `next`, into the `next` slot, kicking the
/// old one to the tail of the ring (Go's `runqput`). When the ring is
/// full, moves half of it and `e` to the global queue: `global(batch)`
/// gets them in queue order (see [`runqputslow`]). Owner only.
pub(crate) fn runqput<T, const N: usize, F>(
    q: &LocalRunQ<T, N>,
    mut e: *mut T,
    next: bool,
    global: F,
) where
    F: FnOnce(Batch<'_, T, N>),
{
    if next {
        // SeqCst: the store half of the hand-off with a stopping spinner
        // (the caller's wakep loads next; see super::spinning).
        let old = q.next.swap(e, SeqCst);
        if old.is_null() {
            return;
        }
        e = old; // kick the old `next` to the ring
    }
    loop {
        let h = q.head.load(Acquire); // synchronize with consumers
        let t = q.tail.load(Relaxed);
        if t.wrapping_sub(h) < N as u32 {
            q.slot(t).store(e, Relaxed);
            q.tail.store(t.wrapping_add(1), Release); // publishes the slot
            return;
        }
        if let Some(batch) = runqputslow(q, e, h, t) {
            global(batch);
            return;
        }
        // The ring is no longer full: a thief took some. Try again.
    }
}

/// Claims the older half of the full ring `(h, t)` by CAS on `head` (Go's
/// `runqputslow`, up to the hand-over to the global queue) and returns
/// it with `e` as a [`Batch`]; `None` if a consumer moved `head` first.
fn runqputslow<T, const N: usize>(
    q: &LocalRunQ<T, N>,
    e: *mut T,
    h: u32,
    t: u32,
) -> Option<Batch<'_, T, N>> {
    let n = t.wrapping_sub(h) / 2;
    if n != LocalRunQ::<T, N>::HALF {
        throw("runqputslow: queue is not full");
    }
    if q.head
        .compare_exchange(h, h.wrapping_add(n), AcqRel, Relaxed)
        .is_err()
    {
        return None;
    }
    Some(Batch {
        q,
        h,
        i: 0,
        n,
        last: e,
    })
}

/// What a full ring hands to the global queue: the `n` slots from `h`,
/// now off the ring and the owner's (no one else writes slots), then the
/// element being put. Yields `n + 1` elements, in queue order.
pub(crate) struct Batch<'a, T, const N: usize> {
    q: &'a LocalRunQ<T, N>,
    h: u32,
    i: u32,
    n: u32,
    last: *mut T,
}

impl<T, const N: usize> Batch<'_, T, N> {
    /// Elements in the whole batch (Go's `n + 1`).
    pub(crate) fn total(&self) -> u32 {
        self.n + 1
    }
}

impl<T, const N: usize> Iterator for Batch<'_, T, N> {
    type Item = *mut T;

    fn next(&mut self) -> Option<*mut T> {
        if self.i < self.n {
            let e = self.q.slot(self.h.wrapping_add(self.i)).load(Relaxed);
            self.i += 1;
            Some(e)
        } else if self.i == self.n {
            self.i += 1;
            Some(self.last)
        } else {
            None
        }
    }
}

/// Takes an element from the queue, `next` first (Go's `runqget`). The
/// bool is true when it came from `next` (it inherits the time slice).
/// Owner only.
pub(crate) fn runqget<T, const N: usize>(q: &LocalRunQ<T, N>) -> (*mut T, bool) {
    let next = q.next.load(Acquire);
    if !next.is_null()
        && q.next
            .compare_exchange(next, null_mut(), AcqRel, Relaxed)
            .is_ok()
    {
        return (next, true);
    }
    loop {
        let h = q.head.load(Acquire); // synchronize with other consumers
        let t = q.tail.load(Relaxed);
        if t == h {
            return (null_mut(), false);
        }
        let e = q.slot(h).load(Relaxed);
        if q.head
            .compare_exchange(h, h.wrapping_add(1), AcqRel, Relaxed)
            .is_ok()
        {
            return (e, false);
        }
    }
}

/// Grabs half of `q`'s elements (rounded up) into `batch`'s slots from
/// `batch_head` on (Go's `runqgrab`); returns how many. With the ring
/// empty and `steal_next`, takes `q.next` instead. Any consumer.
fn runqgrab<T, const N: usize>(
    q: &LocalRunQ<T, N>,
    batch: &LocalRunQ<T, N>,
    batch_head: u32,
    steal_next: bool,
) -> u32 {
    loop {
        let h = q.head.load(Acquire); // synchronize with other consumers
        let t = q.tail.load(Acquire); // synchronize with the owner
        let n = t.wrapping_sub(h);
        let n = n - n / 2;
        if n == 0 {
            if steal_next {
                let next = q.next.load(Acquire);
                if !next.is_null() {
                    if q.next
                        .compare_exchange(next, null_mut(), AcqRel, Relaxed)
                        .is_err()
                    {
                        continue;
                    }
                    batch.slot(batch_head).store(next, Relaxed);
                    return 1;
                }
            }
            return 0;
        }
        if n > LocalRunQ::<T, N>::HALF {
            continue; // read an inconsistent h and t
        }
        for i in 0..n {
            let e = q.slot(h.wrapping_add(i)).load(Relaxed);
            batch.slot(batch_head.wrapping_add(i)).store(e, Relaxed);
        }
        if q.head
            .compare_exchange(h, h.wrapping_add(n), AcqRel, Relaxed)
            .is_ok()
        {
            return n;
        }
    }
}

/// Steals half of `victim`'s elements into `q`'s ring and returns one of
/// them, or null (Go's `runqsteal`). `q`'s owner only.
pub(crate) fn runqsteal<T, const N: usize>(
    q: &LocalRunQ<T, N>,
    victim: &LocalRunQ<T, N>,
    steal_next: bool,
) -> *mut T {
    let t = q.tail.load(Relaxed);
    let mut n = runqgrab(victim, q, t, steal_next);
    if n == 0 {
        return null_mut();
    }
    n -= 1;
    let e = q.slot(t.wrapping_add(n)).load(Relaxed);
    if n == 0 {
        return e;
    }
    let h = q.head.load(Acquire);
    if t.wrapping_sub(h).wrapping_add(n) >= N as u32 {
        throw("runqsteal: runq overflow");
    }
    q.tail.store(t.wrapping_add(n), Release); // publishes the stolen slots
    e
}
