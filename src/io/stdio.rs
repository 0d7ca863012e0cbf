//! The standard streams: [`stdin`], [`stdout`], [`stderr`], shaped like
//! std's (`Stdin`/`StdinLock` with `Read` and `BufRead`, `Stdout`/
//! `Stderr` and their locks with `Write`), and the write path of the
//! print macros. Go's counterparts: `os.Stdin`, `os.Stdout`, `os.Stderr`
//! (os/file.go, `newFile` in file_unix.go) over `internal/poll.FD`, and
//! `bufio.Reader` for the buffered stdin.
//!
//! **How each stream waits** is chosen at its first use (a program that
//! never reads stdin pays nothing), from what the descriptor is
//! ([`crate::sys::stdio::classify`]):
//! - stdin on a pipe, a FIFO or a terminal can keep a reader waiting for
//!   long: the stream gets a non-blocking descriptor of its own (a private
//!   reopening of `/proc/self/fd/0`, see `sys/stdio.rs`), registered with
//!   the netpoller at the first read that must wait ([`Pollable`]), and
//!   the goroutine parks there, so a slow stdin stalls nobody else; where
//!   there can be no reopening (a socket), plain reads in the bracket;
//! - **Output** (stdout, stderr) on a pipe, a socket or a terminal is
//!   written to fd 1 or 2 itself, as Go's `os.Stdout` and std's do, so a
//!   program that `dup2`s a log file onto fd 1 sees its output go there.
//!   The fd is blocking (rt0 never changes its shared flags), so a write
//!   that may wait runs in the system-call bracket; one of at most
//!   `PIPE_BUF` bytes that `poll` (zero timeout) finds room for does not
//!   block (on a pipe by the kernel's rule: a free page takes it; on a
//!   socket or a terminal, `POLLOUT` means far more room than that), and
//!   skips the bracket's hand-off (a `poll` costs less than
//!   the hand-off; a line to a pipe read by a live reader takes this way);
//! - a regular file, a directory, `/dev/null`, `/dev/full` (epoll refuses
//!   them with `EPERM`, and they never wait long) are read and written
//!   with plain system calls inside the runtime's system-call bracket
//!   (`entersyscall`/`exitsyscall`), as the fs service does, except
//!   short writes (below);
//! - a descriptor that is not open (a program started with `<&-` or
//!   `>&-`) gives `EBADF` on every operation, never a crash.
//!
//! **Plain writes below 64 KiB skip the bracket.** rt0's bracket was
//! Go's `entersyscallblock` until issue 11, which hands the P to another
//! M at once: for
//! a line written to a file or `/dev/null` (a copy into the page cache,
//! a microsecond) that costs thread wake-ups, and made 200,000
//! `println!`s to a file at GOMAXPROCS=1 3x slower (0.16 s -> 0.50 s).
//! Go enters its cheap `entersyscall` (the P stays, sysmon takes it after
//! 20 us), which rt0 now has too and uses for reads and long writes;
//! short writes still run as plain calls holding the P (not re-measured
//! with the cheap bracket).
//!
//! **No buffering on output (Go's choice).** Every `write` is one
//! `write(2)`; `println!` formats its whole text first and writes it in
//! one locked loop ([`_print`]), so nothing is ever waiting to be flushed
//! at `main`'s return, at `process::exit` or when the runtime dies, and a
//! line is never split between goroutines. `Stdout::lock` holds the same
//! lock the macros take across several writes (a goroutine lock: a writer
//! that waits parks; reentrant, as std's, so a goroutine holding it may
//! still call `println!`). stdin has a 64 KiB buffer (one pipe's worth),
//! shared by every `Stdin` handle under one goroutine lock, as std's.
//!
//! **The dying path never takes these locks.** A panic or fatal report
//! (`debug/dying.rs`) writes to fd 2 itself, with the heap-free
//! `print::Writer`: a goroutine that crashed holding `Stdout::lock` (or
//! parked forever holding it) cannot keep the report from coming out; the
//! price is that a report may follow half a line of the program's output.
//! The same holds for code on a g0 stack (no goroutine to park): the
//! macros there skip the lock and write to fd 1 or 2 directly.
//!
//! **Broken pipes** are Go's: `EPIPE` on stdout or stderr kills the
//! process by SIGPIPE (Go's `epipecheck`, [`crate::sched::sigpipe`]),
//! whether the write came from `println!` or from `Stdout`'s `Write`; on
//! any other descriptor (`os::pipe`, sockets) it is `ErrorKind::BrokenPipe`.
//! Other errors (`EBADF`, `ENOSPC` from `/dev/full`) are returned by the
//! `Write` impls and ignored by the macros, as `fmt.Println`'s are.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;
use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering::Relaxed};

use super::{BufRead, Error, ErrorKind, Lines, Read, Result, Write};
use crate::netpoll::{Fd, PollError};
use crate::print::Line;
use crate::sched::sched::getg;
use crate::sched::syscall::{entersyscall, exitsyscall};
use crate::sync::{Mutex, MutexGuard, RawMutex};
use crate::sys::Errno;
use crate::sys::file::{self, STDERR, STDOUT};
use crate::sys::file::{POLLIN, POLLOUT, ready_now, wait_fd};
use crate::sys::stdio::{self as sys, StdKind};

/// The standard input's descriptor.
const STDIN: i32 = 0;
/// stdin's buffer: one pipe's capacity, so one read empties a full pipe.
const STDIN_BUF_SIZE: usize = 64 * 1024;

/// A netpoller failure as an `io::Error`. Standard streams and pipes are
/// never closed under a running operation (they are closed only by drop),
/// so `Closed` means "already closed": `EBADF`.
pub(crate) fn poll_error(e: PollError) -> Error {
    match e {
        PollError::Os(errno) => Error::from(errno),
        PollError::Closed => Error::from(Errno::EBADF),
        PollError::TimedOut => Error::from(ErrorKind::TimedOut),
    }
}

/// Whether the caller runs on a user goroutine (so it may park, and may
/// enter the system-call bracket): not on a g0 or before the scheduler.
fn on_user_goroutine() -> bool {
    let gp = getg();
    // SAFETY: a non-null g from fs:-8 is a live G (never freed), whose m
    // is null or a live M (never freed).
    unsafe { gp.as_ref().and_then(|g| g.m.as_ref()) }.is_some_and(|m| m.curg == gp)
}

/// Writes to a plain descriptor shorter than this skip the system-call
/// bracket (module note, "Plain writes"): 64 KiB.
const PLAIN_WRITE_BRACKET_MIN: usize = 64 * 1024;
/// The kernel's `PIPE_BUF`: a write of at most this much to a pipe that
/// `poll` reports writable finds room at once (module note, "Output").
const PIPE_BUF: usize = 4096;

/// Runs one plain (blocking) system call, inside the system-call bracket
/// when `bracket` (and the caller is a goroutine), so the goroutine's P
/// runs other goroutines meanwhile (Go's `entersyscall`). Retries
/// `EINTR`; a description someone else made non-blocking that answers
/// `EAGAIN` is waited for with `poll`.
fn plain<T>(
    fd: i32,
    events: i16,
    bracket: bool,
    mut op: impl FnMut() -> core::result::Result<T, Errno>,
) -> Result<T> {
    let bracket = bracket && on_user_goroutine();
    if bracket {
        entersyscall();
    }
    let r = loop {
        match op() {
            Err(Errno::EINTR) => continue,
            Err(Errno::EAGAIN) => {
                if let Err(e) = wait_fd(fd, events) {
                    break Err(e);
                }
            }
            r => break r,
        }
    };
    if bracket {
        exitsyscall();
    }
    r.map_err(Error::from)
}

/// How a stream reaches its descriptor (module note).
enum Backend {
    /// fd 0, 1 or 2 was not open at first use (the errno, `EBADF`).
    Closed(Errno),
    /// Plain system calls on the standard fd itself.
    Plain(i32),
    /// The stream's own non-blocking descriptor, put on the netpoller
    /// when it first has to wait (stdin).
    Poll(Pollable),
    /// stdout or stderr on a pipe, a socket or a terminal: writes to the
    /// standard fd itself (module note, "Output").
    Out(i32),
}

/// A standard stream's own non-blocking descriptor. Calls go straight to
/// the kernel until one answers `EAGAIN`; only then is the descriptor
/// registered with the netpoller (which creates the poller, its eventfd
/// and sysmon on first use), and from then on every call goes through
/// the [`Fd`]. So `hello | cat` costs no poller: a write that finds room
/// never waits. Registering after the `EAGAIN` loses no wake-up: epoll
/// reports a descriptor that is ready when it is added.
struct Pollable {
    /// The non-blocking descriptor, until the `Fd` owns it.
    raw: i32,
    /// The standard fd (0, 1 or 2), for plain calls if registering fails.
    std_fd: i32,
    /// Set at the first `EAGAIN`: the registered descriptor, or `None`
    /// when it could not be registered (`raw` is closed then).
    poll: spin::Once<Option<Fd>>,
    /// A terminal: every read tries the syscall first (`Fd::read`'s
    /// short-read mark would wait for an event that the lines already
    /// queued never raise).
    terminal: bool,
}

impl Pollable {
    /// The registration, made at the first call that must wait.
    fn registered(&self) -> &Option<Fd> {
        self.poll.call_once(|| Fd::new(self.raw).ok())
    }

    fn read(&self, buf: &mut [u8]) -> Result<usize> {
        if self.poll.get().is_none() {
            loop {
                match file::read(self.raw, buf) {
                    Err(Errno::EINTR) => continue,
                    Err(Errno::EAGAIN) => break,
                    r => return r.map_err(Error::from),
                }
            }
        }
        match self.registered() {
            Some(fd) if self.terminal => {
                fd.read_with(|raw| file::read(raw, buf)).map_err(poll_error)
            }
            Some(fd) => fd.read(buf).map_err(poll_error),
            None => plain(self.std_fd, POLLIN, true, || file::read(self.std_fd, buf)),
        }
    }
}

/// One standard descriptor, its [`Backend`] chosen at first use.
struct Stream {
    fd: i32,
    backend: spin::Once<Backend>,
}

impl Stream {
    const fn new(fd: i32) -> Stream {
        Stream {
            fd,
            backend: spin::Once::new(),
        }
    }

    fn backend(&self) -> &Backend {
        self.backend.call_once(|| {
            match sys::classify(self.fd) {
                Err(e) => Backend::Closed(e),
                Ok(StdKind::Plain) => Backend::Plain(self.fd),
                Ok(StdKind::Pollable | StdKind::Terminal) if self.fd != STDIN => {
                    Backend::Out(self.fd)
                }
                // Without a descriptor of its own the stream still works,
                // with plain calls.
                Ok(kind @ (StdKind::Pollable | StdKind::Terminal)) => {
                    match sys::pollable_fd(self.fd, false) {
                        Ok(raw) => Backend::Poll(Pollable {
                            raw,
                            std_fd: self.fd,
                            poll: spin::Once::new(),
                            terminal: kind == StdKind::Terminal,
                        }),
                        Err(_) => Backend::Plain(self.fd),
                    }
                }
            }
        })
    }

    /// One `read(2)`, parking (or in the bracket) while there is nothing.
    fn read(&self, buf: &mut [u8]) -> Result<usize> {
        match self.backend() {
            Backend::Closed(e) => Err(Error::from(*e)),
            Backend::Plain(fd) => plain(*fd, POLLIN, true, || file::read(*fd, buf)),
            Backend::Poll(p) => p.read(buf),
            Backend::Out(fd) => plain(*fd, POLLIN, true, || file::read(*fd, buf)),
        }
    }

    /// One `write(2)`: how much the kernel took. `EPIPE` dies by SIGPIPE
    /// (module note).
    fn write(&self, buf: &[u8]) -> Result<usize> {
        let r = match self.backend() {
            Backend::Closed(e) => Err(Error::from(*e)),
            Backend::Plain(fd) => {
                let bracket = buf.len() >= PLAIN_WRITE_BRACKET_MIN;
                plain(*fd, POLLOUT, bracket, || file::write(*fd, buf))
            }
            // A reader of stdin never gets here; a write on stdin's
            // stream is as a write to fd 0 would be.
            Backend::Poll(_) => plain(self.fd, POLLOUT, true, || file::write(self.fd, buf)),
            Backend::Out(fd) => {
                // Room for it now: the write cannot block, so no hand-off.
                let quick = buf.len() <= PIPE_BUF && ready_now(*fd, POLLOUT);
                plain(*fd, POLLOUT, !quick, || file::write(*fd, buf))
            }
        };
        if let Err(e) = &r
            && e.raw_os_error() == Some(Errno::EPIPE.0)
        {
            crate::sched::sigpipe::sigpipe();
        }
        r
    }

    /// Writes all of `buf` (the caller holds the stream's lock).
    fn write_all(&self, mut buf: &[u8]) -> Result<()> {
        while !buf.is_empty() {
            match self.write(buf) {
                Ok(0) => return Err(Error::from(ErrorKind::WriteZero)),
                Ok(n) => buf = &buf[n..],
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// A reentrant goroutine lock: the stream lock of stdout and stderr. The
/// goroutine holding it may take it again (a `println!` inside a
/// `Stdout::lock`, as std allows); others park on the inner [`RawMutex`].
struct ReentrantLock {
    raw: RawMutex,
    /// The holding goroutine's G address, 0 when free.
    owner: AtomicUsize,
    /// How many times the owner holds it; touched by the owner only.
    depth: AtomicU32,
}

impl ReentrantLock {
    const fn new() -> ReentrantLock {
        ReentrantLock {
            raw: RawMutex::new(),
            owner: AtomicUsize::new(0),
            depth: AtomicU32::new(0),
        }
    }

    /// Takes the lock; `false` (nothing taken) off a user goroutine, where
    /// parking is impossible (module note).
    fn lock(&self) -> bool {
        if !on_user_goroutine() {
            return false;
        }
        let me = getg() as usize;
        // Only this goroutine ever stores its own address here, so an
        // equal value means it holds the lock now.
        if self.owner.load(Relaxed) == me {
            self.depth.fetch_add(1, Relaxed);
            return true;
        }
        self.raw.lock();
        self.owner.store(me, Relaxed);
        self.depth.store(1, Relaxed);
        true
    }

    /// Releases one hold taken by [`ReentrantLock::lock`] (`true` ones).
    fn unlock(&self) {
        if self.depth.fetch_sub(1, Relaxed) == 1 {
            self.owner.store(0, Relaxed);
            self.raw.unlock();
        }
    }
}

/// stdout or stderr: the stream and the lock the macros share with it.
struct Output {
    stream: Stream,
    lock: ReentrantLock,
}

static STDOUT_OUT: Output = Output {
    stream: Stream::new(STDOUT),
    lock: ReentrantLock::new(),
};
static STDERR_OUT: Output = Output {
    stream: Stream::new(STDERR),
    lock: ReentrantLock::new(),
};

/// A hold on an [`Output`]'s lock, released on drop.
struct OutputGuard {
    out: &'static Output,
    held: bool,
}

impl OutputGuard {
    fn new(out: &'static Output) -> OutputGuard {
        OutputGuard {
            out,
            held: out.lock.lock(),
        }
    }

    /// The descriptor to write while the lock could not be taken (off a
    /// goroutine): the standard fd itself, with the runtime's own loop.
    fn write_unlocked(&self, buf: &[u8]) -> Result<usize> {
        file::write_all(self.out.stream.fd, buf)
            .map(|()| buf.len())
            .map_err(Error::from)
    }

    fn write(&self, buf: &[u8]) -> Result<usize> {
        if self.held {
            self.out.stream.write(buf)
        } else {
            self.write_unlocked(buf)
        }
    }

    fn write_all(&self, buf: &[u8]) -> Result<()> {
        if self.held {
            self.out.stream.write_all(buf)
        } else {
            self.write_unlocked(buf).map(|_| ())
        }
    }
}

impl Drop for OutputGuard {
    fn drop(&mut self) {
        if self.held {
            self.out.lock.unlock();
        }
    }
}

/// What the print macros call (through `__private`): formats `args`
/// whole, then writes it under the stream's lock in one loop; errors are
/// ignored, a broken pipe kills by SIGPIPE (module note).
#[doc(hidden)]
pub fn _print(fd: i32, args: fmt::Arguments) {
    let out = if fd == STDERR {
        &STDERR_OUT
    } else {
        &STDOUT_OUT
    };
    let write = |text: &[u8]| {
        if !text.is_empty() {
            let _ = OutputGuard::new(out).write_all(text);
        }
    };
    if let Some(s) = args.as_str() {
        // A literal needs no formatting and no copy.
        write(s.as_bytes());
        return;
    }
    let mut line = Line::new();
    // A Display impl that fails leaves what it wrote so far: print that.
    let _ = fmt::write(&mut line, args);
    write(line.bytes());
}

/// A handle to the standard output (std's `io::Stdout`, Go's
/// `os.Stdout`). Unbuffered: each `write` is one `write(2)`.
#[derive(Debug)]
pub struct Stdout {
    _priv: (),
}

/// The standard output, locked (std's `StdoutLock`): no `println!` or
/// other writer's bytes come between the writes made through it.
pub struct StdoutLock<'a> {
    guard: OutputGuard,
    _life: core::marker::PhantomData<&'a Stdout>,
}

/// A handle to the standard error (std's `io::Stderr`, Go's
/// `os.Stderr`). Unbuffered, as std's.
#[derive(Debug)]
pub struct Stderr {
    _priv: (),
}

/// The standard error, locked (std's `StderrLock`).
pub struct StderrLock<'a> {
    guard: OutputGuard,
    _life: core::marker::PhantomData<&'a Stderr>,
}

/// The standard output of the process (std's `io::stdout`).
pub fn stdout() -> Stdout {
    Stdout { _priv: () }
}

/// The standard error of the process (std's `io::stderr`).
pub fn stderr() -> Stderr {
    Stderr { _priv: () }
}

impl Stdout {
    /// Locks stdout for several writes (std's `Stdout::lock`); the lock
    /// is the one `println!` takes, and is reentrant.
    pub fn lock(&self) -> StdoutLock<'static> {
        StdoutLock {
            guard: OutputGuard::new(&STDOUT_OUT),
            _life: core::marker::PhantomData,
        }
    }
}

impl Stderr {
    /// Locks stderr for several writes (std's `Stderr::lock`).
    pub fn lock(&self) -> StderrLock<'static> {
        StderrLock {
            guard: OutputGuard::new(&STDERR_OUT),
            _life: core::marker::PhantomData,
        }
    }
}

/// Implements `Write` for an output handle (one locked `write(2)` per
/// call) and for its lock (the lock already held).
macro_rules! output_impls {
    ($handle:ty, $lock:ident, $out:expr) => {
        /// As the impl for `&` the handle.
        impl Write for $handle {
            fn write(&mut self, buf: &[u8]) -> Result<usize> {
                (&*self).write(buf)
            }
            fn write_all(&mut self, buf: &[u8]) -> Result<()> {
                (&*self).write_all(buf)
            }
            fn write_fmt(&mut self, args: fmt::Arguments<'_>) -> Result<()> {
                (&*self).write_fmt(args)
            }
            fn flush(&mut self) -> Result<()> {
                Ok(())
            }
        }

        /// One `write(2)` under the stream's lock; `flush` does nothing
        /// (nothing is buffered).
        impl Write for &$handle {
            fn write(&mut self, buf: &[u8]) -> Result<usize> {
                OutputGuard::new($out).write(buf)
            }
            fn write_all(&mut self, buf: &[u8]) -> Result<()> {
                OutputGuard::new($out).write_all(buf)
            }
            fn write_fmt(&mut self, args: fmt::Arguments<'_>) -> Result<()> {
                // The pieces of one `write!` come out together.
                $lock {
                    guard: OutputGuard::new($out),
                    _life: core::marker::PhantomData,
                }
                .write_fmt(args)
            }
            fn flush(&mut self) -> Result<()> {
                Ok(())
            }
        }

        /// One `write(2)` per `write`, under the lock already held.
        impl Write for $lock<'_> {
            fn write(&mut self, buf: &[u8]) -> Result<usize> {
                self.guard.write(buf)
            }
            fn write_all(&mut self, buf: &[u8]) -> Result<()> {
                self.guard.write_all(buf)
            }
            fn flush(&mut self) -> Result<()> {
                Ok(())
            }
        }

        impl fmt::Debug for $lock<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($lock)).finish_non_exhaustive()
            }
        }
    };
}

output_impls!(Stdout, StdoutLock, &STDOUT_OUT);
output_impls!(Stderr, StderrLock, &STDERR_OUT);

/// stdin's buffer (std's `BufReader` inside `Stdin`): `buf[pos..filled]`
/// is unread. Allocated at the first buffered read.
struct StdinBuf {
    buf: Vec<u8>,
    pos: usize,
    filled: usize,
}

static STDIN_STREAM: Stream = Stream::new(STDIN);
static STDIN_BUF: Mutex<StdinBuf> = Mutex::new(StdinBuf {
    buf: Vec::new(),
    pos: 0,
    filled: 0,
});

/// A handle to the standard input (std's `io::Stdin`, Go's `os.Stdin`
/// behind a `bufio.Reader`): every handle shares one buffer.
#[derive(Debug)]
pub struct Stdin {
    _priv: (),
}

/// The standard input, locked (std's `StdinLock`): `Read` and `BufRead`,
/// so `lines()`, `read_line` and `read_until` work on it.
pub struct StdinLock<'a> {
    guard: MutexGuard<'static, StdinBuf>,
    _life: core::marker::PhantomData<&'a Stdin>,
}

/// The standard input of the process (std's `io::stdin`).
pub fn stdin() -> Stdin {
    Stdin { _priv: () }
}

impl Stdin {
    /// Locks stdin's buffer (std's `Stdin::lock`); other goroutines
    /// reading stdin park until the lock is dropped.
    pub fn lock(&self) -> StdinLock<'static> {
        StdinLock {
            guard: STDIN_BUF.lock(),
            _life: core::marker::PhantomData,
        }
    }

    /// Reads a line into `buf`, `\n` included (std's `Stdin::read_line`);
    /// `Ok(0)` at end of input.
    pub fn read_line(&self, buf: &mut String) -> Result<usize> {
        self.lock().read_line(buf)
    }

    /// The lines of stdin, without `\n` (std's `Stdin::lines`); holds the
    /// lock for as long as the iterator lives.
    pub fn lines(self) -> Lines<StdinLock<'static>> {
        self.lock().lines()
    }
}

impl fmt::Debug for StdinLock<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StdinLock").finish_non_exhaustive()
    }
}

/// Reads through stdin's buffer (a read at least as large as the buffer,
/// with the buffer empty, goes straight to the descriptor, as std's
/// `BufReader` does).
impl Read for StdinLock<'_> {
    fn read(&mut self, out: &mut [u8]) -> Result<usize> {
        let b = &mut *self.guard;
        if b.pos == b.filled && out.len() >= STDIN_BUF_SIZE {
            return STDIN_STREAM.read(out);
        }
        let n = {
            let avail = self.fill_buf()?;
            let n = avail.len().min(out.len());
            out[..n].copy_from_slice(&avail[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for StdinLock<'_> {
    fn fill_buf(&mut self) -> Result<&[u8]> {
        let b = &mut *self.guard;
        if b.pos >= b.filled {
            if b.buf.is_empty() {
                b.buf = vec![0; STDIN_BUF_SIZE];
            }
            let n = STDIN_STREAM.read(&mut b.buf)?;
            b.pos = 0;
            b.filled = n;
        }
        Ok(&b.buf[b.pos..b.filled])
    }

    fn consume(&mut self, amt: usize) {
        let b = &mut *self.guard;
        b.pos = (b.pos + amt).min(b.filled);
    }
}

/// Locks stdin for the one call.
impl Read for Stdin {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        self.lock().read(buf)
    }
    fn read_to_end(&mut self, buf: &mut Vec<u8>) -> Result<usize> {
        self.lock().read_to_end(buf)
    }
    fn read_to_string(&mut self, buf: &mut String) -> Result<usize> {
        self.lock().read_to_string(buf)
    }
}

/// As the impl for the handle itself.
impl Read for &Stdin {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        self.lock().read(buf)
    }
    fn read_to_end(&mut self, buf: &mut Vec<u8>) -> Result<usize> {
        self.lock().read_to_end(buf)
    }
    fn read_to_string(&mut self, buf: &mut String) -> Result<usize> {
        self.lock().read_to_string(buf)
    }
}
