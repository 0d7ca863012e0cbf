//! Time for programs: Go's `time.Sleep`, `time.After`, `time.NewTimer`,
//! `time.NewTicker` and the monotonic clock (Rust's `std::thread::sleep`
//! and `std::time::Instant` are the nearest std relatives), on the per-P
//! timer heaps of the internal `timers` module. [`Instant`] (std's
//! `Instant`) is a reading of that clock.
//!
//! The clock is `CLOCK_MONOTONIC` through the vDSO (or the syscall where
//! there is no vDSO, as under qemu-user). A sleeping goroutine parks
//! (`[sleep]` in deadlock reports) and costs no thread; a program whose
//! goroutines all sleep is not deadlocked.
//!
//! `Timer::stop`, `Ticker::stop` and dropping either take the runtime
//! timer out of its heap at once (the `timers` module's note has the protocol): a
//! stopped timer holds no memory and does not delay deadlock detection.
//! After `Ticker::stop` returns no tick is sent any more (at most one sent
//! before stays in the channel). `Timer::stop` returns false once the timer
//! has fired, and then its value is (or will be) in the channel, as Go's.

mod instant;
mod system;
pub(crate) mod timers;

pub use instant::Instant;
pub use system::{SystemTime, SystemTimeError, UNIX_EPOCH};

use alloc::sync::Arc;
use core::time::Duration;

use crate::chan::Chan;
use crate::sched::g::{G, WaitReason};
use crate::sched::schedule::{gopark, ready};
use timers::{RuntimeTimer, add_uncounted, del_timer, reset_timer};

/// Nanoseconds on the monotonic clock since an arbitrary start
/// (Go's `runtime.nanotime`).
pub fn nanotime() -> i64 {
    crate::sys::time::nanotime()
}

fn nanos(d: Duration) -> i64 {
    i64::try_from(d.as_nanos()).unwrap_or(i64::MAX / 2)
}

/// Timer function of a sleeping goroutine: make it runnable. The timer
/// lives on that goroutine's stack: read `arg` first, touch nothing after.
fn wake_sleeper(t: *const RuntimeTimer, _now: i64) {
    // SAFETY: the timer is alive until its goroutine runs again, which only
    // the `ready` below allows.
    let gp = unsafe { (*t).arg } as *mut G;
    // SAFETY: the timer was armed by arm_sleep after its goroutine parked,
    // so gp is in GWAITING and only this one-shot timer wakes it; timers run
    // on an M that holds a P (wakeup::poll's contract), which ready needs.
    unsafe { ready(gp, true) };
}

/// gopark's commit for sleep: the goroutine is parked, now arm its timer
/// (arming earlier could fire it while it still runs). `arg` points at the
/// sleep's frame: the timer and its deadline.
///
/// # Safety
/// `arg` is the parked goroutine's `SleepFrame`.
unsafe fn arm_sleep(_gp: *mut G, arg: *mut u8) -> bool {
    // SAFETY: `arg` is the `SleepFrame` of the parked goroutine's `sleep`
    // (contract), alive until the goroutine runs again, which only the
    // timer allows.
    unsafe {
        let fr = &*(arg as *const SleepFrame);
        add_uncounted(&fr.t, fr.when);
    }
    true
}

/// The parked goroutine's timer and deadline, on its stack.
struct SleepFrame {
    t: RuntimeTimer,
    when: i64,
}

/// Pauses the current goroutine for at least `d` (Go's `time.Sleep`).
/// It never wakes early; `d == 0` returns at once.
pub fn sleep(d: Duration) {
    let ns = nanos(d);
    if ns <= 0 {
        return;
    }
    let gp = crate::sched::sched::getg();
    let fr = SleepFrame {
        t: RuntimeTimer::uncounted(wake_sleeper, gp as usize),
        when: nanotime() + ns,
    };
    // SAFETY: arm_sleep gets this frame's SleepFrame, which stays alive
    // while the goroutine is parked: only its timer wakes it.
    unsafe {
        gopark(
            Some(arm_sleep),
            &fr as *const SleepFrame as *mut u8,
            WaitReason::Sleep,
        )
    };
}

/// Timer function of `after`, `Timer` and `Ticker`: send the time without
/// blocking (a full channel drops the tick, as Go's `sendTime` does).
fn send_time(t: *const RuntimeTimer, now: i64) {
    // SAFETY: channel timers are counted: the runner holds the heap's
    // reference while this runs.
    let t = unsafe { &*t };
    if let Some(c) = &t.ch {
        let _ = c.try_send(now);
    }
}

/// A new channel timer, armed for `first` ns from now, then every
/// `period` if > 0.
fn start(first: i64, period: i64) -> (Arc<RuntimeTimer>, Chan<i64>) {
    let c = Chan::new(1);
    let t = RuntimeTimer::counted(send_time, c.clone());
    reset_timer(&t, nanotime() + first, period);
    (t, c)
}

/// A channel that receives the clock reading once, after `d` (Go's
/// `time.After`); use it as a timeout case in `select!`. Its timer is
/// freed when it fires.
pub fn after(d: Duration) -> Chan<i64> {
    start(nanos(d).max(0), 0).1
}

/// Sends the clock reading on `c` once, after a duration (Go's
/// `time.Timer`); it can be stopped and reset.
pub struct Timer {
    t: Arc<RuntimeTimer>,
    /// The channel the reading arrives on.
    pub c: Chan<i64>,
}

impl Timer {
    /// A timer that fires once after `d` (Go's `time.NewTimer`).
    pub fn new(d: Duration) -> Timer {
        let (t, c) = start(nanos(d).max(0), 0);
        Timer { t, c }
    }

    /// Prevents the timer from firing (Go's `Timer.Stop`): true if this
    /// call stopped it, false if it had already fired (its value is then
    /// in `c` or on its way) or been stopped.
    pub fn stop(&self) -> bool {
        del_timer(&self.t)
    }

    /// Arms the timer again for `d` from now (Go's `Timer.Reset`): true if
    /// it was still pending. As in Go, a value from the earlier arming may
    /// still be in `c`: stop and drain first where that matters.
    pub fn reset(&self, d: Duration) -> bool {
        reset_timer(&self.t, nanotime() + nanos(d).max(0), 0)
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Delivers the clock reading on `c` every period (Go's `time.Ticker`);
/// slow receivers miss ticks rather than queue them.
pub struct Ticker {
    t: Arc<RuntimeTimer>,
    /// The channel the ticks arrive on.
    pub c: Chan<i64>,
}

fn positive_period(d: Duration, what: &str) -> i64 {
    let p = nanos(d);
    assert!(p > 0, "non-positive interval for {}", what);
    p
}

impl Ticker {
    /// A ticker with period `d` (> 0), first tick after `d`.
    pub fn new(d: Duration) -> Ticker {
        let p = positive_period(d, "Ticker::new");
        let (t, c) = start(p, p);
        Ticker { t, c }
    }

    /// Stops the ticks (Go's `Ticker.Stop`): once it returns no tick is
    /// sent; one sent before may still be in the channel.
    pub fn stop(&self) {
        del_timer(&self.t);
    }

    /// Stops the ticker and restarts it with period `d` (> 0), the next
    /// tick `d` from now (Go's `Ticker.Reset`).
    pub fn reset(&self, d: Duration) {
        let p = positive_period(d, "Ticker.Reset");
        reset_timer(&self.t, nanotime() + p, p);
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop();
    }
}
