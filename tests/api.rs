//! The API frictions of issue 13, each gone, shown by real programs run
//! natively and under qemu-x86_64:
//!
//! - `api_errors`: the channel errors are `Debug` for every `T` (the
//!   program's payload has no `Debug`: it would not compile otherwise),
//!   with std's `Display` texts and `core::error::Error`.
//! - `api_scope`: `runtime::scope`'s goroutines borrow the caller's
//!   locals, and every one of them, nested spawns included, has finished
//!   when `scope` returns (also after an early return, and on `goexit`
//!   inside the scope or inside one of its goroutines): exact counts at
//!   GOMAXPROCS 1, 2 and 4.
//! - `api_counts`: counts are `usize` (`gomaxprocs`, `num_cpu`,
//!   `num_goroutine`), `WaitGroup::add` takes an `isize`, negative deltas
//!   work and going below zero is Go's panic.
//! - `api_timers`: `Timer::stop`/`reset` return Go's answers,
//!   `Timer::chan` works in `select!` against a timeout, `after_func`
//!   runs its function once per arming in its own goroutine, never after
//!   a `stop` that returned true; its `chan()` is never ready (Go's nil
//!   `C`).
//! - `api_hash`: a `hashbrown` map keyed by `rt0::hash::RandomState`,
//!   and `libm`, in a freestanding program; the keys differ per process.

mod common;

use common::expect::{self, Source};
use common::{example, native_and_one_qemu, run_ok, run_program};

/// Runs `f` natively and under one qemu model at GOMAXPROCS 1, 2 and 4.
fn each_procs(f: impl Fn(&common::Runner, &str)) {
    for r in native_and_one_qemu() {
        for procs in ["1", "2", "4"] {
            f(&r, procs);
        }
    }
}

/// Runs example `name` with `args` at `procs`: status 0, stderr empty,
/// stdout exactly `want`.
fn expect_stdout(r: &common::Runner, name: &str, args: &[&str], procs: &str, want: &str) {
    let out = run_ok(r, name, args, procs);
    assert_eq!(
        out.stdout_str(),
        want,
        "{name} {args:?} GOMAXPROCS={procs}\n{}",
        out.describe()
    );
}

#[test]
fn channel_errors_are_std_shaped() {
    let want = "\
unwrap ok value=2
try_send_full debug=Full(..) display=sending on a full channel dyn=sending on a full channel source=true
try_recv_empty debug=Empty display=receiving on an empty channel dyn=receiving on an empty channel source=true
send_closed value_back=5
send_closed debug=SendError { .. } display=sending on a closed channel dyn=sending on a closed channel source=true
try_send_closed value_back=6
try_send_closed debug=Closed(..) display=sending on a closed channel dyn=sending on a closed channel source=true
recv_closed debug=RecvError display=receiving on a closed channel dyn=receiving on a closed channel source=true
try_recv_closed debug=Closed display=receiving on a closed channel dyn=receiving on a closed channel source=true
from_send_error=Closed(..)
from_recv_error=Closed
boxed=sending on a closed channel debug=SendError { .. }
";
    for r in native_and_one_qemu() {
        let out = run_program(&r, &example("api_errors"), &[], &[]);
        assert_eq!(out.code(), Some(0), "{}", out.describe());
        assert_eq!(out.stdout_str(), want, "{}", out.describe());
        assert_eq!(out.stderr_str(), "", "{}", out.describe());
    }
}

#[test]
fn unwrap_of_a_closed_send_panics_with_the_debug_text() {
    for r in native_and_one_qemu() {
        let out = run_program(&r, &example("api_errors"), &["unwrap_closed"], &[]);
        let ctx = out.describe();
        assert_eq!(out.code(), Some(2), "{ctx}");
        assert_eq!(out.stdout_str(), "", "{ctx}");
        let rep = expect::one_report(&out);
        assert_eq!(
            rep.head,
            ["panic: called `Result::unwrap()` on an `Err` value: SendError { .. }"],
            "{ctx}"
        );
    }
}

#[test]
fn scope_borrows_and_waits_for_every_goroutine() {
    each_procs(|r, procs| {
        let scope = |args: &[&str], want: &str| expect_stdout(r, "api_scope", args, procs, want);
        scope(
            &["sum", "1000000", "8"],
            "sum n=1000000 goroutines=8 total=500000500000 want=500000500000\n",
        );
        scope(
            &["sum", "1000", "7"],
            "sum n=1000 goroutines=7 total=500500 want=500500\n",
        );
        scope(
            &["borrowed"],
            "borrowed pushed_at_wait=64 pushed=64 distinct=true counter=128000 want=128000\n",
        );
        scope(
            &["nested", "3", "4"],
            "nested started=84 finished=84 want=84 finished_when_closure_returned_lt_want=true\n",
        );
        scope(&["early"], "early spawned=5 finished=5\n");
    });
}

#[test]
fn scope_waits_on_goexit() {
    each_procs(|r, procs| {
        // 6 alive while the scope's goroutine is parked in its wait: main,
        // that goroutine, its 4 children.
        expect_stdout(
            r,
            "api_scope",
            &["goexit_inside"],
            procs,
            "goexit_inside alive_while_waiting=6 counts=[1, 2, 3, 4] goroutines_after=1\n",
        );
        expect_stdout(
            r,
            "api_scope",
            &["goexit_child"],
            procs,
            "goexit_child before=32 after=16\n",
        );
    });
}

#[test]
fn counts_are_usize_and_deltas_isize() {
    let ncpu = common::affinity_cpus().len();
    each_procs(|r, procs| {
        // 8 goroutines parked in a scope, main, nothing else.
        expect_stdout(
            r,
            "api_counts",
            &[],
            procs,
            &format!("per_p={procs} per_cpu={ncpu} before=1 during=9 wg_drained=6\n"),
        );
    });
    for r in native_and_one_qemu() {
        for (mode, msg) in [
            ("wg_negative", "sync: negative WaitGroup counter"),
            ("wg_range", "sync: WaitGroup delta out of range"),
        ] {
            let out = run_program(&r, &example("api_counts"), &[mode], &[]);
            let ctx = out.describe();
            assert_eq!(out.code(), Some(2), "{ctx}");
            assert_eq!(out.stdout_str(), "", "{ctx}");
            assert_eq!(
                expect::one_report(&out).head,
                [format!("panic: {msg}")],
                "{ctx}"
            );
        }
    }
}

#[test]
fn timers_answer_as_go() {
    each_procs(|r, procs| {
        let timers = |mode: &str, want: &str| expect_stdout(r, "api_timers", &[mode], procs, want);
        timers(
            "stop",
            "stop pending=true again=false nothing_sent=true fired=false value=true\n",
        );
        timers(
            "reset",
            "reset active=true not_early=true fired=false again_not_early=true stop=true \
             stopped=false fires=true\n",
        );
        timers(
            "select",
            "select timer_first=timer timeout_first=timeout then_stop=true func_chan=timeout \
             func_stop=true fired_func_chan=timeout empty=true\n",
        );
    });
}

#[test]
fn after_func_runs_once_per_arming_unless_stopped() {
    each_procs(|r, procs| {
        let timers = |mode: &str, want: &str| expect_stdout(r, "api_timers", &[mode], procs, want);
        timers("func_stop", "func_stop stopped=true runs=0 again=false\n");
        timers(
            "func_once",
            "func_once first=1 not_early=true runs=1 stop=false other_timer_fired=true \
             while_blocked=true\n",
        );
        timers(
            "func_reset",
            "func_reset active=true first=1 not_early=true fired=false second=2 runs=2 \
             dropped_ran=1 dropped_runs=1\n",
        );
    });
}

#[test]
fn a_panic_in_an_after_func_names_its_goroutine_and_creator() {
    let src = Source::new("tests/programs/api_timers.rs");
    let line = src.line("panic!(\"panic in an after_func\")");
    for r in native_and_one_qemu() {
        let out = run_program(&r, &example("api_timers"), &["func_panic"], &[]);
        let ctx = out.describe();
        assert_eq!(out.code(), Some(2), "{ctx}");
        let rep = expect::one_report(&out);
        assert_eq!(rep.head, ["panic: panic in an after_func"], "{ctx}");
        let g = expect::only_goroutine(&rep, &ctx);
        assert_eq!(g.state, "running", "{ctx}");
        expect::assert_frame(
            expect::first_frame(g, &ctx),
            "api_timers::main::{closure}",
            &src,
            line,
            &ctx,
        );
        // The goroutine after_func's timer started: created where main
        // called after_func.
        expect::assert_created_by(g, "api_timers::main", 1, &src, line, &ctx);
    }
}

#[test]
fn hashbrown_with_random_state_and_libm_freestanding() {
    let want_prefix = "\
map len=100000 sum=5000000000 want=5000000000
words [(\"brown\", 1), (\"dog\", 1), (\"fox\", 2), (\"jumps\", 1), (\"lazy\", 1), (\"over\", 1), (\"quick\", 1), (\"the\", 3)]
distinct=8
clone_same=true new_differs=true probe=";
    let want_math = "sqrt2=1.4142135623730951 cbrt27=3 pow2_10=1024 hypot34=5 sqrt_neg_nan=true\n";
    for r in native_and_one_qemu() {
        let mut probes = Vec::new();
        for _ in 0..2 {
            let out = run_ok(&r, "api_hash", &[], "2");
            let s = out.stdout_str();
            let ctx = out.describe();
            let rest = s
                .strip_prefix(want_prefix)
                .unwrap_or_else(|| panic!("stdout differs before probe=\n{ctx}"));
            let (probe, math) = rest.split_once('\n').unwrap();
            assert_eq!(math, want_math, "{ctx}");
            assert_eq!(probe.len(), 16, "{ctx}");
            assert!(u64::from_str_radix(probe, 16).is_ok(), "{ctx}");
            probes.push(probe.to_string());
        }
        // New keys in every process (AT_RANDOM), as std's from the OS.
        assert_ne!(probes[0], probes[1], "[{}] the same keys twice", r.label());
    }
}
