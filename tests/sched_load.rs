//! Load: a million parked goroutines and a long randomized stress run.
//!
//! - `bench_park 1000000` natively: every goroutine starts and parks on one
//!   gate (a million 256 KiB stacks with guard pages, 266 GB of address
//!   space, ~4.4 GB RSS and 0.5 GB of page tables, several seconds), is
//!   released and finishes; `parked=` must be exactly the count. Under
//!   qemu 20,000: there the guard is an mprotect, two mappings per stack
//!   against vm.max_map_count (65530), which stops at about 32,500.
//! - `sched_stress`: ~10 s natively (GOMAXPROCS=4, so Ps outnumber the
//!   cores and Ms get descheduled while holding things) and 3 s under qemu
//!   (GOMAXPROCS=2), randomized yields, spawns, nested WaitGroups, Mutex
//!   and atomics over 64 goroutines; every counter must come out exact.

mod common;

use common::{Output, Runner, example, native_and_one_qemu, run_program};

/// Checks bench_park's two lines for `n` goroutines.
fn assert_parked(out: &Output, n: u64) {
    out.assert_success();
    assert_eq!(out.stderr_str(), "", "{}", out.describe());
    let stdout = out.stdout_str();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", out.describe());
    assert_eq!(lines[0], format!("parked={n}"), "{}", out.describe());
    let ns: f64 = lines[1]
        .strip_suffix(" ns/op")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("ns/op line\n{}", out.describe()));
    assert!(ns > 0.0, "{}", out.describe());
}

#[test]
fn a_million_parked_goroutines() {
    let out = run_program(&Runner::Native, &example("bench_park"), &["1000000"], &[]);
    assert_parked(&out, 1_000_000);
}

#[test]
fn parked_goroutines_under_qemu() {
    for runner in native_and_one_qemu().into_iter().filter(Runner::is_qemu) {
        let out = run_program(&runner, &example("bench_park"), &["20000"], &[]);
        assert_parked(&out, 20_000);
    }
}

#[test]
fn randomized_stress_keeps_every_count() {
    for runner in native_and_one_qemu() {
        let (ms, procs) = if runner.is_qemu() {
            ("3000", "2")
        } else {
            ("10000", "4")
        };
        let out = run_program(
            &runner,
            &example("sched_stress"),
            &[ms, "64"],
            &[("GOMAXPROCS", procs)],
        );
        out.assert_success();
        assert_eq!(out.stderr_str(), "", "{}", out.describe());
        let stdout = out.stdout_str();
        let line = stdout
            .strip_prefix("ok ")
            .and_then(|l| l.strip_suffix('\n'))
            .unwrap_or_else(|| panic!("not a single ok line\n{}", out.describe()));
        let f = common::fields(line);
        let get = |k: &str| -> u64 { f[k].parse().expect("number") };
        // Every kind of operation happened: the run exercised each path.
        for k in ["ops", "mutex", "atomic", "children", "nested", "yields"] {
            assert!(get(k) > 0, "{k}=0\n{}", out.describe());
        }
        assert_eq!(get("nested") % 3, 0, "{}", out.describe());
    }
}
