//! Failure modes end as Go's runtime ends them, with exact messages and
//! exit status 2, natively and under qemu-x86_64: deadlock (one section
//! per goroutine, each `goroutine N [reason]:` with its frames down to the
//! program's blocking call), a panic in a goroutine
//! other than main, stack overflow of a goroutine (its id, the 262144-byte
//! limit, sp below the reported stack), nil dereference (Go's SIGSEGV
//! report), Goexit from main after the other goroutine's output, a
//! negative WaitGroup counter; and the same under load (`sched_fail`: a
//! panic while other goroutines spin on other Ps, a deadlock of several
//! goroutines blocked in different ways).
//!
//! Per-goroutine stack sizes (`sched_stack`): recursion of about 540 KiB
//! completes in a `go_with_stack(1 << 20)` goroutine and overflows the
//! default 256 KiB one, where 210 KiB completes; 6.3 MiB completes on the
//! main goroutine (8 MiB, as a C main thread), and endless recursion there
//! reports its 8388608-byte limit; a 1 MiB goroutine that recurses forever
//! reports its own 1048576-byte limit; 16 KiB frames still hit the guard
//! page (stack probes) and are reported as an overflow, not a stray fault.
//!
//! Every report is parsed (tests/common/report.rs, TB_FORMAT) and must be
//! one whole report (tests/common/expect.rs); the program's frames must
//! name the lines of the calls that blocked, panicked or recursed, found
//! by searching the program's source.

mod common;

use common::binutils::normalize_name;
use common::expect::{self, DEADLOCK, Source};
use common::report::Goroutine;
use common::{Output, Runner, example, native_and_one_qemu, run_program};

const CRASH: &str = "tests/programs/crash.rs";
const SCHED_FAIL: &str = "tests/programs/sched_fail.rs";
/// The function sched_stack recurses in.
const RECURSE: &str = "sched_stack::recurse";

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

/// The default goroutine stack (`rt0::runtime::DEFAULT_STACK_SIZE`).
const DEFAULT_STACK: u64 = 256 << 10;
/// The main goroutine's (`rt0::runtime::MAIN_STACK_SIZE`).
const MAIN_STACK: u64 = 8 << 20;

/// Checks a stack overflow report: its three lines, then (a fatal
/// error: every goroutine) the overflowed goroutine first, `running`,
/// whose frames show `recursing` calling itself from the innermost frame
/// on, then goroutine 1 waiting for it in `wait` (a WaitGroup wait).
/// Returns the overflowed goroutine's id.
fn assert_overflow(out: &Output, limit: u64, recursing: &str) -> u64 {
    let g = assert_overflow_report(out, limit, recursing);
    let ctx = out.describe();
    let r = expect::one_report(out);
    let main = expect::goroutine(&r, 1, &ctx);
    assert_eq!(main.state, "sync.WaitGroup.Wait", "{ctx}");
    assert!(!main.frames.is_empty(), "{ctx}");
    g
}

/// [`assert_overflow`]'s checks of the report's head and of the
/// overflowed goroutine (the first listed); returns its id.
fn assert_overflow_report(out: &Output, limit: u64, recursing: &str) -> u64 {
    let ctx = out.describe();
    let r = expect::one_report(out);
    let lines = &r.head;
    assert_eq!(lines.len(), 3, "{ctx}");
    assert_eq!(
        lines[0],
        format!("runtime: goroutine stack exceeds {limit}-byte limit"),
        "{ctx}"
    );
    // runtime: sp=0x... stack=[0xLO, 0xHI]
    let rest = lines[1]
        .strip_prefix("runtime: sp=")
        .unwrap_or_else(|| panic!("sp line\n{ctx}"));
    let (sp, bounds) = rest.split_once(" stack=[").expect("stack=[");
    let (lo, hi) = bounds
        .strip_suffix(']')
        .and_then(|b| b.split_once(", "))
        .expect("[lo, hi]");
    let (sp, lo, hi) = (hex(sp), hex(lo), hex(hi));
    assert_eq!(hi - lo, limit, "stack bounds\n{ctx}");
    // sp is in the guard page, or exactly at lo when the faulting
    // instruction is a call or push (it writes below lo before it moves
    // sp: where the frames meet the guard depends on the stack's size).
    assert!(
        sp <= lo && sp >= lo - 4096,
        "sp {sp:#x} not in the guard page below {lo:#x}\n{ctx}"
    );
    assert_eq!(lines[2], "fatal error: stack overflow", "{ctx}");
    let g = &r.goroutines[0];
    assert_eq!(g.state, "running", "{ctx}");
    let first = expect::first_frame(g, &ctx);
    assert_eq!(
        normalize_name(&first.name),
        recursing,
        "the innermost frame is the one that overflowed\n{ctx}"
    );
    let run = g
        .frames
        .iter()
        .take_while(|f| normalize_name(&f.name) == recursing)
        .count();
    assert!(run >= 2, "the recursion is not shown\n{}\n{ctx}", g.text);
    g.id
}

/// Asserts the program's first frame in `g` is `func` at `line` of `src`
/// (frames of inlined library code, e.g. `core::ptr::read_volatile`, may
/// come first; the runtime's are hidden).
fn assert_user_frame(g: &Goroutine, krate: &str, func: &str, src: &Source, line: u32, ctx: &str) {
    let user = expect::user_frames(g, krate);
    let f = user
        .first()
        .unwrap_or_else(|| panic!("goroutine {}: no frame of {krate}\n{}\n{ctx}", g.id, g.text));
    expect::assert_frame(f, func, src, line, ctx);
}

#[test]
fn deadlock_lists_each_goroutine() {
    let src = Source::new(CRASH);
    let arm = "b\"deadlock\" =>";
    for runner in native_and_one_qemu() {
        let out = crash(&runner, "deadlock");
        let ctx = out.describe();
        assert_eq!(out.stdout_str(), "", "{ctx}");
        let r = expect::one_report(&out);
        assert_eq!(r.head, [DEADLOCK], "{ctx}");
        assert!(r.runtime_stack.is_none(), "{ctx}");
        assert_eq!(r.ids(), [1, 2], "{ctx}");
        let (main, other) = (&r.goroutines[0], &r.goroutines[1]);
        assert_eq!(main.state, "sync.WaitGroup.Wait", "{ctx}");
        assert_eq!(other.state, "sync.Mutex.Lock", "{ctx}");
        let wait = src.line_after(arm, "wg.wait();");
        assert_user_frame(main, "crash", "crash::main", &src, wait, &ctx);
        let lock = src.line_after(arm, "m2.lock();");
        assert_user_frame(other, "crash", "crash::main::{closure#0}", &src, lock, &ctx);
        let go = src.line_after(arm, "rt0::runtime::go(");
        expect::assert_created_by(other, "crash::main", 1, &src, go, &ctx);
    }
}

#[test]
fn deadlock_of_many_goroutines_under_load() {
    let src = Source::new(SCHED_FAIL);
    let arm = "b\"deadlock_many\" =>";
    let never = src.line_after(arm, "never.wait();");
    let lock = src.line_after(arm, "*m.lock() += 1");
    let wait = src.line_after(arm, "o.wait()");
    for runner in native_and_one_qemu() {
        for procs in ["1", "2"] {
            let out = run_failing(
                &runner,
                "sched_fail",
                &["deadlock_many"],
                &[("GOMAXPROCS", procs)],
            );
            let ctx = out.describe();
            let r = expect::one_report(&out);
            assert_eq!(r.head, [DEADLOCK], "{ctx}");
            // Four goroutines (distinct ids: one_report), in the runtime's
            // allgs order, main first; the four that exited are absent.
            assert_eq!(r.goroutines.len(), 4, "{ctx}");
            let main = &r.goroutines[0];
            assert_eq!(
                (main.id, main.state.as_str()),
                (1, "sync.WaitGroup.Wait"),
                "{ctx}"
            );
            assert_user_frame(main, "sched_fail", "sched_fail::main", &src, never, &ctx);
            let count = |reason: &str| r.goroutines.iter().filter(|g| g.state == reason).count();
            assert_eq!(count("sync.WaitGroup.Wait"), 2, "{ctx}");
            assert_eq!(count("sync.Mutex.Lock"), 2, "{ctx}");
            // Each goroutine sits in its closure, at the line of its `go`.
            for g in &r.goroutines[1..] {
                let line = if g.state == "sync.Mutex.Lock" {
                    lock
                } else {
                    wait
                };
                let closure = "sched_fail::main::{closure#0}";
                assert_user_frame(g, "sched_fail", closure, &src, line, &ctx);
                expect::assert_created_by(g, "sched_fail::main", 1, &src, line, &ctx);
            }
        }
    }
}

#[test]
fn panic_in_a_goroutine() {
    let src = Source::new(CRASH);
    let arm = "b\"panic\" =>";
    let at = src.line_after(arm, "v[i]");
    let go = src.line_after(arm, "rt0::runtime::go(");
    for runner in native_and_one_qemu() {
        let out = crash(&runner, "panic");
        let ctx = out.describe();
        let r = expect::one_report(&out);
        assert_eq!(
            r.head,
            ["panic: index out of bounds: the len is 0 but the index is 3"],
            "{ctx}"
        );
        let g = expect::only_goroutine(&r, &ctx);
        assert_eq!(g.state, "running", "{ctx}");
        assert_ne!(
            g.id, 1,
            "the panic happened in a goroutine, not main\n{ctx}"
        );
        // The panic's own line first (core's bounds check is hidden).
        let first = expect::first_frame(g, &ctx);
        expect::assert_frame(first, "crash::main::{closure#0}", &src, at, &ctx);
        expect::assert_created_by(g, "crash::main", 1, &src, go, &ctx);
    }
}

#[test]
fn panic_while_other_goroutines_spin() {
    let src = Source::new(SCHED_FAIL);
    let at = src.line("panic!(\"boom while others spin\")");
    for runner in native_and_one_qemu() {
        for procs in ["1", "2", "4"] {
            let out = run_failing(
                &runner,
                "sched_fail",
                &["panic_busy"],
                &[("GOMAXPROCS", procs)],
            );
            let ctx = out.describe();
            let r = expect::one_report(&out);
            assert_eq!(r.head, ["panic: boom while others spin"], "{ctx}");
            let g = expect::only_goroutine(&r, &ctx);
            assert_eq!(g.state, "running", "{ctx}");
            assert!(g.id > 1, "{ctx}");
            let first = expect::first_frame(g, &ctx);
            expect::assert_frame(first, "sched_fail::main::{closure#0}", &src, at, &ctx);
            expect::assert_created_by(g, "sched_fail::main", 1, &src, at, &ctx);
        }
    }
}

#[test]
fn stack_overflow_in_a_goroutine() {
    for runner in native_and_one_qemu() {
        let out = crash(&runner, "overflow");
        assert_eq!(out.stdout_str(), "", "{}", out.describe());
        let id = assert_overflow(&out, DEFAULT_STACK, "crash::recurse");
        assert_ne!(id, 1, "{}", out.describe());
    }
}

#[test]
fn nil_dereference() {
    let src = Source::new(CRASH);
    let at = src.line("read_volatile(p)");
    for runner in native_and_one_qemu() {
        let out = crash(&runner, "nil");
        let ctx = out.describe();
        let r = expect::one_report(&out);
        assert_eq!(r.head.len(), 2, "{ctx}");
        assert_eq!(
            r.head[0], "panic: runtime error: invalid memory address or nil pointer dereference",
            "{ctx}"
        );
        // [signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x...]
        let sig = r.head[1]
            .strip_prefix("[signal SIGSEGV: segmentation violation code=")
            .and_then(|l| l.strip_suffix(']'))
            .unwrap_or_else(|| panic!("signal line\n{ctx}"));
        let parts: Vec<&str> = sig.split(' ').collect();
        assert_eq!(parts.len(), 3, "{ctx}");
        assert_eq!(parts[0], "0x1", "SEGV_MAPERR\n{ctx}");
        assert_eq!(parts[1], "addr=0x0", "{ctx}");
        let pc = hex(parts[2].strip_prefix("pc=").expect("pc="));
        // Non-PIE, linked at the usual 0x400000: the fault is in our text.
        assert!((0x40_0000..0x100_0000).contains(&pc), "pc {pc:#x}\n{ctx}");
        let g = expect::only_goroutine(&r, &ctx);
        assert_eq!((g.id, g.state.as_str()), (1, "running"), "{ctx}");
        assert_user_frame(g, "crash", "crash::main", &src, at, &ctx);
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
    let src = Source::new(CRASH);
    let at = src.line("wg.done();");
    for runner in native_and_one_qemu() {
        let out = crash(&runner, "wgneg");
        let ctx = out.describe();
        let r = expect::one_report(&out);
        assert_eq!(r.head, ["panic: sync: negative WaitGroup counter"], "{ctx}");
        let g = expect::only_goroutine(&r, &ctx);
        assert_eq!((g.id, g.state.as_str()), (1, "running"), "{ctx}");
        // WaitGroup::done is the runtime's (hidden): its caller's line.
        let first = expect::first_frame(g, &ctx);
        expect::assert_frame(first, "crash::main", &src, at, &ctx);
    }
}

#[test]
fn big_stack_goroutine_survives_deep_recursion() {
    for runner in native_and_one_qemu() {
        let out = run_program(&runner, &example("sched_stack"), &["big", "512"], &[]);
        out.assert_success();
        assert_eq!(
            out.stdout_str(),
            "depth=512 sum=65280 want=65280\n",
            "{}",
            out.describe()
        );
        assert_eq!(out.stderr_str(), "", "{}", out.describe());

        // The same recursion on the default stack overflows it.
        let out = run_failing(&runner, "sched_stack", &["default", "512"], &[]);
        assert_eq!(out.stdout_str(), "", "{}", out.describe());
        assert_ne!(
            assert_overflow(&out, DEFAULT_STACK, RECURSE),
            1,
            "{}",
            out.describe()
        );

        // About 210 KiB of frames fit the default stack.
        let out = run_program(&runner, &example("sched_stack"), &["default", "200"], &[]);
        out.assert_success();
        assert_eq!(
            out.stdout_str(),
            "depth=200 sum=19900 want=19900\n",
            "{}",
            out.describe()
        );
        assert_eq!(out.stderr_str(), "", "{}", out.describe());
    }
}

/// The main goroutine has a C main thread's 8 MiB: 6,144 frames of about
/// 1 KiB complete there, and endless recursion reports goroutine 1 with
/// the 8388608-byte limit (the only goroutine: no other section).
#[test]
fn main_goroutine_has_8_mib() {
    for runner in native_and_one_qemu() {
        let out = run_program(&runner, &example("sched_stack"), &["main", "6144"], &[]);
        out.assert_success();
        assert_eq!(
            out.stdout_str(),
            "depth=6144 sum=783360 want=783360\n",
            "{}",
            out.describe()
        );
        assert_eq!(out.stderr_str(), "", "{}", out.describe());

        let out = run_failing(&runner, "sched_stack", &["main_overflow"], &[]);
        assert_eq!(out.stdout_str(), "", "{}", out.describe());
        assert_eq!(
            assert_overflow_report(&out, MAIN_STACK, RECURSE),
            1,
            "{}",
            out.describe()
        );
        let r = expect::one_report(&out);
        assert_eq!(r.ids(), [1], "{}", out.describe());
    }
}

#[test]
fn big_stack_goroutine_reports_its_own_limit() {
    for runner in native_and_one_qemu() {
        let out = run_failing(&runner, "sched_stack", &["big_overflow"], &[]);
        assert_ne!(
            assert_overflow(&out, 1 << 20, RECURSE),
            1,
            "{}",
            out.describe()
        );
    }
}

#[test]
fn big_frames_hit_the_guard_page() {
    for runner in native_and_one_qemu() {
        let out = run_failing(&runner, "sched_stack", &["bigframes"], &[]);
        let id = assert_overflow(&out, DEFAULT_STACK, "sched_stack::recurse_big_frames");
        assert_ne!(id, 1, "{}", out.describe());
    }
}
