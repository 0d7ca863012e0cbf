//! The running executable's file image, for the symbolizer: Go's
//! `moduledata` gives its runtime the function table built into the
//! binary; rt0 reads the same facts from the ELF file itself, as
//! `addr2line` does (ELF-64 object file format, System V gABI, chapter 4:
//! the file header, the section header table, `SHT_SYMTAB`).
//!
//! [`image`] maps `/proc/self/exe` (qemu-user emulates it, so it names the
//! guest binary there too) read-only and private, once, and keeps the
//! slices of the sections [`symbols`](super::symbols),
//! [`lines`](super::lines) and [`inlines`](super::inlines) read: `.symtab`
//! and its string table, `.debug_line`, `.debug_line_str`, `.debug_str`,
//! `.debug_info`, `.debug_abbrev`, `.debug_ranges`, `.debug_rnglists`,
//! `.debug_addr`, `.debug_str_offsets`. [`Image::parse`] does the same for any byte slice (the
//! host tests hand it their own executable, or garbage).
//!
//! Invariants: every offset read from the file is bounds-checked, so a
//! truncated or garbage file gives `None` or an image without the
//! sections it lacks, never a panic or a fault; nothing allocates; the
//! mapping is never unmapped, so the slices are `'static`. A file truncated
//! on disk by another process *after* it was mapped would fault (SIGBUS)
//! when a page past its new end is touched: linkers write a new file
//! rather than truncate a running one. [`image`] is callable from any
//! thread and from a signal handler: its one-time set-up is a state word
//! ([`BuildOnce`](super::table::BuildOnce)), never a lock, and a caller that finds another one
//! building gets `None` at once rather than waiting for it.

use core::mem::MaybeUninit;

use super::table::{Begin, BuildOnce};
use crate::racy::RacyCell;
use crate::sys::file::{close, open_readonly};
use crate::sys::fs::fstat;
use crate::sys::mm::{MapFlags, Prot, mmap_file};

/// The running executable, as the kernel (or qemu) names it.
const SELF_EXE: &core::ffi::CStr = c"/proc/self/exe";

// e_ident (gABI "ELF Identification").
const ELFMAG: [u8; 4] = [0x7f, b'E', b'L', b'F'];
const EI_CLASS: usize = 4;
const EI_DATA: usize = 5;
const ELFCLASS64: u8 = 2;
const ELFDATA2LSB: u8 = 1;
/// The machine an x86_64 file is for (`e_machine`).
const EM_X86_64: u16 = 62;

// Offsets of the ELF-64 file header's fields (`Elf64_Ehdr`).
const E_MACHINE: usize = 18;
const E_SHOFF: usize = 40;
const E_SHENTSIZE: usize = 58;
const E_SHNUM: usize = 60;
const E_SHSTRNDX: usize = 62;
/// The size of `Elf64_Ehdr`.
const EHDR_SIZE: usize = 64;

// Offsets of a section header's fields (`Elf64_Shdr`) and its size.
const SH_NAME: usize = 0;
const SH_TYPE: usize = 4;
const SH_FLAGS: usize = 8;
const SH_OFFSET: usize = 24;
const SH_SIZE: usize = 32;
const SH_LINK: usize = 40;
const SH_ENTSIZE: usize = 56;
const SHDR_SIZE: usize = 64;

/// `e_shstrndx` saying the real index is in section 0's `sh_link`.
const SHN_XINDEX: u16 = 0xffff;
const SHT_SYMTAB: u32 = 2;
const SHT_STRTAB: u32 = 3;
/// A section with no bytes in the file (`.bss`).
const SHT_NOBITS: u32 = 8;
/// A section stored compressed (`Elf64_Chdr` first): rt0 reads none.
const SHF_COMPRESSED: u64 = 0x800;
/// The size of one `Elf64_Sym`.
pub(crate) const SYM_SIZE: usize = 24;

/// The sections the symbolizer reads, as slices of the file; a section the
/// file lacks is empty.
#[derive(Clone, Copy)]
pub(crate) struct Image {
    /// The whole file.
    pub(crate) file: &'static [u8],
    /// `.symtab`: `Elf64_Sym` records ([`SYM_SIZE`] bytes each).
    pub(crate) symtab: &'static [u8],
    /// The string table `.symtab` links to (`.strtab`).
    pub(crate) strtab: &'static [u8],
    pub(crate) debug_line: &'static [u8],
    pub(crate) debug_line_str: &'static [u8],
    pub(crate) debug_str: &'static [u8],
    pub(crate) debug_info: &'static [u8],
    pub(crate) debug_abbrev: &'static [u8],
    /// DWARF 4's range lists and DWARF 5's.
    pub(crate) debug_ranges: &'static [u8],
    pub(crate) debug_rnglists: &'static [u8],
    /// DWARF 5's tables of addresses and of string offsets (`DW_FORM_addrx`,
    /// `DW_FORM_strx` values index them).
    pub(crate) debug_addr: &'static [u8],
    pub(crate) debug_str_offsets: &'static [u8],
}

impl Image {
    /// An image with no sections.
    pub(crate) const EMPTY: Image = Image {
        file: &[],
        symtab: &[],
        strtab: &[],
        debug_line: &[],
        debug_line_str: &[],
        debug_str: &[],
        debug_info: &[],
        debug_abbrev: &[],
        debug_ranges: &[],
        debug_rnglists: &[],
        debug_addr: &[],
        debug_str_offsets: &[],
    };

    /// Reads the section headers of the ELF-64 little-endian x86_64 file
    /// `file`: `None` if it is not one or its section header table does not
    /// fit in it; a section whose bytes lie outside the file, or that is
    /// compressed, counts as absent.
    pub(crate) fn parse(file: &'static [u8]) -> Option<Image> {
        if file.get(..ELFMAG.len())? != ELFMAG
            || *file.get(EI_CLASS)? != ELFCLASS64
            || *file.get(EI_DATA)? != ELFDATA2LSB
            || file.len() < EHDR_SIZE
            || u16_at(file, E_MACHINE)? != EM_X86_64
            || usize::from(u16_at(file, E_SHENTSIZE)?) != SHDR_SIZE
        {
            return None;
        }
        let shoff = usize::try_from(u64_at(file, E_SHOFF)?).ok()?;
        let first = file.get(shoff..shoff.checked_add(SHDR_SIZE)?)?;
        // A file with more than 0xff00 sections keeps the count and the
        // names' index in section 0 (gABI, "Sections").
        let mut shnum = usize::from(u16_at(file, E_SHNUM)?);
        if shnum == 0 {
            shnum = usize::try_from(u64_at(first, SH_SIZE)?).ok()?;
        }
        let mut shstrndx = u32::from(u16_at(file, E_SHSTRNDX)?);
        if shstrndx == u32::from(SHN_XINDEX) {
            shstrndx = u32_at(first, SH_LINK)?;
        }
        let table = file.get(shoff..shoff.checked_add(shnum.checked_mul(SHDR_SIZE)?)?)?;
        let header = |i: u32| {
            table
                .get((i as usize).checked_mul(SHDR_SIZE)?..)?
                .get(..SHDR_SIZE)
        };
        let names = header(shstrndx)
            .and_then(|sh| section_bytes(file, sh))
            .unwrap_or(&[]);

        let mut img = Image::EMPTY;
        img.file = file;
        for sh in table.chunks_exact(SHDR_SIZE) {
            let Some(data) = section_bytes(file, sh) else {
                continue;
            };
            let Some(sh_type) = u32_at(sh, SH_TYPE) else {
                continue;
            };
            if sh_type == SHT_SYMTAB && img.symtab.is_empty() {
                let linked = u32_at(sh, SH_LINK).and_then(header);
                let strtab = linked.filter(|s| u32_at(s, SH_TYPE) == Some(SHT_STRTAB));
                if u64_at(sh, SH_ENTSIZE) == Some(SYM_SIZE as u64)
                    && let Some(strtab) = strtab.and_then(|s| section_bytes(file, s))
                {
                    img.symtab = data;
                    img.strtab = strtab;
                }
                continue;
            }
            let name = u32_at(sh, SH_NAME).and_then(|n| cstr_at(names, n as usize));
            let slot = match name {
                Some(b".debug_line") => &mut img.debug_line,
                Some(b".debug_line_str") => &mut img.debug_line_str,
                Some(b".debug_str") => &mut img.debug_str,
                Some(b".debug_info") => &mut img.debug_info,
                Some(b".debug_abbrev") => &mut img.debug_abbrev,
                Some(b".debug_ranges") => &mut img.debug_ranges,
                Some(b".debug_rnglists") => &mut img.debug_rnglists,
                Some(b".debug_addr") => &mut img.debug_addr,
                Some(b".debug_str_offsets") => &mut img.debug_str_offsets,
                _ => continue,
            };
            *slot = data;
        }
        Some(img)
    }
}

/// The bytes of the section whose header is `sh`, if it has bytes in
/// `file`, all inside it, uncompressed.
fn section_bytes(file: &'static [u8], sh: &[u8]) -> Option<&'static [u8]> {
    if u32_at(sh, SH_TYPE)? == SHT_NOBITS || u64_at(sh, SH_FLAGS)? & SHF_COMPRESSED != 0 {
        return None;
    }
    let off = usize::try_from(u64_at(sh, SH_OFFSET)?).ok()?;
    let size = usize::try_from(u64_at(sh, SH_SIZE)?).ok()?;
    file.get(off..off.checked_add(size)?)
}

/// The little-endian `u16` at `off` of `b`.
pub(crate) fn u16_at(b: &[u8], off: usize) -> Option<u16> {
    Some(u16::from_le_bytes(
        b.get(off..off.checked_add(2)?)?.try_into().ok()?,
    ))
}

/// The little-endian `u32` at `off` of `b`.
pub(crate) fn u32_at(b: &[u8], off: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(off..off.checked_add(4)?)?.try_into().ok()?,
    ))
}

/// The little-endian `u64` at `off` of `b`.
pub(crate) fn u64_at(b: &[u8], off: usize) -> Option<u64> {
    Some(u64::from_le_bytes(
        b.get(off..off.checked_add(8)?)?.try_into().ok()?,
    ))
}

/// The NUL-terminated string at `off` of `b`, without its NUL: `None` if
/// `off` is outside `b` or no NUL ends it inside.
pub(crate) fn cstr_at(b: &'static [u8], off: usize) -> Option<&'static [u8]> {
    let rest = b.get(off..)?;
    let len = rest.iter().position(|&c| c == 0)?;
    rest.get(..len)
}

/// The image of `/proc/self/exe`, set up by the first call (uninit
/// until then, so it sits in `.bss`, not `.data`).
static SELF_IMAGE: RacyCell<MaybeUninit<Image>> = RacyCell::new(MaybeUninit::uninit());
static SELF_ONCE: BuildOnce = BuildOnce::new();

/// Whether this build names frames (the `symbolize` feature): if not,
/// [`image`] is always `None` and reports print pcs, as for a stripped
/// binary.
pub(crate) const SYMBOLIZE: bool = cfg!(feature = "symbolize");

/// The running executable's image: mapped and parsed by the first call;
/// `None` if that failed (no `/proc`, not an ELF-64 x86_64 file), or while
/// another call (another thread, or the code this signal handler
/// interrupted) is still setting it up.
pub(crate) fn image() -> Option<&'static Image> {
    if !SYMBOLIZE {
        // Every reader of names and lines starts here: with the image
        // constant `None` they are unreachable, and the linker drops them.
        return None;
    }
    match SELF_ONCE.begin() {
        Begin::Build => {
            let img = map_self();
            if let Some(img) = img {
                // SAFETY: `Build` makes this the only writer, and no reader
                // looks before `finish(true)` publishes it.
                unsafe { (*SELF_IMAGE.get()).write(img) };
            }
            SELF_ONCE.finish(img.is_some());
            img.map(|_| {
                // SAFETY: written above, never written again.
                unsafe { (*SELF_IMAGE.get()).assume_init_ref() }
            })
        }
        // SAFETY: `Ready` is the acquire of `finish(true)`: the image is
        // written and never written again.
        Begin::Ready => Some(unsafe { (*SELF_IMAGE.get()).assume_init_ref() }),
        Begin::Busy | Begin::Failed => None,
    }
}

/// Maps the whole of `/proc/self/exe` and parses it.
fn map_self() -> Option<Image> {
    let fd = open_readonly(SELF_EXE).ok()?;
    let size = fstat(fd)
        .ok()
        .and_then(|st| usize::try_from(st.st_size).ok());
    let map = size.filter(|&n| n > 0).and_then(|n| {
        mmap_file(fd, n, Prot::READ, MapFlags::PRIVATE)
            .ok()
            .map(|p| (p, n))
    });
    close(fd);
    let (ptr, len) = map?;
    // SAFETY: the kernel mapped `len` readable bytes at `ptr`; the mapping
    // is private, never written and never unmapped, so the slice is valid
    // and unchanging for the rest of the process (but for a truncation of
    // the file by another process, see the module note).
    let file: &'static [u8] = unsafe { core::slice::from_raw_parts(ptr, len) };
    Image::parse(file)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// This test binary's own file, read once and leaked.
    pub(crate) fn own_file() -> &'static [u8] {
        use std::sync::OnceLock;
        static FILE: OnceLock<&'static [u8]> = OnceLock::new();
        FILE.get_or_init(|| {
            let exe = std::env::current_exe().expect("current_exe");
            Vec::leak(std::fs::read(exe).expect("read own executable"))
        })
    }

    #[test]
    fn parses_own_executable() {
        let img = Image::parse(own_file()).expect("the test binary is ELF-64 x86_64");
        assert!(img.symtab.len() >= 2 * SYM_SIZE && img.symtab.len().is_multiple_of(SYM_SIZE));
        assert!(!img.strtab.is_empty());
        assert!(!img.debug_line.is_empty(), "built with line tables");
        assert!(!img.debug_info.is_empty() && !img.debug_abbrev.is_empty());
    }

    #[test]
    fn maps_proc_self_exe() {
        // The mapped file is this very test binary: the same bytes as read.
        let img = image().expect("/proc/self/exe maps");
        assert_eq!(img.file, own_file());
        assert!(core::ptr::eq(img, image().unwrap()), "set up once");
    }

    #[test]
    fn rejects_malformed() {
        let file = own_file();
        assert!(Image::parse(&[]).is_none());
        assert!(Image::parse(b"\x7fELF").is_none());
        assert!(
            Image::parse(&file[..EHDR_SIZE]).is_none(),
            "no section header table"
        );
        // Every truncation gives None or an image whose slices lie inside.
        for cut in (0..file.len()).step_by(file.len() / 97 + 1) {
            if let Some(img) = Image::parse(&file[..cut]) {
                assert!(img.debug_line.len() <= cut && img.symtab.len() <= cut);
            }
        }
        // Garbage after a valid header, and headers pointing anywhere.
        let mut junk = file[..4096].to_vec();
        let mut x: u32 = 12345;
        for b in junk[EHDR_SIZE..].iter_mut() {
            x = x.wrapping_mul(1103515245).wrapping_add(12345);
            *b = (x >> 16) as u8;
        }
        for shoff in [0u64, 64, 100, 4000, u64::MAX, u64::MAX - 63] {
            junk[E_SHOFF..E_SHOFF + 8].copy_from_slice(&shoff.to_le_bytes());
            for shnum in [0u16, 1, 60, 0xffff] {
                junk[E_SHNUM..E_SHNUM + 2].copy_from_slice(&shnum.to_le_bytes());
                let leaked: &'static [u8] = Vec::leak(junk.clone());
                let _ = Image::parse(leaked);
            }
        }
    }
}
