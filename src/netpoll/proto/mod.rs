//! The netpoller's lock-free protocols, written once and compiled twice:
//! here, into the runtime, over core's atomics; and in the host crate
//! `models/` (`#[path]` to these same files), over loom's atomics, where
//! loom checks every interleaving (`make models`: models/tests/pollwait.rs,
//! models/tests/fdref.rs and models/tests/shortread.rs). A protocol file names what it needs through
//! `super::`.

pub(crate) use crate::debug::fatal::throw;
pub(crate) use core::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize, Ordering};

pub(crate) mod fdref;
pub(crate) mod pollwait;
pub(crate) mod shortread;

/// Orders a thread's SeqCst store (or RMW) before its next SeqCst load of
/// another location, for loom's sake (the models make it a
/// `fence(SeqCst)`; loom models SeqCst accesses only as AcqRel). In the
/// runtime the SeqCst accesses themselves give that order.
#[inline(always)]
pub(crate) fn store_load_fence() {}
