//! The process-spawning trampoline of `spawn.s` (Go's `rawVforkSyscall`
//! in syscall/asm_linux_amd64.s): `clone(2)` with the caller's flags
//! (`CLONE_VM | CLONE_VFORK | SIGCHLD` from `sys::spawn`) on a stack of the
//! child's own, then, in the child, a call to `entry(arg)`.
//!
//! Unlike [`rt0_clone`](super::clone::rt0_clone) the child gets no TLS of
//! its own and the trampoline does not store a g: the child still has the
//! parent thread's FS base, and writing through it would change the
//! parent's current g. The entry must touch neither TLS nor any memory
//! the parent may use (module note of `sys::spawn`).

use super::abi::SYS_clone;

core::arch::global_asm!(include_str!("spawn.s"), sys_clone = const SYS_clone);

unsafe extern "C" {
    /// `clone(flags, stack_top, 0, 0, 0)`; in the child calls `entry(arg)`,
    /// which never returns. Returns the child's pid, or `-errno`, in the
    /// parent.
    #[link_name = "rt0_spawn_clone"]
    pub fn rt0_spawn_clone(
        flags: u64,
        stack_top: usize,
        entry: extern "C" fn(usize) -> !,
        arg: usize,
    ) -> i64;
}
