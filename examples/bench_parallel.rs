//! Benchmark `parallel`: a CPU-bound job (a 64-bit mix hash over a range)
//! split over 64 goroutines; ns per element. Comparing GOMAXPROCS=1 and 2
//! gives the speed-up. Go twin: bench/go/parallel.
#![no_std]
#![no_main]
extern crate alloc;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use rt0::sync::WaitGroup;

rt0::main!(main);

const JOBS: u64 = 64;

/// splitmix64's finaliser: cheap, branch-free, not optimisable away.
fn mix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn main() {
    let n: u64 = rt0::env::args()
        .nth(1)
        .and_then(|a| core::str::from_utf8(a).ok()?.parse().ok())
        .unwrap_or(200_000_000);
    let wg = Arc::new(WaitGroup::new());
    let total = Arc::new(AtomicU64::new(0));
    wg.add(JOBS as i32);
    let t0 = rt0::time::nanotime();
    for j in 0..JOBS {
        let (wg, total) = (wg.clone(), total.clone());
        rt0::runtime::go(move || {
            let (lo, hi) = (j * n / JOBS, (j + 1) * n / JOBS);
            let mut acc = 0u64;
            for i in lo..hi {
                acc = acc.wrapping_add(mix(i));
            }
            total.fetch_add(acc, Relaxed);
            wg.done();
        });
    }
    wg.wait();
    let dt = rt0::time::nanotime() - t0;
    rt0::println!("checksum={:#x}", total.load(Relaxed));
    rt0::println!("{} ns/op", dt as u64 * 1000 / n / 1000);
}
