//! OS threads: `clone` for a new M, `exit` for a thread. Go's
//! `newosproc` (os_linux.go) and `clone` (sys_linux_amd64.s).

use bitflags::bitflags;

use super::syscall::{Errno, check};
use crate::sched::g::G;
use crate::sched::m::M;

bitflags! {
    /// `CLONE_*` flags (`<linux/sched.h>`).
    #[derive(Clone, Copy, Debug)]
    pub struct CloneFlags: u64 {
        const VM = 0x100;
        const FS = 0x200;
        const FILES = 0x400;
        const SIGHAND = 0x800;
        const SYSVSEM = 0x40000;
        const THREAD = 0x10000;
        const SETTLS = 0x80000;
    }
}

/// What Go's `newosproc` passes: share everything a thread shares, and
/// give the child its own TLS (FS base) in the same call.
pub const M_CLONE_FLAGS: CloneFlags = CloneFlags::VM
    .union(CloneFlags::FS)
    .union(CloneFlags::FILES)
    .union(CloneFlags::SIGHAND)
    .union(CloneFlags::SYSVSEM)
    .union(CloneFlags::THREAD)
    .union(CloneFlags::SETTLS);

// The asm treats M and G as opaque pointers.
#[allow(improper_ctypes)]
unsafe extern "C" {
    #[link_name = "rt0_clone"]
    fn rt0_clone(
        flags: u64,
        stack_top: usize,
        mp: *mut M,
        g0: *mut G,
        start: extern "C" fn() -> !,
    ) -> i64;
}

core::arch::global_asm!(
    include_str!("../../asm/clone.s"),
    m_tls = const crate::sched::context::M_TLS,
    tls_g_slot_size = const core::mem::size_of::<usize>(),
    g_m = const crate::sched::context::G_M,
    sys_clone = const super::syscall::nr::SYS_clone,
);

/// Starts a thread running `start` on `stack_top` with FS = `&mp.tls[1]`
/// and g = `g0`; returns its thread id.
///
/// # Safety
/// `stack_top` is the 16-byte aligned top of a stack nobody else uses;
/// `mp` and `g0` are live for the thread's whole life; `start` never returns.
pub unsafe fn clone_thread(
    stack_top: usize,
    mp: *mut M,
    g0: *mut G,
    start: extern "C" fn() -> !,
) -> Result<i32, Errno> {
    // SAFETY: the stack is aligned and ours, mp and g0 outlive the thread
    // and start never returns (contract), which is all the child needs; the
    // asm follows the clone ABI.
    let r = unsafe { rt0_clone(M_CLONE_FLAGS.bits(), stack_top, mp, g0, start) };
    check(r as usize).map(|tid| tid as i32)
}
