//! The body of bench_prodcons0, bench_prodcons10 and bench_prodcons100, as
//! bench/go/internal/prodcons is for their Go twins: P producers and P
//! consumers (P = GOMAXPROCS) on one channel of the given capacity.
//! Producer k sends its share of 0..COUNT-1; when all producers are done
//! main closes the channel; consumers receive until it is closed. Prints ns
//! per value (COUNT values), with check= the sum of everything received.
//! Included with `#[path]` after `benchutil`.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use rt0::chan::Chan;
use rt0::sync::WaitGroup;

use crate::benchutil;

/// Runs the workload with a channel of capacity `capacity`.
pub fn main(capacity: usize) {
    let n = benchutil::count();
    let p = rt0::runtime::gomaxprocs() as u64;
    let c: Chan<u64> = Chan::new(capacity);
    let sums: Arc<Vec<AtomicU64>> = Arc::new((0..p).map(|_| AtomicU64::new(0)).collect());
    let producers = Arc::new(WaitGroup::new());
    let consumers = Arc::new(WaitGroup::new());
    producers.add(p as isize);
    consumers.add(p as isize);
    let t0 = rt0::time::nanotime();
    for k in 0..p {
        let (lo, hi) = (n * k / p, n * (k + 1) / p);
        let (c1, producers) = (c.clone(), producers.clone());
        rt0::runtime::go(move || {
            for i in lo..hi {
                c1.send(i).unwrap();
            }
            producers.done();
        });
        let (c2, sums, consumers) = (c.clone(), sums.clone(), consumers.clone());
        rt0::runtime::go(move || {
            let mut s = 0u64;
            for v in &c2 {
                s = s.wrapping_add(v);
            }
            sums[k as usize].store(s, Relaxed);
            consumers.done();
        });
    }
    producers.wait();
    c.close();
    consumers.wait();
    let elapsed = rt0::time::nanotime() - t0;
    let total = sums
        .iter()
        .fold(0u64, |t, s| t.wrapping_add(s.load(Relaxed)));
    rt0::println!("check={total}");
    benchutil::report(elapsed, n);
}
