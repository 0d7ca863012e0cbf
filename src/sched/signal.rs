//! Faults: Go's `initsig`, `sighandler` and `sigpanic` for SIGSEGV and
//! SIGBUS (signal_unix.go, signal_amd64.go), reduced to reporting.
//!
//! Handlers run on the M's signal stack (`sigaltstack`, set by `minit`),
//! so a goroutine that overflowed its stack can still be reported. The
//! handler reads the faulting g from `fs:-8`, which the kernel leaves as it
//! was: a fault inside the guard page below that g's stack is a stack
//! overflow of goroutine N; an address in the first page is Go's nil
//! dereference panic; anything else is an unexpected fault. All end with
//! exit status 2. The handler allocates nothing and takes no lock. A
//! SIGSEGV or SIGBUS sent by `kill` goes to `os::signal` if a channel
//! wants it (a real fault never does: Go panics), and is dropped if the
//! program ignored it.
//!
//! Faults are serialised with every other death (`debug::dying`): a
//! fault on another thread while a report is being written parks that
//! thread, and the report is written whole; a fault inside the report
//! (a panic value whose `Display` faults) is reported as such after what
//! was already written.

use core::fmt::Write;

use super::g::G;
use super::sched::getg;
use crate::debug::dying::{Dying, Phase, Report, phase, start_dying};
use crate::debug::fatal::{self, Goroutines};
use crate::debug::frames::Origin;
use crate::debug::traceback::{self, Kind};
use crate::mem::PAGE_SIZE;
use crate::sys::signal::{SIGBUS, SIGSEGV, SigInfo, UC_RIP, UC_RSP, sent_by_user, sigaction};

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
    // SAFETY: the kernel passes a valid siginfo and ucontext.
    let (addr, code, pc, sp) = unsafe {
        (
            (*info).addr,
            (*info).code,
            *(ctx.add(UC_RIP) as *const usize),
            *(ctx.add(UC_RSP) as *const usize),
        )
    };
    // Sent by kill, not raised by an instruction: os::signal may want it,
    // or have ignored it (Go's sighandler after its _SigPanic branch).
    if sent_by_user(code) && (super::sigqueue::sigsend(sig) || super::sigqueue::signal_ignored(sig))
    {
        return;
    }
    let fault = Fault {
        sig,
        addr,
        code,
        pc,
    };
    // SAFETY: ctx is the kernel's ucontext for this signal.
    let origin = unsafe { Origin::from_ucontext(getg(), ctx) };
    // Another thread that is dying parks in start_dying for good.
    match start_dying() {
        Dying::Owner(w) => report_fault(w, &fault, sp, &origin),
        Dying::Nested(w) => report_nested_fault(w, &fault, &origin),
    }
}

/// What the kernel said about a fault.
struct Fault {
    sig: i32,
    addr: usize,
    code: i32,
    pc: usize,
}

impl Fault {
    /// Go's `[signal SIGSEGV: segmentation violation code=.. addr=.. pc=..]`.
    fn write_signal_line(&self, w: &mut Report) {
        let _ = writeln!(
            w,
            "[signal {} code={:#x} addr={:#x} pc={:#x}]",
            signal_name(self.sig),
            self.code,
            self.addr,
            self.pc
        );
    }
}

/// The goroutine running on this M (fs:-8 as the kernel left it), if any.
fn faulting_g() -> Option<&'static G> {
    let gp = getg();
    // SAFETY: a non-null g from fs:-8 is a live G (never freed).
    (!gp.is_null()).then(|| unsafe { &*gp })
}

/// The report of a fault (Go's `sighandler` + `sigpanic`): a stack
/// overflow, a nil dereference or an unexpected fault, then the
/// goroutine header; exit 2.
fn report_fault(mut w: Report, f: &Fault, sp: usize, origin: &Origin) -> ! {
    let goroutines;
    if let Some(g) = faulting_g().filter(|g| in_guard_page(g, f.addr)) {
        goroutines = Goroutines::Throw;
        let on_g0 = traceback::current_g().is_none();
        fatal::write_message(
            &mut w,
            format_args!(
                "runtime: {} stack exceeds {}-byte limit\nruntime: sp={:#x} stack=[{:#x}, {:#x}]\n",
                if on_g0 { "g0" } else { "goroutine" },
                g.stack.hi - g.stack.lo,
                sp,
                g.stack.lo,
                g.stack.hi
            ),
            &["stack overflow"],
        );
    } else if f.addr < NIL_PAGE_END {
        goroutines = Goroutines::Panic;
        let _ = writeln!(
            w,
            "panic: runtime error: invalid memory address or nil pointer dereference"
        );
        f.write_signal_line(&mut w);
    } else {
        goroutines = Goroutines::Throw;
        fatal::write_message(
            &mut w,
            format_args!("unexpected fault address {:#x}\n", f.addr),
            &["fault"],
        );
        f.write_signal_line(&mut w);
    }
    fatal::close(w, goroutines, Some(origin))
}

/// A fault while this thread was writing a report. While a panic value
/// was being formatted (its `Display` faulted) it is Go 1.19's
/// `fatal error: panic while printing panic value: <runtime error>`;
/// anywhere else, the report so far stays and `panic during panic`
/// follows. Then the signal line, the goroutine header, exit 2.
fn report_nested_fault(mut w: Report, f: &Fault, origin: &Origin) -> ! {
    if phase() == Phase::Value {
        w.value_failed();
        let what = if faulting_g().is_some_and(|g| in_guard_page(g, f.addr)) {
            "stack overflow"
        } else if f.addr < NIL_PAGE_END {
            "runtime error: invalid memory address or nil pointer dereference"
        } else {
            "unexpected fault address"
        };
        fatal::write_message(
            &mut w,
            format_args!(""),
            &["panic while printing panic value: ", what],
        );
        f.write_signal_line(&mut w);
        #[cfg(not(test))]
        crate::debug::panic::write_location(&mut w, crate::debug::panic::outer_location());
        traceback::goroutines(&mut w, Some(origin), Kind::Panic);
    } else {
        w.end_line();
        let _ = writeln!(w, "panic during panic");
        f.write_signal_line(&mut w);
    }
    w.exit()
}
