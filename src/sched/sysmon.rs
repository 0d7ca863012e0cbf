//! The system monitor thread: Go's `sysmon` (proc.go), here two of its
//! duties:
//! - `schedtrace`: with `GODEBUG=schedtrace=MS` it prints Go's `SCHED`
//!   line every MS milliseconds, and with `scheddetail=1` the per-P,
//!   per-M and per-G lines, in Go 1.19's format;
//! - the network: while every M is busy running goroutines, nobody polls
//!   the netpoller, so every [`STALE_POLL`] (10 ms) sysmon polls it
//!   without blocking and injects what it finds (Go's sysmon
//!   `netpoll(0)` + `injectglist`).
//!
//! sysmon runs on its own M without a P (a "system" M that checkdead does
//! not count), sleeping on a note with a timeout. It is started once, by
//! runtime_main when a trace is asked for, or by the netpoller when it is
//! first used (a program that neither traces nor touches the network has
//! no sysmon thread). Preemption and syscall retake (the rest of Go's
//! sysmon) will live here too.

use core::fmt::Write;
use core::sync::atomic::{AtomicBool, Ordering::Relaxed};

use super::checkdead::checkdead;
use super::conf::DEBUG;
use super::newm::{mcount, minit, newm};
use super::p::{P, RUNQ_SIZE};
use super::sched::{ALLGS, sched};
use super::schedule::inject_glist;
use super::wakeup::{self, STALE_POLL};
use crate::debug::traceback::{live_goroutines, wait_reason_name};
use crate::print::Writer;

const NANOS_PER_MILLI: i64 = 1_000_000;

/// sysmon's M has been started.
static STARTED: AtomicBool = AtomicBool::new(false);

/// The netpoller is in use: sysmon polls it when nobody else has.
static POLL_NET: AtomicBool = AtomicBool::new(false);

/// Starts sysmon once.
fn start() {
    if !STARTED.swap(true, Relaxed) {
        // SAFETY: no P to hand over (a system M never holds one).
        unsafe { newm(core::ptr::null_mut(), false, true, sysmon) };
    }
}

/// Starts sysmon if GODEBUG asked for a scheduler trace.
pub fn start_if_wanted() {
    if DEBUG.schedtrace.load(Relaxed) > 0 {
        start();
    }
}

/// The netpoller's first use: sysmon starts (if it has not) and polls it.
pub(crate) fn start_for_netpoll() {
    POLL_NET.store(true, Relaxed);
    // A sysmon already started for a trace takes up its new duty when it
    // next wakes, at most one trace period from now.
    start();
}

extern "C" fn sysmon() -> ! {
    minit();
    let start = crate::sys::time::nanotime();
    let period = i64::from(DEBUG.schedtrace.load(Relaxed)) * NANOS_PER_MILLI;
    let detailed = DEBUG.scheddetail.load(Relaxed) > 0;
    let mut next_trace = if period > 0 { start } else { i64::MAX };
    loop {
        let now = crate::sys::time::nanotime();
        if now >= next_trace {
            schedtrace(detailed, start);
            // The next line is due one period after this one (Go's
            // `lasttrace = now`): a sysmon that overslept prints once,
            // late, and never catches up with two lines at the same time.
            next_trace = now + period;
        }
        let mut wake_at = next_trace;
        if POLL_NET.load(Relaxed) {
            poll_network(now);
            wake_at = wake_at.min(now + STALE_POLL);
        }
        wake_at = wake_at.min(super::scavenge::sysmon_tick(now));
        let left = wake_at - crate::sys::time::nanotime();
        if left > 0 {
            sched().sysmon_note.sleep_timeout(left);
        }
    }
}

/// sysmon's network poll. While it holds goroutines it took out of the
/// poller and has not queued yet, sysmon counts as a running M (Go's
/// `incidlelocked(-1)` around sysmon's `injectglist`): otherwise the last
/// M going idle meanwhile would find no running M, no runnable queue and
/// no waiter left in the poller, and report a deadlock that is not one
/// (seen: `checkdead: runnable g`, under qemu, in the netpoll_stream
/// stress case). And so, once it counts as idle again, it runs checkdead
/// itself (Go's `incidlelocked(1)` does): the last M that went idle
/// during the poll saw sysmon running and said nothing, and a real
/// deadlock would otherwise go unreported for ever (seen: net_idle
/// `chan_listener` hanging instead of dying, 2 runs in 80 under qemu).
fn poll_network(now: i64) {
    let s = sched();
    s.lock.lock();
    // SAFETY: sched.lock is held.
    unsafe { *s.nmsys.get() -= 1 };
    s.lock.unlock();
    let found = wakeup::poll_if_stale(now);
    // SAFETY: the poll handed over parked Gs it took off their wait queues;
    // this M holds no P, so they go to the global queue.
    unsafe { inject_glist(found) };
    s.lock.lock();
    // SAFETY: sched.lock is held.
    unsafe { *s.nmsys.get() += 1 };
    // With sched.lock held, as checkdead requires.
    checkdead();
    s.lock.unlock();
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
                    "  P{}: status={} schedtick={} syscalltick=0 m={} runqsize={} gfreecnt={} timerslen={}",
                    i,
                    p.status.load(Relaxed),
                    p.schedtick,
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
