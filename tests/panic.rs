//! Unrecovered panics look like Go's: `panic: <msg>`, then the section of
//! the goroutine that panicked (`goroutine N [running]:`, its frames with
//! the panic's own line first, the runtime's panic machinery hidden, and
//! `created by` for a goroutine other than main), nothing else at the
//! default GOTRACEBACK; status 2; what the program printed before stays.
//! Natively and under qemu-x86_64.

mod common;

use std::os::unix::process::ExitStatusExt;

use common::expect::{self, Source};
use common::report::Goroutine;
use common::{Output, example, native_and_one_qemu, run_program};

const SOURCE: &str = "tests/programs/panic.rs";

/// Checks the common shape: one report, `panic: MSG`, one goroutine,
/// `running`, whose first frame is `func` at the line containing `at`;
/// returns the section.
fn check_panic(out: &Output, msg: &str, func: &str, at: &str) -> Goroutine {
    let ctx = out.describe();
    let src = Source::new(SOURCE);
    assert_eq!(out.status.signal(), None, "killed by a signal\n{ctx}");
    assert_eq!(out.code(), Some(2), "{ctx}");
    assert_eq!(out.stdout_str(), "before the panic\n", "{ctx}");
    let r = expect::one_report(out);
    assert_eq!(r.head, [format!("panic: {msg}")], "{ctx}");
    assert!(r.runtime_stack.is_none(), "{ctx}");
    let g = expect::only_goroutine(&r, &ctx);
    assert_eq!(g.state, "running", "{ctx}");
    expect::assert_frame(expect::first_frame(g, &ctx), func, &src, src.line(at), &ctx);
    g.clone()
}

#[test]
fn panic_in_main_goroutine() {
    for runner in native_and_one_qemu() {
        let out = run_program(&runner, &example("panic"), &[], &[]);
        let g = check_panic(
            &out,
            "index out of bounds: the len is 3 but the index is 3",
            "panic::main",
            "v[i]",
        );
        assert_eq!(g.id, 1, "{}", out.describe());
    }
}

#[test]
fn panic_in_another_goroutine() {
    let src = Source::new(SOURCE);
    for runner in native_and_one_qemu() {
        let out = run_program(&runner, &example("panic"), &["goroutine"], &[]);
        let ctx = out.describe();
        let g = check_panic(
            &out,
            "boom in a goroutine: 7",
            "panic::main::{closure#0}",
            "panic!(\"boom in a goroutine",
        );
        assert!(
            g.id > 1,
            "the header must name the panicking goroutine, not main\n{ctx}"
        );
        expect::assert_created_by(&g, "panic::main", 1, &src, src.line("runtime::go("), &ctx);
    }
}
