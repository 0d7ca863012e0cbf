//! Go's timers (tests/api.rs): `Timer::stop`/`reset` return Go's
//! answers, `Timer::chan` in `select!` against a timeout, and
//! `after_func` (Go's `time.AfterFunc`): stopped before it fires its
//! function never runs, fired it runs exactly once per arming, in a
//! goroutine of its own. Each line is a list of exact outcomes; the only
//! timing facts printed are one-sided ("not before the deadline").
//!
//! - `stop`: a pending timer (stop true, again false, nothing sent in
//!   2.5 times its duration); a fired one (stop false, its value there).
//! - `reset`: of an active timer (true, fires at the new time), of a
//!   fired one (false, fires again), of a stopped one (false, fires).
//! - `func_stop`: `after_func` stopped at once: its function has not run
//!   after six times its delay; stop again is false.
//! - `func_once`: a fired `after_func` ran once, and still once 100 ms
//!   later; stop is then false. Its function blocks on a channel for a
//!   while, and other timers still fire meanwhile (it runs in its own
//!   goroutine, not in the timer-running context).
//! - `func_reset`: reset before it fires (true: one run, at the new
//!   time), after it fired (false: a second run), and a dropped
//!   `after_func` timer still runs.
//! - `select`: `Timer::chan` beats a longer timeout; a timeout beats a
//!   longer timer (which then stops with true); an `after_func` timer's
//!   `chan()` is never ready, before and after its function ran.
//! - `func_panic`: the function panics: Go's report, naming its
//!   goroutine and where `after_func` was called.
#![no_std]
#![no_main]
extern crate alloc;

#[path = "chanutil/mod.rs"]
mod chanutil;

use alloc::sync::Arc;
use chanutil::{arg, usage};
use core::sync::atomic::{AtomicU32, Ordering::SeqCst};
use core::time::Duration;
use rt0::chan::{Chan, TryRecvError};
use rt0::time::{Timer, after, after_func, nanotime, sleep};

rt0::main!(main);

const HOUR: Duration = Duration::from_secs(3600);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Nanoseconds in `d`.
fn ns(d: Duration) -> i64 {
    d.as_nanos() as i64
}

fn stop() {
    let t = Timer::new(ms(100));
    let pending = t.stop();
    let again = t.stop();
    sleep(ms(250));
    let nothing = t.chan().try_recv() == Err(TryRecvError::Empty);

    let t = Timer::new(ms(1));
    sleep(ms(20));
    let fired = t.stop();
    let value = t.chan().try_recv().is_ok();
    rt0::println!(
        "stop pending={pending} again={again} nothing_sent={nothing} fired={fired} value={value}"
    );
}

fn reset() {
    let t = Timer::new(HOUR);
    let t0 = nanotime();
    let active = t.reset(ms(10));
    let v = t.chan().recv().unwrap();
    let not_early = v - t0 >= ns(ms(10));

    let t1 = nanotime();
    let after_fire = t.reset(ms(5));
    let v = t.chan().recv().unwrap();
    let again_not_early = v - t1 >= ns(ms(5));

    let t = Timer::new(HOUR);
    let stopped = t.stop();
    let after_stop = t.reset(ms(5));
    let fires = t.chan().recv().is_ok();
    rt0::println!(
        "reset active={active} not_early={not_early} fired={after_fire} again_not_early={again_not_early} \
         stop={stopped} stopped={after_stop} fires={fires}"
    );
}

/// A function for `after_func` that counts its runs and reports each
/// run's count on `done`.
fn counter() -> (Arc<AtomicU32>, Chan<u32>, impl Fn() + Send + Sync + 'static) {
    let runs = Arc::new(AtomicU32::new(0));
    let done: Chan<u32> = Chan::new(16);
    let (r, d) = (runs.clone(), done.clone());
    let f = move || {
        let n = r.fetch_add(1, SeqCst) + 1;
        d.send(n).unwrap();
    };
    (runs, done, f)
}

fn func_stop() {
    let (runs, _done, f) = counter();
    let t = after_func(ms(50), f);
    let stopped = t.stop();
    sleep(ms(300));
    let again = t.stop();
    rt0::println!(
        "func_stop stopped={stopped} runs={} again={again}",
        runs.load(SeqCst)
    );
}

fn func_once() {
    let (runs, done, f) = counter();
    let t0 = nanotime();
    let t = after_func(ms(5), f);
    let first = done.recv().unwrap();
    let not_early = nanotime() - t0 >= ns(ms(5));
    sleep(ms(100));
    let stop_after = t.stop();

    // A function that blocks: it runs in a goroutine of its own, so the
    // timers keep firing while it waits (at GOMAXPROCS=1 too).
    let gate: Chan<()> = Chan::new(0);
    let blocked = Arc::new(AtomicU32::new(0));
    let (g, b) = (gate.clone(), blocked.clone());
    let _blocker = after_func(ms(1), move || {
        b.store(1, SeqCst);
        g.send(()).unwrap();
        b.store(2, SeqCst);
    });
    while blocked.load(SeqCst) == 0 {
        sleep(ms(1));
    }
    let other = Timer::new(ms(5));
    let other_fired = other.chan().recv().is_ok();
    let still_blocked = blocked.load(SeqCst) == 1;
    gate.recv().unwrap();
    while blocked.load(SeqCst) != 2 {
        sleep(ms(1));
    }
    rt0::println!(
        "func_once first={first} not_early={not_early} runs={} stop={stop_after} \
         other_timer_fired={other_fired} while_blocked={still_blocked}",
        runs.load(SeqCst)
    );
}

fn func_reset() {
    let (runs, done, f) = counter();
    let t = after_func(HOUR, f);
    let t0 = nanotime();
    let active = t.reset(ms(5));
    let first = done.recv().unwrap();
    let not_early = nanotime() - t0 >= ns(ms(5));
    let fired = t.reset(ms(5));
    let second = done.recv().unwrap();
    sleep(ms(50));
    let runs_two = runs.load(SeqCst);

    let (runs, done, f) = counter();
    drop(after_func(ms(5), f));
    let dropped_ran = done.recv().unwrap();
    sleep(ms(50));
    rt0::println!(
        "func_reset active={active} first={first} not_early={not_early} fired={fired} second={second} \
         runs={runs_two} dropped_ran={dropped_ran} dropped_runs={}",
        runs.load(SeqCst)
    );
}

fn select() {
    let t = Timer::new(ms(10));
    let a = rt0::select! {
        recv(t.chan()) -> v => if v.is_ok() { "timer" } else { "closed" },
        recv(after(Duration::from_secs(5))) -> _v => "timeout",
    };

    let t = Timer::new(HOUR);
    let b = rt0::select! {
        recv(t.chan()) -> _v => "timer",
        recv(after(ms(10))) -> _v => "timeout",
    };
    let b_stop = t.stop();

    let t = after_func(HOUR, || {});
    let c = rt0::select! {
        recv(t.chan()) -> _v => "chan",
        recv(after(ms(10))) -> _v => "timeout",
    };
    let c_stop = t.stop();

    let (_runs, done, f) = counter();
    let t = after_func(ms(1), f);
    done.recv().unwrap();
    let d = rt0::select! {
        recv(t.chan()) -> _v => "chan",
        recv(after(ms(10))) -> _v => "timeout",
    };
    let d_empty = t.chan().try_recv() == Err(TryRecvError::Empty);
    rt0::println!(
        "select timer_first={a} timeout_first={b} then_stop={b_stop} func_chan={c} func_stop={c_stop} \
         fired_func_chan={d} empty={d_empty}"
    );
}

fn main() {
    match arg(1) {
        "stop" => stop(),
        "reset" => reset(),
        "func_stop" => func_stop(),
        "func_once" => func_once(),
        "func_reset" => func_reset(),
        "select" => select(),
        "func_panic" => {
            let _t = after_func(ms(1), || panic!("panic in an after_func"));
            sleep(Duration::from_secs(10));
        }
        other => usage(other),
    }
}
