//! Raw file descriptors and a few thread calls: the small part of Go's
//! `syscall` package (and of Rust's `std::os::fd` / `libc`) that rt0's
//! programs need until the runtime has real I/O.
//!
//! **Provisional.** Everything here is a thin, blocking wrapper around one
//! Linux system call, returning the kernel's error as an [`Errno`]. It
//! stays until the `io` and `fs` services land (read and write that park
//! the goroutine on the netpoller instead of blocking its thread); then it
//! shrinks to what those do not cover. What is stable meanwhile: the
//! names, the signatures and the errno values. [`read`] does not retry
//! on `EINTR` or `EAGAIN`: that is the caller's choice, as with Go's
//! `syscall.Read`; [`write_all`] and [`read_file`] retry `EINTR` (and
//! `write_all` waits out `EAGAIN`), as the runtime's own output does.
//!
//! A call that may block for long (a read from a pipe or a terminal) holds
//! the goroutine's P while it blocks; wrap it in
//! [`crate::runtime::blocking`] so other goroutines keep running.
//!
//! Not provisional: [`pipe`] (pipe.rs, Go's `os.Pipe`, std's `io::pipe`),
//! whose two ends park the goroutine on the netpoller.

use core::ffi::CStr;

mod pipe;

pub use pipe::{PipeReader, PipeWriter, pipe};
pub mod signal;

/// A Linux error number, as a system call returns it (Go's
/// `syscall.Errno`, Rust's `std::io::Error::raw_os_error`).
pub use crate::sys::Errno;

/// Reads up to `buf.len()` bytes from `fd`; `Ok(0)` at end of file (Go's
/// `syscall.Read`, `read(2)`).
pub fn read(fd: i32, buf: &mut [u8]) -> Result<usize, Errno> {
    crate::sys::file::read(fd, buf)
}

/// Writes all of `buf` to `fd`, looping on short writes (Go's
/// `os.File.Write`, Rust's `Write::write_all`).
pub fn write_all(fd: i32, buf: &[u8]) -> Result<(), Errno> {
    crate::sys::file::write_all(fd, buf)
}

/// Opens `path` read-only and close-on-exec (Go's `syscall.Open(path,
/// O_RDONLY|O_CLOEXEC, 0)`); returns the new fd.
pub fn open_readonly(path: &CStr) -> Result<i32, Errno> {
    crate::sys::file::open_readonly(path)
}

/// Closes `fd`, ignoring the error (Go's `syscall.Close`).
pub fn close(fd: i32) {
    crate::sys::file::close(fd)
}

/// Reads the file at `path` into `buf`, as much as fits, and returns the
/// bytes read (Go's `os.ReadFile` into a caller's buffer: meant for small
/// files such as `/proc/self/status`).
pub fn read_file(path: &CStr, buf: &mut [u8]) -> Result<usize, Errno> {
    crate::sys::file::read_small_file(path, buf)
}

/// Creates a blocking pipe as two raw descriptors, both close-on-exec;
/// returns (read end, write end) (Go's `syscall.Pipe2(p, O_CLOEXEC)`,
/// `pipe2(2)`). The caller owns them; [`pipe`] is the netpoller's kind.
pub fn pipe_raw() -> Result<(i32, i32), Errno> {
    crate::sys::file::pipe2()
}

/// The calling thread's id (Go's `syscall.Gettid`, `gettid(2)`): which OS
/// thread (M) runs the calling goroutine just now.
pub fn gettid() -> i32 {
    crate::sys::process::gettid()
}

/// Gives up the CPU to another OS thread, keeping the goroutine's P (Go's
/// runtime-internal `osyield`, `sched_yield(2)`). To let other
/// goroutines run, use [`crate::runtime::gosched`] instead.
pub fn sched_yield() {
    crate::sys::process::sched_yield()
}

/// Any system call by number, with up to six arguments, its result decoded
/// (Go's `syscall.Syscall6`; Rust's `libc::syscall`). For calls this
/// module has no wrapper for (`getdents64`, `readlinkat`, ...).
///
/// # Safety
/// The arguments must be what system call `nr` expects: pointers valid
/// for the lengths passed, buffers writable where the kernel writes. A
/// call that changes what the runtime relies on (the FS base, signal
/// handlers, the memory the runtime mapped, `exit` of one thread) breaks
/// the runtime.
pub unsafe fn syscall6(nr: usize, args: [usize; 6]) -> Result<usize, Errno> {
    let [a1, a2, a3, a4, a5, a6] = args;
    // SAFETY: the caller's contract is exactly syscall6's.
    crate::sys::syscall::check(unsafe { crate::sys::syscall::syscall6(nr, a1, a2, a3, a4, a5, a6) })
}
