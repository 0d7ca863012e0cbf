//! Processes: this one ([`exit`], [`id`], [`abort`]; Go's `os.Exit`,
//! `os.Getpid`; Rust's `std::process::exit`, `id`, `abort`) and children
//! ([`Command`], [`Child`], [`ExitStatus`], [`Output`], [`Stdio`]; std's
//! `std::process`, Go's `os/exec` over `os.StartProcess`).
//!
//! What a program may rely on: [`exit`] ends every thread of the process at
//! once with the given status, as `exit_group(2)` does; nothing runs after
//! it (no destructors, no deferred work: rt0 programs have no buffered
//! output to flush, each `println!` is written when it is called).
//!
//! Children are started with `clone(CLONE_VM | CLONE_VFORK)` on a small
//! stack of their own, running only raw system calls until `execve`
//! (`sys::spawn`'s note), so spawning from many goroutines on many threads
//! at once is safe; exec failures come back as `io::Error`s; waiting parks
//! the goroutine on the child's pidfd (`child`'s note). The README's
//! "Processes (rt0::process)" says what qemu-user users see.

mod child;
mod command;
mod status;

pub use child::{Child, ChildStderr, ChildStdin, ChildStdout};
pub use command::{Command, Stdio};
pub use status::{ExitStatus, Output};

/// Ends the process with status `code` (Go's `os.Exit`, Rust's
/// `std::process::exit`).
///
/// Every goroutine and thread stops at once; values owned by any
/// goroutine's frames are not dropped. The status is what the parent sees
/// from `wait`: 0 for success, by convention 2 for a Go-style runtime
/// failure and 64 (`EX_USAGE`) for bad arguments. Only the low 8 bits
/// reach the parent, as with every Linux exit status.
pub fn exit(code: i32) -> ! {
    crate::sys::process::exit_group(code)
}

/// This process's id (Go's `os.Getpid`, Rust's `std::process::id`).
pub fn id() -> u32 {
    crate::sys::process::getpid() as u32
}

/// Ends the process abnormally with `SIGABRT` (Rust's
/// `std::process::abort`): the signal's default action (terminate, dump
/// core) is restored and the signal unblocked first, so the parent sees
/// "killed by signal 6" whatever handler was installed.
pub fn abort() -> ! {
    use crate::sys::signal::{SIGABRT, raise, setsig_default, sigmask, unblock};
    let _ = setsig_default(SIGABRT);
    let _ = unblock(sigmask(SIGABRT));
    let _ = raise(SIGABRT);
    // Not reached unless the signal could not be sent: end as abort(3)'s
    // status would read to a shell.
    crate::sys::process::exit_group(ABORT_FALLBACK_STATUS)
}

/// The exit status of [`abort`] if `SIGABRT` could not be raised: 128 +
/// SIGABRT, what a shell reports for a process killed by it.
const ABORT_FALLBACK_STATUS: i32 = 128 + crate::sys::signal::SIGABRT;
