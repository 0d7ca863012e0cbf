//! The signal trampolines of `signal.s` (Go's `sigtramp` and
//! `sigreturn__sigaction`), and the table of Rust handlers the trampoline
//! calls. `sys::signal` fills the table and installs the trampolines with
//! `rt_sigaction`.

use core::sync::atomic::AtomicUsize;

use super::abi::SYS_rt_sigreturn;

/// The last signal number (`_NSIG - 1`): the table has a slot for each.
pub const NSIG_MAX: usize = 64;

/// The Rust handler of each signal, indexed by number, called by
/// `rt0_sigtramp`. Written before the signal's `rt_sigaction`, so the
/// trampoline never finds 0 for an installed signal.
pub static HANDLERS: [AtomicUsize; NSIG_MAX + 1] = [const { AtomicUsize::new(0) }; NSIG_MAX + 1];

core::arch::global_asm!(
    include_str!("signal.s"),
    sys_rt_sigreturn = const SYS_rt_sigreturn,
    handlers = sym HANDLERS,
);

unsafe extern "C" {
    /// The restorer: asks the kernel to return from the signal frame.
    #[link_name = "rt0_sigreturn"]
    pub fn rt0_sigreturn();
    /// The `sa_handler` of every caught signal: calls `HANDLERS[sig]`.
    #[link_name = "rt0_sigtramp"]
    pub fn rt0_sigtramp();
}
