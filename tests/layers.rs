//! The layering rule of HACKING.md ("Layers"), checked on the source: every
//! file under `src/` belongs to a layer (the table [`LAYERS`], the same as
//! HACKING.md's), and a file may name only modules of its own layer or
//! lower ones.
//!
//! Read: every `crate::X` and `$crate::X` path (in `use` declarations,
//! inline paths and macro bodies, `crate::{a, b}` groups included), every
//! `super::` path (resolved from the file's module, and from the inline
//! `mod name { .. }` it sits in), and every `#[path = "..."]` include.
//! Comments and string literals are blanked first, so prose that names a
//! module ("called by boot") is not an import. A path to a root-level
//! macro (`$crate::print!`) counts as an import of the file that defines
//! the macro. A file in no layer of the table fails the test too: a new
//! top-level module must be placed in a layer first.
//!
//! A failure names the file and line, the path, both layers and the rule.

mod common;

use common::rust_files;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// The layers, lowest first: (top-level module of `src/`, layer number,
/// layer name). `lib` is `src/lib.rs` itself (the crate root's macros and
/// the `#[global_allocator]`). Keep in step with HACKING.md's table.
const LAYERS: &[(&str, u8, &str)] = &[
    ("arch", 0, "arch"),
    ("racy", 0, "arch"),
    ("spinlock", 0, "arch"),
    ("sys", 1, "sys"),
    ("mem", 2, "mem"),
    ("sched", 3, "core"),
    ("debug", 3, "core"),
    ("print", 3, "core"),
    ("rand", 3, "core"),
    ("chan", 4, "services"),
    ("sync", 4, "services"),
    ("time", 4, "services"),
    ("io", 4, "services"),
    ("netpoll", 4, "services"),
    ("net", 4, "services"),
    ("fs", 4, "services"),
    ("hash", 4, "services"),
    ("boot", 5, "boot"),
    ("runtime", 6, "api"),
    ("env", 6, "api"),
    ("process", 6, "api"),
    ("lib", 6, "api"),
    ("os", 6, "api"),
    ("cpu", 6, "api"),
    ("testing", 6, "api"),
    ("export_test", 6, "api"),
    // lib.rs's inline shim through which the print macros reach print::_print.
    ("__private", 6, "api"),
];

/// Imports against the rule that are known and owned by another piece of
/// work, each with the reason: (file, the path exactly as written).
/// An entry that no longer matches anything fails the test, so the list
/// can only shrink.
const ALLOWED: &[(&str, &str, &str)] = &[
    // The print macros expand in the program's crate, where print.rs is
    // private: they name print::_print through the public shim
    // `rt0::__private`. Not an import of print.rs itself.
    (
        "src/print.rs",
        "$crate::__private::_print",
        "macro expansion in the user's crate",
    ),
];

fn layer_of(top: &str) -> Option<(u8, &'static str)> {
    LAYERS
        .iter()
        .find(|(m, _, _)| *m == top)
        .map(|&(_, n, name)| (n, name))
}

/// The module path of a file relative to `src/`: `sched/g.rs` is
/// `[sched, g]`, `sched/mod.rs` is `[sched]`, `lib.rs` is `[]`.
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|c| c.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && !(parts.is_empty() && stem == "lib") {
        parts.push(stem.to_string());
    }
    parts
}

/// The text with comments and the contents of string and char literals
/// replaced by spaces (newlines kept, so line numbers stay). `#[path =
/// "..."]` values are kept: they are includes.
fn blank(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = b.to_vec();
    let mut i = 0;
    let blank_range = |out: &mut Vec<u8>, from: usize, to: usize| {
        for c in &mut out[from..to] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    };
    while i < b.len() {
        let rest = &b[i..];
        if rest.starts_with(b"//") {
            let end = rest
                .iter()
                .position(|&c| c == b'\n')
                .map_or(b.len(), |n| i + n);
            blank_range(&mut out, i, end);
            i = end;
        } else if rest.starts_with(b"/*") {
            let (mut depth, mut j) = (1, i + 2);
            while j < b.len() && depth > 0 {
                if b[j..].starts_with(b"/*") {
                    depth += 1;
                    j += 2;
                } else if b[j..].starts_with(b"*/") {
                    depth -= 1;
                    j += 2;
                } else {
                    j += 1;
                }
            }
            blank_range(&mut out, i, j);
            i = j;
        } else if (rest[0] == b'r' || rest.starts_with(b"br"))
            && !prev_is_ident(b, i)
            && raw_string_start(&b[i + usize::from(rest[0] == b'b')..]).is_some()
        {
            let at = i + usize::from(rest[0] == b'b');
            let hashes = raw_string_start(&b[at..]).unwrap();
            let body = at + 2 + hashes;
            let mut close = vec![b'"'];
            close.extend(std::iter::repeat_n(b'#', hashes));
            let end = find(b, body, &close).map_or(b.len(), |n| n + close.len());
            blank_range(&mut out, body, end - close.len());
            i = end;
        } else if rest[0] == b'"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            if !is_path_attr(b, i) {
                blank_range(&mut out, i + 1, j.min(b.len()));
            }
            i = j + 1;
        } else if rest[0] == b'\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            let lit_end = if rest.get(1) == Some(&b'\\') {
                rest.iter().skip(2).position(|&c| c == b'\'').map(|n| n + 2)
            } else {
                let ch = std::str::from_utf8(&rest[1..rest.len().min(5)])
                    .ok()
                    .or_else(|| std::str::from_utf8(&rest[1..rest.len().min(4)]).ok())
                    .or_else(|| std::str::from_utf8(&rest[1..rest.len().min(3)]).ok())
                    .or_else(|| std::str::from_utf8(&rest[1..rest.len().min(2)]).ok())
                    .and_then(|s| s.chars().next());
                ch.and_then(|c| {
                    let n = 1 + c.len_utf8();
                    (rest.get(n) == Some(&b'\'')).then_some(n)
                })
            };
            match lit_end {
                Some(n) => {
                    blank_range(&mut out, i + 1, i + n);
                    i += n + 1;
                }
                None => i += 1,
            }
        } else {
            i += 1;
        }
    }
    String::from_utf8(out).expect("blanking keeps UTF-8 (only ASCII is replaced... by spaces)")
}

fn prev_is_ident(b: &[u8], i: usize) -> bool {
    i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')
}

/// `r"`, `r#"`, `r##"` ...: the number of hashes.
fn raw_string_start(s: &[u8]) -> Option<usize> {
    if s.first() != Some(&b'r') {
        return None;
    }
    let hashes = s[1..].iter().take_while(|&&c| c == b'#').count();
    (s.get(1 + hashes) == Some(&b'"')).then_some(hashes)
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|n| n + from)
}

/// Is the string starting at `i` the value of a `#[path = ...]` attribute?
fn is_path_attr(b: &[u8], i: usize) -> bool {
    let before = String::from_utf8_lossy(&b[i.saturating_sub(40)..i]);
    let t = before.trim_end();
    t.ends_with('=') && t[..t.len() - 1].trim_end().ends_with("#[path")
}

/// One path found in a file: where, what was written, which top-level
/// module of the crate it reaches (`None`: the crate root itself).
struct Import {
    line: usize,
    text: String,
    target: Option<String>,
}

fn ident_at(s: &[u8], i: usize) -> Option<(String, usize)> {
    let n = s[i..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count();
    (n > 0).then(|| (String::from_utf8_lossy(&s[i..i + n]).into_owned(), i + n))
}

fn skip_ws(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && s[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The first identifiers of the items of a `{ a::b, c, d::{e} }` group
/// starting at `i` (at the `{`), and the index after the closing brace.
fn group_heads(s: &[u8], i: usize) -> (Vec<String>, usize) {
    let mut heads = Vec::new();
    let (mut depth, mut j, mut want) = (0, i, true);
    while j < s.len() {
        match s[j] {
            b'{' => {
                depth += 1;
                want = depth == 1;
                j += 1;
            }
            b'}' => {
                depth -= 1;
                j += 1;
                if depth == 0 {
                    break;
                }
            }
            b',' if depth == 1 => {
                want = true;
                j += 1;
            }
            c if want && depth == 1 && (c.is_ascii_alphabetic() || c == b'_' || c == b'*') => {
                if c == b'*' {
                    heads.push("*".into());
                    j += 1;
                } else {
                    let (id, e) = ident_at(s, j).unwrap();
                    heads.push(id);
                    j = e;
                }
                want = false;
            }
            _ => j += 1,
        }
    }
    (heads, j)
}

/// Every crate-internal path of a blanked file whose module is `module`.
fn imports(text: &str, module: &[String], macros: &BTreeMap<String, String>) -> Vec<Import> {
    let s = text.as_bytes();
    let line_of = |i: usize| s[..i].iter().filter(|&&c| c == b'\n').count() + 1;
    // Inline `mod name {` blocks: (brace depth at which each closes, name).
    let mut inline: Vec<(usize, String)> = Vec::new();
    let mut depth = 0usize;
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if c == b'{' {
            depth += 1;
            i += 1;
            continue;
        }
        if c == b'}' {
            depth = depth.saturating_sub(1);
            while inline.last().is_some_and(|(d, _)| *d > depth) {
                inline.pop();
            }
            i += 1;
            continue;
        }
        if !(c.is_ascii_alphabetic() || c == b'_') || prev_is_ident(s, i) {
            i += 1;
            continue;
        }
        let (word, end) = ident_at(s, i).unwrap();
        if word == "mod" {
            let j = skip_ws(s, end);
            if let Some((name, e)) = ident_at(s, j) {
                let k = skip_ws(s, e);
                if s.get(k) == Some(&b'{') {
                    inline.push((depth + 1, name));
                }
            }
            i = end;
            continue;
        }
        if word != "crate" && word != "super" {
            i = end;
            continue;
        }
        if !s[end..].starts_with(b"::") {
            i = end;
            continue;
        }
        // Resolve the path's base module.
        let mut base: Vec<String> = if word == "crate" {
            Vec::new()
        } else {
            let mut m: Vec<String> = module.to_vec();
            m.extend(inline.iter().map(|(_, n)| n.clone()));
            m.pop();
            m
        };
        let mut j = end + 2;
        loop {
            let k = skip_ws(s, j);
            match ident_at(s, k) {
                Some((w, e)) if w == "super" && s[e..].starts_with(b"::") => {
                    base.pop();
                    j = e + 2;
                }
                _ => break,
            }
        }
        let k = skip_ws(s, j);
        let (heads, stop) = if s.get(k) == Some(&b'{') {
            group_heads(s, k)
        } else {
            match ident_at(s, k) {
                Some((w, e)) => (vec![w], e),
                None => (vec!["*".into()], k + 1),
            }
        };
        // The text as written, up to the end of the path (for the report).
        let mut t = stop;
        while t < s.len() && (s[t].is_ascii_alphanumeric() || b"_:".contains(&s[t]) || s[t] == b'!')
        {
            t += 1;
        }
        let start = if i > 0 && s[i - 1] == b'$' { i - 1 } else { i };
        let written = String::from_utf8_lossy(&s[start..t.max(stop)]).into_owned();
        let written: String = written.split_whitespace().collect::<Vec<_>>().join(" ");
        for head in heads {
            let target = if let Some(top) = base.first() {
                Some(top.clone())
            } else if head == "*" || head == "self" {
                None
            } else if s.get(stop) == Some(&b'!')
                || macros.contains_key(&head) && layer_of(&head).is_none()
            {
                macros.get(&head).cloned()
            } else {
                Some(head.clone())
            };
            out.push(Import {
                line: line_of(i),
                text: written.clone(),
                target,
            });
        }
        i = stop.max(end);
    }
    // `#[path = "file"]`: the included file's top-level module.
    let mut from = 0;
    while let Some(at) = text[from..].find("#[path") {
        let at = from + at;
        if let (Some(q1), Some(q2)) = (
            text[at..].find('"').map(|n| n + at),
            text[at..].find("\"]").map(|n| n + at),
        ) {
            let rel = &text[q1 + 1..q2];
            out.push(Import {
                line: line_of(at),
                text: format!("#[path = \"{rel}\"]"),
                target: Some(format!("#path:{rel}")),
            });
        }
        from = at + 6;
    }
    out
}

#[test]
fn imports_go_only_downward() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(
        files.len() > 20,
        "found only {} files under {}",
        files.len(),
        src.display()
    );

    // Pass 1: each file's module, blanked text, and the macros it exports.
    let mut macros = BTreeMap::new();
    let mut parsed = Vec::new();
    let mut errors = String::new();
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap().to_path_buf();
        let module = module_path(&rel);
        let top = module.first().cloned().unwrap_or_else(|| "lib".into());
        if layer_of(&top).is_none() {
            let _ = writeln!(
                errors,
                "src/{}: module `{top}` is in no layer: add it to LAYERS in tests/layers.rs \
                 and to the table in HACKING.md (\"Layers\")",
                rel.display()
            );
            continue;
        }
        let text = blank(&std::fs::read_to_string(f).unwrap());
        for (n, _) in text.match_indices("macro_rules!") {
            if let Some((name, _)) = ident_at(text.as_bytes(), skip_ws(text.as_bytes(), n + 12)) {
                macros.insert(name, top.clone());
            }
        }
        parsed.push((rel, module, top, text));
    }

    // Pass 2: every path against the table.
    let mut used = vec![false; ALLOWED.len()];
    let mut checked = 0;
    for (rel, module, top, text) in &parsed {
        let (from_n, from_name) = layer_of(top).unwrap();
        let file = format!("src/{}", rel.display());
        for imp in imports(text, module, &macros) {
            checked += 1;
            let Some(target) = &imp.target else { continue };
            let target_top = if let Some(p) = target.strip_prefix("#path:") {
                let dir = src.join(rel).parent().unwrap().to_path_buf();
                let inc = dir.join(p);
                let Ok(inc) = inc.canonicalize() else {
                    let _ = writeln!(errors, "{file}:{}: {} names no file", imp.line, imp.text);
                    continue;
                };
                match inc.strip_prefix(src.canonicalize().unwrap()) {
                    Ok(r) => module_path(r)
                        .first()
                        .cloned()
                        .unwrap_or_else(|| "lib".into()),
                    Err(_) => {
                        let _ = writeln!(
                            errors,
                            "{file}:{}: {} includes a file outside src/",
                            imp.line, imp.text
                        );
                        continue;
                    }
                }
            } else {
                target.clone()
            };
            let Some((to_n, to_name)) = layer_of(&target_top) else {
                let _ = writeln!(
                    errors,
                    "{file}:{}: {} reaches `{target_top}`, which is in no layer (tests/layers.rs LAYERS)",
                    imp.line, imp.text
                );
                continue;
            };
            if to_n <= from_n {
                continue;
            }
            if let Some(k) = ALLOWED
                .iter()
                .position(|(f, t, _)| *f == file && *t == imp.text)
            {
                used[k] = true;
                continue;
            }
            let _ = writeln!(
                errors,
                "{file}:{}: `{}` imports {target_top} ({to_name}, layer {to_n}) from {top} \
                 ({from_name}, layer {from_n}): a module may import only from its own layer \
                 or lower ones (HACKING.md, \"Layers\")",
                imp.line, imp.text
            );
        }
    }
    for (k, (f, t, why)) in ALLOWED.iter().enumerate() {
        if !used[k] {
            let _ = writeln!(
                errors,
                "tests/layers.rs ALLOWED: `{t}` in {f} ({why}) no longer occurs: remove the entry"
            );
        }
    }
    assert!(
        checked > 100,
        "found only {checked} crate paths: is the scanner broken?"
    );
    assert!(errors.is_empty(), "imports against the layering:\n{errors}");
}

/// The scanner itself, on small sources.
#[test]
fn scanner_finds_paths_and_skips_prose() {
    let macros = BTreeMap::from([("println".to_string(), "print".to_string())]);
    let src = r##"
        use crate::sched::g::G; // crate::boot::nothing in a comment
        use crate::{mem::stack, sys::{futex, mm}};
        use super::super::time::x;
        /* crate::boot::block */ fn f() { let s = "crate::boot::string"; let c = '"'; }
        fn g<'a>(x: &'a u8) { $crate::println!("{}", crate::rand::fastrand64()); }
        mod tests { use super::*; use super::super::debug::y; }
        #[path = "../other/file.rs"] mod other;
        const R: &str = r#"crate::boot::raw"#;
    "##;
    let text = blank(src);
    assert!(!text.contains("boot"), "prose and strings blanked: {text}");
    let found: Vec<(usize, String, Option<String>)> =
        imports(&text, &["chan".into(), "select".into()], &macros)
            .into_iter()
            .map(|i| (i.line, i.text, i.target))
            .collect();
    let targets: Vec<Option<&str>> = found.iter().map(|f| f.2.as_deref()).collect();
    assert_eq!(
        targets,
        [
            Some("sched"),
            Some("mem"),
            Some("sys"),
            Some("time"),
            Some("print"),
            Some("rand"),
            Some("chan"),
            Some("chan"),
            Some("#path:../other/file.rs"),
        ],
        "{found:?}"
    );
    assert_eq!(found[0].0, 2);
    assert_eq!(found[3].1, "super::super::time::x");
}
