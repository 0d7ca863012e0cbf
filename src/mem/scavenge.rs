//! The scavenger's clock and policy: Go's background scavenger
//! (mgcscavenge.go: `bgscavenge`, `scavengeOne`), reduced to an age rule.
//! The memory side lives with the memory: free heap pages
//! ([`super::heap::scavenge`]) and pooled free goroutine stacks
//! ([`super::stack::scavenge`]); the driver that sysmon calls is the
//! core's (`sched::scavenge`).
//!
//! **Age, not a pacer.** Go's scavenger releases memory at about 1% of
//! one CPU towards a goal set by the GC, so an idle Go 1.19 program that
//! freed 200 MB keeps most of it for minutes. rt0 has no GC to set a
//! goal; it releases what has stayed free long enough, as mimalloc and
//! jemalloc (decay) do: memory free for [`MIN_AGE_GENS`] generations
//! (0.75 to 1 s) goes back, in bounded pieces, at most
//! [`TICK_BUDGET_BYTES`] per sysmon round. A program that frees and
//! reallocates within a second never pays for it; an idle one shrinks
//! about a second after it stops.
//!
//! **The clock** is a generation count ([`generation`]) that the driver
//! advances every [`GEN_PERIOD_NS`]; a free stamps its memory with the
//! current generation (one relaxed load: no clock read on the free path,
//! which matters under qemu-user, where a clock read is a system call).
//!
//! **`MADV_DONTNEED`, not `MADV_FREE`.** `MADV_FREE` lets the kernel take
//! the pages lazily, under memory pressure, and until then they count in
//! the process's RSS: a program that went idle would keep its RSS high
//! on a machine with memory to spare (the reason Go 1.16 went back to
//! `MADV_DONTNEED` by default). `MADV_DONTNEED` drops the pages at once
//! (RSS falls when the call returns) and the next touch faults in a
//! zeroed page, which costs about what a fresh page costs; the age rule
//! keeps that off memory a busy program reuses.
//!
//! **Nothing relies on zeroes after the advice.** qemu-user 7.2 answers 0
//! to `madvise` and does nothing, so under it the memory stays resident
//! and keeps its old contents; the RSS bound of `tests/scavenge.rs` is a
//! native-only assertion. The allocator never assumes that released
//! memory reads as zero (`alloc_zeroed` writes its zeroes), and the
//! heap's and the stack pool's records live outside the memory they
//! release.

use core::sync::atomic::{AtomicU32, Ordering::Relaxed};

/// How often the generation advances.
pub const GEN_PERIOD_NS: i64 = 250_000_000;
/// Memory free for this many generations is released: freed during
/// generation `g`, it goes back once the count reaches `g + 4`, after 0.75
/// to 1 s of idleness.
pub const MIN_AGE_GENS: u32 = 4;
/// At most this much is released per sysmon round; the driver comes back
/// [`RETRY_NS`] later while more is ripe.
pub const TICK_BUDGET_BYTES: usize = 16 << 20;
/// The driver's next round when the budget ran out.
pub const RETRY_NS: i64 = 1_000_000;

static GENERATION: AtomicU32 = AtomicU32::new(0);

/// The scavenger's current generation.
#[inline]
pub fn generation() -> u32 {
    GENERATION.load(Relaxed)
}

/// Advances the generation (the driver, on sysmon's M); returns the new one.
pub fn advance_generation() -> u32 {
    GENERATION.fetch_add(1, Relaxed).wrapping_add(1)
}
