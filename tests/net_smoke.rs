//! A quick pass over `rt0::net` (tests/programs/net_smoke.rs): TCP echo
//! over IPv4 and IPv6 loopback, UDP `send_to`/`recv_from` and connected
//! `send`/`recv`, a Unix stream listener and `UnixStream::pair`, a
//! refused connect, `close` waking a blocked reader and a read timeout,
//! natively and under qemu, at GOMAXPROCS 1 and 2, each line asserted
//! exactly. The full network matrix (real clients, many connections,
//! EMFILE, deadlines) is in the other tests/net*.rs suites.

mod common;

use common::{each_config, run_ok};

const EXPECTED: &[&str] = &[
    "tcp4 echo=\"hello tcp4\" copied=10 peer_is_server=true from_is_client=true loopback=true nodelay_default=false",
    "tcp6 echo=\"hello tcp6\" copied=10 peer_is_server=true from_is_client=true loopback=true nodelay_default=false",
    "udp got=ping from_ok=true reply=pong from2_ok=true connected=connected peer_ok=true unconnected_peer=NotConnected",
    "unix echo=hello unix/true from_unnamed=true local_ok=true pair=pair rebind=AddrInUse",
    "refused kind=ConnectionRefused errno=Some(111)",
    "close reader kind=NotConnected msg=use of closed network connection second_close=NotConnected",
    "timeout kind=TimedOut msg=i/o timeout waited_enough=true getter=Some(50ms) zero=InvalidInput",
];

#[test]
fn tcp_udp_unix_errors_and_timeouts() {
    each_config(|r, procs| {
        // A fresh directory for the Unix socket of each run.
        let dir = std::env::temp_dir().join(format!(
            "rt0-net-smoke-{}-{}-{procs}",
            std::process::id(),
            r.label().replace(' ', "_")
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let out = run_ok(r, "net_smoke", &[dir.to_str().unwrap()], procs);
        let _ = std::fs::remove_dir_all(&dir);
        let s = out.stdout_str();
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines, EXPECTED, "{}", out.describe());
    });
}
