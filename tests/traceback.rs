//! Tracebacks (issue 12), against the contract TB_FORMAT: every report
//! lists goroutine stacks in Go's layout, and every frame it prints is
//! checked against independent oracles run on the same binary.
//!
//! Programs (tests/programs/tb_*.rs): `tb_panic` (a panic three calls
//! deep, on main or on a goroutine beside parked ones, or several at once
//! under load), `tb_deadlock` (goroutines parked at known depths in a
//! channel receive, a WaitGroup wait and a select; main blocked),
//! `tb_overflow` (unbounded recursion on a goroutine), `tb_fault` (a bad
//! store in a nested function, on main or on a goroutine), `tb_busy`
//! (1,000 goroutines, some spinning, for the dump signals) and `tb_api`
//! (`runtime::stack`, `debug::print_stack`). Their functions are
//! `#[inline(never)]`, and the lines the tests expect are marked
//! `// LINE:NAME` in their source, which the tests read.
//!
//! The oracles (tests/common/binutils.rs), with TB_FORMAT's addendum: a
//! call the compiler inlined prints as a frame of its own (`NAME(...)`,
//! `\tFILE:LINE`, no `+0xOFF`, no ` sp= pc=`) before the physical frame
//! that contains it, innermost first, and the physical frame's line is the
//! call line of the outermost inlined call.
//!
//! - `addr2line -a -f -i -C -e BINARY ADDR`: for the address of each
//!   physical frame, the chain of calls inlined there, innermost first,
//!   ending with the function the code belongs to. The inlined frames rt0
//!   printed just before the physical frame, and the physical frame, must
//!   be that chain, entry for entry: the same function and the same
//!   FILE:LINE (or both without line information, the frame then showing
//!   the physical pc). Where the report hides runtime frames, the printed
//!   frames are the chain without the entries [`is_runtime`] names (the
//!   printer filters each printed frame, inlined ones too); at
//!   GOTRACEBACK=system/crash, and in the failing sections that show
//!   runtime frames (see [`check_shape`]), nothing is left out. The
//!   physical frame's name is also the symbol `nm` gives for the address
//!   (rt0 names physical frames from the symbol table).
//! - The address: the frame's `pc=` (GOTRACEBACK=system/crash), its `0xPC`
//!   (no line information), or else the start of its function in the
//!   symbol table (`nm`) plus its `+0xOFF`. As TB_FORMAT says, the pc
//!   looked up is pc itself for the innermost frame of a fault or signal
//!   context and for the frame after `rt0_async_preempt` (and, beyond
//!   TB_FORMAT, after the other signal frames, `rt0_sigtramp` and
//!   `rt0_sigreturn`, which a signal arriving as another's handler starts
//!   unwinds through: [`SIGNAL_FRAMES`]), pc-1 for every other (a return
//!   address). Where a report hides the runtime frames
//!   (so the first physical frame shown may or may not be the innermost),
//!   and for the first frame of the report's own goroutine (where the
//!   report took its registers), either may match.
//! - A hidden runtime frame may still contain shown inlined calls (a
//!   goroutine's closure inlined into its `FnOnce` shim): inlined frames
//!   that no physical frame after them claims. They must be the shown
//!   part of the chain at the return address of a hidden frame that
//!   called the physical frame printed before them: `objdump -d` gives the
//!   direct calls to that function ([`binutils::CallSites`]), and one of
//!   their return addresses (looked up at ret-1) must be in a runtime
//!   function whose chain, runtime entries removed, is those frames (or a
//!   chain of such hidden callers, up to [`ORPHAN_DEPTH`]). The elision
//!   counts such a hidden frame as one frame, as the printer does.
//! - `nm`: with `pc=` and `+0xOFF` both printed, pc - OFF is the start of
//!   the function containing the pc.
//! - created by: its pc is the start of FUNC in the symbol table plus its
//!   `+0xOFF` (every `go` call of the programs is in a physical
//!   function), the first address of the inlined `rt0::runtime::go` call,
//!   looked up as is. addr2line's chain there must hold FUNC at FILE:LINE
//!   (the `go` call's line: the tests check it is the marked one, and
//!   FUNC the program's function) directly outside an `rt0::runtime::go`
//!   entry.
//! - `gdb -batch` with breakpoints (natively only): for a panic, at
//!   `rust_begin_unwind`; for a parked goroutine, at the entry of the
//!   innermost user function of its stack in the report; for a fault, the
//!   fault itself. gdb unwinds with its own CFI reader and shows inlined
//!   calls as frames of their own too: its frames of the program (named
//!   through the symbol table for physical frames, by gdb for inlined
//!   ones), closures included, must be rt0's in the same order, and at
//!   GOTRACEBACK=system the physical ones have the same return addresses.
//!
//! Normalisations, each needed because the two sides differ in what they
//! legitimately print, not in what they mean:
//!
//! - function names: LLVM's `.N`/`.llvm.N`/`.cold` suffixes dropped
//!   (rustc-demangle keeps them, binutils drops them), closures compared
//!   as `{closure}` (`{{closure}}` in legacy mangling, `{closure#N}` in
//!   v0 and in gdb): `binutils::normalize_name`;
//! - addr2line's bare DWARF names (no `::`: binutils 2.40 falls back to
//!   `DW_AT_name` where a DIE has no linkage name, as with rustc's
//!   line-tables-only DWARF) match rt0's name by its last path component
//!   (`binutils::names_match`); the physical frame is matched by `nm`'s
//!   name in any case. With `debug = "limited"` (the release profile)
//!   every Rust DIE has its linkage name and the rule is not needed;
//! - gdb's inlined frames carry generic arguments (`f<u8>`): dropped;
//! - files: a path under the repository root is compared relative to it
//!   (the line tables name `/abs/repo/tests/programs/x.rs`; `created by`
//!   may come from `#[track_caller]`, which says `tests/programs/x.rs`);
//! - addr2line's ` (discriminator N)` dropped, and its `??:0`, `FILE:0`,
//!   `FILE:?` all mean "no line information".
//!
//! "User frames" are those whose name starts with the program's crate
//! (`tb_panic::`), physical or inlined, closures left out of the
//! comparisons with the program's call chain (whether a closure is a
//! function of its own or inlined into its `call_once` shim is LLVM's
//! choice; the oracles above still check every closure frame); their
//! order and names are compared exactly with the program's call chain.
//! Lines: a call from one user function to another (or into the runtime,
//! whose inlined calls come before it) is at its marked line.
//!
//! Natively and under `qemu-x86_64 -cpu MODEL` (the first of QEMU_CPUS):
//! the same reports, names and lines (addr2line runs on the host against
//! the same binary); gdb natively only. The test programs must carry line
//! tables and inlined-call records (`debug = "limited"` in the release
//! profile): without line tables every test fails saying so.

mod common;

use std::collections::HashMap;
use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::binutils::{
    self, CallSites, GdbFrame, Place, Symbols, addr2line, gdb_stacks, names_match, normalize_name,
    strip_generics,
};
use common::report::{self, CreatedBy, Frame, Goroutine, Location, Report};
use common::{Output, Runner, command, example, native_and_one_qemu, repo_root, run_program};

const SIGQUIT: i32 = 3;
const SIGILL: i32 = 4;
const SIGTRAP: i32 = 5;
const SIGABRT: i32 = 6;
const SIGSYS: i32 = 31;
/// `RLIMIT_CORE` (`<asm-generic/resource.h>`): GOTRACEBACK=crash dumps
/// core when the limit allows; the tests set it to 0.
const RLIMIT_CORE: i32 = 4;

unsafe extern "C" {
    fn kill(pid: i32, sig: i32) -> i32;
    fn setrlimit(resource: i32, rlim: *const [u64; 2]) -> i32;
}

/// The panic message of tb_panic.
const PANIC_MSG: &str = "panic: tb_panic at depth 3";
/// TB_FORMAT's elision: the first and the last this many frames are shown.
const ELIDE_KEEP: usize = 50;
/// The stripped binary's hint names at most this many pcs.
const HINT_MAX_PCS: usize = 32;

// ---------------------------------------------------------------------
// The programs, their symbols and their marked lines.

/// A test program: its binary, symbol table and `// LINE:NAME` markers.
struct Prog {
    name: &'static str,
    bin: PathBuf,
    /// Its source, relative to the repository root.
    src: String,
    syms: Symbols,
    lines: HashMap<String, u32>,
    /// addr2line's chains, by address, as looked up so far.
    chains: Mutex<HashMap<u64, Vec<Place>>>,
    /// The direct calls of the binary, loaded when first needed.
    calls: OnceLock<CallSites>,
}

impl Prog {
    fn load(name: &'static str) -> Prog {
        Prog::load_at(name, example(name))
    }

    /// Program `name` as built at `bin` (another build of the same source).
    fn load_at(name: &'static str, bin: PathBuf) -> Prog {
        assert!(
            binutils::has_line_tables(&bin),
            "{} has no .debug_line: TB_FORMAT's FILE:LINE needs line tables in the test \
             programs (profile.release `debug = \"line-tables-only\"`, or the README's setting)",
            bin.display()
        );
        let src = format!("tests/programs/{name}.rs");
        let text = std::fs::read_to_string(repo_root().join(&src)).expect("read the program");
        let mut lines = HashMap::new();
        for (i, l) in text.lines().enumerate() {
            if let Some((_, m)) = l.split_once("// LINE:") {
                let m = m.trim().to_string();
                assert!(
                    lines.insert(m.clone(), i as u32 + 1).is_none(),
                    "marker {m} twice"
                );
            }
        }
        Prog {
            name,
            syms: Symbols::load(&bin),
            bin,
            src,
            lines,
            chains: Mutex::new(HashMap::new()),
            calls: OnceLock::new(),
        }
    }

    /// addr2line's chain for each of `addrs` (one addr2line run for those
    /// not looked up before: a thousand goroutines parked alike cost one).
    fn chains(&self, addrs: &[u64]) -> Vec<Vec<Place>> {
        let lock = || self.chains.lock().unwrap_or_else(|e| e.into_inner());
        let mut missing: Vec<u64> = {
            let known = lock();
            addrs
                .iter()
                .copied()
                .filter(|a| !known.contains_key(a))
                .collect()
        };
        missing.sort_unstable();
        missing.dedup();
        if !missing.is_empty() {
            let got = addr2line(&self.bin, &missing);
            lock().extend(missing.into_iter().zip(got));
        }
        let known = lock();
        addrs.iter().map(|a| known[a].clone()).collect()
    }

    fn chain(&self, addr: u64) -> Vec<Place> {
        self.chains(&[addr]).remove(0)
    }

    fn calls(&self) -> &CallSites {
        self.calls.get_or_init(|| CallSites::load(&self.bin))
    }

    /// The line marked `// LINE:marker`.
    fn line(&self, marker: &str) -> u32 {
        *self
            .lines
            .get(marker)
            .unwrap_or_else(|| panic!("no // LINE:{marker} in {}", self.src))
    }

    /// `tb_x::short`.
    fn func(&self, short: &str) -> String {
        format!("{}::{short}", self.name)
    }

    fn is_user(&self, name: &str) -> bool {
        self.in_program(name) && !normalize_name(name).contains("{closure}")
    }

    /// A function of the program's crate, closures included.
    fn in_program(&self, name: &str) -> bool {
        name.starts_with(&format!("{}::", self.name))
    }
}

/// Each program loaded once per test process (the build runs once anyway).
fn prog(name: &'static str) -> &'static Prog {
    static PROGS: OnceLock<Mutex<HashMap<&'static str, &'static Prog>>> = OnceLock::new();
    let map = PROGS.get_or_init(Default::default);
    let mut map = map.lock().unwrap_or_else(|e| e.into_inner());
    map.entry(name)
        .or_insert_with(|| Box::leak(Box::new(Prog::load(name))))
}

/// A path as compared (see the module note): relative to the repository
/// root when under it.
fn rel(path: &str) -> String {
    let root = repo_root();
    let root = root.to_string_lossy();
    path.strip_prefix(&format!("{root}/"))
        .unwrap_or(path)
        .to_string()
}

// ---------------------------------------------------------------------
// GOTRACEBACK levels and the runtime's frames.

/// What a GOTRACEBACK value means (TB_FORMAT).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Level {
    None,
    Single,
    All,
    System,
    Crash,
}

impl Level {
    fn shows_runtime(self) -> bool {
        matches!(self, Level::System | Level::Crash)
    }
}

/// The runtime's frames, hidden below GOTRACEBACK=system: TB_FORMAT's
/// (`rt0::`, `rt0_*` asm, the panic machinery) and, as the printer's
/// `is_runtime` (src/debug/frames.rs) adds, Go's hidden wrappers: rt0's
/// trait impls (`<rt0::..>`), `__rustc::` (rust_begin_unwind and the
/// allocator shims), `core::ops::function::` and `<alloc::boxed::Box<..>
/// as core::ops::function::FnOnce..>::call_once` (the calls between a
/// goroutine's entry and its closure). Applied to each printed frame,
/// inlined ones too.
fn is_runtime(name: &str) -> bool {
    const PREFIXES: [&str; 8] = [
        "rt0::",
        "<rt0::",
        "core::panicking::",
        "__rustc::",
        "core::ops::function::",
        "core::result::unwrap_failed",
        "core::option::unwrap_failed",
        "core::option::expect_failed",
    ];
    PREFIXES.iter().any(|p| name.starts_with(p))
        || name == "rust_begin_unwind"
        || (name.starts_with("rt0_") && !name.contains("::"))
        || (name.starts_with("<alloc::boxed::Box<") && name.contains("core::ops::function::FnOnce"))
}

/// Whether a section shows the runtime's frames: at GOTRACEBACK=system and
/// crash, and in a failing section (see [`check_shape`]) that shows one.
/// There nothing is hidden: every physical frame is printed.
fn shows_runtime(g: &Goroutine, level: Level) -> bool {
    level.shows_runtime() || g.frames.iter().any(|f| is_runtime(&f.name))
}

// ---------------------------------------------------------------------
// What a goroutine section must show.

/// How a user frame's line is checked (module note).
#[derive(Clone, Copy)]
enum Line {
    /// A call to another user function, into the runtime (its inlined
    /// calls printed before the frame) or the `panic!`: exactly the
    /// marked line.
    At(&'static str),
    /// Anything (addr2line still must agree).
    Any,
}

/// One goroutine as the program leaves it.
struct Want {
    state: &'static str,
    /// The user frames, innermost first: (function's short name, line).
    frames: &'static [(&'static str, Line)],
    /// The marker of the `go(...)` line that created it; None for main.
    created_at: Option<&'static str>,
}

/// Checks one section against `want`: state, user frames, lines, created
/// by. Returns a message naming every difference, or None.
fn goroutine_matches(p: &Prog, g: &Goroutine, want: &Want) -> Option<String> {
    let mut errs = Vec::new();
    if g.state != want.state {
        errs.push(format!("state [{}], want [{}]", g.state, want.state));
    }
    let user: Vec<&Frame> = g.frames.iter().filter(|f| p.is_user(&f.name)).collect();
    let got: Vec<String> = user.iter().map(|f| normalize_name(&f.name)).collect();
    let exp: Vec<String> = want.frames.iter().map(|(n, _)| p.func(n)).collect();
    if g.other_thread {
        errs.push("no frames: 'running on other thread'".to_string());
    } else if got != exp {
        errs.push(format!("user frames {got:?}, want {exp:?}"));
    } else {
        for (f, (_, line)) in user.iter().zip(want.frames) {
            let own = f
                .file_line()
                .map(|(file, l)| (rel(file), l))
                .filter(|(file, _)| *file == p.src);
            let ok = match (*line, &own) {
                (Line::At(m), Some((_, l))) => *l == p.line(m),
                (Line::At(_), None) => false,
                (Line::Any, _) => true,
            };
            if !ok {
                errs.push(format!(
                    "frame {} at {:?}, want line {}",
                    f.name,
                    f.location,
                    match line {
                        Line::At(m) => format!("{}:{}", p.src, p.line(m)),
                        Line::Any => "any".into(),
                    }
                ));
            }
        }
    }
    match (&g.created_by, want.created_at) {
        (None, None) => {}
        (Some(c), None) => errs.push(format!("unexpected created by: {}", c.text)),
        (None, Some(_)) => errs.push("no created by block".to_string()),
        (Some(c), Some(m)) => {
            let main = p.func("main");
            if normalize_name(&c.func) != main || c.parent != 1 {
                errs.push(format!(
                    "created by {} in goroutine {}, want {main} in goroutine 1",
                    c.func, c.parent
                ));
            }
            if rel(&c.file) != p.src || c.line != p.line(m) {
                errs.push(format!(
                    "created at {}:{}, want {}:{}",
                    c.file,
                    c.line,
                    p.src,
                    p.line(m)
                ));
            }
        }
    }
    (!errs.is_empty()).then(|| errs.join("; "))
}

/// Asserts `g` matches `want`.
fn assert_goroutine(p: &Prog, g: &Goroutine, want: &Want, d: &str) {
    if let Some(e) = goroutine_matches(p, g, want) {
        panic!("goroutine {}: {e}\n--- section ---\n{}\n{d}", g.id, g.text);
    }
}

/// Finds, for each `want`, a distinct section matching it (the ids of
/// goroutines other than main are the runtime's choice); `first` is
/// matched against the first section. Returns the section per want.
fn match_all<'r>(p: &Prog, r: &'r Report, wants: &[Want], d: &str) -> Vec<&'r Goroutine> {
    let mut used = vec![false; r.goroutines.len()];
    let mut out = Vec::new();
    for w in wants {
        let found = r
            .goroutines
            .iter()
            .enumerate()
            .find(|(i, g)| !used[*i] && goroutine_matches(p, g, w).is_none());
        match found {
            Some((i, g)) => {
                used[i] = true;
                out.push(g);
            }
            None => {
                let why: Vec<String> = r
                    .goroutines
                    .iter()
                    .filter_map(|g| {
                        goroutine_matches(p, g, w).map(|e| format!("  goroutine {}: {e}", g.id))
                    })
                    .collect();
                panic!(
                    "no section for the goroutine [{}] {:?} (created at {:?}):\n{}\n{d}",
                    w.state,
                    w.frames.iter().map(|f| f.0).collect::<Vec<_>>(),
                    w.created_at,
                    why.join("\n")
                );
            }
        }
    }
    out
}

// ---------------------------------------------------------------------
// Checks every report gets.

/// Parses stderr as a report, failing the test with the parser's reason.
fn parse(out: &Output) -> Report {
    report::parse(&out.stderr_str())
        .unwrap_or_else(|e| panic!("stderr is not a TB_FORMAT report: {e}\n{}", out.describe()))
}

/// Whether the first frame of the first section is the innermost frame
/// of a signal or fault context.
#[derive(Clone, Copy, PartialEq)]
enum Context {
    /// A panic, a deadlock, runtime::stack: every pc is a return address.
    Calls,
    /// A fault or a dump signal on the first section's goroutine.
    Signal,
}

/// The shape rules of TB_FORMAT for a report at `level`: sections have
/// frames or the other-thread line; goroutine 1 (and g0) and only they
/// have no created by; runtime frames and sp=/pc= exactly at system and
/// crash; no goroutine twice; elision as TB_FORMAT says.
///
/// `failing` is how many leading sections may show runtime frames below
/// GOTRACEBACK=system: Go's `showframe` shows them for the goroutine of a
/// runtime error (`throw`: a stack overflow, an unexpected fault) and for
/// a dump signal's interrupted goroutine (and the M's current one), and
/// rt0 does as Go; TB_FORMAT does not say so, so they are allowed there,
/// never required (0 for a panic or a deadlock).
fn check_shape(r: &Report, level: Level, failing: usize, d: &str) {
    if level == Level::None {
        assert!(
            r.goroutines.is_empty(),
            "GOTRACEBACK=none prints no goroutine\n{d}"
        );
        assert!(
            r.runtime_stack.is_none(),
            "GOTRACEBACK=none prints no runtime stack\n{d}"
        );
        return;
    }
    assert!(!r.goroutines.is_empty(), "no goroutine section\n{d}");
    let mut ids = r.ids();
    ids.sort_unstable();
    let n = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), n, "a goroutine listed twice\n{d}");
    let mut runtime_frames = 0;
    for (i, g) in r.goroutines.iter().enumerate() {
        let ctx = format!("goroutine {}\n--- section ---\n{}\n{d}", g.id, g.text);
        assert!(
            g.other_thread || !g.frames.is_empty(),
            "a section without frames: {ctx}"
        );
        if g.id == 1 || g.id == 0 {
            assert!(
                g.created_by.is_none(),
                "created by on goroutine {}: {ctx}",
                g.id
            );
        } else {
            assert!(g.created_by.is_some(), "no created by: {ctx}");
        }
        for f in &g.frames {
            if is_runtime(&f.name) {
                runtime_frames += 1;
                assert!(
                    level.shows_runtime() || i < failing,
                    "runtime frame {} at GOTRACEBACK level {level:?}: {ctx}",
                    f.name
                );
            }
        }
        check_frames(g, level, &ctx);
    }
    if let Some(rs) = &r.runtime_stack {
        let ctx = format!("runtime stack:\n{}\n{d}", rs.text);
        assert!(
            !rs.frames.is_empty() && rs.created_by.is_none() && !rs.other_thread,
            "a `runtime stack:` block must list g0's frames (and nothing else): {ctx}"
        );
        check_frames(rs, level, &ctx);
    }
    if level.shows_runtime() {
        assert!(
            runtime_frames > 0,
            "GOTRACEBACK={level:?} shows no runtime frame\n{d}"
        );
    }
}

/// The per-frame rules of [`check_shape`] for one section: sp=/pc= on
/// the physical frames exactly at system and crash (never on an inlined
/// frame: the parser rejects that), no `?(...)` with symbols, and the
/// elision's shape. The elision counts physical frames; below system a
/// hidden frame whose inlined calls are shown counts too, which only the
/// oracle can tell ([`check_oracles`] counts those), so here a section
/// that hides runtime frames must show at most 50 physical frames each
/// side of the elision line, and one that hides nothing exactly 50.
fn check_frames(g: &Goroutine, level: Level, ctx: &str) {
    for f in g.physical() {
        let shown = f.sp.is_some() && f.pc.is_some();
        assert_eq!(
            shown,
            level.shows_runtime(),
            "sp=/pc= must be shown exactly at system and crash ({level:?}): {}\n{ctx}",
            f.text
        );
        assert!(
            f.name != report::NO_SYMBOL,
            "a ?(...) frame in a binary with symbols: {ctx}"
        );
    }
    let all = shows_runtime(g, level);
    if let Some((at, n)) = g.elided {
        assert!(n > 0, "0 frames elided: {ctx}");
        let before = g.frames[..at].iter().filter(|f| !f.inlined).count();
        let after = g.frames[at..].iter().filter(|f| !f.inlined).count();
        let ok = if all {
            before == ELIDE_KEEP && after == ELIDE_KEEP
        } else {
            before <= ELIDE_KEEP && after <= ELIDE_KEEP
        };
        assert!(
            ok,
            "elided stack shows {before} physical frames before the elision line and {after} \
             after (want {ELIDE_KEEP}): {ctx}"
        );
    } else {
        let n = g.physical().count();
        assert!(
            n <= 2 * ELIDE_KEEP,
            "{n} physical frames and no elision: {ctx}"
        );
    }
}

/// The frames whose caller's pc is exact, not a return address: those
/// that a signal frame's CFI marks so (`.cfi_signal_frame`):
/// `rt0_async_preempt` (TB_FORMAT), and the signal trampolines a nested
/// signal's context unwinds through, `rt0_sigtramp` (which returns to the
/// first instruction of `rt0_sigreturn`) and `rt0_sigreturn` (the
/// kernel's frame, holding the interrupted pc).
const SIGNAL_FRAMES: [&str; 3] = ["rt0_async_preempt", "rt0_sigtramp", "rt0_sigreturn"];

/// How many hidden callers deep [`explain_orphans`] looks for the frame
/// whose inlined calls a report shows without its physical frame.
const ORPHAN_DEPTH: usize = 3;

/// Whether the printed frame `f` is addr2line's chain entry `pl`: the same
/// function ([`names_match`]) and the same FILE:LINE, or both without line
/// information (then the frame shows the physical frame's pc, when known).
fn frame_is(f: &Frame, pl: &Place, phys_pc: Option<u64>) -> bool {
    names_match(&f.name, &pl.func)
        && match &f.location {
            Location::Line { file, line } => pl
                .file_line
                .as_ref()
                .is_some_and(|(pf, pn)| rel(pf) == rel(file) && pn == line),
            Location::Pc(pc) => pl.file_line.is_none() && phys_pc.is_none_or(|x| x == *pc),
        }
}

/// The entries of a chain a section prints: all, or those not the
/// runtime's.
fn shown_part(chain: &[Place], all: bool) -> Vec<&Place> {
    chain
        .iter()
        .filter(|pl| all || !is_runtime(&normalize_name(&pl.func)))
        .collect()
}

/// Checks physical frame `f` (pc `pc`, looked up at `addr`, chain `chain`)
/// and the inlined frames printed just before it (`pending`, innermost
/// first) against the oracles; on success returns how many of `pending`
/// are its own inlined calls (the rest, before them, belong to hidden
/// frames).
fn match_physical(
    p: &Prog,
    f: &Frame,
    pc: u64,
    addr: u64,
    chain: &[Place],
    pending: &[Frame],
    all: bool,
) -> Result<usize, String> {
    let sym = p.syms.containing(addr);
    if sym.is_none_or(|s| normalize_name(&s.name) != normalize_name(&f.name)) {
        return Err(format!(
            "nm's symbol for {addr:#x} is {:?}",
            sym.map(|s| &s.name)
        ));
    }
    if let (Some(_), Some(off), Some(s)) = (f.pc, f.off, sym)
        && s.start != pc.wrapping_sub(off)
    {
        return Err(format!(
            "pc {pc:#x} - OFF {off:#x} is not the start {:#x} of the function containing {addr:#x}",
            s.start
        ));
    }
    let (phys, inl) = chain.split_last().expect("a chain");
    if !frame_is(f, phys, Some(pc)) {
        return Err(format!(
            "the physical frame is not addr2line's outermost entry {:?} {:?}",
            phys.func, phys.file_line
        ));
    }
    let want = shown_part(inl, all);
    if pending.len() < want.len() || (all && pending.len() != want.len()) {
        return Err(format!(
            "{} inlined frames printed before it, addr2line's chain has {} to show",
            pending.len(),
            want.len()
        ));
    }
    let own = &pending[pending.len() - want.len()..];
    for (i, (g, pl)) in own.iter().zip(&want).enumerate() {
        if !frame_is(g, pl, Some(pc)) {
            return Err(format!(
                "inlined frame {i} ({}) is not addr2line's {:?} {:?}",
                g.name, pl.func, pl.file_line
            ));
        }
    }
    Ok(want.len())
}

/// Explains `frames` (inlined frames no printed physical frame claims,
/// innermost first) as the shown inlined calls of hidden frames above the
/// function starting at `callee` (module note): returns how many hidden
/// frames show some, or None.
fn explain_orphans(p: &Prog, frames: &[Frame], callee: u64, depth: usize) -> Option<usize> {
    if frames.is_empty() {
        return Some(0);
    }
    if depth == ORPHAN_DEPTH {
        return None;
    }
    let addrs: Vec<u64> = p.calls().returns_to(callee).iter().map(|r| r - 1).collect();
    let chains = p.chains(&addrs);
    for (&a, chain) in addrs.iter().zip(&chains) {
        let Some(sym) = p.syms.containing(a) else {
            continue;
        };
        let (phys, inl) = chain.split_last().expect("a chain");
        // A frame the report would show is no hidden one.
        if !is_runtime(&normalize_name(&sym.name)) || !is_runtime(&normalize_name(&phys.func)) {
            continue;
        }
        let shown = shown_part(inl, false);
        if shown.len() > frames.len()
            || !frames
                .iter()
                .zip(&shown)
                .all(|(f, pl)| frame_is(f, pl, None))
        {
            continue;
        }
        if let Some(n) = explain_orphans(p, &frames[shown.len()..], sym.start, depth + 1) {
            return Some(n + usize::from(!shown.is_empty()));
        }
    }
    None
}

/// The text of some frames, for messages.
fn frames_text(frames: &[Frame]) -> String {
    frames
        .iter()
        .map(|f| f.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Chains as addr2line printed them, for messages.
fn chains_text(addrs: &[u64], chains: &[Vec<Place>]) -> String {
    addrs
        .iter()
        .zip(chains)
        .map(|(a, c)| {
            let c: Vec<&str> = c.iter().map(|pl| pl.text.as_str()).collect();
            format!("at {a:#x}:\n{}", c.join("\n"))
        })
        .collect::<Vec<_>>()
        .join("\n  or\n")
}

/// Checks one section's frames with the oracles (module note); `first`
/// says whether it is the report's first section (its goroutine is where
/// the report took its registers). Returns the problems found.
fn check_section(
    p: &Prog,
    g: &Goroutine,
    first: bool,
    level: Level,
    context: Context,
    problems: &mut Vec<String>,
) {
    let all = shows_runtime(g, level);
    let elided_at = g.elided.map(|(at, _)| at);
    // Frame groups (a physical frame shown, or a hidden one whose inlined
    // calls are) before and after the elision line.
    let mut groups = [0usize; 2];
    let mut part = 0;
    // The first frame not yet claimed by a physical frame.
    let mut start = 0;
    // The start of the function of the last physical frame matched: what
    // the hidden frames after it called.
    let mut below: Option<u64> = None;
    let mut pi = 0;
    let mut prev_phys: Option<&str> = None;
    let mut orphans = |frames: &[Frame], below: Option<u64>, groups: &mut usize| {
        if frames.is_empty() {
            return;
        }
        let n = if all {
            None
        } else {
            below.and_then(|b| explain_orphans(p, frames, b, 0))
        };
        match n {
            Some(n) => *groups += n,
            None => problems.push(format!(
                "inlined frames that no physical frame's addr2line chain holds{}:\n{}",
                if all {
                    " (nothing is hidden in this section)"
                } else {
                    ", nor a hidden caller's of the frame before them"
                },
                frames_text(frames)
            )),
        }
    };
    let mut phys_problems: Vec<String> = Vec::new();
    for fi in 0..=g.frames.len() {
        if Some(fi) == elided_at {
            orphans(&g.frames[start..fi], below, &mut groups[part]);
            start = fi;
            below = None;
            part = 1;
        }
        let Some(f) = g.frames.get(fi) else {
            orphans(&g.frames[start..], below, &mut groups[part]);
            break;
        };
        if f.inlined {
            continue;
        }
        let pending = &g.frames[start..fi];
        start = fi + 1;
        groups[part] += 1;
        let is_first = pi == 0;
        let after_signal_frame = prev_phys.is_some_and(|n| SIGNAL_FRAMES.contains(&n));
        pi += 1;
        prev_phys = Some(&f.name);
        let pc = match f.any_pc() {
            Some(pc) => pc,
            None => match (p.syms.unique(&f.name), f.off) {
                (Some(s), Some(off)) => s.start + off,
                // A name several functions share (a `call_once` shim):
                // without pc= nothing tells which one; only user frames
                // must be unique.
                _ => {
                    if p.is_user(&f.name) {
                        phys_problems.push(format!("no unique symbol for user frame {}", f.text));
                    }
                    below = None;
                    continue;
                }
            },
        };
        // Which address names the frame (module note).
        let signal_innermost = context == Context::Signal && first && is_first;
        let addrs = if after_signal_frame || (signal_innermost && level.shows_runtime()) {
            vec![pc]
        } else if is_first && (first || !level.shows_runtime()) {
            vec![pc, pc - 1]
        } else {
            vec![pc - 1]
        };
        let chains = p.chains(&addrs);
        let mut errs = Vec::new();
        let mut matched = None;
        for (&addr, chain) in addrs.iter().zip(&chains) {
            match match_physical(p, f, pc, addr, chain, pending, all) {
                Ok(k) => {
                    matched = Some((addr, k));
                    break;
                }
                Err(e) => errs.push(format!("at {addr:#x}: {e}")),
            }
        }
        match matched {
            Some((addr, k)) => {
                orphans(&pending[..pending.len() - k], below, &mut groups[part]);
                below = p.syms.containing(addr).map(|s| s.start);
            }
            None => {
                phys_problems.push(format!(
                    "rt0 printed\n{}\n{}\nbut {}; addr2line says\n{}",
                    frames_text(pending),
                    f.text,
                    errs.join("; "),
                    chains_text(&addrs, &chains)
                ));
                below = None;
            }
        }
    }
    problems.extend(phys_problems);
    let ok = match g.elided {
        Some(_) => groups == [ELIDE_KEEP, ELIDE_KEEP],
        None => groups[0] <= 2 * ELIDE_KEEP,
    };
    if !ok {
        problems.push(format!(
            "goroutine {}: {groups:?} frames (shown or with inlined calls shown) before and after \
             the elision line {:?}: want {ELIDE_KEEP} each side of it, at most {} without it",
            g.id,
            g.elided,
            2 * ELIDE_KEEP
        ));
    }
}

/// Checks a `created by` block with the oracles (module note).
fn check_created_by(p: &Prog, c: &CreatedBy, problems: &mut Vec<String>) {
    if c.func == "?" {
        return;
    }
    let (Some(s), Some(off)) = (p.syms.unique(&c.func), c.off) else {
        problems.push(format!(
            "created by names no unique symbol or has no +0xOFF: {}",
            c.text
        ));
        return;
    };
    let pc = s.start + off;
    if p.syms.containing(pc).is_none_or(|t| t.start != s.start) {
        problems.push(format!(
            "created by's pc {pc:#x} is not in {}: {}",
            c.func, c.text
        ));
        return;
    }
    let chain = p.chain(pc);
    let found = (1..chain.len()).any(|k| {
        let pl = &chain[k];
        names_match(&c.func, &pl.func)
            && pl
                .file_line
                .as_ref()
                .is_some_and(|(f, l)| rel(f) == rel(&c.file) && *l == c.line)
            && names_match("rt0::runtime::go", &chain[k - 1].func)
    });
    if !found {
        problems.push(format!(
            "rt0 printed\n{}\nbut addr2line's chain at {pc:#x} has no {} at {}:{} outside an \
             rt0::runtime::go entry:\n{}",
            c.text,
            c.func,
            c.file,
            c.line,
            chains_text(&[pc], &[chain])
        ));
    }
}

/// Checks every frame and every created-by block of `r` with addr2line,
/// nm and objdump (module note). `context` says whether the first
/// section's first frame is a signal context's innermost frame.
fn check_oracles(p: &Prog, r: &Report, level: Level, context: Context, d: &str) {
    let problems = oracle_problems(p, r, level, context);
    assert!(
        problems.is_empty(),
        "{} frame(s) disagree with the oracles:\n{}\n{d}",
        problems.len(),
        problems.join("\n---\n")
    );
}

/// What [`check_oracles`] finds wrong in `r`, one message per problem.
fn oracle_problems(p: &Prog, r: &Report, level: Level, context: Context) -> Vec<String> {
    // One addr2line run for the physical frames' addresses (those with a
    // pc printed; the others are known only once named through nm, and
    // come in the per-frame runs, which the cache makes rare).
    let pcs: Vec<u64> = r
        .sections()
        .flat_map(|g| g.physical().filter_map(|f| f.any_pc()))
        .flat_map(|pc| [pc, pc - 1])
        .collect();
    p.chains(&pcs);
    let mut problems: Vec<String> = Vec::new();
    for (gi, g) in r.sections().enumerate() {
        let mut mine = Vec::new();
        check_section(p, g, gi == 0, level, context, &mut mine);
        if let Some(c) = &g.created_by {
            check_created_by(p, c, &mut mine);
        }
        problems.extend(mine.into_iter().map(|e| format!("goroutine {}: {e}", g.id)));
    }
    problems
}

/// A frame as compared between two reports of one scenario: all but
/// ` sp= pc=` (the stacks' addresses differ between runs).
fn frame_key(f: &Frame) -> (bool, &str, &Location, Option<u64>) {
    (f.inlined, f.name.as_str(), &f.location, f.off)
}

/// Checks a report below GOTRACEBACK=system against the system-level
/// report of the same program and scenario (the same binary and code
/// path: the same pcs): each goroutine section shows the frames of the
/// same goroutine in the system report (the one with the same state and
/// created by: goroutine ids are the runtime's choice) with the
/// runtime's left out, inlined ones included (the filter applies to each
/// printed frame), or all of them in a section that shows runtime frames.
/// This is what tells a hidden frame's inlined calls left out from none
/// there, which the lower report alone cannot. With an elision on both
/// sides (which counts frames after the filter), the filtered frames of
/// the system report's head start the lower head, and those of its tail
/// end the lower tail.
fn check_filtered(lower: &Report, level: Level, system: &Report, d: &str) {
    let problems = filtered_problems(lower, level, system);
    assert!(problems.is_empty(), "{}\n{d}", problems.join("\n---\n"));
}

/// What [`check_filtered`] finds wrong, one message per goroutine.
fn filtered_problems(lower: &Report, level: Level, system: &Report) -> Vec<String> {
    let mut problems = Vec::new();
    let keys = |fs: &[Frame], all: bool| -> Vec<String> {
        fs.iter()
            .filter(|f| all || !is_runtime(&f.name))
            .map(|f| format!("{:?}", frame_key(f)))
            .collect()
    };
    let same = |g: &Goroutine, s: &Goroutine| -> bool {
        let all = shows_runtime(g, level);
        match (g.elided, s.elided) {
            (None, None) => keys(&g.frames, true) == keys(&s.frames, all),
            (lower_at, Some((at, _))) => {
                let (lh, lt) = match lower_at {
                    Some((a, _)) => g.frames.split_at(a),
                    None => (&g.frames[..], &g.frames[..]),
                };
                let (sh, st) = s.frames.split_at(at);
                keys(lh, true).starts_with(&keys(sh, all))
                    && keys(lt, true).ends_with(&keys(st, all))
            }
            (Some(_), None) => false,
        }
    };
    for g in &lower.goroutines {
        let twins: Vec<&Goroutine> = system
            .goroutines
            .iter()
            .filter(|s| {
                (s.id == 1) == (g.id == 1)
                    && s.state == g.state
                    && s.created_by.as_ref().map(|c| &c.text)
                        == g.created_by.as_ref().map(|c| &c.text)
            })
            .collect();
        if !twins.iter().any(|s| same(g, s)) {
            problems.push(format!(
                "goroutine {}: the {level:?} section is not a system one without the runtime's \
                 frames\n--- {level:?} ---\n{}\n--- system ---\n{}",
                g.id,
                g.text,
                twins
                    .iter()
                    .map(|s| s.text.as_str())
                    .collect::<Vec<_>>()
                    .join("\n--- or ---\n")
            ));
        }
    }
    problems
}

/// gdb's frames of a stack as compared with rt0's: (inlined?, pc, name),
/// physical frames named through the symbol table (the first where gdb
/// stopped, exact; callers' pcs are return addresses, looked up at pc-1),
/// inlined ones by gdb without generic arguments.
fn gdb_named(p: &Prog, stack: &[GdbFrame]) -> Vec<(bool, u64, String)> {
    let mut first = true;
    stack
        .iter()
        .filter(|f| f.pc != 0)
        .map(|f| {
            if f.inline {
                return (true, f.pc, strip_generics(&f.name).to_string());
            }
            let look = if first { f.pc } else { f.pc - 1 };
            first = false;
            let name = p
                .syms
                .containing(look)
                .map_or_else(|| "??".to_string(), |s| s.name.clone());
            (false, f.pc, name)
        })
        .collect()
}

/// The physical frames of a gdb stack, as (pc, symbol-table name).
fn gdb_physical(p: &Prog, stack: &[GdbFrame]) -> Vec<(u64, String)> {
    gdb_named(p, stack)
        .into_iter()
        .filter(|f| !f.0)
        .map(|(_, pc, n)| (pc, n))
        .collect()
}

/// Compares a section with the stack gdb unwound at a stop in the same
/// goroutine: the same frames of the program (inlined ones and closures
/// included) in the same order; at system level the same return
/// addresses for the physical ones (gdb's first physical frame is the
/// stop, whose pc is not comparable).
fn compare_with_gdb(
    p: &Prog,
    g: &Goroutine,
    stack: &[GdbFrame],
    system: bool,
    gdb_text: &str,
    d: &str,
) {
    let named = gdb_named(p, stack);
    let gdb_prog: Vec<(bool, usize, u64, String)> = {
        let mut pi = 0;
        named
            .iter()
            .filter_map(|(inline, pc, n)| {
                let this = pi;
                if !inline {
                    pi += 1;
                }
                p.in_program(n)
                    .then(|| (*inline, this, *pc, normalize_name(n)))
            })
            .collect()
    };
    let rt0_prog: Vec<&Frame> = g.frames.iter().filter(|f| p.in_program(&f.name)).collect();
    let gn: Vec<(bool, &str)> = gdb_prog.iter().map(|u| (u.0, u.3.as_str())).collect();
    let rn: Vec<(bool, String)> = rt0_prog
        .iter()
        .map(|f| (f.inlined, normalize_name(&f.name)))
        .collect();
    let rn: Vec<(bool, &str)> = rn.iter().map(|(i, n)| (*i, n.as_str())).collect();
    let ctx = || {
        format!(
            "--- rt0's section ---\n{}\n--- gdb's frames (inlined?, pc, name) ---\n{}\n--- gdb ---\n{gdb_text}\n{d}",
            g.text,
            named
                .iter()
                .map(|(i, pc, n)| format!("{} {pc:#x} {n}", if *i { "inl " } else { "phys" }))
                .collect::<Vec<_>>()
                .join("\n")
        )
    };
    assert_eq!(
        rn,
        gn,
        "the program's frames (inlined?, name) differ from gdb's backtrace\n{}",
        ctx()
    );
    if system {
        for ((inline, pi, gpc, name), f) in gdb_prog.iter().zip(&rt0_prog) {
            if *inline || *pi == 0 {
                continue;
            }
            assert_eq!(
                f.pc,
                Some(*gpc),
                "frame {name}: rt0's pc vs gdb's\n{}",
                ctx()
            );
        }
    }
}

/// The gdb stack (of `stacks`) whose frame 0 is in function `name`.
fn stack_stopped_in<'s>(
    p: &Prog,
    stacks: &'s [Vec<GdbFrame>],
    name: &str,
    gdb: &Output,
) -> &'s [GdbFrame] {
    stacks
        .iter()
        .find(|s| {
            s.first()
                .and_then(|f| p.syms.containing(f.pc))
                .is_some_and(|sym| normalize_name(&sym.name) == normalize_name(name))
        })
        .unwrap_or_else(|| panic!("gdb never stopped in {name}\n{}", gdb.describe()))
}

// ---------------------------------------------------------------------
// Running programs.

fn run_prog(runner: &Runner, p: &Prog, args: &[&str], env: &[(&str, &str)]) -> Output {
    run_program(runner, &p.bin, args, env)
}

fn describe(out: &Output, what: &str) -> String {
    format!("{what}\n{}", full(out))
}

/// Like `Output::describe`, but the whole stderr (reports are long; the
/// describe tail would cut the section an assertion names).
fn full(out: &Output) -> String {
    const MAX: usize = 60_000;
    let err = out.stderr_str();
    let err = if err.len() > MAX {
        format!(
            "{}\n... ({} bytes)",
            &err[..err.floor_char_boundary(MAX)],
            err.len()
        )
    } else {
        err
    };
    format!(
        "[{}] status={:?} signal={:?}\n--- stdout ---\n{}\n--- stderr ---\n{err}",
        out.runner.label(),
        out.status.code(),
        out.status.signal(),
        out.stdout_str()
    )
}

fn assert_exit_2(out: &Output, d: &str) {
    assert_eq!(out.status.signal(), None, "killed by a signal\n{d}");
    assert_eq!(out.code(), Some(2), "exit status\n{d}");
}

/// A program started with piped output, read in the background, for the
/// dump signals (sent once it prints a line).
struct Started {
    runner: Runner,
    child: Child,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    readers: Vec<JoinHandle<()>>,
}

/// Longest wait for the ready line, and for the end after a signal.
const WAIT: Duration = Duration::from_secs(60);

impl Started {
    fn start(runner: &Runner, p: &Prog, args: &[&str], env: &[(&str, &str)]) -> Started {
        let mut cmd = command(runner, &p.bin, None);
        cmd.args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
        let collect = |mut r: Box<dyn Read + Send>, into: Arc<Mutex<Vec<u8>>>| {
            std::thread::spawn(move || {
                let mut buf = [0u8; 65536];
                while let Ok(n) = r.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    into.lock().unwrap().extend_from_slice(&buf[..n]);
                }
            })
        };
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let readers = vec![
            collect(Box::new(child.stdout.take().unwrap()), stdout.clone()),
            collect(Box::new(child.stderr.take().unwrap()), stderr.clone()),
        ];
        Started {
            runner: runner.clone(),
            child,
            stdout,
            stderr,
            readers,
        }
    }

    /// Waits for `line` on stdout; fails if the program ends first.
    fn wait_for(&mut self, line: &str) {
        let want = format!("{line}\n");
        let t0 = Instant::now();
        while !String::from_utf8_lossy(&self.stdout.lock().unwrap()).contains(&want) {
            if let Some(st) = self.child.try_wait().unwrap() {
                panic!(
                    "[{}] ended ({st:?}) before {line:?}\n{}",
                    self.runner.label(),
                    String::from_utf8_lossy(&self.stderr.lock().unwrap())
                );
            }
            assert!(
                t0.elapsed() < WAIT,
                "[{}] no {line:?} line",
                self.runner.label()
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    fn send(&self, sig: i32) {
        // SAFETY: kill takes no pointers; the pid is our own child's.
        assert_eq!(
            unsafe { kill(self.child.id() as i32, sig) },
            0,
            "kill {sig}"
        );
    }

    /// Waits for the end (killing it after [`WAIT`]).
    fn finish(mut self) -> Output {
        let t0 = Instant::now();
        let status = loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                break st;
            }
            if t0.elapsed() > WAIT {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "[{}] still running {WAIT:?} after the signal: killed",
                    self.runner.label()
                );
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        for r in self.readers.drain(..) {
            r.join().unwrap();
        }
        let take = |b: &Arc<Mutex<Vec<u8>>>| std::mem::take(&mut *b.lock().unwrap());
        let mut stderr = take(&self.stderr);
        if self.runner.is_qemu() {
            stderr = stderr
                .split_inclusive(|&b| b == b'\n')
                .filter(|l| !common::is_qemu_warning(l))
                .flatten()
                .copied()
                .collect();
        }
        Output {
            runner: self.runner,
            status,
            stdout: take(&self.stdout),
            stderr,
        }
    }
}

// ---------------------------------------------------------------------
// tb_panic

/// main -> level1 -> level2 -> level3 (the panic).
const PANIC_CHAIN_MAIN: &[(&str, Line)] = &[
    ("level3", Line::At("level3")),
    ("level2", Line::At("level2")),
    ("level1", Line::At("level1")),
    ("main", Line::At("main")),
];

/// The panicking goroutine of `tb_panic goroutine`.
const PANICKER: Want = Want {
    state: "running",
    frames: &[
        ("level3", Line::At("level3")),
        ("level2", Line::At("level2")),
        ("level1", Line::At("level1")),
        ("spawned", Line::At("spawned")),
    ],
    created_at: Some("go_spawned"),
};

/// The other goroutines of `tb_panic goroutine`.
const PANIC_OTHERS: [Want; 3] = [
    Want {
        state: "chan receive",
        frames: &[("main_wait", Line::At("main_wait")), ("main", Line::Any)],
        created_at: None,
    },
    Want {
        state: "chan receive",
        frames: &[
            ("parked_b", Line::At("parked_b")),
            ("parked_a", Line::At("parked_a")),
        ],
        created_at: Some("go_a"),
    },
    Want {
        state: "chan receive",
        frames: &[("parked_c", Line::At("parked_c"))],
        created_at: Some("go_c"),
    },
];

/// The checks of a panic report of `tb_panic goroutine` at `level`.
fn check_goroutine_panic(p: &Prog, out: &Output, level: Level, d: &str) -> Report {
    if level == Level::Crash {
        assert_eq!(
            out.status.signal(),
            Some(SIGABRT),
            "GOTRACEBACK=crash dies by SIGABRT\n{d}"
        );
    } else {
        assert_exit_2(out, d);
    }
    let r = parse(out);
    assert_eq!(r.head.first().map(String::as_str), Some(PANIC_MSG), "{d}");
    check_shape(&r, level, 0, d);
    match level {
        Level::None => {}
        Level::Single => {
            assert_eq!(
                r.goroutines.len(),
                1,
                "single: the panicking goroutine only\n{d}"
            );
            assert_goroutine(p, &r.goroutines[0], &PANICKER, d);
        }
        Level::All | Level::System | Level::Crash => {
            assert_goroutine(p, &r.goroutines[0], &PANICKER, d);
            assert_eq!(r.goroutines.len(), 4, "all: every goroutine\n{d}");
            let rest = Report {
                goroutines: r.goroutines[1..].to_vec(),
                ..r.clone()
            };
            match_all(p, &rest, &PANIC_OTHERS, d);
            assert!(r.goroutine(1).is_some(), "{d}");
        }
    }
    if level != Level::None {
        check_oracles(p, &r, level, Context::Calls, d);
    }
    r
}

#[test]
fn panic_on_main_shows_the_call_chain() {
    let p = prog("tb_panic");
    for runner in native_and_one_qemu() {
        let mut reports = Vec::new();
        for (env, level) in [(None, Level::Single), (Some("system"), Level::System)] {
            let envs: Vec<(&str, &str)> = env.map(|v| ("GOTRACEBACK", v)).into_iter().collect();
            let out = run_prog(&runner, p, &[], &envs);
            let d = describe(&out, &format!("tb_panic, GOTRACEBACK={env:?}"));
            assert_exit_2(&out, &d);
            let r = parse(&out);
            assert_eq!(r.head, [PANIC_MSG], "{d}");
            check_shape(&r, level, 0, &d);
            assert_eq!(r.ids(), [1], "{d}");
            let want = Want {
                state: "running",
                frames: PANIC_CHAIN_MAIN,
                created_at: None,
            };
            assert_goroutine(p, &r.goroutines[0], &want, &d);
            check_oracles(p, &r, level, Context::Calls, &d);
            assert!(r.tail.is_empty() && r.hint.is_none(), "{d}");
            reports.push((level, r, d));
        }
        check_levels(&reports);
    }
}

/// [`check_filtered`] of each report of `reports` against the first
/// system-level one among them (a crash-level one must equal it).
fn check_levels(reports: &[(Level, Report, String)]) {
    let system = reports
        .iter()
        .position(|(l, _, _)| *l == Level::System)
        .expect("a system-level report");
    let (_, sr, sd) = &reports[system];
    for (i, (level, r, d)) in reports.iter().enumerate() {
        if i != system {
            check_filtered(r, *level, sr, &format!("{d}\n=== system ===\n{sd}"));
        }
    }
}

#[test]
fn panic_on_main_matches_gdb() {
    let p = prog("tb_panic");
    let env = [("GOTRACEBACK", "system")];
    let out = run_prog(&Runner::Native, p, &[], &env);
    let d = describe(&out, "tb_panic, GOTRACEBACK=system");
    let r = parse(&out);
    assert_eq!(r.ids(), [1], "{d}");
    let unwind = p.syms.addr("__rustc::rust_begin_unwind");
    let (stacks, gdb) = gdb_stacks(&p.bin, &[], &env, &[unwind], 1);
    assert_eq!(
        stacks.len(),
        1,
        "gdb did not stop in rust_begin_unwind\n{}",
        gdb.describe()
    );
    let text = gdb.stdout_str();
    compare_with_gdb(p, &r.goroutines[0], &stacks[0], true, &text, &d);
    // Beyond the user frames: from gdb's frame 1 (the return into
    // core::panicking::panic_fmt) rt0 shows the same physical frames, at
    // least down to main.
    let phys = gdb_physical(p, &stacks[0]);
    let rt0_pcs: Vec<u64> = r.goroutines[0].frames.iter().filter_map(|f| f.pc).collect();
    let start = rt0_pcs
        .iter()
        .position(|&pc| pc == phys[1].0)
        .unwrap_or_else(|| {
            panic!(
                "rt0 shows no frame at gdb's frame 1 ({:#x} {})\n{text}\n{d}",
                phys[1].0, phys[1].1
            )
        });
    let main_at = phys
        .iter()
        .position(|(_, n)| normalize_name(n) == p.func("main"))
        .expect("gdb shows main");
    for (i, (pc, name)) in phys[1..=main_at].iter().enumerate() {
        assert_eq!(
            rt0_pcs.get(start + i),
            Some(pc),
            "frame {name} differs from gdb's\n{text}\n{d}"
        );
    }
}

/// Every GOTRACEBACK value of TB_FORMAT, for a panic on a goroutine while
/// others are parked.
const LEVELS: [(Option<&str>, Level); 12] = [
    (None, Level::Single),
    (Some(""), Level::Single),
    (Some("single"), Level::Single),
    (Some("none"), Level::None),
    (Some("0"), Level::None),
    (Some("all"), Level::All),
    (Some("1"), Level::All),
    (Some("system"), Level::System),
    (Some("2"), Level::System),
    (Some("crash"), Level::Crash),
    (Some("bogus"), Level::Single),
    (Some("-1"), Level::Single),
];

#[test]
fn gotraceback_levels_for_a_goroutine_panic() {
    let p = prog("tb_panic");
    let mut reports = Vec::new();
    for (value, level) in LEVELS {
        let envs: Vec<(&str, &str)> = value.map(|v| ("GOTRACEBACK", v)).into_iter().collect();
        let mut cmd = command(&Runner::Native, &p.bin, None);
        cmd.arg("goroutine");
        cmd.envs(envs.iter().copied());
        // SAFETY: the hook calls only setrlimit, async-signal-safe, on a
        // value on its own stack: crash must not leave core files.
        unsafe {
            cmd.pre_exec(|| {
                let zero = [0u64; 2];
                if setrlimit(RLIMIT_CORE, &zero) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let out = common::run(&Runner::Native, cmd);
        let d = describe(
            &out,
            &format!("tb_panic goroutine, GOTRACEBACK={value:?} ({level:?})"),
        );
        reports.push((level, check_goroutine_panic(p, &out, level, &d), d));
    }
    check_levels(&reports);
    // Under qemu: the all-goroutines report (frames, names, created by).
    for runner in native_and_one_qemu().into_iter().filter(Runner::is_qemu) {
        let out = run_prog(&runner, p, &["goroutine"], &[("GOTRACEBACK", "all")]);
        let d = describe(&out, "tb_panic goroutine, GOTRACEBACK=all");
        check_goroutine_panic(p, &out, Level::All, &d);
    }
}

#[test]
fn goroutine_panic_matches_gdb() {
    let p = prog("tb_panic");
    let env = [("GOTRACEBACK", "system")];
    let out = run_prog(&Runner::Native, p, &["goroutine"], &env);
    let d = describe(&out, "tb_panic goroutine, GOTRACEBACK=system");
    let r = check_goroutine_panic(p, &out, Level::System, &d);
    let stops = [
        "__rustc::rust_begin_unwind",
        "tb_panic::parked_b",
        "tb_panic::parked_c",
        "tb_panic::main_wait",
    ];
    let breaks: Vec<u64> = stops.iter().map(|s| p.syms.addr(s)).collect();
    let (stacks, gdb) = gdb_stacks(&p.bin, &["goroutine"], &env, &breaks, stops.len());
    let text = gdb.stdout_str();
    for (stop, first_user) in stops
        .iter()
        .zip(["level3", "parked_b", "parked_c", "main_wait"])
    {
        let stack = stack_stopped_in(p, &stacks, stop, &gdb);
        let g = r
            .goroutines
            .iter()
            .find(|g| {
                g.frames
                    .iter()
                    .find(|f| p.is_user(&f.name))
                    .is_some_and(|f| f.name == p.func(first_user))
            })
            .unwrap_or_else(|| panic!("no section whose first user frame is {first_user}\n{d}"));
        compare_with_gdb(p, g, stack, true, &text, &d);
    }
}

// ---------------------------------------------------------------------
// tb_deadlock

const DEADLOCK_MSG: &str = "fatal error: all goroutines are asleep - deadlock!";

const DEADLOCKED: [Want; 4] = [
    Want {
        state: "chan receive",
        frames: &[
            ("main_block", Line::At("main_block")),
            ("main", Line::At("main")),
        ],
        created_at: None,
    },
    Want {
        state: "chan receive",
        frames: &[
            ("recv_inner", Line::At("recv_inner")),
            ("recv_outer", Line::At("recv_outer")),
        ],
        created_at: Some("go_recv"),
    },
    Want {
        state: "sync.WaitGroup.Wait",
        frames: &[("wg_waiter", Line::At("wg_waiter"))],
        created_at: Some("go_wg"),
    },
    Want {
        state: "select",
        frames: &[
            ("select_inner", Line::Any),
            ("select_middle", Line::At("select_middle")),
            ("select_outer", Line::At("select_outer")),
        ],
        created_at: Some("go_select"),
    },
];

fn check_deadlock(p: &Prog, out: &Output, level: Level, d: &str) -> Report {
    assert_exit_2(out, d);
    assert_eq!(out.stdout_str(), "all parked\n", "{d}");
    let r = parse(out);
    assert_eq!(r.head, [DEADLOCK_MSG], "{d}");
    check_shape(&r, level, 0, d);
    assert_eq!(r.goroutines.len(), 4, "every goroutine\n{d}");
    match_all(p, &r, &DEADLOCKED, d);
    check_oracles(p, &r, level, Context::Calls, d);
    assert!(r.tail.is_empty(), "{d}");
    r
}

#[test]
fn deadlock_lists_every_goroutine_with_frames() {
    let p = prog("tb_deadlock");
    for runner in native_and_one_qemu() {
        let mut reports = Vec::new();
        for (env, level) in [(None, Level::Single), (Some("system"), Level::System)] {
            let envs: Vec<(&str, &str)> = env.map(|v| ("GOTRACEBACK", v)).into_iter().collect();
            let out = run_prog(&runner, p, &[], &envs);
            let d = describe(&out, &format!("tb_deadlock, GOTRACEBACK={env:?}"));
            reports.push((level, check_deadlock(p, &out, level, &d), d));
        }
        check_levels(&reports);
    }
}

#[test]
fn deadlock_matches_gdb() {
    let p = prog("tb_deadlock");
    let env = [("GOTRACEBACK", "system")];
    let out = run_prog(&Runner::Native, p, &[], &env);
    let d = describe(&out, "tb_deadlock, GOTRACEBACK=system");
    let r = check_deadlock(p, &out, Level::System, &d);
    let stops = ["main_block", "recv_inner", "wg_waiter", "select_inner"];
    let breaks: Vec<u64> = stops.iter().map(|s| p.syms.addr(&p.func(s))).collect();
    let (stacks, gdb) = gdb_stacks(&p.bin, &[], &env, &breaks, stops.len());
    let text = gdb.stdout_str();
    for s in stops {
        let stack = stack_stopped_in(p, &stacks, &p.func(s), &gdb);
        let g = r
            .goroutines
            .iter()
            .find(|g| {
                g.frames
                    .iter()
                    .find(|f| p.is_user(&f.name))
                    .is_some_and(|f| f.name == p.func(s))
            })
            .unwrap_or_else(|| panic!("no section whose first user frame is {s}\n{d}"));
        compare_with_gdb(p, g, stack, true, &text, &d);
    }
}

// ---------------------------------------------------------------------
// tb_overflow

#[test]
fn stack_overflow_shows_the_recursion_and_its_entry() {
    let p = prog("tb_overflow");
    let recurse = p.func("recurse");
    for runner in native_and_one_qemu() {
        let mut reports = Vec::new();
        for (env, level) in [(None, Level::Single), (Some("system"), Level::System)] {
            let envs: Vec<(&str, &str)> = env.map(|v| ("GOTRACEBACK", v)).into_iter().collect();
            let out = run_prog(&runner, p, &[], &envs);
            let d = describe(&out, &format!("tb_overflow, GOTRACEBACK={env:?}"));
            assert_exit_2(&out, &d);
            let r = parse(&out);
            assert_eq!(
                r.head.last().map(String::as_str),
                Some("fatal error: stack overflow"),
                "{d}"
            );
            assert!(
                r.head[0].starts_with("runtime: goroutine stack exceeds "),
                "{d}"
            );
            check_shape(&r, level, 1, &d);
            assert_eq!(
                r.goroutines.len(),
                2,
                "the overflowing goroutine and main\n{d}"
            );
            let g = &r.goroutines[0];
            let ctx = format!("--- section ---\n{}\n{d}", g.text);
            assert_eq!(g.state, "running", "{ctx}");
            let (at, n) = g.elided.unwrap_or_else(|| panic!("no elision line\n{ctx}"));
            assert!(n > 0, "{ctx}");
            // The first 50 physical frames (check_shape and the oracle
            // count them): the recursion, from the faulting frame on, each
            // with what it inlined (`core::hint::black_box`) before it.
            let head = &g.frames[..at];
            let user_first: Vec<&Frame> = head
                .iter()
                .filter(|f| !f.inlined && p.is_user(&f.name))
                .collect();
            assert!(
                user_first.len() >= ELIDE_KEEP - 3
                    && user_first
                        .iter()
                        .all(|f| normalize_name(&f.name) == recurse),
                "the first {ELIDE_KEEP} frames are the recursion\n{ctx}"
            );
            assert_eq!(
                g.physical().next().map(|f| normalize_name(&f.name)),
                Some(recurse.clone()),
                "the faulting frame first\n{ctx}"
            );
            for f in &user_first[1..] {
                assert_eq!(
                    f.file_line().map(|(f, l)| (rel(f), l)),
                    Some((p.src.clone(), p.line("recurse"))),
                    "{ctx}"
                );
            }
            // The last 50: the recursion's tail, then its entry.
            let tail = Goroutine {
                frames: g.frames[at..].to_vec(),
                elided: None,
                ..g.clone()
            };
            let mut want_frames: Vec<(&str, Line)> = Vec::new();
            let tail_user = tail.frames.iter().filter(|f| p.is_user(&f.name)).count();
            assert!(tail_user >= 2, "{ctx}");
            for _ in 0..tail_user - 1 {
                want_frames.push(("recurse", Line::At("recurse")));
            }
            want_frames.push(("start", Line::At("start")));
            let want = Want {
                state: "running",
                frames: Box::leak(want_frames.into_boxed_slice()),
                created_at: Some("go_start"),
            };
            assert_goroutine(p, &tail, &want, &d);
            let main = Want {
                state: "chan receive",
                frames: &[("main_wait", Line::At("main_wait")), ("main", Line::Any)],
                created_at: None,
            };
            assert_goroutine(p, &r.goroutines[1], &main, &d);
            check_oracles(p, &r, level, Context::Signal, &d);
            reports.push((level, r, d));
        }
        check_levels(&reports);
    }
}

// ---------------------------------------------------------------------
// tb_fault

const NIL_MSG: &str = "panic: runtime error: invalid memory address or nil pointer dereference";

/// The `pc=` of `[signal SIGSEGV: ... pc=0x...]`.
fn signal_pc(r: &Report, d: &str) -> u64 {
    let l = r
        .head
        .iter()
        .find(|l| l.starts_with("[signal SIGSEGV: "))
        .unwrap_or_else(|| panic!("no [signal SIGSEGV: ...] line\n{d}"));
    l.rsplit_once(" pc=")
        .and_then(|(_, pc)| pc.strip_suffix(']'))
        .and_then(|pc| u64::from_str_radix(pc.trim_start_matches("0x"), 16).ok())
        .unwrap_or_else(|| panic!("no pc= in {l:?}\n{d}"))
}

const FAULT_CHAIN: [(&str, Line); 3] = [
    ("fault_inner", Line::At("fault_inner")),
    ("fault_middle", Line::At("fault_middle")),
    ("fault_outer", Line::At("fault_outer")),
];

fn check_fault(p: &Prog, out: &Output, wild: bool, level: Level, d: &str) -> Report {
    assert_exit_2(out, d);
    let r = parse(out);
    check_shape(&r, level, usize::from(wild), d);
    let pc = signal_pc(&r, d);
    let first = &r.goroutines[0];
    // The faulting function is the first physical frame (what it inlined
    // at the fault, `core::ptr::write_volatile`, comes before it).
    let phys = first.physical().next();
    assert_eq!(
        phys.map(|f| normalize_name(&f.name)),
        Some(p.func("fault_inner")),
        "the faulting function is the first physical frame\n{d}"
    );
    if level.shows_runtime() {
        assert_eq!(
            phys.and_then(|f| f.pc),
            Some(pc),
            "the first physical frame's pc is the signal's\n{d}"
        );
    }
    let mut chain: Vec<(&str, Line)> = FAULT_CHAIN.to_vec();
    if wild {
        assert_eq!(r.head[0], "unexpected fault address 0xdeadbeef000", "{d}");
        assert_eq!(r.head[1], "fatal error: fault", "{d}");
        chain.push(("wild_start", Line::At("wild_start")));
        let frames: &'static [(&str, Line)] = Box::leak(chain.into_boxed_slice());
        let want = Want {
            state: "running",
            frames,
            created_at: Some("go_wild"),
        };
        assert_goroutine(p, first, &want, d);
        assert_eq!(
            r.goroutines.len(),
            2,
            "a fatal error lists every goroutine\n{d}"
        );
        let main = Want {
            state: "chan receive",
            frames: &[("main_wait", Line::At("main_wait")), ("main", Line::Any)],
            created_at: None,
        };
        assert_goroutine(p, &r.goroutines[1], &main, d);
    } else {
        assert_eq!(r.head[0], NIL_MSG, "{d}");
        chain.push(("main", Line::At("main")));
        let frames: &'static [(&str, Line)] = Box::leak(chain.into_boxed_slice());
        let want = Want {
            state: "running",
            frames,
            created_at: None,
        };
        assert_eq!(r.ids(), [1], "{d}");
        assert_goroutine(p, first, &want, d);
    }
    check_oracles(p, &r, level, Context::Signal, d);
    r
}

#[test]
fn fault_in_a_nested_function() {
    let p = prog("tb_fault");
    for runner in native_and_one_qemu() {
        for (arg, wild) in [("nil", false), ("wild", true)] {
            let mut reports = Vec::new();
            for (env, level) in [(None, Level::Single), (Some("system"), Level::System)] {
                let envs: Vec<(&str, &str)> = env.map(|v| ("GOTRACEBACK", v)).into_iter().collect();
                let out = run_prog(&runner, p, &[arg], &envs);
                let d = describe(&out, &format!("tb_fault {arg}, GOTRACEBACK={env:?}"));
                reports.push((level, check_fault(p, &out, wild, level, &d), d));
            }
            check_levels(&reports);
        }
    }
}

#[test]
fn fault_matches_gdb() {
    let p = prog("tb_fault");
    for (arg, wild) in [("nil", false), ("wild", true)] {
        let env = [("GOTRACEBACK", "system")];
        let out = run_prog(&Runner::Native, p, &[arg], &env);
        let d = describe(&out, &format!("tb_fault {arg}, GOTRACEBACK=system"));
        let r = check_fault(p, &out, wild, Level::System, &d);
        // No breakpoint: gdb stops at the SIGSEGV itself.
        let (stacks, gdb) = gdb_stacks(&p.bin, &[arg], &env, &[], 1);
        let stack = stack_stopped_in(p, &stacks, &p.func("fault_inner"), &gdb);
        assert_eq!(
            stack[0].pc,
            signal_pc(&r, &d),
            "gdb's fault pc\n{}",
            gdb.describe()
        );
        compare_with_gdb(p, &r.goroutines[0], stack, true, &gdb.stdout_str(), &d);
    }
}

// ---------------------------------------------------------------------
// tb_busy: the dump signals with 1,002 goroutines.

/// Go's first line of each dump signal's report.
fn dump_name(sig: i32) -> &'static str {
    match sig {
        SIGQUIT => "SIGQUIT: quit",
        SIGILL => "SIGILL: illegal instruction",
        SIGTRAP => "SIGTRAP: trace trap",
        SIGABRT => "SIGABRT: abort",
        SIGSYS => "SIGSYS: bad system call",
        _ => unreachable!(),
    }
}

/// Goroutines of tb_busy: main, PARKED parked ones, SPINNERS spinners
/// and the announcer (which says `ready` once main is parked: it is on
/// its way from the write to its park when the signal comes, or parked,
/// and is taken in any state; tests/programs/tb_busy.rs says why).
const BUSY_PARKED: usize = 996;
const BUSY_SPINNERS: usize = 4;

const BUSY_PARKED_WANT: Want = Want {
    state: "chan receive",
    frames: &[("park_inner", Line::Any), ("park_outer", Line::Any)],
    created_at: Some("go_park"),
};

fn check_busy_dump(p: &Prog, out: &Output, sig: i32, level: Level, d: &str) {
    assert_exit_2(out, d);
    let r = parse(out);
    assert_eq!(
        r.head.first().map(String::as_str),
        Some(dump_name(sig)),
        "{d}"
    );
    let pc_line = r.head.get(1).map_or("", String::as_str);
    let (pc, rest) = pc_line
        .strip_prefix("PC=0x")
        .and_then(|l| l.split_once(" m="))
        .unwrap_or_else(|| panic!("PC=0x... m= line: {pc_line:?}\n{d}"));
    let pc = u64::from_str_radix(pc, 16).unwrap_or_else(|_| panic!("PC {pc:?}\n{d}"));
    let (m, code) = rest
        .split_once(" sigcode=")
        .unwrap_or_else(|| panic!("sigcode=\n{d}"));
    assert!(
        m.parse::<u32>().is_ok() && code.parse::<u64>().is_ok(),
        "{pc_line:?}\n{d}"
    );
    // g0 (goroutine 0, an idle M's) may come first; the rest are the
    // program's 1,002.
    let ids: Vec<u64> = r.ids().into_iter().filter(|&id| id != 0).collect();
    assert_eq!(
        ids.len(),
        2 + BUSY_PARKED + BUSY_SPINNERS,
        "every goroutine listed\n{d}"
    );
    check_shape(&r, level, 2, d);
    let main = p.func("main");
    let (mut parked, mut spinning, mut announcers) = (0, 0, 0);
    for g in r.goroutines.iter().filter(|g| g.id != 0) {
        let user: Vec<String> = g
            .frames
            .iter()
            .filter(|f| p.is_user(&f.name))
            .map(|f| normalize_name(&f.name))
            .collect();
        let ctx = || format!("--- section ---\n{}\n{d}", g.text);
        let created_line = g.created_by.as_ref().map(|c| c.line);
        if created_line == Some(p.line("go_announce")) {
            let c = g.created_by.as_ref().unwrap();
            assert_eq!(
                (normalize_name(&c.func), c.parent, rel(&c.file)),
                (main.clone(), 1, p.src.clone()),
                "{}",
                ctx()
            );
            announcers += 1;
        } else if g.id == 1 {
            assert_eq!(g.state, "chan receive", "{}", ctx());
            assert_eq!(user, [p.func("main_wait"), main.clone()], "{}", ctx());
        } else if g.state == "chan receive" {
            if let Some(e) = goroutine_matches(p, g, &BUSY_PARKED_WANT) {
                panic!("parked goroutine {}: {e}\n{}", g.id, ctx());
            }
            parked += 1;
        } else {
            assert!(
                matches!(g.state.as_str(), "running" | "runnable"),
                "{}",
                ctx()
            );
            // Frames from a signal context, or from a preemption's saved
            // registers, or none (running on another thread).
            if !g.other_thread {
                assert!(
                    user == [p.func("spin_inner"), p.func("spin_outer")],
                    "spinner frames {user:?}\n{}",
                    ctx()
                );
            }
            let c = g.created_by.as_ref().unwrap();
            assert_eq!(
                (normalize_name(&c.func), c.parent, rel(&c.file), c.line),
                (main.clone(), 1, p.src.clone(), p.line("go_spin")),
                "{}",
                ctx()
            );
            spinning += 1;
        }
    }
    assert_eq!(
        (parked, spinning, announcers),
        (BUSY_PARKED, BUSY_SPINNERS, 1),
        "{d}"
    );
    if level.shows_runtime() {
        let f = r.goroutines[0].physical().next();
        assert_eq!(
            f.and_then(|f| f.pc),
            Some(pc),
            "the first physical frame is the signal context's PC\n{d}"
        );
    }
    // The registers follow the last section.
    let rip = r
        .tail
        .iter()
        .find_map(|l| l.strip_prefix("rip    0x"))
        .unwrap_or_else(|| panic!("no rip register line after the sections\n{d}"));
    assert_eq!(
        u64::from_str_radix(rip, 16).ok(),
        Some(pc),
        "rip is the PC\n{d}"
    );
    check_oracles(p, &r, level, Context::Signal, d);
}

fn busy_dump(runner: &Runner, p: &Prog, sig: i32, env: &[(&str, &str)]) -> Output {
    let mut s = Started::start(runner, p, &[], env);
    s.wait_for("ready");
    s.send(sig);
    s.finish()
}

#[test]
fn sigquit_dumps_1001_goroutines() {
    let p = prog("tb_busy");
    for runner in native_and_one_qemu() {
        let env = [("GOMAXPROCS", "2")];
        let out = busy_dump(&runner, p, SIGQUIT, &env);
        let d = describe(&out, "tb_busy, SIGQUIT");
        check_busy_dump(p, &out, SIGQUIT, Level::Single, &d);
    }
}

#[test]
fn other_dump_signals_and_system_level() {
    let p = prog("tb_busy");
    for sig in [SIGABRT, SIGTRAP, SIGSYS] {
        let out = busy_dump(&Runner::Native, p, sig, &[("GOMAXPROCS", "2")]);
        let d = describe(&out, &format!("tb_busy, signal {sig}"));
        check_busy_dump(p, &out, sig, Level::Single, &d);
    }
    let out = busy_dump(
        &Runner::Native,
        p,
        SIGQUIT,
        &[("GOMAXPROCS", "2"), ("GOTRACEBACK", "system")],
    );
    let d = describe(&out, "tb_busy, SIGQUIT, GOTRACEBACK=system");
    check_busy_dump(p, &out, SIGQUIT, Level::System, &d);
}

// ---------------------------------------------------------------------
// Stripped binaries.

/// `strip -o` of a program, in the target directory.
fn stripped(p: &Prog) -> PathBuf {
    let dir = common::target_dir().join("stripped");
    std::fs::create_dir_all(&dir).expect("create target/stripped");
    let out = dir.join(format!("{}.{}", p.name, std::process::id()));
    binutils::strip(&p.bin, &out);
    out
}

/// Checks a stripped binary's report: `?(...)` frames with pcs, the hint
/// with the binary and the pcs, and that the unstripped binary's
/// addr2line of those pcs gives the user chain, in order.
fn check_stripped(
    p: &Prog,
    bin: &Path,
    out: &Output,
    chain: &[&str],
    created_at: Option<&str>,
    d: &str,
) {
    assert_exit_2(out, d);
    let r = parse(out);
    assert_eq!(r.head.first().map(String::as_str), Some(PANIC_MSG), "{d}");
    let g = &r.goroutines[0];
    let mut pcs = Vec::new();
    for f in &g.frames {
        assert_eq!(
            f.name,
            report::NO_SYMBOL,
            "no symbols: ?(...)\n{}\n{d}",
            f.text
        );
        assert_eq!(f.off, None, "no +0xOFF without symbols: {}\n{d}", f.text);
        match f.location {
            Location::Pc(pc) => pcs.push(pc),
            _ => panic!("no line tables in a stripped binary: {}\n{d}", f.text),
        }
    }
    assert!(!pcs.is_empty(), "{d}");
    let hint = r
        .hint
        .as_ref()
        .unwrap_or_else(|| panic!("no (no symbol table ...) line\n{d}"));
    assert_eq!(
        Path::new(&hint.binary),
        bin,
        "the hint names the binary as run\n{d}"
    );
    // The hint's pcs are the report's, in order, each the frame's pc or
    // pc-1 (the address to look up: TB_FORMAT says "those of the report",
    // and a return address is looked up at pc-1), repeats left out, up to
    // HINT_MAX_PCS.
    let all_pcs: Vec<u64> = r
        .sections()
        .flat_map(|g| g.frames.iter().filter_map(|f| f.any_pc()))
        .collect();
    let mut j = 0;
    for pc in &all_pcs {
        if hint.pcs.get(j).is_some_and(|h| *h == *pc || *h + 1 == *pc) {
            j += 1;
        }
    }
    let distinct = {
        let mut v = all_pcs.clone();
        v.sort_unstable();
        v.dedup();
        v.len()
    };
    assert!(
        j == hint.pcs.len() && hint.pcs.len() == distinct.min(HINT_MAX_PCS),
        "the hint's pcs {:x?} are not the report's {all_pcs:x?} (up to {HINT_MAX_PCS})\n{d}",
        hint.pcs
    );
    // Offline, as the hint says, on the unstripped twin: the hint's own
    // addresses, then the frames' pcs looked up at pc-1; both give the
    // call chain (with -i: the user functions among every pc's inlined
    // calls and the function they are in).
    let user_names = |chains: Vec<Vec<Place>>| -> Vec<String> {
        chains
            .iter()
            .flatten()
            .map(|pl| normalize_name(&pl.func))
            .filter(|n| p.is_user(n))
            .collect()
    };
    let hinted = user_names(p.chains(&hint.pcs));
    let want: Vec<String> = chain.iter().map(|c| p.func(c)).collect();
    assert_eq!(
        hinted, want,
        "addr2line of the hint's pcs on the unstripped binary\n{d}"
    );
    let names = user_names(p.chains(&pcs.iter().map(|pc| pc - 1).collect::<Vec<_>>()));
    assert_eq!(names, want, "addr2line of the stripped report's pcs\n{d}");
    match created_at {
        None => assert!(g.created_by.is_none(), "{d}"),
        Some(m) => {
            let c = g
                .created_by
                .as_ref()
                .unwrap_or_else(|| panic!("no created by\n{d}"));
            assert_eq!(
                (c.func.as_str(), c.parent),
                ("?", 1),
                "created by ? in goroutine 1\n{d}"
            );
            assert_eq!(
                (rel(&c.file), c.line),
                (p.src.clone(), p.line(m)),
                "created at\n{d}"
            );
        }
    }
}

#[test]
fn stripped_binary_prints_pcs_and_the_addr2line_hint() {
    let p = prog("tb_panic");
    let bin = stripped(p);
    check_unnamed_runs(p, &bin, "\n(no symbol table in ");
    let _ = std::fs::remove_file(&bin);
}

/// tb_panic built without rt0's `symbolize` feature (`cargo build
/// --no-default-features`, in a target directory of its own): its own
/// build, not stripped, so addr2line can check the hint against it.
fn without_symbolize() -> PathBuf {
    let dir = common::target_dir().join("nosym");
    let out = std::process::Command::new(common::cargo())
        .args([
            "build",
            "--release",
            "--no-default-features",
            "--example",
            "tb_panic",
        ])
        .arg("--target-dir")
        .arg(&dir)
        .current_dir(repo_root())
        .output()
        .expect("run cargo build --no-default-features");
    assert!(
        out.status.success(),
        "cargo build --release --no-default-features --example tb_panic failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir.join("release/examples/tb_panic")
}

#[test]
fn without_the_symbolize_feature_frames_are_pcs_and_the_hint() {
    let bin = without_symbolize();
    let p: &'static Prog = Box::leak(Box::new(Prog::load_at("tb_panic", bin.clone())));
    // The readers of names and lines are not linked at all.
    for reader in [
        "debug::dwarf::",
        "debug::lines::",
        "debug::inlines::",
        "debug::demangle::",
    ] {
        let has = |p: &Prog| p.syms.syms.iter().any(|s| s.name.contains(reader));
        assert!(has(prog("tb_panic")), "the default build links {reader}");
        assert!(
            !has(p),
            "{reader} is linked into a build without the symbolize feature"
        );
    }
    check_unnamed_runs(p, &bin, "\n(rt0 built without its symbolize feature: ");
}

/// tb_panic's two panics (on main, on a spawned goroutine) from `bin`, a
/// build that cannot name its frames, natively and under qemu: frames
/// are pcs, the hint starts with `why` and holds the user chain's pcs
/// (checked with addr2line against `p`'s binary).
fn check_unnamed_runs(p: &Prog, bin: &Path, why: &str) {
    let runs: [(&[&str], &[&str], Option<&str>); 2] = [
        (&[], &["level3", "level2", "level1", "main"], None),
        (
            &["goroutine"],
            &["level3", "level2", "level1", "spawned"],
            Some("go_spawned"),
        ),
    ];
    for runner in native_and_one_qemu() {
        for (args, chain, created) in runs {
            let out = run_program(&runner, bin, args, &[]);
            let d = describe(&out, &format!("{} {args:?}", bin.display()));
            assert!(
                out.stderr_str().contains(why),
                "the hint says why there are no names: {why:?}\n{d}"
            );
            check_stripped(p, bin, &out, chain, created, &d);
        }
    }
}

// ---------------------------------------------------------------------
// Under load: several goroutines panic at once.

/// Runs of the load test.
const LOAD_RUNS: usize = 50;
/// Panickers per run (tb_panic many N), with a spinning goroutine and a
/// busy process beside.
const LOAD_PANICKERS: &str = "8";

#[test]
fn simultaneous_panics_under_load_give_one_complete_report() {
    let p = prog("tb_panic");
    let panicker = Want {
        state: "running",
        frames: &[
            ("level3", Line::At("level3")),
            ("level2", Line::At("level2")),
            ("level1", Line::At("level1")),
            ("panicker", Line::Any),
        ],
        created_at: Some("go_panicker"),
    };
    let mut hog = std::process::Command::new("sh")
        .args(["-c", "while :; do :; done"])
        .spawn()
        .expect("start a busy process");
    let env = [("GOMAXPROCS", "4"), ("GOTRACEBACK", "all")];
    let result = std::panic::catch_unwind(|| {
        for run in 0..LOAD_RUNS {
            let out = run_prog(&Runner::Native, p, &["many", LOAD_PANICKERS], &env);
            let d = describe(
                &out,
                &format!("run {run} of tb_panic many {LOAD_PANICKERS}, GOMAXPROCS=4"),
            );
            assert_exit_2(&out, &d);
            let err = out.stderr_str();
            assert_eq!(
                err.lines().filter(|l| l.starts_with("panic: ")).count(),
                1,
                "one report\n{d}"
            );
            let r = parse(&out);
            assert_eq!(r.head, [PANIC_MSG], "{d}");
            check_shape(&r, Level::All, 0, &d);
            // main, the hog, the panickers.
            let n: usize = LOAD_PANICKERS.parse().unwrap();
            assert_eq!(r.goroutines.len(), 2 + n, "every goroutine\n{d}");
            assert_goroutine(p, &r.goroutines[0], &panicker, &d);
            // Complete: the last section ends the output, with its created
            // by block (or main's last frame), and nothing is cut.
            assert!(err.ends_with('\n'), "cut short\n{d}");
            let last = r.goroutines.last().unwrap();
            assert!(
                last.created_by.is_some() || last.id == 1,
                "last section cut short\n{d}"
            );
            assert!(r.tail.is_empty(), "{d}");
        }
    });
    let _ = hog.kill();
    let _ = hog.wait();
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}

// ---------------------------------------------------------------------
// tb_api: runtime::stack and debug::print_stack.

/// The text between `=== NAME` and `=== end` on stdout.
fn block<'a>(stdout: &'a str, name: &str, d: &str) -> &'a str {
    let start = format!("=== {name}\n");
    let i = stdout
        .find(&start)
        .unwrap_or_else(|| panic!("no {start:?}\n{d}"))
        + start.len();
    let j = stdout[i..]
        .find("=== end\n")
        .unwrap_or_else(|| panic!("no end of {name}\n{d}"));
    &stdout[i..i + j]
}

#[test]
fn runtime_stack_and_print_stack() {
    let p = prog("tb_api");
    for runner in native_and_one_qemu() {
        let out = run_prog(&runner, p, &[], &[]);
        let d = describe(&out, "tb_api");
        assert_eq!(out.code(), Some(0), "{d}");
        let stdout = out.stdout_str();
        let me = |line: &'static str| Want {
            state: "running",
            frames: Box::leak(
                vec![
                    ("api_inner", Line::At(line)),
                    ("api_outer", Line::At("api_outer")),
                    ("main", Line::At("main")),
                ]
                .into_boxed_slice(),
            ),
            created_at: None,
        };
        let parked = Want {
            state: "chan receive",
            frames: &[
                ("parked_inner", Line::At("parked_inner")),
                ("parked_outer", Line::At("parked_outer")),
            ],
            created_at: Some("go_parked"),
        };
        let parse_text = |what: &str, text: &str| {
            let r =
                report::parse(text).unwrap_or_else(|e| panic!("{what}: not TB_FORMAT: {e}\n{d}"));
            assert!(
                r.head.is_empty(),
                "{what} starts with the goroutine header\n{d}"
            );
            check_shape(&r, Level::Single, 0, &d);
            check_oracles(p, &r, Level::Single, Context::Calls, &d);
            r
        };
        let single = block(&stdout, "single", &d);
        let r = parse_text("stack(buf, false)", single);
        assert_eq!(r.ids(), [1], "{d}");
        assert_goroutine(p, &r.goroutines[0], &me("stack_single"), &d);
        let all = block(&stdout, "all", &d);
        let r = parse_text("stack(buf, true)", all);
        assert_eq!(r.goroutines.len(), 2, "{d}");
        assert_goroutine(p, &r.goroutines[0], &me("stack_all"), &d);
        assert_goroutine(p, &r.goroutines[1], &parked, &d);
        // Truncated to the buffer: the start of the same text (up to the
        // first frame's line and offset, which differ between the calls).
        let short = block(&stdout, "short", &d);
        let lens = stdout
            .lines()
            .find_map(|l| l.strip_prefix("len "))
            .unwrap_or_else(|| panic!("no len line\n{d}"));
        let lens = common::fields(lens);
        let num = |k: &str| {
            lens.get(k)
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or_else(|| panic!("len {k}\n{d}"))
        };
        assert_eq!(num("single"), single.len(), "{d}");
        assert_eq!(num("all"), all.len(), "{d}");
        assert_eq!(
            num("short"),
            100,
            "stack() returns what it wrote: the whole buffer\n{d}"
        );
        // Up to the first frame's line: each call of stack() is on a line
        // of its own, the runtime's frames inlined there hidden.
        let common_len = short
            .find(" +0x")
            .and_then(|i| short[..i].rfind(':'))
            .unwrap_or(short.len());
        assert_eq!(
            short[..common_len],
            all[..common_len],
            "the short text is the start of the long\n{d}"
        );
        // print_stack: the current goroutine, on stderr.
        let r =
            report::parse(&out.stderr_str()).unwrap_or_else(|e| panic!("print_stack: {e}\n{d}"));
        assert_eq!(r.ids(), [1], "{d}");
        assert_goroutine(p, &r.goroutines[0], &me("print_stack"), &d);
        check_oracles(p, &r, Level::Single, Context::Calls, &d);
    }
}

// ---------------------------------------------------------------------
// The parser itself, on the contract's shapes.

#[test]
fn parser_reads_the_contract_shapes() {
    let text = "fatal error: all goroutines are asleep - deadlock!\n\
        \n\
        goroutine 1 [chan receive]:\n\
        tb_deadlock::main(...)\n\
        \t/abs/tests/programs/tb_deadlock.rs:80 +0x1d sp=0x7f00 pc=0x401234\n\
        \n\
        goroutine 7 [chan receive]:\n\
        core::hint::black_box(...)\n\
        \t/rustc/x/library/core/src/hint.rs:491\n\
        tb_deadlock::level3(...)\n\
        \t/abs/path/tests/programs/tb_deadlock.rs:21 +0x4d\n\
        <rt0::chan::Chan<T> as core::ops::Drop>::drop(...)\n\
        \t0x401000 +0x9\n\
        ?(...)\n\
        \t0x402000\n\
        ...7 frames elided...\n\
        tb_deadlock::main::{closure#0}(...)\n\
        \t/abs/path/tests/programs/tb_deadlock.rs:40 +0x12\n\
        created by tb_deadlock::main in goroutine 1\n\
        \t/abs/path/tests/programs/tb_deadlock.rs:39 +0x7c\n\
        \n\
        goroutine 9 [running]:\n\
        \tgoroutine running on other thread; stack unavailable\n\
        created by ? in goroutine 1\n\
        \ttests/programs/x.rs:3\n\
        \n\
        rax    0x0\n\
        (no symbol table in /tmp/b: symbolize offline with addr2line -f -e /tmp/b 0x402000 0x1)\n";
    let r = report::parse(text).unwrap();
    assert_eq!(
        r.head,
        ["fatal error: all goroutines are asleep - deadlock!"]
    );
    assert_eq!(r.ids(), [1, 7, 9]);
    let g1 = &r.goroutines[0];
    assert_eq!(g1.state, "chan receive");
    assert_eq!(
        (g1.frames[0].pc, g1.frames[0].sp, g1.frames[0].off),
        (Some(0x401234), Some(0x7f00), Some(0x1d))
    );
    assert!(g1.created_by.is_none());
    assert!(!g1.frames[0].inlined);
    let g7 = &r.goroutines[1];
    assert_eq!(g7.frames.len(), 5);
    assert_eq!(g7.elided, Some((4, 7)));
    // An inlined frame: no +0xOFF, no pc of its own; `?(...)` is physical.
    let inl = &g7.frames[0];
    assert!(inl.inlined && inl.off.is_none() && inl.any_pc().is_none());
    assert_eq!(
        inl.file_line(),
        Some(("/rustc/x/library/core/src/hint.rs", 491))
    );
    assert_eq!(g7.physical().count(), 4);
    assert_eq!(
        g7.frames[2].name,
        "<rt0::chan::Chan<T> as core::ops::Drop>::drop"
    );
    assert_eq!(g7.frames[2].location, Location::Pc(0x401000));
    assert_eq!(
        (
            g7.frames[3].name.as_str(),
            g7.frames[3].off,
            g7.frames[3].inlined
        ),
        (report::NO_SYMBOL, None, false)
    );
    let c = g7.created_by.as_ref().unwrap();
    assert_eq!(
        (c.func.as_str(), c.parent, c.line, c.off),
        ("tb_deadlock::main", 1, 39, Some(0x7c))
    );
    let g9 = &r.goroutines[2];
    assert!(g9.other_thread && g9.frames.is_empty());
    assert_eq!(g9.created_by.as_ref().unwrap().off, None);
    assert_eq!(r.tail, ["rax    0x0"]);
    let h = r.hint.unwrap();
    assert_eq!(
        (h.binary.as_str(), h.pcs.as_slice()),
        ("/tmp/b", &[0x402000, 1][..])
    );
    // What today's header-only report and a panic's location line look
    // like: not the contract.
    assert!(
        report::parse("panic: x\n\ngoroutine 1 [running]:\n\ttests/programs/panic.rs:12:5\n")
            .is_err()
    );
    assert!(report::parse("panic: x\n\ngoroutine 1 [running]:\nf(...)\n").is_err());
    assert!(report::parse("panic: x\n\ngoroutine 1 [running]:\n").is_ok());
    // An inlined frame carries no sp=/pc= (they are its physical frame's).
    assert!(
        report::parse(
            "panic: x\n\ngoroutine 1 [running]:\nm::f(...)\n\tsrc/m.rs:3 sp=0x1 pc=0x2\n"
        )
        .is_err()
    );
    // runtime::stack's text starts with the header.
    let r = report::parse("goroutine 1 [running]:\nm::f(...)\n\tsrc/m.rs:3 +0x1\n").unwrap();
    assert!(r.head.is_empty() && r.goroutines[0].frames.len() == 1);
}

#[test]
fn oracles_work_on_this_machine() {
    // The oracles' own mechanics, independent of rt0's report: addr2line
    // and nm agree on tb_panic's functions and marked lines, and gdb
    // stops in rust_begin_unwind with the user chain above it.
    let p = prog("tb_panic");
    let l3 = p.syms.unique(&p.func("level3")).expect("level3 symbol");
    let l2 = p.syms.unique(&p.func("level2")).expect("level2 symbol");
    assert!(
        l3.size > 0
            && p.syms
                .containing(l3.start + 1)
                .is_some_and(|s| s.start == l3.start)
    );
    // A function's first address is in no inlined call: the chain is the
    // function alone.
    let chains = addr2line(&p.bin, &[l3.start, l2.start]);
    let outer = |c: &Vec<Place>| normalize_name(&c.last().unwrap().func);
    assert_eq!(outer(&chains[0]), p.func("level3"), "{chains:?}");
    assert_eq!(outer(&chains[1]), p.func("level2"), "{chains:?}");
    // objdump's direct calls: level3's only caller is level2.
    let rets = p.calls().returns_to(l3.start);
    assert!(
        !rets.is_empty()
            && rets.iter().all(|&r| p
                .syms
                .containing(r - 1)
                .is_some_and(|s| s.start == l2.start)),
        "calls to level3 return to {rets:x?}"
    );
    let unwind = p.syms.addr("__rustc::rust_begin_unwind");
    let (stacks, gdb) = gdb_stacks(&p.bin, &[], &[], &[unwind], 1);
    assert_eq!(stacks.len(), 1, "{}", gdb.describe());
    let phys = gdb_physical(p, &stacks[0]);
    let user: Vec<String> = phys
        .iter()
        .filter(|(_, n)| p.is_user(n))
        .map(|(_, n)| normalize_name(n))
        .collect();
    let want: Vec<String> = ["level3", "level2", "level1", "main"]
        .iter()
        .map(|n| p.func(n))
        .collect();
    assert_eq!(user, want, "{}", gdb.stdout_str());
    // The callers' return addresses are at the marked lines.
    let ret: Vec<u64> = phys
        .iter()
        .filter(|(_, n)| p.is_user(n))
        .map(|(pc, _)| pc - 1)
        .collect();
    let chains = addr2line(&p.bin, &ret);
    for (c, m) in chains.iter().zip(["level3", "level2", "level1", "main"]) {
        let pl = c.last().unwrap();
        let (file, line) = pl.file_line.clone().unwrap_or_else(|| panic!("{c:?}"));
        assert_eq!((rel(&file), line), (p.src.clone(), p.line(m)), "{c:?}");
    }
    assert_eq!(
        normalize_name("a::b::{{closure}}.llvm.123"),
        "a::b::{closure}"
    );
    assert_eq!(normalize_name("a::{closure#3}::c"), "a::{closure}::c");
    // The bare-name rule and gdb's generic arguments.
    assert!(names_match("rt0::runtime::stack", "stack"));
    assert!(names_match(
        "<alloc::boxed::Box<F,A> as core::ops::function::FnOnce<Args>>::call_once",
        "call_once<(), dyn core::ops::function::FnOnce<()>>"
    ));
    assert!(!names_match("rt0::runtime::stack", "a::stack"));
    assert!(!names_match("rt0::runtime::stack", "go"));
    assert_eq!(
        strip_generics("core::ptr::write_volatile<u8>"),
        "core::ptr::write_volatile"
    );
    assert_eq!(strip_generics("<a::B as c::D>::f"), "<a::B as c::D>::f");
}

#[test]
fn oracles_reject_wrong_inlined_frames() {
    // The oracles' strictness, on real reports of tb_deadlock (natively)
    // changed the ways a printer could get inlined frames wrong: each
    // change must be found.
    let p = prog("tb_deadlock");
    let run = |env: &[(&str, &str)], level: Level| {
        let out = run_prog(&Runner::Native, p, &[], env);
        let d = describe(&out, &format!("tb_deadlock, {level:?}"));
        (check_deadlock(p, &out, level, &d), d)
    };
    let (system, sd) = run(&[("GOTRACEBACK", "system")], Level::System);
    let (single, d1) = run(&[], Level::Single);
    assert!(filtered_problems(&single, Level::Single, &system).is_empty());
    // The sections the changes are made in: the WaitGroup waiter (runtime
    // calls inlined into wg_waiter) and the receiver (its closure inlined
    // into the FnOnce shim, a hidden frame below system).
    let section = |r: &Report, state: &str| {
        r.goroutines
            .iter()
            .position(|g| g.state == state && g.id != 1)
            .unwrap_or_else(|| panic!("no [{state}] goroutine\n{sd}\n{d1}"))
    };
    let frame = |r: &Report, gi: usize, pred: &dyn Fn(&Frame) -> bool| {
        r.goroutines[gi]
            .frames
            .iter()
            .position(pred)
            .unwrap_or_else(|| panic!("no such frame in\n{}", r.goroutines[gi].text))
    };
    let wg = section(&system, "sync.WaitGroup.Wait");
    let waiter = frame(&system, wg, &|f| f.name == p.func("wg_waiter"));
    let inl = frame(&system, wg, &|f| {
        f.inlined && f.name.contains("waitgroup::wait")
    });
    let recv = section(&system, "chan receive");
    let closure = frame(&system, recv, &|f| f.inlined && p.in_program(&f.name));
    type Change = Box<dyn Fn(&mut Vec<Frame>)>;
    let line_plus_one = |f: &mut Frame| {
        if let Location::Line { line, .. } = &mut f.location {
            *line += 1;
        }
    };
    let changes: Vec<(&str, usize, Change)> = vec![
        (
            "an inlined frame left out",
            wg,
            Box::new(move |fs| {
                fs.remove(inl);
            }),
        ),
        (
            "an inlined frame at the wrong line",
            wg,
            Box::new(move |fs| line_plus_one(&mut fs[inl])),
        ),
        (
            "two inlined frames swapped",
            wg,
            Box::new(move |fs| fs.swap(inl - 1, inl)),
        ),
        (
            "an inlined frame misnamed",
            wg,
            Box::new(move |fs| fs[inl].name = fs[inl].name.replace("wait", "done")),
        ),
        (
            "the physical frame at its innermost inlined call's line",
            wg,
            Box::new(move |fs| fs[waiter].location = fs[waiter - 1].location.clone()),
        ),
        (
            "an inlined frame added",
            wg,
            Box::new(move |fs| {
                let mut f = fs[waiter].clone();
                f.inlined = true;
                (f.off, f.sp, f.pc) = (None, None, None);
                fs.insert(waiter, f);
            }),
        ),
        (
            "an inlined frame after its physical frame",
            recv,
            Box::new(move |fs| fs.swap(closure, closure + 1)),
        ),
    ];
    for (what, gi, change) in &changes {
        let mut r = system.clone();
        change(&mut r.goroutines[*gi].frames);
        assert!(
            !oracle_problems(p, &r, Level::System, Context::Calls).is_empty(),
            "the oracle missed {what}:\n{}",
            r.goroutines[*gi].text
        );
    }
    // Below system: the closure is the only frame the hidden shim shows.
    let recv1 = section(&single, "chan receive");
    let closure1 = frame(&single, recv1, &|f| f.inlined && p.in_program(&f.name));
    let mut r = single.clone();
    line_plus_one(&mut r.goroutines[recv1].frames[closure1]);
    assert!(
        !oracle_problems(p, &r, Level::Single, Context::Calls).is_empty(),
        "the oracle missed a hidden frame's inlined call at the wrong line\n{d1}"
    );
    let mut r = single.clone();
    r.goroutines[recv1].frames.remove(closure1);
    assert!(
        !filtered_problems(&r, Level::Single, &system).is_empty(),
        "check_filtered missed a hidden frame's inlined call left out\n{d1}"
    );
    // created by: a line that is not the go call's.
    let mut r = system.clone();
    r.goroutines[wg].created_by.as_mut().unwrap().line += 1;
    assert!(
        !oracle_problems(p, &r, Level::System, Context::Calls).is_empty(),
        "the oracle missed a wrong created by line"
    );
}
