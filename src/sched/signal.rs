//! Faults: Go's `initsig`, `sighandler` and `sigpanic` for SIGSEGV and
//! SIGBUS (signal_unix.go, signal_amd64.go), reduced to reporting.
//!
//! Handlers run on the M's signal stack (`sigaltstack`, set by `minit`),
//! so a goroutine that overflowed its stack can still be reported. The
//! handler reads the faulting g from `fs:-8`, which the kernel leaves as it
//! was: a fault inside the guard page below that g's stack is a stack
//! overflow of goroutine N; an address in the first page is Go's nil
//! dereference panic; anything else is an unexpected fault. All end with
//! exit status 2. The handler allocates nothing and takes no lock.

use core::fmt::Write;

use super::g::G;
use super::sched::getg;
use crate::debug::fatal::{EXIT_FATAL, current_goid, start_dying};
use crate::mem::PAGE_SIZE;
use crate::print::Writer;
use crate::sys::process::exit_group;
use crate::sys::signal::{SIGBUS, SIGSEGV, SigInfo, UC_RIP, UC_RSP, sigaction};

/// Addresses below this are nil dereferences (Go: the first page).
const NIL_PAGE_END: usize = 0x1000;

/// Installs the fault handlers (Go's `initsig`), then the handlers of
/// every other signal the runtime owns (`sigtable`). Called once by
/// schedinit.
pub fn initsig() {
    for sig in [SIGSEGV, SIGBUS] {
        if let Err(e) = sigaction(sig, sighandler) {
            crate::debug::fatal::fatal_errno("runtime: rt_sigaction failed", e.0);
        }
    }
    super::sigtable::install();
}

fn signal_name(sig: i32) -> &'static str {
    match sig {
        SIGSEGV => "SIGSEGV: segmentation violation",
        SIGBUS => "SIGBUS: bus error",
        _ => "signal",
    }
}

/// Is `addr` in the guard page below `g`'s stack?
pub fn in_guard_page(g: &G, addr: usize) -> bool {
    g.stack.lo != 0 && addr < g.stack.lo && addr >= g.stack.lo - PAGE_SIZE
}

extern "C" fn sighandler(sig: i32, info: *mut SigInfo, ctx: *mut u8) {
    if !start_dying() {
        exit_group(EXIT_FATAL);
    }
    // SAFETY: the kernel passes a valid siginfo and ucontext.
    let (addr, code, pc, sp) = unsafe {
        (
            (*info).addr,
            (*info).code,
            *(ctx.add(UC_RIP) as *const usize),
            *(ctx.add(UC_RSP) as *const usize),
        )
    };
    let gp = getg();
    let mut w = Writer::stderr();
    let g = if gp.is_null() {
        None
    } else {
        // SAFETY: a non-null g from fs:-8 is a live G (never freed).
        Some(unsafe { &*gp })
    };
    let goid = current_goid();
    if let Some(g) = g.filter(|g| in_guard_page(g, addr)) {
        let on_g0 = goid.is_none();
        let _ = writeln!(
            w,
            "runtime: {} stack exceeds {}-byte limit\nruntime: sp={:#x} stack=[{:#x}, {:#x}]\nfatal error: stack overflow",
            if on_g0 { "g0" } else { "goroutine" },
            g.stack.hi - g.stack.lo,
            sp,
            g.stack.lo,
            g.stack.hi
        );
    } else if addr < NIL_PAGE_END {
        let _ = writeln!(
            w,
            "panic: runtime error: invalid memory address or nil pointer dereference\n[signal {} code={:#x} addr={:#x} pc={:#x}]",
            signal_name(sig),
            code,
            addr,
            pc
        );
    } else {
        let _ = writeln!(
            w,
            "unexpected fault address {:#x}\nfatal error: fault\n[signal {} code={:#x} addr={:#x} pc={:#x}]",
            addr,
            signal_name(sig),
            code,
            addr,
            pc
        );
    }
    if let Some(goid) = goid {
        let _ = writeln!(w, "\ngoroutine {goid} [running]:");
    }
    drop(w);
    exit_group(EXIT_FATAL)
}
