//! `set_gomaxprocs` at run time (Go's `TestGOMAXPROCS`-style checks and
//! the resize-under-load idea of Go's `TestStopTheWorldDeadlock`,
//! rewritten for rt0). Each mode prints `key=value` lines that
//! tests/gomaxprocs.rs checks exactly.
//!
//! - `prev`: the values returned (the previous count; 0 only asks; a
//!   request above the maximum is clamped).
//! - `pipeline ROUNDS ITEMS`: a producer, 4 workers and a consumer pass
//!   ITEMS values through channels while 8 sleepers count their sleeps
//!   and main resizes 1 -> 8 -> 2 -> 1 -> 4 -> 3 -> 6 ... ROUNDS times,
//!   checking each returned value: the sum and counts are exact.
//! - `timers N`: at 8 Ps, N goroutines sleep 200 ms and a ticker ticks;
//!   once they are all parked GOMAXPROCS drops to 1: the timers of the
//!   removed Ps must be in the survivor's heap (`in_heaps`) and all fire.
//! - `trace`: resizes to 3 and 5 under `GODEBUG=schedtrace`, sleeping in
//!   between, for the test to find both in the `SCHED` lines.
//! - `spin`: a goroutine spins without calling into the runtime while
//!   main resizes: needs asynchronous preemption (enabled after the merge).
#![no_std]
#![no_main]
extern crate alloc;

#[path = "chanutil/mod.rs"]
mod chanutil;

use alloc::sync::Arc;
use chanutil::{arg, arg_u64, usage, wait_parked};
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
use core::time::Duration;
use rt0::chan::Chan;
use rt0::runtime::{MAX_GOMAXPROCS, go, gomaxprocs, set_gomaxprocs};
use rt0::sync::WaitGroup;
use rt0::time::{Ticker, nanotime, sleep};

rt0::main!(main);

/// The sizes the pipeline mode cycles through.
const SIZES: [usize; 10] = [1, 8, 2, 1, 4, 3, 6, 1, 5, 2];

fn prev() {
    let initial = gomaxprocs();
    rt0::println!("initial={initial}");
    rt0::println!("ask={}", set_gomaxprocs(0));
    rt0::println!("set3={}", set_gomaxprocs(3));
    rt0::println!("set3_again={}", set_gomaxprocs(3));
    rt0::println!("now={}", gomaxprocs());
    rt0::println!("set_huge={}", set_gomaxprocs(usize::MAX));
    rt0::println!("clamped={}", gomaxprocs() == MAX_GOMAXPROCS);
    rt0::println!("set1={}", set_gomaxprocs(1));
    rt0::println!("ask_end={}", set_gomaxprocs(0));
}

fn pipeline(rounds: u64, items: u64) {
    let src: Chan<u64> = Chan::new(16);
    let out: Chan<u64> = Chan::new(16);
    let workers = Arc::new(WaitGroup::new());
    for _ in 0..4 {
        let (src, out, workers) = (src.clone(), out.clone(), workers.clone());
        workers.add(1);
        go(move || {
            for v in src.iter() {
                out.send(v * 3).unwrap();
            }
            workers.done();
        });
    }
    {
        let src = src.clone();
        go(move || {
            for i in 0..items {
                src.send(i).unwrap();
            }
            src.close();
        });
    }
    {
        let (out, workers) = (out.clone(), workers.clone());
        go(move || {
            workers.wait();
            out.close();
        });
    }
    let total: Chan<(u64, u64)> = Chan::new(1);
    {
        let (out, total) = (out.clone(), total.clone());
        go(move || {
            let (mut sum, mut n) = (0u64, 0u64);
            for v in out.iter() {
                sum += v;
                n += 1;
            }
            total.send((sum, n)).unwrap();
        });
    }
    // Sleepers: timers on whichever P they sleep on.
    let stop = Arc::new(AtomicBool::new(false));
    let sleeps = Arc::new(AtomicU64::new(0));
    let sleepers = Arc::new(WaitGroup::new());
    for k in 0..8u64 {
        let (stop, sleeps, sleepers) = (stop.clone(), sleeps.clone(), sleepers.clone());
        sleepers.add(1);
        go(move || {
            while !stop.load(SeqCst) {
                sleep(Duration::from_micros(100 + 50 * k));
                sleeps.fetch_add(1, SeqCst);
            }
            sleepers.done();
        });
    }
    let mut expect = gomaxprocs();
    let mut bad_prev = 0;
    let mut resizes = 0;
    for r in 0..rounds {
        let n = SIZES[(r as usize) % SIZES.len()];
        let got = set_gomaxprocs(n);
        if got != expect {
            bad_prev += 1;
        }
        if gomaxprocs() != n {
            bad_prev += 1;
        }
        expect = n;
        resizes += 1;
        sleep(Duration::from_micros(200));
    }
    let (sum, n) = total.recv().unwrap();
    stop.store(true, SeqCst);
    sleepers.wait();
    rt0::println!("resizes={resizes}");
    rt0::println!("bad_prev={bad_prev}");
    rt0::println!("items={n}");
    rt0::println!("sum={sum}");
    rt0::println!("want_sum={}", 3 * items * (items - 1) / 2);
    rt0::println!("slept={}", sleeps.load(SeqCst) > 0);
    rt0::println!("final={}", gomaxprocs());
}

fn timers(n: u64) {
    set_gomaxprocs(8);
    let fired = Arc::new(AtomicU64::new(0));
    let late_max = Arc::new(AtomicU64::new(0));
    let wg = Arc::new(WaitGroup::new());
    const WAIT_NS: i64 = 200_000_000;
    for _ in 0..n {
        let (fired, late_max, wg) = (fired.clone(), late_max.clone(), wg.clone());
        wg.add(1);
        go(move || {
            let t0 = nanotime();
            sleep(Duration::from_nanos(WAIT_NS as u64));
            let late = (nanotime() - t0 - WAIT_NS).max(0) as u64;
            late_max.fetch_max(late, SeqCst);
            fired.fetch_add(1, SeqCst);
            wg.done();
        });
    }
    let ticks = Arc::new(AtomicU64::new(0));
    let ticker_done: Chan<()> = Chan::new(1);
    {
        let (ticks, ticker_done) = (ticks.clone(), ticker_done.clone());
        go(move || {
            let t = Ticker::new(Duration::from_millis(5));
            while ticks.load(SeqCst) < 20 {
                t.chan().recv().unwrap();
                ticks.fetch_add(1, SeqCst);
            }
            t.stop();
            ticker_done.send(()).unwrap();
        });
    }
    wait_parked("sleep", n as usize);
    let before = rt0::export_test::timers_in_heaps();
    set_gomaxprocs(1);
    // Every timer of the removed Ps is now in P0's heap (the only one
    // counted), or has fired already.
    let after = rt0::export_test::timers_in_heaps() as u64 + fired.load(SeqCst);
    wg.wait();
    ticker_done.recv().unwrap();
    rt0::println!("sleepers={n}");
    rt0::println!("in_heaps_before_ok={}", before as u64 >= n);
    rt0::println!("accounted_after_ok={}", after >= n);
    rt0::println!("fired={}", fired.load(SeqCst));
    rt0::println!("ticks={}", ticks.load(SeqCst));
    rt0::println!("late_max_ms={}", late_max.load(SeqCst) / 1_000_000);
    rt0::println!("in_heaps_end={}", rt0::export_test::timers_in_heaps());
}

fn trace() {
    set_gomaxprocs(3);
    sleep(Duration::from_millis(60));
    set_gomaxprocs(5);
    sleep(Duration::from_millis(60));
    rt0::println!("final={}", gomaxprocs());
}

fn spin() {
    set_gomaxprocs(2);
    let stop = Arc::new(AtomicBool::new(false));
    let spins = Arc::new(AtomicU64::new(0));
    {
        let (stop, spins) = (stop.clone(), spins.clone());
        go(move || {
            while !stop.load(SeqCst) {
                spins.fetch_add(1, SeqCst);
            }
        });
    }
    while spins.load(SeqCst) == 0 {
        rt0::runtime::gosched();
    }
    let prev = set_gomaxprocs(1);
    let back = set_gomaxprocs(2);
    stop.store(true, SeqCst);
    rt0::println!("prev={prev}");
    rt0::println!("back={back}");
}

fn main() {
    match arg(1) {
        "prev" => prev(),
        "pipeline" => pipeline(arg_u64(2, 200), arg_u64(3, 20_000)),
        "timers" => timers(arg_u64(2, 64)),
        "trace" => trace(),
        "spin" => spin(),
        other => usage(other),
    }
}
