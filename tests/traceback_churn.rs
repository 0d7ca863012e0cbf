//! A report stays whole while the goroutines it walks exit and their
//! stacks are freed (tests/programs/tb_churn.rs): 2,000 goroutines with
//! stacks of their own mapping wake and exit as main panics. Without
//! `mem::stack::StackReader` an unmapped stack faulted the report into
//! `panic during panic` in 6 of 20 runs at GOMAXPROCS=4; every run here
//! must give one complete report: the panic line, parseable goroutine
//! sections (main's first, with its frame in `tb_churn::main`), exit 2.
//! Natively at GOMAXPROCS 2 and 4, and under qemu.

mod common;

use std::os::unix::process::ExitStatusExt;

use common::{example, native_and_one_qemu, report, run_program};

/// Runs per GOMAXPROCS natively; a quarter of that under qemu.
const RUNS: usize = 40;

#[test]
fn report_survives_goroutines_exiting_under_it() {
    let bin = example("tb_churn");
    for runner in native_and_one_qemu() {
        let runs = if runner.is_qemu() { RUNS / 4 } else { RUNS };
        for procs in ["2", "4"] {
            for _ in 0..runs {
                let out = run_program(
                    &runner,
                    &bin,
                    &[],
                    &[("GOMAXPROCS", procs), ("GOTRACEBACK", "all")],
                );
                let ctx = out.describe();
                assert_eq!(out.status.signal(), None, "killed by a signal\n{ctx}");
                assert_eq!(out.code(), Some(2), "{ctx}");
                assert_eq!(out.stdout_str(), "ready\n", "{ctx}");
                let err = out.stderr_str();
                assert!(!err.contains("panic during panic"), "report cut\n{ctx}");
                let r = report::parse(&err).unwrap_or_else(|e| panic!("{e}\n{ctx}"));
                assert_eq!(
                    r.head,
                    ["panic: report while 2000 goroutines exit"],
                    "{ctx}"
                );
                let main = r
                    .goroutines
                    .first()
                    .unwrap_or_else(|| panic!("no section\n{ctx}"));
                assert_eq!(main.id, 1, "{ctx}");
                assert_eq!(main.names(), ["tb_churn::main"], "{ctx}");
                assert!(r.tail.is_empty() && r.hint.is_none(), "{ctx}");
            }
        }
    }
}
