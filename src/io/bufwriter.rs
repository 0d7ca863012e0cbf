//! `BufWriter`: std's `io::BufWriter` (Go's `bufio.Writer`): small writes
//! gather in a heap buffer and go out in one write when it is full, on
//! `flush`, or when the writer is dropped.
//!
//! As std's: a write that does not fit flushes the buffer first; a write
//! at least as large as the buffer then goes straight to the inner
//! writer; a short write of the buffer keeps the rest for the next try;
//! dropping flushes and ignores errors (call `flush` to see them);
//! `into_inner` flushes and hands back the writer, or the error together
//! with the `BufWriter` ([`IntoInnerError`]).

use alloc::vec::Vec;
use core::fmt;

use super::DEFAULT_BUF_SIZE;
use super::error::{Error, ErrorKind, Result};
use super::traits::Write;

/// A buffered writer (std's `BufWriter`).
pub struct BufWriter<W: Write> {
    buf: Vec<u8>,
    /// Set while a call into the inner writer runs (std's `panicked`): if
    /// that call panics and unwinds (host tests; the runtime aborts on
    /// panic), drop does not write to the writer again.
    panicked: bool,
    /// `None` only after `into_inner` took it.
    inner: Option<W>,
}

impl<W: Write> BufWriter<W> {
    /// With std's 8 KiB buffer.
    pub fn new(inner: W) -> BufWriter<W> {
        BufWriter::with_capacity(DEFAULT_BUF_SIZE, inner)
    }

    /// With a buffer of `capacity` bytes.
    pub fn with_capacity(capacity: usize, inner: W) -> BufWriter<W> {
        BufWriter {
            buf: Vec::with_capacity(capacity),
            panicked: false,
            inner: Some(inner),
        }
    }

    fn inner_mut(&mut self) -> &mut W {
        self.inner
            .as_mut()
            .expect("BufWriter used after into_inner")
    }

    /// Writes out the buffer, keeping what a failed write left.
    fn flush_buf(&mut self) -> Result<()> {
        let mut written = 0;
        let mut ret = Ok(());
        while written < self.buf.len() {
            self.panicked = true;
            let r = {
                let (inner, buf) = (self.inner.as_mut(), &self.buf[written..]);
                inner.expect("BufWriter used after into_inner").write(buf)
            };
            self.panicked = false;
            match r {
                Ok(0) => {
                    ret = Err(Error::from_static(
                        ErrorKind::WriteZero,
                        "failed to write the buffered data",
                    ));
                    break;
                }
                Ok(n) => written += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => {
                    ret = Err(e);
                    break;
                }
            }
        }
        self.buf.drain(..written);
        ret
    }

    pub fn get_ref(&self) -> &W {
        self.inner
            .as_ref()
            .expect("BufWriter used after into_inner")
    }

    /// The writer inside (writing to it directly skips the buffer).
    pub fn get_mut(&mut self) -> &mut W {
        self.inner_mut()
    }

    /// The bytes buffered and not yet written.
    pub fn buffer(&self) -> &[u8] {
        &self.buf
    }

    /// The buffer's size.
    pub fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// Flushes and returns the writer; on error, the error and this
    /// `BufWriter` with what it could not write.
    pub fn into_inner(mut self) -> core::result::Result<W, IntoInnerError<BufWriter<W>>> {
        match self.flush_buf() {
            Err(e) => Err(IntoInnerError(self, e)),
            Ok(()) => Ok(self.inner.take().expect("BufWriter used after into_inner")),
        }
    }
}

impl<W: Write> Write for BufWriter<W> {
    fn write(&mut self, buf: &[u8]) -> Result<usize> {
        if self.buf.len() + buf.len() > self.buf.capacity() {
            self.flush_buf()?;
        }
        if buf.len() >= self.buf.capacity() {
            self.panicked = true;
            let r = self.inner_mut().write(buf);
            self.panicked = false;
            r
        } else {
            self.buf.extend_from_slice(buf);
            Ok(buf.len())
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> Result<()> {
        if self.buf.len() + buf.len() > self.buf.capacity() {
            self.flush_buf()?;
        }
        if buf.len() >= self.buf.capacity() {
            self.panicked = true;
            let r = self.inner_mut().write_all(buf);
            self.panicked = false;
            r
        } else {
            self.buf.extend_from_slice(buf);
            Ok(())
        }
    }

    fn flush(&mut self) -> Result<()> {
        self.flush_buf()?;
        self.inner_mut().flush()
    }
}

impl<W: Write> Drop for BufWriter<W> {
    fn drop(&mut self) {
        if self.inner.is_some() && !self.panicked {
            let _ = self.flush_buf();
        }
    }
}

impl<W: Write + fmt::Debug> fmt::Debug for BufWriter<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BufWriter")
            .field("writer", &self.inner.as_ref())
            .field(
                "buffer",
                &format_args!("{}/{}", self.buf.len(), self.buf.capacity()),
            )
            .finish()
    }
}

/// `into_inner`'s error: the flush's error and the writer that failed
/// (std's `IntoInnerError`).
#[derive(Debug)]
pub struct IntoInnerError<W>(W, Error);

impl<W> IntoInnerError<W> {
    /// The error of the flush.
    pub fn error(&self) -> &Error {
        &self.1
    }

    /// The `BufWriter`, with what it could not write still buffered.
    pub fn into_inner(self) -> W {
        self.0
    }

    /// The error alone.
    pub fn into_error(self) -> Error {
        self.1
    }

    /// Both.
    pub fn into_parts(self) -> (Error, W) {
        (self.1, self.0)
    }
}

impl<W> fmt::Display for IntoInnerError<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.1, f)
    }
}

impl<W: fmt::Debug> core::error::Error for IntoInnerError<W> {}

impl<W> From<IntoInnerError<W>> for Error {
    fn from(e: IntoInnerError<W>) -> Error {
        e.1
    }
}
