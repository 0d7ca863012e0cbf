//! What the channel and timer test programs share (included with `#[path]`:
//! Cargo.toml lists only the programs as examples):
//! argv parsing, a small deterministic PRNG, a lock-free "seen" bitmap that
//! catches duplicated and lost values, and a way to wait until goroutines
//! are really parked (so a test of "close while parked" tests exactly that,
//! not a race that usually parks).
#![allow(dead_code)]

use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering::AcqRel, Ordering::Relaxed};
use core::time::Duration;

/// argv[n] as UTF-8, or "" when absent.
pub fn arg(n: usize) -> &'static str {
    rt0::env::args()
        .nth(n)
        .and_then(|a| core::str::from_utf8(a).ok())
        .unwrap_or("")
}

/// argv[n] as a number, or `default` when absent; exits 64 when malformed.
pub fn arg_u64(n: usize, default: u64) -> u64 {
    let a = arg(n);
    if a.is_empty() {
        return default;
    }
    a.parse().unwrap_or_else(|_| usage(a))
}

/// Prints the bad argument and exits 64 (EX_USAGE).
pub fn usage(what: &str) -> ! {
    rt0::eprintln!("bad argument {what:?}");
    rt0::process::exit(64)
}

/// xorshift64*: deterministic per seed, cheap, good enough to pick
/// durations and channels.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

/// One bit per value in `0..n`, set atomically by whoever receives it.
pub struct Seen {
    words: Vec<AtomicU64>,
    n: u64,
}

impl Seen {
    pub fn new(n: u64) -> Seen {
        Seen {
            words: (0..n.div_ceil(64)).map(|_| AtomicU64::new(0)).collect(),
            n,
        }
    }
    /// Marks `v`; false if it was already marked (a duplicate) or out of range.
    pub fn mark(&self, v: u64) -> bool {
        if v >= self.n {
            return false;
        }
        let bit = 1u64 << (v % 64);
        self.words[(v / 64) as usize].fetch_or(bit, AcqRel) & bit == 0
    }
    pub fn is_marked(&self, v: u64) -> bool {
        self.words[(v / 64) as usize].load(Relaxed) & (1 << (v % 64)) != 0
    }
    /// How many distinct values were marked.
    pub fn count(&self) -> u64 {
        self.words
            .iter()
            .map(|w| u64::from(w.load(Relaxed).count_ones()))
            .sum()
    }
}

/// Goroutines parked now with wait reason `reason` (as printed in
/// `goroutine N [reason]:`), from the runtime's test hooks.
pub fn parked(reason: &str) -> usize {
    rt0::export_test::parked(reason)
}

/// Waits (sleeping in 200 us steps) until at least `n` goroutines are parked
/// with `reason`; gives up after 10 s and exits 3, naming the reason.
pub fn wait_parked(reason: &str, n: usize) {
    let deadline = rt0::time::nanotime() + 10_000_000_000;
    while parked(reason) < n {
        if rt0::time::nanotime() > deadline {
            rt0::eprintln!("timed out waiting for {n} goroutines in [{reason}]");
            rt0::process::exit(3);
        }
        rt0::time::sleep(Duration::from_micros(200));
    }
}
