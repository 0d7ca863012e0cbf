//! File descriptors: `write` to fds 1 and 2, and the few reads the
//! runtime does at start-up (`/sys/kernel/mm/transparent_hugepage/...`).
//! Go's counterparts: `write1`, `open`, `read`, `closefd` in
//! `runtime/sys_linux_amd64.s`, and for [`write_all`]'s loop the one in
//! `internal/poll.(*FD).Write`.
//!
//! [`write_all`] writes everything or fails: it continues after short
//! writes and `EINTR`, and when the fd is non-blocking and full (`EAGAIN`:
//! fd 1 or 2 may be a pipe whose other user set `O_NONBLOCK` on it, which
//! the open file description shares with us) it waits with
//! `poll(POLLOUT)` ([`wait_fd`]) and writes again. The thread blocks in
//! `poll` as it would in a blocking `write`: this is the runtime's own
//! output (reports written while dying, when nothing may park); programs
//! write through `io::stdout()`, which parks on the netpoller, and falls
//! back to [`wait_fd`] only for a descriptor it cannot poll.

use super::fcntl::{AT_FDCWD, O_CLOEXEC, O_NONBLOCK, O_RDONLY};
use super::syscall::{Errno, check, nr, syscall1, syscall3, syscall4};

pub const STDOUT: i32 = 1;
pub const STDERR: i32 = 2;

/// `poll` events: reading, writing will not block.
pub const POLLIN: i16 = 0x1;
pub const POLLOUT: i16 = 0x4;
/// `poll` timeout: none, wait as long as it takes.
const POLL_FOREVER: isize = -1;

/// The kernel's `struct pollfd`.
#[repr(C)]
struct PollFd {
    fd: i32,
    events: i16,
    revents: i16,
}

/// Whether `fd` has one of `events` now (`poll(2)` with a zero timeout);
/// an error or hang-up counts (the next call then reports it).
pub fn ready_now(fd: i32, events: i16) -> bool {
    let mut p = PollFd {
        fd,
        events,
        revents: 0,
    };
    // SAFETY: p is one valid pollfd, writable for the kernel's revents.
    let r = check(unsafe { syscall3(nr::SYS_poll, &mut p as *mut PollFd as usize, 1, 0) });
    matches!(r, Ok(n) if n > 0)
}

/// Blocks the thread in `poll(2)` until `fd` has one of `events` (or an
/// error or hang-up to report, which the next call then returns): for a
/// descriptor someone else made non-blocking that answered `EAGAIN`.
pub fn wait_fd(fd: i32, events: i16) -> Result<(), Errno> {
    let mut p = PollFd {
        fd,
        events,
        revents: 0,
    };
    loop {
        // SAFETY: p is one valid pollfd, writable for the kernel's revents.
        let r = check(unsafe {
            syscall3(
                nr::SYS_poll,
                &mut p as *mut PollFd as usize,
                1,
                POLL_FOREVER as usize,
            )
        });
        match r {
            Ok(_) => return Ok(()),
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Writes all of `buf` to `fd`: again after a short write or `EINTR`, and
/// after waiting for room when a non-blocking fd is full (`EAGAIN`). A
/// write that accepts nothing is an error (`EIO`), not a reason to spin.
pub fn write_all(fd: i32, mut buf: &[u8]) -> Result<(), Errno> {
    while !buf.is_empty() {
        // SAFETY: buf is a valid readable slice for its length.
        let r = check(unsafe {
            syscall3(nr::SYS_write, fd as usize, buf.as_ptr() as usize, buf.len())
        });
        match r {
            Ok(0) => return Err(Errno::EIO),
            Ok(n) => buf = &buf[n..],
            Err(Errno::EINTR) => continue,
            Err(Errno::EAGAIN) => wait_fd(fd, POLLOUT)?,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Opens `path` (NUL-terminated) read-only and close-on-exec.
pub fn open_readonly(path: &core::ffi::CStr) -> Result<i32, Errno> {
    // SAFETY: path is NUL-terminated; openat does not keep the pointer.
    check(unsafe {
        syscall4(
            nr::SYS_openat,
            AT_FDCWD as usize,
            path.as_ptr() as usize,
            O_RDONLY | O_CLOEXEC,
            0,
        )
    })
    .map(|fd| fd as i32)
}

/// Reads up to `buf.len()` bytes.
pub fn read(fd: i32, buf: &mut [u8]) -> Result<usize, Errno> {
    // SAFETY: buf is a valid writable slice for its length.
    check(unsafe {
        syscall3(
            nr::SYS_read,
            fd as usize,
            buf.as_mut_ptr() as usize,
            buf.len(),
        )
    })
}

/// One `write(2)` of `buf`: how much the kernel took.
pub fn write(fd: i32, buf: &[u8]) -> Result<usize, Errno> {
    // SAFETY: buf is a valid readable slice for its length.
    check(unsafe { syscall3(nr::SYS_write, fd as usize, buf.as_ptr() as usize, buf.len()) })
}

/// Closes `fd`; errors are not actionable and are ignored, as Go's closefd.
pub fn close(fd: i32) {
    // SAFETY: closing an fd the caller owns.
    unsafe { syscall1(nr::SYS_close, fd as usize) };
}

/// Reads a whole small file into `buf`, returning the bytes read.
pub fn read_small_file(path: &core::ffi::CStr, buf: &mut [u8]) -> Result<usize, Errno> {
    let fd = open_readonly(path)?;
    let mut n = 0;
    while n < buf.len() {
        match read(fd, &mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(Errno::EINTR) => continue,
            Err(e) => {
                close(fd);
                return Err(e);
            }
        }
    }
    close(fd);
    Ok(n)
}

/// Creates a pipe; returns (read end, write end), both close-on-exec.
pub fn pipe2() -> Result<(i32, i32), Errno> {
    pipe_with(O_CLOEXEC)
}

/// Creates a non-blocking, close-on-exec pipe (for the netpoller).
pub fn pipe2_nonblock() -> Result<(i32, i32), Errno> {
    pipe_with(O_CLOEXEC | O_NONBLOCK)
}

fn pipe_with(flags: usize) -> Result<(i32, i32), Errno> {
    let mut fds = [0i32; 2];
    // SAFETY: fds is writable for two ints.
    check(unsafe { super::syscall::syscall2(nr::SYS_pipe2, fds.as_mut_ptr() as usize, flags) })?;
    Ok((fds[0], fds[1]))
}
