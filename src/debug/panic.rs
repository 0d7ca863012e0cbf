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
    let _ = writeln!(w, "panic: {}", info.message());
    match current_goid() {
        Some(goid) => {
            let _ = writeln!(w, "\ngoroutine {goid} [running]:");
        }
        None => {
            let _ = writeln!(w, "\n[runtime g0, no goroutine running]");
        }
    }
    if let Some(loc) = info.location() {
        let _ = writeln!(w, "\t{}:{}:{}", loc.file(), loc.line(), loc.column());
    }
    drop(w);
    exit_group(EXIT_FATAL)
}
