//! Deadlock detection: Go's `checkdead` (proc.go).
//!
//! Called with `sched.lock` held each time an M goes idle (`mput`). If no
//! M is left running goroutines or looking for them (system Ms such as
//! sysmon do not count) and nothing can wake a goroutine (no pending
//! timers; a stopped timer is in no heap, so it never counts, see
//! `time::timers`), the program can never make progress: print Go's message and
//! every goroutine's header (`goroutine N [reason]:`, written by
//! `debug::traceback`), then exit 2.

use core::sync::atomic::Ordering::Relaxed;

use super::g::{G, GRUNNABLE, GRUNNING, GSYSCALL};
use super::newm::mcount;
use super::sched::{ALLGS, sched};
use crate::debug::fatal::{self, Goroutines, throw};

/// Hooks that can still wake a goroutine while no M runs (timers); set by
/// the subsystems that own them.
pub static WAKE_SOURCES: spin::Mutex<[Option<WakeSource>; 4]> = spin::Mutex::new([None; 4]);

/// "Could something still wake a goroutine?"
pub type WakeSource = fn() -> bool;

/// Registers a "can something still wake a goroutine?" check.
pub fn register_wake_source(f: fn() -> bool) {
    let mut ws = WAKE_SOURCES.lock();
    if let Some(slot) = ws.iter_mut().find(|s| s.is_none()) {
        *slot = Some(f);
    }
}

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
    for f in WAKE_SOURCES.lock().iter().flatten() {
        if f() {
            return; // a timer will fire and an M wakes for it
        }
    }
    if s.main_goexited.load(Relaxed) && s.ngoroutines.load(Relaxed) == 0 {
        let w = fatal::open(
            format_args!(""),
            &["no goroutines (main called runtime.Goexit) - deadlock!"],
        );
        fatal::close(w, Goroutines::Nothing);
    }
    let w = fatal::open(format_args!(""), &["all goroutines are asleep - deadlock!"]);
    fatal::close(w, Goroutines::All)
}
