//! Fatal errors: Go's `throw` and `fatal` (panic.go). Print the lines Go
//! prints before it throws (`runtime: ...`), `fatal error: <msg>`, the
//! current goroutine's header when the error has one, and exit with
//! status 2. They use neither heap nor locks, so they work from any
//! state, including before the heap exists; they are serialised with
//! every other death and written from g0's stack (see [`super::dying`]).
//!
//! Every fatal report is `open` (enter the dying state, write the
//! message) then `close` (the goroutine section, exit 2); the public
//! functions below are one call of `fatal` each, and the reports that
//! need more (checkdead, the fault handler) call `open` or
//! `write_message`, and `close`, themselves.

use core::fmt::{self, Write};

use super::dying::{self, Dying, Report};
use super::frames::Origin;
use super::traceback::{self, Kind};

pub use super::dying::EXIT_FATAL;

/// What a report writes after its message (Go's goroutine section of
/// `dopanic_m`; [`traceback::Kind`] says what each shows).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Goroutines {
    /// Nothing: start-up failures, and checkdead's `Goexit` deadlock.
    Nothing,
    /// A broken runtime invariant: the failing goroutine with the
    /// runtime's frames, then every other.
    Throw,
    /// A fatal error of the program (checkdead's deadlock): every goroutine.
    Fatal,
    /// A runtime-error panic (a nil dereference): the failing goroutine.
    Panic,
}

/// What a death inside a runtime report prints (Go's `startpanic_m` at
/// `m.dying == 1`): the report so far stays, then `panic during panic`.
pub fn nested_in_report(mut w: Report) -> ! {
    w.end_line();
    let _ = writeln!(w, "panic during panic");
    w.exit()
}

/// Writes a fatal error's text: `prelude` (the `runtime: ...` lines Go
/// prints before it throws, each ending in a newline; empty for none),
/// then `fatal error: ` and the parts of `msg` on one line.
pub(crate) fn write_message(w: &mut Report, prelude: fmt::Arguments, msg: &[&str]) {
    let _ = w.write_fmt(prelude);
    let _ = w.write_str("fatal error: ");
    for part in msg {
        let _ = w.write_str(part);
    }
    let _ = w.write_str("\n");
}

/// Opens a fatal report: enters the dying state ([`dying::start_dying`])
/// and returns the report, with the message written ([`write_message`]),
/// to its owner, which ends it with [`close`]. The owner dying again
/// prints `panic during panic` and exits here; any other thread parks here
/// forever, so the owner's report is never cut short.
pub(crate) fn open(prelude: fmt::Arguments, msg: &[&str]) -> Report {
    match dying::start_dying() {
        Dying::Owner(mut w) => {
            write_message(&mut w, prelude, msg);
            w
        }
        Dying::Nested(w) => nested_in_report(w),
    }
}

/// Closes a report: writes `goroutines` ([`super::traceback`]), the
/// failing one's frames from `origin` (the registers where the error was
/// raised; none: this M's current goroutine as it was switched out), and
/// ends the process (status 2, or SIGABRT with GOTRACEBACK=crash).
pub(crate) fn close(mut w: Report, goroutines: Goroutines, origin: Option<&Origin>) -> ! {
    let kind = match goroutines {
        Goroutines::Nothing => w.exit(),
        Goroutines::Throw => Kind::Throw,
        Goroutines::Fatal => Kind::Fatal,
        Goroutines::Panic => Kind::Panic,
    };
    traceback::goroutines(&mut w, origin, kind);
    w.exit()
}

/// A whole fatal error, written on g0 ([`dying::on_g0`]): [`open`] with
/// `prelude` and `msg`, then [`close`] with `goroutines`, the frames
/// starting here.
fn fatal(prelude: fmt::Arguments, msg: &[&str], goroutines: Goroutines) -> ! {
    let origin = Origin::here();
    dying::on_g0(move || close(open(prelude, msg), goroutines, Some(&origin)))
}

/// A runtime invariant is broken (Go's `throw`).
pub fn throw(msg: &str) -> ! {
    // Host unit tests have no M to report from: a throw there is a panic
    // the test can expect (`#[should_panic]`).
    #[cfg(test)]
    panic!("fatal error: {msg}");
    #[cfg(not(test))]
    fatal(format_args!(""), &[msg], Goroutines::Throw)
}

/// [`throw`] with a detail appended to the message.
pub fn throw_detail(msg: &str, detail: &str) -> ! {
    fatal(format_args!(""), &[msg, detail], Goroutines::Throw)
}

/// The message of every start-up failure, after the line that says what
/// failed.
const INIT_FAILED: &str = "runtime initialization failed";

/// A failed system call during start-up: the call, the errno, exit 2.
pub fn fatal_errno(what: &str, errno: i32) -> ! {
    fatal(
        format_args!("{what}: errno {errno}\n"),
        &[INIT_FAILED],
        Goroutines::Nothing,
    )
}

/// A start-up check that read an unexpected value.
pub fn fatal_hex(what: &str, value: usize) -> ! {
    fatal(
        format_args!("{what} {value:#x}\n"),
        &[INIT_FAILED],
        Goroutines::Nothing,
    )
}

/// The kernel refused address space for the heap (Go's `mheap.grow` when
/// `sysReserve` fails): `runtime: out of memory: cannot allocate N-byte
/// block (M in use)` then `fatal error: out of memory`. `size` is what
/// was asked of the kernel.
pub fn out_of_memory(size: usize, in_use: usize) -> ! {
    fatal(
        format_args!(
            "runtime: out of memory: cannot allocate {size}-byte block ({in_use} in use)\n"
        ),
        &["out of memory"],
        Goroutines::Throw,
    )
}

/// The kernel refused to commit heap memory it had reserved (Go's
/// `sysMapOS` on ENOMEM: the overcommit policy said no):
/// `fatal error: runtime: out of memory`.
pub fn out_of_memory_commit() -> ! {
    fatal(
        format_args!(""),
        &["runtime: out of memory"],
        Goroutines::Throw,
    )
}

/// The kernel refused memory for a goroutine stack.
pub fn out_of_memory_stack(size: usize, errno: i32) -> ! {
    fatal(
        format_args!("runtime: cannot allocate {size}-byte stack: errno {errno}\n"),
        &["out of memory"],
        Goroutines::Throw,
    )
}

/// More Ms than `sched.maxmcount` (Go's `checkmcount`).
pub fn fatal_msg_maxmcount(max: i32) -> ! {
    fatal(
        format_args!("runtime: program exceeds {max}-thread limit\n"),
        &["thread exhaustion"],
        Goroutines::Throw,
    )
}

/// `clone` failed for a new M (Go's `newosproc` failure).
pub fn fatal_newosproc(have: i64, errno: i32) -> ! {
    let hint = if errno == crate::sys::Errno::EAGAIN.0 {
        "runtime: may need to increase max user processes (ulimit -u)\n"
    } else {
        ""
    };
    fatal(
        format_args!(
            "runtime: failed to create new OS thread (have {have} already; errno={errno})\n{hint}"
        ),
        &["newosproc"],
        Goroutines::Throw,
    )
}
