//! CPU features: the asm probe of `rt0_go` and Go's `cpuinit` /
//! `internal/cpu.doinit` + `processOptions`.
//!
//! `rt0_go` (src/arch/entry.s) records what Go's rt0_go records, before any Rust
//! runs: vendor, max leaf, `isIntel`, `lfenceBeforeRdtsc`,
//! `processorVersionInfo` and the `support_*` flags, with AVX/AVX2 cleared
//! unless the OS saves YMM state, into `arch::cpu`. `cpuinit` then builds the full table with
//! `raw-cpuid` and XCR0, checks that it agrees with the asm probe, applies
//! `GODEBUG=cpu.*` options exactly as Go does (same names, same messages),
//! and publishes the result ([`features`]).
//!
//! AVX and AVX2 count only with OSXSAVE set and XCR0 bits 1 and 2 (XMM and
//! YMM state); AVX-512F also needs XCR0 bits 5, 6 and 7 (opmask, ZMM_Hi256,
//! Hi16_ZMM). A CPU may advertise AVX while the OS has not enabled it
//! (qemu's `-cpu Haswell,-xsave` shows exactly that): AVX is then off.

use core::sync::atomic::{AtomicU8, AtomicU32, Ordering::Relaxed};

use raw_cpuid::{CpuId, CpuIdReader, CpuIdResult};

/// What rt0_go's asm recorded, and the CPUID bits it tests: they live with
/// the asm, in `arch::cpu`.
pub use crate::arch::cpu as asm_probe;
pub use crate::arch::cpu::bits;

/// The full feature table (Go's `internal/cpu.X86` plus what rt0_go keeps).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Features {
    pub vendor: [u8; 12],
    pub maxleaf: u32,
    pub is_intel: bool,
    pub sse2: bool,
    pub sse3: bool,
    pub ssse3: bool,
    pub sse41: bool,
    pub sse42: bool,
    pub popcnt: bool,
    pub aes: bool,
    pub pclmulqdq: bool,
    pub osxsave: bool,
    pub avx: bool,
    pub fma: bool,
    pub avx2: bool,
    pub bmi1: bool,
    pub bmi2: bool,
    pub erms: bool,
    pub adx: bool,
    pub avx512f: bool,
    pub rdtscp: bool,
    /// XCR0 as XGETBV read it (0 without OSXSAVE).
    pub xcr0: u64,
}

impl Features {
    pub const NONE: Features = Features {
        vendor: [0; 12],
        maxleaf: 0,
        is_intel: false,
        sse2: false,
        sse3: false,
        ssse3: false,
        sse41: false,
        sse42: false,
        popcnt: false,
        aes: false,
        pclmulqdq: false,
        osxsave: false,
        avx: false,
        fma: false,
        avx2: false,
        bmi1: false,
        bmi2: false,
        erms: false,
        adx: false,
        avx512f: false,
        rdtscp: false,
        xcr0: 0,
    };

    pub fn vendor_str(&self) -> &str {
        core::str::from_utf8(&self.vendor)
            .unwrap_or("?")
            .trim_end_matches('\0')
    }
}

/// Decodes the feature table from a CPUID source and an XCR0 reader (called
/// only when OSXSAVE is set, since XGETBV faults otherwise). Pure: the host
/// tests feed it register values.
pub fn decode<R: CpuIdReader>(reader: R, read_xcr0: impl FnOnce() -> u64) -> Features {
    let mut f = Features::NONE;
    let leaf0 = reader.cpuid2(0, 0);
    f.maxleaf = leaf0.eax;
    for (i, r) in [leaf0.ebx, leaf0.edx, leaf0.ecx].into_iter().enumerate() {
        f.vendor[i * 4..i * 4 + 4].copy_from_slice(&r.to_le_bytes());
    }
    if f.maxleaf == 0 {
        return f;
    }
    f.is_intel = (leaf0.ebx, leaf0.edx, leaf0.ecx)
        == (bits::VENDOR_GENU, bits::VENDOR_INEI, bits::VENDOR_NTEL);
    let cpuid = CpuId::with_cpuid_reader(reader);
    if let Some(fi) = cpuid.get_feature_info() {
        f.sse2 = fi.has_sse2();
        f.sse3 = fi.has_sse3();
        f.ssse3 = fi.has_ssse3();
        f.sse41 = fi.has_sse41();
        f.sse42 = fi.has_sse42();
        f.popcnt = fi.has_popcnt();
        f.aes = fi.has_aesni();
        f.pclmulqdq = fi.has_pclmulqdq();
        f.osxsave = fi.has_oxsave();
        f.avx = fi.has_avx();
        f.fma = fi.has_fma() && f.osxsave;
    }
    if f.osxsave {
        f.xcr0 = read_xcr0();
    }
    let os_avx = f.osxsave && f.xcr0 & bits::XCR0_SSE_AVX == bits::XCR0_SSE_AVX;
    let os_avx512 = os_avx && f.xcr0 & bits::XCR0_AVX512 == bits::XCR0_AVX512;
    f.avx &= os_avx;
    if f.maxleaf >= 7 {
        if let Some(ef) = cpuid.get_extended_feature_info() {
            f.bmi1 = ef.has_bmi1();
            f.avx2 = ef.has_avx2() && os_avx;
            f.bmi2 = ef.has_bmi2();
            f.erms = ef.has_rep_movsb_stosb();
            f.adx = ef.has_adx();
            f.avx512f = ef.has_avx512f() && os_avx512;
        }
        // Go's doinit returns before the extended leaves when max leaf < 7,
        // so RDTSCP is read only here.
        if let Some(ext) = cpuid.get_extended_processor_and_feature_identifiers() {
            f.rdtscp = ext.has_rdtscp();
        }
    }
    f
}

/// The CPU this process runs on, through the CPUID instruction.
#[derive(Clone, Copy)]
pub struct NativeCpuid;

impl CpuIdReader for NativeCpuid {
    fn cpuid2(&self, eax: u32, ecx: u32) -> CpuIdResult {
        // CPUID exists on every x86_64 CPU and only reads.
        let r = core::arch::x86_64::__cpuid_count(eax, ecx);
        CpuIdResult {
            eax: r.eax,
            ebx: r.ebx,
            ecx: r.ecx,
            edx: r.edx,
        }
    }
}

/// CPUID as rt0_go already read it: leaves 0, 1 and 7 come from the
/// registers the asm kept, any other leaf from the CPUID instruction. In a
/// VM every CPUID traps to the hypervisor (2 to 5 us each on these
/// machines), so cpuinit executes only the two extended leaves the asm
/// does not read (and [`xsave_area`] one of leaf 0xD). The cross-check against the asm probe then verifies the
/// asm's bit tests and its XGETBV gate against raw-cpuid's decoding.
#[derive(Clone, Copy)]
pub struct BootCpuid;

impl CpuIdReader for BootCpuid {
    fn cpuid2(&self, eax: u32, ecx: u32) -> CpuIdResult {
        use asm_probe::*;
        let maxleaf = CPU_MAXLEAF.load(Relaxed);
        let regs = |r: &[AtomicU32; 4]| CpuIdResult {
            eax: r[0].load(Relaxed),
            ebx: r[1].load(Relaxed),
            ecx: r[2].load(Relaxed),
            edx: r[3].load(Relaxed),
        };
        match (eax, ecx) {
            (0, _) => {
                let v = &CPU_VENDOR;
                CpuIdResult {
                    eax: maxleaf,
                    ebx: v[0].load(Relaxed),
                    ecx: v[2].load(Relaxed),
                    edx: v[1].load(Relaxed),
                }
            }
            (1, _) if maxleaf >= 1 => CpuIdResult {
                eax: PROCESSOR_VERSION_INFO.load(Relaxed),
                ..regs(&CPU_LEAF1)
            },
            (7, 0) if maxleaf >= 7 => regs(&CPU_LEAF7),
            // raw-cpuid's extended feature info also reads subleaf 1; no
            // field of `Features` comes from it, so it is not executed
            // (a CPUID less at every start).
            (7, 1) => CpuIdResult {
                eax: 0,
                ebx: 0,
                ecx: 0,
                edx: 0,
            },
            _ => NativeCpuid.cpuid2(eax, ecx),
        }
    }
}

/// Reads XCR0 (only valid when CPUID says OSXSAVE).
pub fn read_xcr0() -> u64 {
    x86_64::registers::xcontrol::XCr0::read_raw()
}

/// The flags rt0_go's asm probes, each with its field and the byte the asm
/// writes: the one list [`from_asm_probe`] and [`probe_mismatch`] share.
pub static PROBED: [(&str, FieldOf, &AtomicU8); 13] = [
    ("isintel", |f| &mut f.is_intel, &asm_probe::IS_INTEL),
    ("sse2", |f| &mut f.sse2, &asm_probe::SUPPORT_SSE2),
    ("ssse3", |f| &mut f.ssse3, &asm_probe::SUPPORT_SSSE3),
    ("sse41", |f| &mut f.sse41, &asm_probe::SUPPORT_SSE41),
    ("sse42", |f| &mut f.sse42, &asm_probe::SUPPORT_SSE42),
    ("popcnt", |f| &mut f.popcnt, &asm_probe::SUPPORT_POPCNT),
    ("aes", |f| &mut f.aes, &asm_probe::SUPPORT_AES),
    ("osxsave", |f| &mut f.osxsave, &asm_probe::SUPPORT_OSXSAVE),
    ("avx", |f| &mut f.avx, &asm_probe::SUPPORT_AVX),
    ("avx2", |f| &mut f.avx2, &asm_probe::SUPPORT_AVX2),
    ("bmi1", |f| &mut f.bmi1, &asm_probe::SUPPORT_BMI1),
    ("bmi2", |f| &mut f.bmi2, &asm_probe::SUPPORT_BMI2),
    ("erms", |f| &mut f.erms, &asm_probe::SUPPORT_ERMS),
];

/// The features the asm probe recorded, in table form.
pub fn from_asm_probe() -> Features {
    let mut f = Features::NONE;
    f.vendor = asm_probe::vendor();
    f.maxleaf = asm_probe::CPU_MAXLEAF.load(Relaxed);
    for (_, field_of, probe) in &PROBED {
        *field_of(&mut f) = probe.load(Relaxed) != 0;
    }
    f
}

/// The first field where the asm probe and the full decode disagree.
pub fn probe_mismatch(asm: &Features, full: &Features) -> Option<&'static str> {
    if asm.vendor != full.vendor {
        return Some("vendor");
    }
    if asm.maxleaf != full.maxleaf {
        return Some("maxleaf");
    }
    let (mut a, mut b) = (*asm, *full);
    PROBED
        .iter()
        .find(|(_, field_of, _)| *field_of(&mut a) != *field_of(&mut b))
        .map(|(name, _, _)| *name)
}

/// Picks one flag of a feature table.
pub type FieldOf = fn(&mut Features) -> &mut bool;

/// The options Go accepts in `GODEBUG=cpu.NAME=on|off` on amd64 at
/// GOAMD64=v1, in Go's order, each with the field it controls: one table,
/// so a name cannot lose its field. A name not in it is reported as
/// unknown (`GODEBUG: unknown cpu feature "NAME"`) and changes nothing,
/// as Go's `processOptions` does.
pub const OPTIONS: [(&str, FieldOf); 15] = [
    ("adx", |f| &mut f.adx),
    ("aes", |f| &mut f.aes),
    ("erms", |f| &mut f.erms),
    ("pclmulqdq", |f| &mut f.pclmulqdq),
    ("rdtscp", |f| &mut f.rdtscp),
    ("popcnt", |f| &mut f.popcnt),
    ("sse3", |f| &mut f.sse3),
    ("sse41", |f| &mut f.sse41),
    ("sse42", |f| &mut f.sse42),
    ("ssse3", |f| &mut f.ssse3),
    ("avx", |f| &mut f.avx),
    ("avx2", |f| &mut f.avx2),
    ("bmi1", |f| &mut f.bmi1),
    ("bmi2", |f| &mut f.bmi2),
    ("fma", |f| &mut f.fma),
];

/// Applies `GODEBUG`'s `cpu.*` options to `f` as Go's `processOptions`
/// does, reporting each diagnostic through `warn` (Go prints them to
/// stderr): fields are split at ',', only those starting "cpu." count; a
/// value must be "on" or "off"; "all" sets every option; unknown names are
/// reported; enabling a feature the CPU lacks is refused.
pub fn process_options(env: &str, f: &mut Features, mut warn: impl FnMut(core::fmt::Arguments)) {
    let mut specified = [None::<bool>; OPTIONS.len()];
    for field in env.split(',') {
        let Some(rest) = field.strip_prefix("cpu.") else {
            continue;
        };
        let Some((key, value)) = rest.split_once('=') else {
            warn(format_args!(
                "GODEBUG: no value specified for \"{field}\"\n"
            ));
            continue;
        };
        let enable = match value {
            "on" => true,
            "off" => false,
            _ => {
                warn(format_args!(
                    "GODEBUG: value \"{value}\" not supported for cpu option \"{key}\"\n"
                ));
                continue;
            }
        };
        if key == "all" {
            specified = [Some(enable); OPTIONS.len()];
            continue;
        }
        match OPTIONS.iter().position(|&(n, _)| n == key) {
            Some(i) => specified[i] = Some(enable),
            None => warn(format_args!("GODEBUG: unknown cpu feature \"{key}\"\n")),
        }
    }
    for (i, (name, field_of)) in OPTIONS.iter().enumerate() {
        let Some(enable) = specified[i] else { continue };
        let field = field_of(f);
        if enable && !*field {
            warn(format_args!(
                "GODEBUG: can not enable \"{name}\", missing CPU support\n"
            ));
            continue;
        }
        *field = enable;
    }
}

/// The end (offset + size) of each user state component in the standard
/// XSAVE form, as the SDM lays it out (vol. 1, 13.4): AVX 576+256, MPX
/// BNDREGS 960+64 and BNDCSR 1024+64, opmask 1088+64, ZMM_Hi256 1152+512,
/// Hi16_ZMM 1664+1024, PKRU 2688+8. CPUID leaf 0xD reports the same on
/// every CPU seen; the table is a floor in case an emulator reports less.
const XSAVE_STANDARD_END: [(u32, usize); 7] = [
    (2, 576 + 256),
    (3, 960 + 64),
    (4, 1024 + 64),
    (5, 1088 + 64),
    (6, 1152 + 512),
    (7, 1664 + 1024),
    (9, 2688 + 8),
];

/// The XSAVE area an asynchronous preemption saves the extended state in
/// (`arch::preempt`): (bytes, component mask). The mask is XCR0's user
/// state components (x87, SSE, AVX, MPX, the AVX-512 opmask and ZMM
/// state, PKRU) without AMX's tile data and configuration, which need a
/// permission (`ARCH_REQ_XCOMP_PERM`) the runtime never asks for; the size
/// is the end of the last of them in the standard form, the larger of what
/// CPUID leaf 0xD says and the architectural layout, and at least the
/// legacy area and the header. (0, 0) without OSXSAVE: the routine then
/// uses FXSAVE.
///
/// `leaf_d(i)` is CPUID leaf 0xD's (eax, ebx) for subleaf i, (0, 0) where
/// the leaf does not exist. When XCR0 enables nothing beyond the mask (no
/// AMX), subleaf 0's ebx, the standard-form size of every component XCR0
/// enables, is the answer: one CPUID (each traps to the hypervisor in a
/// VM, about 4.6 us on these machines). Otherwise each component's
/// subleaf (eax = size, ebx = offset) is asked.
pub fn xsave_area(f: &Features, leaf_d: impl Fn(u32) -> (u32, u32)) -> (usize, u64) {
    if !f.osxsave {
        return (0, 0);
    }
    let mask = f.xcr0 & bits::XSAVE_USER_COMPONENTS;
    let saved = |i: u32| mask & (1 << i) != 0;
    let floor = XSAVE_STANDARD_END
        .iter()
        .filter(|(i, _)| saved(*i))
        .fold(bits::XSAVE_LEGACY_AND_HEADER, |size, (_, end)| {
            size.max(*end)
        });
    if f.xcr0 & !mask == 0 {
        let (_, enabled_size) = leaf_d(0);
        return (floor.max(enabled_size as usize), mask);
    }
    let size = XSAVE_STANDARD_END
        .iter()
        .filter(|(i, _)| saved(*i))
        .fold(floor, |size, (i, _)| {
            let (bytes, offset) = leaf_d(*i);
            size.max(offset as usize + bytes as usize)
        });
    (size, mask)
}

static FEATURES: spin::Once<Features> = spin::Once::new();

/// The CPU features after `cpuinit` (GODEBUG applied).
pub fn features() -> &'static Features {
    FEATURES.get().unwrap_or(&Features::NONE)
}

/// Go's `cpuinit`: full table, cross-check with the asm probe, GODEBUG.
pub fn cpuinit(godebug: &str) {
    let full = decode(BootCpuid, read_xcr0);
    let asm = from_asm_probe();
    if let Some(field) = probe_mismatch(&asm, &full) {
        crate::debug::fatal::throw_detail("cpuinit: asm probe and CPUID table disagree on ", field);
    }
    // What a preempted goroutine's extended state needs: from the real
    // XCR0, whatever GODEBUG turns off for the runtime's own choices (a
    // program may still use AVX when `cpu.avx=off`).
    let has_leaf_d = asm_probe::CPU_MAXLEAF.load(Relaxed) >= bits::XSAVE_LEAF;
    let (size, mask) = xsave_area(&full, |i| {
        if !has_leaf_d {
            // An emulator may set OSXSAVE with a lower max leaf (qemu
            // `-cpu Haswell,level=6`): CPUID would answer another leaf's
            // registers. The architectural offsets alone then count.
            return (0, 0);
        }
        let r = core::arch::x86_64::__cpuid_count(bits::XSAVE_LEAF, i);
        (r.eax, r.ebx)
    });
    crate::arch::preempt::XSAVE_SIZE.store(size, Relaxed);
    crate::arch::preempt::XSAVE_MASK.store(mask, Relaxed);
    let mut f = full;
    process_options(godebug, &mut f, crate::print::stderr_fmt);
    asm_probe::SUPPORT_ERMS.store(u8::from(f.erms), Relaxed);
    FEATURES.call_once(|| f);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::string::String;
    use std::vec::Vec;

    /// A CPUID reader over a table of (leaf, subleaf) -> registers.
    #[derive(Clone)]
    struct Table(HashMap<(u32, u32), CpuIdResult>);

    impl CpuIdReader for Table {
        fn cpuid2(&self, eax: u32, ecx: u32) -> CpuIdResult {
            let zero = CpuIdResult {
                eax: 0,
                ebx: 0,
                ecx: 0,
                edx: 0,
            };
            *self
                .0
                .get(&(eax, ecx))
                .or_else(|| self.0.get(&(eax, 0)))
                .unwrap_or(&zero)
        }
    }

    fn r(eax: u32, ebx: u32, ecx: u32, edx: u32) -> CpuIdResult {
        CpuIdResult { eax, ebx, ecx, edx }
    }

    fn intel(maxleaf: u32, ecx1: u32, edx1: u32, ebx7: u32) -> Table {
        let mut t = HashMap::new();
        t.insert(
            (0, 0),
            r(
                maxleaf,
                bits::VENDOR_GENU,
                bits::VENDOR_NTEL,
                bits::VENDOR_INEI,
            ),
        );
        t.insert((1, 0), r(0x000306c3, 0, ecx1, edx1));
        t.insert((7, 0), r(0, ebx7, 0, 0));
        Table(t)
    }

    const HASWELL_ECX1: u32 = bits::LEAF1_ECX_SSE3
        | bits::LEAF1_ECX_SSSE3
        | bits::LEAF1_ECX_SSE41
        | bits::LEAF1_ECX_SSE42
        | bits::LEAF1_ECX_POPCNT
        | bits::LEAF1_ECX_AES
        | bits::LEAF1_ECX_OSXSAVE
        | bits::LEAF1_ECX_AVX
        | bits::LEAF1_ECX_FMA;
    const HASWELL_EBX7: u32 =
        bits::LEAF7_EBX_BMI1 | bits::LEAF7_EBX_AVX2 | bits::LEAF7_EBX_BMI2 | bits::LEAF7_EBX_ERMS;

    #[test]
    fn haswell_with_os_avx() {
        let f = decode(
            intel(0xd, HASWELL_ECX1, bits::LEAF1_EDX_SSE2, HASWELL_EBX7),
            || 0x7,
        );
        assert_eq!(f.vendor_str(), "GenuineIntel");
        assert!(f.is_intel && f.sse2 && f.ssse3 && f.sse41 && f.sse42 && f.popcnt && f.aes);
        assert!(f.osxsave && f.avx && f.avx2 && f.bmi1 && f.bmi2 && f.erms && f.fma);
        assert!(!f.avx512f);
        assert_eq!(f.xcr0, 0x7);
    }

    #[test]
    fn avx_off_when_os_does_not_save_ymm() {
        // XCR0 = x87|SSE only: the CPU has AVX, the OS does not enable it.
        let f = decode(
            intel(0xd, HASWELL_ECX1, bits::LEAF1_EDX_SSE2, HASWELL_EBX7),
            || 0x3,
        );
        assert!(!f.avx && !f.avx2);
        assert!(f.bmi1 && f.erms, "non-AVX leaf-7 bits stay");
    }

    #[test]
    fn no_xgetbv_without_osxsave() {
        let ecx = HASWELL_ECX1 & !bits::LEAF1_ECX_OSXSAVE;
        let f = decode(intel(0xd, ecx, bits::LEAF1_EDX_SSE2, HASWELL_EBX7), || {
            panic!("XGETBV without OSXSAVE")
        });
        assert!(!f.osxsave && !f.avx && !f.avx2 && !f.fma);
        assert_eq!(f.xcr0, 0);
    }

    #[test]
    fn xsave_area_follows_xcr0_and_never_shrinks_below_the_layout() {
        let with = |xcr0: u64| Features {
            osxsave: true,
            xcr0,
            ..Features::NONE
        };
        let no_leaf = |_| (0, 0);
        // No OSXSAVE: FXSAVE (size 0).
        assert_eq!(xsave_area(&Features::NONE, no_leaf), (0, 0));
        // x87 + SSE only: the legacy area and the header.
        assert_eq!(xsave_area(&with(0x3), no_leaf), (576, 0x3));
        // AVX without leaf 0xD (qemu `level=6`): the architectural end.
        assert_eq!(xsave_area(&with(0x7), no_leaf), (832, 0x7));
        // AVX-512 as a Skylake-X reports it (subleaf 0's ebx: the size
        // for what XCR0 = 0xe7 enables).
        let skx = |i| match i {
            0 => (2696, 2688),
            2 => (256, 576),
            5 => (64, 1088),
            6 => (512, 1152),
            7 => (1024, 1664),
            _ => (0, 0),
        };
        assert_eq!(xsave_area(&with(0xe7), skx), (2688, 0xe7));
        // AMX's tile state (bits 17, 18) is never saved; PKRU is.
        let (size, mask) = xsave_area(&with(0x602e7), skx);
        assert_eq!((size, mask), (2696, 0x2e7));
        // A leaf reporting a larger area wins over the table.
        let big = |i| if i == 0 { (0, 1280) } else { (256, 1024) };
        assert_eq!(xsave_area(&with(0x7), big).0, 1280);
        assert_eq!(xsave_area(&with(0x602e7), big).0, 2696);
        // Without AMX in XCR0 only subleaf 0 is asked (one CPUID); with
        // it, each saved component's subleaf and not subleaf 0.
        let asked = std::cell::RefCell::new(Vec::new());
        let log = |i| {
            asked.borrow_mut().push(i);
            skx(i)
        };
        xsave_area(&with(0xe7), log);
        assert_eq!(*asked.borrow(), [0]);
        asked.borrow_mut().clear();
        xsave_area(&with(0x602e7), log);
        assert_eq!(*asked.borrow(), [2, 5, 6, 7, 9]);
    }

    #[test]
    fn leaf7_ignored_below_maxleaf_7() {
        let mut t = intel(5, HASWELL_ECX1, bits::LEAF1_EDX_SSE2, HASWELL_EBX7);
        t.0.insert((0x8000_0000, 0), r(0x8000_0001, 0, 0, 0));
        t.0.insert((0x8000_0001, 0), r(0, 0, 0, 1 << 27));
        let f = decode(t, || 0x7);
        assert!(f.avx && !f.avx2 && !f.bmi1 && !f.erms);
        assert!(
            !f.rdtscp,
            "Go reads the extended leaves only when max leaf >= 7"
        );
    }

    #[test]
    fn avx512_needs_opmask_and_zmm_state() {
        let ebx = HASWELL_EBX7 | bits::LEAF7_EBX_AVX512F;
        let t = intel(0xd, HASWELL_ECX1, bits::LEAF1_EDX_SSE2, ebx);
        assert!(decode(t.clone(), || 0xe7).avx512f);
        assert!(!decode(t, || 0x7).avx512f);
    }

    #[test]
    fn amd_is_not_intel_and_maxleaf_0_stops() {
        let mut t = HashMap::new();
        t.insert(
            (0, 0),
            r(
                0,
                u32::from_le_bytes(*b"Auth"),
                u32::from_le_bytes(*b"cAMD"),
                u32::from_le_bytes(*b"enti"),
            ),
        );
        let f = decode(Table(t), || 0);
        assert_eq!(f.vendor_str(), "AuthenticAMD");
        assert!(!f.is_intel && !f.sse2);
    }

    fn opts(env: &str, f: &mut Features) -> Vec<String> {
        let mut out = Vec::new();
        process_options(env, f, |a| out.push(std::format!("{a}")));
        out
    }

    #[test]
    fn godebug_cpu_options_as_go() {
        let base = decode(
            intel(0xd, HASWELL_ECX1, bits::LEAF1_EDX_SSE2, HASWELL_EBX7),
            || 0x7,
        );
        let mut f = base;
        assert!(opts("cpu.avx=off,cpu.erms=off", &mut f).is_empty());
        assert!(!f.avx && !f.erms && f.avx2);

        let mut f = base;
        assert!(opts("cpu.all=off", &mut f).is_empty());
        assert!(!f.avx && !f.avx2 && !f.aes && !f.popcnt && !f.fma);
        assert!(f.sse2, "sse2 is not an option on amd64");

        let mut f = base;
        let w = opts("cpu.all=off,cpu.avx2=on", &mut f);
        assert!(w.is_empty() && f.avx2 && !f.avx);

        let mut f = base;
        let w = opts(
            "cpu.foo=on,cpu.avx,cpu.avx=maybe,cpu.sse2=off,x=1,inittrace=1",
            &mut f,
        );
        assert_eq!(
            w,
            [
                "GODEBUG: unknown cpu feature \"foo\"\n",
                "GODEBUG: no value specified for \"cpu.avx\"\n",
                "GODEBUG: value \"maybe\" not supported for cpu option \"avx\"\n",
                "GODEBUG: unknown cpu feature \"sse2\"\n",
            ]
        );
        assert_eq!(f, base);

        let mut f = decode(
            intel(0xd, HASWELL_ECX1, bits::LEAF1_EDX_SSE2, HASWELL_EBX7),
            || 0x3,
        );
        let w = opts("cpu.avx=on", &mut f);
        assert_eq!(
            w,
            ["GODEBUG: can not enable \"avx\", missing CPU support\n"]
        );
        assert!(!f.avx);
    }
}
