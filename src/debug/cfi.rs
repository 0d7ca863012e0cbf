//! Stack unwinding by call frame information: one step from a frame's
//! registers to its caller's, the job of Go's `unwinder.next`
//! (traceback.go), which reads Go's own pc-to-sp tables; rt0 reads the
//! tables every x86-64 ELF toolchain emits instead. The formats: the LSB
//! Core specification's "Exception Frames" (`.eh_frame`, `.eh_frame_hdr`,
//! the `DW_EH_PE_*` pointer encodings, the augmentation strings) on top
//! of DWARF 4 §6.4 "Call Frame Information" (the `DW_CFA_*` instructions)
//! and §2.5 (the `DW_OP_*` subset compilers and assemblers emit for
//! x86-64 CFI); register numbers from the x86-64 psABI (figure 3.36).
//!
//! Why CFI and not frame pointers: release builds and the precompiled
//! `core` omit the rbp chain, while `.eh_frame` is always there (rustc
//! links with `--eh-frame-hdr`, linker.ld keeps `.eh_frame`), so a user
//! needs no extra flag. The asm of `src/arch/*.s` describes its frames
//! too (each file's header says how): an asynchronous preemption is a
//! signal frame whose caller is the interrupted function with its exact
//! registers, `systemstack` leads from g0 back to the goroutine's stack,
//! and the outermost frames (`_start`, `rt0_go`, `mstart`, `goexit`, the
//! clone children, `gogo`, `mcall` once on g0) end the walk.
//!
//! The tables: [`EhFrame::linked`] for the running program, bounded by
//! linker.ld's `__rt0_eh_frame_hdr_start/_end` and
//! `__rt0_eh_frame_start/_end` (in the host unit tests, the test binary's
//! own sections); with no usable `.eh_frame_hdr` search table (a link
//! without `--eh-frame-hdr`) a lookup scans `.eh_frame` instead.
//!
//! Invariants: no heap, no lock, no panic on any input: every read of the
//! tables goes through [`Reader`] (bounds-checked over the section
//! slices), every read of memory through the caller's `read` (which
//! refuses what it does not allow: a stack's bounds), every loop is
//! bounded by the bytes it consumes or by a fixed depth. A malformed
//! table, a pc without an FDE, an unsupported instruction or a refused
//! read gives `None`, which ends the walk.

// The constants keep the specifications' names (DW_CFA_advance_loc, ...).
#![allow(non_upper_case_globals)]

// ---- DWARF register numbers, x86-64 psABI figure 3.36 ----

/// `rax`.
pub(crate) const RAX: usize = 0;
/// `rdx`.
pub(crate) const RDX: usize = 1;
/// `rcx`.
pub(crate) const RCX: usize = 2;
/// `rbx`.
pub(crate) const RBX: usize = 3;
/// `rsi`.
pub(crate) const RSI: usize = 4;
/// `rdi`.
pub(crate) const RDI: usize = 5;
/// `rbp`.
pub(crate) const RBP: usize = 6;
/// `rsp`.
pub(crate) const RSP: usize = 7;
/// `r8`; `r9`..`r15` follow as 9..15.
pub(crate) const R8: usize = 8;
/// `r12`, the first of the callee-saved r12..r15.
pub(crate) const R12: usize = 12;
/// `r15`.
pub(crate) const R15: usize = 15;
/// The return address column: the pc.
pub(crate) const RA: usize = 16;
/// Registers tracked: the general registers and the return address (the
/// psABI numbers the vector and x87 registers from 17; their rules are
/// read and ignored).
pub(crate) const NREGS: usize = 17;

// ---- .eh_frame_hdr and pointer encodings (LSB Core, "Exception Frames") ----

/// The only `.eh_frame_hdr` version.
const EH_FRAME_HDR_VERSION: u8 = 1;
/// The value as a pointer-sized (8-byte) word.
const DW_EH_PE_absptr: u8 = 0x00;
/// Unsigned LEB128.
const DW_EH_PE_uleb128: u8 = 0x01;
/// 2-byte unsigned.
const DW_EH_PE_udata2: u8 = 0x02;
/// 4-byte unsigned.
const DW_EH_PE_udata4: u8 = 0x03;
/// 8-byte unsigned.
const DW_EH_PE_udata8: u8 = 0x04;
/// Signed LEB128.
const DW_EH_PE_sleb128: u8 = 0x09;
/// 2-byte signed.
const DW_EH_PE_sdata2: u8 = 0x0a;
/// 4-byte signed.
const DW_EH_PE_sdata4: u8 = 0x0b;
/// 8-byte signed.
const DW_EH_PE_sdata8: u8 = 0x0c;
/// The low nibble: the value's format.
const DW_EH_PE_FORMAT_MASK: u8 = 0x0f;
/// Relative to the address of the encoded value itself.
const DW_EH_PE_pcrel: u8 = 0x10;
/// Relative to the start of the text: not supported (no base given).
#[cfg(test)]
const DW_EH_PE_textrel: u8 = 0x20;
/// Relative to the data base: `.eh_frame_hdr`'s own address there.
const DW_EH_PE_datarel: u8 = 0x30;
/// Bits 4..6: what the value is relative to.
const DW_EH_PE_APPLICATION_MASK: u8 = 0x70;
/// The value is the address of the pointer: not followed (given up).
const DW_EH_PE_indirect: u8 = 0x80;
/// No value.
const DW_EH_PE_omit: u8 = 0xff;

// ---- CIE and FDE (LSB Core; DWARF 4 §6.4.1) ----

/// A length field of this value says a 64-bit length follows.
const EXTENDED_LENGTH: u32 = 0xffff_ffff;
/// The CIE id in `.eh_frame` (an FDE has its CIE pointer there instead).
const CIE_ID: u32 = 0;
/// The CIE versions `.eh_frame` uses (1; 3 has a LEB128 return register).
const CIE_VERSION_1: u8 = 1;
/// See [`CIE_VERSION_1`].
const CIE_VERSION_3: u8 = 3;
/// Augmentation characters longer than this are garbage.
const MAX_AUGMENTATION: usize = 8;

// ---- Call frame instructions (DWARF 4 §6.4.2, GNU extensions) ----

/// The high two bits of a "primary" opcode; the low six are its operand.
const DW_CFA_PRIMARY_MASK: u8 = 0xc0;
/// The low six bits of a primary opcode.
const DW_CFA_OPERAND_MASK: u8 = 0x3f;
const DW_CFA_advance_loc: u8 = 0x40;
const DW_CFA_offset: u8 = 0x80;
const DW_CFA_restore: u8 = 0xc0;
const DW_CFA_nop: u8 = 0x00;
const DW_CFA_set_loc: u8 = 0x01;
const DW_CFA_advance_loc1: u8 = 0x02;
const DW_CFA_advance_loc2: u8 = 0x03;
const DW_CFA_advance_loc4: u8 = 0x04;
const DW_CFA_offset_extended: u8 = 0x05;
const DW_CFA_restore_extended: u8 = 0x06;
const DW_CFA_undefined: u8 = 0x07;
const DW_CFA_same_value: u8 = 0x08;
const DW_CFA_register: u8 = 0x09;
const DW_CFA_remember_state: u8 = 0x0a;
const DW_CFA_restore_state: u8 = 0x0b;
const DW_CFA_def_cfa: u8 = 0x0c;
const DW_CFA_def_cfa_register: u8 = 0x0d;
const DW_CFA_def_cfa_offset: u8 = 0x0e;
const DW_CFA_def_cfa_expression: u8 = 0x0f;
const DW_CFA_expression: u8 = 0x10;
const DW_CFA_offset_extended_sf: u8 = 0x11;
const DW_CFA_def_cfa_sf: u8 = 0x12;
const DW_CFA_def_cfa_offset_sf: u8 = 0x13;
const DW_CFA_val_offset: u8 = 0x14;
const DW_CFA_val_offset_sf: u8 = 0x15;
const DW_CFA_val_expression: u8 = 0x16;
const DW_CFA_GNU_args_size: u8 = 0x2e;
const DW_CFA_GNU_negative_offset_extended: u8 = 0x2f;

/// How many `DW_CFA_remember_state`s may be outstanding (compilers use 1).
const REMEMBER_DEPTH: usize = 8;

// ---- DWARF expressions (DWARF 4 §2.5), the subset used in CFI ----

const DW_OP_addr: u8 = 0x03;
const DW_OP_deref: u8 = 0x06;
const DW_OP_const1u: u8 = 0x08;
const DW_OP_const1s: u8 = 0x09;
const DW_OP_const2u: u8 = 0x0a;
const DW_OP_const2s: u8 = 0x0b;
const DW_OP_const4u: u8 = 0x0c;
const DW_OP_const4s: u8 = 0x0d;
const DW_OP_const8u: u8 = 0x0e;
const DW_OP_const8s: u8 = 0x0f;
const DW_OP_constu: u8 = 0x10;
const DW_OP_consts: u8 = 0x11;
const DW_OP_dup: u8 = 0x12;
const DW_OP_drop: u8 = 0x13;
const DW_OP_over: u8 = 0x14;
const DW_OP_swap: u8 = 0x16;
const DW_OP_and: u8 = 0x1a;
const DW_OP_minus: u8 = 0x1c;
const DW_OP_mul: u8 = 0x1e;
const DW_OP_neg: u8 = 0x1f;
const DW_OP_not: u8 = 0x20;
const DW_OP_or: u8 = 0x21;
const DW_OP_plus: u8 = 0x22;
const DW_OP_plus_uconst: u8 = 0x23;
const DW_OP_shl: u8 = 0x24;
const DW_OP_shr: u8 = 0x25;
const DW_OP_shra: u8 = 0x26;
const DW_OP_xor: u8 = 0x27;
const DW_OP_eq: u8 = 0x29;
const DW_OP_ge: u8 = 0x2a;
const DW_OP_gt: u8 = 0x2b;
const DW_OP_le: u8 = 0x2c;
const DW_OP_lt: u8 = 0x2d;
const DW_OP_ne: u8 = 0x2e;
const DW_OP_lit0: u8 = 0x30;
const DW_OP_lit31: u8 = 0x4f;
const DW_OP_breg0: u8 = 0x70;
const DW_OP_breg31: u8 = 0x8f;
const DW_OP_bregx: u8 = 0x92;
const DW_OP_deref_size: u8 = 0x94;
const DW_OP_nop: u8 = 0x96;

/// The expression stack's depth (CFI expressions use two or three).
const EXPR_STACK: usize = 16;

// ---- Registers and frames ----

/// A frame's registers by DWARF number, each known or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Regs {
    r: [u64; NREGS],
    /// Bit n: `r[n]` is known.
    valid: u32,
}

impl Regs {
    /// No register known.
    pub(crate) const fn empty() -> Regs {
        Regs {
            r: [0; NREGS],
            valid: 0,
        }
    }

    /// The registers a walk starts from: pc, sp and bp (a report's own
    /// frame, a goroutine's saved context); the others unknown.
    pub(crate) fn new(pc: u64, sp: u64, bp: u64) -> Regs {
        let mut regs = Regs::empty();
        regs.set(RA, pc);
        regs.set(RSP, sp);
        regs.set(RBP, bp);
        regs
    }

    /// Every general register and the pc, as a signal context gives them
    /// (`gregs` by DWARF number, `gregs[RA]` the pc).
    pub(crate) fn from_all(gregs: [u64; NREGS]) -> Regs {
        Regs {
            r: gregs,
            valid: (1 << NREGS) - 1,
        }
    }

    /// Sets register `reg` (a DWARF number; one not tracked is ignored).
    pub(crate) fn set(&mut self, reg: usize, val: u64) {
        if let Some(slot) = self.r.get_mut(reg) {
            *slot = val;
            self.valid |= 1 << reg;
        }
    }

    /// Register `reg`, if known.
    pub(crate) fn get(&self, reg: usize) -> Option<u64> {
        let val = *self.r.get(reg)?;
        (self.valid & (1 << reg) != 0).then_some(val)
    }

    /// The pc (0 if unknown: never in a frame from [`Regs::new`] or a step).
    pub(crate) fn pc(&self) -> u64 {
        self.get(RA).unwrap_or(0)
    }

    /// The stack pointer (0 if unknown: never in a frame from
    /// [`Regs::new`] or a step).
    pub(crate) fn sp(&self) -> u64 {
        self.get(RSP).unwrap_or(0)
    }

    /// The frame pointer, if known (a frame that does not save rbp keeps
    /// its caller's).
    #[cfg(test)]
    pub(crate) fn bp(&self) -> Option<u64> {
        self.get(RBP)
    }
}

/// One frame of a walk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Frame {
    pub(crate) regs: Regs,
    /// The pc is not a return address but the next instruction to run: the
    /// first frame of a signal or interrupt context, a saved resume pc
    /// (`gp.sched.pc`), or the frame a signal frame (CIE augmentation `S`)
    /// returns to. Such a pc is looked up as it is; a return address as
    /// pc-1, inside the call.
    pub(crate) exact: bool,
}

impl Frame {
    /// The first frame of a walk.
    pub(crate) fn new(regs: Regs, exact: bool) -> Frame {
        Frame { regs, exact }
    }

    /// The address that names this frame's function and line: the pc when
    /// exact, else pc-1 (the call instruction, not what follows it).
    pub(crate) fn lookup_pc(&self) -> u64 {
        let pc = self.regs.pc();
        if self.exact { pc } else { pc.wrapping_sub(1) }
    }
}

/// Whether a register keeps its value across a call (psABI 3.2.1): rbx,
/// rbp, r12-r15 (and rsp, which is the CFA).
fn callee_saved(reg: usize) -> bool {
    reg == RBX || reg == RBP || (R12..=R15).contains(&reg)
}

// ---- The bounds-checked reader ----

/// A cursor over one table's bytes; `addr` is the address `buf[0]` is
/// loaded at (for pc-relative values). Every read is checked: past the
/// end it gives `None`.
#[derive(Clone, Copy)]
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    addr: u64,
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8], addr: u64, pos: usize) -> Reader<'a> {
        Reader { buf, pos, addr }
    }

    /// The address of the next byte.
    fn here(&self) -> u64 {
        self.addr.wrapping_add(self.pos as u64)
    }

    fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }

    /// The same reader ending `len` bytes from here.
    fn limit(&self, len: usize) -> Option<Reader<'a>> {
        let end = self.pos.checked_add(len)?;
        Some(Reader {
            buf: self.buf.get(..end)?,
            pos: self.pos,
            addr: self.addr,
        })
    }

    fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }

    fn skip(&mut self, n: usize) -> Option<()> {
        self.bytes(n).map(|_| ())
    }

    fn u8(&mut self) -> Option<u8> {
        let b = *self.buf.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.bytes(2)?.try_into().ok()?))
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.bytes(4)?.try_into().ok()?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.bytes(8)?.try_into().ok()?))
    }

    /// Unsigned LEB128 (DWARF 4 §7.6): at most 10 bytes, the bits beyond
    /// 64 dropped.
    fn uleb(&mut self) -> Option<u64> {
        let mut val = 0u64;
        for i in 0..10 {
            let b = self.u8()?;
            if let Some(bits) = u64::from(b & 0x7f).checked_shl(7 * i) {
                val |= bits;
            }
            if b & 0x80 == 0 {
                return Some(val);
            }
        }
        None
    }

    /// Signed LEB128 (DWARF 4 §7.6), sign-extended from its last byte.
    fn sleb(&mut self) -> Option<i64> {
        let mut val = 0u64;
        let mut shift = 0u32;
        for _ in 0..10 {
            let b = self.u8()?;
            if let Some(bits) = u64::from(b & 0x7f).checked_shl(shift) {
                val |= bits;
            }
            shift += 7;
            if b & 0x80 == 0 {
                if shift < 64 && b & 0x40 != 0 {
                    val |= u64::MAX << shift;
                }
                return Some(val as i64);
            }
        }
        None
    }

    /// A LEB128 length or register number as a usize.
    fn uleb_usize(&mut self) -> Option<usize> {
        usize::try_from(self.uleb()?).ok()
    }

    /// A value in the format of `enc`'s low nibble, sign-extended for the
    /// signed formats (no base applied).
    fn value(&mut self, enc: u8) -> Option<u64> {
        Some(match enc & DW_EH_PE_FORMAT_MASK {
            DW_EH_PE_absptr | DW_EH_PE_udata8 | DW_EH_PE_sdata8 => self.u64()?,
            DW_EH_PE_uleb128 => self.uleb()?,
            DW_EH_PE_udata2 => u64::from(self.u16()?),
            DW_EH_PE_udata4 => u64::from(self.u32()?),
            DW_EH_PE_sleb128 => self.sleb()? as u64,
            DW_EH_PE_sdata2 => self.u16()? as i16 as i64 as u64,
            DW_EH_PE_sdata4 => self.u32()? as i32 as i64 as u64,
            _ => return None,
        })
    }

    /// A pointer encoded as `enc`: pc-relative to its own address, or
    /// data-relative to `data_base` where one is given. Omitted values,
    /// indirect ones and the other bases give `None`.
    fn pointer(&mut self, enc: u8, data_base: Option<u64>) -> Option<u64> {
        if enc == DW_EH_PE_omit || enc & DW_EH_PE_indirect != 0 {
            return None;
        }
        let here = self.here();
        let v = self.value(enc)?;
        match enc & DW_EH_PE_APPLICATION_MASK {
            0 => Some(v),
            DW_EH_PE_pcrel => Some(here.wrapping_add(v)),
            DW_EH_PE_datarel => Some(data_base?.wrapping_add(v)),
            _ => None,
        }
    }
}

/// Bytes of a fixed-size encoded value (the search table's entries must
/// be); `None` for LEB128 and unknown formats.
fn fixed_size(enc: u8) -> Option<usize> {
    match enc & DW_EH_PE_FORMAT_MASK {
        DW_EH_PE_absptr | DW_EH_PE_udata8 | DW_EH_PE_sdata8 => Some(8),
        DW_EH_PE_udata2 | DW_EH_PE_sdata2 => Some(2),
        DW_EH_PE_udata4 | DW_EH_PE_sdata4 => Some(4),
        _ => None,
    }
}

// ---- CIEs and FDEs ----

/// One `.eh_frame` record: where its body starts and ends.
struct Record<'a> {
    /// The offset of the id (CIE) or CIE pointer (FDE) field.
    id_pos: usize,
    id: u32,
    /// The rest of the record, after the id.
    body: Reader<'a>,
    /// The offset of the next record.
    next: usize,
}

/// A Common Information Entry: what its FDEs share.
#[derive(Clone, Copy)]
struct Cie<'a> {
    code_align: u64,
    data_align: i64,
    /// The return address column.
    ra: usize,
    /// How the FDEs' addresses are encoded (`R`; absptr without one).
    fde_enc: u8,
    /// The FDEs have augmentation data (`z`).
    has_data: bool,
    /// A signal frame (`S`): the frame it returns to is exact.
    signal: bool,
    /// The initial instructions.
    insns: Reader<'a>,
}

/// A Frame Description Entry: the code range it covers and its
/// instructions.
#[derive(Clone, Copy)]
struct Fde<'a> {
    start: u64,
    end: u64,
    cie: Cie<'a>,
    insns: Reader<'a>,
}

/// A register's rule in a row of the table (DWARF 4 §6.4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rule {
    /// No instruction named it: the default (kept across a call if
    /// callee-saved, the CFA for rsp).
    Unset,
    Undefined,
    SameValue,
    /// Saved at CFA+N.
    Offset(i64),
    /// The value CFA+N.
    ValOffset(i64),
    /// In register R.
    Register(u16),
    /// Saved at the address the expression computes (CFA pushed first).
    Expression(Block),
    /// The value the expression computes (CFA pushed first).
    ValExpression(Block),
}

/// An expression's bytes: an offset and a length in `.eh_frame`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Block {
    pos: u32,
    len: u32,
}

/// How the CFA is computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CfaRule {
    /// Not defined yet (a table that never defines it is unusable).
    Unset,
    /// Register + offset.
    RegOffset(u16, i64),
    /// The value of the expression.
    Expression(Block),
}

/// One row of the table: the CFA and every tracked register's rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Row {
    cfa: CfaRule,
    regs: [Rule; NREGS],
}

impl Row {
    const EMPTY: Row = Row {
        cfa: CfaRule::Unset,
        regs: [Rule::Unset; NREGS],
    };
}

/// Where a lookup in the search table ended.
enum Search {
    /// No usable table: scan `.eh_frame` instead.
    NoTable,
    /// The table has no FDE for the pc.
    Miss,
    /// The FDE at this offset of `.eh_frame` may cover the pc.
    Found(usize),
}

/// The unwind tables of one loaded program: `.eh_frame_hdr` (may be
/// empty) and `.eh_frame`, each with the address it is loaded at.
#[derive(Clone, Copy)]
pub(crate) struct EhFrame<'a> {
    hdr: &'a [u8],
    hdr_addr: u64,
    frame: &'a [u8],
    frame_addr: u64,
}

impl<'a> EhFrame<'a> {
    /// Tables from their bytes and load addresses; `hdr` empty for none.
    pub(crate) const fn new(
        hdr: &'a [u8],
        hdr_addr: u64,
        frame: &'a [u8],
        frame_addr: u64,
    ) -> EhFrame<'a> {
        EhFrame {
            hdr,
            hdr_addr,
            frame,
            frame_addr,
        }
    }

    /// The start of the function whose FDE covers `pc` (its FDE's initial
    /// location): `pc` is a lookup pc ([`Frame::lookup_pc`]).
    #[cfg(test)]
    pub(crate) fn function_start(&self, pc: u64) -> Option<u64> {
        self.find_fde(pc).map(|fde| fde.start)
    }

    /// The caller's frame: `None` at the bottom of a stack (no FDE for the
    /// pc, or an undefined return address), or when the rules cannot be
    /// evaluated, or `read` refuses an address. `read` reads the u64 at an
    /// address, or refuses it; it is the walk's only access to memory.
    pub(crate) fn step(
        &self,
        frame: &Frame,
        read: &mut dyn FnMut(u64) -> Option<u64>,
    ) -> Option<Frame> {
        let regs = &frame.regs;
        let pc = regs.get(RA)?;
        let sp = regs.get(RSP)?;
        let lookup = frame.lookup_pc();
        let fde = self.find_fde(lookup)?;
        let row = self.row(&fde, lookup)?;
        let cfa = match row.cfa {
            CfaRule::Unset => return None,
            CfaRule::RegOffset(reg, off) => regs.get(usize::from(reg))?.wrapping_add(off as u64),
            CfaRule::Expression(b) => self.eval(b, regs, None, read)?,
        };
        let ra = fde.cie.ra;
        let mut caller = Regs::empty();
        for (reg, rule) in row.regs.iter().enumerate() {
            let val = match *rule {
                Rule::Unset if reg == ra => None,
                Rule::Unset if reg == RSP => Some(cfa),
                // A signal frame saves (or leaves) every register; a call
                // keeps only the callee-saved ones.
                Rule::Unset if fde.cie.signal || callee_saved(reg) => regs.get(reg),
                Rule::Unset | Rule::Undefined => None,
                Rule::SameValue => regs.get(reg),
                Rule::Offset(n) => Some(read(cfa.wrapping_add(n as u64))?),
                Rule::ValOffset(n) => Some(cfa.wrapping_add(n as u64)),
                Rule::Register(r) => regs.get(usize::from(r)),
                Rule::Expression(b) => {
                    let at = self.eval(b, regs, Some(cfa), read)?;
                    Some(read(at)?)
                }
                Rule::ValExpression(b) => Some(self.eval(b, regs, Some(cfa), read)?),
            };
            if let Some(v) = val {
                caller.set(reg, v);
            }
        }
        // The return address column is the caller's pc; a CIE naming
        // another column than RA would put it there.
        let caller_pc = caller.get(ra)?;
        caller.set(RA, caller_pc);
        let caller_sp = caller.get(RSP)?;
        // A zero return address marks the bottom; an unchanged frame
        // would repeat forever.
        if caller_pc == 0 || (caller_pc == pc && caller_sp == sp) {
            return None;
        }
        Some(Frame {
            regs: caller,
            exact: fde.cie.signal,
        })
    }

    /// The FDE covering `pc`: through the search table, or by a scan of
    /// `.eh_frame` when there is no usable table.
    fn find_fde(&self, pc: u64) -> Option<Fde<'a>> {
        match self.search(pc) {
            Search::Found(off) => self.fde_at(off).filter(|f| f.start <= pc && pc < f.end),
            Search::Miss => None,
            Search::NoTable => self.scan(pc),
        }
    }

    /// Binary search of `.eh_frame_hdr`'s table: (initial location, FDE
    /// address) pairs sorted by location, both `table_enc`, data-relative
    /// to the header.
    fn search(&self, pc: u64) -> Search {
        self.search_table(pc).unwrap_or(Search::NoTable)
    }

    fn search_table(&self, pc: u64) -> Option<Search> {
        let base = Some(self.hdr_addr);
        let mut r = Reader::new(self.hdr, self.hdr_addr, 0);
        if r.u8()? != EH_FRAME_HDR_VERSION {
            return None;
        }
        let ptr_enc = r.u8()?;
        let count_enc = r.u8()?;
        let table_enc = r.u8()?;
        // eh_frame_ptr: the section's address, which the caller gave.
        if ptr_enc != DW_EH_PE_omit {
            r.value(ptr_enc)?;
        }
        let count = usize::try_from(r.pointer(count_enc, base)?).ok()?;
        if table_enc == DW_EH_PE_omit || table_enc & DW_EH_PE_indirect != 0 {
            return None;
        }
        let entry = fixed_size(table_enc)?.checked_mul(2)?;
        let table = r.pos;
        if count.checked_mul(entry)? > self.hdr.len().checked_sub(table)? {
            return None;
        }
        let loc = |i: usize| -> Option<u64> {
            Reader::new(self.hdr, self.hdr_addr, table + i * entry).pointer(table_enc, base)
        };
        // The last entry whose location is <= pc: invariant loc(lo) <= pc
        // (once found) and every entry from hi on is > pc.
        let (mut lo, mut hi) = (0usize, count);
        if count == 0 || loc(0)? > pc {
            return Some(Search::Miss);
        }
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if loc(mid)? <= pc {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let mut e = Reader::new(self.hdr, self.hdr_addr, table + lo * entry + entry / 2);
        let fde_addr = e.pointer(table_enc, base)?;
        let off = usize::try_from(fde_addr.checked_sub(self.frame_addr)?).ok()?;
        Some(Search::Found(off))
    }

    /// A linear scan of `.eh_frame` for the FDE covering `pc` (a link
    /// without a search table). Bounded: each record is at least 4 bytes.
    fn scan(&self, pc: u64) -> Option<Fde<'a>> {
        let mut off = 0;
        while off < self.frame.len() {
            let rec = self.record(off)?;
            if rec.id != CIE_ID
                && let Some(fde) = self.fde_of(&rec)
                && fde.start <= pc
                && pc < fde.end
            {
                return Some(fde);
            }
            off = rec.next;
        }
        None
    }

    /// The record at `off`; `None` for the zero terminator or a bad length.
    fn record(&self, off: usize) -> Option<Record<'a>> {
        let mut r = Reader::new(self.frame, self.frame_addr, off);
        let len32 = r.u32()?;
        let len = match len32 {
            0 => return None,
            EXTENDED_LENGTH => usize::try_from(r.u64()?).ok()?,
            n => usize::try_from(n).ok()?,
        };
        let id_pos = r.pos;
        let mut body = r.limit(len)?;
        let next = body.buf.len();
        let id = body.u32()?;
        Some(Record {
            id_pos,
            id,
            body,
            next,
        })
    }

    /// The CIE at `off`.
    fn cie_at(&self, off: usize) -> Option<Cie<'a>> {
        let rec = self.record(off)?;
        if rec.id != CIE_ID {
            return None;
        }
        let mut r = rec.body;
        let version = r.u8()?;
        if version != CIE_VERSION_1 && version != CIE_VERSION_3 {
            return None;
        }
        let mut aug = [0u8; MAX_AUGMENTATION];
        let mut naug = 0;
        loop {
            let c = r.u8()?;
            if c == 0 {
                break;
            }
            *aug.get_mut(naug)? = c;
            naug += 1;
        }
        let aug = aug.get(..naug)?;
        // "eh": an old GCC's EH data pointer follows the string.
        let rest = match aug.strip_prefix(b"eh") {
            Some(rest) => {
                r.skip(8)?;
                rest
            }
            None => aug,
        };
        let code_align = r.uleb()?;
        let data_align = r.sleb()?;
        let ra = if version == CIE_VERSION_1 {
            usize::from(r.u8()?)
        } else {
            r.uleb_usize()?
        };
        let mut cie = Cie {
            code_align,
            data_align,
            ra,
            fde_enc: DW_EH_PE_absptr,
            has_data: false,
            signal: false,
            insns: r,
        };
        match rest.split_first() {
            Some((b'z', chars)) => {
                cie.has_data = true;
                let len = r.uleb_usize()?;
                let mut data = r.limit(len)?;
                for &c in chars {
                    match c {
                        b'R' => cie.fde_enc = data.u8()?,
                        b'L' => {
                            data.u8()?; // the LSDA's encoding, in the FDEs
                        }
                        b'P' => {
                            let enc = data.u8()?;
                            data.value(enc)?; // the personality routine
                        }
                        b'S' => cie.signal = true,
                        // Unknown data follows: the rest is skipped.
                        _ => break,
                    }
                }
                r.skip(len)?;
            }
            _ => {
                for &c in rest {
                    match c {
                        b'S' => cie.signal = true,
                        // Without 'z' an unknown character cannot be skipped.
                        _ => return None,
                    }
                }
            }
        }
        cie.insns = r;
        Some(cie)
    }

    /// The FDE at `off`.
    fn fde_at(&self, off: usize) -> Option<Fde<'a>> {
        let rec = self.record(off)?;
        if rec.id == CIE_ID {
            return None;
        }
        self.fde_of(&rec)
    }

    /// The FDE of a record whose id is a CIE pointer (the distance back
    /// from the pointer's own position to its CIE).
    fn fde_of(&self, rec: &Record<'a>) -> Option<Fde<'a>> {
        let cie_off = rec.id_pos.checked_sub(usize::try_from(rec.id).ok()?)?;
        let cie = self.cie_at(cie_off)?;
        let mut r = rec.body;
        let start = r.pointer(cie.fde_enc, None)?;
        let range = r.value(cie.fde_enc)?;
        if cie.has_data {
            let len = r.uleb_usize()?;
            r.skip(len)?;
        }
        Some(Fde {
            start,
            end: start.checked_add(range)?,
            cie,
            insns: r,
        })
    }

    /// The row of `fde`'s table for `pc`: the CIE's initial instructions,
    /// then the FDE's up to the first location past `pc`.
    fn row(&self, fde: &Fde<'a>, pc: u64) -> Option<Row> {
        let mut row = Row::EMPTY;
        let mut stack = [Row::EMPTY; REMEMBER_DEPTH];
        let mut depth = 0;
        let mut loc = fde.start;
        self.execute(
            fde,
            fde.cie.insns,
            None,
            &mut row,
            &mut stack,
            &mut depth,
            &mut loc,
            pc,
        )?;
        let initial = row;
        self.execute(
            fde,
            fde.insns,
            Some(&initial),
            &mut row,
            &mut stack,
            &mut depth,
            &mut loc,
            pc,
        )?;
        Some(row)
    }

    /// Runs call frame instructions into `row` until the location passes
    /// `pc` or the instructions end. `initial` is the row after the CIE's
    /// instructions (what `DW_CFA_restore` goes back to; `None` while
    /// running them). Each instruction consumes at least one byte.
    #[allow(clippy::too_many_arguments)]
    fn execute(
        &self,
        fde: &Fde<'a>,
        mut r: Reader<'a>,
        initial: Option<&Row>,
        row: &mut Row,
        stack: &mut [Row; REMEMBER_DEPTH],
        depth: &mut usize,
        loc: &mut u64,
        pc: u64,
    ) -> Option<()> {
        let cie = &fde.cie;
        let factored =
            |n: u64| -> Option<i64> { i64::try_from(n).ok()?.checked_mul(cie.data_align) };
        let restored = |reg: usize| -> Rule {
            initial
                .and_then(|i| i.regs.get(reg).copied())
                .unwrap_or(Rule::Unset)
        };
        while !r.is_empty() {
            let op = r.u8()?;
            let operand = op & DW_CFA_OPERAND_MASK;
            let mut advance = None;
            match op & DW_CFA_PRIMARY_MASK {
                DW_CFA_advance_loc => advance = Some(u64::from(operand)),
                DW_CFA_offset => {
                    let off = factored(r.uleb()?)?;
                    set_rule(row, usize::from(operand), Rule::Offset(off));
                }
                DW_CFA_restore => {
                    let reg = usize::from(operand);
                    set_rule(row, reg, restored(reg));
                }
                _ => match op {
                    DW_CFA_nop => {}
                    DW_CFA_GNU_args_size => {
                        r.uleb()?; // the outgoing arguments' size: not needed
                    }
                    DW_CFA_set_loc => {
                        let to = r.pointer(cie.fde_enc, None)?;
                        if to > pc {
                            return Some(());
                        }
                        *loc = to;
                    }
                    DW_CFA_advance_loc1 => advance = Some(u64::from(r.u8()?)),
                    DW_CFA_advance_loc2 => advance = Some(u64::from(r.u16()?)),
                    DW_CFA_advance_loc4 => advance = Some(u64::from(r.u32()?)),
                    DW_CFA_offset_extended => {
                        let reg = r.uleb_usize()?;
                        let off = factored(r.uleb()?)?;
                        set_rule(row, reg, Rule::Offset(off));
                    }
                    DW_CFA_offset_extended_sf => {
                        let reg = r.uleb_usize()?;
                        let off = r.sleb()?.checked_mul(cie.data_align)?;
                        set_rule(row, reg, Rule::Offset(off));
                    }
                    DW_CFA_GNU_negative_offset_extended => {
                        let reg = r.uleb_usize()?;
                        let off = factored(r.uleb()?)?.checked_neg()?;
                        set_rule(row, reg, Rule::Offset(off));
                    }
                    DW_CFA_restore_extended => {
                        let reg = r.uleb_usize()?;
                        set_rule(row, reg, restored(reg));
                    }
                    DW_CFA_undefined => set_rule(row, r.uleb_usize()?, Rule::Undefined),
                    DW_CFA_same_value => set_rule(row, r.uleb_usize()?, Rule::SameValue),
                    DW_CFA_register => {
                        let reg = r.uleb_usize()?;
                        let from = r.uleb_usize()?;
                        let rule = match u16::try_from(from) {
                            Ok(f) if from < NREGS => Rule::Register(f),
                            _ => Rule::Undefined, // in a register not tracked
                        };
                        set_rule(row, reg, rule);
                    }
                    DW_CFA_remember_state => {
                        *stack.get_mut(*depth)? = *row;
                        *depth += 1;
                    }
                    DW_CFA_restore_state => {
                        *depth = depth.checked_sub(1)?;
                        *row = *stack.get(*depth)?;
                    }
                    DW_CFA_def_cfa => {
                        let reg = cfa_register(r.uleb_usize()?)?;
                        let off = i64::try_from(r.uleb()?).ok()?;
                        row.cfa = CfaRule::RegOffset(reg, off);
                    }
                    DW_CFA_def_cfa_sf => {
                        let reg = cfa_register(r.uleb_usize()?)?;
                        let off = r.sleb()?.checked_mul(cie.data_align)?;
                        row.cfa = CfaRule::RegOffset(reg, off);
                    }
                    DW_CFA_def_cfa_register => {
                        let reg = cfa_register(r.uleb_usize()?)?;
                        match row.cfa {
                            CfaRule::RegOffset(_, off) => row.cfa = CfaRule::RegOffset(reg, off),
                            _ => return None,
                        }
                    }
                    DW_CFA_def_cfa_offset => {
                        let off = i64::try_from(r.uleb()?).ok()?;
                        match row.cfa {
                            CfaRule::RegOffset(reg, _) => row.cfa = CfaRule::RegOffset(reg, off),
                            _ => return None,
                        }
                    }
                    DW_CFA_def_cfa_offset_sf => {
                        let off = r.sleb()?.checked_mul(cie.data_align)?;
                        match row.cfa {
                            CfaRule::RegOffset(reg, _) => row.cfa = CfaRule::RegOffset(reg, off),
                            _ => return None,
                        }
                    }
                    DW_CFA_def_cfa_expression => row.cfa = CfaRule::Expression(block(&mut r)?),
                    DW_CFA_expression => {
                        let reg = r.uleb_usize()?;
                        set_rule(row, reg, Rule::Expression(block(&mut r)?));
                    }
                    DW_CFA_val_expression => {
                        let reg = r.uleb_usize()?;
                        set_rule(row, reg, Rule::ValExpression(block(&mut r)?));
                    }
                    DW_CFA_val_offset => {
                        let reg = r.uleb_usize()?;
                        let off = factored(r.uleb()?)?;
                        set_rule(row, reg, Rule::ValOffset(off));
                    }
                    DW_CFA_val_offset_sf => {
                        let reg = r.uleb_usize()?;
                        let off = r.sleb()?.checked_mul(cie.data_align)?;
                        set_rule(row, reg, Rule::ValOffset(off));
                    }
                    _ => return None,
                },
            }
            if let Some(delta) = advance {
                let to = loc.checked_add(delta.checked_mul(cie.code_align)?)?;
                if to > pc {
                    return Some(());
                }
                *loc = to;
            }
        }
        Some(())
    }

    /// Evaluates a DWARF expression over the frame's registers, `push`
    /// first on the stack if given (the CFA, for register rules).
    fn eval(
        &self,
        b: Block,
        regs: &Regs,
        push: Option<u64>,
        read: &mut dyn FnMut(u64) -> Option<u64>,
    ) -> Option<u64> {
        let start = usize::try_from(b.pos).ok()?;
        let mut r =
            Reader::new(self.frame, self.frame_addr, start).limit(usize::try_from(b.len).ok()?)?;
        let mut st = Stack {
            v: [0; EXPR_STACK],
            n: 0,
        };
        if let Some(v) = push {
            st.push(v)?;
        }
        while !r.is_empty() {
            let op = r.u8()?;
            match op {
                DW_OP_lit0..=DW_OP_lit31 => st.push(u64::from(op - DW_OP_lit0))?,
                DW_OP_breg0..=DW_OP_breg31 => {
                    let base = regs.get(usize::from(op - DW_OP_breg0))?;
                    st.push(base.wrapping_add(r.sleb()? as u64))?;
                }
                DW_OP_bregx => {
                    let base = regs.get(r.uleb_usize()?)?;
                    st.push(base.wrapping_add(r.sleb()? as u64))?;
                }
                DW_OP_addr | DW_OP_const8u | DW_OP_const8s => st.push(r.u64()?)?,
                DW_OP_const1u => st.push(u64::from(r.u8()?))?,
                DW_OP_const1s => st.push(r.u8()? as i8 as i64 as u64)?,
                DW_OP_const2u => st.push(u64::from(r.u16()?))?,
                DW_OP_const2s => st.push(r.u16()? as i16 as i64 as u64)?,
                DW_OP_const4u => st.push(u64::from(r.u32()?))?,
                DW_OP_const4s => st.push(r.u32()? as i32 as i64 as u64)?,
                DW_OP_constu => st.push(r.uleb()?)?,
                DW_OP_consts => st.push(r.sleb()? as u64)?,
                DW_OP_dup => {
                    let a = st.peek(0)?;
                    st.push(a)?;
                }
                DW_OP_over => {
                    let a = st.peek(1)?;
                    st.push(a)?;
                }
                DW_OP_drop => {
                    st.pop()?;
                }
                DW_OP_swap => {
                    let a = st.pop()?;
                    let b = st.pop()?;
                    st.push(a)?;
                    st.push(b)?;
                }
                DW_OP_deref => {
                    let a = st.pop()?;
                    st.push(read(a)?)?;
                }
                DW_OP_deref_size => {
                    let size = u32::from(r.u8()?);
                    let a = st.pop()?;
                    let v = read(a)?;
                    let v = match size {
                        1..=7 => v & ((1u64 << (8 * size)) - 1),
                        8 => v,
                        _ => return None,
                    };
                    st.push(v)?;
                }
                DW_OP_plus_uconst => {
                    let a = st.pop()?;
                    st.push(a.wrapping_add(r.uleb()?))?;
                }
                DW_OP_neg => {
                    let a = st.pop()?;
                    st.push((a as i64).wrapping_neg() as u64)?;
                }
                DW_OP_not => {
                    let a = st.pop()?;
                    st.push(!a)?;
                }
                DW_OP_and | DW_OP_or | DW_OP_xor | DW_OP_plus | DW_OP_minus | DW_OP_mul
                | DW_OP_shl | DW_OP_shr | DW_OP_shra | DW_OP_eq | DW_OP_ge | DW_OP_gt
                | DW_OP_le | DW_OP_lt | DW_OP_ne => {
                    // The second entry is the left operand, the top the right.
                    let b = st.pop()?;
                    let a = st.pop()?;
                    let (sa, sb) = (a as i64, b as i64);
                    let shift = u32::try_from(b).unwrap_or(u32::MAX);
                    st.push(match op {
                        DW_OP_and => a & b,
                        DW_OP_or => a | b,
                        DW_OP_xor => a ^ b,
                        DW_OP_plus => a.wrapping_add(b),
                        DW_OP_minus => a.wrapping_sub(b),
                        DW_OP_mul => a.wrapping_mul(b),
                        DW_OP_shl => a.checked_shl(shift).unwrap_or(0),
                        DW_OP_shr => a.checked_shr(shift).unwrap_or(0),
                        DW_OP_shra => sa.checked_shr(shift).unwrap_or(sa >> 63) as u64,
                        DW_OP_eq => u64::from(sa == sb),
                        DW_OP_ge => u64::from(sa >= sb),
                        DW_OP_gt => u64::from(sa > sb),
                        DW_OP_le => u64::from(sa <= sb),
                        DW_OP_lt => u64::from(sa < sb),
                        _ => u64::from(sa != sb), // DW_OP_ne
                    })?;
                }
                DW_OP_nop => {}
                _ => return None,
            }
        }
        st.pop()
    }
}

/// The expression stack.
struct Stack {
    v: [u64; EXPR_STACK],
    n: usize,
}

impl Stack {
    fn push(&mut self, x: u64) -> Option<()> {
        *self.v.get_mut(self.n)? = x;
        self.n += 1;
        Some(())
    }

    fn pop(&mut self) -> Option<u64> {
        self.n = self.n.checked_sub(1)?;
        self.v.get(self.n).copied()
    }

    /// The entry `i` below the top.
    fn peek(&self, i: usize) -> Option<u64> {
        self.v.get(self.n.checked_sub(i + 1)?).copied()
    }
}

/// Sets `reg`'s rule; rules for registers not tracked are dropped.
fn set_rule(row: &mut Row, reg: usize, rule: Rule) {
    if let Some(slot) = row.regs.get_mut(reg) {
        *slot = rule;
    }
}

/// A CFA register: a tracked one, or the table is unusable.
fn cfa_register(reg: usize) -> Option<u16> {
    if reg < NREGS {
        u16::try_from(reg).ok()
    } else {
        None
    }
}

/// An expression block (a LEB128 length, then the bytes), skipped over.
fn block(r: &mut Reader<'_>) -> Option<Block> {
    let len = r.uleb_usize()?;
    let pos = r.pos;
    r.skip(len)?;
    Some(Block {
        pos: u32::try_from(pos).ok()?,
        len: u32::try_from(len).ok()?,
    })
}

// ---- The running program's tables ----

#[cfg(not(test))]
unsafe extern "C" {
    // linker.ld: around the .eh_frame_hdr and .eh_frame output sections.
    static __rt0_eh_frame_hdr_start: u8;
    static __rt0_eh_frame_hdr_end: u8;
    static __rt0_eh_frame_start: u8;
    static __rt0_eh_frame_end: u8;
}

/// The running program's tables, bounded by linker.ld's symbols.
#[cfg(not(test))]
pub(crate) fn linked() -> EhFrame<'static> {
    let hdr = &raw const __rt0_eh_frame_hdr_start;
    let hdr_end = &raw const __rt0_eh_frame_hdr_end as usize;
    let frame = &raw const __rt0_eh_frame_start;
    let frame_end = &raw const __rt0_eh_frame_end as usize;
    let hdr_len = hdr_end.saturating_sub(hdr as usize);
    let frame_len = frame_end.saturating_sub(frame as usize);
    // SAFETY: the linker script defines each pair around its output
    // section (start <= end; empty when the section is), in the read-only
    // segment, which is mapped and never written for the process's life.
    let (hdr_bytes, frame_bytes) = unsafe {
        (
            core::slice::from_raw_parts(hdr, hdr_len),
            core::slice::from_raw_parts(frame, frame_len),
        )
    };
    EhFrame::new(hdr_bytes, hdr as u64, frame_bytes, frame as u64)
}

/// The host test binary's own tables (its `.eh_frame_hdr` and `.eh_frame`
/// sections, found in /proc/self/exe and moved by the load bias).
#[cfg(test)]
pub(crate) fn linked() -> EhFrame<'static> {
    tests::host_tables()
}

/// The start of the function containing `pc` (a lookup pc), from its FDE,
/// in the running program (the tests' oracle; the printer names
/// functions from the symbol table).
#[cfg(test)]
pub(crate) fn function_start(pc: u64) -> Option<u64> {
    linked().function_start(pc)
}

/// The caller of `frame` in the running program ([`EhFrame::step`]).
pub(crate) fn step(frame: &Frame, read: &mut dyn FnMut(u64) -> Option<u64>) -> Option<Frame> {
    linked().step(frame, read)
}

#[cfg(test)]
mod tests;
