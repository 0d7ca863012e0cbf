//! P: a processor, the right to run Go code. Go's `p` in `runtime2.go`.
//!
//! A P owns a local run queue (a 256-entry ring, see [`super::runq`]), a
//! `runnext` slot, a free list of dead goroutines, a batch of goroutine ids
//! and the allocator's per-P cache. An M must hold a P to run goroutines.

use core::sync::atomic::AtomicU32;

use super::g::G;
use super::m::M;
use super::proto::runq::LocalRunQ;
use crate::mem::malloc::MCache;

/// Local run queue capacity (Go: `len(p.runq)`).
pub const RUNQ_SIZE: usize = 256;

/// P statuses (Go's `_Pidle` ...).
pub const PIDLE: u32 = 0;
pub const PRUNNING: u32 = 1;

/// Moves `pp` from status `from` to `to`, throwing if it was not in `from`:
/// every P status change goes through here, as G changes go through
/// `casgstatus`.
pub fn caspstatus(pp: &P, from: u32, to: u32) {
    if pp
        .status
        .compare_exchange(
            from,
            to,
            core::sync::atomic::Ordering::AcqRel,
            core::sync::atomic::Ordering::Acquire,
        )
        .is_err()
    {
        crate::debug::fatal::throw("caspstatus: P not in the expected status");
    }
}

/// How many goroutine ids a P takes from `sched.goidgen` at a time.
pub const GOID_CACHE_BATCH: u64 = 16;

/// A LIFO list of dead Gs (Go's `gList` as used by `gFree`).
pub struct GList {
    pub head: *mut G,
    pub n: i32,
}

impl GList {
    pub const fn new() -> GList {
        GList {
            head: core::ptr::null_mut(),
            n: 0,
        }
    }

    /// # Safety
    /// `gp` is a valid G owned by the caller and not on any other list.
    pub unsafe fn push(&mut self, gp: *mut G) {
        // SAFETY: as documented.
        unsafe { (*gp).schedlink = self.head };
        self.head = gp;
        self.n += 1;
    }

    pub fn pop(&mut self) -> *mut G {
        let gp = self.head;
        if !gp.is_null() {
            // SAFETY: every G on the list is valid (push's contract).
            self.head = unsafe { (*gp).schedlink };
            self.n -= 1;
        }
        gp
    }
}

/// Free default-size stacks, linked through their top word (the stack's
/// `hi - 8`, in a page the dead goroutine already touched).
pub struct StackList {
    pub head: usize,
    pub n: u32,
}

impl StackList {
    pub const fn new() -> StackList {
        StackList { head: 0, n: 0 }
    }

    /// Pushes the stack whose top is `hi`.
    pub fn push(&mut self, hi: usize) {
        // SAFETY: the stack is free and ours; its top word links the list.
        unsafe { *((hi - 8) as *mut usize) = self.head };
        self.head = hi;
        self.n += 1;
    }

    /// Pops a stack top, or 0.
    pub fn pop(&mut self) -> usize {
        let hi = self.head;
        if hi != 0 {
            // SAFETY: a listed stack's top word holds the next entry.
            self.head = unsafe { *((hi - 8) as *const usize) };
            self.n -= 1;
        }
        hi
    }
}

#[repr(C)]
pub struct P {
    pub id: i32,
    pub status: AtomicU32,
    /// Link on the idle-P list.
    pub link: *mut P,
    /// Incremented on every scheduler call.
    pub schedtick: u32,
    /// The M holding this P, or null.
    pub m: *mut M,
    /// Next goroutine id to hand out, and the end of this P's batch.
    pub goidcache: u64,
    pub goidcacheend: u64,
    /// Local run queue (Go's `runqhead`, `runqtail`, `runq`, and
    /// `runnext`, a goroutine readied by the running one, to run next in
    /// its time slice): consumers CAS the head, only the owner moves the
    /// tail. See [`super::proto::runq`].
    pub(crate) runq: LocalRunQ<G, RUNQ_SIZE>,
    /// Dead goroutines (without stacks), for reuse.
    pub gfree: GList,
    /// Stacks of dead goroutines, for the next goroutine that starts here.
    pub stackcache: StackList,
    /// Small-object allocation cache (Go's `mcache`).
    pub mcache: MCache,
    /// This P's timers (Go's `p.timers`).
    pub timers: crate::time::timers::TimerHeap,
}

impl P {
    pub fn new(id: i32) -> P {
        P {
            id,
            status: AtomicU32::new(PIDLE),
            link: core::ptr::null_mut(),
            schedtick: 0,
            m: core::ptr::null_mut(),
            goidcache: 0,
            goidcacheend: 0,
            runq: LocalRunQ::new(),
            gfree: GList::new(),
            stackcache: StackList::new(),
            mcache: MCache::new(),
            timers: crate::time::timers::TimerHeap::new(),
        }
    }
}
