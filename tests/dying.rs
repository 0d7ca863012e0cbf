//! Every death prints one complete report and exits 2 (`tests/programs/dying`),
//! natively and under qemu-x86_64:
//! - many goroutines panicking at once: exactly one whole report, looped
//!   at GOMAXPROCS 1, 2, 4, 8 (the others wait for it, as Go's do);
//! - a panic with almost no stack left: reported from g0's stack, with the
//!   goroutine's own id and frames;
//! - a panic value whose `Display` panics or faults: Go 1.19's
//!   `fatal error: panic while printing panic value: ...`;
//! - a fault on another goroutine, or main returning, while a report is
//!   written: the report is whole and the status 2;
//! - `go_with_stack` with an absurd size: a panic naming the size and the
//!   limit; `Vec::with_capacity(1 << 40)`: Go's
//!   `fatal error: runtime: out of memory`.
//!
//! Reports are parsed with tests/common/report.rs (TB_FORMAT) and must be
//! one whole report (tests/common/expect.rs): the head, goroutine
//! sections that parse, nothing after the last one. Locations are checked
//! exactly: the expected line is found by searching the example's source
//! for the panicking call; the first frame shown of the panicking
//! goroutine (the runtime's panic machinery is hidden) must name it, and
//! a goroutine's `created by` the line of its `go`. The nested reports
//! still print the panics' `file:line:col` after the message (Go prints
//! the value's panic and the outer one there too).

mod common;

use std::os::unix::process::ExitStatusExt;

use common::expect::{self, Source};
use common::report::Report;
use common::{Output, Runner, example, native_and_one_qemu, repo_root, run_program};

const SOURCE: &str = "tests/programs/dying.rs";
/// The program's crate: its frames are `dying::...`.
const CRATE: &str = "dying";
/// Runs of each racy case, per GOMAXPROCS and runner.
const RUNS: usize = 30;
/// Must match LIST_LEN in tests/programs/dying.rs.
const LIST_LEN: usize = 1000;
/// Must match MAX_STACK_SIZE in src/runtime.rs.
const MAX_STACK_SIZE: u64 = 1_000_000_000;
const NIL_TEXT: &str = "runtime error: invalid memory address or nil pointer dereference";

/// `\ttests/programs/dying.rs:LINE:COL` of the first source line containing
/// `needle`, COL being where `needle` starts (a macro's or a
/// `#[track_caller]` call's location), as a nested report prints it.
fn loc(needle: &str) -> String {
    let src = std::fs::read_to_string(repo_root().join(SOURCE)).expect("read example source");
    let (line, col) = src
        .lines()
        .enumerate()
        .find_map(|(i, l)| l.find(needle).map(|c| (i + 1, c + 1)))
        .unwrap_or_else(|| panic!("{needle:?} not in {SOURCE}"));
    format!("\t{SOURCE}:{line}:{col}")
}

fn run(runner: &Runner, args: &[&str], procs: &str) -> Output {
    run_program(runner, &example("dying"), args, &[("GOMAXPROCS", procs)])
}

/// Exit status 2 by exit, not by a signal; nothing on stdout.
fn check_status(out: &Output) {
    let ctx = out.describe();
    assert_eq!(out.status.signal(), None, "killed by a signal\n{ctx}");
    assert_eq!(out.code(), Some(2), "{ctx}");
    assert_eq!(out.stdout_str(), "", "{ctx}");
}

/// Checks `[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x...]`.
fn check_nil_signal_line(line: &str, ctx: &str) {
    let pc = line
        .strip_prefix("[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x")
        .and_then(|r| r.strip_suffix(']'))
        .unwrap_or_else(|| panic!("bad signal line {line:?}\n{ctx}"));
    assert!(
        u64::from_str_radix(pc, 16).is_ok(),
        "bad pc in {line:?}\n{ctx}"
    );
}

/// A panic report at the default GOTRACEBACK: one report, the message
/// `head`, then only the panicking goroutine, `running`, whose first
/// frame is `func` at the line containing `at`. Returns the report; its
/// one section is the panicking goroutine.
fn check_panic(out: &Output, src: &Source, head: &str, func: &str, at: &str) -> Report {
    let ctx = out.describe();
    let r = expect::one_report(out);
    assert_eq!(r.head, [head], "{ctx}");
    assert!(r.runtime_stack.is_none(), "{ctx}");
    let g = expect::only_goroutine(&r, &ctx);
    assert_eq!(g.state, "running", "{ctx}");
    expect::assert_frame(expect::first_frame(g, &ctx), func, src, src.line(at), &ctx);
    r
}

/// The nested report of a panic value whose `Display` failed: the head
/// (checked by the caller), g0's `runtime stack:` (the report ran there)
/// whose first frame of the program is the value's `fmt` at the line
/// containing `fmt_at`, then goroutine 1 alone, its first frame main's
/// `panic!` (the line containing `outer`).
fn check_nested(out: &Output, src: &Source, value: &str, fmt_at: &str, outer: &str) -> Report {
    let ctx = out.describe();
    let r = expect::one_report(out);
    let rs = r
        .runtime_stack
        .as_ref()
        .unwrap_or_else(|| panic!("no `runtime stack:` block\n{ctx}"));
    let fmt = expect::user_frames(rs, CRATE);
    let fmt = fmt
        .first()
        .unwrap_or_else(|| panic!("no frame of the program in g0's stack\n{ctx}"));
    let name = format!("<dying::{value} as core::fmt::Display>::fmt");
    expect::assert_frame(fmt, &name, src, src.line(fmt_at), &ctx);
    let g = expect::only_goroutine(&r, &ctx);
    assert_eq!((g.id, g.state.as_str()), (1, "running"), "{ctx}");
    expect::assert_frame(
        expect::first_frame(g, &ctx),
        "dying::main",
        src,
        src.line(outer),
        &ctx,
    );
    r
}

#[test]
fn simultaneous_panics_print_one_whole_report() {
    let src = Source::new(SOURCE);
    let list = format!("{:?}", (0..LIST_LEN).collect::<Vec<_>>());
    let at = "panic!(\"boom {who}: {values:?}\")";
    let main_call = src.line("wait_and_panic(&\"main\")");
    let go_line = src.line("rt0::runtime::go(move || wait_and_panic(&i))");
    for runner in native_and_one_qemu() {
        for procs in ["1", "2", "4", "8"] {
            for _ in 0..RUNS {
                let out = run(&runner, &["many", "8"], procs);
                check_status(&out);
                let ctx = out.describe();
                let err = out.stderr_str();
                let head = err.lines().next().unwrap_or_default();
                let who = head
                    .strip_prefix("panic: boom ")
                    .and_then(|r| r.strip_suffix(&format!(": {list}")))
                    .unwrap_or_else(|| panic!("bad first line\n{ctx}"));
                let r = check_panic(&out, &src, head, "dying::main::{closure#0}", at);
                let g = &r.goroutines[0];
                match who {
                    "main" => {
                        assert_eq!(g.id, 1, "{ctx}");
                        let user = expect::user_frames(g, CRATE);
                        assert!(user.len() >= 2, "{ctx}");
                        expect::assert_frame(user[1], "dying::main", &src, main_call, &ctx);
                    }
                    n => {
                        let n: u64 = n.parse().unwrap_or_else(|_| panic!("{ctx}"));
                        assert!(n < 8 && g.id > 1, "{ctx}");
                        expect::assert_created_by(g, "dying::main", 1, &src, go_line, &ctx);
                    }
                }
            }
        }
    }
}

/// Margins below the ~1.7 KiB the report used to need on the
/// goroutine's own stack (with less than that, it used to exit in
/// silence). The report shows the recursion: `eat_stack` calling itself,
/// from the goroutine's closure (both ends of a long stack are shown).
///
/// The panic handler keeps its registers in the M (`m.panic_origin`), so
/// only its 40-byte frame and the call to g0 use the goroutine's stack:
/// with the registers built in the handler's frame (0xa8 bytes) and in
/// `on_g0`'s (0xa0), margin 400 overflowed into the guard page.
#[test]
fn panic_with_almost_no_stack_left_is_reported() {
    let src = Source::new(SOURCE);
    let recurse = src.line("    eat_stack(top, margin);");
    let entry = src.line("eat_stack(top.as_ptr() as usize, margin);");
    let go_line = src.line("rt0::runtime::go(move || {");
    for runner in native_and_one_qemu() {
        for margin in ["400", "800", "1200", "1600"] {
            let out = run(&runner, &["lowstack", margin], "2");
            check_status(&out);
            let ctx = out.describe();
            let r = check_panic(
                &out,
                &src,
                "panic: stack nearly exhausted",
                "dying::eat_stack",
                "panic!(\"stack nearly exhausted\")",
            );
            let g = &r.goroutines[0];
            assert!(g.id > 1, "not main's id\n{ctx}");
            let user = expect::user_frames(g, CRATE);
            let (last, calls) = user.split_last().expect("a first frame");
            assert!(calls.len() > 2, "no recursion shown\n{ctx}");
            for f in &calls[1..] {
                expect::assert_frame(f, "dying::eat_stack", &src, recurse, &ctx);
            }
            expect::assert_frame(last, "dying::main::{closure#0}", &src, entry, &ctx);
            expect::assert_created_by(g, "dying::main", 1, &src, go_line, &ctx);
        }
    }
}

/// Go 1.19 for a panic value whose Error() panics with a string:
/// `fatal error: panic while printing panic value: inner boom`, then the
/// inner and the outer panic's locations, g0's stack (the report was
/// being written there) and goroutine 1.
#[test]
fn panic_inside_the_panic_value() {
    let src = Source::new(SOURCE);
    let inner = loc("panic!(\"inner boom\")");
    let outer = loc("panic!(\"{}\", Bad)");
    for runner in native_and_one_qemu() {
        let out = run(&runner, &["badvalue"], "2");
        check_status(&out);
        let r = check_nested(
            &out,
            &src,
            "Bad",
            "panic!(\"inner boom\")",
            "panic!(\"{}\", Bad)",
        );
        assert_eq!(
            r.head,
            [
                "fatal error: panic while printing panic value: inner boom",
                &inner,
                &outer
            ],
            "{}",
            out.describe()
        );
    }
}

/// Go 1.19 for a panic value whose Error() dereferences nil:
/// `fatal error: panic while printing panic value: <the runtime error>`,
/// the signal line and the outer panic's location, g0's stack from the
/// fault (the value's `fmt` at the faulting read) and goroutine 1. A
/// value long enough to have reached stderr before the fault stays, on a
/// line of its own.
#[test]
fn fault_inside_the_panic_value() {
    let src = Source::new(SOURCE);
    for runner in native_and_one_qemu() {
        for (mode, outer, printed) in [
            ("nilvalue", "panic!(\"{}\", Nil { len: 0 })", String::new()),
            (
                "longnilvalue",
                "panic!(\"{}\", Nil { len: 20_000 })",
                format!("panic: {}", "x".repeat(20_000)),
            ),
        ] {
            let out = run(&runner, &[mode], "2");
            check_status(&out);
            let ctx = out.describe();
            let r = check_nested(&out, &src, "Nil", "read_volatile(p) };", outer);
            let mut head: Vec<&str> = r.head.iter().map(String::as_str).collect();
            if !printed.is_empty() {
                assert_eq!(head.first().copied(), Some(printed.as_str()), "{ctx}");
                head.remove(0);
            }
            assert_eq!(head.len(), 3, "{ctx}");
            assert_eq!(
                head[0],
                format!("fatal error: panic while printing panic value: {NIL_TEXT}"),
                "{ctx}"
            );
            check_nil_signal_line(head[1], &ctx);
            assert_eq!(head[2], loc(outer), "{ctx}");
        }
    }
}

/// Another goroutine faults, or main returns, while main's (or a
/// goroutine's) report is being written: the report is whole, status 2.
/// At GOMAXPROCS 1 the two cannot overlap, so 2, 4 and 8 only.
#[test]
fn reports_are_not_cut_by_other_deaths_or_exit() {
    let src = Source::new(SOURCE);
    let go_line = src.line("rt0::runtime::go(|| panic!(\"{}\", Slow));");
    let cases = [
        ("faultother", "panic!(\"{}\", Slow);", "dying::main", true),
        (
            "mainexit",
            "panic!(\"{}\", Slow))",
            "dying::main::{closure#0}",
            false,
        ),
    ];
    for runner in native_and_one_qemu() {
        for procs in ["2", "4", "8"] {
            for (mode, at, func, on_main) in &cases {
                for _ in 0..RUNS / 3 {
                    let out = run(&runner, &[mode], procs);
                    check_status(&out);
                    let ctx = out.describe();
                    let r = check_panic(&out, &src, "panic: slow value [done]", func, at);
                    let g = &r.goroutines[0];
                    assert_eq!(g.id == 1, *on_main, "{ctx}");
                    if !on_main {
                        expect::assert_created_by(g, "dying::main", 1, &src, go_line, &ctx);
                    }
                }
            }
        }
    }
}

#[test]
fn absurd_goroutine_stack_sizes_panic_at_the_caller() {
    let src = Source::new(SOURCE);
    for runner in native_and_one_qemu() {
        for size in [u64::MAX, 1 << 63, 1 << 47, MAX_STACK_SIZE + 1] {
            let out = run(&runner, &["bigstack", &size.to_string()], "2");
            check_status(&out);
            let head = format!(
                "panic: go_with_stack: {size}-byte stack exceeds {MAX_STACK_SIZE}-byte limit"
            );
            // `go_with_stack` is the runtime's (hidden): the first frame
            // is its caller's line.
            let r = check_panic(
                &out,
                &src,
                &head,
                "dying::main",
                "rt0::runtime::go_with_stack(bytes",
            );
            assert_eq!(r.goroutines[0].id, 1, "{}", out.describe());
        }
        // The limit itself is served (lazily committed: it costs a page).
        let out = run(&runner, &["bigstack", &MAX_STACK_SIZE.to_string()], "2");
        out.assert_success();
        assert_eq!(
            out.stdout_str(),
            format!("ran on a {MAX_STACK_SIZE}-byte stack\n"),
            "{}",
            out.describe()
        );
    }
}

/// The heap lets the kernel's overcommit policy judge what it maps: with
/// the default heuristic (or strict accounting) a terabyte on a machine
/// with less RAM + swap is refused, and the program ends as Go's
/// `make([]byte, 1<<40)` does on this machine.
#[test]
fn allocation_beyond_the_machine_is_out_of_memory() {
    let policy = std::fs::read_to_string("/proc/sys/vm/overcommit_memory").unwrap_or_default();
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let kib = |key: &str| -> u64 {
        meminfo
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|r| r.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    let ram_and_swap = (kib("MemTotal:") + kib("SwapTotal:")) << 10;
    if policy.trim() == "1" || ram_and_swap >= 1 << 40 {
        eprintln!("skipped: overcommit_memory={policy:?}, RAM+swap {ram_and_swap} bytes");
        return;
    }
    // qemu-user takes half a minute to map and unmap a terabyte; any size
    // well past RAM + swap makes the point there.
    let qemu_size = (ram_and_swap.next_power_of_two() * 2).to_string();
    let src = Source::new(SOURCE);
    for runner in native_and_one_qemu() {
        let size = if runner.is_qemu() {
            qemu_size.as_str()
        } else {
            "1099511627776"
        };
        let out = run(&runner, &["hugevec", size], "2");
        check_status(&out);
        let ctx = out.describe();
        // A fatal error (Go's throw): the failing goroutine with the
        // runtime's frames (the allocator's failure path), down to the
        // program's allocation; then every other one (there is none).
        let r = expect::one_report(&out);
        assert_eq!(r.head, ["fatal error: runtime: out of memory"], "{ctx}");
        assert_eq!(r.ids(), [1], "{ctx}");
        let g = &r.goroutines[0];
        assert_eq!(g.state, "running", "{ctx}");
        assert!(
            expect::first_frame(g, &ctx).name.starts_with("rt0::"),
            "a fatal error shows the runtime's frames\n{ctx}"
        );
        let user = expect::user_frames(g, CRATE);
        let alloc = user
            .first()
            .unwrap_or_else(|| panic!("no frame of the program\n{ctx}"));
        let at = src.line("Vec::with_capacity(bytes)");
        expect::assert_frame(alloc, "dying::main", &src, at, &ctx);
    }
}
