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

use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

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
    /// Parked in the netpoller, waiting for a descriptor.
    IOWait,
}

impl WaitReason {
    /// Go's wording for the reason (`waitReasonStrings`, kept with the
    /// other state names in `debug::traceback`).
    pub fn as_str(self) -> &'static str {
        crate::debug::traceback::wait_reason_name(self)
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
    /// A preemption is asked for (Go's `g.preempt`): set by sysmon's
    /// `preemptone`, cleared when the goroutine is next scheduled or by the
    /// SIGURG handler that takes it up (`sched::preempt`).
    pub preempt: AtomicBool,
    /// The M this goroutine is locked to (`lock_os_thread`), or null (Go's
    /// `g.lockedm`). Written only by the goroutine itself while it runs on
    /// that M; read by whichever M takes it off a run queue.
    pub lockedm: *mut M,
    /// Where `go` was called for this goroutine (its `#[track_caller]`
    /// location; Go's `g.gopc`), for a report's `created by` line; none
    /// for the main goroutine.
    pub created_at: Option<&'static core::panic::Location<'static>>,
    /// The id of the goroutine that called `go` (Go's `g.parentGoid`); 0
    /// for the main goroutine.
    pub parent_goid: u64,
    /// Where the goroutine entered its system call (Go's `g.syscallpc`,
    /// `syscallsp`, and `syscallbp`): a pc in the function that makes the
    /// call and rsp, rbp there, written before the status becomes
    /// `GSYSCALL` (whose CAS publishes them), for the traceback of a
    /// goroutine blocked in the kernel.
    pub syscall: [usize; 3],
    /// Its deferred calls for `goexit`, the last pushed first (Go's
    /// `g._defer`; `sched::defers`). Touched only by the goroutine itself.
    pub(crate) defers: *mut super::defers::Defer,
}

// SAFETY: Gs are handed between threads by the scheduler, which orders every
// hand-off through its run queues and locks.
unsafe impl Send for G {}
// SAFETY: the status word is atomic (casgstatus); every other field is
// used by one thread at a time: the G's current owner (the M running it, the
// queue or wait list holding it, under that list's lock), handed over with
// the run queue's or the lock's release/acquire.
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
            preempt: AtomicBool::new(false),
            lockedm: core::ptr::null_mut(),
            created_at: None,
            parent_goid: 0,
            syscall: [0; 3],
            defers: core::ptr::null_mut(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::debug::traceback::status_name;

    /// Every status, and a value that is none of them.
    const ALL: [u32; 7] = [GIDLE, GRUNNABLE, GRUNNING, GSYSCALL, GWAITING, 5, GDEAD];

    /// The machine, written out: the only transitions casgstatus accepts.
    const ALLOWED: [(u32, u32); 10] = [
        (GIDLE, GDEAD),        // malg: a new G is dead until newproc uses it
        (GDEAD, GRUNNABLE),    // newproc
        (GRUNNABLE, GRUNNING), // execute
        (GRUNNING, GRUNNABLE), // gosched, preemption
        (GRUNNING, GWAITING),  // gopark
        (GRUNNING, GSYSCALL),  // entersyscall, entersyscallblock
        (GRUNNING, GDEAD),     // goexit
        (GSYSCALL, GRUNNING),  // exitsyscall with a P
        (GSYSCALL, GRUNNABLE), // exitsyscall0
        (GWAITING, GRUNNABLE), // ready
    ];

    #[test]
    fn transition_table_is_exactly_the_machine() {
        for from in ALL {
            for to in ALL {
                assert_eq!(
                    transition_allowed(from, to),
                    ALLOWED.contains(&(from, to)),
                    "{} -> {}",
                    status_name(from),
                    status_name(to)
                );
            }
        }
    }

    #[test]
    fn a_goroutine_life_through_casgstatus() {
        let g = G::new();
        assert_eq!(g.status(), GIDLE);
        for (from, to) in [
            (GIDLE, GDEAD),
            (GDEAD, GRUNNABLE),
            (GRUNNABLE, GRUNNING),
            (GRUNNING, GWAITING),
            (GWAITING, GRUNNABLE),
            (GRUNNABLE, GRUNNING),
            (GRUNNING, GSYSCALL),
            (GSYSCALL, GRUNNABLE),
            (GRUNNABLE, GRUNNING),
            (GRUNNING, GSYSCALL),
            (GSYSCALL, GRUNNING),
            (GRUNNING, GRUNNABLE),
            (GRUNNABLE, GRUNNING),
            (GRUNNING, GDEAD),
        ] {
            casgstatus(&g, from, to);
            assert_eq!(g.status(), to);
        }
    }

    #[test]
    #[should_panic(expected = "casgstatus: bad incoming values")]
    fn a_transition_outside_the_machine_throws() {
        let g = G::new();
        casgstatus(&g, GIDLE, GDEAD);
        casgstatus(&g, GDEAD, GRUNNABLE);
        // A runnable G cannot park: only a running one can.
        casgstatus(&g, GRUNNABLE, GWAITING);
    }

    #[test]
    #[should_panic(expected = "casgstatus: goroutine not in the expected status")]
    fn a_goroutine_in_another_status_throws() {
        let g = G::new();
        casgstatus(&g, GIDLE, GDEAD);
        // Allowed transition, but g is dead, not waiting: as a double ready.
        casgstatus(&g, GWAITING, GRUNNABLE);
    }

    #[test]
    fn a_failed_cas_leaves_the_status() {
        let g = G::new();
        casgstatus(&g, GIDLE, GDEAD);
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            casgstatus(&g, GRUNNING, GDEAD)
        }));
        assert!(r.is_err());
        assert_eq!(g.status(), GDEAD);
    }
}
