//! The reference count that keeps a descriptor's number alive while
//! operations use it: the `mutexClosed` and reference parts of Go's
//! `fdMutex` (internal/poll/fd_mutex.go: `incref`, `increfAndClose`,
//! `decref`). Checked by `models/tests/fdref.rs`.
//!
//! One word: bit [`CLOSED`] and, below it, the number of references.
//! Every operation takes a reference first ([`incref`], which fails once
//! the fd is closed) and drops it when done ([`decref`]). Closing
//! ([`close`]) sets `CLOSED` and takes a reference of its own in one CAS,
//! so exactly one closer wins; it then wakes the operations blocked in the
//! poller and drops its reference. Whoever drops the last reference of a
//! closed fd (the closer, or the last operation still running) is told so
//! by `decref` and releases the number (`close(2)`), exactly once, with
//! no operation still using it: a number the kernel hands out again can
//! never receive a read meant for the old one.

use super::{AtomicU64, Ordering::SeqCst, throw};

/// The fd is closed: no new reference.
pub(crate) const CLOSED: u64 = 1 << 63;
/// Most references at once (Go's limit is 2^20 - 1 as well: more means a
/// runaway program, and the count must not reach `CLOSED`).
pub(crate) const MAX_REFS: u64 = (1 << 20) - 1;

/// Takes a reference; false if the fd is closed.
#[inline]
pub(crate) fn incref(state: &AtomicU64) -> bool {
    add_ref(state, 0)
}

/// Marks the fd closed and takes the closer's reference; false if it was
/// closed already (the second close of an fd is an error).
#[inline]
pub(crate) fn close(state: &AtomicU64) -> bool {
    add_ref(state, CLOSED)
}

/// Adds a reference and the bits `set`, in one CAS, unless the fd is
/// closed.
#[inline]
fn add_ref(state: &AtomicU64, set: u64) -> bool {
    let mut cur = state.load(SeqCst);
    loop {
        if cur & CLOSED != 0 {
            return false;
        }
        if cur & !CLOSED >= MAX_REFS {
            throw("too many concurrent operations on a single file or socket");
        }
        match state.compare_exchange_weak(cur, (cur + 1) | set, SeqCst, SeqCst) {
            Ok(_) => return true,
            Err(now) => cur = now,
        }
    }
}

/// Drops a reference; true if it was the last one of a closed fd: the
/// caller must now release the descriptor.
#[inline]
pub(crate) fn decref(state: &AtomicU64) -> bool {
    let old = state.fetch_sub(1, SeqCst);
    if old & !CLOSED == 0 {
        throw("inconsistent poll.fdMutex");
    }
    old == CLOSED | 1
}

/// Is the fd closed? (a hint: it may close right after).
#[inline]
pub(crate) fn is_closed(state: &AtomicU64) -> bool {
    state.load(SeqCst) & CLOSED != 0
}
