//! rt0::process from the inside (tests/process.rs and scripts/stress.py
//! run it). Modes:
//!
//! - `status PROG ARGS...`: runs PROG with inherited streams; prints
//!   `code=C signal=S success=B` (C, S: a number or `none`) and
//!   `display=TEXT` (ExitStatus's Display).
//! - `error PROG [DIR]`: spawns PROG (in DIR if given) and prints
//!   `kind=KIND raw=ERRNO msg=TEXT`, or `spawned` if it started.
//! - `nul`: a program name with a NUL byte: prints `kind=KIND`.
//! - `pipe BYTES [stderr]`: `cat` with piped stdin and stdout; one
//!   goroutine writes BYTES bytes of a pattern, this one reads everything
//!   back. Prints `bytes=N sum=S want=W code=C` (S = W: the same bytes in
//!   order), on stderr with `stderr` (for a run with stdout closed).
//! - `output`: `sh -c` writing to stdout and stderr and exiting 3; prints
//!   `stdout=[..] stderr=[..] code=3`.
//! - `env MODE`: `/usr/bin/env` with MODE `clear` (env_clear), `clearset`
//!   (env_clear then A=1 and B=two), `remove` (env_remove RT0_T_REMOVE,
//!   env RT0_T_SET=yes); prints the child's output.
//! - `cwd DIR`: `pwd` in DIR; prints its output.
//! - `path PROG`: runs PROG (no `/`) looked up in PATH, with `-c 'echo
//!   found'`; prints its output and code.
//! - `childpath`: `sh` looked up in the PATH given by `env("PATH",
//!   "/nonexistent:/bin")`, while the parent's PATH (set by the test) has
//!   no sh; prints `code=C`.
//! - `trywait`: `sh -c 'read x; exit 7'` with stdin piped: prints
//!   `before=None`, then closes stdin, waits, and prints `wait=7` and
//!   `after=7`.
//! - `kill`: `sleep 100`, killed: prints `before=None`, `signal=9`, and
//!   `again=ok` (a second kill after reaping sends nothing).
//! - `parkwait`: a goroutine waits for `sh -c 'read x; exit 7'` while
//!   main (at GOMAXPROCS=1, on the same P) waits until that goroutine is
//!   parked in `[IO wait]` (the pidfd in the netpoller, not a blocked M),
//!   then closes the child's stdin. Prints `parked=1 code=7`.
//! - `debug`: prints a configured Command with `{:?}`.
//! - `many N G`: G goroutines spawn N `/bin/true` children in all and wait
//!   for each; prints `ok=K fail=F` (K = N, F = 0).
//! - `bench N G`: the same, timed, for scripts/bench_spawn.py: G = 1
//!   spawns one after another in main; prints `children=N goroutines=G
//!   failed=F`, then `<ns per child> ns/op` (the Go twin,
//!   bench/go/procspawn, prints the same).
#![no_std]
#![no_main]
extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicU64, Ordering::SeqCst};

use rt0::io::{Read, Write};
use rt0::process::{Command, ExitStatus, Stdio, exit};
use rt0::sync::WaitGroup;

rt0::main!(main);

fn arg(i: usize) -> &'static [u8] {
    rt0::env::args().nth(i).unwrap_or(b"")
}

fn num(i: usize, default: u64) -> u64 {
    core::str::from_utf8(arg(i))
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn opt(v: Option<i32>) -> String {
    v.map_or(String::from("none"), |n| format!("{n}"))
}

fn show(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn fail(what: &str, e: rt0::io::Error) -> ! {
    rt0::eprintln!("{}: {}", what, e);
    exit(1)
}

fn print_status(st: ExitStatus) {
    rt0::println!(
        "code={} signal={} success={}",
        opt(st.code()),
        opt(st.signal()),
        st.success()
    );
    rt0::println!("display={}", st);
}

fn main() {
    match arg(1) {
        b"status" => {
            let st = Command::new(arg(2))
                .args(rt0::env::args().skip(3))
                .status()
                .unwrap_or_else(|e| fail("status", e));
            print_status(st);
        }
        b"error" => {
            let mut c = Command::new(arg(2));
            if !arg(3).is_empty() {
                c.current_dir(arg(3));
            }
            match c.spawn() {
                Ok(mut ch) => {
                    let _ = ch.wait();
                    rt0::println!("spawned");
                }
                Err(e) => rt0::println!(
                    "kind={:?} raw={} msg={}",
                    e.kind(),
                    opt(e.raw_os_error()),
                    e
                ),
            }
        }
        b"nul" => match Command::new("/bin/t\0rue").status() {
            Ok(_) => rt0::println!("spawned"),
            Err(e) => rt0::println!("kind={:?}", e.kind()),
        },
        b"pipe" => pipe(num(2, 1 << 20)),
        b"output" => {
            let out = Command::new("/bin/sh")
                .args(["-c", "echo to-out; echo to-err >&2; exit 3"])
                .output()
                .unwrap_or_else(|e| fail("output", e));
            rt0::println!(
                "stdout=[{}] stderr=[{}] code={}",
                show(&out.stdout).trim_end(),
                show(&out.stderr).trim_end(),
                opt(out.status.code())
            );
        }
        b"env" => {
            let mut c = Command::new("/usr/bin/env");
            match arg(2) {
                b"clear" => {
                    c.env_clear();
                }
                b"clearset" => {
                    c.env_clear().env("A", "1").env("B", "two");
                }
                _ => {
                    c.env_remove("RT0_T_REMOVE").env("RT0_T_SET", "yes");
                }
            }
            let out = c.output().unwrap_or_else(|e| fail("env", e));
            rt0::print!("{}", show(&out.stdout));
            rt0::println!("code={}", opt(out.status.code()));
        }
        b"cwd" => {
            let out = Command::new("/bin/pwd")
                .current_dir(arg(2))
                .output()
                .unwrap_or_else(|e| fail("cwd", e));
            rt0::print!("{}", show(&out.stdout));
        }
        b"path" => {
            let out = Command::new(arg(2))
                .args(["-c", "echo found"])
                .output()
                .unwrap_or_else(|e| fail("path", e));
            rt0::print!("{}", show(&out.stdout));
            rt0::println!("code={}", opt(out.status.code()));
        }
        b"childpath" => {
            let st = Command::new("sh")
                .env("PATH", "/nonexistent:/bin")
                .args(["-c", "exit 5"])
                .status()
                .unwrap_or_else(|e| fail("childpath", e));
            rt0::println!("code={}", opt(st.code()));
        }
        b"trywait" => {
            let mut ch = Command::new("/bin/sh")
                .args(["-c", "read x; exit 7"])
                .stdin(Stdio::piped())
                .spawn()
                .unwrap_or_else(|e| fail("spawn", e));
            let before = ch.try_wait().unwrap_or_else(|e| fail("try_wait", e));
            rt0::println!("before={:?}", before.map(|s| s.code()));
            drop(ch.stdin.take());
            let st = ch.wait().unwrap_or_else(|e| fail("wait", e));
            rt0::println!("wait={}", opt(st.code()));
            let after = ch.try_wait().unwrap_or_else(|e| fail("try_wait", e));
            rt0::println!("after={}", opt(after.and_then(|s| s.code())));
        }
        b"kill" => {
            let mut ch = Command::new("/bin/sleep")
                .arg("100")
                .spawn()
                .unwrap_or_else(|e| fail("spawn", e));
            let before = ch.try_wait().unwrap_or_else(|e| fail("try_wait", e));
            rt0::println!("before={:?}", before.map(|s| s.code()));
            ch.kill().unwrap_or_else(|e| fail("kill", e));
            let st = ch.wait().unwrap_or_else(|e| fail("wait", e));
            rt0::println!("signal={}", opt(st.signal()));
            match ch.kill() {
                Ok(()) => rt0::println!("again=ok"),
                Err(e) => rt0::println!("again={}", e),
            }
        }
        b"parkwait" => parkwait(),
        b"debug" => {
            let mut c = Command::new("/bin/sh");
            c.args(["-c", "exit 1"]).current_dir("/tmp").env("A", "1");
            c.env_remove("B");
            rt0::println!("{:?}", c);
        }
        b"many" => {
            let (ok, bad) = many(num(2, 1000), num(3, 8));
            rt0::println!("ok={} fail={}", ok, bad);
        }
        b"bench" => {
            let (n, g) = (num(2, 1000).max(1), num(3, 1).max(1));
            let start = rt0::time::nanotime();
            let bad = if g == 1 {
                spawn_true(n).1
            } else {
                many(n, g).1
            };
            let elapsed = rt0::time::nanotime() - start;
            rt0::println!("children={} goroutines={} failed={}", n, g, bad);
            let ns = elapsed as u64 * 1000 / n;
            rt0::println!("{}.{:03} ns/op", ns / 1000, ns % 1000);
        }
        _ => {
            rt0::eprintln!("usage: process_spawn MODE ...");
            exit(2)
        }
    }
}

fn parkwait() {
    let mut ch = Command::new("/bin/sh")
        .args(["-c", "read x; exit 7"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| fail("spawn", e));
    let stdin = ch.stdin.take();
    let code = Arc::new(AtomicU64::new(u64::MAX));
    let wg = Arc::new(WaitGroup::new());
    wg.add(1);
    let (code2, wg2) = (code.clone(), wg.clone());
    rt0::runtime::go(move || {
        let st = ch.wait().unwrap_or_else(|e| fail("wait", e));
        code2.store(st.code().map_or(999, |c| c as u64), SeqCst);
        wg2.done();
    });
    while rt0::export_test::parked("IO wait") == 0 {
        rt0::runtime::gosched();
    }
    let parked = rt0::export_test::parked("IO wait");
    drop(stdin);
    wg.wait();
    rt0::println!("parked={} code={}", parked, code.load(SeqCst));
}

/// The pattern byte at offset `i`.
fn pattern(i: u64) -> u8 {
    (i.wrapping_mul(2_654_435_761) >> 13) as u8
}

/// A position-weighted checksum of `bytes` seen from offset `at`.
fn sum(bytes: &[u8], at: u64) -> u64 {
    bytes.iter().enumerate().fold(0u64, |s, (k, &b)| {
        s.wrapping_add((b as u64).wrapping_mul(at + k as u64 + 1))
    })
}

fn pipe(total: u64) {
    let mut ch = Command::new("/bin/cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| fail("spawn cat", e));
    let mut stdin = ch.stdin.take().unwrap();
    let mut want = 0u64;
    for i in 0..total {
        want = want.wrapping_add((pattern(i) as u64).wrapping_mul(i + 1));
    }
    let wg = Arc::new(WaitGroup::new());
    wg.add(1);
    let wg2 = wg.clone();
    rt0::runtime::go(move || {
        let mut buf = alloc::vec![0u8; 65536];
        let mut off = 0u64;
        while off < total {
            let n = (total - off).min(buf.len() as u64) as usize;
            for (k, b) in buf[..n].iter_mut().enumerate() {
                *b = pattern(off + k as u64);
            }
            if let Err(e) = stdin.write_all(&buf[..n]) {
                fail("write", e);
            }
            off += n as u64;
        }
        drop(stdin);
        wg2.done();
    });
    let mut out = ch.stdout.take().unwrap();
    let mut buf = alloc::vec![0u8; 65536];
    let (mut got, mut s) = (0u64, 0u64);
    loop {
        match out.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                s = s.wrapping_add(sum(&buf[..n], got));
                got += n as u64;
            }
            Err(e) => fail("read", e),
        }
    }
    wg.wait();
    let st = ch.wait().unwrap_or_else(|e| fail("wait", e));
    let line = format!(
        "bytes={} sum={} want={} code={}",
        got,
        s,
        want,
        opt(st.code())
    );
    if arg(3) == b"stderr" {
        rt0::eprintln!("{}", line);
    } else {
        rt0::println!("{}", line);
    }
}

/// Runs `/bin/true` `n` times, one after another; returns (successes,
/// failures).
fn spawn_true(n: u64) -> (u64, u64) {
    let (mut ok, mut bad) = (0, 0);
    for _ in 0..n {
        match Command::new("/bin/true").status() {
            Ok(st) if st.success() => ok += 1,
            Ok(st) => {
                rt0::eprintln!("child: {}", st);
                bad += 1;
            }
            Err(e) => {
                rt0::eprintln!("spawn: {}", e);
                bad += 1;
            }
        }
    }
    (ok, bad)
}

/// `n` runs of `/bin/true` from `g` goroutines; returns (successes,
/// failures).
fn many(n: u64, g: u64) -> (u64, u64) {
    let ok = Arc::new(AtomicU64::new(0));
    let bad = Arc::new(AtomicU64::new(0));
    let wg = Arc::new(WaitGroup::new());
    wg.add(g as isize);
    for i in 0..g {
        let (ok, bad, wg) = (ok.clone(), bad.clone(), wg.clone());
        let mine = n / g + u64::from(i < n % g);
        rt0::runtime::go(move || {
            let (k, f) = spawn_true(mine);
            ok.fetch_add(k, SeqCst);
            bad.fetch_add(f, SeqCst);
            wg.done();
        });
    }
    wg.wait();
    (ok.load(SeqCst), bad.load(SeqCst))
}
