//! Benchmark `spawn`, twin of bench/go/spawn: the cost of starting a
//! goroutine that does (almost) nothing. Starts COUNT goroutines, each
//! calling `done` on one WaitGroup; main waits for all of them. Prints ns
//! per goroutine: creation, scheduling, exit.
#![no_std]
#![no_main]
extern crate alloc;
use alloc::sync::Arc;
use rt0::sync::WaitGroup;

#[path = "benchutil/mod.rs"]
mod benchutil;

rt0::main!(main);

fn main() {
    let n = benchutil::count();
    let wg = Arc::new(WaitGroup::new());
    wg.add(n as isize);
    let t0 = rt0::time::nanotime();
    for _ in 0..n {
        let wg = wg.clone();
        rt0::runtime::go(move || wg.done());
    }
    wg.wait();
    benchutil::report(rt0::time::nanotime() - t0, n);
}
