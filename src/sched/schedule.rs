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

use core::sync::atomic::Ordering::{Relaxed, SeqCst};

use super::context::{gogo, mcall, on_system_stack};
use super::g::{G, GRUNNABLE, GRUNNING, GWAITING, WaitReason, casgstatus};
use super::newm::{mget, mput, mstart_new, newm};
use super::p::{P, PIDLE};
use super::procresize::{pidleget, pidleput};
use super::proto::spinning::{stop_spinning, wakep_claim};
use super::runq::{globrunqget, globrunqput, runqempty, runqget, runqput};
use super::sched::{ALLP, getg, getm, sched};
use super::steal::steal_work;
use crate::debug::fatal::throw;

/// Every this many schedule ticks the global queue is checked first, so
/// that two goroutines trading places on a P cannot starve it (Go: 61).
const GLOBAL_RUNQ_CHECK_INTERVAL: u32 = 61;

/// The first Rust code of every M, on g0 (Go's `mstart1`).
#[unsafe(export_name = "rt0_mstart1")] // called by rt0_mstart (src/arch/)
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
    // This M found work: it stops spinning, and wakes another spinner if
    // there may be more work for one.
    if mp.spinning.load(Relaxed) {
        resetspinning();
    }
    execute(gp, inherit_time)
}

/// Finds a goroutine to run, blocking until there is one (Go's
/// `findRunnable`): the global queue now and then for fairness, the local
/// queue, the global queue, stealing from other Ps; with nothing found,
/// give up the P and sleep until `startm` hands one over.
fn find_runnable() -> (*mut G, bool) {
    let s = sched();
    // SAFETY: on g0 of this M.
    let mp = unsafe { &mut *getm() };
    loop {
        // SAFETY: this M holds a P at the top of the loop.
        let pp = unsafe { &mut *mp.p };
        // Expired timers first: they may ready goroutines onto this P.
        crate::time::timers::run_all_expired();
        // Fairness: check the global queue every 61 ticks.
        // SAFETY: runqsize is read racily as Go does; the lock is taken below.
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
        // Steal, but limit spinning Ms to half the busy Ps: beyond that
        // they burn CPU for nothing (Go's rule).
        let gomaxprocs = s.gomaxprocs.load(Relaxed);
        let busy = gomaxprocs - s.npidle.load(Relaxed) as i32;
        if mp.spinning.load(Relaxed) || 2 * (s.nmspinning.load(Relaxed) as i32) < busy {
            if !mp.spinning.load(Relaxed) {
                mp.spinning.store(true, Relaxed);
                s.nmspinning.fetch_add(1, SeqCst);
            }
            let gp = steal_work(pp);
            if !gp.is_null() {
                return (gp, false);
            }
        }

        // Nothing anywhere: give up the P.
        s.lock.lock();
        // SAFETY: lock held.
        if unsafe { *s.runqsize.get() } != 0 {
            // SAFETY: lock held; pp is ours.
            let gp = unsafe { globrunqget(pp, 0) };
            s.lock.unlock();
            return (gp, false);
        }
        let released = releasep();
        // SAFETY: lock held; the P is ours and now idle.
        unsafe { pidleput(released) };
        s.lock.unlock();

        // Delicate: a goroutine may have been queued after we looked but
        // before nmspinning drops; its wakep saw us spinning and started
        // nobody. So after we stop spinning, look at every queue once more.
        if mp.spinning.load(Relaxed) {
            mp.spinning.store(false, Relaxed);
            // Then (store-load order, see sched::proto::spinning) look at the
            // queues: runqempty's runnext load and earliest()'s timer0_when
            // loads are SeqCst, as wakep's are.
            stop_spinning(&s.nmspinning, "findrunnable: negative nmspinning");
            // SAFETY: allp is fixed after start-up.
            let allp = unsafe { &*ALLP.get() };
            let mut found_work = false;
            for &p2 in allp.iter() {
                // SAFETY: Ps are never freed.
                if !runqempty(unsafe { &*p2 }) {
                    found_work = true;
                    break;
                }
            }
            if found_work {
                s.lock.lock();
                // SAFETY: lock held.
                let pp = unsafe { pidleget() };
                s.lock.unlock();
                if !pp.is_null() {
                    acquirep(pp);
                    mp.spinning.store(true, Relaxed);
                    s.nmspinning.fetch_add(1, SeqCst);
                    continue;
                }
            }
        }
        // Timers pending: one M sleeps exactly until the earliest, then
        // takes an idle P to run it. The others sleep in stopm.
        let next = crate::time::timers::earliest();
        if next != 0 && crate::time::timers::become_sleeper(next) {
            crate::time::timers::sleep_until(next);
            s.lock.lock();
            // SAFETY: lock held.
            let pp = unsafe { pidleget() };
            s.lock.unlock();
            if !pp.is_null() {
                acquirep(pp);
                continue;
            }
        }
        stopm();
    }
}

/// This M found work while spinning (Go's `resetspinning`).
fn resetspinning() {
    // SAFETY: on g0 of this M.
    let mp = unsafe { &mut *getm() };
    mp.spinning.store(false, Relaxed);
    stop_spinning(&sched().nmspinning, "resetspinning: negative nmspinning");
    wakep();
}

/// Parks this M, with no P, until `startm` gives it one (Go's `stopm`).
pub(super) fn stopm() {
    let s = sched();
    let mp = getm();
    // SAFETY: on g0 of this M, which holds no P.
    unsafe {
        if !(*mp).p.is_null() {
            throw("stopm holding p");
        }
        s.lock.lock();
        mput(mp);
        s.lock.unlock();
        (*mp).park.sleep();
        (*mp).park.clear();
        let pp = core::mem::replace(&mut (*mp).nextp, core::ptr::null_mut());
        if pp.is_null() {
            throw("stopm: woken without a P");
        }
        acquirep(pp);
    }
}

/// Runs some M on `pp` (an idle P if null), creating an M if none is idle
/// (Go's `startm`). With no idle P it does nothing (and undoes the
/// caller's `nmspinning` increment when `spinning`).
pub fn startm(mut pp: *mut P, spinning: bool) {
    let s = sched();
    s.lock.lock();
    if pp.is_null() {
        // SAFETY: lock held.
        pp = unsafe { pidleget() };
        if pp.is_null() {
            s.lock.unlock();
            if spinning && s.nmspinning.fetch_sub(1, SeqCst) == 0 {
                throw("startm: negative nmspinning");
            }
            return;
        }
    }
    // SAFETY: lock held.
    let nmp = unsafe { mget() };
    s.lock.unlock();
    if nmp.is_null() {
        newm(pp, spinning, false, mstart_new);
        return;
    }
    // SAFETY: nmp came off the idle list: asleep on its note, ours to wake.
    unsafe {
        if (*nmp).spinning.load(Relaxed) {
            throw("startm: m is spinning");
        }
        if !(*nmp).nextp.is_null() {
            throw("startm: m has p");
        }
        (*nmp).spinning.store(spinning, Relaxed);
        (*nmp).nextp = pp;
        (*nmp).park.wakeup();
    }
}

/// Takes the P away from the current M (Go's `releasep`).
pub(super) fn releasep() -> *mut P {
    // SAFETY: on g0 of this M.
    unsafe {
        let mp = &mut *getm();
        let pp = mp.p;
        if pp.is_null() {
            throw("releasep: invalid arg");
        }
        (*pp).m = core::ptr::null_mut();
        mp.p = core::ptr::null_mut();
        super::p::caspstatus(&*pp, super::p::PRUNNING, PIDLE);
        pp
    }
}

/// Runs `gp` on the current M (Go's `execute`). Never returns.
pub(super) fn execute(gp: *mut G, inherit_time: bool) -> ! {
    // SAFETY: on g0; gp is a runnable G taken off a queue by us.
    unsafe {
        let mp = &mut *getm();
        let g = &mut *gp;
        super::proc::ensure_stack(gp);
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
pub(super) fn dropg() {
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
/// `gp` is a scheduler handle from a wait queue, never user input.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
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

/// Tries to get another M running on an idle P because there may be new
/// work (Go's `wakep`): only if no M is spinning already, since a spinning
/// M will find the work itself. Callers made the work visible with a
/// SeqCst store or RMW first (runnext's swap, `timer0_when`'s store): the
/// hand-off with a spinner that stops is in [`super::proto::spinning`].
pub fn wakep() {
    let s = sched();
    if wakep_claim(&s.npidle, &s.nmspinning) {
        startm(core::ptr::null_mut(), true);
    }
}

/// Associates `pp` with the current M (Go's `acquirep`).
/// `pp` is a P from `allp` or the idle list, never user input.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
pub fn acquirep(pp: *mut P) {
    // SAFETY: pp is an idle P handed to this M.
    unsafe {
        let mp = &mut *getm();
        mp.p = pp;
        (*pp).m = mp;
        super::p::caspstatus(&*pp, PIDLE, super::p::PRUNNING);
    }
}
