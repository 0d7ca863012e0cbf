//! Printing to fds 1 and 2 with no heap: `print!`, `println!`, `eprint!`,
//! `eprintln!`. Go's `print`/`println` builtins (print.go), which the
//! runtime also uses for its own messages.
//!
//! Each call formats into a 512-byte buffer on the stack and writes it with
//! as few `write` calls as it fills (one, for a normal line), so lines from
//! different goroutines do not interleave mid-line. A write error (a closed
//! pipe, say) is ignored, as Go's print ignores it.

use core::fmt;
use core::mem::MaybeUninit;

use crate::sys::file::{STDERR, STDOUT, write_all};

const BUF_BYTES: usize = 512;

/// A buffered writer to a file descriptor; flushes when full and on drop.
pub struct Writer {
    fd: i32,
    len: usize,
    /// Only `buf[..len]` is initialised: no memset of 512 bytes per print.
    buf: [MaybeUninit<u8>; BUF_BYTES],
}

impl Writer {
    pub fn new(fd: i32) -> Writer {
        Writer {
            fd,
            len: 0,
            buf: [MaybeUninit::uninit(); BUF_BYTES],
        }
    }

    pub fn stdout() -> Writer {
        Writer::new(STDOUT)
    }

    pub fn stderr() -> Writer {
        Writer::new(STDERR)
    }

    pub fn flush(&mut self) {
        // SAFETY: buf[..len] was written by write_bytes.
        let bytes =
            unsafe { core::slice::from_raw_parts(self.buf.as_ptr() as *const u8, self.len) };
        let _ = write_all(self.fd, bytes);
        self.len = 0;
    }

    pub fn write_bytes(&mut self, mut s: &[u8]) {
        while !s.is_empty() {
            if self.len == BUF_BYTES {
                self.flush();
            }
            let n = s.len().min(BUF_BYTES - self.len);
            for (dst, &b) in self.buf[self.len..self.len + n].iter_mut().zip(&s[..n]) {
                dst.write(b);
            }
            self.len += n;
            s = &s[n..];
        }
    }
}

impl fmt::Write for Writer {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.write_bytes(s.as_bytes());
        Ok(())
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        if self.len > 0 {
            self.flush();
        }
    }
}

#[doc(hidden)]
pub fn _print(fd: i32, args: fmt::Arguments) {
    let mut w = Writer::new(fd);
    let _ = fmt::write(&mut w, args);
}

/// Formats to stderr (the runtime's diagnostics).
pub fn stderr_fmt(args: fmt::Arguments) {
    _print(STDERR, args);
}

/// Prints to standard output.
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => { $crate::print::_print(1, format_args!($($arg)*)) };
}

/// Prints to standard output, with a newline.
#[macro_export]
macro_rules! println {
    () => { $crate::print!("\n") };
    ($($arg:tt)*) => { $crate::print::_print(1, format_args!("{}\n", format_args!($($arg)*))) };
}

/// Prints to standard error.
#[macro_export]
macro_rules! eprint {
    ($($arg:tt)*) => { $crate::print::_print(2, format_args!($($arg)*)) };
}

/// Prints to standard error, with a newline.
#[macro_export]
macro_rules! eprintln {
    () => { $crate::eprint!("\n") };
    ($($arg:tt)*) => { $crate::print::_print(2, format_args!("{}\n", format_args!($($arg)*))) };
}
