//! Creating Ms: Go's `allocm`, `newm`, `newosproc`, `mstart` on a new
//! thread, `minit`, and the idle-M list (`mput`, `mget`) (proc.go,
//! os_linux.go).
//!
//! Every M gets, before its thread starts: its own g0 with a guarded
//! [`G0_STACK_SIZE`] stack, its own TLS block (inside the M, FS = &tls[1]
//! through `CLONE_SETTLS`), and a signal stack that `minit` installs with
//! `sigaltstack` once the thread runs. Ms are never freed.

use alloc::boxed::Box;
use core::sync::atomic::Ordering::Relaxed;

use super::g::G;
use super::m::M;
use super::p::P;
use super::procresize::mcommoninit;
use super::sched::{M0, getg, getm, sched};
use super::stack::stackalloc;

/// Every g0's stack size: allocated for an M created by `newm`; on m0 the
/// top of the OS stack that rt0_go carves out (the number lives with that
/// asm, the lowest layer that needs it).
pub use crate::arch::entry::G0_STACK_SIZE;
/// Calls need a 16-byte aligned stack: the new thread's top is rounded down.
const STACK_ALIGN_MASK: usize = 15;
/// Signal stack per M: twice Go's 32 KiB gsignal. Fault reports and the
/// dump signals walk and name every goroutine's frames on it, and the
/// demangler's recursion takes up to 553 bytes a level in a dev build
/// (158 in release) over names up to 64 levels deep; pages are touched
/// only when used.
pub const SIGNAL_STACK_SIZE: usize = 64 * 1024;

/// Number of Ms alive (Go's `mcount()`: created minus freed), system Ms
/// included; an M whose locked goroutine exited counts as freed (its
/// thread is gone, or it is m0, wedged for good).
pub fn mcount() -> i64 {
    // SAFETY: read under sched.lock by callers that need exactness; a racy
    // read is fine for tracing.
    unsafe { *sched().mnext.get() - *sched().nmfreed.get() }
}

/// Gives m0 its signal stack and links it into allm (its part of `minit`
/// and `mcommoninit`). Called by schedinit.
pub fn m0init() {
    // SAFETY: start-up, single thread.
    unsafe {
        let m0 = M0.get();
        (*m0).alllink = (*sched().allm.get()).head;
        (*sched().allm.get()).head = m0;
        (*m0).fastrand = crate::rand::fastrand64() | 1;
    }
    minit();
}

/// Per-thread set-up on the thread itself (Go's `minit`): the signal
/// stack, and the signals no M may block.
pub fn minit() {
    super::sigtable::minit_signal_mask();
    // SAFETY: on the M's own thread; gsignal_stack belongs to it.
    unsafe {
        let mp = &mut *getm();
        if mp.gsignal_stack.hi == 0 {
            mp.gsignal_stack = stackalloc(SIGNAL_STACK_SIZE);
        }
        let st = mp.gsignal_stack;
        if let Err(e) = crate::sys::signal::sigaltstack(st.lo, st.hi - st.lo) {
            crate::debug::fatal::fatal_errno("runtime: sigaltstack failed", e.0);
        }
    }
}

/// Allocates an M with its g0 (Go's `allocm`), to start with `nextp`.
fn allocm(nextp: *mut P, spinning: bool, system: bool) -> *mut M {
    let mp = Box::into_raw(Box::new(M::new()));
    let g0 = Box::into_raw(Box::new(G::new()));
    // SAFETY: both are fresh and ours.
    unsafe {
        (*g0).stack = stackalloc(G0_STACK_SIZE);
        (*g0).stackguard0 = (*g0).stack.lo + crate::mem::stack::STACK_GUARD;
        (*g0).stackguard1 = (*g0).stackguard0;
        (*g0).m = mp;
        (*mp).g0 = g0;
        (*mp).nextp = nextp;
        (*mp).is_system = system;
        (*mp).spinning.store(spinning, Relaxed);
        (*mp).fastrand = crate::rand::fastrand64() | 1;
    }
    mp
}

/// Creates a new M that will run `start` (Go's `newm`): [`mstart_new`] for
/// an ordinary M, which acquires `nextp` and schedules; `spinning` says it
/// starts as a spinning M (Go passes `mspinning`); a `system` M (sysmon)
/// never holds a P and is not counted by checkdead.
///
/// # Safety
/// `nextp` is null or a P in `PIDLE` that the caller owns (taken off the
/// idle list, on no list) and gives to the new M, which acquires it.
pub unsafe fn newm(nextp: *mut P, spinning: bool, system: bool, start: extern "C" fn() -> !) {
    let mp = allocm(nextp, spinning, system);
    // SAFETY: mp is fresh and not yet visible to any other thread.
    unsafe { (*mp).mstartfn = Some(start) };
    let s = sched();
    s.lock.lock();
    // SAFETY: lock held; mp is fresh.
    unsafe {
        mcommoninit(&mut *mp);
        if system {
            *s.nmsys.get() += 1;
        }
        (*mp).alllink = (*s.allm.get()).head;
        (*s.allm.get()).head = mp;
    }
    s.lock.unlock();
    newosproc(mp);
}

/// Starts the OS thread for `mp` (Go's `newosproc`): on its g0's stack,
/// with FS = `&mp.tls[1]` and g = g0, entering [`mstart_entry`]. A clone
/// failure is fatal, with Go's message.
fn newosproc(mp: *mut M) {
    // SAFETY: mp and its g0 are live forever; the g0 stack and mp's TLS
    // block are unused until the new thread runs on them.
    unsafe {
        let g0 = (*mp).g0;
        let top = (*g0).stack.hi & !STACK_ALIGN_MASK;
        let tls = (&raw const (*mp).tls) as usize + crate::arch::offsets::TLS_G_SLOT_SIZE;
        // As Go's newosproc: the new thread starts with every signal
        // blocked, so no handler runs on it before it has an M, TLS and a
        // signal stack; its minit gives it this thread's mask back.
        let mask = super::sigtable::block_all_for_clone();
        let cloned =
            crate::sys::thread::clone_thread(top, tls, g0 as usize, mstart_entry, mp as usize);
        super::sigtable::restore_after_clone(mask);
        if let Err(e) = cloned {
            crate::debug::fatal::fatal_newosproc(mcount(), e.0);
        }
    }
}

/// The first code of every M's thread but m0's, on its g0, with g = g0
/// already in the TLS slot: links g0 to its M (what Go's `clone` does in
/// asm before calling `mstart`) and runs the M's `mstartfn`.
extern "C" fn mstart_entry(arg: usize) -> ! {
    let mp = arg as *mut M;
    // SAFETY: arg is the M newosproc cloned this thread for, live forever;
    // getg() is its g0 (rt0_clone stored it), which only this thread uses.
    unsafe {
        let g0 = getg();
        (*g0).m = mp;
        match (*mp).mstartfn {
            Some(start) => start(),
            None => crate::debug::fatal::throw("newm: M without mstartfn"),
        }
    }
}

/// The first code of a new M's thread, on its g0 (Go's `mstart` ->
/// `mstart1` for a new M): record the thread id, set up signals, take the
/// P handed over, schedule.
pub extern "C" fn mstart_new() -> ! {
    // SAFETY: rt0_clone set g = g0 and mstart_entry g0.m = mp.
    unsafe {
        let mp = &mut *getm();
        mp.procid = crate::sys::process::gettid();
    }
    minit();
    // SAFETY: rt0_clone set g = g0 and g0.m = mp; nextp is read by this M's
    // own thread, after startm (or newm) wrote it before the clone.
    let nextp = unsafe { core::mem::replace(&mut (*getm()).nextp, core::ptr::null_mut()) };
    if !nextp.is_null() {
        // SAFETY: nextp was taken off the idle list for this M by startm
        // (or newm's caller); a new M holds no P yet.
        unsafe { super::schedule::acquirep(nextp) };
    }
    // SAFETY: on this M's g0; never returns.
    unsafe { super::context::mstart() }
}

/// Puts `mp` on the idle list (Go's `mput`).
///
/// # Safety
/// `sched.lock` is held; `mp` is the caller's M, about to sleep.
pub unsafe fn mput(mp: *mut M) {
    let s = sched();
    // SAFETY: sched.lock is held (contract), which guards midle, nmidle and
    // the schedlink of idle Ms; mp is the caller's own M.
    unsafe {
        (*mp).schedlink = (*s.midle.get()).head;
        (*s.midle.get()).head = mp;
        *s.nmidle.get() += 1;
    }
    super::checkdead::checkdead();
}

/// Takes an M off the idle list, or null (Go's `mget`).
///
/// # Safety
/// `sched.lock` is held.
pub unsafe fn mget() -> *mut M {
    let s = sched();
    // SAFETY: sched.lock is held (contract), which guards midle, nmidle and
    // the schedlink of the idle Ms on it; Ms are never freed.
    unsafe {
        let mp = (*s.midle.get()).head;
        if !mp.is_null() {
            (*s.midle.get()).head = (*mp).schedlink;
            *s.nmidle.get() -= 1;
        }
        mp
    }
}

/// This M's random number (Go's `fastrand` on `m.fastrand`).
pub fn m_fastrand() -> u32 {
    // SAFETY: only this M touches its own state.
    unsafe { crate::rand::wyrand(&mut (*getm()).fastrand) as u32 }
}
