//! Files and directories, shaped like `std::fs`: [`File`], [`OpenOptions`],
//! [`Metadata`], [`ReadDir`] and the free functions ([`read`], [`write`](fn@write),
//! [`metadata`], [`create_dir_all`], [`rename`], ...). Go's counterparts
//! are package `os` (`os.Open`, `os.ReadFile`, `os.Stat`, `os.ReadDir`,
//! `os.MkdirAll`, `os.RemoveAll`, `os.Readlink`, `os.Symlink`) and
//! `path/filepath`'s `EvalSymlinks` for [`canonicalize`]; the paths are in
//! [`path`] (`rt0::path`).
//!
//! **Blocking.** A regular file is always "ready" as far as epoll is
//! concerned, so a read that waits for the disk cannot park the
//! goroutine: it blocks its thread. Every system call here that may wait
//! on storage therefore goes through `sys_call`, the one place that
//! wraps it in the scheduler's system-call bracket (`entersyscall` /
//! `exitsyscall`, `sched/syscall.rs`, what `runtime::blocking` does for
//! programs): the goroutine's P waits for it in `PSYSCALL`, and sysmon
//! hands it to another M if the call lasts, so the P's other goroutines
//! keep running; `EINTR` is retried inside the bracket. A short call
//! costs a few atomic operations (before issue 11 the bracket handed the
//! P off every time: 0.3-3.5 us per call). Calls that never
//! wait (`lseek`, `fcntl`) skip the bracket.
//!
//! **Errors** are `io::Error::from_raw_os_error(errno)`, so the kind is
//! std's (`NotFound`, `PermissionDenied`, `AlreadyExists`, `IsADirectory`,
//! `NotADirectory`, `DirectoryNotEmpty`, `StorageFull`, ...) and the text
//! glibc's ("No such file or directory (os error 2)"). A path with a NUL
//! byte inside is `InvalidInput` and reaches no system call.
//!
//! **Where std differs.** `symlink` is here, not in `os::unix::fs` (rt0
//! has one platform). `canonicalize` opens the path (`O_PATH`, which
//! resolves every symbolic link and `..` in the kernel) and reads back the
//! name of the descriptor from `/proc/self/fd/N`: it needs `/proc` mounted
//! (it is, under qemu-user as well: the descriptor is the host's). A file
//! deleted meanwhile ends up as "NAME (deleted)", as the kernel names it.
//! `Metadata::created` is `Unsupported` (no `statx`, see `metadata`);
//! `DirEntry::file_name` is a `PathBuf` (there is no `OsString`); paths
//! compare as bytes (`path`'s note).
//!
//! Nothing here registers with the netpoller; pipes and sockets opened by
//! path (a FIFO) block their thread the same way, inside the bracket.

#![warn(missing_docs)]

mod dir;
mod file;
mod metadata;
pub mod path;

pub use dir::{DirBuilder, DirEntry, ReadDir, create_dir_all, read_dir, remove_dir_all};
pub use file::{File, OpenOptions};
pub use metadata::{FileType, Metadata, Permissions};
pub use path::{Path, PathBuf};

use alloc::string::String;
use alloc::vec::Vec;

use crate::io::{self, Read, Write};
use crate::sched::syscall::{entersyscall, exitsyscall};
use crate::sys::Errno;
use crate::sys::fs::{self as sys, AT_FDCWD, AT_REMOVEDIR, AT_SYMLINK_NOFOLLOW, O_CLOEXEC, O_PATH};
use path::with_cstr;

/// How much [`copy`] moves per read: 128 KiB (coreutils `cp`'s and Go's
/// `io.Copy` on files read in blocks of this order).
const COPY_BUF: usize = 128 * 1024;
/// The first size [`read_link`] tries for a link's target; it doubles up
/// to [`MAX_LINK`].
const FIRST_LINK_BUF: usize = 256;
/// The kernel's `PATH_MAX`: no link target or `/proc` name is longer.
const MAX_LINK: usize = 4096;

/// Runs one file-system system call inside the scheduler's system-call
/// bracket, again as long as it fails with `EINTR`, and turns its errno
/// into an `io::Error`.
///
/// Inside the bracket the goroutine has no P: `call` must be a bare
/// system call (no allocation, no printing, no locks).
pub(crate) fn sys_call<T>(mut call: impl FnMut() -> Result<T, Errno>) -> io::Result<T> {
    entersyscall();
    let r = loop {
        match call() {
            Err(Errno::EINTR) => continue,
            r => break r,
        }
    };
    exitsyscall();
    r.map_err(io::Error::from)
}

/// The whole file at `path` (std's `fs::read`, Go's `os.ReadFile`).
pub fn read<P: AsRef<Path>>(path: P) -> io::Result<Vec<u8>> {
    let f = File::open(path)?;
    let mut buf = Vec::new();
    f.read_all(&mut buf)?;
    Ok(buf)
}

/// The whole file at `path` as text; `InvalidData` when it is not UTF-8
/// (std's `fs::read_to_string`).
pub fn read_to_string<P: AsRef<Path>>(path: P) -> io::Result<String> {
    let mut s = String::new();
    File::open(path)?.read_to_string(&mut s)?;
    Ok(s)
}

/// Replaces the file at `path` with `contents`, creating it (mode `0o666`
/// before the umask) if missing (std's `fs::write`, Go's `os.WriteFile`).
pub fn write<P: AsRef<Path>, C: AsRef<[u8]>>(path: P, contents: C) -> io::Result<()> {
    File::create(path)?.write_all(contents.as_ref())
}

/// The metadata of what `path` names, following symbolic links (std's
/// `fs::metadata`, Go's `os.Stat`).
pub fn metadata<P: AsRef<Path>>(path: P) -> io::Result<Metadata> {
    with_cstr(path.as_ref(), |c| sys_call(|| sys::fstatat(AT_FDCWD, c, 0))).map(Metadata::from_stat)
}

/// The metadata of `path` itself: a symbolic link is described, not
/// followed (std's `fs::symlink_metadata`, Go's `os.Lstat`).
pub fn symlink_metadata<P: AsRef<Path>>(path: P) -> io::Result<Metadata> {
    with_cstr(path.as_ref(), |c| {
        sys_call(|| sys::fstatat(AT_FDCWD, c, AT_SYMLINK_NOFOLLOW))
    })
    .map(Metadata::from_stat)
}

/// Whether `path` names something: `Ok(false)` when it does not,
/// another error when that cannot be told (std's `fs::exists`).
pub fn exists<P: AsRef<Path>>(path: P) -> io::Result<bool> {
    match metadata(path) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Creates the directory `path`, mode `0o777` before the umask (std's
/// `fs::create_dir`, Go's `os.Mkdir`).
pub fn create_dir<P: AsRef<Path>>(path: P) -> io::Result<()> {
    DirBuilder::new().create(path)
}

/// Removes a file or symbolic link (std's `fs::remove_file`, Go's
/// `os.Remove` for a file).
pub fn remove_file<P: AsRef<Path>>(path: P) -> io::Result<()> {
    with_cstr(path.as_ref(), |c| {
        sys_call(|| sys::unlinkat(AT_FDCWD, c, 0))
    })
}

/// Removes an empty directory (std's `fs::remove_dir`).
pub fn remove_dir<P: AsRef<Path>>(path: P) -> io::Result<()> {
    with_cstr(path.as_ref(), |c| {
        sys_call(|| sys::unlinkat(AT_FDCWD, c, AT_REMOVEDIR))
    })
}

/// Renames `from` to `to`, replacing `to` if it exists (std's
/// `fs::rename`, Go's `os.Rename`).
pub fn rename<P: AsRef<Path>, Q: AsRef<Path>>(from: P, to: Q) -> io::Result<()> {
    with_cstr(from.as_ref(), |f| {
        with_cstr(to.as_ref(), |t| sys_call(|| sys::rename(f, t)))
    })
}

/// Makes `link` a second name of `original` (std's `fs::hard_link`, Go's
/// `os.Link`); a symbolic `original` is linked itself, not followed.
pub fn hard_link<P: AsRef<Path>, Q: AsRef<Path>>(original: P, link: Q) -> io::Result<()> {
    with_cstr(original.as_ref(), |o| {
        with_cstr(link.as_ref(), |l| sys_call(|| sys::link(o, l)))
    })
}

/// Makes `link` a symbolic link holding `original` (std's
/// `os::unix::fs::symlink`, Go's `os.Symlink`). `original` is stored as
/// given: a relative one is resolved from the link's directory later.
pub fn symlink<P: AsRef<Path>, Q: AsRef<Path>>(original: P, link: Q) -> io::Result<()> {
    with_cstr(original.as_ref(), |o| {
        with_cstr(link.as_ref(), |l| sys_call(|| sys::symlink(o, l)))
    })
}

/// Reads a link at `dirfd`/`path` into a buffer that grows until the
/// target fits.
fn readlink_at(dirfd: i32, path: &core::ffi::CStr) -> io::Result<PathBuf> {
    let mut size = FIRST_LINK_BUF;
    loop {
        let mut buf = alloc::vec![0u8; size];
        let n = sys_call(|| sys::readlinkat(dirfd, path, &mut buf))?;
        if n < size {
            buf.truncate(n);
            return Ok(PathBuf::from(buf));
        }
        if size > MAX_LINK {
            return Err(io::Error::from(Errno::ENAMETOOLONG));
        }
        size *= 2;
    }
}

/// The target a symbolic link holds (std's `fs::read_link`, Go's
/// `os.Readlink`); `InvalidInput` (EINVAL) for something not a link.
pub fn read_link<P: AsRef<Path>>(path: P) -> io::Result<PathBuf> {
    with_cstr(path.as_ref(), |c| readlink_at(AT_FDCWD, c))
}

/// The absolute path of what `path` names, with every symbolic link,
/// `.` and `..` resolved (std's `fs::canonicalize`, C's `realpath`).
/// How: the kernel resolves the path in `open(O_PATH)`, and
/// `/proc/self/fd/N` names the result (the module note says what that
/// needs).
pub fn canonicalize<P: AsRef<Path>>(path: P) -> io::Result<PathBuf> {
    let fd = with_cstr(path.as_ref(), |c| {
        sys_call(|| sys::openat(AT_FDCWD, c, O_PATH | O_CLOEXEC, 0))
    })?;
    // The descriptor is closed whatever happens next.
    // SAFETY: fd was just opened here and is owned by nothing else.
    let owner = unsafe { File::from_raw_fd(fd) };
    let mut link = alloc::format!("/proc/self/fd/{fd}");
    link.push('\0');
    let c = core::ffi::CStr::from_bytes_with_nul(link.as_bytes())
        .map_err(|_| io::Error::from(Errno::EINVAL))?;
    let r = readlink_at(AT_FDCWD, c);
    drop(owner);
    r
}

/// Copies the contents of the file `from` to `to` (created or truncated)
/// and its permission bits; returns the bytes copied (std's `fs::copy`).
/// `InvalidInput` when `from` is not a regular file.
pub fn copy<P: AsRef<Path>, Q: AsRef<Path>>(from: P, to: Q) -> io::Result<u64> {
    let mut src = File::open(from)?;
    let meta = src.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::from_static(
            io::ErrorKind::InvalidInput,
            "the source path is neither a regular file nor a symlink to a regular file",
        ));
    }
    let perm = meta.permissions();
    let mut dst = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(perm.mode())
        .open(to)?;
    let mut buf = alloc::vec![0u8; COPY_BUF];
    let mut total = 0u64;
    loop {
        let n = match src.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        dst.write_all(&buf[..n])?;
        total += n as u64;
    }
    dst.set_permissions(perm)?;
    Ok(total)
}

/// Changes the permission bits of what `path` names, following symbolic
/// links (std's `fs::set_permissions`, Go's `os.Chmod`).
pub fn set_permissions<P: AsRef<Path>>(path: P, perm: Permissions) -> io::Result<()> {
    with_cstr(path.as_ref(), |c| sys_call(|| sys::chmod(c, perm.mode())))
}
