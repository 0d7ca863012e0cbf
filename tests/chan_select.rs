//! `select!` chooses fairly, handles the same channel in several cases,
//! sends as well as receives, honours `default`, parks and is woken by a
//! send or a close, and `select! {}` deadlocks as Go's `select {}` does
//! (tests/programs/chan_select.rs), natively and under qemu-x86_64, at
//! GOMAXPROCS 1 and 2.
//!
//! Fairness bounds: with k ready cases each of N selects picks a case
//! uniformly, so a case's count is Binomial(N, 1/k); the tests accept
//! N/k +- 6 sigma, which a fair select fails about once in 10^8 runs and a
//! select that always prefers one case fails every time.

mod common;

use std::collections::BTreeMap;

use common::expect::{self, Source};
use common::{Output, Runner, each_config, example, fields, native_and_one_qemu, run_program};

fn run(r: &Runner, args: &[&str], procs: &str) -> Output {
    common::run_ok(r, "chan_select", args, procs)
}

/// The numeric fields of the single stdout line starting with `prefix `.
fn nums(out: &Output, prefix: &str) -> BTreeMap<String, u64> {
    let s = out.stdout_str();
    let l = s
        .lines()
        .find(|l| l.starts_with(&format!("{prefix} ")))
        .unwrap_or_else(|| panic!("no {prefix:?} line\n{}", out.describe()));
    fields(l)
        .into_iter()
        .filter_map(|(k, v)| v.parse().ok().map(|v| (k, v)))
        .collect()
}

/// Asserts each count is within 6 sigma of n/k (Binomial(n, 1/k)).
fn assert_fair(counts: &[u64], n: u64, what: &str) {
    let k = counts.len() as f64;
    let mean = n as f64 / k;
    let sigma = (n as f64 * (1.0 / k) * (1.0 - 1.0 / k)).sqrt();
    assert_eq!(counts.iter().sum::<u64>(), n, "{what}: {counts:?}");
    for &c in counts {
        assert!(
            (c as f64 - mean).abs() <= 6.0 * sigma,
            "{what}: {counts:?} not within 6 sigma ({:.0}) of {mean:.0}",
            6.0 * sigma
        );
    }
}

#[test]
fn fair_among_ready_cases() {
    each_config(|r, procs| {
        let out = run(r, &["fair", "30000"], procs);
        let f = nums(&out, "fair");
        assert_fair(&[f["a"], f["b"], f["c"]], 30_000, &out.describe());

        let out = run(r, &["fair_mixed", "30000"], procs);
        let f = nums(&out, "fair_mixed");
        assert_fair(
            &[f["recv_a"], f["send_b"], f["recv_c"]],
            30_000,
            &out.describe(),
        );
        assert!(
            out.stdout_str().contains(" lens=1,0,1\n"),
            "{}",
            out.describe()
        );
    });
}

#[test]
fn same_channel_in_two_cases() {
    each_config(|r, procs| {
        // Two receive cases on one channel with one value ready: both are
        // chosen (fairly), each gets the value, nothing is left behind.
        let out = run(r, &["same_recv", "10000"], procs);
        let f = nums(&out, "same_recv");
        assert_fair(&[f["first"], f["second"]], 10_000, &out.describe());
        assert_eq!((f["wrong"], f["len"]), (0, 0), "{}", out.describe());

        // A send and a receive case on one buffered channel, both ready.
        let out = run(r, &["same_sendrecv", "10000"], procs);
        let f = nums(&out, "same_sendrecv");
        assert_fair(&[f["send"], f["recv"]], 10_000, &out.describe());
        assert_eq!((f["out_of_order"], f["len"]), (0, 1), "{}", out.describe());

        // Parked on the same unbuffered channel twice: each send wakes the
        // select once, with the right value, and the losing case's entry
        // is gone (the channel still works afterwards).
        let out = run(r, &["same_block", "5000"], procs);
        assert_eq!(
            out.stdout_str(),
            "same_block total=5000 wrong=0 after=Ok(7)\n",
            "{}",
            out.describe()
        );

        // A send and a receive case on one unbuffered channel never pair
        // with each other: against a peer that alternately sends and
        // receives, every round's case is forced.
        let out = run(r, &["self", "5000"], procs);
        assert_eq!(
            out.stdout_str(),
            "self sends=2500 recvs=2500 wrong=0 peer_wrong=0\n",
            "{}",
            out.describe()
        );
    });
}

/// Regression: with one channel in two cases, the parked select's commit
/// (on g0) used to read the select's frame after releasing the last
/// channel lock, by which time the woken goroutine could have reused it
/// (SIGSEGV in `chan_addr`). The window is narrow: a qemu run at
/// GOMAXPROCS 2 hit it 1 to 12 times in 100, so this repeats those runs.
#[test]
fn duplicate_channel_select_repeated_under_qemu() {
    let Some(r) = native_and_one_qemu().into_iter().find(Runner::is_qemu) else {
        return;
    };
    for _ in 0..10 {
        for (mode, want) in [
            ("self", "self sends=2500 recvs=2500 wrong=0 peer_wrong=0\n"),
            ("same_block", "same_block total=5000 wrong=0 after=Ok(7)\n"),
        ] {
            let out = run(&r, &[mode, "5000"], "2");
            assert_eq!(out.stdout_str(), want, "{}", out.describe());
        }
    }
}

#[test]
fn send_cases_deliver_every_value_once() {
    each_config(|r, procs| {
        let out = run(r, &["send_cases", "20000"], procs);
        assert_eq!(
            out.stdout_str(),
            format!(
                "send_cases count=20000 sum={} distinct=20000\n",
                20_000u64 * 19_999 / 2
            ),
            "{}",
            out.describe()
        );
    });
}

#[test]
fn never_ready_cases_default_and_closed() {
    each_config(|r, procs| {
        let out = run(r, &["never", "1000"], procs);
        assert_eq!(
            out.stdout_str(),
            "never defaults=1000 closed_case=1000 full_len=1\n",
            "{}",
            out.describe()
        );
    });
}

#[test]
fn parked_select_woken_by_send_and_close() {
    each_config(|r, procs| {
        let out = run(r, &["wake_send", "3000"], procs);
        assert_eq!(
            out.stdout_str(),
            "wake_send case=1 v=Ok(42) waited_10ms=true\n\
             wake_send rounds=3000 wrong=0\n",
            "{}",
            out.describe()
        );
        let out = run(r, &["wake_close"], procs);
        assert_eq!(
            out.stdout_str(),
            "wake_close recv case=b v=Err(RecvError)\n\
             wake_close send case=full r=Err(7) then=Ok(1),Err(RecvError)\n",
            "{}",
            out.describe()
        );
    });
}

#[test]
fn select_raced_by_send_and_close() {
    // Each round a select on two fresh channels is raced by a send on one
    // and a close of the other (also at GOMAXPROCS 4, where all three run
    // at once): exactly one case wins, the sender is never told its value
    // was taken when it was not, and the value is received exactly once.
    for r in native_and_one_qemu() {
        for procs in ["1", "2", "4"] {
            let out = run(&r, &["close_race", "10000"], procs);
            let s = out.stdout_str();
            assert!(
                s.starts_with("close_race rounds=10000 wrong=0 both_seen="),
                "{}",
                out.describe()
            );
        }
    }
}

#[test]
fn select_with_no_cases_deadlocks() {
    each_config(|r, procs| {
        let out = run_program(
            r,
            &example("chan_select"),
            &["nocases"],
            &[("GOMAXPROCS", procs)],
        );
        assert_eq!(out.code(), Some(2), "{}", out.describe());
        // The worker's 20 ms sleep is a pending timer: no deadlock until
        // it has run to the end.
        assert_eq!(out.stdout_str(), "worker done\n", "{}", out.describe());
        // Main alone, at its `select! {}` (tests/common/expect.rs).
        let src = Source::new("tests/programs/chan_select.rs");
        let r = expect::assert_deadlock(
            &out.stderr_str(),
            "chan_select",
            &src,
            "chan_select::main",
            &["select (no cases)"],
            &out.describe(),
        );
        let at = src.line_after("\"nocases\" =>", "rt0::select! {}");
        let first = expect::user_frames(&r.goroutines[0], "chan_select")[0];
        expect::assert_frame(first, "chan_select::main", &src, at, &out.describe());
    });
}
