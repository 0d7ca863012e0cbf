//! Asynchronous preemption is invisible to the preempted code: every
//! register a program may rely on comes back exactly (Go 1.14's
//! `asyncPreempt` saves all of them; rt0's routine must also keep the
//! 128-byte red zone below `rsp` that Rust's leaf functions use).
//!
//! Checker goroutines call [`regs_spin`] over and over. It loads known
//! values (new ones on every call, from a per-goroutine generator) into
//! every general register but `rsp`, the arithmetic flags and DF, MXCSR,
//! the x87 control word and stack, and every vector register the CPU has
//! (XMM0-15; YMM0-15 whole when AVX is on; ZMM0-31 and the opmasks k0-k7
//! with AVX-512F), spins in a loop that touches none of them, stores them
//! all and returns; the goroutine compares. Half the calls spin with
//! `loop` (flags kept, `rcx` the counter, expected 0 at the end), half
//! with a counter in memory (`rcx` kept, flags clobbered). A third kind of
//! call, [`redzone_spin`], writes 16 words into the red zone of a leaf
//! function, spins, and counts the words that changed.
//!
//! Each goroutine counts how often it was descheduled between two calls
//! (`preempt_util::Switches`: its P or the P's schedtick changed; the
//! loop makes no runtime call, so each is a preemption), and with a
//! nonzero STORM_US a thread (inside `rt0::runtime::blocking`, so without a P) sends
//! SIGURG with `tgkill` to the checkers' threads every STORM_US
//! microseconds: signals that the runtime did not ask for must be as
//! invisible as the ones it did.
//!
//! Usage: `preempt_regs [MS] [GOROUTINES] [STORM_US] [SPINS]` (1000 ms,
//! 3, 0, 20000). Prints `regs bad=0` and
//! `info level=L calls=C redzone_calls=R switches=S signals=N`; each
//! mismatch is printed to stderr (`MISMATCH ...`) and the exit status is
//! then 1.
#![no_std]
#![no_main]
extern crate alloc;

#[path = "chanutil/mod.rs"]
mod chanutil;
#[path = "preempt_util/mod.rs"]
mod preempt_util;

use alloc::string::String;
use alloc::sync::Arc;
use chanutil::{Rng, arg_u64};
use core::arch::naked_asm;
use core::fmt::Write;
use core::mem::offset_of;
use core::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering::Relaxed};
use preempt_util::Switches;
use rt0::sync::WaitGroup;
use rt0::time::nanotime;

rt0::main!(main);

/// Register numbers in the encoding's order (`gpr[RSP]` is never used).
const GPR_NAMES: [&str; 16] = [
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13",
    "r14", "r15",
];
const RCX: usize = 1;
const RSP: usize = 4;

/// RFLAGS bits a program may rely on between two instructions: CF, PF,
/// AF, ZF, SF, OF and the direction flag DF (a `std` ... `cld` stretch).
const FLAG_CF: u64 = 1 << 0;
const FLAG_PF: u64 = 1 << 2;
const FLAG_AF: u64 = 1 << 4;
const FLAG_ZF: u64 = 1 << 6;
const FLAG_SF: u64 = 1 << 7;
const FLAG_DF: u64 = 1 << 10;
const FLAG_OF: u64 = 1 << 11;
const FLAGS_CHECKED: u64 = FLAG_CF | FLAG_PF | FLAG_AF | FLAG_ZF | FLAG_SF | FLAG_DF | FLAG_OF;
/// RFLAGS bit 1 always reads as 1.
const FLAGS_RESERVED_ONE: u64 = 1 << 1;

/// MXCSR at reset: every exception masked, round to nearest.
const MXCSR_DEFAULT: u32 = 0x1F80;
/// MXCSR's rounding control (bits 13-14), flush-to-zero (15) and sticky
/// exception flags (0-5): what the generator varies.
const MXCSR_RC_SHIFT: u32 = 13;
const MXCSR_FTZ: u32 = 1 << 15;
const MXCSR_FLAGS: u32 = 0x3F;
/// x87 control word: exceptions masked plus bit 6 (reads as 1), precision
/// control at bits 8-9 (2 double, 3 extended; 1 is reserved, and single,
/// 0, is left out: qemu 7.2 wrongly rounds a `fld` of a double to it),
/// rounding control at bits 10-11.
const FCW_BASE: u16 = 0x007F;
const FCW_PC_SHIFT: u16 = 8;
const FCW_RC_SHIFT: u16 = 10;
const FCW_PRECISIONS: [u16; 2] = [2, 3];

/// What `regs_spin` handles beyond the general registers (the `mode`
/// argument's low bits).
const LEVEL_SSE: u64 = 0;
const LEVEL_AVX: u64 = 1;
const LEVEL_AVX512: u64 = 2;
/// `mode` bit: spin with a counter in memory (rcx checked, flags not).
const MODE_MEMORY_COUNTER: u64 = 0x100;
/// Vector registers and bytes of each per level.
const VEC_REGS: [usize; 3] = [16, 16, 32];
const VEC_WORDS: [usize; 3] = [2, 4, 8];
/// Opmask bits `kmovw` moves (AVX-512F's width).
const KMASK: u64 = 0xFFFF;

/// Linux x86_64 system call numbers and the signal the storm sends.
const SYS_NANOSLEEP: usize = 35;
const SYS_GETPID: usize = 39;
const SYS_TGKILL: usize = 234;
const SIGURG: usize = 23;
/// At most this many checker goroutines (their thread ids are kept).
const MAX_CHECKERS: usize = 16;
/// Mismatches printed in full.
const MAX_REPORTS: u64 = 10;

/// Every register `regs_spin` loads and stores (its layout is read by
/// the asm through the `offset_of!` constants below).
#[repr(C, align(64))]
#[derive(Clone)]
struct Regs {
    /// ZMM0-31 (the low 16 or 32 bytes are XMM/YMM).
    vec: [[u64; 8]; 32],
    /// General registers by number (`gpr[RSP]` unused).
    gpr: [u64; 16],
    rflags: u64,
    mxcsr: u32,
    fcw: u16,
    _pad: u16,
    /// k0-k7 (16 bits each used).
    k: [u64; 8],
    /// x87 ST0-7 as the bit patterns of the doubles loaded.
    st: [u64; 8],
}

const OFF_GPR: usize = offset_of!(Regs, gpr);
const OFF_FLAGS: usize = offset_of!(Regs, rflags);
const OFF_MXCSR: usize = offset_of!(Regs, mxcsr);
const OFF_FCW: usize = offset_of!(Regs, fcw);
const OFF_K: usize = offset_of!(Regs, k);
const OFF_ST: usize = offset_of!(Regs, st);
const _: () = assert!(offset_of!(Regs, vec) == 0);

impl Regs {
    fn zeroed() -> Regs {
        Regs {
            vec: [[0; 8]; 32],
            gpr: [0; 16],
            rflags: 0,
            mxcsr: 0,
            fcw: 0,
            _pad: 0,
            k: [0; 8],
            st: [0; 8],
        }
    }

    /// New values for every register from `rng`.
    fn fill(&mut self, rng: &mut Rng, memory_counter: bool) {
        for v in self.vec.iter_mut().flatten() {
            *v = rng.next();
        }
        for g in self.gpr.iter_mut() {
            *g = rng.next();
        }
        self.gpr[RSP] = 0;
        let r = rng.next();
        self.rflags = (r & FLAGS_CHECKED) | FLAGS_RESERVED_ONE;
        self.mxcsr = MXCSR_DEFAULT
            | ((r >> 16) as u32 & 3) << MXCSR_RC_SHIFT
            | if r & (1 << 20) != 0 { MXCSR_FTZ } else { 0 }
            | (r >> 24) as u32 & MXCSR_FLAGS;
        self.fcw = FCW_BASE
            | FCW_PRECISIONS[(r >> 32) as usize % FCW_PRECISIONS.len()] << FCW_PC_SHIFT
            | ((r >> 36) as u16 & 3) << FCW_RC_SHIFT;
        for k in self.k.iter_mut() {
            *k = rng.next() & KMASK;
        }
        for s in self.st.iter_mut() {
            // A normal finite double: exponent neither 0 nor all ones, so
            // the x87 round trip is exact (no NaN quieting, no denormal).
            *s = (rng.next() & !(1 << 62)) | (1 << 52);
        }
        if !memory_counter {
            // The `loop` spin leaves rcx at 0.
            self.gpr[RCX] = 0;
        }
    }

    /// The first difference between what was loaded and what came back.
    fn diff(&self, got: &Regs, level: u64, memory_counter: bool) -> Option<String> {
        let mut s = String::new();
        for (i, name) in GPR_NAMES.iter().enumerate() {
            if i != RSP && self.gpr[i] != got.gpr[i] {
                let _ = write!(s, "{name} {:#x} -> {:#x}", self.gpr[i], got.gpr[i]);
                return Some(s);
            }
        }
        if !memory_counter && (self.rflags ^ got.rflags) & FLAGS_CHECKED != 0 {
            let _ = write!(s, "rflags {:#x} -> {:#x}", self.rflags, got.rflags);
            return Some(s);
        }
        if self.mxcsr != got.mxcsr {
            let _ = write!(s, "mxcsr {:#x} -> {:#x}", self.mxcsr, got.mxcsr);
            return Some(s);
        }
        if self.fcw != got.fcw {
            let _ = write!(s, "x87 control word {:#x} -> {:#x}", self.fcw, got.fcw);
            return Some(s);
        }
        for i in 0..8 {
            if self.st[i] != got.st[i] {
                let _ = write!(s, "x87 st({}) {:#x} -> {:#x}", 7 - i, self.st[i], got.st[i]);
                return Some(s);
            }
        }
        let (regs, words) = (VEC_REGS[level as usize], VEC_WORDS[level as usize]);
        let prefix = ["xmm", "ymm", "zmm"][level as usize];
        for r in 0..regs {
            for w in 0..words {
                if self.vec[r][w] != got.vec[r][w] {
                    let _ = write!(
                        s,
                        "{prefix}{r} word {w} {:#x} -> {:#x}",
                        self.vec[r][w], got.vec[r][w]
                    );
                    return Some(s);
                }
            }
        }
        if level == LEVEL_AVX512 {
            for k in 0..8 {
                if self.k[k] != got.k[k] & KMASK {
                    let _ = write!(s, "k{k} {:#x} -> {:#x}", self.k[k], got.k[k]);
                    return Some(s);
                }
            }
        }
        None
    }
}

/// Loads every register from `*expect` (vectors as `mode & 3` says: 0
/// XMM0-15, 1 YMM0-15, 2 ZMM0-31 and k0-k7), spins `spins` (>= 1) turns
/// without touching any of them, stores them all into `*got`, restores
/// the caller's MXCSR and x87 control word and returns. With
/// `MODE_MEMORY_COUNTER` the counter is a stack word and every general
/// register is loaded; otherwise `rcx` counts (`loop`, which keeps the
/// flags) and RFLAGS is loaded too.
///
/// Stack while spinning, from rsp up: spins, mode, got, the caller's
/// MXCSR and x87 control word, then the six callee-saved registers.
///
/// # Safety
/// `expect` and `got` point to valid `Regs`; `mode & 3` names vector
/// registers this CPU has and the OS has enabled.
#[unsafe(naked)]
unsafe extern "sysv64" fn regs_spin(expect: *const Regs, got: *mut Regs, spins: u64, mode: u64) {
    naked_asm!(
        // The System V callee-saved registers, restored on the way out.
        "push rbp",
        "push rbx",
        "push r12",
        "push r13",
        "push r14",
        "push r15",
        // The caller's MXCSR and x87 control word.
        "sub rsp, 8",
        "stmxcsr [rsp]",
        "fnstcw [rsp + 4]",
        "push rsi", // got
        "push rcx", // mode
        "push rdx", // spins
        // Vector registers, as wide as the level says.
        "mov eax, ecx",
        "and eax, 3",
        "cmp eax, {avx512}",
        "je 20f",
        "cmp eax, {avx}",
        "je 21f",
        ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15",
        "movdqu xmm\\n, [rdi + \\n*64]",
        ".endr",
        "jmp 22f",
        "21:",
        ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15",
        "vmovdqu ymm\\n, [rdi + \\n*64]",
        ".endr",
        "jmp 22f",
        "20:",
        ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
        "vmovdqu64 zmm\\n, [rdi + \\n*64]",
        ".endr",
        ".irp n, 0,1,2,3,4,5,6,7",
        "kmovw k\\n, word ptr [rdi + {k} + \\n*8]",
        ".endr",
        "22:",
        // x87: control word, then eight values (the last loaded is st0).
        "fldcw [rdi + {fcw}]",
        ".irp n, 0,1,2,3,4,5,6,7",
        "fld qword ptr [rdi + {st} + \\n*8]",
        ".endr",
        "ldmxcsr [rdi + {mxcsr}]",
        "test ecx, {memory_counter}",
        "jnz 30f",
        // rcx counts with `loop`; RFLAGS is loaded (push/popfq, then only
        // `mov`s, which leave the flags alone).
        "push qword ptr [rdi + {flags}]",
        "popfq",
        "mov rcx, [rsp]",
        "mov rax, [rdi + {gpr} + 0*8]",
        "mov rdx, [rdi + {gpr} + 2*8]",
        "mov rbx, [rdi + {gpr} + 3*8]",
        "mov rbp, [rdi + {gpr} + 5*8]",
        "mov rsi, [rdi + {gpr} + 6*8]",
        ".irp n, 8,9,10,11,12,13,14,15",
        "mov r\\n, [rdi + {gpr} + \\n*8]",
        ".endr",
        "mov rdi, [rdi + {gpr} + 7*8]",
        "2:",
        "loop 2b",
        "jmp 40f",
        // The counter is the stack word `spins`; every register is loaded.
        "30:",
        "mov rax, [rdi + {gpr} + 0*8]",
        "mov rcx, [rdi + {gpr} + 1*8]",
        "mov rdx, [rdi + {gpr} + 2*8]",
        "mov rbx, [rdi + {gpr} + 3*8]",
        "mov rbp, [rdi + {gpr} + 5*8]",
        "mov rsi, [rdi + {gpr} + 6*8]",
        ".irp n, 8,9,10,11,12,13,14,15",
        "mov r\\n, [rdi + {gpr} + \\n*8]",
        ".endr",
        "mov rdi, [rdi + {gpr} + 7*8]",
        "3:",
        "sub qword ptr [rsp], 1",
        "jnz 3b",
        // Store everything: RFLAGS first, then rax, to free a register for
        // the `got` pointer (stack now: rax, rflags, spins, mode, got).
        "40:",
        "pushfq",
        "push rax",
        "mov rax, [rsp + 32]",
        "mov [rax + {gpr} + 1*8], rcx",
        "mov [rax + {gpr} + 2*8], rdx",
        "mov [rax + {gpr} + 3*8], rbx",
        "mov [rax + {gpr} + 5*8], rbp",
        "mov [rax + {gpr} + 6*8], rsi",
        "mov [rax + {gpr} + 7*8], rdi",
        ".irp n, 8,9,10,11,12,13,14,15",
        "mov [rax + {gpr} + \\n*8], r\\n",
        ".endr",
        "pop rcx",
        "mov [rax + {gpr} + 0*8], rcx",
        "pop rcx",
        "mov [rax + {flags}], rcx",
        "cld",
        "stmxcsr [rax + {mxcsr}]",
        "fnstcw [rax + {fcw}]",
        ".irp n, 7,6,5,4,3,2,1,0",
        "fstp qword ptr [rax + {st} + \\n*8]",
        ".endr",
        "mov rcx, [rsp + 8]", // mode
        "and ecx, 3",
        "cmp ecx, {avx512}",
        "je 50f",
        "cmp ecx, {avx}",
        "je 51f",
        ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15",
        "movdqu [rax + \\n*64], xmm\\n",
        ".endr",
        "jmp 52f",
        "51:",
        ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15",
        "vmovdqu [rax + \\n*64], ymm\\n",
        ".endr",
        "vzeroupper",
        "jmp 52f",
        "50:",
        ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
        "vmovdqu64 [rax + \\n*64], zmm\\n",
        ".endr",
        ".irp n, 0,1,2,3,4,5,6,7",
        "kmovw word ptr [rax + {k} + \\n*8], k\\n",
        ".endr",
        "vzeroupper",
        "52:",
        "add rsp, 24", // spins, mode, got
        "ldmxcsr [rsp]",
        "fldcw [rsp + 4]",
        "add rsp, 8",
        "pop r15",
        "pop r14",
        "pop r13",
        "pop r12",
        "pop rbx",
        "pop rbp",
        "ret",
        gpr = const OFF_GPR,
        flags = const OFF_FLAGS,
        mxcsr = const OFF_MXCSR,
        fcw = const OFF_FCW,
        k = const OFF_K,
        st = const OFF_ST,
        avx = const LEVEL_AVX,
        avx512 = const LEVEL_AVX512,
        memory_counter = const MODE_MEMORY_COUNTER,
    )
}

/// A leaf function that keeps 16 words (the whole 128-byte red zone) below
/// `rsp`: writes `seed`, `seed` rotated by 5, by 10, ..., spins `spins`
/// (>= 1) turns of `loop`, and returns how many of the words changed.
///
/// # Safety
/// None beyond calling it: it writes only the caller's red zone, which
/// the System V ABI gives to a leaf function.
#[unsafe(naked)]
unsafe extern "sysv64" fn redzone_spin(seed: u64, spins: u64) -> u64 {
    naked_asm!(
        "mov rax, rdi",
        ".irp n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16",
        "mov [rsp - \\n*8], rax",
        "rol rax, 5",
        ".endr",
        "mov rcx, rsi",
        "2:",
        "loop 2b",
        "mov rax, rdi",
        "xor edx, edx",
        // rdx += (word != expected), through neg's carry.
        ".irp n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16",
        "mov r8, [rsp - \\n*8]",
        "sub r8, rax",
        "neg r8",
        "adc rdx, 0",
        "rol rax, 5",
        ".endr",
        "mov rax, rdx",
        "ret",
    )
}

static STOP: AtomicBool = AtomicBool::new(false);
static BAD: AtomicU64 = AtomicU64::new(0);
static CALLS: AtomicU64 = AtomicU64::new(0);
static REDZONE_CALLS: AtomicU64 = AtomicU64::new(0);
static SWITCHES: AtomicU64 = AtomicU64::new(0);
static SIGNALS: AtomicU64 = AtomicU64::new(0);
/// The thread each checker last ran on (0: none yet).
static TIDS: [AtomicI32; MAX_CHECKERS] = [const { AtomicI32::new(0) }; MAX_CHECKERS];

/// The widest vector registers this CPU has with the OS's consent.
fn level() -> u64 {
    let x = rt0::cpu::x86();
    if x.has_avx512f {
        LEVEL_AVX512
    } else if x.has_avx {
        LEVEL_AVX
    } else {
        LEVEL_SSE
    }
}

fn report(id: usize, call: u64, what: &str) {
    if BAD.fetch_add(1, Relaxed) < MAX_REPORTS {
        rt0::eprintln!("MISMATCH goroutine {id} call {call}: {what}");
    }
}

fn checker(id: usize, deadline: i64, spins: u64, level: u64) {
    let mut rng = Rng::new(0x5eed ^ (id as u64) << 32);
    let mut expect = Regs::zeroed();
    let mut got = Regs::zeroed();
    let mut sw = Switches::new();
    let (mut calls, mut red) = (0u64, 0u64);
    while nanotime() < deadline {
        TIDS[id].store(rt0::os::gettid(), Relaxed);
        let kind = calls % 3;
        if kind == 2 {
            // SAFETY: redzone_spin writes only its own red zone; spins >= 1.
            let changed = unsafe { redzone_spin(rng.next(), spins) };
            if changed != 0 {
                let mut s = String::new();
                let _ = write!(s, "{changed} red-zone words changed below rsp");
                report(id, calls, &s);
            }
            red += 1;
        } else {
            let memory_counter = kind == 1;
            expect.fill(&mut rng, memory_counter);
            let mode = level
                | if memory_counter {
                    MODE_MEMORY_COUNTER
                } else {
                    0
                };
            // SAFETY: both point to live Regs; `level` is what cpuinit
            // found the CPU and the OS offer; spins >= 1.
            unsafe { regs_spin(&expect, &mut got, spins, mode) };
            if let Some(d) = expect.diff(&got, level, memory_counter) {
                report(id, calls, &d);
            }
        }
        calls += 1;
        sw.check();
    }
    CALLS.fetch_add(calls - red, Relaxed);
    REDZONE_CALLS.fetch_add(red, Relaxed);
    SWITCHES.fetch_add(sw.count, Relaxed);
}

/// Sends SIGURG to every checker's thread every `period_us`, until STOP.
/// Runs inside `rt0::runtime::blocking`: only raw system calls.
fn storm(period_us: u64, checkers: usize) {
    // SAFETY: getpid takes no arguments.
    let pid = unsafe { rt0::os::syscall6(SYS_GETPID, [0; 6]) }.unwrap_or(0);
    let ts = [
        (period_us / 1_000_000) as usize,
        (period_us % 1_000_000 * 1_000) as usize,
    ];
    let mut sent = 0;
    while !STOP.load(Relaxed) {
        for tid in TIDS.iter().take(checkers) {
            let tid = tid.load(Relaxed);
            if tid != 0 {
                // SAFETY: tgkill with plain numbers; SIGURG is caught by
                // the runtime.
                if unsafe { rt0::os::syscall6(SYS_TGKILL, [pid, tid as usize, SIGURG, 0, 0, 0]) }
                    .is_ok()
                {
                    sent += 1;
                }
            }
        }
        // SAFETY: ts is a valid timespec; no remainder is asked for.
        let _ = unsafe { rt0::os::syscall6(SYS_NANOSLEEP, [ts.as_ptr() as usize, 0, 0, 0, 0, 0]) };
    }
    SIGNALS.store(sent, Relaxed);
}

fn main() {
    let ms = arg_u64(1, 1_000) as i64;
    let n = (arg_u64(2, 3) as usize).clamp(1, MAX_CHECKERS);
    let storm_us = arg_u64(3, 0);
    let spins = arg_u64(4, 20_000).max(1);
    let level = level();
    let deadline = nanotime() + ms * 1_000_000;
    let wg = Arc::new(WaitGroup::new());
    wg.add(n as isize);
    for id in 0..n {
        let wg = wg.clone();
        rt0::runtime::go(move || {
            checker(id, deadline, spins, level);
            wg.done();
        });
    }
    let stormer = Arc::new(WaitGroup::new());
    if storm_us > 0 {
        stormer.add(1);
        let stormer = stormer.clone();
        rt0::runtime::go(move || {
            rt0::runtime::blocking(|| storm(storm_us, n));
            stormer.done();
        });
    }
    wg.wait();
    STOP.store(true, Relaxed);
    stormer.wait();
    let bad = BAD.load(Relaxed);
    rt0::println!("regs bad={bad}");
    let names = ["sse", "avx", "avx512"];
    rt0::println!(
        "info level={} calls={} redzone_calls={} switches={} signals={}",
        names[level as usize],
        CALLS.load(Relaxed),
        REDZONE_CALLS.load(Relaxed),
        SWITCHES.load(Relaxed),
        SIGNALS.load(Relaxed)
    );
    if bad != 0 {
        rt0::process::exit(1);
    }
}
