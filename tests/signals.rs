//! Go's default signal dispositions (os/signal documentation), natively and
//! under qemu-x86_64: the test starts `signal_wait wait`, waits for its
//! `ready` line, sends a signal with kill(2), then closes its stdin (which
//! ends the program normally if the signal did not).
//!
//! - SIGHUP, SIGINT, SIGTERM: the process dies by the signal, no output.
//!   With the default disposition inherited that was already so before
//!   rt0 had a handler; the variants that fail on the old code are the
//!   inherited-blocked mask (Go's minit unblocks them) and the inherited
//!   SIG_IGN for SIGTERM (Go installs its handler anyway, while it keeps an
//!   inherited SIG_IGN for SIGHUP and SIGINT: `nohup`).
//! - SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGSTKFLT, SIGSYS, and SIGFPE sent
//!   by kill: exit 2 with Go's dump, every goroutine with its frames (or
//!   Go's "running on other thread" line; the frames themselves are
//!   checked against oracles by tests/traceback.rs). Go 1.19.8 on
//!   this machine, for the twin of `signal_wait wait` (main reading stdin,
//!   one goroutine in a channel receive, one in time.Sleep), printed this
//!   to stderr, exit status 2 (frame lines and the bodies of the runtime's
//!   own goroutines 2, 3, 4, 17 left out here):
//!
//!   ```text
//!   SIGQUIT: quit
//!   PC=0x40268c m=0 sigcode=0
//!
//!   goroutine 1 [syscall]:
//!
//!   goroutine 18 [chan receive]:
//!
//!   goroutine 19 [sleep]:
//!
//!   rax    0x0
//!   ...                          (rbx rcx rdx rdi rsi rbp rsp r8..r15)
//!   rip    0x40268c
//!   rflags 0x202
//!   cs     0x33
//!   fs     0x0
//!   gs     0x0
//!   ```
//!
//!   When the signal lands on an M idle in the scheduler Go starts with
//!   `goroutine 0 [idle]:` (its twin sleeping in main printed that, then
//!   `goroutine 1 [sleep]:`, ...); for SIGILL and SIGFPE an
//!   `instruction bytes: 0x89 0x44 0x24 ...` line follows the PC line.
//! - Every other catchable signal (SIGUSR1, SIGWINCH, SIGCHLD, SIGURG,
//!   real-time signals, ...): ignored, the program ends normally.
//! - A CPU divide error: Go's `panic: runtime error: integer divide by
//!   zero`, then the goroutine's section with its frames, exit 2.
//! - Thousands of SIGUSR1/SIGWINCH/SIGCHLD sprayed at a busy program
//!   (`signal_spray`) change nothing in its exact output.

mod common;

use std::io::Read;
use std::iter::Peekable;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, ChildStdin, ExitStatus, Stdio};
use std::str::Lines;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::{Runner, command, example, native_and_one_qemu, report};

const SIGHUP: i32 = 1;
const SIGINT: i32 = 2;
const SIGQUIT: i32 = 3;
const SIGILL: i32 = 4;
const SIGTRAP: i32 = 5;
const SIGABRT: i32 = 6;
const SIGFPE: i32 = 8;
const SIGSEGV: i32 = 11;
const SIGUSR1: i32 = 10;
const SIGUSR2: i32 = 12;
const SIGALRM: i32 = 14;
const SIGTERM: i32 = 15;
const SIGSTKFLT: i32 = 16;
const SIGCHLD: i32 = 17;
const SIGURG: i32 = 23;
const SIGXCPU: i32 = 24;
const SIGXFSZ: i32 = 25;
const SIGVTALRM: i32 = 26;
const SIGPROF: i32 = 27;
const SIGWINCH: i32 = 28;
const SIGIO: i32 = 29;
const SIGPWR: i32 = 30;
const SIGSYS: i32 = 31;
const SIG_BLOCK: i32 = 0;
const SIG_IGN: usize = 1;
const SIG_DFL: usize = 0;
/// The signals whose inherited state the tests set themselves: the test
/// runner's own (a `nohup` or a CI that ignores SIGHUP/SIGINT) must not
/// leak into a test that expects the default.
const RESET_TO_DEFAULT: [i32; 3] = [SIGHUP, SIGINT, SIGTERM];

/// Signals that every thread qemu-user creates for itself leaves unblocked
/// (qemu 7.2's `qemu_thread_create`: blocking synchronous signals is
/// undefined behaviour). A process-directed one (`kill`) may then be
/// delivered to qemu's own RCU thread, where the kernel picks it whenever
/// the guest's threads already have a signal pending (sysmon's SIGURGs
/// make that common), and qemu's handler crashes there: the process dies
/// by SIGSEGV with no output (seen 1 in 240 sends under load, a core of
/// qemu itself with the fault in its host signal handler on the
/// `call_rcu` thread). Under qemu these go to the guest's main thread with
/// `tgkill` instead: the same handler runs, with `si_code` SI_TKILL.
const QEMU_UNBLOCKED: [i32; 3] = [SIGILL, SIGFPE, SIGSEGV];
/// `si_code` of a signal sent by `tgkill` (`<asm-generic/siginfo.h>`).
const SI_TKILL: i32 = -6;

/// Is `sig` sent with `tgkill` to this runner (see [`QEMU_UNBLOCKED`])?
fn thread_directed(runner: &Runner, sig: i32) -> bool {
    runner.is_qemu() && QEMU_UNBLOCKED.contains(&sig)
}

unsafe extern "C" {
    fn kill(pid: i32, sig: i32) -> i32;
    fn tgkill(tgid: i32, tid: i32, sig: i32) -> i32;
    fn signal(sig: i32, handler: usize) -> usize;
    fn sigprocmask(how: i32, set: *const u64, old: *mut u64) -> i32;
}

/// Longest wait for `ready`, or for the program to end after a signal.
const WAIT: Duration = Duration::from_secs(30);
/// Time for a signal to be delivered before stdin is closed, when the
/// signal should change nothing. When it should end the program, the test
/// waits up to [`WAIT`] instead: a loaded machine may delay delivery, and
/// closing stdin first would let the program exit 0 and fail the test.
const SETTLE: Duration = Duration::from_millis(100);

/// A running program with its output collected in the background.
struct Running {
    runner: Runner,
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Arc<Mutex<Vec<u8>>>,
    readers: Vec<JoinHandle<()>>,
    stderr: Arc<Mutex<Vec<u8>>>,
}

/// What a finished program left.
struct Ended {
    runner: Runner,
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl Ended {
    fn describe(&self) -> String {
        format!(
            "[{}] status={:?} signal={:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.runner.label(),
            self.status.code(),
            self.status.signal(),
            self.stdout,
            self.stderr
        )
    }
}

fn collect(mut r: impl Read + Send + 'static, into: Arc<Mutex<Vec<u8>>>) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        loop {
            match r.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => into.lock().unwrap().extend_from_slice(&buf[..n]),
            }
        }
    })
}

/// How the parent prepares the child's signal state before exec.
#[derive(Clone, Copy)]
enum Inherit {
    Default,
    /// These signals ignored (SIG_IGN), as `nohup` does for SIGHUP.
    Ignored(&'static [i32]),
    /// These signals blocked in the mask (which survives execve).
    Blocked(&'static [i32]),
}

fn start(
    runner: &Runner,
    name: &str,
    args: &[&str],
    env: &[(&str, &str)],
    inherit: Inherit,
) -> Running {
    let mut cmd = command(runner, &example(name), None);
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: the hook calls only signal(2), async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            for s in RESET_TO_DEFAULT {
                signal(s, SIG_DFL);
            }
            Ok(())
        });
    }
    match inherit {
        Inherit::Default => {}
        Inherit::Ignored(sigs) => {
            // SAFETY: the hook calls only signal(2), async-signal-safe.
            unsafe {
                cmd.pre_exec(move || {
                    for &s in sigs {
                        signal(s, SIG_IGN);
                    }
                    Ok(())
                });
            }
        }
        Inherit::Blocked(sigs) => {
            let set: u64 = sigs.iter().map(|&s| 1u64 << (s - 1)).sum();
            // SAFETY: the hook calls only sigprocmask, async-signal-safe,
            // on a set copied into the closure before the fork.
            unsafe {
                cmd.pre_exec(move || {
                    // glibc's sigset_t is 128 bytes; the kernel reads the
                    // first 8 of the set we pass, the rest is never read
                    // past what glibc copies, so pass a full-size set.
                    let mut full = [0u64; 16];
                    full[0] = set;
                    if sigprocmask(SIG_BLOCK, full.as_ptr(), std::ptr::null_mut()) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
    }
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
    let stdout = Arc::new(Mutex::new(Vec::new()));
    let stderr = Arc::new(Mutex::new(Vec::new()));
    let readers = vec![
        collect(child.stdout.take().unwrap(), stdout.clone()),
        collect(child.stderr.take().unwrap(), stderr.clone()),
    ];
    Running {
        runner: runner.clone(),
        stdin: child.stdin.take(),
        child,
        stdout,
        readers,
        stderr,
    }
}

impl Running {
    fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// Waits until stdout contains `line` (a whole line).
    fn wait_for(&mut self, line: &str) {
        let want = format!("{line}\n");
        let start = Instant::now();
        loop {
            if String::from_utf8_lossy(&self.stdout.lock().unwrap()).contains(&want) {
                return;
            }
            if let Some(st) = self.child.try_wait().unwrap() {
                panic!(
                    "[{}] ended ({st:?}) before printing {line:?}: {}{}",
                    self.runner.label(),
                    String::from_utf8_lossy(&self.stdout.lock().unwrap()),
                    String::from_utf8_lossy(&self.stderr.lock().unwrap())
                );
            }
            assert!(
                start.elapsed() < WAIT,
                "[{}] no {line:?} line",
                self.runner.label()
            );
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    fn send(&self, sig: i32) {
        if thread_directed(&self.runner, sig) {
            // SAFETY: tgkill takes no pointers; pid is our own child and
            // its main thread's id (qemu runs the guest's main thread on it).
            assert_eq!(
                unsafe { tgkill(self.pid(), self.pid(), sig) },
                0,
                "tgkill {sig}"
            );
            return;
        }
        // SAFETY: kill takes no pointers; pid is our own child.
        assert_eq!(unsafe { kill(self.pid(), sig) }, 0, "kill {sig}");
    }

    fn exited(&mut self) -> bool {
        self.child.try_wait().unwrap().is_some()
    }

    /// Waits up to `settle` for the program to end by itself, then closes
    /// its stdin and waits for the end.
    fn finish(mut self, settle: Duration) -> Ended {
        let start = Instant::now();
        while start.elapsed() < settle && !self.exited() {
            std::thread::sleep(Duration::from_millis(1));
        }
        drop(self.stdin.take());
        let start = Instant::now();
        let status = loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                break st;
            }
            if start.elapsed() > WAIT {
                let _ = self.child.kill();
                panic!("[{}] still running: killed", self.runner.label());
            }
            std::thread::sleep(Duration::from_millis(1));
        };
        for r in self.readers.drain(..) {
            r.join().unwrap();
        }
        let text =
            |b: &Arc<Mutex<Vec<u8>>>| String::from_utf8_lossy(&b.lock().unwrap()).into_owned();
        let mut stderr = text(&self.stderr);
        if self.runner.is_qemu() {
            stderr = stderr
                .split_inclusive('\n')
                .filter(|l| !common::is_qemu_warning(l.as_bytes()))
                .collect();
        }
        Ended {
            runner: self.runner,
            status,
            stdout: text(&self.stdout),
            stderr,
        }
    }
}

/// What the signals sent should do to the program.
#[derive(Clone, Copy, PartialEq)]
enum Expect {
    End,
    Nothing,
}

/// Starts `signal_wait wait`, sends `sigs` after `ready`, returns the end.
fn wait_and_send(runner: &Runner, inherit: Inherit, sigs: &[i32], expect: Expect) -> Ended {
    let mut r = start(runner, "signal_wait", &["wait"], &[], inherit);
    r.wait_for("ready");
    for &s in sigs {
        r.send(s);
        // Let each one land before the next (standard signals coalesce).
        std::thread::sleep(Duration::from_millis(20));
    }
    r.finish(if expect == Expect::End { WAIT } else { SETTLE })
}

fn assert_killed_by(e: &Ended, sig: i32) {
    assert_eq!(e.status.signal(), Some(sig), "{}", e.describe());
    assert_eq!(e.stdout, "ready\n", "{}", e.describe());
    assert_eq!(e.stderr, "", "{}", e.describe());
}

#[test]
fn hup_int_term_kill_by_the_signal() {
    for runner in native_and_one_qemu() {
        for sig in [SIGHUP, SIGINT, SIGTERM] {
            assert_killed_by(
                &wait_and_send(&runner, Inherit::Default, &[sig], Expect::End),
                sig,
            );
        }
    }
}

#[test]
fn hup_int_term_blocked_by_the_parent_still_kill() {
    for runner in native_and_one_qemu() {
        for sig in [SIGHUP, SIGINT, SIGTERM] {
            let e = wait_and_send(
                &runner,
                Inherit::Blocked(&[SIGHUP, SIGINT, SIGTERM]),
                &[sig],
                Expect::End,
            );
            assert_killed_by(&e, sig);
        }
    }
}

#[test]
fn nohup_keeps_hup_and_int_ignored_but_term_kills() {
    for runner in native_and_one_qemu() {
        let e = wait_and_send(
            &runner,
            Inherit::Ignored(&[SIGHUP, SIGINT, SIGTERM]),
            &[SIGHUP, SIGINT, SIGHUP, SIGTERM],
            Expect::End,
        );
        assert_killed_by(&e, SIGTERM);
        // Ignored, nothing else: the program ends normally.
        let e = wait_and_send(
            &runner,
            Inherit::Ignored(&[SIGHUP, SIGINT]),
            &[SIGHUP, SIGINT],
            Expect::Nothing,
        );
        assert_eq!(e.status.code(), Some(0), "{}", e.describe());
        assert_eq!(e.stdout, "ready\ndone\n", "{}", e.describe());
        assert_eq!(e.stderr, "", "{}", e.describe());
    }
}

#[test]
fn other_signals_are_caught_and_ignored() {
    let sigs = [
        SIGUSR1, SIGUSR2, SIGALRM, SIGCHLD, SIGURG, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH,
        SIGIO, SIGPWR,
    ];
    for runner in native_and_one_qemu() {
        // Real-time signals: 35 is glibc's SIGRTMIN, 64 SIGRTMAX. qemu-user
        // 7.2 (linked with glibc, which keeps host 32 and 33) maps host
        // signal N to guest N - 2 from host 34 up: the host's 35 and 36
        // reach the guest as 33 and 34, which Go (and rt0) leave at the
        // default action, and guest 63 and 64 cannot be reached at all.
        let rt: &[i32] = if runner.is_qemu() {
            &[37, 50, 64]
        } else {
            &[35, 50, 64]
        };
        for &sig in sigs.iter().chain(rt) {
            let e = wait_and_send(&runner, Inherit::Default, &[sig, sig], Expect::Nothing);
            let what = format!("signal {sig}\n{}", e.describe());
            assert_eq!(e.status.code(), Some(0), "{what}");
            assert_eq!(e.stdout, "ready\ndone\n", "{what}");
            assert_eq!(e.stderr, "", "{what}");
        }
    }
}

/// Go's names of the signals that dump.
fn go_name(sig: i32) -> &'static str {
    match sig {
        SIGQUIT => "SIGQUIT: quit",
        SIGILL => "SIGILL: illegal instruction",
        SIGTRAP => "SIGTRAP: trace trap",
        SIGABRT => "SIGABRT: abort",
        SIGSTKFLT => "SIGSTKFLT: stack fault",
        SIGSYS => "SIGSYS: bad system call",
        SIGFPE => "SIGFPE: floating-point exception",
        _ => unreachable!(),
    }
}

fn hex(s: &str) -> Option<u64> {
    u64::from_str_radix(s.strip_prefix("0x")?, 16).ok()
}

/// The next line of a dump; fails the test at its end.
fn take<'a>(lines: &mut Peekable<Lines<'a>>, d: &str) -> &'a str {
    lines.next().unwrap_or_else(|| panic!("short dump\n{d}"))
}

/// Checks Go's dump (see the module note) for `signal_wait wait`.
fn assert_dump(e: &Ended, sig: i32) {
    let d = e.describe();
    assert_eq!(e.status.code(), Some(2), "{d}");
    assert_eq!(e.stdout, "ready\n", "{d}");
    let mut lines = e.stderr.lines().peekable();
    assert_eq!(take(&mut lines, &d), go_name(sig), "{d}");
    // PC=0x... m=N sigcode=0 (kill sends SI_USER; tgkill SI_TKILL, which
    // Go prints as the uint64 of the sign-extended int32).
    let pc_line = take(&mut lines, &d);
    let rest = pc_line
        .strip_prefix("PC=")
        .unwrap_or_else(|| panic!("PC line\n{d}"));
    let (pc, rest) = rest.split_once(" m=").unwrap_or_else(|| panic!("m=\n{d}"));
    let pc = hex(pc).unwrap_or_else(|| panic!("PC hex\n{d}"));
    let (m, code) = rest
        .split_once(" sigcode=")
        .unwrap_or_else(|| panic!("sigcode=\n{d}"));
    assert!(m.parse::<u32>().is_ok(), "m={m}\n{d}");
    let want_code = if thread_directed(&e.runner, sig) {
        (i64::from(SI_TKILL) as u64).to_string()
    } else {
        "0".to_string()
    };
    assert_eq!(code, want_code, "{d}");
    if sig == SIGILL || sig == SIGFPE {
        let bytes = take(&mut lines, &d)
            .strip_prefix("instruction bytes:")
            .unwrap_or_else(|| panic!("bytes\n{d}"));
        let fields: Vec<&str> = bytes.split(' ').skip(1).collect();
        for b in &fields {
            assert!(hex(b).is_some_and(|v| v < 256), "byte {b:?}\n{d}");
        }
        let n = fields.len();
        assert!((1..=16).contains(&n), "{n} instruction bytes\n{d}");
    }
    // The goroutine sections (TB_FORMAT, tests/common/report.rs), then
    // the registers.
    let rest: Vec<&str> = lines.collect();
    let rep = report::parse(&rest.join("\n"))
        .unwrap_or_else(|e| panic!("the dump's goroutines are not TB_FORMAT: {e}\n{d}"));
    assert!(
        rep.head.is_empty() && rest.first() == Some(&""),
        "a blank line, then the first goroutine\n{d}"
    );
    // Every goroutine of the program shows where it is: frames, or Go's
    // line for one running on another thread.
    for g in rep.goroutines.iter().filter(|g| g.id != 0) {
        assert!(
            g.other_thread || !g.frames.is_empty(),
            "goroutine {} has no frames\n{}\n{d}",
            g.id,
            g.text
        );
    }
    // The signal lands on an M's g0 (idle in the scheduler: goroutine 0
    // first) or on m0 running main; main is in its read (syscall) or, when
    // the signal beats it there, still running after printing `ready`.
    // Then the two goroutines main started, in creation order. Their ids
    // need not be 2 and 3: a P hands out ids from its own batch of 16, so
    // one spawned after main moved to another P gets 17 (as in Go).
    let mut gs = rep.goroutines.iter().map(|g| (g.id, g.state.as_str()));
    let mut first = gs.next();
    if first == Some((0, "idle")) {
        first = gs.next();
    }
    assert!(
        matches!(first, Some((1, "syscall" | "running"))),
        "main first (after an idle g0), in its read or running: {first:?}\n{d}"
    );
    let spawned: Vec<(u64, &str)> = gs.collect();
    let states: Vec<&str> = spawned.iter().map(|&(_, s)| s).collect();
    assert_eq!(states, ["chan receive", "sleep"], "{d}");
    let (a, b) = (spawned[0].0, spawned[1].0);
    assert!(a > 1 && b > 1 && a != b, "goroutine ids {a} and {b}\n{d}");
    let regs = [
        "rax", "rbx", "rcx", "rdx", "rdi", "rsi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12",
        "r13", "r14", "r15", "rip", "rflags", "cs", "fs", "gs",
    ];
    let mut regs_lines = rep.tail.iter();
    for name in regs {
        let l = regs_lines
            .next()
            .unwrap_or_else(|| panic!("short dump: no {name} register\n{d}"));
        let v = l
            .strip_prefix(&format!("{name:<7}"))
            .and_then(hex)
            .unwrap_or_else(|| panic!("register line {l:?} for {name}\n{d}"));
        if name == "rip" {
            assert_eq!(v, pc, "rip is the PC\n{d}");
        }
    }
    assert_eq!(regs_lines.next(), None, "nothing after the registers\n{d}");
    assert!(rep.hint.is_none(), "{d}");
}

#[test]
fn quit_class_dumps_and_exits_2() {
    for runner in native_and_one_qemu() {
        for sig in [SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGSTKFLT, SIGSYS, SIGFPE] {
            // A little longer after `ready`: let main reach its read.
            let e = wait_and_send(&runner, Inherit::Default, &[sig], Expect::End);
            assert_dump(&e, sig);
        }
    }
}

#[test]
fn divide_error_is_a_runtime_panic() {
    for runner in native_and_one_qemu() {
        let mut r = start(&runner, "signal_wait", &["divide"], &[], Inherit::Default);
        drop(r.stdin.take());
        let e = r.finish(WAIT);
        assert_eq!(e.status.code(), Some(2), "{}", e.describe());
        assert_eq!(e.stdout, "", "{}", e.describe());
        // The message, then goroutine 1 with its frames (TB_FORMAT).
        let d = e.describe();
        let rep = report::parse(&e.stderr)
            .unwrap_or_else(|err| panic!("not a TB_FORMAT report: {err}\n{d}"));
        assert_eq!(
            rep.head,
            ["panic: runtime error: integer divide by zero"],
            "{d}"
        );
        assert_eq!(rep.goroutines.len(), 1, "{d}");
        let g = &rep.goroutines[0];
        assert_eq!((g.id, g.state.as_str()), (1, "running"), "{d}");
        assert!(!g.frames.is_empty(), "no frames\n{d}");
    }
}

/// Runs of `signal_wait threads` that each get one SIGQUIT mid-creation.
const THREAD_QUIT_RUNS: usize = 40;

/// A SIGQUIT that lands while Ms are being created names a real M: every
/// new thread starts with all signals blocked and unblocks them only once
/// it is an M (Go's `newosproc`/`minit`). Before that fix a signal taken on
/// a thread `clone` had just made was reported as `m=-1`.
#[test]
fn quit_while_creating_threads_names_a_real_m() {
    for runner in native_and_one_qemu() {
        let runs = if runner.is_qemu() {
            THREAD_QUIT_RUNS / 4
        } else {
            THREAD_QUIT_RUNS
        };
        for run in 0..runs {
            let mut r = start(&runner, "signal_wait", &["threads"], &[], Inherit::Default);
            r.wait_for("ready");
            // Land somewhere in the first ~100 Ms' creation.
            std::thread::sleep(Duration::from_millis((run as u64 * 7) % 100));
            r.send(SIGQUIT);
            let e = r.finish(WAIT);
            let d = format!("run {run}\n{}", e.describe());
            assert_eq!(e.status.code(), Some(2), "{d}");
            let mut lines = e.stderr.lines();
            assert_eq!(lines.next(), Some("SIGQUIT: quit"), "{d}");
            let pc_line = lines.next().unwrap_or_else(|| panic!("short dump\n{d}"));
            let m = pc_line
                .split_once(" m=")
                .and_then(|(_, rest)| rest.split_once(' '))
                .map(|(m, _)| m)
                .unwrap_or_else(|| panic!("PC line {pc_line:?}\n{d}"));
            assert!(m.parse::<u32>().is_ok(), "m={m}\n{d}");
        }
    }
}

/// Signals sent to the busy program, at least; more while it works.
const SPRAY_MIN: usize = 3000;

#[test]
fn sprayed_signals_change_nothing() {
    let mut expected = String::from("ready\n");
    for i in 0..2000 {
        expected.push_str(&format!(
            "line {i:04} the quick brown fox jumps over the lazy dog\n"
        ));
    }
    // The printer's lines and the totals: main prints after every worker.
    let totals = "pingpong=16000 counter=20000 sleeps=200\nwork done\ndone\n";
    for runner in native_and_one_qemu() {
        for procs in ["1", "2", "4"] {
            let mut r = start(
                &runner,
                "signal_spray",
                &[],
                &[("GOMAXPROCS", procs)],
                Inherit::Default,
            );
            r.wait_for("ready");
            let mut sent = 0;
            let work_done = |r: &Running| {
                String::from_utf8_lossy(&r.stdout.lock().unwrap()).contains("work done\n")
            };
            while sent < SPRAY_MIN || !work_done(&r) {
                if r.exited() {
                    break;
                }
                for s in [SIGUSR1, SIGWINCH, SIGCHLD] {
                    r.send(s);
                    sent += 1;
                }
                std::thread::sleep(Duration::from_micros(20));
            }
            let e = r.finish(SETTLE);
            let d = format!("GOMAXPROCS={procs}, {sent} signals sent\n{}", e.describe());
            assert_eq!(e.status.code(), Some(0), "{d}");
            assert_eq!(e.stderr, "", "{d}");
            assert!(sent >= SPRAY_MIN, "{d}");
            assert_eq!(e.stdout, format!("{expected}{totals}"), "{d}");
        }
    }
}
