//! Blocking system calls: Go's `entersyscallblock`, `handoffp`,
//! `exitsyscall` and `exitsyscall0` (proc.go).
//!
//! A goroutine about to block in the kernel (reading a pipe, a terminal)
//! gives its P away first, so the P's other goroutines run on another M
//! meanwhile; the M itself stays with the goroutine, in the kernel. On the
//! way back the goroutine takes an idle P if there is one, or else queues
//! itself on the global run queue and its M goes idle.
//!
//! Invariant: between entry and exit the goroutine is `GSYSCALL`, its M
//! holds no P, and checkdead counts that M as running (it is not idle), so
//! a program waiting on the kernel is never reported as deadlocked.

use core::sync::atomic::Ordering::{Relaxed, SeqCst};

use super::context::{mcall, on_system_stack};
use super::g::{G, GRUNNABLE, GRUNNING, GSYSCALL, casgstatus};
use super::p::P;
use super::procresize::{pidleget, pidleput};
use super::runq::{globrunqput, runqempty};
use super::sched::{getg, sched};
use super::schedule::{acquirep, dropg, execute, releasep, startm, stopm};

/// Gives `pp` to another M if it has work, else to the idle list (Go's
/// `handoffp`). Called without the P's own M running anything on it.
fn handoffp(pp: *mut P) {
    let s = sched();
    // SAFETY: pp was just released by the caller; Ps are never freed.
    let p = unsafe { &*pp };
    // SAFETY: racy peek at runqsize, as Go; startm re-checks under the lock.
    if !runqempty(p) || unsafe { *s.runqsize.get() } != 0 || !p.timers.is_empty() {
        // SAFETY: pp was released by its M and is on no list (contract of
        // handoffp's callers): ours to hand over.
        unsafe { startm(pp, false) };
        return;
    }
    // Nobody looks for work: keep one M spinning so that new work is found.
    if s.nmspinning.load(Relaxed) + s.npidle.load(Relaxed) == 0
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

/// The goroutine will block in the kernel: hand its P off (Go's
/// `entersyscallblock`).
pub fn entersyscallblock() {
    let gp = getg();
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
    stopm();
    super::schedule::schedule()
}
