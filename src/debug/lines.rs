//! A PC's file and line, from the executable's DWARF line tables: Go's
//! `funcline` (symtab.go), which reads the `pclntab`'s pc-to-line tables;
//! rt0 reads `.debug_line` (DWARF 4 §6.2 and DWARF 5 §6.2, versions 2 to
//! 5), which rustc emits from `debug = "line-tables-only"` up (version 4
//! with rustc 1.95 on x86_64 Linux).
//!
//! A line program is a byte code that, run on the state machine of §6.2.2,
//! appends rows (address, file, line, column) to a matrix; it is cut into
//! *sequences*, runs of rows of increasing address ending with
//! `DW_LNE_end_sequence`, after which the machine starts afresh. So a
//! sequence can be run alone from its first opcode. The row for a PC is
//! the last row with address <= PC in the sequence whose
//! `[first address, end address)` holds it. A file is named by its entry
//! in the program's header: a name, relative to one of the header's
//! directories, relative to the compilation directory (in DWARF 5 that is
//! directory 0; before, the `DW_AT_comp_dir` of the compile unit in
//! `.debug_info` whose `DW_AT_stmt_list` names the program: so the first
//! DIE of each unit is read, with `.debug_abbrev`, §7.5, through
//! [`dwarf`](super::dwarf)).
//!
//! [`lookup`] builds, on first use, a table of every sequence (first
//! address, end address, where its unit and its first opcode are, which
//! compile unit names it) sorted by first address, in `.bss`
//! ([`INDEX_CAPACITY`] entries, touched only if used), so a lookup runs
//! one sequence; a table with more sequences than fit, or a lookup while
//! another thread (or the code a signal handler interrupted) is building
//! it, runs every program until one holds the PC instead. Sequences at
//! address 0 (or the `-1`/`-2` tombstones) are functions the linker
//! dropped and are ignored. [`find_row`] goes the other way, from a
//! `#[track_caller]` location to an address: the call inlined there
//! ([`inlines::find_call`]), else a row of the location, running every
//! program (its answers are kept in a small cache, [`ROW_CACHE_SLOTS`]).
//!
//! Invariants: no heap, no lock (the table's set-up is a [`BuildOnce`],
//! the cache's slots are claimed with one compare-and-swap each and never
//! rewritten), no panic on any input (every read is checked; a malformed
//! program stops where it breaks), every loop bounded by the bytes it
//! reads; callable from a signal handler.

#![allow(non_upper_case_globals)] // the constants keep the DWARF spec's names

use core::fmt::{self, Write};
use core::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};

use super::dwarf::{
    DW_AT_comp_dir, DW_AT_stmt_list, Encoding, Reader, Value, find_abbrev, initial_length, is_code,
    read_form, unit_at,
};
use super::elf::Image;
use super::inlines;
use super::table::{Begin, BuildOnce, sort_by_key};
use crate::racy::RacyCell;

// Standard opcodes (DWARF 5 §6.2.5.2).
const DW_LNS_copy: u8 = 0x01;
const DW_LNS_advance_pc: u8 = 0x02;
const DW_LNS_advance_line: u8 = 0x03;
const DW_LNS_set_file: u8 = 0x04;
const DW_LNS_set_column: u8 = 0x05;
const DW_LNS_negate_stmt: u8 = 0x06;
const DW_LNS_set_basic_block: u8 = 0x07;
const DW_LNS_const_add_pc: u8 = 0x08;
const DW_LNS_fixed_advance_pc: u8 = 0x09;
const DW_LNS_set_prologue_end: u8 = 0x0a;
const DW_LNS_set_epilogue_begin: u8 = 0x0b;
const DW_LNS_set_isa: u8 = 0x0c;
/// The byte that introduces an extended opcode (§6.2.5.3).
const EXTENDED_OPCODE: u8 = 0x00;
const DW_LNE_end_sequence: u8 = 0x01;
const DW_LNE_set_address: u8 = 0x02;
/// The last special opcode (§6.2.5.1): `DW_LNS_const_add_pc` advances as it would.
const MAX_SPECIAL_OPCODE: u8 = 255;

// Line header entry formats, DWARF 5 (§6.2.4.1).
const DW_LNCT_path: u64 = 0x1;
const DW_LNCT_directory_index: u64 = 0x2;

/// How many sequences the sorted table holds (24 bytes each in `.bss`).
pub(crate) const INDEX_CAPACITY: usize = 32768;
/// How many sequences starting at or before a PC a lookup tries, nearest
/// first (sequences overlap only in malformed tables).
pub(crate) const OVERLAP_SCAN: usize = 8;
/// How many `find_row` answers are kept.
pub(crate) const ROW_CACHE_SLOTS: usize = 64;
/// How many slots of the cache one location may use.
const ROW_CACHE_PROBES: usize = 4;
/// A sorted-table entry with no compile unit (no `.debug_info`).
const NO_CU: u32 = u32::MAX;

/// A PC's source position: the file's path in three parts (any may be
/// empty; [`write_path`](Line::write_path) joins them) and its line and
/// column (0 when unknown).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Line {
    /// The compilation directory.
    pub(crate) comp_dir: &'static [u8],
    /// The directory of the file's entry (relative to `comp_dir` or absolute).
    pub(crate) dir: &'static [u8],
    /// The file's name (relative to `dir` or absolute).
    pub(crate) file: &'static [u8],
    pub(crate) line: u32,
    pub(crate) column: u32,
}

impl Line {
    /// The path's pieces in order, separators included: the parts from
    /// the last absolute one on, with a `/` between two unless the first
    /// ends with one.
    fn segments(&self) -> ([&'static [u8]; 5], usize) {
        let mut parts = [self.comp_dir, self.dir, self.file];
        if let Some(last_abs) = parts.iter().rposition(|p| p.first() == Some(&b'/')) {
            parts[..last_abs].fill(b"");
        }
        let mut out: [&'static [u8]; 5] = [b""; 5];
        let mut n = 0;
        for p in parts.into_iter().filter(|p| !p.is_empty()) {
            if n > 0 && !out[n - 1].ends_with(b"/") {
                out[n] = b"/";
                n += 1;
            }
            out[n] = p;
            n += 1;
        }
        (out, n)
    }

    /// Writes the file's path as `addr2line` prints it (`comp_dir/dir/file`,
    /// from the last absolute part on), `?` for bytes that are not UTF-8,
    /// and `?` alone for a file with no name.
    pub(crate) fn write_path<W: Write>(&self, w: &mut W) -> fmt::Result {
        let (segs, n) = self.segments();
        if n == 0 {
            return w.write_char('?');
        }
        for seg in &segs[..n] {
            for chunk in seg.utf8_chunks() {
                w.write_str(chunk.valid())?;
                if !chunk.invalid().is_empty() {
                    w.write_char('?')?;
                }
            }
        }
        Ok(())
    }

    /// Whether the path equals `want` or ends with `/` and `want`.
    pub(crate) fn path_is(&self, want: &[u8]) -> bool {
        let (segs, n) = self.segments();
        let mut path = segs[..n].iter().rev().flat_map(|s| s.iter().rev().copied());
        want.iter().rev().all(|&c| path.next() == Some(c))
            && matches!(path.next(), None | Some(b'/'))
    }
}

/// What the symbolizer takes from a compile unit of `.debug_info`.
struct CompileUnit {
    /// The offset of its line program in `.debug_line`.
    stmt_list: Option<u64>,
    comp_dir: &'static [u8],
    /// Where the next unit starts.
    end: usize,
}

/// Reads the unit at `off` of `.debug_info` and, for a compile (or
/// partial, or skeleton) unit, its first DIE's `DW_AT_stmt_list` and
/// `DW_AT_comp_dir`. `None` only if the unit's header is unreadable (the
/// units after it cannot be found); a DIE that cannot be read gives a
/// unit without them.
fn compile_unit(img: &Image, off: usize) -> Option<CompileUnit> {
    let unit = unit_at(img, off)?;
    let mut cu = CompileUnit {
        stmt_list: None,
        comp_dir: b"",
        end: unit.end,
    };
    if unit.has_code() {
        let _ = first_die(img, &unit, &mut cu);
    }
    Some(cu)
}

/// Reads the attributes of the unit's first DIE into `cu`.
fn first_die(img: &Image, unit: &super::dwarf::Unit, cu: &mut CompileUnit) -> Option<()> {
    let mut r = unit.reader(img, unit.first_die)?;
    let mut abbrev = find_abbrev(img, unit.abbrev_off, r.uleb()?)?;
    while let Some(spec) = abbrev.next_spec()? {
        match (
            spec.name,
            read_form(img, &mut r, spec.form, unit.enc, spec.implicit, 0)?,
        ) {
            (DW_AT_stmt_list, Value::Num(n)) => cu.stmt_list = Some(n),
            (DW_AT_comp_dir, Value::Str(s)) => cu.comp_dir = s,
            _ => {}
        }
    }
    Some(())
}

/// The header of one line program (§6.2.4), as far as the symbolizer
/// reads it.
struct LineUnit {
    /// Its offset in `.debug_line`.
    off: usize,
    /// Where it ends (the next unit's offset).
    end: usize,
    enc: Encoding,
    min_inst_length: u8,
    max_ops_per_inst: u8,
    line_base: i8,
    line_range: u8,
    opcode_base: u8,
    /// How many LEB128 arguments each standard opcode takes.
    standard_opcode_lengths: &'static [u8],
    /// DWARF 5: each directory's and each file's entry format (pairs of
    /// content type and form), and how many pairs.
    dir_format: (Reader, u8),
    file_format: (Reader, u8),
    /// The directory and file tables, as readers bounded by the header.
    dirs: Reader,
    files: Reader,
    dir_count: u64,
    file_count: u64,
    /// The offset of the program's first opcode.
    program: usize,
}

/// One row of the line matrix (the registers of §6.2.2 that a report uses).
#[derive(Clone, Copy, Debug)]
struct Row {
    address: u64,
    file: u64,
    line: u64,
    column: u64,
    end_sequence: bool,
}

impl Row {
    /// The state machine's registers at the start of a sequence.
    const START: Row = Row {
        address: 0,
        file: 1,
        line: 1,
        column: 0,
        end_sequence: false,
    };
}

impl LineUnit {
    /// Reads the header of the program at `off` of `.debug_line`.
    fn parse(img: &Image, off: usize) -> Option<LineUnit> {
        let mut r = Reader::new(img.debug_line, off);
        let (len, offset_size) = initial_length(&mut r)?;
        let end = r
            .pos
            .checked_add(len)
            .filter(|&e| e <= img.debug_line.len())?;
        r.data = img.debug_line.get(..end)?;
        let version = r.u16()?;
        if !(2..=5).contains(&version) {
            return None;
        }
        let mut address_size = 8;
        if version >= 5 {
            address_size = r.u8()?;
            let _segment_selector_size = r.u8()?;
        }
        let header_length = usize::try_from(r.offset(offset_size)?).ok()?;
        let program = r.pos.checked_add(header_length).filter(|&p| p <= end)?;
        let min_inst_length = r.u8()?;
        let max_ops_per_inst = if version >= 4 { r.u8()? } else { 1 };
        let _default_is_stmt = r.u8()?;
        let line_base = r.u8()? as i8;
        let line_range = r.u8()?;
        let opcode_base = r.u8()?;
        if line_range == 0 {
            return None;
        }
        let standard_opcode_lengths = r.bytes(usize::from(opcode_base.saturating_sub(1)))?;
        let enc = Encoding {
            version,
            offset_size,
            address_size,
        };
        // The tables lie between here and the program.
        r.data = img.debug_line.get(..program)?;
        let mut unit = LineUnit {
            off,
            end,
            enc,
            min_inst_length,
            max_ops_per_inst,
            line_base,
            line_range,
            opcode_base,
            standard_opcode_lengths,
            dir_format: (r, 0),
            file_format: (r, 0),
            dirs: r,
            files: r,
            dir_count: 0,
            file_count: 0,
            program,
        };
        if version >= 5 {
            unit.dir_format = entry_format(&mut r)?;
            unit.dir_count = r.uleb()?;
            unit.dirs = r;
            for _ in 0..unit.dir_count {
                unit.entry(img, &mut r, unit.dir_format)?;
            }
            unit.file_format = entry_format(&mut r)?;
            unit.file_count = r.uleb()?;
            unit.files = r;
        } else {
            // include_directories: strings up to an empty one.
            while !r.cstr()?.is_empty() {
                unit.dir_count += 1;
            }
            unit.files = r;
            unit.file_count = u64::MAX; // up to the empty name that ends them
        }
        Some(unit)
    }

    /// Reads one DWARF 5 directory or file entry of `format`: its path
    /// and directory index.
    fn entry(
        &self,
        img: &Image,
        r: &mut Reader,
        format: (Reader, u8),
    ) -> Option<(&'static [u8], u64)> {
        let (mut f, count) = format;
        let (mut path, mut dir) = (&b""[..], 0);
        for _ in 0..count {
            let (content, form) = (f.uleb()?, f.uleb()?);
            match (content, read_form(img, r, form, self.enc, 0, 0)?) {
                (DW_LNCT_path, Value::Str(s)) => path = s,
                (DW_LNCT_directory_index, Value::Num(n)) => dir = n,
                _ => {}
            }
        }
        Some((path, dir))
    }

    /// Directory `index` as the header numbers them: from 0 in DWARF 5
    /// (0 is the compilation directory), from 1 before (0 means the
    /// compilation directory, which the header does not hold).
    fn dir(&self, img: &Image, index: u64) -> Option<&'static [u8]> {
        let mut r = self.dirs;
        if self.enc.version >= 5 {
            for i in 0..self.dir_count {
                let (path, _) = self.entry(img, &mut r, self.dir_format)?;
                if i == index {
                    return Some(path);
                }
            }
            return None;
        }
        for i in 1..=self.dir_count {
            let path = r.cstr()?;
            if i == index {
                return Some(path);
            }
        }
        None
    }

    /// File `index` (from 0 in DWARF 5, from 1 before): its name and
    /// directory index.
    fn file(&self, img: &Image, index: u64) -> Option<(&'static [u8], u64)> {
        let mut r = self.files;
        if self.enc.version >= 5 {
            for i in 0..self.file_count {
                let entry = self.entry(img, &mut r, self.file_format)?;
                if i == index {
                    return Some(entry);
                }
            }
            return None;
        }
        let mut i = 1;
        loop {
            let name = r.cstr()?;
            if name.is_empty() {
                return None;
            }
            let dir = r.uleb()?;
            let _mtime = r.uleb()?;
            let _length = r.uleb()?;
            if i == index {
                return Some((name, dir));
            }
            i += 1;
        }
    }

    /// The source position of `row`; `comp_dir` is the compile unit's
    /// (DWARF 2-4; DWARF 5 has it as directory 0).
    fn line_of(&self, img: &Image, comp_dir: &'static [u8], row: &Row) -> Line {
        let (file, dir_index) = self.file(img, row.file).unwrap_or((b"", 0));
        let comp_dir = if self.enc.version >= 5 {
            self.dir(img, 0).unwrap_or(b"")
        } else {
            comp_dir
        };
        let dir = if dir_index == 0 {
            b""
        } else {
            self.dir(img, dir_index).unwrap_or(b"")
        };
        Line {
            comp_dir,
            dir,
            file,
            line: u32::try_from(row.line).unwrap_or(u32::MAX),
            column: u32::try_from(row.column).unwrap_or(u32::MAX),
        }
    }

    /// Moves the address on by `advance` operations (§6.2.5.1).
    fn advance(&self, row: &mut Row, op_index: &mut u64, advance: u64) {
        let min = u64::from(self.min_inst_length);
        let max_ops = u64::from(self.max_ops_per_inst.max(1));
        let ops = op_index.wrapping_add(advance);
        row.address = row.address.wrapping_add(min.wrapping_mul(ops / max_ops));
        *op_index = ops % max_ops;
    }

    /// Runs the program from `start` (its first opcode, or a sequence's):
    /// `emit(row, sequence_start)` for every row, the end of a sequence
    /// included, until `emit` says false, the program ends or an opcode
    /// cannot be read; after one sequence if `one_sequence`.
    fn run(
        &self,
        img: &Image,
        start: usize,
        one_sequence: bool,
        emit: &mut dyn FnMut(&Row, usize) -> bool,
    ) {
        let _ = self.run_inner(img, start, one_sequence, emit);
    }

    fn run_inner(
        &self,
        img: &Image,
        start: usize,
        one_sequence: bool,
        emit: &mut dyn FnMut(&Row, usize) -> bool,
    ) -> Option<()> {
        let mut r = Reader::new(img.debug_line.get(..self.end)?, start);
        let (mut row, mut op_index, mut sequence) = (Row::START, 0u64, start);
        let line_range = self.line_range.max(1);
        while !r.at_end() {
            let op = r.u8()?;
            if op >= self.opcode_base {
                // A special opcode: advance address and line, append a row.
                let adjusted = op - self.opcode_base;
                self.advance(&mut row, &mut op_index, u64::from(adjusted / line_range));
                let line_step = i64::from(self.line_base) + i64::from(adjusted % line_range);
                row.line = row.line.wrapping_add_signed(line_step);
                if !emit(&row, sequence) {
                    return Some(());
                }
                continue;
            }
            match op {
                EXTENDED_OPCODE => {
                    let len = usize::try_from(r.uleb()?).ok()?;
                    let next = r.pos.checked_add(len)?;
                    if len == 0 {
                        continue;
                    }
                    match r.u8()? {
                        DW_LNE_end_sequence => {
                            row.end_sequence = true;
                            if !emit(&row, sequence) || one_sequence {
                                return Some(());
                            }
                            (row, op_index, sequence) = (Row::START, 0, next);
                        }
                        DW_LNE_set_address => {
                            row.address = r.uint(len - 1)?;
                            op_index = 0;
                        }
                        _ => {} // define_file, set_discriminator, vendor ones
                    }
                    r.pos = next;
                }
                DW_LNS_copy => {
                    if !emit(&row, sequence) {
                        return Some(());
                    }
                }
                DW_LNS_advance_pc => {
                    let n = r.uleb()?;
                    self.advance(&mut row, &mut op_index, n);
                }
                DW_LNS_advance_line => row.line = row.line.wrapping_add_signed(r.sleb()?),
                DW_LNS_set_file => row.file = r.uleb()?,
                DW_LNS_set_column => row.column = r.uleb()?,
                DW_LNS_negate_stmt
                | DW_LNS_set_basic_block
                | DW_LNS_set_prologue_end
                | DW_LNS_set_epilogue_begin => {}
                DW_LNS_const_add_pc => {
                    let adjusted = MAX_SPECIAL_OPCODE - self.opcode_base;
                    self.advance(&mut row, &mut op_index, u64::from(adjusted / line_range));
                }
                DW_LNS_fixed_advance_pc => {
                    row.address = row.address.wrapping_add(u64::from(r.u16()?));
                    op_index = 0;
                }
                DW_LNS_set_isa => {
                    r.uleb()?;
                }
                _ => {
                    // An opcode this reader does not know: skip its arguments.
                    let args = *self.standard_opcode_lengths.get(usize::from(op) - 1)?;
                    for _ in 0..args {
                        r.uleb()?;
                    }
                }
            }
        }
        Some(())
    }
}

/// Reads a DWARF 5 entry format: its count and where its pairs start.
fn entry_format(r: &mut Reader) -> Option<(Reader, u8)> {
    let count = r.u8()?;
    let start = *r;
    for _ in 0..count {
        r.uleb()?;
        r.uleb()?;
    }
    Some((start, count))
}

/// Calls `f(unit, cu_offset, comp_dir)` for every line program: that of
/// each compile unit of `.debug_info`, or, if none names one, each unit
/// of `.debug_line` in turn (with no compile unit, [`NO_CU`]); until `f`
/// says false.
fn for_each_unit(img: &Image, f: &mut dyn FnMut(&LineUnit, usize, &'static [u8]) -> bool) {
    let mut named_any = false;
    let mut off = 0;
    while off < img.debug_info.len() {
        let Some(cu) = compile_unit(img, off) else {
            break;
        };
        if let Some(stmt) = cu.stmt_list.and_then(|s| usize::try_from(s).ok()) {
            named_any = true;
            if let Some(unit) = LineUnit::parse(img, stmt)
                && !f(&unit, off, cu.comp_dir)
            {
                return;
            }
        }
        off = cu.end;
    }
    if named_any {
        return;
    }
    let mut off = 0;
    while off < img.debug_line.len() {
        let Some(unit) = LineUnit::parse(img, off) else {
            break;
        };
        if !f(&unit, NO_CU as usize, b"") {
            return;
        }
        off = unit.end;
    }
}

/// The compilation directory of the compile unit at `cu` (or none).
fn comp_dir_of(img: &Image, cu: u32) -> &'static [u8] {
    if cu == NO_CU {
        return b"";
    }
    compile_unit(img, cu as usize).map_or(b"", |c| c.comp_dir)
}

/// One sequence of the sorted table: `[lo, lo + len)`, the offsets of
/// its unit and of its first opcode in `.debug_line`, and of the compile
/// unit naming it in `.debug_info` (or [`NO_CU`]); 24 bytes.
#[derive(Clone, Copy)]
struct Sequence {
    lo: u64,
    len: u32,
    unit: u32,
    start: u32,
    cu: u32,
}

/// The sorted table of one image's sequences.
pub(crate) struct Index {
    once: BuildOnce,
    /// The address and length of the `.debug_line` it was built from.
    key: RacyCell<(usize, usize)>,
    len: RacyCell<usize>,
    entries: RacyCell<[Sequence; INDEX_CAPACITY]>,
}

/// What names an image's line tables: where they are and how long.
fn line_key(img: &Image) -> (usize, usize) {
    (img.debug_line.as_ptr() as usize, img.debug_line.len())
}

impl Index {
    pub(crate) const fn new() -> Index {
        Index {
            once: BuildOnce::new(),
            key: RacyCell::new((0, 0)),
            len: RacyCell::new(0),
            entries: RacyCell::new(
                [Sequence {
                    lo: 0,
                    len: 0,
                    unit: 0,
                    start: 0,
                    cu: 0,
                }; INDEX_CAPACITY],
            ),
        }
    }

    /// The table for `img`: built by the first call, `None` while it is
    /// being built, if it overflowed, or if it was built for another image.
    fn get(&self, img: &Image) -> Option<&[Sequence]> {
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
        if key != line_key(img) {
            return None;
        }
        // SAFETY: as above; `len <= INDEX_CAPACITY` (`build`).
        Some(unsafe { (*self.entries.get()).get(..len)? })
    }

    /// Runs every program once to fill the table, sorts it and publishes
    /// it; called once, by the caller `begin` told to build.
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
        // The table keeps offsets as u32.
        let mut fits =
            img.debug_line.len() < NO_CU as usize && img.debug_info.len() < NO_CU as usize;
        let mut n = 0;
        if fits {
            for_each_unit(img, &mut |unit, cu, _| {
                let mut lo = None;
                unit.run(img, unit.program, false, &mut |row, start| {
                    if !row.end_sequence {
                        lo = lo.or(Some(row.address));
                        return true;
                    }
                    let Some(lo) = lo.take().filter(|&lo| is_code(lo) && lo < row.address) else {
                        return true;
                    };
                    // A sequence of 4 GiB or more: a malformed table.
                    let Ok(len) = u32::try_from(row.address - lo) else {
                        return true;
                    };
                    let Some(slot) = entries.get_mut(n) else {
                        fits = false;
                        return false;
                    };
                    *slot = Sequence {
                        lo,
                        len,
                        unit: unit.off as u32,
                        start: start as u32,
                        cu: cu as u32,
                    };
                    n += 1;
                    true
                });
                fits
            });
        }
        if fits {
            let table = &mut entries[..n];
            sort_by_key(table, |s| (s.lo, s.len));
            *key = line_key(img);
            *len = n;
        }
        self.once.finish(fits);
    }
}

/// The table of the running executable's sequences.
static PROCESS_INDEX: Index = Index::new();

/// The source position of `pc` in `img` (module note), through the
/// process's sorted table.
pub(crate) fn lookup(img: &Image, pc: u64) -> Option<Line> {
    lookup_in(&PROCESS_INDEX, img, pc)
}

/// [`lookup`] with the sorted table `index` (the host tests give their own).
pub(crate) fn lookup_in(index: &Index, img: &Image, pc: u64) -> Option<Line> {
    let Some(table) = index.get(img) else {
        return lookup_linear(img, pc);
    };
    let end = table.partition_point(|s| s.lo <= pc);
    let seq = table
        .get(..end)?
        .iter()
        .rev()
        .take(OVERLAP_SCAN)
        .find(|s| pc - s.lo < u64::from(s.len))?;
    let unit = LineUnit::parse(img, seq.unit as usize)?;
    let mut found = None;
    unit.run(img, seq.start as usize, true, &mut |row, _| {
        if row.end_sequence || row.address > pc {
            return false;
        }
        found = Some(*row);
        true
    });
    Some(unit.line_of(img, comp_dir_of(img, seq.cu), &found?))
}

/// [`lookup`] by running every program until a sequence holds `pc`.
fn lookup_linear(img: &Image, pc: u64) -> Option<Line> {
    let mut answer = None;
    for_each_unit(img, &mut |unit, _, comp_dir| {
        let (mut lo, mut last) = (None, None::<Row>);
        let mut hit = None;
        unit.run(img, unit.program, false, &mut |row, _| {
            if !row.end_sequence {
                lo = lo.or(Some(row.address));
            }
            if (row.end_sequence || row.address > pc)
                && let Some(prev) = last.filter(|_| lo.is_some_and(is_code) && pc < row.address)
            {
                hit = Some(prev);
                return false;
            }
            if row.end_sequence {
                (lo, last) = (None, None);
            } else if row.address <= pc {
                last = Some(*row);
            }
            true
        });
        answer = hit.map(|row| unit.line_of(img, comp_dir, &row));
        answer.is_none()
    });
    answer
}

/// The source position `line`:`column` in file `file` of the line program
/// at `stmt_list` of `.debug_line` (the file numbered as the program's rows
/// number them, as a `DW_AT_call_file` does), `comp_dir` being its compile
/// unit's; `None` if the program's header is unreadable.
pub(crate) fn position(
    img: &Image,
    stmt_list: u64,
    comp_dir: &'static [u8],
    file: u64,
    line: u32,
    column: u32,
) -> Option<Line> {
    let unit = LineUnit::parse(img, usize::try_from(stmt_list).ok()?)?;
    let row = Row {
        address: 0,
        file,
        line: u64::from(line),
        column: u64::from(column),
        end_sequence: false,
    };
    Some(unit.line_of(img, comp_dir, &row))
}

/// The address of the call at `file`:`line`:`column` of `img` (a
/// `#[track_caller]` location: `file` as rustc was given it, relative to
/// the package's directory or absolute): the lowest address of the call's
/// code if it was inlined (a `DW_TAG_inlined_subroutine` has that call
/// file, line and column: [`inlines::find_call`], exact), else the lowest
/// address of a row at that file, line and column (a row whose path equals
/// `file` or ends with `/` and it), else of the line's rows. Reads every
/// unit and runs every program (or answers from the cache of earlier
/// answers).
pub(crate) fn find_row(img: &Image, file: &str, line: u32, column: u32) -> Option<u64> {
    let key = RowKey {
        image: line_key(img),
        file: (file.as_ptr() as usize, file.len()),
        line,
        column,
    };
    if let Some(answer) = ROW_CACHE.get(&key) {
        return answer;
    }
    let answer = inlines::find_call(img, file.as_bytes(), line, column)
        .or_else(|| find_row_uncached(img, file.as_bytes(), line, column));
    ROW_CACHE.put(&key, answer);
    answer
}

/// [`find_row`] without the cache.
fn find_row_uncached(img: &Image, want: &[u8], line: u32, column: u32) -> Option<u64> {
    let base = want.rsplit(|&c| c == b'/').next().unwrap_or(want);
    let (mut best_column, mut best_line) = (None::<u64>, None::<u64>);
    for_each_unit(img, &mut |unit, _, comp_dir| {
        // Whether the last file index looked at is `want`.
        let mut matched: Option<(u64, bool)> = None;
        let mut lo = None;
        unit.run(img, unit.program, false, &mut |row, _| {
            if row.end_sequence {
                lo = None;
                return true;
            }
            let lo = *lo.get_or_insert(row.address);
            if row.line != u64::from(line) || !is_code(lo) {
                return true;
            }
            let is_want = match matched {
                Some((file, m)) if file == row.file => m,
                _ => {
                    let pos = unit.line_of(img, comp_dir, row);
                    let m = pos.file.ends_with(base) && pos.path_is(want);
                    matched = Some((row.file, m));
                    m
                }
            };
            if is_want {
                best_line = Some(best_line.map_or(row.address, |b| b.min(row.address)));
                if row.column == u64::from(column) {
                    best_column = Some(best_column.map_or(row.address, |b| b.min(row.address)));
                }
            }
            true
        });
        true
    });
    best_column.or(best_line)
}

/// What a [`find_row`] answer is for.
#[derive(Clone, Copy, PartialEq, Eq)]
struct RowKey {
    image: (usize, usize),
    file: (usize, usize),
    line: u32,
    column: u32,
}

/// Kept answers of [`find_row`]: a slot is claimed once (empty ->
/// writing, by compare-and-swap), filled, published (full, a release)
/// and never written again, so a reader that sees it full (an acquire)
/// reads a whole answer; a full cache answers only what it holds.
struct RowCache {
    slots: [RowSlot; ROW_CACHE_SLOTS],
}

struct RowSlot {
    state: AtomicU32,
    image: [AtomicUsize; 2],
    file: [AtomicUsize; 2],
    line_column: AtomicU64,
    /// The answer, `u64::MAX` for none.
    address: AtomicU64,
}

const SLOT_EMPTY: u32 = 0;
const SLOT_WRITING: u32 = 1;
const SLOT_FULL: u32 = 2;
/// How a slot stores "no row".
const NO_ADDRESS: u64 = u64::MAX;

#[allow(clippy::declare_interior_mutable_const)] // the initializer of each slot
const EMPTY_SLOT: RowSlot = RowSlot {
    state: AtomicU32::new(SLOT_EMPTY),
    image: [AtomicUsize::new(0), AtomicUsize::new(0)],
    file: [AtomicUsize::new(0), AtomicUsize::new(0)],
    line_column: AtomicU64::new(0),
    address: AtomicU64::new(0),
};

static ROW_CACHE: RowCache = RowCache {
    slots: [EMPTY_SLOT; ROW_CACHE_SLOTS],
};

impl RowCache {
    /// The slots `key` may sit in.
    fn probes(&self, key: &RowKey) -> impl Iterator<Item = &RowSlot> {
        let hash = key.file.0
            ^ key.file.1.rotate_left(7)
            ^ (key.line as usize).wrapping_mul(31)
            ^ key.column as usize;
        (0..ROW_CACHE_PROBES)
            .filter_map(move |i| self.slots.get(hash.wrapping_add(i) % ROW_CACHE_SLOTS))
    }

    /// The kept answer for `key`, if any.
    fn get(&self, key: &RowKey) -> Option<Option<u64>> {
        let slot = self
            .probes(key)
            .find(|s| s.state.load(Ordering::Acquire) == SLOT_FULL && s.key() == *key)?;
        let address = slot.address.load(Ordering::Relaxed);
        Some((address != NO_ADDRESS).then_some(address))
    }

    /// Keeps `answer` for `key` in an empty slot, if one is left.
    fn put(&self, key: &RowKey, answer: Option<u64>) {
        let relaxed = Ordering::Relaxed;
        for slot in self.probes(key) {
            if slot
                .state
                .compare_exchange(SLOT_EMPTY, SLOT_WRITING, Ordering::Acquire, relaxed)
                .is_ok()
            {
                slot.image[0].store(key.image.0, relaxed);
                slot.image[1].store(key.image.1, relaxed);
                slot.file[0].store(key.file.0, relaxed);
                slot.file[1].store(key.file.1, relaxed);
                slot.line_column
                    .store(u64::from(key.line) << 32 | u64::from(key.column), relaxed);
                slot.address.store(answer.unwrap_or(NO_ADDRESS), relaxed);
                slot.state.store(SLOT_FULL, Ordering::Release);
                return;
            }
        }
    }
}

impl RowSlot {
    /// The key of a full slot.
    fn key(&self) -> RowKey {
        let relaxed = Ordering::Relaxed;
        let lc = self.line_column.load(relaxed);
        RowKey {
            image: (self.image[0].load(relaxed), self.image[1].load(relaxed)),
            file: (self.file[0].load(relaxed), self.file[1].load(relaxed)),
            line: (lc >> 32) as u32,
            column: lc as u32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::symbols::tests::{addr2line, addr2line_of, by_name, demangled, own_image};
    use super::super::symbols::{self, Symbol};
    use super::*;
    use std::panic::Location;
    use std::string::{String, ToString};
    use std::vec::Vec;

    /// A new sorted table on the heap (`Box::new` would build it on the
    /// stack first).
    fn fresh_index() -> &'static Index {
        let layout = std::alloc::Layout::new::<Index>();
        // SAFETY: the layout is Index's, nonzero in size; all-zero bytes
        // are exactly `Index::new()` (state untried, key, length and
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

    /// `file:line` as addr2line prints it (no discriminator).
    fn ours(line: Option<Line>) -> String {
        match line {
            Some(l) => format!("{}:{}", path(&l), l.line),
            None => "??:0".to_string(),
        }
    }

    /// addr2line's `FILE:LINE` in the form of [`ours`]: it prints line 0
    /// (code the compiler gives no line) as `?`, and a PC no row covers as
    /// `??:0` or with the compile unit's name (`rt0.HASH-cgu.0:?`).
    fn oracle_line(s: &str) -> String {
        let s = s.split(" (discriminator").next().unwrap();
        match s.strip_suffix(":?") {
            Some(file) if file.contains('/') => format!("{file}:0"),
            Some(_) => "??:0".to_string(),
            None if s.starts_with("??:") => "??:0".to_string(),
            None => s.to_string(),
        }
    }

    #[inline(never)]
    #[track_caller]
    fn caller() -> &'static Location<'static> {
        std::hint::black_box(Location::caller())
    }

    /// A function whose call of `caller` is at a known location.
    #[inline(never)]
    fn spawner() -> &'static Location<'static> {
        std::hint::black_box(0);
        caller()
    }

    #[test]
    fn own_functions_match_addr2line() {
        static INDEX: Index = Index::new();
        let img = own_image();
        for name in [
            "rt0::debug::lines::tests::spawner",
            "rt0::debug::lines::tests::caller",
        ] {
            let s = by_name(img, name);
            let pcs: Vec<u64> = (0..8).map(|k| s.start + s.size * k / 8).collect();
            let oracle = addr2line(&pcs);
            for (pc, (_, want)) in pcs.iter().zip(&oracle) {
                let indexed = lookup_in(&INDEX, img, *pc);
                assert_eq!(indexed, lookup_linear(img, *pc), "{pc:#x}");
                assert_eq!(ours(indexed), oracle_line(want), "{name} {pc:#x}");
                assert!(path(&indexed.unwrap()).starts_with('/'), "absolute");
            }
        }
        assert!(INDEX.once.is_ready(), "the sorted table was used");
    }

    #[test]
    fn many_addresses_match_addr2line() {
        // Starts and middles of every 23rd function of this binary, std's
        // included: the sorted table, the full scan and addr2line agree.
        static INDEX: Index = Index::new();
        let img = own_image();
        compare_with_addr2line(img, &std::env::current_exe().unwrap(), &INDEX, 23, |_| true);
    }

    /// Compares `lookup_in(index)`, `lookup_linear` and `addr2line` at the
    /// start and the middle of every `step`th sized function that `keep`.
    fn compare_with_addr2line(
        img: &Image,
        exe: &std::path::Path,
        index: &Index,
        step: usize,
        keep: impl Fn(&str) -> bool,
    ) {
        let syms: Vec<Symbol> = (0..img.symtab.len() / super::super::elf::SYM_SIZE)
            .filter_map(|i| symbols::lookup_in_symtab_for_tests(img, i))
            .filter(|s| s.size > 0 && keep(&demangled(s.name)))
            .step_by(step)
            .collect();
        assert!(!syms.is_empty());
        let pcs: Vec<u64> = syms
            .iter()
            .flat_map(|s| [s.start, s.start + s.size / 2])
            .collect();
        let oracle = addr2line_of(exe, &pcs);
        let mut differ = Vec::new();
        for (pc, (_, want)) in pcs.iter().zip(&oracle) {
            let indexed = lookup_in(index, img, *pc);
            assert_eq!(indexed, lookup_linear(img, *pc), "{pc:#x}");
            if ours(indexed) != oracle_line(want) {
                differ.push((*pc, ours(indexed), want.clone()));
            }
        }
        eprintln!(
            "{} addresses, {} differ: {:?}",
            pcs.len(),
            differ.len(),
            &differ[..differ.len().min(8)]
        );
        assert!(differ.is_empty(), "{differ:?}");
    }

    #[test]
    fn find_row_names_the_caller() {
        let loc = spawner();
        let img = own_image();
        // `file()` is relative to the package ("src/debug/lines.rs").
        assert!(!loc.file().starts_with('/'));
        let pc = find_row(img, loc.file(), loc.line(), loc.column()).expect("a row at the call");
        let func = symbols::lookup(img, pc).expect("a function");
        assert_eq!(demangled(func.name), "rt0::debug::lines::tests::spawner");
        let at = lookup(img, pc).unwrap();
        assert_eq!((at.line, at.column), (loc.line(), loc.column()));
        assert!(path(&at).ends_with("/src/debug/lines.rs"), "{}", path(&at));
        // The same answer again (from the cache), and by absolute path.
        assert_eq!(
            find_row(img, loc.file(), loc.line(), loc.column()),
            Some(pc)
        );
        let absolute = path(&at);
        assert_eq!(
            find_row_uncached(img, absolute.as_bytes(), loc.line(), loc.column()),
            Some(pc)
        );
        // A column no row has: the line's lowest address.
        assert!(
            find_row_uncached(img, loc.file().as_bytes(), loc.line(), 9999)
                .is_some_and(|a| a <= pc)
        );
        // Not a suffix at a '/': "ines.rs" is not "lines.rs".
        assert_eq!(
            find_row_uncached(img, b"ines.rs", loc.line(), loc.column()),
            None
        );
        assert_eq!(find_row(img, "no/such/file.rs", 1, 1), None);
    }

    #[test]
    fn paths_join_as_addr2line() {
        let l = |comp_dir: &'static [u8], dir: &'static [u8], file: &'static [u8]| Line {
            comp_dir,
            dir,
            file,
            line: 1,
            column: 0,
        };
        assert_eq!(
            path(&l(b"/work", b"src/arch", b"tls.rs")),
            "/work/src/arch/tls.rs"
        );
        assert_eq!(path(&l(b"/work/", b"src/", b"tls.rs")), "/work/src/tls.rs");
        assert_eq!(
            path(&l(b"/work", b"/rustc/abc", b"library/core/x.rs")),
            "/rustc/abc/library/core/x.rs"
        );
        assert_eq!(path(&l(b"/work", b"src", b"/abs/y.rs")), "/abs/y.rs");
        assert_eq!(path(&l(b"/work", b"", b"hello.rs")), "/work/hello.rs");
        assert_eq!(path(&l(b"", b"", b"")), "?");
        assert_eq!(path(&l(b"", b"d\xff", b"f")), "d?/f");
        let p = l(b"/work", b"src/arch", b"tls.rs");
        assert!(
            p.path_is(b"src/arch/tls.rs")
                && p.path_is(b"tls.rs")
                && p.path_is(b"/work/src/arch/tls.rs")
        );
        assert!(
            !p.path_is(b"ls.rs")
                && !p.path_is(b"rc/arch/tls.rs")
                && !p.path_is(b"x/work/src/arch/tls.rs")
        );
    }

    #[test]
    fn dwarf_versions_2_to_5() {
        // The same small program built by rustc with each DWARF version:
        // every function of its own crate looks up as addr2line says.
        let dir = std::env::temp_dir().join(format!("rt0-lines-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let src = dir.join("probe.rs");
        std::fs::write(
            &src,
            "#[inline(never)] fn f(x: u64) -> u64 { std::hint::black_box(x) * 3 }\n\
             #[inline(never)] fn g(x: u64) -> u64 {\n    f(x + 1) ^ 7\n}\n\
             fn main() { println!(\"{}\", g(std::hint::black_box(2))); }\n",
        )
        .unwrap();
        for version in 2..=5 {
            let exe = dir.join(format!("probe{version}"));
            let status = std::process::Command::new("rustc")
                .args([
                    "-O",
                    "-C",
                    "debuginfo=line-tables-only",
                    "-C",
                    &format!("dwarf-version={version}"),
                ])
                .arg("-o")
                .arg(&exe)
                .arg(&src)
                .status()
                .expect("rustc runs");
            assert!(status.success(), "rustc -C dwarf-version={version}");
            let bytes: &'static [u8] = Vec::leak(std::fs::read(&exe).unwrap());
            let img: &'static Image = Box::leak(Box::new(Image::parse(bytes).unwrap()));
            let unit = LineUnit::parse(img, 0).unwrap();
            eprintln!(
                "dwarf-version={version}: first line program is version {}",
                unit.enc.version
            );
            let index = fresh_index();
            compare_with_addr2line(img, &exe, index, 1, |n| n.starts_with("probe::"));
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn malformed_tables() {
        // Line programs and compile units cut anywhere, or of garbage:
        // lookups give None or some row, never a panic or a hang.
        let img = own_image();
        let mut x: u32 = 7;
        let junk: &'static [u8] = Vec::leak(
            (0..8192)
                .map(|_| {
                    x = x.wrapping_mul(1103515245).wrapping_add(12345);
                    (x >> 16) as u8
                })
                .collect(),
        );
        let pcs = [0, 1, 0x1000, 0x401000, u64::MAX];
        let cuts = [0, 1, 3, 4, 11, 12, 40, 100, 500, 4000];
        for cut in cuts {
            let variants = [
                Image {
                    debug_line: &img.debug_line[..cut.min(img.debug_line.len())],
                    ..*img
                },
                Image {
                    debug_info: &img.debug_info[..cut.min(img.debug_info.len())],
                    ..*img
                },
                Image {
                    debug_abbrev: &img.debug_abbrev[..cut.min(img.debug_abbrev.len())],
                    ..*img
                },
                Image {
                    debug_line: &junk[..cut],
                    ..*img
                },
                Image {
                    debug_info: &junk[..cut],
                    ..*img
                },
                Image {
                    debug_line: &junk[..cut],
                    debug_info: &[],
                    ..Image::EMPTY
                },
            ];
            for v in &variants {
                for pc in pcs {
                    let _ = lookup_linear(v, pc);
                }
                let index = fresh_index();
                let _ = lookup_in(index, v, 0x401000);
                let _ = find_row_uncached(v, b"src/debug/lines.rs", 10, 1);
            }
        }
        // Garbage at every start inside a real line program header.
        for start in 0..64 {
            let v = Image {
                debug_line: &junk[start..],
                debug_info: &[],
                ..Image::EMPTY
            };
            let _ = lookup_linear(&v, 0x401000);
        }
        assert_eq!(lookup(&Image::EMPTY, 0x401000), None);
    }
}

#[cfg(test)]
mod freestanding_tests {
    use super::super::symbols::tests::{addr2line_of, demangled};
    use super::super::symbols::{self, Symbol};
    use super::*;
    use std::string::String;
    use std::vec::Vec;

    /// A freestanding rt0 program (`RT0_SYMBOLIZE_EXE`, else the release
    /// build of examples/hello), if it has been built.
    fn freestanding() -> Option<(std::path::PathBuf, &'static Image)> {
        let exe = std::env::var_os("RT0_SYMBOLIZE_EXE")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| {
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("target/release/examples/hello")
            });
        let Ok(bytes) = std::fs::read(&exe) else {
            eprintln!(
                "skipped: {} is not built (cargo build --release --example hello)",
                exe.display()
            );
            return None;
        };
        let img = Image::parse(Vec::leak(bytes)).expect("an rt0 program is ELF-64 x86_64");
        Some((exe, Box::leak(Box::new(img))))
    }

    #[test]
    fn freestanding_program_matches_addr2line() {
        // Every function of the program, at its start, middle and last
        // byte: name and line as addr2line -f -i -C gives them.
        let Some((exe, img)) = freestanding() else {
            return;
        };
        let syms: Vec<Symbol> = (0..img.symtab.len() / super::super::elf::SYM_SIZE)
            .filter_map(|i| symbols::lookup_in_symtab_for_tests(img, i))
            .filter(|s| s.size > 0)
            .collect();
        let pcs: Vec<u64> = syms
            .iter()
            .flat_map(|s| [s.start, s.start + s.size / 2, s.start + s.size - 1])
            .collect();
        let oracle = addr2line_of(&exe, &pcs);
        let (mut names_differ, mut lines_differ) = (Vec::new(), Vec::new());
        for (pc, (func, line)) in pcs.iter().zip(&oracle) {
            let name = symbols::lookup(img, *pc)
                .map(|s| demangled(s.name))
                .unwrap_or_default();
            if name != *func {
                names_differ.push((*pc, name, func.clone()));
            }
            let mut ours = String::new();
            match lookup(img, *pc) {
                Some(l) => {
                    l.write_path(&mut ours).unwrap();
                    ours += &format!(":{}", l.line);
                }
                None => ours += "??:0",
            }
            let theirs = line.split(" (discriminator").next().unwrap();
            let theirs = match theirs.strip_suffix(":?") {
                Some(f) if f.contains('/') => format!("{f}:0"),
                Some(_) => "??:0".into(),
                None => theirs.into(),
            };
            if ours != theirs {
                lines_differ.push((*pc, ours, theirs));
            }
        }
        eprintln!(
            "{}: {} functions, {} addresses; names differ at {} ({:?}), lines at {} ({:?})",
            exe.display(),
            syms.len(),
            pcs.len(),
            names_differ.len(),
            &names_differ[..names_differ.len().min(5)],
            lines_differ.len(),
            &lines_differ[..lines_differ.len().min(5)]
        );
        assert!(lines_differ.is_empty());
        // addr2line names a function from DWARF where it has a name there
        // (a DWARF short name, or none: asm), so a few may differ.
        assert!(names_differ.len() * 4 <= pcs.len());
    }

    #[test]
    fn lookups_are_fast() {
        // Thousands of lookups in this test binary: the report of 1,000
        // goroutines x 10 frames.
        static SYMBOLS: symbols::Index = symbols::Index::new();
        static LINES: Index = Index::new();
        let img = super::super::symbols::tests::own_image();
        let t = std::time::Instant::now();
        let _ = symbols::lookup_in(&SYMBOLS, img, 0);
        let _ = lookup_in(&LINES, img, 0);
        let built = t.elapsed();
        let funcs: Vec<Symbol> = (0..img.symtab.len() / super::super::elf::SYM_SIZE)
            .filter_map(|i| symbols::lookup_in_symtab_for_tests(img, i))
            .filter(|s| s.size > 0)
            .collect();
        let t = std::time::Instant::now();
        let mut found = 0;
        for k in 0..10_000 {
            let s = funcs[k * 7919 % funcs.len()];
            let pc = s.start + s.size / 2;
            found += usize::from(symbols::lookup_in(&SYMBOLS, img, pc).is_some());
            found += usize::from(lookup_in(&LINES, img, pc).is_some());
        }
        let looked = t.elapsed();
        // SAFETY: both tables are built (the lookups above); read only.
        let sequences = unsafe { *LINES.len.get() };
        let t = std::time::Instant::now();
        for k in 0..100 {
            let s = funcs[k * 7919 % funcs.len()];
            let _ = symbols::lookup_linear_for_tests(img, s.start + s.size / 2);
        }
        let symbols_linear = t.elapsed();
        let t = std::time::Instant::now();
        for k in 0..100 {
            let s = funcs[k * 7919 % funcs.len()];
            let _ = lookup_linear(img, s.start + s.size / 2);
        }
        let lines_linear = t.elapsed();
        eprintln!(
            "{sequences} sequences; without the tables 100 symbol lookups take {symbols_linear:?}, 100 line lookups {lines_linear:?}"
        );
        eprintln!(
            "{} symbols, {} bytes of .debug_line: tables built in {built:?}, 10,000 x (symbol + line) in {looked:?}",
            img.symtab.len() / super::super::elf::SYM_SIZE,
            img.debug_line.len()
        );
        assert!(found > 10_000);
    }
}
