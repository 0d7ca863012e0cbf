//! What the two server examples share (echo_server.rs, http_hello.rs):
//! the listen address from argv[1], the listener, and Go's accept loop
//! (`net/http.Server.Serve`): one goroutine per connection, and when
//! `accept` fails (EMFILE/ENFILE when out of descriptors, ENOBUFS, ...) a
//! pause of 5 ms, doubling up to 1 s, before trying again, reset by the
//! next success. Nothing is printed per connection or per error.
//!
//! A bad usage (no argv[1], an address that does not parse or resolve, a
//! bind that fails) prints one line to stderr and exits with status 2.

use core::time::Duration;

use rt0::net::{TcpListener, TcpStream};

/// The first pause after a failed accept (Go's http server: 5 ms).
const FIRST_BACKOFF: Duration = Duration::from_millis(5);
/// The longest pause (Go's: 1 s).
const MAX_BACKOFF: Duration = Duration::from_secs(1);
/// The exit status of a bad usage.
const EXIT_USAGE: i32 = 2;

/// Listens on argv[1] and runs `handle` on a new goroutine for each
/// connection, forever. `name` prefixes the usage messages.
pub fn serve(name: &str, handle: fn(TcpStream)) -> ! {
    let addr = match rt0::env::args().nth(1).map(core::str::from_utf8) {
        Some(Ok(a)) => a,
        _ => {
            rt0::eprintln!("usage: {name} ADDRESS:PORT (for example 127.0.0.1:8080)");
            rt0::process::exit(EXIT_USAGE);
        }
    };
    let ln = match TcpListener::bind(addr) {
        Ok(l) => l,
        Err(e) => {
            rt0::eprintln!("{name}: cannot listen on {addr}: {e}");
            rt0::process::exit(EXIT_USAGE);
        }
    };
    let mut pause = Duration::ZERO;
    loop {
        match ln.accept() {
            Ok((conn, _peer)) => {
                pause = Duration::ZERO;
                rt0::runtime::go(move || handle(conn));
            }
            Err(_) => {
                pause = if pause.is_zero() {
                    FIRST_BACKOFF
                } else {
                    (pause * 2).min(MAX_BACKOFF)
                };
                rt0::time::sleep(pause);
            }
        }
    }
}
