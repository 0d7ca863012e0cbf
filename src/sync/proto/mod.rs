//! The sync protocols, each written once and compiled twice: here, into the
//! runtime, over core's atomics and the scheduler's park/ready; and in the
//! host crate `models/` (`#[path]` to these same files), over loom's
//! atomics and a loom-modelled park/unpark, where loom checks every
//! interleaving (`make models`).
//!
//! A protocol file names what it needs through `super::`: the atomic types
//! and orderings, `throw`, the spin policy (`can_spin`, `procyield`) and `store_load_fence`.
//! Queues and semaphores come in as generic parameters (traits in
//! [`sema`]), so the runtime's calls monomorphise to direct code with no
//! indirection. The structs with `const fn new` (loom's atomics have none)
//! stay in the runtime-only modules `sync::{sema, mutex, waitgroup, once}`.

pub(crate) use crate::debug::fatal::throw;
use core::sync::atomic::Ordering::Relaxed;
pub(crate) use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};

pub(crate) mod mutex;
pub(crate) mod once;
pub(crate) mod sema;
pub(crate) mod waitgroup;

/// Orders a SeqCst read-modify-write before a later SeqCst load of another
/// atomic (the store-load hand-shake of the semaphore). Nothing to do: C11
/// puts all SeqCst operations in one total order, and on x86-64 the RMW is
/// a locked instruction, a full barrier. The loom build of the protocols
/// makes this a `fence(SeqCst)`, since loom models SeqCst accesses only as
/// AcqRel.
#[inline(always)]
pub(crate) fn store_load_fence() {}

// Spin rounds a `sync.Mutex` locker may make before it queues, and one
// round's pauses: the scheduler's (Go's `active_spin`, `active_spin_cnt`
// and `procyield` serve both kinds of lock).
use crate::sched::proto::ACTIVE_SPIN;
pub(crate) use crate::sched::proto::procyield;

/// May a locker spin (round `iter`) instead of queueing? Only with more
/// than one CPU and P, where the holder can be running elsewhere (Go's
/// `sync_runtime_canSpin`, without its run-queue check).
#[inline]
pub(crate) fn can_spin(iter: u32) -> bool {
    iter < ACTIVE_SPIN
        && crate::sched::conf::ncpu() > 1
        && crate::sched::sched::sched().gomaxprocs.load(Relaxed) > 1
}
