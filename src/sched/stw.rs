//! Stopping and starting the world, and GOMAXPROCS at run time: Go's
//! `stopTheWorldWithSema`, `startTheWorldWithSema`, `gcstopm`, `worldsema`
//! and `runtime.GOMAXPROCS` (proc.go, debug.go).
//!
//! # The protocol
//!
//! The stopper (a goroutine in [`set_gomaxprocs`], on its M's g0) takes
//! the world lock ([`WorldLock`], Go's `worldsema`: one stopper at a
//! time), then under `sched.lock`: sets `sched.gcwaiting`, counts every P
//! in `sched.stopwait`, asks every running goroutine to yield
//! ([`preempt_all`]), stops its own P, CASes the Ps of Ms in system calls
//! from `PSYSCALL` to `PGCSTOP`, and takes every idle P off the idle list
//! (`PGCSTOP`). The Ps still running stop by themselves: every M looks at
//! `gcwaiting` at the top of each `find_runnable` round (so at each
//! scheduling point: park, yield, exit, a P handed over by `startm`) and
//! gives its P to the stopper ([`gcstopm`]); a P given up by any other
//! path (findRunnable's "nothing to do", a system call's or a locked M's
//! hand-off) reaches `pidleput`, which gives it to the stopper instead of
//! the idle list while `gcwaiting` is set ([`stop_idle_p`]). The one that
//! brings `stopwait` to 0 wakes the stopper on `sched.stopnote`; the
//! stopper also wakes every [`STOP_RETRY_NS`] to preempt again (Go's
//! 100 µs loop).
//!
//! With every P `PGCSTOP` and owned by the stopper, `procresize` runs
//! under `sched.lock`; then the stopper clears `gcwaiting` (still under
//! the lock), gives each surviving P with queued goroutines an M
//! (`startm`), tells the wake-up sources' sleeper about timers moved off
//! retired Ps, and wakes an M for the rest (`wakep`).
//!
//! # What runs while the world is stopped
//!
//! No goroutine runs but the stopper, and no M holds a P but the
//! stopper's. Still running: Ms in system calls (`blocking`: they own no
//! P and run only the bare call, and on the way back find no idle P and
//! queue their goroutine), Ms without a P (sysmon; the M blocked in the
//! wake-up sources' poll, which on waking finds no idle P and sleeps in
//! `stopm`), signal handlers. None of them touches a P's run queue,
//! timers or caches, which is what lets `procresize` move them with
//! plain code; readers of `allp` without the world stopped are safe by
//! `sched::AllP`'s invariants.
//!
//! A goroutine that loops without calling into the runtime stops at its
//! next asynchronous preemption ([`preempt_all`] sends every running M a
//! SIGURG, again every [`STOP_RETRY_NS`]), or, if it holds the
//! no-preemption count, when it lowers it. Everything here runs on g0, so
//! the stopper needs no such count itself. A retired P's allocator cache
//! goes back to the central lists (`MCache::release_all`).

use core::sync::atomic::{
    AtomicBool,
    Ordering::{Acquire, Relaxed, Release, SeqCst},
};

use super::context::on_system_stack;
use super::p::{P, PGCSTOP, PIDLE, PRUNNING, caspstatus};
use super::preempt::preempt_all;
use super::procresize::{pidleget, procresize};
use super::proto::spinning::stop_spinning;
use super::sched::{MAX_PROCS, getm, sched};
use super::schedule::{gosched, releasep, startm, stopm, wakep};
use crate::debug::fatal::throw;

/// How long the stopper sleeps between two rounds of preemption requests
/// while Ps are still running (Go: 100 µs).
const STOP_RETRY_NS: i64 = 100_000;

/// Go's `worldsema`: one stopper at a time. A goroutine waiting for it
/// yields (`gosched`) instead of blocking its thread: a thread asleep
/// with its P would keep the current stopper waiting for that P forever.
struct WorldLock(AtomicBool);

static WORLD: WorldLock = WorldLock(AtomicBool::new(false));

impl WorldLock {
    fn acquire(&self) {
        while self
            .0
            .compare_exchange(false, true, Acquire, Relaxed)
            .is_err()
        {
            gosched();
        }
    }

    fn release(&self) {
        self.0.store(false, Release);
    }
}

/// A stopped P for the stopper: `PIDLE` -> `PGCSTOP`, one fewer to wait
/// for (the part of Go's `gcstopm`/`handoffp` under the lock).
///
/// # Safety
/// `sched.lock` is held, `gcwaiting` is set, and `pp` is a P in `PIDLE`
/// that the caller gave up (on no list).
pub(super) unsafe fn stop_idle_p(pp: *mut P) {
    let s = sched();
    // SAFETY: pp is a live P the caller gave up (contract); stopwait is
    // under sched.lock, which is held.
    unsafe {
        (*pp).m = core::ptr::null_mut();
        caspstatus(&*pp, PIDLE, PGCSTOP);
        one_stopped(s);
    }
}

/// # Safety
/// `sched.lock` is held.
unsafe fn one_stopped(s: &super::sched::Sched) {
    // SAFETY: stopwait is under sched.lock (contract).
    unsafe {
        let w = &mut *s.stopwait.get();
        *w -= 1;
        if *w < 0 {
            throw("stopTheWorld: negative stopwait");
        }
        if *w == 0 {
            s.stopnote.wakeup();
        }
    }
}

/// The world is being stopped: give this M's P to the stopper and sleep
/// until the world starts and hands it a P again (Go's `gcstopm`). On g0
/// of an M holding a P, at a scheduling point.
pub(super) fn gcstopm() {
    let s = sched();
    // SAFETY: on g0 of this M.
    let mp = unsafe { &mut *getm() };
    if !s.gcwaiting.load(Relaxed) {
        throw("gcstopm: not waiting for gc");
    }
    if mp.spinning.load(Relaxed) {
        mp.spinning.store(false, Relaxed);
        stop_spinning(&s.nmspinning, "gcstopm: negative nmspinning");
    }
    let pp = releasep();
    s.lock.lock();
    // SAFETY: lock held; gcwaiting cannot clear before this P stops (the
    // stopper waits for it); pp was just released by this M.
    unsafe { stop_idle_p(pp) };
    s.lock.unlock();
    stopm();
}

/// Stops every P but the caller's (Go's `stopTheWorldWithSema`). On g0 of
/// the stopper's M, which holds a P, with the world lock held.
fn stop_the_world() {
    let s = sched();
    // SAFETY: on g0 of this M, which holds a P (a goroutine's).
    let mp = unsafe { &mut *getm() };
    s.lock.lock();
    s.stopnote.clear();
    // SAFETY: lock held for stopwait.
    unsafe { *s.stopwait.get() = s.gomaxprocs.load(Relaxed) };
    s.gcwaiting.store(true, SeqCst);
    preempt_all();
    // SAFETY: lock held; this M's own P, running.
    unsafe {
        caspstatus(&*mp.p, PRUNNING, PGCSTOP);
        one_stopped(s);
    }
    for &pp in s.allp() {
        // SAFETY: Ps are never freed. A P in a system call is stopped
        // here; its M, back from the kernel, finds it taken.
        let p = unsafe { &*pp };
        if super::proto::psyscall::retake(&p.status, PGCSTOP) {
            // SAFETY: lock held.
            unsafe { one_stopped(s) };
        }
    }
    loop {
        // SAFETY: lock held.
        let pp = unsafe { pidleget() };
        if pp.is_null() {
            break;
        }
        // SAFETY: lock held; pp came off the idle list: ours.
        unsafe {
            caspstatus(&*pp, PIDLE, PGCSTOP);
            one_stopped(s);
        }
    }
    // SAFETY: lock held.
    let wait = unsafe { *s.stopwait.get() } > 0;
    s.lock.unlock();
    if wait {
        while !s.stopnote.sleep_timeout(STOP_RETRY_NS) {
            preempt_all();
        }
    }
    s.lock.lock();
    // SAFETY: lock held.
    let left = unsafe { *s.stopwait.get() };
    let all_stopped = s
        .allp()
        .iter()
        // SAFETY: Ps are never freed.
        .all(|&pp| unsafe { (*pp).status.load(Relaxed) } == PGCSTOP);
    s.lock.unlock();
    if left != 0 || !all_stopped {
        throw("stopTheWorld: not stopped");
    }
}

/// Resizes to `nprocs` Ps and restarts the world (Go's
/// `startTheWorldWithSema` with `procresize`). On g0 of the stopper's M,
/// with the world stopped by [`stop_the_world`].
fn start_the_world(nprocs: i32) {
    let s = sched();
    s.lock.lock();
    // SAFETY: lock held, the world stopped by this M.
    let resized = unsafe { procresize(nprocs) };
    s.gcwaiting.store(false, SeqCst);
    s.lock.unlock();
    let mut pp = resized.runnable;
    while !pp.is_null() {
        // SAFETY: procresize handed us these idle Ps (on no list, linked
        // through `link`), each with goroutines queued.
        unsafe {
            let next = (*pp).link;
            (*pp).link = core::ptr::null_mut();
            startm(pp, false);
            pp = next;
        }
    }
    if resized.moved_timer != 0 {
        // The sleeper may sleep past a timer that moved to another heap.
        super::wakeup::wake_for(resized.moved_timer);
    }
    wakep();
}

/// Runs `f` on g0 with the world stopped (Go's `stopTheWorld` ...
/// `startTheWorld` around `runtime.Stack(buf, true)`): no other goroutine
/// runs meanwhile, so their saved registers and stacks hold still. The
/// number of Ps is kept. Must be called on a goroutine.
pub(crate) fn with_world_stopped<F: FnOnce()>(f: F) {
    WORLD.acquire();
    let mut f = Some(f);
    on_system_stack(|| {
        stop_the_world();
        if let Some(f) = f.take() {
            f();
        }
        start_the_world(sched().gomaxprocs.load(Relaxed));
    });
    WORLD.release();
}

/// Sets GOMAXPROCS to `n` at run time and returns the previous value (Go's
/// `runtime.GOMAXPROCS`): 0 only asks; values above [`MAX_PROCS`] are
/// clamped to it. Stops the world, resizes, starts it again. Must be
/// called on a goroutine.
pub fn set_gomaxprocs(n: usize) -> usize {
    let s = sched();
    if n == 0 {
        return s.gomaxprocs.load(Relaxed) as usize;
    }
    let n = n.min(MAX_PROCS) as i32;
    WORLD.acquire();
    let prev = s.gomaxprocs.load(Relaxed);
    if n != prev {
        on_system_stack(|| {
            stop_the_world();
            start_the_world(n);
        });
    }
    WORLD.release();
    prev as usize
}
