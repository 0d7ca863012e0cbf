//! The global run queue is not starved (Go's "check the global runnable
//! queue once in a while", every 61 schedticks, in `findRunnable`).
//!
//! K chains of goroutines keep the local run queue busy forever: each
//! link spawns its successor and then an empty goroutine, which pushes the
//! successor out of `runnext` to the tail of the local queue, so the local
//! queue never empties and each link is a fresh scheduling tick. The main
//! goroutine calls `gosched` ROUNDS times, which puts it on the *global*
//! queue; only the periodic fairness check can bring it back. It counts the
//! chain links that ran while it was away (the most in one round is
//! printed), then stops the chains. If the global queue were starved the
//! chains would run forever: a link that sees LIMIT_MS pass prints a
//! `FAIL:` line and exits 1.
//!
//! Usage: `sched_fair [K] [ROUNDS] [LIMIT_MS]`; prints
//! `rounds=R max_links_away=M total_links=T`.
#![no_std]
#![no_main]
extern crate alloc;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering::SeqCst};
use rt0::sync::WaitGroup;

rt0::main!(main);

static LINKS: AtomicU64 = AtomicU64::new(0);
static STOP: AtomicBool = AtomicBool::new(false);
static DEADLINE: AtomicI64 = AtomicI64::new(0);

/// One link of a chain: spawn the next link, then an empty goroutine.
fn link(wg: Arc<WaitGroup>) {
    if STOP.load(SeqCst) {
        wg.done();
        return;
    }
    let n = LINKS.fetch_add(1, SeqCst);
    if n.is_multiple_of(1024) && rt0::time::nanotime() > DEADLINE.load(SeqCst) {
        rt0::eprintln!(
            "FAIL: {n} chain links ran and the main goroutine on the global run queue never did"
        );
        rt0::sys::process::exit_group(1);
    }
    rt0::runtime::go(move || link(wg));
    rt0::runtime::go(|| {});
}

fn main() {
    let k: i32 = rt0::env::arg(1).unwrap_or(2);
    let rounds: u32 = rt0::env::arg(2).unwrap_or(100);
    let limit_ms: i64 = rt0::env::arg(3).unwrap_or(20_000);
    DEADLINE.store(rt0::time::nanotime() + limit_ms * 1_000_000, SeqCst);
    let wg = Arc::new(WaitGroup::new());
    wg.add(k);
    for _ in 0..k {
        let wg = wg.clone();
        rt0::runtime::go(move || link(wg));
    }
    let mut max_away = 0;
    for _ in 0..rounds {
        let before = LINKS.load(SeqCst);
        rt0::runtime::gosched(); // onto the global run queue
        max_away = max_away.max(LINKS.load(SeqCst) - before);
    }
    STOP.store(true, SeqCst);
    wg.wait();
    rt0::println!(
        "rounds={rounds} max_links_away={max_away} total_links={}",
        LINKS.load(SeqCst)
    );
}
