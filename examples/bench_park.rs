//! Benchmark `park`: N goroutines all start, block on one gate, and are
//! released; ns per goroutine (the harness also reports peak RSS).
//! Go twin: bench/go/park. The gate is a WaitGroup with count 1 that main
//! releases once every goroutine has started (Go's twin closes a channel).
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
    let started = Arc::new(WaitGroup::new());
    let finished = Arc::new(WaitGroup::new());
    let gate = Arc::new(WaitGroup::new());
    gate.add(1);
    started.add(n as i32);
    finished.add(n as i32);
    let t0 = rt0::time::nanotime();
    for _ in 0..n {
        let (started, finished, gate) = (started.clone(), finished.clone(), gate.clone());
        rt0::runtime::go(move || {
            started.done();
            gate.wait();
            finished.done();
        });
    }
    started.wait();
    let parked = rt0::runtime::num_goroutine() - 1;
    gate.done();
    finished.wait();
    let dt = rt0::time::nanotime() - t0;
    rt0::println!("parked={parked}");
    rt0::println!("{} ns/op", dt as u64 / n);
}
