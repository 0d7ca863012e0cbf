//! One goroutine's frames, as a report prints them: Go's `traceback1`
//! and the printing half of `gentraceback` (traceback.go), with
//! `showframe`, `printcreatedby` and the elision of long stacks.
//!
//! A stack is walked with the `.eh_frame` unwinder ([`super::cfi`]) from
//! where it is known to be:
//! - the report's [`Origin`]: registers captured on the goroutine the
//!   report is about (the panic handler's, `throw`'s, `runtime::stack`'s
//!   own pc, sp and bp, or a signal's interrupted context);
//! - a switched-out goroutine's `g.sched`: its pc is `rt0_mcall`'s
//!   resume point, whose CFI says where mcall pushed its caller's
//!   registers, so the walk goes on into the function that parked,
//!   yielded or was preempted (and, through `rt0_async_preempt`'s signal
//!   frame, into the interrupted one);
//! - a goroutine in a system call: the registers its `entersyscall` took
//!   (inlined into the function that makes the call, whose frame lives
//!   until the call returns);
//! - a goroutine running on another thread has no known registers: Go's
//!   line `goroutine running on other thread; stack unavailable`.
//!
//! Each frame prints as Go's: the demangled name and `(...)` (arguments
//! are not known), then a tab, `FILE:LINE +0xOFF` when the line tables
//! have the pc, else the pc itself (see [`Frame`]). Calls the compiler
//! inlined at the pc ([`InlineChain`]: a goroutine's closure inlined into
//! its `FnOnce` shim, a small function into its caller) print first,
//! innermost first, as Go prints its inlined frames: `NAME(...)` and
//! `\tFILE:LINE`, no offset; the physical frame's line is then that of the
//! outermost inlined call. The runtime filter (Go's `showframe`) applies
//! to each printed frame; the elision counts physical frames. More than
//! [`HEAD_FRAMES`] + [`TAIL_FRAMES`] shown frames print as the first and
//! the last ones around a `...N frames elided...` line, so a runaway
//! recursion shows both where it began and where it overflowed.
//!
//! Invariants: nothing here allocates, locks or can fault: every stack
//! word is read through a bounds check against the stacks the walk may
//! touch ([`Bounds`]), the unwinder and symbolizer give `None` on
//! anything malformed, and every loop is bounded ([`MAX_STEPS`]). A
//! goroutine that starts running again while it is being walked (only
//! `runtime::stack(all)` walks others outside a report, and it stops the
//! world first) shows stale frames, never a fault: stacks stay mapped.

use core::fmt::{self, Write};
use core::panic::Location;

use super::cfi::{self, Frame};
use super::inlines::{self, InlineChain};
use super::lines::Line;
use super::symbols::Symbol;
use super::{elf, lines, symbols};
use crate::sched::g::{G, GRUNNING, GSYSCALL};
use crate::sys::signal::{
    UC_R8, UC_R9, UC_R10, UC_R11, UC_R12, UC_R13, UC_R14, UC_R15, UC_RAX, UC_RBP, UC_RBX, UC_RCX,
    UC_RDI, UC_RDX, UC_RIP, UC_RSI, UC_RSP, uc_word,
};

/// Where the kernel's ucontext keeps each register, by DWARF number.
const UC_DWARF: [(usize, usize); cfi::NREGS] = [
    (cfi::RAX, UC_RAX),
    (cfi::RDX, UC_RDX),
    (cfi::RCX, UC_RCX),
    (cfi::RBX, UC_RBX),
    (cfi::RSI, UC_RSI),
    (cfi::RDI, UC_RDI),
    (cfi::RBP, UC_RBP),
    (cfi::RSP, UC_RSP),
    (cfi::R8, UC_R8),
    (cfi::R8 + 1, UC_R9),
    (cfi::R8 + 2, UC_R10),
    (cfi::R8 + 3, UC_R11),
    (cfi::R12, UC_R12),
    (cfi::R12 + 1, UC_R13),
    (cfi::R12 + 2, UC_R14),
    (cfi::R15, UC_R15),
    (cfi::RA, UC_RIP),
];

/// Frames printed before an elision (Go prints 100 in all).
pub(crate) const HEAD_FRAMES: usize = 50;
/// Frames printed after an elision: the outermost ones.
pub(crate) const TAIL_FRAMES: usize = 50;
/// Unwinding steps before a walk gives up: deeper than any stack rt0
/// gives (1 GB of 16-byte frames would be more; such a stack prints its
/// first frames and an elision line counting what was walked).
pub(crate) const MAX_STEPS: usize = 1 << 22;
/// Bytes of a demangled name kept for deciding whether a frame is shown
/// (the whole name is printed from the symbol again if it is longer).
const NAME_BYTES: usize = 256;
/// Return addresses kept for the `addr2line` hint of a stripped binary.
const HINT_PCS: usize = 32;
/// Spawn sites whose function is remembered during one report.
const SITE_MEMO: usize = 8;

/// The registers a report begins with, and the goroutine whose stack they
/// are on.
#[derive(Clone, Copy)]
pub(crate) struct Origin {
    pub(crate) g: *const G,
    pub(crate) frame: Frame,
}

impl Origin {
    /// The registers a signal interrupted, from the kernel's ucontext.
    ///
    /// # Safety
    /// `ctx` is the ucontext the kernel passed to a signal handler.
    pub(crate) unsafe fn from_ucontext(g: *const G, ctx: *const u8) -> Origin {
        let mut gregs = [0u64; cfi::NREGS];
        for (reg, off) in UC_DWARF {
            // SAFETY: ctx is the kernel's ucontext (the contract) and the
            // UC_* offsets lie inside it.
            gregs[reg] = unsafe { uc_word(ctx, off) };
        }
        Origin {
            g,
            frame: Frame::new(cfi::Regs::from_all(gregs), true),
        }
    }

    /// The registers of the caller, on the current goroutine (or g0).
    #[inline(always)]
    pub(crate) fn here() -> Origin {
        let (pc, sp, bp) = crate::arch::context::here();
        Origin::at(crate::sched::sched::getg(), pc, sp, bp)
    }

    /// The registers [`crate::arch::context::here`] took on `g`'s stack.
    pub(crate) fn at(g: *const G, pc: usize, sp: usize, bp: usize) -> Origin {
        Origin {
            g,
            frame: Frame::new(cfi::Regs::new(pc as u64, sp as u64, bp as u64), true),
        }
    }
}

/// How frames are shown for one report.
#[derive(Clone, Copy)]
pub(crate) struct Show {
    /// The runtime's own frames too (GOTRACEBACK=system, or the failing
    /// goroutine of a runtime error, as Go's `showframe`).
    pub(crate) runtime: bool,
    /// ` sp=0x.. pc=0x..` after each frame (GOTRACEBACK=system).
    pub(crate) addresses: bool,
}

/// What one report has learnt along the way: the pcs it could not name
/// (for the offline hint) and the functions of spawn sites.
pub(crate) struct Session {
    hint: [u64; HINT_PCS],
    nhint: usize,
    unnamed: bool,
    sites: [(usize, u64); SITE_MEMO],
    nsites: usize,
}

impl Session {
    pub(crate) fn new() -> Session {
        Session {
            hint: [0; HINT_PCS],
            nhint: 0,
            unnamed: false,
            sites: [(0, 0); SITE_MEMO],
            nsites: 0,
        }
    }

    /// Writes the offline hint if some frame had no name: the binary's
    /// path and the `addr2line` command that names its pcs.
    pub(crate) fn finish<W: Write>(&self, w: &mut W) {
        if !self.unnamed {
            return;
        }
        let mut path = [0u8; 256];
        let exe = exe_path(&mut path).unwrap_or(b"BINARY");
        // The file could not be mapped (no address space left, say), or
        // it has no symbols (stripped).
        let why = if !elf::SYMBOLIZE {
            "\n(rt0 built without its symbolize feature: "
        } else if elf::image().is_none() {
            "\n(could not read "
        } else {
            "\n(no symbol table in "
        };
        let _ = w.write_str(why);
        write_bytes(w, exe);
        let _ = write!(w, ": symbolize offline with addr2line -f -e ");
        write_bytes(w, exe);
        for pc in &self.hint[..self.nhint] {
            let _ = write!(w, " {pc:#x}");
        }
        let _ = writeln!(w, ")");
    }

    fn note_unnamed(&mut self, pc: u64) {
        self.unnamed = true;
        if self.nhint < HINT_PCS && !self.hint[..self.nhint].contains(&pc) {
            self.hint[self.nhint] = pc;
            self.nhint += 1;
        }
    }
}

/// The stacks a walk may read: the goroutine's own; for a walk that
/// starts on g0 and continues onto the goroutine (a report on g0 about the
/// goroutine that switched there), g0's; and for a walk from a signal
/// context on the M's signal stack (a signal that came while the handler
/// of another was starting or running: the kernel nests the second frame
/// on the alternate stack, so its context is `rt0_sigtramp` or a handler,
/// not the goroutine), the signal stack, whose frames unwind through
/// `rt0_sigtramp`'s and `rt0_sigreturn`'s signal frames into the
/// goroutine. Frames on g0's stack are not the goroutine's (they print in
/// the report's `runtime stack:` block); those on the signal stack are
/// (nothing else prints them).
#[derive(Clone, Copy)]
struct Bounds {
    stacks: [(u64, u64); 3],
}

/// Where [`Bounds::stacks`] keeps g0's stack.
const G0_STACK: usize = 1;
/// Where [`Bounds::stacks`] keeps the signal stack.
const SIGNAL_STACK: usize = 2;

impl Bounds {
    fn of(g: &G) -> Bounds {
        Bounds {
            stacks: [(g.stack.lo as u64, g.stack.hi as u64), (0, 0), (0, 0)],
        }
    }

    fn with(mut self, g: &G) -> Bounds {
        self.stacks[G0_STACK] = (g.stack.lo as u64, g.stack.hi as u64);
        self
    }

    /// With the signal stack `(lo, hi)` of the M running `g`, when `sp`
    /// is on it.
    fn with_signal_stack(mut self, (lo, hi): (u64, u64), sp: u64) -> Bounds {
        if hi != 0 && sp >= lo && sp < hi {
            self.stacks[SIGNAL_STACK] = (lo, hi);
        }
        self
    }

    /// Are frames at `sp` the goroutine's (own is its own stack)? All are
    /// but those on g0's stack.
    fn is_goroutines(&self, own: &Bounds, sp: u64) -> bool {
        self.stacks[G0_STACK].1 == 0 || own.contains(sp, 0)
    }

    fn contains(&self, addr: u64, len: u64) -> bool {
        self.stacks
            .iter()
            .any(|&(lo, hi)| addr >= lo && addr.checked_add(len).is_some_and(|end| end <= hi))
    }

    /// Which of the stacks holds `sp` (the first frame of an overflow is
    /// below them all: `None`).
    fn stack_of(&self, sp: u64) -> Option<usize> {
        self.stacks
            .iter()
            .position(|&(lo, hi)| sp >= lo && sp <= hi && hi != 0)
    }

    /// Reads a stack word, or None outside the bounds.
    fn read(&self, addr: u64) -> Option<u64> {
        if !self.contains(addr, 8) {
            return None;
        }
        // SAFETY: addr..addr+8 lies in a goroutine's or g0's stack, which
        // stays mapped while the G exists (Gs are never freed; a dead G's
        // stack is returned, but dead Gs are never walked), or in the
        // signal stack of the M whose signal handler is walking (mapped
        // while its thread runs).
        Some(unsafe { core::ptr::read_volatile(addr as *const u64) })
    }
}

/// Where a walk of `g` starts.
enum Start {
    /// From these registers, printing only frames on `g`'s own stack
    /// (`g`'s frames follow the g0 frames of a report written on g0).
    Regs(Frame, Bounds),
    /// Saved by `mcall`.
    Parked(Frame),
    /// Not started yet: nothing to walk.
    NotStarted,
    /// On another thread.
    Elsewhere,
}

/// Writes `g`'s frames and its `created by` lines.
pub(crate) fn write<W: Write>(
    w: &mut W,
    g: &G,
    origin: Option<&Origin>,
    show: Show,
    s: &mut Session,
) {
    match start(g, origin) {
        Start::Regs(frame, bounds) => walk(w, g, frame, bounds, show, s),
        Start::Parked(frame) => walk(w, g, frame, Bounds::of(g), show, s),
        Start::NotStarted => {}
        Start::Elsewhere => {
            let _ = writeln!(w, "\tgoroutine running on other thread; stack unavailable");
        }
    }
    created_by(w, g, s);
}

fn start(g: &G, origin: Option<&Origin>) -> Start {
    if let Some(o) = origin {
        if core::ptr::eq(o.g, g) {
            // SAFETY: a live G's m is null or a live M (never freed); a
            // report about the running goroutine runs on its M's thread,
            // the only one that changes the M's signal stack.
            let sigstack = unsafe { g.m.as_ref() }.map_or((0, 0), |m| {
                let st = m.gsignal_stack;
                (st.lo as u64, st.hi as u64)
            });
            let bounds = Bounds::of(g).with_signal_stack(sigstack, o.frame.regs.sp());
            return Start::Regs(o.frame, bounds);
        }
        // A report on g0 about the goroutine that switched there: its
        // frames are the rest of the g0 walk (through rt0_systemstack).
        // SAFETY: o.g is a live G (never freed); its m is null or live.
        if let Some(og) = unsafe { o.g.as_ref() } {
            // SAFETY: as above: a live M's g0 and curg are null or live.
            let m = unsafe { og.m.as_ref() };
            if m.is_some_and(|m| core::ptr::eq(m.g0, og) && core::ptr::eq(m.curg, g))
                && g.status() == GRUNNING
            {
                return Start::Regs(o.frame, Bounds::of(g).with(og));
            }
        }
    }
    let st = g.status();
    if st == GSYSCALL && g.syscall[1] != 0 {
        // Blocked in the kernel: the frames above its entersyscall hold
        // still until it comes back.
        let [pc, sp, bp] = g.syscall;
        let regs = cfi::Regs::new(pc as u64, sp as u64, bp as u64);
        return Start::Parked(Frame::new(regs, true));
    }
    if st == GRUNNING || st == GSYSCALL {
        return Start::Elsewhere;
    }
    if g.stack.lo == 0 || g.sched.sp == 0 {
        return Start::NotStarted;
    }
    // The resume pc (`rt0_mcall`'s, whose CFI describes the registers it
    // pushed, or a new goroutine's entry) is where it goes on, not a
    // return address.
    Start::Parked(Frame::new(
        cfi::Regs::new(g.sched.pc as u64, g.sched.sp as u64, g.sched.bp as u64),
        true,
    ))
}

/// A frame kept for the tail of a long stack.
#[derive(Clone, Copy, Default)]
struct Kept {
    pc: u64,
    sp: u64,
    exact: bool,
}

impl Kept {
    /// The pc to name the frame by: a return address is looked up as
    /// the call before it.
    fn lookup(&self) -> u64 {
        if self.exact {
            self.pc
        } else {
            self.pc.wrapping_sub(1)
        }
    }
}

fn walk<W: Write>(w: &mut W, g: &G, first: Frame, bounds: Bounds, show: Show, s: &mut Session) {
    let own = Bounds::of(g);
    let goexit = crate::sched::context::goexit as *const () as u64;
    let mut tail = [Kept::default(); TAIL_FRAMES];
    let mut shown = 0usize;
    let mut switched = false;
    let mut frame = first;
    for _ in 0..MAX_STEPS {
        let pc = frame.regs.pc();
        if pc == 0 {
            break;
        }
        let lookup = if frame.exact { pc } else { pc - 1 };
        let kept = Kept {
            pc,
            sp: frame.regs.sp(),
            exact: frame.exact,
        };
        let at_goexit = lookup == goexit;
        // A walk that began on g0 prints only the goroutine's frames; the
        // first frame of an overflowed stack has its sp below `lo`.
        let mine = bounds.is_goroutines(&own, kept.sp);
        if mine {
            // Named once for the filter and the print (a frame kept for
            // the tail is named again when printed). Elision counts
            // physical frames: one with inlined calls is one frame.
            let at = (!show.runtime || shown < HEAD_FRAMES).then(|| AtPc::of(lookup));
            if show.runtime || at.as_ref().is_some_and(|a| a.shows(show)) {
                match at {
                    Some(ref a) if shown < HEAD_FRAMES => print_frame(w, kept, a, show, s),
                    _ => tail[(shown - HEAD_FRAMES) % TAIL_FRAMES] = kept,
                }
                shown += 1;
            }
        }
        if at_goexit {
            break;
        }
        let mut read = |a: u64| bounds.read(a);
        let Some(next) = cfi::step(&frame, &mut read) else {
            break;
        };
        // Each frame lies above the one it called, except across the
        // one switch from g0 to the goroutine (`rt0_systemstack`), where
        // the stack changes and sp may go either way.
        let (from, to) = (
            bounds.stack_of(frame.regs.sp()),
            bounds.stack_of(next.regs.sp()),
        );
        if next.regs.sp() > frame.regs.sp() && from == to {
            frame = next;
        } else if from != to && !switched {
            switched = true;
            frame = next;
        } else {
            break;
        }
    }
    if shown > HEAD_FRAMES {
        let after = shown - HEAD_FRAMES;
        let n = after.min(TAIL_FRAMES);
        if after > TAIL_FRAMES {
            let _ = writeln!(w, "...{} frames elided...", after - TAIL_FRAMES);
        }
        for i in 0..n {
            let k = tail[(after - n + i) % TAIL_FRAMES];
            print_frame(w, k, &AtPc::of(k.lookup()), show, s);
        }
    }
}

/// A truncating buffer for a demangled name.
struct Name {
    buf: [u8; NAME_BYTES],
    len: usize,
    cut: bool,
}

impl Name {
    fn of(mangled: &[u8]) -> Name {
        let mut n = Name {
            buf: [0; NAME_BYTES],
            len: 0,
            cut: false,
        };
        let _ = symbols::write_name(&mut n, mangled);
        n
    }

    fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl Write for Name {
    fn write_str(&mut self, t: &str) -> fmt::Result {
        let room = NAME_BYTES - self.len;
        let n = t.len().min(room);
        self.buf[self.len..self.len + n].copy_from_slice(&t.as_bytes()[..n]);
        self.len += n;
        if n < t.len() {
            self.cut = true;
        }
        Ok(())
    }
}

/// What names the frames of one pc: its function in the symbol table,
/// and the calls inlined there ([`InlineChain`]).
struct AtPc {
    sym: Option<Symbol>,
    chain: InlineChain,
}

impl AtPc {
    fn of(lookup: u64) -> AtPc {
        let img = elf::image();
        AtPc {
            sym: img.and_then(|img| symbols::lookup(img, lookup)),
            chain: img.map_or(InlineChain::none(lookup), |img| {
                InlineChain::at(img, lookup)
            }),
        }
    }

    /// The physical function's name: the symbol table's, else the tree's.
    fn function(&self) -> Option<&'static [u8]> {
        self.sym.map(|s| s.name).or(self.chain.function())
    }

    /// Is any of its frames shown (Go's `showframe`, per printed frame)?
    /// Runtime frames only with `show.runtime`; a frame without a name
    /// always (it may be the program's).
    fn shows(&self, show: Show) -> bool {
        !elf::SYMBOLIZE
            || show.runtime
            || self.chain.inlined().iter().any(|c| shown(c.name, show))
            || self.function().is_none_or(|name| shown(name, show))
    }
}

/// Is a frame of function `name` (mangled) shown?
fn shown(name: &[u8], show: Show) -> bool {
    show.runtime || !is_runtime(Name::of(name).bytes())
}

/// The runtime's frames: rt0's own functions (and its asm, `rt0_*`), the
/// panic machinery of core, and the call shims between a goroutine's
/// entry and its closure (Go hides `runtime.*` and wrappers the same way).
pub(crate) fn is_runtime(name: &[u8]) -> bool {
    const PREFIXES: [&[u8]; 8] = [
        b"rt0::",
        b"<rt0::",
        b"core::panicking::",
        b"__rustc::",
        b"core::ops::function::",
        b"core::result::unwrap_failed",
        b"core::option::unwrap_failed",
        b"core::option::expect_failed",
    ];
    if PREFIXES.iter().any(|p| name.starts_with(p)) {
        return true;
    }
    if name == b"rust_begin_unwind" {
        return true;
    }
    // asm symbols have no path: `rt0_gogo`, not a crate named rt0_...
    if name.starts_with(b"rt0_") && !contains(name, b"::") {
        return true;
    }
    // <alloc::boxed::Box<dyn FnOnce..> as core::ops::function::FnOnce<..>>::call_once
    name.starts_with(b"<alloc::boxed::Box<") && contains(name, b"core::ops::function::FnOnce")
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Writes the frames of one pc, each shown one (`shown`): first the calls
/// inlined there, innermost first, each as `NAME(...)` and `\tFILE:LINE`
/// (Go prints no offset for an inlined frame), then the physical frame,
/// `NAME(...)` and `\tFILE:LINE +0xOFF` (or the pc), its line that of the
/// outermost inlined call when there is one.
fn print_frame<W: Write>(w: &mut W, k: Kept, at: &AtPc, show: Show, s: &mut Session) {
    if !elf::SYMBOLIZE {
        // Nothing names frames in this build: the pc alone, as for a
        // stripped binary (and none of the readers below is linked).
        let _ = w.write_str("?(...)\n\t");
        s.note_unnamed(k.lookup());
        write_line(w, None, k.pc);
        if show.addresses {
            let _ = write!(w, " sp={:#x} pc={:#x}", k.sp, k.pc);
        }
        let _ = w.write_str("\n");
        return;
    }
    let img = elf::image().unwrap_or(&elf::Image::EMPTY);
    for f in at.chain.frames(img) {
        if f.inlined {
            if shown(f.name, show) {
                write_func(w, f.name);
                write_line(w, f.line, k.pc);
                let _ = w.write_str("\n");
            }
            continue;
        }
        match at.function() {
            Some(name) if !shown(name, show) => return,
            Some(name) => write_func(w, name),
            None => {
                let _ = w.write_str("?(...)\n\t");
                s.note_unnamed(k.lookup());
            }
        }
        write_line(w, f.line, k.pc);
        if let Some(sym) = at.sym {
            let _ = write!(w, " +{:#x}", k.pc.wrapping_sub(sym.start));
        }
        if show.addresses {
            let _ = write!(w, " sp={:#x} pc={:#x}", k.sp, k.pc);
        }
        let _ = w.write_str("\n");
    }
}

/// Writes `NAME(...)` and the tab that starts the frame's second line
/// (`?` for a function the tree names by nothing).
fn write_func<W: Write>(w: &mut W, name: &[u8]) {
    let _ = match name {
        b"" => w.write_str("?"),
        _ => symbols::write_name(w, name),
    };
    let _ = w.write_str("(...)\n\t");
}

/// Writes `FILE:LINE`, or `pc` if the line is unknown: no row for the
/// pc, or a row of line 0 (code the compiler gave no line, such as a
/// call merged from several places; its file is as meaningless).
fn write_line<W: Write>(w: &mut W, line: Option<Line>, pc: u64) {
    match line.filter(|l| l.line != 0) {
        Some(l) => {
            let _ = l.write_path(w);
            let _ = write!(w, ":{}", l.line);
        }
        None => {
            let _ = write!(w, "{pc:#x}");
        }
    }
}

/// `created by FUNC in goroutine N` and the spawn site, for every
/// goroutine but main (Go's `printcreatedby`). The site is the code of
/// the `go` call at its `#[track_caller]` location (`lines::find_row`:
/// the call inlined there, or the line table's row); FUNC is the function
/// that made the call: the caller of the inlined call whose call site is
/// the location, else the innermost frame at the site that is not the
/// runtime's, else the symbol. `?` without line tables, and then the site
/// is the location as rustc recorded it.
fn created_by<W: Write>(w: &mut W, g: &G, s: &mut Session) {
    let Some(loc) = g.created_at else {
        return;
    };
    let img = elf::image();
    let pc = img.and_then(|img| site_pc(img, loc, s));
    let at = pc.map(AtPc::of);
    let (name, line) = match (img, &at) {
        (Some(img), Some(at)) => maker(img, at, loc),
        _ => (None, None),
    };
    let _ = w.write_str("created by ");
    match name {
        Some(name) => {
            let _ = symbols::write_name(w, name);
        }
        None => {
            let _ = w.write_str("?");
        }
    }
    let _ = write!(w, " in goroutine {}\n\t", g.parent_goid);
    let sym = at.as_ref().and_then(|a| a.sym);
    match (line, pc, sym) {
        (Some(l), Some(pc), Some(sym)) => {
            let _ = l.write_path(w);
            let _ = write!(w, ":{} +{:#x}", l.line, pc.wrapping_sub(sym.start));
        }
        _ => {
            let _ = write!(w, "{}:{}", loc.file(), loc.line());
        }
    }
    let _ = w.write_str("\n");
}

/// The function that made the call at `loc` whose code is at `at`, and
/// where (see [`created_by`]).
fn maker(
    img: &elf::Image,
    at: &AtPc,
    loc: &Location<'static>,
) -> (Option<&'static [u8]>, Option<Line>) {
    let calls = at.chain.inlined();
    let is_loc = |k: usize, c: &inlines::Inlined| {
        c.call_line == loc.line()
            && c.call_column == loc.column()
            && at
                .chain
                .call_site(img, k)
                .is_some_and(|l| l.path_is(loc.file().as_bytes()))
    };
    if let Some(k) = calls.iter().enumerate().position(|(k, c)| is_loc(k, c)) {
        let name = match calls.get(k + 1) {
            Some(outer) => Some(outer.name),
            None => at.function(),
        };
        return (name, at.chain.call_site(img, k));
    }
    let mut frames = at.chain.frames(img);
    let user = frames.find(|f| f.inlined && !is_runtime(Name::of(f.name).bytes()));
    match user {
        Some(f) => (Some(f.name), f.line),
        None => (
            at.function(),
            at.chain.frames(img).last().and_then(|f| f.line),
        ),
    }
}

/// The address of the `go` call at `loc`, remembered per report: a
/// thousand goroutines started at one site cost one line-table search.
fn site_pc(img: &elf::Image, loc: &'static Location<'static>, s: &mut Session) -> Option<u64> {
    let key = loc as *const Location as usize;
    if let Some(&(_, pc)) = s.sites[..s.nsites].iter().find(|e| e.0 == key) {
        return (pc != 0).then_some(pc);
    }
    let pc = lines::find_row(img, loc.file(), loc.line(), loc.column());
    let slot = if s.nsites < SITE_MEMO {
        s.nsites += 1;
        s.nsites - 1
    } else {
        key % SITE_MEMO
    };
    s.sites[slot] = (key, pc.unwrap_or(0));
    pc
}

/// The running executable's path (`/proc/self/exe`'s target; qemu-user
/// answers with the guest program's), for the offline hint.
fn exe_path(buf: &mut [u8]) -> Option<&[u8]> {
    let n = crate::sys::fs::readlinkat(crate::sys::fs::AT_FDCWD, c"/proc/self/exe", buf).ok()?;
    buf.get(..n)
}

/// Writes bytes that should be text (a path), lossily.
fn write_bytes<W: Write>(w: &mut W, b: &[u8]) {
    for chunk in b.utf8_chunks() {
        let _ = w.write_str(chunk.valid());
        if !chunk.invalid().is_empty() {
            let _ = w.write_str("?");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_runtime;

    #[test]
    fn runtime_frames_are_rt0_and_panic_machinery() {
        for n in [
            "rt0::chan::Chan<T>::recv",
            "<rt0::sync::Mutex<T> as core::ops::drop::Drop>::drop",
            "rt0_async_preempt",
            "core::panicking::panic_fmt",
            "__rustc::rust_begin_unwind",
            "core::option::unwrap_failed",
            "<alloc::boxed::Box<dyn core::ops::function::FnOnce<()>> as core::ops::function::FnOnce<()>>::call_once",
        ] {
            assert!(is_runtime(n.as_bytes()), "{n}");
        }
        for n in [
            "tb_panic::level3",
            "rt0_tool::main",
            "myprog::main::{closure#0}",
            "core::fmt::write",
            "memcpy",
        ] {
            assert!(!is_runtime(n.as_bytes()), "{n}");
        }
    }
}
