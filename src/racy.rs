//! [`RacyCell`]: a `static` the runtime mutates under its own rules.
//!
//! Runtime state such as `m0`, `g0` and `sched` must live in statics the asm
//! can name, and is guarded by the scheduler's locks or by being touched by
//! one thread only (before the first `clone`). Rust cannot see those rules,
//! so each access goes through `get()`, a raw pointer, and states its reason.

use core::cell::UnsafeCell;

#[repr(transparent)]
pub struct RacyCell<T>(UnsafeCell<T>);

// SAFETY: every user of a RacyCell documents the lock or the single-thread
// phase that orders its accesses.
unsafe impl<T> Sync for RacyCell<T> {}

impl<T> RacyCell<T> {
    pub const fn new(v: T) -> RacyCell<T> {
        RacyCell(UnsafeCell::new(v))
    }

    /// A raw pointer to the value; dereferencing it is the caller's promise.
    pub const fn get(&self) -> *mut T {
        self.0.get()
    }
}
