//! `examples/http_hello.rs` against real clients: curl (a single request,
//! keep-alive across URLs of one invocation, IPv6) and a raw Python
//! socket (tests/net/http_client.py: three pipelined requests in one send,
//! three with `Connection: close` on the second, `Connection: close`, EOF
//! after the request, a request arriving in pieces). Every row runs natively, under qemu-x86_64 and against the Go
//! twin (tests/net/go/http_hello), with the same assertions: the exact
//! response bytes, what curl says about the connection, the client's exit
//! status, and the server still running and silent afterwards (it prints
//! nothing per request).

mod common;
#[macro_use]
#[path = "net/harness.rs"]
mod harness;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;

use harness::{Impl, Server, run_with_deadline, start_listening};

/// The one response http_hello gives to every GET (issue 9's bytes).
const RESPONSE: &str =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nhello, world\n";

fn start(imp: &Impl, host: &str) -> (Server, SocketAddr) {
    start_listening(imp, "http_hello", host, "2", None)
}

/// The absolute path of `tool` in this test's PATH (the commands run with
/// a cleared environment, so no proxy variable can reach curl).
fn tool(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{name} not found in PATH"))
}

fn curl(args: &[String]) -> harness::ClientOut {
    let mut cmd = Command::new(tool("curl"));
    cmd.env_clear()
        .args(["-sS", "--max-time", "60", "--noproxy", "*"])
        .args(args);
    run_with_deadline(
        format!("curl {}", args.join(" ")),
        cmd,
        harness::CLIENT_TIMEOUT,
    )
}

fn url(addr: SocketAddr, path: &str) -> String {
    format!("http://{addr}{path}")
}

/// The server is still running, then killed: it printed nothing.
fn finish(mut s: Server) {
    let e = s.stop_now();
    e.assert_killed_silent();
}

fn python(scenario: &str, addr: SocketAddr) -> harness::ClientOut {
    let out = harness::python("http_client.py", &[scenario.into(), addr.to_string()]);
    out.assert_ok();
    out
}

rows! {
    curl_single => |imp| {
        let (s, addr) = start(imp, "127.0.0.1");
        let out = curl(&["-i".into(), url(addr, "/")]);
        assert_eq!(out.status.code(), Some(0), "[{}] {}", imp.label(), out.describe());
        assert_eq!(out.stderr, "", "[{}] {}", imp.label(), out.describe());
        // -i: the status line and headers as sent, then the body.
        assert_eq!(out.stdout, RESPONSE, "[{}] {}", imp.label(), out.describe());
        finish(s);
    };

    curl_keepalive => |imp| {
        // Two URLs and then ten more in one invocation: curl reuses the
        // connection when the server keeps it open. num_connects is the
        // number of new connections each transfer made.
        let (s, addr) = start(imp, "127.0.0.1");
        let mut args: Vec<String> = vec!["-v".into(), "-i".into(), "-w".into(), "%{num_connects}\\n".into()];
        args.push(url(addr, "/one"));
        args.push(url(addr, "/two"));
        args.push(url(addr, "/more/[1-10]"));
        let out = curl(&args);
        let ctx = format!("[{}] {}", imp.label(), out.describe());
        assert_eq!(out.status.code(), Some(0), "{ctx}");
        let want = format!("{RESPONSE}1\n") + &format!("{RESPONSE}0\n").repeat(11);
        assert_eq!(out.stdout, want, "{ctx}");
        assert_eq!(out.stderr.matches("* Connected to ").count(), 1, "{ctx}");
        assert_eq!(
            out.stderr.matches("* Re-using existing connection").count(),
            11,
            "{ctx}"
        );
        finish(s);
    };

    curl_ipv6 => |imp| {
        let (s, addr) = start(imp, "::1");
        let out = curl(&["-g".into(), "-i".into(), url(addr, "/v6")]);
        assert_eq!(out.status.code(), Some(0), "[{}] {}", imp.label(), out.describe());
        assert_eq!(out.stdout, RESPONSE, "[{}] {}", imp.label(), out.describe());
        finish(s);
    };

    pipelined => |imp| {
        let (s, addr) = start(imp, "127.0.0.1");
        let out = python("pipelined", addr);
        let ctx = out.describe();
        assert_eq!(out.num("pipelined", "responses"), 3, "{ctx}");
        assert_eq!(out.num("pipelined", "bytes"), 3 * RESPONSE.len() as u64, "{ctx}");
        assert_eq!(out.num("pipelined_then_close", "eof"), 1, "{ctx}");
        finish(s);
    };

    pipelined_then_close_in_order => |imp| {
        let (s, addr) = start(imp, "127.0.0.1");
        let out = python("pipelined_close", addr);
        let ctx = out.describe();
        assert_eq!(out.num("pipelined_close", "responses"), 2, "{ctx}");
        assert_eq!(out.num("pipelined_close", "bytes"), 2 * RESPONSE.len() as u64, "{ctx}");
        finish(s);
    };

    connection_close => |imp| {
        let (s, addr) = start(imp, "127.0.0.1");
        let out = python("close", addr);
        assert_eq!(out.num("close", "bytes"), RESPONSE.len() as u64, "{}", out.describe());
        assert_eq!(out.num("close", "eof"), 1, "{}", out.describe());
        finish(s);
    };

    eof_after_request => |imp| {
        let (s, addr) = start(imp, "127.0.0.1");
        let out = python("eof", addr);
        assert_eq!(out.num("eof", "bytes"), RESPONSE.len() as u64, "{}", out.describe());
        finish(s);
    };

    request_in_pieces => |imp| {
        let (s, addr) = start(imp, "127.0.0.1");
        let out = python("split", addr);
        assert_eq!(out.num("split", "bytes"), RESPONSE.len() as u64, "{}", out.describe());
        finish(s);
    };
}
