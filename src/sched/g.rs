//! G: a goroutine. Go's `g` in `runtime2.go`, its status machine and
//! `casgstatus`.
//!
//! The first fields of [`G`] (and all of [`Gobuf`]) are read and written
//! by the asm in `src/arch/context.s` and `src/arch/entry.s`, assembled
//! with the numbers of `arch::offsets`; compile-time assertions in
//! `src/sched/context.rs` pin the fields to them, and `check()` checks
//! again at start-up. Do not reorder them.
//!
//! ## Status: who owns what
//!
//! | status       | stack owned by             | on a run queue | `m` |
//! |--------------|----------------------------|----------------|-----|
//! | `GIDLE`      | nobody: just allocated     | no             | -   |
//! | `GRUNNABLE`  | nobody is running on it    | yes            | -   |
//! | `GRUNNING`   | the goroutine itself       | no             | its M |
//! | `GSYSCALL`   | the goroutine, in a syscall| no             | its M |
//! | `GWAITING`   | nobody: parked; whoever made it wait will `ready` it | no | - |
//! | `GDEAD`      | nobody: unused, on a free list or new | no      | -   |
//!
//! Every transition goes through [`casgstatus`], which throws on a
//! transition the machine does not allow.

use core::sync::atomic::{AtomicU32, Ordering};

use super::m::M;
use crate::debug::fatal::throw;

/// `g.stack`: the bounds of a goroutine's stack, `[lo, hi)` (plain data,
/// owned by the stack allocator).
pub use crate::mem::stack::Stack;

/// `gobuf`: where a switched-out goroutine resumes.
///
/// `sp` points at the callee-saved registers that `mcall` pushed (or, for a
/// new goroutine, at the planted `goexit` return address); `pc` is where
/// `gogo` jumps; `ctxt` is passed to that code in rdi; `bp` is the frame
/// pointer `mcall` found (0 for a goroutine that has not run: the end of
/// its frame chain), restored by `gogo` (Go's `gobuf.bp`).
#[repr(C)]
pub struct Gobuf {
    pub sp: usize,
    pub pc: usize,
    pub g: *mut G,
    pub ctxt: usize,
    pub bp: usize,
}

pub const GIDLE: u32 = 0;
pub const GRUNNABLE: u32 = 1;
pub const GRUNNING: u32 = 2;
pub const GSYSCALL: u32 = 3;
pub const GWAITING: u32 = 4;
pub const GDEAD: u32 = 6;

/// Why a goroutine waits: printed in `goroutine N [reason]:` headers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum WaitReason {
    Zero,
    ChanReceive,
    ChanSend,
    Select,
    SelectNoCases,
    Sleep,
    SyncMutexLock,
    SyncWaitGroupWait,
}

impl WaitReason {
    /// Go's wording for the reason (`waitReasonStrings`).
    pub fn as_str(self) -> &'static str {
        match self {
            WaitReason::Zero => "",
            WaitReason::ChanReceive => "chan receive",
            WaitReason::ChanSend => "chan send",
            WaitReason::Select => "select",
            WaitReason::SelectNoCases => "select (no cases)",
            WaitReason::Sleep => "sleep",
            WaitReason::SyncMutexLock => "sync.Mutex.Lock",
            WaitReason::SyncWaitGroupWait => "sync.WaitGroup.Wait",
        }
    }
}

/// What a new goroutine runs: a bare function (the main goroutine, named by
/// rt0_go as Go's `mainPC`) or a closure from `go`.
pub enum Start {
    None,
    Pc(extern "C" fn()),
    Closure(alloc::boxed::Box<dyn FnOnce() + Send + 'static>),
}

/// A goroutine.
#[repr(C)]
pub struct G {
    // ---- accessed by asm: offsets pinned in context.rs, do not change ----
    /// Stack bounds `[lo, hi)`.
    pub stack: Stack,
    /// `lo` plus the guard distance; informational (Rust has no split-stack
    /// prologue): fault handling compares against `stack.lo`.
    pub stackguard0: usize,
    pub stackguard1: usize,
    /// Where the goroutine resumes.
    pub sched: Gobuf,
    /// The M running this goroutine, or null.
    pub m: *mut M,
    // ---- private to the Rust side ----
    /// One of the `G*` status values; changed only by [`casgstatus`].
    pub atomicstatus: AtomicU32,
    /// Goroutine id; main is 1.
    pub goid: u64,
    /// Link in run queues and free lists.
    pub schedlink: *mut G,
    /// Why the goroutine is `GWAITING`.
    pub waitreason: WaitReason,
    /// What it runs when it starts.
    pub start: Start,
    /// Passed between a waker and the woken (Go's `g.param`).
    pub param: usize,
    /// Requested stack size of the goroutine (0: the default).
    pub stacksize: usize,
}

// SAFETY: Gs are handed between threads by the scheduler, which orders every
// hand-off through its run queues and locks.
unsafe impl Send for G {}
// SAFETY: as for Send.
unsafe impl Sync for G {}

impl G {
    pub const fn new() -> G {
        G {
            stack: Stack { lo: 0, hi: 0 },
            stackguard0: 0,
            stackguard1: 0,
            sched: Gobuf {
                sp: 0,
                pc: 0,
                g: core::ptr::null_mut(),
                ctxt: 0,
                bp: 0,
            },
            m: core::ptr::null_mut(),
            atomicstatus: AtomicU32::new(GIDLE),
            goid: 0,
            schedlink: core::ptr::null_mut(),
            waitreason: WaitReason::Zero,
            start: Start::None,
            param: 0,
            stacksize: 0,
        }
    }

    pub fn status(&self) -> u32 {
        self.atomicstatus.load(Ordering::Acquire)
    }
}

/// Is `from -> to` a transition of the status machine?
pub const fn transition_allowed(from: u32, to: u32) -> bool {
    matches!(
        (from, to),
        (GIDLE, GDEAD)
            | (GDEAD, GRUNNABLE)
            | (GRUNNABLE, GRUNNING)
            | (GRUNNING, GRUNNABLE)
            | (GRUNNING, GWAITING)
            | (GRUNNING, GSYSCALL)
            | (GRUNNING, GDEAD)
            | (GSYSCALL, GRUNNING)
            | (GSYSCALL, GRUNNABLE)
            | (GWAITING, GRUNNABLE)
    )
}

/// Moves `gp` from status `from` to `to` (Go's `casgstatus`). Throws on a
/// transition the machine does not have or when `gp` is not in `from`.
pub fn casgstatus(gp: &G, from: u32, to: u32) {
    if !transition_allowed(from, to) {
        throw("casgstatus: bad incoming values");
    }
    if gp
        .atomicstatus
        .compare_exchange(from, to, Ordering::AcqRel, Ordering::Acquire)
        .is_err()
    {
        throw("casgstatus: goroutine not in the expected status");
    }
}

/// Go's name of a status, for tracebacks and `scheddetail`.
pub fn status_name(s: u32) -> &'static str {
    match s {
        GIDLE => "idle",
        GRUNNABLE => "runnable",
        GRUNNING => "running",
        GSYSCALL => "syscall",
        GWAITING => "waiting",
        GDEAD => "dead",
        _ => "???",
    }
}
