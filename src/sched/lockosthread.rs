//! Wiring a goroutine to its OS thread: Go's `LockOSThread`,
//! `UnlockOSThread`, `dolockOSThread`, `dounlockOSThread`, `stoplockedm`,
//! `startlockedm`, `incidlelocked` and `mexit` (proc.go).
//!
//! While a goroutine is locked (`g.lockedm == m`, `m.lockedg == g`), it
//! runs only on that M and the M runs nothing else:
//! - when the goroutine stops running (parks, yields, a system call that
//!   found no P on the way back), its M enters `schedule`, which sends it
//!   straight to [`stoplockedm`]: the M hands its P to another M (or the
//!   idle list) and sleeps on its `park` note, counted in
//!   `sched.nmidlelocked` (so checkdead still sees a deadlock when every
//!   goroutine, locked or not, is parked, and none when a timer or the
//!   netpoller can wake one);
//! - when another M takes the goroutine off a run queue, `schedule` sees
//!   `g.lockedm` and calls [`startlockedm`]: that M gives its P to the
//!   locked M (`nextp`), wakes it, and goes idle itself;
//! - a goroutine that exits while locked takes its M with it
//!   ([`mexit`]): the thread exits (`SYS_exit`), except m0, the main
//!   thread, which is wedged for good (exiting it would leave a zombie
//!   that `ps` shows; Go does the same).
//!
//! Nesting is Go 1.10+'s: each `lock_os_thread` needs its own
//! `unlock_os_thread`; an unlock with none pending does nothing.
//!
//! Memory of an M whose thread exits: its signal stack is unmapped; the M
//! itself, its g0 and the g0 stack stay (Ms are never freed, and the
//! thread runs on that stack until the `exit` call itself, so nothing but
//! a later thread could unmap it): a few hundred bytes of heap plus the
//! g0 stack's pages the thread touched. The dead goroutine's own G and
//! stack go to the free lists as any dead goroutine's.
//!
//! Invariants: `lockedg`/`lockedm` are set and cleared only by the
//! goroutine itself, running on that M (so an M reading its own
//! `lockedg` in the scheduler reads a value no one else writes); a locked
//! M holds a P only while its goroutine runs (or on the way into
//! `stoplockedm`).

use super::g::{G, GRUNNABLE};
use super::m::M;
use super::sched::{M0, getg, getm, sched};
use super::schedule::{acquirep, releasep, stopm};
use super::syscall::handoffp;
use crate::arch::tls::{preempt_off, preempt_on};
use crate::debug::fatal::throw;

/// Wires the calling goroutine to its M (Go's `LockOSThread`).
pub fn lock_os_thread() {
    preempt_off();
    // SAFETY: on a running goroutine (its M is ours while preemption is
    // off); only this goroutine writes these fields (module invariant).
    unsafe {
        let mp = &mut *getm();
        let gp = getg();
        if mp.curg != gp {
            throw("lockOSThread: not on a user goroutine");
        }
        mp.locked_ext = match mp.locked_ext.checked_add(1) {
            Some(n) => n,
            None => throw("LockOSThread nesting overflow"),
        };
        mp.lockedg = gp;
        (*gp).lockedm = mp;
    }
    preempt_on();
}

/// Undoes one [`lock_os_thread`] (Go's `UnlockOSThread`); at depth 0 the
/// goroutine may run on any M again. Without a pending lock it does
/// nothing.
pub fn unlock_os_thread() {
    preempt_off();
    // SAFETY: as lock_os_thread's.
    unsafe {
        let mp = &mut *getm();
        if mp.locked_ext != 0 {
            mp.locked_ext -= 1;
            if mp.locked_ext == 0 {
                (*mp.curg).lockedm = core::ptr::null_mut();
                mp.lockedg = core::ptr::null_mut();
            }
        }
    }
    preempt_on();
}

/// Is the calling goroutine locked to its thread?
pub fn locked() -> bool {
    // SAFETY: a running goroutine's own field.
    unsafe { !(*getg()).lockedm.is_null() }
}

/// Counts `v` more (or fewer) idle locked Ms and, when one more sleeps,
/// runs checkdead (Go's `incidlelocked`).
fn incidlelocked(v: i32) {
    let s = sched();
    s.lock.lock();
    // SAFETY: nmidlelocked is under sched.lock, held.
    unsafe { *s.nmidlelocked.get() += v };
    if v > 0 {
        super::checkdead::checkdead();
    }
    s.lock.unlock();
}

/// The locked goroutine does not run: give the P away and sleep until it
/// is runnable again and some M hands this one a P for it (Go's
/// `stoplockedm`). On the locked M's g0, from `schedule`.
pub(super) fn stoplockedm() {
    // SAFETY: on g0 of this M.
    let mp = unsafe { &mut *getm() };
    let gp = mp.lockedg;
    // SAFETY: a locked goroutine is a live G (never freed).
    if gp.is_null() || !core::ptr::eq(unsafe { (*gp).lockedm }, mp) {
        throw("stoplockedm: inconsistent locking");
    }
    if !mp.p.is_null() {
        handoffp(releasep());
    }
    incidlelocked(1);
    mp.park.sleep();
    mp.park.clear();
    // SAFETY: as above.
    if unsafe { (*gp).status() } != GRUNNABLE {
        throw("stoplockedm: not runnable");
    }
    let pp = core::mem::replace(&mut mp.nextp, core::ptr::null_mut());
    if pp.is_null() {
        throw("stoplockedm: woken without a P");
    }
    // SAFETY: startlockedm handed pp over in nextp (released by its M, on
    // no list); this M holds none.
    unsafe { acquirep(pp) };
}

/// `gp`, just taken off a queue by this M, is locked to another M: give
/// that M this P, wake it, and go idle (Go's `startlockedm`). Returns
/// once this M has been handed a P again.
pub(super) fn startlockedm(gp: *mut G) {
    // SAFETY: on g0 of this M; gp is a runnable G we took off a queue.
    let mp = getm();
    // SAFETY: as above.
    let lm = unsafe { (*gp).lockedm };
    if lm == mp {
        throw("startlockedm: locked to me");
    }
    // SAFETY: lm is an M (never freed) asleep in stoplockedm, or about to
    // sleep there: it reads nextp only after its note is woken.
    unsafe {
        if !(*lm).nextp.is_null() {
            throw("startlockedm: m has p");
        }
        incidlelocked(-1);
        let pp = releasep();
        (*lm).nextp = pp;
        (*lm).park.wakeup();
    }
    stopm();
}

/// The locked goroutine of this M has exited: end the thread (Go's
/// `mexit`), or wedge it for good if it is m0. On g0, from `goexit0`;
/// the dead goroutine is already on a free list.
pub(super) fn mexit() -> ! {
    let s = sched();
    // SAFETY: on g0 of this M.
    let mp = unsafe { &mut *getm() };
    mp.lockedg = core::ptr::null_mut();
    mp.locked_ext = 0;
    if core::ptr::eq(mp, M0.get()) {
        // The main thread: exiting it would leave a zombie; wedge it.
        handoffp(releasep());
        s.lock.lock();
        // SAFETY: nmfreed is under sched.lock, held.
        unsafe { *s.nmfreed.get() += 1 };
        super::checkdead::checkdead();
        s.lock.unlock();
        // Nobody knows this M any more (not idle, not locked): never woken.
        mp.park.sleep();
        throw("locked m0 woke up");
    }
    // No handler may run on this thread from now on: its signal stack goes.
    if let Err(e) = crate::sys::signal::set_mask(crate::sys::signal::SIGSET_ALL) {
        crate::debug::fatal::fatal_errno("runtime: rt_sigprocmask failed", e.0);
    }
    if crate::sys::signal::sigaltstack_disable().is_ok() && mp.gsignal_stack.hi != 0 {
        let st = core::mem::replace(&mut mp.gsignal_stack, super::g::Stack { lo: 0, hi: 0 });
        // SAFETY: the signal stack came from stackalloc (minit); it is off
        // and every signal is blocked, so nothing runs on it again.
        unsafe { crate::mem::stack::stackfree(st) };
    }
    s.lock.lock();
    // SAFETY: allm is under sched.lock (held) for writers; racy readers (the
    // dumps) that stand on this M still follow its alllink, which stays.
    unsafe {
        let mut link: *mut *mut M = &mut (*s.allm.get()).head;
        while !(*link).is_null() && !core::ptr::eq(*link, mp) {
            link = &mut (**link).alllink;
        }
        if (*link).is_null() {
            throw("mexit: m not found in allm");
        }
        *link = mp.alllink;
    }
    s.lock.unlock();
    handoffp(releasep());
    s.lock.lock();
    // SAFETY: nmfreed is under sched.lock, held. After the hand-off, which
    // may have started an M for this P's work (Go's order).
    unsafe { *s.nmfreed.get() += 1 };
    super::checkdead::checkdead();
    s.lock.unlock();
    crate::sys::process::exit_thread(0)
}
