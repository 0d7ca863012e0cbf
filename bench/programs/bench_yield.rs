//! Benchmark `yield`, twin of bench/go/yield: the cost of `gosched`, i.e.
//! of one trip through the scheduler. Two goroutines each call `gosched`
//! COUNT times; main waits. Prints ns per switch (2*COUNT switches in all).
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
    wg.add(2);
    let t0 = rt0::time::nanotime();
    for _ in 0..2 {
        let wg = wg.clone();
        rt0::runtime::go(move || {
            for _ in 0..n {
                rt0::runtime::gosched();
            }
            wg.done();
        });
    }
    wg.wait();
    benchutil::report(rt0::time::nanotime() - t0, 2 * n);
}
