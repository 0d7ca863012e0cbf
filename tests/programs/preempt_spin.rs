//! Goroutines that never call into the runtime do not starve the others
//! (Go 1.14's asynchronous preemption: sysmon preempts a goroutine that
//! has run 10 ms, SIGURG, an injected call that yields). The shapes of
//! Go's TestPreemption, TestYieldProgress and TestPingPongHog
//! (runtime/proc_test.go), rewritten for rt0. Every hog is the loop of
//! `preempt_util::hog`: no runtime call, so only a preemption takes its P.
//!
//! Without preemption each mode hangs for ever (a hogged P never runs the
//! timer, the sender or the panicking goroutine): the test
//! (tests/preempt_spin.rs) kills it after a few seconds and says so.
//!
//! Modes (times in microseconds; HOGS defaults to GOMAXPROCS):
//! - `sleep [HOGS] [MS]`: HOGS hogs while main sleeps MS (100) ms:
//!   `slept_us=T hogs=H started=S`.
//! - `chan [HOGS] [MS]`: main receives from a channel that another
//!   goroutine sends on after sleeping MS ms: `waited_us=T hogs=H`.
//! - `panic [HOGS] [MS]`: a goroutine sleeps MS ms and panics while HOGS
//!   hogs spin and main waits on a channel nobody sends on: the panic
//!   report (exit status 2).
//! - `ticker [HOGS] [TICKS] [PERIOD_US]`: main sleeps PERIOD_US (1000)
//!   TICKS (200) times beside the hogs and measures how late each wake-up
//!   is: `ticks=N early=E p50_us= p99_us= max_us=`.
//! - `pingpong [MS]`: Go's TestPingPongHog: two goroutines hand a token to
//!   each other over an unbuffered channel doing 1e6 increments per turn,
//!   two others 1e3, for MS (100) ms: `hog=H light=L`. With fair time
//!   slices (a hand-off inherits the slice, sysmon ends it after 10 ms)
//!   the counts are within a factor of 20.
#![no_std]
#![no_main]
extern crate alloc;

#[path = "chanutil/mod.rs"]
mod chanutil;
#[path = "preempt_util/mod.rs"]
mod preempt_util;

use alloc::sync::Arc;
use alloc::vec::Vec;
use chanutil::{arg, arg_u64, usage};
use core::hint::black_box;
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use core::time::Duration;
use preempt_util::{STARTED, STOP, percentiles, start_hogs, us};
use rt0::chan::Chan;
use rt0::runtime::go;
use rt0::sync::WaitGroup;
use rt0::time::{nanotime, sleep};

rt0::main!(main);

/// Increments per turn of TestPingPongHog's hog and light pairs.
const HOG_LIMIT: u64 = 1_000_000;
const LIGHT_LIMIT: u64 = 1_000;

fn main() {
    let procs = rt0::runtime::gomaxprocs() as u64;
    let wg = Arc::new(WaitGroup::new());
    match arg(1) {
        "sleep" => {
            let hogs = arg_u64(2, procs);
            let ms = arg_u64(3, 100);
            start_hogs(hogs, &wg);
            let t0 = nanotime();
            sleep(Duration::from_millis(ms));
            let took = nanotime() - t0;
            let started = STARTED.load(Relaxed);
            stop(&wg);
            rt0::println!("slept_us={} hogs={hogs} started={started}", us(took));
        }
        "chan" => {
            let hogs = arg_u64(2, procs);
            let ms = arg_u64(3, 100);
            let c: Chan<u64> = Chan::new(0);
            start_hogs(hogs, &wg);
            let t0 = nanotime();
            {
                let c = c.clone();
                go(move || {
                    sleep(Duration::from_millis(ms));
                    c.send(7).unwrap();
                });
            }
            let v = c.recv().unwrap();
            let took = nanotime() - t0;
            stop(&wg);
            rt0::println!("waited_us={} hogs={hogs} value={v}", us(took));
        }
        "panic" => {
            let hogs = arg_u64(2, procs);
            let ms = arg_u64(3, 50);
            start_hogs(hogs, &wg);
            go(move || {
                sleep(Duration::from_millis(ms));
                panic!("a goroutine panics while {hogs} hogs spin");
            });
            // Nobody sends: main waits until the panic ends the program.
            let never: Chan<u8> = Chan::new(0);
            let _ = never.recv();
        }
        "ticker" => {
            let hogs = arg_u64(2, procs);
            let ticks = arg_u64(3, 200);
            let period = arg_u64(4, 1_000) as i64 * 1_000;
            start_hogs(hogs, &wg);
            let mut late = Vec::with_capacity(ticks as usize);
            let mut early = 0;
            for _ in 0..ticks {
                let t0 = nanotime();
                sleep(Duration::from_nanos(period as u64));
                let l = nanotime() - t0 - period;
                if l < 0 {
                    early += 1;
                }
                late.push(l);
            }
            stop(&wg);
            let (p50, p99, max) = percentiles(&mut late);
            rt0::println!(
                "ticks={ticks} early={early} p50_us={} p99_us={} max_us={}",
                us(p50),
                us(p99),
                us(max)
            );
        }
        "pingpong" => pingpong(arg_u64(2, 100)),
        other => usage(other),
    }
}

/// Stops the hogs and waits until every one has left its loop.
fn stop(wg: &WaitGroup) {
    STOP.store(true, Relaxed);
    wg.wait();
}

/// One goroutine of a TestPingPongHog pair: on each token, `limit`
/// increments of the pair's counter, then the token goes back.
fn pingpong_turns(limit: u64, counter: &AtomicU64, wake: &Chan<bool>, done: &Chan<()>) {
    loop {
        rt0::select! {
            recv(done) -> _ => return,
            recv(wake) -> _ => {
                let mut c = counter.load(Relaxed);
                for _ in 0..limit {
                    c = black_box(c) + 1;
                }
                counter.store(c, Relaxed);
                wake.send(true).unwrap();
            },
        }
    }
}

fn pingpong(ms: u64) {
    let done: Chan<()> = Chan::new(0);
    let (hog_chan, light_chan): (Chan<bool>, Chan<bool>) = (Chan::new(0), Chan::new(0));
    let hog_count = Arc::new(AtomicU64::new(0));
    let light_count = Arc::new(AtomicU64::new(0));
    for (limit, count, wake) in [
        (HOG_LIMIT, &hog_count, &hog_chan),
        (LIGHT_LIMIT, &light_count, &light_chan),
    ] {
        for _ in 0..2 {
            let (count, wake, done) = (count.clone(), wake.clone(), done.clone());
            go(move || pingpong_turns(limit, &count, &wake, &done));
        }
    }
    hog_chan.send(true).unwrap();
    light_chan.send(true).unwrap();
    sleep(Duration::from_millis(ms));
    done.close();
    hog_chan.recv().unwrap();
    light_chan.recv().unwrap();
    rt0::println!(
        "hog={} light={}",
        hog_count.load(Relaxed),
        light_count.load(Relaxed)
    );
}
