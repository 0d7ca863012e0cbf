//! Timers keep their promises (tests/programs/time_timers.rs), natively and
//! under qemu-x86_64, at GOMAXPROCS 1 and 2 (also 4 where timers sit on
//! several Ps): `sleep` never wakes early,
//! also while every P is busy with goroutines that only yield, ten
//! thousand concurrent sleepers all wake and none early, a ticker keeps
//! its schedule and its mean period and stops when told, `after` never
//! fires early and `after(0)` fires at once, and a timeout loses to data
//! that comes first.
//!
//! Timing bounds are one-sided where it matters: "never early" is exact
//! (the program compares `nanotime` readings), "not too late" is generous,
//! because this machine's own `nanosleep` is now and then a few ms late
//! (host scheduling), more so under load. The tests of this file run one
//! at a time, so that they do not load the machine for each other.

mod common;

use std::collections::BTreeMap;
use std::sync::Mutex;

use common::{Output, Runner, fields, native_and_one_qemu};

/// Serialises the tests of this file (see the note above).
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn run(r: &Runner, args: &[&str], procs: &str) -> Output {
    common::run_ok(r, "time_timers", args, procs)
}

fn each_config_procs(procs_list: &[&str], f: impl Fn(&Runner, &str)) {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    for r in native_and_one_qemu() {
        for procs in procs_list {
            f(&r, procs);
        }
    }
}

fn each_config(f: impl Fn(&Runner, &str)) {
    each_config_procs(&["1", "2"], f)
}

/// The fields of the stdout line starting with `prefix `, as numbers
/// (`true`/`false` as 1/0).
fn nums(out: &Output, prefix: &str) -> BTreeMap<String, i64> {
    let s = out.stdout_str();
    let l = s
        .lines()
        .find(|l| l.starts_with(&format!("{prefix} ")))
        .unwrap_or_else(|| panic!("no {prefix:?} line\n{}", out.describe()));
    fields(l)
        .into_iter()
        .map(|(k, v)| {
            let n = match v.as_str() {
                "true" => 1,
                "false" => 0,
                _ => v
                    .parse()
                    .unwrap_or_else(|_| panic!("{k}={v} in {l:?} is not a number")),
            };
            (k, n)
        })
        .collect()
}

#[test]
fn sleep_never_wakes_early() {
    each_config(|r, procs| {
        let out = run(r, &["sleeps", "150"], procs);
        let f = nums(&out, "sleeps");
        let ctx = format!("{f:?}\n{}", out.describe());
        assert_eq!(f["n"], 300, "{ctx}");
        assert_eq!(f["early"], 0, "{ctx}");
        assert!(f["max_late_us"] < 1_000_000, "a sleep late by 1 s: {ctx}");
        assert!(
            f["mean_late_us"] < 20_000,
            "sleeps late by 20 ms on average: {ctx}"
        );
        assert_eq!(nums(&out, "sleep0")["under_10ms"], 1, "{ctx}");
    });
}

#[test]
fn sleep_while_every_p_is_busy() {
    each_config_procs(&["1", "2", "4"], |r, procs| {
        let out = run(r, &["busy", "200"], procs);
        let f = nums(&out, "busy");
        let ctx = format!("{f:?}\n{}", out.describe());
        assert_eq!((f["n"], f["early"]), (200, 0), "{ctx}");
        assert!(f["max_late_us"] < 1_000_000, "{ctx}");
    });
}

#[test]
fn ten_thousand_concurrent_timers() {
    // Also at GOMAXPROCS 4: timers on four Ps' heaps, run by whichever M
    // wakes first.
    each_config_procs(&["1", "2", "4"], |r, procs| {
        let out = run(r, &["many", "10000"], procs);
        let f = nums(&out, "many");
        let ctx = format!("{f:?}\n{}", out.describe());
        // Every goroutine woke (else the WaitGroup would never let main
        // print), none early, none absurdly late.
        assert_eq!(f["n"], 10_000, "{ctx}");
        assert_eq!(f["early"], 0, "{ctx}");
        assert!(f["max_late_us"] < 5_000_000, "{ctx}");
    });
}

#[test]
fn ticker_keeps_its_period_and_stops() {
    each_config(|r, procs| {
        let out = run(r, &["ticker", "10", "50"], procs);
        let f = nums(&out, "ticker");
        let ctx = format!("{f:?}\n{}", out.describe());
        assert_eq!((f["period_us"], f["ticks"]), (10_000, 50), "{ctx}");
        // No tick before its slot in the schedule.
        assert_eq!(f["early"], 0, "{ctx}");
        // No interval shorter than the period minus 1 ms, except by as
        // much as the tick before it was late.
        assert_eq!(f["short_unexplained"], 0, "{ctx}");
        assert!(
            (8_000..=12_000).contains(&f["mean_us"]),
            "mean interval off by more than 20%: {ctx}"
        );
        assert_eq!(f["received_before_value"], 0, "{ctx}");
        let s = nums(&out, "stopped");
        assert!(s["after_stop"] <= 1, "ticks after stop: {s:?} {ctx}");
        assert_eq!(s["later"], 0, "ticks long after stop: {s:?} {ctx}");

        // A receiver that falls behind finds one tick, not a backlog.
        let out = run(r, &["ticker_slow"], procs);
        assert_eq!(
            out.stdout_str(),
            "ticker_slow waiting=1 next_is_later=true\n",
            "{}",
            out.describe()
        );
    });
}

#[test]
fn after_as_select_timeout() {
    each_config(|r, procs| {
        let out = run(r, &["after"], procs);
        let f = nums(&out, "timeout");
        let ctx = format!("{f:?}\n{}", out.describe());
        // 1, 2, 5, 10 and 20 ms, five times each: never early, by the
        // waiter's clock or by the timer's own reading.
        assert_eq!((f["n"], f["early"]), (25, 0), "{ctx}");
        assert_eq!(nums(&out, "timer_value")["early"], 0, "{ctx}");
        assert!(f["max_late_us"] < 1_000_000, "{ctx}");
        // after(0) is prompt.
        let z = nums(&out, "after0");
        assert_eq!(z["n"], 100, "{z:?} {ctx}");
        assert!(z["max_late_us"] < 500_000, "{z:?} {ctx}");
        assert!(z["mean_late_us"] < 50_000, "{z:?} {ctx}");
        // Data sent after 5 ms beats a 2 s timeout.
        let s = out.stdout_str();
        let race = s.lines().find(|l| l.starts_with("race ")).unwrap();
        let rf = fields(race);
        assert_eq!(rf["winner"], "data", "{ctx}");
        let took: u64 = rf["took_ms"].parse().unwrap();
        assert!((5..2000).contains(&took), "{race} {ctx}");
    });
}
