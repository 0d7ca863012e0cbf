//! The global scheduler state: Go's `schedt` (`runtime2.go`) with what Go
//! keeps beside it (`allp`, `allm`, `gomaxprocs`, the wake-up
//! state of `lastpoll`/`pollUntil`); `allgs`, `m0` and `g0`.
//!
//! Fields behind `lock` are `RacyCell`s read and written only with
//! `sched.lock` held; atomics may be read without it. What the core keeps
//! lives in [`Sched`]; only `m0` and `g0` (named by the asm) and `allgs`
//! stay separate statics.

use alloc::vec::Vec;
use core::sync::atomic::Ordering::{Acquire, Release};
use core::sync::atomic::{AtomicBool, AtomicI32, AtomicI64, AtomicU32, AtomicU64, AtomicUsize};

use super::g::G;
use super::lock::{Mutex, Note};
use super::m::M;
use super::p::{GList, P};
use super::runq::GQueue;
use super::wakeup::WakeState;
use crate::racy::RacyCell;

/// The head of an intrusive list of Ms: `sched.midle` (through `schedlink`)
/// and `allm` (through `alllink`). Null when empty.
#[derive(Clone, Copy)]
pub struct MList {
    pub head: *mut M,
}

// SAFETY: Ms are never freed (`allocm` leaks its Box) and are `Send + Sync`;
// the head is only a link, followed by whoever holds the list's lock.
unsafe impl Send for MList {}

/// The head of the idle-P list (`sched.pidle`, through `P::link`).
#[derive(Clone, Copy)]
pub struct PList {
    pub head: *mut P,
}

// SAFETY: Ps are never freed (`procresize` leaks their Boxes); the head is
// only a link, followed under `sched.lock`, and a P taken off the list is
// owned by the M that took it.
unsafe impl Send for PList {}

/// The most Ps there can ever be: the capacity of the `allp` table, and
/// the cap on GOMAXPROCS (at start-up and in `set_gomaxprocs`). Go 1.9 had
/// this very limit (`_MaxGomaxprocs`, 1024); Go 1.10+ has none.
pub const MAX_PROCS: usize = 1024;

/// Every P, indexed by id (Go's `allp`): a fixed table of `MAX_PROCS`
/// slots and a published length, so that readers that run while the world
/// is not stopped (stealing, checkdead, schedtrace, the timers' deadline,
/// the signal dump) never see it move.
///
/// Invariants: a slot is written once, with the world stopped (or at
/// start-up), before the length that first covers it is published
/// (Release; readers load it Acquire); a slot is never written again, so
/// a P never moves and a reader of `[..len]` races with no write. The
/// length shrinks and grows with GOMAXPROCS; the Ps past it are `PDEAD`
/// but stay allocated (Ps are never freed), so a reader holding an older,
/// longer slice reads dead Ps, never freed memory; growing again revives
/// them in place.
pub struct AllP {
    slots: RacyCell<[*mut P; MAX_PROCS]>,
    len: AtomicUsize,
}

// SAFETY: the table holds only links to Ps, which are never freed; each
// slot is written once before it is published (see the invariants), and
// each P's own fields are guarded by their own rules (its owner M, the run
// queue's atomics, the timers' lock), not by who holds the table.
unsafe impl Sync for AllP {}

impl AllP {
    const fn new() -> AllP {
        AllP {
            slots: RacyCell::new([core::ptr::null_mut(); MAX_PROCS]),
            len: AtomicUsize::new(0),
        }
    }

    /// The Ps `0..len` (Go's `allp` slice).
    pub fn as_slice(&self) -> &[*mut P] {
        let len = self.len.load(Acquire);
        // SAFETY: slots below a published length were written before it was
        // published (Release/Acquire) and are never written again; the
        // slice covers only them (no reference to the slots past it, which
        // the resizer may write).
        unsafe { core::slice::from_raw_parts(self.slots.get().cast::<*mut P>(), len) }
    }

    /// The P ever made for slot `i` (null if none yet), whether or not it
    /// is below the length now.
    ///
    /// # Safety
    /// The world is stopped (or start-up): no one writes a slot meanwhile.
    pub unsafe fn slot(&self, i: usize) -> *mut P {
        if i >= MAX_PROCS {
            crate::debug::fatal::throw("allp: slot out of range");
        }
        // SAFETY: only the world-stopped writer touches slots (contract).
        unsafe { self.slots.get().cast::<*mut P>().add(i).read() }
    }

    /// Fills empty slot `i` with `pp`.
    ///
    /// # Safety
    /// The world is stopped (or start-up) and `sched.lock` is held; slot
    /// `i` is empty and at or past the published length.
    pub unsafe fn fill(&self, i: usize, pp: *mut P) {
        if i >= MAX_PROCS {
            crate::debug::fatal::throw("allp: slot out of range");
        }
        // SAFETY: nobody reads slots at or past the length, and the caller
        // is the only writer (contract).
        unsafe {
            let slot = self.slots.get().cast::<*mut P>().add(i);
            if !slot.read().is_null() {
                crate::debug::fatal::throw("allp: slot filled twice");
            }
            slot.write(pp);
        }
    }

    /// Publishes the length: `[..n]` is what readers see from now on.
    ///
    /// # Safety
    /// Every slot below `n` is filled; the world is stopped (or start-up).
    pub unsafe fn set_len(&self, n: usize) {
        if n > MAX_PROCS {
            crate::debug::fatal::throw("allp: length out of range");
        }
        self.len.store(n, Release);
    }
}

/// Go's default limit on the number of Ms (`sched.maxmcount`).
pub const MAX_M_COUNT: i32 = 10_000;

pub struct Sched {
    pub lock: Mutex,
    /// Last goroutine id handed out in a batch (main's batch starts at 1).
    pub goidgen: AtomicU64,
    /// Idle Ms waiting for work, and how many (under `lock`).
    pub midle: RacyCell<MList>,
    pub nmidle: RacyCell<i32>,
    /// Number of Ms created, the next M id (under `lock`); the cap is
    /// [`MAX_M_COUNT`] (Go's `sched.maxmcount`, which only
    /// `debug.SetMaxThreads` changes: rt0 has none).
    pub mnext: RacyCell<i64>,
    /// System Ms (sysmon) that never run goroutines (under `lock`).
    pub nmsys: RacyCell<i32>,
    /// Idle Ps (under `lock`) and their count.
    pub pidle: RacyCell<PList>,
    pub npidle: AtomicU32,
    /// Ms spinning for work.
    pub nmspinning: AtomicU32,
    /// The global run queue (under `lock`).
    pub runq: RacyCell<GQueue>,
    pub runqsize: RacyCell<i32>,
    /// Global free list of dead goroutines with stacks (under `gfree_lock`).
    pub gfree_lock: crate::spinlock::SpinLock<()>,
    pub gfree: RacyCell<GList>,
    /// The number of Ps (Go's `gomaxprocs`).
    pub gomaxprocs: AtomicI32,
    /// Set once runtime_main runs: from then on new goroutines wake Ps.
    pub main_started: AtomicBool,
    /// Goroutines not dead (user-visible count).
    pub ngoroutines: AtomicI64,
    /// The main goroutine called Goexit: when nothing else runs, that is a
    /// deadlock with Go's own wording.
    pub main_goexited: AtomicBool,
    /// All Ps, indexed by id (Go's `allp`): see [`AllP`]; resized by
    /// procresize under `lock` with the world stopped.
    pub allp: AllP,
    /// Head of the all-M list (Go's `allm`), linked through `alllink`;
    /// pushed under `lock`, never shrinks.
    pub allm: RacyCell<MList>,
    /// Idle Ms whose goroutine is locked to them (Go's `nmidlelocked`):
    /// Ms in `stoplockedm`, asleep until their goroutine is runnable
    /// (under `lock`).
    pub nmidlelocked: RacyCell<i32>,
    /// Ms whose thread has exited, or m0 wedged for good, after a locked
    /// goroutine ended (Go's `nmfreed`; under `lock`).
    pub nmfreed: RacyCell<i64>,
    /// The world is being stopped (Go's `sched.gcwaiting`): every M that
    /// reaches a scheduling point gives its P to the stopper (`gcstopm`).
    /// Written under `lock`; read without it.
    pub gcwaiting: AtomicBool,
    /// Ps still to stop (Go's `sched.stopwait`; under `lock`).
    pub stopwait: RacyCell<i32>,
    /// The stopper sleeps here until the last P stops (Go's
    /// `sched.stopnote`).
    pub stopnote: Note,
    /// The sources of future work and the blocked poller (Go's
    /// `lastpoll`, `pollUntil`): see [`super::wakeup`].
    pub(crate) wakeup: WakeState,
    /// sysmon sleeps on it (Go's `sysmonnote`): between rounds with a
    /// timeout, and while every P is idle until `pidleget` wakes it.
    pub(crate) sysmon_note: Note,
    /// sysmon sleeps because every P is idle (Go's `sysmonwait`; under
    /// `lock`).
    pub(crate) sysmon_wait: RacyCell<bool>,
}

static SCHED: Sched = Sched {
    lock: Mutex::new(),
    goidgen: AtomicU64::new(0),
    midle: RacyCell::new(MList {
        head: core::ptr::null_mut(),
    }),
    nmidle: RacyCell::new(0),
    mnext: RacyCell::new(0),
    nmsys: RacyCell::new(0),
    pidle: RacyCell::new(PList {
        head: core::ptr::null_mut(),
    }),
    npidle: AtomicU32::new(0),
    nmspinning: AtomicU32::new(0),
    runq: RacyCell::new(GQueue::new()),
    runqsize: RacyCell::new(0),
    gfree_lock: crate::spinlock::SpinLock::new(()),
    gfree: RacyCell::new(GList::new()),
    gomaxprocs: AtomicI32::new(0),
    main_started: AtomicBool::new(false),
    ngoroutines: AtomicI64::new(0),
    main_goexited: AtomicBool::new(false),
    allp: AllP::new(),
    allm: RacyCell::new(MList {
        head: core::ptr::null_mut(),
    }),
    nmidlelocked: RacyCell::new(0),
    nmfreed: RacyCell::new(0),
    gcwaiting: AtomicBool::new(false),
    stopwait: RacyCell::new(0),
    stopnote: Note::new(),
    wakeup: WakeState::new(),
    sysmon_note: Note::new(),
    sysmon_wait: RacyCell::new(false),
};

pub fn sched() -> &'static Sched {
    &SCHED
}

impl Sched {
    /// All Ps now (Go's `allp`): `gomaxprocs` of them, or a moment's
    /// older count while GOMAXPROCS changes (see [`AllP`]).
    pub fn allp(&self) -> &[*mut P] {
        self.allp.as_slice()
    }
}

/// The first M, the one the kernel started (rt0_go names it `rt0_m0`).
#[unsafe(export_name = "rt0_m0")]
pub static M0: RacyCell<M> = RacyCell::new(M::new());
/// m0's scheduling goroutine, on the 64 KiB carved from the OS stack
/// (rt0_go names it `rt0_g0`).
#[unsafe(export_name = "rt0_g0")]
pub static G0: RacyCell<G> = RacyCell::new(G::new());

/// Every G ever created (Go's `allgs`), for deadlock reports and tracing.
pub static ALLGS: crate::spinlock::SpinLock<Vec<usize>> =
    crate::spinlock::SpinLock::new(Vec::new());

/// Records a new G in `allgs` (Go's `allgadd`).
pub fn allgadd(gp: *mut G) {
    ALLGS.lock().push(gp as usize);
}

/// The current goroutine: one load from `fs:-8` (Go's `getg`), typed.
/// The slot holds a G's address (or null) on every runtime thread.
#[inline(always)]
pub fn getg() -> *mut G {
    crate::arch::tls::getg_raw() as *mut G
}

/// The current M.
#[inline(always)]
pub fn getm() -> *mut M {
    // SAFETY: every g the scheduler runs has its m set.
    unsafe { (*getg()).m }
}
