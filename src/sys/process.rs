//! The process and its threads: exit, CPU affinity, the FS base.
//! Go's counterparts: `exit`, `exitThread`, `sched_getaffinity`, `settls`.

use super::syscall::{Errno, check, nr, syscall1, syscall3};

/// Ends every thread of the process with `code` (Go's `exit`).
pub fn exit_group(code: i32) -> ! {
    // SAFETY: exit_group does not return.
    unsafe { syscall1(nr::SYS_exit_group, code as usize) };
    // The kernel never returns from exit_group; make that a fault if it did.
    unreachable_trap()
}

/// Ends the calling thread only (`exit(2)`, not `exit_group`; Go's
/// `exitThread`). The other threads go on; the process ends with its
/// last thread. The caller's stack and everything it owned stay mapped:
/// freeing them is the caller's business before it calls this.
pub fn exit_thread(code: i32) -> ! {
    // SAFETY: exit ends this thread; it does not return.
    unsafe { syscall1(nr::SYS_exit, code as usize) };
    unreachable_trap()
}

/// Stops here with an invalid-opcode trap: for "cannot happen" paths that
/// must not run on, and that have no stack or heap to report with.
#[inline(always)]
pub fn unreachable_trap() -> ! {
    // SAFETY: ud2 raises SIGILL; it never falls through.
    unsafe { core::arch::asm!("ud2", options(noreturn, nomem, nostack)) }
}

/// Size in bytes of the CPU mask passed to `sched_getaffinity`: 1024 CPUs,
/// as glibc's `cpu_set_t`. Larger machines report through the first 1024.
pub const CPU_SET_BYTES: usize = 128;

/// Fills `mask` with this thread's CPU affinity; returns the bytes written.
pub fn sched_getaffinity(mask: &mut [u8; CPU_SET_BYTES]) -> Result<usize, Errno> {
    // SAFETY: mask is writable for CPU_SET_BYTES bytes; pid 0 is this thread.
    check(unsafe {
        syscall3(
            nr::SYS_sched_getaffinity,
            0,
            CPU_SET_BYTES,
            mask.as_mut_ptr() as usize,
        )
    })
}

/// The process id (the thread group id) of the caller.
pub fn getpid() -> i32 {
    // SAFETY: getpid has no arguments and cannot fail.
    unsafe { super::syscall::syscall0(nr::SYS_getpid) as i32 }
}

/// The kernel thread id of the caller.
pub fn gettid() -> i32 {
    // SAFETY: gettid has no arguments and cannot fail.
    unsafe { super::syscall::syscall0(nr::SYS_gettid) as i32 }
}

/// Gives the CPU to another thread (`sched_yield`, Go's `osyield`).
pub fn sched_yield() {
    // SAFETY: sched_yield has no arguments and cannot fail.
    unsafe { super::syscall::syscall0(nr::SYS_sched_yield) };
}
