//! What the network tests (tests/net_*.rs) share, included with
//! `#[path = "net/harness.rs"]` next to `mod common;`: servers started in
//! the background with their output collected, a listening address that
//! is known to be free, the wait for a server to listen (connecting in a
//! loop with a deadline, never a fixed sleep), the Python clients of
//! tests/net/*.py run with a deadline, and the Go twins of
//! tests/net/go/ built once when go is installed.
//!
//! Every test runs one scenario against several implementations
//! ([`Impl`]): rt0's program natively and under qemu-x86_64, and its Go
//! twin when go is present. The same assertions hold for all of them, so
//! the Go rows prove the clients and the expectations, and the rt0 rows
//! that rt0 behaves as Go does.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::common::{self, Runner};

/// Longest wait for a server to start listening (qemu start-up included).
pub const LISTEN_WAIT: Duration = Duration::from_secs(30);
/// Default deadline of a client run; a client that outlives it is killed.
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(180);

/// One implementation under test.
#[derive(Clone, Debug)]
pub enum Impl {
    /// An rt0 program (a cargo example), natively or under qemu.
    Rt0(Runner),
    /// The Go twin from tests/net/go/NAME, run natively.
    Go,
}

impl Impl {
    pub fn label(&self) -> String {
        match self {
            Impl::Rt0(r) => format!("rt0 {}", r.label()),
            Impl::Go => "go".into(),
        }
    }

    pub fn is_qemu(&self) -> bool {
        matches!(self, Impl::Rt0(r) if r.is_qemu())
    }

    pub fn is_go(&self) -> bool {
        matches!(self, Impl::Go)
    }

    /// A command running program `name` (rt0's example or Go's twin of
    /// the same name) with an empty environment.
    pub fn command(&self, name: &str) -> Command {
        match self {
            Impl::Rt0(r) => common::command(r, &common::example(name), None),
            Impl::Go => {
                let mut c = Command::new(go_twin(name).expect("go twins built"));
                c.env_clear();
                c
            }
        }
    }

    /// How much slower than native a timing may be on this implementation.
    pub fn slack(&self) -> Duration {
        if self.is_qemu() {
            Duration::from_millis(2000)
        } else {
            Duration::from_millis(200)
        }
    }
}

/// The qemu CPU models of the network rows: the first and the last of
/// `QEMU_CPUS` (the default list spans qemu64 to max). The network code
/// does not depend on the CPU model; two models show it under emulation
/// without paying five times for it.
pub fn qemu_models() -> Vec<String> {
    let all = common::qemu_cpus();
    let mut v: Vec<String> = all.first().into_iter().cloned().collect();
    if let Some(last) = all.last().filter(|l| !v.contains(l)) {
        v.push(last.clone());
    }
    v
}

/// One row per (scenario, implementation): `rows! { name => |imp| {..}; }`
/// (the file includes this module with `#[macro_use]`)
/// makes `mod name` with tests `rt0_native`, `rt0_qemu` (the models of
/// [`qemu_models`], or only the first with `qemu1`), and `go` (a no-op
/// that says so when go is not installed). `cargo test --test net_echo ::go`
/// runs the Go rows alone.
macro_rules! rows {
    ($($name:ident $(($q:ident))? => $body:expr;)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[test]
            fn rt0_native() {
                let f: &dyn Fn(&harness::Impl) = &$body;
                f(&harness::Impl::Rt0(common::Runner::Native));
            }
            #[test]
            fn rt0_qemu() {
                let f: &dyn Fn(&harness::Impl) = &$body;
                let models = harness::qemu_models();
                let take = rows!(@models $($q)?, models.len());
                for m in models.into_iter().take(take) {
                    f(&harness::Impl::Rt0(common::Runner::Qemu(m)));
                }
            }
            #[test]
            fn go() {
                let f: &dyn Fn(&harness::Impl) = &$body;
                if harness::go_available() {
                    f(&harness::Impl::Go);
                } else {
                    eprintln!("skipped: go is not installed (make test installs it)");
                }
            }
        }
    )*};
    (@models qemu1, $n:expr) => { 1 };
    (@models , $n:expr) => { $n };
}

// ---------------------------------------------------------------- Go twins

static GO_TWINS: OnceLock<Option<PathBuf>> = OnceLock::new();

/// Is go installed? (`make test` installs it: scripts/ensure.sh.)
pub fn go_available() -> bool {
    go_twins_dir().is_some()
}

/// Builds every Go twin of tests/net/go/ into target/nettest-go/ once per
/// test process (`go build ./...`, offline: standard library only).
fn go_twins_dir() -> Option<PathBuf> {
    GO_TWINS
        .get_or_init(|| {
            let found = Command::new("go")
                .arg("version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            if !found {
                return None;
            }
            let out_dir = common::target_dir().join("nettest-go");
            std::fs::create_dir_all(&out_dir).expect("create target/nettest-go");
            let out = Command::new("go")
                .args(["build", "-trimpath", "-o"])
                .arg(format!("{}/", out_dir.display()))
                .arg("./...")
                .current_dir(common::repo_root().join("tests/net/go"))
                .env("GOFLAGS", "-mod=mod")
                .env("GOPROXY", "off")
                .env("GOTOOLCHAIN", "local")
                .env("CGO_ENABLED", "0")
                .output()
                .expect("run go build");
            assert!(
                out.status.success(),
                "go build of tests/net/go failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            Some(out_dir)
        })
        .clone()
}

/// The Go twin `name`, if go is installed.
pub fn go_twin(name: &str) -> Option<PathBuf> {
    let p = go_twins_dir()?.join(name);
    assert!(p.is_file(), "{} missing after go build", p.display());
    Some(p)
}

// ---------------------------------------------------------------- addresses

/// The kernel's ephemeral port range (`ip_local_port_range`), where the
/// source ports of outgoing connections come from.
fn ephemeral_ports() -> (u16, u16) {
    let text = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .expect("read /proc/sys/net/ipv4/ip_local_port_range");
    let v: Vec<u16> = text
        .split_whitespace()
        .map(|w| w.parse().expect("a port"))
        .collect();
    assert_eq!(v.len(), 2, "ip_local_port_range: {text:?}");
    (v[0], v[1])
}

/// The ports the tests' servers take, `(first, count)`: 20000-31999,
/// below the usual ephemeral range, or the widest gap beside the
/// ephemeral range where this machine's differs.
fn test_ports() -> (u16, u16) {
    const LO: u16 = 20_000;
    const SPAN: u16 = 12_000;
    /// Ports below this are the well-known ones.
    const FIRST_FREE: u16 = 1024;
    /// The fewest ports a run needs (a few hundred servers at most).
    const ENOUGH: u16 = 2000;
    let (eph_lo, eph_hi) = ephemeral_ports();
    if eph_lo >= LO + SPAN || eph_hi < LO {
        return (LO, SPAN);
    }
    let below = eph_lo.saturating_sub(FIRST_FREE);
    let above = u16::MAX - eph_hi;
    assert!(
        below.max(above) >= ENOUGH,
        "the ephemeral ports {eph_lo}-{eph_hi} leave no room for the tests' servers"
    );
    if below >= above {
        (FIRST_FREE, below)
    } else {
        (eph_hi + 1, above)
    }
}

/// A TCP port on 127.0.0.1 and ::1 that nothing listens on now, outside
/// the ephemeral range (32768-60999 here) so that no client's outgoing
/// connection takes it between the check and the server's bind. Each call
/// moves on, and each test process starts elsewhere (by its pid).
pub fn free_port() -> u16 {
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let (lo, span) = test_ports();
    let _ = NEXT.compare_exchange(
        0,
        (std::process::id() % u32::from(span)) as u16 + 1,
        Ordering::Relaxed,
        Ordering::Relaxed,
    );
    loop {
        let port = lo + NEXT.fetch_add(1, Ordering::Relaxed) % span;
        let v4 = TcpListener::bind(("127.0.0.1", port)).is_ok();
        let v6 = TcpListener::bind(("::1", port)).is_ok();
        let udp = std::net::UdpSocket::bind(("127.0.0.1", port)).is_ok();
        if v4 && v6 && udp {
            return port;
        }
    }
}

// ---------------------------------------------------------------- processes

/// Gives the command's process SIGPIPE's default disposition (death)
/// before exec, whatever the test runner inherited.
pub fn default_sigpipe(cmd: &mut Command) {
    const SIGPIPE: i32 = 13;
    const SIG_DFL: usize = 0;
    unsafe extern "C" {
        fn signal(sig: i32, handler: usize) -> usize;
    }
    // SAFETY: the hook calls only signal(2), async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            signal(SIGPIPE, SIG_DFL);
            Ok(())
        });
    }
}

/// Sets RLIMIT_NOFILE of the command's process (soft and hard) before
/// exec, as `prlimit --nofile=N:N` would. Under qemu the limit covers
/// qemu's own descriptors too (one process).
pub fn set_nofile(cmd: &mut Command, soft: u64, hard: u64) {
    const RLIMIT_NOFILE: i32 = 7;
    unsafe extern "C" {
        fn setrlimit(resource: i32, rlim: *const [u64; 2]) -> i32;
    }
    let lim = [soft, hard];
    // SAFETY: the hook calls one async-signal-safe syscall wrapper on a
    // limit copied into the closure before the fork.
    unsafe {
        cmd.pre_exec(move || {
            if setrlimit(RLIMIT_NOFILE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// This process's RLIMIT_NOFILE (soft, hard), through glibc.
pub fn nofile_limits() -> (u64, u64) {
    const RLIMIT_NOFILE: i32 = 7;
    unsafe extern "C" {
        fn getrlimit(resource: i32, rlim: *mut [u64; 2]) -> i32;
    }
    let mut lim = [0u64; 2];
    // SAFETY: lim is writable.
    let rc = unsafe { getrlimit(RLIMIT_NOFILE, &mut lim) };
    assert_eq!(rc, 0, "getrlimit: {}", std::io::Error::last_os_error());
    (lim[0], lim[1])
}

fn strip_qemu_warnings(b: &[u8]) -> String {
    String::from_utf8_lossy(b)
        .split_inclusive('\n')
        .filter(|l| !crate::common::is_qemu_warning(l.as_bytes()))
        .collect()
}

/// A program running in the background, its stdout and stderr collected
/// by two threads; stdout is also passed on line by line to whoever waits
/// for a line ([`Server::wait_line`]). Killed when dropped.
pub struct Server {
    pub label: String,
    child: Child,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    lines: mpsc::Receiver<String>,
    readers: Vec<JoinHandle<()>>,
    started: Instant,
}

/// What a stopped server left.
pub struct Ended {
    pub label: String,
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    /// Whether it was still running when stopped (false: it had exited).
    pub was_alive: bool,
}

impl Ended {
    pub fn describe(&self) -> String {
        format!(
            "[{}] status={:?} signal={:?} alive_when_stopped={}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.label,
            self.status.code(),
            self.status.signal(),
            self.was_alive,
            tail(&self.stdout),
            tail(&self.stderr)
        )
    }

    /// It ran until killed and printed nothing at all (the examples
    /// print nothing per request).
    pub fn assert_killed_silent(&self) {
        assert!(self.was_alive, "the server had exited\n{}", self.describe());
        assert_eq!(self.stdout, "", "{}", self.describe());
        assert_eq!(self.stderr, "", "{}", self.describe());
    }
}

fn tail(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    chars[chars.len().saturating_sub(4000)..].iter().collect()
}

impl Server {
    /// Starts `cmd` with stdin closed (a pipe kept open by the child's
    /// parent would make no difference to a server, and none reads it).
    pub fn spawn(label: String, mut cmd: Command) -> Server {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("[{label}] spawn {cmd:?}: {e}"));
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let (tx, lines) = mpsc::channel();
        let out = child.stdout.take().expect("stdout piped");
        let so = stdout.clone();
        let r1 = std::thread::spawn(move || {
            let mut r = BufReader::new(out);
            let mut line = Vec::new();
            loop {
                line.clear();
                match r.read_until(b'\n', &mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        so.lock().unwrap().extend_from_slice(&line);
                        let _ = tx.send(String::from_utf8_lossy(&line).trim_end().to_string());
                    }
                }
            }
        });
        let mut err = child.stderr.take().expect("stderr piped");
        let se = stderr.clone();
        let r2 = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            loop {
                match err.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => se.lock().unwrap().extend_from_slice(&buf[..n]),
                }
            }
        });
        Server {
            label,
            child,
            stdout,
            stderr,
            lines,
            readers: vec![r1, r2],
            started: Instant::now(),
        }
    }

    /// Is it still running?
    pub fn alive(&mut self) -> bool {
        self.child.try_wait().expect("try_wait").is_none()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn stderr_now(&self) -> String {
        strip_qemu_warnings(&self.stderr.lock().unwrap())
    }

    pub fn stdout_now(&self) -> String {
        String::from_utf8_lossy(&self.stdout.lock().unwrap()).into_owned()
    }

    /// Waits for the next stdout line starting with `prefix` (earlier
    /// lines are skipped but kept in the collected stdout); fails the test,
    /// killing the program, if it exits or [`LISTEN_WAIT`] passes first.
    pub fn wait_line(&mut self, prefix: &str) -> String {
        let deadline = Instant::now() + LISTEN_WAIT;
        loop {
            match self.lines.recv_timeout(Duration::from_millis(50)) {
                Ok(l) if l.starts_with(prefix) => return l,
                Ok(_) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    let e = self.stop_now();
                    panic!("no {prefix:?} line before stdout closed\n{}", e.describe());
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
            if Instant::now() > deadline {
                let e = self.stop_now();
                panic!(
                    "no {prefix:?} line in {LISTEN_WAIT:?}: killed\n{}",
                    e.describe()
                );
            }
        }
    }

    /// Waits until a TCP connect to `addr` succeeds (then closes that
    /// connection). Returns false if the program exited first (e.g. its
    /// bind failed: the caller may retry on another port); fails the test
    /// if it is still not listening after [`LISTEN_WAIT`].
    pub fn wait_listening(&mut self, addr: SocketAddr) -> bool {
        let deadline = Instant::now() + LISTEN_WAIT;
        loop {
            if let Ok(probe) = TcpStream::connect_timeout(&addr, Duration::from_secs(1)) {
                // A connection to itself (TCP's simultaneous open, when
                // the kernel picks the destination port as the source
                // port: only if it lies in the ephemeral range) proves
                // nothing listens; any other peer is the server.
                if probe.local_addr().ok() != probe.peer_addr().ok() {
                    return true;
                }
            }
            if !self.alive() {
                return false;
            }
            if Instant::now() > deadline {
                let e = self.stop_now();
                panic!(
                    "not listening on {addr} after {LISTEN_WAIT:?}: killed\n{}",
                    e.describe()
                );
            }
            // A retry interval, not a synchronisation: the loop ends on
            // the first successful connect.
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Kills it (if still running) and collects its output.
    pub fn stop_now(&mut self) -> Ended {
        let was_alive = self.alive();
        if was_alive {
            let _ = self.child.kill();
        }
        let status = self.child.wait().expect("wait");
        for r in self.readers.drain(..) {
            let _ = r.join();
        }
        let stdout = String::from_utf8_lossy(&self.stdout.lock().unwrap()).into_owned();
        Ended {
            label: self.label.clone(),
            status,
            stdout,
            stderr: strip_qemu_warnings(&self.stderr.lock().unwrap()),
            was_alive,
        }
    }

    /// Waits up to `limit` for it to exit by itself; kills it then and
    /// fails the test, saying it hung.
    pub fn wait_exit(&mut self, limit: Duration) -> Ended {
        let deadline = Instant::now() + limit;
        while self.alive() {
            if Instant::now() > deadline {
                let e = self.stop_now();
                panic!(
                    "still running after {limit:?}: killed (hung?)\n{}",
                    e.describe()
                );
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        self.stop_now()
    }

    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}

impl Drop for Server {
    /// Kills the program. When the test is failing (a client's assertion
    /// panicked with the server still in scope), prints what the server
    /// left first: whether it had died, its status and its output, which
    /// the client's assertion message does not hold.
    fn drop(&mut self) {
        if std::thread::panicking() && !self.readers.is_empty() {
            let e = self.stop_now();
            eprintln!("the server of the failed test:\n{}", e.describe());
            return;
        }
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Starts example/twin `name` listening on a free port of `host`
/// ("127.0.0.1" or "::1"), its only argument the address, at
/// GOMAXPROCS=`procs`, optionally with RLIMIT_NOFILE set; returns once it
/// accepts connections. A bind that fails (another process took the port
/// meanwhile) is retried elsewhere.
pub fn start_listening(
    imp: &Impl,
    name: &str,
    host: &str,
    procs: &str,
    nofile: Option<(u64, u64)>,
) -> (Server, SocketAddr) {
    for _ in 0..5 {
        let port = free_port();
        let addr: SocketAddr = if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        }
        .parse()
        .unwrap();
        let mut cmd = imp.command(name);
        cmd.arg(addr.to_string()).env("GOMAXPROCS", procs);
        if let Some((soft, hard)) = nofile {
            set_nofile(&mut cmd, soft, hard);
        }
        let mut s = Server::spawn(
            format!("{} GOMAXPROCS={procs} {name} {addr}", imp.label()),
            cmd,
        );
        if s.wait_listening(addr) {
            return (s, addr);
        }
        let e = s.stop_now();
        eprintln!(
            "[{}] exited before listening, retrying\n{}",
            e.label,
            e.describe()
        );
    }
    panic!("[{}] {name} never listened on a free port", imp.label());
}

// ---------------------------------------------------------------- clients

/// What a client run left.
pub struct ClientOut {
    pub what: String,
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    pub took: Duration,
}

impl ClientOut {
    pub fn describe(&self) -> String {
        format!(
            "{} status={:?} took={:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.what,
            self.status.code(),
            self.took,
            tail(&self.stdout),
            tail(&self.stderr)
        )
    }

    /// Exit 0, nothing on stderr, and the last line `ok`.
    pub fn assert_ok(&self) {
        assert_eq!(self.status.code(), Some(0), "{}", self.describe());
        assert_eq!(self.stderr, "", "{}", self.describe());
        assert_eq!(
            self.stdout.lines().last(),
            Some("ok"),
            "{}",
            self.describe()
        );
    }

    /// The `key=value` fields of the stdout line starting with `label `.
    pub fn line(&self, label: &str) -> std::collections::BTreeMap<String, String> {
        let l = self
            .stdout
            .lines()
            .find(|l| l.starts_with(&format!("{label} ")))
            .unwrap_or_else(|| panic!("no {label:?} line\n{}", self.describe()));
        common::fields(l)
    }

    /// Like [`line`](Self::line), for a field that must be a number.
    pub fn num(&self, label: &str, key: &str) -> u64 {
        self.line(label)
            .get(key)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no numeric {key}= on {label:?}\n{}", self.describe()))
    }
}

/// Runs `cmd` to completion with stdout/stderr captured, killing it after
/// `limit` (then the test fails, naming what hung).
pub fn run_with_deadline(what: String, mut cmd: Command, limit: Duration) -> ClientOut {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {what}: {e}"));
    let collect = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut b = Vec::new();
            let _ = r.read_to_end(&mut b);
            String::from_utf8_lossy(&b).into_owned()
        })
    };
    let o = collect(Box::new(child.stdout.take().unwrap()));
    let e = collect(Box::new(child.stderr.take().unwrap()));
    let status = loop {
        if let Some(st) = child.try_wait().expect("try_wait") {
            break st;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let st = child.wait().expect("wait");
            let out = ClientOut {
                what: what.clone(),
                status: st,
                stdout: o.join().unwrap(),
                stderr: e.join().unwrap(),
                took: start.elapsed(),
            };
            panic!(
                "{what} still running after {limit:?}: killed\n{}",
                out.describe()
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    ClientOut {
        what,
        status,
        stdout: o.join().unwrap(),
        stderr: e.join().unwrap(),
        took: start.elapsed(),
    }
}

/// Runs tests/net/SCRIPT with `args` under python3 (the test's own
/// environment, so PATH finds it), with the client deadline.
pub fn python(script: &str, args: &[String]) -> ClientOut {
    let path = common::repo_root().join("tests/net").join(script);
    let mut cmd = Command::new("python3");
    cmd.arg(&path).args(args);
    run_with_deadline(
        format!("python3 {script} {}", args.join(" ")),
        cmd,
        CLIENT_TIMEOUT,
    )
}

/// Runs program `name` of `imp` to completion with `args` and
/// GOMAXPROCS=`procs` (qemu's own warning lines dropped from stderr),
/// killing it after [`common::TIMEOUT`].
pub fn run_program(imp: &Impl, name: &str, args: &[&str], procs: &str) -> ClientOut {
    run_program_with(imp, name, args, procs, |_| {})
}

/// [`run_program`], letting `prepare` change the command first (a
/// pre-exec hook, say).
pub fn run_program_with(
    imp: &Impl,
    name: &str,
    args: &[&str],
    procs: &str,
    prepare: impl FnOnce(&mut Command),
) -> ClientOut {
    let mut cmd = imp.command(name);
    cmd.args(args).env("GOMAXPROCS", procs);
    prepare(&mut cmd);
    let mut out = run_with_deadline(
        format!(
            "[{}] GOMAXPROCS={procs} {name} {}",
            imp.label(),
            args.join(" ")
        ),
        cmd,
        common::TIMEOUT,
    );
    out.stderr = strip_qemu_warnings(out.stderr.as_bytes());
    out
}

/// Starts program `name` of `imp` in the background with `args` and
/// GOMAXPROCS=`procs`.
pub fn spawn_program(imp: &Impl, name: &str, args: &[&str], procs: &str) -> Server {
    let mut cmd = imp.command(name);
    cmd.args(args).env("GOMAXPROCS", procs);
    Server::spawn(
        format!(
            "{} GOMAXPROCS={procs} {name} {}",
            imp.label(),
            args.join(" ")
        ),
        cmd,
    )
}

/// A fresh directory for Unix socket paths, removed when dropped (short:
/// a socket path has at most 107 bytes).
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        static N: AtomicU16 = AtomicU16::new(0);
        let d = std::env::temp_dir().join(format!(
            "rt0-net-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("create a temporary directory");
        TempDir(d)
    }

    pub fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().expect("UTF-8 path").to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
