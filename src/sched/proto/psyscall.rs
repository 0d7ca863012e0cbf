//! Who owns a P whose goroutine is in a system call: Go's `entersyscall`
//! (the P left in `_Psyscall`), `exitsyscallfast`, `retake` and
//! `stopTheWorldWithSema` (proc.go), reduced to the P's status word. The
//! runtime's `sched::syscall`, `sched::sysmon` and `sched::stw` call
//! these; `models/tests/psyscall.rs` checks them in loom.
//!
//! The M entering the call moves its P from `PRUNNING` to `PSYSCALL`
//! ([`leave_for_syscall`]) and stops touching it. Three parties may then
//! take it, each with one compare-and-swap from `PSYSCALL`: the M itself
//! on the way back ([`take_back`], to `PRUNNING`), sysmon ([`retake`], to
//! `PIDLE`, then a hand-off to another M), the stopper of the world
//! ([`retake`], to `PGCSTOP`). Exactly one CAS succeeds, and its winner
//! owns the P: the others leave it alone (the M then looks for an idle P
//! or queues its goroutine).
//!
//! Ordering: the M's last writes to the P (its run queue, timers, cache)
//! happen before the winner's first reads, so the status store is a
//! release and every winning CAS an acquire. Relaxed would let a retaker
//! read a run queue the M wrote a moment before (the negative model).

use super::{
    AtomicU32,
    Ordering::{AcqRel, Acquire, Relaxed},
    throw,
};

/// On the idle list, or handed over to an M that has not taken it (Go's
/// `_Pidle`).
pub(crate) const PIDLE: u32 = 0;
/// Held by an M that runs goroutines (or the scheduler) on it.
pub(crate) const PRUNNING: u32 = 1;
/// Its goroutine is in a system call entered with `entersyscall`: the M
/// still counts on getting it back, but sysmon may retake it and hand it
/// to another M (Go's `_Psyscall`).
pub(crate) const PSYSCALL: u32 = 2;
/// Stopped for a stop of the world (Go's `_Pgcstop`): owned by the
/// stopper until the world starts again.
pub(crate) const PGCSTOP: u32 = 3;
/// No longer used: GOMAXPROCS shrank below its id (Go's `_Pdead`). Never
/// freed; revived in place if GOMAXPROCS grows again.
pub(crate) const PDEAD: u32 = 4;

/// The M enters a system call and leaves its P (`PRUNNING` ->
/// `PSYSCALL`): a release of everything it did with the P.
#[inline]
pub(crate) fn leave_for_syscall(status: &AtomicU32) {
    if status
        .compare_exchange(PRUNNING, PSYSCALL, AcqRel, Relaxed)
        .is_err()
    {
        throw("entersyscall: P not running");
    }
}

/// The M, back from the call, takes its P back if nobody retook it
/// (Go's `exitsyscallfast`). True: the P is the M's again, `PRUNNING`.
#[inline]
pub(crate) fn take_back(status: &AtomicU32) -> bool {
    status
        .compare_exchange(PSYSCALL, PRUNNING, Acquire, Relaxed)
        .is_ok()
}

/// sysmon (`to` = `PIDLE`) or the stopper (`PGCSTOP`) takes the P from
/// the system call. True: the caller owns it, with everything its M did.
#[inline]
pub(crate) fn retake(status: &AtomicU32, to: u32) -> bool {
    status
        .compare_exchange(PSYSCALL, to, Acquire, Relaxed)
        .is_ok()
}

/// [`leave_for_syscall`] with a relaxed store: the mistake the negative
/// model shows (a retaker's reads race the M's last writes).
#[cfg(rt0_models)]
pub(crate) fn leave_for_syscall_relaxed(status: &AtomicU32) {
    if status
        .compare_exchange(PRUNNING, PSYSCALL, Relaxed, Relaxed)
        .is_err()
    {
        throw("entersyscall: P not running");
    }
}
