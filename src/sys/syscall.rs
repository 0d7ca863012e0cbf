//! Raw Linux x86_64 system calls: the one place the kernel ABI is written down.
//!
//! The x86_64 syscall convention (psABI, appendix A.2; `man 2 syscall`):
//!
//! | what            | register |
//! |-----------------|----------|
//! | number          | rax      |
//! | arguments 1..6  | rdi, rsi, rdx, r10, r8, r9 (r10, not rcx: `syscall` uses rcx) |
//! | result          | rax; -4095..=-1 is `-errno` |
//! | clobbered       | rcx (return rip), r11 (saved rflags); nothing else |
//!
//! The kernel touches neither the stack nor the red zone, so every wrapper
//! is `nostack`. Errors are decoded in one place, [`check`], into
//! [`Errno`]; the typed wrappers in the sibling modules return
//! `Result<_, Errno>` and the runtime never sees a raw negative number.
//!
//! Go's counterpart: `runtime/sys_linux_amd64.s`, one asm stub per call.

use core::arch::asm;

/// Syscall numbers used by the runtime (`asm/unistd_64.h`).
#[allow(non_upper_case_globals)]
pub mod nr {
    pub const SYS_read: usize = 0;
    pub const SYS_write: usize = 1;
    pub const SYS_poll: usize = 7;
    pub const SYS_close: usize = 3;
    pub const SYS_mmap: usize = 9;
    pub const SYS_mprotect: usize = 10;
    pub const SYS_munmap: usize = 11;
    pub const SYS_rt_sigaction: usize = 13;
    pub const SYS_rt_sigprocmask: usize = 14;
    pub const SYS_sched_yield: usize = 24;
    pub const SYS_madvise: usize = 28;
    pub const SYS_getpid: usize = 39;
    pub const SYS_socket: usize = 41;
    pub const SYS_connect: usize = 42;
    pub const SYS_sendto: usize = 44;
    pub const SYS_recvfrom: usize = 45;
    pub const SYS_shutdown: usize = 48;
    pub const SYS_bind: usize = 49;
    pub const SYS_listen: usize = 50;
    pub const SYS_getsockname: usize = 51;
    pub const SYS_getpeername: usize = 52;
    pub const SYS_socketpair: usize = 53;
    pub const SYS_setsockopt: usize = 54;
    pub const SYS_getsockopt: usize = 55;
    pub const SYS_fcntl: usize = 72;
    pub const SYS_sigaltstack: usize = 131;
    pub use crate::arch::abi::SYS_arch_prctl;
    pub const SYS_gettid: usize = 186;
    pub const SYS_futex: usize = 202;
    pub const SYS_sched_getaffinity: usize = 204;
    pub const SYS_clock_gettime: usize = 228;
    pub const SYS_exit: usize = 60;
    pub const SYS_exit_group: usize = 231;
    pub const SYS_epoll_wait: usize = 232;
    pub const SYS_epoll_ctl: usize = 233;
    pub const SYS_tgkill: usize = 234;
    pub const SYS_openat: usize = 257;
    pub const SYS_accept4: usize = 288;
    pub const SYS_eventfd2: usize = 290;
    pub const SYS_epoll_create1: usize = 291;
    pub const SYS_pipe2: usize = 293;
    pub const SYS_pidfd_open: usize = 434;
    pub const SYS_process_madvise: usize = 440;
    pub const SYS_epoll_pwait2: usize = 441;
}

/// A kernel error number (the positive value of a `-errno` result).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Errno(pub i32);

/// The errnos the runtime tells apart, by number (`asm-generic/errno-base.h`
/// and `asm-generic/errno.h`); every other one only passes through to
/// `io::Error`. The one place they are defined.
impl Errno {
    pub const ENOENT: Errno = Errno(2);
    pub const ESRCH: Errno = Errno(3);
    pub const EINTR: Errno = Errno(4);
    pub const EIO: Errno = Errno(5);
    pub const ENXIO: Errno = Errno(6);
    pub const EBADF: Errno = Errno(9);
    pub const EAGAIN: Errno = Errno(11);
    pub const ENOMEM: Errno = Errno(12);
    pub const EACCES: Errno = Errno(13);
    pub const EFAULT: Errno = Errno(14);
    pub const ENODEV: Errno = Errno(19);
    pub const ENOTDIR: Errno = Errno(20);
    pub const EINVAL: Errno = Errno(22);
    pub const ENFILE: Errno = Errno(23);
    pub const EMFILE: Errno = Errno(24);
    pub const EFBIG: Errno = Errno(27);
    pub const EPIPE: Errno = Errno(32);
    pub const ENAMETOOLONG: Errno = Errno(36);
    pub const ENOSYS: Errno = Errno(38);
    pub const EPROTO: Errno = Errno(71);
    pub const EAFNOSUPPORT: Errno = Errno(97);
    pub const EADDRINUSE: Errno = Errno(98);
    pub const EADDRNOTAVAIL: Errno = Errno(99);
    pub const ECONNABORTED: Errno = Errno(103);
    pub const ECONNRESET: Errno = Errno(104);
    pub const ENOBUFS: Errno = Errno(105);
    pub const EISCONN: Errno = Errno(106);
    pub const ENOTCONN: Errno = Errno(107);
    pub const ETIMEDOUT: Errno = Errno(110);
    pub const ECONNREFUSED: Errno = Errno(111);
    pub const EALREADY: Errno = Errno(114);
    pub const EINPROGRESS: Errno = Errno(115);
    pub const ESTALE: Errno = Errno(116);
}

/// Largest errno the kernel returns; results in `-MAX_ERRNO..0` are errors.
const MAX_ERRNO: usize = 4095;

/// Decodes a raw syscall result: `-4095..=-1` becomes `Err(Errno)`.
#[inline(always)]
pub fn check(ret: usize) -> Result<usize, Errno> {
    if ret > usize::MAX - MAX_ERRNO {
        Err(Errno(ret.wrapping_neg() as i32))
    } else {
        Ok(ret)
    }
}

/// # Safety
/// The caller guarantees that syscall `n` with no arguments is sound here.
#[inline(always)]
pub unsafe fn syscall0(n: usize) -> usize {
    let ret: usize;
    // SAFETY: the caller vouches for the call; the clobbers are the ABI's.
    unsafe {
        asm!("syscall", inlateout("rax") n => ret,
             out("rcx") _, out("r11") _, options(nostack, preserves_flags));
    }
    ret
}

/// # Safety
/// As [`syscall0`], for one argument.
#[inline(always)]
pub unsafe fn syscall1(n: usize, a1: usize) -> usize {
    let ret: usize;
    // SAFETY: the caller vouches for the call (contract); the clobbers are
    // the ABI's (rcx, r11) and the kernel touches no user stack.
    unsafe {
        asm!("syscall", inlateout("rax") n => ret, in("rdi") a1,
             out("rcx") _, out("r11") _, options(nostack, preserves_flags));
    }
    ret
}

/// # Safety
/// As [`syscall0`], for two arguments.
#[inline(always)]
pub unsafe fn syscall2(n: usize, a1: usize, a2: usize) -> usize {
    let ret: usize;
    // SAFETY: the caller vouches for the call (contract); the clobbers are
    // the ABI's (rcx, r11) and the kernel touches no user stack.
    unsafe {
        asm!("syscall", inlateout("rax") n => ret, in("rdi") a1, in("rsi") a2,
             out("rcx") _, out("r11") _, options(nostack, preserves_flags));
    }
    ret
}

/// # Safety
/// As [`syscall0`], for three arguments.
#[inline(always)]
pub unsafe fn syscall3(n: usize, a1: usize, a2: usize, a3: usize) -> usize {
    let ret: usize;
    // SAFETY: the caller vouches for the call (contract); the clobbers are
    // the ABI's (rcx, r11) and the kernel touches no user stack.
    unsafe {
        asm!("syscall", inlateout("rax") n => ret, in("rdi") a1, in("rsi") a2, in("rdx") a3,
             out("rcx") _, out("r11") _, options(nostack, preserves_flags));
    }
    ret
}

/// # Safety
/// As [`syscall0`], for four arguments.
#[inline(always)]
pub unsafe fn syscall4(n: usize, a1: usize, a2: usize, a3: usize, a4: usize) -> usize {
    let ret: usize;
    // SAFETY: the caller vouches for the call (contract); the clobbers are
    // the ABI's (rcx, r11) and the kernel touches no user stack.
    unsafe {
        asm!("syscall", inlateout("rax") n => ret, in("rdi") a1, in("rsi") a2, in("rdx") a3,
             in("r10") a4, out("rcx") _, out("r11") _, options(nostack, preserves_flags));
    }
    ret
}

/// # Safety
/// As [`syscall0`], for six arguments.
#[inline(always)]
pub unsafe fn syscall6(
    n: usize,
    a1: usize,
    a2: usize,
    a3: usize,
    a4: usize,
    a5: usize,
    a6: usize,
) -> usize {
    let ret: usize;
    // SAFETY: the caller vouches for the call (contract); the clobbers are
    // the ABI's (rcx, r11) and the kernel touches no user stack.
    unsafe {
        asm!("syscall", inlateout("rax") n => ret, in("rdi") a1, in("rsi") a2, in("rdx") a3,
             in("r10") a4, in("r8") a5, in("r9") a6,
             out("rcx") _, out("r11") _, options(nostack, preserves_flags));
    }
    ret
}
