//! Serialised dying: Go's `startpanic_m` and `dopanic_m` (panic.go), with
//! their `paniclk`, `panicking` and `m.dying`, reduced to one rule: the
//! first thread that starts dying owns the report, and nobody cuts it
//! short.
//!
//! Every report (a panic, a fatal error, a fault) begins with
//! [`start_dying`]:
//! - the first caller gets [`Dying::Owner`]: it writes its whole report
//!   through the [`Report`] it was given and ends the process with
//!   [`Report::exit`] (exit status 2);
//! - any other thread that starts dying meanwhile never returns: it parks
//!   forever (a futex wait on a word nobody changes) and the owner's
//!   `exit_group` ends it. Go's other Ms wait on `paniclk` and `deadlock`;
//!   Go may then let a second panicking M print its report after the
//!   first, rt0 prints exactly one;
//! - the owner dying again while it writes (a panic inside the panic
//!   value's `Display`, a fault while printing) gets [`Dying::Nested`]
//!   once: it may add a short account of what happened and exit. A third
//!   time, the report so far is flushed and the process exits at once
//!   (Go's `m.dying` levels 2 and 3).
//!
//! A higher layer may register a **death note** ([`set_death_note`]): a
//! function the owner runs once, before the first byte of its report, so
//! the test harness (`crate::testing`) names the test that was running
//! (Go's `testing.tRunner` prints `--- FAIL: TestX` before it re-panics).
//! It runs in the dying context (maybe a signal handler, maybe with the
//! heap lock held): it must neither allocate nor lock.
//!
//! The report is written into a static buffer owned by the owner thread
//! ([`REPORT_BUF_BYTES`]), flushed to fd 2 when full and at [`Report::exit`]:
//! a nested death first sees what was formatted and not yet written, so it
//! can keep it ("the report so far stays") or, while a panic value is
//! still being formatted ([`Phase::Value`]) and nothing of it was written
//! yet, drop it as Go does (Go formats the value before it prints
//! `panic: `).
//!
//! Invariants: `OWNER` changes once, from 0 to the owner's thread id, and
//! never back; only the owner thread touches `REPORT` (a nested death runs
//! on the same thread and never returns to the writer it interrupted); no
//! heap and no lock anywhere, so dying works with the heap lock held, in a
//! signal handler, and before the heap exists.

use core::fmt;
use core::sync::atomic::{AtomicI32, AtomicPtr, AtomicU8, AtomicU32, Ordering::SeqCst};

use crate::racy::RacyCell;
use crate::sched::sched::getg;
use crate::sys::file::{STDERR, write_all};
use crate::sys::futex::futex_wait;
use crate::sys::process::{exit_group, gettid};

/// Exit status of a fatal error or an unrecovered panic, as Go's.
pub const EXIT_FATAL: i32 = 2;

/// Bytes of report formatted before the first write to fd 2: a panic
/// value shorter than this is written whole or not at all.
pub const REPORT_BUF_BYTES: usize = 8192;

/// Thread id of the owner of the report; 0 while nobody is dying.
static OWNER: AtomicI32 = AtomicI32::new(0);

/// How many times the owner started dying again (0: never).
static NESTED: AtomicU32 = AtomicU32::new(0);

/// What the owner is writing ([`Phase`] as a byte).
static PHASE: AtomicU8 = AtomicU8::new(Phase::Report as u8);

/// The word non-owners sleep on; it is never changed or woken.
static NEVER: AtomicU32 = AtomicU32::new(0);

/// The death note: null, or a `fn()` cast to a pointer by
/// [`set_death_note`].
static DEATH_NOTE: AtomicPtr<()> = AtomicPtr::new(core::ptr::null_mut());

/// Registers `note`, run by the owner of a report before it writes
/// anything (see the module note); `None` removes it. The note must not
/// allocate, lock or return an error: it may run in a signal handler.
pub fn set_death_note(note: Option<fn()>) {
    let p = note.map_or(core::ptr::null_mut(), |f| f as *mut ());
    DEATH_NOTE.store(p, SeqCst);
}

/// Runs the death note, if one is registered.
fn run_death_note() {
    let p = DEATH_NOTE.load(SeqCst);
    if !p.is_null() {
        // SAFETY: a non-null DEATH_NOTE was stored by set_death_note from
        // a `fn()`, and function pointers and data pointers have the same
        // size and representation on x86_64.
        let note: fn() = unsafe { core::mem::transmute::<*mut (), fn()>(p) };
        note();
    }
}

/// The report so far: `buf[..len]` is formatted and not yet written.
struct ReportBuf {
    len: usize,
    /// Bytes of this report already written to fd 2.
    written: usize,
    /// Something was formatted (written or not) after the last newline:
    /// a cut line to end. False at first, so the static is all zeros and
    /// lives in `.bss`, not in the file.
    mid_line: bool,
    buf: [u8; REPORT_BUF_BYTES],
}

/// Touched only by the owner thread (module invariant).
static REPORT: RacyCell<ReportBuf> = RacyCell::new(ReportBuf {
    len: 0,
    written: 0,
    mid_line: false,
    buf: [0; REPORT_BUF_BYTES],
});

/// What the owner is writing, for a nested death to choose its words.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub enum Phase {
    /// The panic value: user code (`Display`) runs. Go: `preprintpanics`.
    Value = 0,
    /// Anything else: the runtime's own text.
    Report = 1,
}

/// The answer of [`start_dying`] to a thread that may write.
pub enum Dying {
    /// This thread owns the report: write it, then [`Report::exit`].
    Owner(Report),
    /// This thread owns the report and died again while writing it: say
    /// what happened in a line or two, then [`Report::exit`].
    Nested(Report),
}

/// Enters the dying state (Go's `startpanic_m`). Returns to the owner
/// only; another thread that is already dying, or starts to, parks here
/// forever and is ended by the owner's exit.
pub fn start_dying() -> Dying {
    let me = gettid();
    match OWNER.compare_exchange(0, me, SeqCst, SeqCst) {
        Ok(_) => {
            run_death_note();
            Dying::Owner(Report(()))
        }
        Err(owner) if owner == me => {
            if NESTED.fetch_add(1, SeqCst) == 0 {
                Dying::Nested(Report(()))
            } else {
                // Died while saying why we died again: keep what is there.
                Report(()).exit()
            }
        }
        Err(_) => park_forever(),
    }
}

/// Has some thread started dying? (Go: `panicking != 0`.)
pub fn is_dying() -> bool {
    OWNER.load(SeqCst) != 0
}

/// Parks the calling thread for good if a report is being written, so a
/// normal exit (main returning) cannot cut it short. Go's `runtime.main`
/// parks the same way when `panicking` is set.
pub fn wait_if_dying() {
    if is_dying() {
        park_forever();
    }
}

/// Sleeps forever without burning a CPU: nobody changes or wakes
/// `NEVER`, so only the process's exit ends the wait.
pub fn park_forever() -> ! {
    loop {
        // Spurious wake-ups and EINTR just sleep again.
        let _ = futex_wait(&NEVER, 0, -1);
    }
}

/// The phase the owner is in.
pub fn phase() -> Phase {
    if PHASE.load(SeqCst) == Phase::Value as u8 {
        Phase::Value
    } else {
        Phase::Report
    }
}

/// Runs `f` on the current M's g0 stack, which is always there with room
/// to spare (Go's `systemstack` around `startpanic_m`): a goroutine that
/// panics with almost no stack left is reported all the same. Before the
/// first M exists (no g yet), or on g0 already, `f` runs where we are.
/// `f` must not return (it ends in [`Report::exit`] or parks).
pub fn on_g0<F: FnOnce()>(f: F) -> ! {
    let g = getg();
    // SAFETY: a non-null g is a live G whose m, when set, is a live M.
    let has_g0 = !g.is_null() && unsafe { !(*g).m.is_null() && !(*(*g).m).g0.is_null() };
    if has_g0 {
        crate::sched::context::on_system_stack(f);
    } else {
        f();
    }
    // f never returns (see above).
    crate::sys::process::unreachable_trap()
}

/// The right to write the report: given out by [`start_dying`] to the
/// owner thread only, so holding one means `REPORT` is ours.
pub struct Report(());

impl Report {
    fn buf(&mut self) -> &mut ReportBuf {
        // SAFETY: only the owner thread holds a Report (start_dying), and
        // a nested one never returns to the writer it interrupted.
        unsafe { &mut *REPORT.get() }
    }

    /// Marks what is being written next (see [`Phase`]).
    pub fn set_phase(&mut self, p: Phase) {
        PHASE.store(p as u8, SeqCst);
    }

    /// Writes what is formatted to fd 2.
    pub fn flush(&mut self) {
        let b = self.buf();
        // A write error (a closed stderr) leaves nothing to report it to.
        let _ = write_all(STDERR, &b.buf[..b.len]);
        b.written += b.len;
        b.len = 0;
    }

    /// Ends the current line if something was formatted after the last
    /// newline: a nested report starts on a line of its own.
    pub fn end_line(&mut self) {
        if self.buf().mid_line {
            self.write_bytes(b"\n");
        }
    }

    /// A nested death while the panic value was being formatted: drops
    /// the report if nothing of it reached fd 2 yet (Go prints nothing of
    /// a value it could not format), else keeps it and ends its line.
    pub fn value_failed(&mut self) {
        let b = self.buf();
        if b.written == 0 {
            b.len = 0;
            b.mid_line = false;
        } else {
            self.end_line();
        }
    }

    /// Appends bytes, writing to fd 2 whenever the buffer is full. The
    /// length is raised only after the bytes are in, so a nested death
    /// never sees unformatted bytes.
    pub fn write_bytes(&mut self, mut s: &[u8]) {
        while !s.is_empty() {
            if self.buf().len == REPORT_BUF_BYTES {
                self.flush();
            }
            let b = self.buf();
            let n = s.len().min(REPORT_BUF_BYTES - b.len);
            b.buf[b.len..b.len + n].copy_from_slice(&s[..n]);
            b.mid_line = s[n - 1] != b'\n';
            b.len += n;
            s = &s[n..];
        }
    }

    /// Writes the rest of the report and ends the process with status 2
    /// (Go's `exit(2)` at the end of `fatalpanic`/`fatalthrow`), or, with
    /// GOTRACEBACK=crash, by SIGABRT so a core dump can be taken (Go's
    /// `crash`).
    pub fn exit(mut self) -> ! {
        self.flush();
        if super::traceback::setting().crash {
            crate::sched::sigtable::die_from_signal(crate::sys::signal::SIGABRT);
        }
        exit_group(EXIT_FATAL)
    }
}

impl fmt::Write for Report {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.write_bytes(s.as_bytes());
        Ok(())
    }
}
