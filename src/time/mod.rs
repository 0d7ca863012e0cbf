//! Time for programs: Go's `time.Sleep`, `time.After`, `time.NewTimer`,
//! `time.AfterFunc`, `time.NewTicker` and the monotonic clock (Rust's `std::thread::sleep`
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
//! has fired, and then its value is (or will be) in the channel, as Go's;
//! for an `after_func` timer, its function has then been started.
//! Dropping a `Timer` or `Ticker` stops it, but for an `after_func`
//! timer, whose function runs whether anyone holds it or not.

mod instant;
mod system;
pub(crate) mod timers;

pub use instant::Instant;
pub use system::{SystemTime, SystemTimeError, UNIX_EPOCH};

use alloc::boxed::Box;
use alloc::sync::Arc;
use core::panic::Location;
use core::time::Duration;

use crate::chan::Chan;
use crate::sched::g::{G, Start, WaitReason};
use crate::sched::schedule::{gopark, ready};
use timers::{GoFunc, RuntimeTimer, add_uncounted, del_timer, reset_timer};

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

/// Timer function of `after_func` (Go's `goFunc`): start the function in
/// a goroutine of its own, from the timer-running context (g0 of an M
/// holding a P: `newproc` queues the goroutine on that P). It never runs
/// the function itself, so a function that blocks, parks or runs long
/// delays no other timer.
fn go_func(t: *const RuntimeTimer, _now: i64) {
    // SAFETY: after_func timers are counted: the runner holds the heap's
    // reference while this runs.
    let t = unsafe { &*t };
    if let Some(func) = &t.func {
        let f = func.f.clone();
        crate::sched::proc::newproc_for(
            Start::Closure(Box::new(move || f())),
            0,
            Some(func.at),
            func.parent,
        );
    }
}

/// Sends the clock reading on its channel once, after a duration (Go's
/// `time.Timer` of `time.NewTimer`), or starts a function in its own
/// goroutine (one of [`after_func`]); either can be stopped and reset.
///
/// Go's field `t.C` is the method [`chan`](Timer::chan) here: a
/// method, so that the channel cannot be replaced or moved out, and so
/// that a function timer, which has no channel (Go's `C` is nil), can
/// still answer it.
pub struct Timer {
    t: Arc<RuntimeTimer>,
    c: Chan<i64>,
}

impl Timer {
    /// A timer that fires once after `d` (Go's `time.NewTimer`): the
    /// clock reading ([`nanotime`]) arrives on [`chan`](Timer::chan).
    pub fn new(d: Duration) -> Timer {
        let (t, c) = start(nanos(d).max(0), 0);
        Timer { t, c }
    }

    /// The channel the reading arrives on (Go's `t.C`), one value per
    /// firing (capacity 1: a value not received yet makes the next firing
    /// drop its own, as Go's `sendTime`). Usable in `select!`:
    /// `recv(t.chan()) -> now => ..`.
    ///
    /// For a timer of [`after_func`], a channel that nothing is ever sent
    /// on (Go's `C` is nil there): a receive on it waits for ever and a
    /// `select!` case on it is never ready, as on Go's nil channel.
    pub fn chan(&self) -> &Chan<i64> {
        &self.c
    }

    /// Prevents the timer from firing (Go's `Timer.Stop`): true if this
    /// call stopped an active timer, false if it had already fired or been
    /// stopped. After false from a channel timer its value is in the
    /// channel or on its way; from an [`after_func`] timer, its function
    /// has been started in its own goroutine (stop does not wait for it).
    pub fn stop(&self) -> bool {
        del_timer(&self.t)
    }

    /// Arms the timer again for `d` from now (Go's `Timer.Reset`): true if
    /// it was active, false if it had fired or been stopped. Either way it
    /// fires once more, `d` from now (an [`after_func`] timer starts its
    /// function again then). As in Go, a value from the earlier arming may
    /// still be in the channel: stop and drain first where that matters.
    pub fn reset(&self, d: Duration) -> bool {
        reset_timer(&self.t, nanotime() + nanos(d).max(0), 0)
    }
}

/// Dropping a channel timer stops it (nobody could receive its value; Go
/// 1.19 lets it fire into the unreferenced channel). Dropping an
/// [`after_func`] timer does not: the function still runs when it fires,
/// as in Go, where `time.AfterFunc(d, f)` is often called for its effect
/// alone (as dropping a `JoinHandle` detaches the thread).
impl Drop for Timer {
    fn drop(&mut self) {
        if self.t.func.is_none() {
            self.stop();
        }
    }
}

/// Calls `f` in a goroutine of its own once `d` has passed (Go's
/// `time.AfterFunc`), and returns the [`Timer`] that can stop or reset it.
///
/// - [`Timer::stop`] before the timer fires keeps `f` from running and
///   returns true; after it fired it returns false (`f` has been started;
///   stop does not wait for it).
/// - [`Timer::reset`] arms it again: `f` is started once more when it
///   fires (so `f` is `Fn`, and `Sync`: two firings may run it at once).
/// - The timer has no channel: [`Timer::chan`] gives one that never
///   receives anything (Go's `C` is nil).
/// - Dropping the timer does not stop it.
///
/// `f` never runs in the timer-running context itself (which must not
/// block): each firing starts a goroutine, whose `created by` line is
/// this call and the goroutine that made it, as Go's timer starts `go
/// f()`.
///
/// ```rust
/// use core::time::Duration;
/// use rt0::chan::Chan;
/// let done: Chan<&str> = Chan::new(1);
/// let tx = done.clone();
/// let _t = rt0::time::after_func(Duration::from_millis(5), move || {
///     tx.send("fired").unwrap();
/// });
/// assert_eq!(done.recv(), Ok("fired"));
/// ```
#[track_caller]
pub fn after_func<F: Fn() + Send + Sync + 'static>(d: Duration, f: F) -> Timer {
    let func = GoFunc {
        f: Arc::new(f),
        at: Location::caller(),
        // SAFETY: called on a running goroutine, a live G.
        parent: unsafe { (*crate::sched::sched::getg()).goid },
    };
    let t = RuntimeTimer::counted_func(go_func, func);
    reset_timer(&t, nanotime() + nanos(d).max(0), 0);
    // Go's nil C: a channel nothing sends on (each timer its own, so that
    // one program's use of it cannot reach another's).
    Timer { t, c: Chan::new(0) }
}

/// Delivers the clock reading on its channel every period (Go's
/// `time.Ticker`); slow receivers miss ticks rather than queue them. Go's
/// field `t.C` is the method [`chan`](Ticker::chan), as for [`Timer`].
pub struct Ticker {
    t: Arc<RuntimeTimer>,
    c: Chan<i64>,
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

    /// The channel the ticks arrive on (Go's `t.C`; capacity 1).
    pub fn chan(&self) -> &Chan<i64> {
        &self.c
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
