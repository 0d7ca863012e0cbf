//! Fatal errors: Go's `throw` and `fatal` (panic.go). Print
//! `fatal error: <msg>`, the current goroutine's header when there is one,
//! and exit with status 2. They use neither heap nor locks, so they work
//! from any state, including before the heap exists; they are serialised
//! with every other death and written from g0's stack
//! (see [`super::dying`]).

use core::fmt::Write;

use super::dying::{self, Dying, Report};
use crate::sched::sched::getg;

pub use super::dying::EXIT_FATAL;

/// Enters the dying state for a caller that writes its report itself
/// (with [`Writer`](crate::print::Writer)) and then calls `exit_group(EXIT_FATAL)`: returns true
/// to the owner of the report, false to the owner dying again (which must
/// exit without printing more); any other thread parks here forever, so
/// the owner's report is never cut short. New code should prefer
/// [`dying::start_dying`], whose [`Report`] keeps what was written when a
/// second death interrupts it.
pub fn start_dying() -> bool {
    match dying::start_dying() {
        Dying::Owner(_) => true,
        Dying::Nested(_) => false,
    }
}

/// What a death inside a runtime report prints (Go's `startpanic_m` at
/// `m.dying == 1`): the report so far stays, then `panic during panic`.
pub fn nested_in_report(mut w: Report) -> ! {
    w.end_line();
    let _ = writeln!(w, "panic during panic");
    w.exit()
}

/// Writes a fatal report on g0: `f` writes the text, then the goroutine
/// header when `header` is set, then exit 2.
fn fatal_report(header: bool, f: impl FnOnce(&mut Report)) -> ! {
    dying::on_g0(move || match dying::start_dying() {
        Dying::Owner(mut w) => {
            f(&mut w);
            if header {
                w.goroutine_header();
            }
            w.exit()
        }
        Dying::Nested(w) => nested_in_report(w),
    })
}

/// Prints `fatal error: <msg>` to stderr and returns to the owner of the
/// report, which prints the rest (with [`Writer`](crate::print::Writer)) and exits 2.
pub fn fatal_header(msg: &str) {
    match dying::start_dying() {
        Dying::Owner(mut w) => {
            let _ = writeln!(w, "fatal error: {msg}");
            w.flush();
        }
        Dying::Nested(w) => nested_in_report(w),
    }
}

/// The current user goroutine's id, if one is running on this M.
pub fn current_goid() -> Option<u64> {
    let g = getg();
    if g.is_null() {
        return None;
    }
    // SAFETY: a non-null g has a valid m whose curg is null or valid.
    unsafe {
        let m = (*g).m;
        if m.is_null() || (*m).curg.is_null() {
            return None;
        }
        Some((*(*m).curg).goid)
    }
}

/// A runtime invariant is broken (Go's `throw`).
pub fn throw(msg: &str) -> ! {
    // Host unit tests have no M to report from: a throw there is a panic
    // the test can expect (`#[should_panic]`).
    #[cfg(test)]
    panic!("fatal error: {msg}");
    #[cfg(not(test))]
    fatal_report(true, |w| {
        let _ = writeln!(w, "fatal error: {msg}");
    })
}

/// [`throw`] with a detail appended to the message.
pub fn throw_detail(msg: &str, detail: &str) -> ! {
    fatal_report(true, |w| {
        let _ = writeln!(w, "fatal error: {msg}{detail}");
    })
}

/// A failed system call during start-up: the call, the errno, exit 2.
pub fn fatal_errno(what: &str, errno: i32) -> ! {
    fatal_report(false, |w| {
        let _ = writeln!(
            w,
            "{what}: errno {errno}\nfatal error: runtime initialization failed"
        );
    })
}

/// A start-up check that read an unexpected value.
pub fn fatal_hex(what: &str, value: usize) -> ! {
    fatal_report(false, |w| {
        let _ = writeln!(
            w,
            "{what} {value:#x}\nfatal error: runtime initialization failed"
        );
    })
}

/// The kernel refused address space for the heap (Go's `mheap.grow` when
/// `sysReserve` fails): `runtime: out of memory: cannot allocate N-byte
/// block (M in use)` then `fatal error: out of memory`. `size` is what
/// was asked of the kernel.
pub fn out_of_memory(size: usize, in_use: usize) -> ! {
    fatal_report(true, |w| {
        let _ = writeln!(
            w,
            "runtime: out of memory: cannot allocate {size}-byte block ({in_use} in use)\nfatal error: out of memory"
        );
    })
}

/// The kernel refused to commit heap memory it had reserved (Go's
/// `sysMapOS` on ENOMEM: the overcommit policy said no):
/// `fatal error: runtime: out of memory`.
pub fn out_of_memory_commit() -> ! {
    fatal_report(true, |w| {
        let _ = writeln!(w, "fatal error: runtime: out of memory");
    })
}

/// The kernel refused memory for a goroutine stack.
pub fn out_of_memory_stack(size: usize, errno: i32) -> ! {
    fatal_report(true, |w| {
        let _ = writeln!(
            w,
            "runtime: cannot allocate {size}-byte stack: errno {errno}\nfatal error: out of memory"
        );
    })
}

/// More Ms than `sched.maxmcount` (Go's `checkmcount`).
pub fn fatal_msg_maxmcount(max: i32) -> ! {
    fatal_report(true, |w| {
        let _ = writeln!(
            w,
            "runtime: program exceeds {max}-thread limit\nfatal error: thread exhaustion"
        );
    })
}

/// `clone` failed for a new M (Go's `newosproc` failure).
pub fn fatal_newosproc(have: i64, errno: i32) -> ! {
    fatal_report(true, |w| {
        let _ = writeln!(
            w,
            "runtime: failed to create new OS thread (have {have} already; errno={errno})"
        );
        if errno == crate::sys::Errno::EAGAIN.0 {
            let _ = writeln!(
                w,
                "runtime: may need to increase max user processes (ulimit -u)"
            );
        }
        let _ = writeln!(w, "fatal error: newosproc");
    })
}
