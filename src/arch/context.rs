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

/// Where the caller is, exactly: a pc inside the function this is inlined
/// into, and rsp and rbp as they are at that pc. It is where a traceback
/// of the running goroutine starts (a panic, a fatal error,
/// `runtime::stack`): the unwinder looks the pc up as it is (not as a
/// return address) and finds the caller's frame rules at it, which hold
/// because nothing between the `lea` and the `mov`s moves rsp.
#[inline(always)]
pub fn here() -> (usize, usize, usize) {
    let (pc, sp, bp): (usize, usize, usize);
    // SAFETY: reads the instruction pointer and two registers; no memory,
    // no stack, no flags touched.
    unsafe {
        core::arch::asm!(
            "lea {pc}, [rip]", // pc = the address of the next instruction (still this frame)
            "mov {sp}, rsp",   // sp = rsp at that pc
            "mov {bp}, rbp",   // bp = rbp at that pc
            pc = out(reg) pc,
            sp = out(reg) sp,
            bp = out(reg) bp,
            options(nomem, nostack, preserves_flags)
        )
    };
    (pc, sp, bp)
}

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
