//! The scheduler's futex protocols, the run-queue ring, the blocked
//! poller's hand-off and the signal queue's, written once and compiled twice: here,
//! into the runtime, over core's atomics and the real `futex(2)`; and in
//! the host crate `models/` (`#[path]` to these same files), over loom's
//! atomics and a loom-modelled futex, where loom checks every
//! interleaving (`make models`). A protocol file names what it needs
//! through `super::`; the structs with `const fn new` stay in
//! [`sched::lock`](super::lock).

pub(crate) use crate::debug::fatal::throw;
pub(crate) use crate::sys::futex::{futex_wait, futex_wake};
pub(crate) use core::sync::atomic::{
    AtomicBool, AtomicI64, AtomicPtr, AtomicU32, AtomicU64, Ordering,
};

pub(crate) mod lock;
pub(crate) mod poller;
pub(crate) mod psyscall;
pub(crate) mod runq;
pub(crate) mod sigpending;
pub(crate) mod sigqueue;
pub(crate) mod spinning;

/// Orders a thread's SeqCst store (or RMW) before its next SeqCst load of
/// another location, for loom's sake: the models make this a
/// `fence(SeqCst)`, since loom models SeqCst accesses only as AcqRel. In
/// the runtime the SeqCst accesses themselves give that order.
#[inline(always)]
pub(crate) fn store_load_fence() {}

/// Rounds of busy spinning (with `pause`) before yielding, and the pauses in
/// each: Go's `active_spin` and `active_spin_cnt`. The runtime locks here
/// and `sync`'s mutex ([`crate::sync::proto`]) share them, as in Go.
pub(crate) const ACTIVE_SPIN: u32 = 4;
const ACTIVE_SPIN_CNT: u32 = 30;

/// Busy-spin rounds a locker makes before yielding: none on one CPU,
/// where the holder cannot run while we spin.
#[inline]
pub(crate) fn active_spin_rounds() -> u32 {
    if super::conf::ncpu() > 1 {
        ACTIVE_SPIN
    } else {
        0
    }
}

/// One busy-spin round's pauses (Go's `procyield(active_spin_cnt)`).
#[inline]
pub(crate) fn procyield() {
    for _ in 0..ACTIVE_SPIN_CNT {
        core::hint::spin_loop();
    }
}

/// Gives the CPU to another thread (Go's `osyield`).
#[inline]
pub(crate) fn osyield() {
    crate::sys::process::sched_yield();
}
