//! `Once`: Go's `sync.Once` (sync/once.go). A fast atomic check; the slow
//! path serialises on a [`RawMutex`], so late callers park until the first
//! call of `f` has finished and see its effects. The protocol and its
//! invariants are in [`proto::once`](super::proto::once).

use core::sync::atomic::AtomicU32;

use super::mutex::RawMutex;
use super::proto::once as protocol;

/// Runs a function exactly once (Go's `sync.Once`; Rust's
/// `std::sync::Once`): later and concurrent callers of `call_once` wait,
/// parked, until the first call has finished.
pub struct Once {
    done: AtomicU32,
    m: RawMutex,
}

impl Default for Once {
    fn default() -> Self {
        Self::new()
    }
}

impl Once {
    pub const fn new() -> Once {
        Once {
            done: AtomicU32::new(0),
            m: RawMutex::new(),
        }
    }

    /// Calls `f` if and only if this is the first call of `call_once` on
    /// this Once; every call returns after `f` has returned.
    pub fn call_once<F: FnOnce()>(&self, f: F) {
        protocol::call_once(&self.done, &self.m, f);
    }

    pub fn is_completed(&self) -> bool {
        protocol::is_completed(&self.done)
    }
}
