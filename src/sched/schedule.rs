//! The scheduler loop: Go's `mstart1`, `schedule`, `findRunnable`,
//! `execute`, `gopark`/`park_m`, `goready`/`ready`, `Gosched`/`gosched_m`
//! (proc.go).
//!
//! Invariants:
//! - `schedule` and everything it calls run on g0; they never return, each
//!   path ends in `gogo`.
//! - A goroutine becomes runnable only through `ready` (or creation), and
//!   stops running only through `mcall`: `park_m`, `gosched_m`, `goexit0`.
//! - A locked M (`m.lockedg`, see `super::lockosthread`) runs only its
//!   goroutine: `schedule` sends it to `stoplockedm`, and a goroutine
//!   found locked to another M is handed over (`startlockedm`).
//! - Each round of `find_runnable` first looks at `sched.gcwaiting`: a
//!   stop of the world takes the P (`super::stw::gcstopm`).
//! - `gopark`'s unlock function runs after the goroutine's status is
//!   `GWAITING` and it is off the M, so a waker that takes the same lock
//!   can `ready` it without racing the park.

use core::sync::atomic::Ordering::{Relaxed, SeqCst};

use super::context::{gogo, mcall, on_system_stack};
use super::g::{G, GRUNNABLE, GRUNNING, GWAITING, WaitReason, casgstatus};
use super::lockosthread::{startlockedm, stoplockedm};
use super::m::{M, UnlockFn};
use super::newm::{mget, mput, mstart_new, newm};
use super::p::{P, PIDLE};
use super::procresize::{pidleget, pidleput};
use super::proto::spinning::{stop_spinning, wakep_claim};
use super::runq::{
    GQueue, globrunqget, globrunqput, globrunqputbatch, runqempty, runqget, runqput,
};
use super::sched::{getg, getm, sched};
use super::steal::steal_work;
use super::stw::gcstopm;
use super::wakeup;
use crate::arch::tls::{preempt_count, preempt_off, preempt_on};
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
    // Go: "schedule: holding locks". A count left raised would make every
    // goroutine this M runs from now on unpreemptible.
    if preempt_count() != 0 {
        throw("schedule: holding locks");
    }
    // A locked M runs only its goroutine: wait for it (Go).
    if !mp.lockedg.is_null() {
        stoplockedm();
        execute(mp.lockedg, false)
    }
    loop {
        let (gp, inherit_time) = find_runnable();
        // This M found work: it stops spinning, and wakes another spinner if
        // there may be more work for one.
        if mp.spinning.load(Relaxed) {
            resetspinning();
        }
        // SAFETY: gp is a runnable G we took off a queue (never freed).
        if !unsafe { (*gp).lockedm }.is_null() {
            // Its own M must run it: hand it our P, and look again once
            // this M is given a P.
            startlockedm(gp);
            continue;
        }
        execute(gp, inherit_time)
    }
}

/// Finds a goroutine to run, blocking until there is one (Go's
/// `findRunnable`), in Go's steps: due work of the wake-up sources, the
/// global queue now and then for fairness, the local queue, the global
/// queue, the sources' non-blocking poll, stealing from other Ps; with
/// nothing found, give up the P, look once more if this M was spinning,
/// then block on the sources (one M) or sleep until `startm` hands over
/// a P (the others). The steps that find a goroutine return it with
/// whether it inherits the current time slice.
fn find_runnable() -> (*mut G, bool) {
    // SAFETY: on g0 of this M.
    let mp = unsafe { &mut *getm() };
    loop {
        // Go: `if sched.gcwaiting { gcstopm(); goto top }`: the world is
        // being stopped, give the P to the stopper.
        if sched().gcwaiting.load(Relaxed) {
            gcstopm();
            continue;
        }
        // SAFETY: this M holds a P at the top of the loop.
        let pp = unsafe { &mut *mp.p };
        // Go: `checkTimers` at the top: due timers may ready goroutines
        // onto this P.
        wakeup::run_due();
        let found = global_runq_for_fairness(pp)
            .or_else(|| local_runq(pp))
            .or_else(|| global_runq(pp))
            .or_else(|| poll_sources(pp))
            .or_else(|| steal(mp, pp))
            .or_else(|| give_up_p(pp));
        if let Some(found) = found {
            return found;
        }
        // No P from here on.
        if stop_spinning_and_look_again(mp) || block_on_sources() {
            continue;
        }
        stopm();
    }
}

/// Go: "Check the global runnable queue once in a while to ensure
/// fairness": every 61 ticks, so that two goroutines trading places on a
/// P cannot starve it.
fn global_runq_for_fairness(pp: &mut P) -> Option<(*mut G, bool)> {
    if !pp
        .schedtick
        .load(Relaxed)
        .is_multiple_of(GLOBAL_RUNQ_CHECK_INTERVAL)
    {
        return None;
    }
    // SAFETY: runqsize is read racily as Go does; the lock is taken below.
    if unsafe { *sched().runqsize.get() } == 0 {
        return None;
    }
    take_global(pp, 1)
}

/// Go: `runqget`, the local run queue (`runnext` first, which inherits
/// the time slice).
fn local_runq(pp: &mut P) -> Option<(*mut G, bool)> {
    let (gp, inherit) = runqget(pp);
    (!gp.is_null()).then_some((gp, inherit))
}

/// Go: `globrunqget`, the global run queue (a batch of it moves to the
/// local queue).
fn global_runq(pp: &mut P) -> Option<(*mut G, bool)> {
    // SAFETY: racy pre-check of runqsize, as Go's; the lock is taken below.
    if unsafe { *sched().runqsize.get() } == 0 {
        return None;
    }
    take_global(pp, 0)
}

/// One goroutine from the global queue (at most `max` moved, 0: Go's
/// batch), or None if it was empty after all.
fn take_global(pp: &mut P, max: i32) -> Option<(*mut G, bool)> {
    let s = sched();
    s.lock.lock();
    // SAFETY: lock held; pp is ours.
    let gp = unsafe { globrunqget(pp, max) };
    s.lock.unlock();
    (!gp.is_null()).then_some((gp, false))
}

/// Go: `netpoll(0)`: poll the wake-up sources without blocking; what they
/// readied is on this P's queue.
fn poll_sources(pp: &mut P) -> Option<(*mut G, bool)> {
    if wakeup::poll() == 0 {
        return None;
    }
    local_runq(pp)
}

/// Go: `stealWork`, but only while spinning Ms are at most half the busy
/// Ps: beyond that they burn CPU for nothing (Go's rule). This M becomes
/// a spinning M.
fn steal(mp: &mut M, pp: &mut P) -> Option<(*mut G, bool)> {
    let s = sched();
    let busy = s.gomaxprocs.load(Relaxed) - s.npidle.load(Relaxed) as i32;
    if !mp.spinning.load(Relaxed) && 2 * (s.nmspinning.load(Relaxed) as i32) >= busy {
        return None;
    }
    if !mp.spinning.load(Relaxed) {
        mp.spinning.store(true, Relaxed);
        s.nmspinning.fetch_add(1, SeqCst);
    }
    let gp = steal_work(pp);
    (!gp.is_null()).then_some((gp, false))
}

/// Go: "We have nothing to do": under `sched.lock`, the global queue once
/// more, else `releasep` and `pidleput`. None: the P is given up.
fn give_up_p(pp: &mut P) -> Option<(*mut G, bool)> {
    let s = sched();
    s.lock.lock();
    // SAFETY: lock held.
    if unsafe { *s.runqsize.get() } != 0 {
        // SAFETY: lock held; pp is ours.
        let gp = unsafe { globrunqget(pp, 0) };
        s.lock.unlock();
        return Some((gp, false));
    }
    let released = releasep();
    // SAFETY: lock held; the P is ours and now idle.
    unsafe { pidleput(released) };
    s.lock.unlock();
    None
}

/// Go's "delicate dance": a goroutine may have been queued after this
/// spinning M looked but before `nmspinning` drops; its `wakep` saw us
/// spinning and started nobody. So stop spinning first, then look at
/// every P's queue once more (store-load order, see
/// `sched::proto::spinning`: runqempty's `runnext` load is SeqCst, as
/// wakep's are; the sources' deadlines are read SeqCst next, in
/// [`block_on_sources`]). True if this M took an idle P back and spins
/// again.
fn stop_spinning_and_look_again(mp: &mut M) -> bool {
    if !mp.spinning.load(Relaxed) {
        return false;
    }
    let s = sched();
    mp.spinning.store(false, Relaxed);
    stop_spinning(&s.nmspinning, "findrunnable: negative nmspinning");
    // SAFETY: Ps are never freed.
    if s.allp().iter().all(|&p2| runqempty(unsafe { &*p2 })) {
        return false;
    }
    if !acquire_idle_p() {
        return false;
    }
    mp.spinning.store(true, Relaxed);
    s.nmspinning.fetch_add(1, SeqCst);
    true
}

/// Go: `netpoll(delay)` until `pollUntil`, then an idle P to run what came
/// due: one M blocks until the sources' earliest deadline or a wake-up
/// ([`wakeup::block`]); the others sleep in `stopm`. True if this M holds
/// a P again.
fn block_on_sources() -> bool {
    let Some(found) = wakeup::block() else {
        return false;
    };
    let mut found = found;
    let got_p = acquire_idle_p();
    if got_p {
        // Go: the M that polled runs the first goroutine itself; the
        // others are injected.
        let gp = found.pop();
        if !gp.is_null() {
            // SAFETY: gp is a parked G the poll handed to us alone; this M
            // holds the P it just acquired.
            unsafe {
                casgstatus(&*gp, GWAITING, GRUNNABLE);
                runqput(&*(*getm()).p, gp, true);
            }
        }
    }
    // SAFETY: the blocking poll hands over parked Gs it took off their
    // wait queues, ours alone to make runnable.
    unsafe { inject_glist(found) };
    got_p
}

/// Makes the Gs of `q` runnable (Go's `injectglist`). Without a P they go
/// to the global queue, and an idle P is started for each (as many as
/// there are); with a P, as many as there are idle Ps go to the global
/// queue with an M started for each, the rest to this P's queue.
///
/// # Safety
/// Every G of `q` is parked (`GWAITING`) and was taken off the wait queue
/// it parked on by the caller, so no one else readies it.
pub(crate) unsafe fn inject_glist(mut q: GQueue) {
    if q.is_empty() {
        return;
    }
    let s = sched();
    // SAFETY: on g0 of this M (or on a goroutine: only the M's own P is read).
    let pp = unsafe { (*getm()).p };
    let mut global = GQueue::new();
    let mut nglobal = 0;
    let room = if pp.is_null() {
        i32::MAX
    } else {
        s.npidle.load(SeqCst) as i32
    };
    loop {
        let gp = q.pop();
        if gp.is_null() {
            break;
        }
        // SAFETY: gp is a parked G handed to us alone (contract).
        unsafe { casgstatus(&*gp, GWAITING, GRUNNABLE) };
        if nglobal < room {
            // SAFETY: gp was just popped off `q`, so it is on no list.
            unsafe { global.push_back(gp) };
            nglobal += 1;
        } else {
            // SAFETY: pp is this M's P (not null here: room is finite only
            // then); gp is runnable and on no list.
            unsafe { runqput(&*pp, gp, false) };
        }
    }
    if nglobal == 0 {
        return;
    }
    s.lock.lock();
    // SAFETY: lock held; the Gs are runnable and on no other list.
    unsafe { globrunqputbatch(global, nglobal) };
    s.lock.unlock();
    for _ in 0..nglobal {
        if s.npidle.load(SeqCst) == 0 {
            break;
        }
        // SAFETY: null: startm takes an idle P itself.
        unsafe { startm(core::ptr::null_mut(), false) };
    }
}

/// Takes an idle P for this M, which holds none (find_runnable released
/// it before spinning or blocking). False if every P is busy.
fn acquire_idle_p() -> bool {
    let s = sched();
    s.lock.lock();
    // SAFETY: lock held.
    let pp = unsafe { pidleget() };
    s.lock.unlock();
    if pp.is_null() {
        return false;
    }
    // SAFETY: pp came off the idle list under the lock, so it is ours, and
    // this M holds no P (this function's contract, kept by its callers).
    unsafe { acquirep(pp) };
    true
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
///
/// An M with a locked goroutine never joins the idle list: `stopm`
/// returns at once and the `schedule` its caller runs next sends it to
/// `stoplockedm`. (The one such caller is `exitsyscall0`, whose locked
/// goroutine found no P: Go's `exitsyscall0` calls `stoplockedm` itself;
/// until that lands in `syscall.rs` at the merge, this stands in.)
pub(super) fn stopm() {
    let s = sched();
    let mp = getm();
    // SAFETY: on g0 of this M, which holds no P.
    unsafe {
        if !(*mp).p.is_null() {
            throw("stopm holding p");
        }
        if !(*mp).lockedg.is_null() {
            throw("stopm: locked m");
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
        // pp was handed to us in nextp by startm, which took it off the
        // idle list; this M holds no P (checked above).
        acquirep(pp);
    }
}

/// Runs some M on `pp` (an idle P if null), creating an M if none is idle
/// (Go's `startm`). With no idle P it does nothing (and undoes the
/// caller's `nmspinning` increment when `spinning`).
///
/// # Safety
/// `pp` is null or a P in `PIDLE` that the caller owns (released by its M,
/// on no list) and hands over to the M that is started.
pub unsafe fn startm(mut pp: *mut P, spinning: bool) {
    let s = sched();
    s.lock.lock();
    if pp.is_null() {
        // SAFETY: lock held.
        pp = unsafe { pidleget() };
        if pp.is_null() {
            s.lock.unlock();
            if spinning {
                stop_spinning(&s.nmspinning, "startm: negative nmspinning");
            }
            return;
        }
    }
    // SAFETY: lock held.
    let nmp = unsafe { mget() };
    s.lock.unlock();
    if nmp.is_null() {
        // SAFETY: pp is an idle P we own (contract, or just taken off the
        // idle list), handed to the new M.
        unsafe { newm(pp, spinning, false, mstart_new) };
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
        // A preemption asked for the time slice that ends here is moot.
        g.preempt.store(false, Relaxed);
        if !inherit_time {
            // Only this M writes it; sysmon reads it (a new slice starts).
            let t = &(*mp.p).schedtick;
            t.store(t.load(Relaxed).wrapping_add(1), Relaxed);
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
///
/// # Safety
/// `unlockf`, if given, must be sound to call with this goroutine and
/// `lock` (see [`UnlockFn`]); `lock` and whatever the wakers reach through
/// it stay alive until the goroutine runs again.
pub unsafe fn gopark(unlockf: Option<UnlockFn>, lock: *mut u8, reason: WaitReason) {
    // The unlock function is handed to park_m through this M: the
    // goroutine must still be on it when mcall switches to its g0. park_m
    // lowers the count again, on the same M.
    preempt_off();
    // SAFETY: called on a goroutine, whose M is ours (and stays so, above).
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
    // gopark raised it on this M before mcall.
    preempt_on();
    // SAFETY: on g0; gp was this M's running goroutine.
    unsafe {
        let mp = &mut *getm();
        casgstatus(&*gp, GRUNNING, GWAITING);
        dropg();
        if let Some(f) = mp.waitunlockf.take() {
            let lock = core::mem::replace(&mut mp.waitlock, core::ptr::null_mut());
            // SAFETY: gopark's caller vouched for f with this lock.
            if !f(gp, lock) {
                casgstatus(&*gp, GWAITING, GRUNNABLE);
                execute(gp, true); // schedule it back, never returns
            }
        }
    }
    schedule()
}

/// Makes a parked goroutine runnable, to run next on this P (Go's `goready`).
///
/// # Safety
/// As [`ready`]: `gp` is a G in `GWAITING`, taken off the wait queue it
/// parked on by the caller (so readied once), and the current M holds a P.
pub unsafe fn goready(gp: *mut G) {
    // SAFETY: the caller's contract is ready's; on_system_stack only changes
    // the stack, not the M or its P.
    on_system_stack(|| unsafe { ready(gp, true) });
}

/// Go's `ready`: `GWAITING` -> `GRUNNABLE`, onto the local queue.
///
/// # Safety
/// `gp` points at a G (Gs are never freed) in `GWAITING` that the caller
/// took off the wait queue it parked on, so no one else readies it; the
/// current M holds a P.
pub unsafe fn ready(gp: *mut G, next: bool) {
    // SAFETY: gp is a waiting G only we wake (contract); the current M's P
    // is valid while the M holds it (contract), and runqput is its owner's.
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

pub(super) extern "C" fn gosched_m(gp: *mut G) -> ! {
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
/// SeqCst store or RMW first (runnext's swap, a source's deadline, such as
/// `timer0_when`'s store): the hand-off with a spinner that stops is in
/// [`super::proto::spinning`].
pub fn wakep() {
    let s = sched();
    if wakep_claim(&s.npidle, &s.nmspinning) {
        // SAFETY: null: startm takes an idle P itself.
        unsafe { startm(core::ptr::null_mut(), true) };
    }
}

/// Associates `pp` with the current M (Go's `acquirep`).
///
/// # Safety
/// `pp` is a P from `allp` in `PIDLE` that the caller owns: taken off the
/// idle list under `sched.lock`, handed over in `m.nextp`, or fresh from
/// procresize; and the current M holds no P. Called on the M's g0 or on a
/// goroutine leaving a syscall.
pub unsafe fn acquirep(pp: *mut P) {
    // SAFETY: pp is a live idle P owned by the caller (contract; Ps are never
    // freed); getm is this thread's M, touched only by this thread here.
    unsafe {
        let mp = &mut *getm();
        mp.p = pp;
        (*pp).m = mp;
        super::p::caspstatus(&*pp, PIDLE, super::p::PRUNNING);
    }
}
