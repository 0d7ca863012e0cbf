//! Work stealing spreads goroutines over threads: the main goroutine
//! spawns N CPU-bound goroutines, all onto its own P's run queue, then
//! waits. Each one spins for WORK_US microseconds and records the OS
//! thread (gettid) it ran on. With more than one P an idle M must steal
//! from main's P, so more than one thread shows up; with one P, one does.
//!
//! Usage: `sched_steal [N] [WORK_US]`; prints
//! `goroutines=N threads=T main_tid_used=B` then one `tid=X ran=K` line per
//! thread.
#![no_std]
#![no_main]
extern crate alloc;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicI32, Ordering};
use rt0::sync::WaitGroup;

rt0::main!(main);

fn main() {
    let n: usize = rt0::env::arg(1).unwrap_or(64);
    let work_ns: i64 = rt0::env::arg::<i64>(2).unwrap_or(2000) * 1000;
    let main_tid = rt0::os::gettid();
    let tids: Arc<Vec<AtomicI32>> = Arc::new((0..n).map(|_| AtomicI32::new(0)).collect());
    let wg = Arc::new(WaitGroup::new());
    wg.add(n as isize);
    for i in 0..n {
        let (tids, wg) = (tids.clone(), wg.clone());
        rt0::runtime::go(move || {
            // CPU-bound: no yield, no blocking.
            let until = rt0::time::nanotime() + work_ns;
            while rt0::time::nanotime() < until {
                core::hint::spin_loop();
            }
            tids[i].store(rt0::os::gettid(), Ordering::Relaxed);
            wg.done();
        });
    }
    wg.wait();
    let mut seen: Vec<(i32, usize)> = Vec::new();
    for t in tids.iter() {
        let tid = t.load(Ordering::Relaxed);
        match seen.iter_mut().find(|(x, _)| *x == tid) {
            Some((_, c)) => *c += 1,
            None => seen.push((tid, 1)),
        }
    }
    rt0::println!(
        "goroutines={n} threads={} main_tid_used={}",
        seen.len(),
        seen.iter().any(|(t, _)| *t == main_tid)
    );
    for (tid, ran) in &seen {
        rt0::println!("tid={tid} ran={ran}");
    }
}
