//! `Once`: Go's `sync.Once` (sync/once.go). A fast atomic check; the slow
//! path serialises on a [`RawMutex`], so late callers park until the first
//! call of `f` has finished and see its effects.

use core::sync::atomic::{
    AtomicU32,
    Ordering::{Acquire, Release},
};

use super::mutex::RawMutex;

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
        if self.done.load(Acquire) == 0 {
            self.m.lock();
            if self.done.load(Acquire) == 0 {
                f();
                self.done.store(1, Release);
            }
            self.m.unlock();
        }
    }

    pub fn is_completed(&self) -> bool {
        self.done.load(Acquire) != 0
    }
}
