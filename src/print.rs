//! Printing to fds 1 and 2: the macros `print!`, `println!`, `eprint!`,
//! `eprintln!` (Go's `fmt.Print*` to `os.Stdout`/`os.Stderr`), and
//! [`Writer`], the heap-free writer of the runtime's own messages (Go's
//! builtin `print`/`println`, print.go).
//!
//! **The macros: one call, one whole write.** A call formats its whole
//! text first, into a 512-byte buffer on the stack and, when the text
//! outgrows it, on into a heap buffer ([`Line`]; goroutine stacks are
//! 64 KiB: a 64 KiB stack buffer cannot be), then hands it to the
//! standard stream (`io::stdio::_print`, through `__private`, since the
//! streams are a service above this layer), which writes it whole under
//! the stream's lock: the lock `io::stdout().lock()` takes too, a
//! goroutine lock (a waiting writer parks), held for the whole write loop
//! as Go's `internal/poll.FD.Write` holds its write lock. Texts from
//! different goroutines never interleave, whatever their length and
//! whatever fds 1 and 2 are: one `write` of a long line to a pipe is not
//! enough, because the kernel lets other writers in whenever it must wait
//! for the reader to make room. There is no size limit: a text of any
//! length comes out whole, as in Go, held on the heap until it is written
//! (one the heap cannot hold ends the program with the out-of-memory
//! error, as it would in Go). Formatting runs before the lock is taken,
//! so a `Display` that prints, or panics, cannot deadlock it.
//!
//! A full pipe or terminal parks the writing goroutine on the netpoller.
//! A broken pipe (`EPIPE`) on fd 1 or 2 kills the program with SIGPIPE,
//! as Go's `epipecheck` does for `os.Stdout` and `os.Stderr`
//! ([`crate::sched::sigpipe`]); other write errors (fd closed, disk full)
//! are ignored, as a Go program ignores `fmt.Println`'s error. The
//! module note of `io/stdio.rs` has the rest.
//!
//! **[`Writer`]: the runtime's messages** (panic and fatal-error reports,
//! traces, the fault handler) must work with no heap and take no lock that
//! another thread may hold: it formats into a 512-byte stack buffer and
//! writes whenever it fills, so a message longer than that may be split
//! by another thread's output. Like Go's builtin `print` it ignores every
//! error, `EPIPE` too (a dying program still exits 2), and like the macros
//! it waits for a full non-blocking fd rather than drop the report.

use alloc::vec::Vec;
use core::fmt;
use core::mem::MaybeUninit;

use crate::sys::file::{STDERR, write_all};

const BUF_BYTES: usize = 512;

/// The runtime's heap-free writer to a file descriptor: buffers on the
/// stack, writes when full and on drop, ignores errors (see the module
/// note).
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

/// A writer into a caller's byte buffer that stops, silently, when the
/// buffer is full (what `runtime::stack` writes into).
pub(crate) struct SliceWriter<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> SliceWriter<'a> {
    pub(crate) fn new(buf: &'a mut [u8]) -> SliceWriter<'a> {
        SliceWriter { buf, len: 0 }
    }

    /// Bytes written so far.
    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

impl fmt::Write for SliceWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let n = s.len().min(self.buf.len() - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
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

/// Bytes a macro call formats on the stack before it moves to the heap.
const STACK_LINE: usize = 512;

/// One macro call's text: on the stack while it fits, then on the heap.
pub(crate) struct Line {
    len: usize,
    /// Only `stack[..len]` is initialised, and only while `heap` is empty.
    stack: [MaybeUninit<u8>; STACK_LINE],
    /// The whole text once it outgrew `stack` (never empty then).
    heap: Vec<u8>,
}

impl Line {
    pub(crate) fn new() -> Line {
        Line {
            len: 0,
            stack: [MaybeUninit::uninit(); STACK_LINE],
            heap: Vec::new(),
        }
    }

    fn push(&mut self, s: &[u8]) {
        if self.heap.is_empty() {
            if s.len() <= STACK_LINE - self.len {
                for (dst, &b) in self.stack[self.len..].iter_mut().zip(s) {
                    dst.write(b);
                }
                self.len += s.len();
                return;
            }
            // Outgrown: move to the heap, with room to grow by doubling.
            let mut heap = Vec::with_capacity((self.len + s.len()).max(2 * STACK_LINE));
            heap.extend_from_slice(self.on_stack());
            self.heap = heap;
        }
        self.heap.extend_from_slice(s);
    }

    fn on_stack(&self) -> &[u8] {
        // SAFETY: stack[..len] was written by push.
        unsafe { core::slice::from_raw_parts(self.stack.as_ptr() as *const u8, self.len) }
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        if self.heap.is_empty() {
            self.on_stack()
        } else {
            &self.heap
        }
    }
}

impl fmt::Write for Line {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push(s.as_bytes());
        Ok(())
    }
}

/// Formats to stderr with the runtime's heap-free [`Writer`] (the
/// runtime's diagnostics).
pub fn stderr_fmt(args: fmt::Arguments) {
    let mut w = Writer::stderr();
    let _ = fmt::write(&mut w, args);
}

/// Prints to standard output (Go's `fmt.Print` to `os.Stdout`, Rust's
/// `std::print!`): one whole write per call, never mixed with another
/// goroutine's.
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => { $crate::__private::_print(1, format_args!($($arg)*)) };
}

/// Prints to standard output, with a newline (Go's `fmt.Println`, Rust's
/// `std::println!`): one whole write per call.
#[macro_export]
macro_rules! println {
    () => { $crate::print!("\n") };
    ($($arg:tt)*) => { $crate::__private::_print(1, format_args!("{}\n", format_args!($($arg)*))) };
}

/// Prints to standard error (Go's `fmt.Fprint(os.Stderr, ..)`, Rust's
/// `std::eprint!`): one whole write per call.
#[macro_export]
macro_rules! eprint {
    ($($arg:tt)*) => { $crate::__private::_print(2, format_args!($($arg)*)) };
}

/// Prints to standard error, with a newline (Go's
/// `fmt.Fprintln(os.Stderr, ..)`, Rust's `std::eprintln!`).
#[macro_export]
macro_rules! eprintln {
    () => { $crate::eprint!("\n") };
    ($($arg:tt)*) => { $crate::__private::_print(2, format_args!("{}\n", format_args!($($arg)*))) };
}
