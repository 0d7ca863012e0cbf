//! The traits `Read`, `Write` and `BufRead`, with std's provided methods
//! and std's adapters (`Bytes`, `Chain`, `Take`, `Lines`, `Split`). Go's
//! counterparts: `io.Reader`, `io.Writer`, `bufio.Reader`'s `ReadString`
//! and `ReadSlice`, `io.LimitReader`, `io.MultiReader`.
//!
//! The provided methods keep std's contracts exactly: `read_exact` fails
//! with `UnexpectedEof` when the input ends first (what was read is then
//! unspecified, as in std); `write_all` fails with `WriteZero` on a write
//! that accepts nothing; both, and every loop here, retry `Interrupted`;
//! `read_to_string` and `read_line` append nothing when the new bytes are
//! not UTF-8 and fail with `InvalidData`.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::error::{Error, ErrorKind, Result};
use crate::mem::memchr::memchr;

/// The error of `read_exact` when the input ends first.
const UNEXPECTED_EOF: Error =
    Error::from_static(ErrorKind::UnexpectedEof, "failed to fill whole buffer");
/// The error of `write_all` when a write accepts nothing.
const WRITE_ZERO: Error = Error::from_static(ErrorKind::WriteZero, "failed to write whole buffer");
/// The error of the string readers for bytes that are not UTF-8.
pub(crate) const NOT_UTF8: Error =
    Error::from_static(ErrorKind::InvalidData, "stream did not contain valid UTF-8");
/// What `read_to_end` asks for at least per read.
const PROBE_SIZE: usize = 32;

/// Runs `read` to append bytes, then keeps them in `buf` if they are
/// UTF-8, as std does: valid bytes stay even when `read` failed part way
/// (its error is returned); invalid ones are dropped, with `read`'s error
/// if it failed, else `InvalidData`.
fn append_to_string(
    buf: &mut String,
    read: impl FnOnce(&mut Vec<u8>) -> Result<usize>,
) -> Result<usize> {
    let mut bytes = Vec::new();
    let ret = read(&mut bytes);
    match core::str::from_utf8(&bytes) {
        Ok(s) => {
            buf.push_str(s);
            ret
        }
        Err(_) => ret.and(Err(NOT_UTF8)),
    }
}

/// A source of bytes (std's `io::Read`, Go's `io.Reader`).
pub trait Read {
    /// Reads some bytes into `buf`; `Ok(0)` at end of input (or for an
    /// empty `buf`).
    fn read(&mut self, buf: &mut [u8]) -> Result<usize>;

    /// Reads until `buf` is full; `UnexpectedEof` if the input ends first.
    fn read_exact(&mut self, mut buf: &mut [u8]) -> Result<()> {
        while !buf.is_empty() {
            match self.read(buf) {
                Ok(0) => return Err(UNEXPECTED_EOF),
                Ok(n) => buf = &mut buf[n..],
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Reads until end of input, appending to `buf`; returns how many
    /// bytes were appended.
    fn read_to_end(&mut self, buf: &mut Vec<u8>) -> Result<usize> {
        let start = buf.len();
        loop {
            if buf.capacity() - buf.len() < PROBE_SIZE {
                buf.reserve(PROBE_SIZE.max(buf.capacity()));
            }
            let len = buf.len();
            buf.resize(buf.capacity(), 0);
            let r = self.read(&mut buf[len..]);
            match r {
                Ok(0) => {
                    buf.truncate(len);
                    return Ok(len - start);
                }
                Ok(n) => buf.truncate(len + n),
                Err(e) if e.kind() == ErrorKind::Interrupted => buf.truncate(len),
                Err(e) => {
                    buf.truncate(len);
                    return Err(e);
                }
            }
        }
    }

    /// Reads until end of input, appending to `buf` if all of it is UTF-8.
    fn read_to_string(&mut self, buf: &mut String) -> Result<usize> {
        append_to_string(buf, |b| self.read_to_end(b))
    }

    /// Borrows this reader as a reader (std's `by_ref`).
    fn by_ref(&mut self) -> &mut Self
    where
        Self: Sized,
    {
        self
    }

    /// An iterator over the bytes (std's `bytes`: unbuffered, one `read`
    /// per byte, so wrap the reader in a `BufReader` first).
    fn bytes(self) -> Bytes<Self>
    where
        Self: Sized,
    {
        Bytes { inner: self }
    }

    /// This reader, then `next` (std's `chain`, Go's `io.MultiReader`).
    fn chain<R: Read>(self, next: R) -> Chain<Self, R>
    where
        Self: Sized,
    {
        Chain {
            first: self,
            second: next,
            done_first: false,
        }
    }

    /// At most `limit` bytes of this reader (std's `take`, Go's
    /// `io.LimitReader`).
    fn take(self, limit: u64) -> Take<Self>
    where
        Self: Sized,
    {
        Take { inner: self, limit }
    }
}

/// A sink of bytes (std's `io::Write`, Go's `io.Writer`).
pub trait Write {
    /// Writes some of `buf`; returns how much was taken.
    fn write(&mut self, buf: &[u8]) -> Result<usize>;

    /// Sends out whatever is buffered.
    fn flush(&mut self) -> Result<()>;

    /// Writes all of `buf`; `WriteZero` if a write takes nothing.
    fn write_all(&mut self, mut buf: &[u8]) -> Result<()> {
        while !buf.is_empty() {
            match self.write(buf) {
                Ok(0) => return Err(WRITE_ZERO),
                Ok(n) => buf = &buf[n..],
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Writes formatted text (what `write!` and `writeln!` call). The
    /// first I/O error is returned; a formatting error with none is
    /// `Other` ("formatter error"), as in std.
    fn write_fmt(&mut self, args: fmt::Arguments<'_>) -> Result<()> {
        struct Adapter<'a, T: ?Sized> {
            inner: &'a mut T,
            error: Result<()>,
        }
        impl<T: Write + ?Sized> fmt::Write for Adapter<'_, T> {
            fn write_str(&mut self, s: &str) -> fmt::Result {
                match self.inner.write_all(s.as_bytes()) {
                    Ok(()) => Ok(()),
                    Err(e) => {
                        self.error = Err(e);
                        Err(fmt::Error)
                    }
                }
            }
        }
        let mut out = Adapter {
            inner: self,
            error: Ok(()),
        };
        match fmt::write(&mut out, args) {
            Ok(()) => Ok(()),
            Err(_) => match out.error {
                Err(e) => Err(e),
                Ok(()) => Err(Error::from_static(ErrorKind::Other, "formatter error")),
            },
        }
    }

    /// Borrows this writer as a writer (std's `by_ref`).
    fn by_ref(&mut self) -> &mut Self
    where
        Self: Sized,
    {
        self
    }
}

/// A reader with a buffer inside (std's `io::BufRead`, Go's
/// `bufio.Reader`).
pub trait BufRead: Read {
    /// The buffered bytes, reading more if there are none; empty at end
    /// of input.
    fn fill_buf(&mut self) -> Result<&[u8]>;

    /// Marks `amt` buffered bytes as read.
    fn consume(&mut self, amt: usize);

    /// Reads up to and including `byte` (or to end of input), appending to
    /// `buf`; returns how many bytes were appended (Go's `ReadBytes`).
    fn read_until(&mut self, byte: u8, buf: &mut Vec<u8>) -> Result<usize> {
        let mut read = 0;
        loop {
            let (done, used) = {
                let available = match self.fill_buf() {
                    Ok(b) => b,
                    Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                };
                match memchr(byte, available) {
                    Some(i) => {
                        buf.extend_from_slice(&available[..=i]);
                        (true, i + 1)
                    }
                    None => {
                        buf.extend_from_slice(available);
                        (available.is_empty(), available.len())
                    }
                }
            };
            self.consume(used);
            read += used;
            if done {
                return Ok(read);
            }
        }
    }

    /// Reads a line (up to and including `\n`, or to end of input),
    /// appending it to `buf` if it is UTF-8 (Go's `ReadString('\n')`).
    fn read_line(&mut self, buf: &mut String) -> Result<usize> {
        append_to_string(buf, |b| self.read_until(b'\n', b))
    }

    /// The pieces between `byte`s, without the separator (std's `split`).
    fn split(self, byte: u8) -> Split<Self>
    where
        Self: Sized,
    {
        Split { inner: self, byte }
    }

    /// The lines, without `\n` or `\r\n` (std's `lines`, Go's
    /// `bufio.Scanner`).
    fn lines(self) -> Lines<Self>
    where
        Self: Sized,
    {
        Lines { inner: self }
    }
}

/// std's `io::Bytes`: see [`Read::bytes`].
#[derive(Debug)]
pub struct Bytes<R> {
    inner: R,
}

impl<R: Read> Iterator for Bytes<R> {
    type Item = Result<u8>;

    fn next(&mut self) -> Option<Result<u8>> {
        let mut b = 0u8;
        loop {
            return match self.inner.read(core::slice::from_mut(&mut b)) {
                Ok(0) => None,
                Ok(_) => Some(Ok(b)),
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => Some(Err(e)),
            };
        }
    }
}

/// std's `io::Chain`: see [`Read::chain`].
#[derive(Debug)]
pub struct Chain<T, U> {
    first: T,
    second: U,
    done_first: bool,
}

impl<T, U> Chain<T, U> {
    /// The two readers.
    pub fn into_inner(self) -> (T, U) {
        (self.first, self.second)
    }
}

impl<T: Read, U: Read> Read for Chain<T, U> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        if !self.done_first {
            match self.first.read(buf)? {
                0 if !buf.is_empty() => self.done_first = true,
                n => return Ok(n),
            }
        }
        self.second.read(buf)
    }
}

/// std's `io::Take`: see [`Read::take`].
#[derive(Debug)]
pub struct Take<T> {
    inner: T,
    limit: u64,
}

impl<T> Take<T> {
    /// Bytes left before this reader ends.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Sets the bytes left.
    pub fn set_limit(&mut self, limit: u64) {
        self.limit = limit;
    }

    /// The reader inside.
    pub fn into_inner(self) -> T {
        self.inner
    }

    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    pub fn get_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

impl<T: Read> Read for Take<T> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        if self.limit == 0 {
            return Ok(0);
        }
        let max = (buf.len() as u64).min(self.limit) as usize;
        let n = self.inner.read(&mut buf[..max])?;
        assert!(n as u64 <= self.limit, "number of read bytes exceeds limit");
        self.limit -= n as u64;
        Ok(n)
    }
}

impl<T: BufRead> BufRead for Take<T> {
    fn fill_buf(&mut self) -> Result<&[u8]> {
        if self.limit == 0 {
            return Ok(&[]);
        }
        let buf = self.inner.fill_buf()?;
        let cap = (buf.len() as u64).min(self.limit) as usize;
        Ok(&buf[..cap])
    }

    fn consume(&mut self, amt: usize) {
        let amt = (amt as u64).min(self.limit) as usize;
        self.limit -= amt as u64;
        self.inner.consume(amt);
    }
}

/// std's `io::Split`: see [`BufRead::split`].
#[derive(Debug)]
pub struct Split<B> {
    inner: B,
    byte: u8,
}

impl<B: BufRead> Iterator for Split<B> {
    type Item = Result<Vec<u8>>;

    fn next(&mut self) -> Option<Result<Vec<u8>>> {
        let mut buf = Vec::new();
        match self.inner.read_until(self.byte, &mut buf) {
            Ok(0) => None,
            Ok(_) => {
                if buf.last() == Some(&self.byte) {
                    buf.pop();
                }
                Some(Ok(buf))
            }
            Err(e) => Some(Err(e)),
        }
    }
}

/// std's `io::Lines`: see [`BufRead::lines`].
#[derive(Debug)]
pub struct Lines<B> {
    inner: B,
}

impl<B: BufRead> Iterator for Lines<B> {
    type Item = Result<String>;

    fn next(&mut self) -> Option<Result<String>> {
        let mut buf = String::new();
        match self.inner.read_line(&mut buf) {
            Ok(0) => None,
            Ok(_) => {
                if buf.ends_with('\n') {
                    buf.pop();
                    if buf.ends_with('\r') {
                        buf.pop();
                    }
                }
                Some(Ok(buf))
            }
            Err(e) => Some(Err(e)),
        }
    }
}

/// Where [`Seek::seek`] moves to (std's `io::SeekFrom`, Go's `whence`
/// values `io.SeekStart`, `io.SeekCurrent`, `io.SeekEnd`).
#[derive(Copy, PartialEq, Eq, Clone, Debug)]
pub enum SeekFrom {
    /// This many bytes from the start.
    Start(u64),
    /// This many bytes from the end (negative: before it).
    End(i64),
    /// This many bytes from the current position.
    Current(i64),
}

/// A stream with a position that can be moved (std's `io::Seek`, Go's
/// `io.Seeker`).
pub trait Seek {
    /// Moves the position; returns the new one, from the start. Seeking
    /// before the start is an error; past the end is allowed.
    fn seek(&mut self, pos: SeekFrom) -> Result<u64>;

    /// Back to the start (std's `rewind`).
    fn rewind(&mut self) -> Result<()> {
        self.seek(SeekFrom::Start(0)).map(drop)
    }

    /// The position, from the start (std's `stream_position`).
    fn stream_position(&mut self) -> Result<u64> {
        self.seek(SeekFrom::Current(0))
    }
}

impl<S: Seek + ?Sized> Seek for &mut S {
    fn seek(&mut self, pos: SeekFrom) -> Result<u64> {
        (**self).seek(pos)
    }
}

impl<S: Seek + ?Sized> Seek for alloc::boxed::Box<S> {
    fn seek(&mut self, pos: SeekFrom) -> Result<u64> {
        (**self).seek(pos)
    }
}

/// std's error for a seek before the start or past `u64::MAX`.
const BAD_SEEK: Error = Error::from_static(
    ErrorKind::InvalidInput,
    "invalid seek to a negative or overflowing position",
);

impl<T: AsRef<[u8]>> Seek for super::cursor::Cursor<T> {
    /// std's `Cursor` seek: any position at or after the start, past the
    /// end included; before the start is `InvalidInput`.
    fn seek(&mut self, pos: SeekFrom) -> Result<u64> {
        let (base, offset) = match pos {
            SeekFrom::Start(n) => {
                self.set_position(n);
                return Ok(n);
            }
            SeekFrom::End(n) => (self.get_ref().as_ref().len() as u64, n),
            SeekFrom::Current(n) => (self.position(), n),
        };
        match base.checked_add_signed(offset) {
            Some(n) => {
                self.set_position(n);
                Ok(n)
            }
            None => Err(BAD_SEEK),
        }
    }
}

#[cfg(test)]
mod seek_tests {
    use super::*;
    use crate::io::Cursor;
    use alloc::format;
    use alloc::string::ToString;

    /// The same seeks on std's `Cursor` and on ours, then a read.
    #[test]
    fn cursor_seeks_as_std() {
        use std::io::{Read as _, Seek as _};
        let data = b"0123456789";
        let moves = [
            (SeekFrom::Start(3), std::io::SeekFrom::Start(3)),
            (SeekFrom::Current(2), std::io::SeekFrom::Current(2)),
            (SeekFrom::End(-4), std::io::SeekFrom::End(-4)),
            (SeekFrom::End(5), std::io::SeekFrom::End(5)),
            (SeekFrom::Current(-100), std::io::SeekFrom::Current(-100)),
            (SeekFrom::End(-11), std::io::SeekFrom::End(-11)),
            (
                SeekFrom::Current(i64::MAX),
                std::io::SeekFrom::Current(i64::MAX),
            ),
            (SeekFrom::Start(1), std::io::SeekFrom::Start(1)),
        ];
        let mut ours = Cursor::new(&data[..]);
        let mut theirs = std::io::Cursor::new(&data[..]);
        for (o, t) in moves {
            let (ro, rt) = (ours.seek(o), theirs.seek(t));
            match (&ro, &rt) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{o:?}"),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{o:?}"),
                _ => panic!("{o:?}: {ro:?} vs {rt:?}"),
            }
            let (mut a, mut b) = ([0u8; 2], [0u8; 2]);
            let na = ours.by_ref().take(2).read(&mut a).unwrap();
            let nb = theirs.by_ref().take(2).read(&mut b).unwrap();
            assert_eq!((na, a), (nb, b), "read after {o:?}");
            assert_eq!(
                ours.stream_position().unwrap(),
                theirs.stream_position().unwrap()
            );
        }
        assert_eq!(format!("{:?}", SeekFrom::End(-1)), "End(-1)");
    }
}
