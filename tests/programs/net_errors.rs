//! Socket errors are `io::Error`s, never signals or crashes (Go: a write
//! to a broken connection returns EPIPE and the process lives on; rt0
//! sends with MSG_NOSIGNAL). Each mode prints `MODE kind=KIND`, then `ok`;
//! tests/net_programs.rs asserts the kinds, exit 0 and that no signal
//! ended the program, and runs the Go twin (tests/net/go/net_errors)
//! with the same assertions.
//!
//! - `epipe_tcp`, `epipe_unix`: the peer closes; writes go on until one
//!   fails: BrokenPipe (EPIPE), or ConnectionReset when the peer's reset
//!   arrives first. Under the default SIGPIPE disposition (the test
//!   resets it before exec), a write that raised SIGPIPE would kill the
//!   process.
//! - `reset`: the peer closes with our byte unread in its receive queue,
//!   so its kernel answers with a reset: our read fails with
//!   ConnectionReset.
//! - `udp_refused`: a connected UDP socket sends to a port nobody has;
//!   the ICMP port-unreachable makes the next recv fail with
//!   ConnectionRefused.
#![no_std]
#![no_main]
extern crate alloc;

#[path = "chanutil/mod.rs"]
mod chanutil;

use alloc::vec;
use chanutil::{arg, usage};
use core::time::Duration;
use rt0::io::{ErrorKind, Read, Write};
use rt0::net::{TcpListener, TcpStream, UdpSocket, UnixStream};

rt0::main!(main);

fn check<T, E: core::fmt::Display>(r: Result<T, E>, what: &str) -> T {
    r.unwrap_or_else(|e| {
        rt0::eprintln!("net_errors: {what}: {e}");
        rt0::process::exit(1)
    })
}

fn kind_name(k: ErrorKind) -> &'static str {
    match k {
        ErrorKind::BrokenPipe => "BrokenPipe",
        ErrorKind::ConnectionReset => "ConnectionReset",
        ErrorKind::ConnectionRefused => "ConnectionRefused",
        ErrorKind::TimedOut => "TimedOut",
        _ => "other",
    }
}

fn tcp_pair() -> (TcpStream, TcpStream) {
    let ln = check(TcpListener::bind("127.0.0.1:0"), "bind");
    let addr = check(ln.local_addr(), "local_addr");
    let c = check(TcpStream::connect(addr), "connect");
    let (s, _) = check(ln.accept(), "accept");
    (c, s)
}

/// Writes 4 KiB at a time until a write fails; the kind of that error.
fn write_until_error(mut w: impl Write) -> &'static str {
    let buf = vec![7u8; 4096];
    for _ in 0..100_000 {
        if let Err(e) = w.write(&buf) {
            return kind_name(e.kind());
        }
    }
    "no error"
}

fn main() {
    let mode = arg(1);
    let kind = match mode {
        "epipe_tcp" => {
            let (c, s) = tcp_pair();
            drop(s);
            write_until_error(c)
        }
        "epipe_unix" => {
            let (c, s) = check(UnixStream::pair(), "socketpair");
            drop(s);
            write_until_error(c)
        }
        "reset" => {
            let (mut c, s) = tcp_pair();
            check(c.write_all(b"unread"), "write");
            // The byte sits in s's receive queue when s closes.
            check(s.close(), "close");
            check(c.set_read_timeout(Some(Duration::from_secs(10))), "timeout");
            match c.read(&mut [0u8; 16]) {
                Ok(n) => {
                    rt0::println!("FAIL: read returned {n}");
                    "none"
                }
                Err(e) => kind_name(e.kind()),
            }
        }
        "udp_refused" => {
            let gone = check(UdpSocket::bind("127.0.0.1:0"), "bind");
            let addr = check(gone.local_addr(), "local_addr");
            check(gone.close(), "close");
            let u = check(UdpSocket::bind("127.0.0.1:0"), "bind");
            check(u.connect(addr), "connect");
            check(u.set_read_timeout(Some(Duration::from_secs(10))), "timeout");
            check(u.send(b"anyone?"), "send");
            match u.recv(&mut [0u8; 16]) {
                Ok(n) => {
                    rt0::println!("FAIL: recv returned {n}");
                    "none"
                }
                Err(e) => kind_name(e.kind()),
            }
        }
        _ => usage(mode),
    };
    rt0::println!("{mode} kind={kind}");
    rt0::println!("ok");
}
