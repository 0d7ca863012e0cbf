//! Preemption: Go's `preemptone`, `preemptall`, `preemptM`,
//! `wantAsyncPreempt`, `isAsyncSafePoint`, `doSigPreempt` and
//! `asyncPreempt2` (preempt.go, signal_unix.go, proc.go), for a runtime
//! whose compiled code has no stack-check prologue to hook.
//!
//! Go has two ways to stop a goroutine: a cooperative one (a poisoned
//! stack guard that the next function prologue notices) and, since Go
//! 1.14, an asynchronous one (a signal). Rust functions have no such
//! prologue, so rt0 has only the second: sysmon asks ([`preemptone`]:
//! `g.preempt` set, then `SIGURG` sent to the M with `tgkill`), and the
//! handler ([`on_sigurg`]) decides whether the instruction the goroutine
//! was interrupted at is a safe point. If it is, the handler rewrites the
//! signal context so that the goroutine, when the kernel resumes it,
//! calls `arch::preempt`'s `rt0_async_preempt` as if the interrupted
//! instruction had called it: that saves every register and the whole
//! extended state on the goroutine's stack, below its red zone, and calls
//! [`async_preempt2`], which yields the P as `Gosched` does (the goroutine
//! goes to the global queue). When it runs again, on whichever M, the
//! routine restores everything and returns to the interrupted
//! instruction.
//!
//! A safe point is (all of):
//! - the signal landed on a user goroutine: the g in `fs:-8` is the M's
//!   `curg`, not its g0 (the scheduler, sysmon and every `systemstack`
//!   call run on g0), in `GRUNNING` (not in a system call), and a
//!   preemption was asked for it (`g.preempt`; a stray SIGURG from `kill`
//!   preempts nothing);
//! - the M's no-preemption count is 0 ([`NoPreempt`], `arch::tls`): no
//!   runtime lock, spin lock, allocator cache or current-P state is held
//!   on this M. Because LTO inlines runtime code into the program's
//!   functions, "is this pc in the runtime?" cannot be answered from
//!   addresses; the count is the rule;
//! - the pc is not in the asm that switches goroutines or saves them
//!   (`arch::preempt::in_unsafe_asm`);
//! - the stack pointer is inside the goroutine's stack with room for the
//!   red zone, the save area and the frames of the yield;
//! - the runtime is not dying (a report is being written).
//!
//! A refused request is not lost: `g.preempt` stays set and sysmon asks
//! again on its next round while the goroutine's time slice lasts.
//!
//! Invariants: the handler allocates nothing and takes no lock (it runs
//! on the signal stack, on any instruction); only the handler of the M's
//! own thread rewrites its goroutine's context; `m.signal_pending` keeps
//! sysmon from queueing a second SIGURG before the first is handled.

use core::sync::atomic::{AtomicU64, Ordering::Relaxed};

use super::conf::DEBUG;
use super::context::mcall;
use super::g::{G, GRUNNING};
use super::m::M;
use super::p::P;
use super::proto::sigpending;
use super::sched::{getg, sched};
use super::schedule::gosched_m;
use crate::arch::preempt::{RED_ZONE, async_preempt_pc, in_unsafe_asm, save_bytes};
use crate::arch::tls::{preempt_count, preempt_off, preempt_on, set_preempt_deferred};
use crate::sys::signal::{SIGURG, UC_RIP, UC_RSP, tgkill};

/// A goroutine that has run this long without a scheduling point is
/// preempted (Go's `forcePreemptNS`, 10 ms).
pub const FORCE_PREEMPT_NS: i64 = 10_000_000;

/// Stack the yield needs below the save area: `async_preempt2`'s frame and
/// `mcall`'s pushes (a few words), with a wide margin; the guard page
/// below the stack turns a miscount into a stack overflow report, never a
/// silent corruption.
const YIELD_FRAMES: usize = 1024;

/// Asynchronous preemptions performed (the handler injected the call).
static PREEMPTIONS: AtomicU64 = AtomicU64::new(0);

/// How many goroutines were preempted asynchronously so far (tests and
/// `schedtrace` read it).
pub fn preemptions() -> u64 {
    PREEMPTIONS.load(Relaxed)
}

/// Holds off asynchronous preemption of the current goroutine while it
/// lives (Go's `acquirem`/`releasem`): for runtime code on a goroutine's
/// stack that reads the current M or P and uses it afterwards.
pub struct NoPreempt(());

impl NoPreempt {
    #[inline(always)]
    pub fn new() -> NoPreempt {
        preempt_off();
        NoPreempt(())
    }
}

impl Drop for NoPreempt {
    #[inline(always)]
    fn drop(&mut self) {
        preempt_on();
    }
}

/// Is asynchronous preemption on (`GODEBUG=asyncpreemptoff=1` turns it off)?
fn async_enabled() -> bool {
    DEBUG.asyncpreemptoff.load(Relaxed) == 0
}

/// Asks the goroutine running on `pp` to stop (Go's `preemptone`): sets
/// its `preempt` flag and, unless one is already on its way, sends its M a
/// SIGURG. False if `pp` runs no user goroutine. Called by sysmon (no P)
/// and by [`preempt_all`]; every pointer is read racily, as Go does: Ps,
/// Ms and Gs are never freed, so a stale one is still a valid object and
/// at worst the wrong goroutine is asked, which costs it a time slice.
pub(crate) fn preemptone(pp: &P) -> bool {
    // SAFETY: a racy read of a pointer field (see above); volatile so that
    // it is read once.
    let mp = unsafe { core::ptr::read_volatile(&pp.m) };
    if mp.is_null() {
        return false;
    }
    // SAFETY: Ms are never freed; curg and g0 are read racily, as above.
    let m: &M = unsafe { &*mp };
    // SAFETY: as above.
    let gp = unsafe { core::ptr::read_volatile(&m.curg) };
    if gp.is_null() || gp == m.g0 {
        return false;
    }
    // SAFETY: Gs are never freed.
    let g = unsafe { &*gp };
    if !async_enabled() {
        g.preempt.store(true, Relaxed);
        return true;
    }
    // An M whose thread exited (ESRCH) has nothing left to preempt.
    if sigpending::request(&g.preempt, &m.signal_pending) && tgkill(m.procid, SIGURG).is_err() {
        sigpending::send_failed(&m.signal_pending);
    }
    true
}

/// Asks every P's running goroutine to stop (Go's `preemptall`), for the
/// stop of the world.
pub(crate) fn preempt_all() {
    for &pp in sched().allp() {
        // SAFETY: Ps are never freed.
        let p = unsafe { &*pp };
        if p.status.load(Relaxed) == super::p::PRUNNING {
            preemptone(p);
        }
    }
}

/// The preemption half of the SIGURG handler (Go's `doSigPreempt`): if a
/// preemption was asked for the interrupted goroutine and this is a safe
/// point (see the module note), make it call `rt0_async_preempt` when the
/// handler returns. True if the signal was sysmon's (`m.signal_pending`
/// was set), whether or not it preempted: the handler then keeps it from
/// `os::signal` (Go hands the runtime's SIGURGs to `Notify(SIGURG)` too;
/// rt0 shows a program only the SIGURGs others send).
///
/// # Safety
/// `ctx` is the `ucontext_t` the kernel passed to the handler of a signal
/// delivered to this thread.
pub(crate) unsafe fn on_sigurg(ctx: *mut u8) -> bool {
    let Some((g, m)) = current() else {
        return false;
    };
    let ours = sigpending::take_signal(&m.signal_pending);
    if !async_enabled() || !g.preempt.load(Relaxed) {
        return ours;
    }
    // SAFETY: ctx is the kernel's ucontext (contract): its rip and rsp
    // words are readable.
    let (pc, sp) = unsafe {
        (
            *(ctx.add(UC_RIP) as *const usize),
            *(ctx.add(UC_RSP) as *const usize),
        )
    };
    if !async_safe_point(g, m, pc, sp) {
        // Refused for the count only: the goroutine yields as soon as the
        // count falls back to 0 (`preempt_on` reads the note).
        if preempt_count() != 0 {
            set_preempt_deferred(true);
        }
        return ours;
    }
    let new_sp = sp - RED_ZONE - core::mem::size_of::<usize>();
    // SAFETY: new_sp is inside the goroutine's own stack, with room to
    // spare (async_safe_point checked it), below the red zone: nothing of
    // the interrupted code lives there. The signal runs on this thread, so
    // the goroutine is stopped while we write. The context's rip and rsp
    // words are the kernel's, restored by rt_sigreturn.
    unsafe {
        *(new_sp as *mut usize) = pc;
        *(ctx.add(UC_RSP) as *mut usize) = new_sp;
        *(ctx.add(UC_RIP) as *mut usize) = async_preempt_pc();
    }
    g.preempt.store(false, Relaxed);
    PREEMPTIONS.fetch_add(1, Relaxed);
    ours
}

/// The g in `fs:-8` and its M, if there are both.
fn current() -> Option<(&'static G, &'static M)> {
    // SAFETY: a non-null g in fs:-8 is a live G (never freed).
    let g: &G = unsafe { getg().as_ref()? };
    // SAFETY: a G's m is null or a live M (never freed), this thread's.
    let m: &M = unsafe { g.m.as_ref()? };
    Some((g, m))
}

/// Go's `wantAsyncPreempt` (the status) and `isAsyncSafePoint`, for rt0.
fn async_safe_point(g: &G, m: &M, pc: usize, sp: usize) -> bool {
    !in_unsafe_asm(pc)
        && sp >= g.stack.lo + save_bytes() + YIELD_FRAMES
        && async_safe_point_at(g, m, sp)
}

/// The rules shared by the handler and the deferred yield: a user
/// goroutine of this M, running, with a P, nothing held, the runtime not
/// dying, `sp` on its own stack.
fn async_safe_point_at(g: &G, m: &M, sp: usize) -> bool {
    let gp = g as *const G as *mut G;
    gp == m.curg
        && gp != m.g0
        && g.status() == GRUNNING
        && preempt_count() == 0
        && !m.p.is_null()
        && !crate::debug::dying::is_dying()
        && sp <= g.stack.hi
        && sp >= g.stack.lo + YIELD_FRAMES
}

/// The yield `arch::tls::preempt_on` calls when the no-preemption count
/// falls to 0 after the SIGURG handler refused a preemption for it (Go's
/// `releasem` re-arming `stackguard0`, then the prologue's `morestack` →
/// `gopreempt_m`). The same rules as the handler's apply, and one more: the
/// stack pointer is on the goroutine's own stack, so a signal handler that
/// lowers the count (a report's lock) never yields from the signal stack.
/// A synchronous call: the ABI's caller-saved registers are the caller's
/// concern, as at any call, and `mcall` keeps the rest.
#[unsafe(export_name = "rt0_preempt_deferred")] // called by arch::tls::preempt_on
fn preempt_deferred() {
    // (preempt_on cleared the note before calling.)
    let Some((g, m)) = current() else {
        return;
    };
    let sp = crate::arch::context::stack_pointer();
    if !async_enabled() || !g.preempt.load(Relaxed) || !async_safe_point_at(g, m, sp) {
        return;
    }
    g.preempt.store(false, Relaxed);
    PREEMPTIONS.fetch_add(1, Relaxed);
    // SAFETY: on a user goroutine in GRUNNING with a P and nothing held
    // (checked above); gosched_m requeues it and schedules.
    unsafe { mcall(gosched_m) };
}

/// What `rt0_async_preempt` calls once the goroutine's state is saved
/// (Go's `asyncPreempt2`): yield the P, as `Gosched` does. Returns when
/// the goroutine is scheduled again.
#[unsafe(export_name = "rt0_async_preempt2")] // called by rt0_async_preempt (src/arch/)
extern "C" fn async_preempt2() {
    // SAFETY: on a user goroutine (the handler checked), whose state the
    // asm saved on its stack; gosched_m requeues it and schedules.
    unsafe { mcall(gosched_m) };
}
