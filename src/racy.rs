//! [`RacyCell`]: a `static` the runtime mutates under its own rules.
//!
//! Runtime state such as `m0`, `g0` and `sched` must live in statics the asm
//! can name, and is guarded by the scheduler's locks or by being touched by
//! one thread only (before the first `clone`). Rust cannot see those rules,
//! so each access goes through `get()`, a raw pointer, and states its reason.
//!
//! `RacyCell<T>` is `Sync` only for `T: Send`: a value whose type may not
//! cross threads (an `Rc`, a raw pointer to who knows what) cannot be put in
//! a shared static by accident. Runtime types made of raw pointers (the
//! G, M and P lists) say themselves why they may cross threads: the objects
//! they point at are never freed and are handed over under the scheduler's
//! locks.

use core::cell::UnsafeCell;

#[repr(transparent)]
pub struct RacyCell<T>(UnsafeCell<T>);

// SAFETY: a RacyCell is a `Mutex<T>` whose lock is outside it: every user
// documents the lock (or the single-thread phase: start-up before the first
// `clone`, the dying path's one owner) that gives each access to the value
// exclusively. So the value is never shared by two threads at once; it only
// passes from one thread to the next, and passing a value between threads is
// exactly what `T: Send` allows (as `Mutex<T>: Sync` needs only `T: Send`).
// The few cells whose value many threads read at once after it is published
// (`allp`, the initial stack) hold types that are also `Sync`.
unsafe impl<T: Send> Sync for RacyCell<T> {}

impl<T> RacyCell<T> {
    pub const fn new(v: T) -> RacyCell<T> {
        RacyCell(UnsafeCell::new(v))
    }

    /// A raw pointer to the value; dereferencing it is the caller's promise.
    pub const fn get(&self) -> *mut T {
        self.0.get()
    }
}
