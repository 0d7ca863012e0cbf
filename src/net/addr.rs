//! [`ToSocketAddrs`]: what `bind`, `connect` and `send_to` accept, and
//! name resolution (std's `ToSocketAddrs` and its `lookup_host`; Go's
//! `net.ResolveTCPAddr`, `net.SplitHostPort` and the resolver's hosts-file
//! path, `lookupStaticHost`).
//!
//! rt0 has no libc, hence no `getaddrinfo`, and no DNS client of its own:
//! a host resolves only if it is
//! 1. a numeric IPv4 or IPv6 address (`core::net`'s parsers: `"10.0.0.1"`,
//!    `"::1"`, and in `"host:port"` form `"[::1]:80"`),
//! 2. `localhost` or a name under `.localhost` (RFC 6761): 127.0.0.1
//!    then ::1, always, whatever `/etc/hosts` says,
//! 3. a name in `/etc/hosts` (read once; the `hosts` module's note).
//!
//! Anything else fails with `ErrorKind::NotFound` and a message saying
//! that rt0 has no DNS resolver. The order of the addresses is the order
//! above; `connect` tries them in turn, as std's does.

use alloc::string::String;
use alloc::vec::Vec;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use core::{iter, option, slice};

use super::hosts;
use crate::io::{self, ErrorKind};

/// The message of a host that does not resolve.
pub(crate) const NO_RESOLVER_MESSAGE: &str = "rt0 has no DNS resolver: a host must be a numeric address, \"localhost\" or a name in /etc/hosts";

/// Values that name one or more socket addresses (std's
/// `std::net::ToSocketAddrs`, with the same implementations, resolved as
/// the module note says).
pub trait ToSocketAddrs {
    /// The addresses, in the order to try them.
    type Iter: Iterator<Item = SocketAddr>;

    /// Resolves to socket addresses (std's `to_socket_addrs`).
    fn to_socket_addrs(&self) -> io::Result<Self::Iter>;
}

impl ToSocketAddrs for SocketAddr {
    type Iter = option::IntoIter<SocketAddr>;
    fn to_socket_addrs(&self) -> io::Result<Self::Iter> {
        Ok(Some(*self).into_iter())
    }
}

impl ToSocketAddrs for SocketAddrV4 {
    type Iter = option::IntoIter<SocketAddr>;
    fn to_socket_addrs(&self) -> io::Result<Self::Iter> {
        SocketAddr::V4(*self).to_socket_addrs()
    }
}

impl ToSocketAddrs for SocketAddrV6 {
    type Iter = option::IntoIter<SocketAddr>;
    fn to_socket_addrs(&self) -> io::Result<Self::Iter> {
        SocketAddr::V6(*self).to_socket_addrs()
    }
}

impl ToSocketAddrs for (IpAddr, u16) {
    type Iter = option::IntoIter<SocketAddr>;
    fn to_socket_addrs(&self) -> io::Result<Self::Iter> {
        SocketAddr::new(self.0, self.1).to_socket_addrs()
    }
}

impl ToSocketAddrs for (Ipv4Addr, u16) {
    type Iter = option::IntoIter<SocketAddr>;
    fn to_socket_addrs(&self) -> io::Result<Self::Iter> {
        SocketAddrV4::new(self.0, self.1).to_socket_addrs()
    }
}

impl ToSocketAddrs for (Ipv6Addr, u16) {
    type Iter = option::IntoIter<SocketAddr>;
    fn to_socket_addrs(&self) -> io::Result<Self::Iter> {
        SocketAddrV6::new(self.0, self.1, 0, 0).to_socket_addrs()
    }
}

impl ToSocketAddrs for (&str, u16) {
    type Iter = alloc::vec::IntoIter<SocketAddr>;
    fn to_socket_addrs(&self) -> io::Result<Self::Iter> {
        resolve(self.0, self.1, hosts::lookup).map(Vec::into_iter)
    }
}

impl ToSocketAddrs for (String, u16) {
    type Iter = alloc::vec::IntoIter<SocketAddr>;
    fn to_socket_addrs(&self) -> io::Result<Self::Iter> {
        (self.0.as_str(), self.1).to_socket_addrs()
    }
}

/// `"host:port"`, with `[v6]:port` for IPv6 (std's `impl for str`).
impl ToSocketAddrs for str {
    type Iter = alloc::vec::IntoIter<SocketAddr>;
    fn to_socket_addrs(&self) -> io::Result<Self::Iter> {
        resolve_host_port(self, hosts::lookup).map(Vec::into_iter)
    }
}

impl ToSocketAddrs for String {
    type Iter = alloc::vec::IntoIter<SocketAddr>;
    fn to_socket_addrs(&self) -> io::Result<Self::Iter> {
        self.as_str().to_socket_addrs()
    }
}

impl<'a> ToSocketAddrs for &'a [SocketAddr] {
    type Iter = iter::Cloned<slice::Iter<'a, SocketAddr>>;
    fn to_socket_addrs(&self) -> io::Result<Self::Iter> {
        Ok(self.iter().cloned())
    }
}

impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {
    type Iter = T::Iter;
    fn to_socket_addrs(&self) -> io::Result<T::Iter> {
        (**self).to_socket_addrs()
    }
}

/// Is `name` `localhost` or under `.localhost` (RFC 6761 section 6.3)?
fn is_localhost(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    let tail = "localhost";
    name.len() >= tail.len()
        && name[name.len() - tail.len()..].eq_ignore_ascii_case(tail)
        && (name.len() == tail.len() || name.as_bytes()[name.len() - tail.len() - 1] == b'.')
}

/// The addresses of `host` on `port` (module note), with `hosts_lookup`
/// standing for the `/etc/hosts` table.
pub(crate) fn resolve(
    host: &str,
    port: u16,
    hosts_lookup: impl FnOnce(&str) -> Vec<IpAddr>,
) -> io::Result<Vec<SocketAddr>> {
    let ips: Vec<IpAddr> = if let Ok(ip) = host.parse::<IpAddr>() {
        alloc::vec![ip]
    } else if is_localhost(host) {
        alloc::vec![
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(Ipv6Addr::LOCALHOST)
        ]
    } else {
        hosts_lookup(host)
    };
    if ips.is_empty() {
        return Err(io::Error::from_static(
            ErrorKind::NotFound,
            NO_RESOLVER_MESSAGE,
        ));
    }
    Ok(ips
        .into_iter()
        .map(|ip| SocketAddr::new(ip, port))
        .collect())
}

/// `"host:port"` resolved: a numeric socket address as it parses, else
/// the host (brackets removed) through [`resolve`].
pub(crate) fn resolve_host_port(
    s: &str,
    hosts_lookup: impl FnOnce(&str) -> Vec<IpAddr>,
) -> io::Result<Vec<SocketAddr>> {
    if let Ok(sa) = s.parse::<SocketAddr>() {
        return Ok(alloc::vec![sa]);
    }
    let Some((host, port)) = s.rsplit_once(':') else {
        return Err(io::Error::from_static(
            ErrorKind::InvalidInput,
            "invalid socket address",
        ));
    };
    let Ok(port) = port.parse::<u16>() else {
        return Err(io::Error::from_static(
            ErrorKind::InvalidInput,
            "invalid port value",
        ));
    };
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    resolve(host, port, hosts_lookup)
}

/// The first error of a try-each-address loop when there was no address
/// at all (std's message).
pub(crate) fn no_addresses() -> io::Error {
    io::Error::from_static(
        ErrorKind::InvalidInput,
        "could not resolve to any addresses",
    )
}

/// Runs `f` on each address of `addr` in turn until one succeeds (std's
/// `each_addr`): the first success, else the last error.
pub(crate) fn each_addr<A: ToSocketAddrs + ?Sized, T>(
    addr: &A,
    mut f: impl FnMut(&SocketAddr) -> io::Result<T>,
) -> io::Result<T> {
    let mut last = None;
    for a in addr.to_socket_addrs()? {
        match f(&a) {
            Ok(v) => return Ok(v),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(no_addresses))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str) -> Vec<IpAddr> {
        let t = hosts::parse(b"10.1.2.3 db db.lan\nfd00::5 db\n192.0.2.9 localhost\n");
        hosts::lookup_in(&t, name)
    }

    fn strs(v: io::Result<Vec<SocketAddr>>) -> Vec<String> {
        v.unwrap().iter().map(|a| alloc::format!("{a}")).collect()
    }

    #[test]
    fn numeric_addresses() {
        assert_eq!(
            strs(resolve_host_port("127.0.0.1:80", table)),
            ["127.0.0.1:80"]
        );
        assert_eq!(strs(resolve_host_port("[::1]:8080", table)), ["[::1]:8080"]);
        assert_eq!(strs(resolve("10.0.0.1", 7, table)), ["10.0.0.1:7"]);
        assert_eq!(
            strs(resolve("::ffff:1.2.3.4", 9, table)),
            ["[::ffff:1.2.3.4]:9"]
        );
        let sa: SocketAddr = "1.2.3.4:5".parse().unwrap();
        assert_eq!(sa.to_socket_addrs().unwrap().collect::<Vec<_>>(), [sa]);
        let v4 = (Ipv4Addr::new(1, 2, 3, 4), 5);
        assert_eq!(v4.to_socket_addrs().unwrap().collect::<Vec<_>>(), [sa]);
        let list = [sa, "[::1]:2".parse().unwrap()];
        assert_eq!((&list[..]).to_socket_addrs().unwrap().count(), 2);
        assert_eq!(
            "1.2.3.4:5".to_socket_addrs().unwrap().collect::<Vec<_>>(),
            [sa]
        );
        assert_eq!(
            String::from("1.2.3.4:5")
                .to_socket_addrs()
                .unwrap()
                .collect::<Vec<_>>(),
            [sa]
        );
    }

    #[test]
    fn localhost_is_fixed_and_first() {
        let both = ["127.0.0.1:80", "[::1]:80"];
        assert_eq!(strs(resolve_host_port("localhost:80", table)), both);
        assert_eq!(strs(resolve_host_port("LocalHost.:80", table)), both);
        assert_eq!(strs(resolve_host_port("app.localhost:80", table)), both);
        assert_eq!(strs(resolve("localhost", 80, table)), both);
        // Not a subdomain of localhost: looked up (and not found).
        assert!(resolve("notlocalhost", 80, table).is_err());
    }

    #[test]
    fn hosts_file_names() {
        assert_eq!(
            strs(resolve_host_port("db:5432", table)),
            ["10.1.2.3:5432", "[fd00::5]:5432"]
        );
        assert_eq!(strs(resolve_host_port("[DB.lan]:1", table)), ["10.1.2.3:1"]);
    }

    #[test]
    fn errors() {
        let e = resolve_host_port("example.com:80", table).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert_eq!(alloc::format!("{e}"), NO_RESOLVER_MESSAGE);
        let e = resolve_host_port("127.0.0.1", table).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert_eq!(alloc::format!("{e}"), "invalid socket address");
        let e = resolve_host_port("localhost:http", table).unwrap_err();
        assert_eq!(alloc::format!("{e}"), "invalid port value");
        let e = resolve_host_port("localhost:65536", table).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        // As std: the last colon splits, and "::1" is then numeric.
        assert_eq!(strs(resolve_host_port("::1:80", table)), ["[::1]:80"]);
        let empty: &[SocketAddr] = &[];
        let e = each_addr(&empty, |_| Ok(())).unwrap_err();
        assert_eq!(alloc::format!("{e}"), "could not resolve to any addresses");
    }

    #[test]
    fn each_addr_returns_first_success_or_last_error() {
        let list: [SocketAddr; 3] = [
            "1.1.1.1:1".parse().unwrap(),
            "2.2.2.2:2".parse().unwrap(),
            "3.3.3.3:3".parse().unwrap(),
        ];
        let mut tried = Vec::new();
        let r = each_addr(&&list[..], |a| {
            tried.push(a.port());
            if a.port() == 2 {
                Ok(a.port())
            } else {
                Err(io::Error::from_raw_os_error(111))
            }
        });
        assert_eq!(r.unwrap(), 2);
        assert_eq!(tried, [1, 2]);
        let e = each_addr(&&list[..], |a| {
            Err::<(), _>(io::Error::from_raw_os_error(100 + i32::from(a.port())))
        })
        .unwrap_err();
        assert_eq!(e.raw_os_error(), Some(103));
    }
}
