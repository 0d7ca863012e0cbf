//! What the program tests that check a death (panic, dying, sched_crash,
//! chan_close, stdio, preempt_spin, memory, the deadlock tests) ask of its
//! report, on top of the strict parser [`super::report`] (TB_FORMAT):
//!
//! - [`one_report`]: stderr is exactly one whole report: its head, then
//!   goroutine sections that parse, no goroutine twice, `created by` on
//!   every goroutine but main (and g0's `goroutine 0`), and nothing after
//!   the last section (no tail, no stripped-binary hint: the programs
//!   have a symbol table). A report cut short, two reports, or a drifted
//!   line fail here with the reason.
//! - [`assert_deadlock`]: Go's deadlock report: every goroutine, in
//!   order, with its wait reason and its frames in the program.
//! - [`Source::line`]: the line a frame must name, found by searching the
//!   program's source for the call, so an edit of the program moves the
//!   expectation with it.
//! - [`assert_frame`], [`assert_created_by`]: a frame or a `created by`
//!   block names the function (closures compared as `{closure}`, as
//!   [`normalize_name`] does) and the program's FILE:LINE (the line
//!   tables give an absolute path; `#[track_caller]` a relative one, so
//!   the file is compared by its ending).
//!
//! The deep checks of the frames themselves (every pc against addr2line,
//! nm and gdb; the GOTRACEBACK levels) are tests/traceback.rs's.

use super::binutils::normalize_name;
use super::report::{self, Frame, Goroutine, Location, Report};
use super::{Output, repo_root};

/// A test program's source, relative to the repository root.
pub struct Source {
    pub path: &'static str,
    text: String,
}

impl Source {
    pub fn new(path: &'static str) -> Source {
        let text = std::fs::read_to_string(repo_root().join(path))
            .unwrap_or_else(|e| panic!("read {path}: {e}"));
        Source { path, text }
    }

    /// The number of the first line containing `needle`.
    pub fn line(&self, needle: &str) -> u32 {
        self.text
            .lines()
            .position(|l| l.contains(needle))
            .map(|i| i as u32 + 1)
            .unwrap_or_else(|| panic!("{needle:?} not in {}", self.path))
    }

    /// The number of the first line containing `needle` at or after the
    /// first line containing `anchor` (for a call the program makes in
    /// several places, e.g. `go(` in each arm of a `match`).
    pub fn line_after(&self, anchor: &str, needle: &str) -> u32 {
        self.next_line(self.line(anchor) - 1, needle)
    }

    /// The number of the first line after line `from` containing `needle`.
    pub fn next_line(&self, from: u32, needle: &str) -> u32 {
        self.text
            .lines()
            .enumerate()
            .skip(from as usize)
            .find(|(_, l)| l.contains(needle))
            .map(|(i, _)| i as u32 + 1)
            .unwrap_or_else(|| panic!("{needle:?} not after line {from} of {}", self.path))
    }
}

/// Parses stderr as one complete report (module note); the caller checks
/// its head and sections.
pub fn one_report(out: &Output) -> Report {
    one_report_in(&out.stderr_str(), &out.describe())
}

/// [`one_report`] of the text `err`; `ctx` describes the run.
pub fn one_report_in(err: &str, ctx: &str) -> Report {
    assert!(err.ends_with('\n'), "report cut short\n{ctx}");
    let r = report::parse(err)
        .unwrap_or_else(|e| panic!("stderr is not one TB_FORMAT report: {e}\n{ctx}"));
    assert!(r.hint.is_none(), "a stripped-binary hint\n{ctx}");
    assert!(
        r.tail.is_empty(),
        "lines after the last goroutine section: {:?}\n{ctx}",
        r.tail
    );
    let mut ids = r.ids();
    ids.sort_unstable();
    let n = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), n, "a goroutine listed twice\n{ctx}");
    for g in &r.goroutines {
        assert_eq!(
            g.created_by.is_none(),
            g.id <= 1,
            "goroutine {}: created by on main and g0 only, on every other\n{ctx}",
            g.id
        );
    }
    // A second report would start in some section's frames or in the tail.
    for l in err.lines().skip(r.head.len()) {
        for start in ["panic: ", "fatal error: "] {
            assert!(!l.starts_with(start), "a second report: {l:?}\n{ctx}");
        }
    }
    r
}

/// Go's deadlock message (checkdead).
pub const DEADLOCK: &str = "fatal error: all goroutines are asleep - deadlock!";

/// Checks the deadlock report `err` (Go's checkdead lists every
/// goroutine): one report, `fatal error: all goroutines are asleep -
/// deadlock!`, then goroutine 1 and the others in creation order (the
/// runtime's allgs order) with these wait `reasons`. Each shows where it waits: its first frame of the program
/// (`krate::...`; the runtime's are hidden) is at a line of `src` (a real
/// one: line 0 is DWARF's "no line", which TB_FORMAT prints as `0xPC`),
/// and each goroutine but main was created by `creator` in goroutine 1,
/// in `src`.
pub fn assert_deadlock(
    err: &str,
    krate: &str,
    src: &Source,
    creator: &str,
    reasons: &[&str],
    ctx: &str,
) -> Report {
    let r = one_report_in(err, ctx);
    assert_eq!(r.head, [DEADLOCK], "{ctx}");
    assert!(r.runtime_stack.is_none(), "{ctx}");
    // Ids other than main's come from per-P batches (Go's goidcache): a
    // goroutine created after main moved to another P gets that P's next
    // id (seen under qemu: 1, 2, 17, 18, ...), so only main's is fixed.
    let states: Vec<&str> = r.goroutines.iter().map(|g| g.state.as_str()).collect();
    assert_eq!(
        states, reasons,
        "the goroutines' wait reasons, in order\n{ctx}"
    );
    assert_eq!(r.goroutines[0].id, 1, "main first\n{ctx}");
    for g in &r.goroutines {
        let user = user_frames(g, krate);
        let first = user.first().unwrap_or_else(|| {
            panic!("goroutine {}: no frame of {krate}\n{}\n{ctx}", g.id, g.text)
        });
        // Where the line table has no line for the call (rustc gives some
        // calls line 0), TB_FORMAT's `0xPC +0xOFF`; else a line of `src`.
        let at = match &first.location {
            Location::Pc(_) => true,
            Location::Line { file, line } => file.ends_with(src.path) && *line != 0,
        };
        assert!(
            at,
            "goroutine {}: its first frame of {krate} is neither at a line of {} \
             nor without line information (`FILE:0` is no line: TB_FORMAT prints \
             0xPC)\n{}\n{ctx}",
            g.id, src.path, g.text
        );
        if g.id != 1 {
            let c = g.created_by.as_ref().expect("one_report checked it");
            assert!(
                same_name(&c.func, creator) && c.parent == 1 && c.file.ends_with(src.path),
                "goroutine {}: {}\nis not `created by {creator} in goroutine 1` in {}\n{ctx}",
                g.id,
                c.text,
                src.path
            );
        }
    }
    r
}

/// The only section of a report at the default GOTRACEBACK (`single`:
/// the failing goroutine alone).
pub fn only_goroutine<'r>(r: &'r Report, ctx: &str) -> &'r Goroutine {
    assert_eq!(
        r.goroutines.len(),
        1,
        "GOTRACEBACK=single shows one goroutine, got {:?}\n{ctx}",
        r.ids()
    );
    &r.goroutines[0]
}

/// The section of goroutine `id`.
pub fn goroutine<'r>(r: &'r Report, id: u64, ctx: &str) -> &'r Goroutine {
    r.goroutine(id)
        .unwrap_or_else(|| panic!("no goroutine {id} in {:?}\n{ctx}", r.ids()))
}

/// The first frame shown in `g`.
pub fn first_frame<'g>(g: &'g Goroutine, ctx: &str) -> &'g Frame {
    g.frames.first().unwrap_or_else(|| {
        panic!(
            "goroutine {} shows no frame\n--- section ---\n{}\n{ctx}",
            g.id, g.text
        )
    })
}

/// The frames of `g` whose function is the program's (`krate::...`,
/// `<krate::... as ...>::...`), innermost first.
pub fn user_frames<'g>(g: &'g Goroutine, krate: &str) -> Vec<&'g Frame> {
    let (own, impl_) = (format!("{krate}::"), format!("<{krate}::"));
    g.frames
        .iter()
        .filter(|f| f.name.starts_with(&own) || f.name.starts_with(&impl_))
        .collect()
}

fn same_name(got: &str, want: &str) -> bool {
    normalize_name(got) == normalize_name(want)
}

/// Asserts `f` is function `name` at `src`'s line `line`.
pub fn assert_frame(f: &Frame, name: &str, src: &Source, line: u32, ctx: &str) {
    let at = f.file_line();
    assert!(
        same_name(&f.name, name)
            && at.is_some_and(|(file, l)| file.ends_with(src.path) && l == line),
        "frame\n{}\nis not {name} at {}:{line}\n{ctx}",
        f.text,
        src.path
    );
}

/// Asserts `g` was created by `func` in goroutine `parent` at `src`'s
/// line `line` (the call of `go`).
pub fn assert_created_by(
    g: &Goroutine,
    func: &str,
    parent: u64,
    src: &Source,
    line: u32,
    ctx: &str,
) {
    let c = g
        .created_by
        .as_ref()
        .unwrap_or_else(|| panic!("goroutine {} has no created by\n{ctx}", g.id));
    assert!(
        same_name(&c.func, func)
            && c.parent == parent
            && c.file.ends_with(src.path)
            && c.line == line,
        "goroutine {}:\n{}\nis not `created by {func} in goroutine {parent}` at {}:{line}\n{ctx}",
        g.id,
        c.text,
        src.path
    );
}
