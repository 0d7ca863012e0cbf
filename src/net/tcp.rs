//! TCP: [`TcpListener`] and [`TcpStream`] (std's `std::net::TcpListener`
//! and `TcpStream`; Go's `net.Listen("tcp", ..)` / `TCPListener` and
//! `net.Dial("tcp", ..)` / `TCPConn`).
//!
//! Blocking calls park the goroutine on the netpoller (`[IO wait]`), never
//! the thread. Beyond std: Go's absolute deadlines (`set_deadline`,
//! `set_read_deadline`, `set_write_deadline`) and `close(&self)`, which,
//! unlike dropping, can be called while other goroutines use the socket
//! through an `Arc` and wakes them with the closed error.
//!
//! Listening: `SO_REUSEADDR` is set before `bind` (std and Go on Unix: a
//! restarted server can bind its port while old connections sit in
//! TIME_WAIT). The backlog is [`LISTEN_BACKLOG`], which the kernel caps at
//! `net.core.somaxconn`: in effect Go's choice (it reads somaxconn) rather
//! than std's fixed 128, so that a burst of connections (the benchmarks'
//! 1,000) is not dropped at the SYN queue.

use core::fmt;
use core::net::SocketAddr;
use core::time::Duration;

use super::Shutdown;
use super::addr::{ToSocketAddrs, each_addr};
use super::socket::{Socket, inet_addr, inet_socket};
use crate::io::{self, ErrorKind, Read, Write};
use crate::netpoll::Mode;
use crate::sys::socket::{self as sys, SockAddr};
use crate::time::Instant;

/// The `listen` backlog asked for; the kernel lowers it to
/// `net.core.somaxconn` (module note).
pub const LISTEN_BACKLOG: i32 = 65535;

/// A TCP socket server, listening for connections (std's `TcpListener`,
/// Go's `net.TCPListener`).
pub struct TcpListener {
    sock: Socket,
}

impl TcpListener {
    /// Binds to `addr` and listens (std's `TcpListener::bind`, Go's
    /// `net.Listen("tcp", addr)`): each resolved address is tried in
    /// turn; the first that binds wins, else the last error is returned.
    /// Port 0 picks a free port ([`local_addr`](Self::local_addr) says
    /// which).
    pub fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<TcpListener> {
        each_addr(&addr, |a| {
            let sock = inet_socket(a, sys::SOCK_STREAM)?;
            sock.set_int_option(sys::SOL_SOCKET, sys::SO_REUSEADDR, 1)?;
            sock.bind(&SockAddr::from_inet(a))?;
            sock.listen(LISTEN_BACKLOG)?;
            Ok(TcpListener { sock })
        })
    }

    /// The address the listener is bound to (std's `local_addr`, Go's
    /// `Listener.Addr`).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        inet_addr(self.sock.local_name()?)
    }

    /// Waits for a connection and returns it with the peer's address
    /// (std's `accept`, Go's `Listener.Accept`). The goroutine parks until
    /// a connection arrives, the read timeout passes, or the listener is
    /// closed. `EMFILE`/`ENFILE` (out of descriptors) come back as errors
    /// with that errno: back off and accept again, as Go's http server.
    pub fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let (sock, peer) = self.sock.accept()?;
        Ok((TcpStream { sock }, inet_addr(peer)?))
    }

    /// An endless iterator of [`accept`](Self::accept)'s connections
    /// (std's `incoming`).
    pub fn incoming(&self) -> Incoming<'_> {
        Incoming { listener: self }
    }

    /// A second handle to the same listening socket (std's `try_clone`;
    /// `dup` with `F_DUPFD_CLOEXEC`).
    pub fn try_clone(&self) -> io::Result<TcpListener> {
        Ok(TcpListener {
            sock: self.sock.try_clone()?,
        })
    }

    /// Go's `TCPListener.SetDeadline`: `accept` (pending and later) fails
    /// with `ErrorKind::TimedOut` once `when` has passed; `None` clears.
    /// (std's listener has no timeout.)
    pub fn set_deadline(&self, when: Option<Instant>) -> io::Result<()> {
        self.sock.set_deadline(Mode::Read, when)
    }

    /// The pending socket error (std's `take_error`).
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.sock.take_error()
    }

    /// Stops listening (Go's `Listener.Close`): a goroutine blocked in
    /// `accept` wakes with an error of kind `NotConnected`, "use of closed
    /// network connection", and so does every later call. Dropping the
    /// listener closes it too.
    pub fn close(&self) -> io::Result<()> {
        self.sock.close()
    }

    /// The descriptor (std's `AsRawFd::as_raw_fd`).
    pub fn as_raw_fd(&self) -> i32 {
        self.sock.raw()
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("TcpListener");
        if let Ok(a) = self.local_addr() {
            d.field("addr", &a);
        }
        d.field("fd", &self.as_raw_fd()).finish()
    }
}

/// The iterator of [`TcpListener::incoming`] (std's `Incoming`): never
/// ends; each item is one `accept`.
pub struct Incoming<'a> {
    listener: &'a TcpListener,
}

impl Iterator for Incoming<'_> {
    type Item = io::Result<TcpStream>;
    fn next(&mut self) -> Option<io::Result<TcpStream>> {
        Some(self.listener.accept().map(|(s, _)| s))
    }
}

/// A TCP connection (std's `TcpStream`, Go's `net.TCPConn`). `Read` and
/// `Write` are implemented for `TcpStream` and for `&TcpStream`, so one
/// goroutine may read while another writes through a shared reference.
pub struct TcpStream {
    sock: Socket,
}

impl TcpStream {
    /// Connects to `addr` (std's `TcpStream::connect`, Go's
    /// `net.Dial("tcp", addr)`): each resolved address is tried in turn;
    /// the first connection wins, else the last error is returned (a
    /// refused connection is `ErrorKind::ConnectionRefused`).
    pub fn connect<A: ToSocketAddrs>(addr: A) -> io::Result<TcpStream> {
        each_addr(&addr, |a| TcpStream::connect_one(a, None))
    }

    /// Connects to one address, giving up after `timeout` (std's
    /// `connect_timeout`, Go's `net.DialTimeout`): a zero timeout is an
    /// `InvalidInput` error, as std's; running out of time is
    /// `ErrorKind::TimedOut`.
    pub fn connect_timeout(addr: &SocketAddr, timeout: Duration) -> io::Result<TcpStream> {
        if timeout.is_zero() {
            return Err(io::Error::from_static(
                ErrorKind::InvalidInput,
                "cannot set a 0 duration timeout",
            ));
        }
        TcpStream::connect_one(addr, Some(timeout))
    }

    fn connect_one(a: &SocketAddr, timeout: Option<Duration>) -> io::Result<TcpStream> {
        let sock = inet_socket(a, sys::SOCK_STREAM)?;
        sock.connect(&SockAddr::from_inet(a), timeout)?;
        Ok(TcpStream { sock })
    }

    /// The remote address (std's `peer_addr`, Go's `Conn.RemoteAddr`).
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        inet_addr(self.sock.peer_name()?)
    }

    /// The local address (std's `local_addr`, Go's `Conn.LocalAddr`).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        inet_addr(self.sock.local_name()?)
    }

    /// Shuts down the read half, the write half or both (std's
    /// `shutdown`; Go's `CloseRead`/`CloseWrite`). After `Write`, the
    /// peer reads EOF; the descriptor stays open until close or drop.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.sock.shutdown(how.raw())
    }

    /// A second handle to the same connection (std's `try_clone`; `dup`
    /// with `F_DUPFD_CLOEXEC`, registered with the netpoller on its own).
    /// It starts with this handle's timeouts and deadlines; after that
    /// each handle has its own (std's timeouts are shared socket options).
    pub fn try_clone(&self) -> io::Result<TcpStream> {
        Ok(TcpStream {
            sock: self.sock.try_clone()?,
        })
    }

    /// Sets `TCP_NODELAY` (std's `set_nodelay`, Go's `SetNoDelay`; off by
    /// default here as in std, whereas Go turns it on).
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.sock
            .set_int_option(sys::IPPROTO_TCP, sys::TCP_NODELAY, i32::from(nodelay))
    }

    /// Whether `TCP_NODELAY` is set (std's `nodelay`).
    pub fn nodelay(&self) -> io::Result<bool> {
        Ok(self.sock.int_option(sys::IPPROTO_TCP, sys::TCP_NODELAY)? != 0)
    }

    /// Limits each read to `d` (std's `set_read_timeout`): a read that
    /// waits longer fails with `ErrorKind::TimedOut`. `None` removes the
    /// limit; `Some(Duration::ZERO)` is an `InvalidInput` error, as std's.
    /// The limit is relative to the start of each operation; an earlier
    /// absolute deadline ([`set_read_deadline`](Self::set_read_deadline))
    /// still applies.
    pub fn set_read_timeout(&self, d: Option<Duration>) -> io::Result<()> {
        self.sock.set_timeout(Mode::Read, d)
    }

    /// Limits each write to `d` (std's `set_write_timeout`; as
    /// [`set_read_timeout`](Self::set_read_timeout)).
    pub fn set_write_timeout(&self, d: Option<Duration>) -> io::Result<()> {
        self.sock.set_timeout(Mode::Write, d)
    }

    /// The read timeout (std's `read_timeout`).
    pub fn read_timeout(&self) -> io::Result<Option<Duration>> {
        self.sock.timeout(Mode::Read)
    }

    /// The write timeout (std's `write_timeout`).
    pub fn write_timeout(&self) -> io::Result<Option<Duration>> {
        self.sock.timeout(Mode::Write)
    }

    /// Go's `Conn.SetDeadline`: reads and writes, pending and future, fail
    /// with `ErrorKind::TimedOut` ("i/o timeout") once `when` has passed,
    /// until the deadline is moved; `None` clears it.
    pub fn set_deadline(&self, when: Option<Instant>) -> io::Result<()> {
        self.sock.set_deadline(Mode::Both, when)
    }

    /// Go's `Conn.SetReadDeadline`.
    pub fn set_read_deadline(&self, when: Option<Instant>) -> io::Result<()> {
        self.sock.set_deadline(Mode::Read, when)
    }

    /// Go's `Conn.SetWriteDeadline`.
    pub fn set_write_deadline(&self, when: Option<Instant>) -> io::Result<()> {
        self.sock.set_deadline(Mode::Write, when)
    }

    /// The pending socket error (std's `take_error`).
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.sock.take_error()
    }

    /// Closes the connection now (Go's `Conn.Close`): goroutines blocked
    /// reading or writing it (through an `Arc` or a `&TcpStream`) wake with
    /// an error of kind `NotConnected`, "use of closed network
    /// connection", as does every later call and a second `close`.
    /// Dropping the stream closes it too.
    pub fn close(&self) -> io::Result<()> {
        self.sock.close()
    }

    /// The descriptor (std's `AsRawFd::as_raw_fd`).
    pub fn as_raw_fd(&self) -> i32 {
        self.sock.raw()
    }
}

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("TcpStream");
        if let Ok(a) = self.local_addr() {
            d.field("addr", &a);
        }
        if let Ok(a) = self.peer_addr() {
            d.field("peer", &a);
        }
        d.field("fd", &self.as_raw_fd()).finish()
    }
}

/// One `read(2)`: `Ok(0)` at end of stream.
impl Read for TcpStream {
    #[inline]
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.sock.read(buf)
    }
}

/// One `read(2)`: `Ok(0)` at end of stream.
impl Read for &TcpStream {
    #[inline]
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.sock.read(buf)
    }
}

/// One `send(2)` with `MSG_NOSIGNAL` (a closed peer is `BrokenPipe`, never
/// SIGPIPE); `flush` does nothing (no user-space buffer).
impl Write for TcpStream {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.sock.send(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// As `Write for TcpStream`.
impl Write for &TcpStream {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.sock.send(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
