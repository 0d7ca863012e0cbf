//! [`Command`] and [`Stdio`] (std's `std::process::Command`; Go's
//! `os/exec.Cmd` over `os.StartProcess` and `syscall.forkExec`,
//! syscall/exec_unix.go and exec_linux.go).
//!
//! Spawning, in the parent (the child's side is `sys::spawn`'s note):
//!
//! 1. everything the child will read is built first, on the heap: the
//!    NUL-terminated program, arguments and `KEY=value` entries with their
//!    NULL-terminated pointer arrays, the candidate paths of the `PATH`
//!    search, the directory;
//! 2. the descriptors: `/dev/null` or a pipe per redirected stream (the
//!    parent's end non-blocking and registered with the netpoller, the
//!    child's end blocking), and the error pipe; all close-on-exec from the
//!    start (`pipe2(O_CLOEXEC)`, `openat(O_CLOEXEC)`), so a child spawned
//!    at the same moment by another goroutine never keeps them past its own
//!    exec, and no fork lock is needed (Go's `syscall.ForkLock` guards
//!    descriptors that are not). Every descriptor the child will `dup2` is
//!    moved above 2 first, so a `dup2` onto 0, 1 or 2 never overwrites a
//!    source still to be moved (a program started with stdin closed gets
//!    its pipes at fd 0);
//! 3. a child stack ([`CHILD_STACK_SIZE`], a guard page below it) from a
//!    small cache, mapped when the cache is empty;
//! 4. inside the system-call bracket (the goroutine's P goes to other work
//!    while this M sleeps in the vfork): block every signal, clone, restore
//!    the mask, close the error pipe's write end and read it;
//! 5. end of file: the child runs; its pid is opened as a pidfd for
//!    waiting (`Child`). Four bytes: the errno of the failed exec, chdir or
//!    dup2, returned as an `io::Error` after the child is reaped.
//!
//! `PATH`: a program without `/` is looked for in each entry of the child's
//! `PATH` when [`Command::env`] set one, else in the parent's `PATH`, else
//! in `/bin:/usr/bin` (glibc's default); an empty entry means the current
//! directory. Go's `exec.LookPath` searches in the parent with `stat`;
//! here the child tries `execve` on each candidate, as `execvp` does.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::child::{Child, ChildStderr, ChildStdin, ChildStdout};
use super::status::{ExitStatus, Output};
use crate::io::{self, ErrorKind};
use crate::netpoll::Fd;
use crate::sys::mm::{self, MapFlags, Prot};
use crate::sys::runtimefd::above_stdio;
use crate::sys::spawn::{self as sys, ChildPlan};
use crate::sys::{Errno, file};

/// Bytes of a child's stack: the child runs a handful of system calls in
/// one frame, so 16 KiB is ample.
pub(crate) const CHILD_STACK_SIZE: usize = 16 * 1024;
/// The inaccessible page below each child stack.
const GUARD_SIZE: usize = 4096;
/// Child stacks kept for reuse (one per spawn running at once is enough).
const STACK_CACHE: usize = 16;
/// The `PATH` searched when neither the child's nor the parent's
/// environment has one (glibc's `_CS_PATH`).
const DEFAULT_PATH: &[u8] = b"/bin:/usr/bin";

/// What a child's standard stream is connected to (std's `Stdio`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stdio(StdioKind);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StdioKind {
    Inherit,
    Null,
    Piped,
}

impl Stdio {
    /// The child gets the parent's descriptor (std's `Stdio::inherit`, Go's
    /// `Cmd.Stdin = os.Stdin`).
    pub fn inherit() -> Stdio {
        Stdio(StdioKind::Inherit)
    }

    /// The child gets `/dev/null` (std's `Stdio::null`, Go's nil
    /// `Cmd.Stdout`).
    pub fn null() -> Stdio {
        Stdio(StdioKind::Null)
    }

    /// A new pipe; the parent's end becomes the [`Child`]'s `stdin`,
    /// `stdout` or `stderr` field (std's `Stdio::piped`, Go's
    /// `Cmd.StdinPipe`...).
    pub fn piped() -> Stdio {
        Stdio(StdioKind::Piped)
    }
}

/// A process to start: program, arguments, environment, directory and
/// standard streams (std's `Command`, Go's `exec.Cmd`).
///
/// Strings are bytes (`impl AsRef<[u8]>`: `&str`, `String`, `&[u8]`,
/// `Vec<u8>` all work), as the kernel takes them. A NUL byte in any of them
/// makes [`spawn`](Self::spawn) fail with `InvalidInput`.
pub struct Command {
    program: Vec<u8>,
    /// argv, argv[0] (the program as given) first.
    args: Vec<Vec<u8>>,
    /// Changes to the inherited environment: `Some` sets, `None` removes.
    env: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    env_clear: bool,
    dir: Option<Vec<u8>>,
    stdin: Option<Stdio>,
    stdout: Option<Stdio>,
    stderr: Option<Stdio>,
    saw_nul: bool,
}

/// `s` with a NUL appended; sets `saw_nul` if `s` holds one.
fn cstring(s: &[u8], saw_nul: &mut bool) -> Vec<u8> {
    if s.contains(&0) {
        *saw_nul = true;
    }
    let mut v = Vec::with_capacity(s.len() + 1);
    v.extend_from_slice(s);
    v.push(0);
    v
}

/// Pointers to each string's first byte, then NULL.
fn pointers(strings: &[Vec<u8>]) -> Vec<*const u8> {
    let mut v: Vec<*const u8> = strings.iter().map(|s| s.as_ptr()).collect();
    v.push(core::ptr::null());
    v
}

impl Command {
    /// A command running `program` with no arguments, the parent's
    /// environment and directory, and (for [`spawn`](Self::spawn) and
    /// [`status`](Self::status)) the parent's standard streams (std's
    /// `Command::new`, Go's `exec.Command`).
    pub fn new(program: impl AsRef<[u8]>) -> Command {
        let mut saw_nul = false;
        let program = program.as_ref().to_vec();
        let arg0 = cstring(&program, &mut saw_nul);
        Command {
            program,
            args: alloc::vec![arg0],
            env: BTreeMap::new(),
            env_clear: false,
            dir: None,
            stdin: None,
            stdout: None,
            stderr: None,
            saw_nul,
        }
    }

    /// Adds one argument.
    pub fn arg(&mut self, arg: impl AsRef<[u8]>) -> &mut Command {
        let a = cstring(arg.as_ref(), &mut self.saw_nul);
        self.args.push(a);
        self
    }

    /// Adds several arguments.
    pub fn args<I, S>(&mut self, args: I) -> &mut Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        for a in args {
            self.arg(a);
        }
        self
    }

    /// Sets `key=val` in the child's environment.
    pub fn env(&mut self, key: impl AsRef<[u8]>, val: impl AsRef<[u8]>) -> &mut Command {
        let (k, v) = (key.as_ref(), val.as_ref());
        self.saw_nul |= k.contains(&0) || v.contains(&0);
        self.env.insert(k.to_vec(), Some(v.to_vec()));
        self
    }

    /// Sets several variables.
    pub fn envs<I, K, V>(&mut self, vars: I) -> &mut Command
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        for (k, v) in vars {
            self.env(k, v);
        }
        self
    }

    /// Removes `key` from the child's environment.
    pub fn env_remove(&mut self, key: impl AsRef<[u8]>) -> &mut Command {
        let k = key.as_ref();
        if self.env_clear {
            self.env.remove(k);
        } else {
            self.env.insert(k.to_vec(), None);
        }
        self
    }

    /// The child starts with an empty environment, plus what
    /// [`env`](Self::env) sets after this call.
    pub fn env_clear(&mut self) -> &mut Command {
        self.env_clear = true;
        self.env.clear();
        self
    }

    /// The child's working directory. A relative program path (one with a
    /// `/`) is then relative to it, as with std on Linux.
    pub fn current_dir(&mut self, dir: impl AsRef<[u8]>) -> &mut Command {
        self.dir = Some(cstring(dir.as_ref(), &mut self.saw_nul));
        self
    }

    /// The child's stdin.
    pub fn stdin(&mut self, cfg: Stdio) -> &mut Command {
        self.stdin = Some(cfg);
        self
    }

    /// The child's stdout.
    pub fn stdout(&mut self, cfg: Stdio) -> &mut Command {
        self.stdout = Some(cfg);
        self
    }

    /// The child's stderr.
    pub fn stderr(&mut self, cfg: Stdio) -> &mut Command {
        self.stderr = Some(cfg);
        self
    }

    /// The program as given to [`new`](Self::new).
    pub fn get_program(&self) -> &[u8] {
        &self.program
    }

    /// Starts the child and returns at once (std's `spawn`, Go's
    /// `Cmd.Start`). Streams not configured are inherited. Errors: the
    /// program could not be executed (`NotFound` for `ENOENT`,
    /// `PermissionDenied` for `EACCES`, with the raw errno), the directory
    /// could not be entered, or descriptors/processes ran out.
    pub fn spawn(&mut self) -> io::Result<Child> {
        self.spawn_with(Stdio::inherit(), Stdio::inherit())
    }

    /// Runs the child to its end with inherited streams (std's `status`,
    /// Go's `Cmd.Run`).
    pub fn status(&mut self) -> io::Result<ExitStatus> {
        self.spawn_with(Stdio::inherit(), Stdio::inherit())?.wait()
    }

    /// Runs the child to its end, capturing its stdout and stderr, with
    /// stdin from `/dev/null` unless configured (std's `output`; Go's
    /// `Cmd.Output` captures stdout only).
    pub fn output(&mut self) -> io::Result<Output> {
        self.spawn_with(Stdio::null(), Stdio::piped())?
            .wait_with_output()
    }

    /// The child's environment as `KEY=value\0` entries.
    fn envp(&self) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        if !self.env_clear {
            for kv in crate::env::vars() {
                let key = match kv.iter().position(|&b| b == b'=') {
                    Some(i) => &kv[..i],
                    None => kv,
                };
                if self.env.contains_key(key) {
                    continue;
                }
                let mut e = Vec::with_capacity(kv.len() + 1);
                e.extend_from_slice(kv);
                e.push(0);
                out.push(e);
            }
        }
        for (k, v) in &self.env {
            if let Some(v) = v {
                let mut e = Vec::with_capacity(k.len() + v.len() + 2);
                e.extend_from_slice(k);
                e.push(b'=');
                e.extend_from_slice(v);
                e.push(0);
                out.push(e);
            }
        }
        out
    }

    /// The paths the child tries `execve` on, NUL-terminated (module note).
    fn candidates(&self) -> Vec<Vec<u8>> {
        let prog = &self.program;
        if prog.is_empty() {
            return Vec::new(); // nothing to try: ENOENT, as execvp("")
        }
        if prog.contains(&b'/') {
            let mut ignore = false;
            return alloc::vec![cstring(prog, &mut ignore)];
        }
        let path: &[u8] = match self.env.get(b"PATH".as_slice()) {
            Some(Some(p)) => p,
            _ => crate::env::var_bytes("PATH").unwrap_or(DEFAULT_PATH),
        };
        path.split(|&b| b == b':')
            .map(|dir| {
                let mut c = Vec::with_capacity(dir.len() + prog.len() + 2);
                if !dir.is_empty() {
                    c.extend_from_slice(dir);
                    c.push(b'/');
                }
                c.extend_from_slice(prog);
                c.push(0);
                c
            })
            .collect()
    }

    /// [`spawn`](Self::spawn) with the defaults of stdin and of
    /// stdout/stderr for streams not configured.
    fn spawn_with(&mut self, default_in: Stdio, default_out: Stdio) -> io::Result<Child> {
        if self.saw_nul {
            return Err(io::Error::new(
                ErrorKind::InvalidInput,
                "nul byte found in provided data",
            ));
        }
        let env = self.envp();
        let paths = self.candidates();
        let env_ptrs = pointers(&env);
        let path_ptrs = pointers(&paths);
        let arg_ptrs = pointers(&self.args);

        let stdin = Pipes::setup(self.stdin.unwrap_or(default_in), true)?;
        let stdout = Pipes::setup(self.stdout.unwrap_or(default_out), false)?;
        let stderr = Pipes::setup(self.stderr.unwrap_or(default_out), false)?;
        let (err_r, err_w) = error_pipe()?;
        let stack = ChildStack::get()?;

        let mut plan = ChildPlan {
            paths: path_ptrs.as_ptr(),
            argv: arg_ptrs.as_ptr(),
            envp: env_ptrs.as_ptr(),
            dir: self.dir.as_ref().map_or(core::ptr::null(), |d| d.as_ptr()),
            stdio: [stdin.child_fd(), stdout.child_fd(), stderr.child_fd()],
            err_fd: err_w.0,
            sigmask: 0,
        };
        // The M sleeps in the vfork until the child execs, then in the
        // read of the error pipe: give the P away meanwhile.
        crate::sched::syscall::entersyscall();
        // SAFETY: plan points into env/paths/args/self.dir, all alive
        // until the end of this function; the stack is ours alone.
        let spawned = unsafe { sys::spawn(&mut plan, stack.top()) };
        drop(err_w);
        let reported = match spawned {
            Ok(_) => sys::read_exec_error(err_r.0),
            Err(e) => Err(e),
        };
        crate::sched::syscall::exitsyscall();
        stack.put();
        drop(err_r);
        let pid = spawned?;
        let (stdin, stdout, stderr) = (stdin.parent, stdout.parent, stderr.parent);
        match reported {
            Ok(None) => {}
            Ok(Some(e)) => {
                // The child has exited (or, under qemu-user's fork, is
                // about to): reap it so no zombie stays.
                let _ = blocking_wait(pid);
                return Err(io::Error::from(e));
            }
            Err(e) => {
                // The error pipe itself failed: whether the child runs is
                // unknown, so end it rather than hand out a half-made Child.
                let _ = sys::kill(pid, crate::sys::signal::SIGKILL);
                let _ = blocking_wait(pid);
                return Err(io::Error::from(e));
            }
        }
        Ok(Child::new(
            pid,
            stdin.map(ChildStdin::new),
            stdout.map(ChildStdout::new),
            stderr.map(ChildStderr::new),
        ))
    }
}

/// As std: the program and arguments, quoted (`"/bin/sh" "-c" "exit 1"`),
/// after the directory and changed variables when there are any.
impl core::fmt::Debug for Command {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let text = |b: &[u8]| alloc::string::String::from_utf8_lossy(b).into_owned();
        if let Some(d) = &self.dir {
            write!(f, "cd {:?} && ", text(&d[..d.len() - 1]))?;
        }
        if self.env_clear {
            f.write_str("env -i ")?;
        }
        for (k, v) in &self.env {
            match v {
                Some(v) => write!(f, "{}={:?} ", text(k), text(v))?,
                None => write!(f, "-u {} ", text(k))?,
            }
        }
        write!(f, "{:?}", text(&self.program))?;
        for a in &self.args[1..] {
            write!(f, " {:?}", text(&a[..a.len() - 1]))?;
        }
        Ok(())
    }
}

/// `wait4(pid, 0)` in the system-call bracket, again after `EINTR`.
pub(crate) fn blocking_wait(pid: i32) -> io::Result<ExitStatus> {
    crate::runtime::blocking(|| {
        loop {
            match sys::wait4(pid, 0) {
                Ok((_, st)) => return Ok(ExitStatus::from_raw(st)),
                Err(Errno::EINTR) => continue,
                Err(e) => return Err(io::Error::from(e)),
            }
        }
    })
}

/// A raw descriptor closed on drop.
struct OwnedFd(i32);

impl Drop for OwnedFd {
    fn drop(&mut self) {
        file::close(self.0);
    }
}

/// Moves `fd` above 2 (module note, step 2), keeping it owned.
fn high(fd: i32) -> io::Result<OwnedFd> {
    above_stdio(fd).map(OwnedFd).map_err(io::Error::from)
}

/// The error pipe: (read end, write end), close-on-exec, above 2.
fn error_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let (r, w) = file::pipe2()?;
    let r = high(r);
    let w = high(w);
    Ok((r?, w?))
}

/// One standard stream's descriptors for a spawn.
struct Pipes {
    /// What the child `dup2`s onto its stream (None: inherit).
    child: Option<OwnedFd>,
    /// The parent's end of a pipe, on the netpoller.
    parent: Option<Fd>,
}

impl Pipes {
    /// `input`: the child reads this stream (stdin).
    fn setup(cfg: Stdio, input: bool) -> io::Result<Pipes> {
        match cfg.0 {
            StdioKind::Inherit => Ok(Pipes {
                child: None,
                parent: None,
            }),
            StdioKind::Null => Ok(Pipes {
                child: Some(high(sys::open_null()?)?),
                parent: None,
            }),
            StdioKind::Piped => {
                let (r, w) = file::pipe2()?;
                let (child, parent) = if input { (r, w) } else { (w, r) };
                // Both ends above 2: the child's so its dup2s cannot
                // collide, the parent's so that a program started with a
                // standard stream closed never prints into a child's pipe.
                let child = high(child);
                let parent = high(parent)?;
                let child = child?;
                sys::set_nonblocking(parent.0)?;
                let raw = parent.0;
                core::mem::forget(parent);
                let fd = Fd::new(raw).map_err(super::child::poll_error)?;
                Ok(Pipes {
                    child: Some(child),
                    parent: Some(fd),
                })
            }
        }
    }

    fn child_fd(&self) -> i32 {
        self.child.as_ref().map_or(-1, |f| f.0)
    }
}

/// A mapped child stack: `[base + GUARD_SIZE, base + GUARD_SIZE +
/// CHILD_STACK_SIZE)`, with the guard page at `base`.
struct ChildStack {
    base: usize,
}

/// Stacks of finished spawns (bases; 0 = empty slot).
static STACKS: crate::spinlock::SpinLock<[usize; STACK_CACHE]> =
    crate::spinlock::SpinLock::new([0; STACK_CACHE]);

impl ChildStack {
    /// A cached stack, or a new mapping.
    fn get() -> io::Result<ChildStack> {
        {
            let mut cache = STACKS.lock();
            if let Some(slot) = cache.iter_mut().find(|s| **s != 0) {
                let base = core::mem::take(slot);
                return Ok(ChildStack { base });
            }
        }
        let len = GUARD_SIZE + CHILD_STACK_SIZE;
        let p = mm::mmap_anon(0, len, Prot::READ | Prot::WRITE, MapFlags::STACK)?;
        // SAFETY: the first page of our fresh mapping; nothing uses it.
        if let Err(e) = unsafe { mm::mprotect(p, GUARD_SIZE, Prot::NONE) } {
            // SAFETY: our mapping, never handed out.
            let _ = unsafe { mm::munmap(p, len) };
            return Err(io::Error::from(e));
        }
        Ok(ChildStack { base: p as usize })
    }

    /// The initial stack pointer (16-byte aligned: page-aligned end).
    fn top(&self) -> usize {
        self.base + GUARD_SIZE + CHILD_STACK_SIZE
    }

    /// Back to the cache, or unmapped when the cache is full.
    fn put(self) {
        {
            let mut cache = STACKS.lock();
            if let Some(slot) = cache.iter_mut().find(|s| **s == 0) {
                *slot = self.base;
                return;
            }
        }
        // SAFETY: the child that used the stack has exec'd or exited (the
        // vfork returned), so nothing refers to it.
        let _ = unsafe { mm::munmap(self.base as *mut u8, GUARD_SIZE + CHILD_STACK_SIZE) };
    }
}
