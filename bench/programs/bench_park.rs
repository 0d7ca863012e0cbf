//! Benchmark `park`, twin of bench/go/park: COUNT goroutines alive at once,
//! all parked. Each starts, checks in on a WaitGroup and blocks receiving
//! from one gate channel; when all have checked in, main closes the gate
//! and waits for them to finish. Prints ns per goroutine (start, park,
//! wake, exit); the harness reports peak RSS, mostly the parked
//! goroutines' stacks.
#![no_std]
#![no_main]
extern crate alloc;
use alloc::sync::Arc;
use rt0::chan::Chan;
use rt0::sync::WaitGroup;

#[path = "benchutil/mod.rs"]
mod benchutil;

rt0::main!(main);

fn main() {
    let n = benchutil::count();
    let gate: Chan<()> = Chan::new(0);
    let started = Arc::new(WaitGroup::new());
    let finished = Arc::new(WaitGroup::new());
    started.add(n as isize);
    finished.add(n as isize);
    let t0 = rt0::time::nanotime();
    for _ in 0..n {
        let (gate, started, finished) = (gate.clone(), started.clone(), finished.clone());
        rt0::runtime::go(move || {
            started.done();
            let _ = gate.recv();
            finished.done();
        });
    }
    started.wait();
    // None can finish before the gate closes: all n are alive (each on its
    // own stack) at this point.
    let parked = rt0::runtime::num_goroutine() - 1;
    gate.close();
    finished.wait();
    let elapsed = rt0::time::nanotime() - t0;
    rt0::println!("parked={parked}");
    benchutil::report(elapsed, n);
}
