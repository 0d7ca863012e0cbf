//! The program `make run` runs (with `GODEBUG=inittrace=1`): after the
//! runtime's own `rt0: ...` trace on stderr, it shows on stdout what a
//! process receives from the kernel and what the runtime made of it:
//! argv, the environment, every auxv entry, that the `.init_array`
//! constructors ran before main (one of them is this program's own), the
//! CPU, the scheduler's size and the heap. Everything it shows comes
//! through rt0's public API.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;
use core::fmt;
use core::sync::atomic::{AtomicBool, AtomicI64, Ordering::SeqCst};

use rt0::println;

rt0::main!(main);

/// Environment entries longer than this are shown cut.
const ENV_SHOWN_BYTES: usize = 60;

/// Set by [`demo_constructor`]; main checks it before anything else.
static CONSTRUCTOR_RAN: AtomicBool = AtomicBool::new(false);
/// When the constructor ran (CLOCK_MONOTONIC, ns).
static CONSTRUCTOR_AT: AtomicI64 = AtomicI64::new(0);

/// This program's own constructor: the runtime's main goroutine runs every
/// `.init_array` entry before main, as a C runtime (or Go's package init)
/// does.
extern "C" fn demo_constructor() {
    CONSTRUCTOR_AT.store(rt0::time::nanotime(), SeqCst);
    CONSTRUCTOR_RAN.store(true, SeqCst);
}

#[used]
#[unsafe(link_section = ".init_array")]
static DEMO_CONSTRUCTOR: extern "C" fn() = demo_constructor;

fn main() {
    // First thing: was the constructor already run?
    let ran_before_main = CONSTRUCTOR_RAN.load(SeqCst);
    let main_at = rt0::time::nanotime();

    println!("== argv ({} entries) ==", rt0::env::args().len());
    for (i, a) in rt0::env::args().enumerate() {
        println!("  argv[{i}] = \"{}\"", Bytes(a));
    }

    println!(
        "== environment ({} entries, first 3) ==",
        rt0::env::vars().len()
    );
    for e in rt0::env::vars().take(3) {
        // Long values are cut: this is a glimpse, not a dump.
        let cut = e.len() > ENV_SHOWN_BYTES;
        println!(
            "  {}{}",
            Bytes(&e[..e.len().min(ENV_SHOWN_BYTES)]),
            if cut { "..." } else { "" }
        );
    }

    println!(
        "== auxv ({} entries, AT_NULL not counted) ==",
        rt0::env::auxv().len()
    );
    for (tag, val) in rt0::env::auxv() {
        println!("  {:<20} {}", AtName(tag), AuxValue(tag, val));
    }

    // The runtime's main goroutine runs every `.init_array` entry before
    // main (`GODEBUG=inittrace=1` counts them on its `main goroutine`
    // line); this program's own is one of them.
    println!("== .init_array (run before main) ==");
    println!(
        "  demo_constructor ran before main: {} ({} ns before main's first line)",
        if ran_before_main { "yes" } else { "NO" },
        main_at - CONSTRUCTOR_AT.load(SeqCst)
    );

    let f = rt0::cpu::x86();
    println!("== cpu ==");
    println!(
        "  vendor {}  max leaf {}  xcr0 {:#x}",
        f.vendor_str(),
        f.max_leaf,
        f.xcr0
    );
    let flags = [
        ("sse2", f.has_sse2),
        ("sse3", f.has_sse3),
        ("ssse3", f.has_ssse3),
        ("sse4.1", f.has_sse41),
        ("sse4.2", f.has_sse42),
        ("popcnt", f.has_popcnt),
        ("aes", f.has_aes),
        ("pclmulqdq", f.has_pclmulqdq),
        ("osxsave", f.has_osxsave),
        ("avx", f.has_avx),
        ("fma", f.has_fma),
        ("avx2", f.has_avx2),
        ("bmi1", f.has_bmi1),
        ("bmi2", f.has_bmi2),
        ("erms", f.has_erms),
        ("adx", f.has_adx),
        ("avx512f", f.has_avx512f),
        ("rdtscp", f.has_rdtscp),
    ];
    println!("  has:     {}", Names(&flags, true));
    println!("  missing: {}", Names(&flags, false));

    println!("== scheduler ==");
    println!(
        "  GOMAXPROCS {}  (CPUs usable: {}; env GOMAXPROCS={})",
        rt0::runtime::gomaxprocs(),
        rt0::runtime::num_cpu(),
        rt0::env::getenv("GOMAXPROCS").unwrap_or("unset")
    );
    println!("  goroutines {}", rt0::runtime::num_goroutine());

    println!("== heap ==");
    show_heap("at main");
    // black_box: without it LTO sees the Vec is unused and removes it.
    let v: Vec<u64> = core::hint::black_box((0..100_000u64).collect());
    show_heap("with a 100,000-element Vec<u64>");
    drop(v);
    show_heap("after dropping it");
}

fn show_heap(when: &str) {
    let m = rt0::runtime::read_mem_stats();
    println!(
        "  {when:<32} mapped {:>9} B  in use {:>9} B  arenas {}  grown {} times",
        m.heap_sys, m.heap_alloc, m.arenas, m.grows
    );
}

/// Bytes shown as text, with anything not printable ASCII as `\xNN`
/// (the kernel promises NUL-terminated bytes, not UTF-8).
struct Bytes(&'static [u8]);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        for &b in self.0 {
            if (0x20..0x7f).contains(&b) && b != b'\\' {
                write!(f, "{}", b as char)?;
            } else {
                write!(f, "\\x{b:02x}")?;
            }
        }
        Ok(())
    }
}

/// auxv types by number (`<linux/auxvec.h>`, `<asm/auxvec.h>` for x86_64).
const AT_NAMES: [(usize, &str); 30] = [
    (0, "AT_NULL"),
    (1, "AT_IGNORE"),
    (2, "AT_EXECFD"),
    (3, "AT_PHDR"),
    (4, "AT_PHENT"),
    (5, "AT_PHNUM"),
    (6, "AT_PAGESZ"),
    (7, "AT_BASE"),
    (8, "AT_FLAGS"),
    (9, "AT_ENTRY"),
    (10, "AT_NOTELF"),
    (11, "AT_UID"),
    (12, "AT_EUID"),
    (13, "AT_GID"),
    (14, "AT_EGID"),
    (15, "AT_PLATFORM"),
    (16, "AT_HWCAP"),
    (17, "AT_CLKTCK"),
    (23, "AT_SECURE"),
    (24, "AT_BASE_PLATFORM"),
    (25, "AT_RANDOM"),
    (26, "AT_HWCAP2"),
    (27, "AT_RSEQ_FEATURE_SIZE"),
    (28, "AT_RSEQ_ALIGN"),
    (29, "AT_HWCAP3"),
    (30, "AT_HWCAP4"),
    (31, "AT_EXECFN"),
    (32, "AT_SYSINFO"),
    (33, "AT_SYSINFO_EHDR"),
    (51, "AT_MINSIGSTKSZ"),
];

struct AtName(usize);

impl fmt::Display for AtName {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match AT_NAMES.iter().find(|(n, _)| *n == self.0) {
            Some((_, name)) => f.pad(name),
            // Padding by hand: format! would pull in unwinding glue.
            None => write!(f, "AT_{:<17}", self.0),
        }
    }
}

/// An auxv value in the form that suits its type: strings for the two
/// string pointers, hex for addresses and bit masks, decimal otherwise.
struct AuxValue(usize, usize);

impl fmt::Display for AuxValue {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let AuxValue(tag, val) = *self;
        match tag {
            // AT_PLATFORM, AT_BASE_PLATFORM, AT_EXECFN: pointers to strings.
            15 | 24 | 31 if val != 0 => {
                // SAFETY: the kernel placed a NUL-terminated string there,
                // on the initial stack, which lives as long as the process.
                let s = unsafe { cstr(val as *const u8) };
                write!(f, "\"{}\"  (at {val:#x})", Bytes(s))
            }
            // AT_RANDOM: the address of 16 random bytes; show them too.
            25 if val != 0 => {
                // SAFETY: the kernel promises 16 readable bytes there.
                let r = unsafe { core::slice::from_raw_parts(val as *const u8, 16) };
                write!(f, "{val:#x}  (bytes ")?;
                for b in r {
                    write!(f, "{b:02x}")?;
                }
                write!(f, ")")
            }
            // Addresses and bit masks.
            3 | 7 | 9 | 16 | 26 | 29 | 30 | 32 | 33 => write!(f, "{val:#x}"),
            _ => write!(f, "{val}"),
        }
    }
}

/// A NUL-terminated string, without the NUL.
///
/// # Safety
/// `p` points at a NUL-terminated string that lives for the whole process.
unsafe fn cstr(p: *const u8) -> &'static [u8] {
    let mut n = 0;
    // SAFETY: every byte up to the NUL is readable (contract).
    unsafe {
        while *p.add(n) != 0 {
            n += 1;
        }
        core::slice::from_raw_parts(p, n)
    }
}

/// The names of the flags that are (or are not) set, space-separated.
struct Names<'a>(&'a [(&'a str, bool)], bool);

impl fmt::Display for Names<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let mut any = false;
        for (name, on) in self.0 {
            if *on == self.1 {
                write!(f, "{}{name}", if any { " " } else { "" })?;
                any = true;
            }
        }
        if !any {
            write!(f, "(none)")?;
        }
        Ok(())
    }
}
