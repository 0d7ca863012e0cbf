//! Deadlock detection: Go's `checkdead` (proc.go).
//!
//! Called with `sched.lock` held each time an M goes idle (`mput`). If no
//! M is left running goroutines or looking for them (system Ms such as
//! sysmon do not count) and nothing can wake a goroutine (no pending
//! timers; a stopped timer is in no heap, so it never counts, see
//! `time::timers`), the program can never make progress: print Go's message and
//! every goroutine's header (`goroutine N [reason]:`), then exit 2.

use core::fmt::Write;
use core::sync::atomic::Ordering::Relaxed;

use super::g::{G, GDEAD, GRUNNABLE, GRUNNING, GSYSCALL, GWAITING, status_name};
use super::newm::mcount;
use super::sched::{ALLGS, sched};
use crate::debug::fatal::{fatal_header, throw};
use crate::print::Writer;

/// Go's `checkdead`. Returns if the program can still make progress.
///
/// Called with `sched.lock` held.
pub fn checkdead() {
    let s = sched();
    // SAFETY: sched.lock is held by the caller.
    let (nmidle, nmsys) = unsafe { (*s.nmidle.get(), *s.nmsys.get()) };
    let run = mcount() - i64::from(nmidle) - i64::from(nmsys);
    if run > 0 {
        return;
    }
    if run < 0 {
        throw("checkdead: inconsistent counts");
    }
    {
        let allgs = ALLGS.lock();
        for &gp in allgs.iter() {
            // SAFETY: Gs in allgs are never freed.
            let st = unsafe { (*(gp as *const G)).status() };
            if st == GRUNNABLE || st == GRUNNING || st == GSYSCALL {
                throw("checkdead: runnable g");
            }
        }
    }
    if super::wakeup::pending() {
        return; // a wake-up source (a timer) has work and an M wakes for it
    }
    if s.main_goexited.load(Relaxed) && s.ngoroutines.load(Relaxed) == 0 {
        fatal_header("no goroutines (main called runtime.Goexit) - deadlock!");
        crate::sys::process::exit_group(crate::debug::fatal::EXIT_FATAL);
    }
    fatal_header("all goroutines are asleep - deadlock!");
    print_goroutine_headers();
    crate::sys::process::exit_group(crate::debug::fatal::EXIT_FATAL)
}

/// Prints `goroutine N [reason]:` for every live goroutine, to stderr.
pub fn print_goroutine_headers() {
    print_goroutine_headers_except(&ALLGS.lock(), &[]);
}

/// Prints the header of every live goroutine of `allgs` (Go's `allgs`
/// order) except those in `skip`, each after a blank line, as Go's
/// `tracebackothers` does. Takes no lock: the caller holds `ALLGS`.
pub fn print_goroutine_headers_except(allgs: &[usize], skip: &[*const G]) {
    for &gp in allgs.iter() {
        if skip.contains(&(gp as *const G)) {
            continue;
        }
        // SAFETY: Gs in allgs are never freed.
        let g = unsafe { &*(gp as *const G) };
        if g.status() != GDEAD {
            print_goroutine_header(g);
        }
    }
}

/// Prints a blank line and `goroutine N [reason]:` for `g` (Go's
/// `goroutineheader`): the wait reason of a waiting goroutine, else the
/// name of its status.
pub fn print_goroutine_header(g: &G) {
    let st = g.status();
    let reason = if st == GWAITING && !g.waitreason.as_str().is_empty() {
        g.waitreason.as_str()
    } else {
        status_name(st)
    };
    let mut w = Writer::stderr();
    let _ = writeln!(w, "\ngoroutine {} [{}]:", g.goid, reason);
}
