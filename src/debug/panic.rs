//! The panic handler: Go's `gopanic` + `printpanics` for an unrecovered
//! panic. With `panic = "abort"` nothing unwinds: print
//! `panic: <message>`, a blank line, `goroutine N [running]:` and where the
//! panic happened, then exit 2.

use core::fmt::Write;
use core::panic::PanicInfo;

use crate::debug::fatal::{EXIT_FATAL, current_goid, start_dying};
use crate::print::Writer;
use crate::sys::process::exit_group;

#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    if !start_dying() {
        // A panic while reporting a panic or a fatal error.
        exit_group(EXIT_FATAL);
    }
    let mut w = Writer::stderr();
    let _ = write!(w, "panic: {}\n", info.message());
    match current_goid() {
        Some(goid) => {
            let _ = write!(w, "\ngoroutine {goid} [running]:\n");
        }
        None => {
            let _ = write!(w, "\n[runtime g0, no goroutine running]\n");
        }
    }
    if let Some(loc) = info.location() {
        let _ = write!(w, "\t{}:{}:{}\n", loc.file(), loc.line(), loc.column());
    }
    drop(w);
    exit_group(EXIT_FATAL)
}

/// `_Unwind_Resume` and `rust_eh_personality`: referenced by the landing
/// pads of the precompiled `core` and `alloc`, which are built with
/// `panic = "unwind"`. With `panic = "abort"` nothing ever unwinds, so they
/// are never called; but without LTO to drop the landing pads (every dev
/// build, and a user's release profile without `lto = true`) the link
/// fails with "undefined symbol: _Unwind_Resume" unless they exist. If one
/// ever runs, something unwound: stop at once with an invalid-opcode trap.
#[unsafe(no_mangle)]
extern "C" fn _Unwind_Resume() -> ! {
    crate::sys::process::unreachable_trap()
}

/// See [`_Unwind_Resume`].
#[unsafe(no_mangle)]
extern "C" fn rust_eh_personality() -> ! {
    crate::sys::process::unreachable_trap()
}
