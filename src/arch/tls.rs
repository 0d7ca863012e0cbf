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

/// The no-preemption count of the current M (Go's `m.locks`, used as
/// `acquirem`/`releasem` use it): `m.tls[1]`, the word FS points at, so one
/// `inc`/`dec` of `fs:[0]` changes it. One instruction matters: a read of
/// `getg().m` followed by a store could be split by a preemption that moves
/// the goroutine to another M between the two, and the count would change
/// on the wrong M. An instruction is never split by a signal.
///
/// While it is above zero the SIGURG handler refuses to preempt the
/// goroutine running on this M (`sched::preempt`): every runtime path that
/// holds per-M or per-P state on a goroutine's stack raises it (the
/// runtime's locks, the spin locks, the allocator's per-P cache, the
/// timers of the current P, gopark's hand-over to park_m).
///
/// In host unit tests (`cfg(test)`, std threads whose FS is glibc's thread
/// block) these do nothing.
#[inline(always)]
pub fn preempt_off() {
    #[cfg(not(test))]
    // SAFETY: FS points at this M's tls[1] on every runtime thread (see
    // getg_raw): the word is this M's own count; `inc` of memory is one
    // instruction, so no signal splits it.
    unsafe {
        core::arch::asm!(
            "inc qword ptr fs:[{slot}]", // m.locks++ (m.tls[1])
            slot = const super::offsets::TLS_LOCKS_OFFSET,
            options(nostack)
        )
    };
}

/// Bit 63 of the count word: the SIGURG handler refused a preemption
/// while the count was up ([`set_preempt_deferred`]). Keeping it in the
/// same word makes the check free: the `dec` of [`preempt_on`] leaves the
/// sign flag set exactly when it is.
pub const PREEMPT_DEFERRED: u64 = 1 << PREEMPT_DEFERRED_BIT;
/// Its bit number, for `bts`/`btr` (the sign bit, so that `js` sees it).
const PREEMPT_DEFERRED_BIT: u32 = 63;

/// Lowers the count raised by [`preempt_off`]. When it reaches 0 and the
/// SIGURG handler refused a preemption meanwhile (the count was up), the
/// goroutine yields here instead (Go's `releasem`, which re-arms the
/// stack-guard check for the same reason): a goroutine that spends most of
/// its time inside such sections (allocating, polling a channel) is then
/// stopped at their end, not only in the rare gaps between them. The
/// common case is one `dec` and one untaken `js`.
#[inline(always)]
pub fn preempt_on() {
    #[cfg(not(test))]
    // SAFETY: as preempt_off: this M's own count, one instruction; the
    // sign flag it leaves is the deferred bit.
    unsafe {
        core::arch::asm!(
            "dec qword ptr fs:[{slot}]", // m.locks-- (m.tls[1])
            "js {deferred}",             // bit 63: a preemption waits for the count
            slot = const super::offsets::TLS_LOCKS_OFFSET,
            deferred = label { deferred_yield() },
            options(nostack)
        )
    };
}

/// The rare half of [`preempt_on`]: with the count at 0, clear the note
/// and yield; with the count still up, nothing yet (the last `preempt_on`
/// comes here again).
#[cfg(not(test))]
#[cold]
#[inline(never)]
fn deferred_yield() {
    unsafe extern "Rust" {
        /// `sched::preempt::preempt_deferred`: the upper layer's yield,
        /// linked by name so that this layer imports nothing from it.
        #[link_name = "rt0_preempt_deferred"]
        safe fn preempt_deferred();
    }
    if preempt_count() == 0 {
        set_preempt_deferred(false);
        preempt_deferred();
    }
}

/// Notes on this M that a preemption was refused while the count was up
/// (the SIGURG handler, on this M's own thread, so the interrupted code's
/// one-instruction `inc`/`dec` cannot race it), or clears the note.
#[inline(always)]
pub fn set_preempt_deferred(on: bool) {
    #[cfg(not(test))]
    // SAFETY: as preempt_off: one read-modify-write of this M's own word.
    unsafe {
        if on {
            core::arch::asm!(
                "bts qword ptr fs:[{slot}], {bit}", // m.locks |= PREEMPT_DEFERRED
                slot = const super::offsets::TLS_LOCKS_OFFSET,
                bit = const PREEMPT_DEFERRED_BIT,
                options(nostack)
            )
        } else {
            core::arch::asm!(
                "btr qword ptr fs:[{slot}], {bit}", // m.locks &= !PREEMPT_DEFERRED
                slot = const super::offsets::TLS_LOCKS_OFFSET,
                bit = const PREEMPT_DEFERRED_BIT,
                options(nostack)
            )
        }
    };
    #[cfg(test)]
    let _ = on;
}

/// The current M's no-preemption count (0 in host unit tests).
#[inline(always)]
pub fn preempt_count() -> usize {
    #[cfg(not(test))]
    {
        let n: usize;
        // SAFETY: as preempt_off; a plain load.
        unsafe {
            core::arch::asm!(
                "mov {n}, qword ptr fs:[{slot}]", // n = m.locks
                n = out(reg) n,
                slot = const super::offsets::TLS_LOCKS_OFFSET,
                options(nostack, readonly, preserves_flags)
            )
        };
        n & !(PREEMPT_DEFERRED as usize)
    }
    #[cfg(test)]
    0
}
