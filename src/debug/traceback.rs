//! The goroutine section of every report: Go's `goroutineheader`,
//! `tracebackothers` and `gStatusStrings` (traceback.go) and
//! `waitReasonStrings` (runtime2.go). Every report that names goroutines
//! writes them here:
//!
//! - [`goroutine`] writes one goroutine: a blank line, `goroutine N
//!   [state]:`, then its frames ([`frames`], where issue 12's tracebacks
//!   go; it prints nothing yet);
//! - [`running`] writes the goroutine running on this M (the M's `curg`)
//!   as `[running]`: panics, fatal errors, faults, divide errors;
//! - [`all_goroutines`] writes the goroutines a report names first, then
//!   every other live goroutine in `allgs` order (the order the Gs were
//!   first allocated; a reused G keeps its place), as Go's
//!   `tracebackothers`: checkdead's deadlock and the signal dump;
//! - [`live_goroutines`] walks the same list for a caller that prints its
//!   own line per goroutine (`scheddetail`'s `G` lines);
//! - [`state`], [`status_name`] and [`wait_reason_name`] are the one
//!   table of words a report prints for a goroutine's state.
//!
//! Invariants: these functions write only to the [`Write`] they are
//! given (the dying [`Report`](super::dying::Report) or a stack
//! [`Writer`](crate::print::Writer)), allocate nothing, and take one lock,
//! the goroutine list's (`ALLGS`, a spin lock held by others only for a
//! push or a short walk), which [`all_goroutines`] tries for at most
//! [`ALLGS_WAIT_NS`] and never waits on for good: they are called on the
//! dying path and in signal handlers, where the thread holding it may be
//! the one that was interrupted. Gs are never freed, so reading one that
//! another thread is changing shows a stale state, never freed memory.

use core::fmt::Write;
use core::sync::atomic::{AtomicU32, Ordering::Relaxed};

use super::frames::{self, Origin, Session, Show};

use crate::sched::g::{G, GDEAD, GIDLE, GRUNNABLE, GRUNNING, GSYSCALL, GWAITING, WaitReason};
use crate::sched::sched::{ALLGS, getg};

/// How long [`all_goroutines`] tries for the goroutine list's lock.
pub(crate) const ALLGS_WAIT_NS: i64 = 100_000_000;

/// The state shown for the goroutine a report is about: it was running on
/// this M when the report began, whatever its status says meanwhile.
const RUNNING: &str = "running";

/// Go's name of a G status (`gStatusStrings`), indexed by status; the
/// unused values are named as Go names them.
const STATUS_NAMES: [&str; 7] = [
    "idle",            // GIDLE
    "runnable",        // GRUNNABLE
    "running",         // GRUNNING
    "syscall",         // GSYSCALL
    "waiting",         // GWAITING
    "moribund_unused", // Go's _Gmoribund_unused: rt0 has no such status
    "dead",            // GDEAD
];

// STATUS_NAMES is indexed by the status values.
const _: () = assert!(
    GIDLE == 0 && GRUNNABLE == 1 && GRUNNING == 2 && GSYSCALL == 3 && GWAITING == 4 && GDEAD == 6
);

/// Go's name of a G status, for headers and `scheddetail`; `???` for a
/// value outside the table.
pub(crate) fn status_name(st: u32) -> &'static str {
    STATUS_NAMES.get(st as usize).copied().unwrap_or("???")
}

/// Go's wording of a wait reason (`waitReasonStrings`); empty for none.
pub(crate) fn wait_reason_name(r: WaitReason) -> &'static str {
    match r {
        WaitReason::Zero => "",
        WaitReason::ChanReceive => "chan receive",
        WaitReason::ChanSend => "chan send",
        WaitReason::Select => "select",
        WaitReason::SelectNoCases => "select (no cases)",
        WaitReason::Sleep => "sleep",
        WaitReason::SyncMutexLock => "sync.Mutex.Lock",
        WaitReason::SyncWaitGroupWait => "sync.WaitGroup.Wait",
        WaitReason::IOWait => "IO wait",
    }
}

/// The state in `g`'s header (Go's `goroutineheader`): the wait reason of
/// a waiting goroutine that has one, else the name of its status.
pub(crate) fn state(g: &G) -> &'static str {
    let st = g.status();
    let reason = wait_reason_name(g.waitreason);
    if st == GWAITING && !reason.is_empty() {
        reason
    } else {
        status_name(st)
    }
}

/// GOTRACEBACK as Go's `traceback_cache`: how much a report shows.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Setting {
    /// 0 none, 1 the program's frames, 2 the runtime's too (system).
    pub level: u32,
    /// Every goroutine, not only the failing one.
    pub all: bool,
    /// End by SIGABRT instead of exit status 2 (crash).
    pub crash: bool,
}

/// Bits of [`SETTING`]: the level above two flag bits (Go packs it the
/// same way).
const SETTING_ALL: u32 = 1;
const SETTING_CRASH: u32 = 2;
const SETTING_SHIFT: u32 = 2;

/// The setting in effect: `single` until start-up reads GOTRACEBACK.
static SETTING: AtomicU32 = AtomicU32::new(1 << SETTING_SHIFT);

/// Stores the setting (`boot::godebug::early_scan`, at start-up).
pub(crate) fn set_setting(s: Setting) {
    let bits = s.level << SETTING_SHIFT
        | if s.all { SETTING_ALL } else { 0 }
        | if s.crash { SETTING_CRASH } else { 0 };
    SETTING.store(bits, Relaxed);
}

/// The setting in effect (Go's `gotraceback`).
pub(crate) fn setting() -> Setting {
    let bits = SETTING.load(Relaxed);
    Setting {
        level: bits >> SETTING_SHIFT,
        all: bits & SETTING_ALL != 0,
        crash: bits & SETTING_CRASH != 0,
    }
}

/// What kind of report the goroutines are written for; it decides what
/// is shown as Go's `dopanic_m`, `showframe` and `sighandler` do.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    /// An unrecovered panic (runtime errors from faults included): the
    /// failing goroutine, every goroutine with GOTRACEBACK=all.
    Panic,
    /// A fatal error of the program (a deadlock, Go's `fatal`): every
    /// goroutine.
    Fatal,
    /// A broken runtime invariant (Go's `throw`): every goroutine, the
    /// failing one with the runtime's frames, and g0's own frames as
    /// `runtime stack:` when the error was raised there.
    Throw,
    /// A dump signal (SIGQUIT...): every goroutine, the interrupted one
    /// (g0 as `goroutine 0`) with the runtime's frames.
    Signal,
}

/// Writes the goroutine section of a report: the goroutine the report is
/// about (the [`Origin`]'s, or this M's current one), then, as `kind` and
/// GOTRACEBACK say, every other live goroutine in `allgs` order; ends
/// with the offline-symbolization hint when some frame had no name.
/// Returns false if the report is about no goroutine (a report before the
/// first goroutine, or on g0 with none current) and printed none.
pub(crate) fn goroutines<W: Write>(w: &mut W, origin: Option<&Origin>, kind: Kind) -> bool {
    let set = setting();
    if set.level == 0 {
        return true;
    }
    let system = set.level >= 2;
    let all = set.all || kind != Kind::Panic;
    let failing = Show {
        runtime: system || matches!(kind, Kind::Throw | Kind::Signal),
        addresses: system,
    };
    let others = Show {
        runtime: system,
        addresses: system,
    };
    let mut s = Session::new();
    // Other goroutines' stacks are read from here on (mem::stack).
    let _reading = crate::mem::stack::StackReader::new();
    let here = origin.map_or(getg() as *const G, |o| o.g);
    let cur = current_g().map_or(core::ptr::null(), |g| g as *const G);
    // SAFETY: a non-null g is a live G (never freed), its m null or live.
    let on_g0 = unsafe { here.as_ref() }
        .is_some_and(|g| unsafe { g.m.as_ref() }.is_some_and(|m| core::ptr::eq(m.g0, g)));
    let first: [*const G; 2];
    match kind {
        Kind::Signal => {
            // The interrupted goroutine (g0: `goroutine 0 [idle]`), then
            // the M's current one.
            first = [here, cur];
            for (i, &gp) in first.iter().enumerate() {
                // SAFETY: null or live Gs.
                if let Some(g) = unsafe { gp.as_ref() }.filter(|_| !first[..i].contains(&gp)) {
                    goroutine(w, g, state(g), origin, failing, &mut s);
                }
            }
        }
        _ => {
            if on_g0 && origin.is_some() && (kind != Kind::Fatal || system) {
                // SAFETY: here is a live G (on_g0).
                let g0 = unsafe { &*here };
                let _ = w.write_str("\nruntime stack:\n");
                frames::write(
                    w,
                    g0,
                    origin,
                    Show {
                        runtime: true,
                        ..failing
                    },
                    &mut s,
                );
            }
            first = [if on_g0 { cur } else { here }, core::ptr::null()];
            // SAFETY: null or a live G.
            match unsafe { first[0].as_ref() } {
                Some(g) => goroutine(w, g, RUNNING, origin, failing, &mut s),
                None if !all => {
                    s.finish(w);
                    return false;
                }
                None => {}
            }
        }
    }
    if all {
        others_after(w, &first, others, &mut s);
    }
    s.finish(w);
    true
}

/// Go's `runtime.Stack` for a running program (not a report): the
/// calling goroutine as `goroutine N [running]:` (no blank line before
/// it) with its frames from here, then with `all` every other live
/// goroutine, the world stopped while they are walked so their stacks
/// hold still. Runtime frames and addresses as GOTRACEBACK says. Must be
/// called on a goroutine.
#[inline(never)]
pub(crate) fn stack<W: Write>(w: &mut W, all: bool) {
    let origin = Origin::here();
    let system = setting().level >= 2;
    let show = Show {
        runtime: system,
        addresses: system,
    };
    let mut s = Session::new();
    let Some(g) = current_g() else {
        return;
    };
    let _ = writeln!(w, "goroutine {} [{}]:", g.goid, RUNNING);
    frames::write(w, g, Some(&origin), show, &mut s);
    if all {
        crate::sched::stw::with_world_stopped(|| {
            others_after(w, &[g as *const G], show, &mut s);
        });
    }
    s.finish(w);
}

/// Writes a blank line, `goroutine N [state]:`, `g`'s frames and where it
/// was created: the one place a goroutine section is written.
fn goroutine<W: Write>(
    w: &mut W,
    g: &G,
    state: &str,
    origin: Option<&Origin>,
    show: Show,
    s: &mut Session,
) {
    let _ = write!(w, "\ngoroutine {} [{}]:\n", g.goid, state);
    frames::write(w, g, origin, show, s);
}

/// The goroutine running on this M (its `curg`), if there is one: none
/// before the first M exists and on an M that is in the scheduler.
pub(crate) fn current_g() -> Option<&'static G> {
    let g = getg();
    // SAFETY: a non-null g is a live G (Gs are never freed) whose m is
    // null or a live M (Ms are never freed), whose curg is null or a live
    // G.
    unsafe { g.as_ref()?.m.as_ref()?.curg.as_ref() }
}

/// Every live goroutine of `allgs`, in its order, the dead ones left out
/// (Go's `forEachG` with its status check).
pub(crate) fn live_goroutines(allgs: &[usize]) -> impl Iterator<Item = &G> {
    allgs
        .iter()
        // SAFETY: the Gs in allgs are live Gs, never freed.
        .map(|&gp| unsafe { &*(gp as *const G) })
        .filter(|g| g.status() != GDEAD)
}

/// Writes every live goroutine not in `first`, in `allgs` order (Go's
/// `tracebackothers`). If the goroutine list's lock cannot be had within
/// [`ALLGS_WAIT_NS`] (this thread was interrupted holding it), none.
fn others_after<W: Write>(w: &mut W, first: &[*const G], show: Show, s: &mut Session) {
    let deadline = crate::sys::time::nanotime() + ALLGS_WAIT_NS;
    let allgs = loop {
        if let Some(a) = ALLGS.try_lock() {
            break a;
        }
        if crate::sys::time::nanotime() > deadline {
            return;
        }
        core::hint::spin_loop();
    };
    for g in live_goroutines(&allgs) {
        if !first.contains(&(g as *const G)) {
            goroutine(w, g, state(g), None, show, s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::fmt;

    /// A `fmt::Write` into a fixed buffer, for the host tests.
    struct Text {
        buf: [u8; 256],
        len: usize,
    }

    impl Write for Text {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            let end = self.len + s.len();
            self.buf
                .get_mut(self.len..end)
                .ok_or(fmt::Error)?
                .copy_from_slice(s.as_bytes());
            self.len = end;
            Ok(())
        }
    }

    fn header(g: &G) -> Text {
        let mut t = Text {
            buf: [0; 256],
            len: 0,
        };
        let show = Show {
            runtime: false,
            addresses: false,
        };
        goroutine(&mut t, g, state(g), None, show, &mut Session::new());
        t
    }

    fn text(t: &Text) -> &str {
        core::str::from_utf8(&t.buf[..t.len]).unwrap()
    }

    #[test]
    fn states_are_gos_words() {
        let mut g = G::new();
        g.goid = 7;
        for (st, want) in [
            (GIDLE, "idle"),
            (GRUNNABLE, "runnable"),
            (GRUNNING, "running"),
            (GSYSCALL, "syscall"),
            (GWAITING, "waiting"),
            (GDEAD, "dead"),
        ] {
            g.atomicstatus
                .store(st, core::sync::atomic::Ordering::Relaxed);
            assert_eq!(state(&g), want);
        }
        g.atomicstatus
            .store(GWAITING, core::sync::atomic::Ordering::Relaxed);
        g.waitreason = WaitReason::ChanReceive;
        assert_eq!(text(&header(&g)), "\ngoroutine 7 [chan receive]:\n");
        // A reason left on a goroutine that no longer waits is not shown.
        g.atomicstatus
            .store(GRUNNABLE, core::sync::atomic::Ordering::Relaxed);
        assert_eq!(text(&header(&g)), "\ngoroutine 7 [runnable]:\n");
        assert_eq!(status_name(99), "???");
    }
}
