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
//! With `os/signal` (Go's documented rule, os/signal's "SIGPIPE"
//! section): once the program has called `notify` for SIGPIPE, the file
//! descriptor does not matter: every kernel-sent SIGPIPE is delivered to
//! the channel and the write returns `EPIPE`, and a broken fd 1 or 2 no
//! longer kills. After `ignore(SIGPIPE)` a broken fd 1 or 2 does not kill
//! either ([`sigpipe`] returns, Go's `signal_ignored` check); the print
//! macros then drop their output.
//!
//! Invariants: the handler touches nothing but the signal queue (it may run on any thread, on
//! the signal stack or not); [`sigpipe`] takes no lock and allocates
//! nothing.

use super::sigqueue;
use super::sigtable::die_from_signal;
use crate::sys::Errno;
use crate::sys::signal::{SIGPIPE, SigInfo, sigaction};

/// Installs the SIGPIPE handler (Go's `initsig` for SIGPIPE: installed
/// whatever the inherited disposition). Called once by schedinit.
pub fn initsigpipe() {
    if let Err(e) = install() {
        crate::debug::fatal::fatal_errno("runtime: rt_sigaction failed", e.0);
    }
    sigqueue::note_installed(SIGPIPE);
}

/// Installs [`sigpipe_handler`] (at start-up, and when `os::signal`
/// gives SIGPIPE back to the runtime after an `ignore`).
pub(crate) fn install() -> Result<(), Errno> {
    sigaction(SIGPIPE, sigpipe_handler)
}

/// A SIGPIPE from the kernel: queued for `os::signal` if a channel wants
/// it; otherwise nothing to do, the write it came with returns `EPIPE`
/// and its caller decides (Go's `sighandler` for a `_SigNotify` signal).
extern "C" fn sigpipe_handler(sig: i32, _info: *mut SigInfo, _ctx: *mut u8) {
    sigqueue::sigsend(sig);
}

/// A write to fd 1 or 2 met a broken pipe (Go's `sigpipe`): returns if
/// the program ignored SIGPIPE or a channel is notified of it (queued
/// here once more: the kernel's own SIGPIPE may have been taken already,
/// or coalesces with this one); otherwise dies by SIGPIPE
/// (`dieFromSignal`).
pub fn sigpipe() {
    if sigqueue::signal_ignored(SIGPIPE) || sigqueue::sigsend(SIGPIPE) {
        return;
    }
    die_from_signal(SIGPIPE)
}
