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

/// The function names of the lines `KIND 0x...` of a run, by addr2line:
/// for each address the function that contains it in the binary (the
/// last of `-i`'s chain, which starts with the innermost function inlined
/// at the address when the DWARF records inlining, as the release
/// profile's `debug = "limited"` does).
fn names(binary: &Path, stdout: &str, kind: &str) -> Vec<String> {
    let pcs: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix(kind)?.strip_prefix(' '))
        .collect();
    assert!(!pcs.is_empty(), "no {kind} lines in:\n{stdout}");
    let out = Command::new("addr2line")
        .args(["-a", "-f", "-i", "-C", "-e"])
        .arg(binary)
        .args(&pcs)
        .output()
        .expect("addr2line (binutils) runs");
    // Per address: the address, then two lines (function, file:line) per
    // function of the inlining chain, innermost first.
    let text = String::from_utf8_lossy(&out.stdout);
    let mut names: Vec<String> = Vec::new();
    let mut group: Vec<&str> = Vec::new();
    let mut flush = |group: &mut Vec<&str>| {
        // The outermost function's line, before its file:line.
        if let Some(outer) = group.len().checked_sub(2).and_then(|i| group.get(i)) {
            names.push(outer.to_string());
        }
        group.clear();
    };
    for line in text.lines() {
        if line.starts_with("0x") {
            flush(&mut group);
        } else {
            group.push(line);
        }
    }
    flush(&mut group);
    assert_eq!(names.len(), pcs.len(), "addr2line output:\n{text}");
    names
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
