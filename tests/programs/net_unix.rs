//! Unix stream sockets with `rt0::net::UnixListener`/`UnixStream`.
//! tests/net_programs.rs runs both modes natively and under qemu-x86_64,
//! and the Go twin (tests/net/go/net_unix) alike.
//!
//! - `self PATH`: an echo server (one goroutine per connection, copying
//!   until EOF, then closing) on PATH and 20 client goroutines, each
//!   writing a payload of a random size up to 256 KiB from a second
//!   goroutine and then shutting its write side, while it reads the echo
//!   to EOF; every echo is compared byte for byte. Prints `unix_self
//!   clients=20 bytes=N bad=0`, then `ok`.
//! - `serve PATH`: the echo server alone, for Python's AF_UNIX client
//!   (tests/net/peer_client.py); prints `listening PATH` once bound and
//!   runs until killed.
#![no_std]
#![no_main]
extern crate alloc;

#[path = "chanutil/mod.rs"]
mod chanutil;

use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;
use chanutil::{Rng, arg, usage};
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use rt0::io::{Read, Write};
use rt0::net::{Shutdown, UnixListener, UnixStream};
use rt0::runtime::go;
use rt0::sync::WaitGroup;

rt0::main!(main);

const CLIENTS: u64 = 20;
const MAX_SIZE: u64 = 256 * 1024;

fn check<T, E: core::fmt::Display>(r: Result<T, E>, what: &str) -> T {
    r.unwrap_or_else(|e| {
        rt0::eprintln!("net_unix: {what}: {e}");
        rt0::process::exit(1)
    })
}

fn echo(mut c: UnixStream) {
    let mut buf = vec![0u8; 32 * 1024];
    loop {
        match c.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if c.write_all(&buf[..n]).is_err() {
                    return;
                }
            }
        }
    }
}

fn accept_loop(ln: UnixListener) -> ! {
    loop {
        let (c, _) = check(ln.accept(), "accept");
        go(move || echo(c));
    }
}

/// One client: returns (bytes echoed, whether they matched).
fn client(id: u64, path: &'static str) -> (u64, bool) {
    let mut rng = Rng::new(id + 7);
    let size = rng.range(1, MAX_SIZE) as usize;
    let payload: Arc<Vec<u8>> = Arc::new((0..size).map(|_| (rng.next() >> 56) as u8).collect());
    let c = Arc::new(check(UnixStream::connect(path), "connect"));
    {
        let (c, payload) = (c.clone(), payload.clone());
        go(move || {
            check((&*c).write_all(&payload), "write_all");
            check(c.shutdown(Shutdown::Write), "shutdown");
        });
    }
    let mut got = Vec::with_capacity(size);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = check((&*c).read(&mut buf), "read");
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
    }
    (got.len() as u64, got[..] == payload[..])
}

fn main() {
    let mode = arg(1);
    let path = arg(2);
    if path.is_empty() {
        usage("missing PATH");
    }
    match mode {
        "self" => {
            let ln = check(UnixListener::bind(path), "bind");
            go(move || accept_loop(ln));
            let bytes = Arc::new(AtomicU64::new(0));
            let bad = Arc::new(AtomicU64::new(0));
            let wg = Arc::new(WaitGroup::new());
            for id in 0..CLIENTS {
                wg.add(1);
                let (wg, bytes, bad) = (wg.clone(), bytes.clone(), bad.clone());
                go(move || {
                    let (n, ok) = client(id, path);
                    bytes.fetch_add(n, Relaxed);
                    if !ok {
                        rt0::println!("FAIL: client {id}: the echo differs ({n} bytes)");
                        bad.fetch_add(1, Relaxed);
                    }
                    wg.done();
                });
            }
            wg.wait();
            rt0::println!(
                "unix_self clients={CLIENTS} bytes={} bad={}",
                bytes.load(Relaxed),
                bad.load(Relaxed)
            );
            rt0::println!("ok");
        }
        "serve" => {
            let ln = check(UnixListener::bind(path), "bind");
            rt0::println!("listening {path}");
            accept_loop(ln)
        }
        _ => usage(mode),
    }
}
