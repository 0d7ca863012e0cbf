//! Asynchronous preemption changes nothing the preempted code can see:
//! every register (general, flags, MXCSR, x87, XMM/YMM/ZMM, opmasks) and
//! the red zone below `rsp` come back exactly (tests/programs/preempt_regs.rs),
//! and allocator- and channel-heavy loops preempted in the runtime's own
//! code keep exact counts (tests/programs/preempt_counts.rs).
//!
//! The register test runs natively and under qemu -cpu qemu64 (SSE only),
//! Haswell (AVX2) and max (everything qemu's TCG has; AVX-512 natively
//! where the host has it). Which vector registers the program checked is
//! compared with an independent CPUID/XGETBV oracle under the same runner.
//! Each run must also have been preempted often (counted by the program:
//! its P or the P's schedtick changed across a stretch with no runtime
//! call): a run that was never preempted proves nothing and fails.

mod common;
mod preempt_util;

use common::{Runner, native_and_one_qemu, oracle, run_program};
use preempt_util::{cpu_runners, run_ok, serial};

/// The vector level preempt_regs must report on `runner`: what the CPUID
/// oracle (tests/oracle/cpuid_oracle.rs) finds there.
fn expected_level(runner: &Runner) -> &'static str {
    let out = run_program(runner, &oracle("cpuid_oracle"), &[], &[]);
    out.assert_success();
    let f = common::fields(out.stdout_str().trim_end());
    if f.get("avx512f").map(String::as_str) == Some("1") {
        "avx512"
    } else if f.get("avx").map(String::as_str) == Some("1") {
        "avx"
    } else {
        "sse"
    }
}

/// The `info` line's fields.
fn info(out: &common::Output) -> std::collections::BTreeMap<String, String> {
    let s = out.stdout_str();
    let line = s
        .lines()
        .find_map(|l| l.strip_prefix("info "))
        .unwrap_or_else(|| panic!("no info line\n{}", out.describe()));
    common::fields(line)
}

fn info_num(out: &common::Output, key: &str) -> u64 {
    info(out)
        .get(key)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no numeric info {key}=\n{}", out.describe()))
}

/// How long the checkers run, and the fewest preemptions a run must show
/// (sysmon preempts after 10 ms: 1.5 s at GOMAXPROCS=1 gives ~150 on a
/// quiet machine; the floor leaves room for a loaded one).
const REGS_MS_NATIVE: &str = "1500";
const REGS_MS_QEMU: &str = "1000";
const MIN_SWITCHES: u64 = 20;

fn check_regs(r: &Runner, out: &common::Output, level: &str) {
    assert_eq!(
        out.stdout_str().lines().next(),
        Some("regs bad=0"),
        "{}",
        out.describe()
    );
    assert_eq!(
        info(out).get("level").map(String::as_str),
        Some(level),
        "{}",
        out.describe()
    );
    let switches = info_num(out, "switches");
    eprintln!(
        "[{}] registers exact over {} calls and {} red-zone calls, {switches} preemptions, {} signals sent, vectors {level}",
        r.label(),
        info_num(out, "calls"),
        info_num(out, "redzone_calls"),
        info_num(out, "signals")
    );
    assert!(info_num(out, "redzone_calls") > 0, "{}", out.describe());
    assert!(
        switches >= MIN_SWITCHES,
        "only {switches} preemptions: the test proved little\n{}",
        out.describe()
    );
}

#[test]
fn every_register_survives_preemption() {
    let _s = serial();
    for r in cpu_runners() {
        let level = expected_level(&r);
        let ms = if r.is_qemu() {
            REGS_MS_QEMU
        } else {
            REGS_MS_NATIVE
        };
        // Three checkers on one P: they take turns only by preemption.
        let out = run_ok(&r, "preempt_regs", &[ms, "3", "0"], "1");
        check_regs(&r, &out, level);
    }
}

/// SIGURG from outside (tgkill every 100 us to the checkers' threads):
/// signals the runtime did not ask for are as invisible as its own.
#[test]
fn every_register_survives_a_signal_storm() {
    let _s = serial();
    for r in native_and_one_qemu() {
        let level = expected_level(&r);
        let out = run_ok(&r, "preempt_regs", &["1000", "4", "100"], "2");
        check_regs(&r, &out, level);
        assert!(info_num(&out, "signals") > 100, "{}", out.describe());
    }
}

#[test]
fn malloc_counts_stay_exact_under_preemption() {
    let _s = serial();
    for r in native_and_one_qemu() {
        let per = if r.is_qemu() { "100000" } else { "400000" };
        for procs in ["1", "2"] {
            let out = run_ok(&r, "preempt_counts", &["malloc", "4", per], procs);
            let first = out.stdout_str().lines().next().unwrap_or("").to_string();
            let want = format!(
                "malloc goroutines=4 per={per} count={} bad=0",
                4 * per.parse::<u64>().unwrap()
            );
            assert_eq!(first, want, "{}", out.describe());
            let switches = info_num(&out, "switches");
            eprintln!(
                "[{}] GOMAXPROCS={procs}: malloc loops exact, {switches} preemptions",
                r.label()
            );
            if procs == "1" {
                assert!(switches > 0, "never preempted\n{}", out.describe());
            }
        }
    }
}

/// Small, so that the channel is often full and the pollers spin.
const CHAN_CAPACITY: u64 = 16;

#[test]
fn channel_counts_stay_exact_under_preemption() {
    let _s = serial();
    for r in native_and_one_qemu() {
        for procs in ["1", "2"] {
            // A poller that finds the channel full (or empty) holds its P
            // until sysmon preempts it, a 10-20 ms time slice each time,
            // as in Go (at GOMAXPROCS=2 both Ps may spin so): the counts
            // are kept to a few seconds.
            let (p, n): (u64, u64) = match (procs, r.is_qemu()) {
                ("1", false) => (4, 500),
                ("1", true) => (4, 200),
                (_, false) => (4, 5_000),
                (_, true) => (4, 1_000),
            };
            let total = p * n;
            let args = [
                "chan".to_string(),
                p.to_string(),
                "4".into(),
                n.to_string(),
                CHAN_CAPACITY.to_string(),
            ];
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = run_ok(&r, "preempt_counts", &args, procs);
            let first = out.stdout_str().lines().next().unwrap_or("").to_string();
            let want = format!(
                "chan count={total} sum={} dups=0 distinct={total}",
                total * (total - 1) / 2
            );
            assert_eq!(first, want, "{}", out.describe());
            eprintln!(
                "[{}] GOMAXPROCS={procs}: channel loops exact, {} preemptions",
                r.label(),
                info_num(&out, "switches")
            );
            if procs == "1" {
                assert!(info_num(&out, "switches") > 0, "{}", out.describe());
            }
        }
    }
}
