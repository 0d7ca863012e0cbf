//! IPv6 loopback and the addressing corners of `rt0::net` (`core::net`
//! addresses): tests/net_programs.rs runs it natively and under
//! qemu-x86_64, and the Go twin (tests/net/go/net_ipv6) alike. One mode,
//! `self`, printing one line per check and then `ok`:
//!
//! - `v6 local=ADDR peer_ok=1 accepted_ok=1 bytes=N echo_ok=1`: a listener
//!   on `[::1]:0` has a V6 local address `[::1]:PORT` with a port chosen;
//!   a connection to it has that address as its peer, the accepted side's
//!   peer is a V6 loopback address; 1 MiB written by each side arrives
//!   intact at the other.
//! - `localhost ok=1`: `connect("localhost:PORT")` reaches a listener on
//!   127.0.0.1 (the name resolves without libc) and a byte crosses.
//! - `refused v4=1 v6=1`: connecting to a port nobody listens on (a
//!   listener's, after closing it) fails with ConnectionRefused.
#![no_std]
#![no_main]
extern crate alloc;

#[path = "chanutil/mod.rs"]
mod chanutil;

use alloc::format;
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;
use chanutil::{arg, usage};
use core::net::{IpAddr, Ipv6Addr, SocketAddr};
use rt0::chan::Chan;
use rt0::io::{ErrorKind, Read, Write};
use rt0::net::{TcpListener, TcpStream};
use rt0::runtime::go;

rt0::main!(main);

const SIZE: usize = 1 << 20;

fn check<T, E: core::fmt::Display>(r: Result<T, E>, what: &str) -> T {
    r.unwrap_or_else(|e| {
        rt0::eprintln!("net_ipv6: {what}: {e}");
        rt0::process::exit(1)
    })
}

fn pattern(seed: u8) -> Vec<u8> {
    (0..SIZE)
        .map(|i| (i as u8).wrapping_mul(31) ^ seed)
        .collect()
}

/// Writes `mine` from a goroutine while reading `SIZE` bytes; the read
/// must equal `theirs`.
fn exchange(s: TcpStream, mine: Vec<u8>, theirs: &[u8]) -> bool {
    let s = Arc::new(s);
    let done: Chan<()> = Chan::new(1);
    {
        let (s, done) = (s.clone(), done.clone());
        go(move || {
            check((&*s).write_all(&mine), "write_all");
            let _ = done.send(());
        });
    }
    let mut got = vec![0u8; SIZE];
    check((&*s).read_exact(&mut got), "read_exact");
    let _ = done.recv();
    got[..] == theirs[..]
}

fn refused(listen: &str) -> bool {
    let ln = check(TcpListener::bind(listen), "bind");
    let addr = check(ln.local_addr(), "local_addr");
    check(ln.close(), "close");
    matches!(TcpStream::connect(addr), Err(e) if e.kind() == ErrorKind::ConnectionRefused)
}

fn main() {
    if arg(1) != "self" {
        usage(arg(1));
    }
    let ln = check(TcpListener::bind("[::1]:0"), "bind [::1]:0");
    let local = check(ln.local_addr(), "local_addr");
    let v6_loopback = local.ip() == IpAddr::V6(Ipv6Addr::LOCALHOST) && local.port() != 0;
    let c = check(TcpStream::connect(local), "connect");
    let peer_ok = check(c.peer_addr(), "peer_addr") == local;
    let (s, from) = check(ln.accept(), "accept");
    let accepted_ok = from.is_ipv6()
        && from.ip() == IpAddr::V6(Ipv6Addr::LOCALHOST)
        && check(s.peer_addr(), "accepted peer_addr") == from;
    let (a, b) = (pattern(1), pattern(2));
    let server = {
        let (a, b) = (a.clone(), b.clone());
        let done: Chan<bool> = Chan::new(1);
        let d = done.clone();
        go(move || {
            let _ = d.send(exchange(s, b, &a));
        });
        done
    };
    let client_ok = exchange(c, a, &b);
    let server_ok = check(server.recv().map_err(|_| "closed"), "server result");
    rt0::println!(
        "v6 local={local} loopback={} peer_ok={} accepted_ok={} bytes={} echo_ok={}",
        u32::from(v6_loopback),
        u32::from(peer_ok),
        u32::from(accepted_ok),
        2 * SIZE,
        u32::from(client_ok && server_ok)
    );

    let ln4 = check(TcpListener::bind("127.0.0.1:0"), "bind 127.0.0.1:0");
    let port = check(ln4.local_addr(), "local_addr").port();
    let name = format!("localhost:{port}");
    let mut c = check(TcpStream::connect(name.as_str()), "connect localhost");
    let (mut s, from) = check(ln4.accept(), "accept localhost");
    check(c.write_all(b"h"), "write localhost");
    let mut b = [0u8; 1];
    check(s.read_exact(&mut b), "read localhost");
    let ok = &b == b"h" && from.ip() == IpAddr::V4(core::net::Ipv4Addr::LOCALHOST);
    rt0::println!("localhost ok={}", u32::from(ok));

    let addr: SocketAddr = check("[::1]:80".parse(), "parse");
    if addr.port() != 80 || !addr.is_ipv6() {
        rt0::println!("FAIL: [::1]:80 parsed as {addr}");
    }
    rt0::println!(
        "refused v4={} v6={}",
        u32::from(refused("127.0.0.1:0")),
        u32::from(refused("[::1]:0"))
    );
    rt0::println!("ok");
}
