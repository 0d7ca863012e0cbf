//! Programs whose goroutines all wait, on sockets or on channels, with no
//! timer anywhere (Go's `checkdead` with the netpoller: a goroutine
//! parked in the poller can still be woken by the network, so it is not
//! deadlocked). Each mode sets up, prints `ready MODE`, then blocks for
//! good; tests/net_idle.rs asserts what Go 1.19 does with the twin
//! (tests/net/go/net_idle) and holds rt0 to the same.
//!
//! - `sockets`: one goroutine in accept, one reading a TCP connection
//!   whose peer is open and silent, one in a UDP recv_from; main reads the
//!   other end of that TCP connection. Not deadlocked: runs until killed.
//! - `one_socket`: only main, reading a socket nobody will ever write.
//!   Not deadlocked.
//! - `chan_accept`: main in a channel receive nobody satisfies, one
//!   goroutine in accept on an idle listener. Not deadlocked.
//! - `chan_listener`: the same listener with nobody waiting on it, main in
//!   the channel receive: deadlocked (`fatal error: all goroutines are
//!   asleep - deadlock!`, exit 2).
//! - `chan_only`: a plain channel deadlock.
//! - `wake_after_idle`: main in accept on 127.0.0.1:0, printing `ready
//!   ADDR`; the test leaves it idle (every M asleep, no timer), then
//!   connects and sends a line: the program must wake, print `got LINE`
//!   and exit 0.
#![no_std]
#![no_main]
extern crate alloc;

#[path = "chanutil/mod.rs"]
mod chanutil;

use chanutil::{arg, usage};
use rt0::chan::Chan;
use rt0::io::Read;
use rt0::net::{TcpListener, TcpStream, UdpSocket};
use rt0::runtime::go;

rt0::main!(main);

fn check<T, E: core::fmt::Display>(r: Result<T, E>, what: &str) -> T {
    r.unwrap_or_else(|e| {
        rt0::eprintln!("net_idle: {what}: {e}");
        rt0::process::exit(1)
    })
}

/// Both ends of a loopback TCP connection, and the listener.
fn pair() -> (TcpListener, TcpStream, TcpStream) {
    let ln = check(TcpListener::bind("127.0.0.1:0"), "bind");
    let addr = check(ln.local_addr(), "local_addr");
    let c = check(TcpStream::connect(addr), "connect");
    let (s, _) = check(ln.accept(), "accept");
    (ln, c, s)
}

/// Reads one byte; returning at all is a failure (nobody writes).
fn read_forever(mut c: TcpStream) -> ! {
    let mut b = [0u8; 1];
    let r = c.read(&mut b);
    rt0::println!("read returned {:?}", r.map_err(|e| e.kind()));
    rt0::process::exit(1)
}

fn main() {
    let mode = arg(1);
    let never: Chan<u32> = Chan::new(0);
    match mode {
        "sockets" => {
            let (ln, c, s) = pair();
            go(move || {
                let r = ln.accept();
                rt0::println!("accept returned {:?}", r.map(|_| ()).map_err(|e| e.kind()));
                rt0::process::exit(1)
            });
            go(move || read_forever(s));
            let u = check(UdpSocket::bind("127.0.0.1:0"), "udp bind");
            go(move || {
                let mut b = [0u8; 64];
                let r = u.recv_from(&mut b);
                rt0::println!("recv returned {:?}", r.map(|_| ()).map_err(|e| e.kind()));
                rt0::process::exit(1)
            });
            rt0::println!("ready {mode}");
            read_forever(c)
        }
        "one_socket" => {
            let (_ln, c, _s) = pair();
            rt0::println!("ready {mode}");
            read_forever(c)
        }
        "chan_accept" => {
            let ln = check(TcpListener::bind("127.0.0.1:0"), "bind");
            go(move || {
                let r = ln.accept();
                rt0::println!("accept returned {:?}", r.map(|_| ()).map_err(|e| e.kind()));
                rt0::process::exit(1)
            });
            rt0::println!("ready {mode}");
            let _ = never.recv();
        }
        "chan_listener" => {
            let _ln = check(TcpListener::bind("127.0.0.1:0"), "bind");
            rt0::println!("ready {mode}");
            let _ = never.recv();
        }
        "chan_only" => {
            rt0::println!("ready {mode}");
            let _ = never.recv();
        }
        "wake_after_idle" => {
            let ln = check(TcpListener::bind("127.0.0.1:0"), "bind");
            rt0::println!("ready {}", check(ln.local_addr(), "local_addr"));
            let (mut c, _) = check(ln.accept(), "accept");
            let mut line = alloc::vec::Vec::new();
            let mut b = [0u8; 1];
            while check(c.read(&mut b), "read") == 1 && b[0] != b'\n' {
                line.push(b[0]);
            }
            rt0::println!("got {}", core::str::from_utf8(&line).unwrap_or("?"));
            rt0::process::exit(0)
        }
        _ => usage(mode),
    }
    rt0::println!("main returned");
    rt0::process::exit(1)
}
