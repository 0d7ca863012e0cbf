//! Deadlock detection with channels and timers (tests/programs/chan_deadlock.rs),
//! natively and under qemu-x86_64, at GOMAXPROCS 1 and 2: the report
//! (`fatal error: all goroutines are asleep - deadlock!`, then a section
//! `goroutine N [reason]:` per live goroutine, in creation order, each
//! with its frames in the program: tests/common/expect.rs), exit status 2
//! and the program's output before it.
//!
//! Timers decide whether a program is deadlocked: a goroutine asleep in
//! `sleep` (or an `after` timer not yet fired) can still wake someone, so
//! the report must wait for it, and a stopped ticker must not hold it off
//! forever. Because the runtime reports only once no timer is pending, a
//! `[sleep]` header can never appear in a report; the `sleeper_*` cases
//! instead check that the sleeper is seen parked as `[sleep]` (the reason
//! such a report would print), that the report comes no earlier than the
//! sleep ends, and then the report.

mod common;

use std::time::{Duration, Instant};

use common::expect::{self, Source};
use common::{Output, Runner, each_config, example, run_program};

const SOURCE: &str = "tests/programs/chan_deadlock.rs";

/// Runs a mode; returns the output and the wall time of the whole process.
fn run(r: &Runner, args: &[&str], procs: &str) -> (Output, Duration) {
    // Build (or find) the program before the clock starts: the bound is
    // on the run, not on cargo.
    let program = example("chan_deadlock");
    let t0 = Instant::now();
    let out = run_program(r, &program, args, &[("GOMAXPROCS", procs)]);
    (out, t0.elapsed())
}

/// A frame whose pc has line 0 in the line table (rustc gives it to a
/// call merged from several places, as main's `Chan::recv` here: DWARF's
/// "no line") prints as `\t0xPC +0xOFF`, which `expect` accepts.
fn assert_deadlock(out: &Output, stdout: &str, reasons: &[&str]) {
    let ctx = out.describe();
    assert_eq!(out.code(), Some(2), "{ctx}");
    assert_eq!(out.stdout_str(), stdout, "{ctx}");
    let src = Source::new(SOURCE);
    let err = out.stderr_str();
    let main = "chan_deadlock::main";
    expect::assert_deadlock(&err, "chan_deadlock", &src, main, reasons, &ctx);
}

#[test]
fn blocked_forever_in_one_channel_operation() {
    each_config(|r, procs| {
        for (mode, reason) in [
            ("recv", "chan receive"),
            ("send", "chan send"),
            ("select", "select"),
        ] {
            let (out, _) = run(r, &[mode], procs);
            assert_deadlock(&out, "", &[reason]);
        }
    });
}

#[test]
fn every_blocked_goroutine_is_listed_with_its_reason() {
    each_config(|r, procs| {
        let (out, _) = run(r, &["mixed"], procs);
        assert_deadlock(
            &out,
            "all parked\n",
            &[
                "chan receive",
                "chan receive",
                "chan send",
                "select",
                "select (no cases)",
                "chan receive",
            ],
        );
    });
}

#[test]
fn sleeping_goroutines_are_not_deadlocked() {
    each_config(|r, procs| {
        let (out, took) = run(r, &["sleepers"], procs);
        out.assert_success();
        assert_eq!(
            out.stdout_str(),
            "sleepers done, took_150ms=true\nmain returned\n",
            "{}",
            out.describe()
        );
        assert_eq!(out.stderr_str(), "", "{}", out.describe());
        assert!(took >= Duration::from_millis(150), "{took:?}");
    });
}

#[test]
fn deadlock_reported_only_after_the_sleeper_wakes() {
    each_config(|r, procs| {
        // The sleeper wakes, then blocks too: both channel waits listed.
        let (out, took) = run(r, &["sleeper_then_block"], procs);
        assert_deadlock(
            &out,
            "sleeper parked as [sleep]: 1\nsleeper woke\n",
            &["chan send", "chan receive"],
        );
        assert!(
            took >= Duration::from_millis(100),
            "reported early: {took:?}"
        );
        // The sleeper wakes and exits: only main is left.
        let (out, took) = run(r, &["sleeper_exits"], procs);
        assert_deadlock(
            &out,
            "sleeper parked as [sleep]: 1\nsleeper woke\n",
            &["chan receive"],
        );
        assert!(
            took >= Duration::from_millis(100),
            "reported early: {took:?}"
        );
    });
}

#[test]
fn many_sleepers_then_all_blocked() {
    each_config(|r, procs| {
        // 100 goroutines whose timers fire on whichever P holds them, each
        // then blocking: one report listing main and all 100.
        let (out, took) = run(r, &["many_sleepers", "100"], procs);
        assert_deadlock(&out, "", &["chan receive"; 101]);
        assert!(
            took >= Duration::from_millis(30),
            "reported early: {took:?}"
        );
    });
}

#[test]
fn timers_and_deadlock() {
    each_config(|r, procs| {
        // A stopped ticker's timer leaves its heap at once; then the
        // blocked main is a deadlock (not a hang until the test's timeout).
        // tests/time_stop.rs covers one-hour tickers and timers.
        let (out, took) = run(r, &["stopped_ticker"], procs);
        assert_deadlock(&out, "ticker stopped\n", &["chan receive"]);
        assert!(took < Duration::from_secs(10), "{took:?}");
        // An `after` timer nobody receives from still delays the report
        // until it has fired.
        let (out, took) = run(r, &["pending_after"], procs);
        assert_deadlock(&out, "", &["chan receive"]);
        assert!(
            took >= Duration::from_millis(100),
            "reported early: {took:?}"
        );
    });
}
