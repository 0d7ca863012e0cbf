//! Benchmark `spawn`: N goroutines each calling `done` on one WaitGroup;
//! main waits. ns per goroutine. Go twin: bench/go/spawn.
#![no_std]
#![no_main]
extern crate alloc;
use alloc::sync::Arc;
use rt0::sync::WaitGroup;

rt0::main!(main);

fn main() {
    let n: u64 = rt0::env::args()
        .nth(1)
        .and_then(|a| core::str::from_utf8(a).ok()?.parse().ok())
        .unwrap_or(1_000_000);
    let wg = Arc::new(WaitGroup::new());
    wg.add(n as i32);
    let t0 = rt0::time::nanotime();
    for _ in 0..n {
        let wg = wg.clone();
        rt0::runtime::go(move || wg.done());
    }
    wg.wait();
    let dt = rt0::time::nanotime() - t0;
    rt0::println!("{} ns/op", dt as u64 / n);
}
