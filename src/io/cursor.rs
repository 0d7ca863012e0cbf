//! `Cursor`: std's `io::Cursor` (Go's `bytes.Reader` and `bytes.Buffer`):
//! a position over an in-memory buffer, which reads from `T: AsRef<[u8]>`
//! and writes into `&mut [u8]` (up to its end) or `Vec<u8>` (growing it,
//! zero-filling a gap when the position is past the end). Its `Seek` is in
//! traits.rs, with the trait.

use alloc::vec::Vec;

use super::error::Result;
use super::traits::{BufRead, Read, Write};

/// A buffer with a position (std's `Cursor`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Cursor<T> {
    inner: T,
    pos: u64,
}

impl<T> Cursor<T> {
    /// At position 0.
    pub const fn new(inner: T) -> Cursor<T> {
        Cursor { inner, pos: 0 }
    }

    pub fn into_inner(self) -> T {
        self.inner
    }

    pub const fn get_ref(&self) -> &T {
        &self.inner
    }

    pub fn get_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    pub const fn position(&self) -> u64 {
        self.pos
    }

    pub fn set_position(&mut self, pos: u64) {
        self.pos = pos;
    }
}

impl<T: AsRef<[u8]>> Cursor<T> {
    /// The bytes from the position on (empty past the end).
    fn remaining_slice(&self) -> &[u8] {
        let data = self.inner.as_ref();
        let start = self.pos.min(data.len() as u64) as usize;
        &data[start..]
    }
}

impl<T: AsRef<[u8]>> Read for Cursor<T> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        let n = Read::read(&mut self.remaining_slice(), buf)?;
        self.pos += n as u64;
        Ok(n)
    }

    /// As std's: a short read leaves the position at the end of the data
    /// (even if it was past it).
    fn read_exact(&mut self, buf: &mut [u8]) -> Result<()> {
        let r = Read::read_exact(&mut self.remaining_slice(), buf);
        match r {
            Ok(()) => self.pos += buf.len() as u64,
            Err(_) => self.pos = self.inner.as_ref().len() as u64,
        }
        r
    }
}

impl<T: AsRef<[u8]>> BufRead for Cursor<T> {
    fn fill_buf(&mut self) -> Result<&[u8]> {
        Ok(self.remaining_slice())
    }

    fn consume(&mut self, amt: usize) {
        self.pos += amt as u64;
    }
}

impl Write for Cursor<&mut [u8]> {
    fn write(&mut self, buf: &[u8]) -> Result<usize> {
        // As std's: a position past the end stays where it is.
        let start = self.pos.min(self.inner.len() as u64) as usize;
        let n = (&mut self.inner[start..]).write(buf)?;
        self.pos += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> Result<()> {
        Ok(())
    }
}

impl Write for Cursor<Vec<u8>> {
    fn write(&mut self, buf: &[u8]) -> Result<usize> {
        let pos = usize::try_from(self.pos).unwrap_or(usize::MAX);
        let v = &mut self.inner;
        if v.len() < pos {
            v.resize(pos, 0);
        }
        let overlap = (v.len() - pos).min(buf.len());
        v[pos..pos + overlap].copy_from_slice(&buf[..overlap]);
        v.extend_from_slice(&buf[overlap..]);
        self.pos += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<()> {
        Ok(())
    }
}
