//! The system monitor thread: Go's `sysmon` (proc.go), here only its
//! `schedtrace` duty: with `GODEBUG=schedtrace=MS` it prints Go's `SCHED`
//! line every MS milliseconds, and with `scheddetail=1` the per-P, per-M
//! and per-G lines, in Go 1.19's format.
//!
//! sysmon runs on its own M without a P (a "system" M that checkdead does
//! not count), sleeping on a note with a timeout; it is started by
//! runtime_main only when a trace is asked for. Preemption and syscall
//! retake (the rest of Go's sysmon) would live here too.

use core::fmt::Write;
use core::sync::atomic::Ordering::Relaxed;

use super::conf::DEBUG;
use super::newm::{mcount, minit, newm};
use super::p::{P, RUNQ_SIZE};
use super::sched::{ALLGS, sched};
use crate::debug::traceback::{live_goroutines, wait_reason_name};
use crate::print::Writer;

const NANOS_PER_MILLI: i64 = 1_000_000;

/// Starts sysmon if GODEBUG asked for a scheduler trace.
pub fn start_if_wanted() {
    if DEBUG.schedtrace.load(Relaxed) > 0 {
        // SAFETY: no P to hand over (a system M never holds one).
        unsafe { newm(core::ptr::null_mut(), false, true, sysmon) };
    }
}

extern "C" fn sysmon() -> ! {
    minit();
    let start = crate::sys::time::nanotime();
    let period = i64::from(DEBUG.schedtrace.load(Relaxed)) * NANOS_PER_MILLI;
    let detailed = DEBUG.scheddetail.load(Relaxed) > 0;
    loop {
        // The next line is due one period after this one (Go's
        // `lasttrace = now`): an M that overslept prints once, late, and
        // never catches up with two lines at the same time.
        let traced_at = crate::sys::time::nanotime();
        schedtrace(detailed, start);
        let left = traced_at + period - crate::sys::time::nanotime();
        if left > 0 {
            sched().sysmon_note.sleep_timeout(left);
        }
    }
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
