//! The panic handler: Go's `gopanic`, `preprintpanics`, `printpanics`
//! and `fatalpanic` for an unrecovered panic. With `panic = "abort"` nothing
//! unwinds: print `panic: <message>`, then the goroutine section
//! (`goroutine N [running]:` and its frames from the panic handler's own
//! registers, the panic machinery's frames hidden; every goroutine with
//! GOTRACEBACK=all), then exit 2.
//!
//! The report is written on g0's stack ([`dying::on_g0`], as Go's
//! `fatalpanic` uses `systemstack`), so a goroutine that panics with
//! almost no stack left is reported like any other, with its own id (the
//! M's `curg`) and the location from its `PanicInfo`. Deaths are
//! serialised by [`dying::start_dying`].
//!
//! The message is formatted first ([`Phase::Value`], Go's
//! `preprintpanics`). If its `Display` panics, or faults, the report is
//! Go 1.19's: `fatal error: panic while printing panic value: <what>`,
//! where `<what>` is the inner panic's message (Go prints it for a string
//! value) or the fault's runtime error text, then the goroutine header and
//! the locations (the inner panic's, then the outer one's). Any other
//! death while the report is written prints `panic during panic` after
//! what was already written (Go's `startpanic_m`).

use core::fmt::Write;
use core::panic::{Location, PanicInfo};
use core::sync::atomic::{AtomicPtr, Ordering::SeqCst};

use super::dying::{self, Dying, Phase, Report};
use super::frames::Origin;
use super::traceback::{self, Kind};

/// The location of the panic being reported, for a nested report.
static OUTER: AtomicPtr<Location<'static>> = AtomicPtr::new(core::ptr::null_mut());

#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    // Where the panicking goroutine is, kept in its M before the report
    // moves to g0, so that a goroutine with almost no stack left still
    // gets there (nothing but this call's frame is on its stack).
    let (pc, sp, bp) = crate::arch::context::here();
    let g = crate::sched::sched::getg();
    // SAFETY: a non-null g is a live G whose m is null or a live M; only
    // this thread writes its own M's panic_origin.
    match unsafe { g.as_ref().and_then(|g| g.m.as_mut()) } {
        Some(m) => {
            m.panic_origin = [g as usize, pc, sp, bp];
            dying::on_g0(|| report_saved(info))
        }
        None => report_before_m(info, [g as usize, pc, sp, bp]),
    }
}

/// A panic before the first M, on the boot stack (room to spare): kept
/// out of the handler so its frame stays small.
#[cold]
#[inline(never)]
fn report_before_m(info: &PanicInfo, [g, pc, sp, bp]: [usize; 4]) -> ! {
    report(
        info,
        &Origin::at(g as *const crate::sched::g::G, pc, sp, bp),
    )
}

/// The report, on g0, from the origin the panic handler kept in this M.
/// Not inlined: the Origin lives in this frame, on g0, never in
/// `on_g0`'s frame on the goroutine's stack.
#[inline(never)]
fn report_saved(info: &PanicInfo) -> ! {
    // SAFETY: on g0 of the M whose panic handler just wrote it.
    let [g, pc, sp, bp] = unsafe { (*crate::sched::sched::getm()).panic_origin };
    report(
        info,
        &Origin::at(g as *const crate::sched::g::G, pc, sp, bp),
    )
}

fn report(info: &PanicInfo, origin: &Origin) -> ! {
    match dying::start_dying() {
        Dying::Owner(mut w) => {
            if let Some(loc) = info.location() {
                // Panic locations are 'static (#[track_caller] constants);
                // only this thread reads it back, in a nested report.
                OUTER.store(loc as *const Location as *mut Location<'static>, SeqCst);
            }
            w.set_phase(Phase::Value);
            let _ = write!(w, "panic: {}", info.message());
            w.set_phase(Phase::Report);
            let _ = writeln!(w);
            if !traceback::goroutines(&mut w, Some(origin), Kind::Panic) {
                let _ = writeln!(w, "\n[runtime g0, no goroutine running]");
            }
            w.exit()
        }
        Dying::Nested(mut w) if dying::phase() == Phase::Value => {
            w.value_failed();
            let _ = write!(w, "fatal error: panic while printing panic value: ");
            w.flush();
            let _ = writeln!(w, "{}", info.message());
            write_location(&mut w, info.location());
            write_location(&mut w, outer_location());
            traceback::goroutines(&mut w, Some(origin), Kind::Panic);
            w.exit()
        }
        Dying::Nested(w) => super::fatal::nested_in_report(w),
    }
}

/// The location of the panic whose value was being printed, if known.
pub fn outer_location() -> Option<&'static Location<'static>> {
    let p = OUTER.load(SeqCst);
    // SAFETY: OUTER is null or a panic's 'static Location (stored above).
    unsafe { p.as_ref() }
}

/// A tab and `file:line:col`, as Go's frame lines.
pub fn write_location(w: &mut Report, loc: Option<&Location>) {
    if let Some(loc) = loc {
        let _ = writeln!(w, "\t{}:{}:{}", loc.file(), loc.line(), loc.column());
    }
}
