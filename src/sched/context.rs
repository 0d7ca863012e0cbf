//! Context switching: the Rust face of `src/arch/context.s` (Go's `gogo`,
//! `mcall`, `systemstack`, `goexit`, `mstart`).
//!
//! The asm lives in `src/arch/context.s` (assembled by `arch::context`)
//! with the offsets of `arch::offsets`; this module gives its routines
//! their typed prototypes, asserts at compile time that `G`, `M` and
//! `Gobuf` have the offsets the asm was assembled with (a moved field fails
//! the build instead of corrupting a switch), and defines the two fatal
//! upcalls the asm names (`rt0_mcall_returned`, `rt0_mcall_on_g0`).

use core::mem::offset_of;

use super::g::{G, Gobuf};
use super::m::M;
use crate::mem::stack::Stack;

pub use crate::arch::offsets::{
    G_M, G_SCHED, G_SCHED_SP, G_STACK_HI, G_STACK_LO, G_STACKGUARD0, G_STACKGUARD1, GOBUF_BP,
    GOBUF_CTXT, GOBUF_G, GOBUF_PC, GOBUF_SP, M_CURG, M_G0, M_TLS,
};

// The asm (src/arch/*.s) is assembled with the numbers of arch::offsets:
// the structs must have exactly those offsets (the "asm-visible prefix").
const _: () = {
    assert!(offset_of!(Gobuf, sp) == GOBUF_SP);
    assert!(offset_of!(Gobuf, pc) == GOBUF_PC);
    assert!(offset_of!(Gobuf, g) == GOBUF_G);
    assert!(offset_of!(Gobuf, ctxt) == GOBUF_CTXT);
    assert!(offset_of!(Gobuf, bp) == GOBUF_BP);
    assert!(offset_of!(G, stack) + offset_of!(Stack, lo) == G_STACK_LO);
    assert!(offset_of!(G, stack) + offset_of!(Stack, hi) == G_STACK_HI);
    assert!(offset_of!(G, stackguard0) == G_STACKGUARD0);
    assert!(offset_of!(G, stackguard1) == G_STACKGUARD1);
    assert!(offset_of!(G, sched) == G_SCHED);
    assert!(offset_of!(G, m) == G_M);
    assert!(offset_of!(M, g0) == M_G0);
    assert!(offset_of!(M, curg) == M_CURG);
    assert!(offset_of!(M, tls) == M_TLS);
    // FS = &tls[1] and g = tls[0] = fs:-8 need one 8-byte slot below FS.
    assert!(core::mem::size_of::<usize>() == crate::arch::offsets::TLS_G_SLOT_SIZE);
    // The no-preemption count is the slot FS points at (`arch::tls`).
    assert!(
        crate::arch::offsets::TLS_LOCKS_OFFSET
            == (crate::arch::offsets::TLS_LOCKS_SLOT - 1) * crate::arch::offsets::TLS_G_SLOT_SIZE
    );
    assert!(crate::arch::offsets::TLS_LOCKS_SLOT < super::m::TLS_SLOTS);
};

// The asm treats every pointer as opaque, so Rust layouts are fine here.
#[allow(improper_ctypes)]
unsafe extern "C" {
    /// Restores `buf`'s goroutine; never returns. (Go: `gogo`)
    #[link_name = "rt0_gogo"]
    pub fn gogo(buf: *const Gobuf) -> !;
    /// Saves the current goroutine and calls `f(gp)` on g0. (Go: `mcall`)
    #[link_name = "rt0_mcall"]
    pub fn mcall(f: extern "C" fn(*mut G) -> !);
    /// Runs `f(arg)` on g0's stack. (Go: `systemstack`)
    #[link_name = "rt0_systemstack"]
    pub fn systemstack(f: extern "C" fn(*mut u8), arg: *mut u8);
    /// The return address planted under every goroutine. (Go: `goexit`)
    #[link_name = "rt0_goexit"]
    pub fn goexit();
    /// Enters the scheduler on the current M's g0. (Go: `mstart`)
    #[link_name = "rt0_mstart"]
    pub fn mstart() -> !;
}

/// Called by `rt0_mcall` when its function returned.
#[unsafe(export_name = "rt0_mcall_returned")]
extern "C" fn mcall_returned() -> ! {
    crate::debug::fatal::throw("mcall: function returned")
}

/// Called by `rt0_mcall` when it was called on g0.
#[unsafe(export_name = "rt0_mcall_on_g0")]
extern "C" fn mcall_on_g0() -> ! {
    crate::debug::fatal::throw("mcall called on m->g0 stack")
}

/// Runs `f` on the current M's g0 stack (see [`systemstack`]).
pub fn on_system_stack<F: FnOnce()>(f: F) {
    extern "C" fn trampoline<F: FnOnce()>(arg: *mut u8) {
        // SAFETY: arg is the &mut Option<F> below, live for the call.
        let slot = unsafe { &mut *(arg as *mut Option<F>) };
        if let Some(f) = slot.take() {
            f();
        }
    }
    let mut slot = Some(f);
    // SAFETY: the trampoline matches the asm's calling convention and slot
    // outlives the call, which returns on this stack.
    unsafe { systemstack(trampoline::<F>, &mut slot as *mut Option<F> as *mut u8) };
}
