//! The file-system calls behind `rt0::fs`: `openat`, `read`/`write`,
//! `pread64`/`pwrite64`, `lseek`, `ftruncate`, `fsync`/`fdatasync`,
//! `fstat`/`newfstatat`, `getdents64`, `mkdirat`, `unlinkat`, `renameat`,
//! `linkat`, `symlinkat`, `readlinkat`, `fchmod`/`fchmodat` and `fcntl`
//! (`F_DUPFD_CLOEXEC`); the wall clock is in `sys::time`. Go's
//! counterparts are the `syscall` package's `Openat`, `Pread`, `Seek`,
//! `Fstatat`, `Getdents`, ... (`syscall/zsyscall_linux_amd64.go`).
//!
//! One wrapper per call, each a single `syscall`: no retry on `EINTR`, no
//! allocation, no blocking bracket (the `fs` service does those, once, in
//! `fs::sys_call`). Paths are NUL-terminated `CStr`s the caller built;
//! every path call takes a directory fd (`AT_FDCWD` for the working
//! directory), as the `*at` calls do.
//!
//! The syscall numbers live here rather than in `syscall::nr`, so this
//! file is the whole of the file-system ABI (`asm/unistd_64.h`).
//!
//! `struct stat` is the x86_64 layout of `newfstatat`/`fstat`
//! (`arch/x86/include/uapi/asm/stat.h`); `newfstatat` is used rather than
//! `statx` because every kernel rt0 runs on and every qemu-user version
//! implements it (the birth time it lacks is the one field `statx` adds).

use core::ffi::CStr;

use super::syscall::{Errno, check, syscall1, syscall2, syscall3, syscall4, syscall6};

/// Syscall numbers of the file-system calls (`asm/unistd_64.h`).
#[allow(non_upper_case_globals)]
mod nr {
    pub const SYS_close: usize = 3;
    pub const SYS_fstat: usize = 5;
    pub const SYS_lseek: usize = 8;
    pub const SYS_pread64: usize = 17;
    pub const SYS_pwrite64: usize = 18;
    pub const SYS_fcntl: usize = 72;
    pub const SYS_fsync: usize = 74;
    pub const SYS_fdatasync: usize = 75;
    pub const SYS_ftruncate: usize = 77;
    pub const SYS_fchmod: usize = 91;
    pub const SYS_getdents64: usize = 217;
    pub const SYS_openat: usize = 257;
    pub const SYS_mkdirat: usize = 258;
    pub const SYS_newfstatat: usize = 262;
    pub const SYS_unlinkat: usize = 263;
    pub const SYS_renameat: usize = 264;
    pub const SYS_linkat: usize = 265;
    pub const SYS_symlinkat: usize = 266;
    pub const SYS_readlinkat: usize = 267;
    pub const SYS_fchmodat: usize = 268;
}

/// The working directory, as the `dirfd` of an `*at` call.
pub const AT_FDCWD: i32 = -100;
/// `newfstatat` flag: do not follow a final symbolic link (`lstat`).
pub const AT_SYMLINK_NOFOLLOW: u32 = 0x100;
/// `unlinkat` flag: remove a directory (`rmdir`), not a file.
pub const AT_REMOVEDIR: u32 = 0x200;

// open(2) flags (`asm-generic/fcntl.h`, x86_64 values).
/// Open for reading only.
pub const O_RDONLY: u32 = 0;
/// Open for writing only.
pub const O_WRONLY: u32 = 0o1;
/// Open for reading and writing.
pub const O_RDWR: u32 = 0o2;
/// Create the file if it does not exist.
pub const O_CREAT: u32 = 0o100;
/// With `O_CREAT`: fail with `EEXIST` if it exists.
pub const O_EXCL: u32 = 0o200;
/// Do not make a terminal the controlling terminal.
pub const O_NOCTTY: u32 = 0o400;
/// Truncate a regular file to length 0.
pub const O_TRUNC: u32 = 0o1000;
/// Every write goes to the end of the file.
pub const O_APPEND: u32 = 0o2000;
/// Fail with `ENOTDIR` unless the path names a directory.
pub const O_DIRECTORY: u32 = 0o200000;
/// Fail with `ELOOP` if the final component is a symbolic link.
pub const O_NOFOLLOW: u32 = 0o400000;
/// Close the descriptor on `execve`.
pub const O_CLOEXEC: u32 = 0o2000000;
/// A descriptor that only names a file (no read or write).
pub const O_PATH: u32 = 0o10000000;
/// The access-mode bits of the flags.
pub const O_ACCMODE: u32 = 0o3;

// lseek(2) whence values.
/// Seek from the start of the file.
pub const SEEK_SET: u32 = 0;
/// Seek from the current offset.
pub const SEEK_CUR: u32 = 1;
/// Seek from the end of the file.
pub const SEEK_END: u32 = 2;

/// `fcntl` command: duplicate onto the lowest free fd >= arg, close-on-exec.
const F_DUPFD_CLOEXEC: u32 = 1030;
/// `fcntl` command: the file status flags (`O_APPEND`, `O_NONBLOCK`, ...).
const F_GETFL: u32 = 3;

// The type bits of `st_mode` (`linux/stat.h`).
/// The mask of the file-type bits.
pub const S_IFMT: u32 = 0o170000;
/// A socket.
pub const S_IFSOCK: u32 = 0o140000;
/// A symbolic link.
pub const S_IFLNK: u32 = 0o120000;
/// A regular file.
pub const S_IFREG: u32 = 0o100000;
/// A block device.
pub const S_IFBLK: u32 = 0o060000;
/// A directory.
pub const S_IFDIR: u32 = 0o040000;
/// A character device.
pub const S_IFCHR: u32 = 0o020000;
/// A FIFO (named pipe).
pub const S_IFIFO: u32 = 0o010000;

// `d_type` of a `linux_dirent64` (`DT_*`, from `dirent.h`): the file type
// bits of `st_mode` shifted right by 12, or `DT_UNKNOWN` where the file
// system does not say.
/// The file system does not report the type: ask `lstat`.
pub const DT_UNKNOWN: u8 = 0;
/// How far `S_IFMT` bits sit above a `DT_*` value: `DT_x << 12 == S_IFx`.
pub const DT_SHIFT: u32 = 12;

/// The kernel's `struct stat` on x86_64 (144 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Stat {
    pub st_dev: u64,
    pub st_ino: u64,
    pub st_nlink: u64,
    pub st_mode: u32,
    pub st_uid: u32,
    pub st_gid: u32,
    pub pad0: u32,
    pub st_rdev: u64,
    pub st_size: i64,
    pub st_blksize: i64,
    pub st_blocks: i64,
    pub st_atime: i64,
    pub st_atime_nsec: i64,
    pub st_mtime: i64,
    pub st_mtime_nsec: i64,
    pub st_ctime: i64,
    pub st_ctime_nsec: i64,
    pub unused: [i64; 3],
}

const _: () = assert!(core::mem::size_of::<Stat>() == 144);

/// The fixed head of a `struct linux_dirent64`, as `getdents64` writes
/// it: then the NUL-terminated name, padded to `d_reclen` bytes.
#[repr(C)]
pub struct Dirent64Head {
    pub d_ino: u64,
    pub d_off: i64,
    pub d_reclen: u16,
    pub d_type: u8,
}

/// Where the name starts inside a `linux_dirent64` record.
pub const DIRENT64_NAME_OFFSET: usize = core::mem::offset_of!(Dirent64Head, d_type) + 1;

/// `openat(dirfd, path, flags, mode)`: the new descriptor.
pub fn openat(dirfd: i32, path: &CStr, flags: u32, mode: u32) -> Result<i32, Errno> {
    // SAFETY: path is NUL-terminated and outlives the call; the kernel
    // keeps no pointer.
    check(unsafe {
        syscall4(
            nr::SYS_openat,
            dirfd as isize as usize,
            path.as_ptr() as usize,
            flags as usize,
            mode as usize,
        )
    })
    .map(|fd| fd as i32)
}

/// `read(2)` and `write(2)`: the ones every descriptor uses.
pub use super::file::{read, write};

/// `pread64(fd, buf, offset)`: read at `offset`, the file offset unchanged.
pub fn pread(fd: i32, buf: &mut [u8], offset: u64) -> Result<usize, Errno> {
    // SAFETY: buf is writable for its length.
    check(unsafe {
        syscall4(
            nr::SYS_pread64,
            fd as usize,
            buf.as_mut_ptr() as usize,
            buf.len(),
            offset as usize,
        )
    })
}

/// `pwrite64(fd, buf, offset)`: write at `offset`, the file offset unchanged.
pub fn pwrite(fd: i32, buf: &[u8], offset: u64) -> Result<usize, Errno> {
    // SAFETY: buf is readable for its length.
    check(unsafe {
        syscall4(
            nr::SYS_pwrite64,
            fd as usize,
            buf.as_ptr() as usize,
            buf.len(),
            offset as usize,
        )
    })
}

/// `lseek(fd, offset, whence)`: the new offset from the start.
pub fn lseek(fd: i32, offset: i64, whence: u32) -> Result<u64, Errno> {
    // SAFETY: no memory is passed.
    check(unsafe { syscall3(nr::SYS_lseek, fd as usize, offset as usize, whence as usize) })
        .map(|o| o as u64)
}

/// `ftruncate(fd, len)`.
pub fn ftruncate(fd: i32, len: u64) -> Result<(), Errno> {
    // SAFETY: no memory is passed.
    check(unsafe { syscall2(nr::SYS_ftruncate, fd as usize, len as usize) }).map(drop)
}

/// `fsync(fd)`.
pub fn fsync(fd: i32) -> Result<(), Errno> {
    // SAFETY: no memory is passed.
    check(unsafe { syscall1(nr::SYS_fsync, fd as usize) }).map(drop)
}

/// `fdatasync(fd)`.
pub fn fdatasync(fd: i32) -> Result<(), Errno> {
    // SAFETY: no memory is passed.
    check(unsafe { syscall1(nr::SYS_fdatasync, fd as usize) }).map(drop)
}

/// `fstat(fd)`.
pub fn fstat(fd: i32) -> Result<Stat, Errno> {
    let mut st = Stat::default();
    // SAFETY: st is a writable struct stat of the kernel's layout.
    check(unsafe { syscall2(nr::SYS_fstat, fd as usize, &mut st as *mut Stat as usize) })?;
    Ok(st)
}

/// `newfstatat(dirfd, path, flags)` (glibc's `fstatat`).
pub fn fstatat(dirfd: i32, path: &CStr, flags: u32) -> Result<Stat, Errno> {
    let mut st = Stat::default();
    // SAFETY: path is NUL-terminated; st is a writable struct stat.
    check(unsafe {
        syscall4(
            nr::SYS_newfstatat,
            dirfd as isize as usize,
            path.as_ptr() as usize,
            &mut st as *mut Stat as usize,
            flags as usize,
        )
    })?;
    Ok(st)
}

/// `getdents64(fd, buf)`: bytes of `linux_dirent64` records written, 0 at
/// the end of the directory.
pub fn getdents64(fd: i32, buf: &mut [u8]) -> Result<usize, Errno> {
    // SAFETY: buf is writable for its length.
    check(unsafe {
        syscall3(
            nr::SYS_getdents64,
            fd as usize,
            buf.as_mut_ptr() as usize,
            buf.len(),
        )
    })
}

/// `mkdirat(dirfd, path, mode)`.
pub fn mkdirat(dirfd: i32, path: &CStr, mode: u32) -> Result<(), Errno> {
    // SAFETY: path is NUL-terminated.
    check(unsafe {
        syscall3(
            nr::SYS_mkdirat,
            dirfd as isize as usize,
            path.as_ptr() as usize,
            mode as usize,
        )
    })
    .map(drop)
}

/// `unlinkat(dirfd, path, flags)`: `AT_REMOVEDIR` removes a directory.
pub fn unlinkat(dirfd: i32, path: &CStr, flags: u32) -> Result<(), Errno> {
    // SAFETY: path is NUL-terminated.
    check(unsafe {
        syscall3(
            nr::SYS_unlinkat,
            dirfd as isize as usize,
            path.as_ptr() as usize,
            flags as usize,
        )
    })
    .map(drop)
}

/// `renameat(AT_FDCWD, from, AT_FDCWD, to)`.
pub fn rename(from: &CStr, to: &CStr) -> Result<(), Errno> {
    // SAFETY: both paths are NUL-terminated.
    check(unsafe {
        syscall4(
            nr::SYS_renameat,
            AT_FDCWD as isize as usize,
            from.as_ptr() as usize,
            AT_FDCWD as isize as usize,
            to.as_ptr() as usize,
        )
    })
    .map(drop)
}

/// `linkat(AT_FDCWD, original, AT_FDCWD, link, 0)`: a hard link; a
/// symbolic `original` is linked itself, not followed (Linux's `link`).
pub fn link(original: &CStr, link: &CStr) -> Result<(), Errno> {
    // SAFETY: both paths are NUL-terminated.
    check(unsafe {
        syscall6(
            nr::SYS_linkat,
            AT_FDCWD as isize as usize,
            original.as_ptr() as usize,
            AT_FDCWD as isize as usize,
            link.as_ptr() as usize,
            0,
            0,
        )
    })
    .map(drop)
}

/// `symlinkat(target, AT_FDCWD, link)`.
pub fn symlink(target: &CStr, link: &CStr) -> Result<(), Errno> {
    // SAFETY: both paths are NUL-terminated.
    check(unsafe {
        syscall3(
            nr::SYS_symlinkat,
            target.as_ptr() as usize,
            AT_FDCWD as isize as usize,
            link.as_ptr() as usize,
        )
    })
    .map(drop)
}

/// `readlinkat(dirfd, path, buf)`: the bytes of the link's target written
/// (not NUL-terminated; `buf.len()` means it may have been cut short).
pub fn readlinkat(dirfd: i32, path: &CStr, buf: &mut [u8]) -> Result<usize, Errno> {
    // SAFETY: path is NUL-terminated; buf is writable for its length.
    check(unsafe {
        syscall4(
            nr::SYS_readlinkat,
            dirfd as isize as usize,
            path.as_ptr() as usize,
            buf.as_mut_ptr() as usize,
            buf.len(),
        )
    })
}

/// `fchmod(fd, mode)`.
pub fn fchmod(fd: i32, mode: u32) -> Result<(), Errno> {
    // SAFETY: no memory is passed.
    check(unsafe { syscall2(nr::SYS_fchmod, fd as usize, mode as usize) }).map(drop)
}

/// `fchmodat(AT_FDCWD, path, mode)` (follows symbolic links).
pub fn chmod(path: &CStr, mode: u32) -> Result<(), Errno> {
    // SAFETY: path is NUL-terminated.
    check(unsafe {
        syscall3(
            nr::SYS_fchmodat,
            AT_FDCWD as isize as usize,
            path.as_ptr() as usize,
            mode as usize,
        )
    })
    .map(drop)
}

/// `fcntl(fd, F_DUPFD_CLOEXEC, min)`: a close-on-exec duplicate at the
/// lowest free number >= `min`.
pub fn dup_cloexec(fd: i32, min: i32) -> Result<i32, Errno> {
    // SAFETY: no memory is passed.
    check(unsafe {
        syscall3(
            nr::SYS_fcntl,
            fd as usize,
            F_DUPFD_CLOEXEC as usize,
            min as usize,
        )
    })
    .map(|fd| fd as i32)
}

/// `fcntl(fd, F_GETFL)`: the status flags and access mode.
pub fn getfl(fd: i32) -> Result<u32, Errno> {
    // SAFETY: no memory is passed.
    check(unsafe { syscall2(nr::SYS_fcntl, fd as usize, F_GETFL as usize) }).map(|f| f as u32)
}

/// `close(fd)`; the error is returned (the caller usually ignores it:
/// the descriptor is gone either way on Linux).
pub fn close(fd: i32) -> Result<(), Errno> {
    // SAFETY: closing a descriptor the caller owns.
    check(unsafe { syscall1(nr::SYS_close, fd as usize) }).map(drop)
}
