//! The entry point: `_start` and `rt0_go` in `asm/entry.s`, assembled here
//! with every constant and symbol they use (Go's `_rt0_amd64` and
//! `rt0_go`). Failure paths the asm cannot report itself call back into
//! the small functions below.

use crate::boot::cpu::{asm_probe, bits};
use crate::sched::context as off;
use crate::sched::sched::{G0, M0};
use crate::sys::process::ARCH_SET_FS;
use crate::sys::syscall::nr::SYS_arch_prctl;

/// The value stored through FS and read back through memory (Go's 0x123).
pub const TLS_CHECK_VALUE: usize = 0x123;
/// `-MAX_ERRNO` as an unsigned compare bound: results at or above it are errors.
const NEG_MAX_ERRNO: i64 = -4095;

#[cfg(not(test))]
core::arch::global_asm!(
    include_str!("../../asm/entry.s"),
    rt0_go = sym rt0_go_sym,
    g0 = sym G0,
    m0 = sym M0,
    g_stack_lo = const off::G_STACK_LO,
    g_stack_hi = const off::G_STACK_HI,
    g_stackguard0 = const off::G_STACKGUARD0,
    g_stackguard1 = const off::G_STACKGUARD1,
    g_m = const off::G_M,
    m_g0 = const off::M_G0,
    m_curg = const off::M_CURG,
    m_tls = const off::M_TLS,
    tls_g_slot_size = const core::mem::size_of::<usize>(),
    g0_stack_size = const crate::sched::newm::G0_STACK_SIZE,
    stack_guard = const crate::mem::stack::STACK_GUARD,
    cpu_maxleaf = sym asm_probe::CPU_MAXLEAF,
    cpu_vendor = sym asm_probe::CPU_VENDOR,
    is_intel = sym asm_probe::IS_INTEL,
    lfence_before_rdtsc = sym asm_probe::LFENCE_BEFORE_RDTSC,
    processor_version_info = sym asm_probe::PROCESSOR_VERSION_INFO,
    cpu_leaf1 = sym asm_probe::CPU_LEAF1,
    cpu_leaf7 = sym asm_probe::CPU_LEAF7,
    support_sse2 = sym asm_probe::SUPPORT_SSE2,
    support_ssse3 = sym asm_probe::SUPPORT_SSSE3,
    support_sse41 = sym asm_probe::SUPPORT_SSE41,
    support_sse42 = sym asm_probe::SUPPORT_SSE42,
    support_popcnt = sym asm_probe::SUPPORT_POPCNT,
    support_aes = sym asm_probe::SUPPORT_AES,
    support_osxsave = sym asm_probe::SUPPORT_OSXSAVE,
    support_avx = sym asm_probe::SUPPORT_AVX,
    support_avx2 = sym asm_probe::SUPPORT_AVX2,
    support_bmi1 = sym asm_probe::SUPPORT_BMI1,
    support_bmi2 = sym asm_probe::SUPPORT_BMI2,
    support_erms = sym asm_probe::SUPPORT_ERMS,
    vendor_genu = const bits::VENDOR_GENU,
    vendor_inei = const bits::VENDOR_INEI,
    vendor_ntel = const bits::VENDOR_NTEL,
    bit_sse2 = const bits::LEAF1_EDX_SSE2,
    bit_ssse3 = const bits::LEAF1_ECX_SSSE3,
    bit_sse41 = const bits::LEAF1_ECX_SSE41,
    bit_sse42 = const bits::LEAF1_ECX_SSE42,
    bit_popcnt = const bits::LEAF1_ECX_POPCNT,
    bit_aes = const bits::LEAF1_ECX_AES,
    bit_osxsave = const bits::LEAF1_ECX_OSXSAVE,
    bit_avx = const bits::LEAF1_ECX_AVX,
    bit_bmi1 = const bits::LEAF7_EBX_BMI1,
    bit_avx2 = const bits::LEAF7_EBX_AVX2,
    bit_bmi2 = const bits::LEAF7_EBX_BMI2,
    bit_erms = const bits::LEAF7_EBX_ERMS,
    xcr0_sse_avx = const bits::XCR0_SSE_AVX,
    arch_set_fs = const ARCH_SET_FS,
    sys_arch_prctl = const SYS_arch_prctl,
    neg_max_errno = const NEG_MAX_ERRNO,
    tls_check_value = const TLS_CHECK_VALUE,
    check = sym crate::boot::check::check,
    args = sym crate::boot::args::args,
    osinit = sym crate::boot::osinit::osinit,
    schedinit = sym crate::boot::schedinit::schedinit,
    runtime_main = sym crate::sched::runtime_main::runtime_main,
    newproc_pc = sym crate::sched::proc::newproc_pc,
    mstart = sym crate::sched::context::mstart,
    tls_failed = sym tls_failed,
    tls_mismatch = sym tls_mismatch,
);

#[cfg(not(test))]
unsafe extern "C" {
    /// rt0_go in asm/entry.s (named for the `jmp` in `_start`).
    #[link_name = "rt0_go"]
    fn rt0_go_sym() -> !;
}

/// `arch_prctl(ARCH_SET_FS)` failed: nothing can run without TLS.
extern "C" fn tls_failed(neg_errno: i64) -> ! {
    crate::debug::fatal::fatal_errno(
        "runtime: arch_prctl(ARCH_SET_FS) failed",
        (-neg_errno) as i32,
    )
}

/// The 0x123 stored through FS did not appear in m0.tls[0].
extern "C" fn tls_mismatch(read_back: usize) -> ! {
    crate::debug::fatal::fatal_hex(
        "runtime: TLS store through fs:-8 did not reach m0.tls[0]; read",
        read_back,
    )
}
