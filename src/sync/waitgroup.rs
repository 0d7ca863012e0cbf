//! `WaitGroup`: Go's `sync.WaitGroup` (sync/waitgroup.go). One 64-bit word
//! holds the counter (high half) and the number of waiters (low half);
//! waiters park on a semaphore that the `Done` bringing the counter to
//! zero releases once per waiter. The protocol and its invariants are in
//! [`proto::waitgroup`](super::proto::waitgroup).
//!
//! Misuse is reported as Go reports it: a negative counter panics with
//! `sync: negative WaitGroup counter`; `Add` racing a `Wait` that is being
//! released panics with `sync: WaitGroup misuse: Add called concurrently
//! with Wait`.

use core::sync::atomic::AtomicU64;

use super::proto::waitgroup as protocol;
use super::sema::Sema;
use crate::sched::g::WaitReason;

/// Waits for a collection of goroutines to finish (Go's `sync.WaitGroup`:
/// `add`, `done`, `wait`; std has no twin, `std::thread::scope` is the
/// nearest). `wait` parks the goroutine until the counter is zero.
///
/// Goroutines started with [`go`](crate::runtime::go) need `'static`
/// captures: share a group with them through an `Arc` (or a `static`).
/// Inside [`scope`](crate::runtime::scope) they may borrow it (`&wg`), and
/// the scope itself waits for them, so a group is needed only to wait for
/// some of them before the scope ends.
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

    /// Adds `delta` (may be negative) to the counter (Go's `Add(delta
    /// int)`). When the counter reaches zero, every goroutine blocked in
    /// [`wait`](Self::wait) is released.
    ///
    /// # Panics
    /// As Go's: `sync: negative WaitGroup counter` when the counter would
    /// go below zero; `sync: WaitGroup misuse: Add called concurrently
    /// with Wait` when a positive `delta` starts a new round while the
    /// waiters of the last one are being released. The counter is 32 bits
    /// wide, as Go's: a `delta` outside `i32` panics with `sync:
    /// WaitGroup delta out of range` (Go would silently keep its low 32
    /// bits), and a counter pushed past `i32::MAX` wraps negative and
    /// panics as negative, as in Go.
    pub fn add(&self, delta: isize) {
        let Ok(delta) = i32::try_from(delta) else {
            panic!("sync: WaitGroup delta out of range");
        };
        protocol::add(
            &self.state,
            &self.sema.with_reason(WaitReason::SyncWaitGroupWait),
            delta,
        );
    }

    /// Decrements the counter by one (Go's `Done`).
    pub fn done(&self) {
        self.add(-1);
    }

    /// Blocks until the counter is zero.
    pub fn wait(&self) {
        protocol::wait(
            &self.state,
            &self.sema.with_reason(WaitReason::SyncWaitGroupWait),
        );
    }
}
