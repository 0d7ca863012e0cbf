//! `lock_os_thread` / `unlock_os_thread` (tests/programs/lockos_basic.rs):
//! a locked goroutine stays on its kernel thread (`gettid`) over
//! thousands of channel round trips, sleeps, yields and `blocking`
//! calls, and no other goroutine runs on that thread meanwhile; nesting
//! counts as Go 1.10+'s; a goroutine that exits locked takes its thread
//! with it (the thread leaves /proc/self/task, checked by the program
//! against /proc, and the thread count does not grow); the locked main
//! goroutine and locked goroutines parked forever still get Go's
//! deadlock report, while one waiting on a timer or on the netpoller
//! does not. Natively and under `qemu-x86_64 -cpu qemu64` and `Haswell`,
//! at GOMAXPROCS 1 and 4.

mod common;

use common::expect::{self, Source};
use common::{Output, Runner, example, num, run_program, stdout_fields};

/// Native, then qemu under the two models the issue names.
fn runners() -> Vec<Runner> {
    vec![
        Runner::Native,
        Runner::Qemu("qemu64".into()),
        Runner::Qemu("Haswell".into()),
    ]
}

fn run(r: &Runner, args: &[&str], procs: &str) -> Output {
    run_program(r, &example("lockos_basic"), args, &[("GOMAXPROCS", procs)])
}

fn ok(r: &Runner, args: &[&str], procs: &str) -> Output {
    let out = run(r, args, procs);
    assert_eq!(
        out.code(),
        Some(0),
        "{} {args:?} GOMAXPROCS={procs}\n{}",
        r.label(),
        out.describe()
    );
    assert_eq!(out.stderr_str(), "", "{}", out.describe());
    out
}

/// Runs lockos_basic `mode N` at GOMAXPROCS 1 and 4 on every runner and
/// wants all N rounds counted under `key`, never a round on another
/// thread, never another goroutine on a locked thread.
fn stays_on_its_thread(mode: &str, key: &str, native_n: &str, qemu_n: &str) {
    for r in runners() {
        let n = if r.is_qemu() { qemu_n } else { native_n };
        for procs in ["1", "4"] {
            let out = ok(&r, &[mode, n], procs);
            assert_eq!(
                num(&out, key),
                n.parse::<u64>().unwrap(),
                "{}",
                out.describe()
            );
            assert_eq!(num(&out, "moved"), 0, "{}", out.describe());
            assert_eq!(num(&out, "intruders"), 0, "{}", out.describe());
        }
    }
}

#[test]
fn locked_goroutines_stay_on_their_thread_and_alone() {
    stays_on_its_thread("stay", "rounds", "5000", "1000");
}

#[test]
fn blocking_calls_keep_the_locked_goroutine_on_its_thread() {
    stays_on_its_thread("syscall", "calls", "2000", "300");
}

#[test]
fn exiting_locked_ends_the_thread() {
    /// Locked goroutines that exit, per run.
    const EXITS: u64 = 24;
    for r in runners() {
        for procs in ["1", "4"] {
            let out = ok(&r, &["exit", &EXITS.to_string()], procs);
            let f = stdout_fields(&out);
            assert_eq!(num(&out, "exited"), EXITS, "{}", out.describe());
            assert_eq!(num(&out, "gone"), EXITS, "{}", out.describe());
            // The main goroutine is locked to m0: no other goroutine ran there.
            assert_eq!(num(&out, "on_main"), 0, "{}", out.describe());
            assert_eq!(f["main_stayed"], "true", "{}", out.describe());
            let (before, after) = (num(&out, "threads_before"), num(&out, "threads_after"));
            // Each exit ends a thread (`gone` above, exact). The count is
            // a leak check: a leak leaves a thread per exit (+EXITS). The
            // count may legitimately grow by a few: an exiting M hands its
            // P to another M (`startm` creates one when none is idle), and
            // on a loaded machine sysmon retakes the P of a slow system
            // call (reading /proc/self/task) for a new M; those stay idle
            // in the pool, a handful at most whatever EXITS is.
            assert!(
                after < before + EXITS / 2,
                "threads {before} -> {after} after {EXITS} exits\n{}",
                out.describe()
            );
        }
    }
}

#[test]
fn nesting_needs_one_unlock_per_lock() {
    for r in runners() {
        for procs in ["1", "4"] {
            let out = ok(&r, &["nested"], procs);
            assert_eq!(
                out.stdout_str(),
                "after_one_unlock=true\nmoved=0\nafter_two_unlocks=false\n\
                 after_extra_unlock=false\nrelocked=true\n",
                "{}",
                out.describe()
            );
        }
    }
}

#[test]
fn parked_locked_goroutines_are_still_a_deadlock() {
    let src = Source::new("tests/programs/lockos_basic.rs");
    let other_recv = src.line_after("fn deadlock(", "never.recv()");
    let main_recv = src.next_line(other_recv, "never.recv()");
    for r in runners() {
        for procs in ["1", "4"] {
            for (mode, reasons) in [
                ("deadlock_main", &["chan receive"][..]),
                ("deadlock_both", &["chan receive", "chan receive"][..]),
            ] {
                let out = run(&r, &[mode], procs);
                let ctx = format!("{mode}\n{}", out.describe());
                assert_eq!(out.code(), Some(2), "{ctx}");
                assert_eq!(out.stdout_str(), "", "{ctx}");
                // Each at its receive in `deadlock` (tests/common/expect.rs).
                let rep = expect::assert_deadlock(
                    &out.stderr_str(),
                    "lockos_basic",
                    &src,
                    "lockos_basic::deadlock",
                    reasons,
                    &ctx,
                );
                let f = expect::user_frames(&rep.goroutines[0], "lockos_basic")[0];
                expect::assert_frame(f, "lockos_basic::deadlock", &src, main_recv, &ctx);
                if let Some(g) = rep.goroutines.get(1) {
                    let f = expect::user_frames(g, "lockos_basic")[0];
                    let closure = "lockos_basic::deadlock::{closure#0}";
                    expect::assert_frame(f, closure, &src, other_recv, &ctx);
                }
            }
        }
    }
}

#[test]
fn a_locked_goroutine_waiting_on_a_timer_or_io_is_no_deadlock() {
    for r in runners() {
        for procs in ["1", "4"] {
            let out = ok(&r, &["timer"], procs);
            assert_eq!(
                out.stdout_str(),
                "slept_enough=true\n",
                "{}",
                out.describe()
            );
            let out = ok(&r, &["io"], procs);
            assert_eq!(out.stdout_str(), "read=3\n", "{}", out.describe());
        }
    }
}

#[test]
fn the_locked_main_goroutine_exiting_wedges_m0() {
    for r in runners() {
        for procs in ["1", "4"] {
            let out = ok(&r, &["main_goexit"], procs);
            assert_eq!(
                out.stdout_str(),
                "m0_state=S\nstill_running=true\n",
                "{}",
                out.describe()
            );
            let out = run(&r, &["main_goexit_alone"], procs);
            assert_eq!(out.code(), Some(2), "{}", out.describe());
            assert_eq!(
                out.stderr_str(),
                "fatal error: no goroutines (main called runtime.Goexit) - deadlock!\n",
                "{}",
                out.describe()
            );
        }
    }
}
