//! The global scheduler state: Go's `schedt` (`runtime2.go`) with what Go
//! keeps beside it (`allp`, `allm`, `gomaxprocs`, `stealOrder`, the wake-up
//! state of `lastpoll`/`pollUntil`); `allgs`, `m0` and `g0`.
//!
//! Fields behind `lock` are `RacyCell`s read and written only with
//! `sched.lock` held; atomics may be read without it. What the core keeps
//! lives in [`Sched`]; only `m0` and `g0` (named by the asm) and `allgs`
//! stay separate statics.

use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, AtomicI32, AtomicI64, AtomicU32, AtomicU64};

use super::g::G;
use super::lock::{Mutex, Note};
use super::m::M;
use super::p::{GList, P};
use super::runq::GQueue;
use super::steal::RandomOrder;
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

/// Every P, indexed by id (Go's `allp`).
pub struct AllP(Vec<*mut P>);

impl core::ops::Deref for AllP {
    type Target = Vec<*mut P>;
    fn deref(&self) -> &Vec<*mut P> {
        &self.0
    }
}

impl core::ops::DerefMut for AllP {
    fn deref_mut(&mut self) -> &mut Vec<*mut P> {
        &mut self.0
    }
}

// SAFETY: the vector holds only links to Ps, which are never freed; each P's
// own fields are guarded by their own rules (its owner M, the run queue's
// atomics, the timers' lock), not by who holds the vector.
unsafe impl Send for AllP {}
// SAFETY: after procresize (start-up, one thread) the vector is only read,
// by any M at once; shared reads of links to immortal Ps race with nothing.
unsafe impl Sync for AllP {}

/// Go's default limit on the number of Ms (`sched.maxmcount`).
pub const MAX_M_COUNT: i32 = 10_000;

pub struct Sched {
    pub lock: Mutex,
    /// Last goroutine id handed out in a batch (main's batch starts at 1).
    pub goidgen: AtomicU64,
    /// Idle Ms waiting for work, and how many (under `lock`).
    pub midle: RacyCell<MList>,
    pub nmidle: RacyCell<i32>,
    /// Number of Ms created, the next M id, the cap (under `lock`).
    pub mnext: RacyCell<i64>,
    pub maxmcount: RacyCell<i32>,
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
    /// All Ps, indexed by id (Go's `allp`); written by procresize under
    /// `lock` (and before any other M exists), fixed after start-up.
    pub allp: RacyCell<AllP>,
    /// Head of the all-M list (Go's `allm`), linked through `alllink`;
    /// pushed under `lock`, never shrinks.
    pub allm: RacyCell<MList>,
    /// The order stealing visits the Ps in (Go's `stealOrder`).
    pub(crate) steal_order: spin::Once<RandomOrder>,
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
    maxmcount: RacyCell::new(MAX_M_COUNT),
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
    allp: RacyCell::new(AllP(Vec::new())),
    allm: RacyCell::new(MList {
        head: core::ptr::null_mut(),
    }),
    steal_order: spin::Once::new(),
    wakeup: WakeState::new(),
    sysmon_note: Note::new(),
    sysmon_wait: RacyCell::new(false),
};

pub fn sched() -> &'static Sched {
    &SCHED
}

impl Sched {
    /// All Ps (Go's `allp`), once start-up has made them.
    pub fn allp(&self) -> &[*mut P] {
        // SAFETY: allp is written only by procresize during start-up,
        // before any other M exists; fixed afterwards.
        unsafe { &*self.allp.get() }
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
