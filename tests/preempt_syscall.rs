//! Syscall retake: a goroutine blocked in a long read of a pipe at
//! GOMAXPROCS=1 does not stop the others (tests/programs/preempt_syscall.rs):
//! through `rt0::runtime::blocking`, through `rt0::fs::File`, and through
//! the bare `rt0::os::read` (Go wraps `syscall.Read` in entersyscall, and
//! sysmon hands a P stuck in a system call to another M). Natively and
//! under qemu-user. A run that hangs fails with "no preemption: timed out".

mod common;
mod preempt_util;

use common::{native_and_one_qemu, num};
use preempt_util::{run_ok, serial};

/// How long main sleeps while the reader blocks, and how late it may wake
/// (natively; qemu gets the wider bound).
const SLEEP_MS: u64 = 50;
const LATE_MS_NATIVE: u64 = 300;
const LATE_MS_QEMU: u64 = 1_500;

fn blocked_reader_leaves_the_p(mode: &str) {
    let _s = serial();
    for r in native_and_one_qemu() {
        let out = run_ok(&r, "preempt_syscall", &[mode, &SLEEP_MS.to_string()], "1");
        let slept_ms = num(&out, "slept_us") / 1_000;
        let turns = num(&out, "worker_turns_before_write");
        eprintln!(
            "[{}] {mode}: main slept {slept_ms} ms, worker ran {turns} turns while the reader blocked",
            r.label()
        );
        assert!(
            out.stdout_str().ends_with(" read=x\n"),
            "{}",
            out.describe()
        );
        assert!(turns > 0, "the worker never ran\n{}", out.describe());
        let late = if r.is_qemu() {
            LATE_MS_QEMU
        } else {
            LATE_MS_NATIVE
        };
        assert!(
            (SLEEP_MS..=SLEEP_MS + late).contains(&slept_ms),
            "{}",
            out.describe()
        );
    }
}

#[test]
fn reader_in_blocking_leaves_the_p() {
    blocked_reader_leaves_the_p("blocking");
}

#[test]
fn reader_of_a_file_leaves_the_p() {
    blocked_reader_leaves_the_p("file");
}

#[test]
fn reader_in_a_bare_os_read_leaves_the_p() {
    blocked_reader_leaves_the_p("raw");
}
