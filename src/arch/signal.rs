//! The signal trampolines of `signal.s` (Go's `sigtramp` and
//! `sigreturn__sigaction`), and the table of Rust handlers the trampoline
//! calls. `sys::signal` fills the table and installs the trampolines with
//! `rt_sigaction`.

use core::sync::atomic::AtomicUsize;

use super::abi::SYS_rt_sigreturn;

/// The last signal number (`_NSIG - 1`): the table has a slot for each.
pub const NSIG_MAX: usize = 64;

/// Offsets into the kernel's `ucontext_t` (`<asm/ucontext.h>`,
/// `<asm/sigcontext.h>`): uc_flags, uc_link and uc_stack (24 bytes), then
/// `uc_mcontext`, a `struct sigcontext` whose general registers come in
/// the order r8..r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip (8 bytes
/// each). `signal.s`'s call frame information reads them, and `sys::signal`
/// re-exports them for the handlers.
pub const UC_MCONTEXT: usize = 40;
/// `uc_mcontext.r8`.
pub const UC_R8: usize = UC_MCONTEXT;
/// `uc_mcontext.r9`.
pub const UC_R9: usize = UC_MCONTEXT + 8;
/// `uc_mcontext.r10`.
pub const UC_R10: usize = UC_MCONTEXT + 2 * 8;
/// `uc_mcontext.r11`.
pub const UC_R11: usize = UC_MCONTEXT + 3 * 8;
/// `uc_mcontext.r12`.
pub const UC_R12: usize = UC_MCONTEXT + 4 * 8;
/// `uc_mcontext.r13`.
pub const UC_R13: usize = UC_MCONTEXT + 5 * 8;
/// `uc_mcontext.r14`.
pub const UC_R14: usize = UC_MCONTEXT + 6 * 8;
/// `uc_mcontext.r15`.
pub const UC_R15: usize = UC_MCONTEXT + 7 * 8;
/// `uc_mcontext.rdi`.
pub const UC_RDI: usize = UC_MCONTEXT + 8 * 8;
/// `uc_mcontext.rsi`.
pub const UC_RSI: usize = UC_MCONTEXT + 9 * 8;
/// `uc_mcontext.rbp`.
pub const UC_RBP: usize = UC_MCONTEXT + 10 * 8;
/// `uc_mcontext.rbx`.
pub const UC_RBX: usize = UC_MCONTEXT + 11 * 8;
/// `uc_mcontext.rdx`.
pub const UC_RDX: usize = UC_MCONTEXT + 12 * 8;
/// `uc_mcontext.rax`.
pub const UC_RAX: usize = UC_MCONTEXT + 13 * 8;
/// `uc_mcontext.rcx`.
pub const UC_RCX: usize = UC_MCONTEXT + 14 * 8;
/// `uc_mcontext.rsp`.
pub const UC_RSP: usize = UC_MCONTEXT + 15 * 8;
/// `uc_mcontext.rip`.
pub const UC_RIP: usize = UC_MCONTEXT + 16 * 8;

/// The Rust handler of each signal, indexed by number, called by
/// `rt0_sigtramp`. Written before the signal's `rt_sigaction`, so the
/// trampoline never finds 0 for an installed signal.
pub static HANDLERS: [AtomicUsize; NSIG_MAX + 1] = [const { AtomicUsize::new(0) }; NSIG_MAX + 1];

core::arch::global_asm!(
    include_str!("signal.s"),
    sys_rt_sigreturn = const SYS_rt_sigreturn,
    handlers = sym HANDLERS,
    uc_r8 = const UC_R8,
    uc_r9 = const UC_R9,
    uc_r10 = const UC_R10,
    uc_r11 = const UC_R11,
    uc_r12 = const UC_R12,
    uc_r13 = const UC_R13,
    uc_r14 = const UC_R14,
    uc_r15 = const UC_R15,
    uc_rdi = const UC_RDI,
    uc_rsi = const UC_RSI,
    uc_rbp = const UC_RBP,
    uc_rbx = const UC_RBX,
    uc_rdx = const UC_RDX,
    uc_rax = const UC_RAX,
    uc_rcx = const UC_RCX,
    uc_rsp = const UC_RSP,
    uc_rip = const UC_RIP,
);

unsafe extern "C" {
    /// The restorer: asks the kernel to return from the signal frame.
    #[link_name = "rt0_sigreturn"]
    pub fn rt0_sigreturn();
    /// The `sa_handler` of every caught signal: calls `HANDLERS[sig]`.
    #[link_name = "rt0_sigtramp"]
    pub fn rt0_sigtramp();
}
