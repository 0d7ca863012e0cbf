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
//! The oracles (tests/common/binutils.rs):
//!
//! - `addr2line -a -f -C -e BINARY PC` and `nm -C`: for every frame, the
//!   function and FILE:LINE rt0 printed: the name is the symbol `nm`
//!   gives for the address (rt0 names frames from the symbol table), and
//!   addr2line's function must be that name too, unless addr2line gives a
//!   bare DWARF name (no `::`), which it does for code inlined at the
//!   address (`stack` for `rt0::runtime::stack` inlined into its caller:
//!   rustc's line-tables-only DWARF has short names, and TB_FORMAT allows
//!   inlined frames to be missing); FILE:LINE is addr2line's line-table
//!   row for the address. The pc is the frame's `pc=` (GOTRACEBACK=
//!   system/crash), its `0xPC` (no line information), or else the start
//!   of its function in the symbol table (`nm`) plus its `+0xOFF`. As
//!   TB_FORMAT says, the pc looked up is pc itself for the innermost frame
//!   of a fault or signal context and for the frame after
//!   `rt0_async_preempt`, pc-1 for every other (a return address). Where
//!   a report hides the runtime frames (so the first frame shown may or
//!   may not be the innermost), the first frame of a signal context may
//!   match either.
//! - `nm`: with `pc=` and `+0xOFF` both printed, pc - OFF is the start of
//!   the function containing the pc.
//! - `gdb -batch` with breakpoints (natively only): for a panic, at
//!   `rust_begin_unwind`; for a parked goroutine, at the entry of the
//!   innermost user function of its stack in the report; for a fault, the
//!   fault itself. gdb unwinds with its own CFI reader; its physical
//!   frames (inlined ones dropped: rt0 names frames from the symbol table,
//!   and TB_FORMAT allows inlined frames to be missing) named through the
//!   symbol table must give the same user frames in the same order as
//!   rt0's report, and at GOTRACEBACK=system the same return addresses.
//!
//! Normalisations, each needed because the two sides differ in what they
//! legitimately print, not in what they mean:
//!
//! - function names: LLVM's `.N`/`.llvm.N`/`.cold` suffixes dropped
//!   (rustc-demangle keeps them, binutils drops them), closures compared
//!   as `{closure}` (`{{closure}}` in legacy mangling, `{closure#N}` in
//!   v0): `binutils::normalize_name`;
//! - files: a path under the repository root is compared relative to it
//!   (the line tables name `/abs/repo/tests/programs/x.rs`; `created by`
//!   may come from `#[track_caller]`, which says `tests/programs/x.rs`);
//! - addr2line's ` (discriminator N)` dropped, and its `??:0`, `FILE:0`,
//!   `FILE:?` all mean "no line information".
//!
//! "User frames" are those whose name starts with the program's crate
//! (`tb_panic::`), closures left out of the exact comparisons (whether a
//! closure is a function of its own or inlined into its `call_once` shim
//! is LLVM's choice); their order and names are compared exactly with
//! the program's call chain. Lines: a call from one user function to
//! another must be at its marked line; a user function's call into the
//! runtime (a channel receive, a wait) is at its marked line when the
//! line table names the program's own file, and may otherwise name the
//! runtime's inlined code (addr2line still must agree).
//!
//! Natively and under `qemu-x86_64 -cpu MODEL` (the first of QEMU_CPUS):
//! the same reports, names and lines (addr2line runs on the host against
//! the same binary); gdb natively only. The test programs must carry line
//! tables (`debug = "line-tables-only"` in the release profile): without
//! them every test fails saying so.

mod common;

use std::collections::HashMap;
use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::binutils::{self, GdbFrame, Symbols, addr2line, gdb_stacks, normalize_name};
use common::report::{self, Frame, Goroutine, Location, Report};
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
}

impl Prog {
    fn load(name: &'static str) -> Prog {
        let bin = example(name);
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
        }
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
        name.starts_with(&format!("{}::", self.name)) && !normalize_name(name).contains("{closure}")
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

/// TB_FORMAT's runtime frames, hidden below GOTRACEBACK=system.
fn is_runtime(name: &str) -> bool {
    name.starts_with("rt0::")
        || name.starts_with("rt0_")
        || name.starts_with("core::panicking::")
        || name == "rust_begin_unwind"
        || name == "__rustc::rust_begin_unwind"
        || name.starts_with("core::result::unwrap_failed")
        || (name.starts_with("core::option::")
            && (name.contains("unwrap_failed") || name.contains("expect_failed")))
}

// ---------------------------------------------------------------------
// What a goroutine section must show.

/// How a user frame's line is checked (module note).
#[derive(Clone, Copy)]
enum Line {
    /// A call to another user function (or the `panic!`): exactly the
    /// marked line.
    At(&'static str),
    /// A call into the runtime: the marked line if the line table names
    /// the program's file.
    IfOwn(&'static str),
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
                (Line::IfOwn(m), Some((_, l))) => *l == p.line(m),
                (Line::IfOwn(_), None) | (Line::Any, _) => true,
            };
            if !ok {
                errs.push(format!(
                    "frame {} at {:?}, want line {}",
                    f.name,
                    f.location,
                    match line {
                        Line::At(m) | Line::IfOwn(m) => format!("{}:{}", p.src, p.line(m)),
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

/// The per-frame rules of [`check_shape`] for one section.
fn check_frames(g: &Goroutine, level: Level, ctx: &str) {
    for f in &g.frames {
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
    if let Some((at, n)) = g.elided {
        assert!(n > 0, "0 frames elided: {ctx}");
        assert_eq!(at, ELIDE_KEEP, "elision after {at} frames: {ctx}");
        assert_eq!(
            g.frames.len(),
            2 * ELIDE_KEEP,
            "elided stack shows {} frames: {ctx}",
            g.frames.len()
        );
    } else {
        assert!(
            g.frames.len() <= 2 * ELIDE_KEEP,
            "{} frames and no elision: {ctx}",
            g.frames.len()
        );
    }
}

/// One address to look up, with what rt0 printed for it.
struct Lookup<'a> {
    /// The frame's pc (as printed or computed).
    pc: u64,
    /// Addresses that may name the frame (pc-1, pc, or both).
    addrs: Vec<u64>,
    name: &'a str,
    location: Option<Location>,
    text: &'a str,
}

/// Checks every frame and every created-by line of `r` with addr2line
/// and nm (module note). `context` says whether the first section's first
/// frame is a signal context's innermost frame.
fn check_oracles(p: &Prog, r: &Report, level: Level, context: Context, d: &str) {
    let mut lookups: Vec<Lookup> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    for (gi, g) in r.sections().enumerate() {
        for (fi, f) in g.frames.iter().enumerate() {
            let pc = match f.any_pc() {
                Some(pc) => pc,
                None => match (p.syms.unique(&f.name), f.off) {
                    (Some(s), Some(off)) => s.start + off,
                    // A name several functions share (a `call_once` shim):
                    // without pc= nothing tells which one; only user frames
                    // must be unique.
                    _ => {
                        if p.is_user(&f.name) {
                            problems.push(format!("no unique symbol for user frame {}", f.text));
                        }
                        continue;
                    }
                },
            };
            // Which address names the frame (module note): a signal's
            // innermost frame and the one after rt0_async_preempt are
            // exact; the first frame of the report's own goroutine may be
            // where the report took its registers (exact, a case TB_FORMAT
            // does not name), and below system the first frame shown may
            // follow a hidden rt0_async_preempt: either there.
            let after_preempt = fi > 0 && g.frames[fi - 1].name == "rt0_async_preempt";
            let signal_innermost = context == Context::Signal && gi == 0 && fi == 0;
            let addrs = if after_preempt || (signal_innermost && level.shows_runtime()) {
                vec![pc]
            } else if fi == 0 && (gi == 0 || !level.shows_runtime()) {
                vec![pc, pc - 1]
            } else {
                vec![pc - 1]
            };
            if let (Some(_), Some(off)) = (f.pc, f.off) {
                let starts: Vec<Option<u64>> = addrs
                    .iter()
                    .map(|&a| p.syms.containing(a).map(|s| s.start))
                    .collect();
                if !starts.contains(&Some(pc - off)) {
                    problems.push(format!(
                        "pc {pc:#x} - OFF {off:#x} is not the start of the function containing it \
                         (symbol starts {starts:x?}): {}",
                        f.text
                    ));
                }
            }
            lookups.push(Lookup {
                pc,
                addrs,
                name: &f.name,
                location: Some(f.location.clone()),
                text: &f.text,
            });
        }
        if let Some(c) = &g.created_by
            && c.func != "?"
        {
            match (p.syms.unique(&c.func), c.off) {
                // The spawn site: the `go` call's row (exact) or the
                // return address of the call: either.
                (Some(s), Some(off)) => lookups.push(Lookup {
                    pc: s.start + off,
                    addrs: vec![s.start + off, s.start + off - 1],
                    name: &c.func,
                    location: Some(Location::Line {
                        file: c.file.clone(),
                        line: c.line,
                    }),
                    text: &c.text,
                }),
                (None, _) => {
                    problems.push(format!("created by names no unique symbol: {}", c.text))
                }
                (Some(_), None) => problems.push(format!("created by without +0xOFF: {}", c.text)),
            }
        }
    }
    let all: Vec<u64> = lookups
        .iter()
        .flat_map(|l| l.addrs.iter().copied())
        .collect();
    let places = addr2line(&p.bin, &all);
    let mut k = 0;
    for l in &lookups {
        let mine = &places[k..k + l.addrs.len()];
        k += l.addrs.len();
        let ok = l.addrs.iter().zip(mine).any(|(&addr, place)| {
            let want = normalize_name(l.name);
            // The name: the symbol binutils finds for the address (nm),
            // and addr2line's name when it is a path (module note).
            let sym_ok = p
                .syms
                .containing(addr)
                .is_some_and(|s| normalize_name(&s.name) == want);
            let a2l = normalize_name(&place.func);
            if !sym_ok || (a2l != want && is_path(&a2l)) {
                return false;
            }
            match &l.location {
                None => true,
                Some(Location::Pc(pc)) => *pc == l.pc && place.file_line.is_none(),
                Some(Location::Line { file, line }) => place
                    .file_line
                    .as_ref()
                    .is_some_and(|(f, n)| rel(f) == rel(file) && n == line),
            }
        });
        if !ok {
            problems.push(format!(
                "rt0 printed\n{}\nbut addr2line says, at {}:\n{}",
                l.text,
                l.addrs
                    .iter()
                    .map(|a| format!("{a:#x}"))
                    .collect::<Vec<_>>()
                    .join(" / "),
                mine.iter()
                    .map(|p| p.text.as_str())
                    .collect::<Vec<_>>()
                    .join("\n  or\n")
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} frame(s) disagree with the oracles:\n{}\n{d}",
        problems.len(),
        problems.join("\n---\n")
    );
}

/// Whether a name is a path (`a::b`, `<a::B as c::D>::f`) rather than a
/// bare DWARF name (`stack`, `call_once<(), dyn core::ops::FnOnce>`):
/// `::` outside the generic arguments.
fn is_path(name: &str) -> bool {
    let mut depth = 0i32;
    let b = name.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'<' => depth += 1,
            b'>' => depth -= 1,
            b':' if depth == 0 && b.get(i + 1) == Some(&b':') => return true,
            _ => {}
        }
    }
    false
}

/// The frames of a gdb stack that rt0 can show (physical frames), with
/// the symbol-table name of each.
fn gdb_physical(p: &Prog, stack: &[GdbFrame]) -> Vec<(u64, String)> {
    stack
        .iter()
        .filter(|f| !f.inline && f.pc != 0)
        .enumerate()
        .map(|(i, f)| {
            // The first physical frame is where gdb stopped (exact; inlined
            // frames before it share its pc); callers' pcs are return
            // addresses.
            let look = if i == 0 { f.pc } else { f.pc - 1 };
            let name = p
                .syms
                .containing(look)
                .map_or_else(|| "??".to_string(), |s| s.name.clone());
            (f.pc, name)
        })
        .collect()
}

/// Compares a section with the stack gdb unwound at a stop in the same
/// goroutine: the same user frames in the same order; at system level
/// the same return addresses. `gdb_first_is_stop` says gdb's frame 0 is
/// the breakpoint (its pc is not comparable).
fn compare_with_gdb(
    p: &Prog,
    g: &Goroutine,
    stack: &[GdbFrame],
    system: bool,
    gdb_text: &str,
    d: &str,
) {
    let phys = gdb_physical(p, stack);
    let gdb_user: Vec<(usize, u64, String)> = phys
        .iter()
        .enumerate()
        .filter(|(_, (_, n))| p.is_user(n))
        .map(|(i, (pc, n))| (i, *pc, normalize_name(n)))
        .collect();
    let rt0_user: Vec<&Frame> = g.frames.iter().filter(|f| p.is_user(&f.name)).collect();
    let gn: Vec<&str> = gdb_user.iter().map(|u| u.2.as_str()).collect();
    let rn: Vec<String> = rt0_user.iter().map(|f| normalize_name(&f.name)).collect();
    let ctx = || {
        format!(
            "--- rt0's section ---\n{}\n--- gdb's physical frames ---\n{}\n--- gdb ---\n{gdb_text}\n{d}",
            g.text,
            phys.iter()
                .map(|(pc, n)| format!("{pc:#x} {n}"))
                .collect::<Vec<_>>()
                .join("\n")
        )
    };
    assert_eq!(rn, gn, "user frames differ from gdb's backtrace\n{}", ctx());
    if system {
        for ((i, gpc, name), f) in gdb_user.iter().zip(&rt0_user) {
            if *i == 0 {
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
        frames: &[("main_wait", Line::IfOwn("main_wait")), ("main", Line::Any)],
        created_at: None,
    },
    Want {
        state: "chan receive",
        frames: &[
            ("parked_b", Line::IfOwn("parked_b")),
            ("parked_a", Line::At("parked_a")),
        ],
        created_at: Some("go_a"),
    },
    Want {
        state: "chan receive",
        frames: &[("parked_c", Line::IfOwn("parked_c"))],
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
        check_goroutine_panic(p, &out, level, &d);
    }
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
            ("main_block", Line::IfOwn("main_block")),
            ("main", Line::At("main")),
        ],
        created_at: None,
    },
    Want {
        state: "chan receive",
        frames: &[
            ("recv_inner", Line::IfOwn("recv_inner")),
            ("recv_outer", Line::At("recv_outer")),
        ],
        created_at: Some("go_recv"),
    },
    Want {
        state: "sync.WaitGroup.Wait",
        frames: &[("wg_waiter", Line::IfOwn("wg_waiter"))],
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
        for (env, level) in [(None, Level::Single), (Some("system"), Level::System)] {
            let envs: Vec<(&str, &str)> = env.map(|v| ("GOTRACEBACK", v)).into_iter().collect();
            let out = run_prog(&runner, p, &[], &envs);
            let d = describe(&out, &format!("tb_deadlock, GOTRACEBACK={env:?}"));
            check_deadlock(p, &out, level, &d);
        }
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
            assert_eq!(at, ELIDE_KEEP, "{ctx}");
            assert!(n > 0, "{ctx}");
            // The first 50: the recursion, from the faulting frame on.
            let user_first: Vec<&Frame> = g.frames[..ELIDE_KEEP]
                .iter()
                .filter(|f| p.is_user(&f.name))
                .collect();
            assert!(
                user_first.len() >= ELIDE_KEEP - 3
                    && user_first
                        .iter()
                        .all(|f| normalize_name(&f.name) == recurse),
                "the first {ELIDE_KEEP} frames are the recursion\n{ctx}"
            );
            assert_eq!(
                normalize_name(&g.frames[0].name),
                recurse,
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
                frames: g.frames[ELIDE_KEEP..].to_vec(),
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
                frames: &[("main_wait", Line::IfOwn("main_wait")), ("main", Line::Any)],
                created_at: None,
            };
            assert_goroutine(p, &r.goroutines[1], &main, &d);
            check_oracles(p, &r, level, Context::Signal, &d);
        }
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
    ("fault_inner", Line::IfOwn("fault_inner")),
    ("fault_middle", Line::At("fault_middle")),
    ("fault_outer", Line::At("fault_outer")),
];

fn check_fault(p: &Prog, out: &Output, wild: bool, level: Level, d: &str) -> Report {
    assert_exit_2(out, d);
    let r = parse(out);
    check_shape(&r, level, usize::from(wild), d);
    let pc = signal_pc(&r, d);
    let first = &r.goroutines[0];
    assert_eq!(
        first.frames.first().map(|f| normalize_name(&f.name)),
        Some(p.func("fault_inner")),
        "the faulting function is the first frame\n{d}"
    );
    if level.shows_runtime() {
        assert_eq!(
            first.frames[0].pc,
            Some(pc),
            "the first frame's pc is the signal's\n{d}"
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
            frames: &[("main_wait", Line::IfOwn("main_wait")), ("main", Line::Any)],
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
            for (env, level) in [(None, Level::Single), (Some("system"), Level::System)] {
                let envs: Vec<(&str, &str)> = env.map(|v| ("GOTRACEBACK", v)).into_iter().collect();
                let out = run_prog(&runner, p, &[arg], &envs);
                let d = describe(&out, &format!("tb_fault {arg}, GOTRACEBACK={env:?}"));
                check_fault(p, &out, wild, level, &d);
            }
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
// tb_busy: the dump signals with 1,001 goroutines.

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

/// Goroutines of tb_busy: main, PARKED parked ones, SPINNERS spinners.
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
    // program's 1,001.
    let ids: Vec<u64> = r.ids().into_iter().filter(|&id| id != 0).collect();
    assert_eq!(
        ids.len(),
        1 + BUSY_PARKED + BUSY_SPINNERS,
        "every goroutine listed\n{d}"
    );
    check_shape(&r, level, 2, d);
    let main = p.func("main");
    let (mut parked, mut spinning) = (0, 0);
    for g in r.goroutines.iter().filter(|g| g.id != 0) {
        let user: Vec<String> = g
            .frames
            .iter()
            .filter(|f| p.is_user(&f.name))
            .map(|f| normalize_name(&f.name))
            .collect();
        let ctx = || format!("--- section ---\n{}\n{d}", g.text);
        if g.id == 1 {
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
    assert_eq!((parked, spinning), (BUSY_PARKED, BUSY_SPINNERS), "{d}");
    if level.shows_runtime() {
        let f = &r.goroutines[0].frames[0];
        assert_eq!(
            f.pc,
            Some(pc),
            "the first frame is the signal context's PC\n{d}"
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
    // call chain.
    let hinted: Vec<String> = addr2line(&p.bin, &hint.pcs)
        .iter()
        .map(|pl| normalize_name(&pl.func))
        .filter(|n| p.is_user(n))
        .collect();
    let want: Vec<String> = chain.iter().map(|c| p.func(c)).collect();
    assert_eq!(
        hinted, want,
        "addr2line of the hint's pcs on the unstripped binary\n{d}"
    );
    let places = addr2line(&p.bin, &pcs.iter().map(|pc| pc - 1).collect::<Vec<_>>());
    let names: Vec<String> = places
        .iter()
        .map(|pl| normalize_name(&pl.func))
        .filter(|n| p.is_user(n))
        .collect();
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
            let out = run_program(&runner, &bin, args, &[]);
            let d = describe(&out, &format!("stripped tb_panic {args:?}"));
            check_stripped(p, &bin, &out, chain, created, &d);
        }
    }
    let _ = std::fs::remove_file(&bin);
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
                ("parked_inner", Line::IfOwn("parked_inner")),
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
        // first frame's offset, which differs between the two calls).
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
        let common_len = short.find(" +0x").unwrap_or(short.len());
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
    let g7 = &r.goroutines[1];
    assert_eq!(g7.frames.len(), 4);
    assert_eq!(g7.elided, Some((3, 7)));
    assert_eq!(
        g7.frames[1].name,
        "<rt0::chan::Chan<T> as core::ops::Drop>::drop"
    );
    assert_eq!(g7.frames[1].location, Location::Pc(0x401000));
    assert_eq!(
        (g7.frames[2].name.as_str(), g7.frames[2].off),
        (report::NO_SYMBOL, None)
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
    let places = addr2line(&p.bin, &[l3.start, l2.start]);
    assert_eq!(
        normalize_name(&places[0].func),
        p.func("level3"),
        "{places:?}"
    );
    assert_eq!(
        normalize_name(&places[1].func),
        p.func("level2"),
        "{places:?}"
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
    let places = addr2line(&p.bin, &ret);
    for (pl, m) in places.iter().zip(["level3", "level2", "level1", "main"]) {
        let (file, line) = pl.file_line.clone().unwrap_or_else(|| panic!("{pl:?}"));
        assert_eq!((rel(&file), line), (p.src.clone(), p.line(m)), "{pl:?}");
    }
    assert_eq!(
        normalize_name("a::b::{{closure}}.llvm.123"),
        "a::b::{closure}"
    );
    assert_eq!(normalize_name("a::{closure#3}::c"), "a::{closure}::c");
}
