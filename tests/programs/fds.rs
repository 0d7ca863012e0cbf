//! The runtime's own file descriptors: opened once, close-on-exec, never
//! at 0, 1 or 2. `tests/fds.rs` starts this program with fd 1 closed, or
//! with 0, 1 and 2 all closed, and reads its report.
//!
//! Usage: `fds chunk|race REPORT_FD`.
//!
//! - `chunk`: 24 goroutines stay alive at once, so the runtime maps and
//!   prepares a second chunk of stacks, which opens its pidfd for
//!   `process_madvise`.
//! - `race`: GOMAXPROCS-1 goroutines spin at a gate (one per P besides
//!   main's), main opens it, and all, main too, ask for the pidfd at the
//!   same moment (`rt0::export_test::self_pidfd`): only one may be opened.
//!
//! Then the program lists `/proc/self/fd` and writes one line per open fd
//! to REPORT_FD (a raw write, so that this works with fds 1 and 2 closed):
//! `fd=N cloexec=0|1 target=T` (T from `readlink`, the cloexec bit from
//! the `flags:` line of `/proc/self/fdinfo/N`), then
//! `self_pidfd=N` (or `self_pidfd=err=E`) and `end`. The directory's own
//! fd is left out.
#![no_std]
#![no_main]
extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::CStr;
use core::fmt::Write;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};

use rt0::os::{close, open_readonly, read_file, syscall6, write_all};

rt0::main!(main);

/// `getdents64` (not in the runtime's own syscall table).
const SYS_GETDENTS64: usize = 217;
/// `readlinkat`.
const SYS_READLINKAT: usize = 267;
const AT_FDCWD: isize = -100;
/// `O_CLOEXEC` as `/proc/self/fdinfo` shows it (octal flags).
const O_CLOEXEC: u32 = 0o2_000_000;
/// Offsets in `struct linux_dirent64`: d_reclen (u16) and d_name.
const DIRENT_RECLEN: usize = 16;
const DIRENT_NAME: usize = 19;

/// Spins at the gate between `sched_yield`s in `race` mode.
const SPINS_BEFORE_OS_YIELD: u32 = 1000;
/// Goroutines alive at once in `chunk` mode: more than the first chunk's 8.
const CHUNK_GOROUTINES: u64 = 24;

fn usage() -> ! {
    rt0::eprintln!("usage: fds chunk|race REPORT_FD");
    rt0::process::exit(64)
}

/// Starts `n` goroutines that run `f` once all `n` are running, and waits
/// for all of them to finish (atomics only: nothing here may park for
/// long). With `spin` they wait at the gate without yielding, each holding
/// its P, so that all run `f` at the same moment: then `n` must be below
/// GOMAXPROCS, and main runs `f` too as it opens the gate.
fn gathered(n: u64, spin: bool, f: fn()) {
    static ARRIVED: AtomicU64 = AtomicU64::new(0);
    static OPEN: AtomicBool = AtomicBool::new(false);
    static DONE: AtomicU64 = AtomicU64::new(0);
    for _ in 0..n {
        rt0::runtime::go(move || {
            ARRIVED.fetch_add(1, SeqCst);
            let mut spins: u32 = 0;
            while !OPEN.load(SeqCst) {
                if !spin {
                    rt0::runtime::gosched();
                } else if spins < SPINS_BEFORE_OS_YIELD {
                    spins += 1;
                    core::hint::spin_loop();
                } else {
                    // Keep the P, but let the OS run main's thread on a
                    // loaded machine.
                    spins = 0;
                    rt0::os::sched_yield();
                }
            }
            f();
            DONE.fetch_add(1, SeqCst);
        });
    }
    while ARRIVED.load(SeqCst) != n {
        rt0::runtime::gosched();
    }
    OPEN.store(true, SeqCst);
    if spin {
        f();
    }
    while DONE.load(SeqCst) != n {
        rt0::runtime::gosched();
    }
}

/// `path` + decimal `n` + NUL, as a C string in `buf`.
fn path_with_fd<'a>(buf: &'a mut [u8; 64], path: &str, n: i32) -> &'a CStr {
    let mut s = String::new();
    let _ = write!(s, "{path}{n}\0");
    buf[..s.len()].copy_from_slice(s.as_bytes());
    CStr::from_bytes_with_nul(&buf[..s.len()]).expect("one NUL at the end")
}

/// The open fds, from `/proc/self/fd`, without the directory's own fd.
fn list_fds() -> Vec<i32> {
    let dir = open_readonly(c"/proc/self/fd").expect("open /proc/self/fd");
    let mut fds = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        // SAFETY: buf is writable for its length; dir is our open directory.
        let n = unsafe {
            syscall6(
                SYS_GETDENTS64,
                [dir as usize, buf.as_mut_ptr() as usize, buf.len(), 0, 0, 0],
            )
        }
        .expect("getdents64");
        if n == 0 {
            break;
        }
        let mut off = 0;
        while off < n {
            let reclen =
                u16::from_ne_bytes([buf[off + DIRENT_RECLEN], buf[off + DIRENT_RECLEN + 1]]);
            let name = &buf[off + DIRENT_NAME..off + reclen as usize];
            let name = &name[..name.iter().position(|&b| b == 0).unwrap_or(name.len())];
            let fd: Option<i32> = core::str::from_utf8(name).ok().and_then(|s| s.parse().ok());
            if let Some(fd) = fd.filter(|&fd| fd != dir) {
                fds.push(fd);
            }
            off += reclen as usize;
        }
    }
    close(dir);
    fds
}

/// `readlink /proc/self/fd/N`.
fn target(fd: i32) -> String {
    let mut pbuf = [0u8; 64];
    let path = path_with_fd(&mut pbuf, "/proc/self/fd/", fd);
    let mut out = [0u8; 256];
    // SAFETY: path is NUL-terminated; out is writable for its length.
    let r = unsafe {
        syscall6(
            SYS_READLINKAT,
            [
                AT_FDCWD as usize,
                path.as_ptr() as usize,
                out.as_mut_ptr() as usize,
                out.len(),
                0,
                0,
            ],
        )
    };
    match r {
        Ok(n) => String::from_utf8_lossy(&out[..n]).into_owned(),
        Err(e) => alloc::format!("?errno={}", e.0),
    }
}

/// The close-on-exec bit of `fd`, from `/proc/self/fdinfo/N`.
fn cloexec(fd: i32) -> Option<bool> {
    let mut pbuf = [0u8; 64];
    let path = path_with_fd(&mut pbuf, "/proc/self/fdinfo/", fd);
    let mut info = [0u8; 512];
    let n = read_file(path, &mut info).ok()?;
    let text = core::str::from_utf8(&info[..n]).ok()?;
    let flags = text.lines().find_map(|l| l.strip_prefix("flags:"))?.trim();
    let flags = u32::from_str_radix(flags, 8).ok()?;
    Some(flags & O_CLOEXEC != 0)
}

fn main() {
    let report: i32 = rt0::env::arg(2).unwrap_or_else(|| usage());
    match rt0::env::args().nth(1) {
        Some(b"chunk") => gathered(CHUNK_GOROUTINES, false, || {}),
        Some(b"race") => {
            let racers = rt0::runtime::gomaxprocs().max(1) as u64 - 1;
            gathered(racers, true, || {
                let _ = rt0::export_test::self_pidfd();
            })
        }
        _ => usage(),
    }
    let mut out = String::new();
    for fd in list_fds() {
        let c = match cloexec(fd) {
            Some(true) => "1",
            Some(false) => "0",
            None => "?",
        };
        let _ = writeln!(out, "fd={fd} cloexec={c} target={}", target(fd));
    }
    match rt0::export_test::self_pidfd() {
        Ok(fd) => {
            let _ = writeln!(out, "self_pidfd={fd}");
        }
        Err(e) => {
            let _ = writeln!(out, "self_pidfd=err={}", e.0);
        }
    }
    out.push_str("end\n");
    if write_all(report, out.as_bytes()).is_err() {
        rt0::process::exit(3);
    }
}
