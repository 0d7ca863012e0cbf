//! std's impls of the I/O traits for the standard types: `&[u8]` reads
//! (and is a `BufRead`), `Vec<u8>` and `&mut [u8]` write, and `&mut T` and
//! `Box<T>` pass every call through.

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::error::{Error, ErrorKind, Result};
use super::traits::{BufRead, NOT_UTF8, Read, Write};

impl Read for &[u8] {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        let n = buf.len().min(self.len());
        let (a, b) = self.split_at(n);
        buf[..n].copy_from_slice(a);
        *self = b;
        Ok(n)
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> Result<()> {
        if buf.len() > self.len() {
            // std empties the slice before it reports the short read.
            *self = &self[self.len()..];
            return Err(Error::from_static(
                ErrorKind::UnexpectedEof,
                "failed to fill whole buffer",
            ));
        }
        let (a, b) = self.split_at(buf.len());
        buf.copy_from_slice(a);
        *self = b;
        Ok(())
    }

    fn read_to_end(&mut self, buf: &mut Vec<u8>) -> Result<usize> {
        let n = self.len();
        buf.extend_from_slice(self);
        *self = &self[n..];
        Ok(n)
    }

    /// As std's: the whole slice is checked first, so bytes that are not
    /// UTF-8 leave both the slice and `buf` as they were.
    fn read_to_string(&mut self, buf: &mut alloc::string::String) -> Result<usize> {
        let s = core::str::from_utf8(self).map_err(|_| NOT_UTF8)?;
        buf.push_str(s);
        let n = self.len();
        *self = &self[n..];
        Ok(n)
    }
}

impl BufRead for &[u8] {
    fn fill_buf(&mut self) -> Result<&[u8]> {
        Ok(*self)
    }

    fn consume(&mut self, amt: usize) {
        *self = &self[amt.min(self.len())..];
    }
}

impl Write for Vec<u8> {
    fn write(&mut self, buf: &[u8]) -> Result<usize> {
        self.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> Result<()> {
        self.extend_from_slice(buf);
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        Ok(())
    }
}

impl Write for &mut [u8] {
    /// Fills the front of the slice and moves past it; 0 once it is full.
    fn write(&mut self, data: &[u8]) -> Result<usize> {
        let n = data.len().min(self.len());
        let (a, b) = core::mem::take(self).split_at_mut(n);
        a.copy_from_slice(&data[..n]);
        *self = b;
        Ok(n)
    }

    fn flush(&mut self) -> Result<()> {
        Ok(())
    }
}

/// The pass-through impls for a pointer type `$ptr` to an `$inner` (std
/// writes the same for `&mut T` and `Box<T>`).
macro_rules! forward {
    ($($ptr:ty => $inner:ident),*) => {$(
        impl<$inner: Read + ?Sized> Read for $ptr {
            fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
                (**self).read(buf)
            }
            fn read_exact(&mut self, buf: &mut [u8]) -> Result<()> {
                (**self).read_exact(buf)
            }
            fn read_to_end(&mut self, buf: &mut Vec<u8>) -> Result<usize> {
                (**self).read_to_end(buf)
            }
        }
    )*};
}

forward!(&mut R => R, Box<R> => R);

/// The same for writers and buffered readers.
macro_rules! forward_write {
    ($($ptr:ty => $inner:ident),*) => {$(
        impl<$inner: Write + ?Sized> Write for $ptr {
            fn write(&mut self, buf: &[u8]) -> Result<usize> {
                (**self).write(buf)
            }
            fn flush(&mut self) -> Result<()> {
                (**self).flush()
            }
            fn write_all(&mut self, buf: &[u8]) -> Result<()> {
                (**self).write_all(buf)
            }
        }
    )*};
}

forward_write!(&mut W => W, Box<W> => W);

macro_rules! forward_bufread {
    ($($ptr:ty => $inner:ident),*) => {$(
        impl<$inner: BufRead + ?Sized> BufRead for $ptr {
            fn fill_buf(&mut self) -> Result<&[u8]> {
                (**self).fill_buf()
            }
            fn consume(&mut self, amt: usize) {
                (**self).consume(amt)
            }
        }
    )*};
}

forward_bufread!(&mut B => B, Box<B> => B);
