//! `examples/echo_server.rs` against an independent client
//! (tests/net/echo_client.py, Python's standard library): 1,000
//! concurrent connections with random payloads up to 1 MiB checked byte
//! for byte and by CRC-32 per connection; half-close; idle clients that
//! never send while others are served; clients that vanish mid-stream
//! with a reset; 10,000 connections at once (the fd limit raised to the
//! hard limit); EMFILE under a low RLIMIT_NOFILE; and the same over IPv6.
//! Each row runs natively, under qemu-x86_64 and against the Go twin
//! (tests/net/go/echo_server) with the same assertions; afterwards the
//! server must still be running, and (except under EMFILE, where a log
//! line is allowed) have printed nothing.
//!
//! The heavy rows (1,000 x 1 MiB, 10,000 connections) run one at a time:
//! two of them side by side on a 2-core machine only measure each other.

mod common;
#[macro_use]
#[path = "net/harness.rs"]
mod harness;

use std::net::SocketAddr;
use std::sync::Mutex;

use harness::{ClientOut, Impl, Server, nofile_limits, start_listening};

/// Serialises the heavy rows (see the note above).
static HEAVY: Mutex<()> = Mutex::new(());

/// Connections of the 10,000-connection row.
const MANY: u64 = 10_000;
/// Descriptors each side needs beyond one per connection: the client's
/// Python (its own files, the selector), the server's runtime and, under
/// qemu, qemu's own.
const FD_MARGIN: u64 = 512;

fn start(imp: &Impl, host: &str) -> (Server, SocketAddr) {
    start_listening(imp, "echo_server", host, "2", None)
}

fn client(scenario: &str, addr: SocketAddr, extra: &[&str]) -> ClientOut {
    let mut args = vec![scenario.to_string(), addr.to_string()];
    args.extend(extra.iter().map(|s| s.to_string()));
    let out = harness::python("echo_client.py", &args);
    out.assert_ok();
    out
}

/// The client's `label` line reports every connection finished, all
/// open at once, every byte echoed, and the CRCs matching.
fn assert_round(out: &ClientOut, label: &str, conns: u64) {
    let ctx = out.describe();
    assert_eq!(out.num(label, "conns"), conns, "{ctx}");
    assert_eq!(out.num(label, "finished"), conns, "{ctx}");
    assert_eq!(out.num(label, "max_open"), conns, "{ctx}");
    assert_eq!(out.num(label, "echoed"), out.num(label, "bytes"), "{ctx}");
    assert_eq!(out.num(label, "crc_ok"), 1, "{ctx}");
}

fn finish(mut s: Server) {
    s.stop_now().assert_killed_silent();
}

rows! {
    concurrent_1000 => |imp| {
        let _one = HEAVY.lock().unwrap_or_else(|e| e.into_inner());
        for (procs, seed) in [("1", "8"), ("2", "9")] {
            let (s, addr) = start_listening(imp, "echo_server", "127.0.0.1", procs, None);
            let out = client("concurrent", addr, &["--conns", "1000", "--max-size", "1048576", "--seed", seed]);
            assert_round(&out, "concurrent", 1000);
            // 1..1 MiB each: about half a GiB in all, each way.
            assert!(out.num("concurrent", "bytes") > 400 << 20, "{}", out.describe());
            finish(s);
        }
    };

    ipv6_concurrent => |imp| {
        let (s, addr) = start(imp, "::1");
        let out = client("concurrent", addr, &["--conns", "200", "--max-size", "65536", "--seed", "6"]);
        assert_round(&out, "concurrent", 200);
        finish(s);
    };

    half_close => |imp| {
        let (s, addr) = start(imp, "127.0.0.1");
        let out = client("halfclose", addr, &[]);
        let sizes: Vec<u64> = out
            .stdout
            .lines()
            .filter(|l| l.starts_with("halfclose "))
            .map(|l| common::fields(l)["echoed"].parse().unwrap())
            .collect();
        assert_eq!(sizes, [0, 1, 100_000, 4 << 20], "{}", out.describe());
        finish(s);
    };

    idle_clients => |imp| {
        // Five connections that never send are open the whole time; 100
        // others are served meanwhile (a server that waited on an idle one
        // would miss the client's deadline), then the idle ones still work.
        let (s, addr) = start(imp, "127.0.0.1");
        let out = client("idle", addr, &["--idle", "5", "--conns", "100", "--max-size", "131072"]);
        assert_round(&out, "served_while_idle", 100);
        assert_eq!(out.num("idle", "open_after"), 5, "{}", out.describe());
        finish(s);
    };

    vanishing_clients => |imp| {
        // Ten clients reset mid-stream (SO_LINGER 0), each while 20 others
        // are being served; then a fresh round of 20 is served.
        let (s, addr) = start(imp, "127.0.0.1");
        let out = client("rst", addr, &["--rounds", "10", "--conns", "20", "--max-size", "262144"]);
        assert_eq!(out.num("rst", "vanished"), 10, "{}", out.describe());
        assert_eq!(out.num("rst", "served_between"), 200, "{}", out.describe());
        assert_round(&out, "after_resets", 20);
        finish(s);
    };

    ten_thousand (qemu1) => |imp| {
        let (_, hard) = nofile_limits();
        if hard < MANY + FD_MARGIN {
            eprintln!(
                "skipped: RLIMIT_NOFILE hard limit {hard} < {} (each of the client and the \
                 server holds {MANY} connections)",
                MANY + FD_MARGIN
            );
            return;
        }
        let _one = HEAVY.lock().unwrap_or_else(|e| e.into_inner());
        // The server's soft limit raised to the hard limit before exec.
        for procs in ["1", "2"] {
            let (s, addr) =
                start_listening(imp, "echo_server", "127.0.0.1", procs, Some((hard, hard)));
            let out = client("many", addr, &["--conns", &MANY.to_string()]);
            assert_round(&out, "many", MANY);
            assert!(out.num("many_limits", "nofile") >= MANY + FD_MARGIN, "{}", out.describe());
            finish(s);
        }
    };

    rt0_as_the_client => |imp| {
        // The other way round: the implementation under test is the
        // client (tests/programs/net_load.rs, 1,000 connections at once,
        // payloads up to 256 KiB, half-close), the server an independent
        // one: Go's twin when go is installed, else rt0's own natively.
        let server = if harness::go_available() { Impl::Go } else { Impl::Rt0(common::Runner::Native) };
        for procs in ["1", "2"] {
            let (s, addr) = start_listening(&server, "echo_server", "127.0.0.1", "2", None);
            let out = harness::run_program(imp, "net_load", &[&addr.to_string(), "1000", "262144"], procs);
            out.assert_ok();
            let f = out.line("load");
            let ctx = out.describe();
            for k in ["conns", "connected", "ok"] {
                assert_eq!(f[k], "1000", "{k}\n{ctx}");
            }
            assert_eq!(f["hash_ok"], "1", "{ctx}");
            finish(s);
        }
    };

    emfile (qemu1) => |imp| {
        // RLIMIT_NOFILE 64 for the server, 150 client connections: accept
        // fails with EMFILE while the limit is reached; the server must go
        // on, and serve the rest as connections close.
        const LIMIT: u64 = 64;
        const CONNS: u64 = 150;
        let (mut s, addr) =
            start_listening(imp, "echo_server", "127.0.0.1", "2", Some((LIMIT, LIMIT)));
        let out = client("emfile", addr, &["--conns", &CONNS.to_string()]);
        let ctx = out.describe();
        let phase1 = out.num("emfile_phase1", "served");
        assert!((1..LIMIT).contains(&phase1), "served {phase1} under a limit of {LIMIT}: {ctx}");
        assert_eq!(out.num("emfile", "served"), CONNS, "{ctx}");
        assert!(s.alive(), "the server died under EMFILE\n{}", s.stop_now().describe());
        let e = s.stop_now();
        assert!(e.was_alive, "{}", e.describe());
        assert_eq!(e.stdout, "", "{}", e.describe());
        for bad in ["fatal", "panic", "deadlock", "goroutine "] {
            assert!(!e.stderr.contains(bad), "{bad:?} in stderr\n{}", e.describe());
        }
    };
}
