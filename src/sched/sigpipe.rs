//! SIGPIPE as Go has it: Go's `sigpipe` and `dieFromSignal`
//! (runtime/signal_unix.go), and the part of `sighandler` that catches a
//! SIGPIPE the kernel sends and does nothing with it.
//!
//! Go's rule, and rt0's: a write to a broken pipe returns `EPIPE` to the
//! writer whatever the inherited disposition (the runtime installs its own
//! handler for SIGPIPE even when the parent left it ignored, and that
//! handler ignores a kernel-sent SIGPIPE when nobody asked for it with
//! os/signal). Then it depends on who wrote:
//! - `fmt.Println` and every `os.File` write to fd 1 or 2 (here
//!   `println!`, `print!`, `eprintln!`, `eprint!`): `epipecheck` calls
//!   `sigpipe`, which kills the process with SIGPIPE: default action,
//!   unblocked, raised on the writing thread. Inherited-ignored makes no
//!   difference: Go's first raise is forwarded to the inherited SIG_IGN
//!   and does nothing, its second with SIG_DFL kills.
//! - the runtime's own messages (Go's builtin `print`; here panic and
//!   fatal-error reports, traces): the error is ignored, the program goes
//!   on, and a dying program still exits 2.
//!
//! Seen with Go 1.19 on this machine (tests/print.rs cites it): a
//! `fmt.Println` loop to a pipe whose reader closes dies by signal 13
//! with SIGPIPE inherited default and inherited ignored; a builtin
//! `println` loop to such a stderr runs to the end and exits 0; a panic
//! with such a stderr exits 2 either way.
//!
//! Invariants: the handler touches nothing (it may run on any thread, on
//! the signal stack or not); [`sigpipe`] takes no lock and allocates
//! nothing.

use super::sigtable::die_from_signal;
use crate::sys::signal::{SIGPIPE, SigInfo, sigaction};

/// Installs the SIGPIPE handler (Go's `initsig` for SIGPIPE: installed
/// whatever the inherited disposition). Called once by schedinit.
pub fn initsigpipe() {
    if let Err(e) = sigaction(SIGPIPE, sigpipe_handler) {
        crate::debug::fatal::fatal_errno("runtime: rt_sigaction failed", e.0);
    }
}

/// A SIGPIPE from the kernel: nothing to do, the write it came with
/// returns `EPIPE` and its caller decides (Go's `sighandler` for a
/// `_SigNotify` signal that nobody is notified of).
extern "C" fn sigpipe_handler(_sig: i32, _info: *mut SigInfo, _ctx: *mut u8) {}

/// A write to fd 1 or 2 met a broken pipe: die by SIGPIPE (Go's
/// `sigpipe`, with no os/signal to hand it to, then `dieFromSignal`).
pub fn sigpipe() -> ! {
    die_from_signal(SIGPIPE)
}
