//! The scheduler loop: Go's `mstart1`, `schedule`, `findRunnable`,
//! `execute`, `gopark`/`park_m`, `goready`/`ready`, `Gosched`/`gosched_m`
//! (proc.go).
//!
//! Invariants:
//! - `schedule` and everything it calls run on g0; they never return, each
//!   path ends in `gogo`.
//! - A goroutine becomes runnable only through `ready` (or creation), and
//!   stops running only through `mcall`: `park_m`, `gosched_m`, `goexit0`.
//! - `gopark`'s unlock function runs after the goroutine's status is
//!   `GWAITING` and it is off the M, so a waker that takes the same lock
//!   can `ready` it without racing the park.

use core::sync::atomic::Ordering::Relaxed;

use super::checkdead::checkdead;
use super::context::{gogo, mcall, on_system_stack};
use super::g::{G, GRUNNABLE, GRUNNING, GWAITING, WaitReason, casgstatus};
use super::p::P;
use super::runq::{globrunqget, globrunqput, runqget, runqput};
use super::sched::{getg, getm, sched};
use crate::debug::fatal::throw;

/// Every this many schedule ticks the global queue is checked first, so
/// that two goroutines trading places on a P cannot starve it (Go: 61).
const GLOBAL_RUNQ_CHECK_INTERVAL: u32 = 61;

/// The first Rust code of every M, on g0 (Go's `mstart1`).
pub extern "C" fn mstart1() -> ! {
    schedule()
}

/// One round of scheduling: find a runnable goroutine and run it
/// (Go's `schedule`). Never returns.
pub fn schedule() -> ! {
    // SAFETY: on g0 of an M (contract of every caller).
    let mp = unsafe { &mut *getm() };
    if !mp.curg.is_null() {
        throw("schedule: holding a goroutine");
    }
    let (gp, inherit_time) = find_runnable();
    execute(gp, inherit_time)
}

/// Finds a goroutine to run, blocking until there is one (Go's
/// `findRunnable`): the global queue now and then for fairness, the local
/// queue, the global queue.
fn find_runnable() -> (*mut G, bool) {
    // SAFETY: this M holds a P while it schedules.
    let pp = unsafe { &mut *(*getm()).p };
    let s = sched();
    loop {
        // Fairness: check the global queue every 61 ticks.
        // SAFETY: runqsize is read racily as Go does; the lock is retaken below.
        if pp.schedtick % GLOBAL_RUNQ_CHECK_INTERVAL == 0 && unsafe { *s.runqsize.get() } > 0 {
            s.lock.lock();
            // SAFETY: lock held; pp is ours.
            let gp = unsafe { globrunqget(pp, 1) };
            s.lock.unlock();
            if !gp.is_null() {
                return (gp, false);
            }
        }
        let (gp, inherit) = runqget(pp);
        if !gp.is_null() {
            return (gp, inherit);
        }
        // SAFETY: racy pre-check, as above.
        if unsafe { *s.runqsize.get() } != 0 {
            s.lock.lock();
            // SAFETY: lock held; pp is ours.
            let gp = unsafe { globrunqget(pp, 0) };
            s.lock.unlock();
            if !gp.is_null() {
                return (gp, false);
            }
        }
        // Nothing to run on the only M: nothing can ever wake us.
        checkdead();
    }
}

/// Runs `gp` on the current M (Go's `execute`). Never returns.
fn execute(gp: *mut G, inherit_time: bool) -> ! {
    // SAFETY: on g0; gp is a runnable G taken off a queue by us.
    unsafe {
        let mp = &mut *getm();
        let g = &mut *gp;
        mp.curg = gp;
        g.m = mp;
        casgstatus(g, GRUNNABLE, GRUNNING);
        g.waitreason = WaitReason::Zero;
        if !inherit_time {
            (*mp.p).schedtick = (*mp.p).schedtick.wrapping_add(1);
        }
        gogo(&g.sched)
    }
}

/// Detaches the current goroutine from its M (Go's `dropg`).
fn dropg() {
    // SAFETY: on g0 of an M.
    unsafe {
        let mp = &mut *getm();
        if !mp.curg.is_null() {
            (*mp.curg).m = core::ptr::null_mut();
            mp.curg = core::ptr::null_mut();
        }
    }
}

/// Parks the current goroutine in `GWAITING` for `reason` (Go's `gopark`).
/// On g0, `unlockf(gp, lock)` runs once the goroutine is off the M; if it
/// returns false the goroutine resumes at once. Someone must `goready` it.
pub fn gopark(unlockf: Option<fn(*mut G, *mut u8) -> bool>, lock: *mut u8, reason: WaitReason) {
    // SAFETY: called on a goroutine, whose M is ours.
    unsafe {
        let mp = &mut *getm();
        let gp = mp.curg;
        if gp.is_null() || gp != getg() {
            throw("gopark: not on a user goroutine");
        }
        (*gp).waitreason = reason;
        mp.waitunlockf = unlockf;
        mp.waitlock = lock;
        mcall(park_m);
    }
}

/// gopark's continuation on g0 (Go's `park_m`).
extern "C" fn park_m(gp: *mut G) -> ! {
    // SAFETY: on g0; gp was this M's running goroutine.
    unsafe {
        let mp = &mut *getm();
        casgstatus(&*gp, GRUNNING, GWAITING);
        dropg();
        if let Some(f) = mp.waitunlockf.take() {
            let lock = core::mem::replace(&mut mp.waitlock, core::ptr::null_mut());
            if !f(gp, lock) {
                casgstatus(&*gp, GWAITING, GRUNNABLE);
                execute(gp, true); // schedule it back, never returns
            }
        }
    }
    schedule()
}

/// Makes a parked goroutine runnable, to run next on this P (Go's `goready`).
pub fn goready(gp: *mut G) {
    on_system_stack(|| ready(gp, true));
}

/// Go's `ready`: `GWAITING` -> `GRUNNABLE`, onto the local queue.
pub fn ready(gp: *mut G, next: bool) {
    // SAFETY: gp is a valid waiting G handed to us by whoever parked it; the
    // current M holds a P.
    unsafe {
        casgstatus(&*gp, GWAITING, GRUNNABLE);
        runqput(&*(*getm()).p, gp, next);
    }
    wakep();
}

/// Yields the processor: the goroutine goes to the global queue (Go's
/// `runtime.Gosched`).
pub fn gosched() {
    // SAFETY: on a goroutine.
    unsafe { mcall(gosched_m) };
}

extern "C" fn gosched_m(gp: *mut G) -> ! {
    // SAFETY: on g0; gp was running here.
    unsafe { casgstatus(&*gp, GRUNNING, GRUNNABLE) };
    dropg();
    let s = sched();
    s.lock.lock();
    // SAFETY: lock held; gp is runnable and on no queue.
    unsafe { globrunqput(gp) };
    s.lock.unlock();
    schedule()
}

/// Wakes an idle P to run new work (Go's `wakep`). With one M there is
/// nobody to wake; the multi-M scheduler fills this in.
pub fn wakep() {
    let _ = sched().npidle.load(Relaxed);
}

/// Associates `pp` with the current M (Go's `acquirep`).
pub fn acquirep(pp: *mut P) {
    // SAFETY: pp is an idle P handed to this M.
    unsafe {
        let mp = &mut *getm();
        mp.p = pp;
        (*pp).m = mp;
        (*pp).status.store(super::p::PRUNNING, Relaxed);
    }
}
