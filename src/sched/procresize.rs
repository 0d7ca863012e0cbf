//! Creating the Ps: Go's `procresize` and `mcommoninit` (proc.go).
//!
//! At start-up `schedinit` calls `procresize(n)` with the world stopped and
//! only m0 alive: it allocates Ps `0..n`, gives P0 to m0 and puts the rest
//! on the idle list. Changing GOMAXPROCS at run time is not supported.

use alloc::boxed::Box;
use core::sync::atomic::Ordering::{Relaxed, SeqCst};

use super::m::M;
use super::p::{P, PIDLE};
use super::sched::{getm, sched};
use super::schedule::acquirep;

/// Gives `mp` its id and counts it (Go's `mcommoninit`).
///
/// # Safety
/// `sched.lock` is held, or only one thread exists.
pub unsafe fn mcommoninit(mp: &mut M) {
    let s = sched();
    // SAFETY: mnext and maxmcount are guarded by sched.lock, which is held
    // (contract), or only one thread exists.
    unsafe {
        let next = &mut *s.mnext.get();
        mp.id = *next;
        *next += 1;
        if *next > i64::from(*s.maxmcount.get()) {
            crate::debug::fatal::fatal_msg_maxmcount(*s.maxmcount.get());
        }
    }
    mp.procid = crate::sys::process::gettid();
}

/// Puts `pp` on the idle list (Go's `pidleput`).
///
/// # Safety
/// `sched.lock` is held; `pp` is valid, idle and on no list.
pub unsafe fn pidleput(pp: *mut P) {
    let s = sched();
    // SAFETY: sched.lock is held (contract), which guards pidle; pp is a valid
    // (never freed) idle P on no list, so its link is ours to set.
    unsafe {
        (*pp).m = core::ptr::null_mut();
        if (*pp).status.load(Relaxed) != PIDLE {
            crate::debug::fatal::throw("pidleput: P is not idle");
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

/// Creates `nprocs` Ps, gives P0 to the current M and idles the rest
/// (Go's `procresize` at start-up).
///
/// # Safety
/// Start-up only: the world is stopped and `sched.lock` is held.
pub unsafe fn procresize(nprocs: i32) {
    // SAFETY: only this thread touches allp during start-up.
    let allp = unsafe { &mut *sched().allp.get() };
    allp.reserve_exact(nprocs as usize);
    for id in allp.len() as i32..nprocs {
        allp.push(Box::into_raw(Box::new(P::new(id))));
    }
    sched().gomaxprocs.store(nprocs, Relaxed);
    // SAFETY: on m0 during start-up.
    let mp = unsafe { &mut *getm() };
    if mp.p.is_null() {
        // SAFETY: allp[0] is fresh (PIDLE, on no list) and m0 holds no P;
        // start-up, one thread.
        unsafe { acquirep(allp[0]) };
    }
    for &pp in allp.iter().skip(1).rev() {
        // SAFETY: lock held; pp is fresh.
        unsafe { pidleput(pp) };
    }
}
