//! What the preemption test programs share (included with `#[path]`, no
//! program itself): CPU hogs that never call into the runtime, a count of
//! how often a goroutine was taken off its P behind its back, and the
//! figures of a set of measured delays.
//!
//! A hog is the shape Go's TestPreemption and TestYieldProgress spin in:
//! a tight loop over a counter kept opaque with `core::hint::black_box`
//! and one relaxed load of a stop flag per turn. Neither is a runtime
//! call, so without asynchronous preemption a hog keeps its P until the
//! flag is set, which nobody else can do when every P is hogged.
#![allow(dead_code)]

use core::hint::black_box;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};

/// Set once: every hog leaves its loop.
pub static STOP: AtomicBool = AtomicBool::new(false);
/// Hogs that have entered their loop.
pub static STARTED: AtomicU64 = AtomicU64::new(0);
/// Turns of all hogs that have left their loop.
pub static SPINS: AtomicU64 = AtomicU64::new(0);

/// Spins until [`STOP`], with no runtime call inside the loop; returns
/// its turns (also added to [`SPINS`]).
pub fn hog() -> u64 {
    STARTED.fetch_add(1, Relaxed);
    let mut n = 0u64;
    while !STOP.load(Relaxed) {
        n = black_box(n).wrapping_add(1);
    }
    SPINS.fetch_add(n, Relaxed);
    n
}

/// Starts `n` hogs, each counted in `wg` when it stops.
pub fn start_hogs(n: u64, wg: &alloc::sync::Arc<rt0::sync::WaitGroup>) {
    wg.add(n as isize);
    for _ in 0..n {
        let wg = wg.clone();
        rt0::runtime::go(move || {
            hog();
            wg.done();
        });
    }
}

/// Counts the times the calling goroutine was descheduled between two
/// calls of [`Switches::check`]: the P it runs on, or that P's
/// `schedtick` (bumped each time the P starts a goroutine), changed. A
/// loop that makes no runtime call between two checks cannot have given
/// its P up by itself, so each change there is a preemption.
pub struct Switches {
    last: (i32, u32),
    pub count: u64,
}

impl Switches {
    pub fn new() -> Switches {
        Switches {
            last: rt0::export_test::current_p(),
            count: 0,
        }
    }

    /// Records a switch if the goroutine ran elsewhere since the last call.
    pub fn check(&mut self) {
        let now = rt0::export_test::current_p();
        if now != self.last {
            self.count += 1;
            self.last = now;
        }
    }
}

/// p50, p99 and the largest of `v` (sorted here), in v's units.
pub fn percentiles(v: &mut [i64]) -> (i64, i64, i64) {
    if v.is_empty() {
        return (0, 0, 0);
    }
    v.sort_unstable();
    let at = |q: usize| v[(v.len() - 1) * q / 100];
    (at(50), at(99), v[v.len() - 1])
}

/// Nanoseconds to whole microseconds, for the `_us=` figures.
pub fn us(ns: i64) -> i64 {
    ns / 1_000
}
