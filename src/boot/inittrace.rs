//! `GODEBUG=inittrace=1`: one stderr line per bootstrap step, each starting
//! `rt0: `, with what the step found and how long it took (`took=N ns`,
//! from CLOCK_MONOTONIC; `check` runs before GODEBUG is known and is not
//! timed, so that an untraced start reads no clock). Go's inittrace traces package init; rt0 traces
//! the runtime's own path, for people studying process start-up.
//!
//! Values are decimal unless printed as `0x...`. The lines, in order:
//! `check`, `g0 stack`, `tls` (the asm steps, reported once GODEBUG is
//! known), `args` (which also gives the auxv count and the entries rt0
//! uses: page size, AT_SECURE, the vDSO), `osinit`, `cpu`, `schedinit`,
//! `main` (the last printed by the main goroutine itself,
//! `sched::runtime_main`, as Go's runtime.main prints its init lines).

use core::fmt::Write;

use super::args::InitialStack;
use super::godebug::inittrace;
use crate::print::Writer;
use crate::sched::sched::{G0, M0};

/// `arch_prctl` code that reads the FS base.
const ARCH_GET_FS: usize = 0x1003;

fn line(args: core::fmt::Arguments) {
    let mut w = Writer::stderr();
    let _ = w.write_str("rt0: ");
    let _ = w.write_fmt(args);
    let _ = w.write_str("\n");
}

/// A clock reading for step timing, taken only when tracing: every program
/// pays for the bootstrap, so untraced runs read no clock at all.
pub fn clock() -> i64 {
    if inittrace() {
        crate::sys::time::nanotime()
    } else {
        0
    }
}

/// The FS base as the kernel reports it (independent of our own records).
fn read_fs_base() -> usize {
    let mut fs: usize = 0;
    // SAFETY: ARCH_GET_FS writes one word to the address given.
    unsafe {
        crate::sys::syscall::syscall2(
            crate::sys::syscall::nr::SYS_arch_prctl,
            ARCH_GET_FS,
            &mut fs as *mut usize as usize,
        )
    };
    fs
}

/// After `args`: the asm steps (check, g0 stack, TLS), then the args line
/// (with the auxv summary).
pub fn args_done(st: &InitialStack, ns: i64) {
    if !inittrace() {
        return;
    }
    line(format_args!("check ok"));
    // SAFETY: rt0_go initialised g0; single-threaded start-up.
    let g0 = unsafe { &*G0.get() };
    line(format_args!(
        "g0 stack lo={:#x} hi={:#x} size={} guard={}",
        g0.stack.lo,
        g0.stack.hi,
        g0.stack.hi - g0.stack.lo,
        g0.stackguard0 - g0.stack.lo
    ));
    let fs = read_fs_base();
    // SAFETY: address arithmetic on m0 only.
    let want = unsafe { (&raw const (*M0.get()).tls) as usize + 8 };
    line(format_args!(
        "tls fs={:#x} m0.tls={:#x} check={}",
        fs,
        want - 8,
        if fs == want { "ok" } else { "MISMATCH" }
    ));
    line(format_args!(
        "args argc={} envc={} auxc={} pagesz={} secure={} vdso={:#x} vdso_clock={} took={}ns",
        st.argc,
        st.envc,
        st.auxc,
        st.aux.pagesz,
        u8::from(st.aux.secure),
        st.aux.sysinfo_ehdr,
        u8::from(crate::sys::time::have_vdso_clock()),
        ns
    ));
}

pub fn osinit_done(ncpu: i32, huge: usize, ns: i64) {
    if inittrace() {
        line(format_args!(
            "osinit ncpu={ncpu} hugepagesize={huge} took={ns}ns"
        ));
    }
}

pub fn cpu_done(ns: i64) {
    if !inittrace() {
        return;
    }
    let f = super::cpu::features();
    let b = u8::from;
    line(format_args!(
        "cpu vendor={} maxleaf={} isintel={} sse2={} ssse3={} sse41={} sse42={} popcnt={} aes={} \
         osxsave={} avx={} avx2={} bmi1={} bmi2={} erms={} avx512f={} xcr0={:#x} sse3={} fma={} adx={} \
         pclmulqdq={} rdtscp={} took={}ns",
        f.vendor_str(),
        f.maxleaf,
        b(f.is_intel),
        b(f.sse2),
        b(f.ssse3),
        b(f.sse41),
        b(f.sse42),
        b(f.popcnt),
        b(f.aes),
        b(f.osxsave),
        b(f.avx),
        b(f.avx2),
        b(f.bmi1),
        b(f.bmi2),
        b(f.erms),
        b(f.avx512f),
        f.xcr0,
        b(f.sse3),
        b(f.fma),
        b(f.adx),
        b(f.pclmulqdq),
        b(f.rdtscp),
        ns
    ));
}

pub fn schedinit_done(gomaxprocs: i32, requested: Option<&[u8]>, ns: i64) {
    if !inittrace() {
        return;
    }
    let (mapped, _, arenas, _) = crate::mem::heap::stats();
    let mut w = Writer::stderr();
    let _ = write!(
        w,
        "rt0: schedinit gomaxprocs={gomaxprocs} heap={mapped} arenas={arenas}"
    );
    if let Some(r) = requested {
        let _ = w.write_str(" GOMAXPROCS=");
        w.write_bytes(r);
    }
    let _ = writeln!(w, " took={ns}ns");
}
