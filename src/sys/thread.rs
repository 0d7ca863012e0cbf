//! OS threads: `clone` for a new thread with its own stack and TLS, the
//! kernel half of Go's `newosproc` (os_linux.go) and `clone`
//! (sys_linux_amd64.s). Nothing here knows what runs on the thread: the
//! scheduler passes its g0 as the TLS slot's value and its M as the
//! entry's argument.

use bitflags::bitflags;

use super::syscall::{Errno, check};
use crate::arch::clone::rt0_clone;

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

/// Starts a thread on `stack_top` with FS = `tls`, the word `g` stored in
/// the TLS slot below FS (where `getg` reads), running `entry(arg)`;
/// returns its thread id.
///
/// # Safety
/// `stack_top` is the 16-byte aligned top of a stack nobody else uses;
/// `tls` is the address one slot above a TLS block that stays live and
/// unused by other threads for the thread's whole life; `entry` never
/// returns and may rely on `arg` and `g` only as its caller promised.
pub unsafe fn clone_thread(
    stack_top: usize,
    tls: usize,
    g: usize,
    entry: extern "C" fn(usize) -> !,
    arg: usize,
) -> Result<i32, Errno> {
    // SAFETY: the caller gives a private stack and a live TLS block; the
    // asm follows clone(2)'s ABI and keeps every callee-saved register of
    // the parent.
    let r = unsafe { rt0_clone(M_CLONE_FLAGS.bits(), stack_top, tls, g, entry, arg) };
    check(r as usize).map(|tid| tid as i32)
}
