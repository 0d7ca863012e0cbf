//! Nested spawning and the goroutine-parking sync primitives under
//! contention, with exact checksums: `sched_smoke` (nested `go`, Mutex,
//! Once, WaitGroup) at GOMAXPROCS 1, 2 and 4; a Mutex counter hammered by
//! many goroutines that yield inside and outside the critical section (a
//! lost update or two holders at once shows in the count or as `torn`);
//! Once with a thousand concurrent callers, whose f yields while others
//! arrive: f runs once and every caller sees its effect on return.
//! Natively and under qemu-x86_64 (smaller sizes there: emulation is
//! slow, and the property does not depend on the size).

mod common;

use common::{native_and_one_qemu, num, run_ok};

#[test]
fn smoke_checksums_at_1_2_4_procs() {
    for runner in native_and_one_qemu() {
        let n: u64 = if runner.is_qemu() { 2000 } else { 20_000 };
        for procs in ["1", "2", "4"] {
            let out = run_ok(&runner, "sched_smoke", &[&n.to_string()], procs);
            let want = 10 * n * (n - 1) / 2;
            assert_eq!(
                num(&out, "sum"),
                want,
                "GOMAXPROCS={procs}\n{}",
                out.describe()
            );
            assert_eq!(num(&out, "want"), want, "{}", out.describe());
            assert_eq!(num(&out, "nested"), n, "{}", out.describe());
            assert_eq!(num(&out, "once"), 1, "{}", out.describe());
            // Right after wg.wait() a goroutine that called done() may still
            // be on its way out on another P (as in Go): at most one per
            // other P. With one P it has finished before main runs again.
            let left = num(&out, "goroutines_left");
            let max: u64 = procs.parse().unwrap();
            assert!(
                (1..=max).contains(&left),
                "GOMAXPROCS={procs}: {left} goroutines left\n{}",
                out.describe()
            );
        }
    }
}

#[test]
fn mutex_counter_is_exact() {
    for runner in native_and_one_qemu() {
        let (g, iters) = if runner.is_qemu() {
            (50, 200)
        } else {
            (200, 1000)
        };
        for procs in ["1", "2", "4"] {
            let out = run_ok(
                &runner,
                "sched_sync",
                &["mutex", &g.to_string(), &iters.to_string()],
                procs,
            );
            assert_eq!(
                out.stdout_str(),
                format!("count={0} want={0} torn=0\n", g * iters),
                "GOMAXPROCS={procs}\n{}",
                out.describe()
            );
        }
    }
}

#[test]
fn once_runs_f_exactly_once_for_concurrent_callers() {
    for runner in native_and_one_qemu() {
        for procs in ["1", "2", "4"] {
            let out = run_ok(&runner, "sched_sync", &["once", "1000"], procs);
            assert_eq!(
                num(&out, "runs"),
                1,
                "GOMAXPROCS={procs}\n{}",
                out.describe()
            );
            assert_eq!(num(&out, "callers"), 1000, "{}", out.describe());
            assert_eq!(
                num(&out, "saw"),
                1000,
                "a caller returned before f's effect was visible\n{}",
                out.describe()
            );
            // f yields 20 times: others must have called while it ran, so
            // the waiting path was exercised, not only the done fast path.
            assert!(num(&out, "waited") >= 1, "{}", out.describe());
        }
    }
}
