//! Stopped timers (issue 7, "Timers"): a stopped `Ticker` or `Timer` must
//! neither hold off deadlock detection nor keep its memory, and stop,
//! reset, fire and drop may race from any P. The test
//! (tests/time_stop.rs) asserts the exact output.
//!
//! Deadlock modes: each arms a one-hour timer, takes it away, prints a
//! line and blocks main forever in a channel receive. Go reports
//! `fatal error: all goroutines are asleep - deadlock!` at once (exit 2):
//! - `dl_ticker`: `Ticker::stop`; `dl_timer`: `Timer::stop`;
//!   `dl_drop`: the Ticker is dropped; `dl_reset_stop`: a Timer reset to
//!   another hour, then stopped.
//! - `dl_cross`: goroutine 2 spins 100 ms (so another M goes to sleep
//!   until the hour's tick), then stops the ticker and blocks too: the
//!   sleeping M must be woken to see that nothing is left.
//!
//! `semantics`: stop and reset of a fired, a pending and a stopped Timer,
//! and a Ticker reset to a shorter period, one after another.
//!
//! `mem N [cross]`: N one-hour tickers, each stopped and dropped at once
//! (by main, or with `cross` by a second goroutine, mostly on another P).
//! Prints the timers left in the heaps and the peak RSS (VmHWM).
//!
//! Race modes (N items, spread over WORKERS pairs of goroutines; every
//! odd item is handed to the pair's other goroutine, so that it is
//! stopped from another P than the one whose heap holds it). Each prints
//! `mismatch=0 late=0 heap=0` when right:
//! - `race_fire N`: a Timer of 0..60 us, stopped after 0..60 us (half
//!   of them after a `gosched`, which runs due timers). Stop
//!   returned true: no value ever; false: exactly one.
//! - `race_reset N`: a one-hour Timer, reset to 0..60 us by one goroutine
//!   while the other stops it (both released at once), then stopped once
//!   more. Two armings, so
//!   `2 - (resets and stops that returned true)` values, exactly.
//! - `race_resets N`: 8 goroutines each reset N times, 4 each stop N
//!   times, one of 8 shared one-hour Timers (to another hour), with no
//!   pause; then each is stopped once more: nothing fires, every one
//!   must end in no heap (a timer added twice would stay). Prints n=8.
//! - `race_ticker N`: a Ticker of 20..100 us; receive 1..3 ticks, then
//!   stop it (even items) or drop it (odd items, keeping a clone of its
//!   channel); after that at most the one tick already buffered, never
//!   another.
//!
//! `mismatch` counts items whose value count was wrong, `late` values
//! that arrived after the final settling pause (none may), `heap` timers
//! still in some P's heap at the end (all were stopped or fired).
#![no_std]
#![no_main]
extern crate alloc;

#[path = "chanutil/mod.rs"]
mod chanutil;

use alloc::sync::Arc;
use alloc::vec::Vec;
use chanutil::{Rng, arg, arg_u64, usage};
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use core::time::Duration;
use rt0::chan::Chan;
use rt0::runtime::go;
use rt0::sync::WaitGroup;
use rt0::time::{Ticker, Timer, nanotime, sleep};

rt0::main!(main);

const HOUR: Duration = Duration::from_secs(3600);
/// Pairs of goroutines in the race modes.
const WORKERS: u64 = 4;
/// Longest timer / spin in the races, in microseconds.
const RACE_MAX_US: u64 = 60;
/// Timers shared by all goroutines of `race_resets`.
const SHARED_TIMERS: u64 = 8;
/// Ticker periods in `race_ticker`, in microseconds.
const TICK_MIN_US: u64 = 20;
const TICK_MAX_US: u64 = 100;
/// How long an expected value may take before it counts as lost.
const VALUE_DEADLINE: Duration = Duration::from_secs(2);
/// The pause after which no value may arrive any more.
const SETTLE: Duration = Duration::from_millis(5);
/// Spins between yields in `meet`.
const MEET_SPINS: u32 = 64;
/// Bytes read of /proc/self/status.
const STATUS_BYTES: usize = 4096;

fn block_forever() {
    let c: Chan<u32> = Chan::new(0);
    let _ = c.recv();
}

fn spin_us(us: u64) {
    let end = nanotime() + (us * 1000) as i64;
    while nanotime() < end {
        core::hint::spin_loop();
    }
}

/// Waits until `parties` goroutines have arrived at `cell`, so that their
/// next operations on one timer really overlap on different Ps. Yields
/// now and then, the P (at GOMAXPROCS=1 the others need it to arrive) and
/// the thread (with more Ms than cores the others need a core).
fn meet(cell: &AtomicU64, parties: u64) {
    cell.fetch_add(1, Relaxed);
    let mut spins = 0u32;
    while cell.load(Relaxed) < parties {
        spins += 1;
        if spins.is_multiple_of(MEET_SPINS) {
            rt0::runtime::gosched();
            rt0::os::sched_yield();
        }
        core::hint::spin_loop();
    }
}

/// Peak resident set size in KiB (`VmHWM` of /proc/self/status), or 0.
fn peak_rss_kb() -> u64 {
    let mut buf = [0u8; STATUS_BYTES];
    let Ok(n) = rt0::os::read_file(c"/proc/self/status", &mut buf) else {
        return 0;
    };
    let text = core::str::from_utf8(&buf[..n]).unwrap_or("");
    text.lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Counters shared by a race mode's goroutines.
#[derive(Default)]
struct Counts {
    n: AtomicU64,
    mismatch: AtomicU64,
    values: AtomicU64,
}

/// Receives exactly `expect` (0 or 1) values from `c` by now; counts it.
fn expect_values(c: &Chan<i64>, expect: u64, k: &Counts) {
    k.n.fetch_add(1, Relaxed);
    if expect == 1 {
        // A Timer, not `after`: stopped at once, it leaves no timer behind.
        let deadline = Timer::new(VALUE_DEADLINE);
        let got = rt0::select! {
            recv(c) -> _v => true,
            recv(deadline.chan()) -> _v => false,
        };
        deadline.stop();
        if got {
            k.values.fetch_add(1, Relaxed);
        } else {
            k.mismatch.fetch_add(1, Relaxed);
        }
    }
}

/// After every goroutine is done: no value may arrive any more.
fn late_values(chans: &[Chan<i64>]) -> u64 {
    sleep(SETTLE);
    chans.iter().filter(|c| c.try_recv().is_ok()).count() as u64
}

fn report(mode: &str, k: &Counts, late: u64) {
    rt0::println!(
        "{mode} n={} values={} mismatch={} late={late} heap={}",
        k.n.load(Relaxed),
        k.values.load(Relaxed),
        k.mismatch.load(Relaxed),
        rt0::export_test::timers_in_heaps()
    );
}

/// Runs `item(i, rng, partner)` for `0..n` on WORKERS pairs: goroutine A
/// of each pair calls it; for odd `i` it is given the partner's queue to
/// hand work to. Returns the channels every item left for `late_values`.
fn pairs<W: Send + 'static>(
    n: u64,
    make: fn(u64, &mut Rng) -> W,
    local: fn(W, &Counts, &mut Rng) -> Chan<i64>,
    remote: fn(W, &Counts, &mut Rng) -> Chan<i64>,
) -> (Arc<Counts>, Vec<Chan<i64>>) {
    let k = Arc::new(Counts::default());
    let all: Arc<rt0::sync::Mutex<Vec<Chan<i64>>>> = Arc::new(rt0::sync::Mutex::new(Vec::new()));
    let wg = Arc::new(WaitGroup::new());
    for w in 0..WORKERS {
        let q: Chan<Option<W>> = Chan::new(0);
        wg.add(2);
        {
            let (q, k, all, wg) = (q.clone(), k.clone(), all.clone(), wg.clone());
            go(move || {
                let mut rng = Rng::new(1000 + w);
                while let Ok(Some(item)) = q.recv() {
                    let c = remote(item, &k, &mut rng);
                    all.lock().push(c);
                }
                wg.done();
            });
        }
        let (k, all, wg) = (k.clone(), all.clone(), wg.clone());
        go(move || {
            let mut rng = Rng::new(w);
            let mut i = w;
            while i < n {
                let item = make(i, &mut rng);
                if !i.is_multiple_of(2) {
                    assert!(q.send(Some(item)).is_ok());
                } else {
                    let c = local(item, &k, &mut rng);
                    all.lock().push(c);
                }
                i += WORKERS;
            }
            assert!(q.send(None).is_ok());
            wg.done();
        });
    }
    wg.wait();
    let chans = core::mem::take(&mut *all.lock());
    (k, chans)
}

/// race_fire: stop a short timer after a short spin.
fn fire_item(_i: u64, rng: &mut Rng) -> Timer {
    Timer::new(Duration::from_micros(rng.range(0, RACE_MAX_US)))
}

fn fire_stop(t: Timer, k: &Counts, rng: &mut Rng) -> Chan<i64> {
    spin_us(rng.range(0, RACE_MAX_US));
    // Half the time pass through the scheduler, which runs due timers:
    // at GOMAXPROCS=1 no other M can fire them while this one spins.
    if rng.next().is_multiple_of(2) {
        rt0::runtime::gosched();
    }
    let stopped = t.stop();
    expect_values(t.chan(), u64::from(!stopped), k);
    t.chan().clone()
}

fn race_fire(n: u64) {
    let (k, chans) = pairs(n, fire_item, fire_stop, fire_stop);
    let late = late_values(&chans);
    report("race_fire", &k, late);
}

/// race_reset: one goroutine resets, another stops, the same timer.
fn race_reset(n: u64) {
    let timers: Arc<Vec<Timer>> = Arc::new((0..n).map(|_| Timer::new(HOUR)).collect());
    let resets: Arc<Vec<AtomicU64>> = Arc::new((0..n).map(|_| AtomicU64::new(0)).collect());
    let stops: Arc<Vec<AtomicU64>> = Arc::new((0..n).map(|_| AtomicU64::new(0)).collect());
    let meets: Arc<Vec<AtomicU64>> = Arc::new((0..n).map(|_| AtomicU64::new(0)).collect());
    let wg = Arc::new(WaitGroup::new());
    for w in 0..WORKERS {
        wg.add(2);
        {
            let (timers, resets, meets, wg) =
                (timers.clone(), resets.clone(), meets.clone(), wg.clone());
            go(move || {
                let mut rng = Rng::new(w);
                for i in (w..n).step_by(WORKERS as usize) {
                    let d = Duration::from_micros(rng.range(0, RACE_MAX_US));
                    meet(&meets[i as usize], 2);
                    let r = timers[i as usize].reset(d);
                    resets[i as usize].store(u64::from(r), Relaxed);
                }
                wg.done();
            });
        }
        let (timers, stops, meets, wg) = (timers.clone(), stops.clone(), meets.clone(), wg.clone());
        go(move || {
            for i in (w..n).step_by(WORKERS as usize) {
                meet(&meets[i as usize], 2);
                let s = timers[i as usize].stop();
                stops[i as usize].store(u64::from(s), Relaxed);
            }
            wg.done();
        });
    }
    wg.wait();
    let k = Counts::default();
    for (i, t) in timers.iter().enumerate() {
        let f = u64::from(t.stop());
        let removed = resets[i].load(Relaxed) + stops[i].load(Relaxed) + f;
        if removed > 2 {
            k.mismatch.fetch_add(1, Relaxed);
            continue;
        }
        expect_values(t.chan(), 2 - removed, &k);
    }
    let chans: Vec<Chan<i64>> = timers.iter().map(|t| t.chan().clone()).collect();
    let late = late_values(&chans);
    report("race_reset", &k, late);
}

/// race_resets: goroutines reset a few shared one-hour timers to another
/// hour while others stop them, with no pause between operations (so that
/// they overlap whenever two threads are on a core), then each timer is
/// stopped once more. Nothing fires; every timer must end in no heap (a
/// timer added twice would stay), and some call must have found each
/// pending.
fn race_resets(n: u64) {
    let timers: Arc<Vec<Timer>> = Arc::new((0..SHARED_TIMERS).map(|_| Timer::new(HOUR)).collect());
    let found: Arc<Vec<AtomicU64>> =
        Arc::new((0..SHARED_TIMERS).map(|_| AtomicU64::new(0)).collect());
    let wg = Arc::new(WaitGroup::new());
    for w in 0..WORKERS {
        for role in 0..3u64 {
            wg.add(1);
            let (timers, found, wg) = (timers.clone(), found.clone(), wg.clone());
            go(move || {
                let mut rng = Rng::new(w * 3 + role);
                for _ in 0..n {
                    let i = rng.range(0, SHARED_TIMERS - 1) as usize;
                    let t = &timers[i];
                    let r = if role == 2 { t.stop() } else { t.reset(HOUR) };
                    found[i].fetch_add(u64::from(r), Relaxed);
                }
                wg.done();
            });
        }
    }
    wg.wait();
    let k = Counts::default();
    for (i, t) in timers.iter().enumerate() {
        let f = u64::from(t.stop());
        if found[i].load(Relaxed) + f == 0 {
            k.mismatch.fetch_add(1, Relaxed);
        }
        expect_values(t.chan(), 0, &k);
    }
    let chans: Vec<Chan<i64>> = timers.iter().map(|t| t.chan().clone()).collect();
    let late = late_values(&chans);
    report("race_resets", &k, late);
}

/// race_ticker: receive a few ticks, then stop (even) or drop (odd).
fn ticker_item(_i: u64, rng: &mut Rng) -> Ticker {
    Ticker::new(Duration::from_micros(rng.range(TICK_MIN_US, TICK_MAX_US)))
}

fn ticker_finish(t: Ticker, k: &Counts, rng: &mut Rng, drop_it: bool) -> Chan<i64> {
    for _ in 0..rng.range(1, 3) {
        t.chan().recv().unwrap();
        k.values.fetch_add(1, Relaxed);
    }
    let c = t.chan().clone();
    if drop_it {
        drop(t);
    } else {
        t.stop();
    }
    // At most the one tick sent before the stop.
    let _ = c.try_recv();
    k.n.fetch_add(1, Relaxed);
    c
}

fn ticker_stop(t: Ticker, k: &Counts, rng: &mut Rng) -> Chan<i64> {
    ticker_finish(t, k, rng, false)
}

fn ticker_drop(t: Ticker, k: &Counts, rng: &mut Rng) -> Chan<i64> {
    ticker_finish(t, k, rng, true)
}

fn race_ticker(n: u64) {
    let (k, chans) = pairs(n, ticker_item, ticker_stop, ticker_drop);
    let late = late_values(&chans);
    report("race_ticker", &k, late);
}

/// The sequential contract, one step per printed field.
fn semantics() {
    let ms = Duration::from_millis;
    let t = Timer::new(ms(1));
    sleep(ms(20));
    // Fired: stop finds nothing, the value waits in the channel.
    let stop_fired = t.stop();
    let value = t.chan().try_recv().is_ok();
    // Reset after fire: not pending, fires once more.
    let reset_fired = t.reset(ms(1));
    let again = t.chan().recv().is_ok();
    // Reset of a pending timer, then stop: pending both times, no value.
    let _ = t.reset(HOUR);
    let reset_pending = t.reset(HOUR);
    let stop_pending = t.stop();
    let stop_twice = t.stop();
    sleep(ms(5));
    let none = t.chan().try_recv().is_err();
    // A ticker reset to a shorter period ticks at the new one.
    let tk = Ticker::new(HOUR);
    tk.reset(ms(2));
    let t0 = nanotime();
    tk.chan().recv().unwrap();
    let ticked = nanotime() - t0 < 1_000_000_000;
    tk.stop();
    rt0::println!(
        "semantics stop_fired={stop_fired} value={value} reset_fired={reset_fired} again={again} \
         reset_pending={reset_pending} stop_pending={stop_pending} stop_twice={stop_twice} \
         none={none} ticker_reset={ticked} heap={}",
        rt0::export_test::timers_in_heaps()
    );
}

fn mem(n: u64, cross: bool) {
    if cross {
        let q: Chan<Option<Ticker>> = Chan::new(64);
        let done: Chan<()> = Chan::new(0);
        {
            let (q, done) = (q.clone(), done.clone());
            go(move || {
                while let Ok(Some(t)) = q.recv() {
                    t.stop();
                }
                done.send(()).unwrap();
            });
        }
        for _ in 0..n {
            assert!(q.send(Some(Ticker::new(HOUR))).is_ok());
        }
        assert!(q.send(None).is_ok());
        done.recv().unwrap();
    } else {
        for _ in 0..n {
            let t = Ticker::new(HOUR);
            t.stop();
        }
    }
    rt0::println!(
        "mem n={n} heap={} rss_kb={}",
        rt0::export_test::timers_in_heaps(),
        peak_rss_kb()
    );
}

fn main() {
    match arg(1) {
        "dl_ticker" => {
            let t = Ticker::new(HOUR);
            t.stop();
            rt0::println!("ticker stopped");
            block_forever();
        }
        "dl_timer" => {
            let t = Timer::new(HOUR);
            rt0::println!("stopped={}", t.stop());
            block_forever();
        }
        "dl_drop" => {
            drop(Ticker::new(HOUR));
            rt0::println!("ticker dropped");
            block_forever();
        }
        "dl_reset_stop" => {
            let t = Timer::new(HOUR);
            let r = t.reset(HOUR);
            rt0::println!("reset={r} stopped={}", t.stop());
            block_forever();
        }
        "dl_cross" => {
            let t = Ticker::new(HOUR);
            go(move || {
                spin_us(100_000);
                t.stop();
                rt0::println!("ticker stopped");
                block_forever();
            });
            block_forever();
        }
        "semantics" => semantics(),
        "mem" => mem(arg_u64(2, 1_000_000), arg(3) == "cross"),
        "race_fire" => race_fire(arg_u64(2, 2000)),
        "race_reset" => race_reset(arg_u64(2, 2000)),
        "race_resets" => race_resets(arg_u64(2, 20000)),
        "race_ticker" => race_ticker(arg_u64(2, 400)),
        other => usage(other),
    }
}
