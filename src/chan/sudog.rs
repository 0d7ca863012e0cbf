//! Waiting goroutines on a channel: Go's `sudog` and `waitq` (runtime2.go,
//! chan.go).
//!
//! A sudog lives on the stack of the goroutine it represents, which stays
//! parked (and so keeps the frame alive) for as long as the sudog is on a
//! queue. `elem` points at that goroutine's `T`: the value a sender
//! offers (it forgets it once a receiver has copied it out), or the
//! uninitialised slot a receiver's value lands in. A goroutine in `select`
//! has one sudog per case on several queues at once; `select_done` (shared
//! by all of them) is claimed by CAS, so exactly one case wins.

use core::sync::atomic::{AtomicU32, Ordering::AcqRel, Ordering::Acquire};

use crate::sched::g::G;

pub struct Sudog {
    pub g: *mut G,
    /// The goroutine's `T`: a sender's value, a receiver's slot (type
    /// known to the channel).
    pub elem: *mut u8,
    /// Set by the waker: true if a value was delivered (or taken), false if
    /// the channel was closed.
    pub success: bool,
    /// Non-null for select: the flag all of the goroutine's sudogs share.
    pub select_done: *const AtomicU32,
    /// Which select case this sudog is (meaningful with `select_done`).
    pub case: usize,
    pub next: *mut Sudog,
    pub prev: *mut Sudog,
}

impl Sudog {
    pub fn new(g: *mut G, elem: *mut u8) -> Sudog {
        Sudog {
            g,
            elem,
            success: false,
            select_done: core::ptr::null(),
            case: 0,
            next: core::ptr::null_mut(),
            prev: core::ptr::null_mut(),
        }
    }
}

/// A FIFO of sudogs (Go's `waitq`), touched only under the channel lock.
pub struct WaitQ {
    first: *mut Sudog,
    last: *mut Sudog,
}

impl WaitQ {
    pub const fn new() -> WaitQ {
        WaitQ {
            first: core::ptr::null_mut(),
            last: core::ptr::null_mut(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.first.is_null()
    }

    /// # Safety
    /// `sg` is a live sudog on no queue; it stays live until dequeued.
    pub unsafe fn enqueue(&mut self, sg: *mut Sudog) {
        // SAFETY: sg is live and on no queue (contract), so its links are
        // ours; self.last, if any, is a queued sudog, live until dequeued.
        unsafe {
            (*sg).next = core::ptr::null_mut();
            (*sg).prev = self.last;
            if self.last.is_null() {
                self.first = sg;
            } else {
                (*self.last).next = sg;
            }
        }
        self.last = sg;
    }

    /// Removes `sg`, which must be on this queue.
    ///
    /// # Safety
    /// `sg` is on this queue.
    pub unsafe fn remove(&mut self, sg: *mut Sudog) {
        // SAFETY: sg is on this queue (contract), so it and its neighbours
        // are live queued sudogs whose links this queue owns.
        unsafe {
            let (prev, next) = ((*sg).prev, (*sg).next);
            if prev.is_null() {
                self.first = next;
            } else {
                (*prev).next = next;
            }
            if next.is_null() {
                self.last = prev;
            } else {
                (*next).prev = prev;
            }
            (*sg).next = core::ptr::null_mut();
            (*sg).prev = core::ptr::null_mut();
        }
    }

    /// Is `sg` on this queue? (Go's check in `dequeueSudoG`: a sudog with no
    /// predecessor that is not the first is on no queue.)
    pub fn contains(&self, sg: &Sudog) -> bool {
        !sg.prev.is_null() || core::ptr::eq(self.first, sg)
    }

    /// Takes the first sudog whose goroutine can still be woken: a select
    /// that another case already won is skipped (and dropped from this
    /// queue). Go's `waitq.dequeue`.
    pub fn dequeue(&mut self) -> *mut Sudog {
        loop {
            let sg = self.first;
            if sg.is_null() {
                return sg;
            }
            // SAFETY: queued sudogs are live.
            unsafe {
                self.remove(sg);
                let done = (*sg).select_done;
                if !done.is_null() && (*done).compare_exchange(0, 1, AcqRel, Acquire).is_err() {
                    continue; // that select already has its winner
                }
            }
            return sg;
        }
    }
}

#[cfg(test)]
mod tests {
    //! A channel's wait queue on the host: FIFO order, removal from any
    //! place, membership, and the skipping of select sudogs whose select
    //! has already been won.
    use super::*;
    use alloc::vec::Vec;

    /// `n` sudogs of no goroutine (the queue never looks at `g`).
    fn sudogs(n: usize) -> Vec<Sudog> {
        (0..n)
            .map(|_| Sudog::new(core::ptr::null_mut(), core::ptr::null_mut()))
            .collect()
    }

    /// Dequeues everything: the positions in `sgs` of what came out.
    fn drain(q: &mut WaitQ, sgs: &[Sudog]) -> Vec<usize> {
        let mut out = Vec::new();
        loop {
            let sg = q.dequeue();
            if sg.is_null() {
                return out;
            }
            out.push(sgs.iter().position(|s| core::ptr::eq(s, sg)).unwrap());
        }
    }

    #[test]
    fn fifo_with_removal_anywhere() {
        let mut sgs = sudogs(5);
        let p: Vec<*mut Sudog> = sgs.iter_mut().map(|s| s as *mut Sudog).collect();
        let mut q = WaitQ::new();
        assert!(q.is_empty() && q.dequeue().is_null());
        for &sg in &p {
            // SAFETY: each sudog is live (in `sgs`) and on no queue.
            unsafe { q.enqueue(sg) };
        }
        // SAFETY: p[2], p[0] and p[4] (middle, first, last) are on q.
        unsafe {
            q.remove(p[2]);
            q.remove(p[0]);
            q.remove(p[4]);
        }
        // SAFETY: the sudogs are live; only reading them.
        let on: Vec<bool> = p.iter().map(|&sg| q.contains(unsafe { &*sg })).collect();
        assert_eq!(on, [false, true, false, true, false]);
        assert_eq!(drain(&mut q, &sgs), [1, 3]);
        assert!(q.is_empty());
        // Usable again: the removed ones were unlinked.
        // SAFETY: p[4] and p[2] are live and on no queue.
        unsafe {
            q.enqueue(p[4]);
            q.enqueue(p[2]);
        }
        assert_eq!(drain(&mut q, &sgs), [4, 2]);
    }

    #[test]
    fn a_select_that_already_won_is_skipped() {
        // One select waiting on two channels (sgs 0 and 1 share `done`),
        // and a plain receiver (sg 2) behind it on the second channel.
        let done = AtomicU32::new(0);
        let mut sgs = sudogs(3);
        sgs[0].select_done = &done;
        sgs[1].select_done = &done;
        let p: Vec<*mut Sudog> = sgs.iter_mut().map(|s| s as *mut Sudog).collect();
        let (mut a, mut b) = (WaitQ::new(), WaitQ::new());
        // SAFETY: live sudogs, each on one queue.
        unsafe {
            a.enqueue(p[0]);
            b.enqueue(p[1]);
            b.enqueue(p[2]);
        }
        // The first channel wins the select ...
        assert_eq!(a.dequeue(), p[0]);
        assert_eq!(done.load(Acquire), 1);
        // ... so the second skips (and drops) its sudog for that select.
        assert_eq!(b.dequeue(), p[2]);
        assert!(b.is_empty());
        // SAFETY: live; reading only.
        assert!(!b.contains(unsafe { &*p[1] }));
    }
}
