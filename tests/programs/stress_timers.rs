//! Stress programs for timers with exact counters (run by `make stress`,
//! scripts/stress.py, which compares every stdout line exactly; lines
//! starting with `info ` are not compared). A timer may fire late (the
//! machine is loaded, qemu is slow), never early, and every one fires.
//!
//! - `sleepers G K MAX_US`: G goroutines each sleep K times for a
//!   pseudo-random 0..=MAX_US microseconds; each sleep is checked against
//!   the clock. Prints `sleepers goroutines=G sleeps=G*K early=0`.
//! - `after G K MAX_US`: the same with `select!` over `after(d)` and a
//!   channel nobody sends on; the value received must be a clock reading
//!   at or after the deadline. Prints `after goroutines=G fired=G*K early=0
//!   other=0`.
//! - `tickers T N PERIOD_US`: T tickers, each read N times by its own
//!   goroutine; the j-th tick received must carry a time at least j
//!   periods after the ticker started (slow readers may miss ticks, never
//!   get early ones) and arrive after that time. Prints
//!   `tickers tickers=T ticks=T*N early=0`.
#![no_std]
#![no_main]
extern crate alloc;

#[path = "chanutil/mod.rs"]
mod chanutil;

use alloc::sync::Arc;
use chanutil::{Rng, arg, arg_u64, usage};
use core::sync::atomic::{AtomicU64, Ordering::SeqCst};
use core::time::Duration;
use rt0::chan::Chan;
use rt0::runtime::go;
use rt0::sync::WaitGroup;
use rt0::time::{Ticker, after, nanotime};

rt0::main!(main);

const NS_PER_US: i64 = 1_000;

struct Counts {
    done: AtomicU64,
    early: AtomicU64,
    other: AtomicU64,
    /// Largest lateness seen, in microseconds (for the `info` line).
    late_us: AtomicU64,
}

impl Counts {
    fn new() -> Arc<Counts> {
        Arc::new(Counts {
            done: AtomicU64::new(0),
            early: AtomicU64::new(0),
            other: AtomicU64::new(0),
            late_us: AtomicU64::new(0),
        })
    }
    /// Records a wake-up at `now` for a deadline `when`.
    fn woke(&self, when: i64, now: i64) {
        self.done.fetch_add(1, SeqCst);
        if now < when {
            self.early.fetch_add(1, SeqCst);
        } else {
            self.late_us
                .fetch_max(((now - when) / NS_PER_US) as u64, SeqCst);
        }
    }
}

/// Runs `body(goroutine index, counts)` on G goroutines and waits for all.
fn on_goroutines(
    g: u64,
    body: impl Fn(u64, &Counts) + Send + Sync + Clone + 'static,
) -> Arc<Counts> {
    let counts = Counts::new();
    let wg = Arc::new(WaitGroup::new());
    wg.add(g as isize);
    for i in 0..g {
        let (counts, wg, body) = (counts.clone(), wg.clone(), body.clone());
        go(move || {
            body(i, &counts);
            wg.done();
        });
    }
    wg.wait();
    counts
}

fn sleepers(g: u64, k: u64, max_us: u64) {
    let c = on_goroutines(g, move |i, counts| {
        let mut rng = Rng::new(i + 1);
        for _ in 0..k {
            let d = rng.range(0, max_us) as i64 * NS_PER_US;
            let start = nanotime();
            rt0::time::sleep(Duration::from_nanos(d as u64));
            counts.woke(start + d, nanotime());
        }
    });
    rt0::println!(
        "sleepers goroutines={g} sleeps={} early={}",
        c.done.load(SeqCst),
        c.early.load(SeqCst)
    );
    rt0::println!("info late_max_us={}", c.late_us.load(SeqCst));
}

fn afters(g: u64, k: u64, max_us: u64) {
    let c = on_goroutines(g, move |i, counts| {
        let mut rng = Rng::new(i + 1);
        let never: Chan<u8> = Chan::new(0);
        for _ in 0..k {
            let d = rng.range(0, max_us) as i64 * NS_PER_US;
            let start = nanotime();
            let t = after(Duration::from_nanos(d as u64));
            rt0::select! {
                recv(t) -> v => match v {
                    Ok(at) => {
                        counts.woke(start + d, at);
                        // The value is the clock when it fired: not later
                        // than when we got it.
                        if nanotime() < at {
                            counts.early.fetch_add(1, SeqCst);
                        }
                    }
                    Err(_) => { counts.other.fetch_add(1, SeqCst); }
                },
                recv(never) -> _v => { counts.other.fetch_add(1, SeqCst); },
            }
        }
    });
    rt0::println!(
        "after goroutines={g} fired={} early={} other={}",
        c.done.load(SeqCst),
        c.early.load(SeqCst),
        c.other.load(SeqCst)
    );
    rt0::println!("info late_max_us={}", c.late_us.load(SeqCst));
}

fn tickers(t: u64, n: u64, period_us: u64) {
    let c = on_goroutines(t, move |_, counts| {
        let p = period_us as i64 * NS_PER_US;
        let start = nanotime();
        let tk = Ticker::new(Duration::from_nanos(p as u64));
        let mut last = start;
        for j in 1..=n as i64 {
            match tk.chan().recv() {
                Ok(at) => {
                    // Ticks come in order, each at least j periods in.
                    if at < last {
                        counts.early.fetch_add(1, SeqCst);
                    }
                    last = at;
                    counts.woke(start + j * p, at);
                    if nanotime() < at {
                        counts.early.fetch_add(1, SeqCst);
                    }
                }
                Err(_) => {
                    counts.other.fetch_add(1, SeqCst);
                }
            }
        }
        tk.stop();
    });
    rt0::println!(
        "tickers tickers={t} ticks={} early={} other={}",
        c.done.load(SeqCst),
        c.early.load(SeqCst),
        c.other.load(SeqCst)
    );
    rt0::println!("info late_max_us={}", c.late_us.load(SeqCst));
}

fn main() {
    match arg(1) {
        "sleepers" => sleepers(arg_u64(2, 200), arg_u64(3, 10), arg_u64(4, 2_000)),
        "after" => afters(arg_u64(2, 200), arg_u64(3, 10), arg_u64(4, 2_000)),
        "tickers" => tickers(arg_u64(2, 20), arg_u64(3, 20), arg_u64(4, 1_000)),
        other => usage(other),
    }
}
