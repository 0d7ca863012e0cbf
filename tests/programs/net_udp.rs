//! UDP echo with `rt0::net::UdpSocket`, over IPv4 or IPv6 (the address
//! says which). tests/net_programs.rs runs both modes, natively and under
//! qemu-x86_64, and the Go twin (tests/net/go/net_udp) alike.
//!
//! - `self ADDR`: an echo server goroutine bound to ADDR and four client
//!   goroutines, two `connect`ed (send/recv) and two not (send_to/
//!   recv_from, checking the reply comes from ADDR), each sending 250
//!   datagrams one at a time: an empty one, the rest of random sizes up
//!   to 8 KiB, and from client 0 one of the largest size a datagram can
//!   have on that family. Every reply is compared byte for byte; a lost
//!   one fails after the 10 s read timeout. Loopback loses a datagram
//!   only when the receiving socket's buffer is full: four 64 KiB
//!   datagrams queued at the server at once can overrun its 208 KiB
//!   (seen under qemu: the kernel's Udp RcvbufErrors counted the drop),
//!   so only one client sends the largest. Prints `udp_self clients=4 datagrams=N
//!   bytes=N bad=0`, then `ok`.
//! - `serve ADDR`: an echo server on ADDR for tests/net/peer_client.py;
//!   prints `listening ADDR` once bound and runs until killed.
#![no_std]
#![no_main]
extern crate alloc;

#[path = "chanutil/mod.rs"]
mod chanutil;

use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;
use chanutil::{Rng, arg, usage};
use core::net::SocketAddr;
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use core::time::Duration;
use rt0::net::UdpSocket;
use rt0::runtime::go;
use rt0::sync::WaitGroup;

rt0::main!(main);

const CLIENTS: u64 = 4;
const PER_CLIENT: u64 = 250;
/// The largest UDP payload: 65535 minus the IPv4 (20) and UDP (8) headers.
const MAX_V4: usize = 65_507;
/// On IPv6 the 40-byte header is outside the 65535-byte payload length.
const MAX_V6: usize = 65_527;

fn check<T, E: core::fmt::Display>(r: Result<T, E>, what: &str) -> T {
    r.unwrap_or_else(|e| {
        rt0::eprintln!("net_udp: {what}: {e}");
        rt0::process::exit(1)
    })
}

/// Echoes every datagram back to its sender, forever.
fn serve(sock: UdpSocket) -> ! {
    let mut buf = vec![0u8; 65_536];
    loop {
        let (n, from) = check(sock.recv_from(&mut buf), "server recv_from");
        check(sock.send_to(&buf[..n], from), "server send_to");
    }
}

struct Totals {
    datagrams: AtomicU64,
    bytes: AtomicU64,
    bad: AtomicU64,
}

fn client(id: u64, server: SocketAddr, totals: &Totals) {
    let local = if server.is_ipv6() {
        "[::1]:0"
    } else {
        "127.0.0.1:0"
    };
    let max = if server.is_ipv6() { MAX_V6 } else { MAX_V4 };
    let sock = check(UdpSocket::bind(local), "client bind");
    check(
        sock.set_read_timeout(Some(Duration::from_secs(10))),
        "set_read_timeout",
    );
    let connected = id.is_multiple_of(2);
    if connected {
        check(sock.connect(server), "connect");
    }
    let mut rng = Rng::new(id + 1);
    let mut back = vec![0u8; 65_536];
    for i in 0..PER_CLIENT {
        let size = match i {
            0 => 0,
            1 if id == 0 => max,
            _ => rng.range(1, 8192) as usize,
        };
        let msg: Vec<u8> = (0..size)
            .map(|k| (rng.next() >> 56) as u8 ^ k as u8)
            .collect();
        let n = if connected {
            check(sock.send(&msg), "send");
            check(sock.recv(&mut back), "recv (lost datagram?)")
        } else {
            check(sock.send_to(&msg, server), "send_to");
            let (n, from) = check(sock.recv_from(&mut back), "recv_from (lost datagram?)");
            if from != server {
                rt0::println!("FAIL: client {id}: reply from {from}, not {server}");
                totals.bad.fetch_add(1, Relaxed);
            }
            n
        };
        if back[..n] != msg[..] {
            rt0::println!("FAIL: client {id} datagram {i}: {n} bytes back, {size} sent");
            totals.bad.fetch_add(1, Relaxed);
        }
        totals.datagrams.fetch_add(1, Relaxed);
        totals.bytes.fetch_add(n as u64, Relaxed);
    }
}

fn main() {
    let mode = arg(1);
    let addr: SocketAddr = check(arg(2).parse(), "address");
    match mode {
        "self" => {
            let sock = check(UdpSocket::bind(addr), "server bind");
            go(move || serve(sock));
            let totals = Arc::new(Totals {
                datagrams: AtomicU64::new(0),
                bytes: AtomicU64::new(0),
                bad: AtomicU64::new(0),
            });
            let wg = Arc::new(WaitGroup::new());
            for id in 0..CLIENTS {
                wg.add(1);
                let (wg, totals) = (wg.clone(), totals.clone());
                go(move || {
                    client(id, addr, &totals);
                    wg.done();
                });
            }
            wg.wait();
            rt0::println!(
                "udp_self clients={CLIENTS} datagrams={} bytes={} bad={}",
                totals.datagrams.load(Relaxed),
                totals.bytes.load(Relaxed),
                totals.bad.load(Relaxed)
            );
            rt0::println!("ok");
        }
        "serve" => {
            let sock = check(UdpSocket::bind(addr), "bind");
            rt0::println!("listening {addr}");
            serve(sock)
        }
        _ => usage(mode),
    }
}
