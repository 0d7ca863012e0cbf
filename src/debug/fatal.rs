//! Fatal errors: Go's `throw` and `fatal` (panic.go). Print
//! `fatal error: <msg>`, the current goroutine's header when there is one,
//! and exit with status 2. They use neither heap nor locks, so they work
//! from any state, including before the heap exists.

use core::fmt::Write;
use core::sync::atomic::{AtomicBool, Ordering::SeqCst};

use crate::print::Writer;
use crate::sched::sched::getg;
use crate::sys::process::exit_group;

/// Exit status of a fatal error or an unrecovered panic, as Go's.
pub const EXIT_FATAL: i32 = 2;

/// Set by the first fatal report; a second one (a fault while reporting)
/// exits at once instead of looping.
static DYING: AtomicBool = AtomicBool::new(false);

/// Enters the dying state; returns false if we already were dying, in
/// which case the caller must exit without printing more.
pub fn start_dying() -> bool {
    !DYING.swap(true, SeqCst)
}

/// Prints `fatal error: <msg>` (after a blank line, as Go) to stderr.
pub fn fatal_header(msg: &str) {
    if !start_dying() {
        exit_group(EXIT_FATAL);
    }
    let mut w = Writer::stderr();
    let _ = writeln!(w, "fatal error: {msg}");
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

fn finish() -> ! {
    if let Some(goid) = current_goid() {
        let mut w = Writer::stderr();
        let _ = writeln!(w, "\ngoroutine {goid} [running]:");
    }
    exit_group(EXIT_FATAL)
}

/// A runtime invariant is broken (Go's `throw`).
pub fn throw(msg: &str) -> ! {
    fatal_header(msg);
    finish()
}

/// [`throw`] with a detail appended to the message.
pub fn throw_detail(msg: &str, detail: &str) -> ! {
    if !start_dying() {
        exit_group(EXIT_FATAL);
    }
    let mut w = Writer::stderr();
    let _ = writeln!(w, "fatal error: {msg}{detail}");
    drop(w);
    finish()
}

/// A failed system call during start-up: the call, the errno, exit 2.
pub fn fatal_errno(what: &str, errno: i32) -> ! {
    if !start_dying() {
        exit_group(EXIT_FATAL);
    }
    let mut w = Writer::stderr();
    let _ = writeln!(
        w,
        "{what}: errno {errno}\nfatal error: runtime initialization failed"
    );
    drop(w);
    exit_group(EXIT_FATAL)
}

/// A start-up check that read an unexpected value.
pub fn fatal_hex(what: &str, value: usize) -> ! {
    if !start_dying() {
        exit_group(EXIT_FATAL);
    }
    let mut w = Writer::stderr();
    let _ = writeln!(
        w,
        "{what} {value:#x}\nfatal error: runtime initialization failed"
    );
    drop(w);
    exit_group(EXIT_FATAL)
}

/// The kernel refused heap memory (Go: `runtime: out of memory: cannot
/// allocate N-byte block (M in use)` then `fatal error: out of memory`).
pub fn out_of_memory(size: usize, in_use: usize) -> ! {
    if !start_dying() {
        exit_group(EXIT_FATAL);
    }
    let mut w = Writer::stderr();
    let _ = writeln!(
        w,
        "runtime: out of memory: cannot allocate {size}-byte block ({in_use} in use)\nfatal error: out of memory"
    );
    drop(w);
    finish()
}

/// The kernel refused memory for a goroutine stack.
pub fn out_of_memory_stack(size: usize, errno: i32) -> ! {
    if !start_dying() {
        exit_group(EXIT_FATAL);
    }
    let mut w = Writer::stderr();
    let _ = writeln!(
        w,
        "runtime: cannot allocate {size}-byte stack: errno {errno}\nfatal error: out of memory"
    );
    drop(w);
    finish()
}

/// More Ms than `sched.maxmcount` (Go's `checkmcount`).
pub fn fatal_msg_maxmcount(max: i32) -> ! {
    if !start_dying() {
        exit_group(EXIT_FATAL);
    }
    let mut w = Writer::stderr();
    let _ = writeln!(
        w,
        "runtime: program exceeds {max}-thread limit\nfatal error: thread exhaustion"
    );
    drop(w);
    finish()
}

/// `clone` failed for a new M (Go's `newosproc` failure).
pub fn fatal_newosproc(have: i64, errno: i32) -> ! {
    if !start_dying() {
        exit_group(EXIT_FATAL);
    }
    let mut w = Writer::stderr();
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
    drop(w);
    finish()
}
