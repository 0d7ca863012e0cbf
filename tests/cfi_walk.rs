//! The unwinder (`debug::cfi`) in a freestanding program
//! (tests/programs/cfi_walk.rs), natively and under qemu-user: the walk
//! of main's own stack and of a goroutine parked by an asynchronous
//! preemption, each frame named by an independent oracle, binutils'
//! `addr2line -f` on the same binary. Shows that linker.ld's
//! `__rt0_eh_frame*` symbols resolve and bound the tables, and that the
//! asm's call frame information leads through `rt0_async_preempt` to the
//! interrupted function (looked up at its exact pc) and ends at
//! `rt0_goexit`.

mod common;

use std::path::Path;
use std::process::Command;

use common::{example, native_and_one_qemu, run_program};

/// The function names of the lines `KIND 0x...` of a run, by addr2line.
fn names(binary: &Path, stdout: &str, kind: &str) -> Vec<String> {
    let pcs: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix(kind)?.strip_prefix(' '))
        .collect();
    assert!(!pcs.is_empty(), "no {kind} lines in:\n{stdout}");
    let out = Command::new("addr2line")
        .args(["-f", "-C", "-e"])
        .arg(binary)
        .args(&pcs)
        .output()
        .expect("addr2line (binutils) runs");
    // Two lines per address: the function, then file:line.
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// Whether `want` appears in `names` in order, one right after another.
fn has_run(names: &[String], want: &[&str]) -> bool {
    names
        .windows(want.len())
        .any(|w| w.iter().zip(want).all(|(n, w)| n == w))
}

#[test]
fn walks_name_the_frames_addr2line_names() {
    let bin = example("cfi_walk");
    for r in native_and_one_qemu() {
        let out = run_program(&r, &bin, &[], &[("GOMAXPROCS", "1")]);
        out.assert_success();
        let stdout = out.stdout_str();
        let own = names(&bin, &stdout, "self");
        assert!(
            has_run(
                &own,
                &[
                    "rt0::export_test::unwind_self",
                    "cfi_walk::leaf",
                    "cfi_walk::middle",
                    "cfi_walk::outer"
                ]
            ),
            "[{}] main's walk: {own:?}",
            r.label()
        );
        assert_eq!(
            own.last().map(String::as_str),
            Some("rt0_goexit"),
            "[{}] {own:?}",
            r.label()
        );
        assert!(
            !own.iter().any(|n| n.starts_with("??")),
            "[{}] {own:?}",
            r.label()
        );

        let parked = names(&bin, &stdout, "parked");
        assert_eq!(
            parked.first().map(String::as_str),
            Some("rt0_mcall"),
            "[{}] {parked:?}",
            r.label()
        );
        assert!(
            has_run(
                &parked,
                &[
                    "rt0_async_preempt",
                    "cfi_walk::spin_leaf",
                    "cfi_walk::spin_outer"
                ]
            ),
            "[{}] the preempted goroutine's walk: {parked:?}",
            r.label()
        );
        assert_eq!(
            parked.last().map(String::as_str),
            Some("rt0_goexit"),
            "[{}] {parked:?}",
            r.label()
        );
        assert!(
            !parked.iter().any(|n| n.starts_with("??")),
            "[{}] {parked:?}",
            r.label()
        );
    }
}
