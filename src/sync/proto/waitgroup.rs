//! The `sync.WaitGroup` protocol (Go's sync/waitgroup.go) over the
//! atomics and the semaphore that `super` provides; the runtime's
//! [`WaitGroup`](crate::sync::WaitGroup) and the loom model
//! `models/tests/waitgroup.rs` both run this source.
//!
//! One 64-bit word holds the counter (high half) and the number of
//! waiters (low half), so that `add` sees both in one atomic step.
//! Invariants:
//! - a waiter raises the waiter count only while the counter is non-zero
//!   (one CAS checks and raises), then sleeps on the semaphore;
//! - the `add` that brings the counter to zero with `w` waiters is the only
//!   one that may touch the word until they are released: it resets the
//!   word to 0 and releases `w` tokens, one per waiter;
//! - a waiter returns only by taking one of those tokens, after which the
//!   word must still be 0 (a non-zero word means the group was reused
//!   before this `wait` returned).

use super::sema::Semaphore;
use super::{AtomicU64, Ordering::SeqCst};

const COUNTER_SHIFT: u32 = 32;

/// Adds `delta` (may be negative) to the counter; with the counter at zero,
/// wakes every waiter.
#[inline]
pub(crate) fn add<S: Semaphore>(state: &AtomicU64, sema: &S, delta: i32) {
    let d = (delta as i64 as u64) << COUNTER_SHIFT;
    let state_now = state.fetch_add(d, SeqCst).wrapping_add(d);
    let v = (state_now >> COUNTER_SHIFT) as i32;
    let w = state_now as u32;
    if v < 0 {
        panic!("sync: negative WaitGroup counter");
    }
    if w != 0 && delta > 0 && v == delta {
        panic!("sync: WaitGroup misuse: Add called concurrently with Wait");
    }
    if v > 0 || w == 0 {
        return;
    }
    // The counter reached zero with waiters: nobody may touch the state
    // until they are all released, so reset it and wake each one.
    if state.load(SeqCst) != state_now {
        panic!("sync: WaitGroup misuse: Add called concurrently with Wait");
    }
    state.store(0, SeqCst);
    for _ in 0..w {
        sema.release();
    }
}

/// Blocks until the counter is zero.
#[inline]
pub(crate) fn wait<S: Semaphore>(state: &AtomicU64, sema: &S) {
    loop {
        let s = state.load(SeqCst);
        if s >> COUNTER_SHIFT == 0 {
            return;
        }
        if state.compare_exchange(s, s + 1, SeqCst, SeqCst).is_ok() {
            sema.acquire();
            if state.load(SeqCst) != 0 {
                panic!("sync: WaitGroup is reused before previous Wait has returned");
            }
            return;
        }
    }
}
