//! File descriptors: `write` to fds 1 and 2, and the few reads the
//! runtime does at start-up (`/sys/kernel/mm/transparent_hugepage/...`).
//! Go's counterparts: `write1`, `open`, `read`, `closefd` in
//! `runtime/sys_linux_amd64.s`.

use super::syscall::{Errno, check, nr, syscall1, syscall3, syscall4};

pub const STDOUT: i32 = 1;
pub const STDERR: i32 = 2;

const AT_FDCWD: isize = -100;
const O_RDONLY: usize = 0;
const O_CLOEXEC: usize = 0o2000000;

/// Writes all of `buf` to `fd`, retrying on short writes and `EINTR`.
pub fn write_all(fd: i32, mut buf: &[u8]) -> Result<(), Errno> {
    while !buf.is_empty() {
        // SAFETY: buf is a valid readable slice for its length.
        let r = check(unsafe {
            syscall3(nr::SYS_write, fd as usize, buf.as_ptr() as usize, buf.len())
        });
        match r {
            Ok(n) => buf = &buf[n..],
            Err(Errno::EINTR) => continue,
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
    let mut fds = [0i32; 2];
    // SAFETY: fds is writable for two ints.
    check(unsafe {
        super::syscall::syscall2(nr::SYS_pipe2, fds.as_mut_ptr() as usize, O_CLOEXEC)
    })?;
    Ok((fds[0], fds[1]))
}
