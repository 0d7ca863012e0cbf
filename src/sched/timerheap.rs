//! A P's timer heap as plain data: the storage of Go's `p.timers`,
//! `p.timersLock` and `p.timer0When`, and the heap moves of time.go
//! (`siftupTimer`, `siftdownTimer`, `dodeltimer`'s swap with the last).
//!
//! # Why the heap lives in the core, and the timers do not
//!
//! The scheduler core must not name the timers (time/ is a service above
//! it), yet Go keeps timers in the P, and for good reasons: the M that
//! holds a P adds to and runs from its own heap without touching shared
//! state, and a P's earliest deadline is one load away for the scheduler
//! (`handoffp` starts an M for a P that still has timers; the
//! `scheddetail` trace prints `timerslen`). So the core owns the shape,
//! the time/ service the meaning:
//! - here: a binary min-heap of `(when, node)` entries behind a short spin
//!   lock, with its earliest `when` published in an atomic (0: empty) for
//!   readers without the lock; a timer embeds a [`TimerNode`] as its first
//!   field and the heap keeps that node's index current, so a timer can be
//!   removed from the middle in O(log n) (Go 1.13's `t.i`);
//! - in `time::timers`: what a timer is (its status protocol, period,
//!   function, reference count), which heap it is in, and what runs when
//!   it is due. The core never looks behind a node.
//!
//! The alternative, per-P storage owned by the timers (an array in time/
//! indexed by P id), was rejected: the P would be blind to its own timers
//! (handoffp needs to know), every add would pay one more indirection, and
//! Go's layout would be lost for the next reader.
//!
//! Invariants: entries are touched only under the heap's lock; every entry's
//! node records its index (`NO_INDEX` once out); `timer0_when` equals the
//! first entry's `when` (0 if none) whenever the lock is free, and is
//! stored SeqCst (the hand-offs with a stopping spinner and with the
//! blocked poller, `super::proto::spinning` and `super::proto::poller`,
//! read it SeqCst).

use alloc::vec::Vec;
use core::sync::atomic::{
    AtomicI64, AtomicUsize,
    Ordering::{Relaxed, SeqCst},
};

/// The index of a node in no heap.
pub(crate) const NO_INDEX: usize = usize::MAX;

/// A heap keeps at least this many slots when it shrinks.
const HEAP_MIN_CAPACITY: usize = 64;
/// A heap shrinks when fewer than 1/HEAP_SHRINK_RATIO of its slots are used.
const HEAP_SHRINK_RATIO: usize = 4;

/// The part of a timer the heap sees: its index in the heap it is in. A
/// timer type embeds it as its first field (`repr(C)`), so a node pointer
/// is also a pointer to its timer.
#[repr(C)]
pub(crate) struct TimerNode {
    idx: AtomicUsize,
}

impl TimerNode {
    pub(crate) const fn new() -> TimerNode {
        TimerNode {
            idx: AtomicUsize::new(NO_INDEX),
        }
    }

    /// The node's index in its heap, `NO_INDEX` if in none. Exact only
    /// under the lock of the heap it is in.
    pub(crate) fn index(&self) -> usize {
        self.idx.load(Relaxed)
    }
}

/// One heap slot: the deadline, kept beside the pointer so that sifting
/// reads no timer.
#[derive(Clone, Copy)]
pub(crate) struct TimerEntry {
    pub(crate) when: i64,
    pub(crate) node: *const TimerNode,
}

// SAFETY: an entry is only touched under its heap's lock, and the node it
// points to is an atomic (its timer's owner vouches for the rest: `push`).
unsafe impl Send for TimerEntry {}

/// A P's timers (Go's `p.timers` with `p.timersLock` and `p.timer0When`).
pub struct TimerHeap {
    heap: crate::spinlock::SpinLock<Vec<TimerEntry>>,
    /// Earliest `when` in `heap`, 0 if empty (read without the lock).
    timer0_when: AtomicI64,
}

impl TimerHeap {
    pub const fn new() -> TimerHeap {
        TimerHeap {
            heap: crate::spinlock::SpinLock::new(Vec::new()),
            timer0_when: AtomicI64::new(0),
        }
    }

    /// Timers in the heap now.
    pub fn len(&self) -> usize {
        self.heap.lock().len()
    }

    /// No timer in the heap (one load, no lock).
    pub fn is_empty(&self) -> bool {
        self.timer0_when.load(Relaxed) == 0
    }

    /// The earliest deadline in the heap, 0 if none (Go's `timer0When`),
    /// without the lock; a SeqCst load for the hand-offs of the module note.
    pub(crate) fn earliest(&self) -> i64 {
        self.timer0_when.load(SeqCst)
    }

    /// Takes the heap's lock.
    pub(crate) fn lock(&self) -> LockedTimerHeap<'_> {
        LockedTimerHeap {
            h: self.heap.lock(),
            timer0_when: &self.timer0_when,
        }
    }
}

/// A timer heap with its lock held; every change republishes the earliest
/// deadline before it returns.
pub(crate) struct LockedTimerHeap<'a> {
    h: crate::spinlock::SpinGuard<'a, Vec<TimerEntry>>,
    timer0_when: &'a AtomicI64,
}

impl LockedTimerHeap<'_> {
    /// The earliest entry, if any.
    pub(crate) fn first(&self) -> Option<TimerEntry> {
        self.h.first().copied()
    }

    /// Adds `e` (Go's `doaddtimer`'s heap part).
    ///
    /// # Safety
    /// `e.node` is in no heap and stays alive until it is taken out again
    /// (by [`remove_at`](Self::remove_at)).
    pub(crate) unsafe fn push(&mut self, e: TimerEntry) {
        self.h.push(e);
        let last = self.h.len() - 1;
        sift_up(&mut self.h, last);
        self.publish();
    }

    /// Removes the entry at `i` and returns it; its node's index becomes
    /// `NO_INDEX` (Go's `dodeltimer`, `dodeltimer0` for `i == 0`).
    pub(crate) fn remove_at(&mut self, i: usize) -> TimerEntry {
        let h = &mut *self.h;
        let e = h[i];
        let last = h.pop().expect("remove_at: empty timer heap");
        if i < h.len() {
            place(h, i, last);
            if i > 0 && h[(i - 1) / 2].when > last.when {
                sift_up(h, i);
            } else {
                sift_down(h, i);
            }
        }
        // Give memory back after a burst of timers (1M tickers, then stopped).
        if h.capacity() > HEAP_MIN_CAPACITY && h.len() < h.capacity() / HEAP_SHRINK_RATIO {
            h.shrink_to((h.capacity() / 2).max(HEAP_MIN_CAPACITY));
        }
        // SAFETY: the node was in the heap until now, so alive (push's
        // contract); we hold the lock.
        unsafe { (*e.node).idx.store(NO_INDEX, Relaxed) };
        self.publish();
        e
    }

    fn publish(&self) {
        self.timer0_when
            .store(self.h.first().map_or(0, |e| e.when), SeqCst);
    }
}

/// Puts `e` at index `i` and records that in its node.
fn place(h: &mut [TimerEntry], i: usize, e: TimerEntry) {
    h[i] = e;
    // SAFETY: a node in a heap is alive (push's contract), and the caller
    // holds the heap's lock.
    unsafe { (*e.node).idx.store(i, Relaxed) };
}

fn sift_up(h: &mut [TimerEntry], mut i: usize) {
    let e = h[i];
    while i > 0 {
        let parent = (i - 1) / 2;
        if h[parent].when <= e.when {
            break;
        }
        place(h, i, h[parent]);
        i = parent;
    }
    place(h, i, e);
}

fn sift_down(h: &mut [TimerEntry], mut i: usize) {
    let e = h[i];
    loop {
        let (l, r) = (2 * i + 1, 2 * i + 2);
        let mut m = l;
        if l >= h.len() {
            break;
        }
        if r < h.len() && h[r].when < h[l].when {
            m = r;
        }
        if h[m].when >= e.when {
            break;
        }
        place(h, i, h[m]);
        i = m;
    }
    place(h, i, e);
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::boxed::Box;

    /// Checks the heap order and that every node knows its index.
    fn check(th: &TimerHeap) {
        let h = th.heap.lock();
        for (i, e) in h.iter().enumerate() {
            // SAFETY: the test's nodes outlive the heap.
            assert_eq!(unsafe { (*e.node).index() }, i);
            if i > 0 {
                assert!(h[(i - 1) / 2].when <= e.when, "heap order at {i}");
            }
        }
        assert_eq!(
            th.timer0_when.load(Relaxed),
            h.first().map_or(0, |e| e.when)
        );
    }

    #[test]
    fn push_pop_in_order_and_remove_from_the_middle() {
        let whens: Vec<i64> = (0..200).map(|i| 1 + (i * 7919) % 1000).collect();
        let nodes: Vec<Box<TimerNode>> = whens.iter().map(|_| Box::new(TimerNode::new())).collect();
        let th = TimerHeap::new();
        assert!(th.is_empty());
        for (w, n) in whens.iter().zip(&nodes) {
            // SAFETY: the nodes outlive the heap's use of them.
            unsafe {
                th.lock().push(TimerEntry {
                    when: *w,
                    node: &**n,
                })
            };
            check(&th);
        }
        assert_eq!(th.len(), whens.len());
        // Remove every third node wherever it is.
        for n in nodes.iter().step_by(3) {
            let mut h = th.lock();
            let i = n.index();
            let e = h.remove_at(i);
            assert!(core::ptr::eq(e.node, &**n));
            drop(h);
            assert_eq!(n.index(), NO_INDEX);
            check(&th);
        }
        let mut left: Vec<i64> = whens
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 3 != 0)
            .map(|(_, w)| *w)
            .collect();
        left.sort();
        let mut got = Vec::new();
        loop {
            let first = th.lock().first();
            let Some(e) = first else { break };
            assert_eq!(th.earliest(), e.when);
            got.push(th.lock().remove_at(0).when);
            check(&th);
        }
        assert_eq!(got, left);
        assert!(th.is_empty());
        assert_eq!(th.earliest(), 0);
    }

    /// `n` nodes standing for timers (the Vec is never grown after this,
    /// so their addresses stay put).
    fn nodes(n: usize) -> Vec<TimerNode> {
        (0..n).map(|_| TimerNode::new()).collect()
    }

    fn push(th: &TimerHeap, n: &TimerNode, when: i64) {
        // SAFETY: the test's nodes outlive the heap's use of them, and each
        // is pushed only while in no heap.
        unsafe { th.lock().push(TimerEntry { when, node: n }) };
    }

    /// Random adds, removals from the middle and pops of the earliest,
    /// checked against a plain Vec model after every step.
    #[test]
    fn randomized_against_a_sorted_vec() {
        const N: usize = 400;
        const OPS: usize = 20_000;
        let ns = nodes(N);
        let mut state = 0x5eed_u64;
        let mut rnd = |n: u64| crate::rand::wyrand(&mut state) % n;
        let th = TimerHeap::new();
        // The model: (when, node number) for each node in the heap.
        let mut model: Vec<(i64, usize)> = Vec::new();
        for _ in 0..OPS {
            if rnd(3) < 2 {
                // Add a node not in the heap (whens collide on purpose).
                let i = rnd(N as u64) as usize;
                if ns[i].index() == NO_INDEX {
                    let when = 1 + rnd(500) as i64;
                    push(&th, &ns[i], when);
                    model.push((when, i));
                }
            } else if !model.is_empty() {
                if rnd(2) == 0 {
                    // Remove a random node by the index it keeps.
                    let k = rnd(model.len() as u64) as usize;
                    let (when, i) = model.swap_remove(k);
                    let e = th.lock().remove_at(ns[i].index());
                    assert!(core::ptr::eq(e.node, &ns[i]));
                    assert_eq!(e.when, when);
                } else {
                    // Pop the earliest.
                    let e = th.lock().remove_at(0);
                    let min = model.iter().map(|&(w, _)| w).min().unwrap();
                    assert_eq!(e.when, min, "not the earliest");
                    let k = model
                        .iter()
                        .position(|&(w, i)| w == e.when && core::ptr::eq(&ns[i], e.node))
                        .expect("popped a node the model does not have");
                    model.swap_remove(k);
                }
            }
            check(&th);
            assert_eq!(th.len(), model.len());
        }
        let mut want: Vec<i64> = model.iter().map(|&(w, _)| w).collect();
        want.sort();
        let mut got = Vec::new();
        while !th.is_empty() {
            got.push(th.lock().remove_at(0).when);
            check(&th);
        }
        assert_eq!(got, want);
    }

    /// After a burst the heap's storage shrinks, not below its floor.
    #[test]
    fn a_burst_gives_its_memory_back() {
        const BURST: usize = 1000;
        let ns = nodes(BURST);
        let th = TimerHeap::new();
        for (i, n) in ns.iter().enumerate() {
            push(&th, n, i as i64 + 1);
        }
        let full = th.heap.lock().capacity();
        assert!(full >= BURST);
        while th.len() > 10 {
            th.lock().remove_at(0);
        }
        check(&th);
        let cap = th.heap.lock().capacity();
        assert!(cap < full / 2, "capacity {cap} kept");
        assert!(cap >= HEAP_MIN_CAPACITY);
        let mut got = Vec::new();
        while !th.is_empty() {
            got.push(th.lock().remove_at(0).when);
        }
        assert_eq!(got, (BURST as i64 - 9..=BURST as i64).collect::<Vec<_>>());
    }
}
