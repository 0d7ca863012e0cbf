//! STAND-IN for `rt0::io` (the `io` helper's module replaces this file at
//! merge): the smallest part of `std::io` that `rt0::net` and its
//! examples use, with std's names, so net/ compiles and runs before the
//! real module lands. Go's counterpart: package `io` (`Reader`, `Writer`,
//! `Copy`) and `bufio.Reader`.
//!
//! Only what the real module promises is relied on: `Error::new(kind,
//! &'static str)`, `Error::from_raw_os_error`, `From<Errno>`, `kind()`,
//! `raw_os_error()`, `Display`; `Read`/`Write` with `read`, `write`,
//! `read_exact`, `write_all`, `flush`; `BufRead`/`BufReader`; `copy`.

use alloc::boxed::Box;
use alloc::vec;
use core::fmt;

use crate::sys::Errno;

/// std's `io::ErrorKind` (the subset rt0 produces).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    NotFound,
    PermissionDenied,
    ConnectionRefused,
    ConnectionReset,
    ConnectionAborted,
    NotConnected,
    AddrInUse,
    AddrNotAvailable,
    BrokenPipe,
    AlreadyExists,
    WouldBlock,
    InvalidInput,
    InvalidData,
    TimedOut,
    WriteZero,
    Interrupted,
    Unsupported,
    UnexpectedEof,
    OutOfMemory,
    Other,
}

impl ErrorKind {
    /// The kind of an errno, as std's `decode_error_kind` on Linux.
    fn from_errno(e: i32) -> ErrorKind {
        match e {
            1 | 13 => ErrorKind::PermissionDenied,
            2 => ErrorKind::NotFound,
            4 => ErrorKind::Interrupted,
            11 => ErrorKind::WouldBlock,
            12 => ErrorKind::OutOfMemory,
            17 => ErrorKind::AlreadyExists,
            22 => ErrorKind::InvalidInput,
            32 => ErrorKind::BrokenPipe,
            98 => ErrorKind::AddrInUse,
            99 => ErrorKind::AddrNotAvailable,
            103 => ErrorKind::ConnectionAborted,
            104 => ErrorKind::ConnectionReset,
            107 => ErrorKind::NotConnected,
            110 => ErrorKind::TimedOut,
            111 => ErrorKind::ConnectionRefused,
            _ => ErrorKind::Other,
        }
    }
}

/// std's `io::Error`: an errno or a kind with a static message.
#[derive(Debug)]
pub struct Error {
    repr: Repr,
}

#[derive(Debug)]
enum Repr {
    Os(i32),
    Simple(ErrorKind, &'static str),
}

/// std's `io::Result`.
pub type Result<T> = core::result::Result<T, Error>;

impl Error {
    /// std's `Error::new`, with a static message.
    pub const fn new(kind: ErrorKind, msg: &'static str) -> Error {
        Error {
            repr: Repr::Simple(kind, msg),
        }
    }

    /// std's `Error::from_raw_os_error`.
    pub const fn from_raw_os_error(code: i32) -> Error {
        Error {
            repr: Repr::Os(code),
        }
    }

    /// std's `Error::kind`.
    pub fn kind(&self) -> ErrorKind {
        match self.repr {
            Repr::Os(e) => ErrorKind::from_errno(e),
            Repr::Simple(k, _) => k,
        }
    }

    /// std's `Error::raw_os_error`.
    pub fn raw_os_error(&self) -> Option<i32> {
        match self.repr {
            Repr::Os(e) => Some(e),
            Repr::Simple(..) => None,
        }
    }
}

impl From<Errno> for Error {
    fn from(e: Errno) -> Error {
        Error::from_raw_os_error(e.0)
    }
}

impl From<ErrorKind> for Error {
    fn from(k: ErrorKind) -> Error {
        Error::new(k, "error")
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.repr {
            Repr::Os(e) => write!(f, "os error {e}"),
            Repr::Simple(_, m) => f.write_str(m),
        }
    }
}

impl core::error::Error for Error {}

/// std's `io::Read`.
pub trait Read {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize>;

    fn read_exact(&mut self, mut buf: &mut [u8]) -> Result<()> {
        while !buf.is_empty() {
            match self.read(buf) {
                Ok(0) => {
                    return Err(Error::new(
                        ErrorKind::UnexpectedEof,
                        "failed to fill whole buffer",
                    ));
                }
                Ok(n) => buf = &mut buf[n..],
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// std's `io::Write`.
pub trait Write {
    fn write(&mut self, buf: &[u8]) -> Result<usize>;

    fn flush(&mut self) -> Result<()>;

    fn write_all(&mut self, mut buf: &[u8]) -> Result<()> {
        while !buf.is_empty() {
            match self.write(buf) {
                Ok(0) => {
                    return Err(Error::new(
                        ErrorKind::WriteZero,
                        "failed to write whole buffer",
                    ));
                }
                Ok(n) => buf = &buf[n..],
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

impl<R: Read + ?Sized> Read for &mut R {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        (**self).read(buf)
    }
}

impl<W: Write + ?Sized> Write for &mut W {
    fn write(&mut self, buf: &[u8]) -> Result<usize> {
        (**self).write(buf)
    }
    fn flush(&mut self) -> Result<()> {
        (**self).flush()
    }
}

/// std's `io::BufRead`.
pub trait BufRead: Read {
    fn fill_buf(&mut self) -> Result<&[u8]>;
    fn consume(&mut self, amt: usize);
}

/// std's `io::BufReader`.
pub struct BufReader<R> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    filled: usize,
}

/// std's default buffer size.
const DEFAULT_BUF_SIZE: usize = 8 * 1024;

impl<R: Read> BufReader<R> {
    pub fn new(inner: R) -> BufReader<R> {
        BufReader::with_capacity(DEFAULT_BUF_SIZE, inner)
    }

    pub fn with_capacity(cap: usize, inner: R) -> BufReader<R> {
        BufReader {
            inner,
            buf: vec![0; cap].into_boxed_slice(),
            pos: 0,
            filled: 0,
        }
    }

    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    pub fn buffer(&self) -> &[u8] {
        &self.buf[self.pos..self.filled]
    }

    pub fn capacity(&self) -> usize {
        self.buf.len()
    }
}

impl<R: Read> Read for BufReader<R> {
    fn read(&mut self, out: &mut [u8]) -> Result<usize> {
        if self.pos == self.filled && out.len() >= self.buf.len() {
            return self.inner.read(out);
        }
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for BufReader<R> {
    fn fill_buf(&mut self) -> Result<&[u8]> {
        if self.pos >= self.filled {
            self.filled = self.inner.read(&mut self.buf)?;
            self.pos = 0;
        }
        Ok(&self.buf[self.pos..self.filled])
    }

    fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.filled);
    }
}

/// std's `io::copy`: reads until EOF, writing everything read.
pub fn copy<R: Read + ?Sized, W: Write + ?Sized>(r: &mut R, w: &mut W) -> Result<u64> {
    let mut buf = [0u8; DEFAULT_BUF_SIZE];
    let mut total = 0u64;
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        w.write_all(&buf[..n])?;
        total += n as u64;
    }
}
