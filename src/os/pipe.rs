//! [`pipe`]: an anonymous pipe whose two ends park the goroutine instead
//! of blocking its thread. Go's `os.Pipe` (os/pipe2_unix.go: `pipe2` with
//! `O_CLOEXEC`, then `newFile(.., kindPipe)`, which puts each end on the
//! netpoller); the names are Rust std's `io::pipe` (1.87):
//! [`PipeReader`], [`PipeWriter`].
//!
//! Both ends are created `O_CLOEXEC | O_NONBLOCK` by one `pipe2` and
//! registered with the netpoller at once, so a descriptor exists only
//! inside an `Fd`, which closes it on every error path and on drop.
//! Reading an empty pipe or writing a full one parks the goroutine until
//! the other side moves; end of input is `Ok(0)` once every writer is
//! dropped. Writing when every reader is gone is `ErrorKind::BrokenPipe`
//! (`EPIPE`), never a death: the kernel's SIGPIPE is caught and ignored
//! by the runtime, and only stdout and stderr die of it (Go's rule; see
//! `sched/sigpipe.rs`).
//!
//! Invariants: each end's fd is > 2 and close-on-exec (a program started
//! with 0, 1 or 2 closed does not get a pipe end there), is never closed
//! while an operation on it runs (the `Fd` reference count), and
//! `try_clone` gives a second, independent registration of a duplicate.

use core::fmt;

use crate::io::stdio::poll_error;
use crate::io::{self, Read, Write};
use crate::netpoll::Fd;
use crate::sys::file;
use crate::sys::runtimefd::above_stdio;
use crate::sys::stdio::dup_above_stdio;

/// The reading end of a [`pipe`] (std's `io::PipeReader`, the reader of
/// Go's `os.Pipe`).
pub struct PipeReader {
    fd: Fd,
}

/// The writing end of a [`pipe`] (std's `io::PipeWriter`, the writer of
/// Go's `os.Pipe`).
pub struct PipeWriter {
    fd: Fd,
}

/// Registers a new non-blocking, close-on-exec `raw` (closed on error).
fn register(raw: i32) -> io::Result<Fd> {
    let raw = above_stdio(raw)?;
    Fd::new(raw).map_err(poll_error)
}

/// Creates a pipe, both ends on the netpoller (Go's `os.Pipe`, std's
/// `io::pipe`).
pub fn pipe() -> io::Result<(PipeReader, PipeWriter)> {
    let (r, w) = file::pipe2_nonblock()?;
    let r = match register(r) {
        Ok(fd) => fd,
        Err(e) => {
            file::close(w);
            return Err(e);
        }
    };
    let w = register(w)?;
    Ok((PipeReader { fd: r }, PipeWriter { fd: w }))
}

impl PipeReader {
    /// The descriptor number (std's `AsRawFd::as_raw_fd`). It stays
    /// owned by the reader and is closed when the reader is dropped.
    pub fn as_raw_fd(&self) -> i32 {
        self.fd.raw()
    }

    /// A second reader of the same pipe (std's `try_clone`): a duplicate
    /// descriptor with its own registration.
    pub fn try_clone(&self) -> io::Result<PipeReader> {
        let raw = self.fd.with_ref(dup_above_stdio).map_err(poll_error)?;
        Ok(PipeReader {
            fd: Fd::new(raw).map_err(poll_error)?,
        })
    }
}

impl PipeWriter {
    /// The descriptor number (std's `AsRawFd::as_raw_fd`). It stays
    /// owned by the writer and is closed when the writer is dropped.
    pub fn as_raw_fd(&self) -> i32 {
        self.fd.raw()
    }

    /// A second writer of the same pipe (std's `try_clone`); the reader
    /// sees end of input only when every writer is dropped.
    pub fn try_clone(&self) -> io::Result<PipeWriter> {
        let raw = self.fd.with_ref(dup_above_stdio).map_err(poll_error)?;
        Ok(PipeWriter {
            fd: Fd::new(raw).map_err(poll_error)?,
        })
    }
}

/// One `read(2)`, parking while the pipe is empty; `Ok(0)` once every
/// writer is gone.
impl Read for PipeReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.fd.read(buf).map_err(poll_error)
    }
}

/// As `Read for PipeReader`.
impl Read for &PipeReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.fd.read(buf).map_err(poll_error)
    }
}

/// One `write(2)`, parking while the pipe is full; `BrokenPipe` once
/// every reader is gone. `flush` does nothing (no user-space buffer).
impl Write for PipeWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (&*self).write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// As `Write for PipeWriter`.
impl Write for &PipeWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.fd
            .write_with(|raw| file::write(raw, buf))
            .map_err(poll_error)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl fmt::Debug for PipeReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PipeReader")
            .field("fd", &self.fd.raw())
            .finish()
    }
}

impl fmt::Debug for PipeWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PipeWriter")
            .field("fd", &self.fd.raw())
            .finish()
    }
}
