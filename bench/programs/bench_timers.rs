//! Benchmark `timers`, twin of bench/go/timers: how late sleeping
//! goroutines wake up when many sleep at once. COUNT goroutines each sleep
//! a random duration, uniform in [1 ms, 10 ms] (fixed seed, drawn by main
//! before any goroutine starts), and record how much later than asked they
//! woke (actual wake - intended). Prints the median and 99th percentile
//! lateness, then the median again as the `ns/op` figure.
//!
//! The draws come from wyrand with a fixed state, not Go's math/rand source
//! 1: the durations differ from the twin's but have the same distribution.
#![no_std]
#![no_main]
extern crate alloc;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicI64, Ordering::Relaxed};
use core::time::Duration;
use rt0::sync::WaitGroup;

#[path = "benchutil/mod.rs"]
mod benchutil;

rt0::main!(main);

const MIN_SLEEP_NS: u64 = 1_000_000;
const MAX_SLEEP_NS: u64 = 10_000_000;
const SEED: u64 = 1;

/// wyrand's two constants (Wang Yi's wyhash), the generator the runtime
/// uses inside: the same draws as before this program had its own copy.
const WYRAND_ADD: u64 = 0xa076_1d64_78bd_642f;
const WYRAND_XOR: u64 = 0xe703_7ed1_a0b4_28db;

/// One wyrand step on `state`: the program's own PRNG (the runtime's is
/// internal; a benchmark needs only fixed, well-spread draws).
fn wyrand(state: &mut u64) -> u64 {
    *state = state.wrapping_add(WYRAND_ADD);
    let hi_lo = u128::from(*state) * u128::from(*state ^ WYRAND_XOR);
    ((hi_lo >> 64) as u64) ^ (hi_lo as u64)
}

fn main() {
    let n = benchutil::count() as usize;
    let mut state = SEED;
    let span = u128::from(MAX_SLEEP_NS - MIN_SLEEP_NS + 1);
    let sleeps: Arc<Vec<u64>> = Arc::new(
        (0..n)
            .map(|_| {
                let r = wyrand(&mut state);
                MIN_SLEEP_NS + ((u128::from(r) * span) >> 64) as u64
            })
            .collect(),
    );
    let late: Arc<Vec<AtomicI64>> = Arc::new((0..n).map(|_| AtomicI64::new(0)).collect());
    let wg = Arc::new(WaitGroup::new());
    wg.add(n as isize);
    for i in 0..n {
        let (sleeps, late, wg) = (sleeps.clone(), late.clone(), wg.clone());
        rt0::runtime::go(move || {
            let t0 = rt0::time::nanotime();
            rt0::time::sleep(Duration::from_nanos(sleeps[i]));
            late[i].store(rt0::time::nanotime() - t0 - sleeps[i] as i64, Relaxed);
            wg.done();
        });
    }
    wg.wait();
    let mut late: Vec<i64> = late.iter().map(|l| l.load(Relaxed)).collect();
    late.sort_unstable();
    let p50 = late[(n - 1) * 50 / 100];
    let p99 = late[(n - 1) * 99 / 100];
    rt0::println!("lateness_p50_ns={p50} lateness_p99_ns={p99}");
    // ns/op is the median lateness, as the twin defines it.
    benchutil::report(p50, 1);
}
