//! The asm side of asynchronous preemption: `preempt.s`'s
//! `rt0_async_preempt` (Go's `asyncPreempt`, preempt_amd64.s), the size
//! and mask of the extended state it saves, and the ranges of asm code a
//! goroutine must never be preempted in (Go's `isAsyncSafePoint` refuses
//! assembly functions without safe points for the same reason).
//!
//! `boot::cpu`'s cpuinit sets [`XSAVE_SIZE`] and [`XSAVE_MASK`] once,
//! before any goroutine runs (so before sysmon can send a SIGURG): with
//! OSXSAVE the components XCR0 enables (x87, SSE, AVX, the AVX-512 state,
//! ...; never AMX's tile data, which needs a permission the runtime does
//! not ask for) and the size of the standard-form XSAVE area they need;
//! without it, size 0, and the routine uses FXSAVE.
//!
//! The unsafe ranges are the asm files whose code runs on a goroutine's
//! stack, or with a half-switched g, where an injected call would break
//! an invariant: `context.s` (gogo and mcall save and load the goroutine's
//! Gobuf: a preemption there would overwrite the very Gobuf being
//! written), `preempt.s` itself (the registers are half saved),
//! `signal.s`, `clone.s`, `spawn.s`. `entry.s` runs before sysmon exists.

use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};

/// Bytes of the XSAVE area (standard form) for [`XSAVE_MASK`]; 0: use FXSAVE.
pub static XSAVE_SIZE: AtomicUsize = AtomicUsize::new(0);
/// The state components XSAVE saves and XRSTOR restores (edx:eax).
pub static XSAVE_MASK: AtomicU64 = AtomicU64::new(0);

/// FXSAVE's area: x87, MXCSR and XMM0-15 (Intel SDM vol. 1, 10.5).
pub const FXSAVE_SIZE: usize = 512;
/// The System V red zone below rsp that a leaf function may use.
pub const RED_ZONE: usize = 128;
/// Bytes the routine pushes before its save area: the interrupted pc (the
/// handler's), rbp, rflags and 15 general registers.
pub const PUSHED_BYTES: usize = 18 * 8;
/// The save area's alignment (XSAVE needs 64).
pub const SAVE_ALIGN: usize = 64;
/// MXCSR at process start and as the ABI expects it at a call: every
/// exception masked, round to nearest, no flush-to-zero (Intel SDM vol. 1,
/// 10.2.3).
pub const MXCSR_DEFAULT: u32 = 0x1f80;
/// XCR0's bit for the AVX (upper YMM) state component.
pub const XCR0_AVX: u8 = 1 << 2;

core::arch::global_asm!(
    include_str!("preempt.s"),
    xsave_size = sym XSAVE_SIZE,
    xsave_mask = sym XSAVE_MASK,
    fxsave_size = const FXSAVE_SIZE,
    red_zone = const RED_ZONE,
    mxcsr_default = const MXCSR_DEFAULT,
    xcr0_avx = const XCR0_AVX,
);

unsafe extern "C" {
    fn rt0_async_preempt();
    static rt0_asm_preempt_start: u8;
    static rt0_asm_preempt_end: u8;
    static rt0_asm_context_start: u8;
    static rt0_asm_context_end: u8;
    static rt0_asm_signal_start: u8;
    static rt0_asm_signal_end: u8;
    static rt0_asm_clone_start: u8;
    static rt0_asm_clone_end: u8;
    static rt0_asm_spawn_start: u8;
    static rt0_asm_spawn_end: u8;
}

/// The address the handler makes the goroutine resume at.
pub fn async_preempt_pc() -> usize {
    rt0_async_preempt as *const () as usize
}

/// Bytes of the interrupted stack the routine uses below the red zone,
/// before the code it calls (its pushes and the aligned save area).
pub fn save_bytes() -> usize {
    let area = match XSAVE_SIZE.load(Relaxed) {
        0 => FXSAVE_SIZE,
        n => n,
    };
    RED_ZONE + PUSHED_BYTES + area + SAVE_ALIGN
}

/// Is `pc` inside asm code where a goroutine must not be preempted?
pub fn in_unsafe_asm(pc: usize) -> bool {
    let ranges = [
        (
            &raw const rt0_asm_preempt_start,
            &raw const rt0_asm_preempt_end,
        ),
        (
            &raw const rt0_asm_context_start,
            &raw const rt0_asm_context_end,
        ),
        (
            &raw const rt0_asm_signal_start,
            &raw const rt0_asm_signal_end,
        ),
        (&raw const rt0_asm_clone_start, &raw const rt0_asm_clone_end),
        (&raw const rt0_asm_spawn_start, &raw const rt0_asm_spawn_end),
    ];
    ranges
        .iter()
        .any(|&(lo, hi)| pc >= lo as usize && pc < hi as usize)
}
