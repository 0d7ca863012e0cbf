//! What the CPU offers, as the runtime found it at start-up: the public
//! face of `cpuinit`'s table (golang.org/x/sys/cpu's `cpu.X86`; Go's own
//! `internal/cpu` is not importable by programs, and Rust's nearest is
//! `std::is_x86_feature_detected!`).
//!
//! A feature counts only when the CPU has it, the operating system has
//! enabled its registers (AVX, AVX2, FMA and AVX-512 need OSXSAVE and the
//! XCR0 bits) and `GODEBUG=cpu.NAME=off` did not turn it off, exactly the
//! table the runtime itself dispatches on (`rep movsb` when ERMS is on).
//! The values never change after start-up.

/// The x86-64 features of this CPU (golang.org/x/sys/cpu's `X86` struct;
/// field `has_avx2` is its `HasAVX2`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct X86 {
    /// The CPUID vendor string (`GenuineIntel`, `AuthenticAMD`, ...),
    /// 12 bytes, NUL-padded when CPUID leaf 0 gave none.
    pub vendor: [u8; 12],
    /// The highest standard CPUID leaf.
    pub max_leaf: u32,
    /// XCR0 as XGETBV read it: which register states the OS saves (0
    /// without OSXSAVE).
    pub xcr0: u64,
    /// SSE2.
    pub has_sse2: bool,
    /// SSE3.
    pub has_sse3: bool,
    /// Supplemental SSE3.
    pub has_ssse3: bool,
    /// SSE4.1.
    pub has_sse41: bool,
    /// SSE4.2.
    pub has_sse42: bool,
    /// POPCNT.
    pub has_popcnt: bool,
    /// AES-NI.
    pub has_aes: bool,
    /// PCLMULQDQ (carry-less multiply).
    pub has_pclmulqdq: bool,
    /// OSXSAVE: the OS uses XSAVE and XGETBV may be executed.
    pub has_osxsave: bool,
    /// AVX, with its registers enabled by the OS.
    pub has_avx: bool,
    /// FMA3.
    pub has_fma: bool,
    /// AVX2, with its registers enabled by the OS.
    pub has_avx2: bool,
    /// BMI1.
    pub has_bmi1: bool,
    /// BMI2.
    pub has_bmi2: bool,
    /// Enhanced `rep movsb`/`stosb` (ERMS).
    pub has_erms: bool,
    /// ADX (ADCX, ADOX).
    pub has_adx: bool,
    /// AVX-512 Foundation, with its registers enabled by the OS.
    pub has_avx512f: bool,
    /// RDTSCP.
    pub has_rdtscp: bool,
}

impl X86 {
    /// The vendor string without its NUL padding (`"?"` if not UTF-8).
    pub fn vendor_str(&self) -> &str {
        core::str::from_utf8(&self.vendor)
            .unwrap_or("?")
            .trim_end_matches('\0')
    }
}

/// This CPU's features (golang.org/x/sys/cpu's `cpu.X86`).
pub fn x86() -> X86 {
    let f = crate::boot::cpu::features();
    X86 {
        vendor: f.vendor,
        max_leaf: f.maxleaf,
        xcr0: f.xcr0,
        has_sse2: f.sse2,
        has_sse3: f.sse3,
        has_ssse3: f.ssse3,
        has_sse41: f.sse41,
        has_sse42: f.sse42,
        has_popcnt: f.popcnt,
        has_aes: f.aes,
        has_pclmulqdq: f.pclmulqdq,
        has_osxsave: f.osxsave,
        has_avx: f.avx,
        has_fma: f.fma,
        has_avx2: f.avx2,
        has_bmi1: f.bmi1,
        has_bmi2: f.bmi2,
        has_erms: f.erms,
        has_adx: f.adx,
        has_avx512f: f.avx512f,
        has_rdtscp: f.rdtscp,
    }
}
