//! Context switching: the Rust face of `asm/context.s` (Go's `gogo`,
//! `mcall`, `systemstack`, `goexit`, `mstart`).
//!
//! Every struct offset the asm uses is passed in as a `const` operand and
//! pinned here by a compile-time assertion, so a field moved in `G`, `M` or
//! `Gobuf` fails the build instead of corrupting a switch.

use core::mem::offset_of;

use super::g::{G, Gobuf, Stack};
use super::m::M;

pub const GOBUF_SP: usize = offset_of!(Gobuf, sp);
pub const GOBUF_PC: usize = offset_of!(Gobuf, pc);
pub const GOBUF_G: usize = offset_of!(Gobuf, g);
pub const GOBUF_CTXT: usize = offset_of!(Gobuf, ctxt);
pub const G_STACK_LO: usize = offset_of!(G, stack) + offset_of!(Stack, lo);
pub const G_STACK_HI: usize = offset_of!(G, stack) + offset_of!(Stack, hi);
pub const G_STACKGUARD0: usize = offset_of!(G, stackguard0);
pub const G_STACKGUARD1: usize = offset_of!(G, stackguard1);
pub const G_SCHED_SP: usize = offset_of!(G, sched) + GOBUF_SP;
pub const G_SCHED_PC: usize = offset_of!(G, sched) + GOBUF_PC;
pub const G_M: usize = offset_of!(G, m);
pub const M_G0: usize = offset_of!(M, g0);
pub const M_CURG: usize = offset_of!(M, curg);
pub const M_TLS: usize = offset_of!(M, tls);

// The layout the asm was written against (the "asm-visible prefix").
const _: () = {
    assert!(GOBUF_SP == 0 && GOBUF_PC == 8 && GOBUF_G == 16 && GOBUF_CTXT == 24);
    assert!(G_STACK_LO == 0 && G_STACK_HI == 8);
    assert!(G_STACKGUARD0 == 16 && G_STACKGUARD1 == 24);
    assert!(G_SCHED_SP == 32 && G_SCHED_PC == 40 && G_M == 64);
    assert!(M_G0 == 0 && M_CURG == 8 && M_TLS == 16);
    // FS = &tls[1] and g = tls[0] = fs:-8 need one 8-byte slot below FS.
    assert!(core::mem::size_of::<usize>() == 8);
};

core::arch::global_asm!(
    include_str!("../../asm/context.s"),
    gobuf_sp = const GOBUF_SP,
    gobuf_pc = const GOBUF_PC,
    gobuf_g = const GOBUF_G,
    gobuf_ctxt = const GOBUF_CTXT,
    g_sched_sp = const G_SCHED_SP,
    g_sched_pc = const G_SCHED_PC,
    g_m = const G_M,
    m_g0 = const M_G0,
    mcall_returned = sym mcall_returned,
    mcall_on_g0 = sym mcall_on_g0,
    goexit1 = sym super::proc::goexit1,
    mstart1 = sym super::schedule::mstart1,
);

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

extern "C" fn mcall_returned() -> ! {
    crate::debug::fatal::throw("mcall: function returned")
}

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
