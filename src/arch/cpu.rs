//! What `rt0_go` (entry.s) learns about the CPU before any Rust code runs,
//! as Go's rt0_go records it (`runtime.isIntel`, `lfenceBeforeRdtsc`,
//! `processorVersionInfo`, `support_sse2`, ...), and the CPUID bits it
//! tests. AVX and AVX2 are stored cleared unless the OS saves YMM state.
//!
//! Written by the asm, read-only afterwards, except that `boot::cpu`'s
//! `cpuinit` updates [`SUPPORT_ERMS`] after `GODEBUG=cpu.erms=...`, as
//! Go's cpuinit refreshes the runtime's copies. `boot::cpu` builds the
//! full feature table and checks it against these; `mem::memfuncs` reads
//! [`erms`].

use core::sync::atomic::{AtomicU8, AtomicU32, Ordering::Relaxed};

pub static CPU_MAXLEAF: AtomicU32 = AtomicU32::new(0);
pub static CPU_VENDOR: [AtomicU32; 3] = [const { AtomicU32::new(0) }; 3];
pub static IS_INTEL: AtomicU8 = AtomicU8::new(0);
pub static LFENCE_BEFORE_RDTSC: AtomicU8 = AtomicU8::new(0);
pub static PROCESSOR_VERSION_INFO: AtomicU32 = AtomicU32::new(0);
/// Leaf 1's ebx, ecx, edx at [1..4] (eax is `PROCESSOR_VERSION_INFO`);
/// leaf 7 subleaf 0's eax, ebx, ecx, edx (zero when max leaf < 7).
pub static CPU_LEAF1: [AtomicU32; 4] = [const { AtomicU32::new(0) }; 4];
pub static CPU_LEAF7: [AtomicU32; 4] = [const { AtomicU32::new(0) }; 4];
pub static SUPPORT_SSE2: AtomicU8 = AtomicU8::new(0);
pub static SUPPORT_SSSE3: AtomicU8 = AtomicU8::new(0);
pub static SUPPORT_SSE41: AtomicU8 = AtomicU8::new(0);
pub static SUPPORT_SSE42: AtomicU8 = AtomicU8::new(0);
pub static SUPPORT_POPCNT: AtomicU8 = AtomicU8::new(0);
pub static SUPPORT_AES: AtomicU8 = AtomicU8::new(0);
pub static SUPPORT_OSXSAVE: AtomicU8 = AtomicU8::new(0);
pub static SUPPORT_AVX: AtomicU8 = AtomicU8::new(0);
pub static SUPPORT_AVX2: AtomicU8 = AtomicU8::new(0);
pub static SUPPORT_BMI1: AtomicU8 = AtomicU8::new(0);
pub static SUPPORT_BMI2: AtomicU8 = AtomicU8::new(0);
pub static SUPPORT_ERMS: AtomicU8 = AtomicU8::new(0);

/// Use `rep movsb` for large copies?
#[inline(always)]
pub fn erms() -> bool {
    SUPPORT_ERMS.load(Relaxed) != 0
}

/// The vendor string's 12 bytes, as leaf 0 gave them (ebx, edx, ecx).
pub fn vendor() -> [u8; 12] {
    let mut v = [0u8; 12];
    for (i, w) in CPU_VENDOR.iter().enumerate() {
        v[i * 4..i * 4 + 4].copy_from_slice(&w.load(Relaxed).to_le_bytes());
    }
    v
}

/// Bits of CPUID results, as the asm tests them (Intel SDM vol. 2A, CPUID).
pub mod bits {
    pub const LEAF1_EDX_SSE2: u32 = 1 << 26;
    #[cfg(test)] // the asm does not test it; the host tests build leaves with it
    pub const LEAF1_ECX_SSE3: u32 = 1 << 0;
    #[cfg(test)] // the asm does not test it; the host tests build leaves with it
    pub const LEAF1_ECX_PCLMULQDQ: u32 = 1 << 1;
    pub const LEAF1_ECX_SSSE3: u32 = 1 << 9;
    #[cfg(test)] // the asm does not test it; the host tests build leaves with it
    pub const LEAF1_ECX_FMA: u32 = 1 << 12;
    pub const LEAF1_ECX_SSE41: u32 = 1 << 19;
    pub const LEAF1_ECX_SSE42: u32 = 1 << 20;
    pub const LEAF1_ECX_POPCNT: u32 = 1 << 23;
    pub const LEAF1_ECX_AES: u32 = 1 << 25;
    pub const LEAF1_ECX_OSXSAVE: u32 = 1 << 27;
    pub const LEAF1_ECX_AVX: u32 = 1 << 28;
    pub const LEAF7_EBX_BMI1: u32 = 1 << 3;
    pub const LEAF7_EBX_AVX2: u32 = 1 << 5;
    pub const LEAF7_EBX_BMI2: u32 = 1 << 8;
    pub const LEAF7_EBX_ERMS: u32 = 1 << 9;
    #[cfg(test)] // the asm does not test it; the host tests build leaves with it
    pub const LEAF7_EBX_AVX512F: u32 = 1 << 16;
    /// XCR0: SSE (XMM) and AVX (YMM) state.
    pub const XCR0_SSE_AVX: u64 = 0b110;
    /// XCR0: opmask, ZMM_Hi256 and Hi16_ZMM state (AVX-512).
    pub const XCR0_AVX512: u64 = 0b1110_0000;
    /// CPUID leaf 0xD: the processor extended state enumeration.
    pub const XSAVE_LEAF: u32 = 0xD;
    /// XCR0's user state components an asynchronous preemption saves:
    /// x87 (0), SSE (1), AVX (2), MPX BNDREGS and BNDCSR (3, 4), AVX-512
    /// opmask, ZMM_Hi256 and Hi16_ZMM (5, 6, 7), PKRU (9). Not AMX's
    /// TILECFG and TILEDATA (17, 18).
    pub const XSAVE_USER_COMPONENTS: u64 = 0b10_1111_1111;
    /// The legacy FXSAVE region (512 bytes) and the XSAVE header (64).
    pub const XSAVE_LEGACY_AND_HEADER: usize = 512 + 64;
    /// "Genu", "ineI", "ntel" as CPUID leaf 0 returns them in ebx, edx, ecx.
    pub const VENDOR_GENU: u32 = u32::from_le_bytes(*b"Genu");
    pub const VENDOR_INEI: u32 = u32::from_le_bytes(*b"ineI");
    pub const VENDOR_NTEL: u32 = u32::from_le_bytes(*b"ntel");
}
