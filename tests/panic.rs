//! Unrecovered panics look like Go's: `panic: <msg>`, a blank line,
//! `goroutine N [running]:` naming the goroutine that panicked, then its
//! frames, the first in the program's source (TB_FORMAT; tests/traceback.rs
//! checks the frames against oracles); status 2; what the program printed
//! before stays.
//! Natively and under qemu-x86_64.

mod common;

use std::os::unix::process::ExitStatusExt;

use common::{Output, example, native_and_one_qemu, run_program};

/// Checks the common shape; returns the goroutine id of the header.
fn check_panic(out: &Output, msg: &str) -> u64 {
    let ctx = out.describe();
    assert_eq!(out.status.signal(), None, "killed by a signal\n{ctx}");
    assert_eq!(out.code(), Some(2), "{ctx}");
    assert_eq!(out.stdout_str(), "before the panic\n", "{ctx}");
    let err = out.stderr_str();
    let lines: Vec<&str> = err.lines().collect();
    assert!(lines.len() >= 3, "{ctx}");
    assert_eq!(lines[0], format!("panic: {msg}"), "{ctx}");
    assert_eq!(lines[1], "", "{ctx}");
    let goid = lines[2]
        .strip_prefix("goroutine ")
        .and_then(|r| r.strip_suffix(" [running]:"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no goroutine header\n{ctx}"));
    assert!(
        lines.len() >= 5
            && lines[3].ends_with("(...)")
            && lines[4].starts_with('\t')
            && lines[4].contains("tests/programs/panic.rs:"),
        "the first frame is not the program's panicking code\n{ctx}"
    );
    goid
}

#[test]
fn panic_in_main_goroutine() {
    for runner in native_and_one_qemu() {
        let out = run_program(&runner, &example("panic"), &[], &[]);
        let goid = check_panic(&out, "index out of bounds: the len is 3 but the index is 3");
        assert_eq!(goid, 1, "{}", out.describe());
    }
}

#[test]
fn panic_in_another_goroutine() {
    for runner in native_and_one_qemu() {
        let out = run_program(&runner, &example("panic"), &["goroutine"], &[]);
        let goid = check_panic(&out, "boom in a goroutine: 7");
        assert!(
            goid > 1,
            "the header must name the panicking goroutine, not main\n{}",
            out.describe()
        );
    }
}
