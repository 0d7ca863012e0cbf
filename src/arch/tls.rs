//! The current g, one load away: FS = `&m.tls[1]`, so the g sits at
//! `fs:-8` (Go's `get_tls` and `g(CX)` on linux/amd64). The scheduler
//! wraps [`getg_raw`] with its own type (`sched::sched::getg`).

use super::offsets::TLS_G_SLOT_SIZE;

/// The word in the current thread's g slot: the current g's address, as
/// rt0_go, `clone.s` or the context switch last stored it.
#[inline(always)]
pub fn getg_raw() -> usize {
    let g: usize;
    // SAFETY: FS points at the current M's tls[1] on every thread the
    // runtime runs (rt0_go sets it for m0 before any Rust code, clone.s's
    // CLONE_SETTLS for every other M), so the slot below it is readable;
    // the load has no side effects.
    unsafe {
        core::arch::asm!(
            "mov {g}, qword ptr fs:[-{slot}]", // g = tls[0]
            g = out(reg) g,
            slot = const TLS_G_SLOT_SIZE,
            options(nostack, readonly, preserves_flags)
        )
    };
    g
}
