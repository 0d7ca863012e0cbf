//! Benchmark `parallel`, twin of bench/go/parallel: a CPU-bound job split
//! over 64 goroutines, to see the scheduler spread work over the Ps. Hashes
//! the integers 0..COUNT-1 (splitmix64's finaliser) and sums the hashes;
//! goroutine j takes the j-th of 64 equal slices. Prints ns per element;
//! the harness divides the GOMAXPROCS=1 time by the GOMAXPROCS=2 time for
//! the speed-up. check= is the sum, which must equal Go's.
#![no_std]
#![no_main]
extern crate alloc;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use rt0::sync::WaitGroup;

#[path = "benchutil/mod.rs"]
mod benchutil;

rt0::main!(main);

const JOBS: usize = 64;

/// splitmix64's finaliser: cheap, no memory traffic, not foldable.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn main() {
    let n = benchutil::count();
    let sums: Arc<[AtomicU64; JOBS]> = Arc::new([const { AtomicU64::new(0) }; JOBS]);
    let wg = Arc::new(WaitGroup::new());
    wg.add(JOBS as isize);
    let t0 = rt0::time::nanotime();
    for j in 0..JOBS {
        let (lo, hi) = (n * j as u64 / JOBS as u64, n * (j as u64 + 1) / JOBS as u64);
        let (sums, wg) = (sums.clone(), wg.clone());
        rt0::runtime::go(move || {
            let mut s = 0u64;
            for i in lo..hi {
                s = s.wrapping_add(mix(i));
            }
            sums[j].store(s, Relaxed);
            wg.done();
        });
    }
    wg.wait();
    let elapsed = rt0::time::nanotime() - t0;
    let total = sums
        .iter()
        .fold(0u64, |t, s| t.wrapping_add(s.load(Relaxed)));
    rt0::println!("check={total:016x}");
    benchutil::report(elapsed, n);
}
