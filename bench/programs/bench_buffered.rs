//! Benchmark `buffered`, twin of bench/go/buffered: throughput of a
//! buffered channel (capacity 128) between one producer goroutine and one
//! consumer (main). The producer sends 0..COUNT-1 and closes; main sums
//! what it receives. Prints ns per value. check= is the sum.
#![no_std]
#![no_main]
use rt0::chan::Chan;

#[path = "benchutil/mod.rs"]
mod benchutil;

rt0::main!(main);

const CAPACITY: usize = 128;

fn main() {
    let n = benchutil::count();
    let c: Chan<u64> = Chan::new(CAPACITY);
    let t0 = rt0::time::nanotime();
    {
        let c = c.clone();
        rt0::runtime::go(move || {
            for i in 0..n {
                c.send(i).unwrap();
            }
            c.close();
        });
    }
    let mut sum = 0u64;
    for v in &c {
        sum = sum.wrapping_add(v);
    }
    let elapsed = rt0::time::nanotime() - t0;
    rt0::println!("check={sum}");
    benchutil::report(elapsed, n);
}
