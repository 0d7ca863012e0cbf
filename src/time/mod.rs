//! Time for programs: Go's `time.Sleep`, `time.After`, `time.NewTicker`
//! and the monotonic clock, on the per-P timers of [`timers`].
//!
//! The clock is `CLOCK_MONOTONIC` through the vDSO (or the syscall where
//! there is no vDSO, as under qemu-user). A sleeping goroutine parks
//! (`[sleep]` in deadlock reports) and costs no thread; a program whose
//! goroutines all sleep is not deadlocked.

pub mod timers;

use alloc::sync::Arc;
use core::sync::atomic::{AtomicBool, Ordering::Relaxed};
use core::time::Duration;

use crate::chan::Chan;
use crate::sched::g::{G, WaitReason};
use crate::sched::schedule::{gopark, ready};
use timers::{Timer, add_timer};

/// Nanoseconds on the monotonic clock since an arbitrary start
/// (Go's `runtime.nanotime`).
pub fn nanotime() -> i64 {
    crate::sys::time::nanotime()
}

fn nanos(d: Duration) -> i64 {
    i64::try_from(d.as_nanos()).unwrap_or(i64::MAX / 2)
}

/// Timer function of a sleeping goroutine: make it runnable.
fn wake_sleeper(arg: usize, _now: i64) -> bool {
    ready(arg as *mut G, true);
    false
}

/// gopark's commit for sleep: the goroutine is parked, now arm its timer
/// (arming earlier could fire it while it still runs).
fn arm_sleep(gp: *mut G, when: *mut u8) -> bool {
    add_timer(Timer {
        when: when as i64,
        period: 0,
        f: wake_sleeper,
        arg: gp as usize,
    });
    true
}

/// Pauses the current goroutine for at least `d` (Go's `time.Sleep`).
/// It never wakes early; `d == 0` returns at once.
pub fn sleep(d: Duration) {
    let ns = nanos(d);
    if ns <= 0 {
        return;
    }
    let when = nanotime() + ns;
    gopark(Some(arm_sleep), when as *mut u8, WaitReason::Sleep);
}

/// Timer function of `after`/`Ticker`: send the time without blocking (a
/// full channel drops the tick, as Go's does). `arg` is a leaked
/// `Arc<TickState>` reference, released when the timer stops.
fn send_tick(arg: usize, now: i64) -> bool {
    // SAFETY: arg is an Arc<TickState> pointer kept alive for the timer.
    let st = unsafe { &*(arg as *const TickState) };
    if st.stopped.load(Relaxed) {
        // SAFETY: the timer's own reference, given up now.
        unsafe { drop(Arc::from_raw(arg as *const TickState)) };
        return false;
    }
    let _ = st.c.try_send(now);
    if st.period == 0 {
        // SAFETY: one-shot: the timer's reference ends here.
        unsafe { drop(Arc::from_raw(arg as *const TickState)) };
        return false;
    }
    true
}

struct TickState {
    c: Chan<i64>,
    period: i64,
    stopped: AtomicBool,
}

fn start_ticks(first: i64, period: i64) -> Arc<TickState> {
    let st = Arc::new(TickState {
        c: Chan::new(1),
        period,
        stopped: AtomicBool::new(false),
    });
    let arg = Arc::into_raw(st.clone()) as usize;
    add_timer(Timer {
        when: nanotime() + first,
        period,
        f: send_tick,
        arg,
    });
    st
}

/// A channel that receives the clock reading once, after `d` (Go's
/// `time.After`); use it as a timeout case in `select!`.
pub fn after(d: Duration) -> Chan<i64> {
    start_ticks(nanos(d).max(0), 0).c.clone()
}

/// Delivers the clock reading on `c` every period (Go's `time.Ticker`);
/// slow receivers miss ticks rather than queue them.
pub struct Ticker {
    st: Arc<TickState>,
    /// The channel the ticks arrive on.
    pub c: Chan<i64>,
}

impl Ticker {
    /// A ticker with period `d` (> 0), first tick after `d`.
    pub fn new(d: Duration) -> Ticker {
        let p = nanos(d);
        assert!(p > 0, "non-positive interval for Ticker::new");
        let st = start_ticks(p, p);
        Ticker {
            c: st.c.clone(),
            st,
        }
    }

    /// Stops the ticks (Go's `Ticker.Stop`); no tick is sent after it returns
    /// except one already in the channel.
    pub fn stop(&self) {
        self.st.stopped.store(true, Relaxed);
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop();
    }
}
