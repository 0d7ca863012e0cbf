//! A preemption request and its signal: Go's `preemptM` (the
//! `signalPending` CAS before `tgkill`) and the start of `doSigPreempt`
//! (signal_unix.go), reduced to two flags: the goroutine's `preempt` and
//! the M's `signal_pending`. `sched::preempt` calls these;
//! `models/tests/sigpending.rs` checks them in loom.
//!
//! sysmon asks with [`request`]: `preempt` set, then, unless a signal is
//! already on its way (`signal_pending` was set), the caller sends one.
//! The M's SIGURG handler starts with [`take_signal`], then reads
//! `preempt`. Property: a request is never left without a signal to see
//! it: either the handler of the signal in flight sees `preempt` set, or
//! the request finds `signal_pending` clear and sends a new one. That
//! needs the two swaps to synchronise (AcqRel): a handler whose swap reads
//! the request's swap then sees the request's store to `preempt`. With
//! relaxed swaps C11 would let the handler's later store of `preempt`
//! come before the request's in the flag's order, leaving a request with
//! no signal until sysmon's next round. (On x86-64 the locked swaps order
//! everything anyway, and loom does not explore that weak behaviour, so
//! the model has no negative twin.)

use super::{
    AtomicBool,
    Ordering::{AcqRel, Relaxed},
};

/// sysmon asks the goroutine to stop; true: send the M a signal now (and
/// call [`send_failed`] if it cannot be sent).
#[inline]
pub(crate) fn request(preempt: &AtomicBool, signal_pending: &AtomicBool) -> bool {
    preempt.store(true, Relaxed);
    !signal_pending.swap(true, AcqRel)
}

/// The signal could not be sent (the thread is gone): no signal is on its
/// way.
#[inline]
pub(crate) fn send_failed(signal_pending: &AtomicBool) {
    signal_pending.store(false, Relaxed);
}

/// The handler took the signal: true if it was sysmon's. The handler reads
/// `preempt` after this.
#[inline]
pub(crate) fn take_signal(signal_pending: &AtomicBool) -> bool {
    signal_pending.swap(false, AcqRel)
}
