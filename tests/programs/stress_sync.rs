//! Stress programs for `sync` with exact counters (run by `make stress`,
//! scripts/stress.py, which compares every stdout line exactly). Each one
//! parks and wakes goroutines through the semaphore (Go's `semacquire` /
//! `semrelease`) on nearly every step, so a lost wake-up shows up as a
//! false `fatal error: all goroutines are asleep - deadlock!` and a broken
//! mutual exclusion as a wrong count.
//!
//! - `wg_handoff N`: two goroutines hand the turn back and forth N times
//!   through two WaitGroups (Go allows reusing a WaitGroup once its `Wait`
//!   has returned); each side checks the shared counter it finds.
//!   Prints `wg_handoff rounds=N count=N bad=0`.
//! - `mutex_counter G N [Y]`: G goroutines each add 1 to a `Mutex<u64>` N
//!   times with a non-atomic read-modify-write, yielding inside every Y-th
//!   critical section (keeps waiters queued; 0: never, so unlocks race
//!   lockers entering the slow path). Prints
//!   `mutex_counter goroutines=G per=N count=G*N`.
//! - `mutex_handoff N`: two locked `RawMutex`es used as binary semaphores
//!   (Go lets any goroutine unlock a `sync.Mutex`): A unlocks B's and locks
//!   its own, B the reverse, N round trips. Prints
//!   `mutex_handoff rounds=N count=N bad=0`.
#![no_std]
#![no_main]
extern crate alloc;

#[path = "chanutil/mod.rs"]
mod chanutil;

use alloc::sync::Arc;
use chanutil::{arg, arg_u64, usage};
use core::sync::atomic::{AtomicU64, Ordering::SeqCst};
use rt0::runtime::{go, gosched};
use rt0::sync::{Mutex, RawMutex, WaitGroup};

rt0::main!(main);

/// By default a yield inside one critical section in this many, so that
/// the lock is held while others arrive and park.
const YIELD_EVERY: u64 = 64;

fn wg_handoff(n: u64) {
    struct Shared {
        to_b: WaitGroup,
        to_a: WaitGroup,
        done: WaitGroup,
        count: AtomicU64,
        bad: AtomicU64,
    }
    let s = Arc::new(Shared {
        to_b: WaitGroup::new(),
        to_a: WaitGroup::new(),
        done: WaitGroup::new(),
        count: AtomicU64::new(0),
        bad: AtomicU64::new(0),
    });
    s.to_b.add(1);
    s.to_a.add(1);
    s.done.add(1);
    let b = s.clone();
    go(move || {
        for r in 0..n {
            b.to_b.wait();
            // Re-arm before handing back: A's next `done` on to_b comes
            // only after it has seen ours on to_a.
            b.to_b.add(1);
            if b.count.fetch_add(1, SeqCst) != 2 * r + 1 {
                b.bad.fetch_add(1, SeqCst);
            }
            b.to_a.done();
        }
        b.done.done();
    });
    for r in 0..n {
        if s.count.fetch_add(1, SeqCst) != 2 * r {
            s.bad.fetch_add(1, SeqCst);
        }
        // A's step first: it moved count from 2r to 2r+1; B moves it on.
        s.to_b.done();
        s.to_a.wait();
        s.to_a.add(1);
    }
    s.done.wait();
    rt0::println!(
        "wg_handoff rounds={n} count={} bad={}",
        s.count.load(SeqCst) / 2,
        s.bad.load(SeqCst)
    );
}

fn mutex_counter(g: u64, n: u64, yield_every: u64) {
    let m = Arc::new(Mutex::new(0u64));
    let wg = Arc::new(WaitGroup::new());
    wg.add(g as isize);
    for _ in 0..g {
        let (m, wg) = (m.clone(), wg.clone());
        go(move || {
            for i in 0..n {
                let mut c = m.lock();
                // Read, maybe yield holding the lock, then write: any
                // overlap of two holders loses an increment.
                let v = core::hint::black_box(*c);
                if yield_every != 0 && i % yield_every == 0 {
                    gosched();
                }
                *c = v + 1;
            }
            wg.done();
        });
    }
    wg.wait();
    rt0::println!("mutex_counter goroutines={g} per={n} count={}", *m.lock());
}

fn mutex_handoff(n: u64) {
    struct Shared {
        a: RawMutex,
        b: RawMutex,
        done: WaitGroup,
        count: AtomicU64,
        bad: AtomicU64,
    }
    let s = Arc::new(Shared {
        a: RawMutex::new(),
        b: RawMutex::new(),
        done: WaitGroup::new(),
        count: AtomicU64::new(0),
        bad: AtomicU64::new(0),
    });
    // Both start locked: each side waits in `lock` for the other's unlock.
    s.a.lock();
    s.b.lock();
    s.done.add(1);
    let b = s.clone();
    go(move || {
        for r in 0..n {
            b.b.lock();
            if b.count.fetch_add(1, SeqCst) != 2 * r + 1 {
                b.bad.fetch_add(1, SeqCst);
            }
            b.a.unlock();
        }
        b.done.done();
    });
    for r in 0..n {
        if s.count.fetch_add(1, SeqCst) != 2 * r {
            s.bad.fetch_add(1, SeqCst);
        }
        s.b.unlock();
        s.a.lock();
    }
    s.done.wait();
    rt0::println!(
        "mutex_handoff rounds={n} count={} bad={}",
        s.count.load(SeqCst) / 2,
        s.bad.load(SeqCst)
    );
}

fn main() {
    match arg(1) {
        "wg_handoff" => wg_handoff(arg_u64(2, 100_000)),
        "mutex_counter" => {
            mutex_counter(arg_u64(2, 4), arg_u64(3, 20_000), arg_u64(4, YIELD_EVERY))
        }
        "mutex_handoff" => mutex_handoff(arg_u64(2, 100_000)),
        other => usage(other),
    }
}
