//! `WaitGroup`: Go's `sync.WaitGroup` (sync/waitgroup.go). One 64-bit word
//! holds the counter (high half) and the number of waiters (low half);
//! waiters park on a semaphore that the `Done` bringing the counter to
//! zero releases once per waiter.
//!
//! Misuse is reported as Go reports it: a negative counter panics with
//! `sync: negative WaitGroup counter`; `Add` racing a `Wait` that is being
//! released panics with `sync: WaitGroup misuse: Add called concurrently
//! with Wait`.

use core::sync::atomic::{AtomicU64, Ordering::SeqCst};

use super::sema::Sema;
use crate::sched::g::WaitReason;

pub struct WaitGroup {
    state: AtomicU64,
    sema: Sema,
}

impl Default for WaitGroup {
    fn default() -> Self {
        Self::new()
    }
}

impl WaitGroup {
    pub const fn new() -> WaitGroup {
        WaitGroup {
            state: AtomicU64::new(0),
            sema: Sema::new(),
        }
    }

    /// Adds `delta` (may be negative) to the counter.
    pub fn add(&self, delta: i32) {
        let state = self
            .state
            .fetch_add((delta as i64 as u64) << 32, SeqCst)
            .wrapping_add((delta as i64 as u64) << 32);
        let v = (state >> 32) as i32;
        let w = state as u32;
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
        if self.state.load(SeqCst) != state {
            panic!("sync: WaitGroup misuse: Add called concurrently with Wait");
        }
        self.state.store(0, SeqCst);
        for _ in 0..w {
            self.sema.release();
        }
    }

    /// Decrements the counter by one (Go's `Done`).
    pub fn done(&self) {
        self.add(-1);
    }

    /// Blocks until the counter is zero.
    pub fn wait(&self) {
        loop {
            let state = self.state.load(SeqCst);
            if state >> 32 == 0 {
                return;
            }
            if self
                .state
                .compare_exchange(state, state + 1, SeqCst, SeqCst)
                .is_ok()
            {
                self.sema.acquire(WaitReason::SyncWaitGroupWait);
                if self.state.load(SeqCst) != 0 {
                    panic!("sync: WaitGroup is reused before previous Wait has returned");
                }
                return;
            }
        }
    }
}
