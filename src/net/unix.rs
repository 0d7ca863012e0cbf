//! Unix domain sockets: [`UnixListener`], [`UnixStream`],
//! [`UnixDatagram`] and their [`SocketAddr`] (std's
//! `std::os::unix::net`; Go's `net.Listen("unix", ..)`,
//! `net.Dial("unix", ..)`, `net.ListenUnixgram` and `net.UnixAddr`).
//!
//! Paths are bytes (`impl AsRef<[u8]>`: `&str`, `String`, `&[u8]` all
//! work) since rt0 has no `Path`; a path is at most 108 bytes
//! (`sun_path`) and holds no NUL, else `InvalidInput`. A name starting
//! with a NUL byte is a Linux abstract address (no file). Binding does
//! not remove an old socket file (std and Go's `Listen` leave that to
//! the program: bind fails with `AddrInUse`), and closing does not
//! unlink it (Go's `UnixListener` does by default; std does not).
//!
//! A stream `connect` to a listener whose backlog is full fails with
//! `WouldBlock` (`EAGAIN` of a non-blocking Unix connect), as in Go,
//! instead of waiting as a blocking std connect would.

use core::fmt;
use core::time::Duration;

use super::Shutdown;
use super::socket::Socket;
use crate::io::{self, ErrorKind, Read, Write};
use crate::netpoll::Mode;
use crate::sys::socket::{self as sys, AF_UNIX, SockAddr};
use crate::time::Instant;

/// The address of a Unix socket (std's `std::os::unix::net::SocketAddr`,
/// Go's `net.UnixAddr`): a pathname, an abstract name, or unnamed.
#[derive(Clone, Copy)]
pub struct SocketAddr {
    addr: SockAddr,
}

impl SocketAddr {
    /// An address for the pathname `path` (std's `from_pathname`).
    pub fn from_pathname(path: impl AsRef<[u8]>) -> io::Result<SocketAddr> {
        let path = path.as_ref();
        if path.first() == Some(&0) {
            return Err(invalid_path());
        }
        kernel_addr(path).map(|addr| SocketAddr { addr })
    }

    /// The pathname, if the socket is bound to one given in UTF-8 (std's
    /// `as_pathname`, which returns a `Path`); see
    /// [`pathname_bytes`](Self::pathname_bytes) for any bytes.
    pub fn as_pathname(&self) -> Option<&str> {
        core::str::from_utf8(self.pathname_bytes()?).ok()
    }

    /// The pathname's bytes, if the address is a pathname.
    pub fn pathname_bytes(&self) -> Option<&[u8]> {
        let p = self.addr.unix_path()?;
        (!p.is_empty() && p[0] != 0).then_some(p)
    }

    /// The abstract name without its leading NUL, if the address is
    /// abstract (std's Linux `SocketAddrExt::as_abstract_name`).
    pub fn as_abstract_name(&self) -> Option<&[u8]> {
        self.addr.unix_path()?.strip_prefix(&[0])
    }

    /// Whether the socket has no name (std's `is_unnamed`): the client end
    /// of a connection, a socket from `pair()`.
    pub fn is_unnamed(&self) -> bool {
        self.addr.unix_path().is_none_or(|p| p.is_empty())
    }
}

impl fmt::Debug for SocketAddr {
    /// As std's: `"path" (pathname)`, `"name" (abstract)`, `(unnamed)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = self.pathname_bytes() {
            write!(
                f,
                "{:?} (pathname)",
                alloc::string::String::from_utf8_lossy(p)
            )
        } else if let Some(n) = self.as_abstract_name() {
            write!(
                f,
                "{:?} (abstract)",
                alloc::string::String::from_utf8_lossy(n)
            )
        } else {
            f.write_str("(unnamed)")
        }
    }
}

fn invalid_path() -> io::Error {
    io::Error::from_static(
        ErrorKind::InvalidInput,
        "invalid Unix socket path: longer than 108 bytes or containing a NUL",
    )
}

/// `path` in kernel form (module note's rules).
fn kernel_addr(path: &[u8]) -> io::Result<SockAddr> {
    SockAddr::from_unix_path(path).map_err(|_| invalid_path())
}

fn unix_addr(a: SockAddr) -> io::Result<SocketAddr> {
    if a.family() != AF_UNIX && a.family() != 0 {
        return Err(io::Error::from_static(
            ErrorKind::InvalidData,
            "not a Unix socket address",
        ));
    }
    Ok(SocketAddr { addr: a })
}

/// A socket bound to `path` (unbound when `None`).
fn bound(ty: i32, path: Option<&[u8]>) -> io::Result<Socket> {
    let addr = path.map(kernel_addr).transpose()?;
    let sock = Socket::new(AF_UNIX, ty)?;
    if let Some(a) = addr {
        sock.bind(&a)?;
    }
    Ok(sock)
}

/// A Unix stream socket server (std's `UnixListener`, Go's
/// `net.UnixListener`).
pub struct UnixListener {
    sock: Socket,
}

impl UnixListener {
    /// Binds to `path` and listens (std's `UnixListener::bind`), with the
    /// backlog of `TcpListener`.
    pub fn bind(path: impl AsRef<[u8]>) -> io::Result<UnixListener> {
        let sock = bound(sys::SOCK_STREAM, Some(path.as_ref()))?;
        sock.listen(super::tcp::LISTEN_BACKLOG)?;
        Ok(UnixListener { sock })
    }

    /// Waits for a connection (std's `accept`): the stream and the peer's
    /// address (usually unnamed). Parks the goroutine; the closed error
    /// after [`close`](Self::close).
    pub fn accept(&self) -> io::Result<(UnixStream, SocketAddr)> {
        let (sock, peer) = self.sock.accept()?;
        Ok((UnixStream { sock }, unix_addr(peer)?))
    }

    /// An endless iterator of accepted connections (std's `incoming`).
    pub fn incoming(&self) -> Incoming<'_> {
        Incoming { listener: self }
    }

    /// The bound address (std's `local_addr`).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        unix_addr(self.sock.local_name()?)
    }

    /// A second handle to the same socket (std's `try_clone`).
    pub fn try_clone(&self) -> io::Result<UnixListener> {
        Ok(UnixListener {
            sock: self.sock.try_clone()?,
        })
    }

    /// Go's `UnixListener.SetDeadline`: `accept` fails with
    /// `ErrorKind::TimedOut` once `when` has passed; `None` clears.
    pub fn set_deadline(&self, when: Option<Instant>) -> io::Result<()> {
        self.sock.set_deadline(Mode::Read, when)
    }

    /// The pending socket error (std's `take_error`).
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.sock.take_error()
    }

    /// Stops listening (Go's `Listener.Close`; the socket file stays):
    /// a blocked `accept` wakes with the closed error.
    pub fn close(&self) -> io::Result<()> {
        self.sock.close()
    }

    /// The descriptor (std's `AsRawFd::as_raw_fd`).
    pub fn as_raw_fd(&self) -> i32 {
        self.sock.raw()
    }
}

impl fmt::Debug for UnixListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("UnixListener");
        if let Ok(a) = self.local_addr() {
            d.field("local", &a);
        }
        d.field("fd", &self.as_raw_fd()).finish()
    }
}

/// The iterator of [`UnixListener::incoming`] (std's `Incoming`).
pub struct Incoming<'a> {
    listener: &'a UnixListener,
}

impl Iterator for Incoming<'_> {
    type Item = io::Result<UnixStream>;
    fn next(&mut self) -> Option<io::Result<UnixStream>> {
        Some(self.listener.accept().map(|(s, _)| s))
    }
}

/// A Unix stream connection (std's `UnixStream`, Go's `net.UnixConn`).
/// `Read`/`Write` for `UnixStream` and `&UnixStream`, as std's.
pub struct UnixStream {
    sock: Socket,
}

impl UnixStream {
    /// Connects to the socket at `path` (std's `UnixStream::connect`).
    pub fn connect(path: impl AsRef<[u8]>) -> io::Result<UnixStream> {
        let addr = kernel_addr(path.as_ref())?;
        let sock = Socket::new(AF_UNIX, sys::SOCK_STREAM)?;
        sock.connect(&addr, None)?;
        Ok(UnixStream { sock })
    }

    /// Two connected, unnamed streams (std's `UnixStream::pair`,
    /// `socketpair(2)`).
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = Socket::pair(AF_UNIX, sys::SOCK_STREAM)?;
        Ok((UnixStream { sock: a }, UnixStream { sock: b }))
    }

    /// The local address (std's `local_addr`).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        unix_addr(self.sock.local_name()?)
    }

    /// The peer's address (std's `peer_addr`).
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        unix_addr(self.sock.peer_name()?)
    }

    /// Shuts down one or both halves (std's `shutdown`).
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.sock.shutdown(how.raw())
    }

    /// A second handle to the same connection (std's `try_clone`).
    pub fn try_clone(&self) -> io::Result<UnixStream> {
        Ok(UnixStream {
            sock: self.sock.try_clone()?,
        })
    }

    /// Limits each read (std's `set_read_timeout`; the rules of
    /// `TcpStream::set_read_timeout`).
    pub fn set_read_timeout(&self, d: Option<Duration>) -> io::Result<()> {
        self.sock.set_timeout(Mode::Read, d)
    }

    /// Limits each write (std's `set_write_timeout`).
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

    /// Go's `SetDeadline` (both directions; `None` clears).
    pub fn set_deadline(&self, when: Option<Instant>) -> io::Result<()> {
        self.sock.set_deadline(Mode::Both, when)
    }

    /// Go's `SetReadDeadline`.
    pub fn set_read_deadline(&self, when: Option<Instant>) -> io::Result<()> {
        self.sock.set_deadline(Mode::Read, when)
    }

    /// Go's `SetWriteDeadline`.
    pub fn set_write_deadline(&self, when: Option<Instant>) -> io::Result<()> {
        self.sock.set_deadline(Mode::Write, when)
    }

    /// The pending socket error (std's `take_error`).
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.sock.take_error()
    }

    /// Closes now (Go's `Conn.Close`): blocked readers and writers wake
    /// with the closed error.
    pub fn close(&self) -> io::Result<()> {
        self.sock.close()
    }

    /// The descriptor (std's `AsRawFd::as_raw_fd`).
    pub fn as_raw_fd(&self) -> i32 {
        self.sock.raw()
    }
}

impl fmt::Debug for UnixStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("UnixStream");
        if let Ok(a) = self.local_addr() {
            d.field("local", &a);
        }
        if let Ok(a) = self.peer_addr() {
            d.field("peer", &a);
        }
        d.field("fd", &self.as_raw_fd()).finish()
    }
}

/// One `read(2)`: `Ok(0)` at end of stream.
impl Read for UnixStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.sock.read(buf)
    }
}

/// One `read(2)`: `Ok(0)` at end of stream.
impl Read for &UnixStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.sock.read(buf)
    }
}

/// One `send(2)` with `MSG_NOSIGNAL`; `flush` does nothing.
impl Write for UnixStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.sock.send(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// As `Write for UnixStream`.
impl Write for &UnixStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.sock.send(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A Unix datagram socket (std's `UnixDatagram`, Go's `net.UnixConn` on
/// `unixgram`).
pub struct UnixDatagram {
    sock: Socket,
}

impl UnixDatagram {
    /// A socket bound to `path` (std's `UnixDatagram::bind`).
    pub fn bind(path: impl AsRef<[u8]>) -> io::Result<UnixDatagram> {
        Ok(UnixDatagram {
            sock: bound(sys::SOCK_DGRAM, Some(path.as_ref()))?,
        })
    }

    /// An unbound socket (std's `UnixDatagram::unbound`).
    pub fn unbound() -> io::Result<UnixDatagram> {
        Ok(UnixDatagram {
            sock: bound(sys::SOCK_DGRAM, None)?,
        })
    }

    /// Two connected, unnamed sockets (std's `UnixDatagram::pair`).
    pub fn pair() -> io::Result<(UnixDatagram, UnixDatagram)> {
        let (a, b) = Socket::pair(AF_UNIX, sys::SOCK_DGRAM)?;
        Ok((UnixDatagram { sock: a }, UnixDatagram { sock: b }))
    }

    /// Sets the default peer (std's `connect`).
    pub fn connect(&self, path: impl AsRef<[u8]>) -> io::Result<()> {
        let addr = kernel_addr(path.as_ref())?;
        self.sock.connect(&addr, None)
    }

    /// Sends one datagram to `path` (std's `send_to`).
    pub fn send_to(&self, buf: &[u8], path: impl AsRef<[u8]>) -> io::Result<usize> {
        let addr = kernel_addr(path.as_ref())?;
        self.sock.send_to(buf, &addr)
    }

    /// Receives one datagram and its sender (std's `recv_from`).
    pub fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        let (n, from) = self.sock.recv_from(buf)?;
        Ok((n, unix_addr(from)?))
    }

    /// Sends one datagram to the connected peer (std's `send`).
    pub fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.sock.send(buf)
    }

    /// Receives one datagram (std's `recv`).
    pub fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.sock.recv(buf, 0)
    }

    /// The local address (std's `local_addr`).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        unix_addr(self.sock.local_name()?)
    }

    /// The connected peer (std's `peer_addr`).
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        unix_addr(self.sock.peer_name()?)
    }

    /// Shuts down one or both directions (std's `shutdown`).
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.sock.shutdown(how.raw())
    }

    /// Limits each receive (std's `set_read_timeout`).
    pub fn set_read_timeout(&self, d: Option<Duration>) -> io::Result<()> {
        self.sock.set_timeout(Mode::Read, d)
    }

    /// Limits each send (std's `set_write_timeout`).
    pub fn set_write_timeout(&self, d: Option<Duration>) -> io::Result<()> {
        self.sock.set_timeout(Mode::Write, d)
    }

    /// The receive timeout (std's `read_timeout`).
    pub fn read_timeout(&self) -> io::Result<Option<Duration>> {
        self.sock.timeout(Mode::Read)
    }

    /// The send timeout (std's `write_timeout`).
    pub fn write_timeout(&self) -> io::Result<Option<Duration>> {
        self.sock.timeout(Mode::Write)
    }

    /// Go's `SetDeadline` (both directions; `None` clears).
    pub fn set_deadline(&self, when: Option<Instant>) -> io::Result<()> {
        self.sock.set_deadline(Mode::Both, when)
    }

    /// Go's `SetReadDeadline`.
    pub fn set_read_deadline(&self, when: Option<Instant>) -> io::Result<()> {
        self.sock.set_deadline(Mode::Read, when)
    }

    /// Go's `SetWriteDeadline`.
    pub fn set_write_deadline(&self, when: Option<Instant>) -> io::Result<()> {
        self.sock.set_deadline(Mode::Write, when)
    }

    /// A second handle to the same socket (std's `try_clone`).
    pub fn try_clone(&self) -> io::Result<UnixDatagram> {
        Ok(UnixDatagram {
            sock: self.sock.try_clone()?,
        })
    }

    /// The pending socket error (std's `take_error`).
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.sock.take_error()
    }

    /// Closes now (Go's `Close`): blocked receivers wake with the closed
    /// error.
    pub fn close(&self) -> io::Result<()> {
        self.sock.close()
    }

    /// The descriptor (std's `AsRawFd::as_raw_fd`).
    pub fn as_raw_fd(&self) -> i32 {
        self.sock.raw()
    }
}

impl fmt::Debug for UnixDatagram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("UnixDatagram");
        if let Ok(a) = self.local_addr() {
            d.field("local", &a);
        }
        d.field("fd", &self.as_raw_fd()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        let a = SocketAddr::from_pathname("/tmp/rt0.sock").unwrap();
        assert_eq!(a.as_pathname(), Some("/tmp/rt0.sock"));
        assert!(!a.is_unnamed());
        assert_eq!(a.as_abstract_name(), None);
        assert_eq!(alloc::format!("{a:?}"), "\"/tmp/rt0.sock\" (pathname)");
        let e = SocketAddr::from_pathname([b'x'; 200]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert!(SocketAddr::from_pathname("\0abs").is_err());
        let abs = unix_addr(SockAddr::from_unix_path(b"\0abs").unwrap()).unwrap();
        assert_eq!(abs.as_abstract_name(), Some(&b"abs"[..]));
        assert_eq!(abs.as_pathname(), None);
        assert_eq!(alloc::format!("{abs:?}"), "\"abs\" (abstract)");
        // What getsockname reports for an unnamed socket: the family only.
        let un = unix_addr(SockAddr::from_unix_path(b"").unwrap()).unwrap();
        assert!(un.is_unnamed());
        assert_eq!(un.as_pathname(), None);
        assert_eq!(alloc::format!("{un:?}"), "(unnamed)");
    }
}
