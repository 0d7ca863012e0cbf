//! The struct offsets and sizes the asm is assembled with, as numbers.
//!
//! The structs belong to the scheduler (`sched::g::{G, Gobuf}`,
//! `sched::m::M`, `mem::stack::Stack`): they keep their asm-visible
//! fields first and `#[repr(C)]`, and `sched/context.rs` asserts at
//! compile time with `offset_of!` that every number here is the field's
//! real offset, so a moved field fails the build instead of corrupting a
//! switch. `boot::check` checks a few of them again at run time.
//!
//! Layouts (byte offsets):
//! ```text
//! Gobuf: sp 0, pc 8, g 16, ctxt 24, bp 32                (40 bytes)
//! G:     stack.lo 0, stack.hi 8, stackguard0 16, stackguard1 24,
//!        sched 32 (sched.sp 32, sched.pc 40, sched.bp 64), m 72
//! M:     g0 0, curg 8, tls 16 (FS = &tls[1], so g = tls[0] = fs:-8,
//!        and the no-preemption count tls[1] = fs:0)
//! ```

/// `gobuf.sp`: the saved stack pointer.
pub const GOBUF_SP: usize = 0;
/// `gobuf.pc`: where `gogo` jumps.
pub const GOBUF_PC: usize = 8;
/// `gobuf.g`: the goroutine the buffer belongs to.
pub const GOBUF_G: usize = 16;
/// `gobuf.ctxt`: handed to the code at `pc` in rdi.
pub const GOBUF_CTXT: usize = 24;
/// `gobuf.bp`: the saved frame pointer (Go's `gobuf.bp`).
pub const GOBUF_BP: usize = 32;

/// `g.stack.lo` and `g.stack.hi`.
pub const G_STACK_LO: usize = 0;
pub const G_STACK_HI: usize = 8;
/// `g.stackguard0` and `g.stackguard1`.
pub const G_STACKGUARD0: usize = 16;
pub const G_STACKGUARD1: usize = 24;
/// `g.sched`, the goroutine's Gobuf, and the fields of it the asm uses.
pub const G_SCHED: usize = 32;
pub const G_SCHED_SP: usize = G_SCHED + GOBUF_SP;
pub const G_SCHED_PC: usize = G_SCHED + GOBUF_PC;
pub const G_SCHED_BP: usize = G_SCHED + GOBUF_BP;
/// `g.m`: the M running the goroutine.
pub const G_M: usize = 72;

/// `m.g0`, `m.curg` and `m.tls`.
pub const M_G0: usize = 0;
pub const M_CURG: usize = 8;
pub const M_TLS: usize = 16;

/// Bytes of one TLS slot. FS points one slot above `m.tls[0]`, which holds
/// the current g: the asm writes `fs:[-{tls_g_slot_size}]` for it.
pub const TLS_G_SLOT_SIZE: usize = core::mem::size_of::<usize>();

/// The TLS slot holding the M's no-preemption count (`m.tls[1]`, Go's
/// `m.locks`), and its offset from FS (which points at that very slot).
pub const TLS_LOCKS_SLOT: usize = 1;
pub const TLS_LOCKS_OFFSET: usize = 0;

const _: () = assert!(TLS_G_SLOT_SIZE == 8, "the asm assumes 8-byte TLS slots");
