//! The kernel side of the standard streams: what fd 0, 1 or 2 is
//! (`fstat`, and `ioctl(TCGETS)` to tell a terminal from `/dev/null`), a
//! non-blocking descriptor for one that can wait for long (a pipe, a FIFO,
//! a socket, a terminal), and putting the flags back at exit. Go's
//! counterparts: `kind` in os/file_unix.go (`newFile`'s `kindNonBlock`,
//! `unix.IsNonblock`) and `syscall.SetNonblock`; the flag restore has no
//! Go counterpart (Go 1.19 never sets `O_NONBLOCK` on inherited stdio).
//!
//! **A private open file description, or none.** `O_NONBLOCK` is a flag
//! of the open file description, which fd 0 shares with the shell, its
//! other children and our own children. Setting it there would make a
//! `cat` started after us (or by us) with the same terminal see `EAGAIN`,
//! and would stay behind if we were killed. So rt0 never changes the
//! shared flags: [`pollable_fd`] opens `/proc/self/fd/N` again, with
//! `O_NONBLOCK`; for a pipe, a FIFO or a terminal the kernel gives a new
//! description of the same object, whose flags are ours alone (the bytes
//! are the same: a pipe has no offset). It checks first that the standard
//! fd was open for that direction (a `prog 1>&0` whose fd 1 is a pipe's
//! read end must not get a write end of that pipe) and after that the new
//! descriptor names the same object (device, inode and `st_rdev`); a pty
//! master is never reopened (its name, `/dev/ptmx`, would make a new pty).
//! When no reopening is possible (a socket answers `ENXIO`; no `/proc`; a
//! terminal we may not open; a pipe with no reader left) the caller uses
//! plain blocking calls in the system-call bracket, as Go does for every
//! inherited standard stream.
//!
//! Invariant: every descriptor returned here is > 2 and close-on-exec.

use super::fcntl::{
    AT_FDCWD, F_DUPFD_CLOEXEC, F_GETFL, O_ACCMODE, O_CLOEXEC, O_NOCTTY, O_NONBLOCK, O_RDONLY,
    O_RDWR, O_WRONLY,
};
use super::file::{STDERR, close};
use super::fs::{S_IFCHR, S_IFIFO, S_IFMT, S_IFSOCK, fstat};
use super::runtimefd::above_stdio;
use super::syscall::{Errno, check, nr, syscall3, syscall4};

/// `ioctl(2)`.
const SYS_IOCTL: usize = 16;
/// `ioctl` request: read a terminal's termios (fails `ENOTTY` otherwise).
const TCGETS: usize = 0x5401;
/// `st_rdev` of `/dev/ptmx` (major 5, minor 2): what a pty master's fd
/// links to in `/proc`, which opening again would make a new pty.
const PTMX_RDEV: u64 = (5 << 8) | 2;
/// The first fd above the standard three.
const FIRST_PRIVATE_FD: usize = STDERR as usize + 1;

/// What a standard descriptor is, for the choice of how to wait on it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum StdKind {
    /// A pipe, FIFO or socket: can wait for long, so it goes on the
    /// netpoller; a read takes all the kernel has.
    Pollable,
    /// A terminal: on the netpoller too, but in canonical mode a read
    /// answers one line with more queued behind it (no new event comes
    /// for them), so a short read says nothing about what is left.
    Terminal,
    /// A regular file, a directory, `/dev/null` or another device that is
    /// not a terminal: epoll refuses it (`EPERM`), plain syscalls.
    Plain,
}

/// `fstat(fd)`'s file type, then `ioctl(TCGETS)` for a character device.
/// `Err(EBADF)` when `fd` is not open.
pub fn classify(fd: i32) -> Result<StdKind, Errno> {
    let mode = fstat(fd)?.st_mode;
    Ok(match mode & S_IFMT {
        S_IFIFO | S_IFSOCK => StdKind::Pollable,
        S_IFCHR if is_terminal(fd) => StdKind::Terminal,
        _ => StdKind::Plain,
    })
}

/// Whether `fd` is a terminal (`ioctl(TCGETS)` succeeds: glibc's
/// `isatty`).
pub fn is_terminal(fd: i32) -> bool {
    let mut termios = [0u8; TERMIOS_SIZE];
    // SAFETY: termios is writable for the kernel's struct termios.
    check(unsafe {
        syscall3(
            SYS_IOCTL,
            fd as usize,
            TCGETS,
            termios.as_mut_ptr() as usize,
        )
    })
    .is_ok()
}
/// The kernel's `struct termios` (TCGETS): 4 flag words, c_line, 19 c_cc.
const TERMIOS_SIZE: usize = 36;

fn fcntl(fd: i32, cmd: usize, arg: usize) -> Result<usize, Errno> {
    // SAFETY: F_GETFL, F_SETFL and F_DUPFD_CLOEXEC take no pointers.
    check(unsafe { syscall3(nr::SYS_fcntl, fd as usize, cmd, arg) })
}

/// A non-blocking, close-on-exec descriptor (> 2) of its own for the
/// object behind standard fd `fd`, for reading (`write == false`) or
/// writing: a private reopening (module note). An error when there can be
/// none; the caller then uses plain calls on `fd`. The caller owns the
/// returned fd; `fd` itself is left as it was.
pub fn pollable_fd(fd: i32, write: bool) -> Result<i32, Errno> {
    let access = fcntl(fd, F_GETFL, 0)? & O_ACCMODE;
    let allowed = if write {
        access == O_WRONLY || access == O_RDWR
    } else {
        access == O_RDONLY || access == O_RDWR
    };
    if !allowed {
        return Err(Errno::EBADF);
    }
    let before = fstat(fd)?;
    if before.st_mode & S_IFMT == S_IFCHR && before.st_rdev == PTMX_RDEV {
        return Err(Errno::ENXIO);
    }
    let new = reopen_nonblocking(fd, write)?;
    match fstat(new) {
        Ok(after)
            if (after.st_dev, after.st_ino, after.st_rdev)
                == (before.st_dev, before.st_ino, before.st_rdev) =>
        {
            Ok(new)
        }
        _ => {
            close(new);
            Err(Errno::ENXIO)
        }
    }
}

/// `/proc/self/fd/N` opened again with `O_NONBLOCK` (module note).
fn reopen_nonblocking(fd: i32, write: bool) -> Result<i32, Errno> {
    // "/proc/self/fd/" and at most one digit: fd is 0, 1 or 2.
    let mut path = *b"/proc/self/fd/0\0";
    path[PROC_FD_DIGIT] = b'0' + fd as u8;
    let access = if write { O_WRONLY } else { O_RDONLY };
    // SAFETY: path is NUL-terminated; openat keeps no pointer.
    let new = check(unsafe {
        syscall4(
            nr::SYS_openat,
            AT_FDCWD as usize,
            path.as_ptr() as usize,
            access | O_NONBLOCK | O_CLOEXEC | O_NOCTTY,
            0,
        )
    })? as i32;
    above_stdio(new)
}
/// Where the fd's digit goes in "/proc/self/fd/0".
const PROC_FD_DIGIT: usize = 14;

/// A close-on-exec duplicate of `fd` above the standard three (for
/// `try_clone` of a pipe end).
pub fn dup_above_stdio(fd: i32) -> Result<i32, Errno> {
    fcntl(fd, F_DUPFD_CLOEXEC, FIRST_PRIVATE_FD).map(|d| d as i32)
}
