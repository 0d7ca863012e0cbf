//! Benchmark `pingpong`, twin of bench/go/pingpong: the latency of an
//! unbuffered channel hand-off. Main sends a value on `ping`, a second
//! goroutine receives it and sends it back plus one on `pong`, COUNT times.
//! Prints ns per round trip (two hand-offs, each a park and a wake-up of
//! the other side). check= is the final value.
#![no_std]
#![no_main]
use rt0::chan::Chan;

#[path = "benchutil/mod.rs"]
mod benchutil;

rt0::main!(main);

fn main() {
    let n = benchutil::count();
    let (ping, pong): (Chan<u64>, Chan<u64>) = (Chan::new(0), Chan::new(0));
    {
        let (ping, pong) = (ping.clone(), pong.clone());
        rt0::runtime::go(move || {
            for v in &ping {
                pong.send(v + 1).unwrap();
            }
        });
    }
    let mut v = 0;
    let t0 = rt0::time::nanotime();
    for _ in 0..n {
        ping.send(v).unwrap();
        v = pong.recv().unwrap();
    }
    let elapsed = rt0::time::nanotime() - t0;
    ping.close();
    rt0::println!("check={v}");
    benchutil::report(elapsed, n);
}
