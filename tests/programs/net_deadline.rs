//! Read and write timeouts and deadlines fire on time (Go's
//! `SetReadDeadline`/`SetWriteDeadline` and std's `set_read_timeout`
//! shapes). Each mode measures with `nanotime` from before the timeout or
//! deadline is set (so "never early" is exact) and prints one `MODE ...`
//! line of `key=value` fields (times in microseconds), then `ok`;
//! tests/net_programs.rs holds them to `took >= want` and a generous
//! upper bound, and runs the Go twin (tests/net/go/net_deadline) with
//! the same assertions.
//!
//! - `read_timeout MS`: a read on a connection whose peer is silent fails
//!   with TimedOut after MS; a second read does too (a timeout is per
//!   call); with the timeout cleared the next read gets the peer's byte.
//! - `read_deadline MS`: an absolute deadline MS ahead fails the read
//!   with TimedOut; a read after it fails at once (the deadline stays
//!   passed until moved); cleared, the read gets the peer's byte.
//! - `deadline_while_blocked MS`: a goroutine blocks in read with no
//!   deadline; main sees it parked, then sets a deadline MS ahead: the
//!   blocked read wakes with TimedOut at it.
//! - `write_timeout MS`: the peer never reads, so writes fill the socket
//!   buffers; the first write that cannot proceed fails with TimedOut
//!   after MS (`call_us`: that call's own duration).
//! - `write_deadline MS`: the same with a deadline MS ahead, measured
//!   from setting it.
//! - `connect_timeout ADDR MS`: ADDR is a listener whose accept queue the
//!   harness has filled (backlog 0, one connection queued), so the SYN is
//!   dropped: the connect fails with TimedOut after MS.
#![no_std]
#![no_main]
extern crate alloc;

#[path = "chanutil/mod.rs"]
mod chanutil;

use alloc::sync::Arc;
use alloc::vec;
use chanutil::{arg, arg_u64, usage, wait_parked};
use core::net::SocketAddr;
use core::time::Duration;
use rt0::chan::Chan;
use rt0::io::{ErrorKind, Read, Write};
use rt0::net::{TcpListener, TcpStream};
use rt0::runtime::go;
use rt0::time::{Instant, nanotime};

rt0::main!(main);

fn check<T, E: core::fmt::Display>(r: Result<T, E>, what: &str) -> T {
    r.unwrap_or_else(|e| {
        rt0::eprintln!("net_deadline: {what}: {e}");
        rt0::process::exit(1)
    })
}

/// Both ends of a loopback TCP connection (the listener is dropped).
fn pair() -> (TcpStream, TcpStream) {
    let ln = check(TcpListener::bind("127.0.0.1:0"), "bind");
    let addr = check(ln.local_addr(), "local_addr");
    let c = check(TcpStream::connect(addr), "connect");
    let (s, _) = check(ln.accept(), "accept");
    (c, s)
}

fn us_since(t0: i64) -> i64 {
    (nanotime() - t0) / 1000
}

fn kind_name(k: ErrorKind) -> &'static str {
    match k {
        ErrorKind::TimedOut => "TimedOut",
        ErrorKind::WouldBlock => "WouldBlock",
        _ => "other",
    }
}

/// A read that must fail: returns (microseconds it took, kind).
fn failing_read(c: &mut TcpStream, t0: i64) -> (i64, &'static str) {
    let mut b = [0u8; 16];
    match c.read(&mut b) {
        Ok(n) => {
            rt0::println!("FAIL: read returned {n} bytes");
            rt0::process::exit(1)
        }
        Err(e) => (us_since(t0), kind_name(e.kind())),
    }
}

/// The peer writes one byte; the read must now get it.
fn read_after(c: &mut TcpStream, peer: &mut TcpStream) -> usize {
    check(peer.write_all(b"x"), "peer write");
    let mut b = [0u8; 16];
    check(c.read(&mut b), "read after clearing")
}

/// Writes 64 KiB chunks until one fails; returns (bytes written before,
/// microseconds since `t0`, the failing call's own duration, kind).
fn fill(c: &mut TcpStream, t0: i64) -> (usize, i64, i64, &'static str) {
    let buf = vec![0x5au8; 64 * 1024];
    let mut total = 0;
    loop {
        let call = nanotime();
        match c.write(&buf) {
            Ok(n) => total += n,
            Err(e) => {
                let now = nanotime();
                return (
                    total,
                    (now - t0) / 1000,
                    (now - call) / 1000,
                    kind_name(e.kind()),
                );
            }
        }
    }
}

fn main() {
    let mode = arg(1);
    match mode {
        "read_timeout" => {
            let ms = arg_u64(2, 100);
            let (mut c, mut peer) = pair();
            let t0 = nanotime();
            check(
                c.set_read_timeout(Some(Duration::from_millis(ms))),
                "set_read_timeout",
            );
            let (took, kind) = failing_read(&mut c, t0);
            let t1 = nanotime();
            let (again, kind2) = failing_read(&mut c, t1);
            check(c.set_read_timeout(None), "clear");
            let n = read_after(&mut c, &mut peer);
            rt0::println!(
                "{mode} want_us={} took_us={took} kind={kind} again_us={again} kind2={kind2} after_clear={n}",
                ms * 1000
            );
        }
        "read_deadline" => {
            let ms = arg_u64(2, 100);
            let (mut c, mut peer) = pair();
            let t0 = nanotime();
            check(
                c.set_read_deadline(Some(Instant::now() + Duration::from_millis(ms))),
                "set_read_deadline",
            );
            let (took, kind) = failing_read(&mut c, t0);
            let t1 = nanotime();
            let (again, kind2) = failing_read(&mut c, t1);
            check(c.set_read_deadline(None), "clear");
            let n = read_after(&mut c, &mut peer);
            rt0::println!(
                "{mode} want_us={} took_us={took} kind={kind} again_us={again} kind2={kind2} after_clear={n}",
                ms * 1000
            );
        }
        "deadline_while_blocked" => {
            let ms = arg_u64(2, 100);
            let (c, _peer) = pair();
            let c = Arc::new(c);
            let done: Chan<(i64, &'static str)> = Chan::new(1);
            {
                let (c, done) = (c.clone(), done.clone());
                go(move || {
                    let mut b = [0u8; 16];
                    let r = (&*c).read(&mut b);
                    let at = nanotime();
                    let kind = match r {
                        Ok(_) => "data",
                        Err(e) => kind_name(e.kind()),
                    };
                    let _ = done.send((at, kind));
                });
            }
            wait_parked("IO wait", 1);
            let t0 = nanotime();
            check(
                c.set_read_deadline(Some(Instant::now() + Duration::from_millis(ms))),
                "set_read_deadline",
            );
            let (at, kind) = check(done.recv().map_err(|_| "closed"), "recv");
            rt0::println!(
                "{mode} want_us={} took_us={} kind={kind}",
                ms * 1000,
                (at - t0) / 1000
            );
        }
        "write_timeout" => {
            let ms = arg_u64(2, 100);
            let (mut c, _peer) = pair();
            let t0 = nanotime();
            check(
                c.set_write_timeout(Some(Duration::from_millis(ms))),
                "set_write_timeout",
            );
            let (bytes, _, call, kind) = fill(&mut c, t0);
            rt0::println!(
                "{mode} want_us={} took_us={call} kind={kind} bytes_before={bytes}",
                ms * 1000
            );
        }
        "write_deadline" => {
            let ms = arg_u64(2, 100);
            let (mut c, _peer) = pair();
            let t0 = nanotime();
            check(
                c.set_write_deadline(Some(Instant::now() + Duration::from_millis(ms))),
                "set_write_deadline",
            );
            let (bytes, since, _, kind) = fill(&mut c, t0);
            rt0::println!(
                "{mode} want_us={} took_us={since} kind={kind} bytes_before={bytes}",
                ms * 1000
            );
        }
        "connect_timeout" => {
            let addr: SocketAddr = check(arg(2).parse(), "address");
            let ms = arg_u64(3, 100);
            let t0 = nanotime();
            let r = TcpStream::connect_timeout(&addr, Duration::from_millis(ms));
            let took = us_since(t0);
            let kind = match r {
                Ok(_) => "connected",
                Err(e) => kind_name(e.kind()),
            };
            rt0::println!("{mode} want_us={} took_us={took} kind={kind}", ms * 1000);
        }
        _ => usage(mode),
    }
    rt0::println!("ok");
}
