//! The global scheduler state: Go's `schedt` (`runtime2.go`), `allp`,
//! `allgs`, `m0`, `g0`, and `gomaxprocs`.
//!
//! Fields behind `lock` are `RacyCell`s read and written only with
//! `sched.lock` held; atomics may be read without it.

use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, AtomicI32, AtomicI64, AtomicU32, AtomicU64};

use super::g::G;
use super::lock::Mutex;
use super::m::M;
use super::p::{GList, P};
use super::runq::GQueue;
use crate::racy::RacyCell;

/// Go's default limit on the number of Ms (`sched.maxmcount`).
pub const MAX_M_COUNT: i32 = 10_000;

pub struct Sched {
    pub lock: Mutex,
    /// Last goroutine id handed out in a batch (main's batch starts at 1).
    pub goidgen: AtomicU64,
    /// Idle Ms waiting for work, and how many (under `lock`).
    pub midle: RacyCell<*mut M>,
    pub nmidle: RacyCell<i32>,
    /// Number of Ms created, the next M id, the cap (under `lock`).
    pub mnext: RacyCell<i64>,
    pub maxmcount: RacyCell<i32>,
    /// System Ms (sysmon) that never run goroutines (under `lock`).
    pub nmsys: RacyCell<i32>,
    /// Idle Ps (under `lock`) and their count.
    pub pidle: RacyCell<*mut P>,
    pub npidle: AtomicU32,
    /// Ms spinning for work.
    pub nmspinning: AtomicU32,
    /// The global run queue (under `lock`).
    pub runq: RacyCell<GQueue>,
    pub runqsize: RacyCell<i32>,
    /// Global free list of dead goroutines with stacks (under `gfree_lock`).
    pub gfree_lock: spin::Mutex<()>,
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
}

static SCHED: Sched = Sched {
    lock: Mutex::new(),
    goidgen: AtomicU64::new(0),
    midle: RacyCell::new(core::ptr::null_mut()),
    nmidle: RacyCell::new(0),
    mnext: RacyCell::new(0),
    maxmcount: RacyCell::new(MAX_M_COUNT),
    nmsys: RacyCell::new(0),
    pidle: RacyCell::new(core::ptr::null_mut()),
    npidle: AtomicU32::new(0),
    nmspinning: AtomicU32::new(0),
    runq: RacyCell::new(GQueue::new()),
    runqsize: RacyCell::new(0),
    gfree_lock: spin::Mutex::new(()),
    gfree: RacyCell::new(GList::new()),
    gomaxprocs: AtomicI32::new(0),
    main_started: AtomicBool::new(false),
    ngoroutines: AtomicI64::new(0),
    main_goexited: AtomicBool::new(false),
};

pub fn sched() -> &'static Sched {
    &SCHED
}

/// The first M, the one the kernel started (rt0_go names it `rt0_m0`).
#[unsafe(export_name = "rt0_m0")]
pub static M0: RacyCell<M> = RacyCell::new(M::new());
/// m0's scheduling goroutine, on the 64 KiB carved from the OS stack
/// (rt0_go names it `rt0_g0`).
#[unsafe(export_name = "rt0_g0")]
pub static G0: RacyCell<G> = RacyCell::new(G::new());

/// All Ps, indexed by id (Go's `allp`); written by procresize under
/// `sched.lock` (and before any other M exists).
pub static ALLP: RacyCell<Vec<*mut P>> = RacyCell::new(Vec::new());

/// Every G ever created (Go's `allgs`), for deadlock reports and tracing.
pub static ALLGS: spin::Mutex<Vec<usize>> = spin::Mutex::new(Vec::new());

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
