//! The entry point: `_start` and `rt0_go` of `entry.s` (Go's `_rt0_amd64`
//! and `rt0_go`), assembled with every number they use. The Rust steps
//! they call (check, args, osinit, schedinit, newproc, the failure
//! reporters) and the statics g0 and m0 are named by link name; see the
//! table in this module's parent.

use super::abi::{ARCH_SET_FS, NEG_MAX_ERRNO, SYS_arch_prctl};
#[cfg(not(test))]
use super::cpu::{self as probe, bits};
#[cfg(not(test))]
use super::offsets as off;

/// g0's stack on m0: the top 64 KiB of the OS stack (Go: `-64*1024` in rt0_go).
pub const G0_STACK_SIZE: usize = 64 * 1024;
/// Distance of `stackguard0` above `stack.lo`: Go's `_StackGuard` on
/// linux/amd64 (928 bytes: `_StackNosplit` 800 + `_StackSmall` 128). Rust
/// functions have no split-stack prologue, so it is informational: the real
/// guard is the unmapped page below `lo`.
pub const STACK_GUARD: usize = 928;
/// The value stored through FS and read back through memory (Go's 0x123).
pub const TLS_CHECK_VALUE: usize = 0x123;

#[cfg(not(test))]
core::arch::global_asm!(
    include_str!("entry.s"),
    g_stack_lo = const off::G_STACK_LO,
    g_stack_hi = const off::G_STACK_HI,
    g_stackguard0 = const off::G_STACKGUARD0,
    g_stackguard1 = const off::G_STACKGUARD1,
    g_m = const off::G_M,
    m_g0 = const off::M_G0,
    m_curg = const off::M_CURG,
    m_tls = const off::M_TLS,
    tls_g_slot_size = const off::TLS_G_SLOT_SIZE,
    g0_stack_size = const G0_STACK_SIZE,
    stack_guard = const STACK_GUARD,
    cpu_maxleaf = sym probe::CPU_MAXLEAF,
    cpu_vendor = sym probe::CPU_VENDOR,
    is_intel = sym probe::IS_INTEL,
    lfence_before_rdtsc = sym probe::LFENCE_BEFORE_RDTSC,
    processor_version_info = sym probe::PROCESSOR_VERSION_INFO,
    cpu_leaf1 = sym probe::CPU_LEAF1,
    cpu_leaf7 = sym probe::CPU_LEAF7,
    support_sse2 = sym probe::SUPPORT_SSE2,
    support_ssse3 = sym probe::SUPPORT_SSSE3,
    support_sse41 = sym probe::SUPPORT_SSE41,
    support_sse42 = sym probe::SUPPORT_SSE42,
    support_popcnt = sym probe::SUPPORT_POPCNT,
    support_aes = sym probe::SUPPORT_AES,
    support_osxsave = sym probe::SUPPORT_OSXSAVE,
    support_avx = sym probe::SUPPORT_AVX,
    support_avx2 = sym probe::SUPPORT_AVX2,
    support_bmi1 = sym probe::SUPPORT_BMI1,
    support_bmi2 = sym probe::SUPPORT_BMI2,
    support_erms = sym probe::SUPPORT_ERMS,
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
);
