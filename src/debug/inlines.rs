//! The calls inlined at a PC, from the executable's `.debug_info`: Go's
//! `inlineUnwinder` (symtabinl.go), which walks the inlining tree its
//! compiler writes into the `pclntab`; rt0 walks the tree LLVM writes
//! (DWARF 4 and 5 §3.3.8): a `DW_TAG_subprogram` with code holds a
//! `DW_TAG_inlined_subroutine` for each call it inlined, nested as the
//! calls were (with `DW_TAG_lexical_block`s between), each with the ranges
//! of the code the call left (`DW_AT_low_pc`/`DW_AT_high_pc`, or
//! `DW_AT_ranges`: DWARF 4 `.debug_ranges`, DWARF 5 `.debug_rnglists`
//! §2.17.3), the function inlined (`DW_AT_abstract_origin`) and where the
//! call was (`DW_AT_call_file`, `_line`, `_column`).
//!
//! A PC's frames, as `addr2line -f -i` gives them: frame 0 is the
//! innermost inlined function whose ranges hold the PC, at the line table's
//! line for the PC; frame k+1 is the function that made inlined call k, at
//! call k's `DW_AT_call_file`:`DW_AT_call_line`; the last frame is the
//! subprogram itself ([`InlineChain`], [`InlineChain::frames`]). A name is
//! the `DW_AT_linkage_name` (mangled, for `symbols::write_name`) of the
//! DIE or of the DIEs its `DW_AT_abstract_origin` and
//! `DW_AT_specification` lead to ([`MAX_ORIGIN_HOPS`] at most), else the
//! first `DW_AT_name` on the way. rustc writes linkage names with
//! `debug = "limited"` and above; with `"line-tables-only"` it writes only
//! the short `DW_AT_name` (`{closure#0}`, `as_ref<T>`, no path), which is
//! why the release profile says `limited`.
//!
//! [`InlineChain::at`] builds, on first use, a table of the code ranges
//! (low address, length, the DIE's offset) of every subprogram and of
//! every call or block right inside one, sorted by address, with the
//! units' offsets and their abbreviations by code, in `.bss`
//! ([`INDEX_CAPACITY`], [`CALL_CAPACITY`], [`UNIT_CAPACITY`],
//! [`ABBREV_CAPACITY`] entries, touched only if used); so a lookup reads
//! the subprogram's DIE and the subtree of its one child that holds the PC
//! (an LTO build inlines whole modules into a few subprograms), and stops
//! once it leaves the innermost DIE holding the PC. A table that
//! does not fit, or a lookup while another thread (or the code a signal
//! handler interrupted) is building it, reads every unit until a
//! subprogram holds the PC instead. [`find_call`] goes the other way, from
//! a `#[track_caller]` location to the code of the call inlined there.
//!
//! Invariants: no heap, no lock (the table's set-up is a [`BuildOnce`]),
//! no panic on any input (every read is checked; a malformed tree stops
//! where it breaks, and gives fewer frames or none), every loop bounded by
//! the bytes it reads or by a constant; callable from a signal handler.

#![allow(non_upper_case_globals)] // the constants keep the DWARF spec's names

use super::dwarf::{
    self, Abbrev, AttrSpec, DW_AT_MIPS_linkage_name, DW_AT_abstract_origin, DW_AT_addr_base,
    DW_AT_call_column, DW_AT_call_file, DW_AT_call_line, DW_AT_comp_dir, DW_AT_high_pc,
    DW_AT_linkage_name, DW_AT_low_pc, DW_AT_name, DW_AT_ranges, DW_AT_rnglists_base,
    DW_AT_specification, DW_AT_stmt_list, DW_AT_str_offsets_base, DW_FORM_GNU_addr_index,
    DW_FORM_GNU_str_index, DW_FORM_addr, DW_FORM_addrx, DW_FORM_addrx1, DW_FORM_addrx2,
    DW_FORM_addrx3, DW_FORM_addrx4, DW_FORM_line_strp, DW_FORM_ref_addr, DW_FORM_ref_udata,
    DW_FORM_ref1, DW_FORM_ref2, DW_FORM_ref4, DW_FORM_ref8, DW_FORM_rnglistx, DW_FORM_strp,
    DW_FORM_strx, DW_FORM_strx1, DW_FORM_strx2, DW_FORM_strx3, DW_FORM_strx4,
    DW_TAG_inlined_subroutine, DW_TAG_lexical_block, DW_TAG_subprogram, Reader, Unit, Value,
    is_code, read_form, unit_at,
};
use super::elf::{Image, cstr_at};
use super::lines::{self, Line};
use super::table::{Begin, BuildOnce, sort_by_key};
use crate::racy::RacyCell;

// Range list entries, DWARF 5 (§7.25).
const DW_RLE_end_of_list: u8 = 0x00;
const DW_RLE_base_addressx: u8 = 0x01;
const DW_RLE_startx_endx: u8 = 0x02;
const DW_RLE_startx_length: u8 = 0x03;
const DW_RLE_offset_pair: u8 = 0x04;
const DW_RLE_base_address: u8 = 0x05;
const DW_RLE_start_end: u8 = 0x06;
const DW_RLE_start_length: u8 = 0x07;

/// How many inlined calls a chain keeps; a deeper chain keeps the
/// outermost `MAX_INLINE - 1` and the innermost (the middle is dropped).
pub(crate) const MAX_INLINE: usize = 32;
/// How many subprogram code ranges the sorted table holds (16 bytes each
/// in `.bss`).
pub(crate) const INDEX_CAPACITY: usize = 65536;
/// How many code ranges of calls and blocks right inside subprograms the
/// table holds (16 bytes each); if they do not fit, lookups walk each
/// subprogram from its start.
pub(crate) const CALL_CAPACITY: usize = 65536;
/// How many units the table holds (12 bytes each).
pub(crate) const UNIT_CAPACITY: usize = 4096;
/// How many abbreviations, of all units, the table holds (4 bytes each).
pub(crate) const ABBREV_CAPACITY: usize = 32768;
/// How many `DW_AT_abstract_origin`/`DW_AT_specification` links a name is
/// looked for through.
pub(crate) const MAX_ORIGIN_HOPS: usize = 8;
/// How many ranges starting at or before a PC a lookup tries, nearest
/// first (subprograms overlap only in malformed trees).
const OVERLAP_SCAN: usize = 8;
/// The `begin` of a DWARF 4 range list entry that sets the base address.
const BASE_SELECTION: u64 = u64::MAX;

/// One inlined call: the function inlined and where the call was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Inlined {
    /// Its linkage name (mangled) if the tree has one, else its
    /// `DW_AT_name`; empty if it has neither.
    pub(crate) name: &'static [u8],
    /// The call's file, numbered as the unit's line program numbers the
    /// files of its rows ([`InlineChain::call_site`] names it), line and
    /// column (0 when unknown).
    pub(crate) call_file: u64,
    pub(crate) call_line: u32,
    pub(crate) call_column: u32,
}

impl Inlined {
    const NONE: Inlined = Inlined {
        name: b"",
        call_file: 0,
        call_line: 0,
        call_column: 0,
    };
}

/// The calls inlined at a PC, innermost first, and the subprogram that
/// holds them (see the module note).
#[derive(Clone, Copy)]
pub(crate) struct InlineChain {
    pc: u64,
    inlined: [Inlined; MAX_INLINE],
    n: usize,
    /// The subprogram's name, as [`Inlined::name`].
    function: &'static [u8],
    /// The unit's line program and compilation directory, which name the
    /// call sites' files.
    stmt_list: Option<u64>,
    comp_dir: &'static [u8],
}

/// One frame of an [`InlineChain`]: a function's name (as
/// [`Inlined::name`]; empty if unknown), its position, and whether it is
/// an inlined call (every frame but the last).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ChainFrame {
    pub(crate) name: &'static [u8],
    pub(crate) line: Option<Line>,
    pub(crate) inlined: bool,
}

impl InlineChain {
    /// No inlined calls and no subprogram: the frames of a PC the tree
    /// does not describe (its one frame has the line table's line).
    pub(crate) const fn none(pc: u64) -> InlineChain {
        InlineChain {
            pc,
            inlined: [Inlined::NONE; MAX_INLINE],
            n: 0,
            function: b"",
            stmt_list: None,
            comp_dir: b"",
        }
    }

    /// The chain at `pc` in `img`, through the process's sorted table.
    pub(crate) fn at(img: &Image, pc: u64) -> InlineChain {
        InlineChain::at_in(&PROCESS_INDEX, img, pc)
    }

    /// [`at`](InlineChain::at) with the sorted table `index` (the host
    /// tests give their own).
    pub(crate) fn at_in(index: &Index, img: &Image, pc: u64) -> InlineChain {
        let mut chain = InlineChain::none(pc);
        let tables = index.get(img);
        let (sub, call) = match tables {
            Some(t) => {
                let sub = holding_sorted(t.ranges, pc);
                // The call or block right inside it that holds the PC: the
                // walk starts there, not at the subprogram's first child.
                let call = holding_sorted(t.calls, pc).filter(|&c| sub.is_some_and(|s| c > s));
                (sub, call)
            }
            None => (subprogram_linear(img, pc), None),
        };
        let tables = tables.unwrap_or(Tables::NONE);
        if let Some(sub) = sub {
            let _ = chain.fill(img, &tables, sub, call);
        }
        chain
    }

    /// The inlined calls, innermost first.
    pub(crate) fn inlined(&self) -> &[Inlined] {
        self.inlined.get(..self.n).unwrap_or(&[])
    }

    /// The subprogram's name (as [`Inlined::name`]), if the tree has the
    /// PC and names it.
    pub(crate) fn function(&self) -> Option<&'static [u8]> {
        (!self.function.is_empty()).then_some(self.function)
    }

    /// Where inlined call `k` (0 innermost) was made.
    pub(crate) fn call_site(&self, img: &Image, k: usize) -> Option<Line> {
        let call = self.inlined().get(k)?;
        lines::position(
            img,
            self.stmt_list?,
            self.comp_dir,
            call.call_file,
            call.call_line,
            call.call_column,
        )
    }

    /// The frames, innermost first: the inlined calls', then the
    /// subprogram's (always one, even for a PC the tree does not have).
    pub(crate) fn frames<'a>(&'a self, img: &'a Image) -> impl Iterator<Item = ChainFrame> + 'a {
        self.frames_from(img, lines::lookup(img, self.pc))
    }

    /// [`frames`](InlineChain::frames), the innermost at `first`.
    fn frames_from<'a>(
        &'a self,
        img: &'a Image,
        first: Option<Line>,
    ) -> impl Iterator<Item = ChainFrame> + 'a {
        (0..=self.n).map(move |k| ChainFrame {
            name: match self.inlined().get(k) {
                Some(call) => call.name,
                None => self.function,
            },
            line: match k {
                0 => first,
                _ => self.call_site(img, k - 1),
            },
            inlined: k < self.n,
        })
    }

    /// Reads the subprogram at `die` and the calls inlined at the PC in
    /// it, from its child at `start` if given (one that holds the PC).
    fn fill(
        &mut self,
        img: &Image,
        tables: &Tables,
        die: usize,
        start: Option<usize>,
    ) -> Option<()> {
        let cu = Cu::containing(img, tables, die)?;
        let mut dies = cu.dies(img, die)?;
        let (sub, _) = dies.next(img, &cu)?;
        if sub.tag != DW_TAG_subprogram {
            return None;
        }
        self.function = name_of(img, tables, &cu, &sub);
        self.stmt_list = cu.stmt_list;
        self.comp_dir = cu.comp_dir;
        if !sub.has_children {
            return Some(());
        }
        if let Some(child) = start {
            dies = cu.dies(img, child)?;
            dies.depth = 1;
        }
        // Outermost first while descending; reversed at the end.
        let mut calls = [Inlined::NONE; MAX_INLINE];
        let mut n = 0;
        // The depth of the deepest DIE on the current path known to hold
        // the PC (all its ancestors hold it too): 0, the subprogram.
        let mut holding = 0;
        while let Some((d, depth)) = dies.next(img, &cu) {
            // Past the subprogram, or out of the deepest DIE holding the
            // PC: nothing later can hold it (siblings do not overlap).
            if depth == 0 || depth <= holding {
                break;
            }
            let nests = matches!(d.tag, DW_TAG_inlined_subroutine | DW_TAG_lexical_block);
            if depth != holding + 1 || !nests || !holds(img, &cu, &d, self.pc) {
                continue;
            }
            holding = depth;
            if d.tag == DW_TAG_inlined_subroutine {
                let call = Inlined {
                    name: name_of(img, tables, &cu, &d),
                    call_file: d.call_file,
                    call_line: u32::try_from(d.call_line).unwrap_or(u32::MAX),
                    call_column: u32::try_from(d.call_column).unwrap_or(u32::MAX),
                };
                if let Some(slot) = calls.get_mut(n.min(MAX_INLINE - 1)) {
                    *slot = call;
                }
                n = (n + 1).min(MAX_INLINE);
            }
        }
        let found = calls.get(..n).unwrap_or(&[]);
        for (dst, src) in self.inlined.iter_mut().zip(found.iter().rev()) {
            *dst = *src;
        }
        self.n = n;
        Some(())
    }
}

/// A string value, resolved only when wanted (a DIE is mostly skipped).
#[derive(Clone, Copy)]
enum Str {
    None,
    Bytes(&'static [u8]),
    /// An offset in a string section.
    At(&'static [u8], u64),
    /// A `DW_FORM_strx` index into the unit's string offsets.
    Index(u64),
}

/// An address value: as it is, or a `DW_FORM_addrx` index into the unit's
/// addresses.
#[derive(Clone, Copy)]
enum Addr {
    None,
    Direct(u64),
    Index(u64),
}

/// `DW_AT_high_pc`: an address, or (a constant form) the length from
/// `DW_AT_low_pc`.
#[derive(Clone, Copy)]
enum HighPc {
    None,
    Addr(Addr),
    Length(u64),
}

/// `DW_AT_ranges`: an offset in the range lists, or (`DW_FORM_rnglistx`)
/// an index into the unit's range list offsets.
#[derive(Clone, Copy)]
enum Ranges {
    None,
    Offset(u64),
    Index(u64),
}

/// What a lookup reads of a DIE.
#[derive(Clone, Copy)]
struct Die {
    /// Its offset in `.debug_info`.
    off: usize,
    tag: u64,
    has_children: bool,
    low_pc: Addr,
    high_pc: HighPc,
    ranges: Ranges,
    call_file: u64,
    call_line: u64,
    call_column: u64,
    /// `DW_AT_abstract_origin` or `DW_AT_specification`, as an offset in
    /// `.debug_info`.
    origin: Option<usize>,
    linkage_name: Str,
    name: Str,
    // The unit DIE's attributes.
    stmt_list: Option<u64>,
    comp_dir: Str,
    str_offsets_base: Option<u64>,
    addr_base: Option<u64>,
    rnglists_base: Option<u64>,
}

impl Die {
    const EMPTY: Die = Die {
        off: 0,
        tag: 0,
        has_children: false,
        low_pc: Addr::None,
        high_pc: HighPc::None,
        ranges: Ranges::None,
        call_file: 0,
        call_line: 0,
        call_column: 0,
        origin: None,
        linkage_name: Str::None,
        name: Str::None,
        stmt_list: None,
        comp_dir: Str::None,
        str_offsets_base: None,
        addr_base: None,
        rnglists_base: None,
    };
}

/// A unit being read: its header, what its unit DIE says, and its
/// abbreviations by code (from the sorted table, if it has them).
struct Cu<'a> {
    unit: Unit,
    /// `DW_AT_low_pc` of the unit DIE: the base address of its DWARF 4
    /// range lists and of its DWARF 5 ones until they set another.
    base: u64,
    str_offsets_base: Option<u64>,
    addr_base: Option<u64>,
    rnglists_base: Option<u64>,
    stmt_list: Option<u64>,
    comp_dir: &'static [u8],
    /// Where abbreviation code `c` is declared, for `c` in
    /// `1..=abbrevs.len()` (the codes LLVM gives, in order).
    abbrevs: &'a [u32],
}

impl<'a> Cu<'a> {
    /// `unit` with its unit DIE read; `None` for a unit of no code (a
    /// type unit, or one this reader cannot read).
    fn at(img: &Image, unit: Unit, abbrevs: &'a [u32]) -> Option<Cu<'a>> {
        if !unit.has_code() {
            return None;
        }
        let mut cu = Cu {
            unit,
            base: 0,
            str_offsets_base: None,
            addr_base: None,
            rnglists_base: None,
            stmt_list: None,
            comp_dir: b"",
            abbrevs,
        };
        let mut dies = cu.dies(img, unit.first_die)?;
        let (top, _) = dies.next(img, &cu)?;
        // The bases first: the unit DIE's own values may use them.
        cu.str_offsets_base = top.str_offsets_base;
        cu.addr_base = top.addr_base;
        cu.rnglists_base = top.rnglists_base;
        cu.base = cu.address(img, top.low_pc).unwrap_or(0);
        cu.stmt_list = top.stmt_list;
        cu.comp_dir = cu.string(img, top.comp_dir).unwrap_or(b"");
        Some(cu)
    }

    /// The unit that holds offset `off` of `.debug_info`.
    fn containing(img: &Image, tables: &Tables<'a>, off: usize) -> Option<Cu<'a>> {
        if !tables.units.is_empty() {
            let i = tables
                .units
                .partition_point(|u| u.off as usize <= off)
                .checked_sub(1)?;
            let entry = tables.units.get(i)?;
            let unit = unit_at(img, entry.off as usize)?;
            let first = entry.abbrevs as usize;
            let abbrevs = tables.abbrevs.get(first..first + entry.count as usize)?;
            return (off < unit.end).then(|| Cu::at(img, unit, abbrevs))?;
        }
        let mut at = 0;
        while at < img.debug_info.len() {
            let unit = unit_at(img, at)?;
            if off < unit.end {
                return Cu::at(img, unit, &[]);
            }
            at = unit.end;
        }
        None
    }

    /// Whether `off` of `.debug_info` lies in this unit.
    fn holds(&self, off: usize) -> bool {
        off >= self.unit.off && off < self.unit.end
    }

    /// A cursor over the unit's DIEs from the one at `off`.
    fn dies(&self, img: &Image, off: usize) -> Option<Dies> {
        Some(Dies {
            r: self.unit.reader(img, off)?,
            depth: 0,
        })
    }

    /// Abbreviation `code` of the unit.
    fn abbrev(&self, img: &Image, code: u64) -> Option<Abbrev> {
        let decl = code
            .checked_sub(1)
            .and_then(|i| self.abbrevs.get(usize::try_from(i).ok()?));
        match decl {
            Some(&decl) => dwarf::abbrev_at(img, decl as usize),
            None => dwarf::find_abbrev(img, self.unit.abbrev_off, code),
        }
    }

    /// An address value's address.
    fn address(&self, img: &Image, a: Addr) -> Option<u64> {
        match a {
            Addr::None => None,
            Addr::Direct(v) => Some(v),
            Addr::Index(i) => {
                let size = u64::from(self.unit.enc.address_size);
                let at = self.addr_base?.checked_add(i.checked_mul(size)?)?;
                Reader::new(img.debug_addr, usize::try_from(at).ok()?).uint(size as usize)
            }
        }
    }

    /// A string value's bytes.
    fn string(&self, img: &Image, s: Str) -> Option<&'static [u8]> {
        let (section, off) = match s {
            Str::None => return None,
            Str::Bytes(b) => return Some(b),
            Str::At(section, off) => (section, off),
            Str::Index(i) => {
                let size = self.unit.enc.offset_size;
                let at = self
                    .str_offsets_base?
                    .checked_add(i.checked_mul(u64::from(size))?)?;
                let off =
                    Reader::new(img.debug_str_offsets, usize::try_from(at).ok()?).offset(size)?;
                (img.debug_str, off)
            }
        };
        cstr_at(section, usize::try_from(off).ok()?)
    }

    /// Calls `f(lo, hi)` for each range `[lo, hi)` of a DIE's code (its
    /// low and high pc, or its range list), until `f` says false.
    fn for_each_range(&self, img: &Image, d: &Die, f: &mut dyn FnMut(u64, u64) -> bool) {
        if let Some(lo) = self.address(img, d.low_pc) {
            let hi = match d.high_pc {
                HighPc::None => return,
                HighPc::Addr(a) => self.address(img, a),
                HighPc::Length(n) => lo.checked_add(n),
            };
            if let Some(hi) = hi {
                f(lo, hi);
            }
            return;
        }
        let _ = match d.ranges {
            Ranges::None => None,
            _ if self.unit.enc.version <= 4 => self.ranges_v4(img, d.ranges, f),
            _ => self.rnglists(img, d.ranges, f),
        };
    }

    /// A DWARF 4 range list of `.debug_ranges` (§2.17.3).
    fn ranges_v4(
        &self,
        img: &Image,
        at: Ranges,
        f: &mut dyn FnMut(u64, u64) -> bool,
    ) -> Option<()> {
        let Ranges::Offset(off) = at else {
            return None;
        };
        let size = usize::from(self.unit.enc.address_size);
        // The all-ones address of this size selects a new base.
        let selection = BASE_SELECTION >> (64 - 8 * size.clamp(1, 8));
        let mut r = Reader::new(img.debug_ranges, usize::try_from(off).ok()?);
        let mut base = self.base;
        loop {
            let (begin, end) = (r.uint(size)?, r.uint(size)?);
            if begin == 0 && end == 0 {
                return Some(());
            }
            if begin == selection {
                base = end;
            } else if !f(base.wrapping_add(begin), base.wrapping_add(end)) {
                return Some(());
            }
        }
    }

    /// A DWARF 5 range list of `.debug_rnglists` (§2.17.3, §7.25).
    fn rnglists(&self, img: &Image, at: Ranges, f: &mut dyn FnMut(u64, u64) -> bool) -> Option<()> {
        let off = match at {
            Ranges::None => return None,
            Ranges::Offset(off) => off,
            Ranges::Index(i) => {
                // The offsets table at rnglists_base: offsets from itself.
                let size = self.unit.enc.offset_size;
                let table = self.rnglists_base?;
                let at = table.checked_add(i.checked_mul(u64::from(size))?)?;
                let rel =
                    Reader::new(img.debug_rnglists, usize::try_from(at).ok()?).offset(size)?;
                table.checked_add(rel)?
            }
        };
        let size = usize::from(self.unit.enc.address_size);
        let mut r = Reader::new(img.debug_rnglists, usize::try_from(off).ok()?);
        let mut base = self.base;
        let addrx = |i: u64| self.address(img, Addr::Index(i));
        loop {
            let (lo, hi) = match r.u8()? {
                DW_RLE_end_of_list => return Some(()),
                DW_RLE_base_addressx => {
                    base = addrx(r.uleb()?)?;
                    continue;
                }
                DW_RLE_base_address => {
                    base = r.uint(size)?;
                    continue;
                }
                DW_RLE_startx_endx => (addrx(r.uleb()?)?, addrx(r.uleb()?)?),
                DW_RLE_startx_length => {
                    let lo = addrx(r.uleb()?)?;
                    (lo, lo.wrapping_add(r.uleb()?))
                }
                DW_RLE_offset_pair => {
                    let (a, b) = (r.uleb()?, r.uleb()?);
                    (base.wrapping_add(a), base.wrapping_add(b))
                }
                DW_RLE_start_end => (r.uint(size)?, r.uint(size)?),
                DW_RLE_start_length => {
                    let lo = r.uint(size)?;
                    (lo, lo.wrapping_add(r.uleb()?))
                }
                _ => return None,
            };
            if !f(lo, hi) {
                return Some(());
            }
        }
    }
}

/// Whether the code of `d` holds `pc`.
fn holds(img: &Image, cu: &Cu, d: &Die, pc: u64) -> bool {
    let mut found = false;
    cu.for_each_range(img, d, &mut |lo, hi| {
        found = is_code(lo) && lo <= pc && pc < hi;
        !found
    });
    found
}

/// A cursor over a unit's DIEs, in preorder, with their depths (the first
/// DIE's is 0).
struct Dies {
    r: Reader,
    depth: u32,
}

impl Dies {
    /// The next DIE and its depth; `None` at the unit's end or where the
    /// tree is malformed.
    fn next(&mut self, img: &Image, cu: &Cu) -> Option<(Die, u32)> {
        loop {
            let off = self.r.pos;
            let code = self.r.uleb()?;
            if code == 0 {
                // The end of a list of siblings.
                self.depth = self.depth.saturating_sub(1);
                continue;
            }
            let mut abbrev = cu.abbrev(img, code)?;
            let mut d = Die::EMPTY;
            d.off = off;
            d.tag = abbrev.tag;
            d.has_children = abbrev.has_children;
            while let Some(spec) = abbrev.next_spec()? {
                read_attr(img, &mut self.r, cu, spec, &mut d)?;
            }
            let depth = self.depth;
            if d.has_children {
                self.depth = self.depth.checked_add(1)?;
            }
            return Some((d, depth));
        }
    }
}

/// Reads the value of attribute `spec` into `d` (or skips it).
fn read_attr(img: &Image, r: &mut Reader, cu: &Cu, spec: AttrSpec, d: &mut Die) -> Option<()> {
    let enc = cu.unit.enc;
    let form = spec.form;
    // Strings are read only as offsets: most are never wanted.
    let s = match form {
        DW_FORM_strp => Str::At(img.debug_str, r.offset(enc.offset_size)?),
        DW_FORM_line_strp => Str::At(img.debug_line_str, r.offset(enc.offset_size)?),
        _ => Str::None,
    };
    let value = match s {
        Str::None => read_form(img, r, form, enc, spec.implicit, 0)?,
        _ => Value::Other,
    };
    let num = match value {
        Value::Num(n) => Some(n),
        _ => None,
    };
    let string = match (s, value) {
        (Str::None, Value::Str(b)) => Str::Bytes(b),
        (Str::None, Value::Num(i)) if is_strx(form) => Str::Index(i),
        _ => s,
    };
    let addr = match num {
        Some(v) if form == DW_FORM_addr => Addr::Direct(v),
        Some(i) if is_addrx(form) => Addr::Index(i),
        _ => Addr::None,
    };
    match spec.name {
        DW_AT_low_pc => d.low_pc = addr,
        DW_AT_high_pc => {
            d.high_pc = match (addr, num) {
                (Addr::None, Some(n)) => HighPc::Length(n),
                (Addr::None, None) => HighPc::None,
                (a, _) => HighPc::Addr(a),
            }
        }
        DW_AT_ranges => {
            d.ranges = match num {
                Some(i) if form == DW_FORM_rnglistx => Ranges::Index(i),
                Some(off) => Ranges::Offset(off),
                None => Ranges::None,
            }
        }
        DW_AT_call_file => d.call_file = num.unwrap_or(0),
        DW_AT_call_line => d.call_line = num.unwrap_or(0),
        DW_AT_call_column => d.call_column = num.unwrap_or(0),
        DW_AT_abstract_origin | DW_AT_specification => {
            d.origin = num.and_then(|v| reference(&cu.unit, form, v));
        }
        DW_AT_linkage_name | DW_AT_MIPS_linkage_name => d.linkage_name = string,
        DW_AT_name => d.name = string,
        DW_AT_stmt_list => d.stmt_list = num,
        DW_AT_comp_dir => d.comp_dir = string,
        DW_AT_str_offsets_base => d.str_offsets_base = num,
        DW_AT_addr_base => d.addr_base = num,
        DW_AT_rnglists_base => d.rnglists_base = num,
        _ => {}
    }
    Some(())
}

fn is_strx(form: u64) -> bool {
    matches!(
        form,
        DW_FORM_strx
            | DW_FORM_strx1
            | DW_FORM_strx2
            | DW_FORM_strx3
            | DW_FORM_strx4
            | DW_FORM_GNU_str_index
    )
}

fn is_addrx(form: u64) -> bool {
    matches!(
        form,
        DW_FORM_addrx
            | DW_FORM_addrx1
            | DW_FORM_addrx2
            | DW_FORM_addrx3
            | DW_FORM_addrx4
            | DW_FORM_GNU_addr_index
    )
}

/// The `.debug_info` offset a reference of `form` names: from the unit's
/// start, or (`DW_FORM_ref_addr`) from the section's; `None` for the
/// references into other files (type signatures, supplementary files).
fn reference(unit: &Unit, form: u64, v: u64) -> Option<usize> {
    let v = usize::try_from(v).ok()?;
    match form {
        DW_FORM_ref1 | DW_FORM_ref2 | DW_FORM_ref4 | DW_FORM_ref8 | DW_FORM_ref_udata => {
            unit.off.checked_add(v)
        }
        DW_FORM_ref_addr => Some(v),
        _ => None,
    }
}

/// The name of `d` (module note): the linkage name on it or on the DIEs
/// its origin links lead to, else the first `DW_AT_name` on the way.
fn name_of(img: &Image, tables: &Tables, cu: &Cu, d: &Die) -> &'static [u8] {
    let mut fallback = None;
    let mut die = *d;
    let mut other: Option<Cu> = None;
    for _ in 0..=MAX_ORIGIN_HOPS {
        let here = other.as_ref().unwrap_or(cu);
        if let Some(name) = here.string(img, die.linkage_name) {
            return name;
        }
        fallback = fallback.or_else(|| here.string(img, die.name));
        let Some(next) = die.origin else {
            break;
        };
        if !here.holds(next) {
            let Some(there) = Cu::containing(img, tables, next) else {
                break;
            };
            other = Some(there);
        }
        let here = other.as_ref().unwrap_or(cu);
        let Some((next_die, _)) = here.dies(img, next).and_then(|mut ds| ds.next(img, here)) else {
            break;
        };
        die = next_die;
    }
    fallback.unwrap_or(b"")
}

/// One code range of a subprogram: `[lo, lo + len)`, and its DIE's
/// offset in `.debug_info`; 16 bytes.
#[derive(Clone, Copy)]
struct Range {
    lo: u64,
    len: u32,
    die: u32,
}

impl Range {
    const NONE: Range = Range {
        lo: 0,
        len: 0,
        die: 0,
    };
}

/// One unit of the table: its offset, and where its abbreviations'
/// declarations start in the table's list of them, and how many
/// (codes `1..=count`).
#[derive(Clone, Copy)]
struct UnitEntry {
    off: u32,
    abbrevs: u32,
    count: u32,
}

/// The sorted table's parts, as a lookup reads them (all empty when
/// there is no table).
#[derive(Clone, Copy)]
struct Tables<'a> {
    ranges: &'a [Range],
    /// The calls and blocks right inside the subprograms.
    calls: &'a [Range],
    units: &'a [UnitEntry],
    abbrevs: &'a [u32],
}

impl Tables<'_> {
    const NONE: Tables<'static> = Tables {
        ranges: &[],
        calls: &[],
        units: &[],
        abbrevs: &[],
    };
}

/// The sorted table of one image's subprograms.
pub(crate) struct Index {
    once: BuildOnce,
    /// The address and length of the `.debug_info` it was built from.
    key: RacyCell<(usize, usize)>,
    /// How many subprogram ranges, call ranges, units and abbreviations
    /// it has.
    lens: RacyCell<(usize, usize, usize, usize)>,
    ranges: RacyCell<[Range; INDEX_CAPACITY]>,
    calls: RacyCell<[Range; CALL_CAPACITY]>,
    units: RacyCell<[UnitEntry; UNIT_CAPACITY]>,
    abbrevs: RacyCell<[u32; ABBREV_CAPACITY]>,
}

/// What names an image's tree: where `.debug_info` is and how long.
fn info_key(img: &Image) -> (usize, usize) {
    (img.debug_info.as_ptr() as usize, img.debug_info.len())
}

impl Index {
    pub(crate) const fn new() -> Index {
        Index {
            once: BuildOnce::new(),
            key: RacyCell::new((0, 0)),
            lens: RacyCell::new((0, 0, 0, 0)),
            ranges: RacyCell::new([Range::NONE; INDEX_CAPACITY]),
            calls: RacyCell::new([Range::NONE; CALL_CAPACITY]),
            units: RacyCell::new(
                [UnitEntry {
                    off: 0,
                    abbrevs: 0,
                    count: 0,
                }; UNIT_CAPACITY],
            ),
            abbrevs: RacyCell::new([0; ABBREV_CAPACITY]),
        }
    }

    /// A table that failed to build: every lookup reads the whole tree.
    #[cfg(test)]
    fn failed() -> &'static Index {
        static FAILED: Index = Index::new();
        if FAILED.once.begin() == Begin::Build {
            FAILED.once.finish(false);
        }
        &FAILED
    }

    /// The table for `img`: built by the first call, `None` while it is
    /// being built, if it overflowed, or if it was built for another image.
    fn get(&self, img: &Image) -> Option<Tables<'_>> {
        if !self.once.is_ready() {
            match self.once.begin() {
                Begin::Build => self.build(img),
                Begin::Ready => {}
                Begin::Busy | Begin::Failed => return None,
            }
        }
        // SAFETY: the table is ready (the acquire of `finish(true)`): its
        // key, lengths and entries are written and never written again.
        let (key, (nr, nc, nu, na)) = unsafe { (*self.key.get(), *self.lens.get()) };
        if key != info_key(img) {
            return None;
        }
        // SAFETY: as above; the lengths are within the capacities (`build`).
        unsafe {
            Some(Tables {
                ranges: (*self.ranges.get()).get(..nr)?,
                calls: (*self.calls.get()).get(..nc)?,
                units: (*self.units.get()).get(..nu)?,
                abbrevs: (*self.abbrevs.get()).get(..na)?,
            })
        }
    }

    /// Reads every unit once to fill the table, sorts it and publishes
    /// it; called once, by the caller `begin` told to build.
    fn build(&self, img: &Image) {
        // SAFETY: `Build` makes this the only thread touching the table
        // until `finish`, and no reader reads it before `finish(true)`.
        let (key, lens, ranges, calls, units, abbrevs) = unsafe {
            (
                &mut *self.key.get(),
                &mut *self.lens.get(),
                &mut *self.ranges.get(),
                &mut *self.calls.get(),
                &mut *self.units.get(),
                &mut *self.abbrevs.get(),
            )
        };
        // The table keeps offsets as u32.
        let mut fits =
            img.debug_info.len() < u32::MAX as usize && img.debug_abbrev.len() < u32::MAX as usize;
        let (mut nr, mut nc, mut nu, mut na) = (0, 0, 0, 0);
        let mut off = 0;
        while fits && off < img.debug_info.len() {
            let Some(unit) = unit_at(img, off) else {
                break;
            };
            let Some(entry) = units.get_mut(nu) else {
                fits = false;
                break;
            };
            // Its abbreviations, while their codes go 1, 2, 3, ...
            let first = na;
            let _ = dwarf::for_each_abbrev(img, unit.abbrev_off, &mut |code, decl| {
                let Some(slot) = abbrevs.get_mut(na) else {
                    return false;
                };
                if code != (na - first) as u64 + 1 {
                    return false;
                }
                *slot = decl as u32;
                na += 1;
                true
            });
            *entry = UnitEntry {
                off: off as u32,
                abbrevs: first as u32,
                count: (na - first) as u32,
            };
            nu += 1;
            let table = abbrevs.get(first..na).unwrap_or(&[]);
            if let Some(cu) = Cu::at(img, unit, table) {
                fits = index_unit(img, &cu, (ranges, &mut nr), (calls, &mut nc));
            }
            off = unit.end;
        }
        // Calls that did not fit: lookups walk each subprogram from its start.
        if nc == usize::MAX {
            nc = 0;
        }
        if fits
            && let Some(table) = ranges.get_mut(..nr)
            && let Some(call_table) = calls.get_mut(..nc)
        {
            sort_by_key(table, |r| (r.lo, r.len));
            sort_by_key(call_table, |r| (r.lo, r.len));
            *key = info_key(img);
            *lens = (nr, nc, nu, na);
        } else {
            fits = false;
        }
        self.once.finish(fits);
    }
}

/// Adds the code ranges of every subprogram of `cu` to `subs`, and those
/// of the calls and blocks right inside them (their children) to `calls`,
/// each from the count given on; false if the subprograms do not fit (the
/// calls that do not fit set `calls.1` to `usize::MAX`: none are used).
fn index_unit(
    img: &Image,
    cu: &Cu,
    subs: (&mut [Range], &mut usize),
    calls: (&mut [Range], &mut usize),
) -> bool {
    let Some(mut dies) = cu.dies(img, cu.unit.first_die) else {
        return true;
    };
    // The depth of the subprogram whose children are being read.
    let mut sub_depth = None;
    while let Some((d, depth)) = dies.next(img, cu) {
        if sub_depth.is_some_and(|s| depth <= s) {
            sub_depth = None;
        }
        if d.tag == DW_TAG_subprogram {
            sub_depth = Some(depth);
            if !add_ranges(img, cu, &d, subs.0, subs.1) {
                return false;
            }
        } else if sub_depth.is_some_and(|s| depth == s + 1)
            && matches!(d.tag, DW_TAG_inlined_subroutine | DW_TAG_lexical_block)
            && *calls.1 != usize::MAX
            && !add_ranges(img, cu, &d, calls.0, calls.1)
        {
            *calls.1 = usize::MAX;
        }
    }
    true
}

/// Adds the code ranges of `d` to `table` from `*n` on; false if they do
/// not fit.
fn add_ranges(img: &Image, cu: &Cu, d: &Die, table: &mut [Range], n: &mut usize) -> bool {
    let mut fits = true;
    cu.for_each_range(img, d, &mut |lo, hi| {
        // A range of 4 GiB or more: a malformed tree.
        let Some(len) = hi.checked_sub(lo).and_then(|l| u32::try_from(l).ok()) else {
            return true;
        };
        if !is_code(lo) || len == 0 {
            return true;
        }
        let Some(slot) = table.get_mut(*n) else {
            fits = false;
            return false;
        };
        *slot = Range {
            lo,
            len,
            die: d.off as u32,
        };
        *n += 1;
        true
    });
    fits
}

/// The table of the running executable's subprograms.
static PROCESS_INDEX: Index = Index::new();

/// The DIE offset of the entry of `ranges` holding `pc`.
fn holding_sorted(ranges: &[Range], pc: u64) -> Option<usize> {
    let end = ranges.partition_point(|r| r.lo <= pc);
    let r = ranges
        .get(..end)?
        .iter()
        .rev()
        .take(OVERLAP_SCAN)
        .find(|r| pc - r.lo < u64::from(r.len))?;
    Some(r.die as usize)
}

/// The DIE offset of the subprogram holding `pc`, by reading every unit.
fn subprogram_linear(img: &Image, pc: u64) -> Option<usize> {
    let mut off = 0;
    while off < img.debug_info.len() {
        let unit = unit_at(img, off)?;
        off = unit.end;
        let Some(cu) = Cu::at(img, unit, &[]) else {
            continue;
        };
        let Some(mut dies) = cu.dies(img, unit.first_die) else {
            continue;
        };
        while let Some((d, _)) = dies.next(img, &cu) {
            if d.tag == DW_TAG_subprogram && holds(img, &cu, &d, pc) {
                return Some(d.off);
            }
        }
    }
    None
}

/// The lowest address of the code of a call inlined at `want`:`line`:`column`
/// (a `#[track_caller]` location: `want` matches a call file whose path
/// equals it or ends with `/` and it), if some subprogram inlined that
/// call; reads every unit.
pub(crate) fn find_call(img: &Image, want: &[u8], line: u32, column: u32) -> Option<u64> {
    let base = want.rsplit(|&c| c == b'/').next().unwrap_or(want);
    let mut best: Option<u64> = None;
    let mut off = 0;
    while off < img.debug_info.len() {
        let Some(unit) = unit_at(img, off) else {
            break;
        };
        off = unit.end;
        let Some(cu) = Cu::at(img, unit, &[]) else {
            continue;
        };
        let Some(mut dies) = cu.dies(img, unit.first_die) else {
            continue;
        };
        // Whether the last call file looked at is `want`.
        let mut matched: Option<(u64, bool)> = None;
        while let Some((d, _)) = dies.next(img, &cu) {
            if d.tag != DW_TAG_inlined_subroutine
                || d.call_line != u64::from(line)
                || d.call_column != u64::from(column)
            {
                continue;
            }
            let is_want = match matched {
                Some((file, m)) if file == d.call_file => m,
                _ => {
                    let pos = cu.stmt_list.and_then(|s| {
                        lines::position(img, s, cu.comp_dir, d.call_file, line, column)
                    });
                    let m = pos.is_some_and(|p| p.file.ends_with(base) && p.path_is(want));
                    matched = Some((d.call_file, m));
                    m
                }
            };
            if is_want {
                cu.for_each_range(img, &d, &mut |lo, hi| {
                    if is_code(lo) && lo < hi {
                        best = Some(best.map_or(lo, |b| b.min(lo)));
                    }
                    true
                });
            }
        }
    }
    best
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::symbols::tests::{demangled, own_image};
    use super::super::symbols::{self, Symbol};
    use super::*;
    use std::panic::Location;
    use std::path::{Path, PathBuf};
    use std::process::Command;
    use std::string::{String, ToString};
    use std::vec::Vec;

    /// A new sorted table on the heap (`Box::new` would build it on the
    /// stack first).
    fn fresh_index() -> &'static Index {
        let layout = std::alloc::Layout::new::<Index>();
        // SAFETY: the layout is Index's, nonzero in size; all-zero bytes
        // are exactly `Index::new()` (state untried, key, lengths and
        // entries zero); the memory is leaked, so 'static.
        unsafe {
            let p = std::alloc::alloc_zeroed(layout) as *const Index;
            assert!(!p.is_null());
            &*p
        }
    }

    fn path(line: &Line) -> String {
        let mut s = String::new();
        line.write_path(&mut s).unwrap();
        s
    }

    /// One frame as the oracle prints it: (name, `file:line`).
    type Frame = (String, String);

    /// The line tables of the images the tests read (the process's table
    /// is built for the first image it is given).
    fn line_index(img: &Image) -> &'static lines::Index {
        use std::collections::HashMap;
        use std::sync::Mutex;
        static TABLES: Mutex<Option<HashMap<usize, usize>>> = Mutex::new(None);
        let mut tables = TABLES.lock().unwrap();
        let key = img.debug_line.as_ptr() as usize;
        let p = *tables
            .get_or_insert_with(HashMap::new)
            .entry(key)
            .or_insert_with(|| {
                let layout = std::alloc::Layout::new::<lines::Index>();
                // SAFETY: as in fresh_index: all-zero bytes are
                // `lines::Index::new()`; leaked, so 'static.
                unsafe { std::alloc::alloc_zeroed(layout) as usize }
            });
        assert!(p != 0);
        // SAFETY: allocated above, zeroed, never freed.
        unsafe { &*(p as *const lines::Index) }
    }

    /// The frames at `pc`, with the line tables of [`line_index`].
    fn chain_frames(index: &Index, img: &Image, pc: u64) -> (InlineChain, Vec<ChainFrame>) {
        let chain = InlineChain::at_in(index, img, pc);
        let first = lines::lookup_in(line_index(img), img, pc);
        let frames = chain.frames_from(img, first).collect();
        (chain, frames)
    }

    /// `TOOL -a -f -i -e EXE ADDR...` (GNU `addr2line` or
    /// `llvm-addr2line`; no `-C`: both sides demangle with
    /// `symbols::write_name`): each address's frames, innermost first.
    pub(crate) fn oracle(tool: &str, exe: &Path, addrs: &[u64]) -> Vec<Vec<Frame>> {
        let mut out = Vec::new();
        for chunk in addrs.chunks(2000) {
            let mut cmd = Command::new(tool);
            cmd.args(["-a", "-f", "-i", "-e"]).arg(exe);
            for a in chunk {
                cmd.arg(format!("{a:#x}"));
            }
            let res = cmd.output().unwrap_or_else(|e| panic!("{tool} runs: {e}"));
            assert!(res.status.success());
            let text = String::from_utf8(res.stdout).unwrap();
            let mut lines = text.lines().peekable();
            for _ in chunk {
                let addr = lines.next().expect("an address line");
                assert!(addr.starts_with("0x"), "{addr}");
                let mut frames = Vec::new();
                while let Some(l) = lines.peek() {
                    if l.starts_with("0x") {
                        break;
                    }
                    let name = lines.next().unwrap();
                    let at = lines.next().expect("a file:line line");
                    frames.push((normal_name(name.as_bytes()), normal_line(at)));
                }
                out.push(frames);
            }
        }
        out
    }

    /// A name as the printer writes it (`??` for none).
    fn normal_name(name: &[u8]) -> String {
        match name {
            b"" | b"??" => "??".to_string(),
            n => demangled(n),
        }
    }

    /// The oracle's `FILE:LINE` as [`ours`] writes it: line 0 (code the
    /// compiler gives no line) is printed `?`, a PC no row covers `??:0`
    /// or with the unit's name (no `/`); discriminators are dropped.
    fn normal_line(s: &str) -> String {
        let s = s.split(" (discriminator").next().unwrap();
        let (file, line) = s.rsplit_once(':').unwrap_or((s, "0"));
        match line {
            _ if !file.contains('/') => "??:0".to_string(),
            "?" => format!("{file}:0"),
            _ => s.to_string(),
        }
    }

    /// Our frames at `pc`, as [`oracle`] gives them (the physical frame
    /// named by the symbol table, as the printer names it), each with
    /// whether its name is a linkage name.
    fn ours(index: &Index, img: &Image, pc: u64) -> Vec<(Frame, bool)> {
        let (chain, frames) = chain_frames(index, img, pc);
        let sym = symbols::lookup(img, pc).map(|s| s.name);
        frames
            .into_iter()
            .map(|f| {
                let name = match f.inlined {
                    false => sym.or(chain.function()).unwrap_or(b""),
                    true => f.name,
                };
                let line = match f.line {
                    Some(l) => format!("{}:{}", path(&l), l.line),
                    None => "??:0".to_string(),
                };
                let linkage = name.starts_with(b"_ZN") || name.starts_with(b"_R");
                ((normal_name(name), line), linkage || !f.inlined)
            })
            .collect()
    }

    /// The sized functions of `img` that `keep`, every `step`th.
    fn functions(img: &Image, step: usize, keep: impl Fn(&str) -> bool) -> Vec<Symbol> {
        (0..img.symtab.len() / super::super::elf::SYM_SIZE)
            .filter_map(|i| symbols::lookup_in_symtab_for_tests(img, i))
            .filter(|s| s.size > 0 && keep(&demangled(s.name)))
            .step_by(step)
            .collect()
    }

    /// `k` addresses spread over each of `funcs`, the first and last byte
    /// included.
    fn spread(funcs: &[Symbol], k: u64) -> Vec<u64> {
        let mut pcs: Vec<u64> = funcs
            .iter()
            .flat_map(|s| (0..k).map(move |i| s.start + (s.size - 1) * i / (k - 1).max(1)))
            .collect();
        pcs.dedup();
        pcs
    }

    /// Compares our frames with the oracle's at `pcs`, and returns (and
    /// prints the first of) those that differ. GNU addr2line names an
    /// inlined frame that has no linkage name (a `#[no_mangle]` function,
    /// or any with `line-tables-only`) by the subprogram's name instead,
    /// so with it those names are not compared; llvm-addr2line is
    /// compared whole.
    fn compare(
        tool: &str,
        exe: &Path,
        img: &Image,
        index: &Index,
        pcs: &[u64],
    ) -> Vec<(u64, Vec<Frame>, Vec<Frame>)> {
        let theirs = oracle(tool, exe, pcs);
        let mut differ = Vec::new();
        let (mut inlined, mut deepest) = (0, 0);
        for (pc, want) in pcs.iter().zip(theirs) {
            let got = ours(index, img, *pc);
            inlined += usize::from(got.len() > 1);
            deepest = deepest.max(got.len());
            let same = got.len() == want.len()
                && got.iter().zip(&want).all(|((g, linkage), w)| {
                    g.1 == w.1 && (g.0 == w.0 || tool == "addr2line" && !linkage)
                });
            if !same {
                differ.push((*pc, got.into_iter().map(|g| g.0).collect(), want));
            }
        }
        eprintln!(
            "{}: {tool}: {} addresses ({inlined} with inlined calls, at most {deepest} frames), {} differ",
            exe.display(),
            pcs.len(),
            differ.len()
        );
        for (pc, got, want) in differ.iter().take(6) {
            eprintln!("  {pc:#x}\n    ours:   {got:?}\n    theirs: {want:?}");
        }
        differ
    }

    #[test]
    fn own_chains_match_addr2line() {
        // Every 11th function of this test binary, std's included, at 8
        // places: the frames as GNU addr2line -i gives them.
        static INDEX: Index = Index::new();
        let img = own_image();
        let exe = std::env::current_exe().unwrap();
        let pcs = spread(&functions(img, 11, |_| true), 8);
        let differ = compare("addr2line", &exe, img, &INDEX, &pcs);
        assert!(INDEX.once.is_ready(), "the sorted table was used");
        assert!(differ.is_empty());
    }

    #[test]
    fn sorted_table_and_full_scan_agree() {
        static INDEX: Index = Index::new();
        let img = own_image();
        let pcs = spread(&functions(img, 97, |_| true), 5);
        for pc in pcs.iter().copied().chain([0, 1, u64::MAX]) {
            let indexed = InlineChain::at_in(&INDEX, img, pc);
            let linear = InlineChain::at_in(Index::failed(), img, pc);
            assert_eq!(indexed.inlined(), linear.inlined(), "{pc:#x}");
            assert_eq!(indexed.function(), linear.function(), "{pc:#x}");
        }
    }

    #[inline(always)]
    #[track_caller]
    fn inlined_site(x: u64) -> (u64, &'static Location<'static>) {
        (std::hint::black_box(x).wrapping_mul(5), Location::caller())
    }

    #[inline(always)]
    fn inlined_middle(x: u64) -> u64 {
        std::hint::black_box(x) ^ 3
    }

    /// A function with a call inlined at a known location.
    #[inline(never)]
    fn calls_inlined(x: u64) -> (u64, &'static Location<'static>) {
        let (y, loc) = inlined_site(std::hint::black_box(x) + 1);
        (inlined_middle(y), loc)
    }

    #[test]
    fn finds_the_inlined_call() {
        let (_, loc) = calls_inlined(1);
        let img = own_image();
        let pc = find_call(img, loc.file().as_bytes(), loc.line(), loc.column())
            .expect("the call was inlined");
        let func = symbols::lookup(img, pc).expect("a function");
        assert_eq!(
            demangled(func.name),
            "rt0::debug::inlines::tests::calls_inlined"
        );
        // At that pc the chain has the call, made from calls_inlined at loc.
        let chain = InlineChain::at(img, pc);
        let k = chain
            .inlined()
            .iter()
            .position(|c| demangled(c.name) == "rt0::debug::inlines::tests::inlined_site")
            .expect("inlined_site is in the chain");
        let site = chain.call_site(img, k).unwrap();
        assert_eq!((site.line, site.column), (loc.line(), loc.column()));
        assert!(site.path_is(loc.file().as_bytes()), "{}", path(&site));
        let frames: Vec<ChainFrame> = chain.frames(img).collect();
        assert_eq!(
            demangled(frames[k + 1].name),
            "rt0::debug::inlines::tests::calls_inlined"
        );
        // lines::find_row answers the same (the exact call, not a row).
        assert_eq!(
            lines::find_row(img, loc.file(), loc.line(), loc.column()),
            Some(pc)
        );
        assert_eq!(
            find_call(img, loc.file().as_bytes(), loc.line(), 9999),
            None
        );
        assert_eq!(find_call(img, b"nline.rs", loc.line(), loc.column()), None);
    }

    /// A small program with calls inlined two deep and a closure.
    const PROBE: &str = "\
#[inline(always)] fn leaf(x: u64) -> u64 { std::hint::black_box(x).wrapping_mul(3) }
#[inline(always)] fn mid(x: u64) -> u64 {
    leaf(x + 1) ^ 7
}
#[inline(never)] fn outer(x: u64) -> u64 {
    let f = |y: u64| mid(y) + 1;
    f(x) + mid(x * 2)
}
fn main() { println!(\"{}\", outer(std::hint::black_box(2))); }
";

    #[test]
    fn dwarf_4_and_5_and_every_debuginfo_level() {
        // The probe built by rustc with each DWARF version and each level
        // of debug info: its own functions' frames as llvm-addr2line gives
        // them (GNU addr2line names the frames of a tree without linkage
        // names one frame off), and as GNU addr2line gives them where they
        // have linkage names; std's frames (DWARF 4) too.
        let dir = std::env::temp_dir().join(format!("rt0-inlines-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let src = dir.join("probe.rs");
        std::fs::write(&src, PROBE).unwrap();
        let llvm = Command::new("llvm-addr2line")
            .arg("--version")
            .output()
            .is_ok();
        for version in [4, 5] {
            for level in ["line-tables-only", "limited", "full"] {
                let exe = dir.join(format!("probe{version}-{level}"));
                let status = Command::new("rustc")
                    .args(["-O", "-C", &format!("debuginfo={level}")])
                    .args(["-C", &format!("dwarf-version={version}")])
                    .arg("-o")
                    .arg(&exe)
                    .arg(&src)
                    .status()
                    .expect("rustc runs");
                assert!(status.success(), "rustc {version} {level}");
                let bytes: &'static [u8] = Vec::leak(std::fs::read(&exe).unwrap());
                let img: &'static Image = Box::leak(Box::new(Image::parse(bytes).unwrap()));
                let index = fresh_index();
                let own = spread(&functions(img, 1, |n| n.starts_with("probe::")), 64);
                let std = spread(&functions(img, 29, |n| n.starts_with("std::")), 8);
                let pcs = [own.as_slice(), std.as_slice()].concat();
                if llvm {
                    let differ = compare("llvm-addr2line", &exe, img, index, &pcs);
                    assert!(differ.is_empty(), "{version} {level}");
                }
                // GNU addr2line 2.40 misreads DWARF 5 line tables of
                // several units (std's files come out as the probe's), and
                // names the frames of a tree without linkage names one off.
                if version == 4 && level != "line-tables-only" {
                    let differ = compare("addr2line", &exe, img, index, &pcs);
                    assert!(differ.is_empty(), "{version} {level}");
                }
                // The closure is inlined into outer, under its own name.
                let outer = functions(img, 1, |n| n == "probe::outer")[0];
                let names: Vec<String> = (outer.start..outer.start + outer.size)
                    .flat_map(|pc| InlineChain::at_in(index, img, pc).inlined().to_vec())
                    .map(|c| demangled(c.name))
                    .collect();
                let want = if level == "line-tables-only" {
                    ["{closure#0}", "mid", "leaf"]
                } else {
                    ["probe::outer::{{closure}}", "probe::mid", "probe::leaf"]
                };
                for w in want {
                    assert!(
                        names.iter().any(|n| n == w),
                        "{version} {level}: {w} in {names:?}"
                    );
                }
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn malformed_trees() {
        // Every section the tree is read from cut anywhere, or garbage:
        // lookups give some chain or none, never a panic or a hang.
        let img = own_image();
        let mut x: u32 = 11;
        let junk: &'static [u8] = Vec::leak(
            (0..8192)
                .map(|_| {
                    x = x.wrapping_mul(1103515245).wrapping_add(12345);
                    (x >> 16) as u8
                })
                .collect(),
        );
        let (_, loc) = calls_inlined(3);
        let pc = find_call(img, loc.file().as_bytes(), loc.line(), loc.column()).unwrap();
        let first_unit = unit_at(img, 0).unwrap().end;
        let cuts = [0, 1, 3, 4, 11, 12, 40, 100, 500, 4000, first_unit];
        for cut in cuts {
            let c = |s: &'static [u8]| &s[..cut.min(s.len())];
            let variants = [
                Image {
                    debug_info: c(img.debug_info),
                    ..*img
                },
                Image {
                    debug_abbrev: c(img.debug_abbrev),
                    ..*img
                },
                Image {
                    debug_ranges: c(img.debug_ranges),
                    debug_rnglists: c(img.debug_rnglists),
                    debug_addr: c(img.debug_addr),
                    debug_str_offsets: c(img.debug_str_offsets),
                    ..*img
                },
                Image {
                    debug_info: c(junk),
                    ..*img
                },
                Image {
                    debug_abbrev: c(junk),
                    ..*img
                },
                Image {
                    debug_ranges: c(junk),
                    debug_str: c(junk),
                    ..*img
                },
            ];
            for v in &variants {
                for pc in [0, 1, pc, 0x401000, u64::MAX] {
                    let chain = InlineChain::at_in(Index::failed(), v, pc);
                    let _ = chain.frames(v).count();
                }
                let index = fresh_index();
                let _ = InlineChain::at_in(index, v, pc).frames(v).count();
                let _ = find_call(v, loc.file().as_bytes(), loc.line(), loc.column());
            }
        }
        // Garbage at every start of a unit's DIEs, with the real abbrevs.
        for start in 0..64 {
            let v = Image {
                debug_info: &junk[start..],
                ..*img
            };
            let _ = InlineChain::at_in(Index::failed(), &v, pc);
        }
        assert!(InlineChain::at(&Image::EMPTY, pc).inlined().is_empty());
    }

    #[test]
    fn lookups_are_fast() {
        // The report of 1,000 goroutines x 10 frames: 10,000 chains, in
        // this test binary and in a freestanding program.
        let mut images = vec![(std::env::current_exe().unwrap(), own_image(), fresh_index())];
        if let Some((exe, img)) = freestanding() {
            images.push((exe, img, fresh_index()));
        }
        for (exe, img, index) in images {
            let t = std::time::Instant::now();
            let _ = InlineChain::at_in(index, img, 0);
            let built = t.elapsed();
            // SAFETY: built above; read only.
            let (nr, nc, nu, na) = unsafe { *index.lens.get() };
            let funcs = functions(img, 1, |_| true);
            let _ = lines::lookup_in(line_index(img), img, 0);
            let pcs: Vec<u64> = (0..10_000)
                .map(|k| funcs[k * 7919 % funcs.len()])
                .map(|s| s.start + s.size / 2)
                .collect();
            let t = std::time::Instant::now();
            let calls: usize = pcs
                .iter()
                .map(|&pc| InlineChain::at_in(index, img, pc).inlined().len())
                .sum();
            let chains = t.elapsed();
            let t = std::time::Instant::now();
            let mut frames = 0;
            for &pc in &pcs {
                let (_, f) = chain_frames(index, img, pc);
                frames += f.iter().filter(|f| f.line.is_some()).count();
            }
            let looked = t.elapsed();
            let t = std::time::Instant::now();
            for k in 0..20 {
                let s = funcs[k * 7919 % funcs.len()];
                let _ = InlineChain::at_in(Index::failed(), img, s.start + s.size / 2);
            }
            let linear = t.elapsed();
            eprintln!(
                "{}: {} bytes of .debug_info, {nu} units, {na} abbreviations, {nr} subprogram ranges, {nc} call ranges: \
                 table built in {built:?}; 10,000 chains ({calls} calls) in {chains:?}, \
                 with their {frames} lines in {looked:?}; 20 without the table in {linear:?}",
                exe.display(),
                img.debug_info.len(),
            );
            assert!(frames >= 10_000);
        }
    }

    /// A freestanding rt0 program (`RT0_INLINES_EXE`, else the release
    /// build of examples/panic), if it has been built.
    fn freestanding() -> Option<(PathBuf, &'static Image)> {
        let exe = std::env::var_os("RT0_INLINES_EXE")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/examples/panic")
            });
        let Ok(bytes) = std::fs::read(&exe) else {
            eprintln!(
                "skipped: {} is not built (cargo build --release --example panic)",
                exe.display()
            );
            return None;
        };
        let img = Image::parse(Vec::leak(bytes)).expect("an rt0 program is ELF-64 x86_64");
        Some((exe, Box::leak(Box::new(img))))
    }

    #[test]
    fn freestanding_program_matches_addr2line() {
        // Every function of the program at 8 places, and its go call: the
        // closure a goroutine runs is inlined into the vtable shim.
        let Some((exe, img)) = freestanding() else {
            return;
        };
        let index = fresh_index();
        let pcs = spread(&functions(img, 1, |_| true), 8);
        for tool in ["addr2line", "llvm-addr2line"] {
            let differ = compare(tool, &exe, img, index, &pcs);
            assert!(differ.is_empty(), "{tool}");
        }
        let src = "tests/programs/panic.rs";
        let Some(pc) = find_call(img, src.as_bytes(), 13, 9) else {
            eprintln!("skipped: {} has no go call at {src}:13:9", exe.display());
            return;
        };
        let chain = InlineChain::at_in(index, img, pc);
        let frames: Vec<(String, u32)> = chain
            .frames(img)
            .map(|f| (demangled(f.name), f.line.map_or(0, |l| l.line)))
            .collect();
        eprintln!("at the go call {pc:#x}: {frames:?}");
        assert!(frames.iter().any(|f| f == &("panic::main".to_string(), 13)));
    }
}
