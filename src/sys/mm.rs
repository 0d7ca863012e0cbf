//! Memory mappings: `mmap` (anonymous and of a file), `munmap`, `mprotect`, `madvise`.
//! Go's counterparts: `mmap`/`munmap`/`madvise` in `runtime/mem_linux.go`
//! and `sys_linux_amd64.s`.

use super::syscall::{Errno, check, nr, syscall2, syscall3, syscall6};
use bitflags::bitflags;

bitflags! {
    /// `PROT_*` page protections.
    #[derive(Clone, Copy, Debug)]
    pub struct Prot: usize {
        const NONE = 0;
        const READ = 0x1;
        const WRITE = 0x2;
        const EXEC = 0x4;
    }
}

bitflags! {
    /// `MAP_*` mapping flags.
    #[derive(Clone, Copy, Debug)]
    pub struct MapFlags: usize {
        const PRIVATE = 0x02;
        const FIXED = 0x10;
        const ANONYMOUS = 0x20;
        const GROWSDOWN = 0x100;
        const NORESERVE = 0x4000;
        const STACK = 0x20000;
        const FIXED_NOREPLACE = 0x100000;
    }
}

/// `madvise` advice values used by the runtime.
pub mod advice {
    /// Drop the pages now; the next touch faults in a zeroed page
    /// (the scavenger's advice, `mem::scavenge`).
    pub const MADV_DONTNEED: usize = 4;
    /// Linux >= 6.13: install guard pages inside a mapping without splitting it.
    pub const MADV_GUARD_INSTALL: usize = 102;
    /// Linux >= 5.14: fault the pages in, readable, now.
    pub const MADV_POPULATE_READ: usize = 22;
    /// Linux >= 5.14: fault the pages in, writable, now.
    pub const MADV_POPULATE_WRITE: usize = 23;
}

/// Maps `len` bytes of private anonymous memory with `prot`, optionally at a
/// hint address (`flags` decides whether the hint is binding).
pub fn mmap_anon(hint: usize, len: usize, prot: Prot, flags: MapFlags) -> Result<*mut u8, Errno> {
    let flags = flags | MapFlags::PRIVATE | MapFlags::ANONYMOUS;
    // SAFETY: an anonymous mapping touches no existing memory unless FIXED is
    // given, and callers pass FIXED only for ranges they own.
    let r = check(unsafe {
        syscall6(
            nr::SYS_mmap,
            hint,
            len,
            prot.bits(),
            flags.bits(),
            usize::MAX,
            0,
        )
    })?;
    Ok(r as *mut u8)
}

/// Maps the first `len` bytes of the open file `fd` with `prot` and
/// `flags` (`MAP_PRIVATE` or `MAP_SHARED` is the caller's; `MAP_FIXED` is
/// dropped), anywhere: the symbolizer's view of the executable
/// (`debug::elf`). The mapping outlives `fd`. A page past the file's end,
/// now or after another process truncates it, faults with `SIGBUS` when
/// touched.
pub fn mmap_file(fd: i32, len: usize, prot: Prot, flags: MapFlags) -> Result<*mut u8, Errno> {
    let flags = flags.difference(MapFlags::FIXED);
    // SAFETY: without MAP_FIXED the kernel picks a free range, so no
    // existing memory is touched; the file's pages become new memory.
    let r = check(unsafe {
        syscall6(
            nr::SYS_mmap,
            0,
            len,
            prot.bits(),
            flags.bits(),
            fd as usize,
            0,
        )
    })?;
    Ok(r as *mut u8)
}

/// Unmaps `[addr, addr+len)`.
///
/// # Safety
/// No live reference may point into the range.
pub unsafe fn munmap(addr: *mut u8, len: usize) -> Result<(), Errno> {
    // SAFETY: the caller gives up the range.
    check(unsafe { syscall2(nr::SYS_munmap, addr as usize, len) }).map(|_| ())
}

/// Changes the protection of `[addr, addr+len)`.
///
/// # Safety
/// The caller owns the range and no live reference relies on the old protection.
pub unsafe fn mprotect(addr: *mut u8, len: usize, prot: Prot) -> Result<(), Errno> {
    // SAFETY: the caller owns the range and nothing relies on its old
    // protection (contract), so changing it breaks no live reference.
    check(unsafe { syscall3(nr::SYS_mprotect, addr as usize, len, prot.bits()) }).map(|_| ())
}

/// Gives advice about `[addr, addr+len)`.
///
/// # Safety
/// The caller owns the range; advice such as `MADV_DONTNEED` discards data.
pub unsafe fn madvise(addr: *mut u8, len: usize, advice: usize) -> Result<(), Errno> {
    // SAFETY: the caller owns the range and accepts what the advice does to
    // its contents (contract); other memory is untouched.
    check(unsafe { syscall3(nr::SYS_madvise, addr as usize, len, advice) }).map(|_| ())
}

/// One range for `process_madvise` (the kernel's `struct iovec`).
#[repr(C)]
pub struct IoVec {
    pub base: usize,
    pub len: usize,
}

/// Applies `advice` to every range in `iov` of the process behind `pidfd`
/// (`process_madvise`, Linux >= 5.10; any advice on oneself since 6.13);
/// returns the bytes advised.
pub fn process_madvise(pidfd: i32, iov: &[IoVec], advice: usize) -> Result<usize, Errno> {
    // SAFETY: iov is a valid array of ranges; the kernel checks each range.
    check(unsafe {
        syscall6(
            nr::SYS_process_madvise,
            pidfd as usize,
            iov.as_ptr() as usize,
            iov.len(),
            advice,
            0,
            0,
        )
    })
}

/// A pidfd for this process, opened once (`pidfd_open(getpid())`), for
/// `process_madvise`; `Err` when the kernel has no pidfds. pidfd_open's
/// descriptors are always close-on-exec (pidfd_open(2); its one flag,
/// `PIDFD_NONBLOCK`, is unrelated); [`OnceFd`] keeps it off fds 0-2 and
/// makes concurrent first calls open one, not one each.
///
/// [`OnceFd`]: super::runtimefd::OnceFd
pub fn self_pidfd() -> Result<i32, Errno> {
    static PIDFD: super::runtimefd::OnceFd = super::runtimefd::OnceFd::new();
    PIDFD.get_or_open(|| {
        let pid = super::process::getpid();
        // SAFETY: pidfd_open takes no pointers.
        check(unsafe { syscall2(nr::SYS_pidfd_open, pid as usize, 0) }).map(|fd| fd as i32)
    })
}
