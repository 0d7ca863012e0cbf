//! The background scavenger's driver: Go's `bgscavenge` (mgcscavenge.go),
//! run by sysmon instead of a goroutine of its own. sysmon calls
//! [`sysmon_tick`] once per round, on its M (no P, no goroutine); the
//! policy and the memory side are `mem::scavenge`, `mem::heap::scavenge`
//! and `mem::stack::scavenge`.
//!
//! Each round: advance the generation every `GEN_PERIOD_NS`; give back
//! free heap pages, then pooled free stacks, that have been free for
//! `MIN_AGE_GENS` generations, at most `TICK_BUDGET_BYTES` per round.
//! The answer is when to come back: soon (`RETRY_NS`) while the budget
//! ran out, at the next generation while free memory still holds pages,
//! never (`i64::MAX`) when everything free is released. So sysmon must
//! call it in every round, including the one before it sleeps for long:
//! memory freed after an answer of `i64::MAX` is seen at the next round.
//!
//! Invariants: it never allocates, never takes a runtime lock (only the
//! heap's and the stack pool's spin locks, for a list walk and a split,
//! never across the `madvise` calls), and never touches a P's caches:
//! `p.mcache` (at most twice a batch per class, `mem::malloc`) and
//! `p.stackcache` (at most `STACK_CACHE_MAX` stacks, `sched::proc`) stay
//! with their P, bounded.
//!
//! `GODEBUG=scavtrace=1` prints, when a generation ends in which memory
//! was released, Go 1.19's line: `scav N KiB work, N KiB total, N% util`
//! (work: released since the last line, heap and stacks; total: heap
//! memory released and not reused, Go's `heapReleased`; util: heap bytes
//! in use over the heap memory retained).

use core::fmt::Write;
use core::sync::atomic::{AtomicI64, AtomicUsize, Ordering::Relaxed};

use super::conf::DEBUG;
use crate::mem::scavenge::{
    GEN_PERIOD_NS, MIN_AGE_GENS, RETRY_NS, TICK_BUDGET_BYTES, advance_generation, generation,
};
use crate::mem::{heap, stack};
use crate::print::Writer;

/// When the generation next advances (0: not started). sysmon's alone.
static NEXT_GEN_AT: AtomicI64 = AtomicI64::new(0);
/// Bytes released since the last trace line. sysmon's alone.
static CYCLE_WORK: AtomicUsize = AtomicUsize::new(0);

/// One scavenger round at `now` (nanotime); returns the nanotime at which
/// it next wants to run, or `i64::MAX`.
pub(crate) fn sysmon_tick(now: i64) -> i64 {
    let mut next_gen = NEXT_GEN_AT.load(Relaxed);
    if next_gen == 0 || now >= next_gen {
        if next_gen != 0 {
            advance_generation();
            trace_cycle();
        }
        next_gen = now + GEN_PERIOD_NS;
        NEXT_GEN_AT.store(next_gen, Relaxed);
    }
    let gen_now = generation();
    let mut done = heap::scavenge(gen_now, MIN_AGE_GENS, TICK_BUDGET_BYTES);
    if done < TICK_BUDGET_BYTES {
        done += stack::scavenge(gen_now, MIN_AGE_GENS, TICK_BUDGET_BYTES - done);
    }
    let work = CYCLE_WORK.load(Relaxed) + done;
    CYCLE_WORK.store(work, Relaxed);
    if done >= TICK_BUDGET_BYTES {
        return now + RETRY_NS;
    }
    if work > 0 || heap::dirty_free_bytes() > 0 || stack::dirty_free_bytes() > 0 {
        return next_gen;
    }
    i64::MAX
}

/// The `scavtrace` line for the generation that just ended, if it
/// released anything.
fn trace_cycle() {
    let work = CYCLE_WORK.swap(0, Relaxed);
    if work == 0 || DEBUG.scavtrace.load(Relaxed) == 0 {
        return;
    }
    let (released, retained, in_use, _) = heap::scav_stats();
    let util = (in_use * 100).checked_div(retained).unwrap_or(0);
    let mut w = Writer::stderr();
    let _ = writeln!(
        w,
        "scav {} KiB work, {} KiB total, {}% util",
        work >> 10,
        released >> 10,
        util
    );
}
