//! The signal queue's hand-off between the signal handler and the one
//! receiver: Go's `sigsend` and `signal_recv` (runtime/sigqueue.go),
//! rebuilt on a pending mask and a futex sequence word instead of Go's
//! `sig.state` machine and note. Written over what `super` provides;
//! `models/tests/sigqueue.rs` checks it in loom, with a must-fail variant.
//!
//! State:
//! - `pending`: one bit per signal (bit `sig - 1`) delivered and not yet
//!   taken by the receiver (Go's `sig.mask`). Signals of the same number
//!   coalesce here while the receiver is busy, as they do in the kernel.
//! - `seq`: a futex word the handler bumps after every new bit; the
//!   receiver sleeps on it.
//!
//! The handler ([`post`]): set the bit (an RMW), *then* bump `seq`, then
//! `FUTEX_WAKE`. The receiver ([`take`]): read `seq`, *then* swap
//! `pending` with 0; a non-zero mask is returned, otherwise it sleeps on
//! `seq` with the value it read. A signal posted while the receiver is
//! between "the mask is empty" and "sleep" is not lost: its bit came after
//! the receiver's swap (else the swap had returned it), so its bump came
//! after the receiver's read of `seq`; the futex compares `seq` with that
//! read atomically against wakes of the word, so the wait returns at once
//! (the value moved) or the `FUTEX_WAKE` that follows the bump finds the
//! receiver asleep. The other order on either side (bump before the bit;
//! swap before reading `seq`) lets the receiver read the new `seq`, see
//! an empty mask and sleep on a value nobody changes again: the lost
//! signal that `models/tests/sigqueue.rs` shows for the handler's side
//! ([`post_bump_first`]).
//!
//! The sequence word wraps after 2^32 posts; a receiver would miss a
//! wake-up only if exactly a multiple of 2^32 posts happened between its
//! read and its sleep.
//!
//! Invariants: [`post`] is async-signal-safe (two atomic RMWs and one
//! syscall: no lock, no allocation, nothing that the interrupted code on
//! this thread could hold); [`take`] has one caller at a time (the
//! receiver goroutine), and never returns 0.

use super::{AtomicU32, AtomicU64, Ordering::SeqCst, futex_wake};

/// `futex_wait`'s "no timeout".
pub(crate) const FOREVER: i64 = -1;

/// Records the signals of `bits` as pending and wakes the receiver (the
/// handler's half of Go's `sigsend`). Async-signal-safe.
#[inline]
pub(crate) fn post(pending: &AtomicU64, seq: &AtomicU32, bits: u64) {
    pending.fetch_or(bits, SeqCst);
    seq.fetch_add(1, SeqCst);
    futex_wake(seq, 1);
}

/// The wrong order, kept for the model that must fail: the wake-up is
/// published before the bit, so a receiver that reads the new `seq` and
/// then an empty mask sleeps for good.
#[cfg(rt0_models)]
pub(crate) fn post_bump_first(pending: &AtomicU64, seq: &AtomicU32, bits: u64) {
    seq.fetch_add(1, SeqCst);
    futex_wake(seq, 1);
    pending.fetch_or(bits, SeqCst);
}

/// Takes every pending signal, sleeping with `sleep(seq, seen)` until
/// there is one (Go's `signal_recv`, minus the per-signal iteration).
/// `sleep` must return once `*seq != seen` or after a wake of `seq`; it
/// may return spuriously (EINTR). Never returns 0.
#[inline]
pub(crate) fn take(
    pending: &AtomicU64,
    seq: &AtomicU32,
    mut sleep: impl FnMut(&AtomicU32, u32),
) -> u64 {
    loop {
        let seen = seq.load(SeqCst);
        let bits = pending.swap(0, SeqCst);
        if bits != 0 {
            return bits;
        }
        sleep(seq, seen);
    }
}
