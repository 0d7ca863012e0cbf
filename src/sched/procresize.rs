//! Creating, resizing and retiring the Ps: Go's `procresize`,
//! `(*p).init`, `(*p).destroy`, `pidleput`/`pidleget` and `mcommoninit`
//! (proc.go).
//!
//! At start-up `schedinit` calls `procresize(n)` with only m0 alive: it
//! makes Ps `0..n`, gives P0 to m0 and idles the rest. At run time
//! `set_gomaxprocs` calls it with the world stopped (`super::stw`): every
//! P is then `PGCSTOP` and off the idle list, and owned by the stopper.
//!
//! Growing fills new `allp` slots (or revives the `PDEAD` Ps left there
//! by an earlier shrink: Ps are never freed); shrinking retires the Ps
//! past the new count ([`destroy`]): their run queue and `runnext` go to
//! the global queue, their timers to a surviving P (through the hook the
//! timers register, [`set_timer_mover`]: the core does not know what a
//! timer is), their dead Gs and cached stacks to the global pools, and
//! they become `PDEAD`. Readers of `allp` that run meanwhile are safe by
//! the table's own invariants (`super::sched::AllP`).

use alloc::boxed::Box;
use core::sync::atomic::Ordering::{Acquire, Relaxed, Release, SeqCst};

use super::m::M;
use super::p::{P, PDEAD, PGCSTOP, PIDLE, PRUNNING};
use super::runq::{GQueue, globrunqputbatch, runqempty, runqget};
use super::sched::{MAX_M_COUNT, MAX_PROCS, getm, sched};
use super::schedule::acquirep;
use crate::debug::fatal::throw;
use crate::mem::stack::{default_size, stackfree};

/// Gives `mp` its id and counts it (Go's `mcommoninit`).
///
/// # Safety
/// `sched.lock` is held, or only one thread exists.
pub unsafe fn mcommoninit(mp: &mut M) {
    let s = sched();
    // SAFETY: mnext is guarded by sched.lock, which is held (contract), or
    // only one thread exists.
    unsafe {
        let next = &mut *s.mnext.get();
        mp.id = *next;
        *next += 1;
        if super::newm::mcount() > i64::from(MAX_M_COUNT) {
            crate::debug::fatal::fatal_msg_maxmcount(MAX_M_COUNT);
        }
    }
    mp.procid = crate::sys::process::gettid();
}

/// Puts `pp` on the idle list (Go's `pidleput`). While the world is being
/// stopped the P goes to the stopper instead (`PGCSTOP`, one fewer to
/// wait for: what Go's `handoffp` and `gcstopm` do), so that no path that
/// gives a P up (findRunnable, a syscall's hand-off, a locked M's) can
/// make the idle list non-empty behind the stopper's back.
///
/// # Safety
/// `sched.lock` is held; `pp` is valid, idle and on no list.
pub unsafe fn pidleput(pp: *mut P) {
    let s = sched();
    if s.gcwaiting.load(Relaxed) {
        // SAFETY: sched.lock is held and gcwaiting set; pp is an idle P
        // the caller gave up, on no list (contract).
        unsafe { super::stw::stop_idle_p(pp) };
        return;
    }
    // SAFETY: as pidleput's (same contract).
    unsafe { pidleput_now(pp) };
}

/// [`pidleput`] without the stop-the-world check: for the stopper itself
/// (restarting the world) and start-up.
///
/// # Safety
/// As [`pidleput`].
unsafe fn pidleput_now(pp: *mut P) {
    let s = sched();
    // SAFETY: sched.lock is held (contract), which guards pidle; pp is a valid
    // (never freed) idle P on no list, so its link is ours to set.
    unsafe {
        (*pp).m = core::ptr::null_mut();
        if (*pp).status.load(Relaxed) != PIDLE {
            throw("pidleput: P is not idle");
        }
        (*pp).link = (*s.pidle.get()).head;
        (*s.pidle.get()).head = pp;
    }
    // SeqCst: a stopping spinner's increment must be in the single order
    // that wakep's load of npidle is in (sched::proto::spinning).
    s.npidle.fetch_add(1, SeqCst);
}

/// Takes a P off the idle list, or null (Go's `pidleget`).
///
/// # Safety
/// `sched.lock` is held.
pub unsafe fn pidleget() -> *mut P {
    let s = sched();
    // SAFETY: sched.lock is held (contract), which guards pidle and the links
    // of the Ps on it; Ps are never freed.
    unsafe {
        let pp = (*s.pidle.get()).head;
        if !pp.is_null() {
            (*s.pidle.get()).head = (*pp).link;
            (*pp).link = core::ptr::null_mut();
            s.npidle.fetch_sub(1, SeqCst);
            // A P is busy again: sysmon watches it.
            super::sysmon::wake_if_waiting();
        }
        pp
    }
}

/// Moves every timer of heap `from` into heap `to` and returns the
/// earliest `when` moved (0: none); provided by `time::timers`, which
/// alone knows what a timer's node belongs to.
pub(crate) type TimerMover = fn(from: &P, to: &P) -> i64;

/// The timers' mover (see [`set_timer_mover`]), or null.
static TIMER_MOVER: core::sync::atomic::AtomicPtr<()> =
    core::sync::atomic::AtomicPtr::new(core::ptr::null_mut());

/// Registers the function that moves a retired P's timers (called once by
/// `time::timers::init`, as the wake-up sources register: data flows
/// down, the core calls up only through what it was handed).
pub(crate) fn set_timer_mover(f: TimerMover) {
    TIMER_MOVER.store(f as *mut (), Release);
}

fn timer_mover() -> Option<TimerMover> {
    let f = TIMER_MOVER.load(Acquire);
    if f.is_null() {
        return None;
    }
    // SAFETY: only set_timer_mover stores here, always a TimerMover.
    Some(unsafe { core::mem::transmute::<*mut (), TimerMover>(f) })
}

/// What a run-time [`procresize`] leaves for the stopper to do once it
/// has dropped `sched.lock`.
pub(crate) struct Resized {
    /// Surviving Ps (not the caller's) that have goroutines queued, linked
    /// through `P::link` (Go's `runnablePs`): each gets an M when the
    /// world starts.
    pub(crate) runnable: *mut P,
    /// The earliest timer moved off a retired P (0: none): the sleeper must
    /// learn of it.
    pub(crate) moved_timer: i64,
}

/// Sets the number of Ps to `nprocs` (Go's `procresize`).
///
/// At start-up: creates Ps `0..nprocs`, gives P0 to the current M and
/// idles the rest. At run time (the world stopped by the caller, every P
/// `PGCSTOP` and off the idle list, the caller's own included): grows or
/// shrinks `allp`, keeps the caller's P if it survives (else gives it
/// P0), idles the surviving Ps with nothing queued, and returns the
/// others in [`Resized`] for the caller to start.
///
/// # Safety
/// `sched.lock` is held, and either start-up (one thread) or the world is
/// stopped by the caller; `1 <= nprocs <= MAX_PROCS`.
pub unsafe fn procresize(nprocs: i32) -> Resized {
    let s = sched();
    if nprocs <= 0 || nprocs as usize > MAX_PROCS {
        throw("procresize: invalid arg");
    }
    let new = nprocs as usize;
    let old = s.allp().len();
    let mut out = Resized {
        runnable: core::ptr::null_mut(),
        moved_timer: 0,
    };
    // Grow: fill or revive the slots old..new. A revived P was emptied when
    // it was retired: only its status and links change.
    for i in old..new {
        // SAFETY: the world is stopped (or start-up): we are the only writer.
        let pp = unsafe { s.allp.slot(i) };
        if pp.is_null() {
            let fresh = Box::into_raw(Box::new(P::new(i as i32)));
            // SAFETY: slot i is empty and past the published length.
            unsafe { s.allp.fill(i, fresh) };
            if old != 0 {
                // SAFETY: fresh, ours.
                unsafe { (*fresh).status.store(PGCSTOP, Relaxed) };
            }
        } else {
            // SAFETY: a retired P, never freed; nobody uses a dead P.
            unsafe { super::p::caspstatus(&*pp, PDEAD, PGCSTOP) };
        }
    }
    // SAFETY: every slot below max(old, new) is filled; world stopped.
    unsafe { s.allp.set_len(new.max(old)) };

    // SAFETY: on the M that runs the resize (start-up: m0).
    let mp = unsafe { &mut *getm() };
    if old == 0 {
        // Start-up: P0 to m0, the rest idle.
        s.gomaxprocs.store(nprocs, Relaxed);
        let allp = s.allp();
        // SAFETY: allp[0] is fresh (PIDLE, on no list) and m0 holds no P;
        // start-up, one thread.
        unsafe { acquirep(allp[0]) };
        for &pp in allp.iter().skip(1).rev() {
            // SAFETY: lock held; pp is fresh.
            unsafe { pidleput_now(pp) };
        }
        return out;
    }

    // The caller's P: kept if it survives, else it takes P0 (Go).
    let cur = mp.p;
    // SAFETY: Ps are never freed; cur is the caller's, stopped.
    if cur.is_null() || unsafe { (*cur).id } as usize >= new {
        if !cur.is_null() {
            // SAFETY: the caller's P, PGCSTOP; it is retired below.
            unsafe { (*cur).m = core::ptr::null_mut() };
            mp.p = core::ptr::null_mut();
        }
        let p0 = s.allp()[0];
        // SAFETY: p0 is stopped (PGCSTOP), owned by the stopper, held by
        // nobody; this M holds no P now.
        unsafe {
            mp.p = p0;
            (*p0).m = mp;
            super::p::caspstatus(&*p0, PGCSTOP, PRUNNING);
        }
    } else {
        // SAFETY: the caller's P, stopped by the stopper itself.
        unsafe { super::p::caspstatus(&*cur, PGCSTOP, PRUNNING) };
    }
    let keep = mp.p;

    // Shrink: retire the Ps new..old into the P this M keeps.
    for i in new..old {
        // SAFETY: filled slot below the old length; world stopped.
        let pp = unsafe { s.allp.slot(i) };
        // SAFETY: pp is stopped and owned by the stopper; keep is ours.
        let w = unsafe { destroy(&mut *pp, &*keep) };
        if w != 0 && (out.moved_timer == 0 || w < out.moved_timer) {
            out.moved_timer = w;
        }
    }
    s.gomaxprocs.store(nprocs, Relaxed);
    // SAFETY: slots below new are filled; the dead ones past it stay.
    unsafe { s.allp.set_len(new) };

    // The other survivors: idle, or started with an M by the caller.
    for &pp in s.allp().iter().rev() {
        if pp == keep {
            continue;
        }
        // SAFETY: stopped, owned by the stopper; lock held.
        unsafe {
            (*pp).m = core::ptr::null_mut();
            super::p::caspstatus(&*pp, PGCSTOP, PIDLE);
            if runqempty(&*pp) {
                pidleput_now(pp);
            } else {
                (*pp).link = out.runnable;
                out.runnable = pp;
            }
        }
    }
    out
}

/// Retires `pp` (Go's `(*p).destroy`): its goroutines to the global queue
/// (in queue order, `runnext` first), its timers into `keep`, its dead Gs
/// and stacks to the global pools; then `PDEAD`. Returns the earliest
/// timer moved (0: none).
///
/// # Safety
/// `sched.lock` is held, the world is stopped and `pp` is `PGCSTOP`, held
/// by no M; `keep` is the stopper's own P.
unsafe fn destroy(pp: &mut P, keep: &P) -> i64 {
    let s = sched();
    let mut q = GQueue::new();
    let mut n = 0;
    loop {
        let (gp, _) = runqget(pp);
        if gp.is_null() {
            break;
        }
        // SAFETY: gp came off pp's queue: runnable, on no other queue.
        unsafe { q.push_back(gp) };
        n += 1;
    }
    if n > 0 {
        // SAFETY: sched.lock is held; q holds n runnable Gs.
        unsafe { globrunqputbatch(q, n) };
    }
    let moved = match timer_mover() {
        Some(mv) if !pp.timers.is_empty() => mv(pp, keep),
        _ => 0,
    };
    {
        let _guard = s.gfree_lock.lock();
        // SAFETY: the global list is only touched under gfree_lock.
        let global = unsafe { &mut *s.gfree.get() };
        loop {
            let gp = pp.gfree.pop();
            if gp.is_null() {
                break;
            }
            // SAFETY: a dead G off pp's free list, on no other list.
            unsafe { global.push(gp) };
        }
    }
    loop {
        let hi = pp.stackcache.pop();
        if hi == 0 {
            break;
        }
        // SAFETY: the cache holds only dead default-size stacks, each
        // popped once; stackfree pools them globally.
        unsafe {
            stackfree(crate::mem::stack::Stack {
                lo: hi - default_size(),
                hi,
            })
        };
    }
    pp.mcache.release_all();
    // The P's batch of goroutine ids is dropped, as Go's destroy drops it.
    pp.goidcache = 0;
    pp.goidcacheend = 0;
    pp.m = core::ptr::null_mut();
    pp.link = core::ptr::null_mut();
    if !runqempty(pp) {
        throw("procresize: retired P still has goroutines");
    }
    super::p::caspstatus(pp, PGCSTOP, PDEAD);
    moved
}
