//! Memory mappings: `mmap`, `munmap`, `mprotect`, `madvise`.
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
    /// Give pages back; the next touch faults in zero pages.
    pub const MADV_DONTNEED: usize = 4;
    /// Linux >= 6.13: install guard pages inside a mapping without splitting it.
    pub const MADV_GUARD_INSTALL: usize = 102;
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
    // SAFETY: as documented.
    check(unsafe { syscall3(nr::SYS_mprotect, addr as usize, len, prot.bits()) }).map(|_| ())
}

/// Gives advice about `[addr, addr+len)`.
///
/// # Safety
/// The caller owns the range; advice such as `MADV_DONTNEED` discards data.
pub unsafe fn madvise(addr: *mut u8, len: usize, advice: usize) -> Result<(), Errno> {
    // SAFETY: as documented.
    check(unsafe { syscall3(nr::SYS_madvise, addr as usize, len, advice) }).map(|_| ())
}
