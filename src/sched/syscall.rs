//! System calls: Go's `entersyscall`, `entersyscallblock`, `handoffp`,
//! `exitsyscall`, `exitsyscallfast` and `exitsyscall0` (proc.go).
//!
//! A goroutine about to enter the kernel (a file read, a write to a
//! regular file, a wait for a child) marks itself `GSYSCALL` so that its
//! P can run other goroutines if the call lasts:
//! - [`entersyscall`], the cheap way, for calls that usually return
//!   quickly: the P stays with the M in `PSYSCALL` (a few stores, no
//!   thread wake-up). sysmon takes it away (`retake`, CAS `PSYSCALL` ->
//!   `PIDLE`, then [`handoffp`]) if the call is still in the kernel a full
//!   sysmon round later and the P has work, or after 10 ms in any case.
//! - [`entersyscallblock`], for calls known to block (a signal wait): the
//!   P is handed off at once.
//!
//! On the way back [`exitsyscall`] takes the same P back if sysmon has
//! not (CAS `PSYSCALL` -> `PRUNNING`: exactly one of the two CASes wins),
//! else an idle P, else the goroutine queues itself on the global run
//! queue and its M goes idle.
//!
//! Invariants: between entry and exit the goroutine is `GSYSCALL` (so it
//! is never preempted: the SIGURG handler wants `GRUNNING`), its M holds
//! no P (`m.p` is null; `m.oldp` names the P left in `PSYSCALL`, whose
//! `p.m` is null), and checkdead counts that M as running (it is not
//! idle), so a program waiting on the kernel is never reported as
//! deadlocked. The code between entry and exit must be a bare system
//! call: no allocation, no lock, no printing, no parking.

use core::sync::atomic::Ordering::{Relaxed, SeqCst};

use super::context::{mcall, on_system_stack};
use super::g::{G, GRUNNABLE, GRUNNING, GSYSCALL, casgstatus};
use super::p::P;
use super::procresize::{pidleget, pidleput};
use super::proto::psyscall::{leave_for_syscall, take_back};
use super::runq::{globrunqput, runqempty};
use super::sched::{getg, getm, sched};
use super::schedule::{acquirep, dropg, execute, releasep, startm, stopm};

/// Gives `pp` to another M if it has work, else to the idle list (Go's
/// `handoffp`). Called without the P's own M running anything on it.
/// While the world is being stopped the P goes to the stopper instead
/// (`pidleput` hands it over; Go's handoffp checks `gcwaiting` first too):
/// sysmon may retake a P from a system call in the middle of a stop.
pub(super) fn handoffp(pp: *mut P) {
    let s = sched();
    // SAFETY: pp was just released by the caller; Ps are never freed.
    let p = unsafe { &*pp };
    let stopping = s.gcwaiting.load(Relaxed);
    // SAFETY: racy peek at runqsize, as Go; startm re-checks under the lock.
    if !stopping && (!runqempty(p) || unsafe { *s.runqsize.get() } != 0 || !p.timers.is_empty()) {
        // SAFETY: pp was released by its M and is on no list (contract of
        // handoffp's callers): ours to hand over.
        unsafe { startm(pp, false) };
        return;
    }
    // Nobody looks for work: keep one M spinning so that new work is found.
    if !stopping
        && s.nmspinning.load(Relaxed) + s.npidle.load(Relaxed) == 0
        && s.nmspinning.compare_exchange(0, 1, SeqCst, Relaxed).is_ok()
    {
        // SAFETY: pp was released by its M and is on no list: ours to
        // hand over.
        unsafe { startm(pp, true) };
        return;
    }
    s.lock.lock();
    // SAFETY: lock held; pp is idle and on no list.
    unsafe { pidleput(pp) };
    s.lock.unlock();
}

/// The goroutine enters the kernel for what is usually a short call: it
/// becomes `GSYSCALL` and leaves its P in `PSYSCALL`, for sysmon to hand
/// off if the call lasts (Go's `entersyscall`).
#[inline(always)]
pub fn entersyscall() {
    let gp = getg();
    // Inlined, so these are the caller's: its frame lives until
    // exitsyscall, and a traceback of the blocked goroutine starts there.
    let (pc, sp, bp) = crate::arch::context::here();
    // SAFETY: the running goroutine writes its own G.
    unsafe { (*gp).syscall = [pc, sp, bp] };
    // First the status: from here on the SIGURG handler leaves the
    // goroutine alone, so it stays on this M while we read the M below.
    // SAFETY: called on a running goroutine.
    casgstatus(unsafe { &*gp }, GRUNNING, GSYSCALL);
    // SAFETY: a running goroutine's M holds a P; only this M changes its
    // own p/oldp, and the P's m is read racily by sysmon (never freed).
    unsafe {
        let mp = &mut *getm();
        let pp = mp.p;
        let p = &*pp;
        p.syscalltick
            .store(p.syscalltick.load(Relaxed).wrapping_add(1), Relaxed);
        (*pp).m = core::ptr::null_mut();
        mp.oldp = pp;
        mp.p = core::ptr::null_mut();
        // Release: what this M did with the P happens before whoever CASes
        // it out of PSYSCALL (sysmon's retake, the stop of the world).
        leave_for_syscall(&p.status);
    }
}

/// The goroutine will block in the kernel: hand its P off (Go's
/// `entersyscallblock`).
#[inline(always)]
pub fn entersyscallblock() {
    let gp = getg();
    // As in entersyscall: the caller's registers, for a traceback.
    let (pc, sp, bp) = crate::arch::context::here();
    // SAFETY: the running goroutine writes its own G.
    unsafe { (*gp).syscall = [pc, sp, bp] };
    // SAFETY: called on a running goroutine.
    casgstatus(unsafe { &*gp }, GRUNNING, GSYSCALL);
    on_system_stack(|| {
        let pp = releasep();
        handoffp(pp);
    });
}

/// Back from the kernel (Go's `exitsyscall`): take an idle P and go on, or
/// queue the goroutine and let the M go idle.
pub fn exitsyscall() {
    let gp = getg();
    // Go's `exitsyscallfast`: the P left in PSYSCALL, if sysmon did not
    // take it meanwhile.
    // SAFETY: the goroutine is GSYSCALL, so it is still on this M; only
    // this M touches its own p/oldp.
    unsafe {
        let mp = &mut *getm();
        let oldp = core::mem::replace(&mut mp.oldp, core::ptr::null_mut());
        if !oldp.is_null() && take_back(&(*oldp).status) {
            mp.p = oldp;
            (*oldp).m = mp;
            casgstatus(&*gp, GSYSCALL, GRUNNING);
            return;
        }
    }
    let s = sched();
    s.lock.lock();
    // SAFETY: lock held.
    let pp = unsafe { pidleget() };
    s.lock.unlock();
    if !pp.is_null() {
        // SAFETY: pp came off the idle list under the lock: ours; this M
        // gave its P away in entersyscall.
        unsafe { acquirep(pp) };
        // SAFETY: gp is this M's goroutine, in GSYSCALL.
        casgstatus(unsafe { &*gp }, GSYSCALL, GRUNNING);
        return;
    }
    // SAFETY: on the goroutine; exitsyscall0 runs on g0.
    unsafe { mcall(exitsyscall0) };
}

/// No P was free: queue the goroutine globally, park the M (Go's
/// `exitsyscall0`).
extern "C" fn exitsyscall0(gp: *mut G) -> ! {
    // SAFETY: on g0; gp was this M's goroutine, in GSYSCALL.
    unsafe { casgstatus(&*gp, GSYSCALL, GRUNNABLE) };
    dropg();
    let s = sched();
    s.lock.lock();
    // A P may have come free meanwhile: then run the goroutine at once.
    // SAFETY: lock held.
    let pp = unsafe { pidleget() };
    if pp.is_null() {
        // SAFETY: lock held; gp is runnable and on no queue.
        unsafe { globrunqput(gp) };
    }
    s.lock.unlock();
    if !pp.is_null() {
        // SAFETY: pp came off the idle list under the lock: ours; this M,
        // back from a syscall, holds no P.
        unsafe { acquirep(pp) };
        execute(gp, false);
    }
    // SAFETY: on g0 of this M; lockedg is this M's own field.
    if !unsafe { (*getm()).lockedg }.is_null() {
        // A locked M waits for its goroutine to be scheduled (by whichever
        // M takes it off the global queue, which hands this one a P).
        super::lockosthread::stoplockedm();
        execute(gp, false);
    }
    stopm();
    super::schedule::schedule()
}
