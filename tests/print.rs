//! Output as Go's (`print_lines`), natively and under qemu-x86_64:
//!
//! - one `println!` is one whole line: 4 goroutines printing lines of
//!   1 KiB..60 KiB (and past 64 KiB) to a pipe the test reads slowly never
//!   interleave, at GOMAXPROCS 1, 2, 4 and 8;
//! - a non-blocking stdout or stderr that fills up loses nothing: all
//!   20,000 lines arrive in order, to a reader that takes its time;
//! - a broken pipe on fd 1 or 2 kills the program by SIGPIPE, with SIGPIPE
//!   inherited as default and as ignored, as Go's `fmt.Println` does; the
//!   runtime's own report to a broken stderr (a panic) does not, and the
//!   program exits 2, as Go's builtin print does.
//!
//! Go 1.19.8 on this machine, for the last two (programs printing in a
//! loop to a pipe whose reader closes after 100 bytes, started from Python
//! with `restore_signals=True` and SIGPIPE default or SIG_IGN):
//! - `fmt.Println` loop (stdout):            killed by signal 13, both;
//! - `fmt.Fprintln(os.Stderr)` loop:         killed by signal 13, both;
//! - builtin `println` loop (stderr):        runs to the end, exit 0, both;
//! - `panic("boom")` with stderr's reader closed: exit 2, both.

mod common;

use std::io::Read;
use std::os::fd::AsRawFd;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use common::{Runner, TIMEOUT, command, example, native_and_one_qemu};

/// The GOMAXPROCS values every test runs at.
const PROCS: [&str; 4] = ["1", "2", "4", "8"];

/// SIGPIPE's number on Linux.
const SIGPIPE: i32 = 13;

unsafe extern "C" {
    fn fcntl(fd: i32, cmd: i32, ...) -> i32;
    fn signal(sig: i32, handler: usize) -> usize;
}
const F_GETFL: i32 = 3;
const F_SETFL: i32 = 4;
const O_NONBLOCK: i32 = 0o4000;
const SIG_DFL: usize = 0;
const SIG_IGN: usize = 1;

/// Waits for `child`, killing it after [`TIMEOUT`].
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

/// Reads `r` to its end in pieces of at most `piece` bytes, pausing
/// `pause` after each: a slow reader, so that the writer meets a full pipe.
fn read_slowly(mut r: impl Read, piece: usize, pause: Duration) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = vec![0u8; piece];
    loop {
        match r.read(&mut buf) {
            Ok(0) => return out,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => panic!("read: {e}"),
        }
        std::thread::sleep(pause);
    }
}

/// [`read_slowly`] on a thread, so that the caller can time the child out.
fn drain_slowly(
    r: impl Read + Send + 'static,
    piece: usize,
    pause: Duration,
) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || read_slowly(r, piece, pause))
}

/// Reads all of `r` on a thread.
fn drain(mut r: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = r.read_to_end(&mut v);
        v
    })
}

/// `print_lines` on `runner` with `args`, GOMAXPROCS=`procs`.
fn print_lines(runner: &Runner, args: &[&str], procs: &str) -> Command {
    let mut cmd = command(runner, &example("print_lines"), None);
    cmd.args(args).env("GOMAXPROCS", procs);
    cmd.stdin(Stdio::null());
    cmd
}

fn label(runner: &Runner, args: &[&str], procs: &str) -> String {
    format!(
        "[{}] print_lines {} GOMAXPROCS={procs}",
        runner.label(),
        args.join(" ")
    )
}

/// xorshift64, as in the program.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Checks `long G N MAX` output: every line whole and exactly as the
/// program made it, each (g, i) once, each goroutine's lines in order.
fn check_long(out: &[u8], goroutines: u64, lines: u64, max: usize, what: &str) {
    let mut next_i = vec![0u64; goroutines as usize];
    let mut lengths: Vec<Vec<usize>> = (0..goroutines)
        .map(|g| {
            let mut rng = 0x9e37_79b9_7f4a_7c15 ^ (g + 1);
            (0..lines)
                .map(|_| 1024 + (next(&mut rng) as usize) % (max - 1024 + 1))
                .collect()
        })
        .collect();
    let mut count = 0;
    for (n, line) in out.split_inclusive(|&b| b == b'\n').enumerate() {
        let shown = String::from_utf8_lossy(&line[..line.len().min(80)]).into_owned();
        let bad = |why: &str| -> ! {
            panic!(
                "{what}: line {n} ({} bytes, starts {shown:?}): {why}",
                line.len()
            )
        };
        let text = std::str::from_utf8(line).unwrap_or_else(|_| bad("not UTF-8"));
        if !text.ends_with('\n') {
            bad("no newline at the end of the output");
        }
        let mut fields = text.splitn(4, ' ');
        let mut num = |key: &str| -> usize {
            fields
                .next()
                .and_then(|f| f.strip_prefix(key))
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| bad(&format!("no {key}N field: interleaved?")))
        };
        let (g, i, len) = (num("g="), num("i="), num("n="));
        if g >= goroutines as usize || i as u64 != next_i[g] {
            bad(&format!(
                "g={g} i={i}: expected i={} next",
                next_i.get(g).copied().unwrap_or(0)
            ));
        }
        if len != lengths[g][i] || line.len() != len {
            bad(&format!(
                "length {} != n={len} (program's n={})",
                line.len(),
                lengths[g][i]
            ));
        }
        let header = text.len() - fields.next().unwrap_or_else(|| bad("no letters")).len();
        for (k, &b) in line.iter().enumerate().take(len - 1).skip(header) {
            if b != b'a' + ((g * 7 + i + k) % 26) as u8 {
                bad(&format!("byte {k} is {:?}: another line got in", b as char));
            }
        }
        next_i[g] += 1;
        lengths[g][i] = usize::MAX;
        count += 1;
    }
    assert_eq!(count, goroutines * lines, "{what}: line count");
}

/// Runs `long G N MAX` with its stdout read slowly; checks every line.
fn long_lines(runner: &Runner, procs: &str, goroutines: u64, lines: u64, max: usize) {
    let args = [
        "long".to_string(),
        goroutines.to_string(),
        lines.to_string(),
        max.to_string(),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let what = label(runner, &args, procs);
    let mut cmd = print_lines(runner, &args, procs);
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn print_lines");
    let err = drain(child.stderr.take().expect("stderr"));
    let out = drain_slowly(
        child.stdout.take().expect("stdout"),
        16 << 10,
        Duration::from_micros(50),
    );
    let status = wait(&mut child, &what);
    let err = err.join().expect("stderr reader");
    let out = out.join().expect("stdout reader");
    assert_eq!(
        status.code(),
        Some(0),
        "{what}: {status:?}\n{}",
        String::from_utf8_lossy(&err)
    );
    assert_eq!(String::from_utf8_lossy(&err), "", "{what}: stderr");
    check_long(&out, goroutines, lines, max, &what);
}

#[test]
fn long_lines_from_many_goroutines_never_interleave() {
    for r in native_and_one_qemu() {
        for procs in PROCS {
            long_lines(&r, procs, 4, 40, 60 * 1024);
        }
    }
}

/// Past 64 KiB a line still comes out whole (it is held on the heap).
#[test]
fn lines_longer_than_64k_are_whole_too() {
    for r in native_and_one_qemu() {
        long_lines(&r, "4", 4, 6, 300 * 1024);
    }
}

/// Sets O_NONBLOCK on `fd` (and so on the pipe's open file description,
/// which the child shares).
fn set_nonblock(fd: i32) {
    // SAFETY: plain fcntl on an fd this test owns.
    unsafe {
        let fl = fcntl(fd, F_GETFL);
        assert!(fl >= 0, "F_GETFL: {}", std::io::Error::last_os_error());
        assert_eq!(fcntl(fd, F_SETFL, fl | O_NONBLOCK), 0, "F_SETFL");
    }
}

/// Lines of `count` mode.
const COUNT: usize = 20_000;

/// `count 20000 out|err` into a non-blocking pipe read slowly: all lines
/// arrive, in order (rt0 before the fix: 816 of 20,000, the rest dropped
/// on EAGAIN).
fn nonblocking(runner: &Runner, which: &str, procs: &str) {
    let args = ["count", "20000", which];
    let what = label(runner, &args, procs);
    let (reader, writer) = std::io::pipe().expect("pipe");
    set_nonblock(writer.as_raw_fd());
    let mut cmd = print_lines(runner, &args, procs);
    if which == "out" {
        cmd.stdout(Stdio::from(writer)).stderr(Stdio::piped());
    } else {
        cmd.stderr(Stdio::from(writer)).stdout(Stdio::piped());
    }
    let mut child = cmd.spawn().expect("spawn print_lines");
    drop(cmd); // our copy of the write end: EOF comes when the child exits
    let other = if which == "out" {
        drain(child.stderr.take().expect("stderr"))
    } else {
        drain(child.stdout.take().expect("stdout"))
    };
    let got = drain_slowly(reader, 4096, Duration::from_micros(300));
    let status = wait(&mut child, &what);
    let other = other.join().expect("reader");
    let got = got.join().expect("slow reader");
    assert_eq!(status.code(), Some(0), "{what}: {status:?}");
    assert_eq!(String::from_utf8_lossy(&other), "finished\n", "{what}");
    let text = String::from_utf8_lossy(&got);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), COUNT, "{what}: lines that arrived");
    for (i, l) in lines.iter().enumerate() {
        let want = format!("line {i} ");
        assert!(
            l.starts_with(&want) && l.len() == 99 && l[want.len()..].bytes().all(|b| b == b'.'),
            "{what}: line {i} is {l:?}"
        );
    }
}

#[test]
fn nonblocking_stdout_that_fills_up_loses_nothing() {
    for r in native_and_one_qemu() {
        for procs in PROCS {
            nonblocking(&r, "out", procs);
        }
    }
}

#[test]
fn nonblocking_stderr_that_fills_up_loses_nothing() {
    for r in native_and_one_qemu() {
        for procs in PROCS {
            nonblocking(&r, "err", procs);
        }
    }
}

/// Makes the child start with SIGPIPE at `disposition` (as inherited).
fn sigpipe_disposition(cmd: &mut Command, disposition: usize) {
    // SAFETY: signal() is async-signal-safe; it runs in the forked child.
    unsafe {
        cmd.pre_exec(move || {
            signal(SIGPIPE, disposition);
            Ok(())
        });
    }
}

/// `count 1000000 out|err`, whose reader closes after 100 bytes: the
/// program must die by SIGPIPE before it finishes (Go's fmt.Println and
/// fmt.Fprintln(os.Stderr): signal 13 with SIGPIPE default and ignored).
fn broken_pipe(runner: &Runner, which: &str, disposition: usize) {
    for procs in PROCS {
        broken_pipe_at(runner, which, disposition, procs);
    }
}

fn broken_pipe_at(runner: &Runner, which: &str, disposition: usize, procs: &str) {
    let args = ["count", "1000000", which];
    let what = format!("{} SIGPIPE={}", label(runner, &args, procs), disposition);
    let mut cmd = print_lines(runner, &args, procs);
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    sigpipe_disposition(&mut cmd, disposition);
    let mut child = cmd.spawn().expect("spawn print_lines");
    let (mut broken, other) = if which == "out" {
        let o = child.stdout.take().expect("stdout");
        (
            Box::new(o) as Box<dyn Read>,
            drain(child.stderr.take().expect("stderr")),
        )
    } else {
        let e = child.stderr.take().expect("stderr");
        (
            Box::new(e) as Box<dyn Read>,
            drain(child.stdout.take().expect("stdout")),
        )
    };
    let mut first = [0u8; 100];
    broken.read_exact(&mut first).expect("the first 100 bytes");
    drop(broken);
    let status = wait(&mut child, &what);
    let other = other.join().expect("reader");
    assert_eq!(
        (status.code(), status.signal()),
        (None, Some(SIGPIPE)),
        "{what}: other stream {:?}",
        String::from_utf8_lossy(&other)
    );
    assert_eq!(
        String::from_utf8_lossy(&other),
        "",
        "{what}: the loop did not finish"
    );
}

#[test]
fn broken_stdout_kills_by_sigpipe_as_go() {
    for r in native_and_one_qemu() {
        broken_pipe(&r, "out", SIG_DFL);
        broken_pipe(&r, "out", SIG_IGN);
    }
}

#[test]
fn broken_stderr_kills_by_sigpipe_as_go() {
    for r in native_and_one_qemu() {
        broken_pipe(&r, "err", SIG_DFL);
        broken_pipe(&r, "err", SIG_IGN);
    }
}

/// A panic 300 ms after start, stderr's reader closed at once: the report
/// meets EPIPE, is dropped, and the program exits 2 (Go: 2 with SIGPIPE
/// default and ignored; rt0 before the fix: killed by SIGPIPE when default).
#[test]
fn panic_report_to_a_broken_stderr_still_exits_2() {
    for r in native_and_one_qemu() {
        for disposition in [SIG_DFL, SIG_IGN] {
            let args = ["panic", "300"];
            let what = format!("{} SIGPIPE={}", label(&r, &args, "2"), disposition);
            let mut cmd = print_lines(&r, &args, "2");
            cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
            sigpipe_disposition(&mut cmd, disposition);
            let mut child = cmd.spawn().expect("spawn print_lines");
            drop(child.stderr.take());
            let out = drain(child.stdout.take().expect("stdout"));
            let status = wait(&mut child, &what);
            let out = out.join().expect("reader");
            assert_eq!(
                (status.code(), status.signal()),
                (Some(2), None),
                "{what}: stdout {:?}",
                String::from_utf8_lossy(&out)
            );
        }
    }
}
