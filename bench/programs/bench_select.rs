//! Benchmark `select`, twin of bench/go/select: the cost of a select over
//! 4 channels that are all ready. Each channel has capacity 1 and holds one
//! value; a goroutine runs COUNT selects, each receiving from one of the
//! four (chosen at random by `select!`, as in Go) and putting the value
//! straight back, so all four stay ready. Main waits for it (a `done`
//! channel the goroutine closes). Prints ns per select (including the one
//! buffered send that refills the channel). check= is COUNT, the number of
//! selects that completed; picks= shows how select spread them.
#![no_std]
#![no_main]
extern crate alloc;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use rt0::chan::Chan;

#[path = "benchutil/mod.rs"]
mod benchutil;

rt0::main!(main);

fn main() {
    let n = benchutil::count();
    let cs: [Chan<usize>; 4] = core::array::from_fn(|i| {
        let c = Chan::new(1);
        c.send(i).unwrap();
        c
    });
    let picks: Arc<[AtomicU64; 4]> = Arc::new([const { AtomicU64::new(0) }; 4]);
    let done: Chan<()> = Chan::new(0);
    let t0 = rt0::time::nanotime();
    {
        let (picks, done) = (picks.clone(), done.clone());
        rt0::runtime::go(move || {
            let mut p = [0u64; 4];
            for _ in 0..n {
                rt0::select! {
                    recv(cs[0]) -> v => { let v = v.unwrap(); p[v] += 1; cs[0].send(v).unwrap(); },
                    recv(cs[1]) -> v => { let v = v.unwrap(); p[v] += 1; cs[1].send(v).unwrap(); },
                    recv(cs[2]) -> v => { let v = v.unwrap(); p[v] += 1; cs[2].send(v).unwrap(); },
                    recv(cs[3]) -> v => { let v = v.unwrap(); p[v] += 1; cs[3].send(v).unwrap(); },
                }
            }
            for (slot, v) in picks.iter().zip(p) {
                slot.store(v, Relaxed);
            }
            done.close();
        });
    }
    let _ = done.recv();
    let elapsed = rt0::time::nanotime() - t0;
    let p: [u64; 4] = core::array::from_fn(|i| picks[i].load(Relaxed));
    rt0::println!("check={}", p.iter().sum::<u64>());
    rt0::println!("picks={},{},{},{}", p[0], p[1], p[2], p[3]);
    benchutil::report(elapsed, n);
}
