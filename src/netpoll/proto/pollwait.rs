//! One direction of a poll descriptor: the word a goroutine waits on for
//! "readable" (or "writable"), Go's `pollDesc.rg`/`wg` with
//! `netpollblock`, `netpollblockcommit` and `netpollunblock`
//! (netpoll.go). Checked by `models/tests/pollwait.rs`.
//!
//! The word holds one of:
//! - [`NIL`]: nothing happened, nobody waits;
//! - [`READY`]: the fd became ready and nobody has consumed that yet;
//! - [`WAIT`]: a goroutine is about to park (it has not committed yet);
//! - a goroutine's address: it is parked, and whoever swaps it out of the
//!   word readies it.
//!
//! The waiter: [`begin`] consumes a `READY` or claims the word (`WAIT`);
//! then the caller checks for errors (closed, deadline passed) *after*
//! the claim, parks, and gopark's commit function (on g0, once the
//! goroutine is off its M) runs [`commit`], which replaces `WAIT` by the
//! goroutine; if the word changed meanwhile (a wake-up came between claim
//! and park) the commit fails and the goroutine runs on at once. Either
//! way [`end`] then reads what woke it and resets the word.
//!
//! The waker ([`unblock`]): I/O readiness (`ioready`) turns `NIL` into
//! `READY` (remembered for the next waiter); every wake-up turns `WAIT`
//! or a goroutine into `NIL` (`READY` for I/O) and hands back the
//! goroutine, if one was parked, for the caller to make runnable. An
//! error wake-up (close, deadline) of a word with nobody waiting leaves it
//! alone: the error flag, set before, is what the next waiter sees.
//!
//! Why no wake-up is lost: the error side stores its flag, then swaps the
//! word (SeqCst); the waiter claims the word (SeqCst CAS), then loads the
//! flag. Whichever goes second sees the other: either the waiter sees the
//! flag and does not park, or the waker sees `WAIT` (or the goroutine) and
//! wakes it (a `WAIT` turned into `NIL` makes the commit fail). I/O
//! readiness needs no flag: `READY` itself is the message.

//!
//! The count of parked goroutines (`waiters`, Go's `netpollWaiters`) is
//! kept here too, so that loom checks it with the word: [`commit`] adds
//! the goroutine *before* its CAS makes it visible in the word, and takes
//! it back if the CAS fails; [`unblock`] subtracts what it takes out. A
//! waker can only subtract a goroutine it found in the word, so the count
//! never drops below the goroutines truly parked: it is never negative,
//! and it is exactly 0 once every waiter has run again. (Adding after the
//! CAS, as Go does, lets a waker subtract first: the count reads -1, and
//! a parked goroutine elsewhere can then look like no waiter at all.)

use super::{AtomicI64, AtomicUsize, Ordering::SeqCst, throw};

/// Nothing happened, nobody waits (Go's `pdNil`).
pub(crate) const NIL: usize = 0;
/// Ready, not consumed yet (Go's `pdReady`).
pub(crate) const READY: usize = 1;
/// A goroutine is about to park (Go's `pdWait`).
pub(crate) const WAIT: usize = 2;

/// What [`begin`] found.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Begin {
    /// A readiness was waiting: consumed, do not park.
    Ready,
    /// The word is claimed (`WAIT`): check for errors, then park.
    Claimed,
}

/// Forgets a readiness before a new operation (Go's `netpollReset`): the
/// operation tries its syscall first anyway. Only the word's one waiter
/// (the operation holding the fd's read or write lock) calls it.
#[inline]
pub(crate) fn reset(word: &AtomicUsize) {
    word.store(NIL, SeqCst);
}

/// The waiter's first step (the loop at the top of Go's `netpollblock`).
#[inline]
pub(crate) fn begin(word: &AtomicUsize) -> Begin {
    loop {
        if word.compare_exchange(READY, NIL, SeqCst, SeqCst).is_ok() {
            return Begin::Ready;
        }
        match word.compare_exchange(NIL, WAIT, SeqCst, SeqCst) {
            Ok(_) => return Begin::Claimed,
            // READY arrived between the two CASes: take it.
            Err(READY) => continue,
            Err(_) => throw("netpollblock: double wait"),
        }
    }
}

/// gopark's commit (Go's `netpollblockcommit`): the goroutine `g` (not 0,
/// 1 or 2: an address) is now parked on the word, and counted in
/// `waiters`. False if a wake-up came first: the goroutine must not sleep
/// (and is not counted).
#[inline]
pub(crate) fn commit(word: &AtomicUsize, g: usize, waiters: &AtomicI64) -> bool {
    // Counted first: once the CAS publishes `g`, a waker may take it out
    // and subtract it at once.
    waiters.fetch_add(1, SeqCst);
    if word.compare_exchange(WAIT, g, SeqCst, SeqCst).is_ok() {
        return true;
    }
    waiters.fetch_sub(1, SeqCst);
    false
}

/// The waiter's last step, after the park (or instead of it, when an error
/// was seen): resets the word; true if it was woken by readiness.
#[inline]
pub(crate) fn end(word: &AtomicUsize) -> bool {
    let old = word.swap(NIL, SeqCst);
    if old > WAIT {
        throw("netpollblock: corrupted state");
    }
    old == READY
}

/// The waker (Go's `netpollunblock`): I/O readiness when `ioready`, else an
/// error wake-up. Returns the parked goroutine it took out of the word
/// (no longer counted in `waiters`), or 0; the caller readies it.
#[inline]
pub(crate) fn unblock(word: &AtomicUsize, ioready: bool, waiters: &AtomicI64) -> usize {
    loop {
        let old = word.load(SeqCst);
        if old == READY {
            return 0;
        }
        if old == NIL && !ioready {
            return 0;
        }
        let new = if ioready { READY } else { NIL };
        if word.compare_exchange(old, new, SeqCst, SeqCst).is_ok() {
            if old == WAIT || old == NIL {
                return 0;
            }
            if waiters.fetch_sub(1, SeqCst) < 1 {
                throw("netpollunblock: negative waiter count");
            }
            return old;
        }
    }
}
