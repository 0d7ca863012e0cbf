//! Starting and reaping child processes: the kernel half of Go's
//! `syscall.forkExec` and `forkAndExecInChild1` (syscall/exec_linux.go,
//! exec_unix.go) and of `os.Process.Wait`/`Signal` (os/exec_unix.go,
//! os/pidfd_linux.go).
//!
//! **The child.** [`spawn`] clones with `CLONE_VM | CLONE_VFORK | SIGCHLD`
//! on a stack the caller maps for it: the child shares the parent's memory
//! (no page tables are copied, which is what makes it cheap) and the parent
//! thread sleeps until the child has called `execve` or exited. The child
//! also still has the parent thread's FS base, so it must not run one line
//! of runtime code: no `getg`, no allocator, no lock, no print. What it runs
//! is [`child_main`], straight-line raw system calls over a [`ChildPlan`]
//! the parent prepared completely before the clone (NUL-terminated strings,
//! NULL-terminated pointer arrays, plain fd numbers), writing only to its
//! own stack. Its steps:
//!
//! 1. every signal whose action is a handler gets `SIG_DFL` back (the
//!    child has a copy of the handler table, since there is no
//!    `CLONE_SIGHAND`; the handlers are the parent's runtime code).
//!    `SIG_IGN` stays, as `execve` keeps it. All signals are blocked
//!    meanwhile: the parent blocked them before the clone and the mask is
//!    inherited, so no handler can run in the child before the reset;
//! 2. `dup2` of each planned source fd onto 0, 1, 2 (the parent moved
//!    every source above 2 first, so a target is never another source);
//! 3. `chdir` when asked;
//! 4. the mask the process started with comes back (Go's `initSigmask`:
//!    not the spawning M's, on which the runtime unblocked signals);
//! 5. `execve` of each candidate path in turn (one for a program with a
//!    `/`, one per `PATH` entry otherwise), the way glibc's `execvp`
//!    walks `PATH`: `ENOENT`, `ENOTDIR`, `ESTALE`, `ENODEV`, `ETIMEDOUT`
//!    and `EACCES` go on to the next candidate, any other error stops;
//!    the error reported is `EACCES` if any candidate gave it, else the
//!    last one.
//!
//! A failure at any step writes the errno (4 bytes, native endian) to the
//! plan's error pipe, close-on-exec, and ends the child with
//! `exit_group(127)`. The parent reads that pipe once `clone` returns: end
//! of file (the pipe was closed by a successful exec) means success.
//!
//! **Waiting.** [`waitid_pidfd`] (`waitid(P_PIDFD)`, Linux >= 5.4),
//! [`wait4`] with `WNOHANG` or without, [`pidfd_open`] and
//! [`pidfd_send_signal`] (Linux >= 5.3 and 5.1), [`kill`]; the process
//! layer decides which.
//!
//! Invariants: the child touches only its stack and the plan (read-only);
//! the plan and every buffer it points into outlive the `clone` call (with
//! `CLONE_VFORK` the child is done with them when `clone` returns; under
//! qemu-user, which turns a vfork into a plain fork, the child has a copy).

use super::fcntl::{AT_FDCWD, F_GETFL, F_SETFL, O_CLOEXEC, O_NONBLOCK, O_RDWR};
use super::signal::{SIG_DFL, SIG_IGN, SIGSET_ALL, set_mask};
use super::syscall::{Errno, check, nr, syscall1, syscall2, syscall3, syscall4};

/// System call numbers only this module uses (`asm/unistd_64.h`).
#[allow(non_upper_case_globals)]
mod spawn_nr {
    pub const SYS_dup2: usize = 33;
    pub const SYS_execve: usize = 59;
    pub const SYS_wait4: usize = 61;
    pub const SYS_chdir: usize = 80;
    pub const SYS_waitid: usize = 247;
    pub const SYS_pidfd_send_signal: usize = 424;
}
use spawn_nr::*;

/// `clone` flags: share memory with the parent, suspend the parent until
/// exec or exit, and send it `SIGCHLD` when the child ends.
const CLONE_VM: u64 = 0x100;
const CLONE_VFORK: u64 = 0x4000;
const SIGCHLD: u64 = super::signal::SIGCHLD as u64;

/// Exit status of a child that could not exec (as a shell's 127).
pub const EXEC_FAILED_STATUS: usize = 127;

/// Bytes of the kernel's signal set for `rt_sigaction`.
const SIGSET_BYTES: usize = 8;
/// Highest signal number (`_NSIG`).
const NSIG: usize = crate::arch::signal::NSIG_MAX;

/// The bytes of an errno in the error pipe.
pub const ERRNO_BYTES: usize = 4;

/// `wait4` option: return at once when no child has changed state.
pub const WNOHANG: usize = 1;

/// Everything the child needs, prepared by the parent before the clone.
/// Every pointer is valid (and every array NULL-terminated) until
/// [`spawn`] returns.
#[repr(C)]
pub struct ChildPlan {
    /// Candidate paths to `execve`, in order; NULL-terminated.
    pub paths: *const *const u8,
    /// `argv`, NULL-terminated.
    pub argv: *const *const u8,
    /// `envp`, NULL-terminated.
    pub envp: *const *const u8,
    /// Directory to `chdir` to (NUL-terminated), or NULL.
    pub dir: *const u8,
    /// For fd 0, 1, 2: the fd to `dup2` onto it (> 2), or -1 to keep it.
    pub stdio: [i32; 3],
    /// Write end of the error pipe (close-on-exec).
    pub err_fd: i32,
    /// The blocked mask to restore before `execve` (set by [`spawn`]).
    pub sigmask: u64,
}

/// The kernel's `struct sigaction`, as the child reads and writes it.
#[repr(C)]
struct ChildSigaction {
    handler: usize,
    flags: u64,
    restorer: usize,
    mask: u64,
}

/// Reports `errno` to the parent and ends the child (module note).
///
/// # Safety
/// Runs only in the spawned child (ends its process).
#[inline(always)]
unsafe fn child_fail(err_fd: i32, errno: usize) -> ! {
    let code = errno as u32;
    loop {
        // SAFETY: code is on the child's own stack, readable for 4 bytes.
        let r = unsafe {
            syscall3(
                nr::SYS_write,
                err_fd as usize,
                &code as *const u32 as usize,
                ERRNO_BYTES,
            )
        };
        if r != (Errno::EINTR.0 as usize).wrapping_neg() {
            break;
        }
    }
    // SAFETY: the child is a process of its own: exit_group ends it only.
    unsafe { syscall1(nr::SYS_exit_group, EXEC_FAILED_STATUS) };
    super::process::unreachable_trap()
}

/// The child's whole life between clone and execve (module note). Only
/// raw system calls and reads of the plan: no runtime code, no writes
/// outside this stack, no panics (no indexing, no arithmetic that could
/// overflow).
extern "C" fn child_main(plan: usize) -> ! {
    // SAFETY: the parent passes a ChildPlan that stays valid and unchanged
    // until the child execs or exits (ChildPlan's contract).
    let plan = unsafe { &*(plan as *const ChildPlan) };
    // 1. Signal handlers back to SIG_DFL; SIG_IGN stays.
    let mut sig = 1;
    while sig <= NSIG {
        let mut old = ChildSigaction {
            handler: SIG_DFL,
            flags: 0,
            restorer: 0,
            mask: 0,
        };
        // SAFETY: old is writable on this stack; no new action is given.
        let r = unsafe {
            syscall4(
                nr::SYS_rt_sigaction,
                sig,
                0,
                &mut old as *mut ChildSigaction as usize,
                SIGSET_BYTES,
            )
        };
        if check(r).is_ok() && old.handler != SIG_DFL && old.handler != SIG_IGN {
            let dfl = ChildSigaction {
                handler: SIG_DFL,
                flags: 0,
                restorer: 0,
                mask: 0,
            };
            // SAFETY: dfl is a valid sigaction on this stack; the table
            // changed is the child's own copy (no CLONE_SIGHAND).
            unsafe {
                syscall4(
                    nr::SYS_rt_sigaction,
                    sig,
                    &dfl as *const ChildSigaction as usize,
                    0,
                    SIGSET_BYTES,
                )
            };
        }
        sig += 1;
    }
    // 2. The standard descriptors.
    for (target, &src) in plan.stdio.iter().enumerate() {
        if src >= 0 {
            // SAFETY: dup2 takes no pointers; the fd table is the child's.
            if let Err(e) = check(unsafe { syscall2(SYS_dup2, src as usize, target) }) {
                // SAFETY: in the child.
                unsafe { child_fail(plan.err_fd, e.0 as usize) };
            }
        }
    }
    // 3. The working directory.
    if !plan.dir.is_null() {
        // SAFETY: dir is NUL-terminated (plan contract).
        if let Err(e) = check(unsafe { syscall1(SYS_chdir, plan.dir as usize) }) {
            // SAFETY: in the child.
            unsafe { child_fail(plan.err_fd, e.0 as usize) };
        }
    }
    // 4. The inherited mask.
    let mask = plan.sigmask;
    // SAFETY: mask is a readable signal set on this stack.
    unsafe {
        syscall4(
            nr::SYS_rt_sigprocmask,
            SIG_SETMASK,
            &mask as *const u64 as usize,
            0,
            SIGSET_BYTES,
        )
    };
    // 5. execve each candidate.
    let mut saw_eacces = false;
    let mut last = Errno::ENOENT;
    let mut p = plan.paths;
    loop {
        // SAFETY: paths is NULL-terminated and p has not passed the NULL.
        let path = unsafe { *p };
        if path.is_null() {
            break;
        }
        // SAFETY: path, argv and envp are NUL-/NULL-terminated (plan
        // contract); on success execve does not return.
        let r = unsafe {
            syscall3(
                SYS_execve,
                path as usize,
                plan.argv as usize,
                plan.envp as usize,
            )
        };
        let e = match check(r) {
            Err(e) => e,
            Ok(_) => Errno::EIO, // execve returns only with an error
        };
        match e {
            Errno::EACCES => saw_eacces = true,
            Errno::ENOENT | Errno::ENOTDIR | Errno::ESTALE | Errno::ENODEV | Errno::ETIMEDOUT => {}
            other => {
                last = other;
                saw_eacces = false;
                break;
            }
        }
        last = e;
        // SAFETY: path was not the terminating NULL, so p + 1 is in the array.
        p = unsafe { p.add(1) };
    }
    let e = if saw_eacces { Errno::EACCES } else { last };
    // SAFETY: in the child.
    unsafe { child_fail(plan.err_fd, e.0 as usize) }
}

/// `how` for rt_sigprocmask: replace the blocked mask.
const SIG_SETMASK: usize = 2;

/// Starts the child of `plan` on the stack ending at `stack_top` (16-byte
/// aligned) and returns its pid once it has exec'd or failed (module
/// note). Blocks every signal on this thread around the clone.
///
/// # Safety
/// `plan` satisfies [`ChildPlan`]'s contract; `[stack_top - size,
/// stack_top)` is mapped, writable, and used by nothing else until this
/// returns.
pub unsafe fn spawn(plan: &mut ChildPlan, stack_top: usize) -> Result<i32, Errno> {
    // Block everything: the child inherits the mask, so no handler (the
    // parent's runtime code) can run in it before it resets them.
    let old = set_mask(SIGSET_ALL)?;
    // The child gets the mask the process started with (Go's
    // initSigmask), not this M's: which M spawns must not matter, nor
    // what the runtime unblocked on it.
    plan.sigmask = super::signal::inherited_mask().unwrap_or(old);
    // SAFETY: child_main runs only raw syscalls over the plan on its own
    // stack (module note), which the caller guarantees are valid.
    let r = unsafe {
        crate::arch::spawn::rt0_spawn_clone(
            CLONE_VM | CLONE_VFORK | SIGCHLD,
            stack_top,
            child_main,
            plan as *const ChildPlan as usize,
        )
    };
    let _ = set_mask(old);
    check(r as usize).map(|pid| pid as i32)
}

/// `wait4(pid, &status, options)`: `Ok(0)` with `WNOHANG` when the child
/// is still running, else `(pid, raw wait status)`.
pub fn wait4(pid: i32, options: usize) -> Result<(i32, i32), Errno> {
    let mut status: i32 = 0;
    // SAFETY: status is writable; no rusage asked.
    let r = check(unsafe {
        syscall4(
            SYS_wait4,
            pid as usize,
            &mut status as *mut i32 as usize,
            options,
            0,
        )
    })?;
    Ok((r as i32, status))
}

/// `waitid` id type: the id is a pidfd (Linux >= 5.4).
const P_PIDFD: usize = 3;
/// `waitid` option: wait for children that have exited.
pub const WEXITED: usize = 4;
/// `si_code` of a child's `SIGCHLD` siginfo: exited, killed, killed with
/// a core dump.
const CLD_EXITED: i32 = 1;
const CLD_KILLED: i32 = 2;
const CLD_DUMPED: i32 = 3;
/// The wait status bit of a core dump, and where an exit code sits.
const WCOREFLAG: i32 = 0x80;
const WEXIT_SHIFT: i32 = 8;
const WEXIT_MASK: i32 = 0xff;
/// Bytes of the kernel's `siginfo_t`.
const SIGINFO_BYTES: usize = 128;

/// The leading fields of `siginfo_t` for `SIGCHLD`, padded to its size.
#[repr(C)]
struct ChildInfo {
    signo: i32,
    errno: i32,
    code: i32,
    _pad: i32,
    pid: i32,
    uid: u32,
    status: i32,
    _rest: [u8; SIGINFO_BYTES - 28],
}

/// `waitid(P_PIDFD, pidfd, &info, WEXITED | options)`: the raw wait
/// status (as [`wait4`] gives it) of the exited child, or `Ok(None)` with
/// `WNOHANG` while it runs. Go's `pidfdWait` (os/pidfd_linux.go).
pub fn waitid_pidfd(pidfd: i32, options: usize) -> Result<Option<i32>, Errno> {
    let mut info = ChildInfo {
        signo: 0,
        errno: 0,
        code: 0,
        _pad: 0,
        pid: 0,
        uid: 0,
        status: 0,
        _rest: [0; SIGINFO_BYTES - 28],
    };
    // SAFETY: info is writable for a whole siginfo_t; no rusage asked.
    check(unsafe {
        super::syscall::syscall6(
            SYS_waitid,
            P_PIDFD,
            pidfd as usize,
            &mut info as *mut ChildInfo as usize,
            WEXITED | options,
            0,
            0,
        )
    })?;
    if info.pid == 0 {
        return Ok(None); // WNOHANG, still running
    }
    Ok(Some(match info.code {
        CLD_EXITED => (info.status & WEXIT_MASK) << WEXIT_SHIFT,
        CLD_KILLED => info.status,
        CLD_DUMPED => info.status | WCOREFLAG,
        _ => return Err(Errno::EINVAL),
    }))
}

pub use super::signal::kill;

/// `pidfd_open(pid, 0)`: a descriptor (close-on-exec) that becomes
/// readable when the process exits (Linux >= 5.3).
pub fn pidfd_open(pid: i32) -> Result<i32, Errno> {
    // SAFETY: pidfd_open takes no pointers.
    check(unsafe { syscall2(nr::SYS_pidfd_open, pid as usize, 0) }).map(|fd| fd as i32)
}

/// `pidfd_send_signal(pidfd, sig, NULL, 0)` (Linux >= 5.1).
pub fn pidfd_send_signal(pidfd: i32, sig: i32) -> Result<(), Errno> {
    // SAFETY: no siginfo is passed.
    check(unsafe { syscall4(SYS_pidfd_send_signal, pidfd as usize, sig as usize, 0, 0) })
        .map(|_| ())
}

/// Sets `O_NONBLOCK` on `fd`'s open file description (for the parent's
/// end of a pipe; the child's end, a different description, stays
/// blocking).
pub fn set_nonblocking(fd: i32) -> Result<(), Errno> {
    // SAFETY: fcntl(F_GETFL/F_SETFL) take no pointers.
    let fl = check(unsafe { syscall2(nr::SYS_fcntl, fd as usize, F_GETFL) })?;
    // SAFETY: as above.
    check(unsafe { syscall3(nr::SYS_fcntl, fd as usize, F_SETFL, fl | O_NONBLOCK) }).map(|_| ())
}

/// Opens `/dev/null` read-write, close-on-exec.
pub fn open_null() -> Result<i32, Errno> {
    const DEV_NULL: &[u8] = b"/dev/null\0";
    // SAFETY: the path is NUL-terminated; openat keeps no pointer.
    check(unsafe {
        syscall4(
            nr::SYS_openat,
            AT_FDCWD as usize,
            DEV_NULL.as_ptr() as usize,
            O_RDWR | O_CLOEXEC,
            0,
        )
    })
    .map(|fd| fd as i32)
}

/// Reads the error pipe of a spawn: `Ok(None)` at end of file (the child
/// exec'd), `Ok(Some(errno))` when the child reported one. Blocks until
/// one or the other (at once under a real vfork; under qemu-user's fork
/// until the child gets there).
pub fn read_exec_error(fd: i32) -> Result<Option<Errno>, Errno> {
    let mut buf = [0u8; ERRNO_BYTES];
    let mut got = 0;
    while got < ERRNO_BYTES {
        match super::file::read(fd, &mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
        }
    }
    match got {
        0 => Ok(None),
        ERRNO_BYTES => Ok(Some(Errno(u32::from_ne_bytes(buf) as i32))),
        _ => Err(Errno::EIO),
    }
}
