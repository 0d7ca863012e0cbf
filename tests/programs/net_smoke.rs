//! A quick pass over `rt0::net` on loopback (the harness is
//! tests/net_smoke.rs; the full matrix with real clients is in the
//! tests/net*.rs suites). Each section prints one line that the harness
//! asserts exactly:
//!
//! - `tcp4`/`tcp6`: a listener on `127.0.0.1:0` / `[::1]:0`, a client
//!   goroutine that connects by the listener's address, writes, shuts
//!   its write half and reads the echo to EOF; the server echoes with
//!   `io::copy` through `&TcpStream` and closes. Both ends agree on the
//!   addresses.
//! - `udp`: `send_to` / `recv_from` both ways between two sockets, and
//!   `connect` + `send`/`recv`.
//! - `unix`: a listener at `ARGV[1]/smoke.sock`, a client that writes and
//!   reads the echo; `UnixStream::pair`; the addresses' forms.
//! - `refused`: connecting to a port nobody listens on (a listener bound
//!   then closed) is `ConnectionRefused`.
//! - `close`: `close()` while another goroutine is blocked reading the
//!   same stream through an `Arc` wakes it with the closed error.
//! - `timeout`: a read with a 50 ms timeout on a silent stream fails with
//!   `TimedOut`, "i/o timeout", after at least 50 ms.
#![no_std]
#![no_main]
extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::time::Duration;

use rt0::chan::Chan;
use rt0::io::{self, Read, Write};
use rt0::net::unix::{UnixListener, UnixStream};
use rt0::net::{Shutdown, SocketAddr, TcpListener, TcpStream, UdpSocket};
use rt0::println;
use rt0::runtime::go;
use rt0::time::Instant;

rt0::main!(main);

fn main() {
    let dir = rt0::env::args()
        .nth(1)
        .and_then(|a| core::str::from_utf8(a).ok())
        .unwrap_or("/tmp");
    tcp_echo("tcp4", "127.0.0.1:0");
    tcp_echo("tcp6", "[::1]:0");
    udp();
    unix(dir);
    refused();
    close_wakes_reader();
    timeout();
}

/// Reads until EOF.
fn read_all(mut r: impl Read) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = [0u8; 512];
    loop {
        match r.read(&mut buf)? {
            0 => return Ok(out),
            n => out.extend_from_slice(&buf[..n]),
        }
    }
}

fn tcp_echo(label: &str, bind: &str) {
    let ln = match TcpListener::bind(bind) {
        Ok(l) => l,
        Err(e) => {
            println!("{label} bind error: {e}");
            return;
        }
    };
    let addr = ln.local_addr().unwrap();
    let done: Chan<(String, SocketAddr, SocketAddr)> = Chan::new(1);
    let d = done.clone();
    let payload = format!("hello {label}");
    go(move || {
        let mut c = TcpStream::connect(addr).unwrap();
        c.set_nodelay(true).unwrap();
        // Before the server closes: then getpeername says ENOTCONN.
        let (local, peer) = (c.local_addr().unwrap(), c.peer_addr().unwrap());
        c.write_all(payload.as_bytes()).unwrap();
        c.shutdown(Shutdown::Write).unwrap();
        let got = read_all(&c).unwrap();
        d.send((String::from_utf8(got).unwrap(), local, peer))
            .unwrap();
    });
    let (s, from) = ln.accept().unwrap();
    let server_side = (s.local_addr().unwrap(), s.peer_addr().unwrap());
    let n = io::copy(&mut &s, &mut &s).unwrap();
    s.close().unwrap();
    let (echo, local, peer) = done.recv().unwrap();
    println!(
        "{label} echo={echo:?} copied={n} peer_is_server={} from_is_client={} loopback={} nodelay_default={}",
        peer == addr && server_side.0 == addr,
        from == local && server_side.1 == local,
        addr.ip().is_loopback(),
        TcpStream::connect(addr)
            .map(|c| c.nodelay().unwrap())
            .unwrap_or(true),
    );
}

fn udp() {
    let a = UdpSocket::bind("127.0.0.1:0").unwrap();
    let b = UdpSocket::bind(("127.0.0.1", 0)).unwrap();
    let (aa, ba) = (a.local_addr().unwrap(), b.local_addr().unwrap());
    a.send_to(b"ping", ba).unwrap();
    let mut buf = [0u8; 64];
    let (n, from) = b.recv_from(&mut buf).unwrap();
    let got = String::from_utf8_lossy(&buf[..n]).into_owned();
    b.send_to(b"pong", from).unwrap();
    let (m, from2) = a.recv_from(&mut buf).unwrap();
    let reply = String::from_utf8_lossy(&buf[..m]).into_owned();
    a.connect(ba).unwrap();
    a.send(b"connected").unwrap();
    let k = b.recv(&mut buf).unwrap();
    let conn = String::from_utf8_lossy(&buf[..k]).into_owned();
    let no_peer = b.peer_addr().unwrap_err().kind();
    println!(
        "udp got={got} from_ok={} reply={reply} from2_ok={} connected={conn} peer_ok={} unconnected_peer={no_peer:?}",
        from == aa,
        from2 == ba,
        a.peer_addr().unwrap() == ba
    );
}

fn unix(dir: &str) {
    let path = format!("{dir}/smoke.sock");
    let ln = UnixListener::bind(&path).unwrap();
    let p2 = path.clone();
    let done: Chan<String> = Chan::new(1);
    let d = done.clone();
    go(move || {
        let mut c = UnixStream::connect(&p2).unwrap();
        c.write_all(b"hello unix").unwrap();
        c.shutdown(Shutdown::Write).unwrap();
        let got = read_all(&c).unwrap();
        let peer = c.peer_addr().unwrap();
        let ok = peer.as_pathname() == Some(p2.as_str()) && c.local_addr().unwrap().is_unnamed();
        d.send(format!("{}/{ok}", String::from_utf8(got).unwrap()))
            .unwrap();
    });
    let (s, from) = ln.accept().unwrap();
    io::copy(&mut &s, &mut &s).unwrap();
    drop(s);
    let client = done.recv().unwrap();
    let (mut x, mut y) = UnixStream::pair().unwrap();
    x.write_all(b"pair").unwrap();
    drop(x);
    let got = read_all(&mut y).unwrap();
    let again = UnixListener::bind(&path).unwrap_err().kind();
    println!(
        "unix echo={client} from_unnamed={} local_ok={} pair={} rebind={again:?}",
        from.is_unnamed(),
        ln.local_addr().unwrap().as_pathname() == Some(path.as_str()),
        String::from_utf8(got).unwrap()
    );
}

fn refused() {
    let ln = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = ln.local_addr().unwrap();
    drop(ln);
    match TcpStream::connect(addr) {
        Ok(_) => println!("refused connected?!"),
        Err(e) => println!("refused kind={:?} errno={:?}", e.kind(), e.raw_os_error()),
    }
}

fn close_wakes_reader() {
    let ln = TcpListener::bind("127.0.0.1:0").unwrap();
    let c = Arc::new(TcpStream::connect(ln.local_addr().unwrap()).unwrap());
    let (_s, _) = ln.accept().unwrap();
    let done: Chan<String> = Chan::new(1);
    let (d, c2) = (done.clone(), c.clone());
    go(move || {
        let mut buf = [0u8; 8];
        let r = (&*c2).read(&mut buf);
        d.send(match r {
            Ok(n) => format!("read {n}?!"),
            Err(e) => format!("kind={:?} msg={e}", e.kind()),
        })
        .unwrap();
    });
    // Let the reader block first.
    rt0::time::sleep(Duration::from_millis(20));
    c.close().unwrap();
    let woke = done.recv().unwrap();
    let again = c.close().unwrap_err();
    println!("close reader {woke} second_close={:?}", again.kind());
}

fn timeout() {
    let ln = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut c = TcpStream::connect(ln.local_addr().unwrap()).unwrap();
    let (_s, _) = ln.accept().unwrap();
    let zero = c.set_read_timeout(Some(Duration::ZERO)).unwrap_err().kind();
    c.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
    let t0 = Instant::now();
    let mut buf = [0u8; 8];
    let e = c.read(&mut buf).unwrap_err();
    let waited = t0.elapsed();
    println!(
        "timeout kind={:?} msg={e} waited_enough={} getter={:?} zero={zero:?}",
        e.kind(),
        waited >= Duration::from_millis(50),
        c.read_timeout().unwrap()
    );
}
