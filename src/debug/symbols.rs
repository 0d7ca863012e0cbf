//! A PC's function, from the executable's symbol table: Go's `findfunc`
//! and `funcname` (symtab.go), which search the `pclntab` its linker
//! builds; rt0 searches the ELF `.symtab` (gABI, "Symbol Table") the
//! linker leaves in every unstripped binary, and writes the name
//! demangled (`debug::demangle`).
//!
//! The functions are the `STT_FUNC` (and `STT_GNU_IFUNC`) symbols, and the
//! `STT_NOTYPE` ones with a size (an assembly label given `.size`);
//! defined (`st_shndx` not `SHN_UNDEF`) and at a nonzero address. A PC
//! belongs to the function of greatest start <= PC that contains it
//! (`start <= pc < start + size`), or, if that start has only size-0
//! symbols, to the nearest of those (a label without `.size`); failing
//! both, to an earlier function enclosing it (one symbol nested in
//! another), looked for among the [`NEST_SCAN`] nearest starts.
//!
//! [`lookup`] builds, on first use, a table of the functions' (start,
//! symbol) sorted by start, in `.bss` ([`INDEX_CAPACITY`] entries,
//! touched only if used), so each later lookup is two binary searches; a
//! table with more functions than fit, or a lookup while another thread
//! (or the code a signal handler interrupted) is building it, scans the
//! symbol table instead: slower, same answer (but for the nesting bound).
//!
//! Invariants: no heap (the table is sorted in place), no
//! lock (the table's set-up is a [`BuildOnce`]), no panic on any
//! symbol table (every read is checked; a name outside `.strtab` is
//! empty); callable from a signal handler.

use core::fmt::{self, Write};

use super::demangle;
use super::elf::{Image, SYM_SIZE, cstr_at, u16_at, u32_at, u64_at};
use super::table::{Begin, BuildOnce, sort_by_key};
use crate::racy::RacyCell;

// Fields of an `Elf64_Sym`.
const ST_NAME: usize = 0;
const ST_INFO: usize = 4;
const ST_SHNDX: usize = 6;
const ST_VALUE: usize = 8;
const ST_SIZE: usize = 16;
/// `st_info`'s low four bits are the symbol's type (`ELF64_ST_TYPE`).
const ST_TYPE_MASK: u8 = 0xf;
const STT_NOTYPE: u8 = 0;
const STT_FUNC: u8 = 2;
/// A function whose address a resolver picks at load time (GNU).
const STT_GNU_IFUNC: u8 = 10;
/// An undefined symbol's section index.
const SHN_UNDEF: u16 = 0;

/// How many functions the sorted table holds (16 bytes each in `.bss`).
pub(crate) const INDEX_CAPACITY: usize = 32768;
/// How many earlier starts a lookup looks through for an enclosing
/// function when the nearest one does not contain the PC.
pub(crate) const NEST_SCAN: usize = 64;

/// A function symbol: `[start, start + size)` (size 0 if the symbol has
/// none) and its name as the linker has it (mangled).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Symbol {
    pub(crate) start: u64,
    pub(crate) size: u64,
    pub(crate) name: &'static [u8],
}

/// One function of the sorted table: its start and its index in `.symtab`.
#[derive(Clone, Copy)]
struct Entry {
    addr: u64,
    sym: u32,
}

/// The sorted table of one image's functions.
pub(crate) struct Index {
    once: BuildOnce,
    /// The address and length of the `.symtab` the table was built from.
    key: RacyCell<(usize, usize)>,
    len: RacyCell<usize>,
    entries: RacyCell<[Entry; INDEX_CAPACITY]>,
}

impl Index {
    pub(crate) const fn new() -> Index {
        Index {
            once: BuildOnce::new(),
            key: RacyCell::new((0, 0)),
            len: RacyCell::new(0),
            entries: RacyCell::new([Entry { addr: 0, sym: 0 }; INDEX_CAPACITY]),
        }
    }

    /// The table for `img`: built by the first call (for whichever image
    /// it is given), `None` while it is being built, if it overflowed, or
    /// if it was built for another image.
    fn get(&self, img: &Image) -> Option<&[Entry]> {
        if !self.once.is_ready() {
            match self.once.begin() {
                Begin::Build => self.build(img),
                Begin::Ready => {}
                Begin::Busy | Begin::Failed => return None,
            }
        }
        // SAFETY: the table is ready (the acquire of `finish(true)`): its
        // key, length and entries are written and never written again.
        let (key, len) = unsafe { (*self.key.get(), *self.len.get()) };
        if key != symtab_key(img) {
            return None;
        }
        // SAFETY: as above; `len <= INDEX_CAPACITY` (`build`).
        Some(unsafe { (*self.entries.get()).get(..len)? })
    }

    /// Fills and sorts the table, then publishes it; called once, by the
    /// caller `begin` told to build.
    fn build(&self, img: &Image) {
        // SAFETY: `Build` makes this the only thread touching the table
        // until `finish`, and no reader reads it before `finish(true)`.
        let (key, len, entries) = unsafe {
            (
                &mut *self.key.get(),
                &mut *self.len.get(),
                &mut *self.entries.get(),
            )
        };
        let mut n = 0;
        let mut fits = true;
        for i in 0..symbol_count(img) {
            if let Some((addr, _)) = function_at(img, i) {
                let Some(slot) = entries.get_mut(n) else {
                    fits = false;
                    break;
                };
                // symbol_count fits in u32 (checked there).
                *slot = Entry {
                    addr,
                    sym: i as u32,
                };
                n += 1;
            }
        }
        if fits {
            let table = &mut entries[..n];
            sort_by_key(table, |e| (e.addr, e.sym));
            *key = symtab_key(img);
            *len = n;
        }
        self.once.finish(fits);
    }
}

/// The table of the running executable's functions.
static PROCESS_INDEX: Index = Index::new();

/// What names an image's symbol table: where it is and how long.
fn symtab_key(img: &Image) -> (usize, usize) {
    (img.symtab.as_ptr() as usize, img.symtab.len())
}

/// How many `Elf64_Sym` records `.symtab` has (at most `u32::MAX`).
fn symbol_count(img: &Image) -> usize {
    (img.symtab.len() / SYM_SIZE).min(u32::MAX as usize)
}

/// The start and size of symbol `i` if it is a function (module note).
fn function_at(img: &Image, i: usize) -> Option<(u64, u64)> {
    let sym = img
        .symtab
        .get(i.checked_mul(SYM_SIZE)?..)?
        .get(..SYM_SIZE)?;
    let kind = sym.get(ST_INFO)? & ST_TYPE_MASK;
    let addr = u64_at(sym, ST_VALUE)?;
    let size = u64_at(sym, ST_SIZE)?;
    let is_code = match kind {
        STT_FUNC | STT_GNU_IFUNC => true,
        STT_NOTYPE => size != 0,
        _ => false,
    };
    (is_code && addr != 0 && u16_at(sym, ST_SHNDX)? != SHN_UNDEF).then_some((addr, size))
}

/// Symbol `i` as a [`Symbol`], if it is a function.
fn symbol_at(img: &Image, i: usize) -> Option<Symbol> {
    let (start, size) = function_at(img, i)?;
    let name_off = u32_at(img.symtab, i * SYM_SIZE + ST_NAME)? as usize;
    let name = cstr_at(img.strtab, name_off).unwrap_or(&[]);
    Some(Symbol { start, size, name })
}

/// Symbol `i` of the symbol table, if it is a function (for the tests of
/// the line tables).
#[cfg(test)]
pub(crate) fn lookup_in_symtab_for_tests(img: &Image, i: usize) -> Option<Symbol> {
    symbol_at(img, i)
}

/// [`lookup`] without the sorted table (for the tests' timings).
#[cfg(test)]
pub(crate) fn lookup_linear_for_tests(img: &Image, pc: u64) -> Option<Symbol> {
    lookup_linear(img, pc)
}

/// Whether `[start, start + size)` holds `pc` (and the symbol has a size).
fn contains(s: &Symbol, pc: u64) -> bool {
    s.size != 0 && pc >= s.start && pc - s.start < s.size
}

/// What a group of symbols of one start says about `pc`.
enum Pick {
    Found(Symbol),
    /// Only sized symbols, none holding `pc`: look for an enclosing one.
    Outside,
}

/// Picks among the functions `syms` (symtab indices, in order) that all
/// start at the greatest start <= `pc`: the first holding `pc`, else the
/// first without a size.
fn pick(img: &Image, syms: impl Iterator<Item = usize>, pc: u64) -> Pick {
    let mut unsized_first = None;
    for s in syms.filter_map(|i| symbol_at(img, i)) {
        if contains(&s, pc) {
            return Pick::Found(s);
        }
        if s.size == 0 && unsized_first.is_none() {
            unsized_first = Some(s);
        }
    }
    unsized_first.map_or(Pick::Outside, Pick::Found)
}

/// The function holding `pc` in `img` (module note), through the
/// process's sorted table.
pub(crate) fn lookup(img: &Image, pc: u64) -> Option<Symbol> {
    lookup_in(&PROCESS_INDEX, img, pc)
}

/// [`lookup`] with the sorted table `index` (the host tests give their
/// own).
pub(crate) fn lookup_in(index: &Index, img: &Image, pc: u64) -> Option<Symbol> {
    match index.get(img) {
        Some(table) => lookup_sorted(img, table, pc),
        None => lookup_linear(img, pc),
    }
}

/// [`lookup`] over the sorted table.
fn lookup_sorted(img: &Image, table: &[Entry], pc: u64) -> Option<Symbol> {
    let end = table.partition_point(|e| e.addr <= pc);
    let nearest = table.get(end.checked_sub(1)?)?.addr;
    let begin = table.get(..end)?.partition_point(|e| e.addr < nearest);
    let group = table.get(begin..end)?.iter().map(|e| e.sym as usize);
    if let Pick::Found(s) = pick(img, group, pc) {
        return Some(s);
    }
    let earlier = table.get(..begin)?.iter().rev().take(NEST_SCAN);
    earlier
        .filter_map(|e| symbol_at(img, e.sym as usize))
        .find(|s| contains(s, pc))
}

/// [`lookup`] by scanning the whole symbol table (three passes).
fn lookup_linear(img: &Image, pc: u64) -> Option<Symbol> {
    let n = symbol_count(img);
    let functions = || (0..n).filter_map(|i| Some((i, function_at(img, i)?)));
    let nearest = functions()
        .map(|(_, (a, _))| a)
        .filter(|&a| a <= pc)
        .max()?;
    let group = functions()
        .filter(|&(_, (a, _))| a == nearest)
        .map(|(i, _)| i);
    if let Pick::Found(s) = pick(img, group, pc) {
        return Some(s);
    }
    let mut best: Option<Symbol> = None;
    for (i, (a, _)) in functions() {
        if a < nearest
            && best.is_none_or(|b| a >= b.start)
            && let Some(s) = symbol_at(img, i).filter(|s| contains(s, pc))
        {
            best = Some(s);
        }
    }
    best
}

/// Whether `img` has any function symbol (a stripped binary has none);
/// the printer notes each unnamed pc instead, so only the tests ask.
#[cfg(test)]
pub(crate) fn has_symbols(img: &Image) -> bool {
    (0..symbol_count(img)).any(|i| function_at(img, i).is_some())
}

/// Writes a symbol's name as a reader wants it: demangled
/// ([`demangle::write_symbol`]: no hash, `rt0::sched::park`,
/// `<T as Trait>::f`) when it is a Rust name (v0 `_R...` or legacy
/// `_ZN...`), else as it is (`rt0_gogo`), bytes that are not UTF-8 as `?`.
pub(crate) fn write_name<W: Write>(w: &mut W, mangled: &[u8]) -> fmt::Result {
    demangle::write_symbol(w, mangled)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::elf::tests::own_file;
    use super::*;
    use std::process::Command;
    use std::string::String;
    use std::vec::Vec;

    pub(crate) fn own_image() -> &'static Image {
        use std::sync::OnceLock;
        static IMG: OnceLock<Image> = OnceLock::new();
        IMG.get_or_init(|| Image::parse(own_file()).expect("own image"))
    }

    pub(crate) fn demangled(mangled: &[u8]) -> String {
        let mut s = String::new();
        write_name(&mut s, mangled).unwrap();
        s
    }

    /// Functions of this test with known names, kept out of line.
    #[inline(never)]
    fn probe_alpha(x: u64) -> u64 {
        std::hint::black_box(x).wrapping_mul(3)
    }
    #[inline(never)]
    fn probe_beta(x: u64) -> u64 {
        probe_alpha(std::hint::black_box(x) + 1) ^ 7
    }

    /// The symtab entry whose demangled name is `name`.
    pub(crate) fn by_name(img: &Image, name: &str) -> Symbol {
        (0..symbol_count(img))
            .filter_map(|i| symbol_at(img, i))
            .find(|s| demangled(s.name) == name)
            .unwrap_or_else(|| panic!("no symbol {name}"))
    }

    /// `addr2line -a -f -i -C -e EXE ADDR...`: per address, the function
    /// that holds it (the outermost of its inlined frames, which DWARF
    /// names as the symbol table does) and the innermost `file:line`.
    pub(crate) fn addr2line(addrs: &[u64]) -> Vec<(String, String)> {
        addr2line_of(&std::env::current_exe().unwrap(), addrs)
    }

    /// `addr2line -a -f -i -C -e exe ADDR...`, as [`addr2line`].
    pub(crate) fn addr2line_of(exe: &std::path::Path, addrs: &[u64]) -> Vec<(String, String)> {
        let mut cmd = Command::new("addr2line");
        cmd.args(["-a", "-f", "-i", "-C", "-e"]).arg(exe);
        for a in addrs {
            cmd.arg(format!("{a:#x}"));
        }
        let out = cmd.output().expect("addr2line (binutils) runs");
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        // Each address's line, then (function, file:line) per frame.
        let mut groups: Vec<Vec<&str>> = Vec::new();
        for line in text.lines() {
            match groups.last_mut() {
                Some(g) if !line.starts_with("0x") => g.push(line),
                _ => groups.push(Vec::new()),
            }
        }
        assert_eq!(groups.len(), addrs.len());
        groups
            .iter()
            .map(|g| {
                assert!(g.len() >= 2 && g.len() % 2 == 0, "{g:?}");
                (g[g.len() - 2].to_string(), g[1].to_string())
            })
            .collect()
    }

    #[test]
    fn own_functions_match_addr2line() {
        assert_eq!(probe_beta(1), 1);
        static INDEX: Index = Index::new();
        let img = own_image();
        assert!(has_symbols(img));
        let names = [
            "rt0::debug::symbols::tests::probe_alpha",
            "rt0::debug::symbols::tests::probe_beta",
        ];
        for name in names {
            let s = by_name(img, name);
            assert!(s.size > 0);
            let pcs = [s.start, s.start + s.size / 2, s.start + s.size - 1];
            let oracle = addr2line(&pcs);
            for (pc, (func, _)) in pcs.iter().zip(&oracle) {
                for found in [lookup_in(&INDEX, img, *pc), lookup_linear(img, *pc)] {
                    let found = found.expect("pc symbolizes");
                    assert_eq!(found, s, "{pc:#x}");
                    assert_eq!(demangled(found.name), *name);
                }
                assert_eq!(func, name, "{pc:#x}");
            }
        }
        assert!(INDEX.once.is_ready(), "the sorted table was used");
    }

    #[test]
    fn every_function_start_matches_addr2line() {
        // Every 37th sized function's start and last byte: the sorted
        // table, the linear scan and addr2line's symbol agree.
        static INDEX: Index = Index::new();
        let img = own_image();
        let syms: Vec<Symbol> = (0..symbol_count(img))
            .filter_map(|i| symbol_at(img, i))
            .filter(|s| s.size > 0)
            .step_by(37)
            .collect();
        assert!(syms.len() > 20);
        let starts: Vec<u64> = syms.iter().map(|s| s.start).collect();
        let oracle = addr2line(&starts);
        let (mut same, mut differ) = (0, Vec::new());
        for (s, (func, _)) in syms.iter().zip(&oracle) {
            let at_start = lookup_in(&INDEX, img, s.start).unwrap();
            assert_eq!(at_start.start, s.start);
            assert_eq!(Some(at_start), lookup_linear(img, s.start));
            let at_end = lookup_in(&INDEX, img, s.start + s.size - 1).unwrap();
            assert_eq!(Some(at_end), lookup_linear(img, s.start + s.size - 1));
            let ours = demangled(at_start.name);
            if ours == *func {
                same += 1;
            } else {
                differ.push((ours, func.clone()));
            }
        }
        // addr2line names a function from DWARF where it has a name there
        // (a DWARF short name, or none: asm), so a few may differ; the most
        // must not.
        eprintln!(
            "{same} same, {} differ: {:?}",
            differ.len(),
            &differ[..differ.len().min(8)]
        );
        assert!(differ.len() * 10 <= syms.len(), "{differ:?}");
    }

    #[test]
    fn outside_any_function() {
        let img = own_image();
        assert_eq!(lookup(img, 0), None);
        assert_eq!(lookup_linear(img, 0), None);
        assert_eq!(lookup(img, u64::MAX), lookup_linear(img, u64::MAX));
    }

    #[test]
    fn malformed_tables() {
        // An empty image, and symbol tables of garbage, at every length.
        let empty = Image::EMPTY;
        assert_eq!(lookup(&empty, 0x401000), None);
        assert!(!has_symbols(&empty));
        let mut x: u32 = 99;
        let junk: &'static [u8] = Vec::leak(
            (0..4096)
                .map(|_| {
                    x = x.wrapping_mul(1103515245).wrapping_add(12345);
                    (x >> 16) as u8
                })
                .collect(),
        );
        for len in [0, 1, 23, 24, 25, 47, 48, 1000, 4096] {
            let img = Image {
                symtab: &junk[..len],
                strtab: &junk[..len / 2],
                ..Image::EMPTY
            };
            static INDEX: Index = Index::new();
            for pc in [0, 1, 0x400000, u64::MAX / 2, u64::MAX] {
                let a = lookup_in(&INDEX, &img, pc);
                assert_eq!(a, lookup_linear(&img, pc));
                let _ = has_symbols(&img);
            }
        }
    }

    #[test]
    fn names() {
        // A v0 name, a legacy one, a C one, and bytes that are not UTF-8.
        assert_eq!(
            demangled(b"_RNvNtCs1234_3rt05sched4park"),
            "rt0::sched::park"
        );
        assert_eq!(
            demangled(b"_ZN3rt03mem4heap4grow17h53b5d9db6e14bfbbE"),
            "rt0::mem::heap::grow"
        );
        assert_eq!(demangled(b"rt0_gogo"), "rt0_gogo");
        assert_eq!(demangled(b"ab\xffc"), "ab?c");
        let copy = b"_RNvXsZ_NtCslNYArtu3iFV_5alloc6stringNtB5_6StringNtNtCsgEmfK2I1SDS_4core3fmt5Write10write_char.1205";
        assert_eq!(
            demangled(copy),
            "<alloc::string::String as core::fmt::Write>::write_char"
        );
        assert_eq!(
            demangled(b"rt0_x.12"),
            "rt0_x.12",
            "not a Rust name: as it is"
        );
        assert_eq!(demangled(b""), "");
    }
}
