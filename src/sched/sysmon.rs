//! The system monitor thread: Go's `sysmon` and `retake` (proc.go).
//!
//! sysmon runs on its own M without a P (a "system" M that checkdead does
//! not count), started when the program first needs it ([`start`]: its
//! first goroutine, timer or network use; Go starts it before main in any
//! case). Each round it:
//! - **preempts** the goroutine of any P whose time slice (`p.schedtick`
//!   unchanged) has lasted [`FORCE_PREEMPT_NS`] (10 ms): `preemptone` asks
//!   it with a SIGURG (`sched::preempt`);
//! - **retakes** a P left in `PSYSCALL` by `entersyscall` whose system
//!   call has lasted a whole sysmon round, if the P has work queued or no
//!   other M is idle or spinning, and after 10 ms in any case: CAS to
//!   `PIDLE`, then `handoffp` (Go's rule, and its reason: a short call
//!   keeps its P without a thread wake-up);
//! - **polls the network** when nobody has for `wakeup::STALE_POLL` (10 ms) and
//!   injects what it finds (Go's sysmon `netpoll(0)` + `injectglist`);
//! - runs the **scavenger**'s background work;
//! - with `GODEBUG=schedtrace=MS`, prints Go's `SCHED` line every MS
//!   milliseconds (`scheddetail=1`: the per-P, per-M and per-G lines), in
//!   Go 1.19's format.
//!
//! It sleeps 20 us between rounds, doubling after 50 rounds in which it
//! retook nothing, up to 10 ms (Go's delays). When every P is idle at two
//! rounds in a row (and no trace is asked for) it sleeps on
//! `sched.sysmon_note` until a P leaves the idle list (`pidleget` wakes
//! it, [`wake_if_waiting`]) or the scavenger's next deadline: an idle
//! program wakes no thread, and one whose Ps are all idle for
//! microseconds at a time does not pay a sysmon sleep and wake-up each
//! time.
//!
//! Invariant: sysmon holds no P, so it never runs goroutines and never
//! touches a P's cache or run queue tail; it reads other Ps racily (their
//! statuses and ticks are atomics) and changes a P only by a CAS of its
//! status (`PSYSCALL` -> `PIDLE`), which the P's own M races with exactly
//! one CAS of its own (`exitsyscall`'s). While it hands a P off or holds
//! goroutines it took from the poller, it counts as a running M (Go's
//! `incidlelocked(-1)`), so that checkdead sees no false deadlock.

use core::fmt::Write;
use core::sync::atomic::{
    AtomicBool,
    Ordering::{Acquire, Relaxed},
};

use super::checkdead::checkdead;
use super::conf::DEBUG;
use super::newm::{mcount, minit, newm};
use super::p::{P, PRUNNING, PSYSCALL, RUNQ_SIZE};
use super::preempt::{FORCE_PREEMPT_NS, preemptone};
use super::runq::runqempty;
use super::sched::{ALLGS, sched};
use super::schedule::inject_glist;
use super::syscall::handoffp;
use super::wakeup;
use crate::debug::traceback::{live_goroutines, wait_reason_name};
use crate::print::Writer;

const NANOS_PER_MICRO: i64 = 1_000;
const NANOS_PER_MILLI: i64 = 1_000_000;
/// sysmon's first and shortest sleep (Go: `usleep(20)`).
const MIN_DELAY_NS: i64 = 20 * NANOS_PER_MICRO;
/// Its longest sleep while some P is busy (Go: 10 ms).
const MAX_DELAY_NS: i64 = 10 * NANOS_PER_MILLI;
/// Rounds without a retake before the sleeps start doubling (Go: 50).
const IDLE_ROUNDS_BEFORE_BACKOFF: u32 = 50;
/// A system call this old loses its P even if nobody else wants it
/// (Go: 10 ms).
const SYSCALL_RETAKE_NS: i64 = 10 * NANOS_PER_MILLI;

/// sysmon's M has been started.
static STARTED: AtomicBool = AtomicBool::new(false);

/// The netpoller is in use: sysmon polls it when nobody else has.
static POLL_NET: AtomicBool = AtomicBool::new(false);

/// Starts sysmon once, when the program first needs it: its first
/// goroutine after main (`newproc`), its first timer (`time`), the
/// netpoller's first use, or `GODEBUG=schedtrace` (runtime_main). Go starts
/// it unconditionally in `runtime.main`; a program that never leaves its
/// main goroutine has nothing for it to preempt, retake or poll, so rt0
/// spares such a program (a tool that reads, computes, writes and exits)
/// the thread (about 20 us of its start-up on this VM, measured by
/// `make figures`). The one duty lost is the scavenger's: a lone main
/// goroutine's freed heap is not given back while nothing else runs. A
/// load on the fast path: callers may call it every time.
pub fn start() {
    if STARTED.load(Relaxed) {
        return;
    }
    if !STARTED.swap(true, Relaxed) {
        // SAFETY: no P to hand over (a system M never holds one).
        unsafe { newm(core::ptr::null_mut(), false, true, sysmon) };
    }
}

/// Has [`start`] started sysmon?
pub(crate) fn started() -> bool {
    STARTED.load(Relaxed)
}

/// The netpoller's first use: sysmon polls it from now on.
pub(crate) fn start_for_netpoll() {
    POLL_NET.store(true, Relaxed);
    start();
}

/// A P left the idle list: if sysmon sleeps because every P was idle, wake
/// it (Go wakes it in `exitsyscall` and `startTheWorld`; rt0 wakes it on
/// any P leaving the idle list, so that a goroutine readied from a fully
/// idle program, by a timer or the network, is preempted on time too).
///
/// # Safety
/// `sched.lock` is held.
pub(crate) unsafe fn wake_if_waiting() {
    let s = sched();
    // SAFETY: sysmon_wait is guarded by sched.lock (contract).
    unsafe {
        if *s.sysmon_wait.get() {
            *s.sysmon_wait.get() = false;
            s.sysmon_note.wakeup();
        }
    }
}

extern "C" fn sysmon() -> ! {
    minit();
    let start = crate::sys::time::nanotime();
    let period = i64::from(DEBUG.schedtrace.load(Relaxed)) * NANOS_PER_MILLI;
    let detailed = DEBUG.scheddetail.load(Relaxed) > 0;
    let mut next_trace = if period > 0 { start } else { i64::MAX };
    let mut idle = 0u32;
    let mut delay = MIN_DELAY_NS;
    let mut idle_seen = 0u32;
    let mut timer_check = i64::MAX;
    let mut scavenge_at = 0;
    loop {
        delay = if idle == 0 {
            MIN_DELAY_NS
        } else if idle > IDLE_ROUNDS_BEFORE_BACKOFF {
            (delay * 2).min(MAX_DELAY_NS)
        } else {
            delay
        };
        let mut now = crate::sys::time::nanotime();
        let wake = (now + delay)
            .min(next_trace)
            .min(timer_check)
            .min(scavenge_at);
        nap(&sched().sysmon_note, wake - now);
        now = crate::sys::time::nanotime();
        // Every P idle at two rounds in a row (Go sleeps at the first: but
        // a program whose Ps all go idle for microseconds at a time, as a
        // channel pipeline's do, would then pay a sleep and a wake-up of
        // sysmon, under sched.lock, each time).
        idle_seen = if all_idle() { idle_seen + 1 } else { 0 };
        if period == 0 && idle_seen >= IDLE_ROUNDS_BEFORE_SLEEP && wait_while_idle(now) {
            // Woken by a P leaving the idle list. The delay stays where it
            // was (Go resets it only for a P back from a system call):
            // a goroutine that starts spinning is still preempted within
            // one delay after its 10 ms.
            idle_seen = 0;
            now = crate::sys::time::nanotime();
        }
        if POLL_NET.load(Relaxed) {
            poll_network(now);
        }
        if retake(now) != 0 {
            idle = 0;
        } else {
            idle = idle.saturating_add(1);
        }
        timer_check = preempt_for_timers(now);
        if now >= scavenge_at {
            scavenge_at = scavenge_round(now);
        }
        if now >= next_trace {
            schedtrace(detailed, start);
            // The next line is due one period after this one (Go's
            // `lasttrace = now`): a sysmon that overslept prints once,
            // late, and never catches up with two lines at the same time.
            next_trace = now + period;
        }
    }
}

/// Sleeps `ns` on the note (0 or less: not at all), and leaves it clear.
fn nap(note: &super::lock::Note, ns: i64) {
    if ns > 0 {
        note.sleep_timeout(ns);
    }
    note.clear();
}

/// Rounds in a row that must find every P idle before sysmon sleeps
/// until one is not.
const IDLE_ROUNDS_BEFORE_SLEEP: u32 = 2;

/// Is every P on the idle list (a racy look)?
fn all_idle() -> bool {
    let s = sched();
    s.npidle.load(Relaxed) as i32 == s.gomaxprocs.load(Relaxed)
}

/// Go's "if every P is idle, sleep until something changes": true if
/// sysmon slept. Called after the unlocked look of the main loop; under
/// `sched.lock` it checks again and publishes
/// `sysmon_wait`, so a `pidleget` that takes a P after the check wakes it.
fn wait_while_idle(now: i64) -> bool {
    let s = sched();
    s.lock.lock();
    if !all_idle() {
        s.lock.unlock();
        return false;
    }
    // SAFETY: sched.lock is held.
    unsafe { *s.sysmon_wait.get() = true };
    s.lock.unlock();
    let until = background_deadline(now);
    if until == i64::MAX {
        // Until a P leaves the idle list.
        s.sysmon_note.sleep();
    } else {
        nap(&s.sysmon_note, until - now);
    }
    s.lock.lock();
    // SAFETY: sched.lock is held.
    unsafe { *s.sysmon_wait.get() = false };
    s.lock.unlock();
    s.sysmon_note.clear();
    true
}

/// When sysmon's own background work next wants it, even in an idle
/// program (the scavenger's next deadline): `i64::MAX` for never. The
/// scavenger runs a round now, so that memory freed just before every P
/// went idle is seen before the long sleep.
fn background_deadline(now: i64) -> i64 {
    super::scavenge::sysmon_tick(now)
}

/// A scavenger round (`sched::scavenge`); returns when the next is due:
/// when the scavenger asks, and at least once a generation, so memory
/// freed after it answered "never" is found while the program stays busy.
/// (Not every sysmon round: at 20 us apart they would contend with the
/// allocator for the heap's lock.)
fn scavenge_round(now: i64) -> i64 {
    super::scavenge::sysmon_tick(now).min(now + crate::mem::scavenge::GEN_PERIOD_NS)
}

/// A due timer is late by this much, with every P busy, before sysmon
/// preempts a P to run it.
const TIMER_LATE_NS: i64 = NANOS_PER_MILLI;

/// Timers are run by a P's scheduler (`find_runnable`'s `run_due` runs
/// every P's expired timers) or by the M blocked until the earliest one,
/// which exists only while some P is idle. With every P running a
/// goroutine that never yields, a due timer would wait for the next 10 ms
/// preemption; so when the earliest deadline is [`TIMER_LATE_NS`] past
/// and no P is idle, sysmon preempts the P whose goroutine has run
/// longest, and its scheduler runs the timers. (Go 1.19's sysmon only
/// starts an M for late timers when a P is idle, and otherwise leaves
/// them to the 10 ms preemption.) Returns when to look again.
fn preempt_for_timers(now: i64) -> i64 {
    let next = wakeup::earliest_deadline();
    if next == 0 || next == wakeup::NO_DEADLINE {
        return i64::MAX;
    }
    if next + TIMER_LATE_NS > now {
        return next + TIMER_LATE_NS;
    }
    let s = sched();
    if s.npidle.load(Relaxed) > 0 {
        // The M blocked in the sources' poll wakes for it.
        return i64::MAX;
    }
    let mut oldest: Option<(&P, i64)> = None;
    for &pp in s.allp() {
        // SAFETY: Ps are never freed; sysmontick is sysmon's alone.
        let (p, pd) = unsafe { (&*pp, &*(*pp).sysmontick.get()) };
        if p.status.load(Relaxed) == PRUNNING && oldest.is_none_or(|(_, w)| pd.schedwhen < w) {
            oldest = Some((p, pd.schedwhen));
        }
    }
    if let Some((p, _)) = oldest {
        preemptone(p);
    }
    // Not run yet (a refused preemption, or the scheduler is on its way):
    // look again soon.
    now + TIMER_LATE_NS
}

/// Go's `retake`: preempt Ps whose goroutine has run for 10 ms, take Ps
/// back from system calls that last. Returns how many Ps were retaken
/// from system calls.
fn retake(now: i64) -> u32 {
    let s = sched();
    let mut n = 0;
    for &pp in s.allp() {
        // SAFETY: Ps are never freed; sysmontick is sysmon's alone.
        let (p, pd) = unsafe { (&*pp, &mut *(*pp).sysmontick.get()) };
        let status = p.status.load(Acquire);
        let mut sysretake = false;
        if status == PRUNNING || status == PSYSCALL {
            let t = p.schedtick.load(Relaxed);
            if pd.schedtick != t {
                pd.schedtick = t;
                pd.schedwhen = now;
            } else if pd.schedwhen + FORCE_PREEMPT_NS <= now {
                preemptone(p);
                // A system call counts as a time slice too: past 10 ms
                // it loses its P below.
                sysretake = true;
            }
        }
        if status != PSYSCALL {
            continue;
        }
        let t = p.syscalltick.load(Relaxed);
        if !sysretake && pd.syscalltick != t {
            // A new system call since the last round: give it one.
            pd.syscalltick = t;
            pd.syscallwhen = now;
            continue;
        }
        // Go: keep the P with the call if it has nothing queued, someone
        // else can take new work, and the call is younger than 10 ms.
        if runqempty(p)
            && s.nmspinning.load(Relaxed) + s.npidle.load(Relaxed) > 0
            && pd.syscallwhen + SYSCALL_RETAKE_NS > now
        {
            continue;
        }
        as_running(|| {
            if super::proto::psyscall::retake(&p.status, super::p::PIDLE) {
                n += 1;
                p.syscalltick
                    .store(p.syscalltick.load(Relaxed).wrapping_add(1), Relaxed);
                // The CAS made the P ours: its M gets it back only
                // through the idle list now.
                handoffp(pp);
            }
        });
    }
    n
}

/// Runs `f` with sysmon counted as a running M (Go's `incidlelocked(-1)`
/// / `incidlelocked(1)`), then runs checkdead as Go's `incidlelocked(1)`
/// does: an M that went idle meanwhile saw sysmon running and said
/// nothing, and a real deadlock must still be reported.
fn as_running(f: impl FnOnce()) {
    let s = sched();
    s.lock.lock();
    // SAFETY: sched.lock is held.
    unsafe { *s.nmsys.get() -= 1 };
    s.lock.unlock();
    f();
    s.lock.lock();
    // SAFETY: sched.lock is held.
    unsafe { *s.nmsys.get() += 1 };
    // With sched.lock held, as checkdead requires.
    checkdead();
    s.lock.unlock();
}

/// sysmon's network poll. While it holds goroutines it took out of the
/// poller and has not queued yet, sysmon counts as a running M
/// ([`as_running`]): otherwise the last M going idle meanwhile would find
/// no running M, no runnable queue and no waiter left in the poller, and
/// report a deadlock that is not one (seen: `checkdead: runnable g`,
/// under qemu, in the netpoll_stream stress case); and a real deadlock
/// would otherwise go unreported for ever (seen: net_idle
/// `chan_listener` hanging instead of dying, 2 runs in 80 under qemu).
fn poll_network(now: i64) {
    if !wakeup::poll_is_stale(now) {
        return;
    }
    as_running(|| {
        let found = wakeup::poll_if_stale(now);
        // SAFETY: the poll handed over parked Gs it took off their wait
        // queues; this M holds no P, so they go to the global queue.
        unsafe { inject_glist(found) };
    });
}

fn runq_len(pp: &P) -> u32 {
    let h = pp.runq.head.load(Relaxed);
    let t = pp.runq.tail.load(Relaxed);
    t.wrapping_sub(h).min(RUNQ_SIZE as u32)
}

/// Prints one scheduler trace (Go's `schedtrace`).
pub fn schedtrace(detailed: bool, start: i64) {
    let s = sched();
    let now = crate::sys::time::nanotime();
    s.lock.lock();
    // SAFETY: sched.lock is held for the counters; Ps, Ms and Gs are never
    // freed, and their fields are read racily, as Go's schedtrace does.
    unsafe {
        let mut w = Writer::stderr();
        let _ = write!(
            w,
            "SCHED {}ms: gomaxprocs={} idleprocs={} threads={} spinningthreads={} idlethreads={} runqueue={}",
            (now - start) / NANOS_PER_MILLI,
            s.gomaxprocs.load(Relaxed),
            s.npidle.load(Relaxed),
            mcount(),
            s.nmspinning.load(Relaxed),
            *s.nmidle.get(),
            *s.runqsize.get()
        );
        if detailed {
            let _ = writeln!(w, " gcwaiting=0 nmidlelocked=0 stopwait=0 sysmonwait=0");
        }
        let allp = s.allp();
        for (i, &pp) in allp.iter().enumerate() {
            let p = &*pp;
            if detailed {
                let mid = if p.m.is_null() { -1 } else { (*p.m).id };
                let _ = writeln!(
                    w,
                    "  P{}: status={} schedtick={} syscalltick={} m={} runqsize={} gfreecnt={} timerslen={}",
                    i,
                    p.status.load(Relaxed),
                    p.schedtick.load(Relaxed),
                    p.syscalltick.load(Relaxed),
                    mid,
                    runq_len(p),
                    p.gfree.n,
                    p.timers.len()
                );
            } else {
                let _ = write!(
                    w,
                    "{}{}{}",
                    if i == 0 { " [" } else { " " },
                    runq_len(p),
                    if i == allp.len() - 1 { "]\n" } else { "" }
                );
            }
        }
        if detailed {
            let mut mp = (*s.allm.get()).head;
            while !mp.is_null() {
                let m = &*mp;
                let pid = if m.p.is_null() { -1 } else { (*m.p).id };
                let curg = if m.curg.is_null() {
                    -1
                } else {
                    (*m.curg).goid as i64
                };
                let _ = writeln!(
                    w,
                    "  M{}: p={} curg={} mallocing=0 throwing=0 preemptoff= locks=0 dying=0 spinning={} blocked={} lockedg=-1",
                    m.id,
                    pid,
                    curg,
                    m.spinning.load(Relaxed),
                    m.p.is_null() && !m.is_system
                );
                mp = m.alllink;
            }
            for g in live_goroutines(&ALLGS.lock()) {
                let mid = if g.m.is_null() { -1 } else { (*g.m).id };
                let _ = writeln!(
                    w,
                    "  G{}: status={}({}) m={} lockedm=-1",
                    g.goid,
                    g.status(),
                    wait_reason_name(g.waitreason),
                    mid
                );
            }
        }
    }
    s.lock.unlock();
}
