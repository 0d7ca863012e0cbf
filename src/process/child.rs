//! [`Child`] and its pipes (std's `std::process::Child`, `ChildStdin`,
//! `ChildStdout`, `ChildStderr`; Go's `os.Process` with `Wait`, `Signal`,
//! `Kill`, os/exec_unix.go and os/pidfd_linux.go).
//!
//! **Waiting parks the goroutine, not the thread.** When the kernel has
//! pidfds (`pidfd_open`, Linux >= 5.3), the child's pidfd is registered
//! with the netpoller; it becomes readable when the child exits, so
//! [`Child::wait`] tries a non-blocking reap and, while the child runs,
//! parks in `[IO wait]` until that event, then reaps with
//! `waitid(P_PIDFD, WEXITED | WNOHANG)` as Go's `pidfdWait`: through the
//! pidfd, so that even a child reaped behind our back (`SIGCHLD` set to
//! `SIG_IGN` auto-reaps) gives `ECHILD` instead of another process's
//! status (on Linux 5.3, which has pidfd_open but not `P_PIDFD`: `wait4`
//! on the pid). Without pidfds (`ENOSYS`: kernels before 5.3, or an
//! emulator without the call) `wait` falls back to a blocking `wait4` in
//! the system-call bracket: the M sleeps, the P goes to other work.
//!
//! **Never signal a reaped pid.** Once the status is collected the pid may
//! belong to another process; [`Child::kill`] then does nothing and
//! returns `Ok`. Before, it signals through the pidfd
//! (`pidfd_send_signal`) or, without one, `kill(pid)`: an unreaped child
//! keeps its pid (a zombie at worst), unless the program set `SIGCHLD` to
//! `SIG_IGN`, which lets the kernel reap children itself.
//!
//! The pipes are the parent's ends, non-blocking, on the netpoller: a read
//! or write that would wait parks the goroutine. Dropping one closes it
//! (the child then sees end of file on its stdin, or `EPIPE` writing).

use alloc::vec::Vec;

use super::command::blocking_wait;
use super::status::{ExitStatus, Output};
use crate::io::{self, ErrorKind, Read, Write};
use crate::netpoll::{Fd, PollError};
use crate::sys::runtimefd::above_stdio;
use crate::sys::spawn::{self as sys, WNOHANG};
use crate::sys::{Errno, file, signal};

/// The message of an operation on a pipe closed by this process.
const CLOSED_MESSAGE: &str = "use of closed file";

/// A poll failure as an `io::Error`.
pub(crate) fn poll_error(e: PollError) -> io::Error {
    match e {
        PollError::Os(errno) => io::Error::from(errno),
        PollError::Closed => io::Error::new(ErrorKind::Other, CLOSED_MESSAGE),
        PollError::TimedOut => io::Error::from(ErrorKind::TimedOut),
    }
}

/// A running or finished child process (std's `Child`, Go's
/// `os.Process`). Dropping it neither waits nor kills: the child runs on,
/// and stays a zombie until this process exits, as with std.
pub struct Child {
    pid: i32,
    /// Readable when the child has exited; None without pidfds.
    pidfd: Option<Fd>,
    /// Set once reaped.
    status: Option<ExitStatus>,
    /// The child's stdin, when it was [`Stdio::piped`](super::Stdio::piped).
    pub stdin: Option<ChildStdin>,
    /// The child's stdout, when piped.
    pub stdout: Option<ChildStdout>,
    /// The child's stderr, when piped.
    pub stderr: Option<ChildStderr>,
}

/// One non-blocking reap: `waitid(P_PIDFD)` on `pidfd` (when >= 0),
/// falling back to `wait4(pid, WNOHANG)` when the kernel has pidfds but
/// not `P_PIDFD` (Linux 5.3: `EINVAL`). `Ok(None)`: still running.
fn reap(pidfd: i32, pid: i32) -> Result<Option<ExitStatus>, Errno> {
    loop {
        let r = if pidfd >= 0 {
            match sys::waitid_pidfd(pidfd, WNOHANG) {
                Err(Errno::EINVAL) => {
                    sys::wait4(pid, WNOHANG).map(|(p, st)| (p != 0).then_some(st))
                }
                r => r,
            }
        } else {
            sys::wait4(pid, WNOHANG).map(|(p, st)| (p != 0).then_some(st))
        };
        match r {
            Ok(st) => return Ok(st.map(ExitStatus::from_raw)),
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
        }
    }
}

/// The child's pidfd on the netpoller, or None (module note).
fn open_pidfd(pid: i32) -> Option<Fd> {
    let raw = sys::pidfd_open(pid).ok()?;
    let raw = above_stdio(raw).ok()?;
    Fd::new(raw).ok()
}

impl Child {
    pub(crate) fn new(
        pid: i32,
        stdin: Option<ChildStdin>,
        stdout: Option<ChildStdout>,
        stderr: Option<ChildStderr>,
    ) -> Child {
        Child {
            pid,
            pidfd: open_pidfd(pid),
            status: None,
            stdin,
            stdout,
            stderr,
        }
    }

    /// The child's process id (std's `id`, Go's `Process.Pid`).
    pub fn id(&self) -> u32 {
        self.pid as u32
    }

    /// Sends `SIGKILL` (std's `kill`, Go's `Process.Kill`). `Ok` and no
    /// signal once the child has been reaped (module note).
    pub fn kill(&mut self) -> io::Result<()> {
        if self.status.is_some() {
            return Ok(());
        }
        match &self.pidfd {
            // A pidfd's process that has exited but is not reaped yet
            // answers ESRCH, where kill(2) on the zombie answers 0: the
            // same case, so the same answer.
            Some(fd) => match fd.with_ref(|raw| sys::pidfd_send_signal(raw, signal::SIGKILL)) {
                Ok(()) | Err(PollError::Os(Errno::ESRCH)) => Ok(()),
                Err(e) => Err(poll_error(e)),
            },
            None => sys::kill(self.pid, signal::SIGKILL).map_err(io::Error::from),
        }
    }

    /// Closes the child's stdin (if piped) and waits for it to end (std's
    /// `wait`, Go's `Process.Wait`); the goroutine parks meanwhile.
    /// Again after it has ended: the same status.
    pub fn wait(&mut self) -> io::Result<ExitStatus> {
        drop(self.stdin.take());
        if let Some(st) = self.status {
            return Ok(st);
        }
        let pid = self.pid;
        let st = match &self.pidfd {
            Some(fd) => fd
                .read_with(|raw| match reap(raw, pid) {
                    Ok(None) => Err(Errno::EAGAIN),
                    Ok(Some(st)) => Ok(st),
                    Err(e) => Err(e),
                })
                .map_err(poll_error)?,
            None => blocking_wait(pid)?,
        };
        self.reaped(st);
        Ok(st)
    }

    /// The status if the child has ended (reaping it), `None` if it runs
    /// (std's `try_wait`; `wait4` with `WNOHANG`).
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        if let Some(st) = self.status {
            return Ok(Some(st));
        }
        let r = match &self.pidfd {
            Some(fd) => fd.with_ref(|raw| reap(raw, self.pid)).map_err(poll_error)?,
            None => reap(-1, self.pid).map_err(io::Error::from)?,
        };
        if let Some(st) = r {
            self.reaped(st);
        }
        Ok(r)
    }

    fn reaped(&mut self, st: ExitStatus) {
        self.status = Some(st);
        self.pidfd = None;
    }

    /// Closes stdin, reads stdout and stderr to their ends (at the same
    /// time: stderr in a goroutine of its own, so a child filling one
    /// pipe while we wait on the other cannot deadlock), then waits
    /// (std's `wait_with_output`). A stream that was not piped comes back
    /// empty.
    pub fn wait_with_output(mut self) -> io::Result<Output> {
        drop(self.stdin.take());
        let err_reader = self.stderr.take().map(|mut e| {
            let done = crate::chan::Chan::new(1);
            let tx = done.clone();
            crate::runtime::go(move || {
                let mut buf = Vec::new();
                let r = e.read_to_end(&mut buf).map(|_| buf);
                let _ = tx.send(r);
            });
            done
        });
        let mut stdout = Vec::new();
        let out_result = match self.stdout.take() {
            Some(mut o) => o.read_to_end(&mut stdout).map(|_| ()),
            None => Ok(()),
        };
        let stderr = match err_reader {
            Some(ch) => match ch.recv() {
                Ok(r) => r,
                Err(_) => Err(io::Error::from(ErrorKind::BrokenPipe)),
            },
            None => Ok(Vec::new()),
        };
        let status = self.wait()?;
        out_result?;
        Ok(Output {
            status,
            stdout,
            stderr: stderr?,
        })
    }
}

impl core::fmt::Debug for Child {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Child")
            .field("pid", &self.pid)
            .field("status", &self.status)
            .field("stdin", &self.stdin.is_some())
            .field("stdout", &self.stdout.is_some())
            .field("stderr", &self.stderr.is_some())
            .finish()
    }
}

/// The parent's end of a pipe, on the netpoller.
struct PipeEnd(Fd);

impl PipeEnd {
    fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf).map_err(poll_error)
    }

    fn write(&self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .write_with(|fd| file::write(fd, buf))
            .map_err(poll_error)
    }
}

/// The child's stdin, written by the parent (std's `ChildStdin`, Go's
/// `Cmd.StdinPipe`). A write waits (parks) while the pipe is full; after
/// the child closed its end it fails with `BrokenPipe` (`EPIPE`; the
/// runtime ignores that `SIGPIPE`). Drop it to send end of file.
pub struct ChildStdin(PipeEnd);

/// The child's stdout, read by the parent (std's `ChildStdout`).
pub struct ChildStdout(PipeEnd);

/// The child's stderr, read by the parent (std's `ChildStderr`).
pub struct ChildStderr(PipeEnd);

impl core::fmt::Debug for ChildStdin {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ChildStdin")
            .field("fd", &self.0.0.raw())
            .finish()
    }
}

impl ChildStdin {
    pub(crate) fn new(fd: Fd) -> ChildStdin {
        ChildStdin(PipeEnd(fd))
    }
}

impl core::fmt::Debug for ChildStdout {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ChildStdout")
            .field("fd", &self.0.0.raw())
            .finish()
    }
}

impl ChildStdout {
    pub(crate) fn new(fd: Fd) -> ChildStdout {
        ChildStdout(PipeEnd(fd))
    }
}

impl core::fmt::Debug for ChildStderr {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ChildStderr")
            .field("fd", &self.0.0.raw())
            .finish()
    }
}

impl ChildStderr {
    pub(crate) fn new(fd: Fd) -> ChildStderr {
        ChildStderr(PipeEnd(fd))
    }
}

impl Write for ChildStdin {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Read for ChildStdout {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl Read for ChildStderr {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}
