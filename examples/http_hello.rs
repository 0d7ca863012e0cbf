//! A minimal HTTP/1.1 server: `http_hello 127.0.0.1:8080`. Every `GET`
//! is answered with exactly
//!
//! ```text
//! HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nhello, world\n
//! ```
//!
//! One goroutine per connection (the accept loop, its back-off and the
//! usage errors, exit status 2, are in netserve/mod.rs) reads through a
//! `BufReader` and parses the requests as the bytes arrive, so a request
//! split across reads and several requests in one read are both fine.
//! The connection stays open (HTTP/1.1 keep-alive); pipelined requests
//! are answered in order, and the answers to every request already in
//! the read buffer go out in one write. No allocation per request: the
//! read buffer and the answer buffer are made once per connection.
//!
//! The rules, request by request (only the request line and the
//! `Connection` header are looked at; a request body is not expected):
//! - `GET` → 200 as above; the connection closes after it when the
//!   request says `Connection: close` (name and value case-insensitive,
//!   value a comma-separated list) or is HTTP/1.0 without
//!   `Connection: keep-alive`.
//! - any other method (`POST`, `HEAD`, ...) → `405 Method Not Allowed`,
//!   then close; a request line that is not `METHOD TARGET HTTP/x.y` →
//!   `400 Bad Request`, then close; requests after it in the buffer are
//!   not answered.
//! - EOF (or a read error) closes after answering what was complete.
//! - A request line or header longer than [`LINE_KEPT`] bytes is judged
//!   on its first `LINE_KEPT` bytes; a request whose head exceeds
//!   [`MAX_HEAD`] bytes without its blank line gets 400 and close.
//!
//! When the server closes first it shuts its write half, then discards
//! what the client still sends for up to [`LINGER`] before closing, so a
//! client that pipelined more is not hit by a reset that could destroy
//! the answers in flight (Go's `closeWriteAndWait`). Prints nothing while
//! it runs; runs until killed.
#![no_std]
#![no_main]
extern crate alloc;

mod netserve;

use alloc::vec::Vec;
use core::time::Duration;

use rt0::io::{BufRead, BufReader, Read, Write};
use rt0::net::{Shutdown, TcpStream};

rt0::main!(main);

/// The answer to a GET, byte for byte.
const OK: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nhello, world\n";
/// The answer to another method.
const NOT_ALLOWED: &[u8] =
    b"HTTP/1.1 405 Method Not Allowed\r\nAllow: GET\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
/// The answer to a malformed request.
const BAD_REQUEST: &[u8] =
    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

/// The read buffer (one per connection; Go's bufio default, so 10,000
/// idle connections cost 40 MB of it at most, and only pages touched).
const READ_BUF: usize = 4096;
/// The answer buffer's first capacity: a dozen answers. A read buffer
/// full of pipelined requests (up to 227 of the smallest, 18 bytes each)
/// grows it once, to at most 18 KiB, kept for the connection's life.
const OUT_BUF: usize = 1024;
/// Bytes of each line kept for looking at.
const LINE_KEPT: usize = 256;
/// Longest request head (request line and headers) accepted: Go's
/// `http.DefaultMaxHeaderBytes`.
const MAX_HEAD: usize = 1 << 20;
/// How long a closing connection keeps discarding input (Go: 500 ms).
const LINGER: Duration = Duration::from_millis(500);
/// Most bytes discarded while lingering.
const LINGER_BYTES: usize = 256 * 1024;

fn main() {
    netserve::serve("http_hello", serve)
}

/// What one request said, as far as the answer depends on it.
struct Parser {
    /// The current line's first bytes.
    line: [u8; LINE_KEPT],
    line_len: usize,
    /// Bytes of the current request's head so far.
    head_len: usize,
    /// The next complete line is a request line.
    at_request_line: bool,
    /// The request line: method GET; well-formed; HTTP/1.0.
    get: bool,
    malformed: bool,
    http10: bool,
    /// The Connection header's tokens.
    conn_close: bool,
    conn_keep_alive: bool,
}

impl Parser {
    fn new() -> Parser {
        Parser {
            line: [0; LINE_KEPT],
            line_len: 0,
            head_len: 0,
            at_request_line: true,
            get: false,
            malformed: false,
            http10: false,
            conn_close: false,
            conn_keep_alive: false,
        }
    }

    /// Ready for the next request (the line buffer's bytes are left).
    fn reset(&mut self) {
        self.line_len = 0;
        self.head_len = 0;
        self.at_request_line = true;
        self.get = false;
        self.malformed = false;
        self.http10 = false;
        self.conn_close = false;
        self.conn_keep_alive = false;
    }

    /// Keeps the start of a line segment.
    #[inline]
    fn keep(&mut self, seg: &[u8]) {
        let n = seg.len().min(LINE_KEPT - self.line_len);
        self.line[self.line_len..self.line_len + n].copy_from_slice(&seg[..n]);
        self.line_len += n;
        self.head_len += seg.len();
    }

    /// Parses `data`, appending the answers of the requests it completes
    /// to `out`; true when the connection must close after `out` is sent
    /// (the rest of `data` is then ignored).
    fn feed(&mut self, data: &[u8], out: &mut Vec<u8>) -> bool {
        let mut rest = data;
        while let Some(i) = rest.iter().position(|&b| b == b'\n') {
            self.keep(&rest[..i]);
            rest = &rest[i + 1..];
            if self.end_of_line(out) {
                return true;
            }
        }
        self.keep(rest);
        if self.head_len > MAX_HEAD {
            out.extend_from_slice(BAD_REQUEST);
            return true;
        }
        false
    }

    /// A line is complete: look at it; at the blank line that ends a
    /// request, answer it. True when the connection must close.
    fn end_of_line(&mut self, out: &mut Vec<u8>) -> bool {
        let mut len = self.line_len;
        if len > 0 && self.line[len - 1] == b'\r' {
            len -= 1;
        }
        let blank = len == 0;
        if self.at_request_line {
            // Blank lines before a request line are allowed (RFC 9112 2.2).
            if !blank {
                self.request_line(len);
                self.at_request_line = false;
            }
            self.line_len = 0;
            return false;
        }
        if !blank {
            self.header(len);
            self.line_len = 0;
            return false;
        }
        // The end of the request.
        let close = if self.malformed {
            out.extend_from_slice(BAD_REQUEST);
            true
        } else if !self.get {
            out.extend_from_slice(NOT_ALLOWED);
            true
        } else {
            out.extend_from_slice(OK);
            self.conn_close || (self.http10 && !self.conn_keep_alive)
        };
        self.reset();
        close
    }

    /// `METHOD SP TARGET SP HTTP/x.y`.
    fn request_line(&mut self, line_len: usize) {
        let line = &self.line[..line_len];
        let mut parts = line.split(|&b| b == b' ');
        let (method, target, version) = (parts.next(), parts.next(), parts.next());
        let truncated = self.line_len == LINE_KEPT;
        match (method, target, version) {
            (Some(m), Some(t), Some(v))
                if !m.is_empty() && !t.is_empty() && parts.next().is_none() =>
            {
                self.get = m == b"GET";
                // A cut line may have lost its version's tail: take it as 1.1.
                self.malformed = !truncated && !v.starts_with(b"HTTP/");
                self.http10 = v == b"HTTP/1.0";
            }
            (Some(m), Some(t), _) if truncated && !m.is_empty() && !t.is_empty() => {
                self.get = m == b"GET";
            }
            _ => self.malformed = true,
        }
    }

    /// A header line: only `Connection` matters.
    fn header(&mut self, line_len: usize) {
        const NAME: &[u8] = b"connection:";
        let line = &self.line[..line_len];
        if line.len() < NAME.len() || !line[..NAME.len()].eq_ignore_ascii_case(NAME) {
            return;
        }
        for token in line[NAME.len()..].split(|&b| b == b',') {
            let token = token.trim_ascii();
            if token.eq_ignore_ascii_case(b"close") {
                self.conn_close = true;
            } else if token.eq_ignore_ascii_case(b"keep-alive") {
                self.conn_keep_alive = true;
            }
        }
    }
}

/// Serves one connection (module note).
fn serve(conn: TcpStream) {
    let mut reader = BufReader::with_capacity(READ_BUF, &conn);
    let mut out: Vec<u8> = Vec::with_capacity(OUT_BUF);
    let mut parser = Parser::new();
    let server_closes = loop {
        let data = match reader.fill_buf() {
            Ok(d) if !d.is_empty() => d,
            _ => break false, // EOF, reset, vanished peer
        };
        let n = data.len();
        let close = parser.feed(data, &mut out);
        reader.consume(n);
        if !out.is_empty() {
            if (&conn).write_all(&out).is_err() {
                break false;
            }
            out.clear();
        }
        if close {
            break true;
        }
    };
    if server_closes {
        linger(&conn);
    }
    let _ = conn.close();
}

/// Shuts the write half and discards input until EOF, [`LINGER`] or
/// [`LINGER_BYTES`] (module note).
fn linger(conn: &TcpStream) {
    let deadline = rt0::time::Instant::now() + LINGER;
    if conn.shutdown(Shutdown::Write).is_err() || conn.set_read_deadline(Some(deadline)).is_err() {
        return;
    }
    let mut reader = conn;
    let mut sink = [0u8; 1024];
    let mut left = LINGER_BYTES;
    while left > 0 {
        match reader.read(&mut sink) {
            Ok(0) | Err(_) => return,
            Ok(n) => left = left.saturating_sub(n),
        }
    }
}
