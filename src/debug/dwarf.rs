//! The encodings DWARF's sections share (DWARF 4 and 5, chapter 7), for
//! the symbolizer's two readers of them, [`lines`](super::lines) (the line
//! tables, and the compile units that name them) and
//! [`inlines`](super::inlines) (the tree of functions and inlined calls):
//! a checked cursor over a section with its LEB128 numbers and initial
//! lengths (§7.4, §7.6), unit headers (§7.5.1), abbreviation tables
//! (§7.5.3) and attribute forms (§7.5.6). Go's runtime reads no DWARF (its
//! linker writes its own tables); this is what `addr2line` reads instead.
//!
//! A unit of `.debug_info` is a header and a tree of DIEs in preorder:
//! each DIE is an abbreviation code (0 ends a list of siblings), then its
//! attribute values, encoded as the abbreviation's specifications (name,
//! form) say; an abbreviation that has children is followed by them, up
//! to a 0. So a DIE can be skipped only by reading every value, and
//! [`read_form`] knows every form of DWARF 5 (and the GNU ones) to skip.
//!
//! Invariants: every read is checked (a read outside the slice gives
//! `None`), nothing allocates or panics, every loop is bounded by the
//! bytes it reads.

#![allow(non_upper_case_globals)] // the constants keep the DWARF spec's names

use super::elf::{Image, cstr_at};

// Unit headers (§7.4, §7.5.1).
/// An initial length of this value says a 64-bit length follows.
const DWARF64_ESCAPE: u32 = 0xffff_ffff;
/// Initial lengths from here to the escape are reserved.
const DWARF_RESERVED_LENGTH: u32 = 0xffff_fff0;
const DW_UT_compile: u8 = 0x01;
const DW_UT_type: u8 = 0x02;
const DW_UT_partial: u8 = 0x03;
const DW_UT_skeleton: u8 = 0x04;
const DW_UT_split_compile: u8 = 0x05;
const DW_UT_split_type: u8 = 0x06;
/// Not a unit type of DWARF 5: a unit whose header this reader cannot read.
const DW_UT_unknown: u8 = 0;

// Tags (§7.5.3) and attributes (§7.5.4).
pub(crate) const DW_TAG_lexical_block: u64 = 0x0b;
pub(crate) const DW_TAG_inlined_subroutine: u64 = 0x1d;
pub(crate) const DW_TAG_subprogram: u64 = 0x2e;
pub(crate) const DW_AT_name: u64 = 0x03;
pub(crate) const DW_AT_stmt_list: u64 = 0x10;
pub(crate) const DW_AT_low_pc: u64 = 0x11;
pub(crate) const DW_AT_high_pc: u64 = 0x12;
pub(crate) const DW_AT_comp_dir: u64 = 0x1b;
pub(crate) const DW_AT_abstract_origin: u64 = 0x31;
pub(crate) const DW_AT_specification: u64 = 0x47;
pub(crate) const DW_AT_ranges: u64 = 0x55;
pub(crate) const DW_AT_call_column: u64 = 0x57;
pub(crate) const DW_AT_call_file: u64 = 0x58;
pub(crate) const DW_AT_call_line: u64 = 0x59;
pub(crate) const DW_AT_linkage_name: u64 = 0x6e;
pub(crate) const DW_AT_str_offsets_base: u64 = 0x72;
pub(crate) const DW_AT_addr_base: u64 = 0x73;
pub(crate) const DW_AT_rnglists_base: u64 = 0x74;
/// The linkage name before DWARF 4 named it (GCC and old LLVM).
pub(crate) const DW_AT_MIPS_linkage_name: u64 = 0x2007;

// Attribute forms (§7.5.6), and the GNU ones of split and alternate files.
pub(crate) const DW_FORM_addr: u64 = 0x01;
const DW_FORM_block2: u64 = 0x03;
const DW_FORM_block4: u64 = 0x04;
const DW_FORM_data2: u64 = 0x05;
const DW_FORM_data4: u64 = 0x06;
const DW_FORM_data8: u64 = 0x07;
const DW_FORM_string: u64 = 0x08;
const DW_FORM_block: u64 = 0x09;
const DW_FORM_block1: u64 = 0x0a;
const DW_FORM_data1: u64 = 0x0b;
const DW_FORM_flag: u64 = 0x0c;
const DW_FORM_sdata: u64 = 0x0d;
pub(crate) const DW_FORM_strp: u64 = 0x0e;
const DW_FORM_udata: u64 = 0x0f;
pub(crate) const DW_FORM_ref_addr: u64 = 0x10;
pub(crate) const DW_FORM_ref1: u64 = 0x11;
pub(crate) const DW_FORM_ref2: u64 = 0x12;
pub(crate) const DW_FORM_ref4: u64 = 0x13;
pub(crate) const DW_FORM_ref8: u64 = 0x14;
pub(crate) const DW_FORM_ref_udata: u64 = 0x15;
const DW_FORM_indirect: u64 = 0x16;
const DW_FORM_sec_offset: u64 = 0x17;
const DW_FORM_exprloc: u64 = 0x18;
const DW_FORM_flag_present: u64 = 0x19;
pub(crate) const DW_FORM_strx: u64 = 0x1a;
pub(crate) const DW_FORM_addrx: u64 = 0x1b;
const DW_FORM_ref_sup4: u64 = 0x1c;
const DW_FORM_strp_sup: u64 = 0x1d;
const DW_FORM_data16: u64 = 0x1e;
pub(crate) const DW_FORM_line_strp: u64 = 0x1f;
const DW_FORM_ref_sig8: u64 = 0x20;
const DW_FORM_implicit_const: u64 = 0x21;
const DW_FORM_loclistx: u64 = 0x22;
pub(crate) const DW_FORM_rnglistx: u64 = 0x23;
const DW_FORM_ref_sup8: u64 = 0x24;
pub(crate) const DW_FORM_strx1: u64 = 0x25;
pub(crate) const DW_FORM_strx2: u64 = 0x26;
pub(crate) const DW_FORM_strx3: u64 = 0x27;
pub(crate) const DW_FORM_strx4: u64 = 0x28;
pub(crate) const DW_FORM_addrx1: u64 = 0x29;
pub(crate) const DW_FORM_addrx2: u64 = 0x2a;
pub(crate) const DW_FORM_addrx3: u64 = 0x2b;
pub(crate) const DW_FORM_addrx4: u64 = 0x2c;
pub(crate) const DW_FORM_GNU_addr_index: u64 = 0x1f01;
pub(crate) const DW_FORM_GNU_str_index: u64 = 0x1f02;
const DW_FORM_GNU_ref_alt: u64 = 0x1f20;
const DW_FORM_GNU_strp_alt: u64 = 0x1f21;
/// How deep `DW_FORM_indirect` may nest before the input counts as
/// malformed.
const MAX_INDIRECT: u32 = 4;
/// The widths of the fixed-size data forms.
const DATA16_SIZE: usize = 16;
const SIG8_SIZE: usize = 8;

/// A cursor over a section's bytes; every read is checked.
#[derive(Clone, Copy)]
pub(crate) struct Reader {
    pub(crate) data: &'static [u8],
    pub(crate) pos: usize,
}

impl Reader {
    pub(crate) fn new(data: &'static [u8], pos: usize) -> Reader {
        Reader { data, pos }
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.data.len()
    }

    pub(crate) fn bytes(&mut self, n: usize) -> Option<&'static [u8]> {
        let b = self.data.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos += n;
        Some(b)
    }

    pub(crate) fn u8(&mut self) -> Option<u8> {
        Some(*self.bytes(1)?.first()?)
    }

    pub(crate) fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.bytes(2)?.try_into().ok()?))
    }

    pub(crate) fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.bytes(4)?.try_into().ok()?))
    }

    pub(crate) fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.bytes(8)?.try_into().ok()?))
    }

    /// A little-endian unsigned integer of `size` bytes (at most 8).
    pub(crate) fn uint(&mut self, size: usize) -> Option<u64> {
        if size > 8 {
            return None;
        }
        let b = self.bytes(size)?;
        Some(b.iter().rev().fold(0, |v, &c| (v << 8) | u64::from(c)))
    }

    /// An offset of the unit's size (4 or 8 bytes).
    pub(crate) fn offset(&mut self, size: u8) -> Option<u64> {
        self.uint(usize::from(size))
    }

    /// An unsigned LEB128 number (§7.6); bits past the 64th are dropped.
    pub(crate) fn uleb(&mut self) -> Option<u64> {
        let (mut value, mut shift) = (0u64, 0u32);
        loop {
            let byte = self.u8()?;
            if shift < u64::BITS {
                value |= u64::from(byte & 0x7f) << shift;
            }
            shift = shift.saturating_add(7);
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
    }

    /// A signed LEB128 number (§7.6).
    pub(crate) fn sleb(&mut self) -> Option<i64> {
        let (mut value, mut shift) = (0u64, 0u32);
        loop {
            let byte = self.u8()?;
            if shift < u64::BITS {
                value |= u64::from(byte & 0x7f) << shift;
            }
            shift = shift.saturating_add(7);
            if byte & 0x80 == 0 {
                if shift < u64::BITS && byte & 0x40 != 0 {
                    value |= u64::MAX << shift;
                }
                return Some(value as i64);
            }
        }
    }

    /// A NUL-terminated string, without its NUL.
    pub(crate) fn cstr(&mut self) -> Option<&'static [u8]> {
        let s = cstr_at(self.data, self.pos)?;
        self.pos += s.len() + 1;
        Some(s)
    }

    pub(crate) fn skip(&mut self, n: u64) -> Option<()> {
        self.bytes(usize::try_from(n).ok()?).map(|_| ())
    }
}

/// Reads a unit's initial length (§7.4): the unit's length after it, and
/// the size of its offsets (4 for 32-bit DWARF, 8 for 64-bit).
pub(crate) fn initial_length(r: &mut Reader) -> Option<(usize, u8)> {
    match r.u32()? {
        DWARF64_ESCAPE => Some((usize::try_from(r.u64()?).ok()?, 8)),
        n if n >= DWARF_RESERVED_LENGTH => None,
        n => Some((n as usize, 4)),
    }
}

/// What a unit's attribute values are encoded with.
#[derive(Clone, Copy)]
pub(crate) struct Encoding {
    pub(crate) version: u16,
    pub(crate) offset_size: u8,
    pub(crate) address_size: u8,
}

/// An attribute value, as far as the symbolizer cares.
pub(crate) enum Value {
    Num(u64),
    Str(&'static [u8]),
    Other,
}

/// Reads (or skips) one attribute value of `form`; `implicit` is the
/// value a `DW_FORM_implicit_const` carries in its abbreviation. `None`
/// for a form this reader does not know (it cannot be skipped).
pub(crate) fn read_form(
    img: &Image,
    r: &mut Reader,
    form: u64,
    enc: Encoding,
    implicit: i64,
    depth: u32,
) -> Option<Value> {
    let string_in = |section: &'static [u8], off: u64| {
        usize::try_from(off)
            .ok()
            .and_then(|o| cstr_at(section, o))
            .map_or(Value::Other, Value::Str)
    };
    let v = match form {
        DW_FORM_addr => Value::Num(r.uint(usize::from(enc.address_size))?),
        DW_FORM_data1 | DW_FORM_ref1 | DW_FORM_flag | DW_FORM_strx1 | DW_FORM_addrx1 => {
            Value::Num(r.uint(1)?)
        }
        DW_FORM_data2 | DW_FORM_ref2 | DW_FORM_strx2 | DW_FORM_addrx2 => Value::Num(r.uint(2)?),
        DW_FORM_strx3 | DW_FORM_addrx3 => Value::Num(r.uint(3)?),
        DW_FORM_data4 | DW_FORM_ref4 | DW_FORM_ref_sup4 | DW_FORM_strx4 | DW_FORM_addrx4 => {
            Value::Num(r.uint(4)?)
        }
        DW_FORM_data8 | DW_FORM_ref8 | DW_FORM_ref_sup8 => Value::Num(r.uint(8)?),
        DW_FORM_ref_sig8 => r.skip(SIG8_SIZE as u64).map(|_| Value::Other)?,
        DW_FORM_data16 => r.skip(DATA16_SIZE as u64).map(|_| Value::Other)?,
        DW_FORM_udata
        | DW_FORM_ref_udata
        | DW_FORM_strx
        | DW_FORM_addrx
        | DW_FORM_loclistx
        | DW_FORM_rnglistx
        | DW_FORM_GNU_addr_index
        | DW_FORM_GNU_str_index => Value::Num(r.uleb()?),
        DW_FORM_sdata => Value::Num(r.sleb()? as u64),
        DW_FORM_implicit_const => Value::Num(implicit as u64),
        DW_FORM_flag_present => Value::Num(1),
        DW_FORM_string => Value::Str(r.cstr()?),
        DW_FORM_strp => string_in(img.debug_str, r.offset(enc.offset_size)?),
        DW_FORM_line_strp => string_in(img.debug_line_str, r.offset(enc.offset_size)?),
        DW_FORM_sec_offset | DW_FORM_strp_sup | DW_FORM_GNU_ref_alt | DW_FORM_GNU_strp_alt => {
            Value::Num(r.offset(enc.offset_size)?)
        }
        // DWARF 2 sized a DW_FORM_ref_addr as an address.
        DW_FORM_ref_addr if enc.version <= 2 => Value::Num(r.uint(usize::from(enc.address_size))?),
        DW_FORM_ref_addr => Value::Num(r.offset(enc.offset_size)?),
        DW_FORM_block1 => {
            let n = r.u8()?;
            r.skip(u64::from(n)).map(|_| Value::Other)?
        }
        DW_FORM_block2 => {
            let n = r.u16()?;
            r.skip(u64::from(n)).map(|_| Value::Other)?
        }
        DW_FORM_block4 => {
            let n = r.u32()?;
            r.skip(u64::from(n)).map(|_| Value::Other)?
        }
        DW_FORM_block | DW_FORM_exprloc => {
            let n = r.uleb()?;
            r.skip(n).map(|_| Value::Other)?
        }
        DW_FORM_indirect if depth < MAX_INDIRECT => {
            let actual = r.uleb()?;
            read_form(img, r, actual, enc, implicit, depth + 1)?
        }
        _ => return None,
    };
    Some(v)
}

/// The first address of code the linker dropped: 0 (GNU ld), or one of
/// the tombstones `-2`, `-1` (lld); no code lives there.
const DROPPED_LOW: u64 = 0;
const TOMBSTONE: u64 = u64::MAX - 1;

/// Whether code said to start at `lo` is code (not a dropped function).
pub(crate) fn is_code(lo: u64) -> bool {
    lo != DROPPED_LOW && lo < TOMBSTONE
}

/// A unit of `.debug_info`: where it, its end and its first DIE are, and
/// how its values are encoded.
#[derive(Clone, Copy)]
pub(crate) struct Unit {
    /// The offset of its header (what `DW_FORM_ref*` values count from).
    pub(crate) off: usize,
    /// Where the next unit starts.
    pub(crate) end: usize,
    pub(crate) enc: Encoding,
    /// `DW_UT_compile` for DWARF 2 to 4; [`DW_UT_unknown`] for a header
    /// this reader cannot read.
    pub(crate) unit_type: u8,
    /// Its abbreviation table's offset in `.debug_abbrev`.
    pub(crate) abbrev_off: usize,
    /// The offset of its first DIE.
    pub(crate) first_die: usize,
}

/// Reads the header of the unit at `off` of `.debug_info`: `None` only if
/// its length is unreadable or points past the section (the units after
/// it cannot be found); a header that cannot be read past its length
/// gives a unit of type [`DW_UT_unknown`].
pub(crate) fn unit_at(img: &Image, off: usize) -> Option<Unit> {
    let mut r = Reader::new(img.debug_info, off);
    let (len, offset_size) = initial_length(&mut r)?;
    let end = r
        .pos
        .checked_add(len)
        .filter(|&e| e <= img.debug_info.len())?;
    r.data = img.debug_info.get(..end)?;
    let mut unit = Unit {
        off,
        end,
        enc: Encoding {
            version: 0,
            offset_size,
            address_size: 0,
        },
        unit_type: DW_UT_unknown,
        abbrev_off: 0,
        first_die: end,
    };
    let _ = unit_header(&mut r, &mut unit);
    Some(unit)
}

/// The rest of [`unit_at`], from the unit's version on.
fn unit_header(r: &mut Reader, unit: &mut Unit) -> Option<()> {
    let version = r.u16()?;
    let offset_size = unit.enc.offset_size;
    let (unit_type, address_size, abbrev_off) = match version {
        2..=4 => {
            let abbrev = r.offset(offset_size)?;
            (DW_UT_compile, r.u8()?, abbrev)
        }
        5 => {
            let unit_type = r.u8()?;
            let address_size = r.u8()?;
            let abbrev = r.offset(offset_size)?;
            match unit_type {
                DW_UT_skeleton | DW_UT_split_compile => r.skip(SIG8_SIZE as u64)?, // dwo_id
                DW_UT_type | DW_UT_split_type => {
                    r.skip(SIG8_SIZE as u64)?; // type_signature
                    r.offset(offset_size)?; // type_offset
                }
                _ => {}
            }
            (unit_type, address_size, abbrev)
        }
        _ => return None,
    };
    unit.abbrev_off = usize::try_from(abbrev_off).ok()?;
    unit.enc.version = version;
    unit.enc.address_size = address_size;
    unit.first_die = r.pos;
    unit.unit_type = unit_type;
    Some(())
}

impl Unit {
    /// Whether its DIEs describe code: a compile, partial or skeleton unit
    /// (not a type unit, nor one this reader cannot read).
    pub(crate) fn has_code(&self) -> bool {
        matches!(
            self.unit_type,
            DW_UT_compile | DW_UT_partial | DW_UT_skeleton
        )
    }

    /// A reader of its DIEs, bounded by its end, at `pos`.
    pub(crate) fn reader(&self, img: &Image, pos: usize) -> Option<Reader> {
        Some(Reader::new(img.debug_info.get(..self.end)?, pos))
    }
}

/// One abbreviation (§7.5.3): the DIE's tag, whether children follow it,
/// and its attribute specifications, as a reader at the first one.
#[derive(Clone, Copy)]
pub(crate) struct Abbrev {
    pub(crate) tag: u64,
    pub(crate) has_children: bool,
    specs: Reader,
}

/// One attribute specification: the attribute, its form, and the value
/// of a `DW_FORM_implicit_const` (0 for the other forms).
#[derive(Clone, Copy)]
pub(crate) struct AttrSpec {
    pub(crate) name: u64,
    pub(crate) form: u64,
    pub(crate) implicit: i64,
}

/// `DW_CHILDREN_yes` (§7.5.3).
const DW_CHILDREN_yes: u8 = 1;

impl Abbrev {
    /// The next specification: `Some(None)` after the last, `None` if
    /// the table is malformed.
    pub(crate) fn next_spec(&mut self) -> Option<Option<AttrSpec>> {
        let name = self.specs.uleb()?;
        let form = self.specs.uleb()?;
        let implicit = if form == DW_FORM_implicit_const {
            self.specs.sleb()?
        } else {
            0
        };
        Some((name != 0 || form != 0).then_some(AttrSpec {
            name,
            form,
            implicit,
        }))
    }
}

/// The abbreviation declared at `decl` of `.debug_abbrev` (the offset
/// just past its code).
pub(crate) fn abbrev_at(img: &Image, decl: usize) -> Option<Abbrev> {
    let mut r = Reader::new(img.debug_abbrev, decl);
    let tag = r.uleb()?;
    let has_children = r.u8()? == DW_CHILDREN_yes;
    Some(Abbrev {
        tag,
        has_children,
        specs: r,
    })
}

/// Calls `f(code, decl)` for each abbreviation of the table at `off` of
/// `.debug_abbrev` in order (`decl` as [`abbrev_at`] takes it), until `f`
/// says false or the table ends; `None` if it is malformed before then.
pub(crate) fn for_each_abbrev(
    img: &Image,
    off: usize,
    f: &mut dyn FnMut(u64, usize) -> bool,
) -> Option<()> {
    let mut r = Reader::new(img.debug_abbrev, off);
    loop {
        let code = r.uleb()?;
        if code == 0 {
            return Some(()); // the end of the table
        }
        if !f(code, r.pos) {
            return Some(());
        }
        let _tag = r.uleb()?;
        let _has_children = r.u8()?;
        loop {
            let (name, form) = (r.uleb()?, r.uleb()?);
            if form == DW_FORM_implicit_const {
                r.sleb()?;
            }
            if name == 0 && form == 0 {
                break;
            }
        }
    }
}

/// Abbreviation `code` of the table at `off` of `.debug_abbrev`, looked
/// for from the table's start.
pub(crate) fn find_abbrev(img: &Image, off: usize, code: u64) -> Option<Abbrev> {
    if code == 0 {
        return None; // a null entry: no DIE
    }
    let mut decl = None;
    for_each_abbrev(img, off, &mut |c, d| {
        if c == code {
            decl = Some(d);
        }
        decl.is_none()
    })?;
    abbrev_at(img, decl?)
}
