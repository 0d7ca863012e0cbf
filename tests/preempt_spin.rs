//! Goroutines that spin without calling into the runtime do not starve the
//! others: Go's TestPreemption / TestYieldProgress / TestPingPongHog
//! shapes (tests/programs/preempt_spin.rs), natively and under qemu-user,
//! and `GODEBUG=asyncpreemptoff=1` bringing the old hang back.
//!
//! Without asynchronous preemption every program here hangs; the runs are
//! killed after `preempt_util::HANG_LIMIT_*` and the test fails with
//! "no preemption: timed out". Delays are printed (`--nocapture` shows
//! them); the bounds asserted are Go's where they hold on a loaded 2-core
//! machine (the best native run of a set) and wider ones for every run.

mod common;
mod preempt_util;

use std::time::Duration;

use common::expect::{self, Source};
use common::{Runner, example, native_and_one_qemu, num};
use preempt_util::{Run, run_limited, run_ok, run_ok_env, serial};

/// How long main sleeps, and Go's bound on how late it may wake beside a
/// hog (TestPreemption's shape on a quiet machine: 100 + 30 ms).
const SLEEP_MS: u64 = 100;
const GO_LATE_MS: u64 = 30;
/// Wider bounds for every single run: a loaded machine natively, qemu.
const LATE_MS_NATIVE: u64 = 300;
const LATE_MS_QEMU: u64 = 1_500;

fn late_bound_ms(r: &Runner) -> u64 {
    if r.is_qemu() {
        LATE_MS_QEMU
    } else {
        LATE_MS_NATIVE
    }
}

/// GOMAXPROCS values with a hog on every P.
const PROCS: [u64; 3] = [1, 2, 4];

#[test]
fn hogs_on_every_p_do_not_stop_a_sleeping_main() {
    let _s = serial();
    let mut best_native = u64::MAX;
    for r in native_and_one_qemu() {
        for p in PROCS {
            let ps = p.to_string();
            let out = run_ok(
                &r,
                "preempt_spin",
                &["sleep", &ps, &SLEEP_MS.to_string()],
                &ps,
            );
            let slept_ms = num(&out, "slept_us") / 1_000;
            eprintln!(
                "[{}] GOMAXPROCS={p}: main slept {slept_ms} ms beside {p} hogs",
                r.label()
            );
            assert_eq!(num(&out, "started"), p, "every hog ran\n{}", out.describe());
            assert!(slept_ms >= SLEEP_MS, "woke early\n{}", out.describe());
            assert!(
                slept_ms <= SLEEP_MS + late_bound_ms(&r),
                "main woke {} ms late beside {p} hogs\n{}",
                slept_ms - SLEEP_MS,
                out.describe()
            );
            if !r.is_qemu() {
                best_native = best_native.min(slept_ms);
            }
        }
    }
    assert!(
        best_native <= SLEEP_MS + GO_LATE_MS,
        "no native run woke within Go's {SLEEP_MS} + {GO_LATE_MS} ms: best {best_native} ms"
    );
}

#[test]
fn channel_receive_beside_a_hog() {
    let _s = serial();
    for r in native_and_one_qemu() {
        for p in [1u64, 2] {
            let ps = p.to_string();
            let out = run_ok(
                &r,
                "preempt_spin",
                &["chan", &ps, &SLEEP_MS.to_string()],
                &ps,
            );
            let waited_ms = num(&out, "waited_us") / 1_000;
            eprintln!(
                "[{}] GOMAXPROCS={p}: main received after {waited_ms} ms beside {p} hogs",
                r.label()
            );
            assert_eq!(num(&out, "value"), 7, "{}", out.describe());
            assert!(
                (SLEEP_MS..=SLEEP_MS + late_bound_ms(&r)).contains(&waited_ms),
                "{}",
                out.describe()
            );
        }
    }
}

#[test]
fn a_panic_comes_out_whole_while_every_p_spins() {
    let _s = serial();
    let src = Source::new("tests/programs/preempt_spin.rs");
    let at = src.line("panic!(\"a goroutine panics while");
    let go_line = src.line_after("\"panic\" =>", "go(move ||");
    for r in native_and_one_qemu() {
        for p in [1u64, 2] {
            let ps = p.to_string();
            let what = format!("preempt_spin panic {p} [{}]", r.label());
            let out = run_limited(
                &r,
                &example("preempt_spin"),
                &["panic", &ps],
                &[("GOMAXPROCS", &ps)],
                preempt_util::hang_limit(&r),
            )
            .exited(&what);
            let ctx = out.describe();
            assert_eq!(out.code(), Some(2), "{what}\n{ctx}");
            assert_eq!(out.stdout_str(), "", "{ctx}");
            // One whole report (tests/common/expect.rs): the panicking
            // goroutine alone, at its panic, created in main.
            let rep = expect::one_report(&out);
            assert_eq!(
                rep.head,
                [format!("panic: a goroutine panics while {p} hogs spin")],
                "{ctx}"
            );
            let g = expect::only_goroutine(&rep, &ctx);
            assert!(g.id > 1 && g.state == "running", "{ctx}");
            let first = expect::first_frame(g, &ctx);
            expect::assert_frame(first, "preempt_spin::main::{closure#0}", &src, at, &ctx);
            expect::assert_created_by(g, "preempt_spin::main", 1, &src, go_line, &ctx);
        }
    }
}

/// Go's bound on a 1 ms ticker's lateness beside CPU hogs on every P:
/// about 20 ms (one 10 ms time slice plus sysmon's tick), asserted on the
/// 99th percentile natively; the maximum gets the loaded machine's margin.
const TICK_P99_MS_NATIVE: i64 = 25;
const TICK_MAX_MS_NATIVE: i64 = 100;
const TICK_P99_MS_QEMU: i64 = 200;

#[test]
fn a_1ms_ticker_beside_hogs_is_never_far_late() {
    let _s = serial();
    for r in native_and_one_qemu() {
        let (procs, ticks): (&[u64], &str) = if r.is_qemu() {
            (&[1], "50")
        } else {
            (&[1, 2], "100")
        };
        for &p in procs {
            let ps = p.to_string();
            let out = run_ok(&r, "preempt_spin", &["ticker", &ps, ticks, "1000"], &ps);
            let (p50, p99, max) = (
                num(&out, "p50_us") as i64 / 1_000,
                num(&out, "p99_us") as i64 / 1_000,
                num(&out, "max_us") as i64 / 1_000,
            );
            eprintln!(
                "[{}] GOMAXPROCS={p}: 1 ms ticker beside {p} hogs late by p50={p50} p99={p99} max={max} ms",
                r.label()
            );
            assert_eq!(num(&out, "early"), 0, "{}", out.describe());
            if r.is_qemu() {
                assert!(p99 <= TICK_P99_MS_QEMU, "{}", out.describe());
            } else {
                assert!(p99 <= TICK_P99_MS_NATIVE, "{}", out.describe());
                assert!(max <= TICK_MAX_MS_NATIVE, "{}", out.describe());
            }
        }
    }
}

/// TestPingPongHog's bound: the hog pairs' and light pairs' counts within
/// this factor of each other.
const PINGPONG_FACTOR: u64 = 20;

#[test]
fn ping_pong_hog_is_fair() {
    let _s = serial();
    for r in native_and_one_qemu() {
        let out = run_ok(&r, "preempt_spin", &["pingpong", "100"], "1");
        let (hog, light) = (num(&out, "hog"), num(&out, "light"));
        eprintln!(
            "[{}] ping-pong hog={hog} light={light} ratio={:.2}",
            r.label(),
            hog as f64 / light.max(1) as f64
        );
        assert!(
            hog / PINGPONG_FACTOR <= light && light / PINGPONG_FACTOR <= hog,
            "want hog/light within [1/{PINGPONG_FACTOR}, {PINGPONG_FACTOR}]\n{}",
            out.describe()
        );
    }
}

/// With `asyncpreemptoff=1` the hog keeps its P again: main must not have
/// woken (the program not ended) this long after its 100 ms sleep began.
const KNOB_WAIT_NATIVE: Duration = Duration::from_millis(1_000);
const KNOB_WAIT_QEMU: Duration = Duration::from_millis(3_000);

#[test]
fn asyncpreemptoff_brings_the_hang_back() {
    let _s = serial();
    for r in native_and_one_qemu() {
        let wait = if r.is_qemu() {
            KNOB_WAIT_QEMU
        } else {
            KNOB_WAIT_NATIVE
        };
        let env = [("GOMAXPROCS", "1"), ("GODEBUG", "asyncpreemptoff=1")];
        match run_limited(&r, &example("preempt_spin"), &["sleep", "1"], &env, wait) {
            Run::TimedOut { .. } => {}
            Run::Exited(out) => panic!(
                "GODEBUG=asyncpreemptoff=1 did not keep the hog on its P: the program ended\n{}",
                out.describe()
            ),
        }
        // The same knob off (=0) preempts as usual.
        let env = [("GOMAXPROCS", "1"), ("GODEBUG", "asyncpreemptoff=0")];
        let out = run_ok_env(&r, "preempt_spin", &["sleep", "1"], &env);
        assert_eq!(num(&out, "started"), 1, "{}", out.describe());
    }
}
