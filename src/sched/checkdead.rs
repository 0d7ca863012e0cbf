//! Deadlock detection: Go's `checkdead` (proc.go).
//!
//! Called when an M finds nothing to run. If no M is running a goroutine
//! and no goroutine can be woken (no timers, no poller), the program can
//! never make progress: print Go's message and every goroutine's header,
//! then exit 2.

use super::g::{GDEAD, GRUNNING, GWAITING, G, status_name};
use super::sched::ALLGS;
use crate::debug::fatal::fatal_header;
use crate::print::Writer;
use core::fmt::Write;

/// Reports the deadlock and exits 2. In the single-M scheduler an M with
/// nothing to run means nobody else can produce work.
pub fn checkdead() -> ! {
    fatal_header("all goroutines are asleep - deadlock!");
    print_goroutine_headers();
    crate::sys::process::exit_group(2)
}

/// Prints `goroutine N [reason]:` for every live goroutine, to stderr.
pub fn print_goroutine_headers() {
    let allgs = ALLGS.lock();
    for &gp in allgs.iter() {
        // SAFETY: Gs in allgs are never freed.
        let g = unsafe { &*(gp as *const G) };
        let st = g.status();
        if st == GDEAD {
            continue;
        }
        let mut w = Writer::stderr();
        let reason = if st == GWAITING && g.waitreason.as_str() != "" {
            g.waitreason.as_str()
        } else if st == GRUNNING {
            "running"
        } else {
            status_name(st)
        };
        let _ = write!(w, "\ngoroutine {} [{}]:\n", g.goid, reason);
    }
}
