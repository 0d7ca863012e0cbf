//! P: a processor, the right to run Go code. Go's `p` in `runtime2.go`.
//!
//! A P owns a local run queue (a 256-entry ring, see [`super::runq`]), a
//! `runnext` slot, a free list of dead goroutines, a batch of goroutine ids,
//! the allocator's per-P cache and a timer heap (plain data that the timers
//! of `time/` drive: the core never names them). An M must hold a P to run
//! goroutines.

use core::sync::atomic::AtomicU32;

use super::g::G;
use super::m::M;
use super::proto::runq::LocalRunQ;
use super::timerheap::TimerHeap;
use crate::mem::malloc::MCache;
use crate::racy::RacyCell;

/// Local run queue capacity (Go: `len(p.runq)`).
pub const RUNQ_SIZE: usize = 256;

/// P statuses (Go's `_Pidle` ...), with Go's values: defined with the
/// system-call hand-off protocol that CASes them (`proto::psyscall`).
pub(crate) use super::proto::psyscall::{PDEAD, PGCSTOP, PIDLE, PRUNNING, PSYSCALL};

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

// SAFETY: a GList is a link to Gs, which are never freed and are
// `Send + Sync`; moving it to another thread moves only the link, and only
// the list's owner (its P, or `sched.gfree_lock`'s holder) follows it.
unsafe impl Send for GList {}

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
        // SAFETY: gp is a valid G owned by the caller and on no other list
        // (contract), so its schedlink is free to link this list.
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
    /// Top of the first free stack, or 0; private: `pop` trusts it.
    head: usize,
    pub n: u32,
}

impl StackList {
    pub const fn new() -> StackList {
        StackList { head: 0, n: 0 }
    }

    /// Pushes the stack whose top is `hi`.
    ///
    /// # Safety
    /// `hi` is the top (exclusive end, 8-aligned) of a mapped, writable
    /// stack that no goroutine uses any more and that the caller gives to
    /// this list: it stays untouched by anyone else until `pop` returns it.
    pub unsafe fn push(&mut self, hi: usize) {
        // SAFETY: the word below `hi` is in the stack the caller gave us
        // (contract): mapped, writable and unused; it links the list.
        unsafe { *((hi - 8) as *mut usize) = self.head };
        self.head = hi;
        self.n += 1;
    }

    /// Pops a stack top, or 0.
    pub fn pop(&mut self) -> usize {
        let hi = self.head;
        if hi != 0 {
            // SAFETY: `head` is only set by push, whose contract makes the
            // word below it a link in a stack this list owns.
            self.head = unsafe { *((hi - 8) as *const usize) };
            self.n -= 1;
        }
        hi
    }
}

/// sysmon's memory of a P between two rounds (Go's `sysmontick`): the
/// ticks it saw and when it first saw them, to tell a goroutine that has
/// run for 10 ms, or a system call that has lasted a whole sysmon round.
pub(crate) struct SysmonTick {
    pub(crate) schedtick: u32,
    pub(crate) schedwhen: i64,
    pub(crate) syscalltick: u32,
    pub(crate) syscallwhen: i64,
}

impl SysmonTick {
    const fn new() -> SysmonTick {
        SysmonTick {
            schedtick: 0,
            schedwhen: 0,
            syscalltick: 0,
            syscallwhen: 0,
        }
    }
}

#[repr(C)]
pub struct P {
    pub id: i32,
    pub status: AtomicU32,
    /// Link on the idle-P list.
    pub link: *mut P,
    /// Incremented on every scheduler call that starts a new time slice;
    /// written by the P's M, read racily by sysmon.
    pub schedtick: AtomicU32,
    /// Incremented on every system call entered with `entersyscall` and
    /// on every retake (Go's `p.syscalltick`).
    pub syscalltick: AtomicU32,
    /// What sysmon last saw of this P (Go's `p.sysmontick`): only sysmon's
    /// M touches it.
    pub(crate) sysmontick: RacyCell<SysmonTick>,
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
    /// This P's timers (Go's `p.timers`): plain data here, driven by
    /// `time::timers` (see [`super::timerheap`]).
    pub timers: TimerHeap,
}

impl P {
    pub fn new(id: i32) -> P {
        P {
            id,
            status: AtomicU32::new(PIDLE),
            link: core::ptr::null_mut(),
            schedtick: AtomicU32::new(0),
            syscalltick: AtomicU32::new(0),
            sysmontick: RacyCell::new(SysmonTick::new()),
            m: core::ptr::null_mut(),
            goidcache: 0,
            goidcacheend: 0,
            runq: LocalRunQ::new(),
            gfree: GList::new(),
            stackcache: StackList::new(),
            mcache: MCache::new(),
            timers: TimerHeap::new(),
        }
    }
}
