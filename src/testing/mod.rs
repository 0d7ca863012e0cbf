//! The test harness behind [`crate::test_main!`]: a freestanding test
//! program for a `[[test]] harness = false` target that prints what
//! libtest (Rust's `test` crate, the harness of `cargo test`) prints and
//! takes its command line ([`flags`]), so `cargo test` runs it natively
//! or through a runner (`qemu-x86_64 -cpu MODEL`) like any test binary.
//! Go's counterpart is `testing.Main` and `tRunner`.
//!
//! What it does, in libtest's words:
//! - every test, sorted by name as libtest sorts, is selected or
//!   filtered out by the command line; `--list` prints `NAME: test` for
//!   each selected one and `N tests, 0 benchmarks` (not with `--quiet`);
//! - otherwise it prints `\nrunning N tests\n` (`1 test`), then runs the
//!   selected tests one after another, each on a goroutine of its own
//!   (the main goroutine waits for it on a channel, so the scheduler,
//!   GOMAXPROCS and preemption are the real ones), and after each prints
//!   `test NAME ... ok` (with `--quiet`: a dot, and ` N/TOTAL` after every
//!   87th, as libtest's terse form), then `\ntest result: ok. N passed; 0
//!   failed; 0 ignored; 0 measured; M filtered out; finished in
//!   S.CCs\n\n`.
//!
//! A test fails by dying: panics abort (`panic = "abort"`, as every rt0
//! program), so, as with `go test`, the first failure ends the run. The
//! death note this harness registers with the runtime
//! ([`crate::debug::dying::set_death_note`]) prints `test NAME ... FAILED`
//! on stdout (after ending a line of dots with `--quiet`) before the
//! first byte of the runtime's report, whatever the death: a panic, a
//! fatal error (a deadlock: every goroutine asleep), a fault. NAME is the
//! test running at the time (a goroutine a finished test left behind is
//! charged to the test running when it dies). The report follows on
//! stderr, whole, and the process exits with the runtime's status, 2;
//! there is no summary line. A bad command line prints `error: ...` on
//! stderr and exits 101, as libtest.
//!
//! The line of a test is printed whole when the test has passed
//! (libtest's form when it runs tests on several threads): a test's own
//! output, never captured, comes before its line.
//!
//! Invariants: [`RUNNING`] points at the test whose goroutine runs, or is
//! null between tests; [`DOTS`] counts the dots on the current line of
//! the terse form; the death note only reads them and writes with the
//! runtime's heap-free, lock-free [`crate::print::Writer`].

pub(crate) mod flags;

use alloc::vec::Vec;
use core::fmt::Write as _;
use core::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering::SeqCst};

use crate::chan::Chan;
use crate::time::Instant;

/// One test: its name (the path given to [`crate::test_main!`], as
/// libtest names a `#[test]` function by its path in the crate) and its
/// function.
pub struct Test {
    /// The name printed, listed and matched by filters.
    pub name: &'static str,
    /// The test: it passes by returning.
    pub func: fn(),
}

/// libtest's exit status for a command line it cannot parse.
const EXIT_BAD_ARGS: i32 = 101;

/// Dots per line in the terse form before libtest prints ` N/TOTAL`.
const TERSE_COLUMNS: usize = 87;

/// The test running now, or null (module invariant).
static RUNNING: AtomicPtr<Test> = AtomicPtr::new(core::ptr::null_mut());

/// Dots on the current terse line (module invariant).
static DOTS: AtomicUsize = AtomicUsize::new(0);

/// Whether the run uses the terse form.
static QUIET: AtomicBool = AtomicBool::new(false);

/// Runs the test program over `tests` with the process's command line
/// (the body of the `main` that [`crate::test_main!`] defines). Returns
/// when every selected test passed (the process then exits 0); exits 101
/// on a bad command line; a failing test ends the process (module note).
pub fn main(tests: &'static [Test]) {
    let flags = match flags::parse(crate::env::args().skip(1)) {
        Ok(f) => f,
        Err(msg) => {
            crate::eprintln!("error: {msg}");
            crate::process::exit(EXIT_BAD_ARGS)
        }
    };
    if flags.help {
        print_usage();
        return;
    }
    let mut chosen: Vec<&'static Test> = tests.iter().filter(|t| flags.selects(t.name)).collect();
    chosen.sort_by_key(|t| t.name);
    let filtered_out = tests.len() - chosen.len();
    if flags.list {
        for t in &chosen {
            crate::println!("{}: test", t.name);
        }
        if !flags.quiet {
            if !chosen.is_empty() {
                crate::println!();
            }
            crate::println!("{}, 0 benchmarks", Plural(chosen.len(), "test"));
        }
        return;
    }

    QUIET.store(flags.quiet, SeqCst);
    crate::debug::dying::set_death_note(Some(death_note));
    crate::println!("\nrunning {}", Plural(chosen.len(), "test"));
    let start = Instant::now();
    for (i, t) in chosen.iter().enumerate() {
        run_one(t);
        if flags.quiet {
            let done = i + 1;
            if done % TERSE_COLUMNS == 0 {
                crate::println!(". {done}/{}", chosen.len());
                DOTS.store(0, SeqCst);
            } else {
                crate::print!(".");
                DOTS.store(done % TERSE_COLUMNS, SeqCst);
            }
        } else {
            crate::println!("test {} ... ok", t.name);
        }
    }
    let cs = (start.elapsed().as_millis() + 5) / 10;
    crate::println!(
        "\ntest result: ok. {} passed; 0 failed; 0 ignored; 0 measured; {filtered_out} filtered out; finished in {}.{:02}s\n",
        chosen.len(),
        cs / 100,
        cs % 100
    );
    crate::debug::dying::set_death_note(None);
}

/// Runs `t` on a goroutine of its own and waits for it to return.
fn run_one(t: &'static Test) {
    RUNNING.store(t as *const Test as *mut Test, SeqCst);
    let done = Chan::<()>::new(0);
    let tx = done.clone();
    let func = t.func;
    crate::runtime::go(move || {
        // Called through an opaque pointer so the test keeps a frame of
        // its own in a traceback, whatever LTO inlines.
        core::hint::black_box(func)();
        let _ = tx.send(());
    });
    let _ = done.recv();
    RUNNING.store(core::ptr::null_mut(), SeqCst);
}

/// The death note (module note): names the running test on stdout.
fn death_note() {
    let p = RUNNING.load(SeqCst);
    // SAFETY: RUNNING is null or points into the 'static test table.
    let Some(t) = (unsafe { p.as_ref() }) else {
        return;
    };
    let mut w = crate::print::Writer::new(crate::sys::file::STDOUT);
    if QUIET.load(SeqCst) && DOTS.load(SeqCst) != 0 {
        w.write_bytes(b"\n");
    }
    let _ = writeln!(w, "test {} ... FAILED", t.name);
    w.flush();
}

/// `N things`, or `1 thing`, as libtest counts.
struct Plural(usize, &'static str);

impl core::fmt::Display for Plural {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let s = if self.0 == 1 { "" } else { "s" };
        write!(f, "{} {}{s}", self.0, self.1)
    }
}

/// `--help`: what this harness takes (its own text; libtest's options
/// it accepts are in the [`flags`] module note).
fn print_usage() {
    let prog = crate::env::args().next().unwrap_or(b"TEST");
    let prog = core::str::from_utf8(prog).unwrap_or("TEST");
    crate::println!(
        "Usage: {prog} [OPTIONS] [FILTERS...]

An rt0 test program (rt0::test_main!): runs the tests whose names contain
a FILTER (all without one), one after another, each on its own goroutine.
A failing test ends the run (panic = \"abort\"): `test NAME ... FAILED`,
then the runtime's report, exit status 2.

Options:
        --exact         Exactly match filters rather than by substring
        --skip FILTER   Skip tests whose names contain FILTER (may repeat)
        --list          List the tests instead of running them
    -q, --quiet         One character per test (--format=terse)
        --format pretty|terse
        --ignored       Run only ignored tests (there are none)
        --include-ignored
    -h, --help          Display this message
Accepted, without effect: --nocapture, --no-capture, --show-output (output
is never captured), --test-threads N (tests run one after another),
--color auto|always|never (output is plain), --test."
    );
}
