//! rt0 on the client side: `net_load ADDR CONNS MAX_SIZE` connects CONNS
//! goroutines at once to a TCP echo server at ADDR (the test runs it
//! against the Go twin of echo_server, an independent server), each
//! writing a payload of a random size up to MAX_SIZE from a second
//! goroutine and then shutting its write side, while it reads the echo
//! to EOF and compares it byte for byte (and by FNV-1a hash). All
//! connections are established before any payload is sent (a barrier),
//! so all CONNS are open at once and the connects really are concurrent
//! (non-blocking connect, EINPROGRESS, then the poller).
//!
//! Prints `load conns=N connected=N ok=N bytes=N hash_ok=1`, then `ok`;
//! a failed connection prints `FAIL: ...` and the program exits 1.
#![no_std]
#![no_main]
extern crate alloc;

#[path = "chanutil/mod.rs"]
mod chanutil;

use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;
use chanutil::{Rng, arg, arg_u64};
use core::net::SocketAddr;
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use rt0::io::{Read, Write};
use rt0::net::{Shutdown, TcpStream};
use rt0::runtime::go;
use rt0::sync::WaitGroup;

rt0::main!(main);

fn check<T, E: core::fmt::Display>(r: Result<T, E>, what: &str) -> T {
    r.unwrap_or_else(|e| {
        rt0::println!("FAIL: {what}: {e}");
        rt0::process::exit(1)
    })
}

/// FNV-1a, 64 bits, continued from `h`.
fn fnv(mut h: u64, data: &[u8]) -> u64 {
    for &b in data {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

struct Totals {
    connected: AtomicU64,
    ok: AtomicU64,
    bytes: AtomicU64,
    hash_sent: AtomicU64,
    hash_got: AtomicU64,
}

fn main() {
    let addr: SocketAddr = check(arg(1).parse(), "address");
    let conns = arg_u64(2, 1000);
    let max = arg_u64(3, 256 * 1024);
    let t = Arc::new(Totals {
        connected: AtomicU64::new(0),
        ok: AtomicU64::new(0),
        bytes: AtomicU64::new(0),
        hash_sent: AtomicU64::new(0),
        hash_got: AtomicU64::new(0),
    });
    // `connected` counts the connections up; `go_ahead` then releases
    // every goroutine at once.
    let connected = Arc::new(WaitGroup::new());
    connected.add(conns as isize);
    let go_ahead = Arc::new(WaitGroup::new());
    go_ahead.add(1);
    let done = Arc::new(WaitGroup::new());
    for id in 0..conns {
        done.add(1);
        let (t, connected, go_ahead, done) =
            (t.clone(), connected.clone(), go_ahead.clone(), done.clone());
        go(move || {
            let mut rng = Rng::new(id + 1);
            let size = rng.range(1, max) as usize;
            let payload: Arc<Vec<u8>> =
                Arc::new((0..size).map(|_| (rng.next() >> 56) as u8).collect());
            let c = Arc::new(check(TcpStream::connect(addr), "connect"));
            t.connected.fetch_add(1, Relaxed);
            connected.done();
            go_ahead.wait();
            {
                let (c, payload) = (c.clone(), payload.clone());
                go(move || {
                    check((&*c).write_all(&payload), "write_all");
                    check(c.shutdown(Shutdown::Write), "shutdown");
                });
            }
            let mut got = Vec::with_capacity(size);
            let mut buf = vec![0u8; 32 * 1024];
            loop {
                let n = check((&*c).read(&mut buf), "read");
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
            }
            if got[..] != payload[..] {
                rt0::println!(
                    "FAIL: connection {id}: {} bytes echoed of {size}",
                    got.len()
                );
                rt0::process::exit(1);
            }
            // Order-independent totals: the sum of per-connection hashes.
            t.hash_sent
                .fetch_add(fnv(FNV_OFFSET ^ id, &payload), Relaxed);
            t.hash_got.fetch_add(fnv(FNV_OFFSET ^ id, &got), Relaxed);
            t.bytes.fetch_add(got.len() as u64, Relaxed);
            t.ok.fetch_add(1, Relaxed);
            done.done();
        });
    }
    connected.wait();
    go_ahead.done();
    done.wait();
    rt0::println!(
        "load conns={conns} connected={} ok={} bytes={} hash_ok={}",
        t.connected.load(Relaxed),
        t.ok.load(Relaxed),
        t.bytes.load(Relaxed),
        u32::from(t.hash_sent.load(Relaxed) == t.hash_got.load(Relaxed))
    );
    rt0::println!("ok");
}
