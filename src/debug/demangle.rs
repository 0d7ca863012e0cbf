//! Rust symbol names as a reader writes them: the step from a linker's
//! name to a printed one that Go's `funcNameForPrint` (symtab.go) takes
//! for Go's names, here for the two schemes rustc mangles with:
//!
//! - **v0** (`_R...`), RFC 2603 "Rust Symbol Mangling (v0)" and the
//!   rustc book's "v0 Symbol Format": a path (crate roots `C`, nested
//!   paths `N` in a namespace, impls `M`/`X`, trait definitions `Y`,
//!   generic arguments `I`, backrefs `B`) over a grammar of types,
//!   lifetimes and constants; an optional instantiating crate follows.
//! - **legacy** (`_ZN...E`): length-prefixed identifiers, the last one
//!   usually the hash `h` + 16 hex digits, with `$..$` escapes for the
//!   characters a symbol cannot hold (`$LT$` `<`, `$u20$` ` `, ...) and
//!   `..` for `::`.
//!
//! The output is what the `rustc-demangle` crate prints in its alternate
//! form (`{:#}`: no hash, no crate disambiguators, no integer suffixes),
//! the form of Rust's own backtraces: the host tests compare the two on
//! every symbol of real binaries (`demangle/tests.rs` names the classes
//! that differ: characters of char and str constants that Unicode calls
//! unprintable, which rt0 writes as they are, having no Unicode tables;
//! names nested past [`MAX_DEPTH`]; malformed names). Punycode
//! identifiers (`u...`) are decoded (RFC 3492), up to
//! [`PUNYCODE_MAX_CHARS`] characters; longer ones print as
//! `punycode{...}`, as `rustc-demangle` prints them.
//!
//! Before either scheme, the suffixes LLVM appends are dropped: `.N`
//! (decimal: a copy of a local symbol, several instances of one generic
//! function under LTO), `.llvm.N` and `.llvm.HEX` (a ThinLTO promotion);
//! another `.word` suffix (`.cold`) is kept and printed after the name.
//!
//! A v0 name is read twice: once without output, to check that it is
//! one (backrefs are not followed then: each one points before itself,
//! so that pass is linear), then again printing it. A name that does
//! not parse is not Rust's: [`write_symbol`] prints it as it is.
//!
//! Invariants: no heap, no lock, no `core::fmt` formatting (only
//! `Write::write_str`), no panic on any input (every read is checked),
//! bounded work: the grammar's recursion stops at [`MAX_DEPTH`] levels
//! (~10 KiB of stack: this runs on signal stacks), and a name stops at
//! [`MAX_NODES`] grammar nodes or [`MAX_OUTPUT`] bytes of output (a
//! backref may repeat a subtree, so a short name may stand for a huge
//! one); past a bound the name so far is followed by `?`.
//!
//! Size: every function is `#[cold]` (it runs only when a report or a
//! stack is written), which keeps LLVM from inlining and unrolling it
//! into its callers; the grammar's recursive functions and the writers
//! are `#[inline(never)]`, so each `put` is a call, and their frames stay
//! small. About 12.6 KB of code (`rustc-demangle` with `core::fmt` took
//! 50 KB of the stripped hello).

use core::fmt::{self, Write};

/// How deep the v0 grammar may nest (paths, types, constants and
/// backrefs each count one level, as in `rustc-demangle`, which allows
/// 500): at most ~160 bytes of stack a level (the host tests measure
/// it), so ~10 KiB at the bound. Names of std and of the rt0 programs
/// need at most 33 levels; of the 240,000 names of rustc's own
/// `librustc_driver`, 10 need more than 64 (up to 95).
pub(crate) const MAX_DEPTH: u32 = 64;
/// How many paths, types and constants one v0 name may print (the
/// longest real names have a few hundred).
pub(crate) const MAX_NODES: u32 = 1 << 14;
/// How many bytes one demangled name may have (the longest real ones
/// have a few thousand).
pub(crate) const MAX_OUTPUT: usize = 1 << 16;
/// How many characters a punycode identifier may decode to.
pub(crate) const PUNYCODE_MAX_CHARS: usize = 128;

// Bootstring parameters for Punycode (RFC 3492, 5. "Parameter values for
// Punycode").
const PUNY_BASE: u64 = 36;
const PUNY_TMIN: u64 = 1;
const PUNY_TMAX: u64 = 26;
const PUNY_SKEW: u64 = 38;
const PUNY_DAMP: u64 = 700;
const PUNY_INITIAL_BIAS: u64 = 72;
const PUNY_INITIAL_N: u64 = 0x80;

/// Writes the symbol name `mangled` to `w`: demangled if it is Rust's,
/// else as it is, bytes that are not UTF-8 as `?`.
#[cold]
pub(crate) fn write_symbol(w: &mut dyn Write, mangled: &[u8]) -> fmt::Result {
    if let Some(done) = write_demangled(w, mangled) {
        return done;
    }
    for chunk in mangled.utf8_chunks() {
        w.write_str(chunk.valid())?;
        if !chunk.invalid().is_empty() {
            w.write_str("?")?;
        }
    }
    Ok(())
}

/// Writes the Rust symbol `mangled` demangled (module note) to `w`:
/// `None` (and nothing written) if it is not one.
#[cold]
pub(crate) fn write_demangled(w: &mut dyn Write, mangled: &[u8]) -> Option<fmt::Result> {
    let name = without_llvm_suffixes(mangled);
    // Both schemes are ASCII, and so is any suffix kept.
    if !name.is_ascii() {
        return None;
    }
    if let Some(inner) = strip_prefix(name, &[b"_ZN", b"ZN", b"__ZN"]) {
        return legacy(w, inner);
    }
    // `R` and `__R` (and `ZN`, `__ZN` above): the forms other platforms'
    // tools leave, which `rustc-demangle` accepts too.
    let inner = strip_prefix(name, &[b"_R", b"R", b"__R"])?;
    v0(w, inner)
}

/// `name` without LLVM's `.N`, `.llvm.N` and `.llvm.HEX` suffixes
/// (module note).
#[cold]
fn without_llvm_suffixes(mut name: &[u8]) -> &[u8] {
    const LLVM: &[u8] = b".llvm";
    const LLVM_DOT: &[u8] = b".llvm.";
    while let Some(dot) = name.iter().rposition(|&c| c == b'.') {
        let (head, tail) = (&name[..dot], &name[dot + 1..]);
        if tail.is_empty() || !tail.iter().all(u8::is_ascii_digit) {
            break;
        }
        name = head.strip_suffix(LLVM).unwrap_or(head);
    }
    // The other form: upper-case hex digits (or `@`) after the first
    // `.llvm.`, as `rustc-demangle` drops them.
    if let Some(at) = find(name, LLVM_DOT)
        && name[at + LLVM_DOT.len()..]
            .iter()
            .all(|&c| matches!(c, b'0'..=b'9' | b'A'..=b'F' | b'@'))
    {
        name = &name[..at];
    }
    name
}

/// Where `needle` first occurs in `hay`.
#[cold]
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// `name` without the first of `prefixes` it starts with.
#[cold]
fn strip_prefix<'a>(name: &'a [u8], prefixes: &[&[u8]]) -> Option<&'a [u8]> {
    for p in prefixes {
        if let Some(rest) = name.strip_prefix(*p) {
            return Some(rest);
        }
    }
    None
}

/// Whether what follows a name may be printed after it: nothing, or
/// `.` and printable ASCII (`.cold`, `.part.0`).
#[cold]
fn is_suffix(s: &[u8]) -> bool {
    s.is_empty() || (s[0] == b'.' && s.iter().all(u8::is_ascii_graphic))
}

#[cold]
#[inline(never)]
fn put(w: &mut dyn Write, s: &[u8]) -> fmt::Result {
    // The callers pass ASCII (checked in `write_demangled`), or UTF-8.
    w.write_str(core::str::from_utf8(s).map_err(|_| fmt::Error)?)
}

#[cold]
fn put_char(w: &mut dyn Write, c: char) -> fmt::Result {
    w.write_str(c.encode_utf8(&mut [0; 4]))
}

// ---- legacy ----

/// A legacy name: `inner` is what follows `_ZN`.
#[cold]
fn legacy(w: &mut dyn Write, inner: &[u8]) -> Option<fmt::Result> {
    let mut pos = 0;
    let mut count = 0;
    while *inner.get(pos)? != b'E' {
        let (len, start) = decimal(inner, pos)?;
        pos = start.checked_add(len)?;
        // An identifier is followed by another one or by `E`.
        if pos >= inner.len() {
            return None;
        }
        count += 1;
    }
    let (idents, suffix) = (&inner[..pos], &inner[pos + 1..]);
    if !is_suffix(suffix) {
        return None;
    }
    Some(write_legacy(w, idents, count).and_then(|()| put(w, suffix)))
}

/// The decimal number at `pos` (at least one digit) and where it ends.
#[cold]
fn decimal(s: &[u8], mut pos: usize) -> Option<(usize, usize)> {
    let mut n: usize = 0;
    let first = pos;
    while let Some(d) = s.get(pos).filter(|c| c.is_ascii_digit()) {
        n = n.checked_mul(10)?.checked_add(usize::from(d - b'0'))?;
        pos += 1;
    }
    (pos > first).then_some((n, pos))
}

/// Writes the `count` identifiers of `idents` joined by `::`, without
/// the last one if it is the hash (`h` and hex digits).
#[cold]
fn write_legacy(w: &mut dyn Write, mut idents: &[u8], count: usize) -> fmt::Result {
    for i in 0..count {
        let Some((len, start)) = decimal(idents, 0) else {
            break;
        };
        let Some((ident, rest)) = idents.get(start..).and_then(|r| r.split_at_checked(len)) else {
            break;
        };
        idents = rest;
        let is_hash = ident.first() == Some(&b'h') && ident[1..].iter().all(u8::is_ascii_hexdigit);
        if i + 1 == count && is_hash {
            break;
        }
        if i != 0 {
            w.write_str("::")?;
        }
        write_legacy_ident(w, ident)?;
    }
    Ok(())
}

/// One legacy identifier, its escapes undone; from an escape it cannot
/// read on, the rest as it is.
#[cold]
fn write_legacy_ident(w: &mut dyn Write, ident: &[u8]) -> fmt::Result {
    // An identifier that would start with `$` gets a `_` before it.
    let mut rest = ident
        .strip_prefix(b"_")
        .filter(|r| r.first() == Some(&b'$'))
        .unwrap_or(ident);
    loop {
        match rest.first() {
            Some(b'.') if rest.get(1) == Some(&b'.') => {
                w.write_str("::")?;
                rest = &rest[2..];
            }
            Some(b'.') => {
                w.write_str(".")?;
                rest = &rest[1..];
            }
            Some(b'$') => {
                let Some(len) = rest[1..].iter().position(|&c| c == b'$') else {
                    break;
                };
                let Some(c) = legacy_escape(&rest[1..1 + len]) else {
                    break;
                };
                put_char(w, c)?;
                rest = &rest[len + 2..];
            }
            Some(_) => {
                let Some(plain) = rest.iter().position(|&c| c == b'$' || c == b'.') else {
                    break;
                };
                put(w, &rest[..plain])?;
                rest = &rest[plain..];
            }
            None => break,
        }
    }
    put(w, rest)
}

/// The character a legacy `$escape$` stands for (rustc's
/// `symbol_names::legacy`): a name, or `u` and its code point in
/// lower-case hex (not a control character).
#[cold]
fn legacy_escape(esc: &[u8]) -> Option<char> {
    let c = match esc {
        b"SP" => '@',
        b"BP" => '*',
        b"RF" => '&',
        b"LT" => '<',
        b"GT" => '>',
        b"LP" => '(',
        b"RP" => ')',
        b"C" => ',',
        [b'u', hex @ ..] if !hex.is_empty() => {
            let mut v: u32 = 0;
            for &h in hex {
                let d = match h {
                    b'0'..=b'9' => h - b'0',
                    b'a'..=b'f' => h - b'a' + 10,
                    _ => return None,
                };
                v = v.checked_mul(16)?.checked_add(u32::from(d))?;
            }
            char::from_u32(v).filter(|&c| !is_control(c))?
        }
        _ => return None,
    };
    Some(c)
}

/// Unicode's `Cc` (what `char::is_control` answers).
#[cold]
fn is_control(c: char) -> bool {
    matches!(c, '\0'..='\x1f' | '\x7f'..='\u{9f}')
}

// ---- v0 ----

/// A v0 name: `inner` is what follows `_R`.
#[cold]
fn v0(w: &mut dyn Write, inner: &[u8]) -> Option<fmt::Result> {
    if !inner.first()?.is_ascii_uppercase() {
        return None;
    }
    let mut check = V0::new(inner, None);
    let checked = check.path(false).and_then(|()| {
        // The instantiating crate, if any: a path too, not printed.
        match check.peek() {
            Some(c) if c.is_ascii_uppercase() => check.path(false),
            _ => Ok(()),
        }
    });
    let suffix = match checked {
        Ok(()) => inner.get(check.pos..).filter(|s| is_suffix(s))?,
        // Too deep to read whole: print what fits.
        Err(Stop::Limit) => &[],
        Err(_) => return None,
    };
    let mut print = V0::new(inner, Some(w));
    let walked = print.path(true);
    let (failed, w) = (print.failed, print.out?);
    Some(match (walked, failed) {
        (_, Some(Stop::Write)) => Err(fmt::Error),
        (Ok(()), None) => put(w, suffix),
        // What the check could not see (a backref's target, a lifetime
        // out of its binder) or a bound: the name so far and `?`.
        _ => w.write_str("?"),
    })
}

/// Why a walk of a v0 name (or its printing) stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stop {
    /// Not the grammar (or a number out of its range).
    Syntax,
    /// Past [`MAX_DEPTH`], [`MAX_NODES`] or [`MAX_OUTPUT`].
    Limit,
    /// The writer failed (printing only).
    Write,
}

type Walk<T = ()> = Result<T, Stop>;

/// What a backref or a list stands for: the grammar's productions that
/// a backref may point at or a list may hold.
#[derive(Clone, Copy)]
enum Item {
    /// A path; in a value (`f::<T>`) or in a type (`Vec<T>`).
    Path(bool),
    Type,
    /// A constant; inside another (no braces) or not.
    Const(bool),
    GenericArg,
    DynTrait,
    /// A dyn trait's path, its `<...>` left open for its bindings.
    OpenPath,
    /// A struct constant's field, `name: value`.
    Field,
}

/// An identifier: ASCII, or for a punycode one (`u`), its basic code
/// points and its deltas.
#[derive(Clone, Copy)]
struct Ident<'a> {
    ascii: &'a [u8],
    punycode: &'a [u8],
}

impl Ident<'_> {
    #[cold]
    fn is_empty(&self) -> bool {
        self.ascii.is_empty() && self.punycode.is_empty()
    }
}

/// A reader of one v0 name (ASCII), printing it (`out`) or not. Output
/// is sticky-failing: once a write fails or [`MAX_OUTPUT`] is reached,
/// `failed` says so and the walk goes on without output.
struct V0<'a, 'w> {
    sym: &'a [u8],
    pos: usize,
    /// `None` while checking.
    out: Option<&'w mut dyn Write>,
    /// Reading an impl's own path, which is not printed.
    muted: bool,
    failed: Option<Stop>,
    depth: u32,
    nodes: u32,
    written: usize,
    /// The deepest level reached, and the lowest stack address seen
    /// there (the tests' measure of [`MAX_DEPTH`]).
    #[cfg(test)]
    peak: u32,
    #[cfg(test)]
    low_sp: usize,
    /// How many lifetimes the `for<...>` binders around have bound.
    bound: u32,
}

impl<'a, 'w> V0<'a, 'w> {
    #[cold]
    fn new(sym: &'a [u8], out: Option<&'w mut dyn Write>) -> Self {
        V0 {
            sym,
            pos: 0,
            out,
            muted: false,
            failed: None,
            depth: 0,
            nodes: 0,
            written: 0,
            #[cfg(test)]
            peak: 0,
            #[cfg(test)]
            low_sp: usize::MAX,
            bound: 0,
        }
    }

    #[cold]
    fn peek(&self) -> Option<u8> {
        self.sym.get(self.pos).copied()
    }

    #[cold]
    fn eat(&mut self, c: u8) -> bool {
        let hit = self.peek() == Some(c);
        self.pos += usize::from(hit);
        hit
    }

    #[cold]
    fn next(&mut self) -> Walk<u8> {
        let c = self.peek().ok_or(Stop::Syntax)?;
        self.pos += 1;
        Ok(c)
    }

    /// Whether output is wanted now: backrefs are followed and binders
    /// counted only then (a name is checked without either).
    #[cold]
    fn printing(&self) -> bool {
        self.out.is_some() && !self.muted && self.failed.is_none()
    }

    #[cold]
    #[inline(never)]
    fn put(&mut self, s: &str) {
        if !self.printing() {
            return;
        }
        let Some(w) = self.out.as_deref_mut() else {
            return;
        };
        self.written += s.len();
        if self.written > MAX_OUTPUT {
            self.failed = Some(Stop::Limit);
        } else if w.write_str(s).is_err() {
            self.failed = Some(Stop::Write);
        }
    }

    /// Writes ASCII (the name is, and so are the digits).
    #[cold]
    #[inline(never)]
    fn put_bytes(&mut self, s: &[u8]) {
        if let Ok(s) = core::str::from_utf8(s) {
            self.put(s);
        }
    }

    /// Writes one ASCII byte.
    #[cold]
    #[inline(never)]
    fn put_byte(&mut self, c: u8) {
        self.put_bytes(&[c]);
    }

    fn put_char(&mut self, c: char) {
        self.put(c.encode_utf8(&mut [0; 4]));
    }

    /// `v` in decimal (a recursion as deep as its digits: at most 20).
    #[cold]
    #[inline(never)]
    fn put_decimal(&mut self, v: u64) {
        if v >= 10 {
            self.put_decimal(v / 10);
        }
        self.put_digit((v % 10) as u8);
    }

    /// `v` in lower-case hex (at most 8 digits deep).
    #[cold]
    #[inline(never)]
    fn put_hex(&mut self, v: u32) {
        if v >= 16 {
            self.put_hex(v / 16);
        }
        self.put_digit((v % 16) as u8);
    }

    #[cold]
    fn put_digit(&mut self, d: u8) {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        self.put_byte(DIGITS[usize::from(d & 0xf)]);
    }

    /// One more level of nesting (and one more node).
    #[cold]
    fn enter(&mut self) -> Walk {
        self.depth += 1;
        self.nodes += 1;
        #[cfg(test)]
        {
            self.peak = self.peak.max(self.depth);
            let here = 0u8;
            self.low_sp = self
                .low_sp
                .min(core::hint::black_box(&here) as *const u8 as usize);
        }
        if self.depth > MAX_DEPTH || self.nodes > MAX_NODES {
            return Err(Stop::Limit);
        }
        Ok(())
    }

    #[cold]
    fn leave(&mut self) {
        self.depth -= 1;
    }

    // -- numbers and identifiers --

    /// `<base-62-number>`: `_` is 0, digits `0-9a-zA-Z` then `_` are
    /// their value + 1.
    #[cold]
    #[inline(never)]
    fn base62(&mut self) -> Walk<u64> {
        if self.eat(b'_') {
            return Ok(0);
        }
        let mut v: u64 = 0;
        loop {
            let c = self.next()?;
            let d = match c {
                b'_' => return v.checked_add(1).ok_or(Stop::Syntax),
                b'0'..=b'9' => c - b'0',
                b'a'..=b'z' => c - b'a' + 10,
                b'A'..=b'Z' => c - b'A' + 36,
                _ => return Err(Stop::Syntax),
            };
            v = v
                .checked_mul(62)
                .and_then(|v| v.checked_add(u64::from(d)))
                .ok_or(Stop::Syntax)?;
        }
    }

    /// `[tag <base-62-number>]`: 0 without the tag, else the number + 1.
    #[cold]
    fn opt_base62(&mut self, tag: u8) -> Walk<u64> {
        if !self.eat(tag) {
            return Ok(0);
        }
        self.base62()?.checked_add(1).ok_or(Stop::Syntax)
    }

    /// `<disambiguator> = [s <base-62-number>]`.
    #[cold]
    fn disambiguator(&mut self) -> Walk<u64> {
        self.opt_base62(b's')
    }

    /// `<identifier> = [u] <decimal-number> [_] <bytes>`; a punycode one
    /// keeps its basic code points before its last `_`.
    #[cold]
    #[inline(never)]
    fn ident(&mut self) -> Walk<Ident<'a>> {
        let is_punycode = self.eat(b'u');
        let first = self.next()?;
        if !first.is_ascii_digit() {
            return Err(Stop::Syntax);
        }
        let mut len = usize::from(first - b'0');
        // No leading zeros: `0` is the empty identifier.
        if len != 0 {
            while let Some(d) = self.peek().filter(u8::is_ascii_digit) {
                self.pos += 1;
                len = len
                    .checked_mul(10)
                    .and_then(|l| l.checked_add(usize::from(d - b'0')))
                    .ok_or(Stop::Syntax)?;
            }
        }
        self.eat(b'_');
        let end = self.pos.checked_add(len).ok_or(Stop::Syntax)?;
        let bytes = self.sym.get(self.pos..end).ok_or(Stop::Syntax)?;
        self.pos = end;
        if !is_punycode {
            return Ok(Ident {
                ascii: bytes,
                punycode: &[],
            });
        }
        let (ascii, punycode) = match bytes.iter().rposition(|&c| c == b'_') {
            Some(i) => (&bytes[..i], &bytes[i + 1..]),
            None => (&[][..], bytes),
        };
        if punycode.is_empty() {
            return Err(Stop::Syntax);
        }
        Ok(Ident { ascii, punycode })
    }

    #[cold]
    fn put_ident(&mut self, id: Ident) {
        if id.punycode.is_empty() {
            self.put_bytes(id.ascii);
        } else if self.printing() {
            self.put_punycode(id);
        }
    }

    /// An identifier, read and written.
    #[cold]
    #[inline(never)]
    fn ident_put(&mut self) -> Walk {
        let name = self.ident()?;
        self.put_ident(name);
        Ok(())
    }

    /// A punycode identifier, decoded, else as `punycode{ascii-deltas}`.
    #[cold]
    #[inline(never)]
    fn put_punycode(&mut self, id: Ident) {
        let mut chars = ['\0'; PUNYCODE_MAX_CHARS];
        if let Some(n) = punycode_decode(id.ascii, id.punycode, &mut chars) {
            for &c in chars.get(..n).unwrap_or(&[]) {
                self.put_char(c);
            }
            return;
        }
        self.put("punycode{");
        if !id.ascii.is_empty() {
            self.put_bytes(id.ascii);
            self.put_byte(b'-');
        }
        self.put_bytes(id.punycode);
        self.put_byte(b'}');
    }

    // -- paths --

    /// `<path>`: `C` crate root, `N` nested, `M` inherent impl, `X`
    /// trait impl, `Y` trait definition, `I` generic args, `B` backref.
    #[cold]
    #[inline(never)]
    fn path(&mut self, in_value: bool) -> Walk {
        self.enter()?;
        match self.next()? {
            b'C' => {
                // The crate's disambiguator (its hash) is not printed.
                self.disambiguator()?;
                self.ident_put()?;
            }
            b'N' => {
                let ns = self.next()?;
                if !ns.is_ascii_alphabetic() {
                    return Err(Stop::Syntax);
                }
                self.path(in_value)?;
                self.nested_name(ns)?;
            }
            tag @ (b'M' | b'X' | b'Y') => {
                if tag != b'Y' {
                    // The impl's own path (where it is written) is not
                    // printed: `<T>`, `<T as Trait>`.
                    self.disambiguator()?;
                    let muted = self.muted;
                    self.muted = true;
                    let skipped = self.path(false);
                    self.muted = muted;
                    skipped?;
                }
                self.put_byte(b'<');
                self.ty()?;
                if tag != b'M' {
                    self.put(" as ");
                    self.path(false)?;
                }
                self.put_byte(b'>');
            }
            b'I' => {
                self.path(in_value)?;
                self.put(if in_value { "::<" } else { "<" });
                self.list(Item::GenericArg, ", ")?;
                self.put_byte(b'>');
            }
            b'B' => {
                self.backref(Item::Path(in_value))?;
            }
            _ => return Err(Stop::Syntax),
        }
        self.leave();
        Ok(())
    }

    /// The name of a nested path in namespace `ns`, its parent written:
    /// `<disambiguator> <identifier>` (kept out of [`V0::path`]'s frame,
    /// which the recursion stacks).
    #[cold]
    #[inline(never)]
    fn nested_name(&mut self, ns: u8) -> Walk {
        let dis = self.disambiguator()?;
        let name = self.ident()?;
        if ns.is_ascii_uppercase() {
            // A namespace of the compiler's: `{closure#0}`,
            // `{shim:vtable#0}`.
            self.put("::{");
            match ns {
                b'C' => self.put("closure"),
                b'S' => self.put("shim"),
                _ => self.put_byte(ns),
            }
            if !name.is_empty() {
                self.put_byte(b':');
                self.put_ident(name);
            }
            self.put_byte(b'#');
            self.put_decimal(dis);
            self.put_byte(b'}');
        } else if !name.is_empty() {
            self.put("::");
            self.put_ident(name);
        }
        Ok(())
    }

    /// `B <base-62-number>`, the `B` read: the item at that offset (which
    /// must be before the `B`), read there, then back here. Followed only
    /// while printing.
    #[cold]
    #[inline(never)]
    fn backref(&mut self, item: Item) -> Walk<bool> {
        let at = self.pos - 1;
        let target = self.base62()?;
        if target >= at as u64 {
            return Err(Stop::Syntax);
        }
        if self.depth >= MAX_DEPTH {
            return Err(Stop::Limit);
        }
        if !self.printing() {
            return Ok(false);
        }
        let back = self.pos;
        self.pos = target as usize;
        self.enter()?;
        let open = self.item(item)?;
        self.leave();
        self.pos = back;
        Ok(open)
    }

    /// Reads one `item`; `true` if it left a `<` open ([`Item::OpenPath`]).
    #[inline(never)]
    fn item(&mut self, item: Item) -> Walk<bool> {
        match item {
            Item::Path(in_value) => self.path(in_value)?,
            Item::Type => self.ty()?,
            Item::Const(in_value) => self.konst(in_value)?,
            Item::GenericArg => self.generic_arg()?,
            Item::DynTrait => self.dyn_trait()?,
            Item::OpenPath => return self.open_path(),
            Item::Field => {
                self.disambiguator()?;
                self.ident_put()?;
                self.put(": ");
                self.konst(true)?;
            }
        }
        Ok(false)
    }

    /// `{item} E`, written with `sep` between: how many items.
    #[inline(never)]
    fn list(&mut self, item: Item, sep: &str) -> Walk<usize> {
        let mut n = 0;
        while !self.eat(b'E') {
            if n > 0 {
                self.put(sep);
            }
            self.item(item)?;
            n += 1;
        }
        Ok(n)
    }

    /// `<generic-arg> = L <lifetime> | K <const> | <type>`.
    #[cold]
    #[inline(never)]
    fn generic_arg(&mut self) -> Walk {
        if self.eat(b'L') {
            let lt = self.base62()?;
            self.lifetime(lt)
        } else if self.eat(b'K') {
            self.konst(false)
        } else {
            self.ty()
        }
    }

    // -- lifetimes and binders --

    /// A lifetime by its de Bruijn index: 0 is `'_`, 1 the innermost
    /// bound one; bound lifetimes are named `'a`, `'b`, ... from the
    /// outermost binder (`'_26` and on past `'z`).
    #[cold]
    #[inline(never)]
    fn lifetime(&mut self, index: u64) -> Walk {
        if !self.printing() {
            return Ok(());
        }
        self.put_byte(b'\'');
        if index == 0 {
            self.put_byte(b'_');
            return Ok(());
        }
        let n = u64::from(self.bound)
            .checked_sub(index)
            .ok_or(Stop::Syntax)?;
        if n < 26 {
            self.put_byte(b'a' + n as u8);
        } else {
            self.put_byte(b'_');
            self.put_decimal(n);
        }
        Ok(())
    }

    /// `[G <base-62-number>]`, written `for<'a, 'b> `: how many lifetimes
    /// it bound (for [`V0::unbind`]).
    #[cold]
    fn binder(&mut self) -> Walk<u32> {
        let n = self.opt_base62(b'G')?;
        if !self.printing() || n == 0 {
            return Ok(0);
        }
        self.put("for<");
        let mut i: u32 = 0;
        // Each costs output, so MAX_OUTPUT ends a huge count.
        while u64::from(i) < n && self.printing() {
            if i > 0 {
                self.put(", ");
            }
            self.bound += 1;
            i += 1;
            self.lifetime(1)?;
        }
        self.put("> ");
        Ok(i)
    }

    #[cold]
    fn unbind(&mut self, n: u32) {
        self.bound -= n;
    }

    // -- types --

    /// `<type>`: a basic type's letter, `R`/`Q` references, `P`/`O` raw
    /// pointers, `A` array, `S` slice, `T` tuple, `F` fn pointer, `D`
    /// dyn, `B` backref, `W` pattern type, else a path.
    #[cold]
    #[inline(never)]
    fn ty(&mut self) -> Walk {
        if self.eat(b'w') {
            self.put("#[splat] ");
        }
        let tag = self.next()?;
        if let Some(name) = basic_type(tag) {
            self.put(name);
            return Ok(());
        }
        self.enter()?;
        match tag {
            b'R' | b'Q' => {
                self.put_byte(b'&');
                if self.eat(b'L') {
                    let lt = self.base62()?;
                    if lt != 0 {
                        self.lifetime(lt)?;
                        self.put_byte(b' ');
                    }
                }
                if tag == b'Q' {
                    self.put("mut ");
                }
                self.ty()?;
            }
            b'P' | b'O' => {
                self.put(if tag == b'P' { "*const " } else { "*mut " });
                self.ty()?;
            }
            b'A' | b'S' => {
                self.put_byte(b'[');
                self.ty()?;
                if tag == b'A' {
                    self.put("; ");
                    self.konst(true)?;
                }
                self.put_byte(b']');
            }
            b'T' => self.tuple(Item::Type)?,
            b'F' => self.fn_type()?,
            b'D' => {
                self.put("dyn ");
                let bound = self.binder()?;
                self.list(Item::DynTrait, " + ")?;
                self.unbind(bound);
                if !self.eat(b'L') {
                    return Err(Stop::Syntax);
                }
                let lt = self.base62()?;
                if lt != 0 {
                    self.put(" + ");
                    self.lifetime(lt)?;
                }
            }
            b'B' => {
                self.backref(Item::Type)?;
            }
            b'W' => {
                self.ty()?;
                self.put(" is ");
                self.pattern()?;
            }
            _ => {
                self.pos -= 1;
                self.path(false)?;
            }
        }
        self.leave();
        Ok(())
    }

    /// `{item} E` as a tuple: `(A, B)`, `(A,)`, `()`.
    #[cold]
    fn tuple(&mut self, item: Item) -> Walk {
        self.put_byte(b'(');
        if self.list(item, ", ")? == 1 {
            self.put_byte(b',');
        }
        self.put_byte(b')');
        Ok(())
    }

    /// `F [<binder>] [U] [K <abi>] {<type>} E <type>`, the `F` read.
    #[cold]
    #[inline(never)]
    fn fn_type(&mut self) -> Walk {
        let bound = self.binder()?;
        let is_unsafe = self.eat(b'U');
        let abi: &[u8] = if !self.eat(b'K') {
            &[]
        } else if self.eat(b'C') {
            b"C"
        } else {
            let abi = self.ident()?;
            if abi.ascii.is_empty() || !abi.punycode.is_empty() {
                return Err(Stop::Syntax);
            }
            abi.ascii
        };
        if is_unsafe {
            self.put("unsafe ");
        }
        if !abi.is_empty() {
            // The mangling wrote the ABI's `-` as `_`.
            self.put("extern \"");
            for &c in abi {
                self.put_byte(if c == b'_' { b'-' } else { c });
            }
            self.put("\" ");
        }
        self.put("fn(");
        self.list(Item::Type, ", ")?;
        self.put_byte(b')');
        // `u` (`()`) is the return type not written.
        if !self.eat(b'u') {
            self.put(" -> ");
            self.ty()?;
        }
        self.unbind(bound);
        Ok(())
    }

    /// A dyn trait's path, `Trait<A, B` left open when it has generic
    /// arguments (its bindings go in the same `<...>`): `true` then.
    #[cold]
    #[inline(never)]
    fn open_path(&mut self) -> Walk<bool> {
        if self.eat(b'B') {
            return self.backref(Item::OpenPath);
        }
        let generic = self.eat(b'I');
        self.path(false)?;
        if generic {
            self.put_byte(b'<');
            self.list(Item::GenericArg, ", ")?;
        }
        Ok(generic)
    }

    /// `<dyn-trait> = <path> {p <ident> <type>}`: `Trait<Name = T>`.
    #[cold]
    #[inline(never)]
    fn dyn_trait(&mut self) -> Walk {
        let mut open = self.open_path()?;
        while self.eat(b'p') {
            self.put(if open { ", " } else { "<" });
            open = true;
            self.ident_put()?;
            self.put(" = ");
            self.generic_arg_no_lifetime()?;
        }
        if open {
            self.put_byte(b'>');
        }
        Ok(())
    }

    /// `K <const> | <type>`.
    #[cold]
    fn generic_arg_no_lifetime(&mut self) -> Walk {
        if self.eat(b'K') {
            self.konst(false)
        } else {
            self.ty()
        }
    }

    /// A pattern type's pattern (unstable): `R` range, `O` or, `N` not null.
    #[cold]
    #[inline(never)]
    fn pattern(&mut self) -> Walk {
        match self.next()? {
            b'R' => {
                self.konst(false)?;
                self.put("..=");
                self.konst(false)?;
            }
            b'O' => {
                self.enter()?;
                self.pattern()?;
                while !self.eat(b'E') {
                    self.put(" | ");
                    self.pattern()?;
                }
                self.leave();
            }
            b'N' => self.put("!null"),
            _ => return Err(Stop::Syntax),
        }
        Ok(())
    }

    // -- constants --

    /// `<const>`: a basic type's letter and hex digits, `p` placeholder,
    /// `e` str, `R`/`Q` references, `A` array, `T` tuple, `V` a variant
    /// or struct, `B` backref. Outside another constant, all but the
    /// literals are written in braces (`{&5}`).
    #[cold]
    #[inline(never)]
    fn konst(&mut self, in_value: bool) -> Walk {
        let tag = self.next()?;
        self.enter()?;
        // `Re...`, a `&str`, is a literal: `"..."`.
        let str_literal = tag == b'R' && self.eat(b'e');
        let braced =
            !in_value && !str_literal && matches!(tag, b'e' | b'R' | b'Q' | b'A' | b'T' | b'V');
        if braced {
            self.put_byte(b'{');
        }
        match tag {
            b'p' | b'h' | b't' | b'm' | b'y' | b'o' | b'j' | b'a' | b's' | b'l' | b'x' | b'n'
            | b'i' | b'b' | b'c' => self.const_leaf(tag)?,
            b'e' => {
                self.put_byte(b'*');
                self.const_str()?;
            }
            b'R' if str_literal => self.const_str()?,
            b'R' | b'Q' => {
                self.put(if tag == b'R' { "&" } else { "&mut " });
                self.konst(true)?;
            }
            b'A' => {
                self.put_byte(b'[');
                self.list(Item::Const(true), ", ")?;
                self.put_byte(b']');
            }
            b'T' => self.tuple(Item::Const(true))?,
            b'V' => {
                self.path(true)?;
                match self.next()? {
                    b'U' => {}
                    b'T' => {
                        self.put_byte(b'(');
                        self.list(Item::Const(true), ", ")?;
                        self.put_byte(b')');
                    }
                    b'S' => {
                        self.put(" { ");
                        self.list(Item::Field, ", ")?;
                        self.put(" }");
                    }
                    _ => return Err(Stop::Syntax),
                }
            }
            b'B' => {
                self.backref(Item::Const(in_value))?;
            }
            _ => return Err(Stop::Syntax),
        }
        if braced {
            self.put_byte(b'}');
        }
        self.leave();
        Ok(())
    }

    /// A constant without parts, its tag read: `p`, an integer type's
    /// letter, `b` bool, `c` char (kept out of [`V0::konst`]'s frame,
    /// which the recursion stacks).
    #[cold]
    #[inline(never)]
    fn const_leaf(&mut self, tag: u8) -> Walk {
        match tag {
            b'p' => self.put_byte(b'_'),
            b'b' => match hex_u64(self.hex_digits()?) {
                Some(0) => self.put("false"),
                Some(1) => self.put("true"),
                _ => return Err(Stop::Syntax),
            },
            b'c' => {
                let c = hex_u64(self.hex_digits()?)
                    .and_then(|v| u32::try_from(v).ok())
                    .and_then(char::from_u32)
                    .ok_or(Stop::Syntax)?;
                self.put_byte(b'\'');
                self.put_quoted(c, '\'');
                self.put_byte(b'\'');
            }
            // An integer: the signed types' may be negative (`n`).
            _ => {
                if matches!(tag, b'a' | b's' | b'l' | b'x' | b'n' | b'i') && self.eat(b'n') {
                    self.put_byte(b'-');
                }
                let digits = self.hex_digits()?;
                match hex_u64(digits) {
                    Some(v) => self.put_decimal(v),
                    None => {
                        // Past u64: the digits as they are.
                        self.put("0x");
                        self.put_bytes(digits);
                    }
                }
            }
        }
        Ok(())
    }

    /// `{0-9a-f} _`: the digits.
    #[cold]
    fn hex_digits(&mut self) -> Walk<&'a [u8]> {
        let start = self.pos;
        loop {
            match self.next()? {
                b'0'..=b'9' | b'a'..=b'f' => {}
                b'_' => break,
                _ => return Err(Stop::Syntax),
            }
        }
        self.sym.get(start..self.pos - 1).ok_or(Stop::Syntax)
    }

    /// A str constant: its UTF-8 bytes in hex, written quoted; invalid
    /// UTF-8 is not the grammar.
    #[cold]
    #[inline(never)]
    fn const_str(&mut self) -> Walk {
        let digits = self.hex_digits()?;
        if digits.len() % 2 != 0 {
            return Err(Stop::Syntax);
        }
        let mut at = 0;
        while at < digits.len() {
            at = str_char(digits, at).ok_or(Stop::Syntax)?.1;
        }
        self.put("\"");
        let mut at = 0;
        while let Some((c, next)) = str_char(digits, at) {
            self.put_quoted(c, '"');
            at = next;
        }
        self.put("\"");
        Ok(())
    }

    /// `c` as in a `quote`d literal: `char::escape_debug`'s escapes for
    /// ASCII and the control characters; other characters as they are
    /// (`escape_debug` also escapes the ones Unicode calls unprintable or
    /// grapheme-extending: that needs its tables, which rt0 does not
    /// carry).
    #[cold]
    #[inline(never)]
    fn put_quoted(&mut self, c: char, quote: char) {
        let escape = match c {
            '\0' => "\\0",
            '\t' => "\\t",
            '\r' => "\\r",
            '\n' => "\\n",
            '\\' => "\\\\",
            '\'' if quote == '\'' => "\\'",
            '"' if quote == '"' => "\\\"",
            c if is_control(c) => {
                self.put("\\u{");
                self.put_hex(u32::from(c));
                return self.put_byte(b'}');
            }
            c => return self.put_char(c),
        };
        self.put(escape);
    }
}

/// What a basic type's letter names.
#[cold]
fn basic_type(tag: u8) -> Option<&'static str> {
    Some(match tag {
        b'a' => "i8",
        b'b' => "bool",
        b'c' => "char",
        b'd' => "f64",
        b'e' => "str",
        b'f' => "f32",
        b'h' => "u8",
        b'i' => "isize",
        b'j' => "usize",
        b'l' => "i32",
        b'm' => "u32",
        b'n' => "i128",
        b'o' => "u128",
        b'p' => "_",
        b's' => "i16",
        b't' => "u16",
        b'u' => "()",
        b'v' => "...",
        b'x' => "i64",
        b'y' => "u64",
        b'z' => "!",
        _ => return None,
    })
}

/// The value of lower-case hex `digits`, if it fits in a `u64`.
#[cold]
fn hex_u64(digits: &[u8]) -> Option<u64> {
    let start = digits
        .iter()
        .position(|&c| c != b'0')
        .unwrap_or(digits.len());
    let digits = &digits[start..];
    if digits.len() > 16 {
        return None;
    }
    Some(
        digits
            .iter()
            .fold(0, |v, &c| (v << 4) | u64::from(hex_value(c))),
    )
}

#[cold]
fn hex_value(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => 0,
    }
}

/// Byte `i` of hex `digits` (two digits each).
#[cold]
fn hex_byte(digits: &[u8], i: usize) -> Option<u8> {
    let pair = digits.get(i.checked_mul(2)?..)?.get(..2)?;
    Some(hex_value(pair[0]) << 4 | hex_value(pair[1]))
}

/// The character at nibble `at` of the UTF-8 in hex `digits`, and the
/// nibble after it; `None` at the end or on invalid UTF-8 (RFC 3629:
/// no overlong forms, no surrogates, nothing past U+10FFFF).
#[cold]
fn str_char(digits: &[u8], at: usize) -> Option<(char, usize)> {
    let lead = hex_byte(digits, at / 2)?;
    let (len, bits, min) = match lead {
        0x00..=0x7f => (1, lead, 0),
        0xc0..=0xdf => (2, lead & 0x1f, 0x80),
        0xe0..=0xef => (3, lead & 0x0f, 0x800),
        0xf0..=0xf7 => (4, lead & 0x07, 0x1_0000),
        _ => return None,
    };
    let mut c = u32::from(bits);
    for k in 1..len {
        let b = hex_byte(digits, at / 2 + k)?;
        if b & 0xc0 != 0x80 {
            return None;
        }
        c = c << 6 | u32::from(b & 0x3f);
    }
    if c < min {
        return None;
    }
    Some((char::from_u32(c)?, at + 2 * len))
}

/// Decodes a punycode identifier (RFC 3492, 6.2 "Decoding procedure"):
/// the basic code points `ascii`, then the deltas `encoded` (digits
/// `a-z0-9`), into `out`: how many characters, `None` if it is not
/// punycode or does not fit.
#[cold]
fn punycode_decode(ascii: &[u8], encoded: &[u8], out: &mut [char]) -> Option<usize> {
    let mut len = 0;
    for &c in ascii {
        *out.get_mut(len)? = char::from(c);
        len += 1;
    }
    let mut n = PUNY_INITIAL_N;
    let mut bias = PUNY_INITIAL_BIAS;
    let mut i: u64 = 0;
    let mut digits = encoded.iter();
    let mut first = true;
    while digits.len() > 0 {
        // One generalized variable-length integer: the delta.
        let old_i = i;
        let mut w: u64 = 1;
        let mut k = PUNY_BASE;
        loop {
            let d = match *digits.next()? {
                c @ b'a'..=b'z' => c - b'a',
                c @ b'0'..=b'9' => c - b'0' + 26,
                _ => return None,
            };
            let d = u64::from(d);
            i = i.checked_add(d.checked_mul(w)?)?;
            let t = k.saturating_sub(bias).clamp(PUNY_TMIN, PUNY_TMAX);
            if d < t {
                break;
            }
            w = w.checked_mul(PUNY_BASE - t)?;
            k += PUNY_BASE;
        }
        let points = len as u64 + 1;
        bias = adapt(i - old_i, points, first);
        first = false;
        n = n.checked_add(i / points)?;
        i %= points;
        let c = char::from_u32(u32::try_from(n).ok()?)?;
        // Insert c at position i.
        let at = i as usize;
        if len >= out.len() {
            return None;
        }
        let mut j = len;
        while j > at {
            out[j] = out[j - 1];
            j -= 1;
        }
        out[at] = c;
        len += 1;
        i += 1;
    }
    (!encoded.is_empty()).then_some(len)
}

/// RFC 3492, 6.1 "Bias adaptation function".
#[cold]
fn adapt(delta: u64, points: u64, first: bool) -> u64 {
    let mut delta = if first { delta / PUNY_DAMP } else { delta / 2 };
    delta += delta / points;
    let mut k = 0;
    while delta > ((PUNY_BASE - PUNY_TMIN) * PUNY_TMAX) / 2 {
        delta /= PUNY_BASE - PUNY_TMIN;
        k += PUNY_BASE;
    }
    k + ((PUNY_BASE - PUNY_TMIN + 1) * delta) / (delta + PUNY_SKEW)
}

#[cfg(test)]
mod tests;
