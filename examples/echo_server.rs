//! A TCP echo server: `echo_server 127.0.0.1:7000`. One goroutine per
//! connection copies what it reads back to the peer until EOF, then
//! closes (Go's `io.Copy(conn, conn)` server). The accept loop, its
//! back-off when out of descriptors and the usage errors (exit status 2)
//! are in netserve/mod.rs. Prints nothing while it runs; runs until
//! killed.
#![no_std]
#![no_main]

mod netserve;

use rt0::io;
use rt0::net::TcpStream;

rt0::main!(main);

fn main() {
    netserve::serve("echo_server", echo)
}

/// Echoes until the peer's EOF (or an error: a reset, a vanished peer),
/// then closes.
fn echo(conn: TcpStream) {
    let _ = io::copy(&mut &conn, &mut &conn);
    let _ = conn.close();
}
