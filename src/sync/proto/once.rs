//! The `sync.Once` protocol (Go's sync/once.go) over the atomics and the
//! lock that `super` provides; the runtime's [`Once`](crate::sync::Once)
//! and the loom model `models/tests/once.rs` both run this source.
//!
//! Invariants: `done` goes from 0 to 1 once, stored with Release after `f`
//! has returned, under the lock; a caller that loads 1 (Acquire) sees
//! everything `f` did; a caller that loads 0 takes the lock, which it gets
//! only after the call in progress (if any) has stored `done` and
//! unlocked, and so it sees 1 and does not call `f` again.

use super::mutex::RawLock;
use super::{
    AtomicU32,
    Ordering::{Acquire, Relaxed, Release},
};

/// Calls `f` if and only if no call has been made on this `done` word;
/// returns after the one call of `f` has returned.
#[inline]
pub(crate) fn call_once<L: RawLock, F: FnOnce()>(done: &AtomicU32, m: &L, f: F) {
    if done.load(Acquire) == 0 {
        call_once_slow(done, m, f);
    }
}

#[inline(never)]
fn call_once_slow<L: RawLock, F: FnOnce()>(done: &AtomicU32, m: &L, f: F) {
    m.lock();
    // The lock orders us after the call that stored 1, if any.
    if done.load(Relaxed) == 0 {
        f();
        done.store(1, Release);
    }
    m.unlock();
}

pub(crate) fn is_completed(done: &AtomicU32) -> bool {
    done.load(Acquire) != 0
}
