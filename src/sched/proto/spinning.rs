//! The spinning-M hand-off: Go's `wakep` and the spinning -> non-spinning
//! transition of `findRunnable` and `resetspinning` (proc.go, "Worker
//! thread parking/unparking" and "Delicate dance"), over what `super`
//! provides. The runtime's `sched::schedule` calls these on
//! `sched.npidle` and `sched.nmspinning`; `models/tests/spinning.rs`
//! checks the hand-off in loom.
//!
//! The hand-off between a submitter and the last spinning M:
//! - a submitter makes work visible (a P's `runnext`, a timer's
//!   `timer0_when`), then [`wakep_claim`]: if there is an idle P and no
//!   spinning M, it claims the spinner's place (`nmspinning` 0 -> 1 by
//!   CAS) and starts an M;
//! - a spinning M that found nothing gives up its P ([`stop_spinning`]
//!   decrements `nmspinning`) and then looks at every source of work once
//!   more, taking an idle P back if it finds some.
//!
//! Both sides store, then load what the other side stores (Dekker's
//! pattern): the work then `npidle`/`nmspinning`, and `npidle`/
//! `nmspinning` then the work. Only a single total order of the four
//! accesses makes "at least one side sees the other" hold, so in C11
//! terms they must all be SeqCst: the publishing store or RMW of the work,
//! the loads here, the decrement, and the loads of the work after it. Go's
//! atomics are all sequentially consistent, so Go gets this for free; on
//! x86-64 a SeqCst load is a plain `mov` and the stores and RMWs are
//! locked or `xchg`, so SeqCst costs nothing over what was there.
//! `store_load_fence` marks the two places for loom, which models SeqCst
//! accesses only as AcqRel (a no-op in the runtime).

use super::{
    AtomicU32,
    Ordering::{Relaxed, SeqCst},
    store_load_fence, throw,
};

/// Go's `wakep` up to `startm`: true when the caller must start a
/// spinning M (it now holds a count in `nmspinning` for that M). Called
/// after the caller made new work visible with a SeqCst store or RMW.
#[inline]
pub(crate) fn wakep_claim(npidle: &AtomicU32, nmspinning: &AtomicU32) -> bool {
    store_load_fence();
    if npidle.load(SeqCst) == 0 {
        return false; // every P is busy: no one to wake
    }
    // Be conservative about spinning threads: a spinning M will find the
    // work itself (and wakes another when it does: `resetspinning`).
    if nmspinning.load(SeqCst) != 0 || nmspinning.compare_exchange(0, 1, SeqCst, Relaxed).is_err() {
        return false;
    }
    true
}

/// The spinning -> non-spinning transition: decrements `nmspinning`
/// (throwing `msg` if it was 0), then orders that before the caller's
/// next loads of the run queues and timers, which must be SeqCst.
#[inline]
pub(crate) fn stop_spinning(nmspinning: &AtomicU32, msg: &str) {
    if nmspinning.fetch_sub(1, SeqCst) == 0 {
        throw(msg);
    }
    store_load_fence();
}
