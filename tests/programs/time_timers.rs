//! Timers (Go's time/sleep_test.go and tick_test.go ideas, rewritten for
//! rt0): `sleep`, many concurrent timers, `Ticker`, `after` as a select
//! timeout. Each mode measures with `nanotime` and prints `key=value`
//! statistics (times in microseconds); the test (tests/time_timers.rs)
//! holds them to strict lower bounds (never early) and generous upper
//! bounds (late by a loaded machine is fine, lost is not).
//!
//! - `sleeps N`: main and a second goroutine each sleep N times for
//!   0.1..5 ms.
//! - `busy N`: N sleeps of 0.1..2 ms while GOMAXPROCS + 1 goroutines keep
//!   every P busy (yielding now and then): no P is idle to sleep until the
//!   timer, so the busy Ps' scheduling rounds must run it.
//! - `many N`: N goroutines each sleep 1..20 ms at once.
//! - `ticker PERIOD_MS TICKS`: the values a ticker delivers against its
//!   schedule, their intervals, then `stop()`.
//! - `ticker_slow`: a receiver that falls behind finds one tick waiting,
//!   not a queue of them.
//! - `after`: select timeouts of 1..20 ms, `after(0)`, and a timeout that
//!   loses to data arriving first.
#![no_std]
#![no_main]
extern crate alloc;

#[path = "chanutil/mod.rs"]
mod chanutil;

use alloc::sync::Arc;
use alloc::vec::Vec;
use chanutil::{Rng, arg, arg_u64, usage};
use core::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering::Relaxed};
use core::time::Duration;
use rt0::chan::Chan;
use rt0::runtime::go;
use rt0::sync::WaitGroup;
use rt0::time::{Ticker, after, nanotime, sleep};

rt0::main!(main);

/// Shared statistics of many measured waits.
struct Stats {
    n: AtomicU64,
    early: AtomicU64,
    max_late: AtomicI64,
    sum_late: AtomicI64,
}

impl Stats {
    fn new() -> Arc<Stats> {
        Arc::new(Stats {
            n: AtomicU64::new(0),
            early: AtomicU64::new(0),
            max_late: AtomicI64::new(0),
            sum_late: AtomicI64::new(0),
        })
    }
    /// A wait of `want` ns took `took` ns.
    fn add(&self, want: i64, took: i64) {
        self.n.fetch_add(1, Relaxed);
        if took < want {
            self.early.fetch_add(1, Relaxed);
        }
        let late = (took - want).max(0);
        self.max_late.fetch_max(late, Relaxed);
        self.sum_late.fetch_add(late, Relaxed);
    }
    fn print(&self, label: &str) {
        let n = self.n.load(Relaxed);
        rt0::println!(
            "{label} n={n} early={} max_late_us={} mean_late_us={}",
            self.early.load(Relaxed),
            self.max_late.load(Relaxed) / 1000,
            self.sum_late.load(Relaxed) / 1000 / n.max(1) as i64
        );
    }
}

/// Sleeps `d` ns and records how long it took.
fn timed_sleep(st: &Stats, d: i64) {
    let t = nanotime();
    sleep(Duration::from_nanos(d as u64));
    st.add(d, nanotime() - t);
}

fn sleeps(n: u64) {
    let st = Stats::new();
    let wg = Arc::new(WaitGroup::new());
    wg.add(1);
    let (st2, wg2) = (st.clone(), wg.clone());
    go(move || {
        let mut rng = Rng::new(2);
        for _ in 0..n {
            timed_sleep(&st2, rng.range(100_000, 5_000_000) as i64);
        }
        wg2.done();
    });
    let mut rng = Rng::new(1);
    for _ in 0..n {
        timed_sleep(&st, rng.range(100_000, 5_000_000) as i64);
    }
    wg.wait();
    // sleep(0) returns at once.
    let t = nanotime();
    sleep(Duration::ZERO);
    let zero = nanotime() - t;
    st.print("sleeps");
    rt0::println!("sleep0 under_10ms={}", zero < 10_000_000);
}

fn busy(n: u64) {
    static STOP: AtomicBool = AtomicBool::new(false);
    let spinners = rt0::runtime::gomaxprocs() as u64 + 1;
    for _ in 0..spinners {
        go(|| {
            let mut i = 0u64;
            while !STOP.load(Relaxed) {
                i = i.wrapping_add(1);
                if i.is_multiple_of(1000) {
                    rt0::runtime::gosched();
                }
                core::hint::black_box(i);
            }
        });
    }
    let st = Stats::new();
    let mut rng = Rng::new(3);
    for _ in 0..n {
        timed_sleep(&st, rng.range(100_000, 2_000_000) as i64);
    }
    STOP.store(true, Relaxed);
    st.print("busy");
}

fn many(n: u64) {
    let st = Stats::new();
    let wg = Arc::new(WaitGroup::new());
    wg.add(n as isize);
    let t0 = nanotime();
    for i in 0..n {
        let (st, wg) = (st.clone(), wg.clone());
        go(move || {
            let d = Rng::new(i).range(1_000_000, 20_000_000) as i64;
            timed_sleep(&st, d);
            wg.done();
        });
    }
    wg.wait();
    st.print("many");
    rt0::println!("many total_ms={}", (nanotime() - t0) / 1_000_000);
}

fn ticker(period_ms: u64, ticks: u64) {
    let p = period_ms as i64 * 1_000_000;
    let before = nanotime();
    let tk = Ticker::new(Duration::from_millis(period_ms));
    let mut vals: Vec<i64> = Vec::new();
    let mut late_receipt = 0; // received before the tick's own time?
    for _ in 0..ticks {
        let v = tk.chan().recv().unwrap();
        late_receipt += u64::from(nanotime() < v);
        vals.push(v);
    }
    // The k-th tick received (k from 1) is the j-th sent for some j >= k,
    // due at (first due) + (j-1) periods, and first due >= before + p: so
    // `before + k*p` is a lower bound for it, and `late[k]` (how far past
    // that bound it came) an upper bound on its lateness.
    let late: Vec<i64> = (1..=ticks as i64)
        .map(|k| vals[k as usize - 1] - (before + k * p))
        .collect();
    let early = late.iter().filter(|&&l| l < 0).count();
    let intervals: Vec<i64> = vals.windows(2).map(|w| w[1] - w[0]).collect();
    // An interval is shortened only by the previous tick having been late
    // (the ticker keeps its schedule): shorter than p - 1 ms beyond that
    // is wrong.
    let short = intervals
        .iter()
        .zip(&late)
        .filter(|&(&i, &prev_late)| i < p - 1_000_000 - prev_late)
        .count();
    let mean = (vals[vals.len() - 1] - vals[0]) / (ticks as i64 - 1);
    let min = intervals.iter().copied().min().unwrap();
    let max = intervals.iter().copied().max().unwrap();
    rt0::println!(
        "ticker period_us={} ticks={ticks} early={early} short_unexplained={short} \
         mean_us={} min_us={} max_us={} max_late_us={} received_before_value={late_receipt}",
        p / 1000,
        mean / 1000,
        min / 1000,
        max / 1000,
        late.iter().max().unwrap() / 1000
    );
    tk.stop();
    // A tick may already be in the channel (or, from a timer running on
    // another P as stop() returned, arrive just after): at most one.
    sleep(Duration::from_millis(3 * period_ms));
    let mut after_stop = 0;
    while tk.chan().try_recv().is_ok() {
        after_stop += 1;
    }
    sleep(Duration::from_millis(5 * period_ms));
    let mut later = 0;
    while tk.chan().try_recv().is_ok() {
        later += 1;
    }
    rt0::println!("stopped after_stop={after_stop} later={later}");
}

fn ticker_slow() {
    let tk = Ticker::new(Duration::from_millis(5));
    sleep(Duration::from_millis(60)); // about 12 ticks due
    let mut waiting = 0;
    let mut last = 0;
    while let Ok(v) = tk.chan().try_recv() {
        waiting += 1;
        last = v;
    }
    let next = tk.chan().recv().unwrap();
    rt0::println!(
        "ticker_slow waiting={waiting} next_is_later={}",
        next > last
    );
    tk.stop();
}

fn timeouts() {
    let never: Chan<u8> = Chan::new(0);
    let st = Stats::new();
    let mut value_early = 0;
    for d in [1u64, 2, 5, 10, 20] {
        for _ in 0..5 {
            let want = d as i64 * 1_000_000;
            let t0 = nanotime();
            let fired = rt0::select! {
                recv(never) -> _v => None,
                recv(after(Duration::from_millis(d))) -> v => Some(v.unwrap()),
            };
            st.add(want, nanotime() - t0);
            // The timer's own reading is not early either.
            value_early += u64::from(fired.is_none_or(|v| v < t0 + want));
        }
    }
    st.print("timeout");
    rt0::println!("timer_value early={value_early}");
    // after(0): fires at once, whether received directly or in a select.
    let zero = Stats::new();
    for i in 0..100 {
        let t0 = nanotime();
        if i % 2 == 0 {
            after(Duration::ZERO).recv().unwrap();
        } else {
            rt0::select! {
                recv(never) -> _v => {},
                recv(after(Duration::ZERO)) -> _v => {},
            }
        }
        zero.add(0, nanotime() - t0);
    }
    zero.print("after0");
    // Data first: the timeout's case must not be taken.
    let data: Chan<u8> = Chan::new(0);
    let tx = data.clone();
    go(move || {
        sleep(Duration::from_millis(5));
        tx.send(9).unwrap();
    });
    let t0 = nanotime();
    let which = rt0::select! {
        recv(data) -> v => if v == Ok(9) { "data" } else { "bad data" },
        recv(after(Duration::from_secs(2))) -> _v => "timeout",
    };
    rt0::println!(
        "race winner={which} took_ms={}",
        (nanotime() - t0) / 1_000_000
    );
}

fn main() {
    match arg(1) {
        "sleeps" => sleeps(arg_u64(2, 150)),
        "many" => many(arg_u64(2, 10_000)),
        "busy" => busy(arg_u64(2, 200)),
        "ticker" => ticker(arg_u64(2, 10), arg_u64(3, 50)),
        "ticker_slow" => ticker_slow(),
        "after" => timeouts(),
        other => usage(other),
    }
}
