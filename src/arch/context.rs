//! The context switch of `context.s`: Go's `gogo`, `mcall`,
//! `systemstack`, `goexit` and `mstart` (asm_amd64.s), assembled with the
//! offsets of [`super::offsets`]. The routines take pointers to the
//! scheduler's G and Gobuf, so their typed prototypes (`rt0_gogo`,
//! `rt0_mcall`, `rt0_systemstack`, `rt0_goexit`, `rt0_mstart`) are
//! declared in `sched::context`, which owns those types.

use super::offsets as off;

core::arch::global_asm!(
    include_str!("context.s"),
    gobuf_sp = const off::GOBUF_SP,
    gobuf_pc = const off::GOBUF_PC,
    gobuf_g = const off::GOBUF_G,
    gobuf_ctxt = const off::GOBUF_CTXT,
    gobuf_bp = const off::GOBUF_BP,
    g_sched_sp = const off::G_SCHED_SP,
    g_sched_pc = const off::G_SCHED_PC,
    g_sched_bp = const off::G_SCHED_BP,
    g_m = const off::G_M,
    m_g0 = const off::M_G0,
    tls_g_slot_size = const off::TLS_G_SLOT_SIZE,
);

/// The stack pointer of the caller (near enough: within its frame), for
/// "which stack am I on?" checks.
#[inline(always)]
pub fn stack_pointer() -> usize {
    let sp: usize;
    // SAFETY: reads a register; no memory, no stack, no flags touched.
    unsafe {
        core::arch::asm!(
            "mov {}, rsp", // sp = rsp
            out(reg) sp,
            options(nomem, nostack, preserves_flags)
        )
    };
    sp
}

/// The caller's own pc, sp and bp, where this is inlined: the first frame
/// of an unwind from here (`debug::cfi`; the pc is exact, not a return
/// address). Inlined always, so the three belong to the caller's frame.
#[inline(always)]
pub fn current_frame() -> (usize, usize, usize) {
    let (pc, sp, bp): (usize, usize, usize);
    // SAFETY: reads three registers; no memory, no stack, no flags touched.
    unsafe {
        core::arch::asm!(
            "lea {pc}, [rip]", // pc = the address of the next instruction
            "mov {sp}, rsp",   // sp = rsp
            "mov {bp}, rbp",   // bp = rbp (whatever the caller keeps there)
            pc = out(reg) pc,
            sp = out(reg) sp,
            bp = out(reg) bp,
            options(nomem, nostack, preserves_flags)
        )
    };
    (pc, sp, bp)
}
