//! Failure modes end as Go's runtime ends them, with exact messages and
//! exit status 2, natively and under qemu-x86_64: deadlock (with one
//! `goroutine N [reason]:` header per goroutine), a panic in a goroutine
//! other than main, stack overflow of a goroutine (its id, the 65536-byte
//! limit, sp below the reported stack), nil dereference (Go's SIGSEGV
//! report), Goexit from main after the other goroutine's output, a
//! negative WaitGroup counter; and the same under load (`sched_fail`: a
//! panic while other goroutines spin on other Ps, a deadlock of several
//! goroutines blocked in different ways).
//!
//! Per-goroutine stack sizes (`sched_stack`): recursion of about 256 KiB
//! completes in a `go_with_stack(1 << 20)` goroutine and overflows the
//! default 64 KiB one; a 1 MiB goroutine that recurses forever reports its
//! own 1048576-byte limit; 16 KiB frames still hit the guard page (stack
//! probes) and are reported as an overflow, not a stray fault.

mod common;

use common::{Output, Runner, example, native_and_one_qemu, report, run_program};

fn run_failing(runner: &Runner, name: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let out = run_program(runner, &example(name), args, env);
    assert_eq!(out.code(), Some(2), "exit status\n{}", out.describe());
    out
}

fn crash(runner: &Runner, what: &str) -> Output {
    run_failing(runner, "crash", &[what], &[])
}

/// Parses `0x...` hex.
fn hex(s: &str) -> u64 {
    u64::from_str_radix(s.strip_prefix("0x").expect("0x prefix"), 16).expect("hex number")
}

/// Checks the three lines of a stack overflow report, followed by a blank
/// line and the goroutine header; returns the goroutine id.
fn assert_overflow(out: &Output, limit: u64) -> u64 {
    let err = out.stderr_str();
    let lines: Vec<&str> = err.lines().collect();
    assert!(lines.len() >= 5, "{}", out.describe());
    assert_eq!(
        lines[0],
        format!("runtime: goroutine stack exceeds {limit}-byte limit"),
        "{}",
        out.describe()
    );
    // runtime: sp=0x... stack=[0xLO, 0xHI]
    let rest = lines[1]
        .strip_prefix("runtime: sp=")
        .unwrap_or_else(|| panic!("sp line\n{}", out.describe()));
    let (sp, bounds) = rest.split_once(" stack=[").expect("stack=[");
    let (lo, hi) = bounds
        .strip_suffix(']')
        .and_then(|b| b.split_once(", "))
        .expect("[lo, hi]");
    let (sp, lo, hi) = (hex(sp), hex(lo), hex(hi));
    assert_eq!(hi - lo, limit, "stack bounds\n{}", out.describe());
    assert!(
        sp < lo && sp >= lo - 4096,
        "sp {sp:#x} not in the guard page below {lo:#x}\n{}",
        out.describe()
    );
    assert_eq!(
        lines[2],
        "fatal error: stack overflow",
        "{}",
        out.describe()
    );
    assert_eq!(lines[3], "", "{}", out.describe());
    goroutine_header(lines[4], "running", out)
}

/// Parses `goroutine N [reason]:`, checking the reason; returns N.
fn goroutine_header(line: &str, reason: &str, out: &Output) -> u64 {
    line.strip_prefix("goroutine ")
        .and_then(|l| l.strip_suffix(&format!(" [{reason}]:")))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{line:?} is not a [{reason}] header\n{}", out.describe()))
}

#[test]
fn deadlock_lists_each_goroutine() {
    for runner in native_and_one_qemu() {
        let out = crash(&runner, "deadlock");
        assert_eq!(out.stdout_str(), "", "{}", out.describe());
        assert_eq!(
            report::headers_only(&out.stderr_str()),
            "fatal error: all goroutines are asleep - deadlock!\n\n\
             goroutine 1 [sync.WaitGroup.Wait]:\n\n\
             goroutine 2 [sync.Mutex.Lock]:\n",
            "{}",
            out.describe()
        );
    }
}

#[test]
fn deadlock_of_many_goroutines_under_load() {
    for runner in native_and_one_qemu() {
        for procs in ["1", "2"] {
            let out = run_failing(
                &runner,
                "sched_fail",
                &["deadlock_many"],
                &[("GOMAXPROCS", procs)],
            );
            let err = report::headers_only(&out.stderr_str());
            let mut lines = err.lines();
            assert_eq!(
                lines.next(),
                Some("fatal error: all goroutines are asleep - deadlock!"),
                "{}",
                out.describe()
            );
            // Blank line, header, blank line, header, ...: four goroutines,
            // in the runtime's allgs order; the four that exited are absent.
            let rest: Vec<&str> = lines.collect();
            assert_eq!(rest.len(), 8, "{}", out.describe());
            let mut headers: Vec<String> = Vec::new();
            for pair in rest.chunks(2) {
                assert_eq!(pair[0], "", "{}", out.describe());
                headers.push(pair[1].to_string());
            }
            let count = |reason: &str| {
                headers
                    .iter()
                    .filter(|h| h.ends_with(&format!(" [{reason}]:")))
                    .count()
            };
            assert_eq!(
                headers[0],
                "goroutine 1 [sync.WaitGroup.Wait]:",
                "{}",
                out.describe()
            );
            assert_eq!(count("sync.WaitGroup.Wait"), 2, "{}", out.describe());
            assert_eq!(count("sync.Mutex.Lock"), 2, "{}", out.describe());
            let mut ids: Vec<u64> = headers
                .iter()
                .map(|h| {
                    h.strip_prefix("goroutine ")
                        .and_then(|h| h.split_once(' '))
                        .and_then(|(n, _)| n.parse().ok())
                        .unwrap_or_else(|| panic!("header {h:?}\n{}", out.describe()))
                })
                .collect();
            ids.sort();
            ids.dedup();
            assert_eq!(ids.len(), 4, "distinct goroutine ids\n{}", out.describe());
        }
    }
}

#[test]
fn panic_in_a_goroutine() {
    for runner in native_and_one_qemu() {
        let out = crash(&runner, "panic");
        let err = out.stderr_str();
        let lines: Vec<&str> = err.lines().collect();
        assert!(lines.len() >= 3, "{}", out.describe());
        assert_eq!(
            lines[0],
            "panic: index out of bounds: the len is 0 but the index is 3",
            "{}",
            out.describe()
        );
        assert_eq!(lines[1], "", "{}", out.describe());
        let id = goroutine_header(lines[2], "running", &out);
        assert_ne!(
            id,
            1,
            "the panic happened in a goroutine, not main\n{}",
            out.describe()
        );
        // The panic's source location comes after the header.
        assert!(
            err.contains("tests/programs/crash.rs:"),
            "{}",
            out.describe()
        );
    }
}

#[test]
fn panic_while_other_goroutines_spin() {
    for runner in native_and_one_qemu() {
        for procs in ["1", "2", "4"] {
            let out = run_failing(
                &runner,
                "sched_fail",
                &["panic_busy"],
                &[("GOMAXPROCS", procs)],
            );
            let err = out.stderr_str();
            let lines: Vec<&str> = err.lines().collect();
            assert!(lines.len() >= 3, "{}", out.describe());
            assert_eq!(
                lines[0],
                "panic: boom while others spin",
                "{}",
                out.describe()
            );
            assert_eq!(lines[1], "", "{}", out.describe());
            let id = goroutine_header(lines[2], "running", &out);
            assert!(id > 1, "{}", out.describe());
        }
    }
}

#[test]
fn stack_overflow_in_a_goroutine() {
    for runner in native_and_one_qemu() {
        let out = crash(&runner, "overflow");
        assert_eq!(out.stdout_str(), "", "{}", out.describe());
        let id = assert_overflow(&out, 65536);
        assert_ne!(id, 1, "{}", out.describe());
    }
}

#[test]
fn nil_dereference() {
    for runner in native_and_one_qemu() {
        let out = crash(&runner, "nil");
        // Without the frames (tests/traceback.rs checks those).
        let err = report::headers_only(&out.stderr_str());
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 4, "{}", out.describe());
        assert_eq!(
            lines[0],
            "panic: runtime error: invalid memory address or nil pointer dereference",
            "{}",
            out.describe()
        );
        // [signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x...]
        let sig = lines[1]
            .strip_prefix("[signal SIGSEGV: segmentation violation code=")
            .and_then(|l| l.strip_suffix(']'))
            .unwrap_or_else(|| panic!("signal line\n{}", out.describe()));
        let parts: Vec<&str> = sig.split(' ').collect();
        assert_eq!(parts.len(), 3, "{}", out.describe());
        assert_eq!(parts[0], "0x1", "SEGV_MAPERR\n{}", out.describe());
        assert_eq!(parts[1], "addr=0x0", "{}", out.describe());
        let pc = hex(parts[2].strip_prefix("pc=").expect("pc="));
        // Non-PIE, linked at the usual 0x400000: the fault is in our text.
        assert!(
            (0x40_0000..0x100_0000).contains(&pc),
            "pc {pc:#x}\n{}",
            out.describe()
        );
        assert_eq!(lines[2], "", "{}", out.describe());
        assert_eq!(lines[3], "goroutine 1 [running]:", "{}", out.describe());
    }
}

#[test]
fn goexit_from_main() {
    for runner in native_and_one_qemu() {
        let out = crash(&runner, "goexit");
        assert_eq!(
            out.stdout_str(),
            "other goroutine ran\n",
            "{}",
            out.describe()
        );
        assert_eq!(
            out.stderr_str(),
            "fatal error: no goroutines (main called runtime.Goexit) - deadlock!\n",
            "{}",
            out.describe()
        );
    }
}

#[test]
fn negative_waitgroup_counter() {
    for runner in native_and_one_qemu() {
        let out = crash(&runner, "wgneg");
        let err = out.stderr_str();
        let lines: Vec<&str> = err.lines().collect();
        assert!(lines.len() >= 3, "{}", out.describe());
        assert_eq!(
            lines[0],
            "panic: sync: negative WaitGroup counter",
            "{}",
            out.describe()
        );
        assert_eq!(lines[1], "", "{}", out.describe());
        assert_eq!(lines[2], "goroutine 1 [running]:", "{}", out.describe());
    }
}

#[test]
fn big_stack_goroutine_survives_deep_recursion() {
    for runner in native_and_one_qemu() {
        let out = run_program(&runner, &example("sched_stack"), &["big", "256"], &[]);
        out.assert_success();
        assert_eq!(
            out.stdout_str(),
            "depth=256 sum=32640 want=32640\n",
            "{}",
            out.describe()
        );
        assert_eq!(out.stderr_str(), "", "{}", out.describe());

        // The same recursion on the default stack overflows it.
        let out = run_failing(&runner, "sched_stack", &["default", "256"], &[]);
        assert_eq!(out.stdout_str(), "", "{}", out.describe());
        assert_ne!(assert_overflow(&out, 65536), 1, "{}", out.describe());

        // A shallow one fits the default stack (the test is about size).
        let out = run_program(&runner, &example("sched_stack"), &["default", "16"], &[]);
        out.assert_success();
        assert_eq!(
            out.stdout_str(),
            "depth=16 sum=120 want=120\n",
            "{}",
            out.describe()
        );
    }
}

#[test]
fn big_stack_goroutine_reports_its_own_limit() {
    for runner in native_and_one_qemu() {
        let out = run_failing(&runner, "sched_stack", &["big_overflow"], &[]);
        assert_ne!(assert_overflow(&out, 1 << 20), 1, "{}", out.describe());
    }
}

#[test]
fn big_frames_hit_the_guard_page() {
    for runner in native_and_one_qemu() {
        let out = run_failing(&runner, "sched_stack", &["bigframes"], &[]);
        assert_ne!(assert_overflow(&out, 65536), 1, "{}", out.describe());
    }
}
