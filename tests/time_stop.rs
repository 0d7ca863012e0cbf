//! Stopped timers (tests/programs/time_stop.rs), natively and under qemu-x86_64:
//!
//! - a program whose only other "work" is a stopped (or dropped, or reset
//!   then stopped) one-hour Ticker or Timer reports Go's deadlock at once:
//!   every goroutine in its receive, exit status 2, within [`PROMPT`] (Go 1.19 on this
//!   machine prints the same report in ~5 ms for `dl_ticker`). Also when
//!   the stop comes from another goroutine while an M sleeps until the
//!   hour's tick (`dl_cross`; Go 1.19 hangs there at GOMAXPROCS >= 2).
//! - a million stopped one-hour tickers leave no timer in any heap and
//!   keep the peak RSS under [`RSS_BOUND_KB`] (before: ~235 MB, every
//!   stopped ticker stayed in its heap for the hour; rt0 now: ~0.5 MB
//!   natively, ~15 MB under qemu, which is qemu's own; Go 1.19: 6.7 MB).
//! - stop racing fire, reset racing stop (and reset after stop), stop and
//!   drop of tickers from another P: the exact number of values arrives,
//!   none late, no timer left in a heap. Each race runs [`race_runs`]
//!   times (env `TIME_STOP_RUNS`, default 2) at GOMAXPROCS 1, 2, 4, 8.

mod common;

use std::time::{Duration, Instant};

use common::expect::{self, Source};
use common::{Output, Runner, example, native_and_one_qemu, run_program};

const SOURCE: &str = "tests/programs/time_stop.rs";
/// A deadlock report must come within this, process start and exit
/// included. Measured over 20 runs x GOMAXPROCS 1, 2, 4, 8 per mode:
/// at most 0.17 s natively and 0.35 s under qemu (`dl_cross` spins
/// 0.1 s); the bound leaves room for a machine loaded by parallel test
/// runs, and is still a thousandth of the hour a stopped ticker used to
/// hold the report back.
const PROMPT: Duration = Duration::from_secs(3);
/// Peak RSS bound for `mem 1000000`: a stopped ticker's memory is freed at
/// once, so the peak is the runtime's own plus qemu's (~15 MB under
/// qemu); a leak of even 60 bytes per ticker would cross it.
const RSS_BOUND_KB: u64 = 60_000;
/// Tickers in the memory test.
const MEM_TICKERS: &str = "1000000";

/// Runs a mode; returns the output and the wall time of the process (the
/// example is built, on first use, before the clock starts).
fn run(r: &Runner, args: &[&str], procs: &str) -> (Output, Duration) {
    let program = example("time_stop");
    let t0 = Instant::now();
    let out = run_program(r, &program, args, &[("GOMAXPROCS", procs)]);
    (out, t0.elapsed())
}

fn race_runs() -> usize {
    std::env::var("TIME_STOP_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2)
}

/// The deadlock report (tests/common/expect.rs): `goroutines` goroutines
/// in a channel receive, each in `block_forever`'s receive.
fn assert_prompt_deadlock(mode: &str, stdout: &str, goroutines: usize) {
    let src = Source::new(SOURCE);
    let recv = src.line_after("fn block_forever()", "c.recv()");
    let reasons = vec!["chan receive"; goroutines];
    for r in native_and_one_qemu() {
        for procs in ["1", "2", "4"] {
            let (out, took) = run(&r, &[mode], procs);
            let ctx = format!(
                "{mode} GOMAXPROCS={procs} took {took:?}\n{}",
                out.describe()
            );
            assert_eq!(out.code(), Some(2), "{ctx}");
            assert_eq!(out.stdout_str(), stdout, "{ctx}");
            let err = out.stderr_str();
            let main = "time_stop::main";
            let r = expect::assert_deadlock(&err, "time_stop", &src, main, &reasons, &ctx);
            for g in &r.goroutines {
                let f = expect::user_frames(g, "time_stop")[0];
                expect::assert_frame(f, "time_stop::block_forever", &src, recv, &ctx);
            }
            assert!(took < PROMPT, "deadlock reported late: {ctx}");
        }
    }
}

#[test]
fn stopped_ticker_does_not_hold_off_deadlock() {
    assert_prompt_deadlock("dl_ticker", "ticker stopped\n", 1);
}

#[test]
fn stopped_timer_does_not_hold_off_deadlock() {
    assert_prompt_deadlock("dl_timer", "stopped=true\n", 1);
    assert_prompt_deadlock("dl_reset_stop", "reset=true stopped=true\n", 1);
}

#[test]
fn dropped_ticker_does_not_hold_off_deadlock() {
    assert_prompt_deadlock("dl_drop", "ticker dropped\n", 1);
}

#[test]
fn ticker_stopped_from_another_m_wakes_the_timer_sleeper() {
    assert_prompt_deadlock("dl_cross", "ticker stopped\n", 2);
}

#[test]
fn stop_and_reset_contract() {
    for r in native_and_one_qemu() {
        for procs in ["1", "2"] {
            let (out, _) = run(&r, &["semantics"], procs);
            assert_eq!(out.code(), Some(0), "{}", out.describe());
            assert_eq!(
                out.stdout_str(),
                "semantics stop_fired=false value=true reset_fired=false again=true \
                 reset_pending=true stop_pending=true stop_twice=false none=true \
                 ticker_reset=true heap=0\n",
                "{}",
                out.describe()
            );
        }
    }
}

#[test]
fn million_stopped_tickers_free_their_memory() {
    for r in native_and_one_qemu() {
        for (procs, cross) in [("1", ""), ("2", ""), ("2", "cross"), ("4", "cross")] {
            let (out, _) = run(&r, &["mem", MEM_TICKERS, cross], procs);
            let ctx = format!("GOMAXPROCS={procs} {cross}\n{}", out.describe());
            assert_eq!(out.code(), Some(0), "{ctx}");
            assert_eq!(out.stderr_str(), "", "{ctx}");
            let f = common::stdout_fields(&out);
            assert_eq!(f["n"], MEM_TICKERS, "{ctx}");
            assert_eq!(f["heap"], "0", "stopped timers left in a heap: {ctx}");
            let rss: u64 = f["rss_kb"].parse().unwrap();
            assert!(rss > 0, "no VmHWM read: {ctx}");
            assert!(rss < RSS_BOUND_KB, "peak RSS {rss} kB: {ctx}");
        }
    }
}

/// Runs race `mode` with argument `arg`, expecting `n` items checked.
fn assert_race(mode: &str, arg: &str, n: &str) {
    for r in native_and_one_qemu() {
        for procs in ["1", "2", "4", "8"] {
            for run_i in 0..race_runs() {
                let (out, _) = run(&r, &[mode, arg], procs);
                let ctx = format!("{mode} GOMAXPROCS={procs} run {run_i}\n{}", out.describe());
                assert_eq!(out.code(), Some(0), "{ctx}");
                assert_eq!(out.stderr_str(), "", "{ctx}");
                let f = common::stdout_fields(&out);
                assert!(out.stdout_str().starts_with(&format!("{mode} ")), "{ctx}");
                assert_eq!(f["n"], n, "{ctx}");
                assert_eq!(
                    (
                        f["mismatch"].as_str(),
                        f["late"].as_str(),
                        f["heap"].as_str()
                    ),
                    ("0", "0", "0"),
                    "{ctx}"
                );
            }
        }
    }
}

#[test]
fn stop_racing_fire() {
    assert_race("race_fire", "2000", "2000");
}

#[test]
fn reset_racing_stop() {
    assert_race("race_reset", "2000", "2000");
}

#[test]
fn concurrent_resets_and_stop() {
    // 8 shared timers, 20,000 operations per goroutine.
    assert_race("race_resets", "20000", "8");
}

#[test]
fn ticker_stop_and_drop_from_another_p() {
    assert_race("race_ticker", "400", "400");
}
