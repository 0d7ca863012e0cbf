//! `copy`, `empty`, `sink` and `repeat`: std's free functions of
//! `io::util` (Go's `io.Copy`, `io.Discard`).

use super::DEFAULT_BUF_SIZE;
use alloc::vec::Vec;

use super::error::{Error, ErrorKind, Result};
use super::traits::{BufRead, Read, Write};

/// Copies `reader` into `writer` until end of input; returns the bytes
/// copied (std's `io::copy`, Go's `io.Copy`). An 8 KiB buffer on the
/// stack, as std's; `Interrupted` reads are retried; a write error ends
/// the copy (what was read and not written is lost, as in std).
pub fn copy<R, W>(reader: &mut R, writer: &mut W) -> Result<u64>
where
    R: Read + ?Sized,
    W: Write + ?Sized,
{
    let mut buf = [0u8; DEFAULT_BUF_SIZE];
    let mut total = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        writer.write_all(&buf[..n])?;
        total += n as u64;
    }
}

/// A reader with nothing in it (std's `io::Empty`).
#[derive(Debug, Default, Clone, Copy)]
pub struct Empty;

/// An empty reader that also discards writes (std's `io::empty`).
pub const fn empty() -> Empty {
    Empty
}

impl Read for Empty {
    fn read(&mut self, _buf: &mut [u8]) -> Result<usize> {
        Ok(0)
    }
}

impl BufRead for Empty {
    fn fill_buf(&mut self) -> Result<&[u8]> {
        Ok(&[])
    }
    fn consume(&mut self, _amt: usize) {}
}

impl Write for Empty {
    fn write(&mut self, buf: &[u8]) -> Result<usize> {
        Ok(buf.len())
    }
    fn flush(&mut self) -> Result<()> {
        Ok(())
    }
}

/// A writer that discards everything (std's `io::Sink`, Go's `io.Discard`).
#[derive(Debug, Default, Clone, Copy)]
pub struct Sink;

/// std's `io::sink`.
pub const fn sink() -> Sink {
    Sink
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> Result<usize> {
        Ok(buf.len())
    }
    fn flush(&mut self) -> Result<()> {
        Ok(())
    }
}

/// A reader of one byte over and over (std's `io::Repeat`).
#[derive(Debug, Clone, Copy)]
pub struct Repeat {
    byte: u8,
}

/// std's `io::repeat`.
pub const fn repeat(byte: u8) -> Repeat {
    Repeat { byte }
}

impl Read for Repeat {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        buf.fill(self.byte);
        Ok(buf.len())
    }

    /// An endless reader has no end to read to: `OutOfMemory` at once, as
    /// std answers, instead of growing `buf` until the heap gives out.
    fn read_to_end(&mut self, _buf: &mut Vec<u8>) -> Result<usize> {
        Err(Error::from(ErrorKind::OutOfMemory))
    }

    /// As [`Repeat::read_to_end`].
    fn read_to_string(&mut self, _buf: &mut alloc::string::String) -> Result<usize> {
        Err(Error::from(ErrorKind::OutOfMemory))
    }
}
