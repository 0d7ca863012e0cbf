//! Deadlock detection: Go's `checkdead` (proc.go).
//!
//! Called with `sched.lock` held each time an M goes idle (`mput`, and a
//! locked M in `stoplockedm`, Go's `incidlelocked`) or ends (`mexit`). If
//! no M is left running goroutines or looking for them (idle Ms, idle
//! locked Ms and system Ms such as sysmon do not count; Ms whose thread
//! exited are not in `mcount`) and nothing can wake a goroutine (no pending
//! timers; a stopped timer is in no heap, so it never counts, see
//! `time::timers`), the program can never make progress: print Go's message and
//! every goroutine's header (`goroutine N [reason]:`, written by
//! `debug::traceback`), then exit 2.

use core::sync::atomic::Ordering::Relaxed;

use super::g::{G, GRUNNABLE, GRUNNING, GSYSCALL};
use super::newm::mcount;
use super::sched::{ALLGS, sched};
use crate::debug::fatal::{self, Goroutines, throw};
use crate::debug::frames::Origin;

/// Go's `checkdead`. Returns if the program can still make progress.
///
/// Called with `sched.lock` held.
pub fn checkdead() {
    let s = sched();
    // SAFETY: sched.lock is held by the caller.
    let (nmidle, nmidlelocked, nmsys) =
        unsafe { (*s.nmidle.get(), *s.nmidlelocked.get(), *s.nmsys.get()) };
    let run = mcount() - i64::from(nmidle) - i64::from(nmidlelocked) - i64::from(nmsys);
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
        let w = fatal::open(
            format_args!(""),
            &["no goroutines (main called runtime.Goexit) - deadlock!"],
        );
        fatal::close(w, Goroutines::Nothing, None);
    }
    let w = fatal::open(format_args!(""), &["all goroutines are asleep - deadlock!"]);
    fatal::close(w, Goroutines::Fatal, Some(&Origin::here()))
}
