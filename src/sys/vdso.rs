//! Finding `__vdso_clock_gettime` in the vDSO: Go's `vdso_linux.go`
//! (`vdsoInitFromSysinfoEhdr`, `vdsoFindVersion`, `vdsoParseSymbols`).
//!
//! The kernel maps a small ELF shared object into every process and passes
//! its header's address as AT_SYSINFO_EHDR. We read its program headers for
//! the load offset and the dynamic section, the dynamic section for the
//! symbol, string, hash and version tables, then walk the symbols for
//! `__vdso_clock_gettime` at version `LINUX_2.6`. qemu-user gives no vDSO
//! (AT_SYSINFO_EHDR is 0): time then uses the syscall.
//!
//! Everything is read through raw pointers into kernel-provided memory that
//! lives for the whole process; malformed input (no PT_DYNAMIC, missing
//! tables) yields "not found", never a fault beyond the mapping.

use core::ffi::c_void;

/// ELF constants (`<elf.h>`).
const PT_LOAD: u32 = 1;
const PT_DYNAMIC: u32 = 2;
const DT_NULL: i64 = 0;
const DT_HASH: i64 = 4;
const DT_STRTAB: i64 = 5;
const DT_SYMTAB: i64 = 6;
const DT_VERSYM: i64 = 0x6fff_fff0;
const DT_VERDEF: i64 = 0x6fff_fffc;
const DT_GNU_HASH: i64 = 0x6fff_fef5;
const STT_FUNC: u8 = 2;
/// `st_info`: symbol type in the low nibble, binding in the high one.
const ST_TYPE_MASK: u8 = 0xf;
const ST_BIND_SHIFT: u8 = 4;
const STB_GLOBAL: u8 = 1;
const STB_WEAK: u8 = 2;
const SHN_UNDEF: u16 = 0;
const VER_FLG_BASE: u16 = 1;
/// Mask of the version index in a `versym` entry (bit 15 is "hidden").
const VERSYM_VERSION: u16 = 0x7fff;
const ELF_MAGIC: [u8; 4] = *b"\x7fELF";

#[repr(C)]
struct Ehdr {
    ident: [u8; 16],
    typ: u16,
    machine: u16,
    version: u32,
    entry: u64,
    phoff: u64,
    shoff: u64,
    flags: u32,
    ehsize: u16,
    phentsize: u16,
    phnum: u16,
}

#[repr(C)]
struct Phdr {
    typ: u32,
    flags: u32,
    offset: u64,
    vaddr: u64,
    paddr: u64,
    filesz: u64,
    memsz: u64,
    align: u64,
}

#[repr(C)]
struct Dyn {
    tag: i64,
    val: u64,
}

#[repr(C)]
struct Sym {
    name: u32,
    info: u8,
    other: u8,
    shndx: u16,
    value: u64,
    size: u64,
}

#[repr(C)]
struct Verdef {
    version: u16,
    flags: u16,
    ndx: u16,
    cnt: u16,
    hash: u32,
    aux: u32,
    next: u32,
}

#[repr(C)]
struct Verdaux {
    name: u32,
    next: u32,
}

/// The C signature of `__vdso_clock_gettime`.
pub type ClockGettime = unsafe extern "C" fn(clock: i32, ts: *mut c_void) -> i32;

/// NUL-terminated string at `p` equals `want`?
///
/// # Safety
/// `p` points into the vDSO's string table.
unsafe fn str_eq(p: *const u8, want: &[u8]) -> bool {
    // SAFETY: bytes are read only up to want.len() and the NUL after it;
    // a mismatch stops earlier.
    unsafe {
        for (i, &c) in want.iter().enumerate() {
            if *p.add(i) != c {
                return false;
            }
        }
        *p.add(want.len()) == 0
    }
}

/// Number of symbols, from DT_HASH's nchain or by walking DT_GNU_HASH.
///
/// # Safety
/// The pointers come from the vDSO's dynamic section.
unsafe fn symbol_count(hash: *const u32, gnu_hash: *const u32) -> usize {
    // SAFETY: table layouts per the ELF and GNU hash specifications.
    unsafe {
        if !hash.is_null() {
            return *hash.add(1) as usize; // nchain
        }
        if gnu_hash.is_null() {
            return 0;
        }
        let nbuckets = *gnu_hash as usize;
        let symoffset = *gnu_hash.add(1) as usize;
        let bloom_size = *gnu_hash.add(2) as usize;
        let buckets = gnu_hash.add(4 + bloom_size * 2); // 64-bit bloom words
        let chains = buckets.add(nbuckets);
        let mut max = 0;
        for b in 0..nbuckets {
            max = max.max(*buckets.add(b) as usize);
        }
        if max < symoffset {
            return symoffset;
        }
        // Follow the last chain to its end (low bit set).
        let mut i = max;
        while *chains.add(i - symoffset) & 1 == 0 {
            i += 1;
        }
        i + 1
    }
}

/// Looks up `name`@`version` in the vDSO whose ELF header is at `base`.
///
/// # Safety
/// `base` is 0 or the AT_SYSINFO_EHDR the kernel passed.
pub unsafe fn lookup(base: usize, name: &[u8], version: &[u8]) -> Option<usize> {
    if base == 0 {
        return None;
    }
    // SAFETY: the kernel maps the whole vDSO image at base.
    unsafe {
        let eh = &*(base as *const Ehdr);
        if eh.ident[..4] != ELF_MAGIC {
            return None;
        }
        let phdrs = (base + eh.phoff as usize) as *const Phdr;
        let mut load_offset = None;
        let mut dynv: *const Dyn = core::ptr::null();
        for i in 0..eh.phnum as usize {
            let ph = &*phdrs.add(i);
            match ph.typ {
                PT_LOAD if load_offset.is_none() => {
                    load_offset = Some(
                        base.wrapping_add(ph.offset as usize)
                            .wrapping_sub(ph.vaddr as usize),
                    )
                }
                PT_DYNAMIC => dynv = (base + ph.offset as usize) as *const Dyn,
                _ => {}
            }
        }
        let load_offset = load_offset?;
        if dynv.is_null() {
            return None;
        }
        let (mut symtab, mut strtab) = (core::ptr::null::<Sym>(), core::ptr::null::<u8>());
        let (mut hash, mut gnu_hash) = (core::ptr::null::<u32>(), core::ptr::null::<u32>());
        let (mut versym, mut verdef) = (core::ptr::null::<u16>(), core::ptr::null::<Verdef>());
        let mut d = dynv;
        while (*d).tag != DT_NULL {
            let p = load_offset.wrapping_add((*d).val as usize);
            match (*d).tag {
                DT_SYMTAB => symtab = p as *const Sym,
                DT_STRTAB => strtab = p as *const u8,
                DT_HASH => hash = p as *const u32,
                DT_GNU_HASH => gnu_hash = p as *const u32,
                DT_VERSYM => versym = p as *const u16,
                DT_VERDEF => verdef = p as *const Verdef,
                _ => {}
            }
            d = d.add(1);
        }
        if symtab.is_null() || strtab.is_null() {
            return None;
        }
        // The version index of `version` (Go's vdsoFindVersion); without
        // version tables any version is accepted.
        let mut want_ver = None;
        if !versym.is_null() && !verdef.is_null() {
            let mut def = verdef;
            loop {
                let vd = &*def;
                if vd.flags & VER_FLG_BASE == 0 {
                    let aux = &*((def as usize + vd.aux as usize) as *const Verdaux);
                    if str_eq(strtab.add(aux.name as usize), version) {
                        want_ver = Some(vd.ndx & VERSYM_VERSION);
                        break;
                    }
                }
                if vd.next == 0 {
                    return None; // version not defined: do not guess
                }
                def = (def as usize + vd.next as usize) as *const Verdef;
            }
        }
        for i in 0..symbol_count(hash, gnu_hash) {
            let sym = &*symtab.add(i);
            let bind = sym.info >> ST_BIND_SHIFT;
            if sym.info & ST_TYPE_MASK != STT_FUNC
                || (bind != STB_GLOBAL && bind != STB_WEAK)
                || sym.shndx == SHN_UNDEF
            {
                continue;
            }
            if !str_eq(strtab.add(sym.name as usize), name) {
                continue;
            }
            if let Some(v) = want_ver
                && *versym.add(i) & VERSYM_VERSION != v
            {
                continue;
            }
            return Some(load_offset.wrapping_add(sym.value as usize));
        }
        None
    }
}
