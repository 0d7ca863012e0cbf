//! The network: TCP, UDP and Unix sockets shaped like `std::net` (and
//! `std::os::unix::net`), so code written against std ports by renaming
//! its imports; underneath, Go's design: every socket is non-blocking and
//! registered with the netpoller, and a call that would block parks the
//! goroutine (`[IO wait]`), not the thread.
//!
//! Counterparts: [`TcpListener::bind`] is Go's `net.Listen`,
//! [`TcpStream::connect`] `net.Dial`, [`UdpSocket`] `net.UDPConn`, the
//! private `socket` module Go's `netFD` over `internal/poll.FD` (the
//! netpoller's `Fd` here); std's `std::net` for every name and signature.
//!
//! - Addresses are `core::net`'s ([`SocketAddr`], [`Ipv4Addr`],
//!   [`Ipv6Addr`], [`SocketAddrV4`], [`SocketAddrV6`], [`IpAddr`]),
//!   re-exported here as std re-exports them; they parse as std's.
//!   [`ToSocketAddrs`] is std's trait; names resolve without DNS (numeric,
//!   `localhost`, `/etc/hosts`: the `addr` module's note).
//! - Beyond std, from Go: absolute deadlines (`set_deadline`,
//!   `set_read_deadline`, `set_write_deadline`, taking
//!   [`crate::time::Instant`]) and `close(&self)`, which wakes goroutines
//!   blocked on the socket with "use of closed network connection".
//! - Errors are `io::Error`s, never panics: a syscall's error keeps its
//!   errno (`ConnectionRefused`, `ConnectionReset`, `BrokenPipe`,
//!   `AddrInUse`, EMFILE from `accept`, ...); a closed socket is
//!   `ErrorKind::NotConnected`, "use of closed network connection"; a
//!   timeout or passed deadline `ErrorKind::TimedOut`, "i/o timeout".
//!   Sockets never raise SIGPIPE (`send` with `MSG_NOSIGNAL`).
//! - IPv6 works (`[::1]:port`); a socket bound to a specific IPv6 address
//!   is `IPV6_V6ONLY`, `[::]` stays dual-stack (the `socket` module's
//!   `inet_socket`).
//! - Descriptors are `SOCK_NONBLOCK | SOCK_CLOEXEC` from birth and owned
//!   by one netpoller `Fd`, closed on every error path and on drop.

mod addr;
mod hosts;
mod socket;
mod tcp;
mod udp;
pub mod unix;

pub use addr::ToSocketAddrs;
pub use core::net::{
    AddrParseError, IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6,
};
pub use tcp::{Incoming, LISTEN_BACKLOG, TcpListener, TcpStream};
pub use udp::UdpSocket;
pub use unix::{UnixDatagram, UnixListener, UnixStream};

/// Which half of a connection to shut down (std's `std::net::Shutdown`;
/// Go's `CloseRead`/`CloseWrite`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shutdown {
    /// No more reads: later reads return EOF (`SHUT_RD`).
    Read,
    /// No more writes: the peer reads EOF (`SHUT_WR`).
    Write,
    /// Both (`SHUT_RDWR`).
    Both,
}

impl Shutdown {
    /// The kernel's `SHUT_*` value.
    fn raw(self) -> i32 {
        use crate::sys::socket::{SHUT_RD, SHUT_RDWR, SHUT_WR};
        match self {
            Shutdown::Read => SHUT_RD,
            Shutdown::Write => SHUT_WR,
            Shutdown::Both => SHUT_RDWR,
        }
    }
}
