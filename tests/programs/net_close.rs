//! Closing a socket while another goroutine is blocked on it (Go's
//! `pollDesc` evict on close): the blocked goroutine wakes at once with
//! "use of closed network connection" (Go's `ErrNetClosing`), and every
//! later operation and a second close fail the same way. Each mode waits
//! until the victim is really parked (`[IO wait]`, through the runtime's
//! test hook), closes, and prints `MODE woke_us=N closed_err=1
//! after_err=1 second_close_err=1` and `MODE_err MESSAGE`, then `ok`;
//! tests/net_programs.rs asserts them and runs the Go twin
//! (tests/net/go/net_close) with the same assertions.
//!
//! - `tcp_read`: a reader on a connection whose peer is silent.
//! - `tcp_write`: a writer on a connection whose peer never reads, parked
//!   once the socket buffers are full.
//! - `accept`: a goroutine in accept on a listener nobody connects to.
//! - `udp_recv`: a goroutine in recv_from on an unbound-to-anyone socket.
//!
//! After each close the program opens a fresh connection (which may get
//! the closed descriptor's number) and uses it: the old waiter must not
//! be woken by it, and it must work.
#![no_std]
#![no_main]
extern crate alloc;

#[path = "chanutil/mod.rs"]
mod chanutil;

use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec;
use chanutil::{arg, usage, wait_parked};
use rt0::chan::Chan;
use rt0::io::{Read, Write};
use rt0::net::{TcpListener, TcpStream, UdpSocket};
use rt0::runtime::go;
use rt0::time::nanotime;

rt0::main!(main);

const CLOSED: &str = "use of closed network connection";

fn check<T, E: core::fmt::Display>(r: Result<T, E>, what: &str) -> T {
    r.unwrap_or_else(|e| {
        rt0::eprintln!("net_close: {what}: {e}");
        rt0::process::exit(1)
    })
}

fn pair() -> (TcpStream, TcpStream) {
    let ln = check(TcpListener::bind("127.0.0.1:0"), "bind");
    let addr = check(ln.local_addr(), "local_addr");
    let c = check(TcpStream::connect(addr), "connect");
    let (s, _) = check(ln.accept(), "accept");
    (c, s)
}

/// The error's message, or "no error" (a failure the test reports).
fn msg<T>(r: rt0::io::Result<T>) -> String {
    match r {
        Ok(_) => String::from("no error"),
        Err(e) => format!("{e}"),
    }
}

fn flag(m: &str) -> u32 {
    u32::from(m.contains(CLOSED))
}

/// A fresh connection works (whatever descriptor number it got).
fn fresh_pair_works() {
    let (mut c, mut s) = pair();
    check(c.write_all(b"fresh"), "fresh write");
    let mut b = [0u8; 5];
    check(s.read_exact(&mut b), "fresh read");
    if &b != b"fresh" {
        rt0::println!("FAIL: fresh connection read {b:?}");
        rt0::process::exit(1);
    }
}

/// Runs `block` in a goroutine (it returns the error message of the
/// operation that should block until closed), waits until it is parked
/// in the poller, calls `close`, and reports how long the wake-up took.
fn victim(
    mode: &str,
    block: impl FnOnce() -> String + Send + 'static,
    close: impl FnOnce() -> rt0::io::Result<()>,
    after: impl FnOnce() -> String,
    second: impl FnOnce() -> String,
) {
    let done: Chan<(i64, String)> = Chan::new(1);
    {
        let done = done.clone();
        go(move || {
            let m = block();
            let _ = done.send((nanotime(), m));
        });
    }
    wait_parked("IO wait", 1);
    let t0 = nanotime();
    check(close(), "close");
    fresh_pair_works();
    let (at, m) = check(done.recv().map_err(|_| "closed"), "recv");
    let a = after();
    let s = second();
    rt0::println!(
        "{mode} woke_us={} closed_err={} after_err={} second_close_err={}",
        (at - t0) / 1000,
        flag(&m),
        flag(&a),
        flag(&s)
    );
    rt0::println!("{mode}_err {m}");
}

fn main() {
    let mode = arg(1);
    match mode {
        "tcp_read" => {
            let (c, _peer) = pair();
            let c = Arc::new(c);
            let r = c.clone();
            victim(
                mode,
                move || {
                    let mut b = [0u8; 16];
                    msg((&*r).read(&mut b))
                },
                || c.close(),
                || msg((&*c).read(&mut [0u8; 16])),
                || msg(c.close()),
            );
        }
        "tcp_write" => {
            let (c, _peer) = pair();
            let c = Arc::new(c);
            let w = c.clone();
            victim(
                mode,
                move || {
                    let buf = vec![0u8; 64 * 1024];
                    loop {
                        if let Err(e) = (&*w).write(&buf) {
                            return format!("{e}");
                        }
                    }
                },
                || c.close(),
                || msg((&*c).write(b"x")),
                || msg(c.close()),
            );
        }
        "accept" => {
            let ln = Arc::new(check(TcpListener::bind("127.0.0.1:0"), "bind"));
            let l = ln.clone();
            victim(
                mode,
                move || msg(l.accept()),
                || ln.close(),
                || msg(ln.accept()),
                || msg(ln.close()),
            );
        }
        "udp_recv" => {
            let u = Arc::new(check(UdpSocket::bind("127.0.0.1:0"), "udp bind"));
            let r = u.clone();
            victim(
                mode,
                move || msg(r.recv_from(&mut [0u8; 64])),
                || u.close(),
                || msg(u.recv_from(&mut [0u8; 64])),
                || msg(u.close()),
            );
        }
        _ => usage(mode),
    }
    rt0::println!("ok");
}
