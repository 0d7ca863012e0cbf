//! The socket under every `rt0::net` type: one netpoller [`Fd`] plus the
//! std-style per-operation timeouts and the Go-style absolute deadlines.
//! Go's counterpart: `net.netFD` (net/fd_posix.go, fd_unix.go: `connect`,
//! `accept`, `Read`, `Write`) over `internal/poll.FD`; Rust std's
//! `sys::net::Socket`.
//!
//! Every socket is created `SOCK_NONBLOCK | SOCK_CLOEXEC` and handed to
//! the netpoller at once, so a descriptor exists only inside an `Fd`,
//! which closes it on every error path and on drop: no leak.
//!
//! **Timeouts and deadlines.** The netpoller knows one deadline per
//! direction, an absolute time (Go's `SetReadDeadline`). std's
//! `set_read_timeout(d)` is relative to each operation instead (the
//! kernel's `SO_RCVTIMEO`), so with a timeout set each blocking operation
//! first moves the deadline to `now + d` (or to the absolute deadline
//! when that is earlier); without one, nothing is done per operation and
//! the absolute deadline set by `set_*_deadline` stays in force. Clearing
//! the timeout puts the absolute deadline back.
//!
//! **Errors.** System call errors become `io::Error`s carrying their
//! errno. A closed socket (closed before or during the operation: Go's
//! `ErrNetClosing`) is `ErrorKind::NotConnected` with Go's message "use
//! of closed network connection" (std has no closed socket to report; of
//! its kinds, NotConnected names the state); a passed deadline is
//! `ErrorKind::TimedOut`, "i/o timeout" (Go's `ErrDeadlineExceeded`).

use core::sync::atomic::Ordering::Relaxed;
use core::sync::atomic::{AtomicI64, AtomicU64};
use core::time::Duration;

use crate::io::{self, ErrorKind};
use crate::netpoll::{Fd, Mode, PollError};
use crate::sys::Errno;
use crate::sys::socket::{self as sys, SOCK_CLOEXEC, SOCK_NONBLOCK, SockAddr};
use crate::time::Instant;

/// The error of an operation on a closed socket (Go's `net.ErrClosed`).
pub(crate) const CLOSED_MESSAGE: &str = "use of closed network connection";
/// The error of an operation whose deadline passed.
pub(crate) const TIMEOUT_MESSAGE: &str = "i/o timeout";

/// A poll failure as the `io::Error` the API returns (module note).
pub(crate) fn poll_error(e: PollError) -> io::Error {
    match e {
        PollError::Os(errno) => io::Error::from(errno),
        PollError::Closed => io::Error::from_static(ErrorKind::NotConnected, CLOSED_MESSAGE),
        PollError::TimedOut => io::Error::from_static(ErrorKind::TimedOut, TIMEOUT_MESSAGE),
    }
}

/// std's error for `set_*_timeout(Some(Duration::ZERO))`.
fn zero_timeout() -> io::Error {
    io::Error::from_static(ErrorKind::InvalidInput, "cannot set a 0 duration timeout")
}

/// A timeout as stored: nanoseconds, 0 = none. Capped so that `now + t`
/// cannot overflow (a timeout of centuries is no timeout in practice).
fn timeout_nanos(d: Duration) -> u64 {
    const MAX_TIMEOUT_NANOS: u64 = (i64::MAX / 4) as u64;
    u64::try_from(d.as_nanos())
        .unwrap_or(u64::MAX)
        .clamp(1, MAX_TIMEOUT_NANOS)
}

/// One direction's time limits (module note).
struct Limit {
    /// std's per-operation timeout in ns; 0 = none.
    timeout: AtomicU64,
    /// Go's absolute deadline (nanotime); 0 = none.
    deadline: AtomicI64,
}

impl Limit {
    const fn new() -> Limit {
        Limit {
            timeout: AtomicU64::new(0),
            deadline: AtomicI64::new(0),
        }
    }
}

/// A non-blocking socket registered with the netpoller (module note).
pub(crate) struct Socket {
    fd: Fd,
    read: Limit,
    write: Limit,
}

impl Socket {
    /// `socket(domain, ty | SOCK_NONBLOCK | SOCK_CLOEXEC)`, registered.
    pub(crate) fn new(domain: u16, ty: i32) -> io::Result<Socket> {
        let raw = sys::socket(domain, ty | SOCK_NONBLOCK | SOCK_CLOEXEC)?;
        Socket::from_raw(raw)
    }

    /// A connected pair (`socketpair`), both registered.
    pub(crate) fn pair(domain: u16, ty: i32) -> io::Result<(Socket, Socket)> {
        let (a, b) = sys::socketpair(domain, ty | SOCK_NONBLOCK | SOCK_CLOEXEC)?;
        let a = match Socket::from_raw(a) {
            Ok(s) => s,
            Err(e) => {
                crate::sys::file::close(b);
                return Err(e);
            }
        };
        Ok((a, Socket::from_raw(b)?))
    }

    /// Wraps a new non-blocking, close-on-exec descriptor; on error it has
    /// been closed (`Fd::new`'s contract).
    pub(crate) fn from_raw(raw: i32) -> io::Result<Socket> {
        let fd = Fd::new(raw).map_err(poll_error)?;
        Ok(Socket {
            fd,
            read: Limit::new(),
            write: Limit::new(),
        })
    }

    /// The descriptor number (std's `AsRawFd`).
    pub(crate) fn raw(&self) -> i32 {
        self.fd.raw()
    }

    /// Runs `op(fd)` on the open descriptor (options, names, shutdown).
    pub(crate) fn with_ref<T>(&self, op: impl FnOnce(i32) -> Result<T, Errno>) -> io::Result<T> {
        self.fd.with_ref(op).map_err(poll_error)
    }

    pub(crate) fn set_int_option(&self, level: i32, name: i32, value: i32) -> io::Result<()> {
        self.with_ref(|fd| sys::setsockopt_int(fd, level, name, value))
    }

    pub(crate) fn int_option(&self, level: i32, name: i32) -> io::Result<i32> {
        self.with_ref(|fd| sys::getsockopt_int(fd, level, name))
    }

    /// The pending socket error (`SO_ERROR`), cleared by reading (std's
    /// `take_error`).
    pub(crate) fn take_error(&self) -> io::Result<Option<io::Error>> {
        let e = self.int_option(sys::SOL_SOCKET, sys::SO_ERROR)?;
        Ok((e != 0).then(|| io::Error::from_raw_os_error(e)))
    }

    pub(crate) fn local_name(&self) -> io::Result<SockAddr> {
        self.with_ref(sys::getsockname)
    }

    pub(crate) fn peer_name(&self) -> io::Result<SockAddr> {
        self.with_ref(sys::getpeername)
    }

    pub(crate) fn bind(&self, addr: &SockAddr) -> io::Result<()> {
        self.with_ref(|fd| sys::bind(fd, addr))
    }

    pub(crate) fn listen(&self, backlog: i32) -> io::Result<()> {
        self.with_ref(|fd| sys::listen(fd, backlog))
    }

    pub(crate) fn shutdown(&self, how: i32) -> io::Result<()> {
        self.with_ref(|fd| sys::shutdown(fd, how))
    }

    /// Connects, waiting for a stream connection to complete (Go's
    /// `netFD.connect`): a non-blocking `connect` says `EINPROGRESS`, then
    /// `SO_ERROR` says how it went once the socket is writable. With
    /// `timeout`, the write deadline bounds the wait and is put back
    /// afterwards.
    pub(crate) fn connect(&self, addr: &SockAddr, timeout: Option<Duration>) -> io::Result<()> {
        match self.fd.with_ref(|fd| sys::connect(fd, addr)) {
            Ok(()) => return Ok(()),
            // EINTR: the connection goes on in the background (connect(2)).
            Err(PollError::Os(Errno::EINPROGRESS | Errno::EALREADY | Errno::EINTR)) => {}
            Err(e) => return Err(poll_error(e)),
        }
        if let Some(t) = timeout {
            let when = Instant::now().as_nanotime() + timeout_nanos(t) as i64;
            self.fd.set_deadline(Mode::Write, when);
        }
        // The check runs as a write operation: tried first, and on EAGAIN
        // the goroutine parks until writable, so a connection that
        // completes between the check and the park still wakes it (a bare
        // wait would forget a readiness that came before it).
        let r = self.fd.write_with(connect_status).map_err(poll_error);
        if timeout.is_some() {
            self.fd
                .set_deadline(Mode::Write, self.write.deadline.load(Relaxed));
        }
        r
    }

    /// Accepts a connection (Go's `netFD.accept`): the new socket,
    /// non-blocking and close-on-exec, registered, and the peer's address.
    /// A connection reset before it was accepted (`ECONNABORTED`) is
    /// skipped, as Go and std's users expect; `EMFILE`/`ENFILE` and other
    /// errors are returned.
    pub(crate) fn accept(&self) -> io::Result<(Socket, SockAddr)> {
        self.arm(Mode::Read);
        loop {
            let r = self
                .fd
                .read_with(|fd| sys::accept4(fd, SOCK_NONBLOCK | SOCK_CLOEXEC));
            match r {
                Ok((raw, addr)) => return Ok((Socket::from_raw(raw)?, addr)),
                Err(PollError::Os(Errno::ECONNABORTED)) => continue,
                Err(e) => return Err(poll_error(e)),
            }
        }
    }

    /// Moves the netpoller's deadline for `mode` to now + the timeout, when
    /// a timeout is set (module note).
    #[inline]
    fn arm(&self, mode: Mode) {
        let limit = match mode {
            Mode::Write => &self.write,
            _ => &self.read,
        };
        let t = limit.timeout.load(Relaxed);
        if t == 0 {
            return;
        }
        let mut when = Instant::now().as_nanotime() + t as i64;
        let abs = limit.deadline.load(Relaxed);
        if abs != 0 && abs < when {
            when = abs;
        }
        self.fd.set_deadline(mode, when);
    }

    /// read(2): `Ok(0)` at EOF.
    #[inline]
    pub(crate) fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.arm(Mode::Read);
        self.fd.read(buf).map_err(poll_error)
    }

    /// recv(2) with `flags`.
    pub(crate) fn recv(&self, buf: &mut [u8], flags: i32) -> io::Result<usize> {
        self.arm(Mode::Read);
        self.fd
            .read_with(|fd| sys::recv(fd, buf, flags))
            .map_err(poll_error)
    }

    /// recvfrom(2): the bytes and the sender.
    pub(crate) fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SockAddr)> {
        self.arm(Mode::Read);
        self.fd
            .read_with(|fd| sys::recvfrom(fd, buf, 0))
            .map_err(poll_error)
    }

    /// send(2) with `MSG_NOSIGNAL`: a peer that closed gives `EPIPE`, never
    /// SIGPIPE. One call: may write less than `buf` (std's `write`).
    #[inline]
    pub(crate) fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.arm(Mode::Write);
        self.fd
            .write_with(|fd| sys::send(fd, buf, sys::MSG_NOSIGNAL))
            .map_err(poll_error)
    }

    /// sendto(2) with `MSG_NOSIGNAL`.
    pub(crate) fn send_to(&self, buf: &[u8], addr: &SockAddr) -> io::Result<usize> {
        self.arm(Mode::Write);
        self.fd
            .write_with(|fd| sys::sendto(fd, buf, sys::MSG_NOSIGNAL, addr))
            .map_err(poll_error)
    }

    fn limit(&self, mode: Mode) -> &Limit {
        match mode {
            Mode::Write => &self.write,
            _ => &self.read,
        }
    }

    /// std's `set_read_timeout`/`set_write_timeout` for one direction
    /// (`Mode::Read` or `Mode::Write`).
    pub(crate) fn set_timeout(&self, mode: Mode, d: Option<Duration>) -> io::Result<()> {
        self.check_open()?;
        let limit = self.limit(mode);
        match d {
            Some(Duration::ZERO) => Err(zero_timeout()),
            Some(d) => {
                limit.timeout.store(timeout_nanos(d), Relaxed);
                Ok(())
            }
            None => {
                limit.timeout.store(0, Relaxed);
                self.fd.set_deadline(mode, limit.deadline.load(Relaxed));
                Ok(())
            }
        }
    }

    /// The timeout of one direction (std's `read_timeout`).
    pub(crate) fn timeout(&self, mode: Mode) -> io::Result<Option<Duration>> {
        self.check_open()?;
        let t = self.limit(mode).timeout.load(Relaxed);
        Ok((t != 0).then(|| Duration::from_nanos(t)))
    }

    /// Go's `SetReadDeadline`/`SetWriteDeadline`/`SetDeadline`: `None`
    /// clears; a time already past makes operations fail with TimedOut
    /// until the deadline is moved.
    pub(crate) fn set_deadline(&self, mode: Mode, when: Option<Instant>) -> io::Result<()> {
        self.check_open()?;
        // nanotime counts from boot, so a real instant is > 0; 1 keeps a
        // pathological 0 from meaning "none".
        let ns = when.map_or(0, |t| t.as_nanotime().max(1));
        if matches!(mode, Mode::Read | Mode::Both) {
            self.read.deadline.store(ns, Relaxed);
        }
        if matches!(mode, Mode::Write | Mode::Both) {
            self.write.deadline.store(ns, Relaxed);
        }
        self.fd.set_deadline(mode, ns);
        Ok(())
    }

    fn check_open(&self) -> io::Result<()> {
        self.with_ref(|_| Ok(()))
    }

    /// A second socket on the same open file (F_DUPFD_CLOEXEC), registered
    /// on its own, with a copy of this one's timeouts and deadlines.
    pub(crate) fn try_clone(&self) -> io::Result<Socket> {
        let raw = self.with_ref(sys::dup_cloexec)?;
        let s = Socket::from_raw(raw)?;
        for (mine, theirs, mode) in [
            (&self.read, &s.read, Mode::Read),
            (&self.write, &s.write, Mode::Write),
        ] {
            theirs.timeout.store(mine.timeout.load(Relaxed), Relaxed);
            let d = mine.deadline.load(Relaxed);
            theirs.deadline.store(d, Relaxed);
            if d != 0 {
                s.fd.set_deadline(mode, d);
            }
        }
        Ok(s)
    }

    /// Go's `Close`: wakes blocked operations with the closed error; a
    /// second close is that error too.
    pub(crate) fn close(&self) -> io::Result<()> {
        self.fd.close().map_err(poll_error)
    }
}

/// Where a non-blocking connect stands (Go's loop after `WaitWrite`):
/// `SO_ERROR` set is the connect's failure; no error and a peer name is
/// done; no peer name yet (`ENOTCONN`) is still in progress (`EAGAIN`:
/// wait for writability).
fn connect_status(fd: i32) -> Result<(), Errno> {
    match Errno(sys::getsockopt_int(fd, sys::SOL_SOCKET, sys::SO_ERROR)?) {
        Errno(0) => match sys::getpeername(fd) {
            Ok(_) => Ok(()),
            Err(Errno::ENOTCONN) => Err(Errno::EAGAIN),
            Err(e) => Err(e),
        },
        Errno::EINPROGRESS | Errno::EALREADY | Errno::EINTR => Err(Errno::EAGAIN),
        Errno::EISCONN => Ok(()),
        e => Err(e),
    }
}

/// A kernel address as an IP socket address (an IP socket's names always
/// are; anything else is reported, never unwrapped).
pub(crate) fn inet_addr(a: SockAddr) -> io::Result<core::net::SocketAddr> {
    a.inet()
        .ok_or_else(|| io::Error::from_static(ErrorKind::InvalidData, "not an IP socket address"))
}

/// A new IP socket of type `ty` for `addr`'s family. For a specific IPv6
/// address `IPV6_V6ONLY` is set, as Go sets it for `tcp6`/`udp6`; the
/// unspecified `[::]` (and a v4-mapped address) keeps the kernel's
/// dual-stack default, so `[::]:port` also accepts IPv4, as std on Linux
/// and Go's `tcp` network do.
pub(crate) fn inet_socket(addr: &core::net::SocketAddr, ty: i32) -> io::Result<Socket> {
    match addr {
        core::net::SocketAddr::V4(_) => Socket::new(sys::AF_INET, ty),
        core::net::SocketAddr::V6(a) => {
            let s = Socket::new(sys::AF_INET6, ty)?;
            if !a.ip().is_unspecified() && a.ip().to_ipv4_mapped().is_none() {
                s.set_int_option(sys::IPPROTO_IPV6, sys::IPV6_V6ONLY, 1)?;
            }
            Ok(s)
        }
    }
}
