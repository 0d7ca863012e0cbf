//! UDP: [`UdpSocket`] (std's `std::net::UdpSocket`; Go's
//! `net.ListenUDP` / `net.DialUDP` and `UDPConn`'s `ReadFrom`/`WriteTo`).
//!
//! Each `recv`/`recv_from` reads one datagram; a buffer shorter than the
//! datagram gets its start and the rest is dropped, as std's. Sends never
//! raise SIGPIPE (`MSG_NOSIGNAL`). Blocking calls park the goroutine on
//! the netpoller; timeouts, deadlines and `close` are as `TcpStream`'s.

use core::fmt;
use core::net::SocketAddr;
use core::time::Duration;

use super::addr::{ToSocketAddrs, each_addr};
use super::socket::{Socket, inet_addr, inet_socket};
use crate::io::{self, ErrorKind};
use crate::netpoll::Mode;
use crate::sys::socket::{self as sys, SockAddr};
use crate::time::Instant;

/// A UDP socket (std's `UdpSocket`, Go's `net.UDPConn`).
pub struct UdpSocket {
    sock: Socket,
}

impl UdpSocket {
    /// A socket bound to `addr` (std's `UdpSocket::bind`, Go's
    /// `net.ListenUDP`): each resolved address in turn, the first that
    /// binds wins. Port 0 picks a free port.
    pub fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<UdpSocket> {
        each_addr(&addr, |a| {
            let sock = inet_socket(a, sys::SOCK_DGRAM)?;
            sock.bind(&SockAddr::from_inet(a))?;
            Ok(UdpSocket { sock })
        })
    }

    /// Sends `buf` as one datagram to `addr`'s first address (std's
    /// `send_to`, Go's `WriteTo`); returns the bytes sent.
    pub fn send_to<A: ToSocketAddrs>(&self, buf: &[u8], addr: A) -> io::Result<usize> {
        let Some(to) = addr.to_socket_addrs()?.next() else {
            return Err(io::Error::from_static(
                ErrorKind::InvalidInput,
                "no addresses to send data to",
            ));
        };
        self.sock.send_to(buf, &SockAddr::from_inet(&to))
    }

    /// Receives one datagram and its sender (std's `recv_from`, Go's
    /// `ReadFrom`).
    pub fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        let (n, from) = self.sock.recv_from(buf)?;
        Ok((n, inet_addr(from)?))
    }

    /// Sets the default peer and filters what is received to it (std's
    /// `connect`, Go's `DialUDP`): each resolved address in turn.
    pub fn connect<A: ToSocketAddrs>(&self, addr: A) -> io::Result<()> {
        each_addr(&addr, |a| self.sock.connect(&SockAddr::from_inet(a), None))
    }

    /// Sends one datagram to the connected peer (std's `send`, Go's
    /// `Write`).
    pub fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.sock.send(buf)
    }

    /// Receives one datagram from the connected peer (std's `recv`, Go's
    /// `Read`).
    pub fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.sock.recv(buf, 0)
    }

    /// The local address (std's `local_addr`).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        inet_addr(self.sock.local_name()?)
    }

    /// The connected peer (std's `peer_addr`): `NotConnected` if none.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        inet_addr(self.sock.peer_name()?)
    }

    /// Sets `SO_BROADCAST` (std's `set_broadcast`).
    pub fn set_broadcast(&self, on: bool) -> io::Result<()> {
        self.sock
            .set_int_option(sys::SOL_SOCKET, sys::SO_BROADCAST, i32::from(on))
    }

    /// Whether `SO_BROADCAST` is set (std's `broadcast`).
    pub fn broadcast(&self) -> io::Result<bool> {
        Ok(self.sock.int_option(sys::SOL_SOCKET, sys::SO_BROADCAST)? != 0)
    }

    /// Limits each receive (std's `set_read_timeout`; the rules of
    /// `TcpStream::set_read_timeout`).
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
    pub fn try_clone(&self) -> io::Result<UdpSocket> {
        Ok(UdpSocket {
            sock: self.sock.try_clone()?,
        })
    }

    /// The pending socket error (std's `take_error`): e.g. the
    /// `ConnectionRefused` of an ICMP port-unreachable on a connected
    /// socket.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.sock.take_error()
    }

    /// Closes the socket now (Go's `Close`): blocked receivers wake with
    /// the closed error ("use of closed network connection").
    pub fn close(&self) -> io::Result<()> {
        self.sock.close()
    }

    /// The descriptor (std's `AsRawFd::as_raw_fd`).
    pub fn as_raw_fd(&self) -> i32 {
        self.sock.raw()
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("UdpSocket");
        if let Ok(a) = self.local_addr() {
            d.field("addr", &a);
        }
        d.field("fd", &self.as_raw_fd()).finish()
    }
}
