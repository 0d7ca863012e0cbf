//! The runtime's own file descriptors (`fds`), natively and under
//! qemu-x86_64: the pidfd the stack allocator opens for `process_madvise`
//! is opened once, close-on-exec, and never at 0, 1 or 2.
//!
//! - started with fd 1 closed, or with 0, 1 and 2 all closed, a program
//!   whose goroutines make the runtime prepare a second stack chunk has
//!   exactly one pidfd, above 2, close-on-exec, and (natively) nothing at
//!   the closed numbers: before the fix the pidfd took fd 1 (fd 0 with all
//!   three closed) and `println!` wrote into it;
//! - GOMAXPROCS-1 goroutines and main asking for the pidfd at the same
//!   moment open exactly one. Before the fix 2 or 3 were opened in about
//!   a third of the runs at GOMAXPROCS=3 natively (3% with the machine
//!   loaded ten times over), so the test runs it 100 times at GOMAXPROCS 3
//!   and 4 natively, 6 times each under qemu.
//!
//! Under qemu-user, /proc/self/fd is qemu's own table (its descriptors are
//! listed too, and may take the closed numbers), so there only the pidfd
//! itself is checked.

mod common;

use std::io::Read;
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::process::Stdio;

use common::{Output, Runner, TIMEOUT, command, example, native_and_one_qemu, run};

unsafe extern "C" {
    fn close(fd: i32) -> i32;
    fn dup2(old: i32, new: i32) -> i32;
    fn fcntl(fd: i32, cmd: i32, ...) -> i32;
}
const F_SETFD: i32 = 2;
/// The fd the all-closed run reports on.
const REPORT_FD: i32 = 3;
const PIDFD_TARGET: &str = "anon_inode:[pidfd]";
/// The GOMAXPROCS values the chunk cases run at.
const PROCS: [&str; 4] = ["1", "2", "4", "8"];

/// One `fd=N cloexec=C target=T` line of the report.
#[derive(Debug)]
struct Fd {
    fd: i32,
    cloexec: String,
    target: String,
}

/// The report's fd lines and its `self_pidfd=` value; fails the test when
/// the report is cut short.
fn parse(report: &str, what: &str) -> (Vec<Fd>, String) {
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines.last(), Some(&"end"), "{what}: report\n{report}");
    let pidfd = lines[lines.len() - 2]
        .strip_prefix("self_pidfd=")
        .unwrap_or_else(|| panic!("{what}: no self_pidfd line\n{report}"))
        .to_string();
    let fds = lines[..lines.len() - 2]
        .iter()
        .map(|l| {
            let rest = l.strip_prefix("fd=").expect("fd= line");
            let (fd, rest) = rest.split_once(" cloexec=").expect("cloexec=");
            let (c, target) = rest.split_once(" target=").expect("target=");
            Fd {
                fd: fd.parse().expect("fd number"),
                cloexec: c.to_string(),
                target: target.to_string(),
            }
        })
        .collect();
    (fds, pidfd)
}

/// Checks the runtime's descriptors in a report: exactly one pidfd, the
/// one the runtime uses, above 2, close-on-exec; natively also that none
/// of the `closed` numbers is in use.
fn check(report: &str, runner: &Runner, closed: &[i32], what: &str) {
    let (fds, self_pidfd) = parse(report, what);
    let pidfds: Vec<&Fd> = fds.iter().filter(|f| f.target == PIDFD_TARGET).collect();
    assert_eq!(pidfds.len(), 1, "{what}: pidfds {pidfds:?}\n{report}");
    let p = pidfds[0];
    assert_eq!(
        p.fd.to_string(),
        self_pidfd,
        "{what}: the runtime's pidfd\n{report}"
    );
    assert!(p.fd > 2, "{what}: pidfd at {}\n{report}", p.fd);
    assert_eq!(p.cloexec, "1", "{what}: pidfd not close-on-exec\n{report}");
    if !runner.is_qemu() {
        for f in &fds {
            assert!(
                !closed.contains(&f.fd),
                "{what}: fd {} is open\n{report}",
                f.fd
            );
        }
    }
}

/// `fds MODE 2` (stderr carries the report), with fd 1 closed or not.
fn run_fds(runner: &Runner, mode: &str, procs: &str, close_stdout: bool) -> Output {
    let mut cmd = command(runner, &example("fds"), None);
    cmd.args([mode, "2"]).env("GOMAXPROCS", procs);
    if close_stdout {
        // SAFETY: close is async-signal-safe; it runs in the forked child,
        // after the standard fds are set up.
        unsafe {
            cmd.pre_exec(|| {
                close(1);
                Ok(())
            });
        }
    }
    let out = run(runner, cmd);
    assert_eq!(out.code(), Some(0), "{}", out.describe());
    out
}

#[test]
fn with_stdout_closed_the_pidfd_is_not_fd_1() {
    for r in native_and_one_qemu() {
        for procs in PROCS {
            let out = run_fds(&r, "chunk", procs, true);
            let what = format!("[{}] fds chunk GOMAXPROCS={procs}, fd 1 closed", r.label());
            check(&out.stderr_str(), &r, &[1], &what);
        }
    }
}

#[test]
fn with_0_1_2_closed_no_runtime_fd_takes_them() {
    for (r, procs) in native_and_one_qemu()
        .into_iter()
        .flat_map(|r| PROCS.map(|p| (r.clone(), p)))
    {
        let what = format!(
            "[{}] fds chunk GOMAXPROCS={procs}, fds 0-2 closed",
            r.label()
        );
        let (mut reader, writer) = std::io::pipe().expect("pipe");
        let wfd = writer.as_raw_fd();
        let mut cmd = command(&r, &example("fds"), None);
        cmd.args(["chunk", &REPORT_FD.to_string()])
            .env("GOMAXPROCS", "2");
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: dup2, fcntl and close are async-signal-safe; they run in
        // the forked child on fds it owns.
        unsafe {
            cmd.pre_exec(move || {
                if wfd == REPORT_FD {
                    fcntl(REPORT_FD, F_SETFD, 0); // keep it across exec
                } else if dup2(wfd, REPORT_FD) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                for fd in 0..=2 {
                    close(fd);
                }
                Ok(())
            });
        }
        let mut child = cmd.spawn().expect("spawn fds");
        drop(cmd); // our copy of the write end
        drop(writer);
        let report = std::thread::spawn(move || {
            let mut report = String::new();
            reader.read_to_string(&mut report).expect("read report");
            report
        });
        let start = std::time::Instant::now();
        let status = loop {
            if let Some(st) = child.try_wait().expect("wait") {
                break st;
            }
            if start.elapsed() > TIMEOUT {
                let _ = child.kill();
                panic!("{what}: still running after {TIMEOUT:?}: killed");
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        };
        let report = report.join().expect("report reader");
        assert_eq!(status.code(), Some(0), "{what}: {status:?}\n{report}");
        check(&report, &r, &[0, 1, 2], &what);
    }
}

/// Runs of the race natively (each open is raced once per process).
const RACE_RUNS: usize = 100;
/// ... and under qemu, where each run is slower.
const RACE_RUNS_QEMU: usize = 6;

#[test]
fn racing_first_users_open_one_pidfd() {
    for r in native_and_one_qemu() {
        let runs = if r.is_qemu() {
            RACE_RUNS_QEMU
        } else {
            RACE_RUNS
        };
        for procs in ["3", "4"] {
            for i in 0..runs {
                let out = run_fds(&r, "race", procs, false);
                let what = format!("[{}] fds race GOMAXPROCS={procs}, run {i}", r.label());
                check(&out.stderr_str(), &r, &[], &what);
            }
        }
    }
}
