//! Signals: `rt_sigaction` with a no-libc restorer, `sigaltstack`, and the
//! kernel's `siginfo`/`ucontext` layouts on x86_64. Go's `sigaction`,
//! `sigaltstack`, `sigreturn__sigaction` (sys_linux_amd64.s, os_linux.go).

use super::syscall::{Errno, check, nr, syscall2, syscall3, syscall4};

pub const SIGBUS: i32 = 7;
pub const SIGSEGV: i32 = 11;

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
/// registers r8..r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip.
pub const UC_MCONTEXT: usize = 40;
pub const UC_RSP: usize = UC_MCONTEXT + 15 * 8;
pub const UC_RIP: usize = UC_MCONTEXT + 16 * 8;

core::arch::global_asm!(
    include_str!("../../asm/signal.s"),
    sys_rt_sigreturn = const nr::SYS_rt_sigreturn,
);

unsafe extern "C" {
    #[link_name = "rt0_sigreturn"]
    fn rt0_sigreturn();
}

/// A three-argument (SA_SIGINFO) signal handler.
pub type Handler = extern "C" fn(sig: i32, info: *mut SigInfo, ctx: *mut u8);

/// Installs `handler` for `sig` on the alternate stack, with the restorer
/// in asm/signal.s.
pub fn sigaction(sig: i32, handler: Handler) -> Result<(), Errno> {
    let act = KernelSigaction {
        handler: handler as usize,
        flags: SA_SIGINFO | SA_ONSTACK | SA_RESTORER | SA_RESTART,
        restorer: rt0_sigreturn as *const () as usize,
        mask: 0,
    };
    // SAFETY: act is a valid kernel sigaction; the handler and restorer are
    // code that lives for the whole process.
    check(unsafe {
        syscall4(
            nr::SYS_rt_sigaction,
            sig as usize,
            &act as *const KernelSigaction as usize,
            0,
            SIGSET_BYTES,
        )
    })
    .map(|_| ())
}

/// Makes `[sp, sp+size)` this thread's signal stack.
///
/// # Safety
/// The range stays mapped and unused by anything else while the thread lives.
pub unsafe fn sigaltstack(sp: usize, size: usize) -> Result<(), Errno> {
    let st = StackT { sp, flags: 0, size };
    // SAFETY: as documented.
    check(unsafe { syscall2(nr::SYS_sigaltstack, &st as *const StackT as usize, 0) }).map(|_| ())
}

// What Go's `sigpipe`/`dieFromSignal` need (src/sched/sigpipe.rs): put a
// signal back to its default action, unblock it, send it to one thread.

pub const SIGPIPE: i32 = 13;

/// `sa_handler` value for the default action.
const SIG_DFL: usize = 0;
/// `rt_sigprocmask` how: remove these signals from the blocked set.
const SIG_UNBLOCK: usize = 1;

/// Bit of `sig` in a kernel signal set (signal 1 is bit 0).
const fn sigset_bit(sig: i32) -> u64 {
    1 << (sig - 1)
}

/// Gives `sig` its default action again (`SIG_DFL`), as Go's
/// `setsig(sig, _SIG_DFL)`.
pub fn set_default(sig: i32) -> Result<(), Errno> {
    let act = KernelSigaction {
        handler: SIG_DFL,
        flags: SA_RESTORER,
        restorer: rt0_sigreturn as *const () as usize,
        mask: 0,
    };
    // SAFETY: act is a valid kernel sigaction with no handler to call.
    check(unsafe {
        syscall4(
            nr::SYS_rt_sigaction,
            sig as usize,
            &act as *const KernelSigaction as usize,
            0,
            SIGSET_BYTES,
        )
    })
    .map(|_| ())
}

/// Unblocks `sig` in the calling thread (Go's `unblocksig`).
pub fn unblock(sig: i32) -> Result<(), Errno> {
    let set: u64 = sigset_bit(sig);
    // SAFETY: set is a valid signal set for the kernel to read; no old set
    // is asked for.
    check(unsafe {
        syscall4(
            nr::SYS_rt_sigprocmask,
            SIG_UNBLOCK,
            &set as *const u64 as usize,
            0,
            SIGSET_BYTES,
        )
    })
    .map(|_| ())
}

/// Sends `sig` to the calling thread (Go's `raise`: `tgkill(getpid(),
/// gettid(), sig)`).
pub fn raise(sig: i32) -> Result<(), Errno> {
    let (pid, tid) = (super::process::getpid(), super::process::gettid());
    // SAFETY: tgkill takes no pointers; it signals this very thread.
    check(unsafe { syscall3(nr::SYS_tgkill, pid as usize, tid as usize, sig as usize) }).map(|_| ())
}
