//! A table built at most once, by whoever needs it first, without a lock
//! (the executable's image, the symbol, line and inline indexes): a state
//! word goes `UNTRIED` -> `IN_PROGRESS` (one CAS: the builder) -> `READY`
//! or `FAILED` (a release store after the table is written). Like
//! `sync.Once` but never waits: a report may be written by a signal
//! handler that interrupted the builder itself, so a caller that finds
//! the build in progress gets [`Begin::Busy`] at once and does without
//! the table (the callers fall back to a slower scan, or to no names).
//!
//! Invariants: exactly one caller ever gets [`Begin::Build`]; a caller
//! that gets [`Begin::Ready`] (or sees [`is_ready`]) sees everything the
//! builder wrote before [`finish`] (Acquire pairs with its Release). The
//! loom model `models/tests/build_once.rs` checks both, and that a
//! relaxed finish ([`finish_relaxed`], models only) breaks the second.

use super::{AtomicU32, Ordering};

/// Nobody has tried to build.
pub(crate) const UNTRIED: u32 = 0;
/// A builder is writing the table.
pub(crate) const IN_PROGRESS: u32 = 1;
/// The table is built and readable.
pub(crate) const READY: u32 = 2;
/// The build failed; nobody tries again.
pub(crate) const FAILED: u32 = 3;

/// What [`begin`] found.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Begin {
    /// This caller builds, then calls [`finish`].
    Build,
    /// Another caller is building: do without.
    Busy,
    /// Built: read it.
    Ready,
    /// The build failed: do without.
    Failed,
}

/// Claims the build, or says why not.
pub(crate) fn begin(state: &AtomicU32) -> Begin {
    match state.compare_exchange(UNTRIED, IN_PROGRESS, Ordering::Acquire, Ordering::Acquire) {
        Ok(_) => Begin::Build,
        Err(READY) => Begin::Ready,
        Err(FAILED) => Begin::Failed,
        Err(_) => Begin::Busy,
    }
}

/// Is the table built (and what the builder wrote visible)?
pub(crate) fn is_ready(state: &AtomicU32) -> bool {
    state.load(Ordering::Acquire) == READY
}

/// The builder's last step: publishes the table, or the failure.
pub(crate) fn finish(state: &AtomicU32, ok: bool) {
    state.store(if ok { READY } else { FAILED }, Ordering::Release);
}

/// [`finish`] with a relaxed store: the mistake the negative model shows
/// (a reader that sees `READY` may not see the table).
#[cfg(rt0_models)]
pub(crate) fn finish_relaxed(state: &AtomicU32, ok: bool) {
    state.store(if ok { READY } else { FAILED }, Ordering::Relaxed);
}
