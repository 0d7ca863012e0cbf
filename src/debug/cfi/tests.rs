//! Host tests of the unwinder. The host test binary is an ordinary std
//! program on the same x86-64 Linux, compiled with `.eh_frame` and linked
//! with `--eh-frame-hdr`, and it contains rt0's asm (all but entry.s):
//! its own tables (found in /proc/self/exe, moved by the load bias
//! `dl_iterate_phdr` gives) stand in for linker.ld's symbols. Checked
//! against independent oracles: the compiler's function addresses, the
//! section's own FDE list, binutils' `addr2line -f`, and hand-built
//! tables whose rows are known.

use super::*;
use std::collections::HashMap;
use std::sync::OnceLock;

// ---- The test binary's own tables ----

/// The leading fields of glibc's `struct dl_phdr_info`.
#[repr(C)]
struct DlPhdrInfo {
    addr: u64,
    name: *const u8,
    phdr: *const u8,
    phnum: u16,
}

unsafe extern "C" {
    /// glibc: calls `cb` for each loaded object, the program first.
    fn dl_iterate_phdr(
        cb: unsafe extern "C" fn(*mut DlPhdrInfo, usize, *mut core::ffi::c_void) -> i32,
        data: *mut core::ffi::c_void,
    ) -> i32;
}

/// Stores the first object's (the program's) load bias and stops.
unsafe extern "C" fn program_bias(
    info: *mut DlPhdrInfo,
    _size: usize,
    data: *mut core::ffi::c_void,
) -> i32 {
    // SAFETY: glibc passes a valid info; data is the u64 load_bias gave.
    unsafe { *(data as *mut u64) = (*info).addr };
    1
}

/// The program's load bias: the run-time address minus the link-time one.
fn load_bias() -> u64 {
    static BIAS: OnceLock<u64> = OnceLock::new();
    *BIAS.get_or_init(|| {
        let mut bias = 0u64;
        // SAFETY: the callback writes one u64 through data, which is bias.
        unsafe { dl_iterate_phdr(program_bias, &raw mut bias as *mut core::ffi::c_void) };
        bias
    })
}

/// (address, size) of each named section of /proc/self/exe, from its
/// section headers (ELF-64: e_shoff at 0x28, e_shentsize/e_shnum/
/// e_shstrndx at 0x3a/0x3c/0x3e; sh_name, sh_addr, sh_offset, sh_size at
/// 0, 0x10, 0x18, 0x20).
fn exe_section(name: &str) -> Option<(u64, u64)> {
    let elf = std::fs::read("/proc/self/exe").unwrap();
    let u16_at = |o: usize| u16::from_le_bytes(elf[o..o + 2].try_into().unwrap()) as usize;
    let u32_at = |o: usize| u32::from_le_bytes(elf[o..o + 4].try_into().unwrap()) as usize;
    let u64_at = |o: usize| u64::from_le_bytes(elf[o..o + 8].try_into().unwrap());
    let shoff = u64_at(0x28) as usize;
    let (shentsize, shnum, shstrndx) = (u16_at(0x3a), u16_at(0x3c), u16_at(0x3e));
    let strtab = u64_at(shoff + shstrndx * shentsize + 0x18) as usize;
    (0..shnum).find_map(|i| {
        let sh = shoff + i * shentsize;
        let at = strtab + u32_at(sh);
        let end = at + elf[at..].iter().position(|&b| b == 0)?;
        (&elf[at..end] == name.as_bytes()).then(|| (u64_at(sh + 0x10), u64_at(sh + 0x20)))
    })
}

/// A loaded section of this program as a slice.
fn loaded(name: &str) -> (&'static [u8], u64) {
    let (addr, size) = exe_section(name).unwrap_or_else(|| panic!("no {name} in /proc/self/exe"));
    let at = addr.wrapping_add(load_bias());
    // SAFETY: an allocated section of the running program: mapped
    // read-only for the process's life.
    (
        unsafe { core::slice::from_raw_parts(at as *const u8, size as usize) },
        at,
    )
}

/// The test binary's `.eh_frame_hdr` and `.eh_frame`.
pub(super) fn host_tables() -> EhFrame<'static> {
    static T: OnceLock<(&'static [u8], u64, &'static [u8], u64)> = OnceLock::new();
    let &(hdr, hdr_addr, frame, frame_addr) = T.get_or_init(|| {
        let (hdr, hdr_addr) = loaded(".eh_frame_hdr");
        let (frame, frame_addr) = loaded(".eh_frame");
        (hdr, hdr_addr, frame, frame_addr)
    });
    EhFrame::new(hdr, hdr_addr, frame, frame_addr)
}

/// The same without the search table: every lookup scans.
fn scan_tables() -> EhFrame<'static> {
    let t = host_tables();
    EhFrame::new(&[], 0, t.frame, t.frame_addr)
}

/// `addr2line -f -C`'s function name for a run-time address.
fn addr2line(pc: u64) -> String {
    let out = std::process::Command::new("addr2line")
        .args(["-f", "-C", "-e"])
        .arg(std::env::current_exe().unwrap())
        .arg(format!("{:#x}", pc - load_bias()))
        .output()
        .expect("addr2line (binutils) runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or("")
        .to_string()
}

/// Memory a test lets the unwinder read: a few ranges of its own.
struct Mem {
    ranges: Vec<(u64, u64)>,
}

impl Mem {
    fn of<T>(bufs: &[&[T]]) -> Mem {
        Mem {
            ranges: bufs
                .iter()
                .map(|b| {
                    let lo = b.as_ptr() as u64;
                    (lo, lo + core::mem::size_of_val(*b) as u64)
                })
                .collect(),
        }
    }

    fn read(&self, a: u64) -> Option<u64> {
        self.ranges
            .iter()
            .find(|&&(lo, hi)| a >= lo && a.checked_add(8).is_some_and(|end| end <= hi))?;
        // SAFETY: [a, a+8) lies inside one of the test's own live buffers.
        Some(unsafe { core::ptr::read_unaligned(a as *const u64) })
    }
}

fn addr_of<T>(x: &T) -> u64 {
    x as *const T as u64
}

// ---- Unwinding real Rust frames ----

const MAX_FRAMES: usize = 8;

/// Captures its own pc, sp and bp and walks up from there, while the
/// frames above are live.
#[inline(never)]
fn c(out: &mut [Frame; MAX_FRAMES]) -> usize {
    let (pc, sp, bp): (u64, u64, u64);
    // SAFETY: reads three registers into outputs; touches no memory.
    unsafe {
        core::arch::asm!(
            "lea {pc}, [rip]",
            "mov {sp}, rsp",
            "mov {bp}, rbp",
            pc = out(reg) pc,
            sp = out(reg) sp,
            bp = out(reg) bp,
            options(nomem, nostack, preserves_flags),
        );
    }
    // The frames this walk reads lie between sp and the thread's stack
    // top, far more than 256 KiB away from the few frames read.
    let mut read = |a: u64| -> Option<u64> {
        if a >= sp && a < sp + 256 * 1024 && a.is_multiple_of(8) {
            // SAFETY: a live part of this thread's stack, above our sp.
            Some(unsafe { *(a as *const u64) })
        } else {
            None
        }
    };
    let mut frame = Frame::new(Regs::new(pc, sp, bp), true);
    out[0] = frame;
    let mut n = 1;
    while n < MAX_FRAMES {
        match step(&frame, &mut read) {
            Some(f) => {
                out[n] = f;
                frame = f;
                n += 1;
            }
            None => break,
        }
    }
    core::hint::black_box(n)
}

#[inline(never)]
fn b(out: &mut [Frame; MAX_FRAMES]) -> usize {
    core::hint::black_box(c(out)) + core::hint::black_box(0)
}

#[inline(never)]
fn a(out: &mut [Frame; MAX_FRAMES]) -> usize {
    core::hint::black_box(b(out)) + core::hint::black_box(0)
}

#[test]
fn unwinds_through_rust_frames() {
    let mut frames = [Frame::new(Regs::empty(), false); MAX_FRAMES];
    let n = a(&mut frames);
    assert!(n >= 4, "only {n} frames");
    let want: [(u64, &str); 4] = [
        (c as *const () as u64, "cfi::tests::c"),
        (b as *const () as u64, "cfi::tests::b"),
        (a as *const () as u64, "cfi::tests::a"),
        (
            unwinds_through_rust_frames as *const () as u64,
            "cfi::tests::unwinds_through_rust_frames",
        ),
    ];
    for (i, (start, name)) in want.iter().enumerate() {
        let f = &frames[i];
        assert_eq!(f.exact, i == 0, "frame {i}: only the first is exact");
        let pc = f.lookup_pc();
        assert_eq!(
            function_start(pc),
            Some(*start),
            "frame {i}: pc {pc:#x} in {name}"
        );
        assert_eq!(
            scan_tables().function_start(pc),
            Some(*start),
            "frame {i}: by the scan"
        );
        let oracle = addr2line(pc);
        assert!(
            oracle.ends_with(name),
            "frame {i}: addr2line says {oracle}, want {name}"
        );
        if i > 0 {
            assert!(
                f.regs.sp() > frames[i - 1].regs.sp(),
                "frame {i}: the stack grows down"
            );
            // Only what a call keeps is known in a caller.
            assert_eq!(f.regs.get(RAX), None);
            assert!(f.regs.bp().is_some());
        }
    }
}

// ---- The test binary's tables against themselves ----

/// Every FDE of a section, in order, by walking its records.
fn all_fdes(t: &EhFrame<'static>) -> Vec<Fde<'static>> {
    let mut out = Vec::new();
    let mut off = 0;
    while let Some(rec) = t.record(off) {
        if rec.id != CIE_ID {
            out.push(t.fde_of(&rec).expect("a well-formed FDE"));
        }
        off = rec.next;
    }
    out
}

#[test]
fn search_table_and_scan_agree_on_every_fde() {
    let t = host_tables();
    let fdes = all_fdes(&t);
    assert!(fdes.len() > 100, "{} FDEs", fdes.len());
    let scan = scan_tables();
    let mut checked = 0;
    for f in fdes.iter().filter(|f| f.end > f.start) {
        for pc in [f.start, f.start + (f.end - f.start) / 2, f.end - 1] {
            let by_table = t.find_fde(pc).map(|x| (x.start, x.end));
            assert_eq!(by_table, Some((f.start, f.end)), "pc {pc:#x}");
            assert_eq!(scan.find_fde(pc).map(|x| (x.start, x.end)), by_table);
        }
        checked += 1;
    }
    assert!(checked > 100);
    assert!(t.find_fde(0).is_none());
    assert!(scan.find_fde(u64::MAX).is_none());
}

#[test]
fn every_row_of_the_binary_evaluates() {
    // The interpreter knows every instruction the toolchain emitted: each
    // row of each FDE (every 3rd byte) has a defined CFA and an RA rule.
    let t = host_tables();
    for f in all_fdes(&t) {
        let mut pc = f.start;
        while pc < f.end {
            let row = t.row(&f, pc).unwrap_or_else(|| panic!("row at {pc:#x}"));
            assert_ne!(row.cfa, CfaRule::Unset, "CFA at {pc:#x}");
            pc += 3;
        }
    }
}

// ---- The asm's call frame information ----

unsafe extern "C" {
    // sched::preempt's, called by rt0_async_preempt.
    fn rt0_async_preempt2();
}

use crate::arch::clone::rt0_clone;
use crate::arch::signal::{rt0_sigreturn, rt0_sigtramp};
use crate::arch::spawn::rt0_spawn_clone;
use crate::sched::context::{goexit as rt0_goexit, gogo as rt0_gogo, mcall as rt0_mcall};
use crate::sched::context::{mstart as rt0_mstart, systemstack as rt0_systemstack};

/// The code of the function starting at `start`, as its FDE bounds it.
fn code(start: u64) -> &'static [u8] {
    let f = host_tables().find_fde(start).expect("the asm has an FDE");
    assert_eq!(f.start, start);
    // SAFETY: the function's code, mapped for the process's life.
    unsafe { core::slice::from_raw_parts(start as *const u8, (f.end - f.start) as usize) }
}

/// The addresses where `pat` occurs in the code of the function at `start`.
fn find(start: u64, pat: &[u8]) -> Vec<u64> {
    code(start)
        .windows(pat.len())
        .enumerate()
        .filter(|(_, w)| *w == pat)
        .map(|(i, _)| start + i as u64)
        .collect()
}

/// The return address of the one `call target` (E8 rel32) in the function.
fn return_address_of_call(start: u64, target: u64) -> u64 {
    let code = code(start);
    let hits: Vec<u64> = (0..code.len().saturating_sub(4))
        .filter(|&i| code[i] == 0xe8)
        .filter_map(|i| {
            let rel = i32::from_le_bytes(code.get(i + 1..i + 5)?.try_into().ok()?);
            let next = start + i as u64 + 5;
            (next.wrapping_add(rel as i64 as u64) == target).then_some(next)
        })
        .collect();
    assert_eq!(hits.len(), 1, "one call to {target:#x}");
    hits[0]
}

/// The address of an asm function, whatever its signature.
macro_rules! fn_addr {
    ($f:expr) => {
        $f as *const () as u64
    };
}

/// `call rax` (FF D0), `call rsi` (FF D6).
const CALL_RAX: [u8; 2] = [0xff, 0xd0];
const CALL_RSI: [u8; 2] = [0xff, 0xd6];

#[test]
fn preempted_goroutine_unwinds_to_the_interrupted_function_exactly() {
    // The routine's frame as preempt.s lays it out, parked in
    // async_preempt2: CFA = entry rsp + 8; below it the interrupted pc,
    // rbp, rflags, rax, rbx, rcx, rdx, rsi, rdi, r8..r15; rbp points at
    // the saved rbp.
    let mut stack = [0u64; 64];
    let cfa_i = 40;
    let order = [RAX, RBX, RCX, RDX, RSI, RDI, 8, 9, 10, 11, 12, 13, 14, 15];
    stack[cfa_i - 1] = 0x1234_5678; // the interrupted pc
    stack[cfa_i - 2] = 0xbb00; // its rbp
    stack[cfa_i - 3] = 0x246; // rflags
    for (k, &reg) in order.iter().enumerate() {
        stack[cfa_i - 4 - k] = 0x1000 + reg as u64;
    }
    let cfa = addr_of(&stack[cfa_i]);
    let ret = return_address_of_call(
        crate::arch::preempt::async_preempt_pc() as u64,
        fn_addr!(rt0_async_preempt2),
    );
    let regs = Regs::new(ret, addr_of(&stack[0]), addr_of(&stack[cfa_i - 2]));
    let mem = Mem::of(&[&stack[..]]);
    let caller = host_tables()
        .step(&Frame::new(regs, false), &mut |x| mem.read(x))
        .expect("a step out of rt0_async_preempt");
    assert!(caller.exact, "the interrupted pc is looked up as it is");
    assert_eq!(caller.regs.pc(), 0x1234_5678);
    assert_eq!(caller.lookup_pc(), 0x1234_5678);
    assert_eq!(caller.regs.sp(), cfa + 128, "the red zone skipped");
    assert_eq!(caller.regs.bp(), Some(0xbb00));
    for reg in order {
        assert_eq!(
            caller.regs.get(reg),
            Some(0x1000 + reg as u64),
            "register {reg}"
        );
    }
}

#[test]
fn parked_goroutine_unwinds_from_its_saved_context() {
    // gp.sched: pc .Lmcall_resume (mcall's `lea rcx, [rip + resume]`),
    // sp at the six pushed registers r15, r14, r13, r12, rbx, rbp, then
    // mcall's return address.
    let start = fn_addr!(rt0_mcall);
    let lea = find(start, &[0x48, 0x8d, 0x0d]);
    assert_eq!(lea.len(), 1);
    let disp = i32::from_le_bytes(
        code(start)[(lea[0] - start) as usize + 3..][..4]
            .try_into()
            .unwrap(),
    );
    let resume = (lea[0] + 7).wrapping_add(disp as i64 as u64);
    let mut stack = [0u64; 16];
    let saved = [
        (15, 0xf15),
        (14, 0xf14),
        (13, 0xf13),
        (12, 0xf12),
        (RBX, 0xfb),
        (RBP, 0xfbb),
    ];
    for (k, &(_, v)) in saved.iter().enumerate() {
        stack[4 + k] = v;
    }
    stack[10] = 0x7777; // the return address into mcall's caller
    let mem = Mem::of(&[&stack[..]]);
    let regs = Regs::new(resume, addr_of(&stack[4]), 0xdead);
    let caller = host_tables()
        .step(&Frame::new(regs, true), &mut |x| mem.read(x))
        .expect("a step out of rt0_mcall");
    assert!(!caller.exact);
    assert_eq!(caller.regs.pc(), 0x7777);
    assert_eq!(caller.regs.sp(), addr_of(&stack[11]));
    for (reg, v) in saved {
        assert_eq!(caller.regs.get(reg), Some(v), "register {reg}");
    }
    // On g0, the frames of mcall's function end at mcall.
    let on_g0 = find(start, &CALL_RSI);
    assert_eq!(on_g0.len(), 1);
    let regs = Regs::new(on_g0[0] + 2, addr_of(&stack[4]), 0);
    assert_eq!(
        host_tables().step(&Frame::new(regs, false), &mut |x| mem.read(x)),
        None
    );
}

#[test]
fn systemstack_leads_back_to_the_goroutine_stack() {
    // On g0, returning from f: rbp still holds the goroutine's sp after
    // `push rbp`, where the caller's rbp and return address are.
    let start = fn_addr!(rt0_systemstack);
    let call = find(start, &CALL_RAX);
    assert_eq!(call.len(), 1);
    let g0 = [0u64; 8];
    let mut gstack = [0u64; 8];
    gstack[2] = 0xcafe; // the caller's rbp
    gstack[3] = 0x4242; // systemstack's return address
    let mem = Mem::of(&[&g0[..], &gstack[..]]);
    let regs = Regs::new(call[0] + 2, addr_of(&g0[2]), addr_of(&gstack[2]));
    let caller = host_tables()
        .step(&Frame::new(regs, false), &mut |x| mem.read(x))
        .expect("a step out of rt0_systemstack");
    assert_eq!(caller.regs.pc(), 0x4242);
    assert_eq!(caller.regs.sp(), addr_of(&gstack[4]));
    assert_eq!(caller.regs.bp(), Some(0xcafe));
}

#[test]
fn signal_handler_frames_unwind_to_the_interrupted_code() {
    // rt0_sigtramp returning from the handler (rbp at its saved rbp, the
    // return address rt0_sigreturn above it), then the kernel's ucontext
    // right after: rt0_sigreturn's rsp once sigtramp has returned.
    let start = fn_addr!(rt0_sigtramp);
    let call = find(start, &CALL_RAX);
    assert_eq!(call.len(), 1);
    let mut stack = [0u64; 64];
    stack[2] = 0xabcd; // the rbp sigtramp saved
    stack[3] = fn_addr!(rt0_sigreturn);
    let uc = 4;
    let gregs = [
        (8, crate::arch::signal::UC_R8),
        (9, crate::arch::signal::UC_R9),
        (10, crate::arch::signal::UC_R10),
        (11, crate::arch::signal::UC_R11),
        (12, crate::arch::signal::UC_R12),
        (13, crate::arch::signal::UC_R13),
        (14, crate::arch::signal::UC_R14),
        (15, crate::arch::signal::UC_R15),
        (RDI, crate::arch::signal::UC_RDI),
        (RSI, crate::arch::signal::UC_RSI),
        (RBP, crate::arch::signal::UC_RBP),
        (RBX, crate::arch::signal::UC_RBX),
        (RDX, crate::arch::signal::UC_RDX),
        (RAX, crate::arch::signal::UC_RAX),
        (RCX, crate::arch::signal::UC_RCX),
        (RSP, crate::arch::signal::UC_RSP),
        (RA, crate::arch::signal::UC_RIP),
    ];
    for &(reg, off) in &gregs {
        stack[uc + off / 8] = 0x5000 + reg as u64;
    }
    let mem = Mem::of(&[&stack[..]]);
    let mut read = |x| mem.read(x);
    let regs = Regs::new(call[0] + 2, addr_of(&stack[0]), addr_of(&stack[2]));
    let t = host_tables();
    let restorer = t
        .step(&Frame::new(regs, false), &mut read)
        .expect("out of rt0_sigtramp");
    assert!(restorer.exact, "rt0_sigreturn is looked up as it is");
    assert_eq!(restorer.regs.pc(), fn_addr!(rt0_sigreturn));
    assert_eq!(restorer.regs.sp(), addr_of(&stack[uc]));
    let interrupted = t.step(&restorer, &mut read).expect("out of rt0_sigreturn");
    assert!(interrupted.exact);
    for (reg, _) in gregs {
        assert_eq!(
            interrupted.regs.get(reg),
            Some(0x5000 + reg as u64),
            "register {reg}"
        );
    }
}

#[test]
fn the_outermost_asm_frames_end_the_walk() {
    let t = host_tables();
    let stack = [0x1111u64; 8];
    let mem = Mem::of(&[&stack[..]]);
    let sp = addr_of(&stack[0]);
    // goexit+1 (newproc1's planted return address), mstart, gogo, the
    // clone children: an FDE, and no caller.
    let mut pcs = vec![(fn_addr!(rt0_goexit) + 1, false)];
    for f in [fn_addr!(rt0_mstart), fn_addr!(rt0_gogo)] {
        let end = t.find_fde(f).unwrap().end;
        pcs.extend([(f, true), (f + 1, false), (end - 1, true)]);
    }
    let clone_child = find(fn_addr!(rt0_clone), &[0x41, 0xff, 0xd6]); // call r14
    let spawn_child = find(fn_addr!(rt0_spawn_clone), &[0x41, 0xff, 0xd6]);
    assert_eq!((clone_child.len(), spawn_child.len()), (1, 1));
    pcs.extend([(clone_child[0] + 3, false), (spawn_child[0] + 3, false)]);
    for (pc, exact) in pcs {
        let frame = Frame::new(Regs::new(pc, sp, sp), exact);
        assert!(
            t.function_start(frame.lookup_pc()).is_some(),
            "{pc:#x} has an FDE"
        );
        assert_eq!(
            t.step(&frame, &mut |x| mem.read(x)),
            None,
            "{pc:#x} is a bottom"
        );
    }
    assert_eq!(
        t.function_start(fn_addr!(rt0_goexit)),
        Some(fn_addr!(rt0_goexit))
    );
}

// ---- Hand-built tables ----

fn uleb(mut v: u64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return out;
        }
        out.push(b | 0x80);
    }
}

fn sleb(mut v: i64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        let done = (v == 0 && b & 0x40 == 0) || (v == -1 && b & 0x40 != 0);
        out.push(if done { b } else { b | 0x80 });
        if done {
            return out;
        }
    }
}

/// A record: its 32-bit length, then the body.
fn record(body: &[u8]) -> Vec<u8> {
    let mut v = (body.len() as u32).to_le_bytes().to_vec();
    v.extend_from_slice(body);
    v
}

/// The usual CIE instructions: CFA = rsp+8, the return address at CFA-8.
const CIE_INSNS: [u8; 5] = [DW_CFA_def_cfa, RSP as u8, 8, DW_CFA_offset | RA as u8, 1];

/// A CIE (version 1, code alignment 1, data alignment -8, RA 16) with
/// `aug` and its data.
fn cie(aug: &[u8], aug_data: &[u8], insns: &[u8]) -> Vec<u8> {
    let mut b = vec![0, 0, 0, 0, CIE_VERSION_1];
    b.extend_from_slice(aug);
    b.push(0);
    if aug.starts_with(b"eh") {
        b.extend_from_slice(&[0; 8]);
    }
    b.extend(uleb(1));
    b.extend(sleb(-8));
    b.push(RA as u8);
    if aug.contains(&b'z') {
        b.extend(uleb(aug_data.len() as u64));
        b.extend_from_slice(aug_data);
    }
    b.extend_from_slice(insns);
    record(&b)
}

/// An FDE with absolute 8-byte addresses, appended to `t` and pointing
/// back at the CIE at `cie_off`.
fn push_fde(t: &mut Vec<u8>, cie_off: usize, start: u64, len: u64, z: bool, insns: &[u8]) {
    let id_pos = t.len() + 4;
    let mut b = ((id_pos - cie_off) as u32).to_le_bytes().to_vec();
    b.extend(start.to_le_bytes());
    b.extend(len.to_le_bytes());
    if z {
        b.push(0);
    }
    b.extend_from_slice(insns);
    t.extend(record(&b));
}

/// Where the hand-built tables pretend to be loaded.
const TABLE_ADDR: u64 = 0x10_0000;

/// One CIE ("zR", absolute addresses) and one FDE for [0x1000, 0x1100).
fn one_fde(insns: &[u8]) -> Vec<u8> {
    let mut t = cie(b"zR", &[DW_EH_PE_absptr], &CIE_INSNS);
    push_fde(&mut t, 0, 0x1000, 0x100, true, insns);
    t
}

/// A step at `pc` (exact) over `mem` with rsp and rbp given.
fn step_at(t: &[u8], pc: u64, rsp: u64, rbp: u64, mem: &HashMap<u64, u64>) -> Option<Frame> {
    let tables = EhFrame::new(&[], 0, t, TABLE_ADDR);
    tables.step(&Frame::new(Regs::new(pc, rsp, rbp), true), &mut |a| {
        mem.get(&a).copied()
    })
}

#[test]
fn remember_and_restore_state() {
    let insns = [
        DW_CFA_advance_loc | 1,
        DW_CFA_def_cfa_offset,
        16,
        DW_CFA_offset | RBP as u8,
        2, // rbp at CFA-16
        DW_CFA_advance_loc | 3,
        DW_CFA_def_cfa_register,
        RBP as u8, // CFA = rbp+16: 0x1004
        DW_CFA_advance_loc | 4,
        DW_CFA_remember_state, // 0x1008: an epilogue
        DW_CFA_def_cfa,
        RSP as u8,
        8,
        DW_CFA_restore | RBP as u8,
        DW_CFA_advance_loc | 2,
        DW_CFA_restore_state, // 0x100a: the body again
        DW_CFA_advance_loc | 4,
        DW_CFA_offset | RBX as u8,
        3, // 0x100e: rbx at CFA-24
    ];
    let t = one_fde(&insns);
    let (rsp, rbp) = (0x8000u64, 0x9000u64);
    let mem: HashMap<u64, u64> = [
        (rsp, 0xa0),     // the return address with CFA = rsp+8; rbp with CFA = rsp+16
        (rsp + 8, 0xa1), // the return address with CFA = rsp+16
        (rbp + 8, 0xb1), // the return address with CFA = rbp+16
        (rbp, 0xb0),     // rbp saved at CFA-16
        (rbp - 8, 0xb2), // rbx at CFA-24
    ]
    .into_iter()
    .collect();
    let at = |pc| {
        step_at(&t, pc, rsp, rbp, &mem)
            .map(|f| (f.regs.pc(), f.regs.sp(), f.regs.bp(), f.regs.get(RBX)))
    };
    assert_eq!(at(0x1000), Some((0xa0, rsp + 8, Some(rbp), None)));
    assert_eq!(at(0x1001), Some((0xa1, rsp + 16, Some(0xa0), None)));
    for pc in 0x1004..0x1008 {
        assert_eq!(at(pc), Some((0xb1, rbp + 16, Some(0xb0), None)), "{pc:#x}");
    }
    for pc in 0x1008..0x100a {
        assert_eq!(at(pc), Some((0xa0, rsp + 8, Some(rbp), None)), "{pc:#x}");
    }
    for pc in 0x100a..0x100e {
        assert_eq!(at(pc), Some((0xb1, rbp + 16, Some(0xb0), None)), "{pc:#x}");
    }
    assert_eq!(at(0x100e), Some((0xb1, rbp + 16, Some(0xb0), Some(0xb2))));
    assert_eq!(at(0x10ff), at(0x100e));
    assert_eq!(at(0x1100), None, "past the FDE");
    assert_eq!(at(0xfff), None, "before it");

    // A restore_state with nothing remembered, or too many remembered.
    let t = one_fde(&[DW_CFA_restore_state]);
    assert_eq!(at_pc(&t, 0x1000), None);
    let t = one_fde(&[DW_CFA_remember_state; REMEMBER_DEPTH + 1]);
    assert_eq!(at_pc(&t, 0x1000), None);
    let t = one_fde(&[DW_CFA_remember_state; REMEMBER_DEPTH]);
    assert!(at_pc(&t, 0x1000).is_some());
}

/// A step at `pc` with rsp = 0x8000 and memory holding 0x42 everywhere
/// in [0x7000, 0x9000).
fn at_pc(t: &[u8], pc: u64) -> Option<Frame> {
    let tables = EhFrame::new(&[], 0, t, TABLE_ADDR);
    let regs = Regs::new(pc, 0x8000, 0x8100);
    tables.step(&Frame::new(regs, true), &mut |a| {
        (0x7000..0x9000).contains(&a).then_some(0x42)
    })
}

#[test]
fn expressions() {
    // CFA = [rsp+8] + 16 (a systemstack-like switch); rbp saved at
    // CFA-16 (DW_CFA_expression, CFA pushed first); rbx = CFA+8
    // (val_expression); r12 = rip (register); r13 undefined.
    let mut insns = vec![DW_CFA_def_cfa_expression];
    let cfa_expr = [
        DW_OP_breg0 + RSP as u8,
        8,
        DW_OP_deref,
        DW_OP_plus_uconst,
        16,
    ];
    insns.extend(uleb(cfa_expr.len() as u64));
    insns.extend(cfa_expr);
    insns.extend([
        DW_CFA_expression,
        RBP as u8,
        2,
        DW_OP_lit0 + 16,
        DW_OP_minus,
    ]);
    insns.extend([
        DW_CFA_val_expression,
        RBX as u8,
        2,
        DW_OP_lit0 + 8,
        DW_OP_plus,
    ]);
    insns.extend([DW_CFA_register, R12 as u8, RA as u8]);
    insns.extend([DW_CFA_undefined, 13]);
    let t = one_fde(&insns);
    let (rsp, cfa) = (0x8000u64, 0x5000u64);
    let mem: HashMap<u64, u64> = [(rsp + 8, cfa - 16), (cfa - 8, 0xfeed), (cfa - 16, 0xbeef)]
        .into_iter()
        .collect();
    let tables = EhFrame::new(&[], 0, &t, TABLE_ADDR);
    let mut regs = Regs::new(0x1000, rsp, 1);
    regs.set(13, 13);
    let f = tables
        .step(&Frame::new(regs, true), &mut |a| mem.get(&a).copied())
        .unwrap();
    assert_eq!(f.regs.pc(), 0xfeed);
    assert_eq!(f.regs.sp(), cfa);
    assert_eq!(f.regs.bp(), Some(0xbeef));
    assert_eq!(f.regs.get(RBX), Some(cfa + 8));
    assert_eq!(f.regs.get(R12), Some(0x1000));
    assert_eq!(f.regs.get(13), None);

    // glibc's PLT expression: CFA = rsp + 8 + ((rip & 15) >= 11) << 3.
    let plt = [
        DW_OP_breg0 + RSP as u8,
        8,
        DW_OP_breg0 + RA as u8,
        0,
        DW_OP_lit0 + 15,
        DW_OP_and,
        DW_OP_lit0 + 11,
        DW_OP_ge,
        DW_OP_lit0 + 3,
        DW_OP_shl,
        DW_OP_plus,
    ];
    let mut insns = vec![DW_CFA_def_cfa_expression];
    insns.extend(uleb(plt.len() as u64));
    insns.extend(plt);
    let t = one_fde(&insns);
    let tables = EhFrame::new(&[], 0, &t, TABLE_ADDR);
    for (pc, extra) in [(0x1000, 0), (0x100a, 0), (0x100b, 8), (0x100f, 8)] {
        let regs = Regs::new(pc, rsp, 0);
        let f = tables
            .step(&Frame::new(regs, true), &mut |a| Some(a))
            .unwrap();
        assert_eq!(f.regs.sp(), rsp + 8 + extra, "{pc:#x}");
        assert_eq!(f.regs.pc(), rsp + extra, "{pc:#x}: read at CFA-8");
    }

    // More operators, through eval directly.
    let ev = |expr: &[u8], push: Option<u64>| {
        let mut t = expr.to_vec();
        t.push(0);
        let tables = EhFrame::new(&[], 0, &t, TABLE_ADDR);
        let b = Block {
            pos: 0,
            len: expr.len() as u32,
        };
        tables.eval(b, &Regs::new(0x100, 0x200, 0x300), push, &mut |a| {
            Some(a * 2)
        })
    };
    assert_eq!(
        ev(&[DW_OP_const1u, 200, DW_OP_const1s, 0xff, DW_OP_plus], None),
        Some(199)
    );
    assert_eq!(ev(&[DW_OP_const2s, 0xfe, 0xff], None), Some(-2i64 as u64));
    assert_eq!(ev(&[DW_OP_const4u, 1, 0, 0, 0x80], None), Some(0x8000_0001));
    assert_eq!(
        ev(&[DW_OP_const4s, 0, 0, 0, 0x80], None),
        Some(i32::MIN as i64 as u64)
    );
    let mut c8 = vec![DW_OP_const8u];
    c8.extend(u64::MAX.to_le_bytes());
    assert_eq!(ev(&c8, None), Some(u64::MAX));
    assert_eq!(ev(&[DW_OP_constu, 0x80, 0x01], None), Some(128));
    assert_eq!(ev(&[DW_OP_consts, 0x7f], None), Some(-1i64 as u64));
    assert_eq!(
        ev(&[DW_OP_lit0 + 5, DW_OP_lit0 + 3, DW_OP_minus], None),
        Some(2)
    );
    assert_eq!(
        ev(
            &[DW_OP_lit0 + 5, DW_OP_lit0 + 3, DW_OP_swap, DW_OP_minus],
            None
        ),
        Some(-2i64 as u64)
    );
    assert_eq!(ev(&[DW_OP_lit0 + 6, DW_OP_dup, DW_OP_mul], None), Some(36));
    assert_eq!(
        ev(
            &[
                DW_OP_lit0 + 1,
                DW_OP_lit0 + 2,
                DW_OP_over,
                DW_OP_drop,
                DW_OP_drop
            ],
            None
        ),
        Some(1)
    );
    assert_eq!(ev(&[DW_OP_breg0 + RBP as u8, 0x7c], None), Some(0x2fc));
    assert_eq!(
        ev(&[DW_OP_bregx, RSP as u8, 4, DW_OP_deref], None),
        Some(0x408)
    );
    assert_eq!(ev(&[DW_OP_deref_size, 1], Some(0x1ff)), Some(0xfe));
    assert_eq!(
        ev(&[DW_OP_lit0, DW_OP_not, DW_OP_lit0 + 4, DW_OP_shr], None),
        Some(u64::MAX >> 4)
    );
    assert_eq!(
        ev(&[DW_OP_lit0, DW_OP_not, DW_OP_lit0 + 4, DW_OP_shra], None),
        Some(u64::MAX)
    );
    assert_eq!(
        ev(&[DW_OP_lit0 + 3, DW_OP_neg, DW_OP_lit0 + 1, DW_OP_lt], None),
        Some(1)
    );
    assert_eq!(
        ev(
            &[
                DW_OP_lit0 + 3,
                DW_OP_lit0 + 5,
                DW_OP_xor,
                DW_OP_lit0 + 1,
                DW_OP_or
            ],
            None
        ),
        Some(7)
    );
    assert_eq!(ev(&[DW_OP_nop], Some(9)), Some(9));
    // Unknown operators, underflow, overflow, a register not known.
    assert_eq!(
        ev(&[0x28, 0, 0], Some(1)),
        None,
        "DW_OP_bra is not supported"
    );
    assert_eq!(ev(&[DW_OP_plus], Some(1)), None);
    assert_eq!(ev(&[DW_OP_lit0; EXPR_STACK + 1], None), None);
    assert_eq!(ev(&[DW_OP_breg0 + RAX as u8, 0], None), None);
    assert_eq!(ev(&[DW_OP_deref_size, 9], Some(1)), None);
    assert_eq!(ev(&[], None), None, "an empty expression has no value");
    assert_eq!(ev(&[DW_OP_const4u, 1], None), None, "cut short");
}

#[test]
fn offsets_values_and_registers() {
    // offset_extended(_sf), GNU_negative_offset_extended, val_offset(_sf),
    // def_cfa_sf, def_cfa_offset_sf, same_value, args_size, nop, set_loc,
    // advance_loc1/2/4, restore_extended, rules for untracked registers.
    let mut insns = vec![DW_CFA_def_cfa_sf, RBP as u8];
    insns.extend(sleb(-4)); // CFA = rbp + 32
    insns.extend([DW_CFA_offset_extended, RBX as u8, 2]); // CFA-16
    insns.extend([DW_CFA_offset_extended_sf, R12 as u8]);
    insns.extend(sleb(3)); // CFA-24
    insns.extend([DW_CFA_GNU_negative_offset_extended, 13, 4]); // CFA+32
    insns.extend([DW_CFA_val_offset, 14, 1]); // CFA-8
    insns.extend([DW_CFA_val_offset_sf, 15]);
    insns.extend(sleb(-1)); // CFA+8
    insns.extend([
        DW_CFA_same_value,
        RDI as u8,
        DW_CFA_GNU_args_size,
        16,
        DW_CFA_nop,
    ]);
    insns.extend([DW_CFA_offset_extended, 40, 1, DW_CFA_undefined, 41]); // an xmm register
    insns.extend([DW_CFA_advance_loc1, 0x10]); // 0x1010
    insns.extend([DW_CFA_def_cfa_offset_sf]);
    insns.extend(sleb(-6)); // CFA = rbp + 48
    insns.extend([DW_CFA_restore_extended, RBX as u8]);
    insns.extend([DW_CFA_advance_loc2, 0x10, 0]); // 0x1020
    insns.extend([DW_CFA_def_cfa, RSP as u8, 8]);
    insns.extend([DW_CFA_advance_loc4, 0x10, 0, 0, 0]); // 0x1030
    insns.push(DW_CFA_set_loc);
    insns.extend(0x1080u64.to_le_bytes());
    insns.extend([DW_CFA_def_cfa, RSP as u8, 16]);
    let t = one_fde(&insns);
    let (rsp, rbp) = (0x8000u64, 0x6000u64);
    // Memory around rsp and rbp holds its own address.
    let mem: HashMap<u64, u64> = (0..64)
        .flat_map(|i| [rbp - 0x100 + 8 * i, rsp - 0x100 + 8 * i])
        .map(|a| (a, a))
        .collect();
    let tables = EhFrame::new(&[], 0, &t, TABLE_ADDR);
    let go = |pc| {
        let mut regs = Regs::new(pc, rsp, rbp);
        regs.set(RDI, 0xd1);
        regs.set(RSI, 0x51);
        regs.set(RBX, 0xb);
        tables.step(&Frame::new(regs, true), &mut |a| mem.get(&a).copied())
    };
    let f = go(0x1000).unwrap();
    let cfa = rbp + 32;
    assert_eq!(f.regs.sp(), cfa);
    assert_eq!(f.regs.get(RBX), Some(cfa - 16));
    assert_eq!(f.regs.get(R12), Some(cfa - 24));
    assert_eq!(f.regs.get(13), Some(cfa + 32));
    assert_eq!(f.regs.get(14), Some(cfa - 8));
    assert_eq!(f.regs.get(15), Some(cfa + 8));
    assert_eq!(f.regs.get(RDI), Some(0xd1), "same value");
    assert_eq!(f.regs.get(RSI), None, "caller-saved, no rule");
    let f = go(0x1010).unwrap();
    assert_eq!(f.regs.sp(), rbp + 48);
    assert_eq!(
        f.regs.get(RBX),
        Some(0xb),
        "restored to the CIE's rule: kept"
    );
    assert_eq!(go(0x1020).unwrap().regs.sp(), rsp + 8);
    assert_eq!(go(0x107f).unwrap().regs.sp(), rsp + 8);
    assert_eq!(go(0x1080).unwrap().regs.sp(), rsp + 16);
}

#[test]
fn undefined_return_address_and_bad_rules_end_the_walk() {
    // .cfi_undefined rip: the bottom.
    assert_eq!(at_pc(&one_fde(&[DW_CFA_undefined, RA as u8]), 0x1000), None);
    // def_cfa_offset after def_cfa_expression is invalid.
    let t = one_fde(&[
        DW_CFA_def_cfa_expression,
        1,
        DW_OP_lit0,
        DW_CFA_def_cfa_offset,
        8,
    ]);
    assert_eq!(at_pc(&t, 0x1000), None);
    // A CFA in a register not tracked, or not known.
    assert_eq!(at_pc(&one_fde(&[DW_CFA_def_cfa, 17, 8]), 0x1000), None);
    assert_eq!(
        at_pc(&one_fde(&[DW_CFA_def_cfa, RAX as u8, 8]), 0x1000),
        None
    );
    // An unknown instruction, a truncated one.
    assert_eq!(at_pc(&one_fde(&[0x3f]), 0x1000), None);
    assert_eq!(at_pc(&one_fde(&[DW_CFA_offset_extended, 3]), 0x1000), None);
    // A read refused.
    let t = one_fde(&[]);
    let tables = EhFrame::new(&[], 0, &t, TABLE_ADDR);
    let f = Frame::new(Regs::new(0x1000, 0x8000, 0), true);
    assert_eq!(tables.step(&f, &mut |_| None), None);
    // A zero return address; the same frame again (CFA = rsp, the same pc).
    assert_eq!(
        tables.step(&f, &mut |_| Some(0)),
        None,
        "zero return address"
    );
    let same = one_fde(&[DW_CFA_def_cfa, RSP as u8, 0]);
    let same = EhFrame::new(&[], 0, &same, TABLE_ADDR);
    assert_eq!(same.step(&f, &mut |_| Some(0x1000)), None, "no progress");
    assert!(same.step(&f, &mut |_| Some(0x1001)).is_some());
    // Not exact: pc-1 is looked up, so 0x1000 itself falls before the FDE.
    let f = Frame::new(Regs::new(0x1000, 0x8000, 0), false);
    assert_eq!(tables.step(&f, &mut |_| Some(0x77)), None);
    let f = Frame::new(Regs::new(0x1001, 0x8000, 0), false);
    assert_eq!(
        tables.step(&f, &mut |_| Some(0x77)).map(|f| f.regs.pc()),
        Some(0x77)
    );
    // No pc or sp.
    assert_eq!(
        tables.step(&Frame::new(Regs::empty(), true), &mut |_| Some(1)),
        None
    );
}

#[test]
fn augmentations() {
    let parse = |t: &[u8]| {
        let tables = EhFrame::new(&[], 0, t, TABLE_ADDR);
        tables
            .find_fde(0x1000)
            .map(|f| (f.start, f.end, f.cie.signal, f.cie.fde_enc))
    };
    // zPLR: personality (indirect pcrel sdata4), LSDA encoding, FDE
    // encoding pcrel sdata4; the FDE has 4 bytes of augmentation data.
    let enc = DW_EH_PE_pcrel | DW_EH_PE_sdata4;
    let mut t = cie(b"zPLR", &[0x9b, 1, 2, 3, 4, enc, enc], &CIE_INSNS);
    let id_pos = t.len() + 4;
    let mut body = (id_pos as u32).to_le_bytes().to_vec();
    let field = TABLE_ADDR + (id_pos + 4) as u64;
    body.extend((0x1000u64.wrapping_sub(field) as u32).to_le_bytes());
    body.extend(0x40u32.to_le_bytes());
    body.extend([4, 9, 9, 9, 9]);
    t.extend(record(&body));
    assert_eq!(parse(&t), Some((0x1000, 0x1040, false, enc)));

    // zPR, zRS, S alone, eh, each with an absolute FDE.
    for (aug, data, signal, z) in [
        (
            &b"zPR"[..],
            &[DW_EH_PE_udata4, 1, 2, 3, 4, DW_EH_PE_absptr][..],
            false,
            true,
        ),
        (b"zRS", &[DW_EH_PE_absptr], true, true),
        (b"S", &[], true, false),
        (b"eh", &[], false, false),
        (b"zR", &[DW_EH_PE_absptr], false, true),
    ] {
        let mut t = cie(aug, data, &CIE_INSNS);
        push_fde(&mut t, 0, 0x1000, 0x10, z, &[]);
        assert_eq!(
            parse(&t),
            Some((0x1000, 0x1010, signal, DW_EH_PE_absptr)),
            "{aug:?}"
        );
        // A signal frame's caller is exact.
        let f = at_pc(&t, 0x1000).unwrap();
        assert_eq!(f.exact, signal);
    }
    // An unknown character without 'z', a wrong version, a long string.
    let mut t = cie(b"Q", &[], &CIE_INSNS);
    push_fde(&mut t, 0, 0x1000, 0x10, false, &[]);
    assert_eq!(parse(&t), None);
    let mut t = cie(b"zR", &[DW_EH_PE_absptr], &CIE_INSNS);
    t[8] = 2;
    push_fde(&mut t, 0, 0x1000, 0x10, true, &[]);
    assert_eq!(parse(&t), None);
    let mut t = cie(b"zRRRRRRRRR", &[0; 9], &CIE_INSNS);
    push_fde(&mut t, 0, 0x1000, 0x10, true, &[]);
    assert_eq!(parse(&t), None);
    // An FDE whose CIE pointer points at another FDE.
    let mut t = one_fde(&[]);
    let first_fde = cie(b"zR", &[DW_EH_PE_absptr], &CIE_INSNS).len();
    push_fde(&mut t, first_fde, 0x2000, 0x10, true, &[]);
    assert!(parse(&t).is_some());
    assert_eq!(
        EhFrame::new(&[], 0, &t, TABLE_ADDR)
            .find_fde(0x2000)
            .map(|f| f.start),
        None
    );
}

#[test]
fn pointer_encodings() {
    let p = |bytes: &[u8], enc: u8, base: Option<u64>| {
        let mut r = Reader::new(bytes, 0x4000, 0);
        let v = r.pointer(enc, base);
        (v, r.pos)
    };
    let le8 = 0x1122_3344_5566_7788u64.to_le_bytes();
    assert_eq!(
        p(&le8, DW_EH_PE_absptr, None),
        (Some(0x1122_3344_5566_7788), 8)
    );
    assert_eq!(
        p(&le8, DW_EH_PE_udata8, None),
        (Some(0x1122_3344_5566_7788), 8)
    );
    assert_eq!(
        p(&le8, DW_EH_PE_sdata8, None),
        (Some(0x1122_3344_5566_7788), 8)
    );
    assert_eq!(p(&[0xfe, 0xff], DW_EH_PE_udata2, None), (Some(0xfffe), 2));
    assert_eq!(
        p(&[0xfe, 0xff], DW_EH_PE_sdata2, None),
        (Some(-2i64 as u64), 2)
    );
    assert_eq!(
        p(&[0xfc, 0xff, 0xff, 0xff], DW_EH_PE_udata4, None),
        (Some(0xffff_fffc), 4)
    );
    assert_eq!(
        p(&[0xfc, 0xff, 0xff, 0xff], DW_EH_PE_sdata4, None),
        (Some(-4i64 as u64), 4)
    );
    assert_eq!(
        p(&[0xe5, 0x8e, 0x26], DW_EH_PE_uleb128, None),
        (Some(624_485), 3)
    );
    assert_eq!(
        p(&[0xc0, 0xbb, 0x78], DW_EH_PE_sleb128, None),
        (Some(-123_456i64 as u64), 3)
    );
    let pcrel = DW_EH_PE_pcrel | DW_EH_PE_sdata4;
    assert_eq!(p(&[0xfc, 0xff, 0xff, 0xff], pcrel, None), (Some(0x3ffc), 4));
    let datarel = DW_EH_PE_datarel | DW_EH_PE_sdata4;
    assert_eq!(
        p(&[0x10, 0, 0, 0], datarel, Some(0x9000)),
        (Some(0x9010), 4)
    );
    assert_eq!(
        p(&[0x10, 0, 0, 0], datarel, None).0,
        None,
        "no data base here"
    );
    assert_eq!(
        p(&[0x10, 0, 0, 0], DW_EH_PE_textrel | DW_EH_PE_udata4, None).0,
        None
    );
    assert_eq!(p(&[0x10, 0, 0, 0], DW_EH_PE_indirect | pcrel, None).0, None);
    assert_eq!(p(&[0x10, 0, 0, 0], DW_EH_PE_omit, None).0, None);
    assert_eq!(p(&[0x10, 0, 0], DW_EH_PE_udata4, None).0, None, "cut short");
    assert_eq!(
        p(&[0x80; 11], DW_EH_PE_uleb128, None).0,
        None,
        "an endless LEB128"
    );
    assert_eq!(p(&[0x10], 0x05, None).0, None, "an unknown format");
}

/// Three FDEs at [0x1000, 0x1100), [0x2000, 0x2010), [0x2010, 0x2020)
/// after one CIE, with `.eh_frame_hdr` in `table_enc` (data-relative to
/// the header, loaded at `hdr_addr`, or absolute).
fn three_fdes_with_hdr(table_enc: u8, hdr_addr: u64) -> (Vec<u8>, Vec<u8>) {
    let mut t = cie(b"zR", &[DW_EH_PE_absptr], &CIE_INSNS);
    let mut entries = Vec::new();
    for (start, len) in [(0x1000u64, 0x100u64), (0x2000, 0x10), (0x2010, 0x10)] {
        entries.push((start, TABLE_ADDR + t.len() as u64));
        push_fde(&mut t, 0, start, len, true, &[]);
    }
    t.extend([0, 0, 0, 0]); // the terminator
    let mut h = vec![
        EH_FRAME_HDR_VERSION,
        DW_EH_PE_absptr,
        DW_EH_PE_udata4,
        table_enc,
    ];
    h.extend(TABLE_ADDR.to_le_bytes());
    h.extend((entries.len() as u32).to_le_bytes());
    let rel = |v: u64| match table_enc & DW_EH_PE_APPLICATION_MASK {
        DW_EH_PE_datarel => v.wrapping_sub(hdr_addr),
        _ => v,
    };
    for (loc, fde) in entries {
        for v in [rel(loc), rel(fde)] {
            match fixed_size(table_enc) {
                Some(2) => h.extend((v as u16).to_le_bytes()),
                Some(4) => h.extend((v as u32).to_le_bytes()),
                Some(8) => h.extend(v.to_le_bytes()),
                _ => h.extend(uleb(v)),
            }
        }
    }
    (h, t)
}

#[test]
fn search_table_encodings() {
    let hdr_addr = 0xf_0000u64;
    for enc in [
        DW_EH_PE_datarel | DW_EH_PE_sdata4,
        DW_EH_PE_datarel | DW_EH_PE_sdata8,
        DW_EH_PE_udata4,
        DW_EH_PE_udata8,
        DW_EH_PE_absptr,
        DW_EH_PE_uleb128, // not fixed-size: falls back to the scan
    ] {
        let (h, t) = three_fdes_with_hdr(enc, hdr_addr);
        let tables = EhFrame::new(&h, hdr_addr, &t, TABLE_ADDR);
        let fs = |pc| tables.function_start(pc);
        assert_eq!(fs(0xfff), None, "{enc:#x}: before the first");
        assert_eq!(fs(0x1000), Some(0x1000));
        assert_eq!(fs(0x10ff), Some(0x1000));
        assert_eq!(fs(0x1100), None, "{enc:#x}: in the gap");
        assert_eq!(fs(0x2000), Some(0x2000));
        assert_eq!(fs(0x200f), Some(0x2000));
        assert_eq!(fs(0x2010), Some(0x2010));
        assert_eq!(fs(0x201f), Some(0x2010));
        assert_eq!(fs(0x2020), None, "{enc:#x}: after the last");
        assert!(matches!(tables.search(0x1000), Search::Found(_)) == (enc != DW_EH_PE_uleb128));
    }
    // A header of the wrong version, or cut short, is not used.
    let (mut h, t) = three_fdes_with_hdr(DW_EH_PE_udata4, 0);
    h[0] = 2;
    assert!(matches!(
        EhFrame::new(&h, 0, &t, TABLE_ADDR).search(0x1000),
        Search::NoTable
    ));
    let (h, t) = three_fdes_with_hdr(DW_EH_PE_udata4, 0);
    let cut = &h[..h.len() - 1];
    let tables = EhFrame::new(cut, 0, &t, TABLE_ADDR);
    assert!(matches!(tables.search(0x1000), Search::NoTable));
    assert_eq!(tables.function_start(0x2010), Some(0x2010), "by the scan");
}

// ---- Garbage never panics ----

/// xorshift64*: reproducible noise.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[test]
fn garbage_tables_give_none_not_a_panic() {
    let mut n = Noise(0x9e37_79b9_7f4a_7c15);
    let (h0, t0) = three_fdes_with_hdr(DW_EH_PE_datarel | DW_EH_PE_sdata4, 0xf_0000);
    let mut insns = vec![
        DW_CFA_def_cfa_expression,
        5,
        DW_OP_breg0 + RSP as u8,
        8,
        DW_OP_deref,
        DW_OP_lit0 + 8,
        DW_OP_plus,
    ];
    insns.extend([
        DW_CFA_remember_state,
        DW_CFA_advance_loc | 4,
        DW_CFA_offset | RBP as u8,
        2,
        DW_CFA_restore_state,
    ]);
    insns.extend([
        DW_CFA_val_expression,
        RBX as u8,
        2,
        DW_OP_lit0 + 8,
        DW_OP_minus,
    ]);
    let f0 = one_fde(&insns);
    for round in 0..20_000 {
        // Mutate a valid table (flip bytes, cut it), or make pure noise.
        let (mut h, mut t) = match round % 3 {
            0 => (h0.clone(), t0.clone()),
            1 => (Vec::new(), f0.clone()),
            _ => {
                let len = (n.next() % 200) as usize;
                (
                    (0..len).map(|_| n.next() as u8).collect(),
                    (0..len).map(|_| n.next() as u8).collect(),
                )
            }
        };
        for _ in 0..(1 + n.next() % 4) {
            let which = n.next();
            let buf = if which & 1 == 0 || h.is_empty() {
                &mut t
            } else {
                &mut h
            };
            if !buf.is_empty() {
                let i = (n.next() as usize) % buf.len();
                buf[i] = n.next() as u8;
            }
        }
        if n.next().is_multiple_of(4) {
            let keep = (n.next() as usize) % (t.len() + 1);
            t.truncate(keep);
        }
        let tables = EhFrame::new(&h, 0xf_0000, &t, TABLE_ADDR);
        let pc = [0x1000, 0x1004, 0x2000, 0x2010, n.next()][(n.next() % 5) as usize];
        let _ = tables.function_start(pc);
        let mut regs = Regs::from_all([0; NREGS]);
        for r in 0..NREGS {
            regs.set(r, n.next() % 0x10000);
        }
        regs.set(RA, pc);
        let mut seed = n.next();
        let mut read = |_a: u64| {
            seed = seed.rotate_left(7) ^ 0x5555;
            (!seed.is_multiple_of(7)).then_some(seed % 0x10000)
        };
        let _ = tables.step(&Frame::new(regs, n.next() & 1 == 0), &mut read);
    }
}

#[test]
fn walking_the_real_tables_from_noise_terminates() {
    // Random pcs and registers over the test binary's tables, memory
    // answering noise: every step ends in a frame or None, never a panic.
    let t = host_tables();
    let fdes = all_fdes(&t);
    let mut n = Noise(7);
    for _ in 0..20_000 {
        let f = &fdes[(n.next() as usize) % fdes.len()];
        let pc = f.start + n.next() % (f.end - f.start).max(1);
        let mut regs = Regs::empty();
        for r in 0..NREGS {
            if n.next() & 1 == 0 {
                regs.set(r, n.next());
            }
        }
        regs.set(RA, pc);
        regs.set(RSP, n.next());
        let mut seed = n.next();
        let mut read = |_a: u64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
            (seed >> 60 != 0).then_some(seed)
        };
        let mut frame = Frame::new(regs, n.next() & 1 == 0);
        for _ in 0..4 {
            match t.step(&frame, &mut read) {
                Some(next) => frame = next,
                None => break,
            }
        }
    }
}

#[test]
fn regs_accessors() {
    let r = Regs::new(1, 2, 3);
    assert_eq!((r.pc(), r.sp(), r.bp()), (1, 2, Some(3)));
    assert_eq!(r.get(RAX), None);
    assert_eq!(r.get(NREGS), None);
    let mut all = [0u64; NREGS];
    for (i, v) in all.iter_mut().enumerate() {
        *v = i as u64 * 10;
    }
    let r = Regs::from_all(all);
    assert_eq!(r.get(R8), Some(80));
    assert_eq!(r.pc(), 160);
    let mut e = Regs::empty();
    e.set(99, 1); // not tracked: ignored
    assert_eq!(e, Regs::empty());
    assert_eq!((e.pc(), e.sp(), e.bp()), (0, 0, None));
    assert_eq!(Frame::new(Regs::new(0x10, 0, 0), false).lookup_pc(), 0xf);
    assert_eq!(Frame::new(Regs::new(0x10, 0, 0), true).lookup_pc(), 0x10);
}
