//! The short-read mark of a stream descriptor: when a read may skip its
//! syscall and wait for the next event first ([`Fd::read`]'s note in
//! fd.rs; rt0's own, not in Go). Checked by `models/tests/shortread.rs`.
//!
//! Two flags:
//! - `drained`, the reader's own (touched only under the fd's read lock):
//!   the last read was short, so it took every byte the kernel had, and a
//!   byte that arrives after it raises a new edge-triggered event;
//! - `hup`, set by the poller before it wakes anyone, once an event
//!   reported hang-up or an error: end of file (or the error) may then
//!   sit right behind the bytes a read took, with no edge to come.
//!
//! The rule ([`wait_first`]): a read waits for the next event before its
//! syscall only after a short read and while no hang-up has been seen.
//! Why no read hangs: the event that brought the last bytes, or one after
//! it, reports the hang-up; the poller stores `hup` (SeqCst) before it
//! swaps the waiting word, and the reader claims the word (SeqCst) before
//! it parks, so a reader that missed the flag finds the event's `READY`
//! in the word or is woken by it. And a reader woken by an earlier
//! event's `READY`, which the hang-up's event found still in the word
//! (and so left alone, with no write), still sees the flag: the flag's
//! store is before that event's load of the word, the reader's swap of
//! the word after it, and its load of the flag after that, all SeqCst
//! (loom, which models SeqCst as AcqRel, needs the two fences to see it;
//! without them it reports this very interleaving as a hang). Only a stream that delivers all it has
//! per read may use the mark: a terminal in canonical mode answers one
//! line per read with more lines queued, so a tty must not.

use super::{AtomicBool, Ordering::Relaxed, Ordering::SeqCst, store_load_fence};

/// Whether a read of `want` bytes waits for the next event before trying
/// the syscall.
#[inline]
pub(crate) fn wait_first(drained: &AtomicBool, want: usize, hup: &AtomicBool) -> bool {
    // The last wait's swap of the word (SeqCst) is before this load.
    store_load_fence();
    want > 0 && drained.load(Relaxed) && !hup.load(SeqCst)
}

/// Records what a read of `want` bytes that returned `n` says about the
/// kernel's queue (an error or end of file: nothing).
#[inline]
pub(crate) fn after_read(drained: &AtomicBool, n: usize, want: usize) {
    drained.store(n > 0 && n < want, Relaxed);
}

/// The poller's side: an event reported hang-up or an error. Called
/// before the event wakes anyone.
#[inline]
pub(crate) fn record_hup(hup: &AtomicBool) {
    if !hup.load(Relaxed) {
        hup.store(true, SeqCst);
    }
    // Before the wake-up's load of the waiting word.
    store_load_fence();
}
