//! Channels under contention lose nothing and duplicate nothing, keep FIFO
//! order, and report `len`/`cap` truthfully (tests/programs/chan_stress.rs),
//! natively and under qemu-x86_64, at GOMAXPROCS 1, 2 and 4: contention
//! and parking paths differ with the number of Ps, and qemu's
//! translated atomics and futexes are a second implementation of the
//! primitives the channel lock stands on.
//!
//! - many senders and receivers (8 x 8 x 50,000 values) for capacities 0,
//!   1, 10, 100: exact count, exact sum, no value received twice, every
//!   value received (a seen-bitmap, so a loss hidden by a duplicate in the
//!   sum still shows);
//! - one sender and one receiver for capacities 1 to 1000: every value in
//!   order, `len <= cap` all along; the exact `len` after each step of a
//!   fill and a drain, `try_send` on a full and `try_recv` on an empty
//!   channel;
//! - `try_send`/`try_recv` loops racing blocking peers (and each other):
//!   exact count, sum and bitmap per channel.

mod common;

use std::collections::BTreeMap;

use common::{Output, Runner, fields, native_and_one_qemu};

fn run(r: &Runner, args: &[&str], procs: &str) -> Output {
    common::run_ok(r, "chan_stress", args, procs)
}

/// The fields of the one stdout line starting with `prefix `.
fn line_fields(out: &Output, prefix: &str) -> BTreeMap<String, String> {
    let s = out.stdout_str();
    let want = format!("{prefix} ");
    let mut found = s.lines().filter(|l| l.starts_with(&want));
    let l = found
        .next()
        .unwrap_or_else(|| panic!("no line {prefix:?}\n{}", out.describe()));
    assert!(found.next().is_none(), "two lines {prefix:?}");
    fields(l)
}

fn num(f: &BTreeMap<String, String>, k: &str) -> u64 {
    f.get(k)
        .unwrap_or_else(|| panic!("no field {k} in {f:?}"))
        .parse()
        .unwrap_or_else(|_| panic!("field {k} not a number in {f:?}"))
}

/// Values `0..n` each received exactly once.
fn assert_exact(out: &Output, prefix: &str, n: u64) {
    let f = line_fields(out, prefix);
    let ctx = format!("{prefix}: {f:?}\n{}", out.describe());
    assert_eq!(num(&f, "count"), n, "count {ctx}");
    assert_eq!(num(&f, "sum"), n * (n - 1) / 2, "sum {ctx}");
    assert_eq!(num(&f, "dups"), 0, "duplicates {ctx}");
    assert_eq!(num(&f, "distinct"), n, "lost values {ctx}");
}

#[test]
fn many_senders_many_receivers() {
    for r in native_and_one_qemu() {
        for procs in ["1", "2", "4"] {
            for cap in ["0", "1", "10", "100"] {
                let out = run(&r, &["mpmc", cap, "8", "8", "50000"], procs);
                assert_exact(&out, &format!("mpmc cap={cap}"), 8 * 50_000);
            }
        }
    }
}

#[test]
fn fifo_order_len_and_cap() {
    for r in native_and_one_qemu() {
        for procs in ["1", "2"] {
            let out = run(&r, &["fifo"], procs);
            let s = out.stdout_str();
            for want in [
                "lens cap=1 len0=0 fill=1 full=Full(1) drain=0 empty=Err(Empty) order_ok=true",
                "lens cap=2 len0=0 fill=1,2 full=Full(2) drain=1,0 empty=Err(Empty) order_ok=true",
                "lens cap=3 len0=0 fill=1,2,3 full=Full(3) drain=2,1,0 empty=Err(Empty) order_ok=true",
                "lens cap=7 len0=0 fill=1,2,3,4,5,6,7 full=Full(7) \
                 drain=6,5,4,3,2,1,0 empty=Err(Empty) order_ok=true",
            ] {
                assert!(
                    s.lines().any(|l| l == want),
                    "missing {want:?}\n{}",
                    out.describe()
                );
            }
            for cap in [1u64, 2, 3, 7, 64, 1000] {
                let f = line_fields(&out, &format!("fifo cap={cap}"));
                let ctx = format!("{f:?}\n{}", out.describe());
                assert_eq!(num(&f, "received"), 50_000, "{ctx}");
                assert_eq!(num(&f, "out_of_order"), 0, "{ctx}");
                assert!(num(&f, "max_len") <= cap, "len above cap: {ctx}");
                assert_eq!(num(&f, "cap_after"), cap, "{ctx}");
            }
        }
    }
}

#[test]
fn nonblocking_races_keep_counts_exact() {
    for r in native_and_one_qemu() {
        for procs in ["1", "2", "4"] {
            for cap in ["0", "4"] {
                let out = run(&r, &["nonblock", cap, "20000"], procs);
                for label in ["trysend", "tryrecv", "mixed"] {
                    // 4 senders of 20,000 values each, whatever their kind.
                    assert_exact(&out, &format!("{label} cap={cap}"), 4 * 20_000);
                    let f = line_fields(&out, &format!("stats {label} cap={cap}"));
                    // Only try_send reports Full and only try_recv Empty.
                    if label == "tryrecv" {
                        assert_eq!(num(&f, "fulls"), 0, "{f:?}");
                    }
                    if label == "trysend" {
                        assert_eq!(num(&f, "empties"), 0, "{f:?}");
                    }
                }
            }
        }
    }
}
