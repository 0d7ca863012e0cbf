//! I/O traits and helpers shaped like `std::io`: [`Read`], [`Write`],
//! [`BufRead`], [`BufReader`], [`BufWriter`], [`copy`], [`Cursor`], and
//! [`Error`] with std's [`ErrorKind`]s and the raw errno. Go's
//! counterparts are packages `io` (`Reader`, `Writer`, `Copy`) and `bufio`.
//!
//! **Why rt0 defines these traits itself.** std's traits live in `std`,
//! which a freestanding program does not have (they are not in `core` or
//! `alloc`). The no_std crates that offer I/O traits (`embedded-io`,
//! `core2`, `no_std_io`) each differ from std in shape: an associated
//! error type instead of one `io::Error`, other method sets, other error
//! kinds. Code written against `std::io` would not port by renaming its
//! imports, which is the test this module is held to: for what it covers,
//! the names, signatures and semantics are std's (host tests in each file
//! run the same inputs through std and through rt0 and compare).
//!
//! What it covers: the traits with their provided methods (`read_exact`,
//! `read_to_end`, `read_to_string`, `write_all`, `write_fmt` so that
//! `write!` works, `read_line`, `read_until`, `lines`, `split`, `bytes`,
//! `take`, `chain`, `by_ref`); `BufReader`, `BufWriter` (with std's
//! `IntoInnerError`), `copy`, `Cursor` (with `Seek`), `empty`, `sink`,
//! `repeat`; the impls for `&[u8]`, `Vec<u8>`, `&mut [u8]`, `&mut T` and
//! `Box<T>`; `Seek` and `SeekFrom` (implemented by `fs::File`); the
//! standard streams [`stdin`], [`stdout`], [`stderr`] (stdio.rs: Go's
//! `os.Stdin`/`os.Stdout`/`os.Stderr` on the netpoller when they are
//! pipes or terminals). Not yet: vectored I/O, `LineWriter`.
//!
//! Invariant: nothing here but stdio.rs makes a system call; the errors
//! of the kernel arrive through `From<Errno>`
//! ([`Error::from_raw_os_error`]), without allocating.

mod bufreader;
mod bufwriter;
mod cursor;
mod error;
mod impls;
pub(crate) mod stdio;
mod traits;
mod util;

pub use bufreader::BufReader;
pub use bufwriter::{BufWriter, IntoInnerError};
pub use cursor::Cursor;
pub use error::{Error, ErrorKind, Result};
pub use stdio::{Stderr, StderrLock, Stdin, StdinLock, Stdout, StdoutLock, stderr, stdin, stdout};
pub use traits::{BufRead, Bytes, Chain, Lines, Read, Seek, SeekFrom, Split, Take, Write};
pub use util::{Empty, Repeat, Sink, copy, empty, repeat, sink};

/// std's default buffer size (`BufReader`, `BufWriter`, `copy`): 8 KiB.
pub(crate) const DEFAULT_BUF_SIZE: usize = 8 * 1024;

#[cfg(test)]
mod tests;
