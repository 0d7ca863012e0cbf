//! The scheduler's failure modes end as Go's do, with exact lines and exit
//! status 2, natively and under qemu-x86_64: deadlock (with each
//! goroutine's header and wait reason), a panic in a non-main goroutine,
//! a stack overflow in a goroutine (its guard page), a nil dereference,
//! Goexit from main, a negative WaitGroup counter; and channels/timers end
//! in a deadlock report only when nothing can wake anyone.

mod common;

use std::os::unix::process::ExitStatusExt;

use common::{Output, example, native_and_one_qemu, run_program};

fn crash(runner: &common::Runner, what: &str) -> Output {
    run_program(runner, &example("crash"), &[what], &[("GOMAXPROCS", "2")])
}

fn fatal(out: &Output) -> String {
    let ctx = out.describe();
    assert_eq!(out.status.signal(), None, "killed by a signal\n{ctx}");
    assert_eq!(out.code(), Some(2), "{ctx}");
    out.stderr_str().to_string()
}

#[test]
fn deadlock_lists_every_goroutine_with_its_reason() {
    for r in native_and_one_qemu() {
        let out = crash(&r, "deadlock");
        let err = fatal(&out);
        assert_eq!(
            err,
            "fatal error: all goroutines are asleep - deadlock!\n\n\
             goroutine 1 [sync.WaitGroup.Wait]:\n\n\
             goroutine 2 [sync.Mutex.Lock]:\n",
            "{}",
            out.describe()
        );
    }
}

#[test]
fn panic_in_goroutine_names_it() {
    for r in native_and_one_qemu() {
        let out = crash(&r, "panic");
        let err = fatal(&out);
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(
            lines[0],
            "panic: index out of bounds: the len is 0 but the index is 3",
            "{}",
            out.describe()
        );
        assert_eq!(lines[1], "");
        assert_eq!(lines[2], "goroutine 2 [running]:");
        assert!(
            lines[3].starts_with("\texamples/crash.rs:"),
            "{}",
            out.describe()
        );
    }
}

#[test]
fn stack_overflow_in_goroutine() {
    for r in native_and_one_qemu() {
        let out = crash(&r, "overflow");
        let err = fatal(&out);
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(
            lines[0],
            "runtime: goroutine stack exceeds 65536-byte limit",
            "{}",
            out.describe()
        );
        assert!(
            lines[1].starts_with("runtime: sp=0x") && lines[1].contains(" stack=[0x"),
            "{}",
            out.describe()
        );
        assert_eq!(
            &lines[2..],
            ["fatal error: stack overflow", "", "goroutine 2 [running]:"]
        );
    }
}

#[test]
fn nil_dereference_is_go_panic() {
    for r in native_and_one_qemu() {
        let out = crash(&r, "nil");
        let err = fatal(&out);
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(
            lines[0],
            "panic: runtime error: invalid memory address or nil pointer dereference"
        );
        assert!(
            lines[1].starts_with("[signal SIGSEGV: segmentation violation code=")
                && lines[1].contains(" addr=0x0 pc=0x")
        );
        assert_eq!(&lines[2..], ["", "goroutine 1 [running]:"]);
    }
}

#[test]
fn goexit_from_main_runs_the_others_then_reports() {
    for r in native_and_one_qemu() {
        let out = crash(&r, "goexit");
        let err = fatal(&out);
        assert_eq!(
            out.stdout_str(),
            "other goroutine ran\n",
            "{}",
            out.describe()
        );
        assert_eq!(
            err,
            "fatal error: no goroutines (main called runtime.Goexit) - deadlock!\n"
        );
    }
}

#[test]
fn negative_waitgroup_counter_panics() {
    let out = crash(&common::Runner::Native, "wgneg");
    let err = fatal(&out);
    assert!(
        err.starts_with("panic: sync: negative WaitGroup counter\n\ngoroutine 1 [running]:\n"),
        "{err}"
    );
}

#[test]
fn smoke_checksums_exact_at_several_gomaxprocs() {
    for r in native_and_one_qemu() {
        for p in ["1", "2", "4"] {
            let out = run_program(&r, &example("sched_smoke"), &["5000"], &[("GOMAXPROCS", p)]);
            assert_eq!(out.code(), Some(0), "{}", out.describe());
            // goroutines_left is racy by nature (a goroutine that called
            // done may not have exited yet), as NumGoroutine is in Go.
            assert!(
                out.stdout_str().starts_with(
                    "sum=124975000 want=124975000 nested=5000 once=1 goroutines_left="
                ),
                "{}",
                out.describe()
            );
        }
    }
}

#[test]
fn channels_select_and_timers() {
    for r in native_and_one_qemu() {
        for p in ["1", "2"] {
            let out = run_program(&r, &example("chan_smoke"), &[], &[("GOMAXPROCS", p)]);
            assert_eq!(out.code(), Some(0), "{}", out.describe());
            let s = out.stdout_str();
            for want in [
                "mpmc cap=0 n=80000 sum_ok=true",
                "mpmc cap=10 n=80000 sum_ok=true",
                "send after close: Err(SendError(9))",
                "recv buffered after close: Ok(1), then Err(RecvError), try: Err(Closed)",
                "parked senders told of close: true",
                "timeout after >=30ms: true",
                "default taken",
                "early wakeups: 0",
                "5 ticks of 10ms took >=50ms: true",
            ] {
                assert!(
                    s.lines().any(|l| l == want),
                    "missing {want:?}\n{}",
                    out.describe()
                );
            }
            // Fairness: 1000 trials over two ready channels; each side's
            // count is Binomial(1000, 1/2): 400..600 is beyond 6 sigma.
            let line = s
                .lines()
                .find(|l| l.starts_with("select fairness"))
                .unwrap();
            let f = common::fields(line);
            let (a, b): (u32, u32) = (f["a"].parse().unwrap(), f["b"].parse().unwrap());
            assert_eq!(a + b, 1000);
            assert!((400..=600).contains(&a), "unfair select: {line}");
        }
    }
}

#[test]
fn million_goroutines_parked_at_once() {
    let out = run_program(
        &common::Runner::Native,
        &example("bench_park"),
        &["1000000"],
        &[("GOMAXPROCS", "2")],
    );
    assert_eq!(out.code(), Some(0), "{}", out.describe());
    // bench_park releases its gate only after every goroutine has started
    // and blocked on it, so finishing means a million were parked at once.
    assert!(
        out.stdout_str().trim_end().ends_with("ns/op"),
        "{}",
        out.describe()
    );
}

#[test]
fn schedtrace_prints_go_lines() {
    let out = run_program(
        &common::Runner::Native,
        &example("bench_parallel"),
        &["300000000"],
        &[
            ("GOMAXPROCS", "2"),
            ("GODEBUG", "schedtrace=50,scheddetail=1"),
        ],
    );
    assert_eq!(out.code(), Some(0), "{}", out.describe());
    let err = out.stderr_str();
    let sched: Vec<&str> = err.lines().filter(|l| l.starts_with("SCHED ")).collect();
    assert!(sched.len() >= 2, "{}", out.describe());
    for l in &sched {
        let f = common::fields(l);
        assert_eq!(f["gomaxprocs"], "2", "{l}");
        for k in [
            "idleprocs",
            "threads",
            "spinningthreads",
            "idlethreads",
            "runqueue",
        ] {
            assert!(f[k].parse::<i64>().is_ok(), "{k} in {l}");
        }
    }
    for prefix in [
        "  P0: status=",
        "  P1: status=",
        "  M0: p=",
        "  G1: status=",
    ] {
        assert!(
            err.lines().any(|l| l.starts_with(prefix)),
            "no {prefix:?}\n{err}"
        );
    }
}
