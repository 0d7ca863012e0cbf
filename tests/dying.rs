//! Every death prints one complete report and exits 2 (`tests/programs/dying`),
//! natively and under qemu-x86_64:
//! - many goroutines panicking at once: exactly one whole report, looped
//!   at GOMAXPROCS 1, 2, 4, 8 (the others wait for it, as Go's do);
//! - a panic with almost no stack left: reported from g0's stack, with the
//!   goroutine's own id and location;
//! - a panic value whose `Display` panics or faults: Go 1.19's
//!   `fatal error: panic while printing panic value: ...`;
//! - a fault on another goroutine, or main returning, while a report is
//!   written: the report is whole and the status 2;
//! - `go_with_stack` with an absurd size: a panic naming the size and the
//!   limit; `Vec::with_capacity(1 << 40)`: Go's
//!   `fatal error: runtime: out of memory`.
//!
//! Locations are checked exactly: the expected `file:line:col` is found
//! by searching the example's source for the panicking call.

mod common;

use std::os::unix::process::ExitStatusExt;

use common::{Output, Runner, example, native_and_one_qemu, repo_root, run_program};

const SOURCE: &str = "tests/programs/dying.rs";
/// Runs of each racy case, per GOMAXPROCS and runner.
const RUNS: usize = 30;
/// Must match LIST_LEN in tests/programs/dying.rs.
const LIST_LEN: usize = 1000;
/// Must match MAX_STACK_SIZE in src/runtime.rs.
const MAX_STACK_SIZE: u64 = 1_000_000_000;
const NIL_TEXT: &str = "runtime error: invalid memory address or nil pointer dereference";

/// `\ttests/programs/dying.rs:LINE:COL` of the first source line containing
/// `needle`, COL being where `needle` starts (a macro's or a
/// `#[track_caller]` call's location).
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

/// The goroutine id of a `goroutine N [running]:` line.
fn goid(line: &str, ctx: &str) -> u64 {
    line.strip_prefix("goroutine ")
        .and_then(|r| r.strip_suffix(" [running]:"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no goroutine header in {line:?}\n{ctx}"))
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

#[test]
fn simultaneous_panics_print_one_whole_report() {
    let list = format!("{:?}", (0..LIST_LEN).collect::<Vec<_>>());
    let at = loc("panic!(\"boom {who}: {values:?}\")");
    for runner in native_and_one_qemu() {
        for procs in ["1", "2", "4", "8"] {
            for _ in 0..RUNS {
                let out = run(&runner, &["many", "8"], procs);
                check_status(&out);
                let ctx = out.describe();
                let err = out.stderr_str();
                let lines: Vec<&str> = err.split_inclusive('\n').collect();
                assert_eq!(lines.len(), 4, "exactly one report\n{ctx}");
                let who = lines[0]
                    .strip_prefix("panic: boom ")
                    .and_then(|r| r.strip_suffix(&format!(": {list}\n")))
                    .unwrap_or_else(|| panic!("bad first line\n{ctx}"));
                assert_eq!(lines[1], "\n", "{ctx}");
                let id = goid(lines[2].trim_end_matches('\n'), &ctx);
                match who {
                    "main" => assert_eq!(id, 1, "{ctx}"),
                    n => {
                        let n: u64 = n.parse().unwrap_or_else(|_| panic!("{ctx}"));
                        assert!(n < 8 && id > 1, "{ctx}");
                    }
                }
                assert_eq!(lines[3], format!("{at}\n"), "{ctx}");
            }
        }
    }
}

/// Margins below the ~1.7 KiB the report used to need on the
/// goroutine's own stack (with less than that, it used to exit in
/// silence).
#[test]
fn panic_with_almost_no_stack_left_is_reported() {
    let at = loc("panic!(\"stack nearly exhausted\")");
    for runner in native_and_one_qemu() {
        for margin in ["400", "800", "1200", "1600"] {
            let out = run(&runner, &["lowstack", margin], "2");
            check_status(&out);
            let ctx = out.describe();
            let err = out.stderr_str();
            let lines: Vec<&str> = err.lines().collect();
            assert_eq!(lines.len(), 4, "{ctx}");
            assert_eq!(lines[0], "panic: stack nearly exhausted", "{ctx}");
            assert_eq!(lines[1], "", "{ctx}");
            assert!(goid(lines[2], &ctx) > 1, "not main's id\n{ctx}");
            assert_eq!(lines[3], at, "{ctx}");
        }
    }
}

/// Go 1.19 for a panic value whose Error() panics with a string:
/// `fatal error: panic while printing panic value: inner boom`.
#[test]
fn panic_inside_the_panic_value() {
    let inner = loc("panic!(\"inner boom\")");
    let outer = loc("panic!(\"{}\", Bad)");
    for runner in native_and_one_qemu() {
        let out = run(&runner, &["badvalue"], "2");
        check_status(&out);
        assert_eq!(
            out.stderr_str(),
            format!(
                "fatal error: panic while printing panic value: inner boom\n\n\
                 goroutine 1 [running]:\n{inner}\n{outer}\n"
            ),
            "{}",
            out.describe()
        );
    }
}

/// Go 1.19 for a panic value whose Error() dereferences nil:
/// `fatal error: panic while printing panic value: <the runtime error>`
/// and the signal line. A value long enough to have reached stderr before
/// the fault stays, on a line of its own.
#[test]
fn fault_inside_the_panic_value() {
    for runner in native_and_one_qemu() {
        for (mode, outer, printed) in [
            (
                "nilvalue",
                loc("panic!(\"{}\", Nil { len: 0 })"),
                String::new(),
            ),
            (
                "longnilvalue",
                loc("panic!(\"{}\", Nil { len: 20_000 })"),
                format!("panic: {}", "x".repeat(20_000)),
            ),
        ] {
            let out = run(&runner, &[mode], "2");
            check_status(&out);
            let ctx = out.describe();
            let err = out.stderr_str();
            let mut lines: Vec<&str> = err.lines().collect();
            if !printed.is_empty() {
                assert_eq!(lines.first().copied(), Some(printed.as_str()), "{ctx}");
                lines.remove(0);
            }
            assert_eq!(lines.len(), 5, "{ctx}");
            assert_eq!(
                lines[0],
                format!("fatal error: panic while printing panic value: {NIL_TEXT}"),
                "{ctx}"
            );
            check_nil_signal_line(lines[1], &ctx);
            assert_eq!(&lines[2..], ["", "goroutine 1 [running]:", &outer], "{ctx}");
            assert!(err.ends_with('\n'), "{ctx}");
        }
    }
}

/// Another goroutine faults, or main returns, while main's (or a
/// goroutine's) report is being written: the report is whole, status 2.
/// At GOMAXPROCS 1 the two cannot overlap, so 2, 4 and 8 only.
#[test]
fn reports_are_not_cut_by_other_deaths_or_exit() {
    let cases = [
        ("faultother", loc("panic!(\"{}\", Slow);"), true),
        ("mainexit", loc("panic!(\"{}\", Slow))"), false),
    ];
    for runner in native_and_one_qemu() {
        for procs in ["2", "4", "8"] {
            for (mode, at, on_main) in &cases {
                for _ in 0..RUNS / 3 {
                    let out = run(&runner, &[mode], procs);
                    check_status(&out);
                    let ctx = out.describe();
                    let err = out.stderr_str();
                    let lines: Vec<&str> = err.lines().collect();
                    assert_eq!(lines.len(), 4, "{ctx}");
                    assert_eq!(lines[0], "panic: slow value [done]", "{ctx}");
                    assert_eq!(lines[1], "", "{ctx}");
                    let id = goid(lines[2], &ctx);
                    assert_eq!(id == 1, *on_main, "{ctx}");
                    assert_eq!(lines[3], *at, "{ctx}");
                }
            }
        }
    }
}

#[test]
fn absurd_goroutine_stack_sizes_panic_at_the_caller() {
    let at = loc("rt0::runtime::go_with_stack(bytes");
    for runner in native_and_one_qemu() {
        for size in [u64::MAX, 1 << 63, 1 << 47, MAX_STACK_SIZE + 1] {
            let out = run(&runner, &["bigstack", &size.to_string()], "2");
            check_status(&out);
            assert_eq!(
                out.stderr_str(),
                format!(
                    "panic: go_with_stack: {size}-byte stack exceeds {MAX_STACK_SIZE}-byte limit\n\n\
                     goroutine 1 [running]:\n{at}\n"
                ),
                "{}",
                out.describe()
            );
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
    for runner in native_and_one_qemu() {
        let size = if runner.is_qemu() {
            qemu_size.as_str()
        } else {
            "1099511627776"
        };
        let out = run(&runner, &["hugevec", size], "2");
        check_status(&out);
        assert_eq!(
            out.stderr_str(),
            "fatal error: runtime: out of memory\n\ngoroutine 1 [running]:\n",
            "{}",
            out.describe()
        );
    }
}
