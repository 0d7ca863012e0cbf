//! The main goroutine: Go's `runtime.main` (proc.go).
//!
//! Runs on G1, on its own stack: marks the scheduler started, runs the
//! `.init_array` constructors (Go's package init tasks), calls the
//! program's `main`, and exits the process with status 0 when it returns,
//! whatever other goroutines are doing, as Go does; unless one of them is
//! dying, whose report then ends the process with status 2.

use core::sync::atomic::Ordering::{Relaxed, SeqCst};

use super::sched::sched;

unsafe extern "Rust" {
    /// The program's main, defined by the `rt0::main!` macro.
    fn rt0_program_main();
}

unsafe extern "C" {
    // Bounds of the constructor table, defined by linker.ld.
    static __init_array_start: [Option<extern "C" fn()>; 0];
    static __init_array_end: [Option<extern "C" fn()>; 0];
}

/// The constructors in `.init_array`, in link order.
pub fn init_array() -> &'static [Option<extern "C" fn()>] {
    // SAFETY: the linker script places both symbols around the table of
    // function pointers; the table is immutable after linking.
    unsafe {
        let start = __init_array_start.as_ptr();
        let end = __init_array_end.as_ptr();
        core::slice::from_raw_parts(start, end.offset_from(start) as usize)
    }
}

/// A clock reading for `GODEBUG=inittrace=1`, taken only when tracing
/// (as `boot::inittrace::clock`: an untraced start reads no clock).
fn trace_clock() -> i64 {
    if super::conf::inittrace() {
        crate::sys::time::nanotime()
    } else {
        0
    }
}

/// The last inittrace line, `rt0: main goroutine ...`: the main
/// goroutine's part of the bootstrap (Go's runtime.main prints its own
/// init trace lines too).
fn trace_main_goroutine(ctors: usize, ns: i64) {
    use core::fmt::Write;
    if super::conf::inittrace() {
        let mut w = crate::print::Writer::stderr();
        let _ = w.write_str("rt0: ");
        let _ = w.write_fmt(format_args!(
            "main goroutine goid=1 init_array={ctors} took={ns}ns"
        ));
        let _ = w.write_str("\n");
    }
}

/// Go's `mainPC`: the entry rt0_go hands to `newproc`.
#[unsafe(export_name = "rt0_runtime_main")] // called by rt0_go (src/arch/)
pub extern "C" fn runtime_main() {
    sched().main_started.store(true, SeqCst);
    // sysmon starts with the program's first goroutine, timer or network
    // use (sysmon::start); the schedtrace lines are its own, so a trace
    // asked for starts it now.
    if super::conf::DEBUG.schedtrace.load(Relaxed) > 0 {
        super::sysmon::start();
    }
    let t0 = trace_clock();
    let ctors = init_array();
    for f in ctors.iter().flatten() {
        f();
    }
    trace_main_goroutine(ctors.len(), trace_clock() - t0);
    // SAFETY: the program's main is an ordinary Rust function.
    unsafe { rt0_program_main() };
    // A goroutine writing its death's report keeps the process alive
    // until it exits 2 (Go's runtime.main waits while `panicking`).
    crate::debug::dying::wait_if_dying();
    crate::sys::process::exit_group(0)
}
