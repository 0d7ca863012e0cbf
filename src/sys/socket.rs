//! Sockets: the BSD socket calls (`socket`, `bind`, `listen`, `accept4`,
//! `connect`, `getsockname`/`getpeername`, `setsockopt`/`getsockopt`,
//! `shutdown`, `sendto`/`recvfrom`, `socketpair`) and the kernel's
//! address structs (`sockaddr_in`, `sockaddr_in6`, `sockaddr_un`,
//! `sockaddr_storage`) with their conversions to `core::net`'s types.
//! Go's counterparts: `syscall.Socket`, `syscall.Bind`, ... and
//! `syscall.Sockaddr{Inet4,Inet6,Unix}` with their `sockaddr()` methods
//! and `anyToSockaddr` (syscall/syscall_linux.go); Rust std's
//! `sys::net` and `socket_addr_to_c` / `sockaddr_to_addr`.
//!
//! Only the kernel ABI lives here: each wrapper is one system call
//! returning `Result<_, Errno>`, never retried, never blocking on its own
//! (the sockets are opened non-blocking; waiting is the netpoller's job).
//! Every call that writes to user memory is given a buffer of the size it
//! is told; an address the kernel returns is a [`SockAddr`] that records
//! the length the kernel wrote.
//!
//! Byte order: `sin_port`/`sin6_port` and the addresses are in network
//! order (big-endian); `sin6_flowinfo` and `sin6_scope_id` are copied
//! as they are, as std does.

use core::mem::size_of;
use core::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use super::fcntl::F_DUPFD_CLOEXEC;
use super::syscall::{Errno, check, nr, syscall2, syscall3, syscall4, syscall6};

/// Address families (`<sys/socket.h>`).
pub const AF_UNIX: u16 = 1;
pub const AF_INET: u16 = 2;
pub const AF_INET6: u16 = 10;

/// Socket types and the flags `socket`/`accept4` take with them.
pub const SOCK_STREAM: i32 = 1;
pub const SOCK_DGRAM: i32 = 2;
pub const SOCK_NONBLOCK: i32 = 0o4000;
pub const SOCK_CLOEXEC: i32 = 0o2000000;

/// Option levels and names.
pub const SOL_SOCKET: i32 = 1;
pub const SO_REUSEADDR: i32 = 2;
pub const SO_ERROR: i32 = 4;
pub const SO_BROADCAST: i32 = 6;
pub const IPPROTO_TCP: i32 = 6;
pub const TCP_NODELAY: i32 = 1;
pub const IPPROTO_IPV6: i32 = 41;
pub const IPV6_V6ONLY: i32 = 26;

/// `send` flag: a write to a connection the peer closed returns EPIPE
/// instead of raising SIGPIPE.
pub const MSG_NOSIGNAL: i32 = 0x4000;

/// `shutdown` directions.
pub const SHUT_RD: i32 = 0;
pub const SHUT_WR: i32 = 1;
pub const SHUT_RDWR: i32 = 2;

/// The kernel's `struct sockaddr_in` (16 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SockaddrIn {
    pub sin_family: u16,
    /// Network byte order.
    pub sin_port: u16,
    /// Network byte order (the octets as written).
    pub sin_addr: [u8; 4],
    pub sin_zero: [u8; 8],
}

/// The kernel's `struct sockaddr_in6` (28 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SockaddrIn6 {
    pub sin6_family: u16,
    /// Network byte order.
    pub sin6_port: u16,
    pub sin6_flowinfo: u32,
    /// Network byte order (the octets as written).
    pub sin6_addr: [u8; 16],
    pub sin6_scope_id: u32,
}

/// Bytes of `sun_path` (`UNIX_PATH_MAX`).
pub const SUN_PATH_LEN: usize = 108;

/// The kernel's `struct sockaddr_un` (110 bytes).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct SockaddrUn {
    pub sun_family: u16,
    pub sun_path: [u8; SUN_PATH_LEN],
}

/// The kernel's `struct sockaddr_storage`: room for any address, aligned
/// for all of them.
#[repr(C, align(8))]
#[derive(Clone, Copy)]
pub struct SockaddrStorage {
    pub ss_family: u16,
    _data: [u8; SOCKADDR_STORAGE_LEN - size_of::<u16>()],
}

/// `sizeof(struct sockaddr_storage)`.
const SOCKADDR_STORAGE_LEN: usize = 128;
/// Offset of `sun_path` in `sockaddr_un` (after `sun_family`).
const SUN_PATH_OFFSET: usize = size_of::<u16>();

const _: () = assert!(size_of::<SockaddrIn>() == 16);
const _: () = assert!(size_of::<SockaddrIn6>() == 28);
const _: () = assert!(size_of::<SockaddrUn>() == 110);
const _: () = assert!(size_of::<SockaddrStorage>() == SOCKADDR_STORAGE_LEN);
const _: () = assert!(core::mem::offset_of!(SockaddrUn, sun_path) == SUN_PATH_OFFSET);

/// A socket address in kernel form: a `sockaddr_storage` and the number
/// of its bytes that are meaningful (the `socklen_t` passed to or
/// returned by the kernel).
#[derive(Clone, Copy)]
pub struct SockAddr {
    storage: SockaddrStorage,
    len: u32,
}

impl SockAddr {
    /// An empty address, for the kernel to fill (`len` = the whole
    /// storage).
    pub const fn empty() -> SockAddr {
        SockAddr {
            storage: SockaddrStorage {
                ss_family: 0,
                _data: [0; SOCKADDR_STORAGE_LEN - size_of::<u16>()],
            },
            len: SOCKADDR_STORAGE_LEN as u32,
        }
    }

    /// Copies `v` (a `#[repr(C)]` sockaddr struct) into the storage.
    fn from_struct<T: Copy>(v: &T) -> SockAddr {
        const { assert!(size_of::<T>() <= SOCKADDR_STORAGE_LEN) };
        let mut a = SockAddr::empty();
        // SAFETY: T fits in the storage (asserted), both are plain data,
        // and the storage's alignment (8) is at least T's (2 or 4).
        unsafe { core::ptr::write(&mut a.storage as *mut SockaddrStorage as *mut T, *v) };
        a.len = size_of::<T>() as u32;
        a
    }

    /// Reads the storage as `T` if the kernel wrote at least `T`'s bytes.
    fn as_struct<T: Copy>(&self) -> Option<T> {
        const { assert!(size_of::<T>() <= SOCKADDR_STORAGE_LEN) };
        if (self.len as usize) < size_of::<T>() {
            return None;
        }
        // SAFETY: T fits in the storage, which is aligned for it and
        // fully initialised (plain bytes, any value valid for T's fields).
        Some(unsafe { core::ptr::read(&self.storage as *const SockaddrStorage as *const T) })
    }

    /// The kernel form of an IP socket address.
    pub fn from_inet(addr: &SocketAddr) -> SockAddr {
        match addr {
            SocketAddr::V4(a) => SockAddr::from_struct(&SockaddrIn {
                sin_family: AF_INET,
                sin_port: a.port().to_be(),
                sin_addr: a.ip().octets(),
                sin_zero: [0; 8],
            }),
            SocketAddr::V6(a) => SockAddr::from_struct(&SockaddrIn6 {
                sin6_family: AF_INET6,
                sin6_port: a.port().to_be(),
                sin6_flowinfo: a.flowinfo(),
                sin6_addr: a.ip().octets(),
                sin6_scope_id: a.scope_id(),
            }),
        }
    }

    /// The kernel form of a Unix socket path (no NUL inside; a NUL is
    /// appended when it fits, as the kernel accepts either). A path with
    /// a NUL byte, or longer than `sun_path`, is `EINVAL`. A path
    /// starting with NUL names an abstract socket (Linux): the length
    /// then counts exactly the bytes given.
    pub fn from_unix_path(path: &[u8]) -> Result<SockAddr, Errno> {
        let abstract_name = path.first() == Some(&0);
        if path.len() > SUN_PATH_LEN || (!abstract_name && path.contains(&0)) {
            return Err(Errno::EINVAL);
        }
        let mut un = SockaddrUn {
            sun_family: AF_UNIX,
            sun_path: [0; SUN_PATH_LEN],
        };
        un.sun_path[..path.len()].copy_from_slice(path);
        let mut a = SockAddr::from_struct(&un);
        // Pathnames: family + path + NUL when room; abstract names: no
        // NUL; the empty path: the family alone (an unnamed address).
        let nul = usize::from(!abstract_name && !path.is_empty() && path.len() < SUN_PATH_LEN);
        a.len = (SUN_PATH_OFFSET + path.len() + nul) as u32;
        Ok(a)
    }

    /// The address family (`AF_*`), 0 when the kernel wrote nothing.
    pub fn family(&self) -> u16 {
        if (self.len as usize) < size_of::<u16>() {
            0
        } else {
            self.storage.ss_family
        }
    }

    /// The IP socket address, if this is an `AF_INET`/`AF_INET6` address.
    pub fn inet(&self) -> Option<SocketAddr> {
        match self.family() {
            AF_INET => {
                let a: SockaddrIn = self.as_struct()?;
                Some(SocketAddr::V4(SocketAddrV4::new(
                    Ipv4Addr::from(a.sin_addr),
                    u16::from_be(a.sin_port),
                )))
            }
            AF_INET6 => {
                let a: SockaddrIn6 = self.as_struct()?;
                Some(SocketAddr::V6(SocketAddrV6::new(
                    Ipv6Addr::from(a.sin6_addr),
                    u16::from_be(a.sin6_port),
                    a.sin6_flowinfo,
                    a.sin6_scope_id,
                )))
            }
            _ => None,
        }
    }

    /// The bytes of `sun_path` the kernel reported for an `AF_UNIX`
    /// address, without a trailing NUL: empty for an unnamed socket,
    /// starting with NUL for an abstract one. `None` for other families.
    pub fn unix_path(&self) -> Option<&[u8]> {
        if self.family() != AF_UNIX {
            return None;
        }
        let n = (self.len as usize).min(size_of::<SockaddrUn>()) - SUN_PATH_OFFSET;
        // SAFETY: the storage is at least a sockaddr_un, aligned for it;
        // sun_path's bytes are plain data.
        let un = unsafe { &*(&self.storage as *const SockaddrStorage as *const SockaddrUn) };
        let path = &un.sun_path[..n];
        if path.first() == Some(&0) {
            return Some(path);
        }
        // A pathname ends at its first NUL (the kernel may count it).
        let end = path.iter().position(|&b| b == 0).unwrap_or(path.len());
        Some(&path[..end])
    }

    /// Pointer and length for calls that read an address.
    fn raw(&self) -> (usize, usize) {
        (
            &self.storage as *const SockaddrStorage as usize,
            self.len as usize,
        )
    }
}

/// `socket(domain, ty, 0)`.
pub fn socket(domain: u16, ty: i32) -> Result<i32, Errno> {
    // SAFETY: socket takes no pointers.
    check(unsafe { syscall3(nr::SYS_socket, domain as usize, ty as usize, 0) }).map(|fd| fd as i32)
}

/// `socketpair(domain, ty, 0)`: two connected sockets.
pub fn socketpair(domain: u16, ty: i32) -> Result<(i32, i32), Errno> {
    let mut fds = [0i32; 2];
    // SAFETY: fds is writable for the two ints the kernel stores.
    check(unsafe {
        syscall4(
            nr::SYS_socketpair,
            domain as usize,
            ty as usize,
            0,
            fds.as_mut_ptr() as usize,
        )
    })?;
    Ok((fds[0], fds[1]))
}

/// `bind(fd, addr)`.
pub fn bind(fd: i32, addr: &SockAddr) -> Result<(), Errno> {
    let (p, n) = addr.raw();
    // SAFETY: p points at n readable bytes of a sockaddr.
    check(unsafe { syscall3(nr::SYS_bind, fd as usize, p, n) }).map(drop)
}

/// `connect(fd, addr)`; on a non-blocking stream socket usually
/// `EINPROGRESS` (then wait for writability and read `SO_ERROR`).
pub fn connect(fd: i32, addr: &SockAddr) -> Result<(), Errno> {
    let (p, n) = addr.raw();
    // SAFETY: p points at n readable bytes of a sockaddr.
    check(unsafe { syscall3(nr::SYS_connect, fd as usize, p, n) }).map(drop)
}

/// `listen(fd, backlog)`; the kernel caps `backlog` at
/// `net.core.somaxconn`.
pub fn listen(fd: i32, backlog: i32) -> Result<(), Errno> {
    // SAFETY: listen takes no pointers.
    check(unsafe { syscall2(nr::SYS_listen, fd as usize, backlog as usize) }).map(drop)
}

/// `accept4(fd, &addr, &len, flags)`: the new connection and its peer.
pub fn accept4(fd: i32, flags: i32) -> Result<(i32, SockAddr), Errno> {
    let mut a = SockAddr::empty();
    let mut len = a.len;
    // SAFETY: the storage is writable for len bytes; len is a writable
    // socklen_t that the kernel updates.
    let nfd = check(unsafe {
        syscall4(
            nr::SYS_accept4,
            fd as usize,
            &mut a.storage as *mut SockaddrStorage as usize,
            &mut len as *mut u32 as usize,
            flags as usize,
        )
    })?;
    a.len = len.min(SOCKADDR_STORAGE_LEN as u32);
    Ok((nfd as i32, a))
}

/// getsockname/getpeername: the same shape.
fn sockname(n: usize, fd: i32) -> Result<SockAddr, Errno> {
    let mut a = SockAddr::empty();
    let mut len = a.len;
    // SAFETY: the storage is writable for len bytes; len is a writable
    // socklen_t that the kernel updates.
    check(unsafe {
        syscall3(
            n,
            fd as usize,
            &mut a.storage as *mut SockaddrStorage as usize,
            &mut len as *mut u32 as usize,
        )
    })?;
    a.len = len.min(SOCKADDR_STORAGE_LEN as u32);
    Ok(a)
}

/// `getsockname(fd)`: the local address.
pub fn getsockname(fd: i32) -> Result<SockAddr, Errno> {
    sockname(nr::SYS_getsockname, fd)
}

/// `getpeername(fd)`: the peer's address (`ENOTCONN` if none).
pub fn getpeername(fd: i32) -> Result<SockAddr, Errno> {
    sockname(nr::SYS_getpeername, fd)
}

/// `setsockopt(fd, level, name, &value, sizeof(int))`.
pub fn setsockopt_int(fd: i32, level: i32, name: i32, value: i32) -> Result<(), Errno> {
    // SAFETY: value is a readable int of the length passed.
    check(unsafe {
        syscall6(
            nr::SYS_setsockopt,
            fd as usize,
            level as usize,
            name as usize,
            &value as *const i32 as usize,
            size_of::<i32>(),
            0,
        )
    })
    .map(drop)
}

/// `getsockopt(fd, level, name)` of an int option.
pub fn getsockopt_int(fd: i32, level: i32, name: i32) -> Result<i32, Errno> {
    let mut value = 0i32;
    let mut len = size_of::<i32>() as u32;
    // SAFETY: value is a writable int and len a writable socklen_t that
    // says so.
    check(unsafe {
        syscall6(
            nr::SYS_getsockopt,
            fd as usize,
            level as usize,
            name as usize,
            &mut value as *mut i32 as usize,
            &mut len as *mut u32 as usize,
            0,
        )
    })?;
    Ok(value)
}

/// `shutdown(fd, how)` with `how` one of `SHUT_*`.
pub fn shutdown(fd: i32, how: i32) -> Result<(), Errno> {
    // SAFETY: shutdown takes no pointers.
    check(unsafe { syscall2(nr::SYS_shutdown, fd as usize, how as usize) }).map(drop)
}

/// `send(fd, buf, flags)` (`sendto` with no address).
pub fn send(fd: i32, buf: &[u8], flags: i32) -> Result<usize, Errno> {
    // SAFETY: buf is readable for its length; no address is passed.
    check(unsafe {
        syscall6(
            nr::SYS_sendto,
            fd as usize,
            buf.as_ptr() as usize,
            buf.len(),
            flags as usize,
            0,
            0,
        )
    })
}

/// `sendto(fd, buf, flags, addr)`.
pub fn sendto(fd: i32, buf: &[u8], flags: i32, addr: &SockAddr) -> Result<usize, Errno> {
    let (p, n) = addr.raw();
    // SAFETY: buf is readable for its length, p for n bytes of sockaddr.
    check(unsafe {
        syscall6(
            nr::SYS_sendto,
            fd as usize,
            buf.as_ptr() as usize,
            buf.len(),
            flags as usize,
            p,
            n,
        )
    })
}

/// `recv(fd, buf, flags)` (`recvfrom` without the address).
pub fn recv(fd: i32, buf: &mut [u8], flags: i32) -> Result<usize, Errno> {
    // SAFETY: buf is writable for its length; no address is asked for.
    check(unsafe {
        syscall6(
            nr::SYS_recvfrom,
            fd as usize,
            buf.as_mut_ptr() as usize,
            buf.len(),
            flags as usize,
            0,
            0,
        )
    })
}

/// `recvfrom(fd, buf, flags, &addr, &len)`: bytes and the sender.
pub fn recvfrom(fd: i32, buf: &mut [u8], flags: i32) -> Result<(usize, SockAddr), Errno> {
    let mut a = SockAddr::empty();
    let mut len = a.len;
    // SAFETY: buf is writable for its length, the storage for len bytes;
    // len is a writable socklen_t that the kernel updates.
    let n = check(unsafe {
        syscall6(
            nr::SYS_recvfrom,
            fd as usize,
            buf.as_mut_ptr() as usize,
            buf.len(),
            flags as usize,
            &mut a.storage as *mut SockaddrStorage as usize,
            &mut len as *mut u32 as usize,
        )
    })?;
    a.len = len.min(SOCKADDR_STORAGE_LEN as u32);
    Ok((n, a))
}

/// `fcntl(fd, F_DUPFD_CLOEXEC, 0)`: a close-on-exec duplicate (sharing
/// the open file description, so its flags, `O_NONBLOCK` included).
pub fn dup_cloexec(fd: i32) -> Result<i32, Errno> {
    // SAFETY: fcntl(F_DUPFD_CLOEXEC) takes no pointers.
    check(unsafe { syscall3(nr::SYS_fcntl, fd as usize, F_DUPFD_CLOEXEC, 0) }).map(|n| n as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inet4_round_trip_and_layout() {
        let sa: SocketAddr = "192.168.1.20:8080".parse().unwrap();
        let k = SockAddr::from_inet(&sa);
        assert_eq!(k.len, 16);
        assert_eq!(k.family(), AF_INET);
        let raw: SockaddrIn = k.as_struct().unwrap();
        // Port and address in network order, as the kernel reads them.
        assert_eq!(raw.sin_port.to_ne_bytes(), [0x1f, 0x90]);
        assert_eq!(raw.sin_addr, [192, 168, 1, 20]);
        assert_eq!(raw.sin_zero, [0; 8]);
        assert_eq!(k.inet(), Some(sa));
    }

    #[test]
    fn inet6_round_trip_and_layout() {
        let sa = SocketAddr::V6(SocketAddrV6::new("fe80::1:2".parse().unwrap(), 443, 7, 3));
        let k = SockAddr::from_inet(&sa);
        assert_eq!(k.len, 28);
        assert_eq!(k.family(), AF_INET6);
        let raw: SockaddrIn6 = k.as_struct().unwrap();
        assert_eq!(raw.sin6_port.to_ne_bytes(), [0x01, 0xbb]);
        assert_eq!(raw.sin6_addr[0..2], [0xfe, 0x80]);
        assert_eq!(raw.sin6_addr[13..16], [1, 0, 2]);
        assert_eq!(raw.sin6_scope_id, 3);
        assert_eq!(raw.sin6_flowinfo, 7);
        assert_eq!(k.inet(), Some(sa));
        let lo: SocketAddr = "[::1]:9".parse().unwrap();
        assert_eq!(SockAddr::from_inet(&lo).inet(), Some(lo));
    }

    #[test]
    fn short_or_foreign_addresses_are_not_inet() {
        let mut k = SockAddr::from_inet(&"1.2.3.4:5".parse().unwrap());
        k.len = 8; // truncated by the kernel
        assert_eq!(k.inet(), None);
        let mut e = SockAddr::empty();
        e.len = 0;
        assert_eq!(e.family(), 0);
        assert_eq!(e.inet(), None);
        assert_eq!(e.unix_path(), None);
        let u = SockAddr::from_unix_path(b"/tmp/x").unwrap();
        assert_eq!(u.inet(), None);
    }

    #[test]
    fn unix_paths() {
        let u = SockAddr::from_unix_path(b"/tmp/sock").unwrap();
        assert_eq!(u.family(), AF_UNIX);
        assert_eq!(u.len as usize, 2 + 9 + 1);
        assert_eq!(u.unix_path(), Some(&b"/tmp/sock"[..]));
        // What the kernel reports for an unnamed socket: the family only.
        let mut unnamed = u;
        unnamed.len = 2;
        assert_eq!(unnamed.unix_path(), Some(&b""[..]));
        let empty = SockAddr::from_unix_path(b"").unwrap();
        assert_eq!(empty.len, 2);
        assert_eq!(empty.unix_path(), Some(&b""[..]));
        // Abstract: leading NUL, no terminator, length exact.
        let a = SockAddr::from_unix_path(b"\0rt0").unwrap();
        assert_eq!(a.len, 2 + 4);
        assert_eq!(a.unix_path(), Some(&b"\0rt0"[..]));
        // A full-length path has no room for the NUL and needs none.
        let long = [b'a'; SUN_PATH_LEN];
        let l = SockAddr::from_unix_path(&long).unwrap();
        assert_eq!(l.len as usize, 2 + SUN_PATH_LEN);
        assert_eq!(l.unix_path(), Some(&long[..]));
        assert_eq!(
            SockAddr::from_unix_path(&[b'a'; SUN_PATH_LEN + 1]).err(),
            Some(Errno::EINVAL)
        );
        assert_eq!(
            SockAddr::from_unix_path(b"/tmp/a\0b").err(),
            Some(Errno::EINVAL)
        );
    }
}
