//! Host tests of the demangler. The oracle is `rustc-demangle` in its
//! alternate form (`{:#}`), a dev-dependency: every symbol of real
//! binaries (this test binary, with std's v0 and legacy names; the
//! freestanding examples if built; any file named in
//! `RT0_DEMANGLE_EXTRA`, `:`-separated, such as the toolchain's
//! `librustc_driver-*.so`), the names of `samples.txt`, and mutations of
//! them, demangled by both, end to end through `symbols::write_name`.
//! Where the two differ, the difference must be of a known class
//! ([`Class`]), and binutils' `nm -C` is shown as a second opinion.

use super::super::elf::{Image, SYM_SIZE, cstr_at, u32_at};
use super::super::symbols::tests::demangled as ours;
use super::*;
use std::collections::BTreeSet;
use std::format;
use std::path::{Path, PathBuf};
use std::string::{String, ToString};
use std::vec::Vec;

/// What `write_name` printed before this module: `rustc-demangle`'s
/// alternate form of the name without LLVM's `.N` and `.llvm.N` suffixes
/// (`.llvm.HEX` it drops itself), else the raw name.
fn reference(name: &[u8]) -> String {
    if let Ok(text) = std::str::from_utf8(name) {
        let mut t = text;
        while let Some((head, tail)) = t.rsplit_once('.') {
            if tail.is_empty() || !tail.bytes().all(|c| c.is_ascii_digit()) {
                break;
            }
            t = head.strip_suffix(".llvm").unwrap_or(head);
        }
        if let Ok(d) = rustc_demangle::try_demangle(t) {
            return format!("{d:#}");
        }
    }
    raw(name)
}

/// A name printed as it is (invalid UTF-8 as `?`).
fn raw(name: &[u8]) -> String {
    let mut s = String::new();
    for chunk in name.utf8_chunks() {
        s.push_str(chunk.valid());
        if !chunk.invalid().is_empty() {
            s.push('?');
        }
    }
    s
}

/// How deep the v0 grammar nests in `name` (0 for other names), as
/// [`MAX_DEPTH`] counts it.
fn peak_depth(name: &[u8]) -> u32 {
    walk_depth(name).0
}

/// [`peak_depth`] and how many bytes of stack printing the name took.
fn walk_depth(name: &[u8]) -> (u32, usize) {
    let Some(inner) = strip_prefix(without_llvm_suffixes(name), &[b"_R", b"R", b"__R"]) else {
        return (0, 0);
    };
    let mut sink = String::new();
    let mut d = V0::new(inner, Some(&mut sink));
    let top = 0u8;
    let top = std::hint::black_box(&top) as *const u8 as usize;
    let _ = d.path(true);
    (d.peak, top.saturating_sub(d.low_sp))
}

/// Why ours may differ from the oracle's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    /// A char or str constant with a non-ASCII character that Unicode
    /// calls unprintable or grapheme-extending: `rustc-demangle` writes
    /// `\u{301}`, rt0 the character (it has no Unicode tables).
    UnicodeEscape,
    /// Nested past [`MAX_DEPTH`] (`rustc-demangle` allows 500): ours
    /// stops with `?` where the oracle goes on.
    Depth,
    /// Only in mutated names: an error the first pass cannot see (in a
    /// backref's target, a lifetime outside its binder), or a bound
    /// passed; the oracle writes `{invalid syntax}` (or `{recursion limit
    /// reached}`, `{size limit reached}`) and goes on, ours stops with `?`
    /// at the same place.
    StopsEarly,
}

/// Whether `ours` is the oracle's `theirs` up to where ours stopped (`?`).
fn stops_on_the_way(ours: &str, theirs: &str) -> bool {
    ours.strip_suffix('?')
        .is_some_and(|head| theirs.starts_with(head))
}

/// `theirs` with its `\u{X}` escapes of non-ASCII characters undone.
fn unescape_non_ascii(theirs: &str) -> String {
    let mut out = String::new();
    let mut rest = theirs;
    while let Some(at) = rest.find("\\u{") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 3..];
        let end = after.find('}').unwrap_or(0);
        match u32::from_str_radix(&after[..end], 16)
            .ok()
            .and_then(char::from_u32)
        {
            Some(c) if u32::from(c) >= 0xa0 => {
                out.push(c);
                rest = &after[end + 1..];
            }
            _ => {
                out.push_str("\\u{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `None` if ours and the oracle agree on `name`, else the class of the
/// difference, or `Err` if it is of none.
fn judge(name: &[u8], mutated: bool) -> Result<Option<Class>, String> {
    let (o, t) = (ours(name), reference(name));
    if o == t {
        return Ok(None);
    }
    if unescape_non_ascii(&t) == o {
        return Ok(Some(Class::UnicodeEscape));
    }
    if peak_depth(name) >= MAX_DEPTH && o.ends_with('?') {
        // The oracle may also have refused the name (past its own 500).
        if stops_on_the_way(&o, &t) || t == raw(name) {
            return Ok(Some(Class::Depth));
        }
    }
    if mutated && stops_on_the_way(&o, &t) {
        return Ok(Some(Class::StopsEarly));
    }
    Err(format!(
        "{}\n  ours:   {o}\n  theirs: {t}",
        String::from_utf8_lossy(name)
    ))
}

/// Every symbol name of the ELF file `path` (all of `.symtab`).
fn symbol_names(path: &Path) -> Option<BTreeSet<Vec<u8>>> {
    let bytes = std::fs::read(path).ok()?;
    let img = Image::parse(Vec::leak(bytes))?;
    let mut names = BTreeSet::new();
    for i in 0..img.symtab.len() / SYM_SIZE {
        if let Some(off) = u32_at(img.symtab, i * SYM_SIZE)
            && let Some(name) = cstr_at(img.strtab, off as usize)
            && !name.is_empty()
        {
            names.insert(name.to_vec());
        }
    }
    Some(names)
}

/// `nm -C`'s name for each of `names` in `path`, for the report.
fn nm_opinion(path: &Path, names: &[Vec<u8>]) -> Vec<String> {
    let run = |demangle: bool| -> Option<Vec<String>> {
        let mut cmd = std::process::Command::new("nm");
        if demangle {
            cmd.arg("-C");
        }
        let out = cmd.arg("-a").arg(path).output().ok()?;
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        // `ADDR T NAME` or `         U NAME`: the name is after the type.
        Some(
            text.lines()
                .map(|l| l.get(19..).unwrap_or("").to_string())
                .collect(),
        )
    };
    let (Some(plain), Some(dem)) = (run(false), run(true)) else {
        return names.iter().map(|_| "(nm failed)".to_string()).collect();
    };
    names
        .iter()
        .map(|n| {
            let n = String::from_utf8_lossy(n);
            plain
                .iter()
                .position(|p| *p == n)
                .and_then(|i| dem.get(i).cloned())
                .unwrap_or_else(|| "(not in nm's list)".to_string())
        })
        .collect()
}

/// The binaries the oracle reads: this test binary and the examples
/// built; then those of `RT0_DEMANGLE_EXTRA`.
fn binaries() -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut v = vec![std::env::current_exe().unwrap()];
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/examples");
    for ex in ["hello", "panic", "chan_select", "net_smoke"] {
        let p = examples.join(ex);
        if p.exists() {
            v.push(p);
        } else {
            eprintln!(
                "skipped: {} is not built (cargo build --release --example {ex})",
                p.display()
            );
        }
    }
    let extra = std::env::var_os("RT0_DEMANGLE_EXTRA")
        .map(|e| std::env::split_paths(&e).collect())
        .unwrap_or_default();
    (v, extra)
}

#[test]
fn every_symbol_of_real_binaries_matches_rustc_demangle() {
    let mut failures = Vec::new();
    let mut deepest = (0, Vec::new());
    let mut depths = [(32u32, 0usize), (48, 0), (64, 0), (80, 0)];
    let (defaults, extra) = binaries();
    for path in defaults.iter().chain(&extra) {
        let names = symbol_names(path).unwrap_or_else(|| panic!("{}: ELF", path.display()));
        let extra = !defaults.contains(path);
        let (mut v0, mut legacy, mut other) = (0, 0, 0);
        let mut classes: Vec<(Class, Vec<u8>)> = Vec::new();
        for name in &names {
            match name.get(..2) {
                Some(b"_R") => v0 += 1,
                Some(b"_Z") => legacy += 1,
                _ => other += 1,
            }
            let d = peak_depth(name);
            for (limit, n) in depths.iter_mut() {
                *n += usize::from(d > *limit);
            }
            if d > deepest.0 {
                deepest = (d, name.clone());
            }
            match judge(name, false) {
                Ok(None) => {}
                // rt0's own programs and std: nothing nests too deep.
                Ok(Some(Class::Depth)) if !extra => failures.push((
                    path.clone(),
                    name.clone(),
                    format!("nested {d} deep, past MAX_DEPTH {MAX_DEPTH}"),
                )),
                Ok(Some(c)) => classes.push((c, name.clone())),
                Err(e) => failures.push((path.clone(), name.clone(), e)),
            }
        }
        eprintln!(
            "{}: {} names ({v0} v0, {legacy} _Z, {other} other): {} differ by a known class",
            path.display(),
            names.len(),
            classes.len()
        );
        let listed: Vec<Vec<u8>> = classes.iter().take(20).map(|(_, n)| n.clone()).collect();
        for ((c, n), nm) in classes.iter().zip(nm_opinion(path, &listed)) {
            eprintln!(
                "  {c:?}: {}\n    ours:   {}\n    theirs: {}\n    nm -C:  {nm}",
                String::from_utf8_lossy(n),
                ours(n),
                reference(n)
            );
        }
    }
    for (d, n) in &depths {
        eprintln!("names deeper than {d} levels: {n}");
    }
    eprintln!(
        "deepest v0 name: {} levels (MAX_DEPTH {MAX_DEPTH}): {}",
        deepest.0,
        String::from_utf8_lossy(&deepest.1)
    );
    if !failures.is_empty() {
        for (path, name, e) in failures.iter().take(30) {
            let nm = nm_opinion(path, std::slice::from_ref(name));
            eprintln!("{}: {e}\n  nm -C:  {}", path.display(), nm[0]);
        }
        panic!("{} names differ from rustc-demangle", failures.len());
    }
}

/// The names of samples.txt.
fn samples() -> Vec<&'static [u8]> {
    include_str!("samples.txt")
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::as_bytes)
        .collect()
}

#[test]
fn samples_match_rustc_demangle() {
    let mut escaped = Vec::new();
    for name in samples() {
        match judge(name, false) {
            Ok(None) => {}
            Ok(Some(Class::UnicodeEscape)) => escaped.push(ours(name)),
            Ok(Some(c)) => panic!("{}: {c:?}", String::from_utf8_lossy(name)),
            Err(e) => panic!("{e}"),
        }
    }
    // U+0301 (combining) and U+10FFFF (unassigned) in char constants.
    assert_eq!(escaped.len(), 2, "{escaped:?}");
}

#[test]
fn what_the_samples_print() {
    // A few of samples.txt with the text a reader sees.
    let cases: [(&str, &str); 14] = [
        (
            "_RINvCsd2pkCS1BQMS_1s3hofNCNvB2_4mains_0EB2_",
            "s::hof::<s::main::{closure#1}>",
        ),
        (
            "_RNSNvYNCNvCsd2pkCS1BQMS_1s4mains0_0INtNtNtCsgEmfK2I1SDS_4core3ops8function6FnOnceTmEE9call_once6vtableB8_",
            "<s::main::{closure#2} as core::ops::function::FnOnce<(u32,)>>::call_once::{shim:vtable#0}",
        ),
        ("_RNvCsd2pkCS1BQMS_1su8hllo_bpa", "s::héllo"),
        (
            "_RNvMs_Csd2pkCS1BQMS_1sINtB4_1BKb1_Kc78_Kan5_E3getB4_",
            "<s::B<true, 'x', -5>>::get",
        ),
        (
            "_RNvXs0_Csd2pkCS1BQMS_1sAhj4_NtB5_2Tr1f",
            "<[u8; 4] as s::Tr>::f",
        ),
        (
            "_RINvCsd2pkCS1BQMS_1s3genThReAtj3_RSmuTnEcfINtNtCslNYArtu3iFV_5alloc5boxed3BoxDNtNtCsgEmfK2I1SDS_4core6marker4SendEL_EPhOxEEB2_",
            "s::gen::<(u8, &str, [u16; 3], &[u32], (), (i128,), char, f32, alloc::boxed::Box<dyn core::marker::Send>, *const u8, *mut i64)>",
        ),
        (
            "_RNvMCsgwRg9PezsVX_1nINtB2_1SKRe68c3a96c6c6f20227122202778270a7f_E1fB2_",
            "<n::S<\"héllo \\\"q\\\" 'x'\\n\\u{7f}\">>::f",
        ),
        (
            "_RNvMs0_CsgwRg9PezsVX_1nINtB5_1RKVNtNtB5_1E1CS1zln4_EE1fB5_",
            "<n::R<{n::E::C { z: -4 }}>>::f",
        ),
        (
            "_RNvMs_CsgwRg9PezsVX_1nINtB4_1QKVNtB4_1PS1xh3_1yb1_EE1fB4_",
            "<n::Q<{n::P { x: 3, y: true }}>>::f",
        ),
        (
            "_RNvMs3_CsgwRg9PezsVX_1nINtB5_2RfKRh5_E1fB5_",
            "<n::Rf<{&5}>>::f",
        ),
        (
            "_ZN49_$LT$$u5b$u8$u3b$$u20$4$u5d$$u20$as$u20$s..Tr$GT$1f17hdd62934b919e6462E",
            "<[u8; 4] as s::Tr>::f",
        ),
        ("_ZN1s9h$ue9$llo17h28dd6524f389ef19E", "s::héllo"),
        (
            "_ZN4core3ops8function6FnOnce40call_once$u7b$$u7b$vtable.shim$u7d$$u7d$17h31d4f3091a6bb623E",
            "core::ops::function::FnOnce::call_once{{vtable.shim}}",
        ),
        (
            "_ZN1s4more17_$u108$u$LT$T$GT$7_$u15d$17h020665f18ebcf7e3E",
            "s::more::Ĉu<T>::ŝ",
        ),
    ];
    for (mangled, want) in cases {
        assert_eq!(ours(mangled.as_bytes()), want, "{mangled}");
        assert_eq!(reference(mangled.as_bytes()), want, "{mangled}");
    }
}

#[test]
fn edge_cases() {
    // Python: ("a" * 129 + "é").encode("punycode") == "aaa...a-yil".
    let puny = format!("{}_yil", "a".repeat(129));
    let long_puny = format!("_RNvC1au{}{puny}", puny.len());
    let cases: Vec<(String, &str)> = vec![
        // LLVM's suffixes.
        (
            "_ZN3foo3bar17h0123456789abcdefE.cold".into(),
            "foo::bar.cold",
        ),
        ("_ZN3foo3barE.cold.12".into(), "foo::bar.cold"),
        (
            "_ZN3foo3bar17h0123456789abcdefE.llvm.10403245849212574226".into(),
            "foo::bar",
        ),
        ("_ZN3foo3barE.llvm.AB12F@3".into(), "foo::bar"),
        ("_RNvC3foo3bar.llvm.123.4".into(), "foo::bar"),
        ("_RNvC3foo3bar.part.0".into(), "foo::bar.part"),
        // Not Rust's (C++, C, garbage): as they are.
        ("_ZN3foo3barEv".into(), "_ZN3foo3barEv"),
        ("_ZN3fooE bar".into(), "_ZN3fooE bar"),
        ("_ZN".into(), "_ZN"),
        ("_ZN3fo".into(), "_ZN3fo"),
        ("_R".into(), "_R"),
        ("_RC".into(), "_RC"),
        ("_Rc3foo".into(), "_Rc3foo"),
        ("memcpy.12".into(), "memcpy.12"),
        ("rt0_gogo".into(), "rt0_gogo"),
        // Legacy: a last element that only looks like a hash goes too;
        // `_$`, `..`, an unknown escape (then the rest as it is).
        ("_ZN3foo1hE".into(), "foo"),
        ("_ZN3foo4h12XE".into(), "foo::h12X"),
        ("_ZN5_$LT$E".into(), "<"),
        ("_ZN7a..b.c$E".into(), "a::b.c$"),
        ("_ZN9a$XX$b$C$E".into(), "a$XX$b$C$"),
        ("_ZN12$u1f$$u0041$E".into(), "$u1f$$u0041$"),
        ("_ZN12$u0041$$u7e$E".into(), "A~"),
        // v0: another compiler namespace, a lowercase one without a
        // name, integers past u64, `_` placeholders, negative numbers.
        ("_RNAC3foo4name".into(), "foo::{A:name#0}"),
        ("_RNvC3foo0".into(), "foo"),
        (
            "_RINvC1a1fKj1234567890abcdef12_E".into(),
            "a::f::<0x1234567890abcdef12>",
        ),
        ("_RINvC1a1fKpKan80_Kb1_E".into(), "a::f::<_, -128, true>"),
        // Binders: `for<'a, ..., '_29>`, innermost index 1.
        (
            "_RINvC1a1fFGs_RL0_hRLt_hEuE".into(),
            "a::f::<for<'a, 'b, 'c, 'd, 'e, 'f, 'g, 'h, 'i, 'j, 'k, 'l, 'm, 'n, 'o, 'p, 'q, 'r, 's, 't, 'u, 'v, 'w, 'x, 'y, 'z, '_26, '_27, '_28, '_29> fn(&'_29 u8, &'a u8)>",
        ),
        // A punycode identifier longer than the decoder's buffer.
        (long_puny, "??"),
    ];
    for (mangled, want) in &cases {
        let theirs = reference(mangled.as_bytes());
        let o = ours(mangled.as_bytes());
        if *want == "??" {
            assert!(
                o.starts_with("a::punycode{aaaa") && o.ends_with("-yil}"),
                "{o}"
            );
        } else {
            assert_eq!(o, *want, "{mangled}");
        }
        assert_eq!(o, theirs, "{mangled}: the oracle");
    }
}

/// The stack the demangler may take at [`MAX_DEPTH`]: it runs on
/// signal stacks (`SIGNAL_STACK_SIZE`, 64 KiB) under the traceback.
const STACK_BUDGET: usize = 12 * 1024;

#[test]
fn depth_and_size_bounds() {
    // Nested under the bound: the oracle's text. Past it: the name so far
    // and `?`; the oracle goes on to 500.
    let nested = |n: usize| format!("_RINvC1a1f{}hE", "R".repeat(n));
    let shallow = nested(MAX_DEPTH as usize - 10);
    assert_eq!(ours(shallow.as_bytes()), reference(shallow.as_bytes()));
    let deep = nested(300);
    let o = ours(deep.as_bytes());
    assert!(o.starts_with("a::f::<&&&") && o.ends_with("&?"), "{o}");
    assert_eq!(judge(deep.as_bytes(), false), Ok(Some(Class::Depth)));
    // The stack a level takes, in the worst of a few shapes (references,
    // nested generic types, dyn traits with bindings, constants); the
    // freestanding build's frames are the same code.
    let shapes = [
        nested(200),
        format!("_RINvC1a1f{}hE{}", "INtC1a1S".repeat(200), "E".repeat(200)),
        format!(
            "_RINvC1a1f{}h{}E",
            "DINtC1a1TEp1xINtC1a1S".repeat(100),
            "EEL_".repeat(100)
        ),
        format!("_RINvC1a1fKA{}E", "A".repeat(200)),
        format!("_RINvC1a1f{}hE", "NvNvNv".repeat(100)),
    ];
    let mut worst = 0;
    for shape in &shapes {
        let (depth, bytes) = walk_depth(shape.as_bytes());
        assert!(depth >= MAX_DEPTH, "{shape}");
        worst = worst.max(bytes / depth as usize);
    }
    eprintln!(
        "stack: {worst} bytes a level at most, {} at MAX_DEPTH",
        worst * MAX_DEPTH as usize
    );
    assert!(
        worst * (MAX_DEPTH as usize) <= STACK_BUDGET,
        "{worst} bytes a level"
    );
    let too_deep = nested(600);
    assert_eq!(
        reference(too_deep.as_bytes()),
        too_deep,
        "the oracle refuses it"
    );
    assert!(ours(too_deep.as_bytes()).ends_with("&?"));

    // Backrefs that double the text at each of 40 levels (2^40 `u8`s):
    // cut at MAX_OUTPUT or MAX_NODES, quickly.
    let levels = 40;
    let mut s = String::from("_RINvC1a1f");
    s.push_str(&"T".repeat(levels));
    s.push('h');
    for j in (0..levels).rev() {
        // X_j starts at offset 8 + j of what follows `_R`; its second
        // element is a backref to X_{j+1}, at 8 + j + 1.
        s.push('B');
        s.push_str(&base62(8 + j + 1));
        s.push('E');
    }
    s.push('E');
    let started = std::time::Instant::now();
    let o = ours(s.as_bytes());
    assert!(started.elapsed().as_secs() < 2);
    assert!(
        o.starts_with("a::f::<((((") && o.ends_with('?'),
        "{}",
        &o[..80]
    );
    assert!(o.len() <= MAX_OUTPUT + 1, "{}", o.len());
}

/// `n` as a v0 backref writes it.
fn base62(n: usize) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    if n == 0 {
        return "_".into();
    }
    let mut v = n - 1;
    let mut d = Vec::new();
    loop {
        d.push(DIGITS[v % 62]);
        v /= 62;
        if v == 0 {
            break;
        }
    }
    d.reverse();
    String::from_utf8(d).unwrap() + "_"
}

#[test]
fn mutated_names_never_panic_and_agree() {
    // Every prefix of every sample, and every sample with one byte
    // replaced: no panic, and the oracle's text (or a known difference).
    let mut tried = 0;
    let mut by_class = std::collections::BTreeMap::new();
    for name in samples() {
        let mut variants: Vec<Vec<u8>> = (0..name.len()).map(|n| name[..n].to_vec()).collect();
        for i in 2..name.len() {
            for b in [b'B', b'_', b'0', b'E', b'I', b'L', b'z', b'G', b'u', 0xff] {
                let mut m = name.to_vec();
                m[i] = b;
                variants.push(m);
            }
        }
        for v in variants {
            tried += 1;
            match judge(&v, true) {
                Ok(None) => {}
                Ok(Some(c)) => *by_class.entry(c).or_insert(0) += 1,
                Err(e) => panic!("{e}"),
            }
        }
    }
    eprintln!("{tried} mutated names; differences by class: {by_class:?}");
}

#[test]
fn a_failing_writer() {
    // The writer's error comes back; nothing panics.
    struct Fails(usize);
    impl Write for Fails {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            self.0 = self.0.checked_sub(s.len()).ok_or(fmt::Error)?;
            Ok(())
        }
    }
    for name in samples() {
        for room in [0, 1, 5, 20] {
            let r = write_demangled(&mut Fails(room), name);
            assert!(r.is_some(), "{}", String::from_utf8_lossy(name));
        }
    }
    assert!(write_demangled(&mut Fails(0), b"rt0_gogo").is_none());
}
