//! The network test programs (tests/programs/net_*.rs), natively, under
//! qemu-x86_64, and their Go twins (tests/net/go/net_*) held to the same
//! assertions: goroutines waiting on sockets are not deadlocked (and what
//! Go does when a channel deadlock meets an idle listener), an idle
//! program wakes for a connection, a busy one hears the network through
//! sysmon, socket errors come back as errors (never SIGPIPE), timeouts and
//! deadlines fire on time, close wakes a blocked goroutine with "use of
//! closed network connection", UDP echo (in one program and against
//! Python), Unix stream sockets (likewise), IPv6 loopback.
//!
//! Timing bounds: never early is exact (each program compares its own
//! monotonic clock readings against the timeout), not late is
//! [`Impl::slack`] (200 ms natively, 2 s under qemu): a loaded 2-core
//! machine delays a wake-up by tens of ms, a lost wake-up by forever.

mod common;
#[macro_use]
#[path = "net/harness.rs"]
mod harness;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use common::expect::{self, Source};
use harness::{ClientOut, Impl, TempDir, run_program, spawn_program};

const PROCS: [&str; 2] = ["1", "2"];
const DEADLOCK: &str = "fatal error: all goroutines are asleep - deadlock!\n";
/// How long a program that must not be reported deadlocked is watched.
const ALIVE_WINDOW: Duration = Duration::from_millis(1500);

/// Runs `name args` at each GOMAXPROCS, asserting exit 0, an empty
/// stderr, and `ok` as the last line.
fn run_ok(imp: &Impl, name: &str, args: &[&str], procs: &str) -> ClientOut {
    let out = run_program(imp, name, args, procs);
    out.assert_ok();
    out
}

/// The fields of `out`'s line `label ...`, as numbers where they are.
fn nums(out: &ClientOut, label: &str) -> BTreeMap<String, String> {
    out.line(label)
}

fn num(f: &BTreeMap<String, String>, k: &str, ctx: &str) -> i64 {
    f.get(k)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no numeric {k}= in {f:?}\n{ctx}"))
}

// ------------------------------------------------------------ deadlock

/// Go 1.19.8 on this machine, built with CGO_ENABLED=0 as the harness
/// builds the twins (tests/net/go/net_idle), printed `ready MODE` and then
/// nothing for each of these, still running when killed: a goroutine
/// parked in the netpoller (accept, TCP read, UDP read) keeps an M in a
/// blocking netpoll, so `checkdead` never finds every M idle, also when
/// main itself is blocked in a channel receive nobody will satisfy
/// (`chan_accept`). (With cgo enabled, Go reports no deadlock even for a
/// bare channel receive once `net` is linked in: its extra M counts as
/// running. Hence CGO_ENABLED=0.)
fn idle_modes() -> [&'static str; 3] {
    ["sockets", "one_socket", "chan_accept"]
}

rows! {
    waiting_on_sockets_is_not_deadlock => |imp| {
        // All modes at both GOMAXPROCS at once, watched through one window.
        let mut running = Vec::new();
        for mode in idle_modes() {
            for procs in PROCS {
                let mut s = spawn_program(imp, "net_idle", &[mode], procs);
                s.wait_line("ready");
                running.push((mode, s));
            }
        }
        // And one that waits in accept with no timer, to be woken after
        // the window by a connection from outside.
        let mut wakers = Vec::new();
        for procs in PROCS {
            let mut s = spawn_program(imp, "net_idle", &["wake_after_idle"], procs);
            let addr = s.wait_line("ready ")["ready ".len()..].to_string();
            wakers.push((addr, s));
        }
        let until = Instant::now() + ALIVE_WINDOW;
        while Instant::now() < until {
            for s in running.iter_mut().map(|r| &mut r.1).chain(wakers.iter_mut().map(|w| &mut w.1)) {
                if !s.alive() {
                    let e = s.stop_now();
                    panic!("exited while waiting on sockets\n{}", e.describe());
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        for (mode, mut s) in running {
            let e = s.stop_now();
            assert!(e.was_alive, "{}", e.describe());
            assert_eq!(e.stdout, format!("ready {mode}\n"), "{}", e.describe());
            assert_eq!(e.stderr, "", "{}", e.describe());
        }
        for (addr, mut s) in wakers {
            let mut c = TcpStream::connect(&addr).expect("connect to wake_after_idle");
            c.write_all(b"hello\n").expect("write");
            let e = s.wait_exit(Duration::from_secs(20));
            assert_eq!(e.status.code(), Some(0), "{}", e.describe());
            assert_eq!(e.stdout, format!("ready {addr}\ngot hello\n"), "{}", e.describe());
            assert_eq!(e.stderr, "", "{}", e.describe());
        }
    };

    channel_deadlock_beside_idle_listener => |imp| {
        // Go 1.19.8 (CGO_ENABLED=0) for `chan_listener`, a listener open
        // with nobody in accept and main in a channel receive: exit 2,
        //   fatal error: all goroutines are asleep - deadlock!
        //
        //   goroutine 1 [chan receive]:
        //   main.main()
        //   	.../net_idle/main.go:92 +0x...
        // An open listener is no waiter: only a goroutine parked in the
        // poller keeps the program alive. `chan_only` is the same without
        // the listener. rt0 prints the same layout: goroutine 1's frames
        // in the program (tests/common/expect.rs).
        for mode in ["chan_listener", "chan_only"] {
            for procs in PROCS {
                let mut s = spawn_program(imp, "net_idle", &[mode], procs);
                let e = s.wait_exit(Duration::from_secs(20));
                let ctx = e.describe();
                assert_eq!(e.status.code(), Some(2), "{ctx}");
                assert_eq!(e.stdout, format!("ready {mode}\n"), "{ctx}");
                let want = format!("{DEADLOCK}\ngoroutine 1 [chan receive]:\n");
                if imp.is_go() {
                    assert!(e.stderr.starts_with(&want), "{ctx}");
                } else {
                    let src = Source::new("tests/programs/net_idle.rs");
                    let main = "net_idle::main";
                    let reasons = ["chan receive"];
                    expect::assert_deadlock(&e.stderr, "net_idle", &src, main, &reasons, &ctx);
                }
            }
        }
    };
}

// ------------------------------------------------------------ busy Ps

/// How long net_busy's spinners keep every P busy.
const SPIN_MS: u64 = 2000;

rows! {
    network_wakes_while_every_p_is_busy => |imp| {
        // Only sysmon's poll (every 10 ms when nobody else polls) can see
        // the byte while the spinners run: the round trip must be far
        // below SPIN_MS. Go 1.19.8: 5 ms here.
        for procs in PROCS {
            let mut s = spawn_program(imp, "net_busy", &[&SPIN_MS.to_string()], procs);
            let addr = s.wait_line("ready ")["ready ".len()..].to_string();
            let mut c = TcpStream::connect(&addr).expect("connect to net_busy");
            c.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
            s.wait_line("parked");
            let t0 = Instant::now();
            c.write_all(b"x").expect("write");
            let mut b = [0u8; 1];
            let n = c.read(&mut b).expect("read the echo");
            let rtt = t0.elapsed();
            let e = s.wait_exit(Duration::from_secs(30));
            let ctx = format!("round trip {rtt:?}\n{}", e.describe());
            assert_eq!((n, b[0]), (1, b'x'), "{ctx}");
            assert!(rtt < imp.slack(), "{ctx}");
            assert_eq!(e.status.code(), Some(0), "{ctx}");
            assert_eq!(
                e.stdout,
                format!("ready {addr}\nparked\nbusy_wake spin_ms={SPIN_MS} replied_during_spin=1\nok\n"),
                "{ctx}"
            );
            assert_eq!(e.stderr, "", "{ctx}");
        }
    };
}

// ------------------------------------------------------------ deadlines

const TIMEOUT_MS: u64 = 100;

fn assert_on_time(imp: &Impl, f: &BTreeMap<String, String>, key: &str, ctx: &str) {
    let want = num(f, "want_us", ctx);
    let took = num(f, key, ctx);
    assert!(took >= want, "{key}={took} us < {want} us: early\n{ctx}");
    let limit = want + imp.slack().as_micros() as i64;
    assert!(took < limit, "{key}={took} us >= {limit} us: late\n{ctx}");
}

/// A listener whose accept queue is full: backlog 0 with one connection
/// queued, so the kernel drops every further SYN and a connect hangs
/// until its timeout. Returns the listener and the queued connection
/// (both must stay open).
fn blackhole() -> (TcpListener, TcpStream) {
    unsafe extern "C" {
        fn listen(fd: i32, backlog: i32) -> i32;
    }
    let ln = TcpListener::bind("127.0.0.1:0").expect("bind");
    // SAFETY: the descriptor is the listener's, open for this call;
    // listen(2) on a listening socket only changes its backlog.
    let rc = unsafe { listen(ln.as_raw_fd(), 0) };
    assert_eq!(rc, 0, "listen: {}", std::io::Error::last_os_error());
    let filler = TcpStream::connect(ln.local_addr().unwrap()).expect("connect the filler");
    (ln, filler)
}

rows! {
    read_timeouts_and_deadlines => |imp| {
        let ms = TIMEOUT_MS.to_string();
        for procs in PROCS {
            for mode in ["read_timeout", "read_deadline"] {
                let out = run_ok(imp, "net_deadline", &[mode, &ms], procs);
                let ctx = out.describe();
                let f = nums(&out, mode);
                assert_eq!(f["kind"], "TimedOut", "{ctx}");
                assert_eq!(f["kind2"], "TimedOut", "{ctx}");
                assert_eq!(f["after_clear"], "1", "{ctx}");
                assert_on_time(imp, &f, "took_us", &ctx);
                if mode == "read_timeout" {
                    // A timeout is per call: the second read waits again.
                    assert_on_time(imp, &f, "again_us", &ctx);
                } else {
                    // A passed deadline fails the next read at once.
                    assert!(num(&f, "again_us", &ctx) < imp.slack().as_micros() as i64, "{ctx}");
                }
            }
            let out = run_ok(imp, "net_deadline", &["deadline_while_blocked", &ms], procs);
            let f = nums(&out, "deadline_while_blocked");
            assert_eq!(f["kind"], "TimedOut", "{}", out.describe());
            assert_on_time(imp, &f, "took_us", &out.describe());
        }
    };

    write_timeouts_and_deadlines => |imp| {
        let ms = TIMEOUT_MS.to_string();
        for procs in PROCS {
            for mode in ["write_timeout", "write_deadline"] {
                let out = run_ok(imp, "net_deadline", &[mode, &ms], procs);
                let ctx = out.describe();
                let f = nums(&out, mode);
                assert_eq!(f["kind"], "TimedOut", "{ctx}");
                // The socket buffers filled before the write blocked.
                assert!(num(&f, "bytes_before", &ctx) > 64 * 1024, "{ctx}");
                assert_on_time(imp, &f, "took_us", &ctx);
            }
        }
    };

    connect_timeout => |imp| {
        let (ln, _filler) = blackhole();
        let addr = ln.local_addr().unwrap().to_string();
        let ms = (2 * TIMEOUT_MS).to_string();
        for procs in PROCS {
            let out = run_ok(imp, "net_deadline", &["connect_timeout", &addr, &ms], procs);
            let f = nums(&out, "connect_timeout");
            assert_eq!(f["kind"], "TimedOut", "{}", out.describe());
            assert_on_time(imp, &f, "took_us", &out.describe());
        }
    };
}

// ------------------------------------------------------------ close

rows! {
    close_wakes_blocked_goroutine => |imp| {
        for procs in PROCS {
            for mode in ["tcp_read", "tcp_write", "accept", "udp_recv"] {
                let out = run_ok(imp, "net_close", &[mode], procs);
                let ctx = out.describe();
                let f = nums(&out, mode);
                for k in ["closed_err", "after_err", "second_close_err"] {
                    assert_eq!(f[k], "1", "{k}\n{ctx}");
                }
                let woke = num(&f, "woke_us", &ctx);
                assert!(woke < imp.slack().as_micros() as i64, "woke after {woke} us\n{ctx}");
                let err = out
                    .stdout
                    .lines()
                    .find_map(|l| l.strip_prefix(&format!("{mode}_err ")))
                    .unwrap_or_else(|| panic!("no {mode}_err line\n{ctx}"));
                // Go: "read tcp A->B: use of closed network connection";
                // rt0: the message alone.
                if imp.is_go() {
                    assert!(err.ends_with(": use of closed network connection"), "{ctx}");
                } else {
                    assert_eq!(err, "use of closed network connection", "{ctx}");
                }
            }
        }
    };
}

// ------------------------------------------------------------ errors

rows! {
    socket_errors_are_errors_not_signals => |imp| {
        for (mode, kinds) in [
            ("epipe_tcp", &["BrokenPipe", "ConnectionReset"][..]),
            ("epipe_unix", &["BrokenPipe", "ConnectionReset"][..]),
            ("reset", &["ConnectionReset"][..]),
            ("udp_refused", &["ConnectionRefused"][..]),
        ] {
            // SIGPIPE at its default: a write that raised it would kill.
            let out = harness::run_program_with(imp, "net_errors", &[mode], "2", harness::default_sigpipe);
            out.assert_ok();
            let k = nums(&out, mode)["kind"].clone();
            assert!(kinds.contains(&k.as_str()), "kind={k}, want one of {kinds:?}\n{}", out.describe());
        }
    };
}

// ------------------------------------------------------------ UDP, Unix, IPv6

rows! {
    udp_echo_in_one_program => |imp| {
        for host in ["127.0.0.1", "[::1]"] {
            let addr = format!("{host}:{}", harness::free_port());
            for procs in PROCS {
                let out = run_ok(imp, "net_udp", &["self", &addr], procs);
                let ctx = out.describe();
                let f = nums(&out, "udp_self");
                assert_eq!(f["datagrams"], "1000", "{ctx}");
                assert_eq!(f["bad"], "0", "{ctx}");
                assert!(num(&f, "bytes", &ctx) > 65_507, "{ctx}");
            }
        }
    };

    udp_echo_against_python => |imp| {
        for host in ["127.0.0.1", "[::1]"] {
            let addr = format!("{host}:{}", harness::free_port());
            let mut s = spawn_program(imp, "net_udp", &["serve", &addr], "2");
            assert_eq!(s.wait_line("listening"), format!("listening {addr}"));
            let out = harness::python("peer_client.py", &["udp".into(), addr.clone()]);
            out.assert_ok();
            assert_eq!(out.num("udp", "datagrams"), 800, "{}", out.describe());
            let e = s.stop_now();
            assert!(e.was_alive, "{}", e.describe());
            assert_eq!(e.stdout, format!("listening {addr}\n"), "{}", e.describe());
            assert_eq!(e.stderr, "", "{}", e.describe());
        }
    };

    unix_stream_in_one_program => |imp| {
        for procs in PROCS {
            let dir = TempDir::new();
            let path = dir.path("s.sock");
            let out = run_ok(imp, "net_unix", &["self", &path], procs);
            let f = nums(&out, "unix_self");
            assert_eq!(f["clients"], "20", "{}", out.describe());
            assert_eq!(f["bad"], "0", "{}", out.describe());
        }
    };

    unix_stream_against_python => |imp| {
        let dir = TempDir::new();
        let path = dir.path("s.sock");
        let mut s = spawn_program(imp, "net_unix", &["serve", &path], "2");
        assert_eq!(s.wait_line("listening"), format!("listening {path}"));
        let out = harness::python("peer_client.py", &["unix".into(), path.clone()]);
        out.assert_ok();
        assert_eq!(out.num("unix", "conns"), 50, "{}", out.describe());
        let e = s.stop_now();
        assert!(e.was_alive, "{}", e.describe());
        assert_eq!(e.stderr, "", "{}", e.describe());
    };

    ipv6_loopback => |imp| {
        for procs in PROCS {
            let out = run_ok(imp, "net_ipv6", &["self"], procs);
            let ctx = out.describe();
            let v6 = nums(&out, "v6");
            let local = &v6["local"];
            let port = local
                .strip_prefix("[::1]:")
                .and_then(|p| p.parse::<u16>().ok())
                .unwrap_or_else(|| panic!("local={local} is not [::1]:PORT\n{ctx}"));
            assert_ne!(port, 0, "{ctx}");
            for k in ["loopback", "peer_ok", "accepted_ok", "echo_ok"] {
                assert_eq!(v6[k], "1", "{k}\n{ctx}");
            }
            assert_eq!(v6["bytes"], (2u32 << 20).to_string(), "{ctx}");
            assert_eq!(nums(&out, "localhost")["ok"], "1", "{ctx}");
            let r = nums(&out, "refused");
            assert_eq!((r["v4"].as_str(), r["v6"].as_str()), ("1", "1"), "{ctx}");
        }
    };
}
