//! The runtime's `src/sync/proto` files, compiled over loom: this module
//! plays the part of `src/sync/proto/mod.rs` (what the files import
//! through `super::`).
#![allow(dead_code, unused_imports)]

pub use loom::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// The runtime's `throw` is a fatal error; in a model, a failure.
pub fn throw(msg: &str) -> ! {
    panic!("fatal error: {msg}")
}

/// The semaphore's store-load hand-shake relies on C11's total order of
/// SeqCst operations, which loom does not model (it treats SeqCst accesses
/// as AcqRel, its README says, and then reports false lost wake-ups): a
/// SeqCst fence gives loom the same guarantee. In the runtime this is a
/// no-op, because there the SeqCst accesses themselves give it.
pub fn store_load_fence() {
    loom::sync::atomic::fence(Ordering::SeqCst);
}

/// Spin rounds a model Mutex locker may make: one, so loom explores the
/// spinner's WOKEN mark as well as queueing, without the runtime's 4 x 30
/// pauses multiplying the interleavings.
const MODEL_SPIN: u32 = 1;

pub fn can_spin(iter: u32) -> bool {
    iter < MODEL_SPIN
}

/// A spin round's pauses: one yield, so loom lets the others run.
pub fn procyield() {
    loom::thread::yield_now();
}

#[path = "../../../src/sync/proto/mutex.rs"]
pub mod mutex;
#[path = "../../../src/sync/proto/once.rs"]
pub mod once;
#[path = "../../../src/sync/proto/sema.rs"]
pub mod sema;
#[path = "../../../src/sync/proto/waitgroup.rs"]
pub mod waitgroup;
