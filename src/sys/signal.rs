//! Signals: `rt_sigaction` with a no-libc restorer, `sigaltstack`, and the
//! kernel's `siginfo`/`ucontext` layouts on x86_64. Go's `sigaction`,
//! `sigaltstack`, `sigreturn__sigaction` (sys_linux_amd64.s, os_linux.go).

use core::sync::atomic::Ordering::Release;

use super::syscall::{Errno, check, nr, syscall2, syscall3, syscall4};
// The trampolines and their table of Rust handlers (src/arch/signal.s).
use crate::arch::signal::{HANDLERS, rt0_sigreturn, rt0_sigtramp};

// Signal numbers on x86_64 Linux (`<asm/signal.h>`).
pub const SIGHUP: i32 = 1;
pub const SIGINT: i32 = 2;
pub const SIGQUIT: i32 = 3;
pub const SIGILL: i32 = 4;
pub const SIGTRAP: i32 = 5;
pub const SIGABRT: i32 = 6;
pub const SIGBUS: i32 = 7;
pub const SIGFPE: i32 = 8;
pub const SIGKILL: i32 = 9;
pub const SIGUSR1: i32 = 10;
pub const SIGSEGV: i32 = 11;
pub const SIGUSR2: i32 = 12;
pub const SIGPIPE: i32 = 13;
pub const SIGALRM: i32 = 14;
pub const SIGTERM: i32 = 15;
pub const SIGSTKFLT: i32 = 16;
pub const SIGCHLD: i32 = 17;
pub const SIGCONT: i32 = 18;
pub const SIGSTOP: i32 = 19;
pub const SIGTSTP: i32 = 20;
pub const SIGTTIN: i32 = 21;
pub const SIGTTOU: i32 = 22;
pub const SIGURG: i32 = 23;
pub const SIGXCPU: i32 = 24;
pub const SIGXFSZ: i32 = 25;
pub const SIGVTALRM: i32 = 26;
pub const SIGPROF: i32 = 27;
pub const SIGWINCH: i32 = 28;
pub const SIGIO: i32 = 29;
pub const SIGPWR: i32 = 30;
pub const SIGSYS: i32 = 31;
/// The kernel's first real-time signal (libc reserves 32..34 for itself
/// and calls `SIGRTMIN` 34 or 35).
pub const SIGRTMIN_KERNEL: i32 = 32;
/// The last signal number (`_NSIG - 1`).
pub const SIGRTMAX: i32 = crate::arch::signal::NSIG_MAX as i32;

/// `sa_handler` values: the default action, and ignore.
pub const SIG_DFL: usize = 0;
pub const SIG_IGN: usize = 1;

/// `si_code` of a signal sent by `kill(2)` (`<asm-generic/siginfo.h>`).
pub const SI_USER: i32 = 0;

/// Whether a signal with this `si_code` was sent by a process (`kill`:
/// `SI_USER`; `tgkill`: `SI_TKILL`, -6; `sigqueue`: `SI_QUEUE`, -1; all
/// the codes at or below 0), not raised by the kernel for a fault (Go's
/// `sigFromUser` on Linux takes `SI_USER` and `SI_TKILL`).
pub const fn sent_by_user(code: i32) -> bool {
    code <= SI_USER
}

/// `how` for rt_sigprocmask: remove the set from the blocked mask.
const SIG_UNBLOCK: usize = 1;

pub const SA_SIGINFO: u64 = 0x4;
pub const SA_ONSTACK: u64 = 0x0800_0000;
pub const SA_RESTORER: u64 = 0x0400_0000;
pub const SA_RESTART: u64 = 0x1000_0000;

/// The kernel's `struct sigaction` for rt_sigaction (not libc's).
#[repr(C)]
struct KernelSigaction {
    handler: usize,
    flags: u64,
    restorer: usize,
    mask: u64,
}

/// Bytes of the kernel's signal set (`_NSIG / 8`).
const SIGSET_BYTES: usize = 8;

/// `stack_t` for sigaltstack.
#[repr(C)]
struct StackT {
    sp: usize,
    flags: i32,
    size: usize,
}

/// The leading fields of `siginfo_t` for SIGSEGV/SIGBUS.
#[repr(C)]
pub struct SigInfo {
    pub signo: i32,
    pub errno: i32,
    pub code: i32,
    _pad: i32,
    /// The faulting address.
    pub addr: usize,
}

/// Offsets into `ucontext_t` (`<asm/ucontext.h>`, `<asm/sigcontext.h>`):
/// uc_flags, uc_link, uc_stack (24 bytes), then mcontext's general
/// registers r8..r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip. Defined
/// once in `arch::signal`, whose trampoline's call frame information
/// reads them too.
pub use crate::arch::signal::{
    UC_MCONTEXT, UC_R8, UC_R9, UC_R10, UC_R11, UC_R12, UC_R13, UC_R14, UC_R15, UC_RAX, UC_RBP,
    UC_RBX, UC_RCX, UC_RDI, UC_RDX, UC_RIP, UC_RSI, UC_RSP,
};
/// After rip: eflags, then the 16-bit selectors cs, gs, fs (and padding)
/// packed in one 64-bit word (`struct sigcontext`).
pub const UC_EFLAGS: usize = UC_MCONTEXT + 17 * 8;
pub const UC_CS: usize = UC_MCONTEXT + 18 * 8;
pub const UC_GS: usize = UC_CS + 2;
pub const UC_FS: usize = UC_CS + 4;

/// The general registers of `struct sigcontext` in the order Go's
/// `dumpregs` prints them, each with its offset into `ucontext_t`.
pub const UC_GREGS: [(&str, usize); 18] = [
    ("rax", UC_RAX),
    ("rbx", UC_RBX),
    ("rcx", UC_RCX),
    ("rdx", UC_RDX),
    ("rdi", UC_RDI),
    ("rsi", UC_RSI),
    ("rbp", UC_RBP),
    ("rsp", UC_RSP),
    ("r8", UC_R8),
    ("r9", UC_R9),
    ("r10", UC_R10),
    ("r11", UC_R11),
    ("r12", UC_R12),
    ("r13", UC_R13),
    ("r14", UC_R14),
    ("r15", UC_R15),
    ("rip", UC_RIP),
    ("rflags", UC_EFLAGS),
];

/// Reads the 64-bit word at `off` of the `ucontext_t` at `ctx`.
///
/// # Safety
/// `ctx` is the ucontext the kernel passed to the handler; `off` is within it.
pub unsafe fn uc_word(ctx: *const u8, off: usize) -> u64 {
    // SAFETY: ctx is the kernel's ucontext and `off` lies inside it
    // (contract), so the read is in bounds of memory the kernel wrote on our
    // signal stack; the kernel aligns the mcontext words to 8.
    unsafe { *(ctx.add(off) as *const u64) }
}

/// Reads the 16-bit selector at `off` of the `ucontext_t` at `ctx`.
///
/// # Safety
/// As [`uc_word`].
pub unsafe fn uc_half(ctx: *const u8, off: usize) -> u16 {
    // SAFETY: ctx is the kernel's ucontext and `off` lies inside it
    // (contract); the selectors are 16-bit fields at even offsets.
    unsafe { *(ctx.add(off) as *const u16) }
}

/// A three-argument (SA_SIGINFO) signal handler.
pub type Handler = extern "C" fn(sig: i32, info: *mut SigInfo, ctx: *mut u8);

/// Installs `handler` for `sig` on the alternate stack, called through
/// `rt0_sigtramp` (which aligns the stack) and returning through the
/// restorer, both in src/arch/signal.s.
pub fn sigaction(sig: i32, handler: Handler) -> Result<(), Errno> {
    sigaction_masked(sig, handler, 0)
}

/// The signal set holding `sig` alone (bit `sig - 1`).
pub const fn sigmask(sig: i32) -> u64 {
    1 << (sig - 1)
}

/// [`sigaction`] that also blocks the signals of `mask` while the handler
/// runs (the handled signal itself is always blocked: no `SA_NODEFER`).
pub fn sigaction_masked(sig: i32, handler: Handler, mask: u64) -> Result<(), Errno> {
    let slot = HANDLERS.get(sig as usize).ok_or(Errno::EINVAL)?;
    slot.store(handler as usize, Release);
    let act = KernelSigaction {
        handler: rt0_sigtramp as *const () as usize,
        flags: SA_SIGINFO | SA_ONSTACK | SA_RESTORER | SA_RESTART,
        restorer: rt0_sigreturn as *const () as usize,
        mask,
    };
    rt_sigaction(sig, Some(&act), None)
}

/// The handler currently installed for `sig` (`SIG_DFL`, `SIG_IGN` or an
/// address): Go's `getsig`.
pub fn getsig(sig: i32) -> Result<usize, Errno> {
    let mut old = KernelSigaction {
        handler: SIG_DFL,
        flags: 0,
        restorer: 0,
        mask: 0,
    };
    rt_sigaction(sig, None, Some(&mut old))?;
    Ok(old.handler)
}

/// Gives `sig` back its default action (Go's `setsig(sig, _SIG_DFL)`).
pub fn setsig_default(sig: i32) -> Result<(), Errno> {
    let act = KernelSigaction {
        handler: SIG_DFL,
        flags: 0,
        restorer: 0,
        mask: 0,
    };
    rt_sigaction(sig, Some(&act), None)
}

/// Makes the kernel discard `sig` (Go's `setsig(sig, _SIG_IGN)`).
pub fn setsig_ignore(sig: i32) -> Result<(), Errno> {
    let act = KernelSigaction {
        handler: SIG_IGN,
        flags: 0,
        restorer: 0,
        mask: 0,
    };
    rt_sigaction(sig, Some(&act), None)
}

fn rt_sigaction(
    sig: i32,
    act: Option<&KernelSigaction>,
    old: Option<&mut KernelSigaction>,
) -> Result<(), Errno> {
    let act = act.map_or(0, |a| a as *const KernelSigaction as usize);
    let old = old.map_or(0, |o| o as *mut KernelSigaction as usize);
    // SAFETY: act is 0 or a valid kernel sigaction whose handler and
    // restorer are code that lives for the whole process; old is 0 or
    // writable for one sigaction.
    check(unsafe { syscall4(nr::SYS_rt_sigaction, sig as usize, act, old, SIGSET_BYTES) })
        .map(|_| ())
}

/// Removes the signals of `set` (bit `sig - 1` for each) from this
/// thread's blocked mask (Go's `unblocksig`, and `sigprocmask` in
/// `minitSignalMask`); returns the mask as it was before.
pub fn unblock(set: u64) -> Result<u64, Errno> {
    let mut old: u64 = 0;
    // SAFETY: set and old are signal sets of SIGSET_BYTES, readable and
    // writable for the call.
    check(unsafe {
        syscall4(
            nr::SYS_rt_sigprocmask,
            SIG_UNBLOCK,
            &set as *const u64 as usize,
            &mut old as *mut u64 as usize,
            SIGSET_BYTES,
        )
    })?;
    Ok(old)
}

/// `how` for rt_sigprocmask: replace the blocked mask.
const SIG_SETMASK: usize = 2;

/// Every signal (the kernel ignores attempts to block SIGKILL and SIGSTOP).
pub const SIGSET_ALL: u64 = !0;

/// The signal mask the process was started with (m0's, before the
/// runtime unblocked anything): what a spawned child gets back before
/// `execve` (Go's `initSigmask`). Recorded once by the first `minit`.
static INHERITED_MASK: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(NO_MASK);
/// INHERITED_MASK before it is recorded (no real mask blocks SIGKILL).
const NO_MASK: u64 = u64::MAX;

/// Records the process's inherited mask (the first call wins).
pub fn record_inherited_mask(mask: u64) {
    let _ = INHERITED_MASK.compare_exchange(
        NO_MASK,
        mask,
        core::sync::atomic::Ordering::Relaxed,
        core::sync::atomic::Ordering::Relaxed,
    );
}

/// The mask recorded by [`record_inherited_mask`], if any.
pub fn inherited_mask() -> Option<u64> {
    match INHERITED_MASK.load(core::sync::atomic::Ordering::Relaxed) {
        NO_MASK => None,
        m => Some(m),
    }
}

/// Replaces this thread's blocked mask with `set` and returns the old one
/// (`rt_sigprocmask(SIG_SETMASK)`, as Go's `sigprocmask` around `clone`).
pub fn set_mask(set: u64) -> Result<u64, Errno> {
    let mut old: u64 = 0;
    // SAFETY: set and old are signal sets of SIGSET_BYTES, readable and
    // writable for the call.
    check(unsafe {
        syscall4(
            nr::SYS_rt_sigprocmask,
            SIG_SETMASK,
            &set as *const u64 as usize,
            &mut old as *mut u64 as usize,
            SIGSET_BYTES,
        )
    })
    .map(|_| old)
}

/// Sends `sig` to the calling thread (Go's `raise`: `tgkill(getpid(),
/// gettid(), sig)`).
pub fn raise(sig: i32) -> Result<(), Errno> {
    let (pid, tid) = (super::process::getpid(), super::process::gettid());
    // SAFETY: tgkill takes no pointers; it signals this very thread.
    check(unsafe { syscall3(nr::SYS_tgkill, pid as usize, tid as usize, sig as usize) }).map(|_| ())
}

/// Sends `sig` to thread `tid` of this process (`tgkill(getpid(), tid,
/// sig)`; Go's `signalM`). `ESRCH` if that thread has exited.
pub fn tgkill(tid: i32, sig: i32) -> Result<(), Errno> {
    let pid = super::process::getpid();
    // SAFETY: tgkill takes no pointers; it only signals a thread.
    check(unsafe { syscall3(nr::SYS_tgkill, pid as usize, tid as usize, sig as usize) }).map(|_| ())
}

/// `kill(2)`'s number (`<asm/unistd_64.h>`).
#[allow(non_upper_case_globals)]
const SYS_kill: usize = 62;

/// Sends `sig` to the process `pid` (`kill(2)`): any of its threads that
/// does not block the signal receives it.
pub fn kill(pid: i32, sig: i32) -> Result<(), Errno> {
    // SAFETY: kill takes no pointers.
    check(unsafe { syscall2(SYS_kill, pid as usize, sig as usize) }).map(|_| ())
}

/// `ss_flags` of `sigaltstack` that turns the signal stack off
/// (`<asm-generic/signal-defs.h>`).
const SS_DISABLE: i32 = 2;

/// Turns this thread's signal stack off (`sigaltstack` with `SS_DISABLE`),
/// so that its memory can be freed: for a thread about to exit, with
/// every signal blocked.
pub fn sigaltstack_disable() -> Result<(), Errno> {
    let st = StackT {
        sp: 0,
        flags: SS_DISABLE,
        size: 0,
    };
    // SAFETY: `st` is a valid stack_t on our stack for the call.
    check(unsafe { syscall2(nr::SYS_sigaltstack, &st as *const StackT as usize, 0) }).map(|_| ())
}

/// Makes `[sp, sp+size)` this thread's signal stack.
///
/// # Safety
/// The range stays mapped and unused by anything else while the thread lives.
pub unsafe fn sigaltstack(sp: usize, size: usize) -> Result<(), Errno> {
    let st = StackT { sp, flags: 0, size };
    // SAFETY: `st` is a valid stack_t on our stack for the call; the range
    // it names stays mapped and unused while the thread lives (contract).
    check(unsafe { syscall2(nr::SYS_sigaltstack, &st as *const StackT as usize, 0) }).map(|_| ())
}
