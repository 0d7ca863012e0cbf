//! What every rt0 bench shares, as bench/go/internal/benchutil does for the
//! Go twins: the count from argv[1] and the `<ns> ns/op` line that
//! scripts/bench.py parses. Included with `#[path]` (not a program itself:
//! Cargo.toml lists only the bench_*.rs files as examples).
//!
//! Output contract (bench/README.md): any number of `key=value` lines, then,
//! last, one line `<ns> ns/op`. A `check=<value>` line must match the Go
//! twin's, so it may only depend on the count.

/// The unit-of-work count the harness passes as argv[1]: a positive
/// integer, else a usage message and exit status 2 (as the Go twins).
pub fn count() -> u64 {
    let mut args = rt0::env::args();
    let prog = args
        .next()
        .and_then(|a| core::str::from_utf8(a).ok())
        .unwrap_or("bench");
    let Some(arg) = args.next() else {
        rt0::eprintln!("usage: {prog} COUNT");
        rt0::process::exit(2);
    };
    match core::str::from_utf8(arg)
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
    {
        Some(n) if n > 0 => n,
        _ => {
            let shown = core::str::from_utf8(arg).unwrap_or("(not UTF-8)");
            rt0::eprintln!("{prog}: COUNT must be a positive integer, got {shown:?}");
            rt0::process::exit(2);
        }
    }
}

/// Prints the final `<ns> ns/op` line: `elapsed_ns` over `ops` units, three
/// decimals, like Go's `benchutil.Report`.
pub fn report(elapsed_ns: i64, ops: u64) {
    rt0::println!("{:.3} ns/op", elapsed_ns as f64 / ops as f64);
}
