//! Scheduler smoke test: nested spawning, WaitGroup, Mutex and Once under
//! contention, with checksums that show nothing lost or run twice.
#![no_std]
#![no_main]
extern crate alloc;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicU64, Ordering::SeqCst};
use rt0::sync::{Mutex, Once, WaitGroup};

rt0::main!(main);

fn main() {
    let n: u64 = rt0::env::arg(1).unwrap_or(10_000);
    let wg = Arc::new(WaitGroup::new());
    let m = Arc::new(Mutex::new(0u64));
    let once = Arc::new(Once::new());
    let once_runs = Arc::new(AtomicU64::new(0));
    let atomic = Arc::new(AtomicU64::new(0));
    wg.add(n as isize);
    for i in 0..n {
        let (wg, m, once, once_runs, atomic) = (
            wg.clone(),
            m.clone(),
            once.clone(),
            once_runs.clone(),
            atomic.clone(),
        );
        rt0::runtime::go(move || {
            // nested spawn
            let wg2 = wg.clone();
            let atomic2 = atomic.clone();
            wg.add(1);
            rt0::runtime::go(move || {
                atomic2.fetch_add(1, SeqCst);
                wg2.done();
            });
            for _ in 0..10 {
                *m.lock() += i;
                if i % 7 == 0 {
                    rt0::runtime::gosched();
                }
            }
            once.call_once(|| {
                once_runs.fetch_add(1, SeqCst);
            });
            wg.done();
        });
    }
    wg.wait();
    let want = 10 * n * (n - 1) / 2;
    let got = *m.lock();
    rt0::println!(
        "sum={} want={} nested={} once={} goroutines_left={}",
        got,
        want,
        atomic.load(SeqCst),
        once_runs.load(SeqCst),
        rt0::runtime::num_goroutine()
    );
    if got != want || atomic.load(SeqCst) != n || once_runs.load(SeqCst) != 1 {
        panic!("checksum mismatch");
    }
}
