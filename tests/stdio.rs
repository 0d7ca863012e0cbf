//! The standard streams (`io::stdin`/`stdout`/`stderr`) and `os::pipe`,
//! natively and under qemu-x86_64 (`stdio_streams`):
//!
//! - a goroutine reading an idle stdin pipe line by line stalls nobody:
//!   with GOMAXPROCS=1 a ticker goroutine keeps printing while stdin has
//!   no data (a read holding the only P would stop the ticks: the test
//!   would time out waiting for them);
//! - `println!` and `stdout().lock()` from many goroutines keep lines
//!   whole, to a pipe (netpoller) and to a file (plain calls);
//! - stdin at end of input, stdin closed (`<&-`: `EBADF`), stdout closed
//!   (`>&-`) and stdout to `/dev/full` are errors, never crashes;
//! - the shared open file description the program got is never made
//!   non-blocking, while it runs or after it exits (return, SIGTERM,
//!   SIGKILL): a pipe or a terminal (a pty) is reopened privately, a
//!   socket is read with plain calls in the system-call bracket (at
//!   GOMAXPROCS=1 a ticker goes on while it is idle); two lines typed at
//!   once on a terminal are both read;
//! - a panic while holding `stdout().lock()`, with another goroutine
//!   blocked on it, is still reported (exit 2);
//! - `stdio_count` counts every line and byte of a piped stdin;
//! - `os::pipe()`: 1 MiB through two writers, EOF, `BrokenPipe`.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::net::UnixStream;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::expect::{self, Source};
use common::{Runner, TIMEOUT, command, example, native_and_one_qemu};

unsafe extern "C" {
    fn fcntl(fd: i32, cmd: i32, ...) -> i32;
    fn close(fd: i32) -> i32;
}
const F_GETFL: i32 = 3;
const O_NONBLOCK: i32 = 0o4000;
const SIGTERM: i32 = 15;
const SIGKILL: i32 = 9;

fn nonblocking(fd: &impl AsRawFd) -> bool {
    // SAFETY: F_GETFL on an fd this test owns.
    let fl = unsafe { fcntl(fd.as_raw_fd(), F_GETFL) };
    assert!(fl >= 0, "F_GETFL failed");
    fl & O_NONBLOCK != 0
}

fn wait(child: &mut Child, what: &str) -> ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(st) = child.try_wait().expect("wait for child") {
            return st;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {TIMEOUT:?}: killed");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Sends the child's stdout lines to a channel, from a thread.
fn line_reader(child: &mut Child) -> mpsc::Receiver<String> {
    let out = child.stdout.take().expect("stdout piped");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Waits for a line from `rx` that satisfies `want`, returning the lines
/// seen up to it.
fn wait_for(
    rx: &mpsc::Receiver<String>,
    what: &str,
    mut want: impl FnMut(&str) -> bool,
) -> Vec<String> {
    let deadline = Instant::now() + TIMEOUT;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) => {
                let done = want(&l);
                seen.push(l);
                if done {
                    return seen;
                }
            }
            Err(_) => panic!("{what}: not seen; got {seen:?}"),
        }
    }
}

#[test]
fn slow_stdin_stalls_nobody_at_gomaxprocs_1() {
    const TICKS_WANTED: usize = 5;
    for r in native_and_one_qemu() {
        let mut cmd = command(&r, &example("stdio_streams"), None);
        cmd.arg("lines")
            .env("GOMAXPROCS", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = cmd.spawn().expect("spawn");
        let mut stdin = child.stdin.take().expect("stdin piped");
        let rx = line_reader(&mut child);
        // stdin has no data: the ticker must keep printing.
        let mut ticks = 0;
        wait_for(&rx, "ticks while stdin is idle", |l| {
            ticks += l.starts_with("tick ") as usize;
            ticks >= TICKS_WANTED
        });
        stdin.write_all(b"first\nsecond\n").expect("write stdin");
        drop(stdin);
        let seen = wait_for(&rx, "eof line", |l| l.starts_with("eof "));
        let st = wait(&mut child, "lines");
        assert_eq!(st.code(), Some(0), "[{}] {st:?}", r.label());
        let body: Vec<&String> = seen.iter().filter(|l| !l.starts_with("tick ")).collect();
        assert_eq!(body[0], "line: first", "[{}] {seen:?}", r.label());
        assert_eq!(body[1], "line: second", "[{}] {seen:?}", r.label());
        let eof = body[2];
        assert!(
            eof.starts_with("eof lines=2 bytes=13 ticks_before_first="),
            "[{}] {eof}",
            r.label()
        );
        let before: usize = eof.rsplit('=').next().unwrap().parse().unwrap();
        assert!(before >= TICKS_WANTED, "[{}] {eof}", r.label());
    }
}

/// Checks `interleave G N` output: every line whole, G*N of them, each
/// goroutine's in order.
fn check_interleave(out: &[u8], g: usize, n: usize, what: &str) {
    let text = String::from_utf8_lossy(out);
    let mut next = vec![0usize; g];
    let mut count = 0;
    for line in text.lines() {
        let parsed = (|| {
            let rest = line.strip_prefix("g=")?;
            let (gs, rest) = rest.split_once(" i=")?;
            let (is, letters) = rest.split_once(' ')?;
            Some((
                gs.parse::<usize>().ok()?,
                is.parse::<usize>().ok()?,
                letters,
            ))
        })();
        let Some((gi, ii, letters)) = parsed else {
            panic!("{what}: torn line {line:?}")
        };
        let letter = (b'a' + ((gi + ii) % 26) as u8) as char;
        let want: String = std::iter::repeat_n(letter, 40).chain(['|']).collect();
        assert_eq!(letters, want, "{what}: line {line:?}");
        assert!(gi < g && next[gi] == ii, "{what}: out of order {line:?}");
        next[gi] += 1;
        count += 1;
    }
    assert_eq!(count, g * n, "{what}: line count");
}

#[test]
fn println_and_stdout_lock_keep_lines_whole() {
    const G: usize = 8;
    const N: usize = 300;
    for r in native_and_one_qemu() {
        for procs in ["1", "4"] {
            // A pipe (the netpoller).
            let mut cmd = command(&r, &example("stdio_streams"), None);
            cmd.args(["interleave", &G.to_string(), &N.to_string()])
                .env("GOMAXPROCS", procs);
            let out = common::run(&r, cmd);
            out.assert_success();
            check_interleave(&out.stdout, G, N, &format!("pipe {procs} {}", r.label()));
            // A regular file (plain calls).
            let path = std::env::temp_dir().join(format!(
                "rt0-stdio-{}-{procs}-{}",
                std::process::id(),
                r.is_qemu()
            ));
            let f = std::fs::File::create(&path).expect("create");
            let mut cmd = command(&r, &example("stdio_streams"), None);
            cmd.args(["interleave", &G.to_string(), &N.to_string()])
                .env("GOMAXPROCS", procs)
                .stdout(f);
            let mut child = cmd.spawn().expect("spawn");
            let st = wait(&mut child, "interleave to a file");
            assert_eq!(st.code(), Some(0));
            let data = std::fs::read(&path).expect("read back");
            let _ = std::fs::remove_file(&path);
            check_interleave(&data, G, N, &format!("file {procs} {}", r.label()));
        }
    }
}

/// Runs `stdio_streams ARGS` with stdin/stdout set up by `setup`, and
/// returns (status, stdout, stderr).
fn run_with(
    r: &Runner,
    args: &[&str],
    setup: impl FnOnce(&mut std::process::Command),
) -> (ExitStatus, String, String) {
    let mut cmd = command(r, &example("stdio_streams"), None);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    setup(&mut cmd);
    let child = cmd.spawn().expect("spawn");
    let out = child.wait_with_output().expect("wait");
    let strip = |b: Vec<u8>| {
        String::from_utf8_lossy(&b)
            .lines()
            .filter(|l| !common::is_qemu_warning(l.as_bytes()))
            .map(|l| format!("{l}\n"))
            .collect::<String>()
    };
    (out.status, strip(out.stdout), strip(out.stderr))
}

/// A pre-exec hook closing `fd` in the child.
fn closing(cmd: &mut std::process::Command, fd: i32) {
    // SAFETY: close is async-signal-safe; the child only execs after it.
    unsafe {
        cmd.pre_exec(move || {
            close(fd);
            Ok(())
        });
    }
}

#[test]
fn stdin_at_eof_and_closed() {
    for r in native_and_one_qemu() {
        let (st, out, _) = run_with(&r, &["eof"], |_| {});
        assert_eq!(st.code(), Some(0));
        assert_eq!(
            out,
            "read_line=0 read_to_end=0\n",
            "[{}] /dev/null",
            r.label()
        );
        // An empty pipe whose writer is gone.
        let (st, out, _) = run_with(&r, &["eof"], |c| {
            c.stdin(Stdio::piped());
        });
        assert_eq!(st.code(), Some(0));
        assert_eq!(out, "read_line=0 read_to_end=0\n", "[{}] pipe", r.label());
        let (st, out, err) = run_with(&r, &["eof"], |c| closing(c, 0));
        assert_eq!(st.code(), Some(0), "[{}] {err}", r.label());
        assert_eq!(
            out,
            "read_line: error raw=Some(9) read_to_end: error raw=Some(9)\n",
            "[{}] <&-",
            r.label()
        );
    }
}

#[test]
fn stdout_closed_or_full_is_an_error_not_a_crash() {
    for r in native_and_one_qemu() {
        let (st, _, err) = run_with(&r, &["write"], |c| closing(c, 1));
        assert_eq!(st.code(), Some(0), "[{}] {err}", r.label());
        assert_eq!(
            err,
            "stdout: error raw=Some(9) kind=Uncategorized: Bad file descriptor (os error 9)\ndone\n",
            "[{}] >&-",
            r.label()
        );
        let (st, _, err) = run_with(&r, &["write"], |c| {
            c.stdout(
                std::fs::File::options()
                    .write(true)
                    .open("/dev/full")
                    .unwrap(),
            );
        });
        assert_eq!(st.code(), Some(0), "[{}] {err}", r.label());
        assert_eq!(
            err,
            "stdout: error raw=Some(28) kind=StorageFull: No space left on device (os error 28)\ndone\n",
            "[{}] /dev/full",
            r.label()
        );
    }
}

/// How a `hold` run ends.
#[derive(Clone, Copy, Debug)]
enum End {
    Exit,
    Signal(i32),
}

/// Runs `hold` with stdin on `theirs` (a pipe's read end or a socket),
/// checks `ours` (the same open file description) while it runs and
/// after it is gone: returns (non-blocking while running, after).
fn hold_flags(
    r: &Runner,
    theirs: OwnedFd,
    ours: &OwnedFd,
    feed: &mut dyn Write,
    end: End,
) -> (bool, bool) {
    let mode = match end {
        End::Exit => "exit",
        End::Signal(_) => "sleep",
    };
    let mut cmd = command(r, &example("stdio_streams"), None);
    cmd.args(["hold", mode])
        .stdin(Stdio::from(theirs))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut child = cmd.spawn().expect("spawn");
    let rx = line_reader(&mut child);
    feed.write_all(b"one\n").expect("feed");
    wait_for(&rx, "ready", |l| l == "ready");
    let during = nonblocking(ours);
    match end {
        End::Exit => feed.write_all(b"two\n").expect("feed"),
        // SAFETY: kill(2) of our own child.
        End::Signal(sig) => unsafe {
            kill(child.id() as i32, sig);
        },
    }
    let st = wait(&mut child, "hold");
    match end {
        End::Signal(sig) => assert_eq!(st.signal(), Some(sig), "[{}] {st:?}", r.label()),
        End::Exit => assert_eq!(st.code(), Some(0), "[{}] {st:?}", r.label()),
    }
    (during, nonblocking(ours))
}

unsafe extern "C" {
    fn kill(pid: i32, sig: i32) -> i32;
}

#[test]
fn a_shared_pipe_or_socket_stays_blocking() {
    for r in native_and_one_qemu() {
        // A pipe: reopened privately, never made non-blocking.
        for end in [End::Exit, End::Signal(SIGTERM)] {
            let (rd, wr) = std::io::pipe().expect("pipe");
            let ours: OwnedFd = rd.try_clone().expect("dup").into();
            let mut wr = wr;
            let (during, after) = hold_flags(&r, rd.into(), &ours, &mut wr, end);
            assert!(
                !during && !after,
                "[{}] pipe {end:?}: {during} {after}",
                r.label()
            );
        }
        // A socket cannot be reopened: read with plain calls, its shared
        // flags never touched, on every way out.
        for end in [End::Exit, End::Signal(SIGTERM), End::Signal(SIGKILL)] {
            let (theirs, mut feed) = UnixStream::pair().expect("socketpair");
            let ours: OwnedFd = theirs.try_clone().expect("dup").into();
            let (during, after) = hold_flags(&r, theirs.into(), &ours, &mut feed, end);
            assert!(
                !during && !after,
                "[{}] socket {end:?}: {during} {after}",
                r.label()
            );
        }
    }
}

/// A socket as stdin (inetd, socket activation) has no private
/// reopening: it is read with plain calls in the system-call bracket, so
/// at GOMAXPROCS=1 the ticker goes on while it is idle, and every line
/// arrives; its shared description stays blocking throughout.
#[test]
fn a_socket_stdin_is_read_in_the_bracket() {
    const TICKS_WANTED: usize = 3;
    for r in native_and_one_qemu() {
        let (theirs, feed) = UnixStream::pair().expect("socketpair");
        let ours: OwnedFd = theirs.try_clone().expect("dup").into();
        let mut cmd = command(&r, &example("stdio_streams"), None);
        cmd.arg("lines")
            .env("GOMAXPROCS", "1")
            .stdin(Stdio::from(OwnedFd::from(theirs)))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = cmd.spawn().expect("spawn");
        let rx = line_reader(&mut child);
        let mut ticks = 0;
        wait_for(&rx, "ticks while the socket is idle", |l| {
            ticks += l.starts_with("tick ") as usize;
            ticks >= TICKS_WANTED
        });
        assert!(!nonblocking(&ours), "[{}] made non-blocking", r.label());
        (&feed).write_all(b"first\nsecond\n").expect("feed");
        feed.shutdown(std::net::Shutdown::Write).expect("shutdown");
        let seen = wait_for(&rx, "eof line", |l| l.starts_with("eof "));
        let st = wait(&mut child, "lines on a socket");
        assert_eq!(st.code(), Some(0), "[{}] {st:?}", r.label());
        let body: Vec<&String> = seen.iter().filter(|l| !l.starts_with("tick ")).collect();
        assert_eq!(body[0], "line: first", "[{}] {seen:?}", r.label());
        assert_eq!(body[1], "line: second", "[{}] {seen:?}", r.label());
        assert!(
            body[2].starts_with("eof lines=2 bytes=13 "),
            "[{}] {seen:?}",
            r.label()
        );
        assert!(!nonblocking(&ours), "[{}] left non-blocking", r.label());
    }
}

#[test]
fn os_pipe_carries_every_byte_then_eof_then_broken_pipe() {
    for r in native_and_one_qemu() {
        for procs in ["1", "4"] {
            let mut cmd = command(&r, &example("stdio_streams"), None);
            cmd.arg("pipe").env("GOMAXPROCS", procs);
            let out = common::run(&r, cmd);
            out.assert_success();
            assert_eq!(
                out.stdout_str(),
                "bytes=1048576 bad=0 eof=1 fds_above_2=1 broken=1\n",
                "{}",
                out.describe()
            );
        }
    }
}

#[test]
fn counting_stdin_lines_finds_every_line_and_byte() {
    // Lines of 0..=300 bytes, some longer than the 64 KiB buffer's tail.
    let mut data = Vec::new();
    let mut x: u32 = 1;
    for i in 0..20_000u32 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let n = if i % 5000 == 0 {
            100_000
        } else {
            (x >> 16) as usize % 301
        };
        data.extend(std::iter::repeat_n(b'a' + (i % 26) as u8, n));
        data.push(b'\n');
    }
    data.extend_from_slice(b"no newline at the end");
    let lines = data.iter().filter(|&&b| b == b'\n').count() + 1;
    let want = format!("lines={lines} bytes={}\n", data.len());
    for r in native_and_one_qemu() {
        let mut cmd = command(&r, &example("stdio_count"), None);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = cmd.spawn().expect("spawn");
        let mut w = child.stdin.take().unwrap();
        let d = data.clone();
        let feeder = std::thread::spawn(move || w.write_all(&d).expect("feed"));
        let out = child.wait_with_output().expect("wait");
        feeder.join().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            want,
            "[{}]",
            r.label()
        );
    }
}

#[test]
fn a_panic_holding_the_stdout_lock_is_still_reported() {
    for r in native_and_one_qemu() {
        let mut cmd = command(&r, &example("stdio_streams"), None);
        cmd.arg("panic_locked").env("GOMAXPROCS", "2");
        let out = common::run(&r, cmd);
        assert_eq!(out.code(), Some(2), "{}", out.describe());
        assert_eq!(out.stdout_str(), "partial", "{}", out.describe());
        // One whole report (tests/common/expect.rs): main alone, at its
        // panic in `panic_locked`.
        let ctx = out.describe();
        let rep = expect::one_report(&out);
        assert_eq!(rep.head, ["panic: boom while holding stdout"], "{ctx}");
        let g = expect::only_goroutine(&rep, &ctx);
        assert_eq!((g.id, g.state.as_str()), (1, "running"), "{ctx}");
        let src = Source::new("tests/programs/stdio_streams.rs");
        let at = src.line("panic!(\"boom while holding stdout\")");
        let first = expect::first_frame(g, &ctx);
        expect::assert_frame(first, "stdio_streams::panic_locked", &src, at, &ctx);
    }
}

unsafe extern "C" {
    fn posix_openpt(flags: i32) -> i32;
    fn grantpt(fd: i32) -> i32;
    fn unlockpt(fd: i32) -> i32;
    fn ptsname(fd: i32) -> *const std::ffi::c_char;
}
const O_RDWR: i32 = 2;
const O_NOCTTY: i32 = 0o400;

/// A new pseudo-terminal: (master, slave), neither our controlling tty.
fn open_pty() -> (std::fs::File, std::fs::File) {
    use std::os::fd::FromRawFd;
    // SAFETY: plain libc calls on a descriptor this test owns; ptsname's
    // string is copied at once.
    let (master, slave_path) = unsafe {
        let m = posix_openpt(O_RDWR | O_NOCTTY);
        assert!(m >= 0, "posix_openpt");
        assert_eq!(grantpt(m), 0, "grantpt");
        assert_eq!(unlockpt(m), 0, "unlockpt");
        let name = std::ffi::CStr::from_ptr(ptsname(m)).to_owned();
        (std::fs::File::from_raw_fd(m), name)
    };
    let slave = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(O_NOCTTY)
        .open(std::ffi::OsStr::from_bytes(slave_path.to_bytes()))
        .expect("open the pty's slave");
    (master, slave)
}

#[test]
fn a_terminal_stdin_is_read_and_left_blocking() {
    for r in native_and_one_qemu() {
        for end in [End::Exit, End::Signal(SIGTERM)] {
            let (master, slave) = open_pty();
            let ours: OwnedFd = slave.try_clone().expect("dup").into();
            let mut feed = master;
            let (during, after) = hold_flags(&r, slave.into(), &ours, &mut feed, end);
            assert!(
                !during && !after,
                "[{}] tty {end:?}: {during} {after}",
                r.label()
            );
        }
    }
}

/// A terminal in canonical mode answers one line per `read(2)` with more
/// lines queued behind it, and raises no new event for them: two lines
/// typed at once must both be read without any further input (a reader
/// that took a short read for "the queue is empty" would wait for ever
/// on the second), then ^D ends the input.
#[test]
fn a_terminal_gives_every_queued_line() {
    for r in native_and_one_qemu() {
        let (master, slave) = open_pty();
        let mut cmd = command(&r, &example("stdio_streams"), None);
        cmd.arg("lines")
            .env("GOMAXPROCS", "1")
            .stdin(Stdio::from(OwnedFd::from(slave)))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = cmd.spawn().expect("spawn");
        let rx = line_reader(&mut child);
        wait_for(&rx, "a first tick", |l| l.starts_with("tick "));
        let mut feed = master;
        feed.write_all(b"first\nsecond\n").expect("type two lines");
        wait_for(&rx, "the second line, with no more input", |l| {
            l == "line: second"
        });
        // ^D at the start of a line: end of input.
        feed.write_all(b"\x04").expect("type ^D");
        let seen = wait_for(&rx, "eof line", |l| l.starts_with("eof "));
        let st = wait(&mut child, "lines on a tty");
        assert_eq!(st.code(), Some(0), "[{}] {st:?}", r.label());
        let eof = seen.last().unwrap();
        assert!(
            eof.starts_with("eof lines=2 bytes=13 "),
            "[{}] {seen:?}",
            r.label()
        );
    }
}
