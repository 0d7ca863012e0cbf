//! `rt0::os::signal` (Go's os/signal), natively and under qemu-x86_64
//! (`-cpu qemu64` and `-cpu Haswell`, or the models of `QEMU_CPUS`).
//!
//! The programs print `ready` and answer every command on stdin with one
//! line; the test sends a signal with kill(2) only after the line that
//! says the program is ready for it, and learns that a signal arrived
//! from the program's own answer (`recv`, which blocks), never from a
//! sleep. That a signal did *not* reach a channel is shown with a
//! witness: a second channel notified of the same signal (the receiver
//! sends to every channel in one pass, under the registry lock), or of
//! another signal sent after it (`ping` then proves the program lived
//! through the first).
//!
//! - examples/signals.rs: SIGINT and SIGTERM print `got SIGINT` /
//!   `got SIGTERM` and exit 0; SIGHUP kills it (WIFSIGNALED); SIGUSR1 is
//!   still ignored.
//! - notify/stop: two channels get their own copy; a stopped channel gets
//!   nothing more; the last stop gives SIGINT its default back (it kills).
//! - ignore/ignored/reset: an ignored SIGINT does nothing, `ignored` says
//!   so, `reset` gives back the default; ignore takes the signal from the
//!   channels; an inherited SIG_IGN for SIGHUP is reported and restored.
//! - SIGTSTP (left at the system default by the runtime): notified, it
//!   reaches the channel and does not stop the process; after `stop`, it
//!   stops it again (`T` in /proc), and SIGCONT resumes it.
//! - A full channel drops: capacity 1, N signals each handed over one at
//!   a time (the witness receives each): exactly 1 is buffered.
//! - `notify` with no signals gets every catchable one, SIGQUIT and the
//!   kill class included, and a real-time signal (from outside only
//!   natively: qemu-user renumbers forwarded real-time signals).
//! - SIGSEGV: one sent by kill reaches the channel (from outside only
//!   natively: qemu-user dies itself of a host SIGSEGV); a real nil
//!   dereference is still Go's panic (exit 2).
//! - SIGPIPE: Go's rule. Notified: a broken pipe of any fd delivers it;
//!   a broken stdout no longer kills (exit 0); not notified: a broken
//!   stdout kills by SIGPIPE, a broken other fd only returns EPIPE.
//! - A signal blocked in the inherited mask is still delivered once
//!   notified.
//! - SIGINT while busy goroutines and channels run, GOMAXPROCS 1, 2, 4, 8.
//! - Self-sent signals (`signal::raise`, kill(getpid())) with exact
//!   counters, GOMAXPROCS 1 and 4 (the loop of 100 runs is
//!   `STRESS_CASES=os_signal python3 scripts/stress.py`).

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, ChildStdin, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use common::expect::{self, Source};
use common::{Runner, command, example};

const SIGHUP: i32 = 1;
const SIGINT: i32 = 2;
const SIGQUIT: i32 = 3;
const SIGUSR1: i32 = 10;
const SIGSEGV: i32 = 11;
const SIGUSR2: i32 = 12;
const SIGPIPE: i32 = 13;
const SIGTERM: i32 = 15;
const SIGCONT: i32 = 18;
const SIGTSTP: i32 = 20;
const SIGWINCH: i32 = 28;
/// A real-time signal neither libc nor qemu-user keeps for itself.
const SIGRT_TEST: i32 = 40;
const SIG_BLOCK: i32 = 0;
const SIG_IGN: usize = 1;
const SIG_DFL: usize = 0;
/// The signals reset to SIG_DFL in every child: the test runner's own
/// state (a `nohup`, a CI that ignores SIGINT) must not leak in.
const RESET_TO_DEFAULT: [i32; 5] = [SIGHUP, SIGINT, SIGTERM, SIGPIPE, SIGUSR1];

unsafe extern "C" {
    fn kill(pid: i32, sig: i32) -> i32;
    fn signal(sig: i32, handler: usize) -> usize;
    fn sigprocmask(how: i32, set: *const u64, old: *mut u64) -> i32;
    fn setpgid(pid: i32, pgid: i32) -> i32;
}

/// Longest wait for one answer or for the program to end: generous, for
/// a loaded two-CPU machine under qemu.
const WAIT: Duration = Duration::from_secs(60);

/// Native, then qemu: the models of `QEMU_CPUS` if set, else qemu64 and
/// Haswell (what signals do does not depend on the CPU model).
fn runners() -> Vec<Runner> {
    if std::env::var("QEMU_CPUS").is_ok_and(|v| !v.trim().is_empty()) {
        return common::all_runners();
    }
    vec![
        Runner::Native,
        Runner::Qemu("qemu64".into()),
        Runner::Qemu("Haswell".into()),
    ]
}

/// How the child's signal state is prepared before exec.
#[derive(Clone, Copy)]
enum Inherit {
    Default,
    Ignored(&'static [i32]),
    Blocked(&'static [i32]),
}

/// A running program: its stdin, its stdout as lines, its stderr.
struct Prog {
    runner: Runner,
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    seen: Vec<String>,
    stderr: Arc<Mutex<Vec<u8>>>,
    stderr_reader: Option<JoinHandle<()>>,
}

fn start(runner: &Runner, name: &str, args: &[&str], procs: &str, inherit: Inherit) -> Prog {
    let mut cmd = command(runner, &example(name), None);
    cmd.args(args).env("GOMAXPROCS", procs);
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: the hook calls only setpgid(2), signal(2) and sigprocmask(2),
    // all async-signal-safe, on values copied into it before the fork.
    unsafe {
        cmd.pre_exec(move || {
            // A process group of its own, whose parent (this test) is in
            // another group of the same session: never an orphaned group,
            // for which the kernel discards SIGTSTP (POSIX job control).
            // Inherited, the group was orphaned whenever the test ran
            // under a parent that had exited or under `setsid` (seen:
            // sigtstp_taken_over_and_given_back "not stopped", every time
            // under `setsid`, now and then from a backgrounded `make test`).
            if setpgid(0, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            for s in RESET_TO_DEFAULT {
                signal(s, SIG_DFL);
            }
            match inherit {
                Inherit::Default => {}
                Inherit::Ignored(sigs) => {
                    for &s in sigs {
                        signal(s, SIG_IGN);
                    }
                }
                Inherit::Blocked(sigs) => {
                    // glibc's sigset_t is 128 bytes: pass a whole one.
                    let mut set = [0u64; 16];
                    set[0] = sigs.iter().map(|&s| 1u64 << (s - 1)).sum();
                    if sigprocmask(SIG_BLOCK, set.as_ptr(), std::ptr::null_mut()) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                }
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
    let (tx, lines) = channel();
    let out = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let stderr = Arc::new(Mutex::new(Vec::new()));
    let mut err = child.stderr.take().unwrap();
    let into = stderr.clone();
    let stderr_reader = Some(std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = err.read(&mut buf) {
            if n == 0 {
                break;
            }
            into.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    }));
    let mut p = Prog {
        runner: runner.clone(),
        stdin: child.stdin.take(),
        child,
        lines,
        seen: Vec::new(),
        stderr,
        stderr_reader,
    };
    p.expect("ready");
    p
}

impl Prog {
    fn context(&self) -> String {
        format!(
            "[{}] lines so far: {:?}\nstderr: {}",
            self.runner.label(),
            self.seen,
            without_qemu_warnings(&self.stderr.lock().unwrap())
        )
    }

    /// The next line of output; fails after [`WAIT`] or at end of output.
    fn line(&mut self) -> String {
        match self.lines.recv_timeout(WAIT) {
            Ok(l) => {
                self.seen.push(l.clone());
                l
            }
            Err(RecvTimeoutError::Timeout) => {
                panic!("no answer within {WAIT:?}\n{}", self.context())
            }
            Err(RecvTimeoutError::Disconnected) => {
                let st = self.child.wait();
                panic!("output ended ({st:?})\n{}", self.context())
            }
        }
    }

    fn expect(&mut self, want: &str) {
        let got = self.line();
        assert_eq!(got, want, "{}", self.context());
    }

    /// Sends one command and checks its one-line answer.
    fn cmd(&mut self, command: &str, want: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{command}").expect("write a command");
        stdin.flush().unwrap();
        self.expect(want);
    }

    /// Sends a command that has no answer.
    fn send(&mut self, command: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{command}").expect("write a command");
        stdin.flush().unwrap();
    }

    fn kill(&self, sig: i32) {
        // SAFETY: kill(2) on our own child, which has not been reaped.
        assert_eq!(
            unsafe { kill(self.child.id() as i32, sig) },
            0,
            "kill {sig}"
        );
    }

    /// Sends `sig` and waits for the program to receive it on `chan`.
    fn deliver(&mut self, sig: i32, chan: &str, name: &str) {
        self.kill(sig);
        self.cmd(&format!("recv {chan}"), &format!("{chan} {name}"));
    }

    /// Waits for the end, stdin still open (a program that should have
    /// died by a signal must not get the chance to exit on end of file
    /// instead); returns the status, all of stdout and stderr.
    fn finish(mut self) -> (ExitStatus, String, String) {
        let deadline = std::time::Instant::now() + WAIT;
        let status = loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                break st;
            }
            if std::time::Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("did not end within {WAIT:?}\n{}", self.context());
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        drop(self.stdin.take());
        // The rest of stdout.
        while let Ok(l) = self.lines.recv_timeout(WAIT) {
            self.seen.push(l);
        }
        if let Some(h) = self.stderr_reader.take() {
            h.join().unwrap();
        }
        let err = without_qemu_warnings(&self.stderr.lock().unwrap());
        (status, self.seen.join("\n"), err)
    }

    /// Expects the program to die by `sig` (WIFSIGNALED).
    fn dies_by(self, sig: i32) {
        let label = self.runner.label();
        let (st, out, err) = self.finish();
        assert_eq!(
            st.signal(),
            Some(sig),
            "[{label}] status {st:?}\nstdout:\n{out}\nstderr:\n{err}"
        );
    }

    /// Sends `exit` and expects `bye` and exit status 0, stderr empty.
    fn exits_cleanly(mut self) {
        self.cmd("exit", "bye");
        let label = self.runner.label();
        let (st, out, err) = self.finish();
        assert_eq!(
            st.code(),
            Some(0),
            "[{label}] status {st:?}\nstdout:\n{out}\nstderr:\n{err}"
        );
        assert_eq!(err, "", "[{label}] stderr");
    }
}

/// stderr without qemu's own `qemu-x86_64: warning:` lines (CPU features
/// TCG cannot emulate, e.g. for Haswell).
fn without_qemu_warnings(err: &[u8]) -> String {
    String::from_utf8_lossy(err)
        .split_inclusive('\n')
        .filter(|l| !common::is_qemu_warning(l.as_bytes()))
        .collect()
}

fn script(runner: &Runner, inherit: Inherit) -> Prog {
    start(runner, "os_signal", &["script"], "2", inherit)
}

#[test]
fn example_signals() {
    for r in runners() {
        for (sig, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            let p = start(&r, "signals", &[], "4", Inherit::Default);
            // SIGUSR1 keeps its default (ignored); SIGINT/SIGTERM then
            // arrives behind it.
            p.kill(SIGUSR1);
            p.kill(sig);
            let label = r.label();
            let (st, out, err) = p.finish();
            assert_eq!(st.code(), Some(0), "[{label}] {name}: {st:?} {err}");
            assert_eq!(out, format!("ready\ngot {name}"), "[{label}] {name}");
            assert_eq!(err, "", "[{label}] {name}");
        }
        // Not notified: SIGHUP keeps Go's default and kills it.
        let p = start(&r, "signals", &[], "4", Inherit::Default);
        p.kill(SIGHUP);
        let label = r.label();
        let (st, out, err) = p.finish();
        assert_eq!(st.signal(), Some(SIGHUP), "[{label}] SIGHUP: {st:?} {err}");
        assert_eq!(out, "ready", "[{label}] SIGHUP");
        assert_eq!(err, "", "[{label}] SIGHUP");
    }
}

#[test]
fn notify_and_stop() {
    for r in runners() {
        let mut p = script(&r, Inherit::Default);
        p.cmd("chan a 4", "ok");
        p.cmd("chan b 4", "ok");
        p.cmd("notify a SIGUSR1 SIGINT", "ok");
        p.deliver(SIGUSR1, "a", "SIGUSR1");
        // A notified SIGINT does not kill.
        p.deliver(SIGINT, "a", "SIGINT");
        // Two channels, one copy each.
        p.cmd("notify b SIGUSR1", "ok");
        p.kill(SIGUSR1);
        p.cmd("recv a", "a SIGUSR1");
        p.cmd("recv b", "b SIGUSR1");
        // Stopped: b gets nothing more (a, served in the same pass, is
        // the witness).
        p.cmd("stop b", "ok");
        p.deliver(SIGUSR1, "a", "SIGUSR1");
        p.cmd("try b", "b empty");
        // Notifying the same channel again adds to its set.
        p.cmd("notify a SIGUSR2", "ok");
        p.deliver(SIGUSR2, "a", "SIGUSR2");
        p.deliver(SIGINT, "a", "SIGINT");
        // A closed channel is skipped, the others still served.
        p.cmd("chan c 1", "ok");
        p.cmd("notify c SIGUSR1", "ok");
        p.cmd("close c", "ok");
        p.deliver(SIGUSR1, "a", "SIGUSR1");
        p.cmd("stop c", "ok");
        p.cmd("ping", "pong");
        // The last channel of SIGINT stopped: SIGINT kills again.
        p.cmd("stop a", "ok");
        p.kill(SIGINT);
        p.dies_by(SIGINT);
    }
}

#[test]
fn ignore_ignored_reset() {
    for r in runners() {
        let mut p = script(&r, Inherit::Default);
        p.cmd("chan w 8", "ok");
        p.cmd("notify w SIGUSR2", "ok");
        p.cmd("ignored SIGINT", "ignored SIGINT false");
        p.cmd("ignore SIGINT", "ok");
        p.cmd("ignored SIGINT", "ignored SIGINT true");
        p.kill(SIGINT);
        // The witness, sent after SIGINT: the program lived through it.
        p.deliver(SIGUSR2, "w", "SIGUSR2");
        p.cmd("ping", "pong");
        // Notify after ignore: delivered again, and no longer ignored.
        p.cmd("chan a 4", "ok");
        p.cmd("notify a SIGINT SIGTERM", "ok");
        p.cmd("ignored SIGINT", "ignored SIGINT false");
        p.deliver(SIGINT, "a", "SIGINT");
        // Ignore takes the signal away from the channels.
        p.cmd("ignore SIGTERM", "ok");
        p.kill(SIGTERM);
        p.deliver(SIGUSR2, "w", "SIGUSR2");
        p.cmd("try a", "a empty");
        p.cmd("ignored SIGTERM", "ignored SIGTERM true");
        // Reset undoes the ignore: SIGTERM kills again. Then SIGINT, after
        // its reset, too.
        p.cmd("reset SIGTERM", "ok");
        p.cmd("ignored SIGTERM", "ignored SIGTERM false");
        p.cmd("reset SIGINT", "ok");
        p.cmd("ignored SIGINT", "ignored SIGINT false");
        p.kill(SIGINT);
        p.dies_by(SIGINT);

        let mut p = script(&r, Inherit::Default);
        p.cmd("ignore SIGTERM", "ok");
        p.cmd("reset SIGTERM", "ok");
        p.kill(SIGTERM);
        p.dies_by(SIGTERM);
    }
}

#[test]
fn inherited_ignored_sighup() {
    for r in runners() {
        // nohup: SIGHUP inherited ignored stays ignored, and says so.
        let mut p = script(&r, Inherit::Ignored(&[SIGHUP]));
        p.cmd("ignored SIGHUP", "ignored SIGHUP true");
        p.cmd("ignored SIGINT", "ignored SIGINT false");
        p.cmd("chan w 8", "ok");
        p.cmd("notify w SIGUSR2", "ok");
        p.cmd("chan a 4", "ok");
        p.cmd("notify a SIGHUP", "ok");
        p.cmd("ignored SIGHUP", "ignored SIGHUP false");
        p.deliver(SIGHUP, "a", "SIGHUP");
        // Its last channel stopped: back to the inherited SIG_IGN.
        p.cmd("stop a", "ok");
        p.cmd("ignored SIGHUP", "ignored SIGHUP true");
        p.kill(SIGHUP);
        p.deliver(SIGUSR2, "w", "SIGUSR2");
        p.cmd("try a", "a empty");
        p.cmd("reset SIGHUP", "ok");
        p.cmd("ignored SIGHUP", "ignored SIGHUP true");
        p.kill(SIGHUP);
        p.deliver(SIGUSR2, "w", "SIGUSR2");
        p.exits_cleanly();

        // Inherited default: after notify and reset, SIGHUP kills.
        let mut p = script(&r, Inherit::Default);
        p.cmd("ignored SIGHUP", "ignored SIGHUP false");
        p.cmd("chan a 4", "ok");
        p.cmd("notify a SIGHUP", "ok");
        p.deliver(SIGHUP, "a", "SIGHUP");
        p.cmd("reset SIGHUP", "ok");
        p.kill(SIGHUP);
        p.dies_by(SIGHUP);
    }
}

/// The state letter of `pid` in /proc (`T`: stopped).
fn proc_state(pid: u32) -> char {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("read /proc/PID/stat");
    // The state follows the command name's closing parenthesis.
    let after = &stat[stat.rfind(')').expect("a (comm)") + 2..];
    after.chars().next().unwrap()
}

#[test]
fn sigtstp_taken_over_and_given_back() {
    for r in runners() {
        let mut p = script(&r, Inherit::Default);
        p.cmd("chan a 4", "ok");
        // Notified, SIGTSTP reaches the channel and does not stop it.
        p.cmd("notify a SIGTSTP", "ok");
        p.deliver(SIGTSTP, "a", "SIGTSTP");
        p.cmd("ping", "pong");
        // Its last channel stopped: the system default again, it stops.
        p.cmd("stop a", "ok");
        p.kill(SIGTSTP);
        let pid = p.child.id();
        let deadline = std::time::Instant::now() + WAIT;
        while proc_state(pid) != 'T' {
            assert!(
                std::time::Instant::now() < deadline,
                "[{}] not stopped by SIGTSTP",
                r.label()
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        p.kill(SIGCONT);
        p.cmd("ping", "pong");
        p.exits_cleanly();
    }
}

/// Rounds of the full-channel test: more than the capacity, few enough to
/// stay quick under qemu.
const DROP_ROUNDS: usize = 20;

#[test]
fn full_channel_drops() {
    for r in runners() {
        let mut p = script(&r, Inherit::Default);
        p.cmd("chan a 1", "ok");
        p.cmd(&format!("chan w {DROP_ROUNDS}"), "ok");
        p.cmd("notify a SIGUSR1", "ok");
        p.cmd("notify w SIGUSR1", "ok");
        // One signal at a time (the witness receives each, so none
        // coalesces): `a`, never read, keeps the first and drops the rest.
        for _ in 0..DROP_ROUNDS {
            p.deliver(SIGUSR1, "w", "SIGUSR1");
        }
        p.cmd("count a", "a count 1");
        p.cmd("count w", "w count 0");
        p.exits_cleanly();
    }
}

#[test]
fn notify_every_signal() {
    for r in runners() {
        let mut p = script(&r, Inherit::Default);
        p.cmd("chan a 4", "ok");
        p.cmd("notify a", "ok");
        for (sig, name) in [
            (SIGUSR2, "SIGUSR2"),
            (SIGWINCH, "SIGWINCH"),
            (SIGHUP, "SIGHUP"),
            (SIGINT, "SIGINT"),
            (SIGTERM, "SIGTERM"),
            (SIGQUIT, "SIGQUIT"),
        ] {
            p.deliver(sig, "a", name);
        }
        // A real-time signal: raised by the program itself everywhere;
        // from outside only natively, since qemu-user renumbers the host
        // real-time signals it forwards (qemu 7.2 here: a host 40 reaches
        // the guest as 38, the two below it being kept by qemu).
        p.cmd(&format!("raise {SIGRT_TEST}"), "ok");
        p.cmd("recv a", &format!("a {SIGRT_TEST}"));
        if !r.is_qemu() {
            p.deliver(SIGRT_TEST, "a", &SIGRT_TEST.to_string());
        }
        // Reset of everything: SIGTERM kills again.
        p.cmd("reset", "ok");
        p.kill(SIGTERM);
        p.dies_by(SIGTERM);
    }
}

#[test]
fn sigsegv_from_kill_and_from_a_fault() {
    let src = Source::new("tests/programs/os_signal.rs");
    for r in runners() {
        let mut p = script(&r, Inherit::Default);
        p.cmd("chan a 4", "ok");
        p.cmd("notify a SIGSEGV", "ok");
        p.cmd("raise SIGSEGV", "ok");
        p.cmd("recv a", "a SIGSEGV");
        // From outside only natively: qemu-user 7.2 dies itself of a host
        // SIGSEGV sent with kill (the guest never sees it).
        if !r.is_qemu() {
            p.deliver(SIGSEGV, "a", "SIGSEGV");
        }
        // A real fault is never delivered: Go's panic, exit 2.
        p.send("fault");
        let label = r.label();
        let (st, out, err) = p.finish();
        assert_eq!(st.code(), Some(2), "[{label}] {st:?}\n{out}\n{err}");
        // One whole report (tests/common/expect.rs): the message, the
        // signal line, then main's section at the faulting read.
        let ctx = format!("[{label}] stderr:\n{err}");
        let rep = expect::one_report_in(&err, &ctx);
        assert_eq!(rep.head.len(), 2, "{ctx}");
        assert_eq!(
            rep.head[0], "panic: runtime error: invalid memory address or nil pointer dereference",
            "{ctx}"
        );
        assert!(
            rep.head[1]
                .starts_with("[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x"),
            "{ctx}"
        );
        let g = expect::only_goroutine(&rep, &ctx);
        assert_eq!((g.id, g.state.as_str()), (1, "running"), "{ctx}");
        let f = *expect::user_frames(g, "os_signal")
            .first()
            .unwrap_or_else(|| panic!("no frame of the program\n{ctx}"));
        let at = src.line_after("\"fault\" =>", "read_volatile(p)");
        expect::assert_frame(f, "os_signal::script", &src, at, &ctx);
    }
}

#[test]
fn sigpipe_rules() {
    for r in runners() {
        // Not notified: another fd's broken pipe only returns EPIPE; a
        // broken stdout kills by SIGPIPE (at `exit`'s answer).
        let mut p = script(&r, Inherit::Default);
        p.cmd("brokenpipe", "write EPIPE");
        p.cmd("breakstdout", "ok");
        p.send("exit");
        p.dies_by(SIGPIPE);

        // Notified: the kernel's SIGPIPE of any fd is delivered; a broken
        // stdout no longer kills.
        let mut p = script(&r, Inherit::Default);
        p.cmd("chan a 4", "ok");
        p.cmd("notify a SIGPIPE", "ok");
        p.cmd("brokenpipe", "write EPIPE");
        p.cmd("recv a", "a SIGPIPE");
        p.cmd("breakstdout", "ok");
        p.send("exit");
        let label = r.label();
        let (st, _, err) = p.finish();
        assert_eq!(
            st.code(),
            Some(0),
            "[{label}] notified SIGPIPE: {st:?}\n{err}"
        );

        // Ignored: a broken stdout does not kill either.
        let mut p = script(&r, Inherit::Default);
        p.cmd("ignore SIGPIPE", "ok");
        p.cmd("breakstdout", "ok");
        p.send("exit");
        let (st, _, err) = p.finish();
        assert_eq!(
            st.code(),
            Some(0),
            "[{label}] ignored SIGPIPE: {st:?}\n{err}"
        );
    }
}

#[test]
fn inherited_blocked_signal_is_delivered() {
    for r in runners() {
        let mut p = script(&r, Inherit::Blocked(&[SIGUSR1, SIGINT]));
        p.cmd("chan a 4", "ok");
        p.cmd("notify a SIGUSR1", "ok");
        p.deliver(SIGUSR1, "a", "SIGUSR1");
        p.exits_cleanly();
    }
}

#[test]
fn sigint_while_busy() {
    for r in runners() {
        for procs in ["1", "2", "4", "8"] {
            let p = start(&r, "os_signal", &["busy", "16"], procs, Inherit::Default);
            p.kill(SIGINT);
            let label = r.label();
            let (st, out, err) = p.finish();
            assert_eq!(
                st.code(),
                Some(0),
                "[{label}] GOMAXPROCS={procs}: {st:?}\n{out}\n{err}"
            );
            assert_eq!(
                out, "ready\ngot SIGINT\nstopped passes>0 true",
                "[{label}] GOMAXPROCS={procs}"
            );
            assert_eq!(err, "", "[{label}] GOMAXPROCS={procs}");
        }
    }
}

#[test]
fn self_raised_signals_exact() {
    for r in runners() {
        let rounds = if r.is_qemu() { 100 } else { 1000 };
        for procs in ["1", "4"] {
            let p = start(
                &r,
                "os_signal",
                &["stress", &rounds.to_string()],
                procs,
                Inherit::Default,
            );
            let label = r.label();
            let (st, out, err) = p.finish();
            assert_eq!(
                st.code(),
                Some(0),
                "[{label}] GOMAXPROCS={procs}: {st:?}\n{err}"
            );
            let want = format!(
                "ready\nstress rounds={} received={} other=0",
                4 * rounds,
                4 * rounds
            );
            assert_eq!(out, want, "[{label}] GOMAXPROCS={procs}");
            assert_eq!(err, "", "[{label}] GOMAXPROCS={procs}");
        }
    }
}
