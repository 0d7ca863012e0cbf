//! CPU oracle: a plain std program, compiled by the tests with `rustc -O`,
//! that executes CPUID and XGETBV itself and prints the feature set of the
//! runtime's `rt0: cpu` inittrace line, as `key=value` pairs on one line.
//!
//! It shares no code with the runtime (which uses raw-cpuid and the asm
//! probe of rt0_go): the values are computed here from the raw registers,
//! following Go's `internal/cpu.doinit` for amd64:
//! - nothing beyond the vendor when max leaf < 1;
//! - FMA only with OSXSAVE; XGETBV only with OSXSAVE;
//! - AVX and AVX2 only when XCR0 has the XMM and YMM bits (6);
//!   AVX-512F also needs XCR0 bits 5, 6, 7;
//! - leaf 7 (BMI1/2, AVX2, ERMS, ADX, AVX-512F) only when max leaf >= 7, and
//!   Go returns before the extended leaf 0x80000001 too, so RDTSCP is only
//!   read when max leaf >= 7 and max extended leaf >= 0x80000001;
//! - isintel: vendor "GenuineIntel".
//!
//! Run under `qemu-x86_64 -cpu MODEL` it reports what that model offers.

use std::arch::asm;
use std::arch::x86_64::__cpuid_count;

fn bit(reg: u32, n: u32) -> bool {
    reg & (1 << n) != 0
}

/// XCR0 through XGETBV with ECX=0. Only valid when CPUID.1:ECX.OSXSAVE is
/// set: without it the instruction raises #UD.
fn xgetbv0() -> u64 {
    let (lo, hi): (u32, u32);
    // SAFETY: called only when OSXSAVE is set (see above); reads a register.
    unsafe {
        asm!("xgetbv", in("ecx") 0u32, out("eax") lo, out("edx") hi, options(nomem, nostack, preserves_flags))
    };
    (u64::from(hi) << 32) | u64::from(lo)
}

fn main() {
    let cpuid = |leaf: u32| __cpuid_count(leaf, 0);
    let l0 = cpuid(0);
    let maxleaf = l0.eax;
    let mut vendor = Vec::new();
    for r in [l0.ebx, l0.edx, l0.ecx] {
        vendor.extend_from_slice(&r.to_le_bytes());
    }
    let vendor: String = String::from_utf8_lossy(&vendor)
        .trim_end_matches('\0')
        .to_string();

    let mut kv: Vec<(&str, String)> = Vec::new();
    let mut put = |k: &'static str, v: String| kv.push((k, v));
    put("vendor", vendor.clone());
    put("maxleaf", maxleaf.to_string());

    let (mut sse2, mut sse3, mut ssse3, mut sse41, mut sse42) = (false, false, false, false, false);
    let (mut popcnt, mut aes, mut pclmulqdq, mut osxsave, mut avx, mut fma) =
        (false, false, false, false, false, false);
    let (mut avx2, mut bmi1, mut bmi2, mut erms, mut adx, mut avx512f, mut rdtscp) =
        (false, false, false, false, false, false, false);
    let mut xcr0 = 0u64;
    let is_intel = maxleaf >= 1 && vendor == "GenuineIntel";

    if maxleaf >= 1 {
        let l1 = cpuid(1);
        sse2 = bit(l1.edx, 26);
        sse3 = bit(l1.ecx, 0);
        pclmulqdq = bit(l1.ecx, 1);
        ssse3 = bit(l1.ecx, 9);
        sse41 = bit(l1.ecx, 19);
        sse42 = bit(l1.ecx, 20);
        popcnt = bit(l1.ecx, 23);
        aes = bit(l1.ecx, 25);
        osxsave = bit(l1.ecx, 27);
        fma = bit(l1.ecx, 12) && osxsave;
        if osxsave {
            xcr0 = xgetbv0();
        }
        let os_avx = osxsave && xcr0 & 0b110 == 0b110;
        let os_avx512 = os_avx && xcr0 & 0b1110_0000 == 0b1110_0000;
        avx = bit(l1.ecx, 28) && os_avx;
        if maxleaf >= 7 {
            let l7 = cpuid(7);
            bmi1 = bit(l7.ebx, 3);
            avx2 = bit(l7.ebx, 5) && os_avx;
            bmi2 = bit(l7.ebx, 8);
            erms = bit(l7.ebx, 9);
            avx512f = bit(l7.ebx, 16) && os_avx512;
            adx = bit(l7.ebx, 19);
            let max_ext = cpuid(0x8000_0000).eax;
            if max_ext >= 0x8000_0001 {
                rdtscp = bit(cpuid(0x8000_0001).edx, 27);
            }
        }
    }

    let b = |x: bool| u8::from(x).to_string();
    put("isintel", b(is_intel));
    put("sse2", b(sse2));
    put("ssse3", b(ssse3));
    put("sse41", b(sse41));
    put("sse42", b(sse42));
    put("popcnt", b(popcnt));
    put("aes", b(aes));
    put("osxsave", b(osxsave));
    put("avx", b(avx));
    put("avx2", b(avx2));
    put("bmi1", b(bmi1));
    put("bmi2", b(bmi2));
    put("erms", b(erms));
    put("avx512f", b(avx512f));
    put("xcr0", format!("{xcr0:#x}"));
    put("sse3", b(sse3));
    put("fma", b(fma));
    put("adx", b(adx));
    put("pclmulqdq", b(pclmulqdq));
    put("rdtscp", b(rdtscp));
    let line: Vec<String> = kv.iter().map(|(k, v)| format!("{k}={v}")).collect();
    println!("{}", line.join(" "));
}
