//! The independent oracles of the traceback tests: binutils (`nm`,
//! `addr2line`, `objdump`, `strip`) and `gdb`, run on the very binary whose
//! report is checked. Each is found in the test's PATH once; a missing tool
//! fails the test with what to install (`make test` installs binutils and
//! gdb: scripts/ensure.sh).
//!
//! - [`Symbols`]: `nm -C -S --defined-only`: each symbol's start, size and
//!   demangled name, to find the function containing a pc, a function's
//!   start from its name, and so `pc = start + OFF`.
//! - [`addr2line`]: `addr2line -a -f -i -C -e BINARY PC...`, one process
//!   for many pcs: per pc the chain of calls inlined there, innermost
//!   first, each with its function and FILE:LINE (for an inlined call, the
//!   line inside it; for the one containing it, the line of the call), the
//!   last entry being the function the code physically belongs to.
//!   binutils 2.40 names each entry by the DIE's linkage name (demangled),
//!   or by its bare `DW_AT_name` when the DIE has none ([`names_match`]).
//! - [`CallSites`]: `objdump -d`: the return address of every direct call,
//!   by callee: where a frame hidden from a report called the one below it.
//! - [`gdb_stacks`]: `gdb -batch` with breakpoints at addresses: at each
//!   stop, the stopped thread's frames from gdb's own unwinder (CFI), as
//!   `(inline?, pc, name)`, printed by a line of gdb's Python; gdb shows
//!   every inlined call as a frame of its own (INLINE_FRAME) sharing the
//!   pc of the physical frame that follows it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::{Output, Runner, run};

/// Absolute path of `tool` in the test's PATH (the programs' environment
/// is cleared, so the oracles are started by absolute path too).
pub fn tool(name: &str) -> PathBuf {
    static FOUND: OnceLock<std::sync::Mutex<Vec<(String, PathBuf)>>> = OnceLock::new();
    let found = FOUND.get_or_init(Default::default);
    let mut found = found.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, p)) = found.iter().find(|(n, _)| n == name) {
        return p.clone();
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let p = std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "`{name}` not found in PATH: the traceback tests need binutils (nm, addr2line, \
                 strip) and gdb as oracles; install them (apt-get install binutils gdb; \
                 `make test` does it through scripts/ensure.sh)"
            )
        });
    found.push((name.to_string(), p.clone()));
    p
}

/// Runs an oracle to completion; fails the test when it fails.
fn oracle_output(mut cmd: Command) -> String {
    let what = format!("{cmd:?}");
    let out = cmd.output().unwrap_or_else(|e| panic!("run {what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// One symbol of the binary's symbol table.
#[derive(Clone, Debug)]
pub struct Symbol {
    pub start: u64,
    /// 0 when `nm` gives none (asm labels): then it ends at the next one.
    pub size: u64,
    pub kind: char,
    /// As `nm -C` demangles it.
    pub name: String,
}

/// The text symbols of a binary, sorted by address.
pub struct Symbols {
    pub syms: Vec<Symbol>,
}

impl Symbols {
    /// `nm -C -S --defined-only BINARY`, the code symbols (t, T, w, W).
    pub fn load(binary: &Path) -> Symbols {
        let mut cmd = Command::new(tool("nm"));
        cmd.args(["-C", "-S", "--defined-only"]).arg(binary);
        let text = oracle_output(cmd);
        let mut syms = Vec::new();
        for l in text.lines() {
            let mut it = l.splitn(4, ' ');
            let (Some(a), Some(b), Some(c)) = (it.next(), it.next(), it.next()) else {
                continue;
            };
            let Ok(start) = u64::from_str_radix(a, 16) else {
                continue;
            };
            // `ADDR SIZE KIND NAME` or, without a size, `ADDR KIND NAME`.
            let (size, kind, name) = if b.len() == 1 {
                let name = match it.next() {
                    Some(rest) => format!("{c} {rest}"),
                    None => c.to_string(),
                };
                (0, b, name)
            } else {
                let Ok(size) = u64::from_str_radix(b, 16) else {
                    continue;
                };
                (size, c, it.next().unwrap_or("").to_string())
            };
            let kind = kind.chars().next().unwrap_or('?');
            if matches!(kind, 't' | 'T' | 'w' | 'W') {
                syms.push(Symbol {
                    start,
                    size,
                    kind,
                    name,
                });
            }
        }
        syms.sort_by_key(|s| (s.start, std::cmp::Reverse(s.size)));
        assert!(!syms.is_empty(), "no code symbols in {}", binary.display());
        Symbols { syms }
    }

    /// The function containing `pc`: a sized symbol covering it, else the
    /// nearest unsized one at or below it (up to the next symbol).
    pub fn containing(&self, pc: u64) -> Option<&Symbol> {
        let idx = self.syms.partition_point(|s| s.start <= pc);
        let below = &self.syms[..idx];
        if let Some(s) = below
            .iter()
            .rev()
            .take(64)
            .find(|s| s.size > 0 && pc < s.start + s.size)
        {
            return Some(s);
        }
        let s = below.last()?;
        let next = self.syms.get(idx).map_or(u64::MAX, |n| n.start);
        (s.size == 0 && pc < next).then_some(s)
    }

    /// Every symbol whose (normalised) name is `name`.
    pub fn named(&self, name: &str) -> Vec<&Symbol> {
        let want = normalize_name(name);
        self.syms
            .iter()
            .filter(|s| normalize_name(&s.name) == want)
            .collect()
    }

    /// The one symbol named `name`; None when there are none or several.
    pub fn unique(&self, name: &str) -> Option<&Symbol> {
        let v = self.named(name);
        (v.len() == 1).then(|| v[0])
    }

    /// Start of the unique symbol `name`; fails the test otherwise.
    pub fn addr(&self, name: &str) -> u64 {
        self.unique(name)
            .unwrap_or_else(|| panic!("no unique symbol {name:?} in the binary"))
            .start
    }
}

/// A function name as compared between rt0 and binutils: rt0 prints
/// rustc-demangle's `{:#}` and binutils its own demangling of the same
/// symbol; they agree (checked over every symbol of tb_panic with
/// rustc-demangle 0.1.28 and binutils 2.40) except that binutils drops
/// LLVM's `.N`/`.llvm.N`/`.cold` suffixes, which rustc-demangle keeps.
/// Closures are also compared as one word, `{closure}`: legacy mangling
/// says `{{closure}}`, v0 `{closure#N}`, and which one a binary uses is
/// rustc's choice, not rt0's.
pub fn normalize_name(name: &str) -> String {
    let mut s = name.to_string();
    // LLVM's suffixes after the demangled name.
    while let Some((head, tail)) = s.rsplit_once('.') {
        let is_suffix = !tail.is_empty()
            && (tail.chars().all(|c| c.is_ascii_digit()) || tail == "cold" || tail == "llvm");
        if is_suffix && !head.is_empty() && !head.ends_with('.') {
            s = head.to_string();
        } else {
            break;
        }
    }
    let s = s.replace("{{closure}}", "{closure}");
    // {closure#N} -> {closure}
    let mut out = String::with_capacity(s.len());
    let mut rest = s.as_str();
    while let Some(i) = rest.find("{closure#") {
        out.push_str(&rest[..i]);
        let after = &rest[i + "{closure#".len()..];
        let digits = after.chars().take_while(|c| c.is_ascii_digit()).count();
        if after[digits..].starts_with('}') {
            out.push_str("{closure}");
            rest = &after[digits + 1..];
        } else {
            out.push_str("{closure#");
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// One entry of addr2line's inline chain for an address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    /// `??` when it knows no function.
    pub func: String,
    /// None for `??:0`, `??:?`, `FILE:0`, `FILE:?`: no line information.
    pub file_line: Option<(String, u32)>,
    /// The two lines as printed.
    pub text: String,
}

/// `addr2line -a -f -i -C -e BINARY ADDR...`, in one run: per address its
/// chain, innermost first (never empty: `??` when nothing is known).
pub fn addr2line(binary: &Path, addrs: &[u64]) -> Vec<Vec<Place>> {
    if addrs.is_empty() {
        return Vec::new();
    }
    let mut cmd = Command::new(tool("addr2line"));
    cmd.args(["-a", "-f", "-i", "-C", "-e"]).arg(binary);
    for a in addrs {
        cmd.arg(format!("{a:#x}"));
    }
    let text = oracle_output(cmd);
    // `-a` prints each address as 0x and 16 hex digits, which no function
    // name or location line looks like.
    let is_addr = |l: &str| {
        l.len() == 18 && l.starts_with("0x") && l[2..].chars().all(|c| c.is_ascii_hexdigit())
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut chains: Vec<Vec<Place>> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        assert!(
            is_addr(lines[i]),
            "addr2line: expected an address line, got {:?}\n{text}",
            lines[i]
        );
        i += 1;
        let mut chain = Vec::new();
        while i < lines.len() && !is_addr(lines[i]) {
            let func = lines[i];
            let loc = lines.get(i + 1).copied().unwrap_or("??:0");
            chain.push(Place {
                func: func.to_string(),
                file_line: parse_addr2line_location(loc),
                text: format!("{func}\n{loc}"),
            });
            i += 2;
        }
        assert!(
            !chain.is_empty(),
            "addr2line: an address without a chain\n{text}"
        );
        chains.push(chain);
    }
    assert_eq!(chains.len(), addrs.len(), "addr2line output\n{text}");
    chains
}

/// Whether `ours` (a name rt0 printed) is the function addr2line named
/// `theirs`, both as [`normalize_name`] gives them: the same name, or,
/// when addr2line's is a bare DWARF name (no `::` outside generic
/// arguments: binutils 2.40 falls back to `DW_AT_name` for a DIE without
/// a linkage name, as rustc's line-tables-only DWARF has for inlined
/// functions, e.g. `stack` for `rt0::runtime::stack`), the last path
/// component of ours, generic arguments dropped on both sides
/// (`call_once<(), dyn FnOnce>` is `...::call_once`).
pub fn names_match(ours: &str, theirs: &str) -> bool {
    let (ours, theirs) = (normalize_name(ours), normalize_name(theirs));
    if ours == theirs {
        return true;
    }
    !is_path(&theirs) && !theirs.is_empty() && last_component(&ours) == last_component(&theirs)
}

/// Whether a name is a path (`a::b`, `<a::B as c::D>::f`) rather than a
/// bare DWARF name (`stack`, `call_once<(), dyn core::ops::FnOnce>`):
/// `::` outside the generic arguments.
pub fn is_path(name: &str) -> bool {
    let mut depth = 0i32;
    let b = name.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'<' => depth += 1,
            b'>' => depth -= 1,
            b':' if depth == 0 && b.get(i + 1) == Some(&b':') => return true,
            _ => {}
        }
    }
    false
}

/// The last `::` component of a path outside generic arguments, with a
/// trailing `<...>` dropped: `<a::B<T> as c::D>::f<u8>` -> `f`.
pub fn last_component(name: &str) -> &str {
    let b = name.as_bytes();
    let (mut depth, mut start) = (0i32, 0);
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'<' => depth += 1,
            b'>' => depth -= 1,
            b':' if depth == 0 && b.get(i + 1) == Some(&b':') => start = i + 2,
            _ => {}
        }
    }
    strip_generics(&name[start..])
}

/// A name without its trailing generic arguments (gdb's Rust names carry
/// them: `core::ptr::write_volatile<u8>`): `f<u8>` -> `f`, `<A as B>::f`
/// unchanged.
pub fn strip_generics(name: &str) -> &str {
    if !name.ends_with('>') {
        return name;
    }
    let b = name.as_bytes();
    let mut depth = 0i32;
    for i in (0..b.len()).rev() {
        match b[i] {
            b'>' => depth += 1,
            b'<' => {
                depth -= 1;
                if depth == 0 {
                    return if i == 0 { name } else { &name[..i] };
                }
            }
            _ => {}
        }
    }
    name
}

/// The return addresses of the direct calls in a binary, by callee
/// (`objdump -d`: `ADDR:\tcall   TARGET <name>`; the return address is
/// the next instruction's). Indirect calls (`call *%rax`) name no callee
/// and are left out.
pub struct CallSites {
    by_callee: HashMap<u64, Vec<u64>>,
}

impl CallSites {
    pub fn load(binary: &Path) -> CallSites {
        let mut cmd = Command::new(tool("objdump"));
        cmd.args(["-d", "--no-show-raw-insn"]).arg(binary);
        let text = oracle_output(cmd);
        let mut by_callee: HashMap<u64, Vec<u64>> = HashMap::new();
        let mut pending: Option<u64> = None;
        for l in text.lines() {
            let Some((addr, insn)) = l.trim_start().split_once(":\t") else {
                continue;
            };
            let Ok(addr) = u64::from_str_radix(addr, 16) else {
                continue;
            };
            if let Some(target) = pending.take() {
                by_callee.entry(target).or_default().push(addr);
            }
            let Some(operand) = insn.strip_prefix("call") else {
                continue;
            };
            let target = operand.split_whitespace().next().unwrap_or("");
            if let Ok(t) = u64::from_str_radix(target, 16) {
                pending = Some(t);
            }
        }
        CallSites { by_callee }
    }

    /// The return addresses of the direct calls to `callee`.
    pub fn returns_to(&self, callee: u64) -> &[u64] {
        self.by_callee.get(&callee).map_or(&[], Vec::as_slice)
    }
}

/// `FILE:LINE`, `FILE:LINE (discriminator N)`, `??:0`, `FILE:?`.
fn parse_addr2line_location(loc: &str) -> Option<(String, u32)> {
    let loc = match loc.find(" (discriminator ") {
        Some(i) => &loc[..i],
        None => loc,
    };
    let (file, line) = loc.rsplit_once(':')?;
    let line: u32 = line.parse().ok()?;
    (file != "??" && line != 0).then(|| (file.to_string(), line))
}

/// One frame as gdb sees it.
#[derive(Clone, Debug)]
pub struct GdbFrame {
    /// An inlined function's frame (gdb's INLINE_FRAME): it shares the pc
    /// of the physical frame that follows it, as rt0's inlined frames
    /// (TB_FORMAT's addendum) come before the physical one.
    pub inline: bool,
    pub pc: u64,
    /// gdb's name (from DWARF: the qualified name with generic
    /// arguments, `core::ptr::write_volatile<u8>`, closures as
    /// `{closure#N}`).
    pub name: String,
}

/// The Python that prints the stopped thread's frames, one line each.
const GDB_FRAMES_PY: &str = "python exec(\"f = gdb.newest_frame()\\nwhile f is not None:\\n    print('TBFRAME', int(f.type() == gdb.INLINE_FRAME), hex(f.pc()), f.name())\\n    f = f.older()\\nprint('TBEND')\")";

/// Runs `binary args` under `gdb -batch` with the environment `env` only
/// and a one-time breakpoint (`tbreak`) at each of `breaks`; at each of
/// up to `stops` stops, collects the stopped thread's frames (innermost
/// first) and continues.
/// Returns the stacks and gdb's whole output (for messages).
pub fn gdb_stacks(
    binary: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    breaks: &[u64],
    stops: usize,
) -> (Vec<Vec<GdbFrame>>, Output) {
    let mut cmd = Command::new(tool("gdb"));
    cmd.env_clear();
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.args(["-batch", "-nx"]);
    let mut ex = |c: &str| {
        cmd.arg("-ex").arg(c);
    };
    ex("set pagination off");
    ex("set confirm off");
    ex("set startup-with-shell off");
    ex("set backtrace past-main on");
    ex("set debuginfod enabled off");
    // rt0's preemption signal, and the dump signals are the program's.
    ex("handle SIGURG nostop noprint pass");
    for b in breaks {
        // tbreak: a goroutine stopped at a breakpoint may be preempted
        // there (SIGURG, passed on when gdb resumes it) and resume on
        // another thread at the same pc, which a `break` would report
        // again, taking the stop of another breakpoint.
        ex(&format!("tbreak *{b:#x}"));
    }
    ex("run");
    for i in 0..stops {
        ex(GDB_FRAMES_PY);
        if i + 1 < stops {
            ex("continue");
        }
    }
    ex("kill");
    cmd.arg("--args").arg(binary).args(args);
    cmd.stdin(std::process::Stdio::null());
    let out = run(&Runner::Native, cmd);
    let text = out.stdout_str();
    let mut stacks = Vec::new();
    let mut cur: Vec<GdbFrame> = Vec::new();
    for l in text.lines() {
        if let Some(rest) = l.strip_prefix("TBFRAME ") {
            let mut it = rest.splitn(3, ' ');
            let inline = it.next() == Some("1");
            let pc = it
                .next()
                .and_then(|p| u64::from_str_radix(p.trim_start_matches("0x"), 16).ok())
                .unwrap_or_else(|| panic!("gdb frame line {l:?}"));
            let name = it.next().unwrap_or("None").to_string();
            cur.push(GdbFrame { inline, pc, name });
        } else if l == "TBEND" {
            stacks.push(std::mem::take(&mut cur));
        }
    }
    (stacks, out)
}

/// `strip -o OUT BINARY`.
pub fn strip(binary: &Path, out: &Path) {
    let mut cmd = Command::new(tool("strip"));
    cmd.arg("-o").arg(out).arg(binary);
    oracle_output(cmd);
}

/// Whether the binary has DWARF line tables (a `.debug_line` section),
/// from `objdump -h`.
pub fn has_line_tables(binary: &Path) -> bool {
    let mut cmd = Command::new(tool("objdump"));
    cmd.arg("-h").arg(binary);
    oracle_output(cmd)
        .lines()
        .any(|l| l.split_whitespace().nth(1) == Some(".debug_line"))
}
